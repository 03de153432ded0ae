/* Call sites of fd-creating calls.  See callsite.h.
 *
 * This runs inside wrappers, so it must be async-signal-safe and must not
 * fault on memory the program changed: no dladdr (it takes the loader's
 * lock and reads the module's symbol tables, which the program may have
 * made PROT_NONE).  The module is found with _dl_find_object, which reads
 * only the loader's own lock-free table; its name comes from the loader's
 * link_map; its build id is read from its mapped headers only where the
 * kernel says they can be read.  No symbol is looked up here: the viewer
 * can find it in the module's file (path and build id are recorded). */
#define _GNU_SOURCE
#include "callsite.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <string.h>

#include "real.h"
#include "recorder.h"
#include "safemem.h"
#include "src/writer/sys.h"
#include "src/writer/writer.h"

#define MAX_MODULES 128

/* glibc's lock-free, async-signal-safe lookup of the module holding an
 * address (glibc 2.35 on; NULL before, and then no module is named). */
static int (*find_object)(void *, struct dl_find_object *);

void pt_callsite_init(void) {
    find_object = (int (*)(void *, struct dl_find_object *))pt_real_symbol("_dl_find_object");
}

static uintptr_t modules_seen[MAX_MODULES];

/* Runs in every fork child: it writes only what is set, since each page
 * written there is a page the kernel must copy. */
void pt_callsite_forget_modules(void) {
    for (int i = 0; i < MAX_MODULES; i++)
        if (__atomic_load_n(&modules_seen[i], __ATOMIC_RELAXED))
            __atomic_store_n(&modules_seen[i], 0, __ATOMIC_RELAXED);
}

/* Claims the module for this file; 0 when it was recorded already. */
static int first_sighting(uintptr_t base) {
    for (int i = 0; i < MAX_MODULES; i++) {
        uintptr_t seen = __atomic_load_n(&modules_seen[i], __ATOMIC_ACQUIRE);
        if (seen == base)
            return 0;
        if (!seen && __atomic_compare_exchange_n(&modules_seen[i], &seen, base, 0, __ATOMIC_ACQ_REL,
                                                 __ATOMIC_ACQUIRE))
            return 1;
        if (seen == base)
            return 0;
    }
    return 0; /* table full: the viewer prints raw addresses */
}

struct module {
    uintptr_t base; /* start of its mapping: what dladdr calls dli_fbase */
    const char *path;
};

/* The module holding addr, from the loader's table; 0 when none does (JIT
 * code) or when libc has no _dl_find_object. */
static int find_module(const void *addr, struct module *m, char *exe_buf, size_t exe_len) {
    struct dl_find_object found;
    if (!find_object || find_object((void *)addr, &found) != 0)
        return 0;
    m->base = (uintptr_t)found.dlfo_map_start;
    m->path = found.dlfo_link_map ? found.dlfo_link_map->l_name : NULL;
    if (!m->path || !m->path[0]) {
        /* The main program has no name in the link_map. */
        long n = pt_sys_readlink("/proc/self/exe", exe_buf, exe_len - 1);
        exe_buf[n > 0 ? n : 0] = '\0';
        m->path = exe_buf;
    }
    return 1;
}

/* The GNU build id from the PT_NOTE segments of the mapped module, each
 * piece read only once the kernel says it can be. */
static uint32_t note_build_id(const uint8_t *p, const uint8_t *end, uint8_t *out, uint32_t room) {
    while (p + sizeof(ElfW(Nhdr)) <= end) {
        const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
        const uint8_t *name = p + sizeof *nh;
        const uint8_t *desc = name + ((nh->n_namesz + 3) & ~3u);
        const uint8_t *next = desc + ((nh->n_descsz + 3) & ~3u);
        if (next > end || next <= p)
            return 0;
        if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && memcmp(name, "GNU", 4) == 0 &&
            nh->n_descsz <= room) {
            memcpy(out, desc, nh->n_descsz);
            return nh->n_descsz;
        }
        p = next;
    }
    return 0;
}

static uint32_t build_id_of(uintptr_t base, uint8_t *out, uint32_t room) {
    struct pt_memo memo = {{0}, 0, 0};
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)base;
    if (!pt_mem_readable(&memo, eh, sizeof *eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
        eh->e_phentsize != sizeof(ElfW(Phdr)))
        return 0;
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)(base + eh->e_phoff);
    if (!pt_mem_readable(&memo, ph, (size_t)eh->e_phnum * sizeof *ph))
        return 0;
    uintptr_t load_bias = base;
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_LOAD) {
            load_bias = base - (ph[i].p_vaddr & ~(uintptr_t)0xfff);
            break;
        }
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_NOTE)
            continue;
        const uint8_t *p = (const uint8_t *)(load_bias + ph[i].p_vaddr);
        if (!pt_mem_readable(&memo, p, ph[i].p_memsz))
            continue;
        uint32_t len = note_build_id(p, p + ph[i].p_memsz, out, room);
        if (len)
            return len;
    }
    return 0;
}

/* Reserved at the path's own length: room for the longest path would make
 * a short process grow its file (and cut it again at exit) for one record. */
static void record_module(const struct module *m) {
    size_t len = strnlen(m->path, PT_STRINGS_MAX - 1);
    struct pt_record *rec = pt_instant(PT_EV_MODULE, -1, NULL, m->base, 0,
                                       (uint32_t)(sizeof(struct pt_module_payload) + len + 1));
    if (!rec)
        return;
    struct pt_module_payload *p = (struct pt_module_payload *)(rec + 1);
    p->base = m->base;
    p->build_id_len = build_id_of(m->base, p->build_id, sizeof p->build_id);
    memcpy((char *)(p + 1), m->path, len);
    ((char *)(p + 1))[len] = '\0';
    rec->data_len = (uint32_t)(sizeof *p + len + 1);
    pt_commit_captured(rec);
}

void pt_note_callsite(const struct pt_record *rec, const void *return_address) {
    if (!rec)
        return;
    char exe[PT_PATH_MAX];
    struct module m = {0, NULL};
    if (find_module(return_address, &m, exe, sizeof exe) && first_sighting(m.base))
        record_module(&m);
    struct pt_record *site = pt_instant(PT_EV_CALLSITE, rec->fd, NULL, pt_record_offset(rec), 0,
                                        (uint32_t)(sizeof(struct pt_callsite_payload) + 1));
    if (!site)
        return;
    struct pt_callsite_payload *p = (struct pt_callsite_payload *)(site + 1);
    p->addr = (uintptr_t)return_address;
    p->module_base = m.base;
    p->symbol_addr = 0;
    ((char *)(p + 1))[0] = '\0'; /* no symbol: see the top of this file */
    site->data_len = (uint32_t)(sizeof *p + 1);
    pt_commit(site);
}
