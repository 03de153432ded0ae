/* Naming processes as users know them. */
#include "procname.h"

#include <stdio.h>
#include <string.h>

/* Programs whose first operand is the program that really runs. */
static const char *const interpreters[] = {
    "python", "perl",   "sh",   "bash", "dash", "zsh",   "ksh",     "mksh",
    "node",   "nodejs", "ruby", "php",  "lua",  "tclsh", "Rscript",
};

static const char *base(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* "python3", "python3.11", "perl5.36" count as python and perl. */
static int is_interpreter(const char *name) {
    for (size_t i = 0; i < sizeof interpreters / sizeof *interpreters; i++) {
        size_t n = strlen(interpreters[i]);
        if (strncmp(name, interpreters[i], n) == 0 &&
            strspn(name + n, "0123456789.") == strlen(name + n))
            return 1;
    }
    return 0;
}

/* Options that take the program text or a module name as their value:
 * `sh -c`, `python3 -c/-m`, `perl -e/-E`, `ruby -e`, `node -e/-p`.  For a
 * shell -e is errexit, an option like any other. */
static int takes_program(const char *interp, const char *opt) {
    if (strcmp(opt, "-c") == 0)
        return strncmp(interp, "perl", 4) != 0 && strncmp(interp, "ruby", 4) != 0;
    if (strcmp(opt, "-m") == 0)
        return strncmp(interp, "python", 6) == 0;
    if (strcmp(opt, "-e") == 0 || strcmp(opt, "-E") == 0)
        return strncmp(interp, "perl", 4) == 0 || strncmp(interp, "ruby", 4) == 0 ||
               strncmp(interp, "node", 4) == 0;
    if (strcmp(opt, "-p") == 0 || strcmp(opt, "--eval") == 0 || strcmp(opt, "--print") == 0)
        return strncmp(interp, "node", 4) == 0;
    return 0;
}

/* Appends s to buf (used so far), cutting with "..." when it does not fit. */
static size_t append(char *buf, size_t len, size_t used, const char *s) {
    if (used + 1 >= len)
        return used;
    int n = snprintf(buf + used, len - used, "%s", s);
    if (n < 0)
        return used;
    if ((size_t)n >= len - used) {
        if (len >= 4)
            memcpy(buf + len - 4, "...", 4);
        return len - 1;
    }
    return used + (size_t)n;
}

/* What follows the interpreter's name: the script's file name, or the
 * -c/-e text (quoted) or -m module; nothing when neither is there (a
 * shell reading its stdin). */
static size_t append_script(char *buf, size_t len, size_t used, const char *interp,
                            const char *const *argv, size_t argc) {
    for (size_t i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (takes_program(interp, a) && i + 1 < argc) {
            used = append(buf, len, used, " ");
            used = append(buf, len, used, a);
            used = append(buf, len, used, strcmp(a, "-m") == 0 ? " " : " '");
            used = append(buf, len, used, argv[i + 1]);
            return strcmp(a, "-m") == 0 ? used : append(buf, len, used, "'");
        }
        if (strcmp(a, "--") == 0)
            continue;
        if (a[0] == '-' && a[1] != '\0')
            continue; /* -u, -x, -W...: options of the interpreter */
        used = append(buf, len, used, " ");
        return append(buf, len, used, base(a));
    }
    return used;
}

/* A name is one line: the newlines and tabs of a -c text become spaces. */
static void one_line(char *s) {
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < ' ')
            *s = ' ';
}

void pt_name_argv(const char *const *argv, size_t argc, const char *exe, char *buf, size_t len) {
    if (len == 0)
        return;
    buf[0] = '\0';
    const char *first = argc > 0 && argv[0][0] != '\0' ? base(argv[0]) : base(exe ? exe : "");
    /* A login shell's argv[0] is "-bash". */
    const char *name = first[0] == '-' && first[1] != '\0' ? first + 1 : first;
    size_t used = append(buf, len, 0, name[0] != '\0' ? name : "?");
    if (is_interpreter(name))
        append_script(buf, len, used, name, argv, argc);
    one_line(buf);
}

void pt_image_name(const struct pt_image *img, char *buf, size_t len) {
    pt_name_argv((const char *const *)img->file->argv, img->file->argc, pt_image_exe(img), buf,
                 len);
}

void pt_process_name(const struct pt_process *p, char *buf, size_t len) {
    pt_name_argv(p->argv, p->argc, p->exe, buf, len);
}

const char *pt_short_exe(const struct pt_image *img) {
    static char ring[16][PT_NAME_MAX];
    static unsigned next;
    char *buf = ring[next++ % 16];
    pt_image_name(img, buf, PT_NAME_MAX);
    return buf;
}
