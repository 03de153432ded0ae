// docs/FORMAT.md's header and record tables against the structs of
// include/pipetrace/format.h (whose static_asserts hold the same offsets):
// a field moved, resized, added or renamed on one side only fails here.
#include <cstddef>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipetrace/format.h"

namespace {

struct Field {
    std::string name;
    size_t offset;
    size_t size;
    bool operator==(const Field &o) const {
        return name == o.name && offset == o.offset && size == o.size;
    }
};

std::ostream &operator<<(std::ostream &os, const Field &f) {
    return os << f.name << " at " << f.offset << ", " << f.size << " bytes";
}

#define FIELD(type, field)                                                                         \
    Field {                                                                                        \
#field, offsetof(type, field), sizeof(((type *)nullptr)->field)                            \
    }

const std::vector<Field> kHeader = {
    FIELD(pt_file_header, magic),         FIELD(pt_file_header, byte_order),
    FIELD(pt_file_header, version),       FIELD(pt_file_header, header_size),
    FIELD(pt_file_header, data_offset),   FIELD(pt_file_header, flags),
    FIELD(pt_file_header, tail),          FIELD(pt_file_header, dropped),
    FIELD(pt_file_header, stop_errno),    FIELD(pt_file_header, pid),
    FIELD(pt_file_header, ppid),          FIELD(pt_file_header, data_limit),
    FIELD(pt_file_header, start_mono_ns), FIELD(pt_file_header, start_real_ns),
    FIELD(pt_file_header, boot_id),       FIELD(pt_file_header, strings_size),
    FIELD(pt_file_header, argc),          FIELD(pt_file_header, child_gate),
    FIELD(pt_file_header, reserved),
};

const std::vector<Field> kRecord = {
    FIELD(pt_record, size),     FIELD(pt_record, type),     FIELD(pt_record, state),
    FIELD(pt_record, obj_kind), FIELD(pt_record, fd_flags), FIELD(pt_record, tid),
    FIELD(pt_record, fd),       FIELD(pt_record, t_start),  FIELD(pt_record, t_end),
    FIELD(pt_record, result),   FIELD(pt_record, arg),      FIELD(pt_record, obj_ino),
    FIELD(pt_record, obj_dev),  FIELD(pt_record, data_len),
};

const std::vector<Field> kWaitPayload = {
    FIELD(pt_wait_payload, nfds), FIELD(pt_wait_payload, count), FIELD(pt_wait_payload, stored),
    FIELD(pt_wait_payload, call), FIELD(pt_wait_payload, flags), FIELD(pt_wait_payload, reserved),
};

const std::vector<Field> kWaitFd = {
    FIELD(pt_wait_fd, fd),
    FIELD(pt_wait_fd, events),
    FIELD(pt_wait_fd, revents),
};

const std::vector<Field> kWaitEpollEvent = {
    FIELD(pt_wait_epoll_event, events),
    FIELD(pt_wait_epoll_event, reserved),
    FIELD(pt_wait_epoll_event, data),
};

const std::vector<Field> kEpollCtlPayload = {
    FIELD(pt_epoll_ctl_payload, op),     FIELD(pt_epoll_ctl_payload, fd),
    FIELD(pt_epoll_ctl_payload, events), FIELD(pt_epoll_ctl_payload, flags),
    FIELD(pt_epoll_ctl_payload, data),
};

const std::vector<Field> kXferPayload = {
    FIELD(pt_xfer_payload, fd_out),       FIELD(pt_xfer_payload, kind_out),
    FIELD(pt_xfer_payload, fd_flags_out), FIELD(pt_xfer_payload, reserved),
    FIELD(pt_xfer_payload, ino_out),      FIELD(pt_xfer_payload, dev_out),
    FIELD(pt_xfer_payload, flags),        FIELD(pt_xfer_payload, off_in),
    FIELD(pt_xfer_payload, off_out),
};

const std::vector<Field> kCompactRecord = {
    FIELD(pt_compact_record, size),     FIELD(pt_compact_record, type),
    FIELD(pt_compact_record, state),    FIELD(pt_compact_record, obj_kind),
    FIELD(pt_compact_record, fd_flags), FIELD(pt_compact_record, channel),
    FIELD(pt_compact_record, data_len), FIELD(pt_compact_record, arg),
    FIELD(pt_compact_record, start_lo), FIELD(pt_compact_record, start_hi),
    FIELD(pt_compact_record, span_hi),  FIELD(pt_compact_record, result),
    FIELD(pt_compact_record, span_lo),
};

const std::vector<Field> kChannelRecord = {
    FIELD(pt_channel_record, size),      FIELD(pt_channel_record, type),
    FIELD(pt_channel_record, state),     FIELD(pt_channel_record, obj_kind),
    FIELD(pt_channel_record, reserved),  FIELD(pt_channel_record, tid),
    FIELD(pt_channel_record, fd),        FIELD(pt_channel_record, obj_ino),
    FIELD(pt_channel_record, obj_dev),   FIELD(pt_channel_record, number),
    FIELD(pt_channel_record, reserved2),
};

const std::vector<Field> kNotePayload = {
    FIELD(pt_note_payload, offset),   FIELD(pt_note_payload, fields),
    FIELD(pt_note_payload, reserved), FIELD(pt_note_payload, arg),
    FIELD(pt_note_payload, t_end),    FIELD(pt_note_payload, result),
};

std::string FormatMd() {
    const char *srcdir = getenv("TEST_SRCDIR");
    const char *ws = getenv("TEST_WORKSPACE");
    std::string path =
        std::string(srcdir ? srcdir : ".") + "/" + (ws ? ws : "pipetrace") + "/docs/FORMAT.md";
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The rows "| offset | size | `field` | ..." of the first table after the
// heading line `heading` (a "reserved" row names no field in backticks).
std::vector<Field> TableAfter(const std::string &doc, const std::string &heading) {
    std::vector<Field> fields;
    size_t at = doc.find("\n" + heading + "\n");
    if (at == std::string::npos)
        return fields;
    static const std::regex row(R"(^\| (\d+) \| (\d+) \| `?([a-z_0-9]+)`? \|)");
    std::istringstream lines(doc.substr(at + 1));
    std::string line;
    bool in_table = false;
    while (std::getline(lines, line)) {
        std::smatch m;
        if (std::regex_search(line, m, row)) {
            fields.push_back({m[3], std::stoul(m[1]), std::stoul(m[2])});
            in_table = true;
        } else if (in_table && line.rfind("|", 0) != 0) {
            break; // the table ended
        }
    }
    return fields;
}

TEST(FormatDoc, HeaderTableIsTheStruct) {
    std::string doc = FormatMd();
    ASSERT_FALSE(doc.empty()) << "docs/FORMAT.md not in the runfiles";
    EXPECT_EQ(kHeader, TableAfter(doc, "## Header"));
    EXPECT_NE(std::string::npos, doc.find("size of this fixed header (" +
                                          std::to_string(sizeof(pt_file_header)) + ")"));
}

TEST(FormatDoc, RecordTableIsTheStruct) {
    std::string doc = FormatMd();
    ASSERT_FALSE(doc.empty()) << "docs/FORMAT.md not in the runfiles";
    EXPECT_EQ(kRecord, TableAfter(doc, "## Records"));
    EXPECT_NE(std::string::npos,
              doc.find("starts with a " + std::to_string(PT_RECORD_SIZE) + "-byte header"));
}

TEST(FormatDoc, WaitPayloadTablesAreTheStructs) {
    std::string doc = FormatMd();
    ASSERT_FALSE(doc.empty()) << "docs/FORMAT.md not in the runfiles";
    EXPECT_EQ(kWaitPayload, TableAfter(doc, "#### `struct pt_wait_payload`"));
    EXPECT_EQ(kWaitFd, TableAfter(doc, "#### `struct pt_wait_fd`"));
    EXPECT_EQ(kWaitEpollEvent, TableAfter(doc, "#### `struct pt_wait_epoll_event`"));
    EXPECT_EQ(kEpollCtlPayload, TableAfter(doc, "#### `struct pt_epoll_ctl_payload`"));
    EXPECT_NE(std::string::npos, doc.find("at most " + std::to_string(PT_WAIT_STORED_MAX) +
                                          " (`PT_WAIT_STORED_MAX`)"));
    EXPECT_NE(std::string::npos, doc.find("-2 (`PT_TIMEOUT_UNKNOWN`)"));
    EXPECT_EQ(PT_TIMEOUT_UNKNOWN, -2);
}

TEST(FormatDoc, XferPayloadTableIsTheStruct) {
    std::string doc = FormatMd();
    ASSERT_FALSE(doc.empty()) << "docs/FORMAT.md not in the runfiles";
    EXPECT_EQ(kXferPayload, TableAfter(doc, "#### `struct pt_xfer_payload`"));
    EXPECT_NE(std::string::npos, doc.find("-1 (`PT_XFER_OFF_NONE`)"));
    EXPECT_NE(std::string::npos, doc.find("-2 (`PT_XFER_OFF_UNKNOWN`)"));
    EXPECT_EQ(PT_XFER_OFF_NONE, -1);
    EXPECT_EQ(PT_XFER_OFF_UNKNOWN, -2);
}

TEST(FormatDoc, CompactRecordTablesAreTheStructs) {
    std::string doc = FormatMd();
    ASSERT_FALSE(doc.empty()) << "docs/FORMAT.md not in the runfiles";
    EXPECT_EQ(kCompactRecord, TableAfter(doc, "#### `struct pt_compact_record`"));
    EXPECT_EQ(kChannelRecord, TableAfter(doc, "#### `struct pt_channel_record`"));
    EXPECT_EQ(kNotePayload, TableAfter(doc, "#### `struct pt_note_payload`"));
    EXPECT_NE(std::string::npos, doc.find("a 32-byte header"));
    EXPECT_EQ(PT_COMPACT_SIZE, 32);
    EXPECT_EQ(PT_COMPACT, 0x80u);
    EXPECT_EQ(PT_EV_CHANNEL, 56);
    EXPECT_EQ(PT_EV_NOTE, 57);
    EXPECT_NE(std::string::npos, doc.find("| `version` | `" + std::to_string(PT_VERSION) + "`"));
}

} // namespace
