/* Which socket end is connected to which (sockpeer.h). */
#include "analysis/sockpeer.h"

#include <stdlib.h>

#include "trace/events.h"
#include "trace/payload.h"
#include "trace/xalloc.h"

static size_t *slot(size_t *hash, size_t cap, const struct pt_sockpeer *v, struct pt_objkey k) {
    for (size_t i = (size_t)(pt_objkey_hash(k) >> 20) & (cap - 1);; i = (i + 1) & (cap - 1))
        if (hash[i] == 0 || pt_objkey_eq(v[hash[i] - 1].end, k))
            return &hash[i];
}

/* Keeps the table at most half full. */
static void grow_hash(struct pt_sockpeers *s) {
    if (2 * (s->len + 1) <= s->hash_cap)
        return;
    size_t cap = s->hash_cap ? 2 * s->hash_cap : 64;
    size_t *hash = pt_xcalloc(cap, sizeof *hash);
    for (size_t i = 0; i < s->len; i++)
        *slot(hash, cap, s->v, s->v[i].end) = i + 1;
    free(s->hash);
    s->hash = hash;
    s->hash_cap = cap;
}

/* end's peer is peer, from now on (an inode number reused by a later
 * socket names the later connection). */
static void put(struct pt_sockpeers *s, struct pt_objkey end, struct pt_objkey peer) {
    grow_hash(s);
    size_t *at = slot(s->hash, s->hash_cap, s->v, end);
    if (*at != 0) {
        s->v[*at - 1].peer = peer;
        return;
    }
    PT_GROW(s->v, s->len + 1, s->cap);
    s->v[s->len++] = (struct pt_sockpeer){end, peer};
    *at = s->len;
}

void pt_sockpeers_add(struct pt_sockpeers *s, struct pt_objkey a, struct pt_objkey b) {
    if (a.ino == 0 || b.ino == 0 || pt_objkey_eq(a, b))
        return;
    put(s, a, b);
    put(s, b, a);
}

int pt_sockpeers_find(const struct pt_sockpeers *s, struct pt_objkey end, struct pt_objkey *peer) {
    if (s->hash_cap == 0)
        return 0;
    size_t at = *slot(s->hash, s->hash_cap, s->v, end);
    if (at == 0)
        return 0;
    *peer = s->v[at - 1].peer;
    return 1;
}

/* A connect or accept that made a Unix connection, with the kernel's word
 * on the peer. */
static int note_connection(struct pt_sockpeers *s, const struct pt_event *ev) {
    struct pt_sockpeer_payload p;
    if (ev->rec->state != PT_DONE || ev->rec->result < 0 || !pt_payload_sockpeer(ev, &p))
        return 0;
    pt_sockpeers_add(s, (struct pt_objkey){p.ino, ev->rec->obj_dev},
                     (struct pt_objkey){p.peer_ino, ev->rec->obj_dev});
    return 1;
}

int pt_sockpeers_note(struct pt_sockpeers *s, const struct pt_event *ev) {
    const struct pt_record *r = ev->rec;
    struct pt_pipe_payload pp;
    if (r->type == PT_EV_CONNECT || r->type == PT_EV_ACCEPT)
        return note_connection(s, ev);
    if (r->type != PT_EV_SOCKETPAIR || r->state != PT_DONE || r->result != 0 ||
        !pt_payload_pair(ev, &pp))
        return 0;
    /* Both ends live on sockfs: one device. */
    pt_sockpeers_add(s, (struct pt_objkey){pp.ino[0], r->obj_dev},
                     (struct pt_objkey){pp.ino[1], r->obj_dev});
    return 1;
}

/* Every connection the trace made, learned now. */
static void scan_connections(struct pt_sockpeers *s) {
    s->scanned = 1;
    for (size_t i = 0; i < s->nfiles; i++) {
        struct pt_cursor c;
        struct pt_event ev;
        pt_file_walk(&c, &s->files[i]);
        while (pt_file_next(&c, &ev))
            if (ev.rec->type == PT_EV_CONNECT || ev.rec->type == PT_EV_ACCEPT)
                note_connection(s, &ev);
    }
}

int pt_sock_channel(struct pt_sockpeers *s, const struct pt_record *r, struct pt_objkey *channel) {
    if (r->obj_kind != PT_OBJ_SOCKET || !pt_event_moves_data(r->type) || pt_event_peeks(r))
        return 0;
    struct pt_objkey own = pt_objkey_of(r), peer;
    if (!pt_sockpeers_find(s, own, &peer) && !s->scanned && s->files != NULL)
        scan_connections(s);
    if (!pt_sockpeers_find(s, own, &peer))
        return 0;
    *channel = pt_event_writes(r->type) ? own : peer;
    return 1;
}

void pt_sockpeers_free(struct pt_sockpeers *s) {
    free(s->v);
    free(s->hash);
    s->v = NULL;
    s->hash = NULL;
    s->len = s->cap = s->hash_cap = 0;
}
