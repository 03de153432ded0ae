"""A socketpair protocol across a fork: the parent sendall()s 100,000
bytes and shuts its side down; the child recv()s to the end and answers
how many bytes it got.  Prints the answer."""
import os
import socket

TOTAL = 100_000

parent_end, child_end = socket.socketpair()
pid = os.fork()
if pid == 0:
    parent_end.close()
    got = 0
    while True:
        chunk = child_end.recv(8192)
        if not chunk:
            break
        got += len(chunk)
    child_end.sendall(str(got).encode())
    os._exit(0)
child_end.close()
parent_end.sendall(bytes(i % 251 for i in range(TOTAL)))
parent_end.shutdown(socket.SHUT_WR)
answer = b""
while True:
    chunk = parent_end.recv(100)
    if not chunk:
        break
    answer += chunk
_, status = os.waitpid(pid, 0)
print(answer.decode(), os.waitstatus_to_exitcode(status))
