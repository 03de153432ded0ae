/* What tracebuild.c and tracebuild_compact.c share. */
#ifndef PIPETRACE_TRACEBUILD_IMPL_H
#define PIPETRACE_TRACEBUILD_IMPL_H

#include "test/tracebuild/tracebuild.h"

/* Appends bytes (or zeros) to the file, keeping f->off and f->error. */
void ptb_put(struct ptb_file *f, const void *bytes, size_t len);
void ptb_put_zeros(struct ptb_file *f, size_t n);

/* r as a compact record (its channel first when new, a note after when
 * needed); for ptb_add once ptb_goes_compact said so. */
uint64_t ptb_add_as_compact(struct ptb_file *f, const struct pt_record *r, const void *payload,
                            uint32_t len);

#endif /* PIPETRACE_TRACEBUILD_IMPL_H */
