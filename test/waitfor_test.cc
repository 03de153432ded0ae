// The wait-for graph of `pipetrace check` (issue 10): real hangs from the
// corpus (test/corpus/) run under the preload, killed once their blocked
// calls are in the trace, and the culprit checked by pid, fd and pipe; the
// fixed twins silent.  Plus two traces built record by record for the
// model's rules that the hangs depend on.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test/analysis_cli.h"
#include "test/harness.h"
#include "test/json.h"
#include "test/live_job.h"
#include "test/trace_builder.h"

namespace {

using analysis_cli::HasPid;
using analysis_cli::Output;
using analysis_cli::ProblemsOfKind;

// A traced program running in a process group of its own, its stderr in a
// file (the corpus programs announce "corpus: NAME=PID" there).
class Hang {
  public:
    // cwd: where it runs (empty: here).
    Hang(const std::vector<std::string> &argv, const std::string &tag, const std::string &cwd = "")
        : dir_(harness::FreshDir(tag)), err_(harness::FreshPath(tag + "_err")) {
        std::vector<std::pair<std::string, std::string>> env = harness::PreloadEnv(dir_);
        env.push_back({"PATH", "/usr/bin:/bin"});
        env.push_back({"CORPUS_DIR", harness::SourcePath("test/corpus")});
        pid_ = live_job::SpawnInGroup({argv, env, cwd, "", err_});
    }
    ~Hang() { Kill(); }

    const std::string &dir() const { return dir_; }

    // Polls the trace until pred holds for it (the blocked calls are in):
    // false if the program ended first or it never came.
    bool WaitUntil(const std::function<bool(const harness::Trace &)> &pred) {
        for (int i = 0; i < 1200; i++) { // a bound on a hang, not a timing
            harness::Trace t = harness::LoadTrace(dir_);
            if (t.ok && pred(t))
                return true;
            if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }

    // Waits for a program that must end by itself (a fixed twin): false if
    // it still ran after a minute.  Its trace is read once, after.
    bool WaitEnd() {
        for (int i = 0; i < 6000; i++) { // a bound on a hang, not a timing
            if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }

    // SIGKILL to the whole group, and back once none of it runs any more.
    void Kill() {
        if (pid_ > 0)
            live_job::KillGroup(pid_);
        pid_ = -1;
    }

    // "corpus: NAME=PID" lines of its stderr.
    std::map<std::string, int> Announced() const {
        std::map<std::string, int> out;
        std::string text = harness::ReadFile(err_);
        std::regex line("corpus: ([A-Za-z_]+)=([0-9]+)");
        for (std::sregex_iterator it(text.begin(), text.end(), line), end; it != end; ++it)
            out[(*it)[1]] = std::stoi((*it)[2]);
        return out;
    }

  private:
    std::string dir_, err_;
    pid_t pid_ = -1;
};

bool Unfinished(const harness::Event &e, const std::string &call) {
    return e.state == "unfinished" && e.call == call;
}

// The processes with an unfinished call of that name.
std::set<int> BlockedIn(const harness::Trace &t, const std::string &call) {
    std::set<int> pids;
    for (const harness::Event *e :
         t.Select([&](const harness::Event &e) { return Unfinished(e, call); }))
        pids.insert(e->pid);
    return pids;
}

bool HasFd(const json::Value &problem, int fd) {
    for (const json::Value &f : problem["fds"].as_array())
        if (f.as_int() == fd)
            return true;
    return false;
}

uint64_t ObjectIno(const json::Value &problem) {
    return problem["object"].is_null() ? 0 : problem["object"]["inode"].as_int();
}

std::string Corpus(const std::string &name) {
    return harness::ProgPath("corpus/" + name);
}

std::string Script(const std::string &name) {
    return harness::SourcePath("test/corpus/" + name);
}

// No problem of the kinds a hang is reported as.
void ExpectNoHang(const std::string &dir) {
    Output o = analysis_cli::Viewer("check", dir);
    ASSERT_EQ(o.error, "");
    for (const char *kind : {"blocked-read", "pipe-deadlock", "wait-deadlock"})
        EXPECT_TRUE(ProblemsOfKind(o.json, kind).empty()) << kind << ": " << o.json.dump();
}

// Popen(stdout=PIPE, stderr=PIPE).wait() on seq's 588895 bytes: seq is
// blocked writing its full stdout pipe, whose only reader is python3,
// blocked in wait() for seq.  A cycle, seen while it hangs ("still
// blocked") and after the kill.
TEST(WaitFor, PopenWaitIsAWaitDeadlockOfPythonAndSeq) {
    Hang h({"python3", Script("py_popen_wait.py"), "bug"}, "popen_wait");
    int python = 0, seq = 0;
    uint64_t pipe = 0;
    ASSERT_TRUE(h.WaitUntil([&](const harness::Trace &t) {
        for (const harness::Process *p : t.ProcessesNamed("seq"))
            for (const harness::Event *w : t.Select([&](const harness::Event &e) {
                     return Unfinished(e, "write") && e.fd == 1 && e.pid == p->pid;
                 })) {
                seq = w->pid;
                pipe = w->ino;
                python = p->ppid;
            }
        return seq != 0 && BlockedIn(t, "wait").count(python) > 0;
    }));

    Output live = analysis_cli::Viewer("check", h.dir());
    ASSERT_EQ(live.error, "");
    EXPECT_TRUE(live.run.exited && live.run.exit_code == 1) << live.run.Describe();
    auto found = ProblemsOfKind(live.json, "wait-deadlock");
    ASSERT_EQ(1u, found.size()) << live.json.dump();
    EXPECT_EQ(python, found[0]["pids"][0].as_int()) << found[0].dump();
    EXPECT_EQ("error", found[0]["severity"].as_string()); // the run never ends
    EXPECT_TRUE(HasPid(found[0], seq)) << found[0].dump();
    EXPECT_EQ(pipe, ObjectIno(found[0]));
    EXPECT_TRUE(HasFd(found[0], 1)) << found[0].dump();
    const std::string &msg = found[0]["message"].as_string();
    EXPECT_NE(std::string::npos,
              msg.find("pid " + std::to_string(seq) + " (seq) is still blocked (pid " +
                       std::to_string(seq) + " is running) writing fd 1 (pipe:[" +
                       std::to_string(pipe) + "], full)"))
        << msg;
    EXPECT_NE(std::string::npos, msg.find("in wait() for pid " + std::to_string(seq))) << msg;

    h.Kill();
    Output after = analysis_cli::Viewer("check", h.dir());
    found = ProblemsOfKind(after.json, "wait-deadlock");
    ASSERT_EQ(1u, found.size()) << after.json.dump();
    EXPECT_EQ(std::string::npos, found[0]["message"].as_string().find("still")) << found[0].dump();
}

TEST(WaitFor, PopenCommunicateIsSilent) {
    Hang h({"python3", Script("py_popen_wait.py"), "fixed"}, "popen_communicate");
    EXPECT_TRUE(h.WaitEnd());
    ExpectNoHang(h.dir());
}

// The reader hangs because its parent kept the write end.  The writer held
// it too when the read began, then closed it and exited: it is not named.
TEST(WaitFor, ExitedHolderIsNotBlamedTheParentIs) {
    Hang h({Corpus("c_exited_holder"), "bug"}, "exited_holder");
    std::map<std::string, int> who;
    // The hang: the writer reaped, so that the parent's blocked wait() is
    // the one for the reader (the writer's exit record comes before the
    // parent's wait for it returns; a kill in between leaves no cycle).
    ASSERT_TRUE(h.WaitUntil([&](const harness::Trace &t) {
        who = h.Announced();
        return who.count("writer") && who.count("reader") && t.Count([&](const harness::Event &e) {
            return e.pid == who["writer"] && e.call == "exit";
        }) > 0 &&
               t.Count([&](const harness::Event &e) {
                   return e.pid == who["parent"] && e.call == "wait" && e.state == "done" &&
                          e.result == who["writer"];
               }) > 0 &&
               BlockedIn(t, "read").count(who["reader"]) &&
               BlockedIn(t, "wait").count(who["parent"]);
    }));
    h.Kill();
    harness::Trace t = harness::LoadTrace(h.dir());
    auto made = t.Select(
        [&](const harness::Event &e) { return e.pid == who["parent"] && e.call == "pipe"; });
    ASSERT_FALSE(made.empty());
    Output o = analysis_cli::Viewer("check", h.dir());
    auto found = ProblemsOfKind(o.json, "blocked-read");
    ASSERT_EQ(1u, found.size()) << o.json.dump();
    const json::Value &p = found[0];
    EXPECT_EQ(who["reader"], p["pids"][0].as_int()) << p.dump();
    EXPECT_EQ("error", p["severity"].as_string());
    EXPECT_TRUE(HasPid(p, who["parent"])) << p.dump();
    EXPECT_FALSE(HasPid(p, who["writer"])) << p.dump();
    EXPECT_EQ(made[0]->ino, ObjectIno(p));
    EXPECT_TRUE(HasFd(p, made[0]->fds.at(1))) << p.dump(); // the parent's write end
    const std::string &msg = p["message"].as_string();
    EXPECT_NE(std::string::npos, msg.find("held by pid " + std::to_string(who["parent"]))) << msg;
    EXPECT_EQ(std::string::npos, msg.find("pid " + std::to_string(who["writer"]) + " ")) << msg;
    EXPECT_NE(std::string::npos, msg.find("a deadlock")) << msg;
    EXPECT_NE(std::string::npos, msg.find("EOF can never come")) << msg; // its holder waits for it
}

TEST(WaitFor, ExitedHolderFixedIsSilent) {
    Hang h({Corpus("c_exited_holder"), "fixed"}, "exited_holder_fixed");
    EXPECT_TRUE(h.WaitEnd());
    ExpectNoHang(h.dir());
}

// pid=$(start_server): the background server, a fork child of bash that
// makes no traced call, inherited the substitution's pipe as its stdout;
// it is named as the holder, with the fd it holds.
TEST(WaitFor, SubstitutionBackgroundServerIsTheHolder) {
    Hang h({"bash", Script("sh_subst_bg.sh"), "bug"}, "subst_bg");
    std::map<std::string, int> who;
    uint64_t pipe = 0;
    ASSERT_TRUE(h.WaitUntil([&](const harness::Trace &t) {
        who = h.Announced();
        // bash's read after the one that got the pid, the subshell that
        // wrote it gone: a read caught before (the pid still to come) ends.
        for (const harness::Event *r : t.Select([&](const harness::Event &e) {
                 return Unfinished(e, "read") && e.kind == "pipe" &&
                        t.Count([&](const harness::Event &got) {
                            return got.pid == e.pid && got.ino == e.ino && got.IsRead() &&
                                   got.state == "done" && got.result > 0 &&
                                   got.t_start_ns < e.t_start_ns;
                        }) > 0;
             }))
            pipe = r->ino;
        auto wrote = t.Select([&](const harness::Event &e) {
            return e.ino == pipe && e.IsWrite() && e.state == "done" && e.result > 0;
        });
        return who.count("server") && pipe != 0 && !wrote.empty() &&
               t.Count([&](const harness::Event &e) {
                   return e.pid == wrote[0]->pid && e.call == "exit";
               }) > 0;
    }));
    Output live = analysis_cli::Viewer("check", h.dir());
    h.Kill();
    // summary knows the server too, holding the pipe's write end as its fd
    // 1: a process, or (when it made no traced call: no fd above 2 for the
    // library to list) a silent child of the bash that ran the substitution.
    json::Value s = analysis_cli::Viewer("summary", h.dir()).json;
    bool listed = false, holds = false;
    for (const json::Value &p : s["processes"].as_array()) {
        listed |= p["pid"].as_int() == who["server"];
        for (const json::Value &c : p["untraced_children"].as_array())
            listed |= c["pid"].as_int() == who["server"] && c["reason"].as_string() == "silent";
    }
    for (const json::Value &p : s["pipes"].as_array())
        for (const json::Value &hd : p["holders"].as_array())
            holds |= p["inode"].as_int() == static_cast<int64_t>(pipe) &&
                     hd["pid"].as_int() == who["server"] && hd["fd"].as_int() == 1 &&
                     hd["end"].as_string() == "write" && hd["to"].is_null();
    EXPECT_TRUE(listed && holds) << s.dump();
    EXPECT_TRUE(s["complete"].as_bool()) << s["coverage_gaps"].dump();
    auto found = ProblemsOfKind(live.json, "blocked-read");
    ASSERT_EQ(1u, found.size()) << live.json.dump();
    const json::Value &p = found[0];
    EXPECT_TRUE(HasPid(p, who["server"])) << p.dump();
    EXPECT_EQ(pipe, ObjectIno(p));
    EXPECT_TRUE(HasFd(p, 1)) << p.dump(); // the server's stdout
    const std::string &msg = p["message"].as_string();
    EXPECT_NE(std::string::npos, msg.find("is running) reading")) << msg;
    EXPECT_NE(std::string::npos, msg.find("held by pid " + std::to_string(who["server"]) + " "))
        << msg;
    EXPECT_NE(std::string::npos,
              msg.find("inherited through fork by pid " + std::to_string(who["server"])))
        << msg;
}

TEST(WaitFor, SubstitutionBackgroundServerFixedIsSilent) {
    Hang h({"bash", Script("sh_subst_bg.sh"), "fixed"}, "subst_bg_fixed");
    EXPECT_TRUE(h.WaitEnd());
    ExpectNoHang(h.dir());
}

// A helper forked after the pipe keeps its write end and waits in pause():
// it makes no traced call, so it exists only in its parent's fork record.
// It is the holder named (with its write end's fd), and summary lists it as a silent
// child holding the write end.
// reader blocked in `call` begun after it read every byte the writer
// wrote into pipes: a wait caught before that (data still coming, or a
// call begun that returns at once on unread bytes) ends.
bool BlockedAfterReadingAll(const harness::Trace &t, int reader, int writer,
                            const std::string &call) {
    int64_t written = t.SumResult([&](const harness::Event &e) {
        return e.pid == writer && e.IsWrite() && e.kind == "pipe";
    });
    auto reads = t.Select([&](const harness::Event &e) {
        return e.pid == reader && e.IsRead() && e.kind == "pipe" && e.state == "done" &&
               e.result > 0;
    });
    int64_t read = 0, last_read = 0;
    for (const harness::Event *e : reads) {
        read += e->result;
        last_read = std::max(last_read, e->t_start_ns);
    }
    return written > 0 && read == written && t.Count([&](const harness::Event &e) {
        return e.pid == reader && Unfinished(e, call) && e.t_start_ns > last_read;
    }) > 0;
}

// The same, the writer exited.
bool WaitsAfterReadingAll(const harness::Trace &t, int reader, int writer,
                          const std::string &call) {
    return t.Count([&](const harness::Event &e) { return e.pid == writer && e.call == "exit"; }) >
               0 &&
           BlockedAfterReadingAll(t, reader, writer, call);
}

TEST(WaitFor, ASilentForkChildIsAHolder) {
    Hang h({Corpus("c_fork_silent_holder"), "bug"}, "silent_holder");
    std::map<std::string, int> who;
    ASSERT_TRUE(h.WaitUntil([&](const harness::Trace &t) {
        who = h.Announced();
        return who.count("reader") &&
               BlockedAfterReadingAll(t, who["reader"], who["parent"], "read") &&
               BlockedIn(t, "wait").count(who["parent"]);
    }));
    h.Kill();
    harness::Trace t = harness::LoadTrace(h.dir());
    EXPECT_EQ(nullptr, t.FindProcess(who["helper"])) << "the helper left no trace file";
    auto made = t.Select(
        [&](const harness::Event &e) { return e.pid == who["parent"] && e.call == "pipe"; });
    ASSERT_FALSE(made.empty());
    int write_end = made[0]->fds.at(1); // 4, or more under a harness that holds fds
    Output o = analysis_cli::Viewer("check", h.dir());
    auto found = ProblemsOfKind(o.json, "blocked-read");
    ASSERT_EQ(1u, found.size()) << o.json.dump();
    EXPECT_EQ(who["reader"], found[0]["pids"][0].as_int());
    EXPECT_TRUE(HasPid(found[0], who["helper"])) << found[0].dump();
    EXPECT_TRUE(HasFd(found[0], write_end)) << found[0].dump();
    EXPECT_EQ(made[0]->ino, ObjectIno(found[0]));
    json::Value s = analysis_cli::Viewer("summary", h.dir()).json;
    bool holds = false;
    for (const json::Value &p : s["pipes"].as_array())
        for (const json::Value &hd : p["holders"].as_array())
            holds |= hd["pid"].as_int() == who["helper"] && hd["fd"].as_int() == write_end &&
                     hd["end"].as_string() == "write";
    EXPECT_TRUE(holds) << s.dump();
}

TEST(WaitFor, ASilentForkChildThatClosedIsSilent) {
    Hang h({Corpus("c_fork_silent_holder"), "fixed"}, "silent_holder_fixed");
    EXPECT_TRUE(h.WaitEnd());
    ExpectNoHang(h.dir());
}

// A parent kills its child, reaps it, then drains the pipe: EOF comes at
// once, because the only writer is dead; nothing hung.
TEST(WaitFor, ADrainAfterKillAndReapIsSilent) {
    Hang h({Corpus("c_kill_drain")}, "kill_drain");
    EXPECT_TRUE(h.WaitEnd());
    ExpectNoHang(h.dir());
}

// The same drain before the reap (CPython's Popen.kill() then
// communicate()): only the recorded kill, sent before the read began,
// tells it from a read that waited until someone killed the writer.
TEST(WaitFor, ADrainAfterKillBeforeReapIsSilent) {
    Hang h({Corpus("c_kill_drain"), "before-reap"}, "kill_drain_before_reap");
    EXPECT_FALSE(h.WaitUntil([](const harness::Trace &) { return false; }));
    harness::Trace t = harness::LoadTrace(h.dir());
    ASSERT_TRUE(t.ok);
    std::vector<const harness::Event *> kills =
        t.Select([](const harness::Event &e) { return e.call == "kill"; });
    ASSERT_EQ(kills.size(), 1u);
    EXPECT_EQ(kills[0]->raw["signal"].as_string(), "SIGTERM");
    int target = static_cast<int>(kills[0]->raw["target"].as_int());
    EXPECT_NE(target, kills[0]->pid);
    EXPECT_FALSE(t.Select([&](const harness::Event &e) { return e.pid == target; }).empty())
        << "the kill names the child";
    ExpectNoHang(h.dir());
}

TEST(WaitFor, PopenKillThenCommunicateIsSilent) {
    Hang h({"python3", Script("py_kill_communicate.py")}, "kill_communicate");
    EXPECT_FALSE(h.WaitUntil([](const harness::Trace &) { return false; }));
    ExpectNoHang(h.dir());
}

// subprocess.run(capture_output=True) of `sh -c 'echo started; sleep 30 &'`:
// the background sleep, a child of sh that made no traced call, holds the
// captured stdout and stderr; communicate() waits in poll() for their EOF.
TEST(WaitFor, CaptureOutputWaitsInPollForTheBackgroundSleep) {
    Hang h({"python3", Script("py_capture_bg.py"), "bug"}, "capture_bg");
    int sh = 0, sleeper = 0, python = 0;
    ASSERT_TRUE(h.WaitUntil([&](const harness::Trace &t) {
        for (const harness::Process *p : t.ProcessesNamed("sh")) {
            sh = p->pid;
            python = p->ppid;
        }
        for (const harness::Event *f : t.Select([&](const harness::Event &e) {
                 return e.pid == sh && e.call == "fork" && e.state == "done";
             }))
            sleeper = f->child;
        // The poll that cannot end: begun after python read sh's "started"
        // (an earlier one ends when those bytes come), sh gone.
        auto read = t.Select([&](const harness::Event &e) {
            return e.pid == python && e.call == "read" && e.state == "done" &&
                   e.data.find("started") != std::string::npos;
        });
        return sleeper != 0 && !read.empty() &&
               t.Count([&](const harness::Event &e) { return e.pid == sh && e.call == "exit"; }) >
                   0 &&
               t.Count([&](const harness::Event &e) {
                   return e.pid == python && Unfinished(e, "poll") &&
                          e.t_start_ns > read[0]->t_start_ns;
               }) > 0;
    }));
    h.Kill();
    harness::Trace t = harness::LoadTrace(h.dir());
    // The pipe sh's stdout is (python made it): the one its fd 1 wrote to.
    auto out = t.Select([&](const harness::Event &e) {
        return e.pid == sh && e.IsWrite() && e.fd == 1 && e.kind == "pipe";
    });
    ASSERT_FALSE(out.empty()) << t.Head();
    Output o = analysis_cli::Viewer("check", h.dir());
    auto found = ProblemsOfKind(o.json, "blocked-read");
    ASSERT_EQ(1u, found.size()) << o.json.dump();
    const json::Value &p = found[0];
    EXPECT_EQ(python, p["pids"][0].as_int()) << p.dump();
    EXPECT_TRUE(HasPid(p, sleeper)) << p.dump();
    EXPECT_EQ(out[0]->ino, ObjectIno(p)) << p.dump();
    EXPECT_TRUE(HasFd(p, 1) && HasFd(p, 2)) << p.dump(); // the sleep's stdout, stderr
    const std::string &msg = p["message"].as_string();
    EXPECT_NE(std::string::npos, msg.find("in poll() on fd")) << msg;
    EXPECT_NE(std::string::npos, msg.find("held by pid " + std::to_string(sleeper) + " ")) << msg;
}

TEST(WaitFor, CaptureOutputOfAQuietBackgroundJobIsSilent) {
    Hang h({"python3", Script("py_capture_bg.py"), "fixed"}, "capture_bg_fixed");
    EXPECT_TRUE(h.WaitEnd());
    ExpectNoHang(h.dir());
}

// The same in C with select(): the writer is done and gone, the helper
// forked after it keeps the write end; the helper is named, with its fd.
TEST(WaitFor, SelectSiblingIsTheHolderNotTheWriter) {
    Hang h({Corpus("c_select_sibling"), "bug"}, "select_sibling");
    std::map<std::string, int> who;
    ASSERT_TRUE(h.WaitUntil([&](const harness::Trace &t) {
        who = h.Announced();
        return who.count("helper") && who.count("writer") &&
               WaitsAfterReadingAll(t, who["parent"], who["writer"], "select");
    }));
    Output live = analysis_cli::Viewer("check", h.dir());
    h.Kill();
    harness::Trace t = harness::LoadTrace(h.dir());
    auto made = t.Select([&](const harness::Event &e) {
        return e.pid == who["parent"] && (e.call == "pipe" || e.call == "pipe2");
    });
    ASSERT_FALSE(made.empty());
    auto found = ProblemsOfKind(live.json, "blocked-read");
    ASSERT_EQ(1u, found.size()) << live.json.dump();
    const json::Value &p = found[0];
    EXPECT_EQ(who["parent"], p["pids"][0].as_int()) << p.dump();
    EXPECT_TRUE(HasPid(p, who["helper"])) << p.dump();
    EXPECT_FALSE(HasPid(p, who["writer"])) << p.dump();
    EXPECT_EQ(made[0]->ino, ObjectIno(p));
    EXPECT_TRUE(HasFd(p, made[0]->fds.at(1))) << p.dump();
    const std::string &msg = p["message"].as_string();
    EXPECT_NE(std::string::npos, msg.find("is running) in select() on fd")) << msg;
    // The helper waits in pause(), untraced: alive, it may still close.
    EXPECT_NE(std::string::npos, msg.find("EOF comes only when every holder closes its copy"))
        << msg;
}

TEST(WaitFor, SelectSiblingThatClosedIsSilent) {
    Hang h({Corpus("c_select_sibling"), "fixed"}, "select_sibling_fixed");
    EXPECT_TRUE(h.WaitEnd());
    ExpectNoHang(h.dir());
}

// The asyncio form: communicate() waits in epoll_wait() on the child's
// stdout pipe and the loop's own socketpair self-pipe, which nobody else
// can write; the background sleep holding stdout is named.
// python blocked in an epoll_wait that nothing is left to wake: begun after
// it read sh's "started", reaped sh, and (when another thread reaped it, as
// asyncio's child watcher does) woke for that thread's news.  An earlier
// epoll_wait, caught while sh's exit record is already in, still ends.
bool EpollWaitCannotEnd(const harness::Trace &t, int python, int sh) {
    auto end_of = [](const harness::Event *e) { return e->raw["t_end_ns"].as_int(); };
    auto reaped = t.Select([&](const harness::Event &e) {
        return e.pid == python && e.call == "wait" && e.state == "done" && e.result == sh;
    });
    auto read = t.Select([&](const harness::Event &e) {
        return e.pid == python && e.call == "read" && e.state == "done" &&
               e.data.find("started") != std::string::npos;
    });
    if (reaped.empty() || read.empty())
        return false;
    int64_t after = std::max(end_of(reaped[0]), read[0]->t_start_ns);
    for (const harness::Event *w : t.Select([&](const harness::Event &e) {
             return e.pid == python && e.call == "epoll_wait" && e.state == "unfinished" &&
                    e.t_start_ns > after;
         })) {
        if (w->tid == reaped[0]->tid)
            return true;
        if (t.Count([&](const harness::Event &e) {
                return e.pid == python && e.tid == w->tid && e.call == "epoll_wait" &&
                       e.state == "done" && e.result >= 1 && end_of(&e) > end_of(reaped[0]) &&
                       end_of(&e) < w->t_start_ns;
            }) > 0)
            return true;
    }
    return false;
}

TEST(WaitFor, AsyncioWaitsInEpollForTheBackgroundSleep) {
    Hang h({"python3", Script("py_asyncio_bg.py"), "bug"}, "asyncio_bg");
    int sh = 0, sleeper = 0, python = 0;
    ASSERT_TRUE(h.WaitUntil([&](const harness::Trace &t) {
        for (const harness::Process *p : t.ProcessesNamed("sh")) {
            sh = p->pid;
            python = p->ppid;
        }
        for (const harness::Event *f : t.Select([&](const harness::Event &e) {
                 return e.pid == sh && e.call == "fork" && e.state == "done";
             }))
            sleeper = f->child;
        return sleeper != 0 && EpollWaitCannotEnd(t, python, sh);
    }));
    h.Kill();
    Output o = analysis_cli::Viewer("check", h.dir());
    auto found = ProblemsOfKind(o.json, "blocked-read");
    ASSERT_EQ(1u, found.size()) << o.json.dump();
    const json::Value &p = found[0];
    EXPECT_EQ(python, p["pids"][0].as_int()) << p.dump();
    EXPECT_TRUE(HasPid(p, sleeper)) << p.dump();
    EXPECT_TRUE(HasFd(p, 1)) << p.dump(); // the sleep's stdout
    EXPECT_NE(std::string::npos, p["message"].as_string().find("in epoll_wait() on fd"))
        << p.dump();
}

TEST(WaitFor, AsyncioWithAQuietBackgroundJobIsSilent) {
    Hang h({"python3", Script("py_asyncio_bg.py"), "fixed"}, "asyncio_bg_fixed");
    EXPECT_TRUE(h.WaitEnd());
    ExpectNoHang(h.dir());
}

// A poll() loop waits for EOF that a forked helper sibling keeps from
// coming; the writer, done and gone, is not named.
TEST(WaitFor, PollSiblingIsTheHolderNotTheWriter) {
    Hang h({"python3", Script("py_poll_sibling.py"), "bug"}, "poll_sibling");
    std::map<std::string, int> who;
    ASSERT_TRUE(h.WaitUntil([&](const harness::Trace &t) {
        who = h.Announced();
        // The helper's close of the read end is in (its trace file is whole).
        return who.count("helper") && who.count("writer") && t.Count([&](const harness::Event &e) {
            return e.pid == who["helper"] && e.call == "close";
        }) > 0 &&
               WaitsAfterReadingAll(t, who["parent"], who["writer"], "poll");
    }));
    h.Kill();
    harness::Trace t = harness::LoadTrace(h.dir());
    auto made = t.Select([&](const harness::Event &e) {
        return e.pid == who["parent"] && (e.call == "pipe" || e.call == "pipe2");
    });
    ASSERT_FALSE(made.empty());
    Output o = analysis_cli::Viewer("check", h.dir());
    auto found = ProblemsOfKind(o.json, "blocked-read");
    ASSERT_EQ(1u, found.size()) << o.json.dump();
    const json::Value &p = found[0];
    EXPECT_EQ(who["parent"], p["pids"][0].as_int()) << p.dump();
    EXPECT_TRUE(HasPid(p, who["helper"])) << p.dump();
    EXPECT_FALSE(HasPid(p, who["writer"])) << p.dump();
    EXPECT_EQ(made[0]->ino, ObjectIno(p));
    EXPECT_TRUE(HasFd(p, made[0]->fds.at(1))) << p.dump(); // the helper's copy of the write end
}

TEST(WaitFor, PollSiblingThatClosedIsSilent) {
    Hang h({"python3", Script("py_poll_sibling.py"), "fixed"}, "poll_sibling_fixed");
    EXPECT_TRUE(h.WaitEnd());
    ExpectNoHang(h.dir());
}

// A client hands its pipe's write end over SCM_RIGHTS to an unrelated
// server (a sibling, not its fork) that keeps it: the server is the holder
// named, and how its copy came (a socket) is said, since no fork or exec
// the trace saw carried it.
TEST(WaitFor, AWriteEndPassedOverASocketIsSaidSo) {
    std::string bin = harness::ProgPath("corpus");
    Hang h({"sh", "-c", "\"$0\"/c_fdpass_server bug & \"$0\"/c_fdpass_client bug", bin}, "fdpass",
           harness::FreshDir("fdpass_cwd")); // it makes ./fdpass.sock
    int server = 0, client = 0;
    // The reader blocks in read() at once, before any hand-off: the hang is
    // whole only once the server has recorded receiving the write end and
    // the client, its own copy closed, waits for the reader.
    bool hung = h.WaitUntil([&](const harness::Trace &t) {
        for (const harness::Process *p : t.ProcessesNamed("c_fdpass_server"))
            server = p->pid;
        for (const harness::Process *p : t.ProcessesNamed("c_fdpass_client"))
            if (!p->fork_child) // not its reader
                client = p->pid;
        return server && client && t.Count([&](const harness::Event &e) {
            return Unfinished(e, "read") && e.kind == "pipe" && e.pid != client && e.pid != server;
        }) > 0 &&
               BlockedIn(t, "wait").count(client) && t.Count([&](const harness::Event &e) {
                   return e.pid == server && e.call == "scm_rights" && e.raw.has("direction") &&
                          e.raw["direction"].is_string() &&
                          e.raw["direction"].as_string() == "received";
               }) > 0;
    });
    ASSERT_TRUE(hung) << harness::LoadTrace(h.dir()).Head(60);
    h.Kill();
    harness::Trace t = harness::LoadTrace(h.dir());
    auto made = t.Select([&](const harness::Event &e) {
        return e.pid == client && (e.call == "pipe" || e.call == "pipe2");
    });
    ASSERT_FALSE(made.empty()) << t.Head();
    Output o = analysis_cli::Viewer("check", h.dir());
    auto found = ProblemsOfKind(o.json, "blocked-read");
    ASSERT_EQ(1u, found.size()) << o.json.dump();
    const json::Value &p = found[0];
    EXPECT_TRUE(HasPid(p, server)) << p.dump();
    EXPECT_EQ(made[0]->ino, ObjectIno(p));
    const std::string &msg = p["message"].as_string();
    // The hand-off is recorded (the scm_rights notes): the chain says it.
    EXPECT_NE(std::string::npos, msg.find("passed by pid " + std::to_string(client) + " fd "))
        << msg;
    EXPECT_NE(std::string::npos, msg.find("(SCM_RIGHTS) to pid " + std::to_string(server))) << msg;
}

// --- the model's rules, on traces built record by record --------------------

json::Value Check(const std::string &dir) {
    Output o = analysis_cli::Viewer("check", dir);
    EXPECT_EQ(o.error, "");
    return o.json;
}

// Both pipes full: the parent's 256 KiB write to cat, of which cat read
// 128 KiB, is still blocked (not a write whose bytes were read): with cat
// blocked writing its output back, it is a deadlock.
TEST(WaitForModel, AWritePartlyReadIsStillBlocked) {
    std::string dir = harness::FreshDir("partly_read");
    tb::TraceBuilder parent(900, 1, 1000, {"parent"});
    parent.Add(tb::Rec(PT_EV_PIPE, 900, 3, 1100, 0, 0, 901), tb::PipePayload(3, 4, 901));
    parent.Add(tb::Rec(PT_EV_PIPE, 900, 5, 1110, 0, 0, 902), tb::PipePayload(5, 6, 902));
    parent.Add(tb::Rec(PT_EV_FORK, 900, -1, 1200, 910, 0));
    parent.Add(tb::Rec(PT_EV_CLOSE, 900, 3, 1210, 0, 0, 901));
    parent.Add(tb::Rec(PT_EV_CLOSE, 900, 6, 1220, 0, 0, 902));
    parent.Add(tb::Begun(tb::Rec(PT_EV_WRITE, 900, 4, 1300, 0, 262144, 901)));
    ASSERT_TRUE(parent.WriteTo(dir));
    tb::TraceBuilder cat(910, 900, 1200, {"cat"});
    cat.header().flags |= PT_HDR_FORK_CHILD;
    cat.Add(tb::Rec(PT_EV_CLOSE, 910, 4, 1250, 0, 0, 901));
    cat.Add(tb::Rec(PT_EV_CLOSE, 910, 5, 1260, 0, 0, 902));
    cat.Add(tb::Rec(PT_EV_READ, 910, 3, 1400, 131072, 131072, 901));
    cat.Add(tb::Begun(tb::Rec(PT_EV_WRITE, 910, 6, 1500, 0, 131072, 902)));
    ASSERT_TRUE(cat.WriteTo(dir));

    json::Value s = analysis_cli::Viewer("summary", dir).json;
    EXPECT_EQ(0, s["pipes"][0]["inferred_writes"].as_int()) << s["pipes"][0].dump();
    auto found = ProblemsOfKind(Check(dir), "pipe-deadlock");
    ASSERT_EQ(1u, found.size());
    EXPECT_TRUE(HasPid(found[0], 900) && HasPid(found[0], 910)) << found[0].dump();
    EXPECT_TRUE(HasFd(found[0], 4) && HasFd(found[0], 6)) << found[0].dump();
}

// The helper closed its write end (the parent then saw EOF) and was killed
// right after, before its close record was marked done: the end was let
// go at the close, so no reader "saw EOF only when it was killed".
TEST(WaitForModel, ACloseCutShortByAKillIsAClose) {
    std::string dir = harness::FreshDir("close_killed");
    tb::TraceBuilder parent(920, 1, 1000, {"parent"});
    parent.Add(tb::Rec(PT_EV_PIPE, 920, 3, 1100, 0, 0, 921), tb::PipePayload(3, 4, 921));
    parent.Add(tb::Rec(PT_EV_FORK, 920, -1, 1200, 930, 0));
    parent.Add(tb::Rec(PT_EV_CLOSE, 920, 4, 1210, 0, 0, 921));
    pt_record eof = tb::Rec(PT_EV_READ, 920, 3, 1300, 0, 64, 921);
    eof.t_end = 2000;
    parent.Add(eof);
    parent.Add(tb::Rec(PT_EV_WAIT, 920, -1, 2100, 930, SIGKILL));
    parent.Add(tb::Rec(PT_EV_EXIT, 920, -1, 2200, 0, 0));
    ASSERT_TRUE(parent.WriteTo(dir));
    tb::TraceBuilder helper(930, 920, 1200, {"parent"});
    helper.header().flags |= PT_HDR_FORK_CHILD;
    helper.Add(tb::Rec(PT_EV_CLOSE, 930, 3, 1250, 0, 0, 921));
    helper.Add(tb::Begun(tb::Rec(PT_EV_CLOSE, 930, 4, 1900, 0, 0, 921)));
    ASSERT_TRUE(helper.WriteTo(dir));

    json::Value c = Check(dir);
    EXPECT_TRUE(ProblemsOfKind(c, "blocked-read").empty()) << c.dump();
}

} // namespace
