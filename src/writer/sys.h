/* Raw system calls for code that runs inside traced programs.
 *
 * The recorder must not re-enter its own wrappers (close, read, ...) nor
 * depend on libc state that a traced program may have disturbed, so it goes
 * to the kernel directly.  Each returns the result, or -errno on failure,
 * and leaves errno alone.
 */
#ifndef PIPETRACE_WRITER_SYS_H
#define PIPETRACE_WRITER_SYS_H

#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

static inline long pt_syscall6(long nr, long a, long b, long c, long d, long e, long f) {
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

#define PT_SYS3(nr, a, b, c) pt_syscall6((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)

static inline int pt_sys_openat(int dirfd, const char *path, int flags, int mode) {
    return (int)pt_syscall6(SYS_openat, dirfd, (long)path, flags, mode, 0, 0);
}

static inline int pt_sys_close(int fd) {
    return (int)PT_SYS3(SYS_close, fd, 0, 0);
}

static inline long pt_sys_read(int fd, void *buf, size_t n) {
    return PT_SYS3(SYS_read, fd, buf, n);
}

static inline long pt_sys_write(int fd, const void *buf, size_t n) {
    return PT_SYS3(SYS_write, fd, buf, n);
}

static inline int pt_sys_unlink(const char *path) {
    return (int)PT_SYS3(SYS_unlinkat, AT_FDCWD, path, 0);
}

static inline int pt_sys_unlinkat(int dirfd, const char *path) {
    return (int)PT_SYS3(SYS_unlinkat, dirfd, path, 0);
}

/* The kernel's struct stat on x86-64 is glibc's struct stat. */
static inline int pt_sys_fstat(int fd, struct stat *st) {
    return (int)PT_SYS3(SYS_fstat, fd, st, 0);
}

static inline int pt_sys_ftruncate(int fd, uint64_t len) {
    return (int)PT_SYS3(SYS_ftruncate, fd, len, 0);
}

static inline int pt_sys_geteuid(void) {
    return (int)PT_SYS3(SYS_geteuid, 0, 0, 0);
}

/* Blocks every signal that can be blocked in this thread; *old receives
 * the mask to give back to pt_sys_setmask. */
static inline void pt_sys_block_signals(uint64_t *old) {
    uint64_t all = ~(uint64_t)0;
    pt_syscall6(SYS_rt_sigprocmask, SIG_BLOCK, (long)&all, (long)old, sizeof all, 0, 0);
}

static inline void pt_sys_setmask(uint64_t mask) {
    pt_syscall6(SYS_rt_sigprocmask, SIG_SETMASK, (long)&mask, 0, sizeof mask, 0, 0);
}

static inline void *pt_sys_mremap(void *old, size_t old_len, size_t new_len, int flags) {
    return (void *)pt_syscall6(SYS_mremap, (long)old, (long)old_len, (long)new_len, flags, 0, 0);
}

static inline int pt_sys_mkdir(const char *path, int mode) {
    return (int)PT_SYS3(SYS_mkdir, path, mode, 0);
}

static inline int pt_sys_fallocate(int fd, int mode, uint64_t off, uint64_t len) {
    return (int)pt_syscall6(SYS_fallocate, fd, mode, (long)off, (long)len, 0, 0);
}

static inline long pt_sys_pwrite(int fd, const void *buf, size_t n, uint64_t off) {
    return pt_syscall6(SYS_pwrite64, fd, (long)buf, (long)n, (long)off, 0, 0);
}

static inline void *pt_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, uint64_t off) {
    return (void *)pt_syscall6(SYS_mmap, (long)addr, (long)len, prot, flags, fd, (long)off);
}

static inline int pt_sys_munmap(void *addr, size_t len) {
    return (int)PT_SYS3(SYS_munmap, addr, len, 0);
}

static inline int pt_sys_mprotect(void *addr, size_t len, int prot) {
    return (int)PT_SYS3(SYS_mprotect, addr, len, prot);
}

static inline int pt_sys_madvise(void *addr, size_t len, int advice) {
    return (int)PT_SYS3(SYS_madvise, addr, len, advice);
}

static inline int pt_sys_getpid(void) {
    return (int)PT_SYS3(SYS_getpid, 0, 0, 0);
}
static inline int pt_sys_getppid(void) {
    return (int)PT_SYS3(SYS_getppid, 0, 0, 0);
}
static inline int pt_sys_gettid(void) {
    return (int)PT_SYS3(SYS_gettid, 0, 0, 0);
}

static inline long pt_sys_readlink(const char *path, char *buf, size_t n) {
    return PT_SYS3(SYS_readlink, path, buf, n);
}

/* Copies from our own memory without faulting: EFAULT where it is not
 * mapped. */
static inline long pt_sys_read_own_memory(void *to, const void *from, size_t n, int pid) {
    struct {
        const void *base;
        size_t len;
    } local = {to, n}, remote = {from, n};
    return pt_syscall6(SYS_process_vm_readv, pid, (long)&local, 1, (long)&remote, 1, 0);
}

/* Copies into our own memory through the kernel's mapping of its pages,
 * not ours: the pages of `to` need no first touch from user code. */
static inline long pt_sys_write_own_memory(void *to, const void *from, size_t n) {
    struct {
        const void *base;
        size_t len;
    } local = {from, n}, remote = {to, n};
    long pid = PT_SYS3(SYS_getpid, 0, 0, 0);
    return pt_syscall6(SYS_process_vm_writev, pid, (long)&local, 1, (long)&remote, 1, 0);
}

static inline int pt_sys_sched_yield(void) {
    return (int)PT_SYS3(SYS_sched_yield, 0, 0, 0);
}

/* Mapping calls return addresses near the top of the space on failure. */
static inline int pt_sys_failed(long ret) {
    return ret < 0 && ret > -4096;
}

#endif /* PIPETRACE_WRITER_SYS_H */
