/* Per-type payload decoding. */
#include "payload.h"

#include <string.h>

int pt_payload_pair(const struct pt_event *ev, struct pt_pipe_payload *out) {
    if (ev->rec->data_len < sizeof *out)
        return 0;
    memcpy(out, ev->payload, sizeof *out);
    return 1;
}

int pt_payload_fdpass(const struct pt_event *ev, struct pt_fdpass_payload *head,
                      const uint8_t **fds) {
    if (ev->rec->data_len < sizeof *head)
        return 0;
    memcpy(head, ev->payload, sizeof *head);
    if ((ev->rec->data_len - sizeof *head) / sizeof(struct pt_fdpass_fd) < head->stored)
        return 0;
    *fds = ev->payload + sizeof *head;
    return 1;
}

int pt_payload_sockpeer(const struct pt_event *ev, struct pt_sockpeer_payload *out) {
    if (ev->rec->data_len < sizeof *out)
        return 0;
    memcpy(out, ev->payload, sizeof *out);
    return 1;
}

int pt_strings_next(const uint8_t *p, size_t len, size_t *pos, const uint8_t **s, size_t *slen) {
    if (*pos >= len)
        return 0;
    const uint8_t *start = p + *pos;
    const uint8_t *nul = memchr(start, '\0', len - *pos);
    *s = start;
    *slen = nul != NULL ? (size_t)(nul - start) : len - *pos;
    *pos += *slen + 1;
    return 1;
}

int pt_payload_next_string(const struct pt_event *ev, size_t *pos, const uint8_t **s, size_t *len) {
    return pt_strings_next(ev->payload, ev->rec->data_len, pos, s, len);
}

/* The NUL-terminated string at offset pos of the payload, or the rest of
 * the payload if the writer cut it. */
static void trailing_string(const struct pt_event *ev, size_t pos, const uint8_t **s, size_t *len) {
    size_t total = ev->rec->data_len;
    *s = ev->payload + pos;
    const uint8_t *nul = memchr(*s, '\0', total - pos);
    *len = nul != NULL ? (size_t)(nul - *s) : total - pos;
}

int pt_payload_callsite(const struct pt_event *ev, struct pt_callsite_info *out) {
    struct pt_callsite_payload p;
    if (ev->rec->data_len < sizeof p)
        return 0;
    memcpy(&p, ev->payload, sizeof p);
    out->addr = p.addr;
    out->module_base = p.module_base;
    out->symbol_addr = p.symbol_addr;
    trailing_string(ev, sizeof p, &out->symbol, &out->symbol_len);
    return 1;
}

int pt_payload_module(const struct pt_event *ev, struct pt_module_info *out) {
    const struct pt_module_payload *p = (const void *)ev->payload;
    if (ev->rec->data_len < sizeof *p || p->build_id_len > sizeof p->build_id)
        return 0;
    out->base = p->base;
    out->build_id = p->build_id;
    out->build_id_len = p->build_id_len;
    trailing_string(ev, sizeof *p, &out->path, &out->path_len);
    return 1;
}
