/* Inspection of exec targets.  See inspect.h. */
#define _GNU_SOURCE
#include "inspect.h"

#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "env.h"
#include "pipetrace/format.h"
#include "recorder.h"
#include "src/writer/sys.h"
#include "src/writer/writer.h"

#define PHDR_BUF 1024 /* 18 program headers; programs have about 12 */

static long read_at(int fd, void *buf, size_t n, long off) {
    return pt_syscall6(SYS_pread64, fd, (long)buf, (long)n, off, 0, 0);
}

/* The loader ignores LD_PRELOAD in secure mode (AT_SECURE), which the
 * kernel sets when an exec changes the process's credentials: its effective
 * uid or gid then differs from its real one (a set-id file, or a caller that
 * already runs set-id), or a process not run by root gains capabilities from
 * the file.  Set-id bits and file capabilities do nothing on a nosuid mount
 * or under no_new_privs.  (A security module can also ask for secure mode;
 * that we cannot see.) */
struct ids {
    unsigned ruid, euid, suid, rgid, egid, sgid;
};

static int get_ids(struct ids *ids) {
    return PT_SYS3(SYS_getresuid, &ids->ruid, &ids->euid, &ids->suid) == 0 &&
           PT_SYS3(SYS_getresgid, &ids->rgid, &ids->egid, &ids->sgid) == 0;
}

static int has_file_caps(int fd) {
    char caps[64];
    return pt_syscall6(SYS_fgetxattr, fd, (long)"security.capability", (long)caps, sizeof caps, 0,
                       0) > 0;
}

/* Whether set-id bits and file capabilities take effect for this exec. */
static int file_privileges_apply(int fd) {
    if (PT_SYS3(SYS_prctl, PR_GET_NO_NEW_PRIVS, 0, 0) == 1)
        return 0;
    struct statfs fs;
    return PT_SYS3(SYS_fstatfs, fd, &fs, 0) != 0 || !(fs.f_flags & ST_NOSUID);
}

static int secure_mode(int fd, const struct stat *st) {
    struct ids ids;
    if (!get_ids(&ids))
        return 0;
    int setuid = (st->st_mode & S_ISUID) != 0;
    int setgid = (st->st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP);
    int caps = ids.ruid != 0 && has_file_caps(fd);
    int applies = (setuid || setgid || caps) && file_privileges_apply(fd);
    unsigned new_euid = applies && setuid ? (unsigned)st->st_uid : ids.euid;
    unsigned new_egid = applies && setgid ? (unsigned)st->st_gid : ids.egid;
    return new_euid != ids.ruid || new_egid != ids.rgid || (applies && caps);
}

/* The program headers, from the bytes read with the ELF header when they
 * follow it there (as in every usual program: one read per exec), else
 * read on their own into the same buffer. */
static int has_interp(int fd, const Elf64_Ehdr *eh, uint8_t *head, size_t room, long head_len) {
    size_t n = eh->e_phnum, len = n * sizeof(Elf64_Phdr);
    if (eh->e_phentsize != sizeof(Elf64_Phdr) || len > room)
        return 1; /* unusual: let the loader decide */
    const uint8_t *phdrs = head + eh->e_phoff;
    if (eh->e_phoff > (uint64_t)head_len || len > (uint64_t)head_len - eh->e_phoff) {
        if (read_at(fd, head, len, (long)eh->e_phoff) != (long)len)
            return 1;
        phdrs = head;
    }
    for (size_t i = 0; i < n; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, phdrs + i * sizeof ph, sizeof ph);
        if (ph.p_type == PT_INTERP)
            return 1;
    }
    return 0;
}

static int elf_reason(int fd) {
    uint8_t head[sizeof(Elf64_Ehdr) + PHDR_BUF];
    Elf64_Ehdr eh;
    long n = read_at(fd, head, sizeof head, 0);
    if (n >= 2 && memcmp(head, "#!", 2) == 0)
        return 0; /* a script: its interpreter is what runs */
    if (n < (long)sizeof eh)
        return PT_UNTRACED_NOT_ELF;
    memcpy(&eh, head, sizeof eh);
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
        return PT_UNTRACED_NOT_ELF;
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64)
        return PT_UNTRACED_FOREIGN;
    return has_interp(fd, &eh, head, sizeof head, n) ? 0 : PT_UNTRACED_STATIC;
}

/* Looks before it opens: opening a FIFO blocks until a writer comes (and
 * wakes one up), opening a device can act on it, and the exec of either
 * fails anyway.  A regular file is opened without blocking (a lease) and
 * only if it is still the file that was looked at. */
int pt_inspect_exec_target(int dirfd, const char *path) {
    struct stat st, opened;
    if (pt_syscall6(SYS_newfstatat, dirfd, (long)path, (long)&st, 0, 0, 0) != 0 ||
        !S_ISREG(st.st_mode))
        return 0;
    int fd = pt_sys_openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    int reason = 0;
    if (PT_SYS3(SYS_fstat, fd, &opened, 0) == 0 && S_ISREG(opened.st_mode) &&
        opened.st_ino == st.st_ino && opened.st_dev == st.st_dev) {
        reason = elf_reason(fd);
        if (!reason && secure_mode(fd, &opened))
            reason = PT_UNTRACED_SETID;
    }
    pt_sys_close(fd);
    return reason;
}

int pt_untraced_reason(int dirfd, const char *path, char *const envp[]) {
    int reason = pt_inspect_exec_target(dirfd, path);
    if (!reason && !pt_env_keeps_tracing(envp))
        reason = PT_UNTRACED_ENV;
    return reason;
}

static const char *path_of(char *const envp[]) {
    for (char *const *e = envp; e && *e; e++)
        if (strncmp(*e, "PATH=", 5) == 0)
            return *e + 5;
    return "/bin:/usr/bin";
}

int pt_search_path(const char *file, char *const envp[], char *out, size_t out_len) {
    size_t file_len = strlen(file);
    if (strchr(file, '/')) {
        if (file_len + 1 > out_len)
            return -1;
        memcpy(out, file, file_len + 1);
        return 0;
    }
    for (const char *dir = path_of(envp);;) {
        const char *end = strchrnul(dir, ':');
        size_t dir_len = (size_t)(end - dir);
        if (dir_len + 1 + file_len + 1 <= out_len) {
            memcpy(out, dir_len ? dir : ".", dir_len ? dir_len : 1);
            size_t at = dir_len ? dir_len : 1;
            out[at] = '/';
            memcpy(out + at + 1, file, file_len + 1);
            if (PT_SYS3(SYS_faccessat, AT_FDCWD, out, X_OK) == 0)
                return 0;
        }
        if (!*end)
            return -1;
        dir = end + 1;
    }
}

struct pt_record *pt_note_untraced(int dirfd, const char *target, int search, char *const envp[],
                                   int pid) {
    char path[PT_PATH_MAX]; /* the target found along PATH, or named by /proc */
    if (search) {
        if (pt_search_path(target, envp, path, sizeof path) < 0)
            return NULL;
        target = path;
    }
    int reason = pt_untraced_reason(dirfd, target, envp);
    if (!reason)
        return NULL;
    if (!search && strncmp(target, "/proc/self/fd/", 14) == 0) {
        long n = pt_sys_readlink(target, path, sizeof path - 1);
        if (n > 0) {
            path[n] = '\0';
            target = path;
        }
    }
    struct pt_record *rec = pt_instant(PT_EV_UNTRACED_CHILD, -1, NULL, (uint64_t)reason, pid,
                                       pt_strings_room(target, NULL));
    pt_put_strings(rec, target, NULL);
    pt_commit(rec);
    return rec;
}

void pt_untraced_failed(struct pt_record *rec, int err) {
    if (rec)
        __atomic_store_n(&rec->result, -(int64_t)err, __ATOMIC_RELEASE);
}
