/* The text form of `pipetrace flows`, readable at 80 columns. */
#include <inttypes.h>

#include "analysis/flows_label.h"
#include "analysis_cli.h"
#include "flows_print.h"
#include "trace/events.h"
#include "trace/names.h"

int flows_pipe_shown(const struct flows_pipe *p) {
    return p->write_calls + p->read_calls + p->eof_reads + p->unfinished_reads +
               p->unfinished_writes >
           0;
}

static const char *plural(uint64_t n) {
    return n == 1 ? "" : "s";
}

/* An end with no traced call: the process may have been untraced, or
 * traced and never have read (or written) these bytes, or the bytes may
 * still have been in the pipe: say only what is known. */
static void print_end(FILE *out, const struct flows *fl, size_t file, int writer) {
    char argv[48];
    if (file == FLOWS_NO_FILE) {
        fputs(writer ? "(no traced write)" : "(no traced read)", out);
        return;
    }
    const struct pt_file *f = &fl->files[file];
    flows_short_argv(f, 40, argv, sizeof argv);
    fprintf(out, "%" PRId32 " %s", f->hdr->pid, argv);
}

static void print_latency(FILE *out, const struct flows_pair *pair) {
    char first[24], median[24], max[24];
    if (pair->latency.count == 0)
        return;
    flows_format_ns(pair->latency.first, first, sizeof first);
    flows_format_ns(flows_pair_median(pair), median, sizeof median);
    flows_format_ns(pair->latency.max, max, sizeof max);
    fprintf(out, "      latency first %s, median %s, max %s\n", first, median, max);
}

static void print_pair(FILE *out, const struct flows *fl, const struct flows_pair *pair) {
    fputs("  ", out);
    print_end(out, fl, pair->writer, 1);
    fputs(" -> ", out);
    print_end(out, fl, pair->reader, 0);
    fprintf(out, "\n      %" PRIu64 " bytes, %" PRIu64 " write%s, %" PRIu64 " read%s\n",
            pair->bytes, pair->writes, plural(pair->writes), pair->reads, plural(pair->reads));
    print_latency(out, pair);
}

static void print_data_check(FILE *out, const struct flows_pipe *p) {
    if (p->compared == 0)
        return;
    fprintf(out, "  captured data: %" PRIu64 " bytes compared on both sides, ", p->compared);
    if (p->mismatches == 0)
        fputs("equal\n", out);
    else
        fprintf(out, "%" PRIu64 " MISMATCHES, the first at byte %" PRIu64 "\n", p->mismatches,
                p->first_mismatch);
}

static void print_warnings(FILE *out, const struct flows_pipe *p) {
    if (p->concurrent_reads > 0)
        fprintf(out,
                "  ambiguous: reads by several processes or threads overlapped "
                "%" PRIu64 " times;\n    who read which bytes is a best guess\n",
                p->concurrent_reads);
    if (p->concurrent_writes > 0)
        fprintf(out,
                "  ambiguous: writes by several processes or threads overlapped "
                "%" PRIu64 " times;\n    the order of their bytes is a best guess\n",
                p->concurrent_writes);
    if (p->given_up > 0)
        fprintf(out,
                "  %" PRIu64 " bytes waited too long for a match and were counted "
                "as having no traced counterpart\n",
                p->given_up);
    if (p->unfinished_reads > 0)
        fprintf(out, "  %" PRIu64 " read(s) still blocked when the trace ended\n",
                p->unfinished_reads);
    if (p->unfinished_writes > 0)
        fprintf(out, "  %" PRIu64 " write(s) still blocked when the trace ended\n",
                p->unfinished_writes);
    if (p->inferred_writes > 0)
        fprintf(out,
                "  %" PRIu64 " write(s) never returned, yet readers got their %" PRIu64
                " bytes:\n    counted as done (inferred; the writer was killed right after)\n",
                p->inferred_writes, p->inferred_bytes);
}

/* Bytes that entered the pipe from another fd inside the kernel: a
 * splice moved them out of where they were, a tee copied them (they stay
 * in that pipe for its own readers). */
static void print_feeds(FILE *out, const struct flows_pipe *p) {
    for (size_t i = 0; i < p->nfeeds; i++) {
        const struct flows_feed *f = &p->feeds[i];
        char name[64];
        pt_object_name(f->kind, f->from.ino, f->from.dev, name, sizeof name);
        fprintf(out, "  %s %s by %s: %" PRIu64 " bytes in %" PRIu64 " call%s%s\n",
                f->type == PT_EV_TEE ? "copied from" : "moved from", name, pt_event_name(f->type),
                f->bytes, f->calls, plural(f->calls),
                f->type == PT_EV_TEE ? " (left there for its readers)" : "");
    }
}

static void print_pipe(FILE *out, const struct flows *fl, const struct flows_pipe *p) {
    char name[64];
    flows_pipe_name(p, name, sizeof name);
    fprintf(out,
            "%s: %" PRIu64 " bytes written in %" PRIu64 " call%s, %" PRIu64 " read in %" PRIu64
            " call%s%s\n",
            name, p->bytes_written, p->write_calls, plural(p->write_calls), p->bytes_read,
            p->read_calls, plural(p->read_calls), p->eof_reads > 0 ? ", EOF seen" : "");
    for (size_t i = 0; i < p->pair_count; i++)
        print_pair(out, fl, &p->pairs[i]);
    print_feeds(out, p);
    print_data_check(out, p);
    print_warnings(out, p);
}

void flows_print_text(FILE *out, const struct flows *fl, const struct pt_coverage *cov) {
    int any = 0;
    for (size_t i = 0; i < fl->pipe_count; i++) {
        if (!flows_pipe_shown(fl->pipes[i]))
            continue;
        fputs(any ? "\n" : "", out);
        print_pipe(out, fl, fl->pipes[i]);
        any = 1;
    }
    if (!any)
        fputs("no bytes moved through pipes in this trace\n", out);
    if (cov != NULL && !pt_coverage_complete(cov)) {
        putc('\n', out);
        coverage_text_note(out, cov, "bytes moved by what is missing are not counted");
    }
}
