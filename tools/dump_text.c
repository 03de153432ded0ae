/* The strace-like form of `pipetrace dump`. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/wait.h>

#include "dump.h"
#include "escape.h"
#include "trace/events.h"
#include "trace/names.h"
#include "trace/payload.h"

/* As strace -s 32: enough to recognise a message, short enough to scan. */
#define TEXT_DATA_MAX 32

/* --- the process header ------------------------------------------------- */

static void print_command_line(FILE *out, const struct pt_file *f) {
    for (uint32_t i = 0; i < f->argc; i++) {
        const char *arg = f->argv[i];
        if (i > 0)
            putc(' ', out);
        if (esc_is_plain_word(arg))
            fputs(arg, out);
        else
            esc_c_quoted(out, (const uint8_t *)arg, strlen(arg));
    }
}

static void print_data_limit(FILE *out, uint32_t limit) {
    if (limit == UINT32_MAX)
        fputs(" data=full", out);
    else
        fprintf(out, " data=%" PRIu32, limit);
}

static void print_stop(FILE *out, const struct pt_file_header *h) {
    const char *name = pt_errno_name(h->stop_errno);
    fputs("# tracing stopped in this process: ", out);
    if (name != NULL)
        fputs(name, out);
    else
        fprintf(out, "errno %" PRId32, h->stop_errno);
    fprintf(out, " (%" PRIu64 " events dropped)\n", h->dropped);
}

void dump_text_process(FILE *out, const struct pt_file *f) {
    const struct pt_file_header *h = f->hdr;
    char image[64];
    pt_file_image(f, image, sizeof image);
    fprintf(out, "# process %" PRId32 " image %s ppid %" PRId32 ": ", h->pid, image, h->ppid);
    print_command_line(out, f);
    fprintf(out, " (exe %s) stdio=%s", f->exe, dump_stdio_state(h->flags));
    print_data_limit(out, h->data_limit);
    if (h->flags & PT_HDR_FORK_CHILD)
        fputs(" fork-child", out);
    if (h->flags & PT_HDR_ALL_FDS)
        fputs(" all-fds", out);
    if (h->flags & PT_HDR_ARGV_TRUNCATED)
        fputs(" argv-truncated", out);
    putc('\n', out);
    if (h->flags & PT_HDR_STOPPED)
        print_stop(out, h);
}

/* --- arguments ---------------------------------------------------------- */

/* fd as strace -y shows it: 3<pipe:[88121]>, 1</dev/null>. */
static void print_fd(FILE *out, int32_t fd, unsigned kind, uint64_t ino, uint32_t dev) {
    char name[64];
    fprintf(out, "%" PRId32, fd);
    if (fd < 0 || kind == PT_OBJ_UNKNOWN)
        return;
    pt_object_name(kind, ino, dev, name, sizeof name);
    fprintf(out, "<%s>", name);
}

static void print_rec_fd(FILE *out, const struct pt_record *r) {
    print_fd(out, r->fd, r->obj_kind, r->obj_ino, r->obj_dev);
}

/* ", O_RDONLY|O_NONBLOCK" when the flags are known. */
static void print_fd_flags(FILE *out, unsigned fd_flags) {
    const char *names[8];
    size_t n = pt_fd_flag_names(fd_flags, names, 8);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%s", i ? "|" : ", ", names[i]);
}

static void print_data(FILE *out, const struct pt_event *ev) {
    size_t len = ev->rec->data_len;
    size_t shown = len < TEXT_DATA_MAX ? len : TEXT_DATA_MAX;
    esc_c_quoted(out, ev->payload, shown);
    if (shown < len || dump_data_cut(ev->rec))
        fputs("...", out);
}

static void print_flags(FILE *out, uint64_t flags, int with_access) {
    char buf[256];
    pt_format_open_flags(flags, with_access, buf, sizeof buf);
    fputs(buf, out);
}

static void args_io(FILE *out, const struct pt_event *ev) {
    const struct pt_record *r = ev->rec;
    print_rec_fd(out, r);
    fputs(", ", out);
    print_data(out, ev);
    fprintf(out, ", %" PRIu64, r->arg);
}

static void args_pipe(FILE *out, const struct pt_event *ev) {
    const struct pt_record *r = ev->rec;
    struct pt_pipe_payload p;
    unsigned kind = r->obj_kind != PT_OBJ_UNKNOWN ? r->obj_kind
                    : r->type == PT_EV_SOCKETPAIR ? PT_OBJ_SOCKET
                                                  : PT_OBJ_PIPE;
    if (pt_payload_pair(ev, &p)) {
        putc('[', out);
        print_fd(out, p.fds[0], kind, p.ino[0], r->obj_dev);
        fputs(", ", out);
        print_fd(out, p.fds[1], kind, p.ino[1], r->obj_dev);
        putc(']', out);
    } else {
        putc('?', out);
    }
    if (r->type == PT_EV_PIPE2) {
        fputs(", ", out);
        print_flags(out, r->arg, 0);
    }
}

static void args_dup(FILE *out, const struct pt_record *r) {
    print_rec_fd(out, r);
    if (r->type == PT_EV_DUP2)
        fprintf(out, ", %" PRIu64, r->arg);
    if (r->type == PT_EV_DUP3) {
        fprintf(out, ", %" PRIu32 ", ", (uint32_t)r->arg);
        print_flags(out, r->arg >> 32, 0);
    }
}

static void args_fcntl(FILE *out, const struct pt_record *r) {
    int cmd = (int)(uint32_t)r->arg;
    uint32_t value = (uint32_t)(r->arg >> 32);
    const char *name = pt_fcntl_cmd_name(cmd);
    print_rec_fd(out, r);
    if (name != NULL)
        fprintf(out, ", %s", name);
    else
        fprintf(out, ", %d", cmd);
    if (cmd == F_SETFL) {
        fputs(", ", out);
        print_flags(out, value, 0);
    } else if (cmd == F_SETFD) {
        fputs(value & FD_CLOEXEC ? ", FD_CLOEXEC" : ", 0", out);
    } else if (cmd != F_GETFD && cmd != F_GETFL && cmd != F_GETPIPE_SZ) {
        fprintf(out, ", %" PRIu32, value);
    }
}

/* The first payload string quoted, then any others as a list: exec's
 * path and argv, open's path. */
static void args_strings(FILE *out, const struct pt_event *ev, int with_list) {
    size_t pos = 0, len;
    const uint8_t *s;
    if (!pt_payload_next_string(ev, &pos, &s, &len)) {
        fputs("?", out);
        return;
    }
    esc_c_quoted(out, s, len);
    if (!with_list)
        return;
    fputs(", [", out);
    for (int i = 0; pt_payload_next_string(ev, &pos, &s, &len); i++) {
        fputs(i ? ", " : "", out);
        esc_c_quoted(out, s, len);
    }
    putc(']', out);
}

static void args_wait_status(FILE *out, uint64_t arg) {
    int status = (int)arg;
    const char *sig = pt_signal_name(WTERMSIG(status));
    if (WIFEXITED(status))
        fprintf(out, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}]", WEXITSTATUS(status));
    else if (WIFSIGNALED(status) && sig != NULL)
        fprintf(out, "[{WIFSIGNALED(s) && WTERMSIG(s) == %s}]", sig);
    else
        fprintf(out, "[%#x]", status);
}

static void args_module(FILE *out, const struct pt_event *ev) {
    struct pt_module_info m;
    if (!pt_payload_module(ev, &m)) {
        fprintf(out, "%#" PRIx64, ev->rec->arg);
        return;
    }
    fprintf(out, "%#" PRIx64 ", ", m.base);
    esc_c_quoted(out, m.path, m.path_len);
    fputs(", build_id=", out);
    for (size_t i = 0; i < m.build_id_len; i++)
        fprintf(out, "%02x", m.build_id[i]);
}

/* callsite(@OFFSET, 0xADDR "symbol"+0xOFF, module=0xBASE): where the call
 * of the record at file offset OFFSET was made. */
static void args_callsite(FILE *out, const struct pt_event *ev) {
    struct pt_callsite_info c;
    fprintf(out, "@%" PRIu64, ev->rec->arg);
    if (!pt_payload_callsite(ev, &c))
        return;
    fprintf(out, ", %#" PRIx64, c.addr);
    if (c.symbol_len > 0) {
        putc(' ', out);
        esc_c_quoted(out, c.symbol, c.symbol_len);
        fprintf(out, "+%#" PRIx64, c.addr - c.symbol_addr);
    }
    fprintf(out, ", module=%#" PRIx64, c.module_base);
}

static void args_untraced(FILE *out, const struct pt_event *ev) {
    const char *reason = pt_untraced_reason_name((unsigned)ev->rec->arg);
    args_strings(out, ev, 0);
    if (reason != NULL)
        fprintf(out, ", %s", reason);
    else
        fprintf(out, ", %" PRIu64, ev->rec->arg);
}

static void args_open(FILE *out, const struct pt_event *ev) {
    args_strings(out, ev, 0);
    fputs(", ", out);
    print_flags(out, ev->rec->arg, 1);
}

static void args_close_range(FILE *out, const struct pt_record *r) {
    fprintf(out, "%" PRId32 ", %" PRIu32 ", %#" PRIx32, r->fd, (uint32_t)r->arg,
            (uint32_t)(r->arg >> 32));
}

/* Types not known to this version still show what every record has. */
static void args_unknown(FILE *out, const struct pt_record *r) {
    print_rec_fd(out, r);
    fprintf(out, ", %" PRIu64, r->arg);
}

static void args_process(FILE *out, const struct pt_event *ev) {
    const struct pt_record *r = ev->rec;
    switch (r->type) {
    case PT_EV_FORK:
    case PT_EV_VFORK:
        break;
    case PT_EV_EXEC:
    case PT_EV_SPAWN:
        args_strings(out, ev, 1);
        break;
    case PT_EV_EXIT:
        fprintf(out, "%" PRIu64, r->arg);
        break;
    case PT_EV_WAIT:
        args_wait_status(out, r->arg);
        break;
    case PT_EV_UNTRACED_CHILD:
        args_untraced(out, ev);
        break;
    case PT_EV_POPEN:
        args_strings(out, ev, 0);
        fputs(", ", out);
        print_rec_fd(out, r);
        break;
    case PT_EV_SYSTEM:
        args_strings(out, ev, 0);
        break;
    }
}

static void args_meta(FILE *out, const struct pt_event *ev) {
    const struct pt_record *r = ev->rec;
    switch (r->type) {
    case PT_EV_INHERITED_FD:
        print_rec_fd(out, r);
        print_fd_flags(out, r->fd_flags);
        break;
    case PT_EV_CALLSITE:
        args_callsite(out, ev);
        break;
    case PT_EV_MODULE:
        args_module(out, ev);
        break;
    case PT_EV_COVERAGE:
        fprintf(out, "stdio=%s", dump_stdio_state((uint32_t)r->arg));
        break;
    }
}

static void print_args(FILE *out, const struct pt_event *ev) {
    const struct pt_record *r = ev->rec;
    switch (r->type) {
    case PT_EV_READ ... PT_EV_STDIO_WRITE:
        args_io(out, ev);
        break;
    case PT_EV_PIPE:
    case PT_EV_PIPE2:
    case PT_EV_SOCKETPAIR:
        args_pipe(out, ev);
        break;
    case PT_EV_DUP:
    case PT_EV_DUP2:
    case PT_EV_DUP3:
        args_dup(out, r);
        break;
    case PT_EV_FCNTL:
        args_fcntl(out, r);
        break;
    case PT_EV_OPEN:
        args_open(out, ev);
        break;
    case PT_EV_CLOSE:
    case PT_EV_PCLOSE:
        print_rec_fd(out, r);
        break;
    case PT_EV_CLOSE_RANGE:
        args_close_range(out, r);
        break;
    case PT_EV_FORK ... PT_EV_UNTRACED_CHILD:
    case PT_EV_POPEN:
    case PT_EV_SYSTEM:
        args_process(out, ev);
        break;
    case PT_EV_MKFIFO:
        args_strings(out, ev, 0);
        break;
    case PT_EV_INHERITED_FD ... PT_EV_COVERAGE:
        args_meta(out, ev);
        break;
    default:
        args_unknown(out, r);
        break;
    }
}

/* --- results ------------------------------------------------------------ */

static void print_errno(FILE *out, int err) {
    const char *name = pt_errno_name(err);
    fprintf(out, " = -1 %s (%s)", name != NULL ? name : "E?", pt_errno_text(err));
}

/* Ends the line after the arguments: ") = result", or the marker of a call
 * that never returned. */
static void print_returned(FILE *out, const struct pt_record *r) {
    int64_t result = dump_result(r);
    if (pt_result_errno(result) != 0) { /* else a damaged record: as a number */
        putc(')', out);
        print_errno(out, pt_result_errno(result));
    } else if (r->type == PT_EV_SYSTEM || r->type == PT_EV_PCLOSE) {
        fputs(") = ", out); /* they return a wait status */
        args_wait_status(out, (uint64_t)result);
    } else {
        fprintf(out, ") = %" PRId64, result);
    }
}

/* Ends the line after the arguments: ") = result", or ") = ?" for exit,
 * which does not return. */
static void print_outcome(FILE *out, const struct pt_record *r) {
    if (r->type == PT_EV_EXIT)
        fputs(") = ?", out);
    else if (r->type >= PT_EV_UNTRACED_CHILD && r->type <= PT_EV_COVERAGE)
        putc(')', out); /* notes by the recorder, not calls: no result */
    else
        print_returned(out, r);
}

/* --- calls that never returned ------------------------------------------ */

/* As strace prints a call it never saw return: the arguments known when it
 * was entered, then "<unfinished ...>) = ?".  Nothing the call would have
 * filled in (bytes read, a wait status, the new fds) is shown: the trace
 * does not have it. */
static void print_unfinished(FILE *out, const struct pt_event *ev) {
    const struct pt_record *r = ev->rec;
    switch (r->type) {
    case PT_EV_READ:
    case PT_EV_READV:
    case PT_EV_READ_CHK:
    case PT_EV_STDIO_READ:
        print_rec_fd(out, r);
        fputs(", <unfinished ...>", out);
        break;
    case PT_EV_WRITE:
    case PT_EV_WRITEV:
    case PT_EV_STDIO_WRITE:
        print_rec_fd(out, r);
        fputs(", ", out);
        print_data(out, ev);
        fprintf(out, ", %" PRIu64 " <unfinished ...>", r->arg);
        break;
    case PT_EV_PIPE:
    case PT_EV_PIPE2:
    case PT_EV_SOCKETPAIR:
    case PT_EV_FORK:
    case PT_EV_VFORK:
    case PT_EV_WAIT:
        fputs("<unfinished ...>", out);
        break;
    default:
        print_args(out, ev);
        fputs(" <unfinished ...>", out);
        break;
    }
    fputs(") = ?", out);
}

void dump_text_event(FILE *out, const struct pt_merged *m, uint64_t t0) {
    const struct pt_record *r = m->ev.rec;
    int32_t pid = m->file->hdr->pid;
    const char *name = pt_event_name(r->type);
    if (r->tid == pid || r->tid == 0)
        fprintf(out, "[%" PRId32 "] ", pid);
    else
        fprintf(out, "[%" PRId32 " %" PRId32 "] ", pid, r->tid);
    dump_rel_time(out, r->t_start, t0, 6);
    if (name != NULL)
        fprintf(out, " %s(", name);
    else
        fprintf(out, " unknown(%u)(", r->type);
    if (dump_unfinished(r) && r->type != PT_EV_EXIT &&
        !(r->type >= PT_EV_UNTRACED_CHILD && r->type <= PT_EV_COVERAGE)) {
        print_unfinished(out, &m->ev);
    } else {
        print_args(out, &m->ev);
        print_outcome(out, r);
    }
    if (pt_event_via_stdio(r->type))
        fputs(" [stdio]", out);
    putc('\n', out);
}
