/* Building a record's field list; the decoders themselves are in
 * decode_*.c. */
#include "fields.h"

#include <string.h>

#include "events.h"

void pt_event_fields(const struct pt_event *ev, struct pt_fields *out) {
    out->n = 0;
    pt_event_info(ev->rec->type)->decode(ev, out);
}

const struct pt_field *pt_fields_find(const struct pt_fields *f, const char *key, unsigned show) {
    for (size_t i = 0; i < f->n; i++)
        if ((f->v[i].show & show) && strcmp(f->v[i].key, key) == 0)
            return &f->v[i];
    return NULL;
}

struct pt_field *pt_field_add(struct pt_fields *f, const char *key, unsigned kind, unsigned show) {
    struct pt_field *fl = f->n < PT_FIELDS_MAX ? &f->v[f->n++] : &f->spare;
    memset(fl, 0, sizeof *fl);
    fl->key = key;
    fl->kind = (uint8_t)kind;
    fl->show = (uint8_t)show;
    return fl;
}

struct pt_field *pt_field_int(struct pt_fields *f, const char *key, unsigned show, int64_t v) {
    struct pt_field *fl = pt_field_add(f, key, PT_FIELD_INT, show);
    fl->v.i = v;
    return fl;
}

struct pt_field *pt_field_uint(struct pt_fields *f, const char *key, unsigned show, uint64_t v) {
    struct pt_field *fl = pt_field_add(f, key, PT_FIELD_UINT, show);
    fl->v.u = v;
    return fl;
}

struct pt_field *pt_field_hex(struct pt_fields *f, const char *key, unsigned show, uint64_t v) {
    struct pt_field *fl = pt_field_add(f, key, PT_FIELD_HEX, show);
    fl->v.u = v;
    return fl;
}

struct pt_field *pt_field_name(struct pt_fields *f, const char *key, unsigned show,
                               const char *name) {
    struct pt_field *fl = pt_field_add(f, key, PT_FIELD_NAME, show);
    fl->v.name = name;
    return fl;
}

struct pt_field *pt_field_null(struct pt_fields *f, const char *key, unsigned show) {
    return pt_field_add(f, key, PT_FIELD_NULL, show);
}

struct pt_field *pt_field_record_fd(struct pt_fields *f, const char *key, unsigned show,
                                    const struct pt_record *r) {
    struct pt_field *fl = pt_field_add(f, key, PT_FIELD_FD, show);
    fl->v.fd.fd = r->fd;
    fl->v.fd.kind = r->obj_kind;
    fl->v.fd.ino = r->obj_ino;
    fl->v.fd.dev = r->obj_dev;
    return fl;
}

struct pt_field *pt_field_open_flags(struct pt_fields *f, const char *key, unsigned show,
                                     uint64_t bits, int with_access) {
    struct pt_field *fl = pt_field_add(f, key, PT_FIELD_OPEN_FLAGS, show);
    fl->v.flags.bits = bits;
    fl->v.flags.with_access = with_access;
    return fl;
}

struct pt_field *pt_field_bytes(struct pt_fields *f, const char *key, unsigned kind, unsigned show,
                                const uint8_t *p, size_t len) {
    struct pt_field *fl = pt_field_add(f, key, kind, show);
    fl->v.bytes.p = p;
    fl->v.bytes.len = len;
    return fl;
}
