/* Asking sock_diag for a Unix socket's peer (unix_peer.h).
 *
 * One request for one inode (not a dump): a unix_diag_req with
 * UDIAG_SHOW_PEER, answered by a unix_diag_msg whose UNIX_DIAG_PEER
 * attribute is the peer's inode.  Raw system calls only: the library's own
 * socket, sendto and recvfrom wrappers must not see it, and errno must not
 * change. */
#define _GNU_SOURCE
#include "unix_peer.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "src/writer/sys.h"

static long sys6(long nr, long a, long b, long c, long d, long e, long f) {
    return pt_syscall6(nr, a, b, c, d, e, f);
}

static int ask(int nl, uint64_t ino) {
    struct {
        struct nlmsghdr nlh;
        struct unix_diag_req req;
    } msg;
    memset(&msg, 0, sizeof msg);
    msg.nlh.nlmsg_len = sizeof msg;
    msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST;
    msg.req.sdiag_family = AF_UNIX;
    msg.req.udiag_states = ~0u;
    msg.req.udiag_ino = (uint32_t)ino;
    msg.req.udiag_show = UDIAG_SHOW_PEER;
    msg.req.udiag_cookie[0] = ~0u;
    msg.req.udiag_cookie[1] = ~0u;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    return sys6(SYS_sendto, nl, (long)&msg, sizeof msg, 0, (long)&kernel, sizeof kernel) ==
           (long)sizeof msg;
}

/* The UNIX_DIAG_PEER attribute of the answer in buf, or 0. */
static uint64_t peer_in(const char *buf, long len) {
    const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
    if (len < (long)sizeof *h || !NLMSG_OK(h, (unsigned)len) ||
        h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
        return 0;
    const struct unix_diag_msg *d = NLMSG_DATA(h);
    int rest = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof *d);
    for (const struct rtattr *a = (const struct rtattr *)(d + 1); RTA_OK(a, rest);
         a = RTA_NEXT(a, rest))
        if (a->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(a) >= sizeof(uint32_t)) {
            uint32_t peer;
            memcpy(&peer, RTA_DATA(a), sizeof peer);
            return peer;
        }
    return 0;
}

uint64_t pt_unix_peer(uint64_t ino) {
    if (ino == 0 || ino > UINT32_MAX) /* sock_diag's inode field is 32 bits */
        return 0;
    long nl = sys6(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG, 0, 0, 0);
    if (nl < 0)
        return 0;
    uint64_t peer = 0;
    if (ask((int)nl, ino)) {
        union {
            struct nlmsghdr align;
            char buf[1024];
        } answer;
        long n = sys6(SYS_recvfrom, nl, (long)answer.buf, sizeof answer.buf, MSG_DONTWAIT, 0, 0);
        if (n > 0)
            peer = peer_in(answer.buf, n);
    }
    PT_SYS3(SYS_close, nl, 0, 0);
    return peer;
}
