/* Inherited fds.  See inherit.h. */
#define _GNU_SOURCE
#include "inherit.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>

#include "fdcache.h"
#include "pipetrace/format.h"
#include "recorder.h"
#include "src/trace/sys.h"
#include "state.h"

#define MAX_INHERITED 256
#define PROBE_WITHOUT_PROC 256

struct inherited_fd {
    int fd;
    struct pt_fdinfo info;
};

static struct inherited_fd inherited[MAX_INHERITED];
static int inherited_count;

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static void note(int fd) {
    if (inherited_count >= MAX_INHERITED)
        return;
    struct inherited_fd *slot = &inherited[inherited_count];
    pt_fd_identify(fd, &slot->info);
    if (slot->info.kind == PT_OBJ_UNKNOWN)
        return;
    slot->fd = fd;
    pt_fd_learn(fd, &slot->info);
    inherited_count++;
}

static int parse_fd(const char *name) {
    int n = 0;
    if (!*name)
        return -1;
    for (; *name; name++) {
        if (*name < '0' || *name > '9' || n > 100000000)
            return -1;
        n = n * 10 + (*name - '0');
    }
    return n;
}

static void scan_dir(int dirfd) {
    char buf[4096] __attribute__((aligned(8)));
    for (;;) {
        long n = PT_SYS3(SYS_getdents64, dirfd, buf, sizeof buf);
        if (n <= 0)
            return;
        for (long off = 0; off < n;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
            int fd = parse_fd(d->d_name);
            if (fd >= 0 && fd != dirfd)
                note(fd);
            off += d->d_reclen;
        }
    }
}

void pt_scan_inherited(void) {
    inherited_count = 0;
    int dirfd = pt_sys_openat(AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (dirfd >= 0) {
        scan_dir(dirfd);
        pt_sys_close(dirfd);
        return;
    }
    /* No /proc (a chroot, a container without it): probe the low numbers. */
    for (int fd = 0; fd < PROBE_WITHOUT_PROC; fd++)
        if (PT_SYS3(SYS_fcntl, fd, F_GETFD, 0) >= 0)
            note(fd);
}

int pt_inherited_worth_a_file(void) {
    for (int i = 0; i < inherited_count; i++)
        if (inherited[i].fd > 2)
            return 1;
    return 0;
}

void pt_record_inherited(void) {
    for (int i = 0; i < inherited_count; i++) {
        struct pt_record *rec =
            pt_event(PT_EV_INHERITED_FD, inherited[i].fd, &inherited[i].info, 0, 0, 0);
        if (!rec)
            return;
        rec->t_start = rec->t_end = pt_image.start_mono_ns;
        pt_commit(rec);
    }
}

void pt_forget_inherited(void) {
    if (inherited_count) /* a fork child writes only what it must (a page copied) */
        inherited_count = 0;
}
