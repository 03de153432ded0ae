/* Recording one call: the hot path.  The file behind it is
 * recorder_file.c's. */
#define _GNU_SOURCE
#include "recorder.h"

#include <errno.h>
#include <string.h>

#include "clock.h"
#include "inject.h"
#include "recorder_file.h"
#include "src/writer/sys.h"
#include "state.h"

static int current_tid(void) {
    if (!pt_tls_tid)
        pt_tls_tid = pt_sys_gettid();
    return pt_tls_tid;
}

static uint32_t align8(uint64_t n) {
    return (uint32_t)((n + 7) & ~(uint64_t)7);
}

/* A compact record (PT_COMPACT in its type) shares the full record's first
 * eight bytes (size, type, state, obj_kind, fd_flags); the rest differs. */
static inline int is_compact(const struct pt_record *rec) {
    return (rec->type & PT_COMPACT) != 0;
}

static inline struct pt_compact_record *as_compact(struct pt_record *rec) {
    return (struct pt_compact_record *)(void *)rec;
}

static inline uint32_t header_size(const struct pt_record *rec) {
    return is_compact(rec) ? PT_COMPACT_SIZE : PT_RECORD_SIZE;
}

static inline uint8_t *payload_of(struct pt_record *rec) {
    return (uint8_t *)rec + header_size(rec);
}

static inline uint32_t data_len_of(const struct pt_record *rec) {
    return is_compact(rec) ? ((const struct pt_compact_record *)(const void *)rec)->data_len
                           : rec->data_len;
}

/* The most one call captures, even with PIPETRACE_DATA=full.  A larger
 * transfer is captured up to this and marked cut. */
#define PT_CAPTURE_MAX (16u << 20)

/* Capture room reserved before the call, when the capture may be larger
 * (PIPETRACE_DATA above these, or full).  A read asks for far more than it
 * gets (a program reading a pipe into a 16 MiB buffer gets a few bytes), so
 * it reserves little; a write usually moves what it asks for.  After the
 * call, a longer capture extends the record in place when no other record
 * was reserved since (the common case), and is cut otherwise.  Either way
 * the trace grows with the bytes moved, not the bytes asked for. */
#define PT_READ_ROOM 1024u
#define PT_WRITE_ROOM (64u << 10)

uint32_t pt_capture_room(uint64_t count) {
    uint64_t room = count < pt_config.data_limit ? count : pt_config.data_limit;
    return room > PT_CAPTURE_MAX ? PT_CAPTURE_MAX : (uint32_t)room;
}

static uint32_t room_before_call(uint8_t type, uint32_t payload_max) {
    switch (type) {
    case PT_EV_READ:
    case PT_EV_READV:
    case PT_EV_READ_CHK:
    case PT_EV_STDIO_READ:
    case PT_EV_RECV:
    case PT_EV_RECVMSG:
        return payload_max < PT_READ_ROOM ? payload_max : PT_READ_ROOM;
    case PT_EV_WRITE:
    case PT_EV_WRITEV:
    case PT_EV_STDIO_WRITE:
    case PT_EV_SEND:
    case PT_EV_SENDMSG:
    case PT_EV_VMSPLICE:
        return payload_max < PT_WRITE_ROOM ? payload_max : PT_WRITE_ROOM;
    default:
        return payload_max;
    }
}

/* The record reserved and filled, not yet published: one body for
 * pt_begin and pt_begin_unpublished, inlined into each, so that read and
 * write pay for no extra call or check. */
static inline __attribute__((always_inline)) struct pt_record *
reserve_filled(uint8_t type, int fd, const struct pt_fdinfo *info, uint64_t arg,
               uint32_t payload_max) {
    if (pt_tls_busy)
        return NULL;
    struct pt_writer *w = pt_file_writer();
    if (!w)
        return NULL;
    uint32_t room = room_before_call(type, payload_max);
    struct pt_record *rec = pt_writer_reserve(w, PT_RECORD_SIZE + align8(room));
    if (!rec) {
        pt_file_announce_stop(w);
        return NULL;
    }
    /* The clock after the reservation: a thread held up between the two
     * then leaves a late time early in the file, which a reader's reorder
     * window absorbs, rather than an early time arbitrarily far down it
     * (docs/FORMAT.md, on order). */
    rec->t_start = pt_now_ns();
    rec->type = type;
    rec->tid = current_tid();
    rec->fd = fd;
    rec->arg = arg;
    if (info) {
        rec->obj_kind = info->kind;
        rec->fd_flags = info->flags;
        rec->obj_ino = info->ino;
        rec->obj_dev = info->dev;
    }
    return rec;
}

struct pt_record *pt_begin_unpublished(uint8_t type, int fd, const struct pt_fdinfo *info,
                                       uint64_t arg, uint32_t payload_max) {
    return reserve_filled(type, fd, info, arg, payload_max);
}

void pt_publish_begun(struct pt_record *rec) {
    if (rec)
        __atomic_store_n(&rec->state, PT_BEGUN, __ATOMIC_RELEASE);
}

struct pt_record *pt_begin(uint8_t type, int fd, const struct pt_fdinfo *info, uint64_t arg,
                           uint32_t payload_max) {
    struct pt_record *rec = reserve_filled(type, fd, info, arg, payload_max);
    if (!rec)
        return NULL;
    __atomic_store_n(&rec->state, PT_BEGUN, __ATOMIC_RELEASE);
    /* An exec that succeeds ends the image here: cut the file's unused end
     * now (a failed exec records on, the file growing as needed). */
    if (type == PT_EV_EXEC)
        pt_file_finish();
    return rec;
}

/* The writer rec belongs to, or NULL when it belongs to none we record
 * into: a record the parent handed out before a fork that a signal handler
 * made, completed in the child. */
static struct pt_writer *owner_of(const struct pt_record *rec) {
    struct pt_writer *w = rec ? pt_file_current() : NULL;
    return w && pt_writer_holds(w, rec) ? w : NULL;
}

/* --- compact records (docs/FORMAT.md) -------------------------------------
 *
 * An I/O call whose fields fit gets a 32-byte header instead of 64.  Its
 * thread, fd and object are said once per channel, a 32-byte PT_EV_CHANNEL
 * record written the first time a thread records a call on an fd naming an
 * object; each thread remembers its last few channels, per fd, here. */

struct channel_slot {
    uint64_t ino;
    uint32_t dev;
    int32_t fd;
    uint32_t epoch; /* the writer's; 0 while the slot is being filled */
    uint16_t number;
    uint8_t kind;
};

#define CHANNEL_SLOTS 16
static __thread struct channel_slot channel_slots[CHANNEL_SLOTS]
    __attribute__((tls_model("initial-exec")));

#define CHANNELS_MAX 0x10000u

/* Writes the channel record of (this thread, fd, info) and remembers it.
 * A signal handler that records on the same fd while the slot is being
 * filled finds it invalid and declares a channel of its own, which is
 * fine: both lie before their users. */
static __attribute__((noinline)) int declare_channel(struct pt_writer *w, int fd,
                                                     const struct pt_fdinfo *info,
                                                     struct channel_slot *slot, uint16_t *number) {
    if (__atomic_load_n(&w->channels, __ATOMIC_RELAXED) >= CHANNELS_MAX)
        return 0;
    uint32_t n = __atomic_fetch_add(&w->channels, 1, __ATOMIC_RELAXED);
    if (n >= CHANNELS_MAX)
        return 0;
    struct pt_channel_record *rec = (void *)pt_writer_reserve(w, PT_COMPACT_SIZE);
    if (!rec)
        return 0;
    rec->type = PT_EV_CHANNEL | PT_COMPACT;
    rec->tid = current_tid();
    rec->fd = fd;
    rec->number = (uint16_t)n;
    rec->obj_kind = info->kind;
    rec->obj_ino = info->ino;
    rec->obj_dev = info->dev;
    __atomic_store_n(&rec->state, PT_DONE, __ATOMIC_RELEASE);
    __atomic_store_n(&slot->epoch, 0, __ATOMIC_RELAXED);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    slot->ino = info->ino;
    slot->dev = info->dev;
    slot->fd = fd;
    slot->kind = info->kind;
    slot->number = (uint16_t)n;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&slot->epoch, w->epoch, __ATOMIC_RELAXED);
    *number = (uint16_t)n;
    return 1;
}

/* The channel of a call on fd by this thread: 1 with its number, 0 when
 * none can be had (numbers used up, tracing stopped). */
static inline int channel_of(struct pt_writer *w, int fd, const struct pt_fdinfo *info,
                             uint16_t *number) {
    struct channel_slot *slot = &channel_slots[(unsigned)fd % CHANNEL_SLOTS];
    if (__builtin_expect(__atomic_load_n(&slot->epoch, __ATOMIC_RELAXED) == w->epoch &&
                             slot->fd == fd && slot->ino == info->ino && slot->dev == info->dev &&
                             slot->kind == info->kind,
                         1)) {
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        *number = slot->number;
        return 1;
    }
    return declare_channel(w, fd, info, slot, number);
}

/* Whether a call may get a compact record, from what is known before it:
 * the bytes asked for and the capture room must fit their fields. */
static inline int compact_allowed(const struct pt_writer *w, uint64_t arg, uint32_t payload_max) {
    return !pt_config.full_records && !pt_inject_armed &&
           !__atomic_load_n(&w->no_compact, __ATOMIC_RELAXED) && arg < PT_COMPACT_IN_NOTE &&
           payload_max <= UINT16_MAX;
}

/* The compact record of an I/O call, begun; NULL when the clock is out of
 * the 48 bits the start has (an image older than 78 hours): then its room
 * is left as zeros, which readers skip, and this image writes full records
 * from now on. */
static inline struct pt_record *reserve_compact(struct pt_writer *w, uint8_t type, uint16_t channel,
                                                const struct pt_fdinfo *info, uint64_t arg,
                                                uint32_t payload_max) {
    uint32_t room = room_before_call(type, payload_max);
    struct pt_record *rec = pt_writer_reserve(w, PT_COMPACT_SIZE + align8(room));
    if (!rec)
        return NULL;
    uint64_t start = pt_now_ns() - pt_writer_header(w)->start_mono_ns;
    if (__builtin_expect(start >= PT_START_LIMIT, 0)) {
        __atomic_store_n(&w->no_compact, 1, __ATOMIC_RELAXED);
        __atomic_store_n(&rec->size, 0, __ATOMIC_RELEASE);
        return NULL;
    }
    struct pt_compact_record *c = as_compact(rec);
    c->start_lo = (uint32_t)start;
    c->start_hi = (uint16_t)(start >> 32);
    c->type = (uint8_t)(type | PT_COMPACT);
    c->channel = channel;
    c->arg = (uint32_t)arg;
    c->obj_kind = info->kind;
    c->fd_flags = info->flags;
    __atomic_store_n(&c->state, PT_BEGUN, __ATOMIC_RELEASE);
    return rec;
}

struct pt_record *pt_begin_io(uint8_t type, int fd, const struct pt_fdinfo *info, uint64_t arg,
                              uint32_t payload_max) {
    if (pt_tls_busy)
        return NULL;
    struct pt_writer *w = pt_file_writer();
    if (!w)
        return NULL;
    uint16_t channel;
    if (__builtin_expect(compact_allowed(w, arg, payload_max), 1) &&
        channel_of(w, fd, info, &channel)) {
        struct pt_record *rec = reserve_compact(w, type, channel, info, arg, payload_max);
        if (__builtin_expect(rec != NULL, 1))
            return rec;
    }
    return pt_begin(type, fd, info, arg, payload_max);
}

/* The full record of a note about compact record c: values that did not
 * fit it.  0, or -1 when it could not be written (tracing stopped). */
static __attribute__((noinline)) int write_note(struct pt_writer *w, struct pt_compact_record *c,
                                                uint32_t fields, uint64_t arg, uint64_t end,
                                                int64_t result) {
    struct pt_record *rec = pt_writer_reserve(w, PT_RECORD_SIZE + sizeof(struct pt_note_payload));
    if (!rec)
        return -1;
    struct pt_note_payload note = {
        .offset = pt_writer_offset(w, c),
        .fields = fields,
        .arg = arg,
        .t_end = end,
        .result = result,
    };
    rec->type = PT_EV_NOTE;
    rec->tid = current_tid();
    rec->fd = -1;
    rec->t_start = rec->t_end = end;
    rec->data_len = sizeof note;
    memcpy(rec + 1, &note, sizeof note);
    __atomic_store_n(&rec->state, PT_DONE, __ATOMIC_RELEASE);
    return 0;
}

/* Sets the end and result of compact record c (state left alone). */
static inline void end_compact(struct pt_writer *w, struct pt_compact_record *c, uint64_t end,
                               int64_t result) {
    uint64_t start =
        pt_writer_header(w)->start_mono_ns + ((uint64_t)c->start_hi << 32 | (uint64_t)c->start_lo);
    uint64_t span = end - start + 1;
    if (__builtin_expect(end < start || span >= PT_SPAN_IN_NOTE || result != (int32_t)result, 0)) {
        write_note(w, c, PT_NOTE_END, 0, end, result);
        span = PT_SPAN_IN_NOTE;
        result = 0;
    }
    c->span_lo = (uint32_t)span;
    c->span_hi = (uint16_t)(span >> 32);
    c->result = (int32_t)result;
}

void pt_set_arg(struct pt_record *rec, uint64_t arg) {
    if (!rec)
        return;
    if (!is_compact(rec)) {
        rec->arg = arg;
        return;
    }
    struct pt_writer *w = owner_of(rec);
    if (!w)
        return;
    struct pt_compact_record *c = as_compact(rec);
    if (arg >= PT_COMPACT_IN_NOTE) {
        write_note(w, c, PT_NOTE_ARG, arg, 0, 0);
        arg = PT_COMPACT_IN_NOTE;
    }
    c->arg = (uint32_t)arg;
}

/* Sets the end and result of rec (state left alone). */
static inline void set_end(struct pt_writer *w, struct pt_record *rec, uint64_t end,
                           int64_t result) {
    if (is_compact(rec)) {
        end_compact(w, as_compact(rec), end, result);
        return;
    }
    rec->t_end = end;
    rec->result = result;
}

void pt_end(struct pt_record *rec, int64_t result) {
    if (!rec)
        return;
    uint64_t end = pt_now_ns();
    struct pt_writer *w = owner_of(rec);
    if (!w)
        return;
    set_end(w, rec, end, result);
    __atomic_store_n(&rec->state, PT_DONE, __ATOMIC_RELEASE);
}

void pt_end_payload(struct pt_record *rec, int64_t result, uint32_t at, const void *bytes,
                    uint32_t len) {
    if (!owner_of(rec))
        return;
    if ((uint64_t)at + len <= rec->data_len)
        memcpy((uint8_t *)(rec + 1) + at, bytes, len);
    pt_end(rec, result);
}

static uint32_t capture_wanted(int64_t moved) {
    return moved > 0 ? pt_capture_room((uint64_t)moved) : 0;
}

/* More room than was reserved, in place when it can be had. */
static __attribute__((noinline)) uint32_t grown_room(struct pt_writer *w, struct pt_record *rec,
                                                     uint32_t want) {
    uint32_t header = header_size(rec);
    if (is_compact(rec) && want > UINT16_MAX)
        want = UINT16_MAX; /* never: its capture room was at most that */
    uint32_t room = rec->size - header;
    if (pt_writer_extend(w, rec, header + align8(want)))
        room = rec->size - header;
    return want < room ? want : room;
}

/* Room for `want` bytes of capture: what was reserved (nearly always
 * enough), or more in place. */
static inline uint32_t room_for(struct pt_writer *w, struct pt_record *rec, uint32_t want) {
    if (__builtin_expect(want <= rec->size - header_size(rec), 1))
        return want;
    return grown_room(w, rec, want);
}

static void give_back_room(struct pt_writer *w, struct pt_record *rec) {
    uint32_t used = header_size(rec) + align8(data_len_of(rec));
    if (used < rec->size)
        pt_writer_shrink(w, rec, used);
}

/* Publishes a capture of len bytes out of `moved`. */
static void set_captured(struct pt_record *rec, uint32_t len, int64_t moved) {
    if (is_compact(rec))
        __atomic_store_n(&as_compact(rec)->data_len, (uint16_t)len, __ATOMIC_RELEASE);
    else
        __atomic_store_n(&rec->data_len, len, __ATOMIC_RELEASE);
    if (moved > (int64_t)len)
        rec->fd_flags |= PT_FDF_DATA_CUT;
    else
        rec->fd_flags &= (uint8_t)~PT_FDF_DATA_CUT;
}

/* A capture of several pages goes in through the kernel: on the machines
 * of issue 12 a first touch of a trace page from user code costs 4-7 us
 * (the hypervisor fills its shadow page tables), the kernel's copy 0.3-0.5
 * us a page (a 64 KiB capture: 115 us copied here, 13 through the kernel).
 * The pid is asked each time, never remembered: a child the library did not
 * see start must not write into another process.  A smaller capture, or
 * one the kernel refuses (a seccomp filter, a kernel without the call),
 * is copied here. */
#define KERNEL_COPY_MIN (16u << 10)

static int kernel_copy_refused; /* EPERM or ENOSYS once: not asked again */

static void copy_capture(uint8_t *to, const void *from, uint32_t len) {
    if (len >= KERNEL_COPY_MIN && !__atomic_load_n(&kernel_copy_refused, __ATOMIC_RELAXED)) {
        long done = pt_sys_write_own_memory(to, from, len);
        if (done == (long)len)
            return;
        if (done == -EPERM || done == -ENOSYS)
            __atomic_store_n(&kernel_copy_refused, 1, __ATOMIC_RELAXED);
    }
    memcpy(to, from, len);
}

void pt_capture(struct pt_record *rec, const void *buf, int64_t moved) {
    struct pt_writer *w = owner_of(rec);
    if (!w)
        return;
    uint32_t len = room_for(w, rec, capture_wanted(moved));
    copy_capture(payload_of(rec), buf, len);
    set_captured(rec, len, moved);
}

void pt_capture_iov(struct pt_record *rec, const struct iovec *iov, int iovcnt, int64_t moved) {
    struct pt_writer *w = owner_of(rec);
    if (!w)
        return;
    uint32_t len = room_for(w, rec, capture_wanted(moved));
    uint8_t *out = payload_of(rec);
    uint32_t done = 0;
    for (int i = 0; i < iovcnt && done < len; i++) {
        size_t n = iov[i].iov_len < len - done ? iov[i].iov_len : len - done;
        copy_capture(out + done, iov[i].iov_base, (uint32_t)n);
        done += (uint32_t)n;
    }
    set_captured(rec, done, moved);
}

void pt_end_captured(struct pt_record *rec, int64_t result) {
    struct pt_writer *w = owner_of(rec);
    if (!w)
        return;
    give_back_room(w, rec);
    pt_end(rec, result);
}

/* The record is marked done as soon as the call has returned, before the
 * capture is copied: a process killed right after a write (SIGKILL from
 * the reader it just woke) then leaves a complete call, with its capture
 * marked cut if the copy had not finished.  The bytes are copied only after
 * the call: before it, the kernel has not yet said they can be read. */
void pt_end_io(struct pt_record *rec, const void *buf, int64_t result) {
    if (!rec)
        return;
    uint64_t end = pt_now_ns();
    struct pt_writer *w = owner_of(rec);
    if (!w)
        return;
    set_end(w, rec, end, result);
    if (result > 0)
        rec->fd_flags |= PT_FDF_DATA_CUT; /* until the capture is in place */
    __atomic_store_n(&rec->state, PT_DONE, __ATOMIC_RELEASE);
    uint32_t len = room_for(w, rec, capture_wanted(result));
    copy_capture(payload_of(rec), buf, len);
    set_captured(rec, len, result);
    give_back_room(w, rec);
}

int pt_recording_on(void) {
    return !pt_config.disabled && !pt_tls_busy && !pt_file_failed();
}

uint32_t pt_strings_room(const char *first, char *const list[]) {
    uint64_t n = strlen(first) + 1;
    for (char *const *p = list; p && *p && n < PT_STRINGS_MAX; p++)
        n += strlen(*p) + 1;
    return n < PT_STRINGS_MAX ? (uint32_t)n : PT_STRINGS_MAX;
}

void pt_put_strings(struct pt_record *rec, const char *first, char *const list[]) {
    if (!owner_of(rec))
        return;
    char *out = (char *)(rec + 1);
    uint32_t room = rec->size - PT_RECORD_SIZE, used = 0;
    const char *s = first;
    for (char *const *next = list; s; s = (next && *next) ? *next++ : NULL) {
        size_t len = strlen(s);
        if (used + len + 1 > room)
            break;
        memcpy(out + used, s, len + 1);
        used += (uint32_t)len + 1;
    }
    rec->data_len = used;
}

struct pt_record *pt_instant(uint8_t type, int fd, const struct pt_fdinfo *info, uint64_t arg,
                             int64_t result, uint32_t payload_max) {
    struct pt_record *rec = pt_begin(type, fd, info, arg, payload_max);
    if (rec) {
        rec->t_end = rec->t_start;
        rec->result = result;
    }
    return rec;
}

/* The exit record is the image's last word: the file's unused end goes.
 * Anything recorded later (stdio's flush at exit runs after the on_exit
 * handlers) still lands, the file growing by what it needs. */
void pt_commit(struct pt_record *rec) {
    if (!owner_of(rec))
        return;
    __atomic_store_n(&rec->state, PT_DONE, __ATOMIC_RELEASE);
    if (rec->type == PT_EV_EXIT)
        pt_file_finish();
}

uint64_t pt_record_offset(const struct pt_record *rec) {
    struct pt_writer *w = owner_of(rec);
    return w ? pt_writer_offset(w, rec) : 0;
}

void pt_commit_captured(struct pt_record *rec) {
    struct pt_writer *w = owner_of(rec);
    if (!w)
        return;
    give_back_room(w, rec);
    pt_commit(rec);
}
