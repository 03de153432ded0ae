/* The viewer's allocation: out of memory is one line and exit status 2. */
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Noreturn void out_of_memory(void) {
    fflush(stdout);
    fputs("pipetrace: out of memory\n", stderr);
    exit(2);
}

void *pt_xmalloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        out_of_memory();
    return p;
}

void *pt_xcalloc(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p == NULL)
        out_of_memory();
    return p;
}

void *pt_xreallocarray(void *p, size_t count, size_t size) {
    if (size != 0 && count > SIZE_MAX / size)
        out_of_memory();
    size_t bytes = count * size;
    void *grown = realloc(p, bytes ? bytes : 1);
    if (grown == NULL)
        out_of_memory();
    return grown;
}

char *pt_xstrdup(const char *s) {
    size_t len = strlen(s) + 1;
    return memcpy(pt_xmalloc(len), s, len);
}

size_t pt_grow_cap(size_t cap, size_t need) {
    size_t grown = cap == 0 ? 8 : cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
    return grown < need ? need : grown;
}
