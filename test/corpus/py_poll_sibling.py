"""A poll() loop whose EOF never comes: the parent forks a writer and a
long-lived helper, then polls the writer's pipe until EOF.

bug:   the helper closes the read end it does not use but keeps the write
       end it inherited; the writer is done and gone, the helper is why the
       loop never ends.
fixed: the helper closes both ends.
"""
import os
import select
import signal
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the corpus
from corpus_util import announce, mode

fixed = mode()
r, w = os.pipe()
writer = os.fork()
if writer == 0:
    os.close(r)
    for i in range(3):
        os.write(w, b"result %d\n" % i)
    os._exit(0)
helper = os.fork()
if helper == 0:
    os.close(r)
    if fixed:
        os.close(w)
    while True:  # a job of its own, until killed
        signal.pause()
announce("parent", os.getpid())
announce("writer", writer)
announce("helper", helper)
os.close(w)
poller = select.poll()
poller.register(r, select.POLLIN)
total = 0
while True:
    poller.poll()
    chunk = os.read(r, 256)
    if not chunk:
        break
    total += len(chunk)
print(total, "bytes of results")
os.kill(helper, signal.SIGTERM)
os.waitpid(writer, 0)
os.waitpid(helper, 0)
