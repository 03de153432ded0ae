/* Fault injection's configuration: PIPETRACE_INJECT parsed into a fixed
 * table, once, at start-up (and by `pipetrace run --inject` to refuse a bad
 * spec before the command starts).  No allocation: the table is the
 * caller's.
 *
 *     SPEC[,SPEC...]           SPEC = WHAT[:KEY=VALUE]...
 *     WHAT   short | eintr | eagain | epipe | delay=DURATION
 *            (DURATION: a whole number with ns, us, ms or s: delay=10ms)
 *     calls= read+write+readv+writev+send+recv+sendmsg+recvmsg (the default),
 *            stdio_read, stdio_write, stdio (both): a FILE's refills and
 *            flushes, only when named
 *     fds=   pipe+fifo+socket (default all three)
 *     ino=N  only the pipe, FIFO or socket with that inode
 *     pid=N  only that process;  exe=NAME  only images whose argv[0] ends
 *            in NAME;  argv=WORD  only images with an argument (argv[0]
 *            included) that is WORD, or a path ending in /WORD
 *     every=N  the N-th, 2N-th, ... matching call;  nth=N  the N-th only;
 *     p=0.25   each matching call with that probability (seeded, replayable)
 *     default frequency: calls 1, 3, 5, ... (every other, from the first) */
#ifndef PIPETRACE_PRELOAD_INJECT_SPEC_H
#define PIPETRACE_PRELOAD_INJECT_SPEC_H

#include <stdint.h>

#define PT_INJECT_SPECS_MAX 8
#define PT_INJECT_EXE_MAX 64

/* What a spec does to a call it hits. */
enum pt_fault {
    PT_FAULT_NONE = 0,
    PT_FAULT_SHORT = 1,  /* the real call, asked for 1..n-1 bytes */
    PT_FAULT_EINTR = 2,  /* -1/EINTR, nothing done */
    PT_FAULT_EAGAIN = 3, /* -1/EAGAIN, on a non-blocking fd only */
    PT_FAULT_EPIPE = 4,  /* a real SIGPIPE (unless MSG_NOSIGNAL), then -1/EPIPE;
                            on writes only */
    PT_FAULT_DELAY = 5,  /* a sleep of delay_ns, then the real call as asked */
};

enum pt_inject_freq { PT_FREQ_DEFAULT = 0, PT_FREQ_EVERY, PT_FREQ_NTH, PT_FREQ_P };

struct pt_inject_spec {
    uint8_t fault;                /* PT_FAULT_* */
    uint8_t freq;                 /* PT_FREQ_* */
    uint8_t kinds;                /* bit per PT_OBJ_* kind the spec aims at */
    uint64_t types;               /* bit per PT_EV_* I/O type the spec aims at */
    uint64_t n;                   /* every=N / nth=N */
    uint64_t delay_ns;            /* PT_FAULT_DELAY's sleep */
    uint32_t threshold;           /* p: a hit when a 32-bit draw is below it */
    uint64_t ino;                 /* 0: any object */
    int32_t pid;                  /* 0: any process */
    char exe[PT_INJECT_EXE_MAX];  /* "" : any image */
    char argv[PT_INJECT_EXE_MAX]; /* "" : any image; else a word of its argv */
};

/* Parses text into specs[0..max); returns how many, or -1 with *error
 * (a static string) and *where (offset into text) set. */
int pt_inject_parse(const char *text, struct pt_inject_spec *specs, int max, const char **error,
                    int *where);

/* The seed as given (decimal or 0x hex); 0 for none or a bad one.
 * Returns 0 when text is not a number. */
int pt_inject_parse_seed(const char *text, uint64_t *seed);

/* The fault's name as dump shows it ("short", "eintr", ...); "" for none. */
const char *pt_fault_name(int fault);

#endif /* PIPETRACE_PRELOAD_INJECT_SPEC_H */
