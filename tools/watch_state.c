/* `pipetrace watch`'s picture of the run (watch.h): each process's latest
 * image and whether it ended, each pipe's bytes written and read.  Only
 * counters: what the trace says in detail is for the other commands. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/waitfor.h"
#include "trace/events.h"
#include "trace/xalloc.h"
#include "watch.h"

/* --- a small open-addressing index: key -> array index ------------------- */

static size_t slot_of(uint64_t key, size_t cap) {
    return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 17) & (cap - 1);
}

/* The index of key in table (entries index + 1), or SIZE_MAX. */
static size_t index_find(const size_t *table, size_t cap, uint64_t key,
                         uint64_t (*key_of)(const struct watch *, size_t), const struct watch *w) {
    if (cap == 0)
        return SIZE_MAX;
    for (size_t i = slot_of(key, cap);; i = (i + 1) & (cap - 1)) {
        if (table[i] == 0)
            return SIZE_MAX;
        if (key_of(w, table[i] - 1) == key)
            return table[i] - 1;
    }
}

static void index_put(size_t *table, size_t cap, uint64_t key, size_t at) {
    size_t i = slot_of(key, cap);
    while (table[i] != 0)
        i = (i + 1) & (cap - 1);
    table[i] = at + 1;
}

/* Makes room for one more of n items, rehashing every key. */
static size_t *index_grow(size_t *table, size_t *cap, size_t n,
                          uint64_t (*key_of)(const struct watch *, size_t), const struct watch *w) {
    if (2 * (n + 1) <= *cap)
        return table;
    free(table);
    *cap = *cap ? 2 * *cap : 64;
    table = pt_xcalloc(*cap, sizeof *table);
    for (size_t i = 0; i < n; i++)
        index_put(table, *cap, key_of(w, i), i);
    return table;
}

static uint64_t proc_key(const struct watch *w, size_t i) {
    return (uint64_t)(uint32_t)w->procs[i].pid;
}

/* A FIFO's inode lives on another device than pipefs: both make the key. */
static uint64_t obj_key(uint64_t ino, uint32_t dev) {
    return ino ^ ((uint64_t)dev << 40);
}

static uint64_t pipe_key(const struct watch *w, size_t i) {
    return obj_key(w->pipes[i].ino, w->pipes[i].dev);
}

/* --- processes ----------------------------------------------------------- */

const struct watch_proc *watch_find_proc(const struct watch *w, int32_t pid) {
    size_t i = index_find(w->proc_hash, w->proc_cap, (uint64_t)(uint32_t)pid, proc_key, w);
    return i == SIZE_MAX ? NULL : &w->procs[i];
}

static struct watch_proc *proc_of_pid(struct watch *w, int32_t pid) {
    return (struct watch_proc *)(uintptr_t)watch_find_proc(w, pid);
}

void watch_add_image(struct watch *w, size_t file) {
    const struct watch_file *f = &w->files[file];
    struct watch_proc *p = proc_of_pid(w, f->pid);
    if (p == NULL) {
        w->proc_hash = index_grow(w->proc_hash, &w->proc_cap, w->nprocs, proc_key, w);
        PT_GROW(w->procs, w->nprocs + 1, w->cap_procs);
        w->procs[w->nprocs] = (struct watch_proc){.pid = f->pid, .ppid = f->ppid, .file = file};
        index_put(w->proc_hash, w->proc_cap, proc_key(w, w->nprocs), w->nprocs);
        w->nprocs++;
        return;
    }
    struct watch_file *latest = &w->files[p->file];
    if (f->image > latest->image) {
        latest->exited = latest->replaced = 1; /* it exec'd this one */
        p->file = file;
        p->ended = 0;
    } else {
        w->files[file].exited = w->files[file].replaced = 1; /* an earlier image found late */
    }
}

/* --- records ------------------------------------------------------------- */

static struct watch_pipe *pipe_of(struct watch *w, const struct pt_record *r) {
    uint64_t key = obj_key(r->obj_ino, r->obj_dev);
    size_t i = index_find(w->pipe_hash, w->hash_cap, key, pipe_key, w);
    if (i != SIZE_MAX)
        return &w->pipes[i];
    w->pipe_hash = index_grow(w->pipe_hash, &w->hash_cap, w->npipes, pipe_key, w);
    PT_GROW(w->pipes, w->npipes + 1, w->cap_pipes);
    w->pipes[w->npipes] =
        (struct watch_pipe){.ino = r->obj_ino, .dev = r->obj_dev, .kind = r->obj_kind};
    index_put(w->pipe_hash, w->hash_cap, key, w->npipes);
    return &w->pipes[w->npipes++];
}

static int on_pipe(const struct pt_record *r) {
    return (r->obj_kind == PT_OBJ_PIPE || r->obj_kind == PT_OBJ_FIFO) && r->obj_ino != 0;
}

static void account_io(struct watch *w, const struct watch_file *f, const struct pt_record *r) {
    struct watch_proc *p = proc_of_pid(w, f->pid);
    int in = pt_event_reads(r->type);
    if (r->state == PT_DONE && r->result > 0 && p != NULL) {
        if (in)
            p->bytes_in += (uint64_t)r->result;
        else
            p->bytes_out += (uint64_t)r->result;
    }
    if (!on_pipe(r))
        return;
    struct watch_pipe *pp = pipe_of(w, r);
    int32_t *side = in ? &pp->reader : &pp->writer;
    if (*side == 0)
        *side = f->pid;
    if (r->state == PT_DONE && r->result > 0) {
        if (in)
            pp->read += (uint64_t)r->result;
        else
            pp->written += (uint64_t)r->result;
    }
}

void watch_account(struct watch *w, size_t file, const struct pt_record *r) {
    struct watch_file *f = &w->files[file];
    const struct pt_event_info *row = pt_event_info(r->type);
    if (row->cls == PT_CLASS_IO && pt_event_moves_data(r->type))
        account_io(w, f, r);
    else if (row->cls == PT_CLASS_EXIT)
        f->exited = 1;
}

/* --- ends and calls ------------------------------------------------------ */

int watch_update_procs(struct watch *w) {
    for (size_t i = 0; i < w->nprocs; i++) {
        struct watch_proc *p = &w->procs[i];
        const struct watch_file *f = &w->files[p->file];
        if (p->ended)
            continue;
        /* An exit record, or a pid that is no longer this process (killed
         * before it could record its end). */
        p->ended = f->exited || !pt_wf_still_running(p->pid, f->start_ns, f->boot_id);
    }
    return 0;
}

size_t watch_running(const struct watch *w) {
    size_t n = 0;
    for (size_t i = 0; i < w->nprocs; i++)
        n += !w->procs[i].ended;
    return n;
}

int watch_call_blocks(const struct pt_record *r) {
    const struct pt_event_info *row = pt_event_info(r->type);
    int nonblock = (r->fd_flags & PT_FDF_KNOWN) && (r->fd_flags & PT_FDF_NONBLOCK);
    switch (row->cls) {
    case PT_CLASS_IO:
        return on_pipe(r) && !nonblock;
    case PT_CLASS_WAIT:
    case PT_CLASS_PCLOSE:
        return 1;
    case PT_CLASS_POLL:
        return (int64_t)r->arg == -1;
    default:
        return r->type == PT_EV_SYSTEM;
    }
}

const struct watch_call *watch_current_call(const struct watch *w, const struct watch_proc *p) {
    if (p->ended)
        return NULL;
    const struct watch_file *f = &w->files[p->file];
    const struct watch_call *best = NULL;
    for (size_t i = 0; i < f->ncalls; i++) {
        const struct watch_call *c = &f->calls[i];
        unsigned cls = pt_event_info(c->rec.type)->cls;
        if (c->rec.state != PT_BEGUN || cls == PT_CLASS_EXEC || cls == PT_CLASS_EXIT ||
            pt_event_info(c->rec.type)->result == PT_RESULT_NONE)
            continue;
        if (best == NULL || c->rec.t_start >= best->rec.t_start)
            best = c;
    }
    return best;
}

void watch_state_free(struct watch *w) {
    free(w->procs);
    free(w->proc_hash);
    free(w->pipes);
    free(w->pipe_hash);
}
