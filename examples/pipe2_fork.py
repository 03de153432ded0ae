#!/usr/bin/env python3
"""The classic pipe example: the parent writes a message into a pipe, the
child it forked reads and prints it.

The pipe is non-blocking (os.pipe2(os.O_NONBLOCK)), so the child's read can
fail with EAGAIN (BlockingIOError) when it runs before the parent has written;
it then waits until the read end is readable and tries again.  Traced with
pipetrace, such a try shows up as a read with errno EAGAIN.
"""
import os
import select
import sys

MESSAGE = b"Hello child process"


def child(read_fd):
    while True:
        try:
            data = os.read(read_fd, 100)
            break
        except BlockingIOError:
            select.select([read_fd], [], [], 5.0)
    sys.stdout.write(data.decode() + "\n")
    sys.stdout.flush()
    os._exit(0)


def main():
    read_fd, write_fd = os.pipe2(os.O_NONBLOCK)
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        os.close(write_fd)
        child(read_fd)
    os.close(read_fd)
    os.write(write_fd, MESSAGE)
    os.close(write_fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
