/* One decoder per record type (the `decode` of its row in events.c): each
 * appends the type's arguments to a field list (fields.h), in the order
 * strace would print them, marking which of them the text shows, which the
 * JSON shows, and which only a returned call knows.  Private to
 * src/trace. */
#ifndef PIPETRACE_TRACE_DECODERS_H
#define PIPETRACE_TRACE_DECODERS_H

#include "events.h"
#include "fields.h"

/* decode_fd.c: calls on fds */
pt_decode_fn pt_args_io, pt_args_pair, pt_args_dup, pt_args_dup2, pt_args_dup3, pt_args_fcntl,
    pt_args_ioctl, pt_args_open, pt_args_close, pt_args_close_range, pt_args_mkfifo,
    pt_args_unknown;

/* decode_sock.c: socket calls */
pt_decode_fn pt_args_sockio, pt_args_fdpass, pt_args_connect;

/* decode_xfer.c: bytes moved inside the kernel */
pt_decode_fn pt_args_splice, pt_args_tee, pt_args_vmsplice, pt_args_sendfile;

/* decode_process.c: processes */
pt_decode_fn pt_args_fork, pt_args_spawn, pt_args_exec, pt_args_exit, pt_args_wait, pt_args_popen,
    pt_args_pclose, pt_args_system, pt_args_kill, pt_args_untraced;

/* decode_wait.c: waits for readiness and epoll's set */
pt_decode_fn pt_args_poll, pt_args_select, pt_args_epoll_create, pt_args_epoll_ctl,
    pt_args_epoll_wait;

/* decode_notes.c: the recorder's notes */
pt_decode_fn pt_args_inherited, pt_args_callsite, pt_args_module, pt_args_coverage;

/* Shared by decoders: the record's captured bytes as its "data" field,
 * shown only once the call returned when at_exit (a read's bytes are known
 * then; a write's when it begins). */
struct pt_field *pt_field_capture(struct pt_fields *f, const struct pt_event *ev, int at_exit);

/* Shared by decoders: the payload's first string as a STRING field (NULL
 * when there is none); *pos is left after it. */
struct pt_field *pt_field_first_string(struct pt_fields *f, const char *key, unsigned show,
                                       const struct pt_event *ev, size_t *pos);

#endif /* PIPETRACE_TRACE_DECODERS_H */
