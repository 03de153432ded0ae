"""Benign: an fd handed to a child on purpose with pass_fds (CPython clears
its close-on-exec flag in the child).  The child announces itself on it;
the parent reads to EOF.  Nothing leaks."""
import os
import subprocess

r, w = os.pipe()
proc = subprocess.Popen(["sh", "-c", 'echo ready >&"$1"', "sh", str(w)], pass_fds=(w,))
os.close(w)
data = b""
while True:
    chunk = os.read(r, 256)
    if not chunk:
        break
    data += chunk
os.close(r)
print(data.decode().strip(), "exit", proc.wait())
