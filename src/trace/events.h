/* What each record type is: one row per PT_EV_* type, as strace keeps one
 * row per system call.  The analysis and the viewer ask the row, never the
 * type number, whether a record moves bytes and which way, what it does to
 * fds and processes (its class), how its result reads, which payload it
 * carries, and how to decode its arguments (fields.h).  Adding an event
 * type is one row in events.c and one decoder (decode_*.c); see
 * docs/ARCHITECTURE.md. */
#ifndef PIPETRACE_TRACE_EVENTS_H
#define PIPETRACE_TRACE_EVENTS_H

#include <stdint.h>

#include "pipetrace/format.h"

#ifdef __cplusplus
extern "C" {
#endif

struct pt_event;
struct pt_fields;

/* What a record does to the fds and processes the model follows.  The
 * analysis dispatches on this: a new type of an existing class needs no
 * new code there. */
enum pt_event_class {
    PT_CLASS_UNKNOWN = 0, /* a type this version does not know */
    PT_CLASS_IO,          /* moves bytes through fd (PT_EVF_IN / PT_EVF_OUT) */
    PT_CLASS_XFER,        /* moves bytes from one fd to another inside the
                             kernel (payload: the other fd), or between
                             memory and a pipe the way its fd is open
                             (vmsplice): its reads and writes through
                             pt_event_sides() (xfer.h) */
    PT_CLASS_PAIR,        /* makes two connected fds (payload: the pair) */
    PT_CLASS_OPEN,        /* opens a named object: result = the new fd */
    PT_CLASS_POPEN,       /* fd = the parent's end of a pipe to a child libc
                             started */
    PT_CLASS_DUP,         /* copies fd: result = the new fd */
    PT_CLASS_FCNTL,       /* changes fd's flags, or copies it (F_DUPFD) */
    PT_CLASS_CLOSE,       /* closes fd */
    PT_CLASS_CLOSE_RANGE, /* closes (or marks close-on-exec) fd..last */
    PT_CLASS_PCLOSE,      /* closes fd, then waits for the child at its other
                             end (arg = its pid) */
    PT_CLASS_FORK,        /* starts a process: result = its pid */
    PT_CLASS_EXEC,        /* runs a new program in this process; a record left
                             begun is an exec that succeeded */
    PT_CLASS_EXIT,        /* the process ends: arg = the status it chose */
    PT_CLASS_WAIT,        /* reaps a child: result = its pid, arg = status */
    PT_CLASS_POLL,        /* waits for a set of fds to be ready (poll, select,
                             epoll_wait): the set through pt_waitset()
                             (waitset.h); arg = the timeout in ms, -1 forever */
    PT_CLASS_EPOLL_CTL,   /* changes an epoll fd's set: fd = the epoll fd,
                             pt_epoll_ctl_args() (waitset.h) */
    PT_CLASS_SIGNAL,      /* sends a signal: pt_kill_target() */
    PT_CLASS_OTHER,       /* shown, counted; changes nothing the model follows */
    PT_CLASS_UNTRACED,    /* note: a child the library cannot follow */
    PT_CLASS_INHERITED,   /* note: an fd open when the image began */
    PT_CLASS_CALLSITE,    /* note: where the call of another record was made */
    PT_CLASS_MODULE,      /* note: a loaded ELF object */
    PT_CLASS_COVERAGE,    /* note: what the recorder sees changed */
    PT_CLASS_FDPASS,      /* note: fds a sendmsg or recvmsg carried over a
                             socket (SCM_RIGHTS), pt_payload_fdpass() */
    PT_CLASS_CONNECT,     /* connects a socket (connect; accept: result = the
                             new fd): payload struct pt_sockpeer_payload */
    PT_CLASS_COUNT
};

/* pt_event_info.flags */
enum {
    PT_EVF_IN = 1u << 0,             /* moves bytes from fd into the process */
    PT_EVF_OUT = 1u << 1,            /* moves bytes from the process into fd */
    PT_EVF_STDIO = 1u << 2,          /* made by a stdio FILE, not a direct call */
    PT_EVF_DESC = 1u << 3,           /* dump -e %desc: a call on fds */
    PT_EVF_PROCESS = 1u << 4,        /* dump -e %process */
    PT_EVF_META = 1u << 5,           /* dump -e %meta: the recorder's note, not a
                                        call the program made; not counted */
    PT_EVF_HIDDEN = 1u << 6,         /* bookkeeping: out of dump's text without -v */
    PT_EVF_MAKES_PIPE = 1u << 7,     /* the fd it makes is a pipe or FIFO end this
                                        process made (not one it was handed) */
    PT_EVF_SPAWNS = 1u << 8,         /* the child it starts runs a new program at
                                        once (posix_spawn) */
    PT_EVF_SPAWNS_UNNAMED = 1u << 9, /* starts a child inside libc and the record
                                        does not say its pid (system, popen):
                                        the child is this process's next child
                                        image that no fork record names */
    PT_EVF_SOCKIO = 1u << 10,        /* socket I/O: arg packs the bytes asked
                                        with MSG_* flags (PT_SOCKIO_*) */
    PT_EVF_PEEKS = 1u << 11,         /* PT_CLASS_XFER: its read leaves the bytes
                                        in the pipe (tee) */
};

/* How the result of a record reads. */
enum pt_result_kind {
    PT_RESULT_NUMBER = 0, /* a number, or -errno */
    PT_RESULT_STATUS,     /* a wait status, or -errno */
    PT_RESULT_NEVER,      /* the call does not return (exit) */
    PT_RESULT_NONE,       /* a note, not a call: no result, never unfinished */
};

/* What the payload of a record holds (format.h). */
enum pt_payload_kind {
    PT_PAYLOAD_NONE = 0,
    PT_PAYLOAD_DATA,      /* the first bytes moved (the capture) */
    PT_PAYLOAD_PAIR,      /* struct pt_pipe_payload */
    PT_PAYLOAD_STRINGS,   /* NUL-separated strings: a path, a command, argv */
    PT_PAYLOAD_CALLSITE,  /* struct pt_callsite_payload + symbol */
    PT_PAYLOAD_MODULE,    /* struct pt_module_payload + path */
    PT_PAYLOAD_WAIT,      /* struct pt_wait_payload + its entries */
    PT_PAYLOAD_EPOLL_CTL, /* struct pt_epoll_ctl_payload */
    PT_PAYLOAD_FDPASS,    /* struct pt_fdpass_payload + its fds */
    PT_PAYLOAD_SOCKPEER,  /* struct pt_sockpeer_payload */
    PT_PAYLOAD_XFER,      /* struct pt_xfer_payload */
};

/* Where a call that makes fds keeps the O_* flags they were made with. */
enum pt_flags_at {
    PT_FLAGS_NONE = 0, /* the call takes none (pipe, dup2) */
    PT_FLAGS_ARG,      /* arg (pipe2, open, popen) */
    PT_FLAGS_ARG_HIGH, /* arg >> 32 (dup3) */
};

/* Appends a record's arguments to out as named fields (fields.h). */
typedef void pt_decode_fn(const struct pt_event *ev, struct pt_fields *out);

struct pt_event_info {
    const char *name;   /* as dump prints it ("read" also for stdio's); NULL
                           for a type this version does not know */
    uint8_t cls;        /* enum pt_event_class */
    uint8_t result;     /* enum pt_result_kind */
    uint8_t payload;    /* enum pt_payload_kind */
    uint8_t flags_at;   /* enum pt_flags_at */
    uint8_t makes_kind; /* PT_OBJ_* of what it makes when the record does
                           not say (pipe: a pipe, open: a FIFO); 0 if none */
    uint32_t flags;     /* PT_EVF_* */
    pt_decode_fn *decode;
};

/* The rows (events.c), one for every value of a record's type byte, so
 * that looking one up needs no bounds test; rows of numbers not in use are
 * zero: no name, class PT_CLASS_UNKNOWN, no flags. */
#define PT_EVENT_ROWS 256
extern const struct pt_event_info pt_event_rows[PT_EVENT_ROWS];
extern const struct pt_event_info pt_event_unknown_row;

/* The row of a record type; an unknown type (any number) gets a row whose
 * name is NULL, class PT_CLASS_UNKNOWN, and whose decoder shows what every
 * record has.  Inline, as are the class tests below: the analysis asks
 * them about every event several times over (a call each cost ~10% of
 * `summary`). */
static inline const struct pt_event_info *pt_event_info(unsigned type) {
    if (type < PT_EVENT_ROWS && pt_event_rows[type].name != NULL)
        return &pt_event_rows[type];
    return &pt_event_unknown_row;
}

/* A type's PT_EVF_* flags: an unknown type has none, as its row says. */
static inline uint32_t pt_event_flags(unsigned type) {
    return type < PT_EVENT_ROWS ? pt_event_rows[type].flags : 0;
}

/* The call a record type stands for ("read", "pipe2", "__read_chk", ...);
 * stdio refills and flushes are "read" and "write".  NULL if unknown. */
const char *pt_event_name(unsigned type);

/* True for records made by a stdio FILE rather than by a direct call. */
static inline int pt_event_via_stdio(unsigned type) {
    return (pt_event_flags(type) & PT_EVF_STDIO) != 0;
}

/* True for records whose payload is bytes moved through fd (the capture):
 * reads (PT_EVF_IN) and writes (PT_EVF_OUT). */
static inline int pt_event_moves_data(unsigned type) {
    return (pt_event_flags(type) & (PT_EVF_IN | PT_EVF_OUT)) != 0;
}

static inline int pt_event_reads(unsigned type) {
    return (pt_event_flags(type) & PT_EVF_IN) != 0;
}

static inline int pt_event_writes(unsigned type) {
    return (pt_event_flags(type) & PT_EVF_OUT) != 0;
}

/* The bytes an I/O record's call asked for (its arg, or the part of it
 * that says so for socket I/O). */
uint64_t pt_event_asked(const struct pt_record *r);

/* True for a recv that only looked (MSG_PEEK): the bytes stay queued. */
int pt_event_peeks(const struct pt_record *r);

/* The function a socket I/O record was made by: "send", "sendto",
 * "recvfrom", ... (the row's name for other types). */
const char *pt_sockio_variant_name(const struct pt_record *r);

/* A PT_CLASS_SIGNAL record's target, as kill takes it (0 the sender's
 * group, -1 every process, -PGID a group), and the signal. */
void pt_kill_target(const struct pt_record *r, int32_t *pid, int *sig);

/* The O_* flags a call that makes fds made them with (0 when it takes
 * none), as its row says where they are. */
uint64_t pt_event_open_flags(const struct pt_record *r);

/* The fcntl an fcntl or ioctl record amounts to: its command and value
 * (ioctl FIONBIO: F_SETFL with or without O_NONBLOCK, which changes only
 * that bit as the model reads it; FIOCLEX / FIONCLEX: F_SETFD).  0 for
 * any other record. */
int pt_event_fcntl_equivalent(const struct pt_record *r, int *cmd, uint32_t *value);

/* --- a record's state, as every printer shows it ----------------------- */

/* True for an exec record left begun because the exec succeeded. */
int pt_event_exec_succeeded(const struct pt_record *r);

/* True for a record of a call that had not returned when the trace ended
 * (a successful exec is not one). */
int pt_event_unfinished(const struct pt_record *r);

/* The call's return value (valid when not unfinished): an exec that
 * replaced the image returned 0 as far as its caller can tell. */
int64_t pt_event_result(const struct pt_record *r);

/* True when the capture holds fewer bytes than the call moved. */
int pt_event_data_cut(const struct pt_record *r);

/* The fault injected into the call (PT_FDF_INJECTED): "short", "eintr",
 * "eagain" or "epipe", read from its result; NULL for a call left alone. */
const char *pt_event_injected(const struct pt_record *r);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_TRACE_EVENTS_H */
