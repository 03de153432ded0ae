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

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define MAX_PENDING 64 /* calls in progress kept per image (one per thread) */

static int done_ok(const struct pt_record *r) {
    return r->state == PT_DONE && r->result >= 0;
}

/* --- counting ------------------------------------------------------------ */

/* The image's counts for a call type, made on first use. */
static struct pt_stat *stat_of(struct pt_model *m, struct pt_image *img, unsigned type) {
    if (img->stat_slot[type] != 0)
        return &img->stats[img->stat_slot[type] - 1];
    struct pt_stat *v = realloc(img->stats, (img->nstats + 1) * sizeof *v);
    if (v == NULL) {
        m->oom = 1;
        return NULL;
    }
    img->stats = v;
    memset(&v[img->nstats], 0, sizeof *v);
    img->stat_slot[type] = (uint8_t)++img->nstats;
    return &v[img->nstats - 1];
}

static void count(struct pt_model *m, struct pt_image *img, const struct pt_record *r) {
    if (r->type > PT_EV_MAX)
        return;
    struct pt_stat *s = stat_of(m, img, r->type);
    if (s == NULL)
        return;
    s->calls++;
    if (r->state != PT_DONE)
        return;
    if (r->result < 0)
        s->errors++;
    else if (pt_is_read(r->type) || pt_is_write(r->type))
        s->bytes += (uint64_t)r->result;
    if (r->t_end >= r->t_start)
        s->ns += r->t_end - r->t_start;
}

static void keep_pending(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    if (r->state != PT_BEGUN || r->type == PT_EV_EXEC || img->npending >= MAX_PENDING)
        return;
    struct pt_pending *v = realloc(img->pending, (img->npending + 1) * sizeof *v);
    if (v == NULL) {
        m->oom = 1;
        return;
    }
    img->pending = v;
    v[img->npending++] = (struct pt_pending){*r, ev->ev.offset};
}

/* --- I/O ----------------------------------------------------------------- */

static void apply_io(struct pt_model *m, struct pt_image *img, const struct pt_record *r,
                     uint64_t offset) {
    struct pt_fdent *e = pt_fd_seen(m, img, r);
    if (e != NULL)
        e->used = 1;
    if ((r->obj_kind != PT_OBJ_PIPE && r->obj_kind != PT_OBJ_FIFO) || r->obj_ino == 0)
        return;
    struct pt_pipe *p = pt_pipe_get(m, r->obj_ino, r->obj_kind);
    struct pt_pipe_use *u = p ? pt_pipe_use_of(p, img->index) : NULL;
    if (u != NULL && r->state == PT_BEGUN && pt_is_write(r->type))
        pt_pipe_begun_write(m, p, img, r, offset);
    if (u == NULL || !done_ok(r))
        return;
    uint64_t n = (uint64_t)r->result;
    if (pt_is_write(r->type)) {
        u->calls_written++;
        u->bytes_written += n;
        p->bytes_written += n;
    } else {
        u->calls_read++;
        u->bytes_read += n;
        p->bytes_read += n;
        if (n > 0 && r->t_end > p->last_read_end)
            p->last_read_end = r->t_end;
        if (n == 0 && r->arg > 0)
            u->eof = 1;
    }
}

/* --- creating fds --------------------------------------------------------- */

static struct pt_origin *created(struct pt_model *m, struct pt_image *img,
                                 const struct pt_merged *ev, enum pt_origin_how how, int fd,
                                 uint64_t flags, struct pt_origin *prev) {
    const struct pt_record *r = ev->ev.rec;
    struct pt_origin *o = pt_origin_new(m, how, img, fd, r->t_start, prev);
    if (o != NULL) {
        o->call = r->type;
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
    uint64_t flags = r->type == PT_EV_PIPE2 ? r->arg : 0;
    int socket = r->type == PT_EV_SOCKETPAIR;
    uint8_t kind = socket ? PT_OBJ_SOCKET : PT_OBJ_PIPE;
    uint8_t base = open_fd_flags(flags);
    for (int end = 0; end < 2; end++) {
        struct pt_origin *o = created(m, img, ev, PT_ORIGIN_CREATED, pp.fds[end], flags, NULL);
        img->last_created[end] = o;
        uint8_t access = socket ? 0 : end == 0 ? PT_FDF_RDONLY : PT_FDF_WRONLY;
        struct pt_fdent *e =
            pt_fd_open(m, img, pp.fds[end], kind, pp.ino[end], base | access, o, r->t_start);
        if (e != NULL)
            e->created_here = 1;
        struct pt_pipe *p = socket ? NULL : pt_pipe_get(m, pp.ino[end], kind);
        if (p != NULL && p->created == NULL)
            p->created = o;
    }
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
    struct pt_fdent *e = pt_fd_open(m, img, newfd, copy.kind, copy.ino, fl, o, r->t_start);
    if (e != NULL)
        e->created_here = 1;
}

static void apply_dup(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    if (!done_ok(r))
        return;
    if (r->type == PT_EV_DUP)
        dup_fd(m, img, ev, (int)r->result, 0);
    else if (r->type == PT_EV_DUP2)
        dup_fd(m, img, ev, (int)r->result, 0);
    else
        dup_fd(m, img, ev, (int)r->result, r->arg >> 32);
}

static void apply_fcntl(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    int cmd = (int)(uint32_t)r->arg;
    uint32_t value = (uint32_t)(r->arg >> 32);
    if (!done_ok(r))
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
    struct pt_origin *o = created(m, img, ev, PT_ORIGIN_CREATED, fd, r->arg, NULL);
    img->last_created[0] = o;
    img->last_created[1] = NULL;
    uint8_t kind = r->obj_kind ? r->obj_kind : PT_OBJ_FIFO;
    struct pt_fdent *e =
        pt_fd_open(m, img, fd, kind, r->obj_ino, access | open_fd_flags(r->arg), o, r->t_start);
    if (e != NULL)
        e->created_here = 1;
    struct pt_pipe *p = kind == PT_OBJ_FIFO ? pt_model_pipe(m, r->obj_ino) : NULL;
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
    struct pt_origin *o = created(m, img, ev, PT_ORIGIN_CREATED, r->fd, r->arg, NULL);
    img->last_created[0] = o;
    img->last_created[1] = NULL;
    uint8_t flags = (r->fd_flags & PT_FDF_KNOWN) ? r->fd_flags : 0;
    struct pt_fdent *e = pt_fd_open(m, img, r->fd, r->obj_kind, r->obj_ino, flags, o, r->t_start);
    if (e != NULL)
        e->created_here = 1;
    struct pt_pipe *p = pt_model_pipe(m, r->obj_ino);
    if (p != NULL && p->created == NULL)
        p->created = o;
}

/* --- closing ------------------------------------------------------------- */

static void apply_close(struct pt_model *m, struct pt_image *img, const struct pt_record *r) {
    struct pt_fdent *e = pt_fdtable_find(&img->fds, r->fd);
    if (e != NULL)
        e->used = 1;
    /* Linux frees the fd even when close reports EINTR. */
    if (r->state == PT_DONE && (r->result == 0 || r->result == -EINTR))
        pt_fd_close(m, img, r->fd, r->t_start);
}

/* pclose closes the stream's fd before it waits (so even a pclose still
 * waiting has let go of it), then reaps the popen child: a wait whose pid is
 * in arg and status in result. */
static void apply_pclose(struct pt_model *m, struct pt_image *img, const struct pt_record *r) {
    pt_fd_close(m, img, r->fd, r->t_start);
    if (r->state != PT_DONE || r->arg == 0 || r->arg > INT32_MAX || r->result < 0)
        return;
    pt_image_waited_for(m, (int32_t)r->arg, (int)r->result, r->t_end);
}

static void apply_close_range(struct pt_model *m, struct pt_image *img, const struct pt_record *r) {
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
    struct pt_untraced *v = realloc(img->untraced, (img->nuntraced + 1) * sizeof *v);
    char *path = pt_decode_first_string(&ev->ev);
    if (v == NULL || path == NULL) {
        if (v != NULL)
            img->untraced = v;
        free(path);
        m->oom = 1;
        return;
    }
    img->untraced = v;
    v[img->nuntraced++] = (struct pt_untraced){
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
    struct pt_module *v = realloc(img->modules, (img->nmodules + 1) * sizeof *v);
    char *copy = malloc(len + 1);
    if (v != NULL)
        img->modules = v;
    if (v == NULL || copy == NULL) {
        free(copy);
        m->oom = 1;
        return;
    }
    memcpy(copy, path, len);
    copy[len] = '\0';
    v[img->nmodules++] = (struct pt_module){base, copy};
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
    return strdup(buf);
}

static void apply_callsite(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    struct pt_decoded_site s;
    if (!pt_decode_callsite(&ev->ev, &s))
        return;
    for (int i = 0; i < 2; i++) {
        struct pt_origin *o = img->last_created[i];
        if (o == NULL || o->rec_offset != ev->ev.rec->arg || o->site != NULL)
            continue;
        o->site = format_site(img, &s);
        if (o->site == NULL)
            m->oom = 1;
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

static void apply_process(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    switch (r->type) {
    case PT_EV_FORK:
    case PT_EV_VFORK:
        pt_image_forked(m, img, r, 0);
        break;
    case PT_EV_SPAWN:
        pt_image_forked(m, img, r, 1);
        break;
    case PT_EV_EXEC:
        if (r->state == PT_BEGUN) { /* it never came back: it succeeded */
            img->end = PT_END_EXEC;
            img->t_end = r->t_start;
            keep_exec(m, img, ev);
        }
        break;
    case PT_EV_EXIT:
        img->end = PT_END_EXIT;
        img->exit_code = (int)(r->arg & 0xff);
        img->t_end = r->t_start;
        break;
    case PT_EV_WAIT:
        pt_image_waited(m, img, r);
        break;
    case PT_EV_UNTRACED_CHILD:
        apply_untraced(m, img, ev);
        break;
    }
}

void pt_model_apply(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    count(m, img, r);
    keep_pending(m, img, ev);
    switch (r->type) {
    case PT_EV_READ ... PT_EV_STDIO_WRITE:
        apply_io(m, img, r, ev->ev.offset);
        break;
    case PT_EV_PIPE:
    case PT_EV_PIPE2:
    case PT_EV_SOCKETPAIR:
        apply_pipe(m, img, ev);
        break;
    case PT_EV_DUP ... PT_EV_DUP3:
        apply_dup(m, img, ev);
        break;
    case PT_EV_FCNTL:
        apply_fcntl(m, img, ev);
        break;
    case PT_EV_OPEN:
        apply_open(m, img, ev);
        break;
    case PT_EV_POPEN:
        apply_popen(m, img, ev);
        break;
    case PT_EV_CLOSE:
        apply_close(m, img, r);
        break;
    case PT_EV_PCLOSE:
        apply_pclose(m, img, r);
        break;
    case PT_EV_CLOSE_RANGE:
        apply_close_range(m, img, r);
        break;
    case PT_EV_FORK ... PT_EV_UNTRACED_CHILD:
        apply_process(m, img, ev);
        break;
    case PT_EV_CALLSITE:
        apply_callsite(m, img, ev);
        break;
    case PT_EV_MODULE:
        apply_module(m, img, ev);
        break;
    case PT_EV_COVERAGE:
        if (r->arg & PT_HDR_STDIO_UNHOOKED)
            img->stdio_unhooked = 1;
        break;
    default:
        break;
    }
}
