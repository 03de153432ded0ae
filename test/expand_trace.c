/* expand_trace IN OUT: copies trace directory IN to OUT with every compact
 * record of format 2 replaced by the full record it stands for (channels
 * and notes left out), everything else byte for byte: the header and
 * strings, full records, zero gaps, torn and invalid records.  The viewer
 * must say exactly the same of both directories (test/compact_test.cc):
 * what a compact record leaves out is then recovered exactly.  Exits 1 with
 * a message on any failure. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/trace/reader.h"
#include "test/tracebuild/tracebuild.h"

static void die(const char *what, const char *path) {
    fprintf(stderr, "expand_trace: %s: %s\n", path, what);
    exit(1);
}

/* The full record compact record k at `offset` stands for, as the reader
 * expands it (state as k has it, even torn or invalid). */
static struct pt_record expanded(const struct pt_file *f, uint64_t offset,
                                 const struct pt_compact_record *k) {
    struct pt_event ev;
    struct pt_record r;
    memset(&r, 0, sizeof r);
    if (pt_file_event_at(f, offset, &ev))
        r = *ev.rec;
    r.type = (uint8_t)(k->type & ~PT_COMPACT);
    r.state = k->state;
    return r;
}

/* Copies the records of f (its bytes at `bytes`, records in [pos, end)). */
static void copy_records(struct ptb_file *out, const struct pt_file *f, const uint8_t *bytes,
                         uint64_t pos, uint64_t end) {
    while (pos + PT_ALIGN <= end) {
        const struct pt_record *r = (const void *)(bytes + pos);
        uint32_t size = r->size;
        if (size == 0 && bytes[pos + 4] == 0) { /* a zero word */
            uint64_t zero = 0;
            if (memcmp(bytes + pos, &zero, PT_ALIGN) == 0) {
                ptb_add_zeros(out, PT_ALIGN);
                pos += PT_ALIGN;
                continue;
            }
        }
        if (size < PT_ALIGN || size % PT_ALIGN != 0 || pos + size > end)
            break; /* damage: the rest is copied as it is */
        if (f->hdr->version >= 2 && (r->type & PT_COMPACT)) {
            const struct pt_compact_record *k = (const void *)r;
            if ((r->type & ~PT_COMPACT) != PT_EV_CHANNEL) {
                struct pt_record full = expanded(f, pos, k);
                uint32_t len = k->data_len <= size - PT_COMPACT_SIZE ? k->data_len : 0;
                ptb_add(out, full, (const uint8_t *)(k + 1), len);
            }
        } else if (!(f->hdr->version >= 2 && r->type == PT_EV_NOTE)) {
            ptb_add_raw(out, r, size);
        }
        pos += size;
    }
    if (pos < end)
        ptb_add_raw(out, bytes + pos, end - pos);
}

static void expand_file(const char *in, const char *out_path) {
    struct pt_file f;
    char err[512];
    if (pt_file_open(&f, in, err, sizeof err) < 0)
        die(err, in);
    const uint8_t *bytes = pt_file_bytes(&f);
    if (bytes == NULL)
        die("cannot map", in);
    FILE *out = fopen(out_path, "w+");
    if (out == NULL)
        die(strerror(errno), out_path);
    struct ptb_file b;
    memset(&b, 0, sizeof b);
    b.out = out;
    b.hdr = *f.hdr;
    uint64_t data = f.hdr->data_offset;
    ptb_add_raw(&b, bytes, data);
    uint64_t end = f.tail < f.size ? f.tail : f.size;
    copy_records(&b, &f, bytes, data, end > data ? end : data);
    /* What lies past the tail (a file cut or not yet trimmed) stays. */
    uint64_t tail = b.off;
    if (end < f.size)
        ptb_add_raw(&b, bytes + end, f.size - end);
    b.hdr.tail = f.tail <= f.size ? tail : tail + (f.tail - f.size);
    if (ptb_end(&b) < 0 || fclose(out) != 0)
        die("write failed", out_path);
    pt_file_close(&f);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: expand_trace IN_DIR OUT_DIR\n");
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (d == NULL)
        die(strerror(errno), argv[1]);
    mkdir(argv[2], 0700);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 4, PT_FILE_SUFFIX) != 0)
            continue;
        char in[4096], out[4096];
        snprintf(in, sizeof in, "%s/%s", argv[1], e->d_name);
        snprintf(out, sizeof out, "%s/%s", argv[2], e->d_name);
        expand_file(in, out);
    }
    closedir(d);
    return 0;
}
