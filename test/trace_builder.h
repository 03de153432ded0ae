// Trace files built record by record from the structs of format.h, for
// tests that need a trace no real program leaves reliably (a stop, a
// killed writer, tens of thousands of files).
#ifndef PIPETRACE_TEST_TRACE_BUILDER_H
#define PIPETRACE_TEST_TRACE_BUILDER_H

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "pipetrace/format.h"

namespace tb {

using Bytes = std::vector<uint8_t>;

inline void Append(Bytes *out, const void *p, size_t n) {
    const uint8_t *b = static_cast<const uint8_t *>(p);
    out->insert(out->end(), b, b + n);
}

inline Bytes Text(const std::string &s) {
    return Bytes(s.begin(), s.end());
}

// A record of a call that returned, on a pipe unless the caller changes
// obj_kind.
inline pt_record Rec(uint8_t type, int32_t tid, int32_t fd, uint64_t t_start, int64_t result,
                     uint64_t arg, uint64_t ino = 0) {
    pt_record r;
    memset(&r, 0, sizeof r);
    r.type = type;
    r.state = PT_DONE;
    r.tid = tid;
    r.fd = fd;
    r.t_start = t_start;
    r.t_end = t_start + 10;
    r.result = result;
    r.arg = arg;
    r.obj_kind = ino ? PT_OBJ_PIPE : PT_OBJ_UNKNOWN;
    r.obj_ino = ino;
    r.obj_dev = 14;
    return r;
}

// A call that had not returned when the trace ended.
inline pt_record Begun(pt_record r) {
    r.state = PT_BEGUN;
    r.t_end = 0;
    r.result = 0;
    return r;
}

inline Bytes PipePayload(int32_t rfd, int32_t wfd, uint64_t ino) {
    pt_pipe_payload p;
    memset(&p, 0, sizeof p);
    p.fds[0] = rfd;
    p.fds[1] = wfd;
    p.ino[0] = p.ino[1] = ino;
    Bytes out;
    Append(&out, &p, sizeof p);
    return out;
}

// "path\0arg0\0arg1\0...", the payload of exec, spawn and untraced-child
// records.
inline Bytes Strings(const std::vector<std::string> &strings) {
    Bytes out;
    for (const std::string &s : strings)
        Append(&out, s.c_str(), s.size() + 1);
    return out;
}

// One trace file: header, process strings, records.
class TraceBuilder {
  public:
    TraceBuilder(int32_t pid, int32_t ppid, uint64_t start_ns, const std::vector<std::string> &argv,
                 const std::string &exe = "/usr/bin/prog") {
        memset(&hdr_, 0, sizeof hdr_);
        memcpy(hdr_.magic, PT_MAGIC, PT_MAGIC_LEN);
        hdr_.byte_order = PT_BYTE_ORDER;
        hdr_.version = PT_VERSION;
        hdr_.header_size = sizeof hdr_;
        hdr_.pid = pid;
        hdr_.ppid = ppid;
        hdr_.data_limit = 64;
        hdr_.start_mono_ns = start_ns;
        hdr_.flags = PT_HDR_STDIO_HOOKED;
        hdr_.argc = static_cast<uint32_t>(argv.size());
        Append(&strings_, exe.c_str(), exe.size() + 1);
        for (const std::string &a : argv)
            Append(&strings_, a.c_str(), a.size() + 1);
    }

    pt_file_header &header() { return hdr_; }

    // Appends r with payload; returns the record's offset in the file.
    uint64_t Add(pt_record r, const Bytes &payload = Bytes()) {
        uint64_t offset = DataOffset() + body_.size();
        r.data_len = static_cast<uint32_t>(payload.size());
        r.size = static_cast<uint32_t>((PT_RECORD_SIZE + payload.size() + 7) / 8 * 8);
        Append(&body_, &r, sizeof r);
        Append(&body_, payload.data(), payload.size());
        while (body_.size() % PT_ALIGN != 0)
            body_.push_back(0);
        return offset;
    }

    uint64_t DataOffset() const { return (sizeof hdr_ + strings_.size() + 7) / 8 * 8; }

    Bytes Build() const {
        pt_file_header h = hdr_;
        h.strings_size = static_cast<uint32_t>(strings_.size());
        h.data_offset = static_cast<uint32_t>(DataOffset());
        if (h.tail == 0)
            h.tail = DataOffset() + body_.size();
        Bytes out;
        Append(&out, &h, sizeof h);
        out.insert(out.end(), strings_.begin(), strings_.end());
        while (out.size() % PT_ALIGN != 0)
            out.push_back(0);
        out.insert(out.end(), body_.begin(), body_.end());
        return out;
    }

    // Writes DIR/<pid>.<image>.ptr; false on an error.
    bool WriteTo(const std::string &dir, unsigned image = 0) const {
        std::string path =
            dir + "/" + std::to_string(hdr_.pid) + "." + std::to_string(image) + ".ptr";
        Bytes bytes = Build();
        FILE *f = fopen(path.c_str(), "wb");
        if (f == nullptr)
            return false;
        bool ok = fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
        return fclose(f) == 0 && ok;
    }

  private:
    pt_file_header hdr_;
    Bytes strings_;
    Bytes body_;
};

} // namespace tb

#endif // PIPETRACE_TEST_TRACE_BUILDER_H
