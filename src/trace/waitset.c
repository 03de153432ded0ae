/* Reading a wait's set and epoll_ctl's arguments.  See waitset.h. */
#include "waitset.h"

#include <string.h>

#include "events.h"

size_t pt_wait_entry_size(unsigned type) {
    return type == PT_EV_EPOLL_WAIT ? sizeof(struct pt_wait_epoll_event)
                                    : sizeof(struct pt_wait_fd);
}

int pt_wait_payload_of(const struct pt_event *ev, struct pt_wait_payload *head,
                       const uint8_t **entries, size_t *n) {
    const struct pt_record *r = ev->rec;
    if (pt_event_info(r->type)->payload != PT_PAYLOAD_WAIT || r->data_len < sizeof *head)
        return 0;
    memcpy(head, ev->payload, sizeof *head);
    size_t room = (r->data_len - sizeof *head) / pt_wait_entry_size(r->type);
    *n = head->stored < room ? head->stored : room;
    *entries = ev->payload + sizeof *head;
    return 1;
}

int pt_waitset_total(const struct pt_event *ev, uint32_t *total, int *cut) {
    struct pt_wait_payload head;
    const uint8_t *entries;
    size_t n;
    if (!pt_wait_payload_of(ev, &head, &entries, &n))
        return -1;
    *total = head.count;
    *cut = n < head.count;
    return 0;
}

int pt_waitset(const struct pt_event *ev, struct pt_waitfd *out, size_t max, int32_t *epfd) {
    struct pt_wait_payload head;
    const uint8_t *entries;
    size_t n, count = 0;
    if (pt_event_info(ev->rec->type)->cls != PT_CLASS_POLL)
        return -1;
    if (ev->rec->type == PT_EV_EPOLL_WAIT) {
        if (epfd != NULL)
            *epfd = ev->rec->fd;
        return 0;
    }
    if (!pt_wait_payload_of(ev, &head, &entries, &n) || (head.flags & PT_WAITF_UNREAD))
        return -1;
    for (size_t i = 0; i < n && count < max; i++) {
        struct pt_wait_fd e;
        memcpy(&e, entries + i * sizeof e, sizeof e);
        if (e.fd < 0)
            continue;
        out[count++] = (struct pt_waitfd){e.fd, e.events, e.revents};
    }
    return (int)count;
}

int pt_epoll_ctl_payload_of(const struct pt_event *ev, struct pt_epoll_ctl_payload *out) {
    const struct pt_record *r = ev->rec;
    if (pt_event_info(r->type)->payload != PT_PAYLOAD_EPOLL_CTL || r->data_len < sizeof *out)
        return 0;
    memcpy(out, ev->payload, sizeof *out);
    return 1;
}

int pt_epoll_ctl_args(const struct pt_event *ev, int *op, int32_t *fd, uint32_t *events) {
    struct pt_epoll_ctl_payload p;
    if (!pt_epoll_ctl_payload_of(ev, &p))
        return -1;
    *op = p.op;
    *fd = p.fd;
    *events = (p.flags & PT_EPOLLF_NO_EVENT) ? 0 : p.events;
    return 0;
}
