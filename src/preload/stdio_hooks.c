/* stdio coverage through libc's FILE jump tables.
 *
 * printf, fwrite, fread, getline and the flush at exit reach the kernel
 * through the __read/__write/__close slots of libc's jump tables
 * (_IO_file_jumps and its neighbours), which glibc calls without going
 * through the PLT.  Those slots hold the exported _IO_file_read,
 * _IO_file_write and _IO_file_close; we replace exactly the words equal to
 * them, near _IO_file_jumps and inside libc's RELRO segment (which the loader
 * made read-only, so read-only is what we restore).  Anything unexpected and
 * we patch nothing: the trace header then says stdio is not covered.
 */
#define _GNU_SOURCE
#include "stdio_hooks.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "call.h"
#include "fdcache.h"
#include "real.h"
#include "recorder.h"
#include "src/writer/sys.h"

typedef ssize_t (*file_read_fn)(FILE *, void *, ssize_t);
typedef ssize_t (*file_write_fn)(FILE *, const void *, ssize_t);
typedef int (*file_close_fn)(FILE *);

/* Offsets of the slots inside struct _IO_jump_t (glibc libio/libioP.h):
 * two dummy words, then finish, overflow, underflow, uflow, pbackfail,
 * xsputn, xsgetn, seekoff, seekpos, setbuf, sync, doallocate, read, write,
 * seek, close, stat, showmanyc, imbue. */
enum { SLOT_READ = 14, SLOT_WRITE = 15, SLOT_CLOSE = 17 };
#define SCAN_BEFORE 4096
#define SCAN_AFTER 8192

static file_read_fn orig_read;
static file_write_fn orig_write;
static file_close_fn orig_close;

/* _IO_file_read is one read(2), and its callers (underflow, xsgetn) set
 * the FILE's end or error flag from what it returns: an injected fault
 * (inject.h) is made here as the kernel would make it, a real read asked
 * for fewer bytes, or -1 with errno, and stdio takes it from there. */
static ssize_t hooked_read(FILE *fp, void *buf, ssize_t size) {
    struct pt_call c;
    if (!pt_io_enter(&c, PT_EV_STDIO_READ, fp->_fileno, (uint64_t)size))
        return PT_PASS(&c, orig_read(fp, buf, size));
    size_t count = size > 0 ? (size_t)size : 0;
    if (size < 0)
        return pt_io_leave(&c, buf, PT_CALL(&c, orig_read(fp, buf, size)));
    return pt_io_leave(&c, buf,
                       PT_IO_CALL(&c, PT_EV_STDIO_READ, fp->_fileno, count, 0,
                                  orig_read(fp, buf, (ssize_t)count)));
}

/* _IO_file_write returns how many bytes went out, never -1: it stops early
 * only when a write(2) failed, with errno set.  That failure is what a
 * lost-data diagnosis needs, so it is recorded as the kernel saw it: a flush
 * that moved nothing is one record with -errno; one that moved some bytes
 * first is two, the bytes that went out, then the rest failing with -errno. */
static ssize_t flush_failed(struct pt_call *c, int fd, const void *buf, ssize_t size,
                            ssize_t moved) {
    int64_t failure = -(int64_t)(c->errno_out != 0 ? c->errno_out : EIO);
    if (moved <= 0) {
        pt_end_io(c->rec, buf, failure);
        return PT_LEAVE(c, moved);
    }
    pt_end_io(c->rec, buf, moved);
    struct pt_record *rest = pt_begin(PT_EV_STDIO_WRITE, fd, &c->fd, (uint64_t)(size - moved), 0);
    pt_end(rest, failure);
    return PT_LEAVE(c, moved);
}

/* A flush of size bytes, its record begun: made, and recorded. */
static ssize_t write_made(struct pt_call *c, FILE *fp, const void *buf, ssize_t size) {
    ssize_t moved = PT_CALL(c, orig_write(fp, buf, size));
    if (moved < size)
        return flush_failed(c, fp->_fileno, buf, size, moved);
    return pt_io_leave(c, buf, moved);
}

/* A flush with injection on.  _IO_file_write loops on write(2) until all
 * is written and stops at the first failure, setting the FILE's error
 * flag; this does the same with the faults in the loop: a short transfer
 * writes the part asked (its record: asked size, moved the part) and the
 * loop goes on with the rest as the next write(2), which may meet a fault
 * of its own; an injected failure sets the error flag and ends the flush
 * with the bytes written before it, errno the fault's. */
static ssize_t write_injected(FILE *fp, const char *buf, ssize_t size) {
    ssize_t done = 0;
    for (;;) {
        struct pt_call c;
        ssize_t rest = size - done;
        if (!pt_io_enter(&c, PT_EV_STDIO_WRITE, fp->_fileno, (uint64_t)rest))
            return done + PT_PASS(&c, orig_write(fp, buf + done, rest));
        size_t count = (size_t)rest;
        if (pt_io_inject_chosen(&c, PT_EV_STDIO_WRITE, fp->_fileno, &count, 0)) {
            pt_io_injected_failure(&c);
            fp->_flags |= _IO_ERR_SEEN;
            pt_end_io(c.rec, buf + done, -(int64_t)c.errno_out);
            return PT_LEAVE(&c, done);
        }
        if (c.fault != PT_FAULT_SHORT || count >= (size_t)rest)
            return done + write_made(&c, fp, buf + done, rest);
        ssize_t moved = PT_CALL(&c, orig_write(fp, buf + done, (ssize_t)count));
        if (moved < (ssize_t)count)
            return done + flush_failed(&c, fp->_fileno, buf + done, rest, moved);
        pt_io_leave(&c, buf + done, moved);
        done += moved;
    }
}

static ssize_t hooked_write(FILE *fp, const void *buf, ssize_t size) {
    if (__builtin_expect(pt_inject_armed, 0) && size > 0)
        return write_injected(fp, buf, size);
    struct pt_call c;
    if (!pt_io_enter(&c, PT_EV_STDIO_WRITE, fp->_fileno, (uint64_t)size))
        return PT_PASS(&c, orig_write(fp, buf, size));
    return write_made(&c, fp, buf, size);
}

static int hooked_close(FILE *fp) {
    int fd = fp->_fileno;
    struct pt_call c;
    if (pt_enter_fd(&c, fd))
        c.rec = pt_begin(PT_EV_CLOSE, fd, &c.fd, 0, 0);
    pt_fdcache_forget(fd);
    return PT_FINISH(&c, PT_CALL(&c, orig_close(fp)));
}

struct relro_search {
    uintptr_t addr;  /* an address inside libc */
    uintptr_t start; /* RELRO range of the object holding addr */
    uintptr_t end;
};

static int find_relro(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct relro_search *search = data;
    const ElfW(Phdr) *relro = NULL;
    int holds_addr = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && search->addr >= lo && search->addr < lo + ph->p_memsz)
            holds_addr = 1;
        if (ph->p_type == PT_GNU_RELRO)
            relro = ph;
    }
    if (!holds_addr || !relro)
        return 0;
    search->start = info->dlpi_addr + relro->p_vaddr;
    search->end = search->start + relro->p_memsz;
    return 1;
}

/* From the auxiliary vector, as sysconf finds it too: sysconf's own code
 * and jump table would be two more pages touched in every process (17 us
 * of a spawn on the machines of issue 12). */
static uintptr_t page_size(void) {
    unsigned long size = getauxval(AT_PAGESZ);
    return size ? (uintptr_t)size : 4096;
}

/* The pages the loader made read-only for RELRO: it rounds the start down
 * and the end down (the last partial page stays writable data). */
static int relro_pages(uintptr_t addr, uintptr_t *lo, uintptr_t *hi) {
    struct relro_search search = {.addr = addr};
    if (!dl_iterate_phdr(find_relro, &search))
        return -1;
    uintptr_t page = page_size();
    *lo = search.start & ~(page - 1);
    *hi = search.end & ~(page - 1);
    return *lo < *hi ? 0 : -1;
}

static int is_ours(uintptr_t word) {
    return word == (uintptr_t)orig_read || word == (uintptr_t)orig_write ||
           word == (uintptr_t)orig_close;
}

static uintptr_t hook_for(uintptr_t word) {
    if (word == (uintptr_t)orig_read)
        return (uintptr_t)hooked_read;
    if (word == (uintptr_t)orig_write)
        return (uintptr_t)hooked_write;
    return (uintptr_t)hooked_close;
}

/* Thousands of words are looked at in every process: one compare against
 * the span of the three functions (they sit together in libc's fileops)
 * turns most of them away. */
static void patch_range(uintptr_t *first, uintptr_t *last) {
    uintptr_t lo = (uintptr_t)orig_read, hi = (uintptr_t)orig_read;
    uintptr_t others[2] = {(uintptr_t)orig_write, (uintptr_t)orig_close};
    for (int i = 0; i < 2; i++) {
        lo = others[i] < lo ? others[i] : lo;
        hi = others[i] > hi ? others[i] : hi;
    }
    for (uintptr_t *slot = first; slot < last; slot++)
        if (*slot - lo <= hi - lo && is_ours(*slot))
            *slot = hook_for(*slot);
}

int pt_hook_stdio(void) {
    const uintptr_t *jumps = pt_real_symbol("_IO_file_jumps");
    orig_read = (file_read_fn)pt_real_symbol("_IO_file_read");
    orig_write = (file_write_fn)pt_real_symbol("_IO_file_write");
    orig_close = (file_close_fn)pt_real_symbol("_IO_file_close");
    if (!jumps || !orig_read || !orig_write || !orig_close)
        return -1;
    if (jumps[SLOT_READ] != (uintptr_t)orig_read || jumps[SLOT_WRITE] != (uintptr_t)orig_write ||
        jumps[SLOT_CLOSE] != (uintptr_t)orig_close)
        return -1;
    uintptr_t lo, hi;
    if (relro_pages((uintptr_t)jumps, &lo, &hi) < 0)
        return -1;
    uintptr_t page = page_size();
    uintptr_t from = ((uintptr_t)jumps - SCAN_BEFORE) & ~(page - 1);
    uintptr_t to = ((uintptr_t)jumps + SCAN_AFTER + page - 1) & ~(page - 1);
    if (from < lo)
        from = lo;
    if (to > hi)
        to = hi;
    if ((uintptr_t)jumps < from || (uintptr_t)(jumps + SLOT_CLOSE + 1) > to)
        return -1;
    if (pt_sys_mprotect((void *)from, to - from, PROT_READ | PROT_WRITE) != 0)
        return -1;
    patch_range((uintptr_t *)from, (uintptr_t *)to);
    pt_sys_mprotect((void *)from, to - from, PROT_READ);
    return 0;
}
