/* `pipetrace watch`'s reading of a live trace directory (watch.h).
 *
 * Each refresh costs what the run added since the last one, not the size
 * of the trace: the directory is listed again only when its mtime changed
 * (a new file), each file's header is read for its tail, the records
 * between the file's offset and its tail are read once, and the few calls
 * still in progress (a record begun, or reserved and not yet complete) are
 * read again until they complete.  Files are read with pread, never
 * mapped: a writer may grow them at any time. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/waitfor.h"
#include "cli_util.h"
#include "run_dir.h"
#include "trace/events.h"
#include "trace/xalloc.h"
#include "watch.h"

/* Records are read in chunks of this size. */
#define CHUNK (1u << 20)
/* The command line shown for a process is cut here. */
#define COMMAND_MAX 512

static ssize_t read_at(struct watch *w, int fd, void *buf, size_t len, uint64_t off) {
    ssize_t n;
    do
        n = pread(fd, buf, len, (off_t)off);
    while (n < 0 && errno == EINTR);
    if (n > 0)
        w->bytes_read += (uint64_t)n;
    return n;
}

/* --- a new file ---------------------------------------------------------- */

/* argv joined by spaces from the string area (exe, then argc strings). */
static char *command_of(const char *area, size_t len, uint32_t argc) {
    char *out = pt_xcalloc(1, COMMAND_MAX + 1);
    size_t pos = strnlen(area, len) + 1, n = 0;
    const char *exe = area;
    for (uint32_t i = 0; i < argc && pos < len; i++) {
        const char *arg = area + pos;
        size_t alen = strnlen(arg, len - pos);
        for (size_t k = 0; k < alen && n < COMMAND_MAX; k++)
            out[n++] = arg[k] == '\n' ? ' ' : arg[k];
        if (n < COMMAND_MAX && i + 1 < argc)
            out[n++] = ' ';
        pos += alen + 1;
    }
    if (n == 0)
        snprintf(out, COMMAND_MAX + 1, "%.*s", (int)strnlen(exe, len), exe);
    return out;
}

/* The header and strings of a file just found; 0, or -1 when it is not
 * (yet) a trace file: a file is created before its header is written. */
static int read_header(struct watch *w, struct watch_file *f) {
    struct pt_file_header h;
    if (read_at(w, f->fd, &h, sizeof h, 0) != (ssize_t)sizeof h ||
        memcmp(h.magic, PT_MAGIC, PT_MAGIC_LEN) != 0 || h.byte_order != PT_BYTE_ORDER ||
        h.version < PT_VERSION_MIN || h.version > PT_VERSION || h.data_offset < sizeof h ||
        h.data_offset % PT_ALIGN != 0)
        return -1;
    f->compact = h.version >= 2;
    size_t len = h.strings_size < (1u << 20) ? h.strings_size : (1u << 20);
    char *area = pt_xcalloc(1, len + 1);
    ssize_t got = read_at(w, f->fd, area, len, sizeof h);
    f->command = command_of(area, got > 0 ? (size_t)got : 0, h.argc);
    free(area);
    f->pid = h.pid;
    f->ppid = h.ppid;
    f->start_ns = h.start_mono_ns;
    memcpy(f->boot_id, h.boot_id, sizeof f->boot_id);
    f->data_offset = f->offset = h.data_offset;
    if (w->t_first == 0 || h.start_mono_ns < w->t_first)
        w->t_first = h.start_mono_ns;
    return 0;
}

static uint64_t name_hash(const char *s) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

/* The files already open, by name: open addressing, index + 1. */
static int known(const struct watch *w, const char *name) {
    if (w->name_cap == 0)
        return 0;
    for (size_t i = name_hash(name) & (w->name_cap - 1);; i = (i + 1) & (w->name_cap - 1)) {
        size_t at = w->name_hash[i];
        if (at == 0)
            return 0;
        if (strcmp(w->files[at - 1].name, name) == 0)
            return 1;
    }
}

static void index_name(struct watch *w, size_t file) {
    if (2 * (w->nfiles + 1) > w->name_cap) {
        free(w->name_hash);
        w->name_cap = w->name_cap ? 2 * w->name_cap : 64;
        w->name_hash = pt_xcalloc(w->name_cap, sizeof *w->name_hash);
        for (size_t k = 0; k < w->nfiles; k++)
            if (k != file)
                index_name(w, k);
    }
    size_t i = name_hash(w->files[file].name) & (w->name_cap - 1);
    while (w->name_hash[i] != 0)
        i = (i + 1) & (w->name_cap - 1);
    w->name_hash[i] = file + 1;
}

static void add_file(struct watch *w, const char *name) {
    int fd = openat(w->dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return;
    }
    struct watch_file f = {.fd = fd, .image = (unsigned)strtoul(strchr(name, '.') + 1, NULL, 10)};
    int ok = read_header(w, &f) == 0;
    if (!ok && st.st_size < (off_t)sizeof(struct pt_file_header)) {
        close(fd); /* its header is not written yet: tried again at the next listing */
        free(f.command);
        w->dir_mtime_ns = -1;
        return;
    }
    f.name = pt_xstrdup(name);
    PT_GROW(w->files, w->nfiles + 1, w->cap_files);
    w->files[w->nfiles] = f;
    index_name(w, w->nfiles);
    w->nfiles++;
    if (ok) {
        watch_add_image(w, w->nfiles - 1);
        return;
    }
    w->files[w->nfiles - 1].broken = 1; /* known, never read */
    fprintf(stderr, "pipetrace: warning: %s/%s: not a trace file (bad header), skipped\n", w->dir,
            name);
}

/* New files, when the directory changed since the last listing. */
static void scan_dir(struct watch *w) {
    struct stat st;
    if (fstat(w->dfd, &st) < 0)
        return;
    int64_t mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    if (mtime == w->dir_mtime_ns)
        return;
    w->dir_mtime_ns = mtime;
    int lfd = openat(w->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = lfd >= 0 ? fdopendir(lfd) : NULL;
    if (d == NULL) {
        if (lfd >= 0)
            close(lfd);
        return;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (run_is_trace_name(e->d_name) && !known(w, e->d_name))
            add_file(w, e->d_name);
    closedir(d);
}

/* --- records ------------------------------------------------------------- */

static void keep_call(struct watch_file *f, const struct pt_record *r, uint64_t offset) {
    PT_GROW(f->calls, f->ncalls + 1, f->cap_calls);
    f->calls[f->ncalls++] = (struct watch_call){*r, offset};
}

/* --- compact records (format 2) ------------------------------------------ */

static void learn_channel(struct watch_file *f, const struct pt_channel_record *c) {
    if (c->number >= f->channels_cap) {
        uint32_t cap = f->channels_cap ? f->channels_cap : 64;
        while (cap <= c->number)
            cap *= 2;
        f->channels = pt_xreallocarray(f->channels, cap, sizeof *f->channels);
        memset(f->channels + f->channels_cap, 0, (cap - f->channels_cap) * sizeof *f->channels);
        f->channels_cap = cap;
    }
    struct pt_channel *ch = &f->channels[c->number];
    if (!ch->known)
        *ch = (struct pt_channel){c->tid, c->fd, c->obj_ino, c->obj_dev, 1};
}

/* The full record compact record k stands for; 0 when its channel was not
 * met (damage).  A value held in a note (a call over 78 hours long, a
 * result beyond 32 bits) is not looked for: such a call shows as one
 * still in progress. */
static int expand(const struct watch_file *f, const struct pt_compact_record *k,
                  struct pt_record *r) {
    if (k->channel >= f->channels_cap || !f->channels[k->channel].known)
        return 0;
    pt_compact_expand(k, &f->channels[k->channel], f->start_ns, r);
    return 1;
}

/* The record at offset read again: 0 when it cannot be (yet). */
static int read_record(struct watch *w, const struct watch_file *f, uint64_t offset,
                       struct pt_record *r) {
    union {
        struct pt_record full;
        struct pt_compact_record compact;
    } raw;
    ssize_t got = read_at(w, f->fd, &raw, sizeof raw, offset);
    if (f->compact && got >= (ssize_t)PT_COMPACT_SIZE && (raw.compact.type & PT_COMPACT))
        return expand(f, &raw.compact, r);
    if (got != (ssize_t)sizeof raw.full)
        return 0;
    *r = raw.full;
    return 1;
}

/* A record read for the first time. */
static void take_record(struct watch *w, size_t file, const struct pt_record *r, uint64_t offset) {
    struct watch_file *f = &w->files[file];
    if (r->state == PT_DONE) {
        watch_account(w, file, r);
        return;
    }
    if (pt_event_info(r->type)->cls != PT_CLASS_EXIT)
        keep_call(f, r, offset); /* begun, or not complete yet */
    if (r->state == PT_BEGUN)
        watch_account(w, file, r);
}

/* Reads the calls in progress again: those that completed are accounted
 * and dropped.  An exit record does not end them: stdio's flush at exit
 * writes after it (the last buffer of `seq`, blocked on a full pipe).  The
 * calls of an image replaced by exec, or of a process gone, are read a
 * last time (gone is known before the read, so a call that returned just
 * before the end counts) and dropped. */
static void recheck_calls(struct watch *w, size_t file) {
    struct watch_file *f = &w->files[file];
    if (f->ncalls == 0)
        return;
    int over = f->replaced || !pt_wf_still_running(f->pid, f->start_ns, f->boot_id);
    size_t kept = 0;
    for (size_t i = 0; i < f->ncalls; i++) {
        struct watch_call c = f->calls[i];
        struct pt_record now;
        if (!read_record(w, f, c.offset, &now)) {
            f->calls[kept++] = c;
            continue;
        }
        if (now.state == PT_DONE) {
            watch_account(w, file, &now);
            continue;
        }
        if (over)
            continue;
        if (now.state == PT_BEGUN && c.rec.state != PT_BEGUN)
            watch_account(w, file, &now);
        c.rec = now;
        f->calls[kept++] = c;
    }
    f->ncalls = kept;
}

/* Where the zero words from pos end.  Zeros are space reserved and
 * abandoned, or a record reserved a moment ago whose writer (preempted
 * between moving the tail and storing the size) has not filled it yet.
 * Only zeros that something written follows are skipped: zeros that reach
 * the tail give pos back, to be read again at the next refresh (skipped,
 * the record filled in later would be lost: a write never counted). */
static uint64_t past_zeros(const uint8_t *buf, size_t len, uint64_t base, uint64_t pos,
                           uint64_t tail) {
    uint64_t at = pos;
    for (;;) {
        if (at + PT_ALIGN > tail)
            return pos;
        if (at - base + PT_ALIGN > len)
            return at; /* the chunk ends first: as before, skipped */
        uint64_t word;
        memcpy(&word, buf + (at - base), sizeof word);
        if (word != 0)
            return at;
        at += PT_ALIGN;
    }
}

static void say_damaged(struct watch *w, size_t file, uint64_t pos, uint32_t size) {
    w->files[file].broken = 1;
    fprintf(stderr,
            "pipetrace: warning: %s/%s: damaged at offset %llu (record size %u), read no "
            "further\n",
            w->dir, w->files[file].name, (unsigned long long)pos, size);
}

/* The compact record (or channel) at p, file offset pos: the offset past
 * it, or pos to read it again later (a channel not complete yet: the
 * records naming it need it whole) or when it is damaged. */
static uint64_t take_compact(struct watch *w, size_t file, const uint8_t *p, uint64_t pos,
                             uint64_t tail) {
    struct pt_compact_record k;
    memcpy(&k, p, sizeof k);
    if (k.size < PT_COMPACT_SIZE || k.size % PT_ALIGN != 0 || pos + k.size > tail) {
        say_damaged(w, file, pos, k.size);
        return pos;
    }
    if (k.type == (PT_EV_CHANNEL | PT_COMPACT)) {
        struct pt_channel_record c;
        memcpy(&c, p, sizeof c);
        if (c.state != PT_DONE)
            return pos;
        learn_channel(&w->files[file], &c);
    } else {
        struct pt_record r;
        if (expand(&w->files[file], &k, &r))
            take_record(w, file, &r, pos);
    }
    return pos + k.size;
}

/* Walks the records in buf (file offset base, len bytes) up to tail;
 * returns the offset reached.  A record whose header is in buf is taken
 * even if its payload is not (the payload is not needed). */
static uint64_t walk_chunk(struct watch *w, size_t file, const uint8_t *buf, size_t len,
                           uint64_t base, uint64_t tail) {
    uint64_t pos = base;
    while (pos + PT_ALIGN <= tail && pos - base + PT_ALIGN <= len) {
        const uint8_t *p = buf + (pos - base);
        uint64_t word;
        memcpy(&word, p, sizeof word);
        if (word == 0) {
            uint64_t next = past_zeros(buf, len, base, pos, tail);
            if (next == pos)
                return pos;
            pos = next;
            continue;
        }
        int compact = w->files[file].compact && (p[4] & PT_COMPACT);
        if (pos - base + (compact ? PT_COMPACT_SIZE : PT_RECORD_SIZE) > len)
            break; /* the header is in the next chunk */
        if (compact) {
            uint64_t next = take_compact(w, file, p, pos, tail);
            if (next == pos)
                return pos;
            pos = next;
            continue;
        }
        struct pt_record r;
        memcpy(&r, p, sizeof r);
        if (r.size < PT_RECORD_SIZE || r.size % PT_ALIGN != 0 || pos + r.size > tail) {
            say_damaged(w, file, pos, r.size);
            return pos;
        }
        if (!(w->files[file].compact && r.type == PT_EV_NOTE))
            take_record(w, file, &r, pos);
        pos += r.size;
    }
    return pos;
}

/* What a file gained since the last refresh. */
static void read_file(struct watch *w, size_t file, uint8_t *buf) {
    struct watch_file *f = &w->files[file];
    if (f->broken)
        return;
    recheck_calls(w, file);
    struct pt_file_header h;
    if (read_at(w, f->fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
        return;
    uint64_t tail = h.tail;
    while (f->offset < tail && !f->broken) {
        uint64_t want = tail - f->offset < CHUNK ? tail - f->offset : CHUNK;
        ssize_t got = read_at(w, f->fd, buf, (size_t)want, f->offset);
        if (got <= 0)
            return;
        uint64_t reached = walk_chunk(w, file, buf, (size_t)got, f->offset, tail);
        if (reached == f->offset)
            return; /* nothing whole yet */
        f->offset = reached;
    }
}

/* --- the directory ------------------------------------------------------- */

int watch_open(struct watch *w, const char *dir) {
    memset(w, 0, sizeof *w);
    w->dir = dir;
    w->dir_mtime_ns = -1;
    w->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (w->dfd < 0) {
        cli_error("%s: cannot open the trace directory: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

int watch_refresh(struct watch *w) {
    scan_dir(w);
    uint8_t *buf = pt_xmalloc(CHUNK);
    for (size_t i = 0; i < w->nfiles; i++)
        read_file(w, i, buf);
    free(buf);
    return watch_update_procs(w);
}

void watch_close(struct watch *w) {
    for (size_t i = 0; i < w->nfiles; i++) {
        close(w->files[i].fd);
        free(w->files[i].name);
        free(w->files[i].command);
        free(w->files[i].calls);
        free(w->files[i].channels);
    }
    free(w->files);
    free(w->name_hash);
    watch_state_free(w);
    if (w->dfd >= 0)
        close(w->dfd);
    memset(w, 0, sizeof *w);
}
