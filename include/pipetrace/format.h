/* pipetrace on-disk trace format, version 2 (a reader also reads version 1,
 * which is version 2 without compact records).
 *
 * One file per process image.  The file starts with a fixed header
 * (struct pt_file_header), followed by the process description strings,
 * followed by records from header.data_offset on.  docs/FORMAT.md is the
 * prose version of this file; the two must agree.
 *
 * Everything is in the byte order of the machine that wrote it (the header's
 * byte_order field tells a reader which).  Records are 8-byte aligned
 * (PT_ALIGN); where the first one starts is said under PT_DATA_ALIGN.
 */
#ifndef PIPETRACE_FORMAT_H
#define PIPETRACE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PT_MAGIC "PIPETRC\n"
#define PT_MAGIC_LEN 8
#define PT_VERSION 2
/* The oldest version a reader still reads: version 1 is version 2 without
 * compact records, channels and notes. */
#define PT_VERSION_MIN 1
#define PT_BYTE_ORDER 0x01020304u

/* Trace file names in the trace directory: "<pid>.<image>.ptr", where image
 * counts the process images a pid went through (0 first, +1 per exec or pid
 * reuse).  Files are created with O_EXCL; a taken name means the next image. */
#define PT_FILE_SUFFIX ".ptr"

/* --- file header ------------------------------------------------------- */

/* header.flags */
enum {
    PT_HDR_STOPPED = 1u << 0,        /* tracing stopped early (stop_errno says why) */
    PT_HDR_STDIO_HOOKED = 1u << 1,   /* stdio's read/write reach the recorder */
    PT_HDR_STDIO_UNHOOKED = 1u << 2, /* stdio hooks were not installed */
    PT_HDR_ARGV_TRUNCATED = 1u << 3, /* argv did not fit; strings are cut */
    PT_HDR_FORK_CHILD = 1u << 4,     /* image began at fork(), not at exec */
    PT_HDR_ALL_FDS = 1u << 5,        /* files and ttys were traced too */
};

/* The fixed part of the header.  Fields marked "live" are updated while the
 * process runs (atomically, through the shared mapping). */
struct pt_file_header {
    char magic[PT_MAGIC_LEN]; /* PT_MAGIC */
    uint32_t byte_order;      /* PT_BYTE_ORDER as written by the tracer */
    uint16_t version;         /* PT_VERSION */
    uint16_t header_size;     /* sizeof(struct pt_file_header) as written */
    uint32_t data_offset;     /* offset of the first record: see PT_DATA_ALIGN */
    uint32_t flags;           /* live: PT_HDR_* */
    uint64_t tail;            /* live: end offset of the last reserved record */
    uint64_t dropped;         /* live: events not recorded (tracing stopped) */
    int32_t stop_errno;       /* live: why tracing stopped, when PT_HDR_STOPPED */
    int32_t pid;
    int32_t ppid;
    uint32_t data_limit;    /* bytes captured per call; UINT32_MAX = all */
    uint64_t start_mono_ns; /* CLOCK_MONOTONIC when the image began */
    uint64_t start_real_ns; /* CLOCK_REALTIME at the same moment */
    uint8_t boot_id[16];    /* /proc/sys/kernel/random/boot_id, binary */
    uint32_t strings_size;  /* bytes of the string area after this struct */
    uint32_t argc;          /* argv strings in the string area */
    uint32_t child_gate;    /* live: fork children appending to this file
                               (PT_GATE_*), see pt_parent_view in writer.h */
    uint8_t reserved[44];   /* zero */
};

/* header.child_gate: the low bits count the fork children writing a record
 * into this file right now (one whose own trace could not start); the top
 * bit says the owner finished the file (cut its unused end), after which
 * children add nothing. */
#define PT_GATE_CLOSED 0x80000000u
/* The string area follows the fixed header: the executable path, then argc
 * argv strings, each NUL-terminated.  data_offset is past its end. */

/* --- records ----------------------------------------------------------- */

/* Every record starts with this 64-byte header; `size` covers the header and
 * its payload and is a multiple of 8.  A writer sets size when it reserves
 * the space, fills the fields, then sets state last (release order):
 *   0          reserved but never completed: torn (crash mid-write)
 *   PT_BEGUN   the call was entered and had not returned when the trace
 *              ended (t_end == 0): a blocked or interrupted call
 *   PT_DONE    complete
 * A reader skips zero words between records (space that was reserved and
 * abandoned) and stops at header.tail or the end of the file. */
enum { PT_TORN = 0, PT_BEGUN = 1, PT_DONE = 2 };

struct pt_record {
    uint32_t size;
    uint8_t type;     /* PT_EV_* */
    uint8_t state;    /* PT_TORN / PT_BEGUN / PT_DONE */
    uint8_t obj_kind; /* PT_OBJ_* of the object behind fd */
    uint8_t fd_flags; /* PT_FDF_* of fd at the time of the call */
    int32_t tid;
    int32_t fd;        /* the fd the call was about (-1 if none) */
    uint64_t t_start;  /* CLOCK_MONOTONIC ns when the call was entered */
    uint64_t t_end;    /* CLOCK_MONOTONIC ns when it returned; 0 if it did not */
    int64_t result;    /* return value; -errno when the call failed */
    uint64_t arg;      /* per type: bytes asked for, flags, ... */
    uint64_t obj_ino;  /* inode of the object (pipefs/sockfs inode for pipes
                          and sockets) */
    uint32_t obj_dev;  /* st_dev of the object, as makedev() encodes it */
    uint32_t data_len; /* payload bytes that follow (captured data or a
                          per-type struct); size >= 64 + data_len */
};

#define PT_RECORD_SIZE 64

/* --- compact records (version 2) -------------------------------------------
 *
 * A record whose type byte has PT_COMPACT set is a compact I/O record: a
 * 32-byte header (struct pt_compact_record) instead of the 64-byte one,
 * then its payload.  It is what the recorder writes for read, write,
 * readv, writev, __read_chk and stdio's reads and writes when every field
 * fits; otherwise it writes the full record, so nothing is lost or rounded.
 * size, type, state, obj_kind and fd_flags are where the full record has
 * them, so the walk and the begun/done/torn protocol do not change.
 *
 * What the compact header leaves out comes from two internal records, never
 *   handed out by a reader as events:
 *   - PT_EV_CHANNEL | PT_COMPACT (struct pt_channel_record, 32 bytes): tid,
 *     fd, obj_ino and obj_dev of a channel and its number.  A compact record
 *     names its channel; the channel record always lies before every
 *     record that names it.
 *   - PT_EV_NOTE (full record, payload struct pt_note_payload): values of a
 *     compact record that did not fit it (an end more than 2^48 - 2 ns after
 *     the start, a result outside int32, bytes asked for known only after
 *     the call and not below 2^32 - 1).  It lies after the record it
 *     completes. */
#define PT_COMPACT 0x80u
#define PT_COMPACT_SIZE 32

struct pt_compact_record {
    uint32_t size;     /* as the full record's */
    uint8_t type;      /* PT_EV_* | PT_COMPACT */
    uint8_t state;     /* as the full record's */
    uint8_t obj_kind;  /* as the full record's */
    uint8_t fd_flags;  /* as the full record's */
    uint16_t channel;  /* the PT_EV_CHANNEL record giving tid, fd, obj_ino, obj_dev */
    uint16_t data_len; /* payload bytes that follow; size >= 32 + data_len */
    uint32_t arg;      /* bytes asked for; PT_COMPACT_IN_NOTE: in a note */
    uint32_t start_lo; /* t_start - header.start_mono_ns: bits 0-31 ... */
    uint16_t start_hi; /* ... and bits 32-47 */
    uint16_t span_hi;  /* span (below): bits 32-47 */
    int32_t result;    /* return value; 0 when the span is PT_SPAN_IN_NOTE */
    uint32_t span_lo;  /* span: bits 0-31 */
};

/* A channel: the thread, fd and object of the compact records naming its
 * number.  Written complete (PT_DONE) before any of them. */
struct pt_channel_record {
    uint32_t size;    /* PT_COMPACT_SIZE */
    uint8_t type;     /* PT_EV_CHANNEL | PT_COMPACT */
    uint8_t state;    /* PT_DONE */
    uint8_t obj_kind; /* PT_OBJ_* */
    uint8_t reserved; /* 0 */
    int32_t tid;
    int32_t fd;
    uint64_t obj_ino;
    uint32_t obj_dev;
    uint16_t number;
    uint16_t reserved2; /* 0 */
};

/* The span of a compact record: 0 while t_end is 0 (the call has not
 * returned), else t_end - t_start + 1, up to 2^48 - 2; PT_SPAN_IN_NOTE says
 * a PT_EV_NOTE holds t_end and the result. */
#define PT_SPAN_BITS 48
#define PT_SPAN_IN_NOTE ((1ull << PT_SPAN_BITS) - 1)
#define PT_START_LIMIT (1ull << 48) /* t_start - start_mono_ns stays below */
#define PT_COMPACT_IN_NOTE 0xffffffffu

/* The payload of PT_EV_NOTE: the compact record at file offset `offset`,
 * with each field `fields` names (PT_NOTE_*) as given here. */
struct pt_note_payload {
    uint64_t offset;
    uint32_t fields;
    uint32_t reserved;
    uint64_t arg;
    uint64_t t_end;
    int64_t result;
};

enum {
    PT_NOTE_ARG = 1u << 0,
    PT_NOTE_END = 1u << 1, /* t_end and result */
};
/* Records, their sizes and header.data_offset are multiples of PT_ALIGN: a
 * reader refuses a file whose data_offset is not, or lies inside the string
 * area, and accepts any other. */
#define PT_ALIGN 8
/* What the recorder writes: data_offset is the end of the string area
 * rounded up to PT_DATA_ALIGN (a cache line), so a recorded file's first
 * record starts on one.  Synthetic traces (test/tracebuild) do the same
 * unless a test asks for another multiple of PT_ALIGN. */
#define PT_DATA_ALIGN 64

/* pt_record.type.  Numbers are stable; a reader skips types it does not know
 * (size tells it how far). */
enum pt_event_type {
    PT_EV_NONE = 0,
    /* I/O.  arg = bytes asked for; result = bytes moved; payload = the first
     * data_len bytes moved (the capture). */
    PT_EV_READ = 1,
    PT_EV_WRITE = 2,
    PT_EV_READV = 3, /* arg = total of iov lengths */
    PT_EV_WRITEV = 4,
    PT_EV_READ_CHK = 5,    /* __read_chk, what _FORTIFY_SOURCE makes of read */
    PT_EV_STDIO_READ = 6,  /* a stdio FILE refilled its buffer from fd */
    PT_EV_STDIO_WRITE = 7, /* a stdio FILE flushed its buffer to fd */
    /* Socket I/O: as read and write, but arg packs the bytes asked for with
     * the call's MSG_* flags and its variant (PT_SOCKIO_*, below). */
    PT_EV_SEND = 8,     /* send; sendto (variant) */
    PT_EV_RECV = 9,     /* recv, __recv_chk; recvfrom, __recvfrom_chk (variant) */
    PT_EV_SENDMSG = 10, /* sendmsg; bytes asked = total of the iov lengths */
    PT_EV_RECVMSG = 11, /* recvmsg */

    /* Bytes moved inside the kernel, from one fd to another, never through
     * the process's memory: fd and obj_* are the fd the bytes leave (the
     * call's in-fd), payload struct pt_xfer_payload the fd they enter;
     * arg = bytes asked for, result = bytes moved.  There is no capture. */
    PT_EV_SPLICE = 12,
    PT_EV_TEE = 13,      /* copies from a pipe without consuming it */
    PT_EV_VMSPLICE = 14, /* fd = the pipe; arg = bytes asked (at most
                            2^32-1) | SPLICE_F_* << 32; payload = the
                            capture, as writev's.  Into the pipe from memory,
                            or from it into memory when fd is its read end */
    PT_EV_SENDFILE = 15, /* sendfile, sendfile64: fd = in_fd */

    /* fd creation.  fd = first new fd (or the old one for dup*), result =
     * return value, arg = flags (O_* as passed). */
    PT_EV_PIPE = 16,       /* payload: struct pt_pipe_payload */
    PT_EV_PIPE2 = 17,      /* payload: struct pt_pipe_payload; arg = flags */
    PT_EV_SOCKETPAIR = 18, /* payload: struct pt_pipe_payload */
    PT_EV_DUP = 19,        /* fd = oldfd, result = newfd */
    PT_EV_DUP2 = 20,       /* fd = oldfd, arg = newfd, result = newfd */
    PT_EV_DUP3 = 21,       /* fd = oldfd, arg = newfd | flags << 32 */
    PT_EV_FCNTL = 22,      /* arg = cmd | (uint64_t)value << 32 */
    PT_EV_OPEN = 23,       /* open of a FIFO; payload: path */
    PT_EV_CLOSE = 24,
    PT_EV_CLOSE_RANGE = 25, /* fd = first, arg = last | flags << 32 */
    /* A Unix stream connection made: payload struct pt_sockpeer_payload,
     * the connected socket and the kernel's word on its peer. */
    PT_EV_CONNECT = 26, /* fd = the socket; result 0 or -errno */
    PT_EV_ACCEPT = 27,  /* accept, accept4: fd = the listening socket, result =
                           the new fd, arg = accept4's flags */

    /* processes.  result = child pid for fork-like calls. */
    PT_EV_FORK = 32,
    PT_EV_VFORK = 33,
    PT_EV_EXEC = 34,           /* payload: path NUL argv...; stays PT_BEGUN when the
                                  exec succeeded, PT_DONE with -errno if it failed */
    PT_EV_SPAWN = 35,          /* posix_spawn(p); result = child pid; payload as exec */
    PT_EV_EXIT = 36,           /* arg = exit status */
    PT_EV_WAIT = 37,           /* result = pid reaped, arg = wait status */
    PT_EV_UNTRACED_CHILD = 38, /* arg = PT_UNTRACED_*; payload: path */
    PT_EV_INHERITED_FD = 39,   /* an fd open when the image began */
    PT_EV_CALLSITE = 40,       /* arg = file offset of the record it describes;
                                  payload: struct pt_callsite_payload */
    PT_EV_MODULE = 41,         /* arg = load address; payload: struct
                                  pt_module_payload */
    PT_EV_COVERAGE = 42,       /* arg = PT_HDR_STDIO_* at the time it changed */
    PT_EV_POPEN = 43,          /* fd = the parent's end; payload: command */
    PT_EV_SYSTEM = 44,         /* result = wait status; payload: command */
    PT_EV_MKFIFO = 45,         /* payload: path */
    PT_EV_PCLOSE = 46,         /* pclose(stream): fd = the stream's fd, arg = the
                                  child's pid, result = its wait status or -errno */

    /* waits for readiness: recorded PT_BEGUN before the call, so a wait that
     * never returned is in the trace with its set.  arg = the timeout in
     * milliseconds (int64; -1 = forever, PT_TIMEOUT_UNKNOWN when it could
     * not be read or was invalid). */
    PT_EV_POLL = 47,         /* poll, ppoll: payload struct pt_wait_payload */
    PT_EV_SELECT = 48,       /* select, pselect: payload struct pt_wait_payload,
                                the fd_sets as a list */
    PT_EV_EPOLL_CREATE = 49, /* epoll_create(1): result = the epoll fd, arg =
                                flags (EPOLL_CLOEXEC) */
    PT_EV_EPOLL_CTL = 50,    /* fd = the epoll fd; payload struct
                                pt_epoll_ctl_payload */
    PT_EV_EPOLL_WAIT = 51,   /* epoll_wait, epoll_pwait(2): fd = the epoll fd;
                                payload struct pt_wait_payload, then the ready
                                events (struct pt_wait_epoll_event) */
    PT_EV_IOCTL = 54,        /* ioctl(FIONBIO / FIOCLEX / FIONCLEX), the requests
                                that change an fd's flags as fcntl does (no
                                other request is recorded): arg = request |
                                value << 32, value 1 when FIONBIO turned
                                O_NONBLOCK on, else 0 */

    /* signals sent (not kill(pid, 0), a probe) */
    PT_EV_KILL = 52, /* kill, killpg: arg = the pid asked for as kill takes
                        it (0 the caller's group, -1 every process, -PGID a
                        group; int32) | the signal << 32 */

    PT_EV_COPY_FILE_RANGE = 53, /* as PT_EV_SPLICE */

    /* fds handed to another process over a socket (SCM_RIGHTS): a note
     * written right after the sendmsg or recvmsg that carried them.  fd =
     * the socket, arg = file offset of that call's record, result = the
     * fds the message carried; payload struct pt_fdpass_payload. */
    PT_EV_FDPASS = 55,

    /* Internal records of version 2 (see compact records above): a reader
     * uses them to expand compact records and never hands them out. */
    PT_EV_CHANNEL = 56, /* only with PT_COMPACT: struct pt_channel_record */
    PT_EV_NOTE = 57,    /* payload struct pt_note_payload */

    PT_EV_MAX = 63
};

/* The arg of a socket I/O record (PT_EV_SEND..PT_EV_RECVMSG): bits 0-31
 * the bytes asked for (saturated at 0xffffffff; the kernel moves at most
 * INT_MAX per call anyway), bits 32-62 the MSG_* flags passed (MSG_PEEK,
 * MSG_DONTWAIT, ...), bit 63 the variant: sendto rather than send, recvfrom
 * rather than recv. */
#define PT_SOCKIO_ASKED(arg) ((uint64_t)(arg)&0xffffffffu)
#define PT_SOCKIO_FLAGS(arg) ((uint32_t)((uint64_t)(arg) >> 32) & 0x7fffffffu)
#define PT_SOCKIO_VARIANT (1ull << 63)
#define PT_SOCKIO_ARG(asked, flags, variant)                                                       \
    (((uint64_t)(asked) > 0xffffffffu ? 0xffffffffu : (uint64_t)(asked)) |                         \
     ((uint64_t)((uint32_t)(flags)&0x7fffffffu) << 32) | ((variant) ? PT_SOCKIO_VARIANT : 0))

/* pt_record.obj_kind */
enum pt_obj_kind {
    PT_OBJ_UNKNOWN = 0, /* not identified (fstat failed or fd not open) */
    PT_OBJ_PIPE = 1,    /* anonymous pipe (pipefs) */
    PT_OBJ_FIFO = 2,    /* named pipe */
    PT_OBJ_SOCKET = 3,
    PT_OBJ_FILE = 4,   /* regular file */
    PT_OBJ_TTY = 5,    /* character device: ttys, /dev/null */
    PT_OBJ_OTHER = 6,  /* directories, block devices, eventfds, ... */
    PT_OBJ_DEVICE = 7, /* a character device that is not a terminal (/dev/null,
                          /dev/zero, /dev/urandom...); obj_dev holds its st_rdev */
    PT_OBJ_EPOLL = 8,  /* an epoll instance (epoll_create); obj_ino is 0: every
                          epoll fd shares one anonymous inode */
};

/* pt_record.fd_flags: what the fd was at the time of the call */
enum {
    PT_FDF_RDONLY = 1u << 0,   /* opened for reading only (a pipe's read end) */
    PT_FDF_WRONLY = 1u << 1,   /* opened for writing only (a pipe's write end) */
    PT_FDF_NONBLOCK = 1u << 2, /* O_NONBLOCK */
    PT_FDF_CLOEXEC = 1u << 3,  /* FD_CLOEXEC */
    PT_FDF_INJECTED = 1u << 4, /* a fault injected into the call (PIPETRACE_INJECT):
                                  a result >= 0 is a short transfer, else the
                                  injected -EINTR, -EAGAIN or -EPIPE */
    PT_FDF_DELAYED = 1u << 5,  /* with PT_FDF_INJECTED: the fault was a delay
                                  before the call, made as asked (result real) */
    PT_FDF_DATA_CUT = 1u << 6, /* capture shorter than the bytes moved */
    PT_FDF_KNOWN = 1u << 7,    /* the flags above are known */
};

struct pt_pipe_payload {
    int32_t fds[2];  /* the pair returned (-1, -1 on failure) */
    uint64_t ino[2]; /* identity of each end (equal for a pipe) */
};

/* The payload of a call that moves bytes from one fd to another
 * (PT_EV_SPLICE, _TEE, _SENDFILE, _COPY_FILE_RANGE): the fd they enter and
 * its object, as the record's header says the fd they leave. */
struct pt_xfer_payload {
    int32_t fd_out;
    uint8_t kind_out;     /* PT_OBJ_* */
    uint8_t fd_flags_out; /* PT_FDF_* */
    uint16_t reserved;
    uint64_t ino_out;
    uint32_t dev_out;
    uint32_t flags;  /* SPLICE_F_* as passed (splice, tee, vmsplice's are in
                        arg's high half instead); copy_file_range's flags;
                        0 for sendfile */
    int64_t off_in;  /* where the call left the offset given for the in fd
                        (splice, sendfile, copy_file_range), or one of
                        PT_XFER_OFF_* */
    int64_t off_out; /* the same for the out fd */
};

/* pt_xfer_payload.off_in / off_out when not an offset: NONE, NULL was
 * passed (the fd's own position is used); UNKNOWN, an offset was passed and
 * the call failed or had not returned (the recorder reads it only after the
 * kernel accepted it). */
#define PT_XFER_OFF_NONE (-1)
#define PT_XFER_OFF_UNKNOWN (-2)

/* Where an fd-creating call was made: the return address into the caller,
 * the module it lies in, and the nearest exported symbol (may be empty). */
struct pt_callsite_payload {
    uint64_t addr;
    uint64_t module_base;
    uint64_t symbol_addr; /* 0 when no symbol was found */
    /* symbol name, NUL-terminated, follows */
};

struct pt_module_payload {
    uint64_t base;         /* load address (what dladdr calls dli_fbase) */
    uint32_t build_id_len; /* 0 when the module has none */
    uint8_t build_id[36];
    /* path, NUL-terminated, follows */
};

/* A wait's timeout (arg of PT_EV_POLL, _SELECT, _EPOLL_WAIT) that the
 * recorder could not read, or that the call refuses (negative timeval). */
#define PT_TIMEOUT_UNKNOWN (-2)

/* The payload of a wait for readiness (PT_EV_POLL, PT_EV_SELECT,
 * PT_EV_EPOLL_WAIT).  `stored` entries follow it: for poll and select,
 * struct pt_wait_fd (the set, written before the call; revents filled in
 * once it returned); for epoll_wait, struct pt_wait_epoll_event (the
 * events it returned, written after the call).  At most PT_WAIT_STORED_MAX
 * are stored; `count` says how many there were. */
struct pt_wait_payload {
    int32_t nfds;    /* as passed: poll's nfds, select's nfds, epoll_wait's
                        maxevents */
    uint32_t count;  /* poll: nfds; select: the fds with a bit set in any of
                        the sets (below min(nfds, FD_SETSIZE)); epoll_wait:
                        the events returned */
    uint16_t stored; /* entries that follow */
    uint8_t call;    /* PT_WAIT_CALL_*: which function it was */
    uint8_t flags;   /* PT_WAITF_* */
    uint32_t reserved;
};

/* One fd of a poll or select set, as struct pollfd holds it: events and
 * revents are POLL* bits (select: readfds POLLIN, writefds POLLOUT,
 * exceptfds POLLPRI).  revents is 0 until the call returned. */
struct pt_wait_fd {
    int32_t fd;
    uint16_t events;
    uint16_t revents;
};

/* One event epoll_wait returned, as struct epoll_event holds it. */
struct pt_wait_epoll_event {
    uint32_t events; /* EPOLL* bits */
    uint32_t reserved;
    uint64_t data; /* the program's own word (often the fd) */
};

#define PT_WAIT_STORED_MAX 128

/* pt_wait_payload.call */
enum {
    PT_WAIT_CALL_POLL = 0,
    PT_WAIT_CALL_PPOLL = 1,
    PT_WAIT_CALL_SELECT = 2,
    PT_WAIT_CALL_PSELECT = 3,
    PT_WAIT_CALL_EPOLL_WAIT = 4,
    PT_WAIT_CALL_EPOLL_PWAIT = 5,
    PT_WAIT_CALL_EPOLL_PWAIT2 = 6,
};

/* pt_wait_payload.flags */
enum {
    PT_WAITF_UNREAD = 1u << 0,    /* the set could not be read (a bad pointer:
                                     the call fails with EFAULT) */
    PT_WAITF_NO_READ = 1u << 1,   /* select: readfds was NULL */
    PT_WAITF_NO_WRITE = 1u << 2,  /* select: writefds was NULL */
    PT_WAITF_NO_EXCEPT = 1u << 3, /* select: exceptfds was NULL */
    PT_WAITF_SIGMASK = 1u << 4,   /* ppoll, pselect, epoll_pwait(2): a signal
                                     mask was given */
};

/* The payload of PT_EV_EPOLL_CTL. */
struct pt_epoll_ctl_payload {
    int32_t op;      /* EPOLL_CTL_ADD (1), _DEL (2), _MOD (3) */
    int32_t fd;      /* the fd added, changed or removed */
    uint32_t events; /* EPOLL* bits asked for (0 for DEL) */
    uint32_t flags;  /* PT_EPOLLF_* */
    uint64_t data;   /* the program's own word */
};

/* pt_epoll_ctl_payload.flags */
enum {
    PT_EPOLLF_NO_EVENT = 1u << 0, /* events and data unknown: DEL, or a call
                                     that failed (the recorder reads the
                                     program's epoll_event only after the
                                     kernel accepted it) */
};

/* The payload of PT_EV_CONNECT and PT_EV_ACCEPT (once the call returned
 * a connection): the connected socket and its peer's inode as the kernel
 * tells it (sock_diag's UNIX_DIAG_PEER; 0 when it could not be asked, or
 * for a socket that is not AF_UNIX).  Both live on sockfs: obj_dev. */
struct pt_sockpeer_payload {
    int32_t fd;        /* the connected socket (accept: the new fd) */
    uint32_t reserved; /* 0 */
    uint64_t ino;      /* its inode */
    uint64_t peer_ino; /* its peer's inode, 0 if unknown */
};

/* The payload of PT_EV_FDPASS: `stored` entries of struct pt_fdpass_fd
 * follow, at most PT_FDPASS_STORED_MAX; `count` says how many fds the
 * message carried. */
struct pt_fdpass_payload {
    uint32_t count;
    uint16_t stored;
    uint8_t received; /* 0: sent (the sender's fd numbers); 1: received (the
                         new fds of the receiver) */
    uint8_t flags;    /* PT_FDPASSF_* */
};

/* One fd passed, and the object it names. */
struct pt_fdpass_fd {
    int32_t fd;
    uint8_t kind;     /* PT_OBJ_* */
    uint8_t fd_flags; /* PT_FDF_* of the fd in the process that wrote it */
    uint16_t reserved;
    uint64_t ino;
    uint32_t dev;
    uint32_t reserved2;
};

#define PT_FDPASS_STORED_MAX 64

/* pt_fdpass_payload.flags */
enum {
    PT_FDPASSF_CTRUNC = 1u << 0, /* received: the control buffer was too small
                                    (MSG_CTRUNC), the kernel closed fds that
                                    did not fit */
};

enum pt_untraced_reason {
    PT_UNTRACED_STATIC = 1,  /* no PT_INTERP: LD_PRELOAD has no effect */
    PT_UNTRACED_SETID = 2,   /* set-user-ID / set-group-ID / capabilities */
    PT_UNTRACED_FOREIGN = 3, /* ELF class or machine the library is not for */
    PT_UNTRACED_NOT_ELF = 4,
    PT_UNTRACED_ENV = 5,    /* following was turned off */
    PT_UNTRACED_FAILED = 6, /* the child's own trace could not start (its
                               directory or file could not be made: a sandbox,
                               a full disk); arg = 6 | errno << 32, recorded
                               by the child in its parent's file */
};

#ifdef __cplusplus
}
#define PT_STATIC_ASSERT static_assert
#else
#define PT_STATIC_ASSERT _Static_assert
#endif

/* The layout docs/FORMAT.md's tables give, field by field: a field moved
 * or resized here fails the build until the table is changed with it
 * (test/format_doc_test checks the table against these offsets). */
#define PT_ASSERT_FIELD(type, field, offset, size)                                                 \
    PT_STATIC_ASSERT(offsetof(type, field) == (offset) && sizeof(((type *)0)->field) == (size),    \
                     #type "." #field " is at " #offset ", " #size " bytes")

PT_STATIC_ASSERT(sizeof(struct pt_file_header) == 144, "header layout");
PT_ASSERT_FIELD(struct pt_file_header, magic, 0, 8);
PT_ASSERT_FIELD(struct pt_file_header, byte_order, 8, 4);
PT_ASSERT_FIELD(struct pt_file_header, version, 12, 2);
PT_ASSERT_FIELD(struct pt_file_header, header_size, 14, 2);
PT_ASSERT_FIELD(struct pt_file_header, data_offset, 16, 4);
PT_ASSERT_FIELD(struct pt_file_header, flags, 20, 4);
PT_ASSERT_FIELD(struct pt_file_header, tail, 24, 8);
PT_ASSERT_FIELD(struct pt_file_header, dropped, 32, 8);
PT_ASSERT_FIELD(struct pt_file_header, stop_errno, 40, 4);
PT_ASSERT_FIELD(struct pt_file_header, pid, 44, 4);
PT_ASSERT_FIELD(struct pt_file_header, ppid, 48, 4);
PT_ASSERT_FIELD(struct pt_file_header, data_limit, 52, 4);
PT_ASSERT_FIELD(struct pt_file_header, start_mono_ns, 56, 8);
PT_ASSERT_FIELD(struct pt_file_header, start_real_ns, 64, 8);
PT_ASSERT_FIELD(struct pt_file_header, boot_id, 72, 16);
PT_ASSERT_FIELD(struct pt_file_header, strings_size, 88, 4);
PT_ASSERT_FIELD(struct pt_file_header, argc, 92, 4);
PT_ASSERT_FIELD(struct pt_file_header, child_gate, 96, 4);
PT_ASSERT_FIELD(struct pt_file_header, reserved, 100, 44);

PT_STATIC_ASSERT(sizeof(struct pt_record) == PT_RECORD_SIZE, "record layout");
PT_ASSERT_FIELD(struct pt_record, size, 0, 4);
PT_ASSERT_FIELD(struct pt_record, type, 4, 1);
PT_ASSERT_FIELD(struct pt_record, state, 5, 1);
PT_ASSERT_FIELD(struct pt_record, obj_kind, 6, 1);
PT_ASSERT_FIELD(struct pt_record, fd_flags, 7, 1);
PT_ASSERT_FIELD(struct pt_record, tid, 8, 4);
PT_ASSERT_FIELD(struct pt_record, fd, 12, 4);
PT_ASSERT_FIELD(struct pt_record, t_start, 16, 8);
PT_ASSERT_FIELD(struct pt_record, t_end, 24, 8);
PT_ASSERT_FIELD(struct pt_record, result, 32, 8);
PT_ASSERT_FIELD(struct pt_record, arg, 40, 8);
PT_ASSERT_FIELD(struct pt_record, obj_ino, 48, 8);
PT_ASSERT_FIELD(struct pt_record, obj_dev, 56, 4);
PT_ASSERT_FIELD(struct pt_record, data_len, 60, 4);

PT_STATIC_ASSERT(sizeof(struct pt_compact_record) == PT_COMPACT_SIZE, "compact record layout");
PT_ASSERT_FIELD(struct pt_compact_record, size, 0, 4);
PT_ASSERT_FIELD(struct pt_compact_record, type, 4, 1);
PT_ASSERT_FIELD(struct pt_compact_record, state, 5, 1);
PT_ASSERT_FIELD(struct pt_compact_record, obj_kind, 6, 1);
PT_ASSERT_FIELD(struct pt_compact_record, fd_flags, 7, 1);
PT_ASSERT_FIELD(struct pt_compact_record, channel, 8, 2);
PT_ASSERT_FIELD(struct pt_compact_record, data_len, 10, 2);
PT_ASSERT_FIELD(struct pt_compact_record, arg, 12, 4);
PT_ASSERT_FIELD(struct pt_compact_record, start_lo, 16, 4);
PT_ASSERT_FIELD(struct pt_compact_record, start_hi, 20, 2);
PT_ASSERT_FIELD(struct pt_compact_record, span_hi, 22, 2);
PT_ASSERT_FIELD(struct pt_compact_record, result, 24, 4);
PT_ASSERT_FIELD(struct pt_compact_record, span_lo, 28, 4);
PT_STATIC_ASSERT(sizeof(struct pt_channel_record) == PT_COMPACT_SIZE, "channel record layout");
PT_ASSERT_FIELD(struct pt_channel_record, size, 0, 4);
PT_ASSERT_FIELD(struct pt_channel_record, type, 4, 1);
PT_ASSERT_FIELD(struct pt_channel_record, state, 5, 1);
PT_ASSERT_FIELD(struct pt_channel_record, obj_kind, 6, 1);
PT_ASSERT_FIELD(struct pt_channel_record, reserved, 7, 1);
PT_ASSERT_FIELD(struct pt_channel_record, tid, 8, 4);
PT_ASSERT_FIELD(struct pt_channel_record, fd, 12, 4);
PT_ASSERT_FIELD(struct pt_channel_record, obj_ino, 16, 8);
PT_ASSERT_FIELD(struct pt_channel_record, obj_dev, 24, 4);
PT_ASSERT_FIELD(struct pt_channel_record, number, 28, 2);
PT_ASSERT_FIELD(struct pt_channel_record, reserved2, 30, 2);
PT_STATIC_ASSERT(sizeof(struct pt_note_payload) == 40, "note payload");
PT_ASSERT_FIELD(struct pt_note_payload, offset, 0, 8);
PT_ASSERT_FIELD(struct pt_note_payload, fields, 8, 4);
PT_ASSERT_FIELD(struct pt_note_payload, reserved, 12, 4);
PT_ASSERT_FIELD(struct pt_note_payload, arg, 16, 8);
PT_ASSERT_FIELD(struct pt_note_payload, t_end, 24, 8);
PT_ASSERT_FIELD(struct pt_note_payload, result, 32, 8);

PT_STATIC_ASSERT(sizeof(struct pt_pipe_payload) == 24, "pipe payload");
PT_ASSERT_FIELD(struct pt_pipe_payload, fds, 0, 8);
PT_ASSERT_FIELD(struct pt_pipe_payload, ino, 8, 16);
PT_STATIC_ASSERT(sizeof(struct pt_xfer_payload) == 40, "xfer payload");
PT_ASSERT_FIELD(struct pt_xfer_payload, fd_out, 0, 4);
PT_ASSERT_FIELD(struct pt_xfer_payload, kind_out, 4, 1);
PT_ASSERT_FIELD(struct pt_xfer_payload, fd_flags_out, 5, 1);
PT_ASSERT_FIELD(struct pt_xfer_payload, reserved, 6, 2);
PT_ASSERT_FIELD(struct pt_xfer_payload, ino_out, 8, 8);
PT_ASSERT_FIELD(struct pt_xfer_payload, dev_out, 16, 4);
PT_ASSERT_FIELD(struct pt_xfer_payload, flags, 20, 4);
PT_ASSERT_FIELD(struct pt_xfer_payload, off_in, 24, 8);
PT_ASSERT_FIELD(struct pt_xfer_payload, off_out, 32, 8);
PT_STATIC_ASSERT(sizeof(struct pt_callsite_payload) == 24, "callsite payload");
PT_ASSERT_FIELD(struct pt_callsite_payload, addr, 0, 8);
PT_ASSERT_FIELD(struct pt_callsite_payload, module_base, 8, 8);
PT_ASSERT_FIELD(struct pt_callsite_payload, symbol_addr, 16, 8);
PT_STATIC_ASSERT(sizeof(struct pt_module_payload) == 48, "module payload");
PT_ASSERT_FIELD(struct pt_module_payload, base, 0, 8);
PT_ASSERT_FIELD(struct pt_module_payload, build_id_len, 8, 4);
PT_ASSERT_FIELD(struct pt_module_payload, build_id, 12, 36);

PT_STATIC_ASSERT(sizeof(struct pt_wait_payload) == 16, "wait payload");
PT_ASSERT_FIELD(struct pt_wait_payload, nfds, 0, 4);
PT_ASSERT_FIELD(struct pt_wait_payload, count, 4, 4);
PT_ASSERT_FIELD(struct pt_wait_payload, stored, 8, 2);
PT_ASSERT_FIELD(struct pt_wait_payload, call, 10, 1);
PT_ASSERT_FIELD(struct pt_wait_payload, flags, 11, 1);
PT_ASSERT_FIELD(struct pt_wait_payload, reserved, 12, 4);
PT_STATIC_ASSERT(sizeof(struct pt_wait_fd) == 8, "wait fd");
PT_ASSERT_FIELD(struct pt_wait_fd, fd, 0, 4);
PT_ASSERT_FIELD(struct pt_wait_fd, events, 4, 2);
PT_ASSERT_FIELD(struct pt_wait_fd, revents, 6, 2);
PT_STATIC_ASSERT(sizeof(struct pt_wait_epoll_event) == 16, "wait epoll event");
PT_ASSERT_FIELD(struct pt_wait_epoll_event, events, 0, 4);
PT_ASSERT_FIELD(struct pt_wait_epoll_event, reserved, 4, 4);
PT_ASSERT_FIELD(struct pt_wait_epoll_event, data, 8, 8);
PT_STATIC_ASSERT(sizeof(struct pt_epoll_ctl_payload) == 24, "epoll_ctl payload");
PT_ASSERT_FIELD(struct pt_epoll_ctl_payload, op, 0, 4);
PT_ASSERT_FIELD(struct pt_epoll_ctl_payload, fd, 4, 4);
PT_ASSERT_FIELD(struct pt_epoll_ctl_payload, events, 8, 4);
PT_ASSERT_FIELD(struct pt_epoll_ctl_payload, flags, 12, 4);
PT_ASSERT_FIELD(struct pt_epoll_ctl_payload, data, 16, 8);

PT_STATIC_ASSERT(sizeof(struct pt_sockpeer_payload) == 24, "sockpeer payload");
PT_ASSERT_FIELD(struct pt_sockpeer_payload, fd, 0, 4);
PT_ASSERT_FIELD(struct pt_sockpeer_payload, reserved, 4, 4);
PT_ASSERT_FIELD(struct pt_sockpeer_payload, ino, 8, 8);
PT_ASSERT_FIELD(struct pt_sockpeer_payload, peer_ino, 16, 8);
PT_STATIC_ASSERT(sizeof(struct pt_fdpass_payload) == 8, "fdpass payload");
PT_ASSERT_FIELD(struct pt_fdpass_payload, count, 0, 4);
PT_ASSERT_FIELD(struct pt_fdpass_payload, stored, 4, 2);
PT_ASSERT_FIELD(struct pt_fdpass_payload, received, 6, 1);
PT_ASSERT_FIELD(struct pt_fdpass_payload, flags, 7, 1);
PT_STATIC_ASSERT(sizeof(struct pt_fdpass_fd) == 24, "fdpass fd");
PT_ASSERT_FIELD(struct pt_fdpass_fd, fd, 0, 4);
PT_ASSERT_FIELD(struct pt_fdpass_fd, kind, 4, 1);
PT_ASSERT_FIELD(struct pt_fdpass_fd, fd_flags, 5, 1);
PT_ASSERT_FIELD(struct pt_fdpass_fd, reserved, 6, 2);
PT_ASSERT_FIELD(struct pt_fdpass_fd, ino, 8, 8);
PT_ASSERT_FIELD(struct pt_fdpass_fd, dev, 16, 4);
PT_ASSERT_FIELD(struct pt_fdpass_fd, reserved2, 20, 4);

PT_STATIC_ASSERT(PT_DATA_ALIGN % PT_ALIGN == 0, "data_offset alignment");

#endif /* PIPETRACE_FORMAT_H */
