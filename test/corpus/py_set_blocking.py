"""A status printer that makes its stdout non-blocking (os.set_blocking,
which CPython does with ioctl(FIONBIO)) "so it can never hang", prints one
line and exits.  Its stdout is a pipe shared with the command that runs
after it (`{ py_set_blocking.py bug; seq 1 100000; } | (sleep 0.5; wc -c)`):
O_NONBLOCK belongs to the open pipe, not to this process.

bug:   the flag stays set; seq, writing next into the same pipe, fails with
       EAGAIN ("write error: Resource temporarily unavailable").
fixed: the flag is cleared again before exit.
"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the corpus
from corpus_util import mode

fixed = mode()
os.set_blocking(sys.stdout.fileno(), False)
print("status: starting the export", flush=True)
if fixed:
    os.set_blocking(sys.stdout.fileno(), True)
