/* Quoting bytes for the two output forms of `pipetrace dump`. */
#ifndef PIPETRACE_TOOLS_ESCAPE_H
#define PIPETRACE_TOOLS_ESCAPE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes data as a double-quoted C string the way strace does: \n \t \r
 * \\ \" escaped, other non-printable bytes as \xNN. */
void esc_c_quoted(FILE *out, const uint8_t *data, size_t len);

/* Writes data as a JSON string in which every byte is one code point:
 * printable ASCII as itself, the rest as \u00XX (or \n, \t, ...), so that
 * the exact bytes can be recovered from the string. */
void esc_json_quoted(FILE *out, const uint8_t *data, size_t len);

/* The same for a NUL-terminated string. */
void esc_json_str(FILE *out, const char *s);

/* True if s can be shown bare in a command line (no quoting needed). */
int esc_is_plain_word(const char *s);

#endif /* PIPETRACE_TOOLS_ESCAPE_H */
