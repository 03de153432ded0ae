/* PIPETRACE_INJECT's grammar (inject_spec.h), parsed without allocation:
 * it runs in the preload's constructor, before the program's main. */
#include "inject_spec.h"

#include <string.h>

#include "pipetrace/format.h"

struct name_bits {
    const char *name;
    uint64_t bits;
};

#define BIT(n) ((uint64_t)1 << (n))

static const struct name_bits call_names[] = {
    {"read", BIT(PT_EV_READ) | BIT(PT_EV_READ_CHK)},
    {"write", BIT(PT_EV_WRITE)},
    {"readv", BIT(PT_EV_READV)},
    {"writev", BIT(PT_EV_WRITEV)},
    {"send", BIT(PT_EV_SEND)},
    {"recv", BIT(PT_EV_RECV)},
    {"sendmsg", BIT(PT_EV_SENDMSG)},
    {"recvmsg", BIT(PT_EV_RECVMSG)},
    {"stdio_read", BIT(PT_EV_STDIO_READ)},
    {"stdio_write", BIT(PT_EV_STDIO_WRITE)},
    {"stdio", BIT(PT_EV_STDIO_READ) | BIT(PT_EV_STDIO_WRITE)},
    {NULL, 0},
};

static const struct name_bits kind_names[] = {
    {"pipe", BIT(PT_OBJ_PIPE)},
    {"fifo", BIT(PT_OBJ_FIFO)},
    {"socket", BIT(PT_OBJ_SOCKET)},
    {NULL, 0},
};

static const char *const fault_names[] = {"", "short", "eintr", "eagain", "epipe", "delay"};

const char *pt_fault_name(int fault) {
    if (fault < 0 || fault > PT_FAULT_DELAY)
        return "";
    return fault_names[fault];
}

/* A view of part of the spec string. */
struct span {
    const char *s;
    int len;
};

static int span_is(struct span sp, const char *word) {
    return (int)strlen(word) == sp.len && memcmp(sp.s, word, (size_t)sp.len) == 0;
}

static int parse_u64(struct span sp, uint64_t *out) {
    int base = 10, i = 0;
    if (sp.len > 2 && sp.s[0] == '0' && (sp.s[1] == 'x' || sp.s[1] == 'X'))
        base = 16, i = 2;
    if (i >= sp.len)
        return 0;
    uint64_t v = 0;
    for (; i < sp.len; i++) {
        char ch = sp.s[i];
        int d = ch >= '0' && ch <= '9'   ? ch - '0'
                : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                         : 99;
        if (d >= base || v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return 0;
        v = v * (uint64_t)base + (uint64_t)d;
    }
    *out = v;
    return 1;
}

/* "10ms", "500us", "1s", "2000ns": a duration in nanoseconds, at most an
 * hour (a delay, not a hang). */
static int parse_duration(struct span sp, uint64_t *ns) {
    static const struct {
        const char *unit;
        uint64_t ns;
    } units[] = {{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000}};
    int digits = 0;
    while (digits < sp.len && sp.s[digits] >= '0' && sp.s[digits] <= '9')
        digits++;
    struct span number = {sp.s, digits}, unit = {sp.s + digits, sp.len - digits};
    uint64_t n;
    if (!digits || !parse_u64(number, &n))
        return 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (span_is(unit, units[i].unit)) {
            if (n > 3600000000000ull / units[i].ns)
                return 0;
            *ns = n * units[i].ns;
            return 1;
        }
    return 0;
}

/* "0.25", "1", ".5": a probability as a 32-bit threshold (1 = always). */
static int parse_probability(struct span sp, uint32_t *threshold) {
    uint64_t whole = 0, frac = 0, scale = 1;
    int i = 0, digits = 0;
    for (; i < sp.len && sp.s[i] >= '0' && sp.s[i] <= '9'; i++, digits++)
        whole = whole * 10 + (uint64_t)(sp.s[i] - '0');
    if (i < sp.len && sp.s[i] == '.')
        for (i++; i < sp.len && sp.s[i] >= '0' && sp.s[i] <= '9'; i++, digits++)
            if (scale < 1000000000ull)
                frac = frac * 10 + (uint64_t)(sp.s[i] - '0'), scale *= 10;
    if (i != sp.len || !digits || whole > 1 || (whole == 1 && frac))
        return 0;
    uint64_t t = whole ? UINT32_MAX : (frac << 32) / scale;
    *threshold = t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
    return 1;
}

/* "read+write": the union of the names' bits. */
static int parse_names(struct span sp, const struct name_bits *names, uint64_t *out) {
    uint64_t bits = 0;
    int start = 0;
    for (int i = 0; i <= sp.len; i++) {
        if (i < sp.len && sp.s[i] != '+')
            continue;
        struct span word = {sp.s + start, i - start};
        const struct name_bits *n = names;
        while (n->name && !span_is(word, n->name))
            n++;
        if (!n->name)
            return 0;
        bits |= n->bits;
        start = i + 1;
    }
    *out = bits;
    return 1;
}

/* WHAT: a fault's name, or delay=DURATION (its sleep in *delay_ns). */
static int parse_fault(struct span sp, uint64_t *delay_ns) {
    static const char delay[] = "delay=";
    int prefix = (int)sizeof delay - 1;
    if (sp.len > prefix && memcmp(sp.s, delay, (size_t)prefix) == 0)
        return parse_duration((struct span){sp.s + prefix, sp.len - prefix}, delay_ns)
                   ? PT_FAULT_DELAY
                   : PT_FAULT_NONE;
    for (int f = PT_FAULT_SHORT; f <= PT_FAULT_EPIPE; f++)
        if (span_is(sp, fault_names[f]))
            return f;
    return PT_FAULT_NONE;
}

static void set_defaults(struct pt_inject_spec *spec, int fault) {
    memset(spec, 0, sizeof *spec);
    spec->fault = (uint8_t)fault;
    spec->freq = PT_FREQ_DEFAULT;
    /* stdio only when named: it cannot retry an EINTR or EAGAIN (glibc sets
     * the FILE's error flag and drops the buffer), so by default these
     * would fail every stdio program in a way only a signal handler
     * installed without SA_RESTART can make real. */
    static const char all_calls[] = "read+write+readv+writev+send+recv+sendmsg+recvmsg";
    parse_names((struct span){all_calls, (int)sizeof all_calls - 1}, call_names, &spec->types);
    spec->kinds = (uint8_t)(BIT(PT_OBJ_PIPE) | BIT(PT_OBJ_FIFO) | BIT(PT_OBJ_SOCKET));
}

static int fail(const char **error, const char *message) {
    *error = message;
    return 0;
}

static int fail_at(int *where, int offset, const char **error, const char *message) {
    *where = offset;
    return fail(error, message);
}

/* One KEY=VALUE; 0 with *error set when it is not understood. */
static int parse_option(struct pt_inject_spec *spec, struct span key, struct span value,
                        const char **error) {
    uint64_t n = 0;
    if (span_is(key, "calls")) {
        if (!parse_names(value, call_names, &spec->types))
            return fail(error, "unknown call in calls= (read, write, readv, writev, send, recv, "
                               "sendmsg, recvmsg, stdio_read, stdio_write, stdio)");
    } else if (span_is(key, "fds")) {
        if (!parse_names(value, kind_names, &n))
            return fail(error, "unknown fd kind in fds= (pipe, fifo, socket)");
        spec->kinds = (uint8_t)n;
    } else if (span_is(key, "ino")) {
        if (!parse_u64(value, &spec->ino) || !spec->ino)
            return fail(error, "ino= wants an inode number");
    } else if (span_is(key, "pid")) {
        if (!parse_u64(value, &n) || !n || n > INT32_MAX)
            return fail(error, "pid= wants a process id");
        spec->pid = (int32_t)n;
    } else if (span_is(key, "exe")) {
        if (value.len <= 0 || value.len >= PT_INJECT_EXE_MAX)
            return fail(error, "exe= wants a program name (at most 63 bytes)");
        memcpy(spec->exe, value.s, (size_t)value.len);
        spec->exe[value.len] = '\0';
    } else if (span_is(key, "argv")) {
        if (value.len <= 0 || value.len >= PT_INJECT_EXE_MAX)
            return fail(error, "argv= wants a word of the command line (at most 63 bytes)");
        memcpy(spec->argv, value.s, (size_t)value.len);
        spec->argv[value.len] = '\0';
    } else if (span_is(key, "every") || span_is(key, "nth")) {
        if (!parse_u64(value, &spec->n) || !spec->n)
            return fail(error, "every= and nth= want a count of 1 or more");
        spec->freq = span_is(key, "every") ? PT_FREQ_EVERY : PT_FREQ_NTH;
    } else if (span_is(key, "p")) {
        if (!parse_probability(value, &spec->threshold))
            return fail(error, "p= wants a probability between 0 and 1 (p=0.1)");
        spec->freq = PT_FREQ_P;
    } else {
        return fail(error, "unknown option (calls, fds, ino, pid, exe, argv, every, nth, p)");
    }
    return 1;
}

/* One SPEC, text[0..len). */
static int parse_one(const char *text, int len, struct pt_inject_spec *spec, const char **error,
                     int *where) {
    int i = 0;
    while (i < len && text[i] != ':')
        i++;
    uint64_t delay_ns = 0;
    int fault = parse_fault((struct span){text, i}, &delay_ns);
    if (!fault)
        return fail_at(where, 0, error,
                       "unknown fault (short, eintr, eagain, epipe, delay=DURATION with ns, us, "
                       "ms or s, at most 1 hour)");
    set_defaults(spec, fault);
    spec->delay_ns = delay_ns;
    while (i < len) {
        int start = ++i, eq = -1;
        while (i < len && text[i] != ':') {
            if (text[i] == '=' && eq < 0)
                eq = i;
            i++;
        }
        if (eq < 0)
            return fail_at(where, start, error, "option without a value (KEY=VALUE)");
        struct span key = {text + start, eq - start}, value = {text + eq + 1, i - eq - 1};
        if (!parse_option(spec, key, value, error))
            return fail_at(where, start, error, *error);
    }
    if (!spec->types || !spec->kinds)
        return fail_at(where, 0, error, "no call or fd kind left to inject into");
    return 1;
}

int pt_inject_parse(const char *text, struct pt_inject_spec *specs, int max, const char **error,
                    int *where) {
    int count = 0, start = 0;
    for (int i = 0;; i++) {
        if (text[i] != ',' && text[i] != '\0')
            continue;
        if (i == start) {
            *error = "empty spec", *where = start;
            return -1;
        }
        if (count == max) {
            *error = "too many specs (at most 8)", *where = start;
            return -1;
        }
        int at = 0;
        if (!parse_one(text + start, i - start, &specs[count], error, &at)) {
            *where = start + at;
            return -1;
        }
        count++;
        if (text[i] == '\0')
            return count;
        start = i + 1;
    }
}

int pt_inject_parse_seed(const char *text, uint64_t *seed) {
    *seed = 0;
    if (!text || !*text)
        return 0;
    return parse_u64((struct span){text, (int)strlen(text)}, seed);
}
