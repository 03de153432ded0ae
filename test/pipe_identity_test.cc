// One pipe identity in every command (issue 15, "One model"): a pipe is its
// device and its inode.  Anonymous pipes live on pipefs; a FIFO lives on
// its file system, whose inode numbers are its own, so a FIFO and a pipe
// may share an inode number and still be two objects.  The trace below has
// both, inode 5000 each, and every command must keep them apart.
#include <fcntl.h>
#include <sys/sysmacros.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/harness.h"
#include "test/json.h"
#include "test/trace_builder.h"

namespace {

using tb::Rec;
using tb::TraceBuilder;

constexpr uint64_t kIno = 5000;
const uint32_t kPipefs = static_cast<uint32_t>(makedev(0, 14));
const uint32_t kDisk = static_cast<uint32_t>(makedev(8, 1));

harness::RunResult Cli(const std::vector<std::string> &args) {
    std::vector<std::string> full = {harness::CliPath()};
    full.insert(full.end(), args.begin(), args.end());
    return harness::Run(full);
}

json::Value Json(const std::vector<std::string> &args) {
    harness::RunResult r = Cli(args);
    EXPECT_TRUE(r.exited && (r.exit_code == 0 || r.exit_code == 1)) << r.Describe();
    try {
        return json::parse(r.out);
    } catch (const std::exception &e) {
        ADD_FAILURE() << e.what() << "\n" << r.Describe();
        return json::Value();
    }
}

pt_record On(pt_record r, uint8_t kind, uint32_t dev, uint8_t fd_flags) {
    ptb_set_object(&r, kind, kIno, dev, fd_flags | PT_FDF_KNOWN);
    return r;
}

pt_record OnPipe(pt_record r, uint8_t fd_flags) {
    return On(r, PT_OBJ_PIPE, kPipefs, fd_flags);
}

pt_record OnFifo(pt_record r, uint8_t fd_flags) {
    return On(r, PT_OBJ_FIFO, kDisk, fd_flags);
}

// pid 900 makes a pipe (fds 3, 4) and opens the FIFO /tmp/f for reading
// (fd 5), then forks 901.  The child closes what it inherited, writes
// "PIPE" into the pipe, opens the FIFO for writing (fd 6), writes "FIFO!!"
// and is killed still holding it.  The parent reads both, closes the FIFO,
// and is left blocked reading the pipe whose write end only it still holds
// (fd 4): one blocked-read on the pipe, naming the parent alone; the
// child's hold of the FIFO with the same inode number has nothing to do
// with it.
std::string TwoObjectsDir() {
    static const std::string dir = [] {
        std::string d = harness::FreshDir("pipe_identity");
        TraceBuilder parent(900, 1, 1000, {"prog"});
        pt_record pipe = OnPipe(Rec(PT_EV_PIPE, 900, 3, 1100, 0, 0), 0);
        parent.Add(pipe, tb::PipePayload(3, 4, kIno));
        pt_record open = OnFifo(Rec(PT_EV_OPEN, 900, 5, 1150, 5, O_RDONLY), PT_FDF_RDONLY);
        parent.Add(open, tb::Text(std::string("/tmp/f\0", 7)));
        parent.Add(Rec(PT_EV_FORK, 900, -1, 1200, 901, 0));
        parent.Add(OnPipe(Rec(PT_EV_READ, 900, 3, 1300, 4, 100), PT_FDF_RDONLY), tb::Text("PIPE"));
        parent.Add(OnFifo(Rec(PT_EV_READ, 900, 5, 1400, 6, 100), PT_FDF_RDONLY),
                   tb::Text("FIFO!!"));
        parent.Add(OnFifo(Rec(PT_EV_CLOSE, 900, 5, 1500, 0, 0), PT_FDF_RDONLY));
        parent.Add(tb::Begun(OnPipe(Rec(PT_EV_READ, 900, 3, 1600, 0, 100), PT_FDF_RDONLY)));
        EXPECT_TRUE(parent.WriteTo(d));

        TraceBuilder child(901, 900, 1200, {"prog"});
        child.header().flags |= PT_HDR_FORK_CHILD;
        child.Add(OnPipe(Rec(PT_EV_CLOSE, 901, 3, 1210, 0, 0), PT_FDF_RDONLY));
        child.Add(OnPipe(Rec(PT_EV_WRITE, 901, 4, 1250, 4, 4), PT_FDF_WRONLY), tb::Text("PIPE"));
        child.Add(OnPipe(Rec(PT_EV_CLOSE, 901, 4, 1260, 0, 0), PT_FDF_WRONLY));
        child.Add(OnFifo(Rec(PT_EV_CLOSE, 901, 5, 1270, 0, 0), PT_FDF_RDONLY));
        pt_record wopen = OnFifo(Rec(PT_EV_OPEN, 901, 6, 1280, 6, O_WRONLY), PT_FDF_WRONLY);
        child.Add(wopen, tb::Text(std::string("/tmp/f\0", 7)));
        child.Add(OnFifo(Rec(PT_EV_WRITE, 901, 6, 1350, 6, 6), PT_FDF_WRONLY), tb::Text("FIFO!!"));
        EXPECT_TRUE(child.WriteTo(d));
        return d;
    }();
    return dir;
}

const json::Value *Find(const json::Value &list, const std::string &kind) {
    for (const json::Value &p : list.as_array())
        if (p["kind"].as_string() == kind)
            return &p;
    return nullptr;
}

TEST(PipeIdentity, SummaryListsTwoObjectsEachWithItsOwnBytesAndHolders) {
    json::Value s = Json({"summary", "--json", TwoObjectsDir()});
    ASSERT_EQ(2u, s["pipes"].size()) << s["pipes"].dump();
    const json::Value *pipe = Find(s["pipes"], "pipe");
    const json::Value *fifo = Find(s["pipes"], "fifo");
    ASSERT_TRUE(pipe != nullptr && fifo != nullptr) << s["pipes"].dump();
    EXPECT_EQ(static_cast<int64_t>(kIno), (*pipe)["inode"].as_int());
    EXPECT_EQ(static_cast<int64_t>(kIno), (*fifo)["inode"].as_int());
    EXPECT_EQ(static_cast<int64_t>(kPipefs), (*pipe)["dev"].as_int());
    EXPECT_EQ(static_cast<int64_t>(kDisk), (*fifo)["dev"].as_int());
    EXPECT_EQ(4, (*pipe)["bytes_written"].as_int());
    EXPECT_EQ(4, (*pipe)["bytes_read"].as_int());
    EXPECT_EQ(6, (*fifo)["bytes_written"].as_int());
    EXPECT_EQ(6, (*fifo)["bytes_read"].as_int());
    EXPECT_EQ("pipe", (*pipe)["call"].as_string());
    EXPECT_EQ("open", (*fifo)["call"].as_string());
    for (const json::Value &h : (*pipe)["holders"].as_array())
        EXPECT_TRUE(h["fd"].as_int() == 3 || h["fd"].as_int() == 4) << h.dump();
    for (const json::Value &h : (*fifo)["holders"].as_array())
        EXPECT_TRUE(h["fd"].as_int() == 5 || h["fd"].as_int() == 6) << h.dump();

    harness::RunResult text = Cli({"summary", TwoObjectsDir()});
    EXPECT_NE(std::string::npos, text.out.find("pipe:[5000]")) << text.out;
    EXPECT_NE(std::string::npos, text.out.find("fifo:[5000]")) << text.out;
}

TEST(PipeIdentity, FlowsAndGraphKeepTwoStreams) {
    json::Value f = Json({"flows", "--json", TwoObjectsDir()});
    ASSERT_EQ(2u, f["pipes"].size()) << f.dump();
    const json::Value *pipe = Find(f["pipes"], "pipe");
    const json::Value *fifo = Find(f["pipes"], "fifo");
    ASSERT_TRUE(pipe != nullptr && fifo != nullptr) << f.dump();
    EXPECT_EQ(4, (*pipe)["bytes_read"].as_int());
    EXPECT_EQ(6, (*fifo)["bytes_read"].as_int());

    harness::RunResult g = Cli({"graph", "--format=text", TwoObjectsDir()});
    EXPECT_TRUE(g.exited && g.exit_code == 0) << g.Describe();
    EXPECT_NE(std::string::npos, g.out.find("pipe:[5000]")) << g.out;
    EXPECT_NE(std::string::npos, g.out.find("fifo:[5000]")) << g.out;
}

// The reader blocked on the pipe waits for the parent's own fd 4, not for
// the child that held the FIFO with the same inode number when it died.
TEST(PipeIdentity, CheckNamesOnlyTheHoldersOfThePipeItIsAbout) {
    json::Value c = Json({"check", "--json", TwoObjectsDir()});
    const json::Value *blocked = nullptr;
    for (const json::Value &p : c["problems"].as_array())
        if (p["kind"].as_string() == "blocked-read")
            blocked = &p;
    ASSERT_NE(nullptr, blocked) << c.dump();
    EXPECT_EQ("pipe", (*blocked)["object"]["kind"].as_string());
    EXPECT_EQ(static_cast<int64_t>(kPipefs), (*blocked)["object"]["dev"].as_int());
    for (const json::Value &pid : (*blocked)["pids"].as_array())
        EXPECT_EQ(900, pid.as_int()) << blocked->dump();
    for (const json::Value &fd : (*blocked)["fds"].as_array())
        EXPECT_NE(6, fd.as_int()) << blocked->dump();
}

// The calls `dump --json --pipe=filter` shows (one JSON object a line).
int EventsOn(const std::string &filter) {
    harness::RunResult r = Cli({"dump", "--json", "--pipe=" + filter, TwoObjectsDir()});
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    int calls = 0;
    for (size_t at = r.out.find("\"type\":\"call\""); at != std::string::npos;
         at = r.out.find("\"type\":\"call\"", at + 1))
        calls++;
    return calls;
}

// pipe: 3 records of the parent on it (pipe, 2 reads) + 3 of the child
// (close 3, write, close 4); FIFO: open, read, close + close, open, write.
TEST(PipeIdentity, DumpFiltersByKindOrNumberPickOne) {
    EXPECT_EQ(6, EventsOn("pipe:[5000]"));
    EXPECT_EQ(6, EventsOn("fifo:[5000]"));
    EXPECT_EQ(12, EventsOn("5000")) << "an inode alone names both";
    int first = EventsOn("#1"), second = EventsOn("#2");
    EXPECT_EQ(6, first);
    EXPECT_EQ(6, second);

    harness::RunResult fifo = Cli({"dump", "--pipe=fifo:[5000]", TwoObjectsDir()});
    EXPECT_NE(std::string::npos, fifo.out.find("FIFO!!")) << fifo.out;
    EXPECT_EQ(std::string::npos, fifo.out.find("\"PIPE\"")) << fifo.out;

    harness::RunResult bad = Cli({"dump", "--pipe=tty:[5000]", TwoObjectsDir()});
    EXPECT_EQ(2, bad.exit_code) << bad.Describe();
}

TEST(PipeIdentity, FollowTakesTheOneNamedAndRefusesAnAmbiguousInode) {
    harness::RunResult fifo = Cli({"follow", "fifo:[5000]", TwoObjectsDir()});
    ASSERT_TRUE(fifo.exited && fifo.exit_code == 0) << fifo.Describe();
    EXPECT_NE(std::string::npos, fifo.out.find("FIFO!!")) << fifo.out;
    EXPECT_EQ(std::string::npos, fifo.out.find("PIPE")) << fifo.out;

    harness::RunResult pipe = Cli({"follow", "pipe:[5000]", TwoObjectsDir()});
    ASSERT_TRUE(pipe.exited && pipe.exit_code == 0) << pipe.Describe();
    EXPECT_NE(std::string::npos, pipe.out.find("PIPE")) << pipe.out;
    EXPECT_EQ(std::string::npos, pipe.out.find("FIFO")) << pipe.out;

    harness::RunResult numbered = Cli({"follow", "#2", TwoObjectsDir()});
    ASSERT_TRUE(numbered.exited && numbered.exit_code == 0) << numbered.Describe();

    harness::RunResult both = Cli({"follow", "5000", TwoObjectsDir()});
    EXPECT_EQ(2, both.exit_code) << both.Describe();
    EXPECT_NE(std::string::npos, both.err.find("pipe:[5000]")) << both.err;
    EXPECT_NE(std::string::npos, both.err.find("fifo:[5000]")) << both.err;
}

TEST(PipeIdentity, ExportAndLeaksSeeTwoObjects) {
    harness::RunResult chrome = Cli({"export", "--format=chrome", TwoObjectsDir()});
    ASSERT_TRUE(chrome.exited && chrome.exit_code == 0) << chrome.Describe();
    EXPECT_NE(std::string::npos, chrome.out.find("pipe:[5000]")) << chrome.out;
    EXPECT_NE(std::string::npos, chrome.out.find("fifo:[5000]")) << chrome.out;

    harness::RunResult leaks = Cli({"leaks", "--json", TwoObjectsDir()});
    EXPECT_TRUE(leaks.exited && (leaks.exit_code == 0 || leaks.exit_code == 1)) << leaks.Describe();
}

} // namespace
