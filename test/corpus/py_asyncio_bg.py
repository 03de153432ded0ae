"""The asyncio form of py_capture_bg: create_subprocess_exec with
stdout=PIPE and communicate(), waiting in epoll_wait().

bug:   the command leaves `sleep 30 &` holding the stdout pipe.
fixed: the background process's stdout goes to /dev/null.
"""
import asyncio
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the corpus
from corpus_util import mode


async def run(command):
    proc = await asyncio.create_subprocess_exec(
        "sh", "-c", command, stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    return out


fixed = mode()
background = "sleep 1 >/dev/null 2>&1 &" if fixed else "sleep 30 &"
print(asyncio.run(run("echo started; " + background)).decode().strip())
