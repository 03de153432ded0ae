"""An asyncio stream pair over a socketpair: one side writes 100,000
bytes through a StreamWriter and closes; the other reads them through a
StreamReader to the end and answers the count.  Prints the answer."""
import asyncio
import socket

TOTAL = 100_000


async def main():
    a, b = socket.socketpair()
    reader_a, writer_a = await asyncio.open_connection(sock=a)
    reader_b, writer_b = await asyncio.open_connection(sock=b)
    writer_a.write(bytes(i % 251 for i in range(TOTAL)))
    await writer_a.drain()
    writer_a.write_eof()
    data = await reader_b.read()
    writer_b.write(str(len(data)).encode())
    await writer_b.drain()
    writer_b.close()
    answer = await reader_a.read()
    writer_a.close()
    print(answer.decode())


asyncio.run(main())
