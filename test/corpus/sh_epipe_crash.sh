#!/bin/sh
# A reader that dies early by mistake: parse_numbers.py rejects a valid
# input line (bug) and exits 1, and seq, its writer, dies of SIGPIPE.  The
# data the reader should have had is lost.  fixed: the parser takes every
# line, reads to EOF, and nothing breaks.
seq 1 100000 | python3 "$CORPUS_DIR/parse_numbers.py" "$1"
