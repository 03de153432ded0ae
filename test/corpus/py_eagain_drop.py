"""A "never block" log shipper: the parent makes its end of the pipe
non-blocking (os.set_blocking) and sends 100 records of 4 KiB to a reader
child that starts reading 100 ms later.

bug:   a record that meets a full pipe (BlockingIOError, EAGAIN) is dropped,
       and the count os.write returns is not checked: most records never
       reach the reader.  Both processes exit 0.
fixed: on EAGAIN or a short write, wait in select() and write the rest.
"""
import os
import select
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ beside the corpus
from corpus_util import announce, mode

RECORD = b"R" * 4095 + b"\n"

fixed = mode()
r, w = os.pipe()
reader = os.fork()
if reader == 0:
    os.close(w)
    time.sleep(0.1)
    total = 0
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        total += len(chunk)
    print("reader got", total, "bytes", flush=True)
    os._exit(0)
announce("parent", os.getpid())
announce("reader", reader)
os.close(r)
os.set_blocking(w, False)


def send(record):
    try:
        sent = os.write(w, record)
    except BlockingIOError:
        sent = 0
    if not fixed:
        return  # BUG: a refused record, or the rest of a short one, is dropped
    while sent < len(record):
        select.select([], [w], [])
        try:
            sent += os.write(w, record[sent:])
        except BlockingIOError:
            pass


for _ in range(100):
    send(RECORD)
os.close(w)
os.waitpid(reader, 0)
