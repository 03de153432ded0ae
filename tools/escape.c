/* C and JSON string escaping. */
#include "escape.h"

#include <string.h>

static int is_printable(uint8_t c) {
    return c >= 0x20 && c < 0x7f;
}

/* The short escape both C and JSON share for c, or 0 if it has none. */
static char short_escape(uint8_t c) {
    switch (c) {
    case '\n':
        return 'n';
    case '\t':
        return 't';
    case '\r':
        return 'r';
    case '\b':
        return 'b';
    case '\f':
        return 'f';
    case '\\':
        return '\\';
    case '"':
        return '"';
    default:
        return 0;
    }
}

void esc_c_quoted(FILE *out, const uint8_t *data, size_t len) {
    putc('"', out);
    for (size_t i = 0; i < len; i++) {
        uint8_t c = data[i];
        char e = short_escape(c);
        if (e != 0)
            fprintf(out, "\\%c", e);
        else if (is_printable(c))
            putc(c, out);
        else
            fprintf(out, "\\x%02x", c);
    }
    putc('"', out);
}

void esc_json_quoted(FILE *out, const uint8_t *data, size_t len) {
    putc('"', out);
    for (size_t i = 0; i < len; i++) {
        uint8_t c = data[i];
        char e = short_escape(c);
        if (e != 0)
            fprintf(out, "\\%c", e);
        else if (is_printable(c))
            putc(c, out);
        else
            fprintf(out, "\\u%04x", c);
    }
    putc('"', out);
}

void esc_json_str(FILE *out, const char *s) {
    esc_json_quoted(out, (const uint8_t *)s, strlen(s));
}

int esc_is_plain_word(const char *s) {
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++)
        if (!is_printable((uint8_t)*s) || strchr(" \"'\\$`!*?[]{}()<>|&;#~", *s))
            return 0;
    return 1;
}
