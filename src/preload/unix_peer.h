/* The inode of the other end of a connected Unix socket, as the kernel
 * tells it (sock_diag, what `ss -x` shows as the peer).  Costs a netlink
 * socket and a round trip: asked once per connection made (connect,
 * accept), never per call. */
#ifndef PIPETRACE_PRELOAD_UNIX_PEER_H
#define PIPETRACE_PRELOAD_UNIX_PEER_H

#include <stdint.h>

/* The peer inode of the Unix socket whose inode is ino; 0 when it has
 * none, is not a Unix socket, or the kernel could not be asked (no
 * sock_diag, a seccomp filter).  errno is left alone; no fd stays open. */
uint64_t pt_unix_peer(uint64_t ino);

#endif /* PIPETRACE_PRELOAD_UNIX_PEER_H */
