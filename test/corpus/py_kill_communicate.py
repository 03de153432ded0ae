"""Cancelling a child the way CPython's own tests and the subprocess docs do:
Popen.kill(), then communicate() to collect what it wrote and reap it.  The
pipe reaches EOF at once because its only writer is being killed; nothing
hung.  (The read comes before the reap, so only the recorded kill tells
this drain from a read that waited until a kill from outside.)
"""
import subprocess

child = subprocess.Popen(["sh", "-c", "echo started; exec sleep 30"], stdout=subprocess.PIPE)
first = child.stdout.readline()
child.kill()
rest, _ = child.communicate()
print(first.decode().strip(), len(rest), child.returncode)
