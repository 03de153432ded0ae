"""The most common Python hang: subprocess.run(..., capture_output=True) on a
command that leaves a background process behind.

bug:   `sh -c 'echo started; sleep 30 &'`: the background sleep inherits the
       captured stdout and stderr pipes, so communicate() (in poll()) waits
       for EOF until the sleep ends: 30 s, forever as far as the caller knows.
fixed: the background process gets its own stdout/stderr (>/dev/null 2>&1).
"""
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the corpus
from corpus_util import mode

fixed = mode()
background = "sleep 1 >/dev/null 2>&1 &" if fixed else "sleep 30 &"
result = subprocess.run(["sh", "-c", "echo started; " + background], capture_output=True)
print(result.stdout.decode().strip())
