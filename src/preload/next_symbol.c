/* Symbols of the objects loaded after ours.  See next_symbol.h.
 *
 * The rules are the loader's (glibc elf/dl-lookup.c) for dlsym(RTLD_NEXT):
 * objects in load order, which for everything loaded at start-up is the
 * global search order; in each, a defined global or weak symbol of a
 * function or data type; where the object versions its symbols, one with
 * no version, or else the only version that is not hidden (the default,
 * name@@VERSION).  Objects loaded later by dlopen are not noted: a name
 * found in none of the noted ones is left to dlsym, as is an indirect
 * function (its resolver is the loader's to run). */
#define _GNU_SOURCE
#include "next_symbol.h"

#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>

#define MAX_OBJECTS 64

struct object {
    const ElfW(Sym) * symbols;
    const char *strings;
    const uint32_t *gnu_hash;    /* DT_GNU_HASH, or NULL */
    const uint32_t *sysv_hash;   /* DT_HASH, used when there is no GNU one */
    const ElfW(Half) * versions; /* DT_VERSYM, or NULL */
    uintptr_t bias;
};

static struct object objects[MAX_OBJECTS];
static int object_count;
static const char *self_path;

/* The loader rewrites the addresses in a writable dynamic section to
 * absolute ones; a read-only one (the vDSO's) keeps them relative. */
static uintptr_t absolute(uintptr_t bias, ElfW(Addr) ptr) {
    return ptr < bias ? bias + ptr : ptr;
}

static int describe(const struct dl_phdr_info *info, struct object *o) {
    const ElfW(Dyn) *dyn = NULL;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
            dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    if (!dyn)
        return -1;
    uintptr_t bias = info->dlpi_addr;
    *o = (struct object){.bias = bias};
    for (; dyn->d_tag != DT_NULL; dyn++) {
        uintptr_t at = absolute(bias, dyn->d_un.d_ptr);
        switch (dyn->d_tag) {
        case DT_SYMTAB:
            o->symbols = (const ElfW(Sym) *)at;
            break;
        case DT_STRTAB:
            o->strings = (const char *)at;
            break;
        case DT_GNU_HASH:
            o->gnu_hash = (const uint32_t *)at;
            break;
        case DT_HASH:
            o->sysv_hash = (const uint32_t *)at;
            break;
        case DT_VERSYM:
            o->versions = (const ElfW(Half) *)at;
            break;
        }
    }
    return o->symbols && o->strings && (o->gnu_hash || o->sysv_hash) ? 0 : -1;
}

static int holds(const struct dl_phdr_info *info, uintptr_t addr) {
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && addr >= lo && addr - lo < ph->p_memsz)
            return 1;
    }
    return 0;
}

struct walk {
    uintptr_t self;
    int found;
};

static int visit(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct walk *walk = data;
    if (!walk->found) {
        if (holds(info, walk->self)) {
            walk->found = 1;
            self_path = info->dlpi_name;
        }
        return 0;
    }
    if (object_count == MAX_OBJECTS)
        return 1;
    /* The vDSO is on the loader's list but not in its search order (it
     * follows the main program there, which matters when that is us). */
    if (info->dlpi_addr == getauxval(AT_SYSINFO_EHDR))
        return 0;
    if (describe(info, &objects[object_count]) == 0)
        object_count++;
    return 0;
}

int pt_next_symbols_note(const void *self) {
    struct walk walk = {(uintptr_t)self, 0};
    object_count = 0;
    dl_iterate_phdr(visit, &walk);
    if (!walk.found)
        object_count = 0;
    return walk.found ? 0 : -1;
}

const char *pt_next_symbols_self_path(void) {
    return self_path;
}

/* --- one object ----------------------------------------------------------- */

#define ACCEPTED_TYPES                                                                             \
    (1u << STT_NOTYPE | 1u << STT_OBJECT | 1u << STT_FUNC | 1u << STT_COMMON | 1u << STT_GNU_IFUNC)

/* What one name-matching entry is to an unversioned lookup. */
enum verdict { SKIP, TAKE, DEFAULT_VERSION };

static enum verdict judge(const struct object *o, uint32_t index, const char *name) {
    const ElfW(Sym) *sym = &o->symbols[index];
    unsigned type = ELF64_ST_TYPE(sym->st_info), bind = ELF64_ST_BIND(sym->st_info);
    if (sym->st_shndx == SHN_UNDEF || (sym->st_value == 0 && sym->st_shndx != SHN_ABS) ||
        !(ACCEPTED_TYPES & 1u << type) ||
        (bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_GNU_UNIQUE) ||
        strcmp(o->strings + sym->st_name, name) != 0)
        return SKIP;
    if (!o->versions || (o->versions[index] & 0x7fff) < 2)
        return TAKE; /* no version: the loader takes it at once */
    return (o->versions[index] & 0x8000) ? SKIP : DEFAULT_VERSION;
}

/* A name's candidates in one object: the first without a version wins;
 * else a versioned one counts only if it is the only one not hidden. */
struct pick {
    const ElfW(Sym) * taken;
    const ElfW(Sym) * versioned;
    int versioned_count;
};

static int consider(const struct object *o, uint32_t index, const char *name, struct pick *pick) {
    switch (judge(o, index, name)) {
    case TAKE:
        pick->taken = &o->symbols[index];
        return 1;
    case DEFAULT_VERSION:
        if (pick->versioned_count++ == 0)
            pick->versioned = &o->symbols[index];
        return 0;
    default:
        return 0;
    }
}

static uint32_t gnu_hash_of(const char *name) {
    uint32_t h = 5381;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = h * 33 + *p;
    return h;
}

static uint32_t sysv_hash_of(const char *name) {
    uint32_t h = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h = (h << 4) + *p;
        uint32_t g = h & 0xf0000000u;
        if (g)
            h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

#define WORD_BITS (8 * sizeof(ElfW(Addr)))

/* DT_GNU_HASH: buckets, bloom filter, then a chain of hashes whose low bit
 * ends it (the symbols of one bucket are adjacent). */
static void search_gnu(const struct object *o, const char *name, uint32_t h, struct pick *pick) {
    const uint32_t *table = o->gnu_hash;
    uint32_t buckets_n = table[0], first = table[1], bloom_n = table[2], shift = table[3];
    if (!buckets_n || !bloom_n)
        return;
    const ElfW(Addr) *bloom = (const ElfW(Addr) *)(table + 4);
    const uint32_t *buckets = (const uint32_t *)(bloom + bloom_n);
    const uint32_t *chain = buckets + buckets_n;
    ElfW(Addr) word = bloom[(h / WORD_BITS) % bloom_n];
    ElfW(Addr) bits = (ElfW(Addr))1 << (h % WORD_BITS) | (ElfW(Addr))1
                                                             << ((h >> shift) % WORD_BITS);
    if ((word & bits) != bits)
        return;
    uint32_t index = buckets[h % buckets_n];
    if (index < first)
        return;
    for (;; index++) {
        uint32_t entry = chain[index - first];
        if ((entry | 1) == (h | 1) && consider(o, index, name, pick))
            return;
        if (entry & 1)
            return;
    }
}

/* DT_HASH: nbucket, nchain, buckets, chains. */
static void search_sysv(const struct object *o, const char *name, struct pick *pick) {
    const uint32_t *table = o->sysv_hash;
    uint32_t buckets_n = table[0];
    if (!buckets_n)
        return;
    const uint32_t *buckets = table + 2, *chain = buckets + buckets_n;
    uint32_t h = sysv_hash_of(name);
    for (uint32_t index = buckets[h % buckets_n]; index != STN_UNDEF; index = chain[index])
        if (consider(o, index, name, pick))
            return;
}

void *pt_next_symbol(const char *name) {
    uint32_t gnu = gnu_hash_of(name);
    for (int i = 0; i < object_count; i++) {
        const struct object *o = &objects[i];
        struct pick pick = {NULL, NULL, 0};
        if (o->gnu_hash)
            search_gnu(o, name, gnu, &pick);
        else
            search_sysv(o, name, &pick);
        const ElfW(Sym) *sym = pick.taken;
        if (!sym && pick.versioned_count == 1)
            sym = pick.versioned;
        if (!sym)
            continue;
        if (ELF64_ST_TYPE(sym->st_info) == STT_GNU_IFUNC)
            return NULL;
        return (void *)(sym->st_shndx == SHN_ABS ? sym->st_value : o->bias + sym->st_value);
    }
    return NULL;
}
