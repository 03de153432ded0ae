/* What a user calls a process: the program's name, and for an
 * interpreter the script it runs ("python3 worker.py", "sh build.sh",
 * "sh -c 'yes | head -n 1'"), not the interpreter alone. */
#ifndef PIPETRACE_ANALYSIS_PROCNAME_H
#define PIPETRACE_ANALYSIS_PROCNAME_H

#include <stddef.h>

#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PT_NAME_MAX 64 /* longer names are cut, with "..." */

/* The name from an argv (exe when argv is empty) into buf. */
void pt_name_argv(const char *const *argv, size_t argc, const char *exe, char *buf, size_t len);

/* The name of the program an image ran, or a process ran last. */
void pt_image_name(const struct pt_image *img, char *buf, size_t len);
void pt_process_name(const struct pt_process *p, char *buf, size_t len);

/* The image's name for a message: valid until 16 more calls (a ring of
 * buffers, so that one printf can name several processes). */
const char *pt_short_exe(const struct pt_image *img);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_ANALYSIS_PROCNAME_H */
