/* Resolution of the real libc functions behind the wrappers. */
#define _GNU_SOURCE
#include "real.h"

#include <dlfcn.h>
#include <stddef.h>

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

static const struct symbol symbols[] = {
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

static void resolve(const struct symbol *s) {
    void **slot = slot_of(s);
    if (__atomic_load_n(slot, __ATOMIC_ACQUIRE))
        return;
    void *fn = look_up(s);
    if (fn)
        __atomic_store_n(slot, fn, __ATOMIC_RELEASE);
}

void pt_resolve_real(void) {
    for (size_t i = 0; i < SYMBOL_COUNT; i++)
        resolve(&symbols[i]);
}

void *pt_resolve_slot(void **slot) {
    void *fn = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (fn || resolving)
        return fn;
    for (size_t i = 0; i < SYMBOL_COUNT; i++)
        if (slot_of(&symbols[i]) == slot) {
            resolve(&symbols[i]);
            break;
        }
    return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}
