/* Opening, validating and walking one trace file.  See reader.h for why
 * nothing read from the file is trusted. */
#define _GNU_SOURCE
#include "reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void fail(char *err, size_t errlen, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(char *err, size_t errlen, const char *path, const char *fmt, ...) {
    if (errlen == 0)
        return;
    int used = snprintf(err, errlen, "pipetrace: %s: ", path);
    if (used < 0 || (size_t)used >= errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + used, errlen - (size_t)used, fmt, ap);
    va_end(ap);
}

/* --- opening: only a regular file, never followed ------------------------ */

static const char *file_type_name(mode_t mode) {
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISLNK(mode))
        return "a symbolic link";
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

/* Opens f->path for reading if it is a regular file.  The type is checked
 * before the open (lstat: a FIFO or device is never opened) and again on
 * the fd (fstat: the name may have been swapped in between); O_NONBLOCK and
 * O_NOFOLLOW keep such a swap from blocking or following a link. */
static int open_regular(const struct pt_file *f, struct stat *st, char *err, size_t errlen) {
    if (lstat(f->path, st) < 0) {
        fail(err, errlen, f->path, "%s", strerror(errno));
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        fail(err, errlen, f->path, "%s, not a trace file (not opened)",
             file_type_name(st->st_mode));
        return -1;
    }
    int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY);
    if (fd < 0) {
        fail(err, errlen, f->path, "%s",
             errno == ELOOP ? "a symbolic link, not a trace file" : strerror(errno));
        return -1;
    }
    struct stat before = *st;
    if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || st->st_dev != before.st_dev ||
        st->st_ino != before.st_ino) {
        fail(err, errlen, f->path, "changed while being opened, not read");
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads exactly n bytes at off; 0, or -1 when the file is shorter. */
static int read_at(int fd, void *buf, size_t n, uint64_t off) {
    uint8_t *p = buf;
    while (n > 0) {
        ssize_t k = pread(fd, p, n, (off_t)off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
        off += (uint64_t)k;
    }
    return 0;
}

/* --- header ------------------------------------------------------------- */

/* The fields a reader needs before it can trust any other, in the order
 * they must be checked: the byte order decides how to read the version. */
static int check_identity(const struct pt_file *f, const struct pt_file_header *h, char *err,
                          size_t errlen) {
    if (f->size == 0) {
        fail(err, errlen, f->path, "empty file (the process wrote no header)");
        return -1;
    }
    if (f->size < PT_MAGIC_LEN || memcmp(h->magic, PT_MAGIC, PT_MAGIC_LEN) != 0) {
        fail(err, errlen, f->path, "not a pipetrace trace (bad magic)");
        return -1;
    }
    if (f->size < offsetof(struct pt_file_header, header_size)) {
        fail(err, errlen, f->path, "truncated header (%zu of %zu bytes)", f->size,
             sizeof(struct pt_file_header));
        return -1;
    }
    if (h->byte_order == __builtin_bswap32(PT_BYTE_ORDER)) {
        fail(err, errlen, f->path, "written on a machine of the other byte order (not supported)");
        return -1;
    }
    if (h->byte_order != PT_BYTE_ORDER) {
        fail(err, errlen, f->path, "bad byte order mark 0x%08x", h->byte_order);
        return -1;
    }
    if (h->version < PT_VERSION_MIN || h->version > PT_VERSION) {
        fail(err, errlen, f->path,
             "unsupported trace format version %u (this pipetrace reads versions %d to %d)",
             h->version, PT_VERSION_MIN, PT_VERSION);
        return -1;
    }
    return 0;
}

static int check_layout(const struct pt_file *f, const struct pt_file_header *h, char *err,
                        size_t errlen) {
    if (f->size < sizeof *h) {
        fail(err, errlen, f->path, "truncated header (%zu of %zu bytes)", f->size, sizeof *h);
        return -1;
    }
    uint64_t strings_end = (uint64_t)h->header_size + h->strings_size;
    if (h->header_size < sizeof *h || h->header_size > h->data_offset) {
        fail(err, errlen, f->path, "bad header size %u", h->header_size);
        return -1;
    }
    if (h->data_offset % PT_ALIGN != 0 || strings_end > h->data_offset) {
        fail(err, errlen, f->path, "bad data offset %u", h->data_offset);
        return -1;
    }
    if (h->data_offset > f->size) {
        fail(err, errlen, f->path, "truncated header (file ends at %zu, records start at %u)",
             f->size, h->data_offset);
        return -1;
    }
    return 0;
}

/* --- process strings ---------------------------------------------------- */

/* The string starting at *pos inside [.., end) of area, or NULL if it has
 * no NUL before end.  Advances *pos past the NUL. */
static const char *take_string(const char *area, uint64_t *pos, uint64_t end) {
    if (*pos >= end)
        return NULL;
    const char *s = area + *pos;
    const char *nul = memchr(s, '\0', end - *pos);
    if (nul == NULL)
        return NULL;
    *pos += (uint64_t)(nul - s) + 1;
    return s;
}

/* exe and argv from the copy of the string area that follows the header
 * copy in one allocation. */
static int parse_strings(struct pt_file *f, const char *area, char *err, size_t errlen) {
    const struct pt_file_header *h = f->hdr;
    uint64_t pos = 0, end = h->strings_size;
    int lenient = (h->flags & PT_HDR_ARGV_TRUNCATED) != 0;

    f->exe = h->strings_size == 0 ? "" : take_string(area, &pos, end);
    if (f->exe == NULL || h->argc > h->strings_size) {
        fail(err, errlen, f->path, "bad process strings (exe or argc out of bounds)");
        return -1;
    }
    f->argv = calloc((size_t)h->argc + 1, sizeof *f->argv);
    if (f->argv == NULL) {
        fail(err, errlen, f->path, "out of memory");
        return -1;
    }
    for (f->argc = 0; f->argc < h->argc; f->argc++) {
        const char *arg = take_string(area, &pos, end);
        if (arg == NULL && lenient)
            break; /* the writer said argv was cut: keep what is whole */
        if (arg == NULL) {
            fail(err, errlen, f->path, "bad process strings (argv[%u] unterminated)", f->argc);
            return -1;
        }
        f->argv[f->argc] = arg;
    }
    return 0;
}

/* Copies n bytes at off: from the start of the file read at open (head,
 * got bytes), or with pread where that does not reach. */
static int copy_at(int fd, const uint8_t *head, size_t got, void *out, size_t n, uint64_t off) {
    if (off + n <= got) {
        memcpy(out, head + off, n);
        return 0;
    }
    return read_at(fd, out, n, off);
}

/* Reads, checks and copies the header and the string area. */
static int read_header(struct pt_file *f, int fd, const uint8_t *head, size_t got, char *err,
                       size_t errlen) {
    struct pt_file_header h;
    memset(&h, 0, sizeof h);
    size_t n = f->size < sizeof h ? f->size : sizeof h;
    if (copy_at(fd, head, got, &h, n, 0) < 0) {
        fail(err, errlen, f->path, "cannot read the header: %s",
             errno ? strerror(errno) : "file shrank");
        return -1;
    }
    if (check_identity(f, &h, err, errlen) < 0 || check_layout(f, &h, err, errlen) < 0)
        return -1;
    /* One allocation: the header, then the strings NUL-terminated once more
     * so that a damaged area cannot run off its end. */
    struct pt_file_header *copy = malloc(sizeof h + h.strings_size + 1);
    if (copy == NULL) {
        fail(err, errlen, f->path, "out of memory");
        return -1;
    }
    *copy = h;
    f->hdr = copy;
    char *area = (char *)(copy + 1);
    area[h.strings_size] = '\0';
    if (copy_at(fd, head, got, area, h.strings_size, h.header_size) < 0) {
        fail(err, errlen, f->path, "cannot read the process strings");
        return -1;
    }
    return parse_strings(f, area, err, errlen);
}

/* --- the mapping cache ---------------------------------------------------- */

/* The files mapped now, each remembering its slot; a use clock picks the
 * least recently read one to unmap when every slot is taken.  The viewer
 * is single-threaded: no lock. */
static struct {
    struct pt_file *slot[PT_MAP_MAX];
    size_t len, peak;
} cache;

static void cache_drop(struct pt_file *f) {
    if (f->map == NULL)
        return;
    munmap((void *)f->map, f->size);
    f->map = NULL;
    size_t i = f->cache_slot;
    cache.slot[i] = cache.slot[--cache.len];
    cache.slot[i]->cache_slot = i;
}

static void cache_make_room(void) {
    if (cache.len < PT_MAP_MAX)
        return;
    size_t oldest = 0;
    for (size_t i = 1; i < cache.len; i++)
        if (cache.slot[i]->last_use < cache.slot[oldest]->last_use)
            oldest = i;
    cache_drop(cache.slot[oldest]);
}

/* Maps the file again, if it is still the file opened, at least as long. */
static const uint8_t *map_again(struct pt_file *f) {
    struct stat st;
    int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY);
    if (fd < 0)
        return NULL;
    int same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_dev == f->dev &&
               (uint64_t)st.st_ino == f->ino && (uint64_t)st.st_size >= f->size;
    void *map = same ? mmap(NULL, f->size, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
    int saved = same ? errno : ESTALE;
    close(fd);
    if (map == MAP_FAILED) {
        errno = saved;
        return NULL;
    }
    return map;
}

uint64_t pt_map_clock;

const uint8_t *pt_file_map(const struct pt_file *cf) {
    struct pt_file *f = (struct pt_file *)(uintptr_t)cf; /* the cache is not the file */
    if (f->map != NULL)
        return f->map;
    cache_make_room();
    f->map = map_again(f);
    if (f->map == NULL)
        return NULL;
    f->cache_slot = cache.len;
    cache.slot[cache.len++] = f;
    if (cache.len > cache.peak)
        cache.peak = cache.len;
    return f->map;
}

void pt_map_counts(size_t *now, size_t *peak) {
    *now = cache.len;
    *peak = cache.peak;
}

/* --- the first records, read when the file is opened ---------------------- */

/* Bytes read at the start of a file when it is opened: the header, the
 * process strings and the first records of nearly any file, in one read. */
#define HEAD_BYTES (16u << 10)

static uint64_t walk_end(const struct pt_file *f);
/* Inlined into its two callers: it runs once per record read. */
static inline __attribute__((always_inline)) int next_before(struct pt_cursor *c, uint64_t end,
                                                             struct pt_event *ev);

/* f->first: the earliest of the first PT_FIRST_RECORDS records within the
 * bytes read at open (head, got bytes from offset 0).  A merge needs it for
 * every file long before it reads the file; reading it now costs no open
 * or mapping later. */
static void peek_first(struct pt_file *f, const uint8_t *head, size_t got) {
    uint64_t start = f->hdr->data_offset, end = walk_end(f);
    if (end > got)
        end = got;
    if (end <= start)
        return;
    struct pt_cursor c;
    struct pt_event ev;
    pt_file_walk_range(&c, f, start, UINT64_MAX);
    c.hold = 1;
    c.base = head;
    for (size_t n = 0; n < PT_FIRST_RECORDS && next_before(&c, end, &ev); n++) {
        uint64_t t = ev.rec->t_start;
        if (!f->has_first || t < f->first_t || (t == f->first_t && ev.offset < f->first_offset)) {
            f->first_t = t;
            f->first_offset = ev.offset;
        }
        f->has_first = 1;
    }
}

/* --- open / close ------------------------------------------------------- */

int pt_file_open(struct pt_file *f, const char *path, char *err, size_t errlen) {
    memset(f, 0, sizeof *f);
    f->path = strdup(path);
    if (f->path == NULL) {
        fail(err, errlen, path, "out of memory");
        return -1;
    }
    struct stat st;
    int fd = open_regular(f, &st, err, errlen);
    if (fd < 0) {
        pt_file_close(f);
        return -1;
    }
    f->size = (size_t)st.st_size;
    f->dev = (uint64_t)st.st_dev;
    f->ino = (uint64_t)st.st_ino;
    static uint8_t head[HEAD_BYTES];
    ssize_t got = pread(fd, head, f->size < HEAD_BYTES ? f->size : HEAD_BYTES, 0);
    if (got < 0)
        got = 0;
    int rc = read_header(f, fd, head, (size_t)got, err, errlen);
    if (rc == 0) {
        /* The writer may still be appending: one snapshot of the live end,
         * so every walk of this file agrees on it. */
        f->tail = f->hdr->tail;
        peek_first(f, head, (size_t)got);
    }
    close(fd); /* nothing is held open: the records are mapped on demand */
    if (rc < 0) {
        pt_file_close(f);
        return -1;
    }
    return 0;
}

void pt_file_close(struct pt_file *f) {
    cache_drop(f);
    free(f->channels);
    free(f->notes);
    free(f->argv);
    free((void *)f->hdr);
    free(f->path);
    memset(f, 0, sizeof *f);
}

const char *pt_file_basename(const struct pt_file *f) {
    const char *slash = strrchr(f->path, '/');
    return slash != NULL ? slash + 1 : f->path;
}

void pt_file_image(const struct pt_file *f, char *buf, size_t len) {
    const char *base = pt_file_basename(f);
    size_t n = strlen(base);
    size_t suffix = strlen(PT_FILE_SUFFIX);
    if (n > suffix && strcmp(base + n - suffix, PT_FILE_SUFFIX) == 0)
        n -= suffix;
    snprintf(buf, len, "%.*s", (int)n, base);
}

/* --- walking the records ------------------------------------------------ */

#define RELEASE_PAGE 4096u
#define RELEASE_STEP (64u << 10)
#define RELEASE_SLACK (16u << 10)

void pt_file_walk(struct pt_cursor *c, const struct pt_file *f) {
    pt_file_walk_range(c, f, f->hdr->data_offset, UINT64_MAX);
    c->whole = 1;
}

void pt_file_walk_range(struct pt_cursor *c, const struct pt_file *f, uint64_t from, uint64_t to) {
    memset(c, 0, sizeof *c);
    c->file = f;
    c->pos = from;
    c->limit = to;
    c->released = from & ~(uint64_t)(RELEASE_PAGE - 1);
    c->compact = f->hdr->version >= 2;
}

void pt_file_release(const struct pt_file *f, uint64_t upto, uint64_t *released) {
    upto &= ~(uint64_t)(RELEASE_PAGE - 1);
    if (upto <= *released)
        return;
    if (f->map == NULL || upto > f->size) { /* nothing resident to hand back */
        *released = upto;
        return;
    }
    madvise((void *)(uintptr_t)(f->map + *released), upto - *released, MADV_DONTNEED);
    *released = upto;
}

/* A plain walk hands back what it has left a little way behind. */
static void release_behind(struct pt_cursor *c) {
    if (!c->hold && c->pos >= c->released + RELEASE_STEP + RELEASE_SLACK)
        pt_file_release(c->file, c->pos - RELEASE_SLACK, &c->released);
}

/* Records end at the tail the writer reserved up to, or where the file
 * ends if that comes first; a tail before the records means none yet. */
static uint64_t walk_end(const struct pt_file *f) {
    uint64_t start = f->hdr->data_offset;
    uint64_t end = f->tail < f->size ? f->tail : f->size;
    return end < start ? start : end;
}

static void stop_walk(struct pt_cursor *c, enum pt_walk_stop why) {
    c->done = 1;
    c->damage.stop = why;
    c->damage.stop_offset = c->pos;
}

/* pt_file_scan reads a whole file before anything else does. */
static void release_walked(struct pt_cursor *c) {
    if (!c->hold)
        pt_file_release(c->file, c->pos, &c->released);
}

static void stop_corrupt(struct pt_cursor *c, uint32_t size) {
    c->damage.bad_size = size;
    stop_walk(c, PT_WALK_CORRUPT);
}

/* Space that was reserved and abandoned is zero; so is the slack a writer
 * may leave behind the last record. */
static int all_zero(const uint8_t *p, uint64_t n) {
    for (uint64_t i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

/* The bytes at file offset pos: in the mapping, or in the buffer of the
 * file's first bytes read when it was opened (peek_first). */
static const uint8_t *at(const struct pt_cursor *c, uint64_t pos) {
    return c->base + pos;
}

static void skip_zero_words(struct pt_cursor *c, uint64_t end) {
    while (end - c->pos >= PT_ALIGN && all_zero(at(c, c->pos), PT_ALIGN))
        c->pos += PT_ALIGN;
}

/* Reached the end cleanly: the walk is complete unless the header promised
 * records beyond the end of the file.  A writer that stopped tracing (a
 * full disk, a file size limit) leaves its tail past the end, at the
 * reservation it could not back: that is a stop, which the header says,
 * not damage. */
static void finish_walk(struct pt_cursor *c) {
    const struct pt_file *f = c->file;
    int cut = f->tail > f->size && !(f->hdr->flags & PT_HDR_STOPPED);
    stop_walk(c, cut ? PT_WALK_TRUNCATED : PT_WALK_COMPLETE);
}

/* A record that does not fit before `end`: the file was cut if it would
 * have fitted in a longer file, else the size is wrong. */
static void stop_overrun(struct pt_cursor *c, uint64_t rec_end, uint32_t size) {
    if (rec_end > c->file->size)
        stop_walk(c, PT_WALK_TRUNCATED);
    else
        stop_corrupt(c, size);
}

/* Checks the record at c->pos.  Returns 1 to hand it out, 0 to skip it,
 * -1 when the walk has stopped. */
static inline __attribute__((always_inline)) int check_record(struct pt_cursor *c, uint64_t end) {
    uint64_t room = end - c->pos;
    /* A compact record's header is shorter (format 2); its type byte lies
     * within the first word, which is not all zero here. */
    uint32_t header = room >= PT_ALIGN && c->compact && (at(c, c->pos)[4] & PT_COMPACT)
                          ? PT_COMPACT_SIZE
                          : PT_RECORD_SIZE;
    if (room < header) {
        stop_overrun(c, c->pos + header, 0);
        return -1;
    }
    const struct pt_record *r = (const void *)at(c, c->pos);
    uint32_t size = __atomic_load_n(&r->size, __ATOMIC_ACQUIRE);
    if (size < header || size % PT_ALIGN != 0) {
        stop_corrupt(c, size);
        return -1;
    }
    if (size > room) {
        stop_overrun(c, c->pos + size, size);
        return -1;
    }
    uint8_t state = __atomic_load_n(&r->state, __ATOMIC_ACQUIRE);
    if (state == PT_TORN) {
        c->damage.torn++;
        return 0;
    }
    /* A channel record has no payload: its bytes 10-11 are its tid's. */
    uint32_t data_len = header == PT_RECORD_SIZE ? r->data_len
                        : r->type == (PT_EV_CHANNEL | PT_COMPACT)
                            ? 0
                            : ((const struct pt_compact_record *)(const void *)r)->data_len;
    if ((state != PT_BEGUN && state != PT_DONE) || (uint64_t)header + data_len > size) {
        c->damage.invalid++;
        return 0;
    }
    return 1;
}

/* A walk of the whole file has seen all the damage there is: the file
 * keeps it, so that nobody needs to walk it again only to warn about it.
 * (The damage is a cache of what the mapping holds, hence the cast.) */
static void note_damage(const struct pt_cursor *c) {
    if (!c->whole || c->file->walked)
        return;
    struct pt_file *f = (struct pt_file *)(uintptr_t)c->file;
    f->damage = c->damage;
    f->walked = 1;
}

/* The mapping went away and the file cannot be mapped again. */
static void stop_unreadable(struct pt_cursor *c) {
    c->damage.map_errno = errno;
    stop_walk(c, PT_WALK_UNREADABLE);
}

/* --- format 2: compact records, channels and notes ----------------------- */

static struct pt_file *writable(const struct pt_file *f) {
    return (struct pt_file *)(uintptr_t)f; /* the tables are a cache of the file */
}

/* A channel record met: its number's tid, fd and object, unless the number
 * was met before (the first one stands: a file that says it twice is
 * damaged, and the walk order must not change what its records mean).
 * 0, or -1 when out of memory (its records then read as damaged). */
static int learn_channel(const struct pt_file *cf, const struct pt_channel_record *r) {
    struct pt_file *f = writable(cf);
    uint32_t n = r->number;
    if (n >= f->channels_cap) {
        uint32_t cap = f->channels_cap ? f->channels_cap : 64;
        while (cap <= n)
            cap *= 2;
        struct pt_channel *grown = realloc(f->channels, cap * sizeof *grown);
        if (grown == NULL)
            return 0; /* out of memory: its records will read as damaged */
        memset(grown + f->channels_cap, 0, (cap - f->channels_cap) * sizeof *grown);
        f->channels = grown;
        f->channels_cap = cap;
    }
    struct pt_channel *ch = &f->channels[n];
    if (!ch->known)
        *ch = (struct pt_channel){r->tid, r->fd, r->obj_ino, r->obj_dev, 1};
    return 0;
}

static const struct pt_channel *known_channel(const struct pt_file *f, uint16_t n) {
    return n < f->channels_cap && f->channels[n].known ? &f->channels[n] : NULL;
}

/* Walks [from, to) of f for its internal records only: learn_channel and
 * learn_note see them on the way. */
static void scan_internal(const struct pt_file *f, uint64_t from, uint64_t to) {
    struct pt_cursor c;
    struct pt_event ev;
    pt_file_walk_range(&c, f, from, to);
    c.internal = 1;
    c.hold = 1;
    while (pt_file_next(&c, &ev))
        ;
}

/* Channel n of a compact record at `offset`: every channel lies before its
 * records, so one not met yet (the record was reached without walking the
 * file from its start) is looked for from where the last such search
 * stopped.  NULL when the file does not have it: a damaged record. */
static const struct pt_channel *channel_for(const struct pt_file *f, uint16_t n, uint64_t offset) {
    const struct pt_channel *ch = known_channel(f, n);
    if (ch != NULL || f->channels_scanned >= offset)
        return ch;
    uint64_t from =
        f->channels_scanned > f->hdr->data_offset ? f->channels_scanned : f->hdr->data_offset;
    writable(f)->channels_scanned = offset;
    scan_internal(f, from, offset);
    return known_channel(f, n);
}

static void learn_note(const struct pt_file *cf, const struct pt_record *r,
                       const uint8_t *payload) {
    struct pt_file *f = writable(cf);
    if (r->data_len < sizeof(struct pt_note_payload))
        return;
    if (f->notes_len == f->notes_cap) {
        size_t cap = f->notes_cap ? 2 * f->notes_cap : 8;
        struct pt_note_payload *grown = realloc(f->notes, cap * sizeof *grown);
        if (grown == NULL)
            return;
        f->notes = grown;
        f->notes_cap = cap;
    }
    memcpy(&f->notes[f->notes_len++], payload, sizeof(struct pt_note_payload));
}

/* The values the notes about the record at `offset` give (notes lie after
 * their record: the file from there on is searched once).  Returns the
 * PT_NOTE_* fields found. */
static uint32_t notes_for(const struct pt_file *f, uint64_t offset, struct pt_note_payload *out) {
    if (f->notes_from == 0 || offset < f->notes_from) {
        uint64_t to = f->notes_from != 0 ? f->notes_from : UINT64_MAX;
        writable(f)->notes_from = offset;
        scan_internal(f, offset, to);
    }
    uint32_t found = 0;
    for (size_t i = 0; i < f->notes_len; i++) {
        const struct pt_note_payload *n = &f->notes[i];
        if (n->offset != offset)
            continue;
        if ((n->fields & PT_NOTE_ARG) && !(found & PT_NOTE_ARG))
            out->arg = n->arg;
        if ((n->fields & PT_NOTE_END) && !(found & PT_NOTE_END)) {
            out->t_end = n->t_end;
            out->result = n->result;
        }
        found |= n->fields & (PT_NOTE_ARG | PT_NOTE_END);
    }
    return found;
}

void pt_compact_expand(const struct pt_compact_record *k, const struct pt_channel *ch,
                       uint64_t start_mono_ns, struct pt_record *r) {
    uint64_t start = start_mono_ns + ((uint64_t)k->start_hi << 32 | k->start_lo);
    uint64_t span = (uint64_t)k->span_hi << 32 | k->span_lo;
    *r = (struct pt_record){
        .size = k->size,
        .type = (uint8_t)(k->type & ~PT_COMPACT),
        .state = k->state,
        .obj_kind = k->obj_kind,
        .fd_flags = k->fd_flags,
        .tid = ch->tid,
        .fd = ch->fd,
        .t_start = start,
        .t_end = span == 0 || span == PT_SPAN_IN_NOTE ? 0 : start + span - 1,
        .result = span == PT_SPAN_IN_NOTE ? 0 : k->result,
        .arg = k->arg == PT_COMPACT_IN_NOTE ? 0 : k->arg,
        .obj_ino = ch->ino,
        .obj_dev = ch->dev,
        .data_len = k->data_len,
    };
    if (span == PT_SPAN_IN_NOTE)
        r->state = PT_BEGUN; /* until a note says how it ended */
}

/* What the notes about a compact record say, over what it holds.  A note
 * that could not be written (tracing had stopped) leaves the call as one
 * that had not returned, and the bytes asked for 0. */
static void apply_notes(const struct pt_file *f, const struct pt_compact_record *k, uint64_t offset,
                        struct pt_record *r) {
    uint64_t span = (uint64_t)k->span_hi << 32 | k->span_lo;
    if (span != PT_SPAN_IN_NOTE && k->arg != PT_COMPACT_IN_NOTE)
        return;
    struct pt_note_payload note;
    uint32_t found = notes_for(f, offset, &note);
    if (span == PT_SPAN_IN_NOTE && (found & PT_NOTE_END)) {
        r->t_end = note.t_end;
        r->result = note.result;
        r->state = k->state;
    }
    if (k->arg == PT_COMPACT_IN_NOTE && (found & PT_NOTE_ARG))
        r->arg = note.arg;
}

/* The full record a compact one stands for, in *r.  0 when its channel is
 * not in the file (damage). */
static int expand_compact(const struct pt_file *f, const struct pt_compact_record *k,
                          uint64_t offset, struct pt_record *r) {
    const struct pt_channel *ch = channel_for(f, k->channel, offset);
    if (ch == NULL)
        return 0;
    pt_compact_expand(k, ch, f->hdr->start_mono_ns, r);
    apply_notes(f, k, offset, r);
    return 1;
}

/* A checked record of a format-2 file into ev: 1 to hand it out, 0 to
 * skip it (an internal record, learnt), -1 to skip it as damaged. */
static int decode_v2(struct pt_cursor *c, const struct pt_record *r, uint64_t offset,
                     struct pt_event *ev) {
    const uint8_t *payload = (const uint8_t *)(r + 1);
    if (r->type == (PT_EV_CHANNEL | PT_COMPACT))
        return learn_channel(c->file, (const void *)r);
    if (r->type & PT_COMPACT) {
        if (c->internal)
            return 0;
        const struct pt_compact_record *k = (const void *)r;
        if (!expand_compact(c->file, k, offset, &ev->copy))
            return -1;
        ev->rec = &ev->copy;
        ev->payload = (const uint8_t *)(k + 1);
        ev->offset = offset;
        return 1;
    }
    if (r->type == PT_EV_NOTE) {
        if (c->internal)
            learn_note(c->file, r, payload);
        return 0;
    }
    if (c->internal)
        return 0;
    ev->rec = r;
    ev->payload = payload;
    ev->offset = offset;
    return 1;
}

int pt_file_event_at(const struct pt_file *f, uint64_t offset, struct pt_event *ev) {
    const uint8_t *base = pt_file_bytes(f);
    if (base == NULL)
        return 0;
    const struct pt_record *r = (const void *)(base + offset);
    ev->offset = offset;
    if (f->hdr->version >= 2 && (r->type & PT_COMPACT)) {
        const struct pt_compact_record *k = (const void *)r;
        if (!expand_compact(f, k, offset, &ev->copy))
            return 0;
        ev->rec = &ev->copy;
        ev->payload = (const uint8_t *)(k + 1);
        return 1;
    }
    ev->rec = r;
    ev->payload = (const uint8_t *)(r + 1);
    return 1;
}

/* The next readable record before end, from c->base. */
static inline __attribute__((always_inline)) int next_before(struct pt_cursor *c, uint64_t end,
                                                             struct pt_event *ev) {
    while (!c->done) {
        if (c->pos >= c->limit || c->pos > end) {
            stop_walk(c, PT_WALK_COMPLETE);
            break;
        }
        skip_zero_words(c, end);
        if (end - c->pos < PT_ALIGN && all_zero(at(c, c->pos), end - c->pos)) {
            finish_walk(c);
            break;
        }
        int verdict = check_record(c, end);
        if (verdict < 0)
            break;
        const struct pt_record *r = (const void *)at(c, c->pos);
        uint64_t offset = c->pos;
        c->pos += r->size;
        release_behind(c);
        if (verdict == 0)
            continue;
        if (__builtin_expect(c->compact, 0)) {
            verdict = decode_v2(c, r, offset, ev);
            if (verdict <= 0) {
                c->damage.invalid += verdict < 0;
                continue;
            }
            return 1;
        }
        if (c->internal)
            continue;
        ev->rec = r;
        ev->payload = (const uint8_t *)(r + 1);
        ev->offset = offset;
        return 1;
    }
    return 0;
}

int pt_file_next(struct pt_cursor *c, struct pt_event *ev) {
    if (c->done) {
        note_damage(c);
        return 0;
    }
    c->base = pt_file_bytes(c->file);
    if (c->base == NULL) {
        stop_unreadable(c);
        note_damage(c);
        return 0;
    }
    if (next_before(c, walk_end(c->file), ev))
        return 1;
    note_damage(c);
    return 0;
}

void pt_file_scan(struct pt_file *f) {
    if (f->walked)
        return;
    struct pt_cursor c;
    struct pt_event ev;
    pt_file_walk(&c, f);
    while (pt_file_next(&c, &ev))
        ;
    release_walked(&c);
    f->damage = c.damage;
}

/* --- describing damage -------------------------------------------------- */

int pt_damage_any(const struct pt_damage *d) {
    return d->torn != 0 || d->invalid != 0 || d->stop != PT_WALK_COMPLETE;
}

static const char *plural(uint64_t n) {
    return n == 1 ? "" : "s";
}

/* Appends one ", "-separated item to the text in buf. */
static void add_item(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_item(char *buf, size_t len, const char *fmt, ...) {
    size_t used = strlen(buf);
    if (used > 0 && used + 2 < len) {
        strcpy(buf + used, ", ");
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

void pt_damage_describe(const struct pt_file *f, const struct pt_damage *d, char *buf, size_t len) {
    char what[200] = "";
    if (d->torn != 0)
        add_item(what, sizeof what, "%llu torn record%s", (unsigned long long)d->torn,
                 plural(d->torn));
    if (d->invalid != 0)
        add_item(what, sizeof what, "%llu invalid record%s skipped", (unsigned long long)d->invalid,
                 plural(d->invalid));
    if (d->stop == PT_WALK_TRUNCATED)
        add_item(what, sizeof what, "file truncated");
    if (d->stop == PT_WALK_CORRUPT)
        add_item(what, sizeof what, "corrupt record (size %u)", d->bad_size);
    if (d->stop == PT_WALK_UNREADABLE)
        add_item(what, sizeof what, "could not be read again (%s)", strerror(d->map_errno));
    snprintf(buf, len, "%s: %s, read up to offset %llu", f->path, what,
             (unsigned long long)d->stop_offset);
}
