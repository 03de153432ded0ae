# Makes a small trace with many record types (run under pipetrace).
import os, select, signal, socket, subprocess, sys, time

# a socketpair, bytes both ways
a, b = socket.socketpair()
a.send(b"ping")
b.recv(16)
b.send(b"pong")
a.recv(16)
a.close(); b.close()

# a pipe, poll, read/write with captured data
r, w = os.pipe()
os.write(w, b"hello through a pipe\n")
p = select.poll()
p.register(r, select.POLLIN)
p.poll(1000)
os.read(r, 100)
os.writev(w, [b"vec", b"tor\n"])
os.readv(r, [bytearray(4), bytearray(8)])
os.close(r); os.close(w)

# a pipeline of exec'd programs
out = subprocess.run(["sh", "-c", "printf 'b\\na\\nc\\n' | sort | tr a-z A-Z"],
                     stdout=subprocess.PIPE, check=True).stdout
sys.stdout.write(out.decode())

# a writer killed while blocked in write (its record stays begun)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    chunk = b"K" * 16384
    while True:
        os.write(w, chunk)
os.close(w)
time.sleep(0.5)
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
os.close(r)
