"""A request/answer exchange with a filter whose output is buffered: the
parent sends one line to `tr a-z A-Z` and waits for the answer line while
keeping tr's stdin open for more requests.

bug:   tr has read the line and written its answer into its stdio buffer
       (stdout is a pipe, so fully buffered); it waits for more input and
       the parent waits for the answer.  tr holds the write end of the
       answer pipe, but nothing leaked: its output is still buffered.
fixed: the parent closes tr's stdin before reading, so tr flushes and
       exits.
"""
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the corpus
from corpus_util import mode

fixed = mode()
proc = subprocess.Popen(["tr", "a-z", "A-Z"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
proc.stdin.write(b"hello\n")
proc.stdin.flush()
if fixed:
    proc.stdin.close()
answer = proc.stdout.readline()
proc.stdin.close()
proc.wait()
print(answer.decode().strip())
