/* Payload decoding: every length comes from the record and is checked
 * against data_len before use. */
#include "decode.h"

#include <stdlib.h>
#include <string.h>

int pt_decode_pipe(const struct pt_event *ev, struct pt_pipe_payload *out) {
    if (ev->rec->data_len < sizeof *out)
        return 0;
    memcpy(out, ev->payload, sizeof *out);
    return 1;
}

static char *copy_bytes(const void *p, size_t len) {
    char *s = malloc(len + 1);
    if (s == NULL)
        return NULL;
    memcpy(s, p, len);
    s[len] = '\0';
    return s;
}

char *pt_decode_first_string(const struct pt_event *ev) {
    const uint8_t *p = ev->payload;
    size_t len = ev->rec->data_len;
    const uint8_t *nul = memchr(p, '\0', len);
    return copy_bytes(p, nul ? (size_t)(nul - p) : len);
}

int pt_decode_strings(const struct pt_event *ev, char **strings, char ***list, size_t *n) {
    size_t len = ev->rec->data_len, count = 0;
    char *copy = copy_bytes(ev->payload, len);
    if (copy == NULL)
        return -1;
    for (size_t i = 0; i < len; i++)
        count += copy[i] == '\0';
    if (len > 0 && copy[len - 1] != '\0')
        count++; /* the last one, cut */
    char **v = calloc(count + 1, sizeof *v);
    if (v == NULL) {
        free(copy);
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < len && k < count; i += strlen(copy + i) + 1)
        v[k++] = copy + i;
    *strings = copy;
    *list = v;
    *n = k;
    return 0;
}

/* The length of a string that may lack its NUL within max bytes. */
static size_t bounded_len(const uint8_t *p, size_t max) {
    const uint8_t *nul = memchr(p, '\0', max);
    return nul ? (size_t)(nul - p) : max;
}

int pt_decode_callsite(const struct pt_event *ev, struct pt_decoded_site *out) {
    struct pt_callsite_payload c;
    size_t len = ev->rec->data_len;
    if (len < sizeof c)
        return 0;
    memcpy(&c, ev->payload, sizeof c);
    out->addr = c.addr;
    out->module_base = c.module_base;
    out->symbol_addr = c.symbol_addr;
    out->symbol = (const char *)ev->payload + sizeof c;
    out->symbol_len = bounded_len(ev->payload + sizeof c, len - sizeof c);
    return 1;
}

int pt_decode_module(const struct pt_event *ev, uint64_t *base, const char **path,
                     size_t *path_len) {
    struct pt_module_payload mp;
    size_t len = ev->rec->data_len;
    if (len < sizeof mp)
        return 0;
    memcpy(&mp, ev->payload, sizeof mp);
    *base = mp.base;
    *path = (const char *)ev->payload + sizeof mp;
    *path_len = bounded_len(ev->payload + sizeof mp, len - sizeof mp);
    return 1;
}
