#!/usr/bin/env python3
"""Scores `pipetrace check` on the corpus (cases.json, docs/CORPUS.md).

Runs every case traced (`pipetrace run -o DIR -- timeout -s KILL N CMD`) in
a fresh working directory, reads `pipetrace check --json` and
`pipetrace summary --json`, and prints one line per case, misses first:

  NAMED          a bug reported with the expected kind and culprit
  WRONG-CULPRIT  a bug reported with the expected kind, but the process,
                 fd, pipe or message is not the expected one
  WRONG-KIND     a bug reported, but under no expected kind
  MISSED         a bug with no problem reported at all
  FALSE-ALARM    a fixed twin or benign program with a problem of severity
                 error (a problem without a severity counts as an error)
  SILENT-OK      a fixed twin or benign program without such a problem
  VIEWER-ERROR   the viewer hung, crashed, failed or printed bad JSON
  SKIPPED        a program the case needs is not installed

then the score.  With --runs N each case runs N times and the worst result
counts (a bug is named only when every run names it); the detail of a case
whose runs differed starts with UNSTABLE.  It builds nothing (build //tools:pipetrace,
//src/preload:libpipetrace.so and //test/corpus:corpus first) and exits 0
whatever the score: it is a measurement.  Exit status 2 only for a usage
error (a missing binary, a bad manifest).
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ORDER = ["MISSED", "VIEWER-ERROR", "WRONG-KIND", "WRONG-CULPRIT", "FALSE-ALARM", "NAMED",
         "SILENT-OK", "SKIPPED"]
ANNOUNCE = re.compile(r"^corpus: ([A-Za-z_]+)=(\d+)$", re.M)
SESSION_GRACE_S = 3.0


# --- the manifest ---------------------------------------------------------------

def load_variants(cases_path):
    """Expands cases.json into one runnable variant per bug, twin and benign."""
    with open(cases_path) as f:
        manifest = json.load(f)
    defaults = manifest.get("defaults", {})
    variants = []
    for case in manifest["cases"]:
        for group, mode in (("bug", "bug"), ("fixed", "fixed"), ("benign", None)):
            if group not in case:
                continue
            spec = case[group]
            name = case["name"] + ("/fixed" if group == "fixed" else "")
            hangs = bool(spec.get("hangs", False))
            timeout = spec.get("timeout", defaults.get("hang_timeout" if hangs else "timeout", 20))
            variants.append({
                "name": name, "case": case["name"], "group": "twin" if group == "fixed" else group,
                "issue": case.get("issue"), "lang": case.get("lang"), "what": case.get("what", ""),
                "cmd": spec.get("cmd", case["cmd"]), "mode": mode, "needs": case.get("needs", []),
                "hangs": hangs, "exit": spec.get("exit"), "timeout": timeout,
                "expect": spec.get("expect", []),
            })
    return variants


def expand_cmd(cmd, mode, bin_dir, corpus_dir):
    out = []
    for word in cmd:
        word = word.replace("{bin}", bin_dir).replace("{corpus}", corpus_dir)
        out.append(word.replace("{mode}", mode or ""))
    return out


def missing_needs(variant):
    return [prog for prog in variant["needs"] if shutil.which(prog, path=case_path()) is None]


def case_path():
    # /usr/bin first: the system python3, not a pyenv shim (a shim would be an
    # extra bash process in every trace).
    return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


# --- running a case traced ---------------------------------------------------------

def session_pids(sid):
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 3 and int(fields[3]) == sid:
            pids.append(int(entry))
    return pids


def end_session(sid):
    """Waits briefly for what the case left running, then kills it."""
    deadline = time.monotonic() + SESSION_GRACE_S
    while session_pids(sid) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in session_pids(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def run_traced(variant, opts, work):
    trace = os.path.join(work, "trace")
    cwd = os.path.join(work, "cwd")
    os.mkdir(cwd)
    env = {
        "PATH": case_path(), "HOME": cwd, "TMPDIR": cwd, "LC_ALL": "C",
        "PYTHONDONTWRITEBYTECODE": "1", "CORPUS_BIN": opts.bin, "CORPUS_DIR": opts.corpus,
        "PIPETRACE_LIB": opts.lib,
    }
    cmd = expand_cmd(variant["cmd"], variant["mode"], opts.bin, opts.corpus)
    argv = [opts.pipetrace, "run", "-o", trace, "--", "timeout", "-s", "KILL",
            str(variant["timeout"])] + cmd
    out_path, err_path = os.path.join(work, "stdout"), os.path.join(work, "stderr")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=err, start_new_session=True)
        try:
            rc = proc.wait(timeout=variant["timeout"] + 30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            rc = proc.wait()
        end_session(proc.pid)
    with open(err_path, errors="replace") as f:
        stderr = f.read()
    announced = {name: int(pid) for name, pid in ANNOUNCE.findall(stderr)}
    return trace, rc, announced, stderr


def run_viewer(opts, command, trace):
    """(parsed JSON, None) or (None, why it failed)."""
    proc = subprocess.Popen([opts.pipetrace, command, "--json", trace], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=opts.viewer_timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # and whatever it started
        proc.communicate()
        return None, "%s hung (killed after %gs)" % (command, opts.viewer_timeout)
    if proc.returncode < 0:
        return None, "%s killed by signal %d" % (command, -proc.returncode)
    if proc.returncode not in (0, 1):
        first = err.decode(errors="replace").strip().split("\n")[0]
        return None, "%s exit %d: %s" % (command, proc.returncode, first)
    try:
        return json.loads(out), None
    except ValueError as e:
        return None, "%s printed bad JSON: %s" % (command, e)


def behaviour_note(variant, rc):
    """How the traced run differed from what the manifest says, or ''."""
    if variant["hangs"]:
        return "" if rc == 128 + signal.SIGKILL else "traced run did not hang (exit %d)" % rc
    if rc == 128 + signal.SIGKILL:
        return "traced run timed out after %ss" % variant["timeout"]
    if variant["exit"] is not None and rc != variant["exit"]:
        return "traced run exit %d, expected %d" % (rc, variant["exit"])
    return ""


# --- resolving the manifest's labels against the viewer's answer --------------------

class Model:
    def __init__(self, summary, announced):
        self.processes = []
        known = set()
        for p in summary.get("processes", []):
            self.processes.append({"pid": p["pid"], "ppid": p.get("ppid"),
                                   "argv": p.get("argv") or [], "exe": p.get("exe")})
            known.add(p["pid"])
        for p in summary.get("processes", []):
            for child in p.get("untraced_children", []) or []:
                if child["pid"] not in known:
                    path = child.get("path") or ""
                    self.processes.append({"pid": child["pid"], "ppid": child.get("parent"),
                                           "argv": [path], "exe": path})
                    known.add(child["pid"])
        self.pipes = summary.get("pipes", [])
        self.announced = announced

    def pids(self, sel):
        found = set()
        if "announced" in sel:
            pid = self.announced.get(sel["announced"])
            if pid is None:
                return found
            candidates = [p for p in self.processes if p["pid"] == pid]
            if not candidates:  # a process the model does not know still has a pid
                candidates = [{"pid": pid, "ppid": None, "argv": [], "exe": None}]
        else:
            candidates = self.processes
        for p in candidates:
            if self.matches(sel, p):
                found.add(p["pid"])
        return found

    def matches(self, sel, p):
        argv = p["argv"]
        first = os.path.basename(argv[0]) if argv else os.path.basename(p["exe"] or "")
        if "argv0" in sel and first != sel["argv0"]:
            return False
        if "word" in sel and not any(w == sel["word"] or os.path.basename(w) == sel["word"]
                                     for w in argv):
            return False
        if "child_of" in sel and p["ppid"] not in self.pids(sel["child_of"]):
            return False
        return True

    def pipe_inodes(self, sel):
        if "of" in sel:
            owners = self.pids(sel["of"])
            fds = sel.get("fd", [])
            return {pipe["inode"] for pipe in self.pipes for h in pipe.get("holders", [])
                    if h["pid"] in owners and (not fds or h["fd"] in fds)}
        owners = self.pids(sel["created_by"])
        made = sorted((p for p in self.pipes if p.get("created_by") in owners),
                      key=lambda p: (p.get("created_at") or 0, p["id"]))
        nth = sel.get("nth", 0)
        return {made[nth]["inode"]} if nth < len(made) else set()

    def holder_fds(self, sel, inodes):
        owners = self.pids(sel)
        return {h["fd"] for pipe in self.pipes if pipe["inode"] in inodes
                for h in pipe.get("holders", []) if h["pid"] in owners}


def label(sel):
    return " ".join("%s=%s" % (k, label(v) if isinstance(v, dict) else v)
                    for k, v in sorted(sel.items()))


def culprit_failures(exp, problem, model):
    """What in `problem` differs from the expected culprit (empty: all right)."""
    failures = []
    named = set(problem.get("pids") or [])
    for sel in exp.get("pids", []):
        want = model.pids(sel)
        if not want:
            failures.append("no process matches {%s}" % label(sel))
        elif not want & named:
            failures.append("does not name {%s} (pid %s)" % (label(sel), ",".join(map(str, sorted(want)))))
    for sel in exp.get("not_pids", []):
        wrong = model.pids(sel) & named
        if wrong:
            failures.append("blames {%s} (pid %s)" % (label(sel), ",".join(map(str, sorted(wrong)))))
    inodes = None
    if "pipe" in exp:
        inodes = model.pipe_inodes(exp["pipe"])
        obj = problem.get("object") or {}
        if not inodes:
            failures.append("no pipe matches {%s}" % label(exp["pipe"]))
        elif obj.get("inode") not in inodes:
            failures.append("object %s, expected pipe:[%s]" % (
                "pipe:[%s]" % obj["inode"] if obj.get("inode") is not None else "null",
                ",".join(map(str, sorted(inodes)))))
    fds = set(problem.get("fds") or [])
    if "fd" in exp and exp["fd"] not in fds:
        failures.append("fds %s lack fd %d" % (sorted(fds), exp["fd"]))
    if "holder_fd" in exp and inodes:
        want = model.holder_fds(exp["holder_fd"], inodes)
        if not want:
            failures.append("the model knows no fd of {%s} on that pipe" % label(exp["holder_fd"]))
        elif not want & fds:
            failures.append("fds %s lack {%s}'s fd %s" % (sorted(fds), label(exp["holder_fd"]),
                                                          ",".join(map(str, sorted(want)))))
    if "message" in exp:
        text = "%s %s" % (problem.get("message", ""), problem.get("fix", ""))
        if not re.search(exp["message"], text, re.I):
            failures.append("message and fix do not say /%s/" % exp["message"])
    return failures


def severity(problem):
    return problem.get("severity") or "error"


def classify_bug(variant, problems, model):
    """(status, detail)."""
    all_kinds = [p.get("kind") for p in problems]
    details = []
    status = "NAMED"
    for exp in variant["expect"]:
        candidates = [p for p in problems if p.get("kind") in exp["kinds"]]
        if not candidates:
            status = "WRONG-KIND" if problems else "MISSED"
            details.append("no %s" % "/".join(exp["kinds"]))
            continue
        best = min((culprit_failures(exp, p, model) for p in candidates), key=len)
        if best:
            if status == "NAMED":
                status = "WRONG-CULPRIT"
            details.append("%s: %s" % (candidates[0]["kind"], "; ".join(best)))
        else:
            p = candidates[0]
            if severity(p) != "error":
                details.append("(as %s)" % severity(p))
    if status == "MISSED":
        details = ["no problem reported"]
    elif status == "WRONG-KIND":
        details.append("got %s" % ", ".join(all_kinds))
    else:
        wanted = {k for exp in variant["expect"] for k in exp["kinds"]}
        others = [k for k in all_kinds if k not in wanted]
        if others:
            details.append("also %s" % ", ".join(others))
    return status, "; ".join(details)


def classify_correct(problems):
    errors = [p for p in problems if severity(p) == "error"]
    if errors:
        return "FALSE-ALARM", ", ".join(p.get("kind", "?") for p in errors)
    quieter = [p for p in problems if severity(p) != "error"]
    if quieter:
        return "SILENT-OK", "(%s)" % ", ".join("%s %s" % (severity(p), p.get("kind")) for p in quieter)
    return "SILENT-OK", ""


def score_variant(variant, opts, scratch):
    result = {"name": variant["name"], "group": variant["group"], "issue": variant["issue"],
              "lang": variant["lang"],
              "expected": variant["expect"][0]["kinds"][0] if variant["expect"] else "silence"}
    missing = missing_needs(variant)
    if missing:
        result.update(status="SKIPPED", detail="%s not installed" % ", ".join(missing))
        return result
    work = tempfile.mkdtemp(prefix=variant["name"].replace("/", "_") + ".", dir=scratch)
    trace, rc, announced, _ = run_traced(variant, opts, work)
    note = behaviour_note(variant, rc)
    if not os.path.isdir(trace):
        result.update(status="VIEWER-ERROR", detail="no trace written (pipetrace run exit %d)" % rc)
        return result
    check, why = run_viewer(opts, "check", trace)
    summary, why_summary = run_viewer(opts, "summary", trace) if check is not None else (None, None)
    if check is None or summary is None:
        result.update(status="VIEWER-ERROR", detail=why or why_summary)
    else:
        problems = check.get("problems", [])
        model = Model(summary, announced)
        if variant["group"] == "bug":
            status, detail = classify_bug(variant, problems, model)
        else:
            status, detail = classify_correct(problems)
        result.update(status=status, detail=detail, kinds=[p.get("kind") for p in problems])
    if note:
        result["detail"] = (result["detail"] + "; " if result["detail"] else "") + note
    result["trace"] = trace
    return result


def score_repeated(variant, opts, scratch):
    """Runs the variant opts.runs times; the worst result stands (a bug counts
    as named only when every run names it), and the detail says how the runs
    differed."""
    runs = [score_variant(variant, opts, scratch) for _ in range(max(1, opts.runs))]
    worst = min(runs, key=lambda r: ORDER.index(r["status"]))
    statuses = [r["status"] for r in runs]
    if len(set(statuses)) > 1:
        tally = ", ".join("%s %d" % (s, statuses.count(s)) for s in ORDER if s in statuses)
        worst = dict(worst, detail="UNSTABLE (%s of %d runs); worst: %s" % (
            tally, len(runs), worst["detail"]))
    worst["runs"] = statuses
    return worst


# --- the report ---------------------------------------------------------------------

def print_report(results, out):
    ranked = sorted(results, key=lambda r: ORDER.index(r["status"]))
    for r in ranked:
        line = "%-13s  %-28s %-16s %s" % (r["status"], r["name"], r["expected"], r["detail"])
        print(line.rstrip(), file=out)
    bugs = [r for r in results if r["group"] == "bug" and r["status"] != "SKIPPED"]
    correct = [r for r in results if r["group"] != "bug" and r["status"] != "SKIPPED"]
    count = lambda rs, s: sum(1 for r in rs if r["status"] == s)
    print("", file=out)
    print("bugs: %d of %d named exactly; %d wrong culprit, %d wrong kind, %d missed, "
          "%d viewer errors" % (count(bugs, "NAMED"), len(bugs), count(bugs, "WRONG-CULPRIT"),
                                count(bugs, "WRONG-KIND"), count(bugs, "MISSED"),
                                count(bugs, "VIEWER-ERROR")), file=out)
    print("correct programs (%d twins, %d benign): %d silent, %d false alarms, "
          "%d viewer errors" % (sum(1 for r in correct if r["group"] == "twin"),
                                sum(1 for r in correct if r["group"] == "benign"),
                                count(correct, "SILENT-OK"), count(correct, "FALSE-ALARM"),
                                count(correct, "VIEWER-ERROR")), file=out)
    unstable = [r["name"] for r in results if len(set(r.get("runs", []))) > 1]
    if unstable:
        print("unstable (the runs differed; the worst counts): %s" % ", ".join(unstable), file=out)
    skipped = [r for r in results if r["status"] == "SKIPPED"]
    if skipped:
        print("skipped: %s" % ", ".join("%s (%s)" % (r["name"], r["detail"]) for r in skipped),
              file=out)
    print("score: %d/%d bugs named, %d/%d correct programs silent" % (
        count(bugs, "NAMED"), len(bugs), count(correct, "SILENT-OK"), len(correct)), file=out)


def parse_args():
    corpus = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(corpus))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pipetrace", default=os.path.join(root, "bazel-bin/tools/pipetrace"),
                    help="the pipetrace CLI (default: bazel-bin/tools/pipetrace)")
    ap.add_argument("--lib", default=os.path.join(root, "bazel-bin/src/preload/libpipetrace.so"),
                    help="the preload library (default: bazel-bin/src/preload/libpipetrace.so)")
    ap.add_argument("--bin", default=os.path.join(root, "bazel-bin/test/corpus"),
                    help="the built corpus programs (default: bazel-bin/test/corpus)")
    ap.add_argument("--corpus", default=corpus, help="the corpus scripts and cases.json")
    ap.add_argument("--only", action="append", default=[],
                    help="run the cases whose name matches this regular expression (repeatable)")
    ap.add_argument("-j", "--jobs", type=int, default=1,
                    help="cases run at once (default 1: timing-sensitive cases stay stable)")
    ap.add_argument("--runs", type=int, default=1,
                    help="run each case N times and keep the worst result (default 1)")
    ap.add_argument("--viewer-timeout", type=float, default=60.0,
                    help="seconds each viewer command may take (default 60)")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    ap.add_argument("--keep", action="store_true", help="keep the traces (their paths are in --json)")
    opts = ap.parse_args()
    for attr in ("pipetrace", "lib", "bin", "corpus"):
        setattr(opts, attr, os.path.abspath(getattr(opts, attr)))
    return opts


def main():
    opts = parse_args()
    for what, path in (("pipetrace CLI", opts.pipetrace), ("preload library", opts.lib),
                       ("corpus programs", opts.bin), ("corpus", opts.corpus)):
        if not os.path.exists(path):
            print("score.py: %s not found: %s (build //tools:pipetrace "
                  "//src/preload:libpipetrace.so //test/corpus:corpus)" % (what, path),
                  file=sys.stderr)
            return 2
    try:
        variants = load_variants(os.path.join(opts.corpus, "cases.json"))
    except (OSError, ValueError, KeyError) as e:
        print("score.py: %s: %s" % (os.path.join(opts.corpus, "cases.json"), e), file=sys.stderr)
        return 2
    if opts.only:
        variants = [v for v in variants if any(re.search(o, v["name"]) for o in opts.only)]
    scratch = tempfile.mkdtemp(prefix="pipetrace-corpus.")
    results = [None] * len(variants)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        futures = {pool.submit(score_repeated, v, opts, scratch): i for i, v in enumerate(variants)}
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as e:  # a scorer bug must not hide the other cases
                results[i] = {"name": variants[i]["name"], "group": variants[i]["group"],
                              "issue": variants[i]["issue"], "lang": variants[i]["lang"],
                              "expected": "?", "status": "VIEWER-ERROR",
                              "detail": "scorer failed: %r" % e}
            print("[%d/%d] %-28s %s" % (done, len(variants), results[i]["name"],
                                        results[i]["status"]), file=sys.stderr, flush=True)
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(results, f, indent=1)
    print_report(results, sys.stdout)
    if not opts.keep:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
