"""Both ends of a socketpair send 2,000,000 bytes before reading any: each
fills the other's receive buffer and blocks in send, for ever.  Prints the
child's pid first."""
import os
import socket
import sys

parent_end, child_end = socket.socketpair()
pid = os.fork()
if pid == 0:
    parent_end.close()
    child_end.sendall(b"x" * 2_000_000)
    os._exit(0)
print("child", pid)
sys.stdout.flush()
child_end.close()
parent_end.sendall(b"y" * 2_000_000)
os.waitpid(pid, 0)
