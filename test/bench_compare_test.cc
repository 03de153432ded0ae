// bench/compare, the benchmark script (docs/PERFORMANCE.md), run once at its
// smallest: every part (overhead, disk, viewer, real workloads) must run to
// its end and print its tables with every row present and well-formed, each
// budget of issue 12 in its target column with a verdict.  So a change that
// breaks the script (a renamed option, a CLI that answers differently, a
// pipebench mode gone) fails here instead of on the quiet machine the
// benchmark is run on.  Nothing is asserted on the figures themselves: they
// are wall-clock times of a tiny run on a shared machine.  Only what the code
// fixes is checked: a process that makes ten traced calls has at least ten
// events, and the trace of N writes has at least N.
#include <cstdlib>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/harness.h"

namespace {

using Row = std::vector<std::string>;

// One markdown table of the output: its header cells and its rows.
struct Table {
    Row header;
    std::vector<Row> rows;

    int Column(const std::string &name) const {
        for (size_t i = 0; i < header.size(); i++)
            if (header[i] == name)
                return (int)i;
        ADD_FAILURE() << "no column '" << name << "'";
        return -1;
    }
    std::string Cell(const Row &row, const std::string &column) const {
        int i = Column(column);
        return i >= 0 && (size_t)i < row.size() ? row[(size_t)i] : "(missing)";
    }
};

std::string Trim(const std::string &s) {
    size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

Row Cells(const std::string &line) {
    Row cells;
    std::string inner = line.substr(1, line.size() - 2); // without the outer '|'
    std::stringstream ss(inner);
    std::string cell;
    while (std::getline(ss, cell, '|'))
        cells.push_back(Trim(cell));
    return cells;
}

// Every table: a "| ... |" line followed by a "|---|" line starts one.
std::vector<Table> Tables(const std::string &out) {
    std::vector<std::string> lines;
    std::stringstream ss(out);
    for (std::string line; std::getline(ss, line);)
        lines.push_back(line);
    std::vector<Table> tables;
    for (size_t i = 0; i < lines.size(); i++) {
        const std::string &line = lines[i];
        if (line.size() < 2 || line.front() != '|' || line.back() != '|')
            continue;
        if (line.rfind("|-", 0) == 0)
            continue;
        if (i + 1 < lines.size() && lines[i + 1].rfind("|-", 0) == 0)
            tables.push_back({Cells(line), {}});
        else if (!tables.empty())
            tables.back().rows.push_back(Cells(line));
    }
    return tables;
}

bool Matches(const std::string &s, const char *pattern) {
    return std::regex_match(s, std::regex(pattern));
}

const char kNumber[] = R"(\d+(\.\d+)?(e[-+]?\d+)?)";
const char kVerdict[] = "(ok|MISSED)";

class BenchCompareTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        std::string root = harness::FreshDir("bench");
        std::vector<std::string> argv = {
            harness::SourcePath("bench/compare"),
            "--quick",
            "--scale=0.01",
            "--rounds=1",
            "--pin=pinned",
            "--configs=empty,floor,pipetrace,pipetrace-full",
            "--disk-rounds=1",
            "--viewer-events=2000",
            "--viewer-rounds=1",
            "--viewer-commands=summary,check,flows,dump",
            "--make-files=3",
            "--python-match=test_call_seq",
            "--trace-root=" + root,
            "--pipetrace=" + harness::CliPath(),
            "--lib=" + harness::LibPath(),
            "--pipebench=" + harness::SourcePath("bench/pipebench"),
            "--empty-lib=" + harness::SourcePath("bench/libptempty.so"),
            "--floor-lib=" + harness::SourcePath("bench/libptfloor.so"),
            "--gentrace=" + harness::SourcePath("bench/gentrace"),
        };
        harness::RunOptions opts;
        opts.timeout_s = 240;
        result_ = new harness::RunResult(harness::Run(argv, opts));
        // The tables, for the log: what each assertion below looked at.
        std::cout << result_->out << "\n--- stderr ---\n" << result_->err;
        tables_ = new std::vector<Table>(Tables(result_->out));
    }
    static void TearDownTestSuite() {
        delete result_;
        delete tables_;
    }

    // The table whose header has this column.
    const Table *Find(const std::string &column) const {
        for (const Table &t : *tables_)
            for (const std::string &h : t.header)
                if (h == column)
                    return &t;
        ADD_FAILURE() << "no table with a column '" << column << "' in:\n" << result_->out;
        return nullptr;
    }

    static harness::RunResult *result_;
    static std::vector<Table> *tables_;
};

harness::RunResult *BenchCompareTest::result_;
std::vector<Table> *BenchCompareTest::tables_;

TEST_F(BenchCompareTest, RunsToItsEnd) {
    ASSERT_TRUE(result_->exited && result_->exit_code == 0) << result_->Describe();
    EXPECT_EQ(5u, tables_->size()) << result_->out;
}

// Every pipebench mode and metric, pinned; the budgets are issue 12's.
TEST_F(BenchCompareTest, OverheadTableHasEveryModeAndBudget) {
    const Table *t = Find("strace ÷ pipetrace");
    ASSERT_NE(nullptr, t);
    const std::map<std::string, std::string> budgets = {
        {"pingpong ns/round trip", "1.10"},      {"sockpingpong ns/round trip, socketpair", "1.10"},
        {"stream GB/s, 4 KiB writes", "1.08"},   {"stream GB/s, 64 KiB writes", "1.03"},
        {"splice GB/s, splice pump, 4 KiB", ""}, {"splice GB/s, splice pump, 64 KiB", ""},
        {"small M 16-byte writes/s", "1.30"},    {"stdio M 16-byte fwrites/s", "1.05"},
        {"spawn µs per fork+exec", "1.25"},      {"spawn µs per posix_spawn", "1.25"},
    };
    ASSERT_EQ(budgets.size(), t->rows.size()) << result_->out;
    int pipetrace = t->Column("pipetrace");
    ASSERT_GE(pipetrace, 0);
    // What any preloaded recorder pays here comes before pipetrace's own.
    int empty = t->Column("empty preload"), floor = t->Column("floor");
    ASSERT_GE(empty, 0);
    ASSERT_EQ(floor, empty + 2);
    ASSERT_EQ(pipetrace, floor + 2);
    for (const Row &row : t->rows) {
        ASSERT_EQ(t->header.size(), row.size()) << row[0];
        std::string what = row[0] + " " + row[1];
        ASSERT_TRUE(budgets.count(what)) << "unexpected row " << what;
        EXPECT_EQ("pinned", row[2]) << what;
        EXPECT_TRUE(Matches(row[3], kNumber)) << what << ": untraced " << row[3];
        for (int column : {empty, floor, pipetrace})
            EXPECT_TRUE(Matches(row[(size_t)column], kNumber)) << what << ": " << t->header[column];
        EXPECT_TRUE(Matches(row[(size_t)pipetrace + 1], kNumber)) << what << ": ×";
        // The pipetrace target column follows its ×.
        const std::string &target = row[(size_t)pipetrace + 2];
        const std::string &budget = budgets.at(what);
        if (budget.empty())
            EXPECT_EQ("", target) << what;
        else
            EXPECT_TRUE(Matches(target, ("≤ " + budget + " " + kVerdict).c_str()))
                << what << ": " << target;
        // --data=full's budget is on the 64 KiB stream only.
        const std::string &full_target = row[(size_t)pipetrace + 5];
        if (what == "stream GB/s, 64 KiB writes")
            EXPECT_TRUE(Matches(full_target, "≤ 2.0 \\(trace fits in page cache\\) (ok|MISSED)"))
                << full_target;
        else
            EXPECT_EQ("", full_target) << what;
    }
}

// The --data=full stream against the disk's speed, measured beside it by dd.
TEST_F(BenchCompareTest, FullCaptureIsComparedWithTheDisk) {
    const Table *t = Find("disk write GB/s");
    ASSERT_NE(nullptr, t);
    ASSERT_EQ(1u, t->rows.size()) << result_->out;
    const Row &row = t->rows[0];
    ASSERT_EQ(t->header.size(), row.size());
    EXPECT_EQ("pinned", t->Cell(row, "CPUs"));
    for (const char *column : {"untraced GB/s", "--data=full GB/s", "×", "trace MB",
                               "page cache room MB", "trace GB/s", "disk write GB/s"})
        EXPECT_TRUE(Matches(t->Cell(row, column), kNumber))
            << column << ": " << t->Cell(row, column);
    EXPECT_TRUE(Matches(t->Cell(row, "trace ÷ disk"), R"(\d+%)")) << t->Cell(row, "trace ÷ disk");
    // Both sides capture every byte: the trace grows faster than the stream.
    EXPECT_GT(std::atof(t->Cell(row, "trace GB/s").c_str()),
              std::atof(t->Cell(row, "--data=full GB/s").c_str()));
    EXPECT_TRUE(Matches(t->Cell(row, "verdict"), kVerdict)) << t->Cell(row, "verdict");
}

// Bytes on disk per traced call, and of a process of ten traced calls.
TEST_F(BenchCompareTest, DiskTableHasBothRows) {
    const Table *t = Find("allocated per event");
    ASSERT_NE(nullptr, t);
    ASSERT_EQ(2u, t->rows.size()) << result_->out;
    for (const Row &row : t->rows) {
        ASSERT_EQ(t->header.size(), row.size()) << row[0];
        for (const char *column : {"events", "files", "allocated bytes", "apparent bytes",
                                   "allocated per event", "apparent per event"})
            EXPECT_TRUE(Matches(t->Cell(row, column), kNumber)) << row[0] << ": " << column;
        EXPECT_GT(std::atol(t->Cell(row, "files").c_str()), 0) << row[0];
    }
    const Row &per_call = t->rows[0], &small = t->rows[1];
    EXPECT_EQ("16-byte writes, default capture, per traced call", per_call[0]);
    // --scale=0.01 of --quick's 100 000 writes: each one is an event.
    EXPECT_GE(std::atol(t->Cell(per_call, "events").c_str()), 1000);
    // Judged on what a write adds to the writer's file (a run of a tenth
    // of the writes taken off), a number; the ten-call process has none.
    EXPECT_TRUE(Matches(t->Cell(per_call, "writer's file per added write"), kNumber))
        << t->Cell(per_call, "writer's file per added write");
    EXPECT_EQ("–", t->Cell(small, "writer's file per added write"));
    EXPECT_TRUE(Matches(t->Cell(per_call, "target"), "≤ 48 B per call (ok|MISSED)"))
        << t->Cell(per_call, "target");
    EXPECT_EQ("one process, 10 traced calls", small[0]);
    EXPECT_GE(std::atol(t->Cell(small, "events").c_str()), 10);
    EXPECT_EQ("1", t->Cell(small, "files"));
    EXPECT_TRUE(Matches(t->Cell(small, "target"), "≤ 8 KiB (ok|MISSED)"))
        << t->Cell(small, "target");
}

// summary, check, flows and dump: rate and peak RSS; summary's budget.
TEST_F(BenchCompareTest, ViewerTableMeasuresEachCommand) {
    const Table *t = Find("peak RSS MB");
    ASSERT_NE(nullptr, t);
    std::vector<std::string> commands;
    for (const Row &row : t->rows) {
        ASSERT_EQ(t->header.size(), row.size()) << row[0];
        commands.push_back(row[0]);
        for (const char *column : {"seconds (median)", "M events/s", "CPU seconds (median)",
                                   "M events/s of CPU", "peak RSS MB"})
            EXPECT_TRUE(Matches(t->Cell(row, column), kNumber))
                << row[0] << ": " << column << " " << t->Cell(row, column);
        EXPECT_EQ("", t->Cell(row, "note")) << row[0];
        std::string target = t->Cell(row, "target");
        if (row[0] == "summary")
            EXPECT_TRUE(Matches(target, "≥ 20 M ev/s (ok|MISSED), ≤ 100 MB (ok|MISSED)")) << target;
        else
            EXPECT_EQ("", target) << row[0];
    }
    EXPECT_EQ((std::vector<std::string>{"summary", "check", "flows", "dump"}), commands);
}

// make -j2 of generated C files and CPython's test_subprocess (skipped, and
// said so, where no python has the test package).
TEST_F(BenchCompareTest, RealWorkloadsAreTimedAndTheirTracesSized) {
    const Table *t = Find("workload");
    ASSERT_NE(nullptr, t);
    ASSERT_EQ(2u, t->rows.size()) << result_->out;
    for (const Row &row : t->rows) {
        ASSERT_EQ(t->header.size(), row.size()) << row[0];
        if (row[0].rfind("CPython", 0) == 0 && t->Cell(row, "note").rfind("skipped", 0) == 0)
            continue;
        for (const char *column :
             {"untraced s", "pipetrace s", "×", "untraced CPU s", "pipetrace CPU s", "CPU ×",
              "trace MB allocated", "trace MB apparent", "trace files", "events"})
            EXPECT_TRUE(Matches(t->Cell(row, column), kNumber))
                << row[0] << ": " << column << " " << t->Cell(row, column);
        EXPECT_TRUE(Matches(t->Cell(row, "target"), "≤ 1.05 (ok|MISSED)")) << row[0];
        EXPECT_EQ("", t->Cell(row, "note")) << row[0];
        EXPECT_GT(std::atol(t->Cell(row, "trace files").c_str()), 0) << row[0];
    }
    EXPECT_EQ("make -j2, 3 C files", t->rows[0][0]);
    EXPECT_EQ(0u, t->rows[1][0].rfind("CPython test_subprocess", 0)) << t->rows[1][0];
}

} // namespace
