/* Resolution of the real libc functions behind the wrappers.
 *
 * Each slot is filled when a wrapper first needs it, from the hash tables
 * of the objects loaded after ours (next_symbol.c: no lock, no allocation,
 * safe in a signal handler), so that a process that calls none of them
 * looks none up.  dlsym remains for what that lookup leaves alone: a
 * versioned row (posix_spawn, not async-signal-safe itself), an indirect
 * function, a name only a library opened later defines, and every slot at
 * once when the start-up check finds the two lookups disagree. */
#define _GNU_SOURCE
#include "real.h"

#include <dlfcn.h>
#include <stddef.h>

#include "next_symbol.h"

struct pt_real_fns pt_real;

/* Where each function is found: its slot, its name, the symbol version to
 * ask for first, and the name to fall back on.  One per real row of
 * wrappers.inc. */
struct symbol {
    size_t slot; /* offset in struct pt_real_fns */
    const char *name;
    const char *version;
    const char *fallback;
};

/* Kept among the loader's other relocated words (RELRO) rather than in the
 * large-data section the medium code model gives arrays this size (see
 * BUILD): a page of its own would be one more copy-on-write fault per image. */
__attribute__((section(".data.rel.ro"))) static const struct symbol symbols[] = {
#define PT_WRAP(ret, name, params) {offsetof(struct pt_real_fns, name), #name, NULL, NULL},
#define PT_WRAP_V(ret, name, params, version)                                                      \
    {offsetof(struct pt_real_fns, name), #name, version, NULL},
#define PT_WRAP_OR(ret, name, params, other)                                                       \
    {offsetof(struct pt_real_fns, name), #name, NULL, #other},
#define PT_WRAP_ONLY(ret, name, params)
#include "wrappers.inc"
};

#define SYMBOL_COUNT (sizeof symbols / sizeof symbols[0])

/* Set while this thread is inside dlsym for us: a wrapper entered from
 * there (an interposed dlsym, a malloc it calls) must not resolve again. */
static __thread int resolving __attribute__((tls_model("initial-exec")));

static void **slot_of(const struct symbol *s) {
    return (void **)((char *)&pt_real + s->slot);
}

static void *look_up(const struct symbol *s) {
    resolving++;
    void *fn = s->version ? dlvsym(RTLD_NEXT, s->name, s->version) : NULL;
    if (!fn)
        fn = dlsym(RTLD_NEXT, s->name);
    if (!fn && s->fallback)
        fn = dlsym(RTLD_NEXT, s->fallback);
    resolving--;
    return fn;
}

/* Whether pt_next_symbol may be trusted: set at start-up once it has
 * found what dlsym finds. */
static int next_symbols_agree;

static void *look_up_quietly(const struct symbol *s) {
    if (s->version || !__atomic_load_n(&next_symbols_agree, __ATOMIC_ACQUIRE))
        return NULL;
    void *fn = pt_next_symbol(s->name);
    if (!fn && s->fallback)
        fn = pt_next_symbol(s->fallback);
    return fn;
}

static void resolve(const struct symbol *s) {
    void **slot = slot_of(s);
    if (__atomic_load_n(slot, __ATOMIC_ACQUIRE))
        return;
    void *fn = look_up_quietly(s);
    if (!fn && !resolving)
        fn = look_up(s);
    if (fn)
        __atomic_store_n(slot, fn, __ATOMIC_RELEASE);
}

void pt_resolve_real(void) {
    for (size_t i = 0; i < SYMBOL_COUNT; i++)
        resolve(&symbols[i]);
}

/* One name through both lookups: a loader that orders or chooses
 * otherwise than next_symbol.c expects shows here, and then every slot
 * is filled by dlsym now, as before the lazy lookup existed. */
void pt_prepare_real(void) {
    void *self = (void *)pt_prepare_real;
    if (pt_next_symbols_note(self) == 0) {
        resolving++;
        void *expected = dlsym(RTLD_NEXT, "write");
        resolving--;
        if (expected && pt_next_symbol("write") == expected)
            __atomic_store_n(&next_symbols_agree, 1, __ATOMIC_RELEASE);
    }
    if (!__atomic_load_n(&next_symbols_agree, __ATOMIC_ACQUIRE))
        pt_resolve_real();
}

void *pt_real_symbol(const char *name) {
    void *fn = __atomic_load_n(&next_symbols_agree, __ATOMIC_ACQUIRE) ? pt_next_symbol(name) : NULL;
    return fn ? fn : dlsym(RTLD_NEXT, name);
}

/* What a fork child calls between the fork and its exec or exit (a
 * shell's subshell also writes: echo in a pipeline).  Found in the child,
 * each would be looked up again in every child, and the stored pointer
 * would cost every child a copied page. */
static const size_t child_slots[] = {
    offsetof(struct pt_real_fns, execve), offsetof(struct pt_real_fns, execvpe),
    offsetof(struct pt_real_fns, dup2),   offsetof(struct pt_real_fns, close),
    offsetof(struct pt_real_fns, fcntl),  offsetof(struct pt_real_fns, _exit),
    offsetof(struct pt_real_fns, write),  offsetof(struct pt_real_fns, read),
};

void pt_resolve_for_children(void) {
    static int done;
    if (__atomic_load_n(&done, __ATOMIC_RELAXED))
        return;
    for (size_t i = 0; i < sizeof child_slots / sizeof child_slots[0]; i++)
        pt_resolve_slot((void **)((char *)&pt_real + child_slots[i]));
    __atomic_store_n(&done, 1, __ATOMIC_RELAXED);
}

void *pt_resolve_slot(void **slot) {
    void *fn = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (fn)
        return fn;
    for (size_t i = 0; i < SYMBOL_COUNT; i++)
        if (slot_of(&symbols[i]) == slot) {
            resolve(&symbols[i]);
            break;
        }
    return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}
