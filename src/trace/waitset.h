/* The set of fds a wait for readiness waits on (PT_CLASS_POLL records:
 * poll, ppoll, select, pselect, epoll_wait, epoll_pwait, epoll_pwait2) and
 * the changes epoll_ctl makes to an epoll fd's set (PT_CLASS_EPOLL_CTL):
 * the one way the viewer reads them from a record's payload (format.h,
 * struct pt_wait_payload and struct pt_epoll_ctl_payload), trusting no
 * length in it. */
#ifndef PIPETRACE_TRACE_WAITSET_H
#define PIPETRACE_TRACE_WAITSET_H

#include <stddef.h>
#include <stdint.h>

#include "pipetrace/format.h"
#include "reader.h"

#ifdef __cplusplus
extern "C" {
#endif

struct pt_waitfd {
    int32_t fd;
    uint16_t events;  /* POLLIN / POLLOUT / POLLPRI / POLLHUP / POLLERR bits */
    uint16_t revents; /* what was ready; 0 while the wait had not returned */
};

/* The fds a PT_CLASS_POLL record waits on, at most max into out (fds the
 * kernel ignores, poll's negative ones, are left out).  For an epoll_wait,
 * *epfd is set to the epoll fd and 0 returned: the set is what the
 * image's epoll_ctl records built.  Returns the count, or -1 for a record
 * of another class, a payload that does not decode, or a set the recorder
 * could not read (the program passed a bad pointer; the call failed with
 * EFAULT).  A set of more than PT_WAIT_STORED_MAX fds is cut:
 * pt_waitset_total says so. */
int pt_waitset(const struct pt_event *ev, struct pt_waitfd *out, size_t max, int32_t *epfd);

/* How many fds the set had (select: with a bit below min(nfds,
 * FD_SETSIZE); epoll_wait: events returned), and whether the record holds
 * fewer than that (*cut).  -1 if the payload does not decode. */
int pt_waitset_total(const struct pt_event *ev, uint32_t *total, int *cut);

/* op (EPOLL_CTL_ADD/MOD/DEL), the target fd and its events (EPOLL* bits;
 * 0 when the record does not know them: a DEL, or a call that failed).
 * Returns 0, or -1 for a record that is not an epoll_ctl or whose payload
 * does not decode. */
int pt_epoll_ctl_args(const struct pt_event *ev, int *op, int32_t *fd, uint32_t *events);

/* --- for the decoders ------------------------------------------------------ */

/* A wait record's payload header and its entries (struct pt_wait_fd for
 * poll and select, struct pt_wait_epoll_event for epoll_wait): *entries
 * points into the payload, *n is how many whole entries it holds (at most
 * the header's `stored`).  0 if the payload is too short for a header. */
int pt_wait_payload_of(const struct pt_event *ev, struct pt_wait_payload *head,
                       const uint8_t **entries, size_t *n);

/* The size of one entry of a wait record of this type. */
size_t pt_wait_entry_size(unsigned type);

/* An epoll_ctl record's payload; 0 if too short. */
int pt_epoll_ctl_payload_of(const struct pt_event *ev, struct pt_epoll_ctl_payload *out);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_TRACE_WAITSET_H */
