// Every record type, in the states a trace holds it (returned, failed,
// never returned, with a short or odd payload), through both of dump's
// printers: the strace-like text and the JSON lines, line for line.  The
// printers render what each type's decoder emits (src/trace/events.h);
// this pins what they print, so that moving a type's knowledge around
// changes no output.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipetrace/format.h"
#include "test/harness.h"
#include "test/trace_builder.h"

namespace {

using tb::Begun;
using tb::Bytes;
using tb::EpollCtlPayload;
using tb::PipePayload;
using tb::Rec;
using tb::Strings;
using tb::Text;
using tb::WaitPayload;

const uint64_t kStart = 1000000000;

// A record at the k-th microsecond of the trace.
pt_record At(int k, uint8_t type, int32_t fd, int64_t result, uint64_t arg, uint64_t ino = 0) {
    return Rec(type, 600, fd, kStart + 1000 * (uint64_t)k, result, arg, ino);
}

pt_record Failed(pt_record r, int err) {
    r.result = -err;
    return r;
}

pt_record Kind(pt_record r, uint8_t kind, uint8_t fd_flags = 0) {
    r.obj_kind = kind;
    r.fd_flags = fd_flags;
    return r;
}

Bytes Callsite(uint64_t addr, uint64_t base, uint64_t symbol_addr, const std::string &symbol) {
    pt_callsite_payload c = {addr, base, symbol_addr};
    Bytes out;
    tb::Append(&out, &c, sizeof c);
    tb::Append(&out, symbol.c_str(), symbol.size() + 1);
    return out;
}

Bytes Module(uint64_t base, uint32_t build_id_len, const std::string &path) {
    pt_module_payload m;
    memset(&m, 0, sizeof m);
    m.base = base;
    m.build_id_len = build_id_len;
    for (uint32_t i = 0; i < build_id_len && i < sizeof m.build_id; i++)
        m.build_id[i] = (uint8_t)(0xa0 + i);
    Bytes out;
    tb::Append(&out, &m, sizeof m);
    tb::Append(&out, path.c_str(), path.size() + 1);
    return out;
}

const uint8_t RD = PT_FDF_KNOWN | PT_FDF_RDONLY, WR = PT_FDF_KNOWN | PT_FDF_WRONLY;

// pid 600 makes every kind of record; pid 601, its child, execs.
std::string EveryType() {
    std::string dir = harness::FreshDir("every_type");
    tb::TraceBuilder p(600, 1, kStart, {"prog", "every type"});
    int k = 0;
    // the recorder's notes
    p.Add(Kind(At(k++, PT_EV_INHERITED_FD, 0, 0, 0, 10), PT_OBJ_PIPE, RD | PT_FDF_NONBLOCK));
    p.Add(Kind(At(k++, PT_EV_INHERITED_FD, 1, 0, 0, 0), PT_OBJ_UNKNOWN));
    p.Add(At(k++, PT_EV_MODULE, -1, 0, 0x400000), Module(0x400000, 4, "/usr/bin/prog"));
    p.Add(At(k++, PT_EV_MODULE, -1, 0, 0x7f0000), Module(0x7f0000, 99, "/bad"));
    p.Add(At(k++, PT_EV_CALLSITE, 3, 0, 144), Callsite(0x401234, 0x400000, 0x401200, "main"));
    p.Add(At(k++, PT_EV_CALLSITE, 3, 0, 208), Callsite(0x401234, 0x400000, 0, ""));
    p.Add(At(k++, PT_EV_CALLSITE, 3, 0, 272), Text("short"));
    p.Add(At(k++, PT_EV_COVERAGE, -1, 0, PT_HDR_STDIO_UNHOOKED));
    // making fds
    p.Add(At(k++, PT_EV_PIPE, 3, 0, 0, 11), PipePayload(3, 4, 11));
    p.Add(Begun(At(k++, PT_EV_PIPE, -1, 0, 0)));
    p.Add(At(k++, PT_EV_PIPE2, 5, 0, O_CLOEXEC | O_NONBLOCK, 12), PipePayload(5, 6, 12));
    p.Add(Failed(At(k++, PT_EV_PIPE2, -1, 0, O_CLOEXEC | 0x40000000), EMFILE));
    p.Add(Kind(At(k++, PT_EV_SOCKETPAIR, 7, 0, 0), PT_OBJ_UNKNOWN), PipePayload(7, 8, 13));
    p.Add(At(k++, PT_EV_PIPE, 3, 0, 0, 11), Text("cut"));
    p.Add(At(k++, PT_EV_DUP, 4, 9, 0, 11));
    p.Add(At(k++, PT_EV_DUP2, 4, 1, 1, 11));
    p.Add(At(k++, PT_EV_DUP3, 4, 2, 2 | (uint64_t)O_CLOEXEC << 32, 11));
    p.Add(Failed(At(k++, PT_EV_DUP2, 99, 0, 1), EBADF));
    p.Add(At(k++, PT_EV_FCNTL, 3, 0, F_SETFL | (uint64_t)O_NONBLOCK << 32, 11));
    p.Add(At(k++, PT_EV_FCNTL, 3, 0, F_SETFD | (uint64_t)FD_CLOEXEC << 32, 11));
    p.Add(At(k++, PT_EV_FCNTL, 3, 0, F_SETFD, 11));
    p.Add(At(k++, PT_EV_FCNTL, 3, 2048, F_GETFL, 11));
    p.Add(At(k++, PT_EV_FCNTL, 3, 10, F_DUPFD_CLOEXEC | (uint64_t)10 << 32, 11));
    p.Add(At(k++, PT_EV_FCNTL, 3, 65536, F_SETPIPE_SZ | (uint64_t)65536 << 32, 11));
    p.Add(Failed(At(k++, PT_EV_FCNTL, 3, 0, 9999 | (uint64_t)7 << 32, 11), EINVAL));
    p.Add(Kind(At(k++, PT_EV_OPEN, 11, 11, O_WRONLY | O_NONBLOCK, 14), PT_OBJ_FIFO, WR),
          Strings({"/tmp/fifo"}));
    p.Add(Failed(At(k++, PT_EV_OPEN, -1, 0, O_RDONLY), ENOENT));
    p.Add(At(k++, PT_EV_MKFIFO, -1, 0, 0), Strings({"/tmp/fifo"}));
    p.Add(Failed(At(k++, PT_EV_MKFIFO, -1, 0, 0), EEXIST), Strings({"/tmp/fifo"}));
    // moving bytes
    p.Add(Kind(At(k++, PT_EV_READ, 3, 6, 4096, 11), PT_OBJ_PIPE, RD), Text("hello\n"));
    p.Add(Kind(Begun(At(k++, PT_EV_READ, 3, 0, 4096, 11)), PT_OBJ_PIPE, RD));
    p.Add(Kind(Failed(At(k++, PT_EV_READ, 5, 0, 4096, 12), EAGAIN), PT_OBJ_PIPE, RD));
    p.Add(At(k++, PT_EV_READV, 3, 4, 100, 11), Text("\x01\x02\"\\"));
    p.Add(At(k++, PT_EV_READ_CHK, 3, 0, 10, 11));
    p.Add(At(k++, PT_EV_STDIO_READ, 3, 3, 4096, 11), Text("abc"));
    p.Add(Kind(At(k++, PT_EV_WRITE, 4, 40, 40, 11), PT_OBJ_PIPE, WR),
          Text("0123456789012345678901234567890123456789"));
    p.Add(Kind(Begun(At(k++, PT_EV_WRITE, 4, 0, 5, 11)), PT_OBJ_PIPE, WR), Text("hello"));
    p.Add(At(k++, PT_EV_WRITEV, 4, 5, 5, 11), Text("a\tb\nc"));
    p.Add(Begun(At(k++, PT_EV_STDIO_WRITE, 4, 0, 3, 11)), Text("xyz"));
    p.Add(At(k++, PT_EV_WRITE, 4, 100000, 100000, 11), Text("only this"));
    p.Add(Kind(At(k++, PT_EV_WRITE, 1, 2, 2, 0), PT_OBJ_DEVICE), Text("ok"));
    // closing
    p.Add(At(k++, PT_EV_CLOSE, 3, 0, 0, 11));
    p.Add(Failed(At(k++, PT_EV_CLOSE, 3, 0, 0), EBADF));
    p.Add(At(k++, PT_EV_CLOSE_RANGE, 3, 0, 10));
    p.Add(At(k++, PT_EV_CLOSE_RANGE, 3, 0, 0xffffffffu | (uint64_t)4 << 32));
    // processes
    p.Add(At(k++, PT_EV_FORK, -1, 601, 0));
    p.Add(Begun(At(k++, PT_EV_FORK, -1, 0, 0)));
    p.Add(At(k++, PT_EV_VFORK, -1, 602, 0));
    p.Add(At(k++, PT_EV_SPAWN, -1, 603, 0), Strings({"/bin/echo", "echo", "a b"}));
    p.Add(Failed(At(k++, PT_EV_SPAWN, -1, 0, 0), ENOENT), Strings({"/nope"}));
    p.Add(Failed(At(k++, PT_EV_EXEC, -1, 0, 0), ENOENT), Strings({"/nope", "nope", "-x"}));
    p.Add(Failed(At(k++, PT_EV_EXEC, -1, 0, 0), EFAULT));
    p.Add(At(k++, PT_EV_WAIT, -1, 601, 3 << 8));
    p.Add(At(k++, PT_EV_WAIT, -1, 602, SIGPIPE));
    p.Add(At(k++, PT_EV_WAIT, -1, 603, 0x57f));
    p.Add(Begun(At(k++, PT_EV_WAIT, -1, 0, 0)));
    p.Add(Failed(At(k++, PT_EV_WAIT, -1, 0, 0), ECHILD));
    p.Add(Kind(At(k++, PT_EV_POPEN, 6, 0, O_CLOEXEC, 15), PT_OBJ_PIPE, RD), Strings({"ls -l"}));
    p.Add(At(k++, PT_EV_POPEN, -1, 0, 0));
    p.Add(At(k++, PT_EV_PCLOSE, 6, 1 << 8, 604, 15));
    p.Add(Begun(At(k++, PT_EV_PCLOSE, 6, 0, 605, 15)));
    p.Add(Failed(At(k++, PT_EV_PCLOSE, 6, 0, 0, 15), ECHILD));
    p.Add(At(k++, PT_EV_SYSTEM, -1, 0, 0), Strings({"true"}));
    p.Add(Begun(At(k++, PT_EV_SYSTEM, -1, 0, 0)), Strings({"sleep 9"}));
    p.Add(At(k++, PT_EV_UNTRACED_CHILD, -1, 606, PT_UNTRACED_STATIC), Strings({"/bin/static"}));
    p.Add(At(k++, PT_EV_UNTRACED_CHILD, -1, 0, 77));
    p.Add(Failed(At(k++, PT_EV_UNTRACED_CHILD, -1, 0, PT_UNTRACED_FAILED | (uint64_t)28 << 32),
                 ENOENT),
          Strings({"/bin/x"}));
    // waits for readiness
    std::vector<pt_wait_fd> set = {{3, POLLIN, POLLIN}, {-1, POLLIN, 0}, {5, POLLOUT, 0}};
    std::vector<pt_wait_fd> hup = {{3, POLLIN, POLLIN | POLLHUP}, {8, POLLIN | POLLPRI, 0}};
    p.Add(At(k++, PT_EV_POLL, -1, 1, (uint64_t)-1), WaitPayload(PT_WAIT_CALL_POLL, 0, 3, 3, set));
    p.Add(Begun(At(k++, PT_EV_POLL, -1, 0, 5000)), WaitPayload(PT_WAIT_CALL_PPOLL, 0, 3, 3, set));
    p.Add(At(k++, PT_EV_POLL, -1, 0, 0), WaitPayload(PT_WAIT_CALL_POLL, 0, 3, 3, set));
    p.Add(At(k++, PT_EV_POLL, -1, 1, 10), WaitPayload(PT_WAIT_CALL_POLL, 0, 300, 300, hup));
    p.Add(Failed(At(k++, PT_EV_POLL, -1, 0, (uint64_t)-1), EFAULT),
          WaitPayload<pt_wait_fd>(PT_WAIT_CALL_POLL, PT_WAITF_UNREAD, 1, 1, {}));
    p.Add(Failed(At(k++, PT_EV_POLL, -1, 0, (uint64_t)-1), EINTR),
          WaitPayload(PT_WAIT_CALL_POLL, 0, 2, 2, hup));
    p.Add(At(k++, PT_EV_POLL, -1, 0, 0), Text("abc"));
    std::vector<pt_wait_fd> sel = {
        {3, POLLIN, POLLIN}, {4, POLLOUT, POLLOUT}, {6, POLLIN | POLLPRI, 0}};
    p.Add(At(k++, PT_EV_SELECT, -1, 2, 1500), WaitPayload(PT_WAIT_CALL_SELECT, 0, 7, 3, sel));
    p.Add(Begun(At(k++, PT_EV_SELECT, -1, 0, (uint64_t)-1)),
          WaitPayload(PT_WAIT_CALL_PSELECT,
                      PT_WAITF_NO_WRITE | PT_WAITF_NO_EXCEPT | PT_WAITF_SIGMASK, 4, 1,
                      std::vector<pt_wait_fd>{{3, POLLIN, 0}}));
    p.Add(At(k++, PT_EV_SELECT, -1, 0, 0), WaitPayload(PT_WAIT_CALL_SELECT, 0, 7, 3, sel));
    p.Add(Failed(At(k++, PT_EV_SELECT, -1, 0, (uint64_t)PT_TIMEOUT_UNKNOWN), EFAULT),
          WaitPayload<pt_wait_fd>(PT_WAIT_CALL_SELECT, PT_WAITF_UNREAD, 4, 0, {}));
    p.Add(Kind(At(k++, PT_EV_EPOLL_CREATE, -1, 9, EPOLL_CLOEXEC), PT_OBJ_EPOLL));
    p.Add(Kind(At(k++, PT_EV_EPOLL_CREATE, -1, 10, 0), PT_OBJ_EPOLL));
    p.Add(Failed(At(k++, PT_EV_EPOLL_CREATE, -1, 0, 0x1), EINVAL));
    p.Add(Kind(At(k++, PT_EV_EPOLL_CTL, 9, 0, 0), PT_OBJ_EPOLL),
          EpollCtlPayload(EPOLL_CTL_ADD, 3, EPOLLIN | EPOLLET, 3));
    p.Add(Kind(At(k++, PT_EV_EPOLL_CTL, 9, 0, 0), PT_OBJ_EPOLL),
          EpollCtlPayload(EPOLL_CTL_DEL, 3, 0, 0, PT_EPOLLF_NO_EVENT));
    p.Add(Kind(Failed(At(k++, PT_EV_EPOLL_CTL, 9, 0, 0), EBADF), PT_OBJ_EPOLL),
          EpollCtlPayload(99, 42, 0, 0, PT_EPOLLF_NO_EVENT));
    p.Add(Kind(At(k++, PT_EV_EPOLL_CTL, 9, 0, 0), PT_OBJ_EPOLL), Text("short"));
    std::vector<pt_wait_epoll_event> ready = {{EPOLLIN, 0, 3},
                                              {EPOLLIN | EPOLLHUP, 0, 0x7f0012345678}};
    p.Add(Kind(At(k++, PT_EV_EPOLL_WAIT, 9, 2, (uint64_t)-1), PT_OBJ_EPOLL),
          WaitPayload(PT_WAIT_CALL_EPOLL_WAIT, 0, 16, 2, ready));
    p.Add(Kind(Begun(At(k++, PT_EV_EPOLL_WAIT, 9, 0, 250)), PT_OBJ_EPOLL),
          WaitPayload<pt_wait_epoll_event>(PT_WAIT_CALL_EPOLL_PWAIT2, PT_WAITF_SIGMASK, 16, 0, {}));
    p.Add(Kind(At(k++, PT_EV_EPOLL_WAIT, 9, 0, 0), PT_OBJ_EPOLL),
          WaitPayload<pt_wait_epoll_event>(PT_WAIT_CALL_EPOLL_WAIT, 0, 16, 0, {}));
    p.Add(Kind(At(k++, PT_EV_EPOLL_WAIT, 9, 200, 0), PT_OBJ_EPOLL),
          WaitPayload(PT_WAIT_CALL_EPOLL_PWAIT, 0, 1024, 200, ready));
    p.Add(Kind(Failed(At(k++, PT_EV_EPOLL_WAIT, 9, 0, 0), EINVAL), PT_OBJ_EPOLL),
          WaitPayload<pt_wait_epoll_event>(PT_WAIT_CALL_EPOLL_WAIT, 0, 0, 0, {}));
    // signals sent: arg = target | signal << 32
    p.Add(At(k++, PT_EV_KILL, -1, 0, 601 | (uint64_t)SIGKILL << 32));
    p.Add(At(k++, PT_EV_KILL, -1, 0, (uint32_t)-600 | (uint64_t)SIGTERM << 32));
    p.Add(Failed(At(k++, PT_EV_KILL, -1, 0, 99999 | (uint64_t)SIGTERM << 32), ESRCH));
    p.Add(Begun(At(k++, PT_EV_KILL, -1, 0, 600 | (uint64_t)77 << 32)));
    // a type this version does not know
    p.Add(At(k++, 60, 3, 1, 77, 11), Text("raw"));
    p.Add(Begun(At(k++, 60, 3, 0, 78, 11)));
    p.Add(At(k++, PT_EV_EXIT, -1, 0, 3));
    EXPECT_TRUE(p.WriteTo(dir));

    tb::TraceBuilder child(601, 600, kStart + 500, {"prog"});
    child.header().flags |= PT_HDR_FORK_CHILD;
    pt_record exec = Rec(PT_EV_EXEC, 601, -1, kStart + 100000, 0, 0);
    child.Add(Begun(exec), Strings({"/bin/true", "true"}));
    EXPECT_TRUE(child.WriteTo(dir));
    return dir;
}

std::string Dump(const std::string &dir, const std::string &how) {
    harness::RunResult r = harness::Run({harness::CliPath(), "dump", how, dir});
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    return r.out;
}

const char kText[] =
    R"TEXT(# process 600 image 600.0 ppid 1: prog "every type" (exe /usr/bin/prog) stdio=hooked data=64
# process 601 image 601.0 ppid 600: prog (exe /usr/bin/prog) stdio=hooked data=64 fork-child
[600] 0.000000 inherited_fd(0<pipe:[10]>, O_RDONLY|O_NONBLOCK)
[600] 0.000001 inherited_fd(1)
[600] 0.000002 module(0x400000, "/usr/bin/prog", build_id=a0a1a2a3)
[600] 0.000003 module(0x7f0000)
[600] 0.000004 callsite(@144, 0x401234 "main"+0x34, module=0x400000)
[600] 0.000005 callsite(@208, 0x401234, module=0x400000)
[600] 0.000006 callsite(@272)
[600] 0.000007 coverage(stdio=unhooked)
[600] 0.000008 pipe([3<pipe:[11]>, 4<pipe:[11]>]) = 0
[600] 0.000009 pipe(<unfinished ...>) = ?
[600] 0.000010 pipe2([5<pipe:[12]>, 6<pipe:[12]>], O_NONBLOCK|O_CLOEXEC) = 0
[600] 0.000011 pipe2(?, O_CLOEXEC|0x40000000) = -1 EMFILE (Too many open files)
[600] 0.000012 socketpair([7<socket:[13]>, 8<socket:[13]>]) = 0
[600] 0.000013 pipe(?) = 0
[600] 0.000014 dup(4<pipe:[11]>) = 9
[600] 0.000015 dup2(4<pipe:[11]>, 1) = 1
[600] 0.000016 dup3(4<pipe:[11]>, 2, O_CLOEXEC) = 2
[600] 0.000017 dup2(99, 1) = -1 EBADF (Bad file descriptor)
[600] 0.000018 fcntl(3<pipe:[11]>, F_SETFL, O_NONBLOCK) = 0
[600] 0.000019 fcntl(3<pipe:[11]>, F_SETFD, FD_CLOEXEC) = 0
[600] 0.000020 fcntl(3<pipe:[11]>, F_SETFD, 0) = 0
[600] 0.000021 fcntl(3<pipe:[11]>, F_GETFL) = 2048
[600] 0.000022 fcntl(3<pipe:[11]>, F_DUPFD_CLOEXEC, 10) = 10
[600] 0.000023 fcntl(3<pipe:[11]>, F_SETPIPE_SZ, 65536) = 65536
[600] 0.000024 fcntl(3<pipe:[11]>, 9999, 7) = -1 EINVAL (Invalid argument)
[600] 0.000025 open("/tmp/fifo", O_WRONLY|O_NONBLOCK) = 11
[600] 0.000026 open(?, O_RDONLY) = -1 ENOENT (No such file or directory)
[600] 0.000027 mkfifo("/tmp/fifo") = 0
[600] 0.000028 mkfifo("/tmp/fifo") = -1 EEXIST (File exists)
[600] 0.000029 read(3<pipe:[11]>, "hello\n", 4096) = 6
[600] 0.000030 read(3<pipe:[11]>, <unfinished ...>) = ?
[600] 0.000031 read(5<pipe:[12]>, "", 4096) = -1 EAGAIN (Resource temporarily unavailable)
[600] 0.000032 readv(3<pipe:[11]>, "\x01\x02\"\\", 100) = 4
[600] 0.000033 __read_chk(3<pipe:[11]>, "", 10) = 0
[600] 0.000034 read(3<pipe:[11]>, "abc", 4096) = 3 [stdio]
[600] 0.000035 write(4<pipe:[11]>, "01234567890123456789012345678901"..., 40) = 40
[600] 0.000036 write(4<pipe:[11]>, "hello", 5 <unfinished ...>) = ?
[600] 0.000037 writev(4<pipe:[11]>, "a\tb\nc", 5) = 5
[600] 0.000038 write(4<pipe:[11]>, "xyz", 3 <unfinished ...>) = ? [stdio]
[600] 0.000039 write(4<pipe:[11]>, "only this"..., 100000) = 100000
[600] 0.000040 write(1<chr:0:14>, "ok", 2) = 2
[600] 0.000041 close(3<pipe:[11]>) = 0
[600] 0.000042 close(3) = -1 EBADF (Bad file descriptor)
[600] 0.000043 close_range(3, 10, 0) = 0
[600] 0.000044 close_range(3, 4294967295, 0x4) = 0
[600] 0.000045 fork() = 601
[600] 0.000046 fork(<unfinished ...>) = ?
[600] 0.000047 vfork() = 602
[600] 0.000048 posix_spawn("/bin/echo", ["echo", "a b"]) = 603
[600] 0.000049 posix_spawn("/nope", []) = -1 ENOENT (No such file or directory)
[600] 0.000050 execve("/nope", ["nope", "-x"]) = -1 ENOENT (No such file or directory)
[600] 0.000051 execve(?) = -1 EFAULT (Bad address)
[600] 0.000052 wait([{WIFEXITED(s) && WEXITSTATUS(s) == 3}]) = 601
[600] 0.000053 wait([{WIFSIGNALED(s) && WTERMSIG(s) == SIGPIPE}]) = 602
[600] 0.000054 wait([0x57f]) = 603
[600] 0.000055 wait(<unfinished ...>) = ?
[600] 0.000056 wait([{WIFEXITED(s) && WEXITSTATUS(s) == 0}]) = -1 ECHILD (No child processes)
[600] 0.000057 popen("ls -l", 6<pipe:[15]>) = 0
[600] 0.000058 popen(?, -1) = 0
[600] 0.000059 pclose(6<pipe:[15]>) = [{WIFEXITED(s) && WEXITSTATUS(s) == 1}]
[600] 0.000060 pclose(6<pipe:[15]> <unfinished ...>) = ?
[600] 0.000061 pclose(6<pipe:[15]>) = -1 ECHILD (No child processes)
[600] 0.000062 system("true") = [{WIFEXITED(s) && WEXITSTATUS(s) == 0}]
[600] 0.000063 system("sleep 9" <unfinished ...>) = ?
[600] 0.000064 untraced_child("/bin/static", static)
[600] 0.000065 untraced_child(?, 77)
[600] 0.000066 untraced_child("/bin/x", failed)
[600] 0.000067 poll([{fd=3, events=POLLIN}, {fd=-1, events=POLLIN}, {fd=5, events=POLLOUT}], 3, -1) = 1 ([{fd=3, revents=POLLIN}])
[600] 0.000068 poll([{fd=3, events=POLLIN}, {fd=-1, events=POLLIN}, {fd=5, events=POLLOUT}], 3, 5000 <unfinished ...>) = ?
[600] 0.000069 poll([{fd=3, events=POLLIN}, {fd=-1, events=POLLIN}, {fd=5, events=POLLOUT}], 3, 0) = 0 (Timeout)
[600] 0.000070 poll([{fd=3, events=POLLIN}, {fd=8, events=POLLIN|POLLPRI}, ...], 300, 10) = 1 ([{fd=3, revents=POLLIN|POLLHUP}, ...])
[600] 0.000071 poll(?, 1, -1) = -1 EFAULT (Bad address)
[600] 0.000072 poll([{fd=3, events=POLLIN}, {fd=8, events=POLLIN|POLLPRI}], 2, -1) = -1 EINTR (Interrupted system call)
[600] 0.000073 poll(?, 0) = 0
[600] 0.000074 select(7, [3 6], [4], [6], 1500) = 2 (in [3], out [4])
[600] 0.000075 select(4, [3], NULL, NULL, -1 <unfinished ...>) = ?
[600] 0.000076 select(7, [3 6], [4], [6], 0) = 0 (Timeout)
[600] 0.000077 select(4, ?, ?, ?, -2) = -1 EFAULT (Bad address)
[600] 0.000078 epoll_create(EPOLL_CLOEXEC) = 9
[600] 0.000079 epoll_create(0) = 10
[600] 0.000080 epoll_create(0x1) = -1 EINVAL (Invalid argument)
[600] 0.000081 epoll_ctl(9<anon_inode:[eventpoll]>, EPOLL_CTL_ADD, 3, {events=EPOLLIN|EPOLLET, data=0x3}) = 0
[600] 0.000082 epoll_ctl(9<anon_inode:[eventpoll]>, EPOLL_CTL_DEL, 3, ?) = 0
[600] 0.000083 epoll_ctl(9<anon_inode:[eventpoll]>, 99, 42, ?) = -1 EBADF (Bad file descriptor)
[600] 0.000084 epoll_ctl(9<anon_inode:[eventpoll]>, ?) = 0
[600] 0.000085 epoll_wait(9<anon_inode:[eventpoll]>, [{events=EPOLLIN, data=0x3}, {events=EPOLLIN|EPOLLHUP, data=0x7f0012345678}], 16, -1) = 2
[600] 0.000086 epoll_wait(9<anon_inode:[eventpoll]>, <unfinished ...>) = ?
[600] 0.000087 epoll_wait(9<anon_inode:[eventpoll]>, [], 16, 0) = 0
[600] 0.000088 epoll_wait(9<anon_inode:[eventpoll]>, [{events=EPOLLIN, data=0x3}, {events=EPOLLIN|EPOLLHUP, data=0x7f0012345678}, ...], 1024, 0) = 200
[600] 0.000089 epoll_wait(9<anon_inode:[eventpoll]>, ?, 0, 0) = -1 EINVAL (Invalid argument)
[600] 0.000090 kill(601, SIGKILL) = 0
[600] 0.000091 kill(-600, SIGTERM) = 0
[600] 0.000092 kill(99999, SIGTERM) = -1 ESRCH (No such process)
[600] 0.000093 kill(600, 77 <unfinished ...>) = ?
[600] 0.000094 unknown(60)(3<pipe:[11]>, 77) = 1
[600] 0.000095 unknown(60)(3<pipe:[11]>, 78 <unfinished ...>) = ?
[600] 0.000096 exit(3) = ?
[601] 0.000100 execve("/bin/true", ["true"]) = 0
)TEXT";

TEST(DumpEveryType, Text) {
    std::string dir = EveryType();
    EXPECT_EQ(Dump(dir, "-v"), kText);
}

const char kJson[] =
    R"JSON({"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000000000,"t_start_ns":1000000000,"t_end_ns":1000000010,"call":"inherited_fd","fd":0,"object":{"kind":"pipe","ino":10,"dev":14},"fd_flags":["O_RDONLY","O_NONBLOCK"],"arg":0,"result":0,"errno":null,"state":"done"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000001000,"t_start_ns":1000001000,"t_end_ns":1000001010,"call":"inherited_fd","fd":1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":0,"errno":null,"state":"done"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000002000,"t_start_ns":1000002000,"t_end_ns":1000002010,"call":"module","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":4194304,"result":0,"errno":null,"state":"done","base":4194304,"path":"/usr/bin/prog","build_id":"a0a1a2a3"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000003000,"t_start_ns":1000003000,"t_end_ns":1000003010,"call":"module","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":8323072,"result":0,"errno":null,"state":"done"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000004000,"t_start_ns":1000004000,"t_end_ns":1000004010,"call":"callsite","fd":3,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":144,"result":0,"errno":null,"state":"done","record_offset":144,"addr":4198964,"module_base":4194304,"symbol":"main","symbol_addr":4198912}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000005000,"t_start_ns":1000005000,"t_end_ns":1000005010,"call":"callsite","fd":3,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":208,"result":0,"errno":null,"state":"done","record_offset":208,"addr":4198964,"module_base":4194304,"symbol":"","symbol_addr":0}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000006000,"t_start_ns":1000006000,"t_end_ns":1000006010,"call":"callsite","fd":3,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":272,"result":0,"errno":null,"state":"done","record_offset":272}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000007000,"t_start_ns":1000007000,"t_end_ns":1000007010,"call":"coverage","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":4,"result":0,"errno":null,"state":"done","stdio":"unhooked"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000008000,"t_start_ns":1000008000,"t_end_ns":1000008010,"call":"pipe","fd":3,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":0,"result":0,"errno":null,"state":"done","fds":[3,4],"inos":[11,11],"flags":[]}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000009000,"t_start_ns":1000009000,"t_end_ns":null,"call":"pipe","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":null,"errno":null,"state":"unfinished","fds":null,"flags":[]}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000010000,"t_start_ns":1000010000,"t_end_ns":1000010010,"call":"pipe2","fd":5,"object":{"kind":"pipe","ino":12,"dev":14},"fd_flags":null,"arg":526336,"result":0,"errno":null,"state":"done","fds":[5,6],"inos":[12,12],"flags":["O_NONBLOCK","O_CLOEXEC"]}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000011000,"t_start_ns":1000011000,"t_end_ns":1000011010,"call":"pipe2","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":1074266112,"result":-24,"errno":"EMFILE","state":"done","fds":null,"flags":["O_CLOEXEC","0x40000000"]}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000012000,"t_start_ns":1000012000,"t_end_ns":1000012010,"call":"socketpair","fd":7,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":0,"errno":null,"state":"done","fds":[7,8],"inos":[13,13],"flags":[]}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000013000,"t_start_ns":1000013000,"t_end_ns":1000013010,"call":"pipe","fd":3,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":0,"result":0,"errno":null,"state":"done","fds":null,"flags":[]}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000014000,"t_start_ns":1000014000,"t_end_ns":1000014010,"call":"dup","fd":4,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":0,"result":9,"errno":null,"state":"done"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000015000,"t_start_ns":1000015000,"t_end_ns":1000015010,"call":"dup2","fd":4,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":1,"result":1,"errno":null,"state":"done","newfd":1}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000016000,"t_start_ns":1000016000,"t_end_ns":1000016010,"call":"dup3","fd":4,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":2251799813685250,"result":2,"errno":null,"state":"done","newfd":2,"flags":["O_CLOEXEC"]}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000017000,"t_start_ns":1000017000,"t_end_ns":1000017010,"call":"dup2","fd":99,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":1,"result":-9,"errno":"EBADF","state":"done","newfd":1}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000018000,"t_start_ns":1000018000,"t_end_ns":1000018010,"call":"fcntl","fd":3,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":8796093022212,"result":0,"errno":null,"state":"done","cmd":"F_SETFL","value":2048,"flags":["O_NONBLOCK"]}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000019000,"t_start_ns":1000019000,"t_end_ns":1000019010,"call":"fcntl","fd":3,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":4294967298,"result":0,"errno":null,"state":"done","cmd":"F_SETFD","value":1}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000020000,"t_start_ns":1000020000,"t_end_ns":1000020010,"call":"fcntl","fd":3,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":2,"result":0,"errno":null,"state":"done","cmd":"F_SETFD","value":0}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000021000,"t_start_ns":1000021000,"t_end_ns":1000021010,"call":"fcntl","fd":3,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":3,"result":2048,"errno":null,"state":"done","cmd":"F_GETFL","value":0}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000022000,"t_start_ns":1000022000,"t_end_ns":1000022010,"call":"fcntl","fd":3,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":42949673990,"result":10,"errno":null,"state":"done","cmd":"F_DUPFD_CLOEXEC","value":10}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000023000,"t_start_ns":1000023000,"t_end_ns":1000023010,"call":"fcntl","fd":3,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":281474976711687,"result":65536,"errno":null,"state":"done","cmd":"F_SETPIPE_SZ","value":65536}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000024000,"t_start_ns":1000024000,"t_end_ns":1000024010,"call":"fcntl","fd":3,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":30064781071,"result":-22,"errno":"EINVAL","state":"done","cmd":9999,"value":7}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000025000,"t_start_ns":1000025000,"t_end_ns":1000025010,"call":"open","fd":11,"object":{"kind":"fifo","ino":14,"dev":14},"fd_flags":["O_WRONLY"],"arg":2049,"result":11,"errno":null,"state":"done","path":"/tmp/fifo","flags":["O_WRONLY","O_NONBLOCK"]}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000026000,"t_start_ns":1000026000,"t_end_ns":1000026010,"call":"open","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":-2,"errno":"ENOENT","state":"done","path":null,"flags":["O_RDONLY"]}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000027000,"t_start_ns":1000027000,"t_end_ns":1000027010,"call":"mkfifo","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":0,"errno":null,"state":"done","path":"/tmp/fifo"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000028000,"t_start_ns":1000028000,"t_end_ns":1000028010,"call":"mkfifo","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":-17,"errno":"EEXIST","state":"done","path":"/tmp/fifo"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000029000,"t_start_ns":1000029000,"t_end_ns":1000029010,"call":"read","fd":3,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":["O_RDONLY"],"arg":4096,"result":6,"errno":null,"state":"done","data":"hello\n","data_len":6,"data_cut":false}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000030000,"t_start_ns":1000030000,"t_end_ns":null,"call":"read","fd":3,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":["O_RDONLY"],"arg":4096,"result":null,"errno":null,"state":"unfinished","data":"","data_len":0,"data_cut":false}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000031000,"t_start_ns":1000031000,"t_end_ns":1000031010,"call":"read","fd":5,"object":{"kind":"pipe","ino":12,"dev":14},"fd_flags":["O_RDONLY"],"arg":4096,"result":-11,"errno":"EAGAIN","state":"done","data":"","data_len":0,"data_cut":false}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000032000,"t_start_ns":1000032000,"t_end_ns":1000032010,"call":"readv","fd":3,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":100,"result":4,"errno":null,"state":"done","data":"\u0001\u0002\"\\","data_len":4,"data_cut":false}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000033000,"t_start_ns":1000033000,"t_end_ns":1000033010,"call":"__read_chk","fd":3,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":10,"result":0,"errno":null,"state":"done","data":"","data_len":0,"data_cut":false}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000034000,"t_start_ns":1000034000,"t_end_ns":1000034010,"call":"read","via":"stdio","fd":3,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":4096,"result":3,"errno":null,"state":"done","data":"abc","data_len":3,"data_cut":false}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000035000,"t_start_ns":1000035000,"t_end_ns":1000035010,"call":"write","fd":4,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":["O_WRONLY"],"arg":40,"result":40,"errno":null,"state":"done","data":"0123456789012345678901234567890123456789","data_len":40,"data_cut":false}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000036000,"t_start_ns":1000036000,"t_end_ns":null,"call":"write","fd":4,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":["O_WRONLY"],"arg":5,"result":null,"errno":null,"state":"unfinished","data":"hello","data_len":5,"data_cut":false}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000037000,"t_start_ns":1000037000,"t_end_ns":1000037010,"call":"writev","fd":4,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":5,"result":5,"errno":null,"state":"done","data":"a\tb\nc","data_len":5,"data_cut":false}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000038000,"t_start_ns":1000038000,"t_end_ns":null,"call":"write","via":"stdio","fd":4,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":3,"result":null,"errno":null,"state":"unfinished","data":"xyz","data_len":3,"data_cut":false}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000039000,"t_start_ns":1000039000,"t_end_ns":1000039010,"call":"write","fd":4,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":100000,"result":100000,"errno":null,"state":"done","data":"only this","data_len":9,"data_cut":true}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000040000,"t_start_ns":1000040000,"t_end_ns":1000040010,"call":"write","fd":1,"object":{"kind":"device","ino":0,"dev":14},"fd_flags":null,"arg":2,"result":2,"errno":null,"state":"done","data":"ok","data_len":2,"data_cut":false}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000041000,"t_start_ns":1000041000,"t_end_ns":1000041010,"call":"close","fd":3,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":0,"result":0,"errno":null,"state":"done"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000042000,"t_start_ns":1000042000,"t_end_ns":1000042010,"call":"close","fd":3,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":-9,"errno":"EBADF","state":"done"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000043000,"t_start_ns":1000043000,"t_end_ns":1000043010,"call":"close_range","fd":3,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":10,"result":0,"errno":null,"state":"done","last":10,"range_flags":0}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000044000,"t_start_ns":1000044000,"t_end_ns":1000044010,"call":"close_range","fd":3,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":21474836479,"result":0,"errno":null,"state":"done","last":4294967295,"range_flags":4}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000045000,"t_start_ns":1000045000,"t_end_ns":1000045010,"call":"fork","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":601,"errno":null,"state":"done","child":601}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000046000,"t_start_ns":1000046000,"t_end_ns":null,"call":"fork","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":null,"errno":null,"state":"unfinished","child":null}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000047000,"t_start_ns":1000047000,"t_end_ns":1000047010,"call":"vfork","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":602,"errno":null,"state":"done","child":602}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000048000,"t_start_ns":1000048000,"t_end_ns":1000048010,"call":"posix_spawn","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":603,"errno":null,"state":"done","child":603,"path":"/bin/echo","argv":["echo","a b"]}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000049000,"t_start_ns":1000049000,"t_end_ns":1000049010,"call":"posix_spawn","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":-2,"errno":"ENOENT","state":"done","child":null,"path":"/nope","argv":[]}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000050000,"t_start_ns":1000050000,"t_end_ns":1000050010,"call":"execve","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":-2,"errno":"ENOENT","state":"done","path":"/nope","argv":["nope","-x"]}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000051000,"t_start_ns":1000051000,"t_end_ns":1000051010,"call":"execve","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":-14,"errno":"EFAULT","state":"done","path":null,"argv":[]}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000052000,"t_start_ns":1000052000,"t_end_ns":1000052010,"call":"wait","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":768,"result":601,"errno":null,"state":"done","status":768}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000053000,"t_start_ns":1000053000,"t_end_ns":1000053010,"call":"wait","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":13,"result":602,"errno":null,"state":"done","status":13}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000054000,"t_start_ns":1000054000,"t_end_ns":1000054010,"call":"wait","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":1407,"result":603,"errno":null,"state":"done","status":1407}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000055000,"t_start_ns":1000055000,"t_end_ns":null,"call":"wait","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":null,"errno":null,"state":"unfinished","status":null}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000056000,"t_start_ns":1000056000,"t_end_ns":1000056010,"call":"wait","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":-10,"errno":"ECHILD","state":"done","status":null}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000057000,"t_start_ns":1000057000,"t_end_ns":1000057010,"call":"popen","fd":6,"object":{"kind":"pipe","ino":15,"dev":14},"fd_flags":["O_RDONLY"],"arg":524288,"result":0,"errno":null,"state":"done","command":"ls -l"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000058000,"t_start_ns":1000058000,"t_end_ns":1000058010,"call":"popen","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":0,"errno":null,"state":"done","command":null}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000059000,"t_start_ns":1000059000,"t_end_ns":1000059010,"call":"pclose","fd":6,"object":{"kind":"pipe","ino":15,"dev":14},"fd_flags":null,"arg":604,"result":256,"errno":null,"state":"done","child":604,"status":256}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000060000,"t_start_ns":1000060000,"t_end_ns":null,"call":"pclose","fd":6,"object":{"kind":"pipe","ino":15,"dev":14},"fd_flags":null,"arg":605,"result":null,"errno":null,"state":"unfinished","child":605,"status":null}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000061000,"t_start_ns":1000061000,"t_end_ns":1000061010,"call":"pclose","fd":6,"object":{"kind":"pipe","ino":15,"dev":14},"fd_flags":null,"arg":0,"result":-10,"errno":"ECHILD","state":"done","child":0,"status":null}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000062000,"t_start_ns":1000062000,"t_end_ns":1000062010,"call":"system","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":0,"errno":null,"state":"done","command":"true"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000063000,"t_start_ns":1000063000,"t_end_ns":null,"call":"system","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":null,"errno":null,"state":"unfinished","command":"sleep 9"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000064000,"t_start_ns":1000064000,"t_end_ns":1000064010,"call":"untraced_child","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":1,"result":606,"errno":null,"state":"done","path":"/bin/static","reason":"static"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000065000,"t_start_ns":1000065000,"t_end_ns":1000065010,"call":"untraced_child","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":77,"result":0,"errno":null,"state":"done","path":null,"reason":77}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000066000,"t_start_ns":1000066000,"t_end_ns":1000066010,"call":"untraced_child","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":120259084294,"result":-2,"errno":"ENOENT","state":"done","path":"/bin/x","reason":"failed"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000067000,"t_start_ns":1000067000,"t_end_ns":1000067010,"call":"poll","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":18446744073709551615,"result":1,"errno":null,"state":"done","set":[{"fd":3,"events":["POLLIN"],"revents":["POLLIN"]},{"fd":-1,"events":["POLLIN"],"revents":[]},{"fd":5,"events":["POLLOUT"],"revents":[]}],"nfds":3,"timeout_ms":-1,"count":3,"cut":false,"variant":"poll"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000068000,"t_start_ns":1000068000,"t_end_ns":null,"call":"poll","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":5000,"result":null,"errno":null,"state":"unfinished","set":[{"fd":3,"events":["POLLIN"],"revents":["POLLIN"]},{"fd":-1,"events":["POLLIN"],"revents":[]},{"fd":5,"events":["POLLOUT"],"revents":[]}],"nfds":3,"timeout_ms":5000,"count":3,"cut":false,"variant":"ppoll"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000069000,"t_start_ns":1000069000,"t_end_ns":1000069010,"call":"poll","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":0,"errno":null,"state":"done","set":[{"fd":3,"events":["POLLIN"],"revents":["POLLIN"]},{"fd":-1,"events":["POLLIN"],"revents":[]},{"fd":5,"events":["POLLOUT"],"revents":[]}],"nfds":3,"timeout_ms":0,"count":3,"cut":false,"variant":"poll"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000070000,"t_start_ns":1000070000,"t_end_ns":1000070010,"call":"poll","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":10,"result":1,"errno":null,"state":"done","set":[{"fd":3,"events":["POLLIN"],"revents":["POLLIN","POLLHUP"]},{"fd":8,"events":["POLLIN","POLLPRI"],"revents":[]}],"nfds":300,"timeout_ms":10,"count":300,"cut":true,"variant":"poll"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000071000,"t_start_ns":1000071000,"t_end_ns":1000071010,"call":"poll","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":18446744073709551615,"result":-14,"errno":"EFAULT","state":"done","set":null,"nfds":1,"timeout_ms":-1,"count":1,"cut":true,"variant":"poll"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000072000,"t_start_ns":1000072000,"t_end_ns":1000072010,"call":"poll","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":18446744073709551615,"result":-4,"errno":"EINTR","state":"done","set":[{"fd":3,"events":["POLLIN"],"revents":["POLLIN","POLLHUP"]},{"fd":8,"events":["POLLIN","POLLPRI"],"revents":[]}],"nfds":2,"timeout_ms":-1,"count":2,"cut":false,"variant":"poll"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000073000,"t_start_ns":1000073000,"t_end_ns":1000073010,"call":"poll","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":0,"errno":null,"state":"done","set":null,"timeout_ms":0}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000074000,"t_start_ns":1000074000,"t_end_ns":1000074010,"call":"select","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":1500,"result":2,"errno":null,"state":"done","nfds":7,"timeout_ms":1500,"set":[{"fd":3,"events":["POLLIN"],"revents":["POLLIN"]},{"fd":4,"events":["POLLOUT"],"revents":["POLLOUT"]},{"fd":6,"events":["POLLIN","POLLPRI"],"revents":[]}],"count":3,"cut":false,"variant":"select"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000075000,"t_start_ns":1000075000,"t_end_ns":null,"call":"select","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":18446744073709551615,"result":null,"errno":null,"state":"unfinished","nfds":4,"timeout_ms":-1,"set":[{"fd":3,"events":["POLLIN"],"revents":[]}],"count":1,"cut":false,"variant":"pselect"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000076000,"t_start_ns":1000076000,"t_end_ns":1000076010,"call":"select","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":0,"errno":null,"state":"done","nfds":7,"timeout_ms":0,"set":[{"fd":3,"events":["POLLIN"],"revents":["POLLIN"]},{"fd":4,"events":["POLLOUT"],"revents":["POLLOUT"]},{"fd":6,"events":["POLLIN","POLLPRI"],"revents":[]}],"count":3,"cut":false,"variant":"select"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000077000,"t_start_ns":1000077000,"t_end_ns":1000077010,"call":"select","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":18446744073709551614,"result":-14,"errno":"EFAULT","state":"done","nfds":4,"timeout_ms":-2,"set":null,"count":0,"cut":false,"variant":"select"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000078000,"t_start_ns":1000078000,"t_end_ns":1000078010,"call":"epoll_create","fd":-1,"object":{"kind":"epoll","ino":0,"dev":14},"fd_flags":null,"arg":524288,"result":9,"errno":null,"state":"done","flags":["O_CLOEXEC"]}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000079000,"t_start_ns":1000079000,"t_end_ns":1000079010,"call":"epoll_create","fd":-1,"object":{"kind":"epoll","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":10,"errno":null,"state":"done","flags":[]}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000080000,"t_start_ns":1000080000,"t_end_ns":1000080010,"call":"epoll_create","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":1,"result":-22,"errno":"EINVAL","state":"done","flags":["0x1"]}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000081000,"t_start_ns":1000081000,"t_end_ns":1000081010,"call":"epoll_ctl","fd":9,"object":{"kind":"epoll","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":0,"errno":null,"state":"done","op":"EPOLL_CTL_ADD","target_fd":3,"event":{"events":["EPOLLIN","EPOLLET"],"data":3}}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000082000,"t_start_ns":1000082000,"t_end_ns":1000082010,"call":"epoll_ctl","fd":9,"object":{"kind":"epoll","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":0,"errno":null,"state":"done","op":"EPOLL_CTL_DEL","target_fd":3,"event":null}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000083000,"t_start_ns":1000083000,"t_end_ns":1000083010,"call":"epoll_ctl","fd":9,"object":{"kind":"epoll","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":-9,"errno":"EBADF","state":"done","op":99,"target_fd":42,"event":null}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000084000,"t_start_ns":1000084000,"t_end_ns":1000084010,"call":"epoll_ctl","fd":9,"object":{"kind":"epoll","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":0,"errno":null,"state":"done","op":null}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000085000,"t_start_ns":1000085000,"t_end_ns":1000085010,"call":"epoll_wait","fd":9,"object":{"kind":"epoll","ino":0,"dev":14},"fd_flags":null,"arg":18446744073709551615,"result":2,"errno":null,"state":"done","events":[{"events":["EPOLLIN"],"data":3},{"events":["EPOLLIN","EPOLLHUP"],"data":139638282147448}],"maxevents":16,"timeout_ms":-1,"count":2,"cut":false,"variant":"epoll_wait"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000086000,"t_start_ns":1000086000,"t_end_ns":null,"call":"epoll_wait","fd":9,"object":{"kind":"epoll","ino":0,"dev":14},"fd_flags":null,"arg":250,"result":null,"errno":null,"state":"unfinished","events":null,"maxevents":16,"timeout_ms":250,"count":0,"cut":false,"variant":"epoll_pwait2"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000087000,"t_start_ns":1000087000,"t_end_ns":1000087010,"call":"epoll_wait","fd":9,"object":{"kind":"epoll","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":0,"errno":null,"state":"done","events":[],"maxevents":16,"timeout_ms":0,"count":0,"cut":false,"variant":"epoll_wait"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000088000,"t_start_ns":1000088000,"t_end_ns":1000088010,"call":"epoll_wait","fd":9,"object":{"kind":"epoll","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":200,"errno":null,"state":"done","events":[{"events":["EPOLLIN"],"data":3},{"events":["EPOLLIN","EPOLLHUP"],"data":139638282147448}],"maxevents":1024,"timeout_ms":0,"count":200,"cut":true,"variant":"epoll_pwait"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000089000,"t_start_ns":1000089000,"t_end_ns":1000089010,"call":"epoll_wait","fd":9,"object":{"kind":"epoll","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":-22,"errno":"EINVAL","state":"done","events":null,"maxevents":0,"timeout_ms":0,"count":0,"cut":false,"variant":"epoll_wait"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000090000,"t_start_ns":1000090000,"t_end_ns":1000090010,"call":"kill","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":38654706265,"result":0,"errno":null,"state":"done","target":601,"signal":"SIGKILL"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000091000,"t_start_ns":1000091000,"t_end_ns":1000091010,"call":"kill","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":68719476136,"result":0,"errno":null,"state":"done","target":-600,"signal":"SIGTERM"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000092000,"t_start_ns":1000092000,"t_end_ns":1000092010,"call":"kill","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":64424609439,"result":-3,"errno":"ESRCH","state":"done","target":99999,"signal":"SIGTERM"}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000093000,"t_start_ns":1000093000,"t_end_ns":null,"call":"kill","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":330712482392,"result":null,"errno":null,"state":"unfinished","target":600,"signal":77}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000094000,"t_start_ns":1000094000,"t_end_ns":1000094010,"call":"unknown(60)","fd":3,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":77,"result":1,"errno":null,"state":"done","data":"raw","data_len":3,"data_cut":false}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000095000,"t_start_ns":1000095000,"t_end_ns":null,"call":"unknown(60)","fd":3,"object":{"kind":"pipe","ino":11,"dev":14},"fd_flags":null,"arg":78,"result":null,"errno":null,"state":"unfinished","data":"","data_len":0,"data_cut":false}
{"type":"call","pid":600,"tid":600,"image":"600.0","t":0.000096000,"t_start_ns":1000096000,"t_end_ns":1000096010,"call":"exit","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":3,"result":0,"errno":null,"state":"done","status":3}
{"type":"call","pid":601,"tid":601,"image":"601.0","t":0.000100000,"t_start_ns":1000100000,"t_end_ns":null,"call":"execve","fd":-1,"object":{"kind":"unknown","ino":0,"dev":14},"fd_flags":null,"arg":0,"result":0,"errno":null,"state":"done","path":"/bin/true","argv":["true"]}
)JSON";

// The call lines (the process lines hold the file's layout, which is the
// reader's business, not the printers').
std::string CallLines(const std::string &json) {
    std::string calls;
    for (const std::string &line : harness::Lines(json))
        if (line.rfind("{\"type\":\"process\"", 0) != 0)
            calls += line + "\n";
    return calls;
}

TEST(DumpEveryType, Json) {
    std::string dir = EveryType();
    EXPECT_EQ(CallLines(Dump(dir, "--json")), kJson);
}

} // namespace
