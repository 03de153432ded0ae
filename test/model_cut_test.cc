// The model cut at a time (pt_model.cut, issue 13): what `pipetrace run`
// diagnoses at a Ctrl-C, when the processes may already have gone on or
// died by the time the trace is read.  Traces built record by record.
#include <errno.h>

#include <string>

#include <gtest/gtest.h>

#include "analysis/model.h"
#include "analysis/waitfor.h"
#include "test/harness.h"
#include "test/trace_builder.h"
#include "trace/dir.h"

namespace {

constexpr uint64_t kSecond = 1000000000ull;
constexpr uint64_t kPipe = 901;

// A call that failed with EINTR at t_end.
pt_record Interrupted(pt_record r, uint64_t t_end) {
    r.result = -EINTR;
    r.t_end = t_end;
    return r;
}

// The parent makes a pipe, forks the reader, keeps the write end and
// waits; the reader's first read is interrupted at 1 s, long before the
// Ctrl-C, and retried at 2 s; at the Ctrl-C (3 s) both calls fail with
// EINTR, and both processes exit after it.
std::string HungThenInterrupted() {
    std::string dir = harness::FreshDir("cut");
    tb::TraceBuilder parent(900, 1, 1000, {"parent"});
    parent.Add(tb::Rec(PT_EV_PIPE, 900, 3, 1100, 0, 0, kPipe), tb::PipePayload(3, 4, kPipe));
    parent.Add(tb::Rec(PT_EV_FORK, 900, -1, 1200, 910, 0));
    parent.Add(tb::Rec(PT_EV_CLOSE, 900, 3, 1300, 0, 0, kPipe));
    parent.Add(Interrupted(tb::Rec(PT_EV_WAIT, 900, -1, 1400, 0, 910), 3 * kSecond - 5000));
    parent.Add(tb::Rec(PT_EV_EXIT, 900, -1, 3 * kSecond + 9000, 0, 130));
    EXPECT_TRUE(parent.WriteTo(dir));
    tb::TraceBuilder reader(910, 900, 1200, {"reader"});
    reader.header().flags |= PT_HDR_FORK_CHILD;
    reader.Add(tb::Rec(PT_EV_CLOSE, 910, 4, 1250, 0, 0, kPipe));
    reader.Add(Interrupted(tb::Rec(PT_EV_READ, 910, 3, 1500, 0, 100, kPipe), kSecond));
    reader.Add(
        Interrupted(tb::Rec(PT_EV_READ, 910, 3, 2 * kSecond, 0, 100, kPipe), 3 * kSecond - 4000));
    reader.Add(tb::Rec(PT_EV_EXIT, 910, -1, 3 * kSecond - 3000, 0, 130));
    EXPECT_TRUE(reader.WriteTo(dir));
    return dir;
}

struct Built {
    pt_dir dir{};
    pt_model model{};
    pt_waitfor graph{};
    ~Built() {
        pt_waitfor_free(&graph);
        pt_model_free(&model);
        pt_dir_close(&dir);
    }
};

void Build(const std::string &path, uint64_t cut, Built *b) {
    char err[512];
    ASSERT_EQ(0, pt_dir_open(&b->dir, path.c_str(), err, sizeof err)) << err;
    ASSERT_EQ(0, pt_model_init(&b->model, b->dir.files, b->dir.count));
    b->model.cut = cut;
    ASSERT_EQ(0, pt_model_build(&b->model));
    pt_waitfor_build(&b->graph, &b->model);
}

// Read after both exited, with no cut: nothing is blocked.
TEST(ModelCut, WithoutACutTheRunEnded) {
    Built b;
    Build(HungThenInterrupted(), 0, &b);
    EXPECT_EQ(0u, b.graph.nnodes);
}

// Cut at the Ctrl-C, read later: the calls that failed with EINTR just
// before the cut are still in progress, the exits after them are left out
// (the reader's came before the viewer read its clock, but after the
// signal reached it); the earlier EINTR is an ordinary return, so the
// reader is blocked in its retry.  A deadlock: each waits for the other.
TEST(ModelCut, AtTheCutBothAreStillBlocked) {
    Built b;
    Build(HungThenInterrupted(), 3 * kSecond, &b);
    ASSERT_EQ(2u, b.graph.nnodes);
    EXPECT_TRUE(b.graph.at_cut);
    size_t parent = pt_waitfor_node(&b.graph, 900), reader = pt_waitfor_node(&b.graph, 910);
    ASSERT_NE(static_cast<size_t>(-1), parent);
    ASSERT_NE(static_cast<size_t>(-1), reader);
    EXPECT_EQ(PT_WF_WAIT, b.graph.nodes[parent].call);
    EXPECT_EQ(PT_WF_READ, b.graph.nodes[reader].call);
    EXPECT_EQ(2 * kSecond, b.graph.nodes[reader].rec.t_start);
    EXPECT_TRUE(b.graph.nodes[parent].live && b.graph.nodes[reader].live);
    EXPECT_TRUE(b.graph.nodes[parent].stuck && b.graph.nodes[reader].stuck);
}

// Cut half a second after the first read failed with EINTR (longer ago
// than a signal takes to reach the viewer: an ordinary return) and before
// the retry began: the reader was then in no call, the parent waiting.
TEST(ModelCut, RecordsAfterTheCutAreLeftOut) {
    Built b;
    Build(HungThenInterrupted(), kSecond + kSecond / 2, &b);
    size_t parent = pt_waitfor_node(&b.graph, 900), reader = pt_waitfor_node(&b.graph, 910);
    ASSERT_NE(static_cast<size_t>(-1), parent);
    ASSERT_NE(static_cast<size_t>(-1), reader);
    EXPECT_EQ(PT_WF_WAIT, b.graph.nodes[parent].call);
    EXPECT_EQ(PT_WF_NONE, b.graph.nodes[reader].call);
}

} // namespace
