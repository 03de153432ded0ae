/* we_protnone: makes the first (read-only) segment of its own executable
 * PROT_NONE, the pages that hold its ELF header, program headers and
 * dynamic symbol table, then makes a pipe and moves "ping" through it;
 * prints "pipe 0" and "read 4 ping".  Linked with -z now, so that nothing
 * in the program itself needs those pages afterwards. */
#define _GNU_SOURCE
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test/progs/progs.h"

struct segment {
    uintptr_t start, end;
};

static int first_load(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct segment *seg = data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD) {
            seg->start = (info->dlpi_addr + ph->p_vaddr) & ~(uintptr_t)4095;
            seg->end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + 4095) & ~(uintptr_t)4095;
            break;
        }
    }
    return 1; /* the main program comes first */
}

int main(void) {
    struct segment seg = {0, 0};
    dl_iterate_phdr(first_load, &seg);
    if (!seg.start)
        die("no PT_LOAD");
    if (mprotect((void *)seg.start, seg.end - seg.start, PROT_NONE) != 0)
        die("mprotect");
    int p[2];
    int r = pipe(p);
    printf("pipe %d\n", r);
    char buf[8] = {0};
    if (r != 0 || write(p[1], "ping", 4) != 4)
        die("write");
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    printf("read %zd %s\n", n, buf);
    return 0;
}
