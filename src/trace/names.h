/* Names for the numbers in a trace: object kinds, errno values and
 * flag bits, as strace and the C headers spell them. */
#ifndef PIPETRACE_TRACE_NAMES_H
#define PIPETRACE_TRACE_NAMES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "pipe", "fifo", "socket", "file", "tty", "other", "device", "epoll", or
 * "unknown" (also for numbers this version does not know). */
const char *pt_obj_kind_name(unsigned kind);

/* An object as strace -y shows it: "pipe:[88121]", an epoll fd as
 * "anon_inode:[eventpoll]"; a character device
 * (PT_OBJ_DEVICE, whose dev is its st_rdev) by its name where it is one
 * every Linux has ("/dev/null", "/dev/zero", "/dev/full", "/dev/random",
 * "/dev/urandom", "/dev/tty"), else "chr:MAJOR:MINOR". */
void pt_object_name(unsigned kind, uint64_t ino, uint32_t dev, char *buf, size_t len);

/* The errno of a failed call's result (-errno), or 0 when result is not
 * one: non-negative, or below -4095 (a damaged record; negating INT64_MIN
 * would overflow). */
int pt_result_errno(int64_t result);

/* "EAGAIN"; NULL for numbers with no name. */
const char *pt_errno_name(int err);

/* The C library's description, "Resource temporarily unavailable". */
const char *pt_errno_text(int err);

/* The O_* names of the bits set in flags, in a fixed order, into names[]
 * (at most max).  with_access adds the access mode (O_RDONLY, O_WRONLY,
 * O_RDWR) first, for open(); pipe2() flags have none.  Bits without a name
 * are left in *rest.  Returns how many names were stored. */
size_t pt_open_flag_names(uint64_t flags, int with_access, const char **names, size_t max,
                          uint64_t *rest);

/* The same joined with '|' ("O_NONBLOCK|O_CLOEXEC", "0" when no bits,
 * unnamed bits as a trailing hex number). */
void pt_format_open_flags(uint64_t flags, int with_access, char *buf, size_t len);

/* The names of a record's fd_flags ("O_RDONLY", "O_NONBLOCK", "O_CLOEXEC",
 * ...); none when the flags are not known (PT_FDF_KNOWN clear). */
size_t pt_fd_flag_names(unsigned fd_flags, const char **names, size_t max);

/* SPLICE_F_* bits as one name ("SPLICE_F_MOVE|SPLICE_F_MORE"); NULL for
 * 0 or for bits no SPLICE_F_* names. */
const char *pt_splice_flags_name(uint64_t flags);

/* "SIGPIPE"; NULL if unknown. */
const char *pt_signal_name(int sig);

/* "F_SETFL"; NULL if unknown. */
const char *pt_fcntl_cmd_name(int cmd);

/* "hooked", "unhooked" or "unknown": whether stdio reaches the recorder,
 * from header flags (PT_HDR_STDIO_*). */
const char *pt_stdio_state_name(uint32_t hdr_flags);

/* Why a child ran untraced (PT_UNTRACED_*): "static", "setid", ...; NULL if
 * unknown. */
const char *pt_untraced_reason_name(unsigned reason);

/* The names of poll's POLL* bits (and of epoll's EPOLL* bits) set in bits,
 * at most max, as strace orders them; *rest gets the bits without a name. */
size_t pt_poll_event_names(uint64_t bits, const char **names, size_t max, uint64_t *rest);
size_t pt_epoll_event_names(uint64_t bits, const char **names, size_t max, uint64_t *rest);

/* "EPOLL_CTL_ADD"; NULL if unknown. */
const char *pt_epoll_op_name(int op);

/* The function a wait record was made by (PT_WAIT_CALL_*): "ppoll",
 * "pselect", "epoll_pwait2"...; NULL if unknown. */
const char *pt_wait_call_name(unsigned call);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_TRACE_NAMES_H */
