/* gentrace: writes a synthetic pipetrace trace directory of exactly N events,
 * in the format of include/pipetrace/format.h (laid out by test/tracebuild),
 * for the viewer benchmarks.
 *
 *   gentrace --out=DIR --events=N [--procs=N] [--data=N|full] [--seed=N]
 *
 * What the trace looks like: one shell (the root process) runs shell
 * pipelines of 2, 3 and 4 stages one after another.  For each pipeline the
 * shell creates the pipes, forks one child per stage, closes its pipe ends
 * and waits.  Each child is two images, as a real shell child is:
 *   <pid>.0.ptr  the fork child: dup2 of its pipe ends onto 0/1, closes
 *                (a successful exec leaves no record: docs/FORMAT.md)
 *   <pid>.1.ptr  the program: its inherited pipe fds, then reads of stdin
 *                and writes to stdout with captured data, EOF, exit
 * Reads pair 1:1 with writes (same size, same captured bytes), so a reader
 * that matches flows by pipe inode finds every byte accounted for.  Write
 * sizes are a mix of text lines (8-160 bytes), 4 KiB and 64 KiB blocks.
 * Timestamps increase across the whole directory.  Every record is
 * PT_DONE.  Besides the types the version-1 recorder writes, the trace holds
 * exit, wait and inherited-fd records (types whose layout format.h fixes).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

#include "pipetrace/format.h"
#include "test/tracebuild/tracebuild.h"

#define ROOT_PID 1000
#define SHELL_EXE "/usr/bin/dash"
#define PIPE_DEV_MINOR 14 /* pipefs is an anonymous device: major 0 */
#define READ_ASK 65536    /* bytes a reader asks for */
#define TEXT_SIZE (1 << 16)
#define MAX_STAGES 4

/* --- small helpers --------------------------------------------------------- */

static void die(const char *what) {
    fprintf(stderr, "gentrace: %s: %s\n", what, strerror(errno));
    exit(1);
}

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rnd(void) {
    /* xorshift64 */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t rnd_range(uint64_t lo, uint64_t hi) {
    return lo + rnd() % (hi - lo + 1);
}

/* The trace clock: every call advances it by a little. */
static uint64_t clock_ns = 1000000000000ull; /* 1000 s after boot */
static const uint64_t real_minus_mono = 1700000000000000000ull - 1000000000000ull;

static uint64_t tick(void) {
    clock_ns += rnd_range(200, 3000);
    return clock_ns;
}

/* Text the "programs" send each other: compiler-like output lines. */
static char text[TEXT_SIZE + 70000];

static void make_text(void) {
    static const char *words[] = {
        "src/",   "main",   ".c:",      "warning:", "unused",  "variable", "int",
        "return", "error:", "note:",    "include/", "util",    ".h",       "line",
        "from",   "in",     "function", "'parse'",  "'count'", "expected", "';'",
    };
    size_t nwords = sizeof words / sizeof words[0];
    size_t pos = 0;
    while (pos < sizeof text - 64) {
        int n = snprintf(text + pos, 64, "%s%s%u ", words[rnd() % nwords], words[rnd() % nwords],
                         (unsigned)(rnd() % 1000));
        pos += (size_t)n;
        if (rnd() % 6 == 0)
            text[pos++] = '\n';
    }
}

/* --- trace files ------------------------------------------------------------ */

/* One image's file, written through test/tracebuild as it is generated. */
struct image {
    struct ptb_file file;
    int pid;
};

static const char *out_dir;
static uint32_t data_limit = 64;
static uint64_t events_written;
static uint64_t bytes_written;
static uint64_t images_written;
static uint8_t boot_id[16];

/* Creates <dir>/<pid>.<image_no>.ptr with its header and string area. */
static void image_open(struct image *im, int pid, int image_no, int ppid, uint32_t flags,
                       const char *exe, const char *const *argv) {
    char path[4096];
    if (ptb_file_name(path, sizeof path, out_dir, pid, (unsigned)image_no) != 0) {
        errno = ENAMETOOLONG;
        die(out_dir);
    }
    FILE *f = fopen(path, "wbx");
    if (f == NULL)
        die(path);
    setvbuf(f, NULL, _IOFBF, 1 << 16);
    im->pid = pid;

    struct ptb_image desc = {
        .pid = pid, .ppid = ppid, .start_ns = tick(), .exe = exe, .argv = argv};
    if (ptb_begin(&im->file, f, &desc) != 0)
        die(path);
    struct pt_file_header *h = &im->file.hdr;
    h->flags = flags;
    h->data_limit = data_limit;
    h->start_real_ns = h->start_mono_ns + real_minus_mono;
    memcpy(h->boot_id, boot_id, sizeof boot_id);
    images_written++;
}

static void image_close(struct image *im) {
    int r = ptb_end(&im->file);
    if (r != 0) {
        errno = -r;
        die("writing a trace file");
    }
    if (fclose(im->file.out) != 0)
        die("writing a trace file");
    bytes_written += im->file.off;
}

/* A record about fd with the common fields filled in; the call takes from
 * now to a little later. */
static struct pt_record record(const struct image *im, uint8_t type, int fd) {
    uint64_t start = tick();
    struct pt_record r = ptb_record(type, im->pid, fd, start);
    r.t_end = tick();
    return r;
}

static void emit(struct image *im, struct pt_record *r, const void *payload, uint32_t len) {
    ptb_add(&im->file, *r, payload, len);
    events_written++;
}

/* --- the simulated programs ---------------------------------------------- */

struct pipe_sim {
    int fds[2]; /* in the shell */
    uint64_t ino;
    uint64_t pos; /* bytes sent so far (selects the captured text) */
};

static void set_pipe_obj(struct pt_record *r, const struct pipe_sim *p, uint8_t dir_flag) {
    r->obj_kind = PT_OBJ_PIPE;
    r->fd_flags = PT_FDF_KNOWN | dir_flag;
    r->obj_ino = p->ino;
    r->obj_dev = (uint32_t)makedev(0, PIPE_DEV_MINOR);
}

static uint64_t write_size(void) {
    uint64_t x = rnd() % 100;
    if (x < 70)
        return rnd_range(8, 160);
    if (x < 95)
        return 4096;
    return 65536;
}

/* One write by `writer` and the matching read by `reader`. */
static void transfer(struct image *writer, struct image *reader, struct pipe_sim *p) {
    uint64_t n = write_size();
    uint32_t cap = n < data_limit ? (uint32_t)n : data_limit;
    const char *data = text + p->pos % TEXT_SIZE;
    uint8_t cut = cap < n ? PT_FDF_DATA_CUT : 0;

    struct pt_record w = record(writer, PT_EV_WRITE, 1);
    set_pipe_obj(&w, p, PT_FDF_WRONLY);
    w.fd_flags |= cut;
    w.arg = n;
    w.result = (int64_t)n;
    emit(writer, &w, data, cap);

    struct pt_record r = record(reader, PT_EV_READ, 0);
    set_pipe_obj(&r, p, PT_FDF_RDONLY);
    r.fd_flags |= cut;
    r.arg = READ_ASK;
    r.result = (int64_t)n;
    emit(reader, &r, data, cap);

    p->pos += n;
}

static void simple_event(struct image *im, uint8_t type, int fd, int64_t result, uint64_t arg) {
    struct pt_record r = record(im, type, fd);
    r.result = result;
    r.arg = arg;
    emit(im, &r, NULL, 0);
}

static const char *const shell_argv[] = {"sh", "-c", "build.sh", NULL};
static const char *const programs[][4] = {
    {"/usr/bin/cat", "cat", "log.txt", NULL}, {"/usr/bin/grep", "grep", "warning", NULL},
    {"/usr/bin/sort", "sort", NULL, NULL},    {"/usr/bin/uniq", "uniq", "-c", NULL},
    {"/usr/bin/sed", "sed", "s/x/y/", NULL},  {"/usr/bin/gzip", "gzip", "-c", NULL},
};

static int next_pid = ROOT_PID + 1;
static uint64_t next_ino = 400000;

/* Runs one pipeline of k stages; pairs[j] transfers go through pipe j. */
static void run_pipeline(struct image *shell, int k, const uint64_t *pairs) {
    struct pipe_sim pipes[MAX_STAGES - 1];
    struct image fork_img[MAX_STAGES], prog[MAX_STAGES];
    int pids[MAX_STAGES];
    const char *const *argv[MAX_STAGES];

    /* The shell creates the pipes and forks the stages. */
    for (int j = 0; j < k - 1; j++) {
        struct pipe_sim *p = &pipes[j];
        p->fds[0] = 3 + 2 * j;
        p->fds[1] = 4 + 2 * j;
        p->ino = next_ino++;
        p->pos = rnd() % TEXT_SIZE;
        struct pt_pipe_payload pp;
        memset(&pp, 0, sizeof pp);
        pp.fds[0] = p->fds[0];
        pp.fds[1] = p->fds[1];
        pp.ino[0] = pp.ino[1] = p->ino;
        struct pt_record r = record(shell, PT_EV_PIPE, p->fds[0]);
        r.obj_kind = PT_OBJ_PIPE;
        r.obj_ino = p->ino;
        r.obj_dev = (uint32_t)makedev(0, PIPE_DEV_MINOR);
        emit(shell, &r, &pp, sizeof pp);
    }
    for (int s = 0; s < k; s++) {
        pids[s] = next_pid++;
        argv[s] = programs[rnd() % (sizeof programs / sizeof programs[0])];
        simple_event(shell, PT_EV_FORK, -1, pids[s], 0);
        image_open(&fork_img[s], pids[s], 0, ROOT_PID, PT_HDR_FORK_CHILD, SHELL_EXE, shell_argv);
    }

    /* Each fork child moves its pipe ends onto 0/1, closes the rest, and
     * execs the program: the program's image is <pid>.1. */
    for (int s = 0; s < k; s++) {
        struct image *im = &fork_img[s];
        if (s > 0) {
            struct pt_record r = record(im, PT_EV_DUP2, pipes[s - 1].fds[0]);
            set_pipe_obj(&r, &pipes[s - 1], PT_FDF_RDONLY);
            r.arg = 0;
            r.result = 0;
            emit(im, &r, NULL, 0);
        }
        if (s < k - 1) {
            struct pt_record r = record(im, PT_EV_DUP2, pipes[s].fds[1]);
            set_pipe_obj(&r, &pipes[s], PT_FDF_WRONLY);
            r.arg = 1;
            r.result = 1;
            emit(im, &r, NULL, 0);
        }
        for (int j = 0; j < k - 1; j++) {
            for (int end = 0; end < 2; end++) {
                struct pt_record r = record(im, PT_EV_CLOSE, pipes[j].fds[end]);
                set_pipe_obj(&r, &pipes[j], end == 0 ? PT_FDF_RDONLY : PT_FDF_WRONLY);
                emit(im, &r, NULL, 0);
            }
        }
        image_close(im);

        image_open(&prog[s], pids[s], 1, ROOT_PID, 0, argv[s][0], argv[s] + 1);
        if (s > 0) {
            struct pt_record in = record(&prog[s], PT_EV_INHERITED_FD, 0);
            set_pipe_obj(&in, &pipes[s - 1], PT_FDF_RDONLY);
            emit(&prog[s], &in, NULL, 0);
        }
        if (s < k - 1) {
            struct pt_record out = record(&prog[s], PT_EV_INHERITED_FD, 1);
            set_pipe_obj(&out, &pipes[s], PT_FDF_WRONLY);
            emit(&prog[s], &out, NULL, 0);
        }
    }

    /* The shell closes its copies of the pipe ends. */
    for (int j = 0; j < k - 1; j++) {
        for (int end = 0; end < 2; end++) {
            struct pt_record r = record(shell, PT_EV_CLOSE, pipes[j].fds[end]);
            set_pipe_obj(&r, &pipes[j], end == 0 ? PT_FDF_RDONLY : PT_FDF_WRONLY);
            emit(shell, &r, NULL, 0);
        }
    }

    /* Data flows down the pipeline, interleaved in time. */
    uint64_t most = 0;
    for (int j = 0; j < k - 1; j++)
        most = pairs[j] > most ? pairs[j] : most;
    for (uint64_t i = 0; i < most; i++) {
        for (int j = 0; j < k - 1; j++) {
            if (i < pairs[j])
                transfer(&prog[j], &prog[j + 1], &pipes[j]);
        }
    }

    /* Stages exit in order; each exit gives the next stage its EOF. */
    for (int s = 0; s < k; s++) {
        if (s > 0) {
            struct pt_record r = record(&prog[s], PT_EV_READ, 0);
            set_pipe_obj(&r, &pipes[s - 1], PT_FDF_RDONLY);
            r.arg = READ_ASK;
            r.result = 0;
            emit(&prog[s], &r, NULL, 0);
        }
        simple_event(&prog[s], PT_EV_EXIT, -1, 0, 0);
        image_close(&prog[s]);
    }
    for (int s = 0; s < k; s++)
        simple_event(shell, PT_EV_WAIT, -1, pids[s], 0);
}

/* Events run_pipeline() writes for k stages, besides 2 per transfer. */
static uint64_t pipeline_overhead(int k) {
    uint64_t pipes = (uint64_t)k - 1;
    uint64_t shell = pipes + k + 2 * pipes + k; /* pipe, fork, close, wait */
    uint64_t forks = 2 * pipes + k * 2 * pipes; /* dup2, close */
    uint64_t progs = 2 * pipes + pipes + k;     /* inherited, EOF, exit */
    return shell + forks + progs;
}

/* --- command line ------------------------------------------------------------ */

static void usage(FILE *f) {
    fprintf(f, "usage: gentrace --out=DIR --events=N [--procs=N] [--data=N|full] "
               "[--seed=N]\n"
               "  --out=DIR     trace directory to create (must not hold traces)\n"
               "  --events=N    exact number of records to write\n"
               "  --procs=N     about this many processes (default N/5000, at\n"
               "                least 3)\n"
               "  --data=N|full bytes captured per call (default 64)\n"
               "  --seed=N      random seed (default 1)\n");
}

static uint64_t parse_num(const char *opt, const char *s) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0') {
        fprintf(stderr, "gentrace: bad value for %s: '%s'\n", opt, s);
        exit(2);
    }
    return v;
}

static const char *option_value(const char *arg, const char *name) {
    size_t len = strlen(name);
    if (strncmp(arg, name, len) == 0 && arg[len] == '=')
        return arg + len + 1;
    return NULL;
}

int main(int argc, char **argv) {
    uint64_t events = 0, procs = 0, seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = option_value(argv[i], "--out")) != NULL)
            out_dir = v;
        else if ((v = option_value(argv[i], "--events")) != NULL)
            events = parse_num("--events", v);
        else if ((v = option_value(argv[i], "--procs")) != NULL)
            procs = parse_num("--procs", v);
        else if ((v = option_value(argv[i], "--seed")) != NULL)
            seed = parse_num("--seed", v);
        else if ((v = option_value(argv[i], "--data")) != NULL)
            data_limit = strcmp(v, "full") == 0 ? UINT32_MAX : (uint32_t)parse_num("--data", v);
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "gentrace: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (out_dir == NULL || events == 0) {
        usage(stderr);
        return 2;
    }
    if (procs == 0)
        procs = events / 5000;
    if (procs < 3)
        procs = 3;
    rng_state ^= seed * 0x9E3779B97F4A7C15ull;
    if (rng_state == 0)
        rng_state = 1;
    for (size_t i = 0; i < sizeof boot_id; i++)
        boot_id[i] = (uint8_t)rnd();
    make_text();

    /* Plan: pipelines of 2, 3, 4, 2, 3, 4... stages until about `procs`
     * processes; fewer if N is too small to hold their fixed events.  What
     * is left after the fixed events is spread over the pipes as write+read
     * pairs; an odd one out becomes a failed close() in the shell. */
    uint64_t fixed_root = 1; /* the shell's exit */
    uint64_t n_pipelines = (procs - 1) / 3 > 0 ? (procs - 1) / 3 : 1;
    uint64_t overhead, n_pipes;
    for (;;) {
        overhead = fixed_root;
        n_pipes = 0;
        for (uint64_t i = 0; i < n_pipelines; i++) {
            overhead += pipeline_overhead(2 + (int)(i % 3));
            n_pipes += 1 + i % 3;
        }
        if (overhead <= events || n_pipelines == 1)
            break;
        n_pipelines /= 2;
    }
    if (overhead > events) {
        fprintf(stderr, "gentrace: --events must be at least %llu\n", (unsigned long long)overhead);
        return 2;
    }
    uint64_t spare = events - overhead;
    uint64_t pairs_total = spare / 2;
    uint64_t fillers = spare % 2;
    uint64_t per_pipe = pairs_total / n_pipes;
    uint64_t extra = pairs_total % n_pipes; /* first `extra` pipes get +1 */

    if (mkdir(out_dir, 0777) != 0 && errno != EEXIST)
        die(out_dir);

    struct image shell;
    image_open(&shell, ROOT_PID, 0, ROOT_PID - 1, 0, SHELL_EXE, shell_argv);
    uint64_t pipe_index = 0;
    for (uint64_t i = 0; i < n_pipelines; i++) {
        int k = 2 + (int)(i % 3);
        uint64_t pairs[MAX_STAGES - 1];
        for (int j = 0; j < k - 1; j++, pipe_index++)
            pairs[j] = per_pipe + (pipe_index < extra ? 1 : 0);
        run_pipeline(&shell, k, pairs);
    }
    for (uint64_t i = 0; i < fillers; i++)
        simple_event(&shell, PT_EV_CLOSE, 9, -EBADF, 0);
    simple_event(&shell, PT_EV_EXIT, -1, 0, 0);
    image_close(&shell);

    if (events_written != events) {
        fprintf(stderr, "gentrace: internal error: wrote %llu of %llu events\n",
                (unsigned long long)events_written, (unsigned long long)events);
        return 1;
    }
    printf("events=%llu processes=%d images=%llu pipes=%llu bytes=%llu dir=%s\n",
           (unsigned long long)events_written, next_pid - ROOT_PID,
           (unsigned long long)images_written, (unsigned long long)n_pipes,
           (unsigned long long)bytes_written, out_dir);
    return 0;
}
