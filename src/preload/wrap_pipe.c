/* pipe and pipe2: the birth of the objects this tool is about. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "callsite.h"
#include "fdcache.h"
#include "recorder.h"
#include "src/writer/sys.h"
#include "wrappers.h"

/* Both ends share one pipefs inode; one fstat names the pipe. */
static void learn_pipe(const int fds[2], int flags, struct pt_fdinfo *read_end) {
    struct stat st;
    read_end->ino = 0;
    read_end->dev = 0;
    if (PT_SYS3(SYS_fstat, fds[0], &st, 0) == 0) {
        read_end->ino = st.st_ino;
        read_end->dev = (uint32_t)st.st_dev;
    }
    int cloexec = (flags & O_CLOEXEC) != 0;
    read_end->kind = PT_OBJ_PIPE;
    read_end->flags = pt_fdcache_flags_from(O_RDONLY | (flags & O_NONBLOCK), cloexec);
    struct pt_fdinfo write_end = *read_end;
    write_end.flags = pt_fdcache_flags_from(O_WRONLY | (flags & O_NONBLOCK), cloexec);
    pt_fdcache_learn(fds[0], read_end);
    pt_fdcache_learn(fds[1], &write_end);
}

static void complete(struct pt_record *rec, const int fds[2], int ok, int64_t result,
                     const struct pt_fdinfo *info, uint64_t second_ino) {
    if (!rec)
        return;
    struct pt_pipe_payload *payload = (struct pt_pipe_payload *)(rec + 1);
    payload->fds[0] = ok ? fds[0] : -1;
    payload->fds[1] = ok ? fds[1] : -1;
    if (ok) {
        payload->ino[0] = info->ino;
        payload->ino[1] = second_ino;
        rec->fd = fds[0];
        rec->obj_kind = info->kind;
        rec->fd_flags = info->flags;
        rec->obj_ino = info->ino;
        rec->obj_dev = info->dev;
    }
    rec->data_len = sizeof *payload;
    pt_end(rec, result);
}

static int traced_pipe(uint8_t type, int (*real_pipe2)(int[2], int), int (*real_pipe)(int[2]),
                       int fds[2], int flags, const void *caller) {
    struct pt_call c;
    pt_enter(&c);
    c.rec = pt_begin(type, -1, NULL, (uint64_t)(unsigned)flags, sizeof(struct pt_pipe_payload));
    int r = PT_CALL(&c, real_pipe ? real_pipe(fds) : real_pipe2(fds, flags));
    struct pt_fdinfo info = {0};
    if (r == 0)
        learn_pipe(fds, flags, &info);
    complete(c.rec, fds, r == 0, pt_outcome(&c, r), &info, info.ino);
    if (r == 0)
        pt_note_callsite(c.rec, caller);
    return PT_LEAVE(&c, r);
}

PT_EXPORT int pipe(int fds[2]) {
    __auto_type real = PT_REAL(pipe);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_pipe2, fds, 0);
    return traced_pipe(PT_EV_PIPE, NULL, real, fds, 0, __builtin_return_address(0));
}

PT_EXPORT int pipe2(int fds[2], int flags) {
    __auto_type real = PT_REAL(pipe2);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_pipe2, fds, flags);
    return traced_pipe(PT_EV_PIPE2, real, NULL, fds, flags, __builtin_return_address(0));
}

/* Each end of a socket pair is a socket inode of its own. */
static void learn_socket_pair(const int fds[2], int type, struct pt_fdinfo ends[2]) {
    for (int i = 0; i < 2; i++) {
        pt_fdcache_identify(fds[i], &ends[i]);
        if (type & SOCK_CLOEXEC)
            ends[i].flags |= PT_FDF_CLOEXEC;
        pt_fdcache_learn(fds[i], &ends[i]);
    }
}

PT_EXPORT int socketpair(int domain, int type, int protocol, int fds[2]) {
    __auto_type real = PT_REAL(socketpair);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_socketpair, domain, type, protocol, fds);
    struct pt_call c;
    pt_enter(&c);
    c.rec = pt_begin(PT_EV_SOCKETPAIR, -1, NULL,
                     (uint64_t)(unsigned)domain | (uint64_t)(unsigned)type << 32,
                     sizeof(struct pt_pipe_payload));
    int r = PT_CALL(&c, real(domain, type, protocol, fds));
    struct pt_fdinfo ends[2] = {{0}, {0}};
    if (r == 0)
        learn_socket_pair(fds, type, ends);
    complete(c.rec, fds, r == 0, pt_outcome(&c, r), &ends[0], ends[1].ino);
    if (r == 0)
        pt_note_callsite(c.rec, __builtin_return_address(0));
    return PT_LEAVE(&c, r);
}

/* socket makes an fd this tool learns lazily, on first use; all it must
 * do is drop what the cache knew about a number glibc closed behind our
 * back (syslog's socket, NSS lookups) before it was reused.  (accept:
 * wrap_sock.c.) */
static int fresh_fd(int fd) {
    if (fd >= 0)
        pt_fdcache_forget(fd);
    return fd;
}

PT_EXPORT int socket(int domain, int type, int protocol) {
    __auto_type real = PT_REAL(socket);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_socket, domain, type, protocol);
    return fresh_fd(real(domain, type, protocol));
}
