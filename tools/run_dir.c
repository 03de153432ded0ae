/* The trace directory of `pipetrace run`: made or checked, and emptied of
 * an earlier run's trace files.
 *
 * `run` is often run as root in a shared place such as /tmp, where another
 * user may have planted a symbolic link or a directory of their own at the
 * name given to -o.  So the directory is opened once, without following a
 * link at its last component, its owner and mode are checked on that fd,
 * and every later step (listing, reading headers, unlinking) is relative to
 * it.  Only files that are trace files by their header are removed. */
#define _GNU_SOURCE
#include "run_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_util.h"
#include "pipetrace/format.h"

int run_is_trace_name(const char *name) {
    size_t digits = strspn(name, "0123456789");
    if (digits == 0 || name[digits] != '.')
        return 0;
    name += digits + 1;
    digits = strspn(name, "0123456789");
    return digits > 0 && strcmp(name + digits, PT_FILE_SUFFIX) == 0;
}

/* The directory itself, never what a link at its name points to. */
static int open_dir_nofollow(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0)
        return fd;
    struct stat st;
    if ((errno == ELOOP || errno == ENOTDIR) && lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
        cli_error("%s: is a symbolic link; give the trace directory itself (a link there "
                  "could send the trace and its clean-up elsewhere)",
                  dir);
    else if (errno == ENOTDIR)
        cli_error("%s: not a directory", dir);
    else
        cli_error("%s: cannot open the trace directory: %s", dir, strerror(errno));
    return -1;
}

/* Only its owner may be able to change what is in the trace directory:
 * another user who can could replace trace files under the traced program
 * or make `run` delete what they point at. */
static int check_dir_safe(int dfd, const char *dir) {
    struct stat st;
    if (fstat(dfd, &st) < 0) {
        cli_error("%s: %s", dir, strerror(errno));
        return -1;
    }
    if (st.st_uid != geteuid()) {
        cli_error("%s: owned by uid %u, not by you (uid %u); use a trace directory of your own",
                  dir, (unsigned)st.st_uid, (unsigned)geteuid());
        return -1;
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        cli_error("%s: writable by %s (mode %04o); use a directory only you can write "
                  "(chmod go-w %s)",
                  dir, st.st_mode & S_IWOTH ? "others" : "its group", st.st_mode & 07777, dir);
        return -1;
    }
    return 0;
}

/* True when name in dfd is a regular file that starts with the trace
 * magic, or is empty (a process that died before writing its header left
 * it; there is nothing in it to lose). */
static int is_trace_file(int dfd, const char *name) {
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    char magic[PT_MAGIC_LEN];
    int yes = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
              (st.st_size == 0 || (pread(fd, magic, sizeof magic, 0) == (ssize_t)sizeof magic &&
                                   memcmp(magic, PT_MAGIC, PT_MAGIC_LEN) == 0));
    close(fd);
    return yes;
}

/* Like strace -o, a run starts a new trace: the files of an earlier run
 * would otherwise mix with this one's. */
static int clear_old_trace(int dfd, const char *dir) {
    int lfd = dup(dfd); /* closedir closes the fd it was given */
    DIR *d = lfd >= 0 ? fdopendir(lfd) : NULL;
    if (d == NULL) {
        cli_error("%s: %s", dir, strerror(errno));
        if (lfd >= 0)
            close(lfd);
        return -1;
    }
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d)) != NULL;) {
        if (!run_is_trace_name(e->d_name))
            continue;
        if (!is_trace_file(dfd, e->d_name)) {
            fprintf(stderr, "pipetrace: warning: %s/%s: not a trace file, left in place\n", dir,
                    e->d_name);
        } else if (unlinkat(dfd, e->d_name, 0) < 0) {
            cli_error("%s/%s: cannot remove the earlier trace: %s", dir, e->d_name,
                      strerror(errno));
            rc = -1;
        }
    }
    closedir(d);
    return rc;
}

/* A directory made here gets 0700 whatever the umask: the library must be
 * able to write it, and nobody else to read it. */
static int make_dir(const char *dir, int *made) {
    *made = mkdir(dir, 0700) == 0;
    if (!*made && errno != EEXIST) {
        cli_error("%s: cannot create trace directory: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* The absolute path of the directory that was opened and checked, from its
 * fd (a name could be swapped since); realpath where /proc is missing. */
static int dir_path(int dfd, const char *dir, char *abs, size_t len) {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", dfd);
    ssize_t n = readlink(link, abs, len);
    if (n > 0 && (size_t)n < len && abs[0] == '/') {
        abs[n] = '\0';
        return 0;
    }
    char resolved[PATH_MAX];
    if (realpath(dir, resolved) != NULL && strlen(resolved) < len) {
        strcpy(abs, resolved);
        return 0;
    }
    cli_error("%s: cannot resolve: %s", dir, errno ? strerror(errno) : "path too long");
    return -1;
}

static int prepare(const char *dir, int append, char *abs, size_t len) {
    int made;
    if (make_dir(dir, &made) < 0)
        return -1;
    int dfd = open_dir_nofollow(dir);
    if (dfd < 0)
        return -1;
    int rc = -1;
    if (made && fchmod(dfd, 0700) < 0)
        cli_error("%s: %s", dir, strerror(errno));
    else if (check_dir_safe(dfd, dir) == 0 && dir_path(dfd, dir, abs, len) == 0 &&
             (append || clear_old_trace(dfd, dir) == 0))
        rc = 0;
    close(dfd);
    return rc;
}

/* "t/" and "t/." name what t points to when t is a link: the kernel
 * follows a link before a trailing slash even under O_NOFOLLOW.  Without
 * them the last component is t itself.  Returns a copy (free it), or NULL. */
static char *without_trailing_dots(const char *dir) {
    char *s = strdup(dir);
    if (s == NULL)
        return NULL;
    for (size_t n = strlen(s); n > 1;) {
        if (s[n - 1] == '/')
            s[--n] = '\0';
        else if (n >= 2 && s[n - 1] == '.' && s[n - 2] == '/')
            s[n -= 1] = '\0';
        else
            break;
    }
    return s;
}

int run_dir_prepare(const char *given, int append, char *abs, size_t len) {
    char *dir = without_trailing_dots(given);
    if (dir == NULL) {
        cli_error("out of memory");
        return -1;
    }
    int rc = prepare(dir, append, abs, len);
    free(dir);
    return rc;
}
