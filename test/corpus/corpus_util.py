"""Shared by the corpus's Python cases: the bug|fixed argument and the
"corpus: NAME=PID" lines that tell the scorer which pid plays which part."""

import os
import sys


def mode():
    """True for "fixed", False for "bug"; exits 2 on anything else."""
    if len(sys.argv) == 2 and sys.argv[1] in ("bug", "fixed"):
        return sys.argv[1] == "fixed"
    print("usage: %s bug|fixed" % os.path.basename(sys.argv[0]), file=sys.stderr)
    sys.exit(2)


def announce(name, pid):
    print("corpus: %s=%d" % (name, pid), file=sys.stderr, flush=True)
