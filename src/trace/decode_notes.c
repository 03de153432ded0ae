/* Decoders of the recorder's notes: records that describe the process or
 * another record rather than a call the program made. */
#include <stdio.h>

#include "decoders.h"
#include "names.h"
#include "payload.h"

/* inherited_fd(fd, O_RDONLY|O_CLOEXEC): the flags when known */
void pt_args_inherited(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    pt_field_record_fd(out, "fd", PT_SHOW_TEXT, r);
    if (r->fd_flags & PT_FDF_KNOWN)
        pt_field_add(out, "fd_flags", PT_FIELD_FD_FLAGS, PT_SHOW_TEXT)->v.u = r->fd_flags;
}

/* callsite(@OFFSET, 0xADDR "symbol"+0xOFF, module=0xBASE): where the call
 * of the record at file offset OFFSET was made. */
void pt_args_callsite(const struct pt_event *ev, struct pt_fields *out) {
    struct pt_callsite_info c;
    pt_field_uint(out, "record_offset", PT_SHOW_BOTH, ev->rec->arg)->label = "@";
    if (!pt_payload_callsite(ev, &c))
        return;
    pt_field_hex(out, "addr", PT_SHOW_BOTH, c.addr);
    if (c.symbol_len > 0) {
        struct pt_field *sym = pt_field_add(out, "symbol", PT_FIELD_SYMBOL_OFFSET, PT_SHOW_TEXT);
        sym->v.sym.p = c.symbol;
        sym->v.sym.len = c.symbol_len;
        sym->v.sym.offset = c.addr - c.symbol_addr;
        sym->glued = 1;
    }
    pt_field_hex(out, "module_base", PT_SHOW_BOTH, c.module_base)->label = "module=";
    pt_field_bytes(out, "symbol", PT_FIELD_STRING, PT_SHOW_JSON, c.symbol, c.symbol_len);
    pt_field_uint(out, "symbol_addr", PT_SHOW_JSON, c.symbol_addr);
}

/* module(0xBASE, "path", build_id=HEX); a malformed one shows its load
 * address (arg) in the text and nothing in the JSON. */
void pt_args_module(const struct pt_event *ev, struct pt_fields *out) {
    struct pt_module_info m;
    if (!pt_payload_module(ev, &m)) {
        pt_field_hex(out, "base", PT_SHOW_TEXT, ev->rec->arg);
        return;
    }
    pt_field_hex(out, "base", PT_SHOW_BOTH, m.base);
    pt_field_bytes(out, "path", PT_FIELD_STRING, PT_SHOW_BOTH, m.path, m.path_len);
    pt_field_bytes(out, "build_id", PT_FIELD_HEX_BYTES, PT_SHOW_BOTH, m.build_id, m.build_id_len)
        ->label = "build_id=";
}

/* coverage(stdio=unhooked): arg = the header's stdio flags */
void pt_args_coverage(const struct pt_event *ev, struct pt_fields *out) {
    pt_field_name(out, "stdio", PT_SHOW_BOTH, pt_stdio_state_name((uint32_t)ev->rec->arg))->label =
        "stdio=";
}
