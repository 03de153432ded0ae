/* Reading memory the program handed us before the kernel has looked at it.
 *
 * A wrapper must not fault where the real call would have returned EFAULT
 * (a bad iovec array, argv, envp, a PROT_NONE page).  Where it needs such
 * memory before the call, it asks the kernel first whether each page can
 * be read: one cheap system call per page (see safemem.c), none for memory
 * the kernel itself has already read (after a call that succeeded). */
#ifndef PIPETRACE_PRELOAD_SAFEMEM_H
#define PIPETRACE_PRELOAD_SAFEMEM_H

#include <stddef.h>
#include <stdint.h>

/* Pages already found readable during one inspection, so that strings
 * packed on a few pages (argv and envp on the initial stack) cost a few
 * probes, not one per string. */
#define PT_MEMO_PAGES 16

struct pt_memo {
    uintptr_t pages[PT_MEMO_PAGES];
    unsigned count;
    unsigned next;
};

/* Whether [p, p + len) can be read without a fault. */
int pt_mem_readable(struct pt_memo *memo, const void *p, size_t len);

/* Whether the NUL-terminated string at s can be read to its end. */
int pt_str_readable(struct pt_memo *memo, const char *s);

/* Whether a NULL-terminated array of strings (argv, envp) and each of its
 * strings can be read.  A NULL array is fine: Linux takes it as empty. */
int pt_strv_readable(struct pt_memo *memo, char *const *v);

struct iovec;

/* Whether an iovec array of iovcnt entries (0..IOV_MAX) can be read. */
int pt_iov_readable(const struct iovec *iov, int iovcnt);

/* The sum of the lengths of an iovec array known to be readable. */
uint64_t pt_iov_total(const struct iovec *iov, int iovcnt);

#endif
