/* A record's arguments as named fields: what a type's decoder (the row's
 * `decode`, events.h) emits and what both of dump's printers render, the
 * strace-like text (tools/dump_text.c) and the JSON lines
 * (tools/dump_json.c).  A field carries a value of one kind; how a kind is
 * spelled is the printer's business, which value is shown where is the
 * decoder's. */
#ifndef PIPETRACE_TRACE_FIELDS_H
#define PIPETRACE_TRACE_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "reader.h"

#ifdef __cplusplus
extern "C" {
#endif

enum pt_field_kind {
    PT_FIELD_NULL = 0,      /* no value: text "?", JSON null */
    PT_FIELD_INT,           /* v.i */
    PT_FIELD_UINT,          /* v.u */
    PT_FIELD_HEX,           /* v.u: text 0x1f, JSON a number */
    PT_FIELD_NAME,          /* v.name, a symbolic constant: text bare, JSON a
                               string */
    PT_FIELD_FD,            /* v.fd: text 3<pipe:[88121]>, JSON the number */
    PT_FIELD_PAIR,          /* v.pair, the fds a pipe made: text
                               [3<pipe:[7]>, 4<pipe:[7]>], JSON "fds" and
                               "inos" */
    PT_FIELD_OPEN_FLAGS,    /* v.flags: O_* names */
    PT_FIELD_FD_FLAGS,      /* v.u, a record's fd_flags: O_RDONLY|O_CLOEXEC */
    PT_FIELD_STRING,        /* v.bytes: quoted */
    PT_FIELD_STRINGS,       /* v.bytes, NUL-separated strings: a list (the
                               last one may lack its NUL) */
    PT_FIELD_DATA,          /* v.data, captured bytes: text cut short, JSON
                               "data", "data_len" and "data_cut" */
    PT_FIELD_STATUS,        /* v.i, a wait status: text as strace decodes it */
    PT_FIELD_HEX_BYTES,     /* v.bytes: hex digits (a build id) */
    PT_FIELD_SYMBOL_OFFSET, /* v.sym: text "symbol"+0x10 */
    PT_FIELD_BOOL,          /* v.u: text and JSON true / false */
    PT_FIELD_WAITSET,       /* v.wait, a wait's set or what was ready, in
                               the form v.wait.form says */
    PT_FIELD_OBJECT,        /* v.fd without the fd: text pipe:[88121], JSON
                               {"kind","ino","dev"} as a record's object */
};

/* pt_field.v.wait.form: how a wait's entries (format.h) read */
enum pt_waitset_form {
    PT_WAITSET_EVENTS = 0,   /* pt_wait_fd: text [{fd=3, events=POLLIN}], JSON
                                [{"fd":3,"events":["POLLIN"],"revents":[...]}] */
    PT_WAITSET_REVENTS,      /* pt_wait_fd with revents: text
                                [{fd=3, revents=POLLIN}] */
    PT_WAITSET_SELECT,       /* pt_wait_fd with events & v.wait.mask: text [3 4] */
    PT_WAITSET_SELECT_READY, /* pt_wait_fd: text in [3], out [4], except [5] */
    PT_WAITSET_EPOLL,        /* pt_wait_epoll_event: text
                                [{events=EPOLLIN, data=0x3}], JSON
                                [{"events":["EPOLLIN"],"data":3}] */
    PT_WAITSET_EPOLL_ONE,    /* one pt_wait_epoll_event: text
                                {events=EPOLLIN, data=0x3}, JSON an object */
};

/* pt_field.show */
enum {
    PT_SHOW_TEXT = 1u << 0,
    PT_SHOW_JSON = 1u << 1,
    PT_SHOW_BOTH = PT_SHOW_TEXT | PT_SHOW_JSON,
};

struct pt_field {
    const char *key;   /* its name; the JSON key */
    const char *label; /* text: written before the value ("module="), or NULL */
    uint8_t kind;      /* enum pt_field_kind */
    uint8_t show;      /* PT_SHOW_* */
    uint8_t at_exit;   /* known only once the call returned: the text of a
                          call that never returned stops before it, as
                          strace's "read(3, <unfinished ...>" */
    uint8_t glued;     /* text: follows the previous field after a space,
                          not ", " */
    uint8_t trailer;   /* text: shown after the result, in parentheses, as
                          strace shows what a call wrote back
                          ("= 1 ([{fd=3, revents=POLLIN}])") */
    union {
        int64_t i;
        uint64_t u;
        const char *name;
        struct {
            int32_t fd;
            uint8_t kind; /* PT_OBJ_* */
            uint64_t ino;
            uint32_t dev;
        } fd;
        struct {
            int32_t fds[2];
            uint64_t inos[2];
            uint8_t kind;
            uint32_t dev;
        } pair;
        struct {
            uint64_t bits;
            int with_access; /* names the access mode too (open) */
        } flags;
        struct {
            const uint8_t *p; /* into the record's payload */
            size_t len;
        } bytes;
        struct {
            const uint8_t *p;
            size_t len;
            int cut; /* fewer bytes than the call moved */
        } data;
        struct {
            const uint8_t *p;
            size_t len;
            uint64_t offset;
        } sym;
        struct {
            const uint8_t *p; /* the entries, into the record's payload */
            size_t n;         /* entries at p */
            uint32_t total;   /* entries there were (more than n: cut) */
            uint8_t form;     /* enum pt_waitset_form */
            uint16_t mask;    /* PT_WAITSET_SELECT: which events */
        } wait;
    } v;
};

/* More than any decoder emits; a field past this is dropped. */
#define PT_FIELDS_MAX 12

struct pt_fields {
    struct pt_field v[PT_FIELDS_MAX];
    size_t n;
    struct pt_field spare; /* what pt_field_add hands out when full */
};

/* The fields of a record, by its type's decoder. */
void pt_event_fields(const struct pt_event *ev, struct pt_fields *out);

/* The field named key among those shown in show, or NULL. */
const struct pt_field *pt_fields_find(const struct pt_fields *f, const char *key, unsigned show);

/* --- for decoders ------------------------------------------------------- */

/* A new field at the end (zeroed but for key, kind and show). */
struct pt_field *pt_field_add(struct pt_fields *f, const char *key, unsigned kind, unsigned show);

struct pt_field *pt_field_int(struct pt_fields *f, const char *key, unsigned show, int64_t v);
struct pt_field *pt_field_uint(struct pt_fields *f, const char *key, unsigned show, uint64_t v);
struct pt_field *pt_field_hex(struct pt_fields *f, const char *key, unsigned show, uint64_t v);
struct pt_field *pt_field_name(struct pt_fields *f, const char *key, unsigned show,
                               const char *name);
struct pt_field *pt_field_null(struct pt_fields *f, const char *key, unsigned show);
/* The record's own fd and object. */
struct pt_field *pt_field_record_fd(struct pt_fields *f, const char *key, unsigned show,
                                    const struct pt_record *r);
struct pt_field *pt_field_open_flags(struct pt_fields *f, const char *key, unsigned show,
                                     uint64_t bits, int with_access);
struct pt_field *pt_field_bytes(struct pt_fields *f, const char *key, unsigned kind, unsigned show,
                                const uint8_t *p, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_TRACE_FIELDS_H */
