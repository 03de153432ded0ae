/* `pipetrace export --format=jsonl`: the lines of `pipetrace dump --json`
 * (dump_json.c writes them; the schema is documented once, in
 * pipetrace(1)). */
#include "dump.h"
#include "export.h"
#include "open_trace.h"
#include "trace/merge.h"

int export_jsonl(FILE *out, const struct pt_dir *d) {
    uint64_t t0 = trace_t0(d);
    for (size_t i = 0; i < d->count; i++)
        dump_json_process(out, &d->files[i]);
    struct pt_merge merge;
    pt_merge_init(&merge, d->files, d->count);
    struct pt_merged m;
    while (pt_merge_next(&merge, &m))
        dump_json_event(out, &m, t0);
    pt_merge_free(&merge);
    return 0;
}
