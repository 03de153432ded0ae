"""The deadlock the subprocess documentation warns about: Popen with
stdout=PIPE and stderr=PIPE, then wait(), on a command that writes more
than a pipe holds (seq 1 100000: 588895 bytes).

bug:   wait(): seq blocks writing to its full stdout pipe, whose only
       reader is this process, which is blocked waiting for seq to exit.
fixed: communicate() reads both pipes while it waits.
"""
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the corpus
from corpus_util import mode

fixed = mode()
proc = subprocess.Popen(["seq", "1", "100000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
if fixed:
    out, _ = proc.communicate()
else:
    proc.wait()
    out = proc.stdout.read()
print(len(out), "bytes")
