/* Name tables.  Tables are indexed or searched; nothing here allocates. */
#define _GNU_SOURCE
#include "names.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include "pipetrace/format.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* --- objects ------------------------------------------------------------ */

static const char *const obj_kind_names[] = {
    [PT_OBJ_UNKNOWN] = "unknown", [PT_OBJ_PIPE] = "pipe",     [PT_OBJ_FIFO] = "fifo",
    [PT_OBJ_SOCKET] = "socket",   [PT_OBJ_FILE] = "file",     [PT_OBJ_TTY] = "tty",
    [PT_OBJ_OTHER] = "other",     [PT_OBJ_DEVICE] = "device", [PT_OBJ_EPOLL] = "epoll",
};

const char *pt_obj_kind_name(unsigned kind) {
    return kind < COUNT(obj_kind_names) ? obj_kind_names[kind] : "unknown";
}

/* Character devices with fixed numbers (Documentation/admin-guide/devices.txt). */
static const struct {
    unsigned major, minor;
    const char *name;
} known_devices[] = {
    {1, 3, "/dev/null"},   {1, 5, "/dev/zero"},    {1, 7, "/dev/full"},
    {1, 8, "/dev/random"}, {1, 9, "/dev/urandom"}, {5, 0, "/dev/tty"},
};

void pt_object_name(unsigned kind, uint64_t ino, uint32_t dev, char *buf, size_t len) {
    if (kind == PT_OBJ_EPOLL) { /* one anonymous inode for every epoll fd */
        snprintf(buf, len, "anon_inode:[eventpoll]");
        return;
    }
    if (kind != PT_OBJ_DEVICE) {
        snprintf(buf, len, "%s:[%" PRIu64 "]", pt_obj_kind_name(kind), ino);
        return;
    }
    unsigned maj = major((dev_t)dev), min = minor((dev_t)dev);
    for (size_t i = 0; i < COUNT(known_devices); i++)
        if (known_devices[i].major == maj && known_devices[i].minor == min) {
            snprintf(buf, len, "%s", known_devices[i].name);
            return;
        }
    snprintf(buf, len, "chr:%u:%u", maj, min);
}

/* --- errno -------------------------------------------------------------- */

int pt_result_errno(int64_t result) {
    return result < 0 && result >= -4095 ? (int)-result : 0;
}

struct named_value {
    long value;
    const char *name;
};

#define NAMED(x)                                                                                   \
    { x, #x }

/* Aliases (EWOULDBLOCK, EDEADLOCK, ENOTSUP) are left out: the first name
 * of a value is the one strace prints. */
static const struct named_value errno_names[] = {
    NAMED(EPERM),
    NAMED(ENOENT),
    NAMED(ESRCH),
    NAMED(EINTR),
    NAMED(EIO),
    NAMED(ENXIO),
    NAMED(E2BIG),
    NAMED(ENOEXEC),
    NAMED(EBADF),
    NAMED(ECHILD),
    NAMED(EAGAIN),
    NAMED(ENOMEM),
    NAMED(EACCES),
    NAMED(EFAULT),
    NAMED(ENOTBLK),
    NAMED(EBUSY),
    NAMED(EEXIST),
    NAMED(EXDEV),
    NAMED(ENODEV),
    NAMED(ENOTDIR),
    NAMED(EISDIR),
    NAMED(EINVAL),
    NAMED(ENFILE),
    NAMED(EMFILE),
    NAMED(ENOTTY),
    NAMED(ETXTBSY),
    NAMED(EFBIG),
    NAMED(ENOSPC),
    NAMED(ESPIPE),
    NAMED(EROFS),
    NAMED(EMLINK),
    NAMED(EPIPE),
    NAMED(EDOM),
    NAMED(ERANGE),
    NAMED(EDEADLK),
    NAMED(ENAMETOOLONG),
    NAMED(ENOLCK),
    NAMED(ENOSYS),
    NAMED(ENOTEMPTY),
    NAMED(ELOOP),
    NAMED(ENOMSG),
    NAMED(EIDRM),
    NAMED(ECHRNG),
    NAMED(EL2NSYNC),
    NAMED(EL3HLT),
    NAMED(EL3RST),
    NAMED(ELNRNG),
    NAMED(EUNATCH),
    NAMED(ENOCSI),
    NAMED(EL2HLT),
    NAMED(EBADE),
    NAMED(EBADR),
    NAMED(EXFULL),
    NAMED(ENOANO),
    NAMED(EBADRQC),
    NAMED(EBADSLT),
    NAMED(EBFONT),
    NAMED(ENOSTR),
    NAMED(ENODATA),
    NAMED(ETIME),
    NAMED(ENOSR),
    NAMED(ENONET),
    NAMED(ENOPKG),
    NAMED(EREMOTE),
    NAMED(ENOLINK),
    NAMED(EADV),
    NAMED(ESRMNT),
    NAMED(ECOMM),
    NAMED(EPROTO),
    NAMED(EMULTIHOP),
    NAMED(EDOTDOT),
    NAMED(EBADMSG),
    NAMED(EOVERFLOW),
    NAMED(ENOTUNIQ),
    NAMED(EBADFD),
    NAMED(EREMCHG),
    NAMED(ELIBACC),
    NAMED(ELIBBAD),
    NAMED(ELIBSCN),
    NAMED(ELIBMAX),
    NAMED(ELIBEXEC),
    NAMED(EILSEQ),
    NAMED(ERESTART),
    NAMED(ESTRPIPE),
    NAMED(EUSERS),
    NAMED(ENOTSOCK),
    NAMED(EDESTADDRREQ),
    NAMED(EMSGSIZE),
    NAMED(EPROTOTYPE),
    NAMED(ENOPROTOOPT),
    NAMED(EPROTONOSUPPORT),
    NAMED(ESOCKTNOSUPPORT),
    NAMED(EOPNOTSUPP),
    NAMED(EPFNOSUPPORT),
    NAMED(EAFNOSUPPORT),
    NAMED(EADDRINUSE),
    NAMED(EADDRNOTAVAIL),
    NAMED(ENETDOWN),
    NAMED(ENETUNREACH),
    NAMED(ENETRESET),
    NAMED(ECONNABORTED),
    NAMED(ECONNRESET),
    NAMED(ENOBUFS),
    NAMED(EISCONN),
    NAMED(ENOTCONN),
    NAMED(ESHUTDOWN),
    NAMED(ETOOMANYREFS),
    NAMED(ETIMEDOUT),
    NAMED(ECONNREFUSED),
    NAMED(EHOSTDOWN),
    NAMED(EHOSTUNREACH),
    NAMED(EALREADY),
    NAMED(EINPROGRESS),
    NAMED(ESTALE),
    NAMED(EUCLEAN),
    NAMED(ENOTNAM),
    NAMED(ENAVAIL),
    NAMED(EISNAM),
    NAMED(EREMOTEIO),
    NAMED(EDQUOT),
    NAMED(ENOMEDIUM),
    NAMED(EMEDIUMTYPE),
    NAMED(ECANCELED),
    NAMED(ENOKEY),
    NAMED(EKEYEXPIRED),
    NAMED(EKEYREVOKED),
    NAMED(EKEYREJECTED),
    NAMED(EOWNERDEAD),
    NAMED(ENOTRECOVERABLE),
    NAMED(ERFKILL),
    NAMED(EHWPOISON),
};

static const char *find_name(const struct named_value *table, size_t n, long value) {
    for (size_t i = 0; i < n; i++)
        if (table[i].value == value)
            return table[i].name;
    return NULL;
}

const char *pt_errno_name(int err) {
    return find_name(errno_names, COUNT(errno_names), err);
}

const char *pt_errno_text(int err) {
    return strerror(err);
}

/* --- signals ----------------------------------------------------------- */

static const struct named_value signal_names[] = {
    NAMED(SIGHUP),  NAMED(SIGINT),   NAMED(SIGQUIT), NAMED(SIGILL),  NAMED(SIGTRAP),
    NAMED(SIGABRT), NAMED(SIGBUS),   NAMED(SIGFPE),  NAMED(SIGKILL), NAMED(SIGUSR1),
    NAMED(SIGSEGV), NAMED(SIGUSR2),  NAMED(SIGPIPE), NAMED(SIGALRM), NAMED(SIGTERM),
    NAMED(SIGCHLD), NAMED(SIGCONT),  NAMED(SIGSTOP), NAMED(SIGTSTP), NAMED(SIGTTIN),
    NAMED(SIGTTOU), NAMED(SIGURG),   NAMED(SIGXCPU), NAMED(SIGXFSZ), NAMED(SIGVTALRM),
    NAMED(SIGPROF), NAMED(SIGWINCH), NAMED(SIGIO),   NAMED(SIGPWR),  NAMED(SIGSYS),
};

const char *pt_signal_name(int sig) {
    return find_name(signal_names, COUNT(signal_names), sig);
}

/* --- open flags --------------------------------------------------------- */

/* The pipe2() flags first, in the order people write them.  Multi-bit
 * flags (O_SYNC holds O_DSYNC, O_TMPFILE holds O_DIRECTORY) come before
 * their parts so the parts are not named twice. */
static const struct named_value open_flag_names[] = {
    NAMED(O_NONBLOCK),  NAMED(O_CLOEXEC),  NAMED(O_DIRECT),  NAMED(O_CREAT),
    NAMED(O_EXCL),      NAMED(O_NOCTTY),   NAMED(O_TRUNC),   NAMED(O_APPEND),
    NAMED(O_SYNC),      NAMED(O_DSYNC),    NAMED(O_ASYNC),   NAMED(O_TMPFILE),
    NAMED(O_DIRECTORY), NAMED(O_NOFOLLOW), NAMED(O_NOATIME), NAMED(O_PATH),
};

static const char *access_mode_name(uint64_t flags) {
    switch (flags & O_ACCMODE) {
    case O_RDONLY:
        return "O_RDONLY";
    case O_WRONLY:
        return "O_WRONLY";
    case O_RDWR:
        return "O_RDWR";
    default:
        return NULL;
    }
}

size_t pt_open_flag_names(uint64_t flags, int with_access, const char **names, size_t max,
                          uint64_t *rest) {
    size_t n = 0;
    if (with_access && access_mode_name(flags) != NULL && n < max) {
        names[n++] = access_mode_name(flags);
        flags &= ~(uint64_t)O_ACCMODE;
    }
    for (size_t i = 0; i < COUNT(open_flag_names) && n < max; i++) {
        uint64_t bits = (uint64_t)open_flag_names[i].value;
        if ((flags & bits) == bits) {
            names[n++] = open_flag_names[i].name;
            flags &= ~bits;
        }
    }
    *rest = flags;
    return n;
}

void pt_format_open_flags(uint64_t flags, int with_access, char *buf, size_t len) {
    const char *names[COUNT(open_flag_names) + 1];
    uint64_t rest;
    size_t n = pt_open_flag_names(flags, with_access, names, COUNT(names), &rest);
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "|" : "", names[i]);
    if ((rest != 0 || n == 0) && used < len)
        snprintf(buf + used, len - used, rest ? "%s%#llx" : "%s0", n ? "|" : "",
                 (unsigned long long)rest);
}

/* --- fd flags ----------------------------------------------------------- */

size_t pt_fd_flag_names(unsigned fd_flags, const char **names, size_t max) {
    size_t n = 0;
    if (!(fd_flags & PT_FDF_KNOWN) || max < 3)
        return 0;
    if (fd_flags & PT_FDF_RDONLY)
        names[n++] = "O_RDONLY";
    else if (fd_flags & PT_FDF_WRONLY)
        names[n++] = "O_WRONLY";
    else
        names[n++] = "O_RDWR";
    if (fd_flags & PT_FDF_NONBLOCK)
        names[n++] = "O_NONBLOCK";
    if (fd_flags & PT_FDF_CLOEXEC)
        names[n++] = "O_CLOEXEC";
    return n;
}

/* --- fcntl, stdio, untraced children ------------------------------------ */

static const struct named_value fcntl_cmd_names[] = {
    NAMED(F_DUPFD),      NAMED(F_GETFD),     NAMED(F_SETFD),         NAMED(F_GETFL),
    NAMED(F_SETFL),      NAMED(F_GETLK),     NAMED(F_SETLK),         NAMED(F_SETLKW),
    NAMED(F_SETOWN),     NAMED(F_GETOWN),    NAMED(F_SETSIG),        NAMED(F_GETSIG),
    NAMED(F_OFD_GETLK),  NAMED(F_OFD_SETLK), NAMED(F_OFD_SETLKW),    NAMED(F_SETLEASE),
    NAMED(F_GETLEASE),   NAMED(F_NOTIFY),    NAMED(F_DUPFD_CLOEXEC), NAMED(F_SETPIPE_SZ),
    NAMED(F_GETPIPE_SZ), NAMED(F_ADD_SEALS), NAMED(F_GET_SEALS),
};

const char *pt_fcntl_cmd_name(int cmd) {
    return find_name(fcntl_cmd_names, COUNT(fcntl_cmd_names), cmd);
}

static const char *const untraced_reason_names[] = {
    [PT_UNTRACED_STATIC] = "static",   [PT_UNTRACED_SETID] = "setid",
    [PT_UNTRACED_FOREIGN] = "foreign", [PT_UNTRACED_NOT_ELF] = "not-elf",
    [PT_UNTRACED_ENV] = "disabled",    [PT_UNTRACED_FAILED] = "failed",
};

const char *pt_stdio_state_name(uint32_t hdr_flags) {
    if (hdr_flags & PT_HDR_STDIO_HOOKED)
        return "hooked";
    if (hdr_flags & PT_HDR_STDIO_UNHOOKED)
        return "unhooked";
    return "unknown";
}

const char *pt_untraced_reason_name(unsigned reason) {
    return reason < COUNT(untraced_reason_names) ? untraced_reason_names[reason] : NULL;
}

/* --- waits for readiness -------------------------------------------------- */

static size_t bit_names(const struct named_value *table, size_t count, uint64_t bits,
                        const char **names, size_t max, uint64_t *rest) {
    size_t n = 0;
    for (size_t i = 0; i < count && n < max; i++)
        if ((bits & (uint64_t)table[i].value) == (uint64_t)table[i].value && table[i].value != 0) {
            names[n++] = table[i].name;
            bits &= ~(uint64_t)table[i].value;
        }
    *rest = bits;
    return n;
}

static const struct named_value poll_event_names[] = {
    NAMED(POLLIN),     NAMED(POLLPRI),    NAMED(POLLOUT),    NAMED(POLLERR),
    NAMED(POLLHUP),    NAMED(POLLNVAL),   NAMED(POLLRDNORM), NAMED(POLLRDBAND),
    NAMED(POLLWRNORM), NAMED(POLLWRBAND), NAMED(POLLMSG),    NAMED(POLLRDHUP),
};

size_t pt_poll_event_names(uint64_t bits, const char **names, size_t max, uint64_t *rest) {
    return bit_names(poll_event_names, COUNT(poll_event_names), bits, names, max, rest);
}

static const struct named_value epoll_event_names[] = {
    NAMED(EPOLLIN),     NAMED(EPOLLPRI),     NAMED(EPOLLOUT),
    NAMED(EPOLLERR),    NAMED(EPOLLHUP),     NAMED(EPOLLRDNORM),
    NAMED(EPOLLRDBAND), NAMED(EPOLLWRNORM),  NAMED(EPOLLWRBAND),
    NAMED(EPOLLMSG),    NAMED(EPOLLRDHUP),   NAMED(EPOLLEXCLUSIVE),
    NAMED(EPOLLWAKEUP), NAMED(EPOLLONESHOT), {(long)EPOLLET, "EPOLLET"},
};

size_t pt_epoll_event_names(uint64_t bits, const char **names, size_t max, uint64_t *rest) {
    return bit_names(epoll_event_names, COUNT(epoll_event_names), bits, names, max, rest);
}

static const struct named_value epoll_op_names[] = {
    NAMED(EPOLL_CTL_ADD),
    NAMED(EPOLL_CTL_DEL),
    NAMED(EPOLL_CTL_MOD),
};

const char *pt_epoll_op_name(int op) {
    for (size_t i = 0; i < COUNT(epoll_op_names); i++)
        if (epoll_op_names[i].value == op)
            return epoll_op_names[i].name;
    return NULL;
}

static const char *const wait_call_names[] = {
    [PT_WAIT_CALL_POLL] = "poll",
    [PT_WAIT_CALL_PPOLL] = "ppoll",
    [PT_WAIT_CALL_SELECT] = "select",
    [PT_WAIT_CALL_PSELECT] = "pselect",
    [PT_WAIT_CALL_EPOLL_WAIT] = "epoll_wait",
    [PT_WAIT_CALL_EPOLL_PWAIT] = "epoll_pwait",
    [PT_WAIT_CALL_EPOLL_PWAIT2] = "epoll_pwait2",
};

const char *pt_wait_call_name(unsigned call) {
    return call < COUNT(wait_call_names) ? wait_call_names[call] : NULL;
}

/* Every combination of the four SPLICE_F_* bits, spelled out once. */
#define MOVE "SPLICE_F_MOVE"
#define NONBLOCK "SPLICE_F_NONBLOCK"
#define MORE "SPLICE_F_MORE"
#define GIFT "SPLICE_F_GIFT"
static const char *const splice_flag_names[16] = {
    NULL,
    MOVE,
    NONBLOCK,
    MOVE "|" NONBLOCK,
    MORE,
    MOVE "|" MORE,
    NONBLOCK "|" MORE,
    MOVE "|" NONBLOCK "|" MORE,
    GIFT,
    MOVE "|" GIFT,
    NONBLOCK "|" GIFT,
    MOVE "|" NONBLOCK "|" GIFT,
    MORE "|" GIFT,
    MOVE "|" MORE "|" GIFT,
    NONBLOCK "|" MORE "|" GIFT,
    MOVE "|" NONBLOCK "|" MORE "|" GIFT,
};

const char *pt_splice_flags_name(uint64_t flags) {
    return flags < 16 ? splice_flag_names[flags] : NULL;
}
#undef MOVE
#undef NONBLOCK
#undef MORE
#undef GIFT
