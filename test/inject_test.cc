// Fault injection (issue 14): `pipetrace run --inject` makes real short
// transfers and injected EINTR/EPIPE on pipe I/O, marks each injected call
// in the trace, replays the same faults for the same seed, and leaves
// programs that handle them correctly with the same output.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/analysis_cli.h"
#include "test/harness.h"
#include "test/json.h"

namespace {

using analysis_cli::HasPid;
using analysis_cli::ProblemsOfKind;

harness::RunOptions Plain() {
    harness::RunOptions opts;
    opts.env.push_back({"PATH", "/usr/bin:/bin"});
    opts.env.push_back({"LC_ALL", "C"});
    opts.unset_env = {"PIPETRACE_INJECT", "PIPETRACE_INJECT_SEED"};
    return opts;
}

// `pipetrace run -o dir [--inject=SPEC --seed=SEED] -- sh -c SCRIPT`.
harness::RunResult RunSh(const std::string &dir, const std::string &script,
                         const std::string &inject, const std::string &seed = "") {
    std::vector<std::string> argv = {harness::CliPath(), "run", "-o", dir};
    if (!inject.empty())
        argv.push_back("--inject=" + inject);
    if (!seed.empty())
        argv.push_back("--seed=" + seed);
    argv.insert(argv.end(), {"--", "/bin/sh", "-c", script});
    return harness::Run(argv, Plain());
}

// `pipetrace dump dir`: the text, where injected calls end in
// "[injected KIND]".
std::string DumpText(const std::string &dir) {
    return harness::Run({harness::CliPath(), "dump", dir}, Plain()).out;
}

std::string Prog(const std::string &name) {
    return harness::ProgPath(name);
}

bool Injected(const harness::Event &e) {
    return e.raw.has("injected");
}

std::string InjectedKind(const harness::Event &e) {
    return Injected(e) ? e.raw["injected"].as_string() : "";
}

// The process of the trace whose argv[0] ends in name.
int PidOf(const harness::Trace &t, const std::string &name) {
    for (const harness::Process &p : t.processes)
        if (!p.argv.empty() && p.argv[0].size() >= name.size() &&
            p.argv[0].compare(p.argv[0].size() - name.size(), name.size(), name) == 0)
            return p.pid;
    return 0;
}

// --- short writes --------------------------------------------------------------

// A writer that ignores a short write's count loses the rest, and check
// says so on the first try; the looping twin, hit by the same fault, is
// silent and delivers every byte.
TEST(InjectShort, AWriterIgnoringTheRestIsFoundItsLoopingTwinIsSilent) {
    for (std::string mode : {"bug", "ok"}) {
        SCOPED_TRACE(mode);
        std::string dir = harness::FreshDir("short_" + mode);
        harness::RunResult run =
            RunSh(dir, Prog("inj_writer") + " " + mode + " | wc -c", "short:calls=write");
        ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
        harness::Trace t = harness::LoadTrace(dir);
        ASSERT_TRUE(t.ok) << t.error;
        int writer = PidOf(t, "inj_writer");
        ASSERT_NE(0, writer) << t.Head();
        auto hit = t.Select([&](const harness::Event &e) {
            return e.pid == writer && e.call == "write" && InjectedKind(e) == "short";
        });
        ASSERT_FALSE(hit.empty()) << t.Head(60);
        EXPECT_GT(hit[0]->result, 0);
        EXPECT_LT(hit[0]->result, hit[0]->arg) << "a real partial transfer, 1..n-1";
        EXPECT_NE(std::string::npos, DumpText(dir).find("[injected short]")) << DumpText(dir);
        analysis_cli::Output check = analysis_cli::Viewer("check", dir);
        ASSERT_TRUE(check.error.empty()) << check.error;
        auto lost = ProblemsOfKind(check.json, "lost-data");
        if (mode == "bug") {
            EXPECT_NE("4096\n", run.out);
            ASSERT_EQ(1u, lost.size()) << check.run.out;
            EXPECT_TRUE(HasPid(lost[0], writer)) << check.run.out;
        } else {
            EXPECT_EQ("4096\n", run.out);
            EXPECT_TRUE(check.json["problems"].as_array().empty()) << check.run.out;
        }
    }
}

// The same in Python: os.write once (its count ignored) loses the rest;
// the twin loops on the count os.write returns, and is silent.
TEST(InjectShort, APythonWriterIgnoringOsWritesCountIsFoundItsTwinIsSilent) {
    const std::string bug = "import os\nos.write(1, b'q' * 5000)\n";
    const std::string ok = "import os\ndata = memoryview(b'q' * 5000)\n"
                           "while data:\n    data = data[os.write(1, data):]\n";
    for (std::string mode : {"bug", "ok"}) {
        SCOPED_TRACE(mode);
        std::string dir = harness::FreshDir("pyshort_" + mode);
        std::string script = harness::FreshPath("py_" + mode);
        harness::WriteFile(script, mode == "bug" ? bug : ok);
        harness::RunResult run =
            RunSh(dir, "python3 " + script + " | wc -c", "short:calls=write:exe=python3");
        ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
        analysis_cli::Output check = analysis_cli::Viewer("check", dir);
        ASSERT_TRUE(check.error.empty()) << check.error;
        auto lost = ProblemsOfKind(check.json, "lost-data");
        if (mode == "bug") {
            EXPECT_NE("5000\n", run.out);
            ASSERT_EQ(1u, lost.size()) << check.run.out;
            EXPECT_NE(std::string::npos,
                      lost[0]["message"].as_string().find("(injected by pipetrace)"))
                << check.run.out;
        } else {
            EXPECT_EQ("5000\n", run.out);
            EXPECT_TRUE(check.json["problems"].as_array().empty()) << check.run.out;
        }
    }
}

// --- stdio's own reads and writes ---------------------------------------------------

// stdio's flushes are hit when calls= names them: a short transfer is a
// real partial write(2) that glibc's flush loop finishes (the output is
// what it is untraced, the rest written as the next record); stdio's
// refills get real short reads, which fgets reads on from.
TEST(InjectStdio, ShortFlushesAndRefillsKeepTheOutputGlibcLoops) {
    const std::string script = Prog("inj_stdio") + " write 3000 | " + Prog("inj_stdio") + " read";
    harness::RunResult plain = harness::Run({"/bin/sh", "-c", script}, Plain());
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    EXPECT_EQ("read 96000 bytes 3000 lines\n", plain.out);
    std::string dir = harness::FreshDir("stdio_short");
    harness::RunResult run = RunSh(dir, script, "short:calls=stdio:every=1", "3");
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    EXPECT_EQ(plain.out, run.out);
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    for (std::string call : {"write", "read"}) {
        SCOPED_TRACE(call);
        auto hit = t.Select([&](const harness::Event &e) {
            return e.via == "stdio" && e.call == call && InjectedKind(e) == "short";
        });
        ASSERT_GT(hit.size(), 5u) << t.Head(60);
        EXPECT_GT(hit[0]->result, 0);
        EXPECT_LT(hit[0]->result, hit[0]->arg) << "a real partial transfer";
    }
    EXPECT_EQ(0u, t.Count([](const harness::Event &e) { return e.via.empty() && Injected(e); }))
        << "calls=stdio aims at stdio's calls only";
    analysis_cli::Output check = analysis_cli::Viewer("check", dir);
    ASSERT_TRUE(check.error.empty()) << check.error;
    EXPECT_TRUE(check.json["problems"].as_array().empty()) << check.run.out;
}

// Without calls= naming stdio, stdio is left alone: glibc cannot retry an
// EINTR, so the default aims at the system calls only.
TEST(InjectStdio, StdioIsHitOnlyWhenNamed) {
    std::string dir = harness::FreshDir("stdio_default");
    harness::RunResult run = RunSh(dir, Prog("inj_stdio") + " write 3000 | wc -c",
                                   "eintr:every=1:exe=inj_stdio,short:every=1:exe=inj_stdio");
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    EXPECT_EQ("96000\n", run.out);
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    EXPECT_EQ(0u, t.Count([](const harness::Event &e) { return e.via == "stdio" && Injected(e); }))
        << t.Head(60);
}

// An EINTR injected into a flush is what glibc gets from the kernel when a
// signal handler without SA_RESTART interrupts write(2): the FILE's error
// flag is set, the buffer dropped and printf/fflush fail with EINTR.  The
// program sees it (it reports it and exits 1), and check names the lost
// bytes and the injected EINTR.
TEST(InjectStdio, AnEintrInAFlushFailsItAsTheKernelsWouldAndCheckSaysWhatWasLost) {
    std::string dir = harness::FreshDir("stdio_eintr");
    harness::RunResult run = RunSh(dir, Prog("inj_stdio") + " write 3000 | wc -c",
                                   "eintr:calls=stdio_write:nth=2:exe=inj_stdio");
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    EXPECT_NE(std::string::npos, run.err.find("inj_stdio: ")) << run.Describe();
    EXPECT_NE(std::string::npos, run.err.find("Interrupted system call")) << run.Describe();
    EXPECT_NE("96000\n", run.out);
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    int writer = PidOf(t, "inj_stdio");
    auto hit = t.Select([](const harness::Event &e) { return InjectedKind(e) == "eintr"; });
    ASSERT_EQ(1u, hit.size()) << t.Head(60);
    EXPECT_EQ("stdio", hit[0]->via);
    EXPECT_EQ("write", hit[0]->call);
    EXPECT_EQ("EINTR", hit[0]->err);
    EXPECT_EQ(writer, hit[0]->pid);
    analysis_cli::Output check = analysis_cli::Viewer("check", dir);
    ASSERT_TRUE(check.error.empty()) << check.error;
    auto lost = ProblemsOfKind(check.json, "lost-data");
    ASSERT_EQ(1u, lost.size()) << check.run.out;
    EXPECT_TRUE(HasPid(lost[0], writer)) << check.run.out;
    EXPECT_NE(std::string::npos,
              lost[0]["message"].as_string().find("failed with EINTR (injected by pipetrace)"))
        << check.run.out;
    EXPECT_TRUE(ProblemsOfKind(check.json, "eintr-unhandled").empty()) << check.run.out;
}

// An EINTR injected into a refill: fgets returns NULL with the error flag
// set, as from the kernel; the reader that stops there is eintr-unhandled.
TEST(InjectStdio, AnEintrInARefillEndsAnFgetsLoop) {
    std::string dir = harness::FreshDir("stdio_eintr_read");
    harness::RunResult run =
        RunSh(dir, Prog("inj_stdio") + " write 3000 | " + Prog("inj_stdio") + " read",
              "eintr:calls=stdio_read:nth=2");
    ASSERT_TRUE(run.exited) << run.Describe();
    EXPECT_EQ(1, run.exit_code) << run.Describe();
    EXPECT_NE(std::string::npos, run.err.find("read failed after ")) << run.Describe();
    analysis_cli::Output check = analysis_cli::Viewer("check", dir);
    ASSERT_TRUE(check.error.empty()) << check.error;
    EXPECT_EQ(1u, ProblemsOfKind(check.json, "eintr-unhandled").size()) << check.run.out;
}

// --- short on sendmsg/recvmsg --------------------------------------------------------

// A short sendmsg or recvmsg is a real partial transfer over the iovec, as
// writev's and readv's are (sendmmsg and recvmmsg: the first message
// alone, cut): the writer that loops on the rest delivers every byte, the
// one that ignores the count loses the rest of each message hit.
TEST(InjectShort, SendmsgAndRecvmsgMoveAPartOfTheirIovecTheLoopingWriterDeliversAll) {
    for (std::string call : {"msg", "mmsg"}) {
        for (std::string mode : {"bug", "ok"}) {
            SCOPED_TRACE(call + " " + mode);
            std::string dir = harness::FreshDir("msg_" + call + "_" + mode);
            harness::RunResult run = harness::Run({harness::CliPath(), "run", "-o", dir,
                                                   "--inject=short:calls=sendmsg+recvmsg",
                                                   "--seed=5", "--", Prog("inj_msg"), mode, call},
                                                  Plain());
            ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
            harness::Trace t = harness::LoadTrace(dir);
            ASSERT_TRUE(t.ok) << t.error;
            for (std::string name : {"sendmsg", "recvmsg"}) {
                auto hit = t.Select([&](const harness::Event &e) {
                    return e.call == name && InjectedKind(e) == "short";
                });
                ASSERT_GT(hit.size(), 3u) << name << "\n" << t.Head(60);
                for (const harness::Event *e : hit) {
                    if (name == "recvmsg" && e->result == 0)
                        continue; // the end of the stream, asked for less
                    EXPECT_GT(e->result, 0) << name;
                    EXPECT_LT(e->result, e->raw["count"].as_int())
                        << name << ": a real partial transfer";
                }
            }
            if (mode == "ok")
                EXPECT_EQ("received 20000\n", run.out);
            else
                EXPECT_NE("received 20000\n", run.out);
        }
    }
}

// --- short reads -------------------------------------------------------------------

// A reader that takes each read for one whole 64-byte record goes wrong
// after a short read: the next read begins mid-record.  Its twin fills
// each record with as many reads as it takes and reads the same 60
// records as untraced.  check names the bug (short-read-unhandled, a
// warning: the writer wrote 64-byte messages, the reader asked 64 on every
// read and asked 64 again right after the injected short read) and is
// silent on the twin, whose next read asked for the rest.
TEST(InjectShort, AReaderTakingEachReadForAWholeRecordMisreadsItsTwinDoesNot) {
    const std::string records = Prog("inj_records") + " write 60 | ";
    for (std::string mode : {"bug", "ok"}) {
        SCOPED_TRACE(mode);
        harness::RunResult plain =
            harness::Run({"/bin/sh", "-c", records + Prog("inj_records") + " " + mode}, Plain());
        ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
        EXPECT_EQ("records 60 bad 0\n", plain.out);
        std::string dir = harness::FreshDir("records_" + mode);
        harness::RunResult run = RunSh(dir, records + Prog("inj_records") + " " + mode,
                                       "short:calls=read:nth=2:argv=" + mode);
        ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
        harness::Trace t = harness::LoadTrace(dir);
        ASSERT_TRUE(t.ok) << t.error;
        auto hit = t.Select([](const harness::Event &e) { return InjectedKind(e) == "short"; });
        ASSERT_EQ(1u, hit.size()) << t.Head(60);
        EXPECT_EQ("read", hit[0]->call);
        analysis_cli::Output check = analysis_cli::Viewer("check", dir);
        ASSERT_TRUE(check.error.empty()) << check.error;
        auto split = ProblemsOfKind(check.json, "short-read-unhandled");
        if (mode == "bug") {
            EXPECT_NE(std::string::npos, run.out.find("records 61 bad ")) << run.out;
            ASSERT_EQ(1u, split.size()) << check.run.out;
            EXPECT_EQ("warning", split[0]["severity"].as_string());
            EXPECT_TRUE(HasPid(split[0], hit[0]->pid)) << check.run.out;
            std::string message = split[0]["message"].as_string();
            std::string got = std::to_string(hit[0]->result);
            for (std::string part :
                 {std::string("(inj_records) reads pipe:["), std::string("(fd 0) as 64-byte"),
                  "got " + got + " of 64 bytes (injected by pipetrace)",
                  std::string("next read() asked 64 again"),
                  "not the " + std::to_string(64 - hit[0]->result) + " left"})
                EXPECT_NE(std::string::npos, message.find(part)) << part << "\n" << message;
            EXPECT_EQ(2u, split[0]["pids"].as_array().size()) << "the reader and the writer";
        } else {
            EXPECT_EQ("records 60 bad 0\n", run.out);
            EXPECT_TRUE(check.json["problems"].as_array().empty()) << check.run.out;
        }
    }
}

// The same in Python: os.read(0, 64) taken for a record misreads after an
// injected short read and check names it; the twin that reads the rest of
// the record is silent.
TEST(InjectShort, APythonReaderTakingEachOsReadForARecordIsFoundItsTwinIsSilent) {
    const std::string writer = "import os\nfor i in range(60):\n"
                               "    os.write(1, (b'R%d' % i).ljust(63, b'.') + b'\\n')\n";
    const std::string bug = "import os\nn = bad = 0\nwhile True:\n    rec = os.read(0, 64)\n"
                            "    if not rec:\n        break\n    n += 1\n"
                            "    bad += rec[:1] != b'R'\nprint('records', n, 'bad', bad)\n";
    const std::string ok = "import os\nn = bad = 0\nwhile True:\n    rec = b''\n"
                           "    while len(rec) < 64:\n        b = os.read(0, 64 - len(rec))\n"
                           "        if not b:\n            break\n        rec += b\n"
                           "    if not rec:\n        break\n    n += 1\n"
                           "    bad += rec[:1] != b'R'\nprint('records', n, 'bad', bad)\n";
    std::string scripts = harness::FreshDir("pyrecords");
    harness::WriteFile(scripts + "/writer.py", writer);
    for (std::string mode : {"bug", "ok"}) {
        SCOPED_TRACE(mode);
        harness::WriteFile(scripts + "/reader_" + mode + ".py", mode == "bug" ? bug : ok);
        std::string script =
            "python3 " + scripts + "/writer.py | python3 " + scripts + "/reader_" + mode + ".py";
        std::string dir = harness::FreshDir("pyrecords_" + mode);
        harness::RunResult run =
            RunSh(dir, script, "short:calls=read:nth=2:argv=reader_" + mode + ".py");
        ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
        analysis_cli::Output check = analysis_cli::Viewer("check", dir);
        ASSERT_TRUE(check.error.empty()) << check.error;
        auto split = ProblemsOfKind(check.json, "short-read-unhandled");
        if (mode == "bug") {
            EXPECT_NE(std::string::npos, run.out.find("records 61 bad ")) << run.out;
            ASSERT_EQ(1u, split.size()) << check.run.out;
            EXPECT_NE(std::string::npos,
                      split[0]["message"].as_string().find("(python3 reader_bug.py) reads pipe:["))
                << check.run.out;
        } else {
            EXPECT_EQ("records 60 bad 0\n", run.out);
            EXPECT_TRUE(check.json["problems"].as_array().empty()) << check.run.out;
        }
    }
}

// A copier whose buffer is not the writer's message size (cat asks for
// 128 KiB) is not a message reader: short reads injected into it are
// silent, as is a message reader that met no injected short read.
TEST(InjectShort, ACopierAndAnUnhitReaderAreNotMessageReaders) {
    std::string dir = harness::FreshDir("records_copier");
    harness::RunResult run =
        RunSh(dir, Prog("inj_records") + " write 60 | cat | " + Prog("inj_records") + " bug",
              "short:calls=read:exe=cat");
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    EXPECT_GT(t.Count([](const harness::Event &e) { return InjectedKind(e) == "short"; }), 0u)
        << t.Head(60);
    analysis_cli::Output check = analysis_cli::Viewer("check", dir);
    ASSERT_TRUE(check.error.empty()) << check.error;
    EXPECT_TRUE(ProblemsOfKind(check.json, "short-read-unhandled").empty()) << check.run.out;
}

// --- EINTR ------------------------------------------------------------------------

// A reader that takes EINTR for the end stops early; its retrying twin reads
// everything under the same injection.
TEST(InjectEintr, AReaderStoppingOnEintrIsFoundItsRetryingTwinIsSilent) {
    for (std::string mode : {"bug", "ok"}) {
        SCOPED_TRACE(mode);
        std::string dir = harness::FreshDir("eintr_" + mode);
        harness::RunResult run =
            RunSh(dir, "head -c 20000 /dev/zero | " + Prog("inj_reader") + " " + mode,
                  "eintr:calls=read:nth=2:exe=inj_reader");
        ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
        harness::Trace t = harness::LoadTrace(dir);
        ASSERT_TRUE(t.ok) << t.error;
        int reader = PidOf(t, "inj_reader");
        auto hit = t.Select([&](const harness::Event &e) { return InjectedKind(e) == "eintr"; });
        ASSERT_EQ(1u, hit.size()) << t.Head(60);
        EXPECT_EQ(reader, hit[0]->pid);
        EXPECT_EQ("EINTR", hit[0]->err);
        EXPECT_NE(std::string::npos, DumpText(dir).find("[injected eintr]")) << DumpText(dir);
        analysis_cli::Output check = analysis_cli::Viewer("check", dir);
        ASSERT_TRUE(check.error.empty()) << check.error;
        auto unhandled = ProblemsOfKind(check.json, "eintr-unhandled");
        if (mode == "bug") {
            EXPECT_NE("read 20000\n", run.out);
            ASSERT_EQ(1u, unhandled.size()) << check.run.out;
            EXPECT_TRUE(HasPid(unhandled[0], reader)) << check.run.out;
        } else {
            EXPECT_EQ("read 20000\n", run.out);
            EXPECT_TRUE(unhandled.empty()) << check.run.out;
        }
    }
}

// CPython retries a call that failed with EINTR itself (PEP 475: it runs
// the signal handlers, and retries when none raised), so a Python loop on
// os.read never sees an injected EINTR: the reader is silent under
// --inject=eintr and reads every byte, as it does untraced.
TEST(InjectEintr, PythonRetriesEintrItselfItsReaderIsSilent) {
    const std::string reader = "import os\nn = 0\nwhile True:\n    b = os.read(0, 512)\n"
                               "    if not b:\n        break\n    n += len(b)\nprint('read', n)\n";
    std::string script = harness::FreshPath("py_reader");
    harness::WriteFile(script, reader);
    std::string dir = harness::FreshDir("pyeintr");
    harness::RunResult run =
        RunSh(dir, "head -c 20000 /dev/zero | python3 " + script, "eintr:calls=read:exe=python3");
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    EXPECT_EQ("read 20000\n", run.out);
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    EXPECT_GT(t.Count([](const harness::Event &e) { return InjectedKind(e) == "eintr"; }), 5u)
        << t.Head(60);
    analysis_cli::Output check = analysis_cli::Viewer("check", dir);
    ASSERT_TRUE(check.error.empty()) << check.error;
    EXPECT_TRUE(ProblemsOfKind(check.json, "eintr-unhandled").empty()) << check.run.out;
}

// A Python loop that stops on EINTR cannot be written with os.read (PEP
// 475 retries it), but can with a C-level read, here through ctypes: the
// loop that takes -1 for the end stops at the injected EINTR and check
// names it; its twin retries on errno EINTR, reads everything, and is
// silent.
TEST(InjectEintr, APythonCLevelReadLoopStoppingOnEintrIsFoundItsTwinIsSilent) {
    const std::string head = "import ctypes, errno\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                             "buf = ctypes.create_string_buffer(512)\ntotal = 0\n"
                             "while True:\n    n = libc.read(0, buf, 512)\n";
    const std::string retry = "    if n < 0 and ctypes.get_errno() == errno.EINTR:\n"
                              "        continue\n";
    const std::string tail =
        "    if n <= 0:\n        break\n    total += n\nprint('read', total)\n";
    std::string scripts = harness::FreshDir("pyeintr_c");
    for (std::string mode : {"bug", "ok"}) {
        SCOPED_TRACE(mode);
        std::string script = scripts + "/reader_" + mode + ".py";
        harness::WriteFile(script, head + (mode == "ok" ? retry : "") + tail);
        std::string dir = harness::FreshDir("pyeintr_c_" + mode);
        harness::RunResult run = RunSh(dir, "head -c 20000 /dev/zero | python3 " + script,
                                       "eintr:calls=read:nth=2:argv=reader_" + mode + ".py");
        ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
        harness::Trace t = harness::LoadTrace(dir);
        ASSERT_TRUE(t.ok) << t.error;
        auto hit = t.Select([&](const harness::Event &e) { return InjectedKind(e) == "eintr"; });
        ASSERT_EQ(1u, hit.size()) << t.Head(60);
        analysis_cli::Output check = analysis_cli::Viewer("check", dir);
        ASSERT_TRUE(check.error.empty()) << check.error;
        auto unhandled = ProblemsOfKind(check.json, "eintr-unhandled");
        if (mode == "bug") {
            EXPECT_EQ("read 512\n", run.out);
            ASSERT_EQ(1u, unhandled.size()) << check.run.out;
            EXPECT_TRUE(HasPid(unhandled[0], hit[0]->pid)) << check.run.out;
        } else {
            EXPECT_EQ("read 20000\n", run.out);
            EXPECT_TRUE(check.json["problems"].as_array().empty()) << check.run.out;
        }
    }
}

// --- EPIPE ------------------------------------------------------------------------

// check on an injected EPIPE: the writer that did not survive it (killed by
// its SIGPIPE, or failing right after) is an epipe-unhandled warning naming
// it; the twin that stopped writing and exited 0 is silent.  The injected
// EPIPE itself is no finding.
void ExpectEpipeVerdict(const std::string &dir, bool bug, int writer, const std::string &ending) {
    analysis_cli::Output check = analysis_cli::Viewer("check", dir);
    ASSERT_TRUE(check.error.empty()) << check.error;
    EXPECT_EQ(0, check.run.exit_code) << check.run.out; // a warning only
    const json::Value &problems = check.json["problems"];
    if (!bug) {
        EXPECT_TRUE(problems.as_array().empty()) << check.run.out;
        return;
    }
    ASSERT_EQ(1u, problems.as_array().size()) << check.run.out;
    const json::Value &p = problems.as_array()[0];
    EXPECT_EQ("epipe-unhandled", p["kind"].as_string());
    EXPECT_EQ("warning", p["severity"].as_string());
    EXPECT_EQ(writer, p["pids"][0].as_int());
    const std::string &msg = p["message"].as_string();
    EXPECT_NE(std::string::npos, msg.find("did not survive an injected EPIPE")) << msg;
    EXPECT_NE(std::string::npos, msg.find(ending)) << msg;
}

// An injected EPIPE comes with a real SIGPIPE: the writer that leaves it to
// its default dies of it; the twin that ignores SIGPIPE sees -1/EPIPE.
TEST(InjectEpipe, TheDefaultDispositionKillsTheWriterTheTwinSeesEpipe) {
    for (std::string mode : {"bug", "ok"}) {
        SCOPED_TRACE(mode);
        std::string dir = harness::FreshDir("epipe_" + mode);
        harness::RunResult run =
            RunSh(dir, Prog("inj_epipe") + " " + mode + "; echo status $?", "epipe:nth=3");
        ASSERT_TRUE(run.exited) << run.Describe();
        harness::Trace t = harness::LoadTrace(dir);
        ASSERT_TRUE(t.ok) << t.error;
        auto hit = t.Select([&](const harness::Event &e) { return InjectedKind(e) == "epipe"; });
        ASSERT_EQ(1u, hit.size()) << t.Head(60);
        EXPECT_NE(std::string::npos, DumpText(dir).find("[injected epipe]")) << DumpText(dir);
        std::string lines(2 * 100, 'p');
        if (mode == "bug") {
            EXPECT_NE(std::string::npos, run.out.find("status 141")) << run.Describe();
            EXPECT_EQ(std::string::npos, run.err.find("reader gone")) << run.Describe();
        } else {
            EXPECT_NE(std::string::npos, run.out.find("status 0")) << run.Describe();
            EXPECT_NE(std::string::npos, run.err.find("reader gone")) << run.Describe();
            EXPECT_EQ("EPIPE", hit[0]->err);
        }
        ExpectEpipeVerdict(dir, mode == "bug", hit[0]->pid, "was killed by the SIGPIPE");
    }
}

// Python ignores SIGPIPE, so an injected EPIPE reaches it as
// BrokenPipeError: the writer with no handler dies with a traceback and
// status 1; the twin that catches it stops writing and exits 0.
TEST(InjectEpipe, APythonWriterWithoutAHandlerDiesOfBrokenPipeItsTwinExitsCleanly) {
    const std::string bug = "import os\nfor i in range(10):\n    os.write(1, b'p' * 100)\n";
    const std::string ok = "import os, sys\ntry:\n    for i in range(10):\n"
                           "        os.write(1, b'p' * 100)\nexcept BrokenPipeError:\n"
                           "    sys.stderr.write('reader gone\\n')\n";
    for (std::string mode : {"bug", "ok"}) {
        SCOPED_TRACE(mode);
        std::string dir = harness::FreshDir("pyepipe_" + mode);
        std::string script = harness::FreshPath("pyepipe_" + mode);
        harness::WriteFile(script, mode == "bug" ? bug : ok);
        harness::RunResult run =
            RunSh(dir, "(python3 " + script + "; echo status $? >&2) | cat >/dev/null",
                  "epipe:nth=3:exe=python3");
        ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
        harness::Trace t = harness::LoadTrace(dir);
        ASSERT_TRUE(t.ok) << t.error;
        auto hit = t.Select([&](const harness::Event &e) { return InjectedKind(e) == "epipe"; });
        ASSERT_EQ(1u, hit.size()) << t.Head(60);
        EXPECT_EQ("EPIPE", hit[0]->err);
        EXPECT_EQ(2u, t.Count([&](const harness::Event &e) {
            return e.pid == hit[0]->pid && e.call == "write" && e.result == 100;
        })) << "the writes before the injected one went through, none after";
        if (mode == "bug") {
            EXPECT_NE(std::string::npos, run.err.find("BrokenPipeError")) << run.Describe();
            EXPECT_NE(std::string::npos, run.err.find("status 1")) << run.Describe();
        } else {
            EXPECT_EQ(std::string::npos, run.err.find("Traceback")) << run.Describe();
            EXPECT_NE(std::string::npos, run.err.find("reader gone")) << run.Describe();
            EXPECT_NE(std::string::npos, run.err.find("status 0")) << run.Describe();
        }
        ExpectEpipeVerdict(dir, mode == "bug", hit[0]->pid, "exited with status 1 right after it");
    }
}

// --- EAGAIN ---------------------------------------------------------------------

// eagain is injected only where the kernel could return it: a blocking
// pipe never gets one (the program's output is unchanged, nothing marked).
TEST(InjectEagain, ABlockingPipeNeverGetsOne) {
    std::string dir = harness::FreshDir("eagain");
    harness::RunResult run =
        harness::Run({harness::CliPath(), "run", "-o", dir, "--inject=eagain:every=1", "--",
                      Prog("inj_pingpong"), "50"},
                     Plain());
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    EXPECT_EQ("moved 3200\n", run.out);
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    EXPECT_EQ(0u, t.Count(Injected)) << t.Head(40);
}

// On a non-blocking pipe, an injected EAGAIN is a real path: every byte is
// in the pipe before the first read, so untraced neither program sees one.
// The reader that takes EAGAIN for the end stops short and check warns
// eagain-unhandled; the twin that polls and reads again gets every byte
// and is silent.
TEST(InjectEagain, AReaderTakingEagainForTheEndIsFoundItsPollingTwinIsSilent) {
    for (std::string mode : {"bug", "ok"}) {
        SCOPED_TRACE(mode);
        harness::RunResult plain = harness::Run({Prog("inj_nonblock"), mode}, Plain());
        ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
        EXPECT_EQ("read 20000\n", plain.out);
        std::string dir = harness::FreshDir("nonblock_" + mode);
        harness::RunResult run =
            harness::Run({harness::CliPath(), "run", "-o", dir, "--inject=eagain:calls=read:nth=2",
                          "--", Prog("inj_nonblock"), mode},
                         Plain());
        ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
        harness::Trace t = harness::LoadTrace(dir);
        ASSERT_TRUE(t.ok) << t.error;
        auto hit = t.Select([&](const harness::Event &e) { return InjectedKind(e) == "eagain"; });
        ASSERT_EQ(1u, hit.size()) << t.Head(60);
        EXPECT_EQ("EAGAIN", hit[0]->err);
        EXPECT_NE(std::string::npos, DumpText(dir).find("[injected eagain]")) << DumpText(dir);
        analysis_cli::Output check = analysis_cli::Viewer("check", dir);
        ASSERT_TRUE(check.error.empty()) << check.error;
        auto unhandled = ProblemsOfKind(check.json, "eagain-unhandled");
        if (mode == "bug") {
            EXPECT_EQ("read 512\n", run.out);
            ASSERT_EQ(1u, unhandled.size()) << check.run.out;
            EXPECT_TRUE(HasPid(unhandled[0], hit[0]->pid)) << check.run.out;
            EXPECT_EQ("warning", unhandled[0]["severity"].as_string()) << check.run.out;
        } else {
            EXPECT_EQ("read 20000\n", run.out);
            EXPECT_TRUE(check.json["problems"].as_array().empty()) << check.run.out;
        }
    }
}

// --- delay ---------------------------------------------------------------------------

// delay=DURATION sleeps before the real call and then makes it as asked:
// the hit calls are marked "delay" (not "short": each moved all it was
// asked), the output is what it is untraced, and check stays silent.
// (No clock is asserted on: only the marks and the bytes.)
TEST(InjectDelay, DelayedCallsAreMarkedAndMoveEverythingAsAsked) {
    std::string dir = harness::FreshDir("delay");
    harness::RunResult run =
        harness::Run({harness::CliPath(), "run", "-o", dir, "--inject=delay=1ms:calls=write", "--",
                      Prog("inj_pingpong"), "20"},
                     Plain());
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    EXPECT_EQ("moved 1280\n", run.out);
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    auto hit = t.Select([](const harness::Event &e) { return Injected(e); });
    ASSERT_EQ(10u, hit.size()) << t.Head(60) << "every other write of 20";
    for (const harness::Event *e : hit) {
        EXPECT_EQ("write", e->call);
        EXPECT_EQ("delay", InjectedKind(*e));
        EXPECT_EQ(64, e->result);
    }
    EXPECT_NE(std::string::npos, DumpText(dir).find("= 64 [injected delay]")) << DumpText(dir);
    analysis_cli::Output check = analysis_cli::Viewer("check", dir);
    ASSERT_TRUE(check.error.empty()) << check.error;
    EXPECT_TRUE(check.json["problems"].as_array().empty()) << check.run.out;
}

// A delay wants a unit and stays under an hour.
TEST(InjectDelay, ADurationWithoutAUnitIsRefusedUpFront) {
    for (std::string spec : {"delay=10", "delay=10m", "delay=2h", "delay=3601s"}) {
        SCOPED_TRACE(spec);
        harness::RunResult run =
            harness::Run({harness::CliPath(), "run", "-o", harness::FreshDir("baddelay"),
                          "--inject=" + spec, "--", "/bin/true"},
                         Plain());
        ASSERT_TRUE(run.exited) << run.Describe();
        EXPECT_EQ(2, run.exit_code);
        EXPECT_NE(std::string::npos, run.err.find("delay=DURATION")) << run.err;
    }
}

// --- aiming at one process by a word of its argv --------------------------------------

// The process of the trace whose argv[1] ends in word.
int PidWithArg(const harness::Trace &t, const std::string &word) {
    for (const harness::Process &p : t.processes)
        if (p.argv.size() >= 2 && p.argv[1].size() >= word.size() &&
            p.argv[1].compare(p.argv[1].size() - word.size(), word.size(), word) == 0)
            return p.pid;
    return 0;
}

// argv=WORD hits only the processes that have WORD as a whole argument:
// of `inj_writer ok | inj_reader bug`, argv=bug hits the reader alone, not
// the writer, and not the shell whose script only contains the word.
TEST(InjectFilter, ArgvWordHitsOnlyTheProcessWithThatWord) {
    std::string dir = harness::FreshDir("argv_word");
    harness::RunResult run = RunSh(dir, Prog("inj_writer") + " ok | " + Prog("inj_reader") + " bug",
                                   "eintr:nth=2:argv=bug");
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    EXPECT_EQ("read 512\n", run.out);
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    int reader = PidOf(t, "inj_reader");
    ASSERT_NE(0, reader) << t.Head();
    auto hit = t.Select([](const harness::Event &e) { return Injected(e); });
    ASSERT_EQ(1u, hit.size()) << t.Head(60);
    EXPECT_EQ(reader, hit[0]->pid);
    EXPECT_EQ("read", hit[0]->call);
}

// An argument that is a path matches by its last component: of two Python
// scripts in a pipeline, argv=reader.py hits the one running reader.py.
TEST(InjectFilter, ArgvWordMatchesAPathByItsLastComponent) {
    std::string dir = harness::FreshDir("argv_path");
    std::string scripts = harness::FreshDir("argv_scripts");
    harness::WriteFile(scripts + "/writer.py",
                       "import os\nfor i in range(100):\n    os.write(1, b'w' * 64)\n");
    harness::WriteFile(scripts + "/reader.py",
                       "import os\nn = 0\nwhile True:\n    b = os.read(0, 64)\n"
                       "    if not b:\n        break\n    n += len(b)\nprint('read', n)\n");
    harness::RunResult run =
        RunSh(dir, "python3 " + scripts + "/writer.py | python3 " + scripts + "/reader.py",
              "short:calls=read+write:argv=reader.py");
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    EXPECT_EQ("read 6400\n", run.out);
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    int reader = PidWithArg(t, "/reader.py"), writer = PidWithArg(t, "/writer.py");
    ASSERT_NE(0, reader) << t.Head();
    ASSERT_NE(0, writer) << t.Head();
    EXPECT_GT(t.Count([&](const harness::Event &e) { return Injected(e) && e.pid == reader; }), 10u)
        << t.Head(60);
    EXPECT_EQ(0u, t.Count([&](const harness::Event &e) { return Injected(e) && e.pid != reader; }))
        << t.Head(60);
}

// --- replay --------------------------------------------------------------------------

// The injected calls of a run: which call (by its place in the process's
// calls), the fault and what the call returned.
std::vector<std::string> InjectedCalls(const harness::Trace &t) {
    std::vector<std::string> out;
    size_t index = 0;
    for (const harness::Event &e : t.events) {
        index++;
        if (Injected(e))
            out.push_back(std::to_string(index) + " " + e.call + " " + InjectedKind(e) + " " +
                          std::to_string(e.result));
    }
    return out;
}

// The same seed gives the same faults on the same calls, run after run; a
// different seed gives others.
TEST(InjectReplay, TheSameSeedHitsTheSameCallsWithTheSameFaults) {
    std::vector<std::vector<std::string>> runs;
    for (std::string seed : {"42", "42", "42", "7"}) {
        std::string dir = harness::FreshDir("replay");
        std::vector<std::string> argv = {harness::CliPath(),
                                         "run",
                                         "-o",
                                         dir,
                                         "--inject=short:p=0.3,eintr:p=0.2",
                                         "--seed=" + seed,
                                         "--",
                                         Prog("inj_pingpong"),
                                         "200"};
        harness::RunResult run = harness::Run(argv, Plain());
        ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
        EXPECT_EQ("moved 12800\n", run.out);
        harness::Trace t = harness::LoadTrace(dir);
        ASSERT_TRUE(t.ok) << t.error;
        runs.push_back(InjectedCalls(t));
    }
    ASSERT_GT(runs[0].size(), 20u);
    EXPECT_EQ(runs[0], runs[1]);
    EXPECT_EQ(runs[0], runs[2]);
    EXPECT_NE(runs[0], runs[3]);
}

// --- no injection unless asked -------------------------------------------------------

// Without --inject (and with PIPETRACE_INJECT unset) nothing is injected:
// the trace has no injected mark and every call moved all it was asked.
TEST(InjectUnset, NoCallIsMarkedWhenNothingWasAsked) {
    std::string dir = harness::FreshDir("unset");
    harness::RunResult run = harness::Run(
        {harness::CliPath(), "run", "-o", dir, "--", Prog("inj_pingpong"), "300"}, Plain());
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    EXPECT_EQ("moved 19200\n", run.out);
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    EXPECT_EQ(600u, t.Count([](const harness::Event &e) {
        return (e.call == "read" || e.call == "write") && e.result == 64;
    })) << t.Head(40);
    EXPECT_EQ(0u, t.Count(Injected));
    EXPECT_EQ(std::string::npos, t.text.find("injected"));
    EXPECT_EQ(std::string::npos, DumpText(dir).find("injected"));
}

// A bad spec is refused before the command runs, naming the bad part.
TEST(InjectUnset, ABadSpecIsRefusedUpFront) {
    std::string dir = harness::FreshDir("bad");
    harness::RunResult run = harness::Run(
        {harness::CliPath(), "run", "-o", dir, "--inject=short:every=0", "--", "/bin/true"},
        Plain());
    ASSERT_TRUE(run.exited) << run.Describe();
    EXPECT_EQ(2, run.exit_code);
    EXPECT_NE(std::string::npos, run.err.find("every=0")) << run.err;
}

// --- the README's and pipetrace(1)'s example, as printed -----------------------------

// The example of README.md ("Shake the bugs out") and pipetrace(1)'s
// EXAMPLES, step by step: the same scripts, flags and seed give the
// printed 27 bytes, the lost-data of 4069 bytes, and a silent twin.
TEST(InjectDocs, TheExampleWorksAsPrinted) {
    std::string work = harness::FreshDir("doc_example");
    harness::WriteFile(work + "/writer.py", "import os\nos.write(1, b\"x\" * 4096)\n");
    harness::WriteFile(work + "/twin.py", "import os\ndata = memoryview(b\"x\" * 4096)\n"
                                          "while data:\n    data = data[os.write(1, data):]\n");
    const std::string spec = "short:calls=write:exe=python3";
    std::string dir = work + "/t";
    harness::RunResult run = RunSh(dir, "cd " + work + " && python3 writer.py | wc -c", spec, "1");
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    EXPECT_EQ("27\n", run.out);
    EXPECT_NE(std::string::npos, DumpText(dir).find(", 4096) = 27 [injected short]"))
        << DumpText(dir);
    harness::RunResult check = harness::Run({harness::CliPath(), "check", dir}, Plain());
    EXPECT_EQ(1, check.exit_code) << check.Describe();
    EXPECT_NE(std::string::npos, check.out.find("(python3 writer.py) dropped 4069 bytes meant for"))
        << check.out;
    std::string dir2 = work + "/t2";
    run = RunSh(dir2, "cd " + work + " && python3 twin.py | wc -c", spec, "1");
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    EXPECT_EQ("4096\n", run.out);
    check = harness::Run({harness::CliPath(), "check", dir2}, Plain());
    EXPECT_EQ(0, check.exit_code) << check.Describe();
    EXPECT_EQ("no problems found\n", check.out);
}

// --- real programs keep their output ------------------------------------------------

// Runs script untraced, then under each injection with seeds 1 and 2, and
// expects the same output each time, with faults of each kind injected.
void SameOutputUnder(const std::string &script, const std::string &inject,
                     const std::vector<std::string> &kinds) {
    harness::RunResult plain = harness::Run({"/bin/sh", "-c", script}, Plain());
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    for (std::string seed : {"1", "2"}) {
        SCOPED_TRACE(inject + " seed " + seed);
        std::string dir = harness::FreshDir("real");
        harness::RunResult run = RunSh(dir, script, inject, seed);
        ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
        EXPECT_EQ(plain.out, run.out);
        harness::Trace t = harness::LoadTrace(dir);
        ASSERT_TRUE(t.ok) << t.error;
        for (const std::string &kind : kinds)
            EXPECT_GT(t.Count([&](const harness::Event &e) { return InjectedKind(e) == kind; }), 5u)
                << kind;
    }
}

// cat and Python's subprocess handle short transfers and EINTR: with both
// injected (fixed seed) their output is what it is untraced.
TEST(InjectRealPrograms, CatAndPythonSubprocessKeepTheirOutputUnderShortAndEintr) {
    SameOutputUnder("seq 1 30000 | cat | cat | md5sum; "
                    "python3 -c 'import hashlib, subprocess\n"
                    "data = subprocess.run([\"seq\", \"1\", \"20000\"], "
                    "stdout=subprocess.PIPE).stdout\n"
                    "out = subprocess.run([\"cat\"], input=data, stdout=subprocess.PIPE).stdout\n"
                    "print(len(out), hashlib.md5(out).hexdigest())'",
                    "short,eintr", {"short", "eintr"});
}

// gzip handles short transfers.  (It takes an EINTR from read as a fatal
// error, which untraced it can only get from a signal whose handler ends
// it anyway: it is not run under eintr here.)
TEST(InjectRealPrograms, GzipKeepsItsOutputUnderShortTransfers) {
    SameOutputUnder("seq 1 30000 | gzip -c | cat | gzip -dc | md5sum", "short", {"short"});
}

// seq, sort and awk write through stdio: short flushes and refills
// injected into every stdio call leave their output as it is untraced
// (glibc's flush loop writes the rest; a short refill is just less read).
TEST(InjectRealPrograms, StdioProgramsKeepTheirOutputUnderShortStdioTransfers) {
    SameOutputUnder("seq 1 30000 | sort -r | md5sum; seq 1 30000 | awk '{s += $1} END {print s}'",
                    "short:calls=stdio:every=1", {"short"});
}

} // namespace
