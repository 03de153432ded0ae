/* The event table: one row per record type (format.h).  To add a type,
 * add its row here and its decoder in decode_*.c. */
#include "events.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "decoders.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Shorthands for the rows. */
#define IN PT_EVF_IN
#define OUT PT_EVF_OUT
#define DESC PT_EVF_DESC
#define PROC PT_EVF_PROCESS
#define META PT_EVF_META

const struct pt_event_info pt_event_rows[PT_EVENT_ROWS] = {
    /* I/O: arg = bytes asked for, result = bytes moved, payload = capture */
    [PT_EV_READ] = {"read", PT_CLASS_IO, .payload = PT_PAYLOAD_DATA, .flags = IN | DESC,
                    .decode = pt_args_io},
    [PT_EV_WRITE] = {"write", PT_CLASS_IO, .payload = PT_PAYLOAD_DATA, .flags = OUT | DESC,
                     .decode = pt_args_io},
    [PT_EV_READV] = {"readv", PT_CLASS_IO, .payload = PT_PAYLOAD_DATA, .flags = IN | DESC,
                     .decode = pt_args_io},
    [PT_EV_WRITEV] = {"writev", PT_CLASS_IO, .payload = PT_PAYLOAD_DATA, .flags = OUT | DESC,
                      .decode = pt_args_io},
    [PT_EV_READ_CHK] = {"__read_chk", PT_CLASS_IO, .payload = PT_PAYLOAD_DATA, .flags = IN | DESC,
                        .decode = pt_args_io},
    [PT_EV_STDIO_READ] = {"read", PT_CLASS_IO, .payload = PT_PAYLOAD_DATA,
                          .flags = IN | DESC | PT_EVF_STDIO, .decode = pt_args_io},
    [PT_EV_STDIO_WRITE] = {"write", PT_CLASS_IO, .payload = PT_PAYLOAD_DATA,
                           .flags = OUT | DESC | PT_EVF_STDIO, .decode = pt_args_io},

    /* socket I/O: as above, arg packs the bytes asked with MSG_* flags */
    [PT_EV_SEND] = {"send", PT_CLASS_IO, .payload = PT_PAYLOAD_DATA,
                    .flags = OUT | DESC | PT_EVF_SOCKIO, .decode = pt_args_sockio},
    [PT_EV_RECV] = {"recv", PT_CLASS_IO, .payload = PT_PAYLOAD_DATA,
                    .flags = IN | DESC | PT_EVF_SOCKIO, .decode = pt_args_sockio},
    [PT_EV_SENDMSG] = {"sendmsg", PT_CLASS_IO, .payload = PT_PAYLOAD_DATA,
                       .flags = OUT | DESC | PT_EVF_SOCKIO, .decode = pt_args_sockio},
    [PT_EV_RECVMSG] = {"recvmsg", PT_CLASS_IO, .payload = PT_PAYLOAD_DATA,
                       .flags = IN | DESC | PT_EVF_SOCKIO, .decode = pt_args_sockio},

    /* bytes moved inside the kernel: a read of one fd and a write of
     * another (xfer.h), or vmsplice's between memory and a pipe */
    [PT_EV_SPLICE] = {"splice", PT_CLASS_XFER, .payload = PT_PAYLOAD_XFER, .flags = DESC,
                      .decode = pt_args_splice},
    [PT_EV_TEE] = {"tee", PT_CLASS_XFER, .payload = PT_PAYLOAD_XFER, .flags = DESC | PT_EVF_PEEKS,
                   .decode = pt_args_tee},
    [PT_EV_VMSPLICE] = {"vmsplice", PT_CLASS_XFER, .payload = PT_PAYLOAD_DATA, .flags = DESC,
                        .decode = pt_args_vmsplice},
    [PT_EV_SENDFILE] = {"sendfile", PT_CLASS_XFER, .payload = PT_PAYLOAD_XFER, .flags = DESC,
                        .decode = pt_args_sendfile},
    [PT_EV_COPY_FILE_RANGE] = {"copy_file_range", PT_CLASS_XFER, .payload = PT_PAYLOAD_XFER,
                               .flags = DESC, .decode = pt_args_splice},

    /* making, copying, changing and closing fds */
    [PT_EV_PIPE] = {"pipe", PT_CLASS_PAIR, .payload = PT_PAYLOAD_PAIR, .makes_kind = PT_OBJ_PIPE,
                    .flags = DESC | PT_EVF_MAKES_PIPE, .decode = pt_args_pair},
    [PT_EV_PIPE2] = {"pipe2", PT_CLASS_PAIR, .payload = PT_PAYLOAD_PAIR, .flags_at = PT_FLAGS_ARG,
                     .makes_kind = PT_OBJ_PIPE, .flags = DESC | PT_EVF_MAKES_PIPE,
                     .decode = pt_args_pair},
    [PT_EV_SOCKETPAIR] = {"socketpair", PT_CLASS_PAIR, .payload = PT_PAYLOAD_PAIR,
                          .makes_kind = PT_OBJ_SOCKET, .flags = DESC, .decode = pt_args_pair},
    [PT_EV_DUP] = {"dup", PT_CLASS_DUP, .flags = DESC, .decode = pt_args_dup},
    [PT_EV_DUP2] = {"dup2", PT_CLASS_DUP, .flags = DESC, .decode = pt_args_dup2},
    [PT_EV_DUP3] = {"dup3", PT_CLASS_DUP, .flags_at = PT_FLAGS_ARG_HIGH, .flags = DESC,
                    .decode = pt_args_dup3},
    [PT_EV_FCNTL] = {"fcntl", PT_CLASS_FCNTL, .flags = DESC, .decode = pt_args_fcntl},
    [PT_EV_OPEN] = {"open", PT_CLASS_OPEN, .payload = PT_PAYLOAD_STRINGS, .flags_at = PT_FLAGS_ARG,
                    .makes_kind = PT_OBJ_FIFO, .flags = DESC | PT_EVF_MAKES_PIPE,
                    .decode = pt_args_open},
    [PT_EV_CLOSE] = {"close", PT_CLASS_CLOSE, .flags = DESC, .decode = pt_args_close},
    [PT_EV_CLOSE_RANGE] = {"close_range", PT_CLASS_CLOSE_RANGE, .flags = DESC,
                           .decode = pt_args_close_range},
    [PT_EV_CONNECT] = {"connect", PT_CLASS_CONNECT, .payload = PT_PAYLOAD_SOCKPEER, .flags = DESC,
                       .decode = pt_args_connect},
    [PT_EV_ACCEPT] = {"accept", PT_CLASS_CONNECT, .payload = PT_PAYLOAD_SOCKPEER,
                      .flags_at = PT_FLAGS_ARG, .flags = DESC, .decode = pt_args_connect},
    [PT_EV_MKFIFO] = {"mkfifo", PT_CLASS_OTHER, .payload = PT_PAYLOAD_STRINGS,
                      .decode = pt_args_mkfifo},

    /* processes */
    [PT_EV_FORK] = {"fork", PT_CLASS_FORK, .flags = PROC, .decode = pt_args_fork},
    [PT_EV_VFORK] = {"vfork", PT_CLASS_FORK, .flags = PROC, .decode = pt_args_fork},
    [PT_EV_EXEC] = {"execve", PT_CLASS_EXEC, .payload = PT_PAYLOAD_STRINGS, .flags = PROC,
                    .decode = pt_args_exec},
    [PT_EV_SPAWN] = {"posix_spawn", PT_CLASS_FORK, .payload = PT_PAYLOAD_STRINGS,
                     .flags = PROC | PT_EVF_SPAWNS, .decode = pt_args_spawn},
    [PT_EV_EXIT] = {"exit", PT_CLASS_EXIT, .result = PT_RESULT_NEVER, .flags = PROC,
                    .decode = pt_args_exit},
    [PT_EV_WAIT] = {"wait", PT_CLASS_WAIT, .flags = PROC, .decode = pt_args_wait},
    [PT_EV_POPEN] = {"popen", PT_CLASS_POPEN, .payload = PT_PAYLOAD_STRINGS,
                     .flags_at = PT_FLAGS_ARG,
                     .flags = DESC | PROC | PT_EVF_MAKES_PIPE | PT_EVF_SPAWNS_UNNAMED,
                     .decode = pt_args_popen},
    [PT_EV_PCLOSE] = {"pclose", PT_CLASS_PCLOSE, .result = PT_RESULT_STATUS, .flags = DESC | PROC,
                      .decode = pt_args_pclose},
    [PT_EV_KILL] = {"kill", PT_CLASS_SIGNAL, .flags = PROC, .decode = pt_args_kill},
    [PT_EV_SYSTEM] = {"system", PT_CLASS_OTHER, .result = PT_RESULT_STATUS,
                      .payload = PT_PAYLOAD_STRINGS, .flags = PROC | PT_EVF_SPAWNS_UNNAMED,
                      .decode = pt_args_system},

    /* waits for readiness (the set: waitset.h) */
    [PT_EV_POLL] = {"poll", PT_CLASS_POLL, .payload = PT_PAYLOAD_WAIT, .flags = DESC,
                    .decode = pt_args_poll},
    [PT_EV_SELECT] = {"select", PT_CLASS_POLL, .payload = PT_PAYLOAD_WAIT, .flags = DESC,
                      .decode = pt_args_select},
    [PT_EV_EPOLL_CREATE] = {"epoll_create", PT_CLASS_OPEN, .flags_at = PT_FLAGS_ARG,
                            .makes_kind = PT_OBJ_EPOLL, .flags = DESC,
                            .decode = pt_args_epoll_create},
    [PT_EV_EPOLL_CTL] = {"epoll_ctl", PT_CLASS_EPOLL_CTL, .payload = PT_PAYLOAD_EPOLL_CTL,
                         .flags = DESC, .decode = pt_args_epoll_ctl},
    [PT_EV_EPOLL_WAIT] = {"epoll_wait", PT_CLASS_POLL, .payload = PT_PAYLOAD_WAIT, .flags = DESC,
                          .decode = pt_args_epoll_wait},
    [PT_EV_IOCTL] = {"ioctl", PT_CLASS_FCNTL, .flags = DESC, .decode = pt_args_ioctl},

    /* the recorder's notes */
    [PT_EV_UNTRACED_CHILD] = {"untraced_child", PT_CLASS_UNTRACED, .result = PT_RESULT_NONE,
                              .payload = PT_PAYLOAD_STRINGS, .flags = PROC,
                              .decode = pt_args_untraced},
    [PT_EV_INHERITED_FD] = {"inherited_fd", PT_CLASS_INHERITED, .result = PT_RESULT_NONE,
                            .flags = META, .decode = pt_args_inherited},
    [PT_EV_CALLSITE] = {"callsite", PT_CLASS_CALLSITE, .result = PT_RESULT_NONE,
                        .payload = PT_PAYLOAD_CALLSITE, .flags = META | PT_EVF_HIDDEN,
                        .decode = pt_args_callsite},
    [PT_EV_MODULE] = {"module", PT_CLASS_MODULE, .result = PT_RESULT_NONE,
                      .payload = PT_PAYLOAD_MODULE, .flags = META | PT_EVF_HIDDEN,
                      .decode = pt_args_module},
    [PT_EV_FDPASS] = {"scm_rights", PT_CLASS_FDPASS, .result = PT_RESULT_NONE,
                      .payload = PT_PAYLOAD_FDPASS, .flags = DESC | META, .decode = pt_args_fdpass},
    [PT_EV_COVERAGE] = {"coverage", PT_CLASS_COVERAGE, .result = PT_RESULT_NONE, .flags = META,
                        .decode = pt_args_coverage},
};

const struct pt_event_info pt_event_unknown_row = {
    NULL, PT_CLASS_UNKNOWN, .payload = PT_PAYLOAD_DATA, .decode = pt_args_unknown};

const char *pt_event_name(unsigned type) {
    return pt_event_info(type)->name;
}

uint64_t pt_event_asked(const struct pt_record *r) {
    return (pt_event_info(r->type)->flags & PT_EVF_SOCKIO) ? PT_SOCKIO_ASKED(r->arg) : r->arg;
}

int pt_event_peeks(const struct pt_record *r) {
    return (pt_event_info(r->type)->flags & PT_EVF_SOCKIO) && (PT_SOCKIO_FLAGS(r->arg) & MSG_PEEK);
}

const char *pt_sockio_variant_name(const struct pt_record *r) {
    int variant = (r->arg & PT_SOCKIO_VARIANT) != 0;
    switch (r->type) {
    case PT_EV_SEND:
        return variant ? "sendto" : "send";
    case PT_EV_RECV:
        return variant ? "recvfrom" : "recv";
    case PT_EV_SENDMSG:
        return variant ? "sendmmsg" : "sendmsg";
    case PT_EV_RECVMSG:
        return variant ? "recvmmsg" : "recvmsg";
    default:
        return pt_event_name(r->type);
    }
}

uint64_t pt_event_open_flags(const struct pt_record *r) {
    switch (pt_event_info(r->type)->flags_at) {
    case PT_FLAGS_ARG:
        return r->arg;
    case PT_FLAGS_ARG_HIGH:
        return r->arg >> 32;
    default:
        return 0;
    }
}

int pt_event_fcntl_equivalent(const struct pt_record *r, int *cmd, uint32_t *value) {
    if (r->type == PT_EV_FCNTL) {
        *cmd = (int)(uint32_t)r->arg;
        *value = (uint32_t)(r->arg >> 32);
        return 1;
    }
    if (r->type != PT_EV_IOCTL)
        return 0;
    unsigned long request = (uint32_t)r->arg;
    if (request == FIONBIO) {
        *cmd = F_SETFL;
        *value = (r->arg >> 32) ? O_NONBLOCK : 0;
    } else if (request == FIOCLEX || request == FIONCLEX) {
        *cmd = F_SETFD;
        *value = request == FIOCLEX ? FD_CLOEXEC : 0;
    } else {
        return 0;
    }
    return 1;
}

void pt_kill_target(const struct pt_record *r, int32_t *pid, int *sig) {
    *pid = (int32_t)(uint32_t)r->arg;
    *sig = (int)(uint32_t)(r->arg >> 32);
}

/* --- a record's state ----------------------------------------------------- */

int pt_event_exec_succeeded(const struct pt_record *r) {
    return r->state == PT_BEGUN && pt_event_info(r->type)->cls == PT_CLASS_EXEC;
}

int pt_event_unfinished(const struct pt_record *r) {
    return r->state != PT_DONE && !pt_event_exec_succeeded(r);
}

int64_t pt_event_result(const struct pt_record *r) {
    return pt_event_exec_succeeded(r) ? 0 : r->result;
}

int pt_event_data_cut(const struct pt_record *r) {
    if (r->fd_flags & PT_FDF_DATA_CUT)
        return 1;
    return r->state == PT_DONE && r->result > 0 && r->data_len < (uint64_t)r->result;
}

/* The preload marks the record before the call and sets a failure's result
 * before a SIGPIPE may end the process, so even an unfinished record says
 * which fault it was. */
const char *pt_event_injected(const struct pt_record *r) {
    if (!(r->fd_flags & PT_FDF_INJECTED))
        return NULL;
    if (r->fd_flags & PT_FDF_DELAYED)
        return "delay";
    switch (r->result) {
    case -EINTR:
        return "eintr";
    case -EAGAIN:
        return "eagain";
    case -EPIPE:
        return "epipe";
    default:
        return r->result >= 0 ? "short" : "injected";
    }
}
