/* What each kind of record changes in the model. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "model_impl.h"
#include "trace/events.h"
#include "trace/payload.h"
#include "trace/xalloc.h"
#include "trace/xfer.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define MAX_PENDING 64 /* calls in progress kept per image (one per thread) */

static int done_ok(const struct pt_record *r) {
    return r->state == PT_DONE && r->result >= 0;
}

/* --- counting ------------------------------------------------------------ */

/* The image's counts for a call type, made on first use. */
static struct pt_stat *stat_of(struct pt_image *img, unsigned type) {
    if (img->stat_slot[type] != 0)
        return &img->stats[img->stat_slot[type] - 1];
    img->stats = pt_xreallocarray(img->stats, img->nstats + 1, sizeof *img->stats);
    memset(&img->stats[img->nstats], 0, sizeof *img->stats);
    img->stat_slot[type] = (uint8_t)++img->nstats;
    return &img->stats[img->nstats - 1];
}

static void count(struct pt_image *img, const struct pt_record *r) {
    if (r->type > PT_EV_MAX)
        return;
    struct pt_stat *s = stat_of(img, r->type);
    s->calls++;
    if (r->fd_flags & PT_FDF_INJECTED)
        s->injected++;
    if (r->state != PT_DONE)
        return;
    if (r->result < 0)
        s->errors++;
    else if (pt_event_moves_data(r->type) || pt_event_info(r->type)->cls == PT_CLASS_XFER)
        s->bytes += (uint64_t)r->result;
    if (r->t_end >= r->t_start)
        s->ns += r->t_end - r->t_start;
}

static void keep_pending(struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    if (r->state != PT_BEGUN || pt_event_exec_succeeded(r) || img->npending >= MAX_PENDING)
        return;
    img->pending = pt_xreallocarray(img->pending, img->npending + 1, sizeof *img->pending);
    img->pending[img->npending++] = (struct pt_pending){*r, ev->ev.offset};
}

/* --- I/O ----------------------------------------------------------------- */

/* The pipe a record's bytes move through, or the socket channel (one
 * direction of a connected pair, sockpeer.h); NULL for neither. */
static struct pt_pipe *channel_of(struct pt_model *m, const struct pt_record *r) {
    struct pt_objkey channel;
    if ((r->obj_kind == PT_OBJ_PIPE || r->obj_kind == PT_OBJ_FIFO) && r->obj_ino != 0)
        return pt_pipe_get(m, pt_objkey_of(r), r->obj_kind);
    if (pt_sock_channel(&m->peers, r, &channel))
        return pt_pipe_get(m, channel, PT_OBJ_SOCKET);
    return NULL;
}

/* One fd's share of a call that moved bytes (xfer.h): a splice is a read
 * of its in fd and a write of its out fd.  tee's read leaves the bytes in
 * the pipe: they are counted when a later read or splice takes them. */
static void apply_side(struct pt_model *m, struct pt_image *img, const struct pt_record *r,
                       int writes, int consumes, int two_fd, uint64_t offset) {
    /* The channel first: it may learn the socket's peer (a client that
     * sent before its server's accept), which the fd's holders need. */
    struct pt_pipe *p = channel_of(m, r);
    struct pt_fdent *e = pt_fd_seen(m, img, r);
    if (e != NULL)
        e->used = 1;
    struct pt_pipe_use *u = p ? pt_pipe_use_of(p, img->index) : NULL;
    if (u != NULL && r->state == PT_BEGUN && writes && !two_fd)
        pt_pipe_begun_write(m, p, img, r, offset);
    if (u == NULL || !done_ok(r) || (!writes && !consumes))
        return;
    uint64_t n = (uint64_t)r->result;
    if (writes) {
        u->calls_written++;
        u->bytes_written += n;
        p->bytes_written += n;
    } else {
        u->calls_read++;
        u->bytes_read += n;
        p->bytes_read += n;
        if (n > 0 && r->t_end > p->last_read_end)
            p->last_read_end = r->t_end;
        if (n == 0 && pt_event_asked(r) > 0)
            u->eof = 1;
    }
}

/* A read or a write is its own one side (the common case: no copy);
 * other records that move bytes are seen through pt_event_sides. */
static void apply_io(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    if (pt_event_info(r->type)->cls == PT_CLASS_IO) {
        apply_side(m, img, r, pt_event_writes(r->type), 1, 0, ev->ev.offset);
        return;
    }
    struct pt_io_side sides[2];
    int n = pt_event_sides(&ev->ev, sides);
    for (int i = 0; i < n; i++)
        apply_side(m, img, &sides[i].rec, sides[i].is_write, sides[i].consumes, sides[i].other >= 0,
                   ev->ev.offset);
}

/* --- creating fds --------------------------------------------------------- */

static struct pt_origin *created(struct pt_model *m, struct pt_image *img,
                                 const struct pt_merged *ev, enum pt_origin_how how, int fd,
                                 uint64_t flags, struct pt_origin *prev) {
    const struct pt_record *r = ev->ev.rec;
    struct pt_origin *o = pt_origin_new(m, how, img, fd, r->t_start, prev);
    if (o != NULL) {
        o->call = r->type;
        o->tid = r->tid;
        o->flags = flags;
        o->rec_offset = ev->ev.offset;
    }
    return o;
}

static uint8_t open_fd_flags(uint64_t flags) {
    return (uint8_t)(((flags & O_NONBLOCK) ? PT_FDF_NONBLOCK : 0) |
                     ((flags & O_CLOEXEC) ? PT_FDF_CLOEXEC : 0));
}

static void apply_pipe(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    struct pt_pipe_payload pp;
    if (r->state != PT_DONE || r->result != 0 || !pt_decode_pipe(&ev->ev, &pp))
        return;
    uint64_t flags = pt_event_open_flags(r);
    uint8_t kind = pt_event_info(r->type)->makes_kind;
    int one_way = kind == PT_OBJ_PIPE;     /* a socket pair's ends are not */
    pt_sockpeers_note(&m->peers, &ev->ev); /* before the ends become holders */
    uint8_t base = open_fd_flags(flags);
    for (int end = 0; end < 2; end++) {
        struct pt_origin *o = created(m, img, ev, PT_ORIGIN_CREATED, pp.fds[end], flags, NULL);
        img->last_created[end] = o;
        uint8_t access = !one_way ? 0 : end == 0 ? PT_FDF_RDONLY : PT_FDF_WRONLY;
        struct pt_objkey obj = {pp.ino[end], r->obj_dev}; /* both ends: one file system */
        struct pt_fdent *e =
            pt_fd_open(m, img, pp.fds[end], kind, obj, base | access, o, r->t_start);
        if (e != NULL)
            e->created_here = 1;
        /* A socket end names the channel it sends on. */
        struct pt_pipe *p = pt_pipe_get(m, obj, kind);
        if (p != NULL && p->created == NULL && (one_way || kind == PT_OBJ_SOCKET))
            p->created = o;
        if (p != NULL && !one_way)
            p->peer = (struct pt_objkey){pp.ino[1 - end], r->obj_dev};
    }
}

/* A Unix connection made: its two ends are paired (sockpeer.h); accept's
 * new fd is created here. */
static void apply_connect(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    struct pt_sockpeer_payload p;
    if (!pt_sockpeers_note(&m->peers, &ev->ev) || r->type != PT_EV_ACCEPT ||
        !pt_payload_sockpeer(&ev->ev, &p) || p.ino == 0)
        return;
    struct pt_origin *o = created(m, img, ev, PT_ORIGIN_CREATED, p.fd, r->arg, NULL);
    img->last_created[0] = o;
    img->last_created[1] = NULL;
    struct pt_objkey obj = {p.ino, r->obj_dev};
    struct pt_fdent *e =
        pt_fd_open(m, img, p.fd, PT_OBJ_SOCKET, obj, open_fd_flags(r->arg), o, r->t_start);
    if (e != NULL)
        e->created_here = 1;
}

/* newfd becomes a copy of oldfd; the copy never has FD_CLOEXEC unless the
 * call asked for it. */
static void dup_fd(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev, int newfd,
                   uint64_t flags) {
    const struct pt_record *r = ev->ev.rec;
    struct pt_fdent *old = pt_fd_seen(m, img, r);
    if (old == NULL || newfd < 0) {
        pt_fd_close(m, img, newfd, r->t_start);
        return;
    }
    old->used = 1;
    if (old->fd == newfd)
        return;
    struct pt_fdent copy = *old; /* opening may move the table */
    struct pt_origin *o = created(m, img, ev, PT_ORIGIN_DUP, newfd, flags, copy.origin);
    img->last_created[0] = o;
    img->last_created[1] = NULL;
    uint8_t fl = (uint8_t)((copy.flags & ~PT_FDF_CLOEXEC) | open_fd_flags(flags & O_CLOEXEC));
    struct pt_fdent *e = pt_fd_open(m, img, newfd, copy.kind, copy.obj, fl, o, r->t_start);
    if (e != NULL)
        e->created_here = 1;
}

/* A record left begun by a kill right after a call that never waits (a
 * close, a dup2) is a call that happened: not a call in progress. */
static void forget_begun(struct pt_image *img, const struct pt_merged *ev) {
    if (img->npending > 0 && img->pending[img->npending - 1].offset == ev->ev.offset)
        img->npending--; /* kept by keep_pending just now */
}

static void apply_dup(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    /* dup2 and dup3 name the new fd in arg: one begun when its process was
     * killed (a shell's background job redirecting its stdout) replaced
     * that fd, and with it maybe the last write end of a pipe. */
    if (r->state == PT_BEGUN && (r->type == PT_EV_DUP2 || r->type == PT_EV_DUP3)) {
        forget_begun(img, ev);
        dup_fd(m, img, ev, (int)(uint32_t)r->arg, pt_event_open_flags(r));
        return;
    }
    if (!done_ok(r))
        return;
    dup_fd(m, img, ev, (int)r->result, pt_event_open_flags(r));
}

static void apply_fcntl(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    int cmd;
    uint32_t value; /* an ioctl(FIONBIO/FIOCLEX/FIONCLEX) reads as its fcntl */
    if (!done_ok(r) || !pt_event_fcntl_equivalent(r, &cmd, &value))
        return;
    if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) {
        dup_fd(m, img, ev, (int)r->result, cmd == F_DUPFD_CLOEXEC ? O_CLOEXEC : 0);
        return;
    }
    struct pt_fdent *e = pt_fd_seen(m, img, r);
    if (e == NULL)
        return;
    e->used = 1;
    if (cmd == F_SETFD)
        e->flags =
            (uint8_t)((e->flags & ~PT_FDF_CLOEXEC) | ((value & FD_CLOEXEC) ? PT_FDF_CLOEXEC : 0));
    else if (cmd == F_SETFL)
        e->flags =
            (uint8_t)((e->flags & ~PT_FDF_NONBLOCK) | ((value & O_NONBLOCK) ? PT_FDF_NONBLOCK : 0));
}

static void apply_open(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    if (!done_ok(r) || r->result > INT32_MAX)
        return;
    int fd = (int)r->result;
    int acc = (int)(r->arg & O_ACCMODE);
    uint8_t access = acc == O_RDONLY   ? PT_FDF_RDONLY
                     : acc == O_WRONLY ? PT_FDF_WRONLY
                                       : PT_FDF_RDONLY | PT_FDF_WRONLY;
    uint64_t flags = pt_event_open_flags(r);
    struct pt_origin *o = created(m, img, ev, PT_ORIGIN_CREATED, fd, flags, NULL);
    img->last_created[0] = o;
    img->last_created[1] = NULL;
    uint8_t kind = r->obj_kind ? r->obj_kind : pt_event_info(r->type)->makes_kind;
    struct pt_fdent *e =
        pt_fd_open(m, img, fd, kind, pt_objkey_of(r), access | open_fd_flags(flags), o, r->t_start);
    if (e != NULL)
        e->created_here = 1;
    struct pt_pipe *p = kind == PT_OBJ_FIFO ? pt_model_pipe(m, pt_objkey_of(r)) : NULL;
    if (p != NULL && p->created == NULL)
        p->created = o;
}

/* popen: the parent's end of a pipe glibc made internally; arg holds the
 * flags that end was left with (O_CLOEXEC only for mode "e": glibc clears
 * it otherwise). */
static void apply_popen(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    if (r->state != PT_DONE || r->fd < 0 || r->obj_kind == PT_OBJ_UNKNOWN)
        return;
    struct pt_origin *o =
        created(m, img, ev, PT_ORIGIN_CREATED, r->fd, pt_event_open_flags(r), NULL);
    img->last_created[0] = o;
    img->last_created[1] = NULL;
    uint8_t flags = (r->fd_flags & PT_FDF_KNOWN) ? r->fd_flags : 0;
    struct pt_fdent *e =
        pt_fd_open(m, img, r->fd, r->obj_kind, pt_objkey_of(r), flags, o, r->t_start);
    if (e != NULL)
        e->created_here = 1;
    struct pt_pipe *p = pt_model_pipe(m, pt_objkey_of(r));
    if (p != NULL && p->created == NULL)
        p->created = o;
}

/* --- closing ------------------------------------------------------------- */

/* A close of a pipe, FIFO or socket end never waits: the kernel lets go of
 * the end at once.  A record left begun (its process killed before the
 * wrapper marked it done) is a close that happened, not a call in
 * progress. */
static int closes_at_once(const struct pt_fdent *e) {
    return e != NULL &&
           (e->kind == PT_OBJ_PIPE || e->kind == PT_OBJ_FIFO || e->kind == PT_OBJ_SOCKET);
}

static void apply_close(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    struct pt_fdent *e = pt_fdtable_find(&img->fds, r->fd);
    if (e != NULL)
        e->used = 1;
    if (r->state == PT_BEGUN && closes_at_once(e)) {
        forget_begun(img, ev);
        pt_fd_close(m, img, r->fd, r->t_start);
        return;
    }
    /* Linux frees the fd even when close reports EINTR. */
    if (r->state == PT_DONE && (r->result == 0 || r->result == -EINTR))
        pt_fd_close(m, img, r->fd, r->t_start);
}

/* pclose closes the stream's fd before it waits (so even a pclose still
 * waiting has let go of it), then reaps the popen child: a wait whose pid is
 * in arg and status in result. */
static void apply_pclose(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    pt_fd_close(m, img, r->fd, r->t_start);
    if (r->state != PT_DONE || r->arg == 0 || r->arg > INT32_MAX || r->result < 0)
        return;
    pt_image_waited_for(m, (int32_t)r->arg, (int)r->result, r->t_end);
}

static void apply_close_range(struct pt_model *m, struct pt_image *img,
                              const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    if (!done_ok(r))
        return;
    uint32_t first = (uint32_t)r->fd, last = (uint32_t)r->arg;
    uint32_t flags = (uint32_t)(r->arg >> 32);
    for (size_t i = img->fds.len; i-- > 0;) {
        struct pt_fdent *e = &img->fds.v[i];
        if ((uint32_t)e->fd < first || (uint32_t)e->fd > last)
            continue;
        e->used = 1;
        if (flags & CLOSE_RANGE_CLOEXEC)
            e->flags |= PT_FDF_CLOEXEC;
        else
            pt_fd_close(m, img, e->fd, r->t_start);
    }
}

/* --- processes and the rest ---------------------------------------------- */

static void apply_untraced(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    if (r->result < 0) /* written for an exec that then failed: no child ran */
        return;
    /* The path's length is the record's: as much memory as the file says. */
    char *path = pt_decode_first_string(&ev->ev);
    if (path == NULL) {
        m->oom = 1;
        return;
    }
    img->untraced = pt_xreallocarray(img->untraced, img->nuntraced + 1, sizeof *img->untraced);
    img->untraced[img->nuntraced++] = (struct pt_untraced){
        .pid = r->result > 0 && r->result <= INT32_MAX ? (int32_t)r->result : 0,
        .reason = (unsigned)(uint32_t)r->arg,
        .err = (int)(r->arg >> 32),
        .path = path,
        .t = r->t_start,
    };
}

static void apply_module(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    uint64_t base;
    const char *path;
    size_t len;
    if (!pt_decode_module(&ev->ev, &base, &path, &len))
        return;
    for (size_t i = 0; i < img->nmodules; i++)
        if (img->modules[i].base == base)
            return;
    char *copy = malloc(len + 1); /* len is the record's: not pt_xmalloc */
    if (copy == NULL) {
        m->oom = 1;
        return;
    }
    memcpy(copy, path, len);
    copy[len] = '\0';
    img->modules = pt_xreallocarray(img->modules, img->nmodules + 1, sizeof *img->modules);
    img->modules[img->nmodules++] = (struct pt_module){base, copy};
}

static const char *module_name(const struct pt_image *img, uint64_t base) {
    for (size_t i = 0; i < img->nmodules; i++) {
        if (img->modules[i].base != base)
            continue;
        const char *slash = strrchr(img->modules[i].path, '/');
        return slash ? slash + 1 : img->modules[i].path;
    }
    return NULL;
}

/* "module+0xoff (function)", or the bare address without a module. */
static char *format_site(const struct pt_image *img, const struct pt_decoded_site *s) {
    char buf[512];
    const char *mod = module_name(img, s->module_base);
    int n;
    if (mod != NULL && s->addr >= s->module_base)
        n = snprintf(buf, sizeof buf, "%s+%#" PRIx64, mod, s->addr - s->module_base);
    else
        n = snprintf(buf, sizeof buf, "%#" PRIx64, s->addr);
    if (s->symbol_len > 0 && n > 0 && (size_t)n < sizeof buf)
        snprintf(buf + n, sizeof buf - (size_t)n, " (%.*s)",
                 (int)(s->symbol_len > 200 ? 200 : s->symbol_len), s->symbol);
    return pt_xstrdup(buf);
}

static void apply_callsite(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    (void)m;
    struct pt_decoded_site s;
    if (!pt_decode_callsite(&ev->ev, &s))
        return;
    for (int i = 0; i < 2; i++) {
        struct pt_origin *o = img->last_created[i];
        if (o == NULL || o->rec_offset != ev->ev.rec->arg || o->site != NULL)
            continue;
        o->site = format_site(img, &s);
    }
}

/* The program an exec started, for when it leaves no trace file. */
static void keep_exec(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    free(img->exec_strings);
    free(img->exec_argv);
    img->exec_strings = NULL;
    img->exec_argv = NULL;
    img->exec_nstrings = 0;
    if (pt_decode_strings(&ev->ev, &img->exec_strings, &img->exec_argv, &img->exec_nstrings) < 0)
        m->oom = 1;
}

/* fork, vfork, posix_spawn: the child's image begins with this image's
 * fds (a spawned child runs its own program at once). */
static void apply_fork(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    pt_image_forked(m, img, r, (pt_event_info(r->type)->flags & PT_EVF_SPAWNS) != 0);
}

static void apply_exec(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    if (r->state == PT_BEGUN) { /* it never came back: it succeeded */
        img->end = PT_END_EXEC;
        img->t_end = r->t_start;
        keep_exec(m, img, ev);
    }
}

static void apply_exit(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    (void)m;
    img->end = PT_END_EXIT;
    img->exit_code = (int)(r->arg & 0xff);
    img->t_end = r->t_start;
}

static void apply_wait(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    pt_image_waited(m, img, ev->ev.rec);
}

static void apply_signal(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    pt_image_sent_signal(m, img, ev->ev.rec);
}

static void apply_coverage(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    (void)m;
    if (ev->ev.rec->arg & PT_HDR_STDIO_UNHOOKED)
        img->stdio_unhooked = 1;
}

/* --- dispatch ------------------------------------------------------------ */

typedef void apply_fn(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev);

/* What each class of record (events.h) changes; a class with no entry
 * changes nothing (inherited fds are read by model.c before the image's
 * first call). */
static apply_fn *const apply_class[PT_CLASS_COUNT] = {
    [PT_CLASS_IO] = apply_io,
    [PT_CLASS_XFER] = apply_io,
    [PT_CLASS_PAIR] = apply_pipe,
    [PT_CLASS_OPEN] = apply_open,
    [PT_CLASS_POPEN] = apply_popen,
    [PT_CLASS_DUP] = apply_dup,
    [PT_CLASS_FCNTL] = apply_fcntl,
    [PT_CLASS_CLOSE] = apply_close,
    [PT_CLASS_CLOSE_RANGE] = apply_close_range,
    [PT_CLASS_PCLOSE] = apply_pclose,
    [PT_CLASS_FORK] = apply_fork,
    [PT_CLASS_EXEC] = apply_exec,
    [PT_CLASS_EXIT] = apply_exit,
    [PT_CLASS_WAIT] = apply_wait,
    [PT_CLASS_SIGNAL] = apply_signal,
    [PT_CLASS_UNTRACED] = apply_untraced,
    [PT_CLASS_CALLSITE] = apply_callsite,
    [PT_CLASS_MODULE] = apply_module,
    [PT_CLASS_COVERAGE] = apply_coverage,
    [PT_CLASS_FDPASS] = pt_model_fdpass,
    [PT_CLASS_CONNECT] = apply_connect,
};

void pt_model_apply(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_event_info *row = pt_event_info(ev->ev.rec->type);
    apply_fn *apply = apply_class[row->cls];
    count(img, ev->ev.rec);
    keep_pending(img, ev);
    if (row->flags & PT_EVF_SPAWNS_UNNAMED)
        pt_image_spawned_unnamed(m, img, ev->ev.rec);
    if (apply != NULL)
        apply(m, img, ev);
}
