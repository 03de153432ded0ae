"""Stands for `ssh HOST CMD` in sh_stolen_input.sh: like ssh, it forwards its
standard input to the remote command, so it reads all of stdin before it
does its job."""
import sys

forwarded = sys.stdin.buffer.read()
print("item %s done (%d bytes of stdin forwarded)" % (sys.argv[1], len(forwarded)))
