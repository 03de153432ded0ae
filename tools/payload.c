/* Per-type payload decoding. */
#include "payload.h"

#include <string.h>

int payload_pipe(const struct pt_event *ev, struct pt_pipe_payload *out) {
    if (ev->rec->data_len < sizeof *out)
        return 0;
    memcpy(out, ev->payload, sizeof *out);
    return 1;
}

int payload_next_string(const struct pt_event *ev, size_t *pos, const uint8_t **s, size_t *len) {
    size_t total = ev->rec->data_len;
    if (*pos >= total)
        return 0;
    const uint8_t *start = ev->payload + *pos;
    const uint8_t *nul = memchr(start, '\0', total - *pos);
    *s = start;
    *len = nul != NULL ? (size_t)(nul - start) : total - *pos;
    *pos += *len + 1;
    return 1;
}

/* The NUL-terminated string at offset pos of the payload, or the rest of
 * the payload if the writer cut it. */
static void trailing_string(const struct pt_event *ev, size_t pos, const uint8_t **s, size_t *len) {
    size_t total = ev->rec->data_len;
    *s = ev->payload + pos;
    const uint8_t *nul = memchr(*s, '\0', total - pos);
    *len = nul != NULL ? (size_t)(nul - *s) : total - pos;
}

int payload_callsite(const struct pt_event *ev, struct callsite_info *out) {
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

int payload_module(const struct pt_event *ev, struct module_info *out) {
    const struct pt_module_payload *p = (const void *)ev->payload;
    if (ev->rec->data_len < sizeof *p || p->build_id_len > sizeof p->build_id)
        return 0;
    out->base = p->base;
    out->build_id = p->build_id;
    out->build_id_len = p->build_id_len;
    trailing_string(ev, sizeof *p, &out->path, &out->path_len);
    return 1;
}
