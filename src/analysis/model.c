/* Building the model: one pass over the merged stream of all files. */
#define _GNU_SOURCE
#include "model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model_impl.h"
#include "trace/xalloc.h"

/* "4711.2.ptr" -> 2 */
static unsigned image_number(const struct pt_file *f) {
    const char *name = pt_file_basename(f);
    const char *dot = strchr(name, '.');
    return dot ? (unsigned)strtoul(dot + 1, NULL, 10) : 0;
}

static int by_pid_cmp(const void *a, const void *b, void *ctx) {
    const struct pt_image *images = ctx;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (images[x].pid != images[y].pid)
        return images[x].pid < images[y].pid ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Finding a pid's images is a binary search, not a scan: a trace may hold
 * tens of thousands of images, and every wait looks one up. */
static void index_by_pid(struct pt_model *m) {
    m->by_pid = pt_xreallocarray(NULL, m->nfiles, sizeof *m->by_pid);
    for (size_t i = 0; i < m->nfiles; i++)
        m->by_pid[i] = i;
    qsort_r(m->by_pid, m->nfiles, sizeof *m->by_pid, by_pid_cmp, m->images);
}

int pt_model_init(struct pt_model *m, const struct pt_file *files, size_t nfiles) {
    memset(m, 0, sizeof *m);
    m->files = files;
    m->nfiles = nfiles;
    m->peers.files = files; /* for a Unix connection's late accept (sockpeer.h) */
    m->peers.nfiles = nfiles;
    m->images = pt_xcalloc(nfiles, sizeof *m->images);
    m->t0 = UINT64_MAX;
    for (size_t i = 0; i < nfiles; i++) {
        struct pt_image *img = &m->images[i];
        const struct pt_file_header *h = files[i].hdr;
        img->file = &files[i];
        img->index = i;
        img->pid = h->pid;
        img->ppid = h->ppid;
        img->image_no = image_number(&files[i]);
        img->fork_child = (h->flags & PT_HDR_FORK_CHILD) != 0;
        img->start = img->last_t = h->start_mono_ns;
        img->prev_image = img->next_image = img->process = PT_NO_IMAGE;
        img->stdio_unhooked = (h->flags & PT_HDR_STDIO_UNHOOKED) != 0;
        m->dropped += h->dropped;
        if (h->start_mono_ns < m->t0)
            m->t0 = h->start_mono_ns;
    }
    if (nfiles == 0)
        m->t0 = 0;
    index_by_pid(m);
    return 0;
}

/* How long before the cut a call may have been interrupted by the signal
 * the cut stands for: the signal reaches the traced processes and the
 * viewer at once, but the viewer may read its clock later. */
#define CUT_SLACK_NS 250000000ull

/* With a cut (pt_model.cut), what a record was at the cut: NULL when it
 * came after, else a copy in *as_of when it had not returned by then.  A
 * call that failed with EINTR just before the cut is the signal arriving
 * in that process: it was still in the call, and what the process did
 * next came after the signal. */
static const struct pt_record *record_at_cut(const struct pt_model *m, struct pt_image *img,
                                             const struct pt_record *r, struct pt_record *as_of) {
    if (r->t_start > m->cut || (img->cut_at != 0 && r->t_start >= img->cut_at))
        return NULL;
    int interrupted =
        r->state == PT_DONE && r->result == -EINTR && r->t_end + CUT_SLACK_NS >= m->cut;
    if (r->state != PT_DONE || (r->t_end <= m->cut && !interrupted))
        return r;
    if (interrupted && (img->cut_at == 0 || r->t_end < img->cut_at))
        img->cut_at = r->t_end;
    *as_of = *r;
    as_of->state = PT_BEGUN;
    as_of->t_end = 0;
    as_of->result = 0;
    return as_of;
}

static void step(struct pt_model *m, const struct pt_merged *given) {
    struct pt_image *img = &m->images[given->file_index];
    struct pt_merged cut_ev;
    struct pt_record as_of;
    const struct pt_merged *ev = given;
    if (m->cut != 0) {
        const struct pt_record *at = record_at_cut(m, img, given->ev.rec, &as_of);
        if (at == NULL)
            return;
        cut_ev = *given;
        cut_ev.ev.rec = at;
        ev = &cut_ev;
    }
    const struct pt_record *r = ev->ev.rec;
    if (!img->started)
        pt_image_start(m, img, r->type);
    if (img->reading_inherited && r->type != PT_EV_INHERITED_FD)
        pt_image_inherited_done(m, img);
    if (m->observer != NULL)
        m->observer(m->observer_ctx, m, ev, img);
    if (r->type == PT_EV_INHERITED_FD)
        pt_image_inherited_fd(m, img, r);
    else
        pt_model_apply(m, img, ev);
    uint64_t t = r->t_end > r->t_start ? r->t_end : r->t_start;
    if (t > img->last_t)
        img->last_t = t;
    if (t > m->t_last)
        m->t_last = t;
    m->events++;
}

int pt_model_build(struct pt_model *m) {
    struct pt_merge merge;
    pt_merge_init(&merge, m->files, m->nfiles);
    struct pt_merged ev;
    while (!m->oom && pt_merge_next(&merge, &ev))
        step(m, &ev);
    pt_merge_free(&merge);
    /* Images that recorded nothing still exist. */
    for (size_t i = 0; i < m->nfiles; i++)
        if (!m->images[i].started)
            pt_image_start(m, &m->images[i], PT_EV_NONE);
    pt_model_finish(m);
    return m->oom ? -1 : 0;
}

const struct pt_stat *pt_image_stat(const struct pt_image *img, unsigned type) {
    static const struct pt_stat none;
    if (type > PT_EV_MAX || img->stat_slot[type] == 0)
        return &none;
    return &img->stats[img->stat_slot[type] - 1];
}

static void free_image(struct pt_image *img) {
    free(img->stats);
    free(img->exec_strings);
    free(img->exec_argv);
    pt_fdtable_free(&img->fds);
    pt_fdtable_free(&img->carried);
    pt_fdtable_free(&img->final);
    for (size_t i = 0; i < img->nuntraced; i++)
        free(img->untraced[i].path);
    free(img->untraced);
    for (size_t i = 0; i < img->nmodules; i++)
        free(img->modules[i].path);
    free(img->modules);
    free(img->pending);
}

void pt_model_free(struct pt_model *m) {
    for (size_t i = 0; m->images != NULL && i < m->nfiles; i++)
        free_image(&m->images[i]);
    free(m->images);
    free(m->by_pid);
    free(m->processes);
    pt_pipes_free(m);
    for (size_t i = 0; i < m->nforks; i++)
        pt_fdtable_free(&m->forks[i].fds);
    free(m->forks);
    free(m->waits);
    free(m->kills);
    free(m->fork_by_pid);
    while (m->origins != NULL) {
        struct pt_origin *next = m->origins->all_next;
        free(m->origins->site);
        free(m->origins);
        m->origins = next;
    }
    memset(m, 0, sizeof *m);
}

size_t pt_model_image_of(const struct pt_model *m, int32_t pid, uint64_t t) {
    size_t lo = 0, hi = m->nfiles;
    while (lo < hi) { /* the first of pid's images in by_pid */
        size_t mid = lo + (hi - lo) / 2;
        if (m->images[m->by_pid[mid]].pid < pid)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t found = PT_NO_IMAGE;
    for (size_t k = lo; k < m->nfiles && m->images[m->by_pid[k]].pid == pid; k++) {
        size_t i = m->by_pid[k];
        if (found == PT_NO_IMAGE || m->images[i].start <= t)
            found = i;
    }
    return found;
}

const struct pt_process *pt_model_process(const struct pt_model *m, int32_t pid) {
    size_t i = pt_model_image_of(m, pid, UINT64_MAX);
    if (i == PT_NO_IMAGE || m->images[i].process >= m->nprocesses)
        return NULL;
    return &m->processes[m->images[i].process];
}

int pt_image_alive_at_end(const struct pt_image *img) {
    return img->end == PT_END_NONE;
}

const char *pt_image_exe(const struct pt_image *img) {
    return img->file->exe ? img->file->exe : "";
}
