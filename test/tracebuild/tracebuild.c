/* tracebuild: trace files from the structs of format.h (see tracebuild.h). */
#include "test/tracebuild/tracebuild.h"
#include "test/tracebuild/tracebuild_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t round_up(uint64_t n, uint64_t to) {
    return (n + to - 1) / to * to;
}

static void fail(struct ptb_file *f, int err) {
    if (f->error == 0)
        f->error = err;
}

/* Room for n more bytes in the memory sink. */
static int reserve(struct ptb_file *f, size_t n) {
    if (f->mem_len + n <= f->mem_cap)
        return 0;
    size_t cap = f->mem_cap ? f->mem_cap : 4096;
    while (cap < f->mem_len + n)
        cap *= 2;
    unsigned char *grown = realloc(f->mem, cap);
    if (grown == NULL)
        return -1;
    f->mem = grown;
    f->mem_cap = cap;
    return 0;
}

/* Every byte of the file goes through here, in order. */
void ptb_put(struct ptb_file *f, const void *bytes, size_t len) {
    if (len == 0 || f->error != 0)
        return;
    if (f->out != NULL) {
        if (fwrite(bytes, 1, len, f->out) != len)
            fail(f, errno ? errno : EIO);
    } else if (reserve(f, len) != 0) {
        fail(f, ENOMEM);
    } else {
        memcpy(f->mem + f->mem_len, bytes, len);
        f->mem_len += len;
    }
    f->off += len;
}

void ptb_put_zeros(struct ptb_file *f, size_t n) {
    static const unsigned char zeros[256];
    while (n > 0) {
        size_t chunk = n < sizeof zeros ? n : sizeof zeros;
        ptb_put(f, zeros, chunk);
        n -= chunk;
    }
}

static uint32_t strings_size(const struct ptb_image *im, uint32_t *argc) {
    uint64_t size = strlen(im->exe) + 1;
    *argc = 0;
    for (const char *const *a = im->argv; a != NULL && *a != NULL; a++, (*argc)++)
        size += strlen(*a) + 1;
    return (uint32_t)size;
}

int ptb_begin(struct ptb_file *f, FILE *out, const struct ptb_image *im) {
    memset(f, 0, sizeof *f);
    f->out = out;
    uint32_t align = im->data_align ? im->data_align : PT_DATA_ALIGN;
    if (align % PT_ALIGN != 0) {
        fail(f, EINVAL);
        return -f->error;
    }
    uint32_t argc;
    uint32_t strings = strings_size(im, &argc);

    struct pt_file_header *h = &f->hdr;
    memcpy(h->magic, PT_MAGIC, PT_MAGIC_LEN);
    h->byte_order = PT_BYTE_ORDER;
    h->version = PT_VERSION;
    h->header_size = sizeof *h;
    h->data_offset = (uint32_t)round_up(sizeof *h + strings, align);
    h->flags = PT_HDR_STDIO_HOOKED;
    h->pid = im->pid;
    h->ppid = im->ppid;
    h->data_limit = 64;
    h->start_mono_ns = im->start_ns;
    h->strings_size = strings;
    h->argc = argc;

    /* The header's place is filled by ptb_end, once its fields are final. */
    ptb_put_zeros(f, sizeof *h);
    ptb_put(f, im->exe, strlen(im->exe) + 1);
    for (uint32_t i = 0; i < argc; i++)
        ptb_put(f, im->argv[i], strlen(im->argv[i]) + 1);
    ptb_put_zeros(f, h->data_offset - f->off);
    return -f->error;
}

uint64_t ptb_add(struct ptb_file *f, struct pt_record r, const void *payload, uint32_t len) {
    if (ptb_goes_compact(f, &r, len))
        return ptb_add_as_compact(f, &r, payload, len);
    uint64_t at = f->off;
    uint64_t size = round_up(PT_RECORD_SIZE + (uint64_t)len, PT_ALIGN);
    r.size = (uint32_t)size;
    r.data_len = len;
    ptb_put(f, &r, sizeof r);
    ptb_put(f, payload, len);
    ptb_put_zeros(f, size - PT_RECORD_SIZE - len);
    return at;
}

uint64_t ptb_add_raw(struct ptb_file *f, const void *bytes, size_t len) {
    uint64_t at = f->off;
    ptb_put(f, bytes, len);
    return at;
}

uint64_t ptb_add_zeros(struct ptb_file *f, size_t n) {
    uint64_t at = f->off;
    ptb_put_zeros(f, n);
    return at;
}

struct pt_file_header ptb_final_header(const struct ptb_file *f) {
    struct pt_file_header h = f->hdr;
    if (h.tail == 0)
        h.tail = f->off;
    return h;
}

int ptb_end(struct ptb_file *f) {
    struct pt_file_header h = ptb_final_header(f);
    if (f->error != 0)
        return -f->error;
    if (f->out == NULL) {
        memcpy(f->mem, &h, sizeof h);
        return 0;
    }
    if (fflush(f->out) != 0 || fseek(f->out, 0, SEEK_SET) != 0 ||
        fwrite(&h, sizeof h, 1, f->out) != 1 || fseek(f->out, 0, SEEK_END) != 0)
        fail(f, errno ? errno : EIO);
    return -f->error;
}

void ptb_free(struct ptb_file *f) {
    free(f->mem);
    free(f->channels);
    f->channels = NULL;
    f->channel_count = f->channel_cap = 0;
    f->mem = NULL;
    f->mem_len = f->mem_cap = 0;
}

struct pt_record ptb_record(uint8_t type, int32_t tid, int32_t fd, uint64_t t_start) {
    struct pt_record r;
    memset(&r, 0, sizeof r);
    r.type = type;
    r.state = PT_DONE;
    r.tid = tid;
    r.fd = fd;
    r.t_start = t_start;
    r.t_end = t_start + 10;
    return r;
}

void ptb_set_object(struct pt_record *r, uint8_t kind, uint64_t ino, uint32_t dev,
                    uint8_t fd_flags) {
    r->obj_kind = kind;
    r->obj_ino = ino;
    r->obj_dev = dev;
    r->fd_flags = fd_flags;
}

struct pt_pipe_payload ptb_pipe_payload(int32_t read_fd, int32_t write_fd, uint64_t read_ino,
                                        uint64_t write_ino) {
    struct pt_pipe_payload p;
    memset(&p, 0, sizeof p);
    p.fds[0] = read_fd;
    p.fds[1] = write_fd;
    p.ino[0] = read_ino;
    p.ino[1] = write_ino;
    return p;
}

int ptb_file_name(char *buf, size_t size, const char *dir, int32_t pid, unsigned image) {
    int n = snprintf(buf, size, "%s/%d.%u%s", dir, (int)pid, image, PT_FILE_SUFFIX);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}
