/* Memory for the viewer (src/trace, src/analysis, tools/; never the
 * library inside traced programs, which does not allocate).
 *
 * An allocation that fails ends the program with one line,
 * "pipetrace: out of memory", and exit status 2, as git's and uftrace's
 * xmalloc do: every answer needs the whole model, so there is nothing
 * useful to go on with, and a NULL check at every call site is code that
 * no test reaches.  What the viewer holds grows with the processes and
 * pipes of a run, never with its events (the reader maps a bounded number
 * of files, the merge keeps a bounded window per file), so this is rare.
 *
 * A size read from a trace file is not allocated through these: a damaged
 * file that asks for absurd memory is that file's problem (the reader says
 * so, naming it, and the directory skips it), not the end of the run. */
#ifndef PIPETRACE_TRACE_XALLOC_H
#define PIPETRACE_TRACE_XALLOC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void *pt_xmalloc(size_t size);
void *pt_xcalloc(size_t count, size_t size);
/* realloc of count items of size bytes, the product checked. */
void *pt_xreallocarray(void *p, size_t count, size_t size);
char *pt_xstrdup(const char *s);

/* The capacity an array of cap items grows to so that it holds need:
 * double (8 to begin with), or need if that is more. */
size_t pt_grow_cap(size_t cap, size_t need);

/* Makes room for `need` items in `array`, whose capacity is `cap`: the one
 * way the viewer grows an array.
 *
 *     PT_GROW(t->v, t->len + 1, t->cap);
 *     t->v[t->len++] = item;
 */
#define PT_GROW(array, need, cap)                                                                  \
    do {                                                                                           \
        if ((need) > (cap)) {                                                                      \
            (cap) = pt_grow_cap((cap), (need));                                                    \
            (array) = (__typeof__(array))pt_xreallocarray((array), (cap), sizeof *(array));        \
        }                                                                                          \
    } while (0)

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_TRACE_XALLOC_H */
