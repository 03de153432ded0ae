/* make_corpus: writes the seed corpus of broken and odd trace files
 * (test/fuzz/corpus), built with test/tracebuild like every other synthetic
 * trace.  Each input is small; FUZZ_SPLIT ("PTSPLIT!") separates several
 * trace files in one input (see fuzz_body.h).
 *
 *   bazel run //test/fuzz:make_corpus            rewrites test/fuzz/corpus
 *   bazel run //test/fuzz:make_corpus -- DIR     writes into DIR instead
 *
 * corpus_test runs it into a scratch directory and fails when a checked-in
 * file differs from what it writes.  The real_* files are not written
 * here: they are traces of real runs (a shell pipeline,
 * examples/pipe2_fork.py, `echo hi | cat` with only cat traced), each file
 * cut at its header's tail and joined with FUZZ_SPLIT. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pipetrace/format.h"
#include "test/fuzz/fuzz_body.h"
#include "test/tracebuild/tracebuild.h"

/* --- inputs: bytes joined from trace files ------------------------------------ */

struct input {
    unsigned char *bytes;
    size_t len;
};

static void die(const char *what) {
    fprintf(stderr, "make_corpus: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void append(struct input *in, const void *bytes, size_t len) {
    unsigned char *grown = realloc(in->bytes, in->len + len + 1);
    if (grown == NULL)
        die("memory");
    in->bytes = grown;
    memcpy(in->bytes + in->len, bytes, len);
    in->len += len;
}

static void append_input(struct input *in, const struct input *more) {
    append(in, more->bytes, more->len);
}

static void split(struct input *in) {
    append(in, FUZZ_SPLIT, strlen(FUZZ_SPLIT));
}

/* The first n bytes of in (n may count from the end when negative). */
static struct input cut(const struct input *in, long n) {
    struct input out = {0};
    size_t keep = n >= 0 ? (size_t)n : in->len - (size_t)-n;
    append(&out, in->bytes, keep < in->len ? keep : in->len);
    return out;
}

/* --- trace files ------------------------------------------------------------- */

/* Whether the files made from now on write their I/O records compact. */
static int compact_files;

/* A file of the process pid, started at `start`, with stdio hooked. */
static struct ptb_file file(int32_t pid, int32_t ppid, const char *argv0, uint64_t start) {
    const char *argv[] = {argv0, NULL};
    struct ptb_image im = {
        .pid = pid, .ppid = ppid, .start_ns = start, .exe = "/usr/bin/prog", .argv = argv};
    struct ptb_file f;
    if (ptb_begin(&f, NULL, &im) != 0)
        die("ptb_begin");
    f.hdr.start_real_ns = start;
    ptb_set_compact(&f, compact_files);
    return f;
}

/* The file's bytes, its header final. */
static struct input finish(struct ptb_file *f) {
    if (ptb_end(f) != 0)
        die("ptb_end");
    struct input out = {0};
    append(&out, f->mem, f->mem_len);
    ptb_free(f);
    return out;
}

/* One record as the cases below describe it; zero fields are left zero. */
struct spec {
    uint8_t type;
    int32_t fd;
    uint64_t t;
    int64_t result;
    uint64_t arg;
    uint64_t ino;
    uint8_t kind;
    uint8_t flags;
    enum { DONE_ = 0, BEGUN_, TORN_ } state;
    int open_end; /* t_end 0: the call never returned */
    const void *payload;
    uint32_t len;
};

#define R(...) ((struct spec){__VA_ARGS__})
/* A payload from a string literal, embedded NULs kept, the final one not. */
#define TEXT(s) .payload = (s), .len = sizeof(s) - 1

static struct pt_record record(struct spec s) {
    struct pt_record r = ptb_record(s.type, 1, s.fd, s.t);
    r.t_end = s.open_end ? 0 : s.t;
    r.result = s.result;
    r.arg = s.arg;
    ptb_set_object(&r, s.kind, s.ino, 0, s.flags);
    r.state = s.state == BEGUN_ ? PT_BEGUN : s.state == TORN_ ? PT_TORN : PT_DONE;
    return r;
}

static uint64_t add(struct ptb_file *f, struct spec s) {
    return ptb_add(f, record(s), s.payload, s.len);
}

/* A record whose size and data_len say what the case needs, whatever its
 * 64 bytes hold. */
static void add_lying(struct ptb_file *f, struct spec s, uint32_t size, uint32_t data_len) {
    struct pt_record r = record(s);
    r.size = size;
    r.data_len = data_len;
    ptb_add_raw(f, &r, sizeof r);
}

/* --- the cases ----------------------------------------------------------------- */

#define RD (PT_FDF_KNOWN | PT_FDF_RDONLY)
#define WR (PT_FDF_KNOWN | PT_FDF_WRONLY)

/* A parent that makes pipe 77, forks 101, writes "hello" and waits. */
static void parent_records(struct ptb_file *f) {
    add(f, R(.type = PT_EV_INHERITED_FD, .fd = 0, .t = 1000, .kind = PT_OBJ_TTY, .flags = RD));
    struct pt_pipe_payload pp = ptb_pipe_payload(3, 4, 77, 77);
    uint64_t pipe_at = add(f, R(.type = PT_EV_PIPE, .fd = 3, .t = 1100, .ino = 77,
                                .kind = PT_OBJ_PIPE, .payload = &pp, .len = sizeof pp));
    struct pt_module_payload mod = {.base = 0x400000};
    struct input module = {0};
    append(&module, &mod, sizeof mod);
    append(&module, "/usr/bin/prog", sizeof "/usr/bin/prog");
    add(f, R(.type = PT_EV_MODULE, .fd = -1, .t = 1101, .arg = 0x400000, .payload = module.bytes,
             .len = (uint32_t)module.len));
    free(module.bytes);
    struct pt_callsite_payload cs = {
        .addr = 0x401234, .module_base = 0x400000, .symbol_addr = 0x401200};
    struct input callsite = {0};
    append(&callsite, &cs, sizeof cs);
    append(&callsite, "main", sizeof "main");
    add(f, R(.type = PT_EV_CALLSITE, .fd = 3, .t = 1102, .arg = pipe_at, .payload = callsite.bytes,
             .len = (uint32_t)callsite.len));
    free(callsite.bytes);
    add(f, R(.type = PT_EV_FORK, .fd = -1, .t = 1200, .result = 101));
    add(f, R(.type = PT_EV_WRITE, .fd = 4, .t = 1300, .result = 5, .arg = 5, .ino = 77,
             .kind = PT_OBJ_PIPE, .flags = WR, TEXT("hello")));
    add(f, R(.type = PT_EV_WAIT, .fd = -1, .t = 1400, .state = BEGUN_, .open_end = 1));
}

/* Child 101: closes the write end, reads "hello", blocks, then execs. */
static void child_records(struct ptb_file *f) {
    add(f, R(.type = PT_EV_CLOSE, .fd = 4, .t = 1250, .ino = 77, .kind = PT_OBJ_PIPE, .flags = WR));
    add(f, R(.type = PT_EV_READ, .fd = 3, .t = 1350, .result = 5, .arg = 100, .ino = 77,
             .kind = PT_OBJ_PIPE, .flags = RD, TEXT("hello")));
    add(f, R(.type = PT_EV_READ, .fd = 3, .t = 1360, .arg = 100, .ino = 77, .kind = PT_OBJ_PIPE,
             .flags = RD, .state = BEGUN_, .open_end = 1));
    add(f, R(.type = PT_EV_EXEC, .fd = -1, .t = 1370, .state = BEGUN_, TEXT("/bin/x\0x\0")));
}

static struct input valid_parent(void) {
    struct ptb_file f = file(100, 1, "prog", 1000);
    parent_records(&f);
    return finish(&f);
}

static struct input fork_and_exec(void) {
    struct input in = valid_parent();
    struct ptb_file child = file(101, 100, "prog", 1200);
    child.hdr.flags |= PT_HDR_FORK_CHILD;
    child_records(&child);
    struct input c = finish(&child);
    struct ptb_file execd = file(101, 100, "x", 1380);
    add(&execd, R(.type = PT_EV_INHERITED_FD, .fd = 3, .t = 1380, .ino = 77, .kind = PT_OBJ_PIPE,
                  .flags = RD));
    struct input e = finish(&execd);
    split(&in);
    append_input(&in, &c);
    split(&in);
    append_input(&in, &e);
    free(c.bytes);
    free(e.bytes);
    return in;
}

/* The valid parent's file run as argv0, its header changed. */
static struct input with_header(const char *argv0, void (*change)(struct pt_file_header *)) {
    struct ptb_file f = file(100, 1, argv0, 1000);
    parent_records(&f);
    change(&f.hdr);
    return finish(&f);
}

static void version_9(struct pt_file_header *h) {
    h->version = 9;
}

static void big_endian(struct pt_file_header *h) {
    h->byte_order = __builtin_bswap32(PT_BYTE_ORDER);
}

static void tail_past_end(struct pt_file_header *h) {
    h->tail = (uint64_t)1 << 40;
}

/* A file of process 100 ("p") with the records `fill` adds. */
static struct input small(void (*fill)(struct ptb_file *)) {
    struct ptb_file f = file(100, 1, "p", 1000);
    fill(&f);
    return finish(&f);
}

static void garbage_size(struct ptb_file *f) {
    add_lying(f, R(.type = PT_EV_CLOSE, .fd = 3, .t = 1), 13, 0);
}

static void size_past_end(struct ptb_file *f) {
    add_lying(f, R(.type = PT_EV_CLOSE, .fd = 3, .t = 1), 1u << 30, 0);
}

/* A write whose 8 payload bytes are missing and whose data_len says 2 GiB. */
static void huge_data_len(struct ptb_file *f) {
    add_lying(f, R(.type = PT_EV_WRITE, .fd = 3, .t = 1), PT_RECORD_SIZE + 8, 1u << 31);
}

static void torn_and_zeros(struct ptb_file *f) {
    add(f, R(.type = PT_EV_CLOSE, .fd = 3, .t = 1, .state = TORN_));
    ptb_add_zeros(f, 64);
    add(f, R(.type = PT_EV_CLOSE, .fd = 4, .t = 2));
}

static void short_payloads(struct ptb_file *f) {
    add(f, R(.type = PT_EV_PIPE, .fd = 3, .t = 1, TEXT("\1\2")));
    add(f, R(.type = PT_EV_CALLSITE, .fd = 3, .t = 2, TEXT("x")));
    add(f, R(.type = PT_EV_MODULE, .fd = -1, .t = 3, TEXT("m")));
    add(f,
        R(.type = PT_EV_UNTRACED_CHILD, .fd = -1, .t = 4, .result = 5, .arg = 99, TEXT("/no/nul")));
}

static void odd_fds(struct ptb_file *f) {
    add(f, R(.type = PT_EV_DUP2, .fd = 2147483647, .t = 1, .result = -1, .arg = 5));
    add(f, R(.type = PT_EV_CLOSE_RANGE, .fd = 0, .t = 2, .arg = 0xFFFFFFFFu | (4ull << 32)));
    add(f, R(.type = PT_EV_CLOSE_RANGE, .fd = 3, .t = 3, .arg = 0xFFFFFFFFu));
    add(f, R(.type = PT_EV_CLOSE, .fd = -5, .t = 4, .result = -9));
    add(f, R(.type = PT_EV_READ, .fd = 3, .t = 5, .result = -9));
    add(f, R(.type = PT_EV_WAIT, .fd = -1, .t = 6, .result = 100, .arg = 13));
    add(f, R(.type = PT_EV_EXIT, .fd = -1, .t = 7, .arg = 1ull << 40));
    add(f, R(.type = PT_EV_MAX, .fd = 0, .t = 8));
    add(f, R(.type = 200, .fd = 0, .t = 9, TEXT("unknown type")));
}

static void out_of_order(struct ptb_file *f) {
    static const uint64_t times[] = {50, 10, 40, 20, 30, 0, 60};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
        add(f, R(.type = PT_EV_CLOSE, .fd = 3, .t = times[i]));
}

/* Results no call returns (negating INT64_MIN overflows), begun writes,
 * pclose and system statuses, a device: what the printers must survive. */
static void absurd_results(struct ptb_file *f) {
    const int64_t least = INT64_MIN;
    struct pt_pipe_payload pp = ptb_pipe_payload(3, 4, 77, 77);
    add(f, R(.type = PT_EV_PIPE, .fd = 3, .t = 1, .ino = 77, .kind = PT_OBJ_PIPE, .payload = &pp,
             .len = sizeof pp));
    add(f, R(.type = PT_EV_READ, .fd = 3, .t = 2, .result = least, .arg = 5, .ino = 77,
             .kind = PT_OBJ_PIPE));
    add(f, R(.type = PT_EV_WRITE, .fd = 4, .t = 3, .result = least, .arg = 5, .ino = 77,
             .kind = PT_OBJ_PIPE));
    add(f, R(.type = PT_EV_WRITE, .fd = 4, .t = 4, .arg = 5, .ino = 77, .kind = PT_OBJ_PIPE,
             .state = BEGUN_, .open_end = 1));
    add(f, R(.type = PT_EV_READ, .fd = 3, .t = 5, .result = 5, .arg = 5, .ino = 77,
             .kind = PT_OBJ_PIPE, TEXT("hello")));
    add(f, R(.type = PT_EV_CLOSE, .fd = 3, .t = 6, .result = least));
    add(f, R(.type = PT_EV_PCLOSE, .fd = 4, .t = 7, .result = least, .arg = 101));
    add(f, R(.type = PT_EV_SYSTEM, .fd = -1, .t = 8, .result = least, TEXT("true\0")));
    add(f, R(.type = PT_EV_WRITE, .fd = 1, .t = 9, .result = 3, .arg = 3, .kind = PT_OBJ_DEVICE,
             TEXT("abc")));
    add(f, R(.type = PT_EV_UNTRACED_CHILD, .fd = -1, .t = 10, .result = 101,
             .arg = PT_UNTRACED_FAILED | (38ull << 32), TEXT("/bin/x\0")));
    add(f, R(.type = PT_EV_WAIT, .fd = -1, .t = 11, .result = 101,
             .arg = (uint64_t)least & 0xFFFFFFFFu));
}

/* Waits for readiness whose payloads lie: more entries claimed than held,
 * a header cut short, an epoll_ctl too short, a set that could not be
 * read, a wait left begun, fds and events no call has. */
static void waits(struct ptb_file *f) {
    struct {
        struct pt_wait_payload h;
        struct pt_wait_fd e[2];
    } poll_set = {{2, 9, 200, PT_WAIT_CALL_PPOLL, 0xff, 0},
                  {{3, 0xffff, 0xffff}, {-2147483647 - 1, 1, 0}}};
    struct {
        struct pt_wait_payload h;
        struct pt_wait_epoll_event e[1];
    } ready = {{16, 1, 1, PT_WAIT_CALL_EPOLL_PWAIT2, 0, 0}, {{0xffffffffu, 7, ~0ull}}};
    struct pt_epoll_ctl_payload ctl = {1, 3, 0x80000001u, 0, 3};
    struct pt_wait_payload unread = {1, 1, 0, PT_WAIT_CALL_SELECT, PT_WAITF_UNREAD, 0};
    add(f, R(.type = PT_EV_POLL, .fd = -1, .t = 1, .result = 1, .arg = ~0ull, .payload = &poll_set,
             .len = sizeof poll_set));
    add(f, R(.type = PT_EV_POLL, .fd = -1, .t = 2, .arg = 5, .state = BEGUN_, .open_end = 1,
             .payload = &poll_set, .len = sizeof poll_set - 4));
    add(f, R(.type = PT_EV_SELECT, .fd = -1, .t = 3, .result = 2, .payload = &poll_set, .len = 10));
    add(f, R(.type = PT_EV_SELECT, .fd = -1, .t = 4, .result = -14, .arg = (uint64_t)-2,
             .payload = &unread, .len = sizeof unread));
    add(f, R(.type = PT_EV_EPOLL_CREATE, .fd = -1, .t = 5, .result = 4, .arg = 02000000,
             .kind = PT_OBJ_EPOLL));
    add(f, R(.type = PT_EV_EPOLL_CTL, .fd = 4, .t = 6, .kind = PT_OBJ_EPOLL, .payload = &ctl,
             .len = sizeof ctl));
    add(f, R(.type = PT_EV_EPOLL_CTL, .fd = 4, .t = 7, .payload = &ctl, .len = 12));
    add(f, R(.type = PT_EV_EPOLL_WAIT, .fd = 4, .t = 8, .result = 5, .kind = PT_OBJ_EPOLL,
             .payload = &ready, .len = sizeof ready));
    add(f, R(.type = PT_EV_EPOLL_WAIT, .fd = 4, .t = 9, .state = BEGUN_, .open_end = 1,
             .payload = &ready, .len = sizeof ready.h));
    add(f, R(.type = PT_EV_CLOSE, .fd = 4, .t = 10, .kind = PT_OBJ_EPOLL));
}

/* --- compact records (format 2) ------------------------------------------------ */

/* fork_and_exec with its I/O records compact, each after its channel. */
static struct input compact_fork_and_exec(void) {
    compact_files = 1;
    struct input in = fork_and_exec();
    compact_files = 0;
    return in;
}

/* Compact records that need notes: a call longer than the span holds, a
 * result beyond int32, bytes asked beyond uint32; and one read left begun. */
static void compact_notes(struct ptb_file *f) {
    ptb_set_compact(f, 1);
    struct pt_record r = record(R(.type = PT_EV_READ, .fd = 3, .t = 1100, .result = 5, .arg = 9,
                                  .ino = 77, .kind = PT_OBJ_PIPE, .flags = RD));
    r.t_end = r.t_start + (1ull << 50);
    ptb_add(f, r, "hello", 5);
    r = record(R(.type = PT_EV_WRITE, .fd = 4, .t = 1200, .result = (int64_t)1 << 33,
                 .arg = 1ull << 40, .ino = 77, .kind = PT_OBJ_PIPE, .flags = WR));
    ptb_add(f, r, "x", 1);
    add(f, R(.type = PT_EV_READ, .fd = 3, .t = 1300, .arg = 100, .ino = 77, .kind = PT_OBJ_PIPE,
             .flags = RD, .state = BEGUN_, .open_end = 1));
}

/* A compact record as a case needs it, whatever its channel holds. */
static struct pt_compact_record compact(uint8_t type, uint16_t channel, uint32_t start) {
    struct pt_compact_record k;
    memset(&k, 0, sizeof k);
    k.type = (uint8_t)(type | PT_COMPACT);
    k.state = PT_DONE;
    k.channel = channel;
    k.arg = 16;
    k.start_lo = start;
    k.span_lo = 3;
    k.result = 4;
    return k;
}

/* Compact records and channels that lie: a channel never written, a data
 * length past the record, an unknown state, notes said and missing, notes
 * about nothing, a channel said twice, a channel torn, a compact record
 * of a type that is not I/O. */
static void compact_lies(struct ptb_file *f) {
    ptb_set_compact(f, 1);
    add(f, R(.type = PT_EV_WRITE, .fd = 4, .t = 1100, .result = 5, .arg = 5, .ino = 77,
             .kind = PT_OBJ_PIPE, .flags = WR, TEXT("hello")));
    ptb_add_compact(f, compact(PT_EV_READ, 999, 200), "abcd", 4);
    struct pt_compact_record k = compact(PT_EV_WRITE, 0, 300);
    k.size = PT_COMPACT_SIZE;
    k.data_len = 100;
    ptb_add_raw(f, &k, sizeof k);
    k = compact(PT_EV_WRITE, 0, 400);
    k.state = 7;
    ptb_add_compact(f, k, "", 0);
    k = compact(PT_EV_READ, 0, 500);
    k.span_lo = 0xffffffffu;
    k.span_hi = 0xffff;
    k.arg = PT_COMPACT_IN_NOTE;
    ptb_add_compact(f, k, "", 0);
    struct pt_note_payload note = {.offset = 8, .fields = ~0u, .arg = 1, .t_end = 2, .result = 3};
    ptb_add(f, record(R(.type = PT_EV_NOTE, .fd = -1, .t = 1600)), &note, sizeof note);
    ptb_add(f, record(R(.type = PT_EV_NOTE, .fd = -1, .t = 1601)), &note, 7);
    struct pt_channel_record ch = {
        .type = PT_EV_CHANNEL | PT_COMPACT, .state = PT_DONE, .tid = 9, .fd = -5, .number = 0};
    ptb_add_channel(f, ch);
    ch.state = PT_TORN;
    ch.number = 3;
    ptb_add_channel(f, ch);
    ptb_add_compact(f, compact(PT_EV_READ, 3, 700), "ab", 2);
    ptb_add_compact(f, compact(PT_EV_CLOSE, 0, 800), "", 0);
    ptb_add_compact(f, compact(PT_EV_MAX, 0, 900), "", 0);
}

/* A compact record whose size is below its header's. */
static void compact_small_size(struct ptb_file *f) {
    struct pt_compact_record k = compact(PT_EV_READ, 0, 100);
    k.size = 16;
    ptb_add_raw(f, &k, sizeof k);
}

/* A file cut inside a compact record's header. */
static void compact_cut_header(struct ptb_file *f) {
    ptb_set_compact(f, 1);
    add(f, R(.type = PT_EV_READ, .fd = 3, .t = 1100, .result = 2, .arg = 9, .ino = 77,
             .kind = PT_OBJ_PIPE, .flags = RD, TEXT("hi")));
    struct pt_compact_record k = compact(PT_EV_READ, 0, 200);
    k.size = PT_COMPACT_SIZE;
    ptb_add_raw(f, &k, 16);
}

/* --- writing them ---------------------------------------------------------------- */

static const char *out_dir;

static void save(const char *name, struct input in) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", out_dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        die(path);
    if ((in.len > 0 && fwrite(in.bytes, in.len, 1, f) != 1) || fclose(f) != 0)
        die(path);
    free(in.bytes);
}

static void write_corpus(void) {
    struct input ok = valid_parent();
    save("valid_parent", cut(&ok, (long)ok.len));
    save("fork_and_exec", fork_and_exec());
    save("empty", (struct input){0});
    save("short_header", cut(&ok, 100));
    struct input magic = cut(&ok, (long)ok.len);
    memcpy(magic.bytes, "NOTATRC\n", PT_MAGIC_LEN);
    save("bad_magic", magic);
    save("bad_version", with_header("prog", version_9));
    save("foreign_order", with_header("prog", big_endian));
    save("truncated_record", cut(&ok, -20));
    save("tail_past_end", with_header("p", tail_past_end));
    save("garbage_size", small(garbage_size));
    save("size_past_end", small(size_past_end));
    save("huge_data_len", small(huge_data_len));
    save("torn_and_zeros", small(torn_and_zeros));
    save("short_payloads", small(short_payloads));
    save("odd_fds", small(odd_fds));
    save("out_of_order", small(out_of_order));
    struct input thrice = cut(&ok, (long)ok.len);
    for (int i = 0; i < 2; i++) {
        split(&thrice);
        append_input(&thrice, &ok);
    }
    save("same_pid_twice", thrice);
    save("absurd_results", small(absurd_results));
    save("waits", small(waits));
    save("compact_fork_and_exec", compact_fork_and_exec());
    save("compact_notes", small(compact_notes));
    save("compact_lies", small(compact_lies));
    save("compact_small_size", small(compact_small_size));
    save("compact_cut_header", small(compact_cut_header));
    free(ok.bytes);
}

/* DIR as given, resolved against where `bazel run` was typed; without one,
 * the workspace's test/fuzz/corpus. */
static const char *output_dir(int argc, char **argv) {
    static char path[4096];
    const char *cwd = getenv("BUILD_WORKING_DIRECTORY");
    const char *ws = getenv("BUILD_WORKSPACE_DIRECTORY");
    if (argc > 1 && (argv[1][0] == '/' || cwd == NULL))
        return argv[1];
    if (argc > 1)
        snprintf(path, sizeof path, "%s/%s", cwd, argv[1]);
    else if (ws != NULL)
        snprintf(path, sizeof path, "%s/test/fuzz/corpus", ws);
    else
        return NULL;
    return path;
}

int main(int argc, char **argv) {
    out_dir = output_dir(argc, argv);
    if (out_dir == NULL || argc > 2) {
        fprintf(stderr, "usage: make_corpus [DIR]  (DIR may be left out under bazel run)\n");
        return 2;
    }
    if (mkdir(out_dir, 0777) != 0 && errno != EEXIST)
        die(out_dir);
    write_corpus();
    return 0;
}
