"""Benign: a generator's output piped into `head -n 1`.  The consumer loop
catches BrokenPipeError as the Python documentation recommends (section
"Note on SIGPIPE" of the signal module): it points stdout at /dev/null so
the flush at exit cannot fail again.  The documentation's example then
exits 1; this program exits 0, as most real ones do: the reader took what
it wanted, nothing was lost."""
import os
import sys


def numbers(limit):
    for n in range(limit):
        yield "line %d\n" % n


def main():
    try:
        for line in numbers(200000):
            sys.stdout.write(line)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 0


sys.exit(main())
