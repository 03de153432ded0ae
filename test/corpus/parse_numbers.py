"""Reads numbers, one a line, and prints their sum (sh_epipe_crash.sh).

bug:   it rejects any number wider than 4 digits (a wrong limit), so it dies
       with ValueError at 10000, leaving its writer (seq) to die of SIGPIPE.
fixed: no limit.
"""
import sys

fixed = sys.argv[1] == "fixed"
total = 0
for line in sys.stdin:
    field = line.strip()
    if not fixed and len(field) > 4:
        raise ValueError("number too wide: %r" % field)
    total += int(field)
print(total)
