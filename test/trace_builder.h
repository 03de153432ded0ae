// Trace files built record by record from the structs of format.h, for
// tests that need a trace no real program leaves reliably (a stop, a
// killed writer, tens of thousands of files, damaged bytes).  A C++ face on
// test/tracebuild, which lays the files out.
#ifndef PIPETRACE_TEST_TRACE_BUILDER_H
#define PIPETRACE_TEST_TRACE_BUILDER_H

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "pipetrace/format.h"
#include "test/tracebuild/tracebuild.h"

namespace tb {

using Bytes = std::vector<uint8_t>;

inline void Append(Bytes *out, const void *p, size_t n) {
    const uint8_t *b = static_cast<const uint8_t *>(p);
    out->insert(out->end(), b, b + n);
}

inline Bytes Text(const std::string &s) {
    return Bytes(s.begin(), s.end());
}

// A record of a call that returned, on a pipe (device 14) when ino is not 0.
inline pt_record Rec(uint8_t type, int32_t tid, int32_t fd, uint64_t t_start, int64_t result,
                     uint64_t arg, uint64_t ino = 0) {
    pt_record r = ptb_record(type, tid, fd, t_start);
    r.result = result;
    r.arg = arg;
    ptb_set_object(&r, ino ? PT_OBJ_PIPE : PT_OBJ_UNKNOWN, ino, 14, 0);
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
    pt_pipe_payload p = ptb_pipe_payload(rfd, wfd, ino, ino);
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

// A wait's payload (poll, select, epoll_wait): the header, then entries
// (pt_wait_fd or pt_wait_epoll_event), `stored` of them.
template <typename Entry>
inline Bytes WaitPayload(uint8_t call, uint8_t flags, int32_t nfds, uint32_t count,
                         const std::vector<Entry> &entries) {
    pt_wait_payload h = {};
    h.nfds = nfds;
    h.count = count;
    h.stored = static_cast<uint16_t>(entries.size());
    h.call = call;
    h.flags = flags;
    Bytes out;
    Append(&out, &h, sizeof h);
    for (const Entry &e : entries)
        Append(&out, &e, sizeof e);
    return out;
}

inline Bytes EpollCtlPayload(int32_t op, int32_t fd, uint32_t events, uint64_t data,
                             uint32_t flags = 0) {
    pt_epoll_ctl_payload p = {op, fd, events, flags, data};
    Bytes out;
    Append(&out, &p, sizeof p);
    return out;
}

// One trace file: header, process strings, records, in memory.  header()
// may be changed at any time before Build(): Build() writes it as it is
// then (with tail at the end of the records while it is 0).
class TraceBuilder {
  public:
    // data_align: where the first record starts (0: PT_DATA_ALIGN, as the
    // recorder writes).
    TraceBuilder(int32_t pid, int32_t ppid, uint64_t start_ns, const std::vector<std::string> &argv,
                 const std::string &exe = "/usr/bin/prog", uint32_t data_align = 0) {
        std::vector<const char *> args;
        for (const std::string &a : argv)
            args.push_back(a.c_str());
        args.push_back(nullptr);
        ptb_image im{};
        im.pid = pid;
        im.ppid = ppid;
        im.start_ns = start_ns;
        im.exe = exe.c_str();
        im.argv = args.data();
        im.data_align = data_align;
        if (ptb_begin(&f_, nullptr, &im) != 0)
            throw std::bad_alloc();
    }
    TraceBuilder(const TraceBuilder &other) : f_(other.f_) {
        f_.mem = static_cast<unsigned char *>(malloc(f_.mem_cap));
        if (f_.mem == nullptr)
            throw std::bad_alloc();
        memcpy(f_.mem, other.f_.mem, f_.mem_len);
    }
    TraceBuilder &operator=(const TraceBuilder &other) {
        TraceBuilder copy(other);
        std::swap(f_, copy.f_);
        return *this;
    }
    ~TraceBuilder() { ptb_free(&f_); }

    pt_file_header &header() { return f_.hdr; }

    // Format 2's compact records from now on, where the recorder would
    // write them (ptb_set_compact).
    void Compact(bool on) { ptb_set_compact(&f_, on ? 1 : 0); }

    // Appends r with payload; returns the record's offset in the file.
    uint64_t Add(pt_record r, const Bytes &payload = Bytes()) {
        return Checked(ptb_add(&f_, r, payload.data(), static_cast<uint32_t>(payload.size())));
    }

    // Appends bytes as they are (a record cut short, a size of the test's
    // choosing); returns their offset.
    uint64_t AddRaw(const Bytes &bytes) {
        return Checked(ptb_add_raw(&f_, bytes.data(), bytes.size()));
    }

    // Space reserved and abandoned between records.
    void Zeros(size_t n) { Checked(ptb_add_zeros(&f_, n)); }

    uint64_t DataOffset() const { return f_.hdr.data_offset; }

    Bytes Build() const {
        Bytes out(f_.mem, f_.mem + f_.mem_len);
        pt_file_header h = ptb_final_header(&f_);
        memcpy(out.data(), &h, sizeof h);
        return out;
    }

    // Writes DIR/<pid>.<image>.ptr; false on an error.
    bool WriteTo(const std::string &dir, unsigned image = 0) const {
        char path[4096];
        if (ptb_file_name(path, sizeof path, dir.c_str(), f_.hdr.pid, image) != 0)
            return false;
        Bytes bytes = Build();
        FILE *f = fopen(path, "wb");
        if (f == nullptr)
            return false;
        bool ok = fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
        return fclose(f) == 0 && ok;
    }

  private:
    uint64_t Checked(uint64_t offset) {
        if (f_.error != 0)
            throw std::bad_alloc();
        return offset;
    }

    ptb_file f_;
};

} // namespace tb

#endif // PIPETRACE_TEST_TRACE_BUILDER_H
