"""Both pipes full: the parent writes 1 MB to `cat` before reading cat's
output.

bug:   cat blocks writing its full stdout pipe; the parent blocks writing
       cat's full stdin pipe.  Each waits for the other to read.
fixed: communicate(data) writes and reads at the same time.
"""
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the corpus
from corpus_util import mode

fixed = mode()
data = b"x" * 1000000
proc = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
if fixed:
    out, _ = proc.communicate(data)
else:
    proc.stdin.write(data)
    proc.stdin.close()
    out = proc.stdout.read()
    proc.wait()
print(len(out), "bytes came back")
