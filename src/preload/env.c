/* Our environment variables, and putting them back where a program dropped
 * them.  See env.h. */
#define _GNU_SOURCE
#include "env.h"

#include <dlfcn.h>
#include <string.h>
#include <sys/mman.h>

#include "next_symbol.h"
#include "src/writer/sys.h"
#include "state.h"

/* The variables that make a child traced the same way as its parent.  The
 * directory is passed on absolute, so a child that changed directory still
 * records into the same trace. */
enum {
    VAR_DIR,
    VAR_DATA,
    VAR_ALL_FDS,
    VAR_FOLLOW,
    VAR_VERBOSE,
    VAR_INJECT,
    VAR_INJECT_SEED,
    VAR_FULL_RECORDS,
    VAR_COUNT
};
static const char *const var_names[VAR_COUNT] = {
    "PIPETRACE_DIR",     "PIPETRACE_DATA",   "PIPETRACE_ALL_FDS",     "PIPETRACE_FOLLOW",
    "PIPETRACE_VERBOSE", "PIPETRACE_INJECT", "PIPETRACE_INJECT_SEED", "PIPETRACE_FULL_RECORDS"};
/* "LD_PRELOAD=<our library>" and the "NAME=value" of each variable passed
 * on, packed one after the other: a process touches the page or two they
 * fill, not a page per variable (six page faults in every process). */
#define ENTRY_ROOM (PT_PATH_MAX + 32)
static char entries[(VAR_COUNT + 1) * ENTRY_ROOM];
static const char *vars[VAR_COUNT];    /* in entries, or NULL */
static const char *preload_entry = ""; /* in entries, or "" */
static const char *our_library;        /* inside preload_entry */
static int following = 1;

/* The first letter inline: most variables differ there, and a call to
 * strncmp for each was most of the start-up cost of this file. */
static const char *lookup(char *const envp[], const char *name, size_t len) {
    for (char *const *e = envp; e && *e; e++)
        if ((*e)[0] == name[0] && strncmp(*e, name, len) == 0 && (*e)[len] == '=')
            return *e;
    return NULL;
}

/* "name=value" at *at, which moves past it; NULL when it is too long. */
static const char *keep(char **at, const char *name, const char *value) {
    size_t name_len = strlen(name), value_len = strlen(value);
    if (name_len + 1 + value_len + 1 > ENTRY_ROOM)
        return NULL;
    char *slot = *at;
    memcpy(slot, name, name_len);
    slot[name_len] = '=';
    memcpy(slot + name_len + 1, value, value_len + 1);
    *at += name_len + 1 + value_len + 1;
    return slot;
}

/* The path the loader knows this library by, which is what LD_PRELOAD
 * named (or NULL when it cannot be told). */
static const char *loaded_path(void) {
    const char *noted = pt_next_symbols_self_path();
    if (noted && noted[0])
        return noted; /* found at start-up, without dladdr's lock */
    Dl_info info;
    if (!dladdr((void *)pt_env_capture, &info) || !info.dli_fname || !info.dli_fname[0])
        return NULL;
    return info.dli_fname;
}

void pt_env_capture(char **envp) {
    pt_env_capture_as(envp, envp ? loaded_path() : NULL);
}

void pt_env_capture_as(char **envp, const char *library) {
    if (!envp) {
        following = 0; /* secure execution: pass nothing on */
        return;
    }
    char *at = entries;
    const char *kept = library ? keep(&at, "LD_PRELOAD", library) : NULL;
    preload_entry = kept ? kept : "";
    our_library = kept ? kept + strlen("LD_PRELOAD=") : NULL;
    for (int i = 0; i < VAR_COUNT; i++) {
        const char *entry = lookup(envp, var_names[i], strlen(var_names[i]));
        const char *value = entry ? entry + strlen(var_names[i]) + 1 : NULL;
        if (i == VAR_DIR)
            value = pt_config.dir;
        vars[i] = value ? keep(&at, var_names[i], value) : NULL;
    }
    const char *follow = lookup(envp, "PIPETRACE_FOLLOW", strlen("PIPETRACE_FOLLOW"));
    following = !(follow && strcmp(follow, "PIPETRACE_FOLLOW=0") == 0);
}

int pt_env_following(void) {
    return following && our_library;
}

size_t pt_env_fixed_len(char *const envp[]) {
    size_t n = 0;
    for (char *const *e = envp; e && *e; e++)
        n++;
    return n + VAR_COUNT + 2;
}

/* Whether LD_PRELOAD's value names our library among its entries, which
 * ld.so separates with spaces or colons. */
static int names_our_library(const char *value) {
    size_t len = strlen(our_library);
    for (const char *p = value; (p = strstr(p, our_library)); p += len) {
        int starts = p == value || p[-1] == ':' || p[-1] == ' ';
        int ends = p[len] == '\0' || p[len] == ':' || p[len] == ' ';
        if (starts && ends)
            return 1;
    }
    return 0;
}

static const char *preload_for(const char *existing, char *buf, size_t buf_len) {
    if (!existing)
        return preload_entry;
    const char *value = existing + strlen("LD_PRELOAD=");
    if (names_our_library(value))
        return existing;
    size_t need = strlen(preload_entry) + 1 + strlen(value) + 1;
    if (need > buf_len)
        return existing;
    /* Ours first, so that our wrappers see the calls before other preloads. */
    strcpy(buf, preload_entry);
    if (*value) {
        strcat(buf, ":");
        strcat(buf, value);
    }
    return buf;
}

char *const *pt_env_fix(char *const envp[], char **out, char *preload_buf, size_t preload_buf_len) {
    if (!pt_env_following())
        return envp;
    const char *old_preload = lookup(envp, "LD_PRELOAD", strlen("LD_PRELOAD"));
    const char *new_preload = preload_for(old_preload, preload_buf, preload_buf_len);
    int changed = new_preload != old_preload;
    size_t n = 0;
    for (char *const *e = envp; e && *e; e++)
        out[n++] = *e == old_preload ? (char *)new_preload : *e;
    if (!old_preload)
        out[n++] = (char *)new_preload;
    for (int i = 0; i < VAR_COUNT; i++) {
        if (!vars[i] || lookup(envp, var_names[i], strlen(var_names[i])))
            continue;
        out[n++] = (char *)vars[i];
        changed = 1;
    }
    out[n] = NULL;
    return changed ? out : envp;
}

int pt_env_keeps_tracing(char *const envp[]) {
    if (!our_library)
        return 1; /* we cannot tell; say nothing rather than something wrong */
    const char *preload = lookup(envp, "LD_PRELOAD", strlen("LD_PRELOAD"));
    return preload && names_our_library(preload + strlen("LD_PRELOAD="));
}

char *const *pt_env_prepare(struct pt_env_room *room, char *const envp[]) {
    room->len = pt_env_fixed_len(envp);
    room->slots = room->small;
    if (room->len > PT_ENV_SMALL) {
        void *p = pt_sys_mmap(NULL, room->len * sizeof(char *), PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        room->slots = pt_sys_failed((long)p) ? NULL : p;
    }
    if (!room->slots)
        return envp;
    return pt_env_fix(envp, room->slots, room->preload, sizeof room->preload);
}

void pt_env_release(struct pt_env_room *room) {
    if (room->slots && room->slots != room->small)
        pt_sys_munmap(room->slots, room->len * sizeof(char *));
    room->slots = NULL;
}
