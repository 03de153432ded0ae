/* Naming the tracks of the Chrome export: one process per pid (named by the
 * command lines of its images: "sh -c ... -> seq 1 100000"), threads by
 * the image that first used them. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/flows_label.h"
#include "escape.h"
#include "export_chrome.h"
#include "trace/xalloc.h"

static void metadata(struct chrome *c, const char *what, int32_t pid, int32_t tid,
                     const char *name) {
    chrome_begin(c, "M", pid, tid, c->t0);
    fprintf(c->out, ",\"name\":\"%s\",\"args\":{\"name\":", what);
    esc_json_str(c->out, name);
    fputs("}}", c->out);
}

/* The files of a pid are next to each other (pt_dir sorts by name). */
static size_t name_one_process(struct chrome *c, size_t first) {
    const struct pt_file *files = c->d->files;
    int32_t pid = files[first].hdr->pid;
    char name[512] = "", prev[128] = "", argv[128];
    size_t i = first;
    for (; i < c->d->count && files[i].hdr->pid == pid; i++) {
        flows_short_argv(&files[i], 120, argv, sizeof argv);
        if (strcmp(argv, prev) == 0)
            continue;
        if (strlen(name) + strlen(argv) + 8 < sizeof name)
            strcat(strcat(name, *name ? " -> " : ""), argv);
        strcpy(prev, argv);
    }
    char full[600];
    snprintf(full, sizeof full, "%s (pid %" PRId32 ")", name, pid);
    metadata(c, "process_name", pid, pid, full);
    return i;
}

void chrome_name_processes(struct chrome *c) {
    for (size_t i = 0; i < c->d->count;)
        i = name_one_process(c, i);
}

static int seen(struct chrome *c, int32_t pid, int32_t tid) {
    for (size_t i = 0; i < c->thread_count; i++)
        if (c->threads[i].pid == pid && c->threads[i].tid == tid)
            return 1;
    PT_GROW(c->threads, c->thread_count + 1, c->thread_cap);
    c->threads[c->thread_count++] = (struct chrome_thread){pid, tid};
    return 0;
}

void chrome_name_thread(struct chrome *c, const struct pt_file *f, int32_t tid) {
    int32_t pid = f->hdr->pid;
    if (seen(c, pid, tid))
        return;
    char name[96], argv[64];
    flows_short_argv(f, 48, argv, sizeof argv);
    if (tid == pid)
        snprintf(name, sizeof name, "%s", argv);
    else
        snprintf(name, sizeof name, "%s thread %" PRId32, argv, tid);
    metadata(c, "thread_name", pid, tid, name);
}
