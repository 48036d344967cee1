"""A loopback TCP proxy that makes a link look distant: round-trip time and a bandwidth cap per connection.

Each direction of each connection is a pipe with a one-way delay of RTT/2 and a rate cap (bytes leave no faster than
`rate`); what a pipe holds is bounded (about rate * RTT plus a read), so a sender feels the link's bandwidth-delay
product as a real TCP sender does. Used by bench/upload.py for the "real link" figures (default 80 ms, 12 MiB/s).

    .venv/bin/python bench/shaper.py --upstream 127.0.0.1:PORT [--rtt-ms 80] [--rate-mib 12]

Prints `http://127.0.0.1:<port>` once listening; stops when stdin closes. Listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections import deque

MIB = 1024 * 1024
READ = 64 * 1024


class Pipe:
    """One direction of one connection: delay, then pace at `rate` bytes/s."""

    def __init__(self, rate: float, delay: float) -> None:
        self.rate = rate
        self.delay = delay
        self.queue: deque[tuple[float, bytes]] = deque()
        self.held = 0
        self.limit = int(rate * max(delay * 2, 0.01)) + READ  # about one bandwidth-delay product in flight
        self.changed = asyncio.Event()

    async def receive(self, reader: asyncio.StreamReader) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                while self.held >= self.limit:
                    self.changed.clear()
                    await self.changed.wait()
                data = await reader.read(READ)
                if not data:
                    break
                self.queue.append((loop.time() + self.delay, data))
                self.held += len(data)
                self.changed.set()
        except (ConnectionError, OSError):
            pass
        finally:
            self.queue.append((loop.time() + self.delay, b""))
            self.changed.set()

    async def deliver(self, writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        free_at = loop.time()  # when the link can take the next byte
        try:
            while True:
                while not self.queue:
                    self.changed.clear()
                    await self.changed.wait()
                due, data = self.queue.popleft()
                if not data:
                    with contextlib.suppress(OSError):
                        writer.write_eof()
                    return
                start = max(due, free_at)
                free_at = start + len(data) / self.rate
                wait = free_at - loop.time()  # the last byte leaves when the link has carried it
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()
                self.held -= len(data)
                self.changed.set()
        except (ConnectionError, OSError):
            pass


async def serve(upstream: tuple[str, int], rtt: float, rate: float) -> None:
    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*upstream)
        except OSError:
            client_w.close()
            return
        await asyncio.sleep(rtt)  # the TCP handshake to a distant host
        up, down = Pipe(rate, rtt / 2), Pipe(rate, rtt / 2)
        try:
            await asyncio.gather(
                up.receive(client_r), up.deliver(server_w), down.receive(server_r), down.deliver(client_w)
            )
        finally:
            for w in (client_w, server_w):
                w.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="host:port of the real server (loopback)")
    parser.add_argument("--rtt-ms", type=float, default=80.0)
    parser.add_argument("--rate-mib", type=float, default=12.0, help="MiB/s per connection and direction")
    args = parser.parse_args()
    host, _, port = args.upstream.rpartition(":")
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("the shaper only forwards to loopback")
    asyncio.run(serve((host, int(port)), args.rtt_ms / 1000, args.rate_mib * MIB))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
