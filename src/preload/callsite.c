/* Call sites of fd-creating calls.  See callsite.h. */
#define _GNU_SOURCE
#include "callsite.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <string.h>

#include "recorder.h"

#define MAX_MODULES 128

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

/* The GNU build id, read from the PT_NOTE segments of the mapped module. */
static uint32_t build_id_of(uintptr_t base, uint8_t *out, uint32_t room) {
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)base;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
        return 0;
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)(base + eh->e_phoff);
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
        const uint8_t *end = p + ph[i].p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
            const uint8_t *name = p + sizeof *nh;
            const uint8_t *desc = name + ((nh->n_namesz + 3) & ~3u);
            if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && memcmp(name, "GNU", 4) == 0 &&
                nh->n_descsz <= room) {
                memcpy(out, desc, nh->n_descsz);
                return nh->n_descsz;
            }
            p = desc + ((nh->n_descsz + 3) & ~3u);
        }
    }
    return 0;
}

static void record_module(uintptr_t base, const char *path) {
    struct pt_record *rec = pt_event(PT_EV_MODULE, -1, NULL, base, 0,
                                     sizeof(struct pt_module_payload) + PT_STRINGS_MAX);
    if (!rec)
        return;
    struct pt_module_payload *m = (struct pt_module_payload *)(rec + 1);
    m->base = base;
    m->build_id_len = build_id_of(base, m->build_id, sizeof m->build_id);
    size_t len = strnlen(path, PT_STRINGS_MAX - 1);
    memcpy((char *)(m + 1), path, len);
    ((char *)(m + 1))[len] = '\0';
    rec->data_len = (uint32_t)(sizeof *m + len + 1);
    pt_commit_captured(rec);
}

void pt_note_callsite(const struct pt_record *rec, const void *return_address) {
    if (!rec)
        return;
    Dl_info info;
    if (!dladdr(return_address, &info))
        memset(&info, 0, sizeof info);
    uintptr_t base = (uintptr_t)info.dli_fbase;
    if (base && info.dli_fname && first_sighting(base))
        record_module(base, info.dli_fname);
    const char *symbol = info.dli_sname ? info.dli_sname : "";
    size_t len = strnlen(symbol, 1024);
    struct pt_record *site = pt_event(PT_EV_CALLSITE, rec->fd, NULL, pt_record_offset(rec), 0,
                                      (uint32_t)(sizeof(struct pt_callsite_payload) + len + 1));
    if (!site)
        return;
    struct pt_callsite_payload *p = (struct pt_callsite_payload *)(site + 1);
    p->addr = (uintptr_t)return_address;
    p->module_base = base;
    p->symbol_addr = (uintptr_t)info.dli_saddr;
    memcpy((char *)(p + 1), symbol, len);
    ((char *)(p + 1))[len] = '\0';
    site->data_len = (uint32_t)(sizeof *p + len + 1);
    pt_commit(site);
}
