"""A file object outlives its fd: an error path closes the fd under the file
object (os.close), the number is reused by a new pipe, and the file object's
own close() later closes the new pipe's write end.

bug:   the next os.write on the new pipe fails with EBADF (exit 1).
fixed: the error path closes the file object, not the fd under it.
"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the corpus
from corpus_util import mode

fixed = mode()
r, w = os.pipe()
os.close(r)
channel = os.fdopen(w, "wb", buffering=0)  # a channel that then fails
if fixed:
    channel.close()
else:
    os.close(w)  # BUG: the file object still owns this number

notify_r, notify_w = os.pipe()  # reuses the numbers
channel.close()  # the normal cleanup: closes notify_w in the bug
os.write(notify_w, b"n")
print("notified:", os.read(notify_r, 1).decode())
