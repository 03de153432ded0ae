#!/bin/bash
# A server started in the background inside a command substitution, to
# capture its pid: `pid=$(start_server)`.
# bug:   the background server inherits the substitution's stdout pipe, so
#        bash waits for EOF on it until the server exits (30 s: a hang).
# fixed: the server's stdout and stderr go elsewhere (>/dev/null 2>&1).
start_server() {
    if [ "$1" = fixed ]; then
        sleep 30 >/dev/null 2>&1 &
    else
        sleep 30 &
    fi
    echo "corpus: server=$!" >&2
    echo $!
}

pid=$(start_server "$1")
echo "server started as pid $pid"
kill "$pid"
