/* Showing a pipe's bytes: escaped text or a hexdump with a header for each
 * run of one process's bytes and a marker where capture stopped, or the
 * raw captured bytes. */
#include <inttypes.h>
#include <stdio.h>

#include "analysis/flows_label.h"
#include "follow.h"

void follow_begin(struct follow_out *o, FILE *out, enum follow_form form,
                  const struct pt_file *files, int from_writes) {
    *o = (struct follow_out){.out = out,
                             .form = form,
                             .files = files,
                             .from_writes = from_writes,
                             .run_file = SIZE_MAX,
                             .line_start = 1};
}

/* --- hexdump ------------------------------------------------------------ */

static void hex_flush(struct follow_out *o) {
    if (o->hex_len == 0)
        return;
    fprintf(o->out, "%08" PRIx64 "  ", o->hex_offset);
    for (size_t i = 0; i < 16; i++) {
        if (i < o->hex_len)
            fprintf(o->out, "%02x ", o->hex[i]);
        else
            fputs("   ", o->out);
        if (i == 7)
            putc(' ', o->out);
    }
    fputs(" |", o->out);
    for (size_t i = 0; i < o->hex_len; i++)
        putc(o->hex[i] >= 0x20 && o->hex[i] < 0x7f ? o->hex[i] : '.', o->out);
    fputs("|\n", o->out);
    o->hex_len = 0;
}

static void hex_bytes(struct follow_out *o, uint64_t offset, const uint8_t *data, uint64_t len) {
    for (uint64_t i = 0; i < len; i++) {
        if (o->hex_len == 16 || (o->hex_len > 0 && o->hex_offset + o->hex_len != offset + i))
            hex_flush(o);
        if (o->hex_len == 0)
            o->hex_offset = offset + i;
        o->hex[o->hex_len++] = data[i];
    }
}

/* --- escaped text ------------------------------------------------------- */

static void text_bytes(struct follow_out *o, const uint8_t *data, uint64_t len) {
    for (uint64_t i = 0; i < len; i++) {
        uint8_t c = data[i];
        if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f && c != '\\'))
            putc(c, o->out);
        else if (c == '\\')
            fputs("\\\\", o->out);
        else
            fprintf(o->out, "\\x%02x", c);
    }
    if (len > 0)
        o->line_start = data[len - 1] == '\n';
}

/* --- markers ------------------------------------------------------------ */

/* Ends what is being shown so a marker line can follow. */
static void break_line(struct follow_out *o) {
    if (o->form == FOLLOW_HEX)
        hex_flush(o);
    else if (!o->line_start)
        putc('\n', o->out);
    o->line_start = 1;
}

static void run_header(struct follow_out *o, size_t file, uint64_t offset) {
    break_line(o);
    fprintf(o->out, "--- %s ", o->from_writes ? "written by" : "read by");
    if (file == SIZE_MAX) {
        fputs(o->from_writes ? "(no traced write)" : "(no traced read)", o->out);
    } else {
        char argv[64];
        flows_short_argv(&o->files[file], 56, argv, sizeof argv);
        fprintf(o->out, "%" PRId32 " %s", o->files[file].hdr->pid, argv);
    }
    fprintf(o->out, ", from byte %" PRIu64 " ---\n", offset);
}

static void gap(struct follow_out *o, uint64_t offset, uint64_t len) {
    if (o->gaps++ == 0)
        o->first_gap = offset;
    if (o->form == FOLLOW_RAW)
        return;
    break_line(o);
    fprintf(o->out, "[... %" PRIu64 " byte%s not captured (bytes %" PRIu64 "-%" PRIu64 ") ...]\n",
            len, len == 1 ? "" : "s", offset, offset + len - 1);
}

void follow_call(struct follow_out *o, size_t file, uint64_t offset, const uint8_t *data,
                 uint64_t len, uint64_t moved) {
    if (len > moved)
        len = moved;
    if (o->form != FOLLOW_RAW && file != o->run_file)
        run_header(o, file, offset);
    o->run_file = file;
    if (o->form == FOLLOW_RAW)
        fwrite(data, 1, len, o->out);
    else if (o->form == FOLLOW_HEX)
        hex_bytes(o, offset, data, len);
    else
        text_bytes(o, data, len);
    if (len < moved)
        gap(o, offset + len, moved - len);
    o->bytes += moved;
    o->captured += len;
}

void follow_end(struct follow_out *o) {
    if (o->form == FOLLOW_RAW)
        return;
    break_line(o);
    fprintf(o->out, "--- end: %" PRIu64 " bytes", o->bytes);
    if (o->captured == o->bytes)
        fputs(", all captured ---\n", o->out);
    else
        fprintf(o->out, ", %" PRIu64 " captured, %" PRIu64 " not (in %" PRIu64 " gap%s) ---\n",
                o->captured, o->bytes - o->captured, o->gaps, o->gaps == 1 ? "" : "s");
}
