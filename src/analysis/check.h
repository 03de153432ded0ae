/* The detectors of `pipetrace check`.  Some watch the event stream while
 * the model is built (ebadf, eagain-spin, interleaved-write, epipe), the
 * others look at the model when the trace has ended (blocked-read,
 * pipe-deadlock, epipe by SIGPIPE, leaked-fd).
 *
 *     pt_check_attach(&c, &model, &problems);
 *     pt_model_build(&model);
 *     pt_check_finish(&c);
 *     pt_check_free(&c); */
#ifndef PIPETRACE_ANALYSIS_CHECK_H
#define PIPETRACE_ANALYSIS_CHECK_H

#include "model.h"
#include "problems.h"
#include "procname.h" /* pt_short_exe: names for messages */

#ifdef __cplusplus
extern "C" {
#endif

/* Tunables, with the reasons for their values in check_stream.c. */
#define PT_SPIN_MIN_EAGAIN 3       /* EAGAINs in a row that make a spin */
#define PT_SPIN_MAX_GAP_NS 1000000 /* at most this far apart */
#define PT_SPIN_WAIT_NS 100000     /* a call this long between them waited */
#define PT_PIPE_BUF 4096

struct pt_check_image;    /* per image state (check_stream.c) */
struct pt_check_pipe;     /* per pipe state */
struct pt_check_ebadf;    /* per image closes (check_ebadf.c) */
struct pt_check_eagain;   /* per image EAGAIN runs (check_eagain.c) */
struct pt_check_lost;     /* unfinished writes, failed reads (check_lost.c) */
struct pt_check_stolen;   /* who read each pipe, when (check_stolen.c) */
struct pt_check_nonblock; /* O_NONBLOCK on shared ends (check_nonblock.c) */
struct pt_check_eintr;    /* last call after an injected EINTR (check_eintr.c) */
struct pt_check_split;    /* readers after an injected short read (check_split.c) */

struct pt_check_epipe {
    size_t image;
    struct pt_record rec; /* a copy: its file may be unmapped by the end */
};

struct pt_check {
    struct pt_model *model;
    struct pt_problems *out;
    struct pt_check_image *images; /* one per image */
    struct pt_check_pipe *pipes;   /* by pipe id - 1 */
    size_t npipes;
    struct pt_check_ebadf *ebadf;       /* one per image */
    struct pt_check_eagain *eagain;     /* one per image */
    struct pt_check_lost *lost;         /* lost-data (check_lost.c) */
    struct pt_check_stolen *stolen;     /* stolen-input (check_stolen.c) */
    struct pt_check_nonblock *nonblock; /* shared-nonblock (check_nonblock.c) */
    struct pt_check_eintr *eintr;       /* eintr-unhandled (check_eintr.c) */
    struct pt_check_split *split;       /* short-read-unhandled (check_split.c) */
    struct pt_check_epipe *epipes;      /* failed writes, explained at the end */
    size_t nepipes;
};

/* 0 or -1 (out of memory). */
int pt_check_attach(struct pt_check *c, struct pt_model *m, struct pt_problems *out);
/* Runs the end-of-trace detectors on the built model. */
void pt_check_finish(struct pt_check *c);
void pt_check_free(struct pt_check *c);

/* waitfor_report.c: deadlocks and waits that can never end. */
void pt_waitfor_report(struct pt_check *c);

/* check_end.c, also for check_stream.c */
void pt_check_end_detectors(struct pt_check *c);

/* check_ebadf.c: the closes of each image, and the calls that met a
 * closed fd; attach 0 or -1 (out of memory). */
int pt_check_ebadf_attach(struct pt_check *c);
void pt_check_ebadf_observe(struct pt_check *c, struct pt_image *img, const struct pt_record *r);
void pt_check_ebadf_free(struct pt_check *c);

/* check_eagain.c: EAGAIN runs while streaming, reported at the end. */
int pt_check_eagain_attach(struct pt_check *c);
void pt_check_eagain_observe(struct pt_check *c, struct pt_image *img, const struct pt_record *r);
void pt_check_eagain_finish(struct pt_check *c);
void pt_check_eagain_free(struct pt_check *c);

/* check_lost.c: writes whose rest was never written, reads that ended
 * on an error, failed stdio flushes; judged at the end. */
int pt_check_lost_attach(struct pt_check *c);
void pt_check_lost_observe(struct pt_check *c, struct pt_image *img, const struct pt_record *r);
void pt_check_lost_finish(struct pt_check *c);
void pt_check_lost_free(struct pt_check *c);

/* check_stolen.c: the reads of each pipe by process, judged at the end. */
int pt_check_stolen_attach(struct pt_check *c);
void pt_check_stolen_observe(struct pt_check *c, struct pt_image *img, const struct pt_record *r);
void pt_check_stolen_finish(struct pt_check *c);
void pt_check_stolen_free(struct pt_check *c);

/* check_nonblock.c: O_NONBLOCK turned on for an end others share, and
 * their EAGAINs, judged at the end. */
int pt_check_nonblock_attach(struct pt_check *c);
void pt_check_nonblock_observe(struct pt_check *c, struct pt_image *img, const struct pt_record *r);
void pt_check_nonblock_finish(struct pt_check *c);
/* The process whose O_NONBLOCK made pid's call on r's pipe fail with
 * EAGAIN, when another one did; else 0. */
int32_t pt_check_nonblock_setter(const struct pt_check *c, int32_t pid, const struct pt_record *r);
void pt_check_nonblock_free(struct pt_check *c);

/* check_eintr.c: an injected EINTR after which the thread never called on
 * that fd again, judged at the end. */
int pt_check_eintr_attach(struct pt_check *c);
void pt_check_eintr_observe(struct pt_check *c, struct pt_image *img, const struct pt_record *r);
void pt_check_eintr_finish(struct pt_check *c);
void pt_check_eintr_free(struct pt_check *c);

/* check_split.c: a reader taking each read for a whole message, after an
 * injected short read; attach 0 or -1 (out of memory). */
int pt_check_split_attach(struct pt_check *c);
void pt_check_split_observe(struct pt_check *c, struct pt_image *img, const struct pt_record *r);
void pt_check_split_finish(struct pt_check *c);
void pt_check_split_free(struct pt_check *c);

/* check_epipe.c: a write that failed with EPIPE, kept while streaming; a
 * write its process was killed in by SIGPIPE, found at the end; and the
 * judgement of both once the trace has ended. */
void pt_check_epipe_write(struct pt_check *c, const struct pt_image *img,
                          const struct pt_record *r);
void pt_check_epipe_killed(struct pt_check *c, struct pt_image *img, const struct pt_record *r);
void pt_check_epipes(struct pt_check *c);
/* check_stream.c: pid wrote to its fd 2 after t (seen only when stderr was
 * traced: a pipe, or --all-fds). */
int pt_check_wrote_stderr_after(const struct pt_check *c, int32_t pid, uint64_t t);

/* check_leaked.c: a leaked-fd problem for each leak. */
void pt_check_leaked(struct pt_check *c);

/* The first read of p that returned EOF, and its image; NULL if none. */
const struct pt_record *pt_check_eof_read(const struct pt_check *c, const struct pt_pipe *p,
                                          size_t *image);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_ANALYSIS_CHECK_H */
