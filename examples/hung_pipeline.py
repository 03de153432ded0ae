#!/usr/bin/env python3
"""A hung pipeline: the parent hands its child a pipe, writes a line, and
waits for the child to finish, but forgets to close its own copy of the
write end.  The child reads until end of file, which never comes while the
parent holds that end, so both wait forever.

    timeout -s KILL 2 pipetrace run -o hang -- python3 examples/hung_pipeline.py
    pipetrace check hang
"""
import os


def main():
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(write_end)
        while os.read(read_end, 4096):
            pass
        os._exit(0)
    os.close(read_end)
    os.write(write_end, b"work item\n")
    # Missing: os.close(write_end)
    os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
