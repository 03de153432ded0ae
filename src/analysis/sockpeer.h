/* The two ends of each connected socket the trace saw made: a socket
 * pair's ends (and, where they can be paired, a Unix stream connection's).
 * Bytes sent on one end are received on the other, so the analysis treats
 * each direction as a channel, as it treats a pipe: the channel is named
 * by the sending end, written by sends on it and read by receives on its
 * peer. */
#ifndef PIPETRACE_ANALYSIS_SOCKPEER_H
#define PIPETRACE_ANALYSIS_SOCKPEER_H

#include <stddef.h>

#include "trace/objkey.h"
#include "trace/reader.h"

#ifdef __cplusplus
extern "C" {
#endif

struct pt_sockpeer {
    struct pt_objkey end, peer;
};

/* Open addressing on the end's key: index + 1 into v. */
struct pt_sockpeers {
    struct pt_sockpeer *v;
    size_t len, cap;
    size_t *hash;
    size_t hash_cap;
    /* The trace, for pt_sock_channel's one look ahead (NULL: none). */
    const struct pt_file *files;
    size_t nfiles;
    int scanned;
};

/* Records that a and b are the two ends of one connection. */
void pt_sockpeers_add(struct pt_sockpeers *s, struct pt_objkey a, struct pt_objkey b);

/* The other end of `end`: 1 and *peer, or 0 when it is not known. */
int pt_sockpeers_find(const struct pt_sockpeers *s, struct pt_objkey end, struct pt_objkey *peer);

/* Learns the pair of a socketpair record that succeeded; 1 if it was one. */
int pt_sockpeers_note(struct pt_sockpeers *s, const struct pt_event *ev);

/* For a record that moves bytes on a socket (not a MSG_PEEK): the channel
 * the bytes travel on, named by the sending end (the record's own object
 * for a send, its peer for a receive).  0 when r is not such a record or
 * the other end is unknown (a socket connected to something outside the
 * trace).  A Unix client may send before its server's accept, the record
 * that pairs them, begins: the first socket met with no known peer makes
 * it look ahead once, through every connect and accept of the trace
 * (s->files). */
int pt_sock_channel(struct pt_sockpeers *s, const struct pt_record *r, struct pt_objkey *channel);

void pt_sockpeers_free(struct pt_sockpeers *s);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_ANALYSIS_SOCKPEER_H */
