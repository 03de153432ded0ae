"""A hung pipeline in Python: the parent feeds `sort -n` and waits for it.

bug:   it never closes sort's stdin, so sort never sees EOF, and wait()
       never returns.
fixed: it closes proc.stdin before waiting.
"""
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the corpus
from corpus_util import mode

fixed = mode()
proc = subprocess.Popen(["sort", "-n"], stdin=subprocess.PIPE)
proc.stdin.write(b"30\n10\n20\n")
proc.stdin.flush()
if fixed:
    proc.stdin.close()
proc.wait()
