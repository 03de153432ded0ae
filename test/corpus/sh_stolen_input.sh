#!/bin/bash
# A `while read` loop that runs a command per item; the command (remote_cmd.py,
# standing for `ssh host cmd`) reads its standard input, which is the loop's.
# bug:   the first command swallows the remaining items: 1 item of 5 is done.
# fixed: the command's stdin is /dev/null.
mode=$1
seq 1 5 | while read -r item; do
    if [ "$mode" = fixed ]; then
        python3 "$CORPUS_DIR/remote_cmd.py" "$item" </dev/null
    else
        python3 "$CORPUS_DIR/remote_cmd.py" "$item"
    fi
done
