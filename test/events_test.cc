// The event table (src/trace/events.h) and its decoders (fields.h): every
// type format.h defines has a row that agrees with itself, and each decoder
// emits the fields, in the order and with the visibility, that dump's two
// printers render.  In-process, on records built here.
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipetrace/format.h"
#include "test/trace_builder.h"
#include "trace/events.h"
#include "trace/fields.h"
#include "trace/payload.h"
#include "trace/waitset.h"

namespace {

// Every type format.h defines, and the name dump prints for it.
const struct {
    unsigned type;
    const char *name;
} kKnown[] = {
    {PT_EV_READ, "read"},
    {PT_EV_WRITE, "write"},
    {PT_EV_READV, "readv"},
    {PT_EV_WRITEV, "writev"},
    {PT_EV_READ_CHK, "__read_chk"},
    {PT_EV_STDIO_READ, "read"},
    {PT_EV_STDIO_WRITE, "write"},
    {PT_EV_SEND, "send"},
    {PT_EV_RECV, "recv"},
    {PT_EV_SENDMSG, "sendmsg"},
    {PT_EV_RECVMSG, "recvmsg"},
    {PT_EV_PIPE, "pipe"},
    {PT_EV_PIPE2, "pipe2"},
    {PT_EV_SOCKETPAIR, "socketpair"},
    {PT_EV_DUP, "dup"},
    {PT_EV_DUP2, "dup2"},
    {PT_EV_DUP3, "dup3"},
    {PT_EV_FCNTL, "fcntl"},
    {PT_EV_OPEN, "open"},
    {PT_EV_CLOSE, "close"},
    {PT_EV_CLOSE_RANGE, "close_range"},
    {PT_EV_FORK, "fork"},
    {PT_EV_VFORK, "vfork"},
    {PT_EV_EXEC, "execve"},
    {PT_EV_SPAWN, "posix_spawn"},
    {PT_EV_EXIT, "exit"},
    {PT_EV_WAIT, "wait"},
    {PT_EV_UNTRACED_CHILD, "untraced_child"},
    {PT_EV_INHERITED_FD, "inherited_fd"},
    {PT_EV_CALLSITE, "callsite"},
    {PT_EV_MODULE, "module"},
    {PT_EV_COVERAGE, "coverage"},
    {PT_EV_POPEN, "popen"},
    {PT_EV_SYSTEM, "system"},
    {PT_EV_MKFIFO, "mkfifo"},
    {PT_EV_PCLOSE, "pclose"},
    {PT_EV_POLL, "poll"},
    {PT_EV_SELECT, "select"},
    {PT_EV_EPOLL_CREATE, "epoll_create"},
    {PT_EV_EPOLL_CTL, "epoll_ctl"},
    {PT_EV_EPOLL_WAIT, "epoll_wait"},
    {PT_EV_FDPASS, "scm_rights"},
    {PT_EV_CONNECT, "connect"},
    {PT_EV_ACCEPT, "accept"},
    {PT_EV_SPLICE, "splice"},
    {PT_EV_TEE, "tee"},
    {PT_EV_VMSPLICE, "vmsplice"},
    {PT_EV_SENDFILE, "sendfile"},
    {PT_EV_COPY_FILE_RANGE, "copy_file_range"},
    {PT_EV_IOCTL, "ioctl"},
    {PT_EV_KILL, "kill"},
};

TEST(EventTable, EveryTypeOfTheFormatHasARow) {
    std::set<unsigned> known;
    for (const auto &k : kKnown) {
        const struct pt_event_info *row = pt_event_info(k.type);
        ASSERT_NE(row->name, nullptr) << k.type;
        EXPECT_STREQ(row->name, k.name);
        EXPECT_STREQ(pt_event_name(k.type), k.name);
        EXPECT_NE(row->cls, PT_CLASS_UNKNOWN) << k.name;
        EXPECT_NE(row->decode, nullptr) << k.name;
        known.insert(k.type);
    }
    // Any other number, in the table's range or past it, is unknown and
    // still decodable.
    for (unsigned t = 0; t < 256; t++) {
        if (known.count(t))
            continue;
        const struct pt_event_info *row = pt_event_info(t);
        EXPECT_EQ(row->name, nullptr) << t;
        EXPECT_EQ(row->cls, PT_CLASS_UNKNOWN) << t;
        EXPECT_NE(row->decode, nullptr) << t;
    }
    EXPECT_EQ(pt_event_name(1000), nullptr);
}

// What the analysis reads from a row must not contradict itself.
TEST(EventTable, RowsAgreeWithThemselves) {
    for (const auto &k : kKnown) {
        const struct pt_event_info *row = pt_event_info(k.type);
        bool in = row->flags & PT_EVF_IN, out = row->flags & PT_EVF_OUT;
        SCOPED_TRACE(k.name);
        // Bytes move through exactly the I/O class, one way per type, and
        // its payload is the capture.
        EXPECT_EQ(row->cls == PT_CLASS_IO, in || out);
        EXPECT_FALSE(in && out);
        EXPECT_EQ(pt_event_moves_data(k.type), in || out);
        EXPECT_EQ(pt_event_reads(k.type), in);
        EXPECT_EQ(pt_event_writes(k.type), out);
        if (row->cls == PT_CLASS_IO) {
            EXPECT_EQ(row->payload, PT_PAYLOAD_DATA);
        }
        // A pair is read from its payload.
        EXPECT_EQ(row->cls == PT_CLASS_PAIR, row->payload == PT_PAYLOAD_PAIR);
        // The recorder's notes have no result; a call counted by summary
        // does.
        if (row->flags & PT_EVF_META) {
            EXPECT_EQ(row->result, PT_RESULT_NONE);
        }
        if (row->flags & PT_EVF_HIDDEN) {
            EXPECT_TRUE(row->flags & PT_EVF_META);
        }
        // A move inside the kernel names its other fd in its payload, or
        // (vmsplice) captures as writev; only such a move may leave its
        // bytes where they were (tee).
        if (row->cls == PT_CLASS_XFER) {
            EXPECT_TRUE(row->payload == PT_PAYLOAD_XFER || row->payload == PT_PAYLOAD_DATA);
        }
        if (row->flags & PT_EVF_PEEKS) {
            EXPECT_EQ(row->cls, PT_CLASS_XFER);
        }
        // A wait's set is read from its payload.
        if (row->cls == PT_CLASS_POLL) {
            EXPECT_EQ(row->payload, PT_PAYLOAD_WAIT);
        }
        // A type that makes a pipe end knows what it makes.
        if (row->flags & PT_EVF_MAKES_PIPE) {
            EXPECT_TRUE(row->makes_kind == PT_OBJ_PIPE || row->makes_kind == PT_OBJ_FIFO ||
                        row->cls == PT_CLASS_POPEN);
        }
    }
    EXPECT_TRUE(pt_event_via_stdio(PT_EV_STDIO_READ));
    EXPECT_FALSE(pt_event_via_stdio(PT_EV_READ));
}

TEST(EventTable, CreationFlagsAreWhereTheRowSays) {
    pt_record r = tb::Rec(PT_EV_PIPE2, 1, 3, 100, 0, O_CLOEXEC);
    EXPECT_EQ(pt_event_open_flags(&r), (uint64_t)O_CLOEXEC);
    r.type = PT_EV_PIPE;
    EXPECT_EQ(pt_event_open_flags(&r), 0u);
    r = tb::Rec(PT_EV_DUP3, 1, 3, 100, 9, 9 | (uint64_t)O_CLOEXEC << 32);
    EXPECT_EQ(pt_event_open_flags(&r), (uint64_t)O_CLOEXEC);
    r.type = PT_EV_DUP2;
    EXPECT_EQ(pt_event_open_flags(&r), 0u);
}

TEST(EventTable, RecordState) {
    pt_record exec = tb::Begun(tb::Rec(PT_EV_EXEC, 1, -1, 100, 0, 0));
    exec.result = -1; // whatever the begun record holds
    EXPECT_TRUE(pt_event_exec_succeeded(&exec));
    EXPECT_FALSE(pt_event_unfinished(&exec));
    EXPECT_EQ(pt_event_result(&exec), 0);
    pt_record read = tb::Begun(tb::Rec(PT_EV_READ, 1, 3, 100, 0, 10, 7));
    EXPECT_FALSE(pt_event_exec_succeeded(&read));
    EXPECT_TRUE(pt_event_unfinished(&read));
    pt_record cut = tb::Rec(PT_EV_WRITE, 1, 4, 100, 100, 100, 7);
    cut.data_len = 64;
    EXPECT_TRUE(pt_event_data_cut(&cut));
    cut.data_len = 100;
    EXPECT_FALSE(pt_event_data_cut(&cut));
    cut.fd_flags = PT_FDF_DATA_CUT;
    EXPECT_TRUE(pt_event_data_cut(&cut));
}

// --- decoders ---------------------------------------------------------------

// A record and its payload, laid out as in a trace file.
class Event {
  public:
    explicit Event(pt_record r, const tb::Bytes &payload = tb::Bytes()) {
        r.data_len = static_cast<uint32_t>(payload.size());
        buf_.resize((PT_RECORD_SIZE + payload.size() + 7) / 8 + 1);
        memcpy(buf_.data(), &r, sizeof r);
        if (!payload.empty())
            memcpy(reinterpret_cast<uint8_t *>(buf_.data()) + PT_RECORD_SIZE, payload.data(),
                   payload.size());
        ev_.rec = reinterpret_cast<const pt_record *>(buf_.data());
        ev_.payload = reinterpret_cast<const uint8_t *>(buf_.data()) + PT_RECORD_SIZE;
        ev_.offset = 0;
        pt_event_fields(&ev_, &fields_);
    }
    const pt_fields &fields() const { return fields_; }

    // "key:kind:show[:exit]" for each field, in order.
    std::string Shape() const {
        std::string s;
        for (size_t i = 0; i < fields_.n; i++) {
            const pt_field &f = fields_.v[i];
            s += (i ? " " : "") + std::string(f.key) + ":" + std::to_string(f.kind) + ":" +
                 (f.show == PT_SHOW_BOTH   ? "B"
                  : f.show == PT_SHOW_TEXT ? "T"
                                           : "J") +
                 (f.at_exit ? ":exit" : "");
        }
        return s;
    }
    const pt_field *Find(const char *key, unsigned show) const {
        return pt_fields_find(&fields_, key, show);
    }
    const pt_event &ev() const { return ev_; }

  private:
    std::vector<uint64_t> buf_; // 8-aligned, as records are
    pt_event ev_;
    pt_fields fields_;
};

std::string K(int kind) {
    return std::to_string(kind);
}

TEST(Decoders, ReadsDataOnlyOnceReturned) {
    Event read(tb::Rec(PT_EV_READ, 1, 3, 100, 5, 4096, 77), tb::Text("hello"));
    EXPECT_EQ(read.Shape(), "fd:" + K(PT_FIELD_FD) + ":T data:" + K(PT_FIELD_DATA) +
                                ":B:exit count:" + K(PT_FIELD_UINT) + ":T");
    const pt_field *data = read.Find("data", PT_SHOW_JSON);
    ASSERT_NE(data, nullptr);
    EXPECT_EQ(std::string(reinterpret_cast<const char *>(data->v.data.p), data->v.data.len),
              "hello");
    EXPECT_EQ(data->v.data.cut, 0);
    EXPECT_EQ(read.Find("count", PT_SHOW_TEXT)->v.u, 4096u);
    // A write's bytes are known when it begins.
    Event write(tb::Begun(tb::Rec(PT_EV_STDIO_WRITE, 1, 4, 100, 0, 5, 77)), tb::Text("hello"));
    EXPECT_EQ(write.Find("data", PT_SHOW_TEXT)->at_exit, 0);
}

TEST(Decoders, PipePairsAndTheirFlags) {
    Event pipe2(tb::Rec(PT_EV_PIPE2, 1, 3, 100, 0, O_CLOEXEC), tb::PipePayload(3, 4, 88));
    EXPECT_EQ(pipe2.Shape(),
              "fds:" + K(PT_FIELD_PAIR) + ":B:exit flags:" + K(PT_FIELD_OPEN_FLAGS) + ":B");
    const pt_field *fds = pipe2.Find("fds", PT_SHOW_BOTH);
    EXPECT_EQ(fds->v.pair.fds[0], 3);
    EXPECT_EQ(fds->v.pair.fds[1], 4);
    EXPECT_EQ(fds->v.pair.inos[1], 88u);
    EXPECT_EQ(fds->v.pair.kind, PT_OBJ_PIPE); // the record did not say
    EXPECT_EQ(pipe2.Find("flags", PT_SHOW_TEXT)->v.flags.bits, (uint64_t)O_CLOEXEC);
    // pipe() takes no flags: the JSON still says none.
    Event pipe(tb::Rec(PT_EV_PIPE, 1, 3, 100, 0, 0), tb::PipePayload(3, 4, 88));
    EXPECT_EQ(pipe.Find("flags", PT_SHOW_TEXT), nullptr);
    EXPECT_EQ(pipe.Find("flags", PT_SHOW_JSON)->v.flags.bits, 0u);
    Event pair(tb::Rec(PT_EV_SOCKETPAIR, 1, 3, 100, 0, 0), tb::PipePayload(3, 4, 90));
    EXPECT_EQ(pair.Find("fds", PT_SHOW_BOTH)->v.pair.kind, PT_OBJ_SOCKET);
    // A payload too short for a pair: no value, not garbage.
    Event cut(tb::Rec(PT_EV_PIPE, 1, 3, 100, 0, 0), tb::Text("abc"));
    EXPECT_EQ(cut.Find("fds", PT_SHOW_BOTH)->kind, PT_FIELD_NULL);
}

TEST(Decoders, DupAndFcntlArguments) {
    Event dup3(tb::Rec(PT_EV_DUP3, 1, 4, 100, 9, 9 | (uint64_t)O_CLOEXEC << 32, 88));
    EXPECT_EQ(dup3.Find("newfd", PT_SHOW_BOTH)->v.u, 9u);
    EXPECT_EQ(dup3.Find("flags", PT_SHOW_BOTH)->v.flags.bits, (uint64_t)O_CLOEXEC);
    Event setfl(tb::Rec(PT_EV_FCNTL, 1, 4, 100, 0, F_SETFL | (uint64_t)O_NONBLOCK << 32, 88));
    EXPECT_STREQ(setfl.Find("cmd", PT_SHOW_BOTH)->v.name, "F_SETFL");
    EXPECT_EQ(setfl.Find("value", PT_SHOW_JSON)->v.u, (uint64_t)O_NONBLOCK);
    EXPECT_EQ(setfl.Find("flags", PT_SHOW_TEXT)->v.flags.bits, (uint64_t)O_NONBLOCK);
    Event setfd(tb::Rec(PT_EV_FCNTL, 1, 4, 100, 0, F_SETFD | (uint64_t)FD_CLOEXEC << 32, 88));
    EXPECT_STREQ(setfd.Find("value", PT_SHOW_TEXT)->v.name, "FD_CLOEXEC");
    Event getfl(tb::Rec(PT_EV_FCNTL, 1, 4, 100, 0, F_GETFL, 88));
    EXPECT_EQ(getfl.Find("value", PT_SHOW_TEXT), nullptr); // takes no value
    Event odd(tb::Rec(PT_EV_FCNTL, 1, 4, 100, 0, 9999, 88));
    EXPECT_EQ(odd.Find("cmd", PT_SHOW_BOTH)->kind, PT_FIELD_INT);
    EXPECT_EQ(odd.Find("cmd", PT_SHOW_BOTH)->v.i, 9999);
}

TEST(Decoders, ProcessesAndTheirChildren) {
    Event fork(tb::Rec(PT_EV_FORK, 1, -1, 100, 4242, 0));
    EXPECT_EQ(fork.Shape(), "child:" + K(PT_FIELD_INT) + ":J:exit");
    EXPECT_EQ(fork.Find("child", PT_SHOW_JSON)->v.i, 4242);
    Event blocked(tb::Begun(tb::Rec(PT_EV_FORK, 1, -1, 100, 0, 0)));
    EXPECT_EQ(blocked.Find("child", PT_SHOW_JSON)->kind, PT_FIELD_NULL);
    Event spawn(tb::Rec(PT_EV_SPAWN, 1, -1, 100, 4243, 0),
                tb::Strings({"/bin/echo", "echo", "hi"}));
    EXPECT_EQ(spawn.Shape(), "child:" + K(PT_FIELD_INT) + ":J:exit path:" + K(PT_FIELD_STRING) +
                                 ":B argv:" + K(PT_FIELD_STRINGS) + ":B");
    const pt_field *argv = spawn.Find("argv", PT_SHOW_BOTH);
    size_t pos = 0, len;
    const uint8_t *s;
    std::vector<std::string> words;
    while (pt_strings_next(argv->v.bytes.p, argv->v.bytes.len, &pos, &s, &len))
        words.emplace_back(reinterpret_cast<const char *>(s), len);
    EXPECT_EQ(words, (std::vector<std::string>{"echo", "hi"}));
    // No payload: the path is unknown, and the text lists no argv.
    Event bare(tb::Rec(PT_EV_EXEC, 1, -1, 100, -2, 0));
    EXPECT_EQ(bare.Find("path", PT_SHOW_BOTH)->kind, PT_FIELD_NULL);
    EXPECT_EQ(bare.Find("argv", PT_SHOW_TEXT), nullptr);
    EXPECT_NE(bare.Find("argv", PT_SHOW_JSON), nullptr);
}

TEST(Decoders, WaitStatusOnlyWhenTheWaitReturned) {
    Event wait(tb::Rec(PT_EV_WAIT, 1, -1, 100, 4242, 0x100));
    EXPECT_EQ(wait.Find("status", PT_SHOW_TEXT)->v.i, 0x100);
    EXPECT_EQ(wait.Find("status", PT_SHOW_JSON)->v.u, 0x100u);
    Event failed(tb::Rec(PT_EV_WAIT, 1, -1, 100, -10, 0));
    EXPECT_EQ(failed.Find("status", PT_SHOW_JSON)->kind, PT_FIELD_NULL);
    Event pclose(tb::Rec(PT_EV_PCLOSE, 1, 3, 100, 0x500, 4242, 88));
    EXPECT_EQ(pclose.Find("child", PT_SHOW_JSON)->v.u, 4242u);
    EXPECT_EQ(pclose.Find("status", PT_SHOW_JSON)->v.u, 0x500u);
    EXPECT_EQ(pt_event_info(PT_EV_PCLOSE)->result, PT_RESULT_STATUS);
}

TEST(Decoders, NotesOfTheRecorder) {
    tb::Bytes site(sizeof(pt_callsite_payload));
    pt_callsite_payload c = {0x401234, 0x400000, 0x401200};
    memcpy(site.data(), &c, sizeof c);
    for (char ch : std::string("main"))
        site.push_back(static_cast<uint8_t>(ch));
    site.push_back(0);
    Event callsite(tb::Rec(PT_EV_CALLSITE, 1, 3, 100, 0, 144), site);
    EXPECT_EQ(callsite.Find("record_offset", PT_SHOW_BOTH)->v.u, 144u);
    const pt_field *sym = callsite.Find("symbol", PT_SHOW_TEXT);
    ASSERT_NE(sym, nullptr);
    EXPECT_EQ(sym->kind, PT_FIELD_SYMBOL_OFFSET);
    EXPECT_EQ(sym->v.sym.offset, 0x34u);
    EXPECT_TRUE(sym->glued);
    EXPECT_STREQ(callsite.Find("module_base", PT_SHOW_BOTH)->label, "module=");
    // A module whose build id claims more bytes than it has: only its
    // address, for the text.
    tb::Bytes bad(sizeof(pt_module_payload));
    pt_module_payload m = {};
    m.base = 0x400000;
    m.build_id_len = 99;
    memcpy(bad.data(), &m, sizeof m);
    Event module(tb::Rec(PT_EV_MODULE, 1, -1, 100, 0, 0x7f00), bad);
    EXPECT_EQ(module.Shape(), "base:" + K(PT_FIELD_HEX) + ":T");
    EXPECT_EQ(module.Find("base", PT_SHOW_TEXT)->v.u, 0x7f00u);
}

TEST(Decoders, UnknownTypesShowWhatEveryRecordHas) {
    Event odd(tb::Rec(60, 1, 3, 100, 1, 77, 88), tb::Text("raw"));
    EXPECT_EQ(odd.Shape(), "fd:" + K(PT_FIELD_FD) + ":T arg:" + K(PT_FIELD_UINT) +
                               ":T data:" + K(PT_FIELD_DATA) + ":J");
}

// --- waits for readiness: the fields and pt_waitset (waitset.h) ---------------

pt_event EventOf(const Event &e) {
    return e.ev();
}

TEST(Decoders, PollSetAndWhatWasReady) {
    std::vector<pt_wait_fd> set = {{3, POLLIN, POLLIN}, {-1, POLLIN, 0}, {5, POLLOUT, 0}};
    Event poll(tb::Rec(PT_EV_POLL, 1, -1, 100, 1, (uint64_t)-1),
               tb::WaitPayload(PT_WAIT_CALL_PPOLL, 0, 3, 3, set));
    EXPECT_EQ(poll.Shape(),
              "set:" + K(PT_FIELD_WAITSET) + ":B nfds:" + K(PT_FIELD_UINT) + ":B timeout_ms:" +
                  K(PT_FIELD_INT) + ":B count:" + K(PT_FIELD_UINT) + ":J cut:" + K(PT_FIELD_BOOL) +
                  ":J variant:" + K(PT_FIELD_NAME) + ":J ready:" + K(PT_FIELD_WAITSET) + ":T");
    EXPECT_EQ(poll.Find("timeout_ms", PT_SHOW_BOTH)->v.i, -1);
    EXPECT_STREQ(poll.Find("variant", PT_SHOW_JSON)->v.name, "ppoll");
    EXPECT_TRUE(poll.Find("ready", PT_SHOW_TEXT)->trailer);
    const pt_field *fds = poll.Find("set", PT_SHOW_BOTH);
    EXPECT_EQ(fds->v.wait.n, 3u);
    EXPECT_EQ(fds->v.wait.form, PT_WAITSET_EVENTS);
    // Unfinished: no result, nothing ready to show.
    Event blocked(tb::Begun(tb::Rec(PT_EV_POLL, 1, -1, 100, 0, 5000)),
                  tb::WaitPayload(PT_WAIT_CALL_POLL, 0, 200, 200, set));
    EXPECT_EQ(blocked.Find("ready", PT_SHOW_TEXT), nullptr);
    EXPECT_EQ(blocked.Find("cut", PT_SHOW_JSON)->v.u, 1u);
    // A set the recorder could not read.
    Event unread(tb::Rec(PT_EV_POLL, 1, -1, 100, -EFAULT, 0),
                 tb::WaitPayload<pt_wait_fd>(PT_WAIT_CALL_POLL, PT_WAITF_UNREAD, 1, 1, {}));
    EXPECT_EQ(unread.Find("set", PT_SHOW_BOTH)->kind, PT_FIELD_NULL);
    // A payload too short for its header.
    Event cut(tb::Rec(PT_EV_POLL, 1, -1, 100, 0, 0), tb::Text("abc"));
    EXPECT_EQ(cut.Find("set", PT_SHOW_BOTH)->kind, PT_FIELD_NULL);
}

TEST(WaitSet, PollAndSelectSetsDecode) {
    std::vector<pt_wait_fd> set = {{3, POLLIN, POLLHUP}, {-1, POLLIN, 0}, {5, POLLOUT, 0}};
    Event poll(tb::Rec(PT_EV_POLL, 1, -1, 100, 1, 0),
               tb::WaitPayload(PT_WAIT_CALL_POLL, 0, 3, 3, set));
    pt_waitfd out[8];
    int32_t epfd = 77;
    pt_event ev = EventOf(poll);
    ASSERT_EQ(pt_waitset(&ev, out, 8, &epfd), 2); // the negative fd is ignored
    EXPECT_EQ(out[0].fd, 3);
    EXPECT_EQ(out[0].events, POLLIN);
    EXPECT_EQ(out[0].revents, POLLHUP);
    EXPECT_EQ(out[1].fd, 5);
    EXPECT_EQ(out[1].events, POLLOUT);
    EXPECT_EQ(epfd, 77); // untouched
    EXPECT_EQ(pt_waitset(&ev, out, 1, &epfd), 1);
    uint32_t total = 0;
    int was_cut = -1;
    ASSERT_EQ(pt_waitset_total(&ev, &total, &was_cut), 0);
    EXPECT_EQ(total, 3u);
    EXPECT_EQ(was_cut, 0);
    // More fds than the record holds: the count says so.
    Event big(tb::Rec(PT_EV_SELECT, 1, -1, 100, 1, 0),
              tb::WaitPayload(PT_WAIT_CALL_SELECT, 0, 1024, 300, set));
    ev = EventOf(big);
    EXPECT_EQ(pt_waitset(&ev, out, 8, &epfd), 2);
    ASSERT_EQ(pt_waitset_total(&ev, &total, &was_cut), 0);
    EXPECT_EQ(total, 300u);
    EXPECT_EQ(was_cut, 1);
    // stored claims more entries than the payload has: only whole ones.
    tb::Bytes lying = tb::WaitPayload(PT_WAIT_CALL_POLL, 0, 3, 3, set);
    lying[8] = 200; // stored
    lying.resize(lying.size() - 4);
    Event short_one(tb::Rec(PT_EV_POLL, 1, -1, 100, 1, 0), lying);
    ev = EventOf(short_one);
    EXPECT_EQ(pt_waitset(&ev, out, 8, &epfd), 1);
    // Unreadable set, damaged payload, another class: -1.
    Event unread(tb::Rec(PT_EV_POLL, 1, -1, 100, -EFAULT, 0),
                 tb::WaitPayload<pt_wait_fd>(PT_WAIT_CALL_POLL, PT_WAITF_UNREAD, 1, 1, {}));
    ev = EventOf(unread);
    EXPECT_EQ(pt_waitset(&ev, out, 8, &epfd), -1);
    Event damaged(tb::Rec(PT_EV_POLL, 1, -1, 100, 0, 0), tb::Text("abc"));
    ev = EventOf(damaged);
    EXPECT_EQ(pt_waitset(&ev, out, 8, &epfd), -1);
    Event read(tb::Rec(PT_EV_READ, 1, 3, 100, 0, 10));
    ev = EventOf(read);
    EXPECT_EQ(pt_waitset(&ev, out, 8, &epfd), -1);
}

TEST(WaitSet, EpollWaitNamesItsEpollFd) {
    std::vector<pt_wait_epoll_event> ready = {{EPOLLIN, 0, 3}};
    Event wait(tb::Rec(PT_EV_EPOLL_WAIT, 1, 4, 100, 1, 1000),
               tb::WaitPayload(PT_WAIT_CALL_EPOLL_WAIT, 0, 16, 1, ready));
    pt_waitfd out[4];
    int32_t epfd = -1;
    pt_event ev = EventOf(wait);
    EXPECT_EQ(pt_waitset(&ev, out, 4, &epfd), 0);
    EXPECT_EQ(epfd, 4);
    EXPECT_EQ(wait.Find("events", PT_SHOW_BOTH)->v.wait.form, PT_WAITSET_EPOLL);
    EXPECT_EQ(wait.Find("maxevents", PT_SHOW_BOTH)->v.i, 16);
    Event blocked(tb::Begun(tb::Rec(PT_EV_EPOLL_WAIT, 1, 4, 100, 0, (uint64_t)-1)),
                  tb::WaitPayload<pt_wait_epoll_event>(PT_WAIT_CALL_EPOLL_PWAIT, 0, 16, 0, {}));
    EXPECT_EQ(blocked.Find("events", PT_SHOW_BOTH)->kind, PT_FIELD_NULL);
    EXPECT_TRUE(blocked.Find("events", PT_SHOW_BOTH)->at_exit);
}

TEST(WaitSet, EpollCtlArguments) {
    Event add(tb::Rec(PT_EV_EPOLL_CTL, 1, 4, 100, 0, 0),
              tb::EpollCtlPayload(EPOLL_CTL_ADD, 3, EPOLLIN | EPOLLET, 3));
    pt_event ev = EventOf(add);
    int op = 0;
    int32_t fd = 0;
    uint32_t events = 0;
    ASSERT_EQ(pt_epoll_ctl_args(&ev, &op, &fd, &events), 0);
    EXPECT_EQ(op, EPOLL_CTL_ADD);
    EXPECT_EQ(fd, 3);
    EXPECT_EQ(events, (uint32_t)(EPOLLIN | EPOLLET));
    EXPECT_STREQ(add.Find("op", PT_SHOW_BOTH)->v.name, "EPOLL_CTL_ADD");
    Event del(tb::Rec(PT_EV_EPOLL_CTL, 1, 4, 100, 0, 0),
              tb::EpollCtlPayload(EPOLL_CTL_DEL, 3, 0, 0, PT_EPOLLF_NO_EVENT));
    ev = EventOf(del);
    ASSERT_EQ(pt_epoll_ctl_args(&ev, &op, &fd, &events), 0);
    EXPECT_EQ(op, EPOLL_CTL_DEL);
    EXPECT_EQ(events, 0u);
    Event damaged(tb::Rec(PT_EV_EPOLL_CTL, 1, 4, 100, 0, 0), tb::Text("abc"));
    ev = EventOf(damaged);
    EXPECT_EQ(pt_epoll_ctl_args(&ev, &op, &fd, &events), -1);
    Event poll(tb::Rec(PT_EV_POLL, 1, -1, 100, 0, 0));
    ev = EventOf(poll);
    EXPECT_EQ(pt_epoll_ctl_args(&ev, &op, &fd, &events), -1);
    // epoll_create makes an fd of its own kind, with its flags in arg.
    const struct pt_event_info *create = pt_event_info(PT_EV_EPOLL_CREATE);
    EXPECT_EQ(create->cls, PT_CLASS_OPEN);
    EXPECT_EQ(create->makes_kind, PT_OBJ_EPOLL);
    pt_record r = tb::Rec(PT_EV_EPOLL_CREATE, 1, -1, 100, 4, EPOLL_CLOEXEC);
    EXPECT_EQ(pt_event_open_flags(&r), (uint64_t)EPOLL_CLOEXEC);
}

TEST(Fields, NoDecoderOverrunsTheList) {
    pt_fields f;
    f.n = 0;
    for (int i = 0; i < 3 * PT_FIELDS_MAX; i++)
        pt_field_uint(&f, "x", PT_SHOW_BOTH, (uint64_t)i);
    EXPECT_EQ(f.n, (size_t)PT_FIELDS_MAX);
    EXPECT_EQ(f.v[PT_FIELDS_MAX - 1].v.u, (uint64_t)PT_FIELDS_MAX - 1);
}

} // namespace
