#!/usr/bin/env python3
"""Writes the seed corpus of broken and odd trace files (test/fuzz/corpus).

Each file is small; FUZZ_SPLIT ("PTSPLIT!") separates several trace files
in one input (see fuzz_body.h).  Run from anywhere:
    python3 test/fuzz/make_corpus.py

The real_* files are not written here: they are traces of real runs (a
shell pipeline, examples/pipe2_fork.py, `echo hi | cat` with only cat
traced), each file cut at its header's tail and joined with FUZZ_SPLIT.
"""
import os
import struct

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
SPLIT = b"PTSPLIT!"

# event types and constants from include/pipetrace/format.h
READ, WRITE, PIPE, PIPE2, DUP2, CLOSE, CLOSE_RANGE = 1, 2, 16, 17, 20, 24, 25
FORK, EXEC, EXIT, WAIT, UNTRACED, INHERITED, CALLSITE, MODULE = 32, 34, 36, 37, 38, 39, 40, 41
SYSTEM, PCLOSE = 44, 46
DEVICE = 7
BEGUN, DONE = 1, 2
OBJ_PIPE = 1
RD, WR, KNOWN = 1, 2, 0x80


def header(pid, ppid, argv, flags=0x02, version=1, tail=None, body_len=0,
           start=1000, magic=b"PIPETRC\n", order=0x01020304):
    strings = b"/usr/bin/prog\0" + b"".join(a.encode() + b"\0" for a in argv)
    data_offset = (144 + len(strings) + 7) // 8 * 8
    if tail is None:
        tail = data_offset + body_len
    h = magic + struct.pack("<IHHIIQQiiiIQQ16sII48s", order, version, 144,
                            data_offset, flags, tail, 0, 0, pid, ppid, 64,
                            start, start, b"\0" * 16, len(strings), len(argv),
                            b"\0" * 48)
    h += strings
    return h + b"\0" * (data_offset - len(h))


def rec(type_, fd, t, result=0, arg=0, ino=0, kind=0, flags=0, state=DONE,
        payload=b"", size=None, t_end=None):
    if size is None:
        size = (64 + len(payload) + 7) // 8 * 8
    r = struct.pack("<IBBBBiiQQqQQII", size, type_, state, kind, flags, 1, fd,
                    t, t if t_end is None else t_end, result, arg, ino, 0,
                    len(payload))
    r += payload
    return r + b"\0" * ((-len(r)) % 8)


def trace(pid, ppid, argv, records, **kw):
    body = b"".join(records)
    return header(pid, ppid, argv, body_len=len(body), **kw) + body


def pipe_payload(r, w, ino):
    return struct.pack("<iiQQ", r, w, ino, ino)


def parent_records():
    return [
        rec(INHERITED, 0, 1000, kind=5, flags=KNOWN | RD),
        rec(PIPE, 3, 1100, payload=pipe_payload(3, 4, 77), ino=77, kind=OBJ_PIPE),
        rec(MODULE, -1, 1101, arg=0x400000,
            payload=struct.pack("<QI36s", 0x400000, 0, b"") + b"/usr/bin/prog\0"),
        rec(CALLSITE, 3, 1102, arg=144 + 48,
            payload=struct.pack("<QQQ", 0x401234, 0x400000, 0x401200) + b"main\0"),
        rec(FORK, -1, 1200, result=101),
        rec(WRITE, 4, 1300, result=5, arg=5, ino=77, kind=OBJ_PIPE,
            flags=KNOWN | WR, payload=b"hello"),
        rec(WAIT, -1, 1400, state=BEGUN, t_end=0),
    ]


def child_records():
    return [
        rec(CLOSE, 4, 1250, ino=77, kind=OBJ_PIPE, flags=KNOWN | WR),
        rec(READ, 3, 1350, result=5, arg=100, ino=77, kind=OBJ_PIPE,
            flags=KNOWN | RD, payload=b"hello"),
        rec(READ, 3, 1360, arg=100, ino=77, kind=OBJ_PIPE, flags=KNOWN | RD,
            state=BEGUN, t_end=0),
        rec(EXEC, -1, 1370, state=BEGUN, payload=b"/bin/x\0x\0"),
    ]


def files():
    ok = trace(100, 1, ["prog"], parent_records())
    child = trace(101, 100, ["prog"], child_records(), flags=0x12, start=1200)
    execd = trace(101, 100, ["x"], [rec(INHERITED, 3, 1380, ino=77, kind=OBJ_PIPE,
                                        flags=KNOWN | RD)], start=1380)
    yield "valid_parent", ok
    yield "fork_and_exec", ok + SPLIT + child + SPLIT + execd
    yield "empty", b""
    yield "short_header", ok[:100]
    yield "bad_magic", b"NOTATRC\n" + ok[8:]
    yield "bad_version", ok[:12] + struct.pack("<H", 9) + ok[14:]
    yield "foreign_order", ok[:8] + struct.pack(">I", 0x01020304) + ok[12:]
    yield "truncated_record", ok[:-20]
    yield "tail_past_end", trace(100, 1, ["p"], parent_records(), tail=1 << 40)
    yield "garbage_size", trace(100, 1, ["p"], [rec(CLOSE, 3, 1, size=13)])
    yield "size_past_end", trace(100, 1, ["p"], [rec(CLOSE, 3, 1, size=1 << 30)])
    yield "huge_data_len", trace(100, 1, ["p"], [rec(WRITE, 3, 1, payload=b"ab")[:60]
                                                 + struct.pack("<I", 1 << 31)])
    yield "torn_and_zeros", trace(100, 1, ["p"], [rec(CLOSE, 3, 1, state=0),
                                                  b"\0" * 64, rec(CLOSE, 4, 2)])
    yield "short_payloads", trace(100, 1, ["p"], [
        rec(PIPE, 3, 1, payload=b"\1\2"), rec(CALLSITE, 3, 2, payload=b"x"),
        rec(MODULE, -1, 3, payload=b"m"), rec(UNTRACED, -1, 4, arg=99, result=5,
                                              payload=b"/no/nul")])
    yield "odd_fds", trace(100, 1, ["p"], [
        rec(DUP2, 2147483647, 1, result=-1, arg=5),
        rec(CLOSE_RANGE, 0, 2, arg=0xFFFFFFFF | (4 << 32)),
        rec(CLOSE_RANGE, 3, 3, arg=0xFFFFFFFF),
        rec(CLOSE, -5, 4, result=-9), rec(READ, 3, 5, result=-9),
        rec(WAIT, -1, 6, result=100, arg=13), rec(EXIT, -1, 7, arg=1 << 40),
        rec(63, 0, 8), rec(200, 0, 9, payload=b"unknown type")])
    yield "out_of_order", trace(100, 1, ["p"], [rec(CLOSE, 3, t) for t in
                                                (50, 10, 40, 20, 30, 0, 60)])
    yield "same_pid_twice", ok + SPLIT + ok + SPLIT + ok
    # Results no call returns (negating INT64_MIN overflows), begun writes,
    # pclose and system statuses, a device: what the printers must survive.
    least = -(1 << 63)
    yield "absurd_results", trace(100, 1, ["p"], [
        rec(PIPE, 3, 1, payload=pipe_payload(3, 4, 77), ino=77, kind=OBJ_PIPE),
        rec(READ, 3, 2, result=least, arg=5, ino=77, kind=OBJ_PIPE),
        rec(WRITE, 4, 3, result=least, arg=5, ino=77, kind=OBJ_PIPE),
        rec(WRITE, 4, 4, arg=5, ino=77, kind=OBJ_PIPE, state=BEGUN, t_end=0),
        rec(READ, 3, 5, result=5, arg=5, ino=77, kind=OBJ_PIPE, payload=b"hello"),
        rec(CLOSE, 3, 6, result=least), rec(PCLOSE, 4, 7, result=least, arg=101),
        rec(SYSTEM, -1, 8, result=least, payload=b"true\0"),
        rec(WRITE, 1, 9, result=3, arg=3, kind=DEVICE, payload=b"abc"),
        rec(UNTRACED, -1, 10, result=101, arg=6 | (38 << 32), payload=b"/bin/x\0"),
        rec(WAIT, -1, 11, result=101, arg=least & 0xFFFFFFFF)])


def main():
    os.makedirs(HERE, exist_ok=True)
    for name, data in files():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
