"""Upload benchmark (issue 4 §10): the engine vs a bare httpx loop, same parts, same loopback host.

Hosts (each in its own process, so its CPU is not charged to either client):

- **sink** (default for the ratio): a minimal AIOZ upload endpoint written for this benchmark (`/media/create`,
  `/media/{id}/part`, `/media/{id}/complete`) that parses each multipart body as a stream, checks the part's
  `Content-Range` against its size and its MD5 against the `hash` field, and keeps no bytes. It is "a host that is
  not the bottleneck": one core parses and hashes several hundred MiB/s;
- **sandbox**: the product's sandbox with `store_parts="discard"` (same checks, keeps no bytes). It parses parts
  with Starlette's form parser (python-multipart, spooled to a temporary file), which tops out around 100-120 MiB/s
  on one core, so there it is the host that sets the pace and both clients measure about the same.

Clients, each in its own subprocess so each peak RSS is its own (VmHWM, cross-checked by psutil sampling):

- **engine**: `botflix_mcp.aioz.upload.upload_file` (streamed multipart parts, one-pass MD5 in worker threads,
  `--parallel` parts in flight), create -> parts -> complete;
- **loop**: what a straightforward client does: for each part, read it into memory, MD5 it, POST it with httpx's
  multipart `files=`, one after another; create and complete the same way.

Printed from the same run: throughput of both on `--size-gib` (default 1 GiB) and their ratio, the peak RSS of both
on `--rss-gib` (default 2 GiB), and the engine's peak RSS on both sizes (flat in file size?).

    .venv/bin/python bench/upload.py [--host sink|sandbox|both] [--size-gib 1] [--rss-gib 2] [--chunk-mib 32]
                                     [--parallel N] [--repeat N] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MIB = 1024 * 1024
GIB = 1024 * MIB


def make_file(path: Path, size: int) -> Path:
    """Random-looking bytes, written fast: one 16 MiB random block repeated (MD5 cost does not depend on content)."""
    if path.exists() and path.stat().st_size == size:
        return path
    block = os.urandom(16 * MIB)
    with path.open("wb") as out:
        left = size
        while left:
            piece = block[: min(left, len(block))]
            out.write(piece)
            left -= len(piece)
    return path


class PeakRss:
    """psutil sampling of this process's RSS (peak), next to ru_maxrss."""

    def __init__(self) -> None:
        import psutil

        self._proc = psutil.Process()
        self.peak = self._proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._proc.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --------------------------------------------------------------------------- the sink host


SINK_BODY_LIMIT = 50_000_000  # the real host's "50M" (research/aioz.md §3.1)
SINK_WINDOW = 8192  # bytes held back at the end of a body: the small fields after the file part live there


class SinkError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _field_name(head: bytes) -> str:
    text = head.decode("latin-1")
    return text.split('name="', 1)[1].split('"', 1)[0] if 'name="' in text else ""


def parse_small_fields(block: bytes, boundary: bytes) -> dict[str, str]:
    """The non-file fields of a (piece of a) multipart body."""
    fields: dict[str, str] = {}
    for piece in block.split(b"--" + boundary):
        head, sep, value = piece.partition(b"\r\n\r\n")
        if sep and b"filename=" not in head:
            fields[_field_name(head)] = value[:-2].decode() if value.endswith(b"\r\n") else value.decode()
    return fields


class PartBodyCheck:
    """Streams one part body: the file bytes are hashed as they arrive (zero-copy from the receive buffer); the
    head (fields before the file, the file's part header) and the last `SINK_WINDOW` bytes (the delimiter and the
    fields after the file) are parsed at the edges."""

    def __init__(self, length: int, boundary: bytes) -> None:
        self.left = length
        self.boundary = boundary
        self.head = bytearray()
        self.in_file = False
        self.digest = hashlib.md5()
        self.size = 0
        self.window = b""
        self.fields: dict[str, str] = {}

    def feed(self, data: memoryview) -> None:
        self.left -= len(data)
        if not self.in_file:
            self.head += data
            at = self.head.find(b"filename=")
            end = self.head.find(b"\r\n\r\n", at) if at >= 0 else -1
            if end < 0:
                return
            self.fields.update(parse_small_fields(bytes(self.head[:at]), self.boundary))
            self.in_file = True
            data = memoryview(bytes(self.head[end + 4 :]))
        joined = len(self.window) + len(data)
        if joined <= SINK_WINDOW:
            self.window = self.window + bytes(data)
            return
        spill = joined - SINK_WINDOW  # bytes that are surely file content
        from_window = min(spill, len(self.window))
        self.digest.update(self.window[:from_window])
        self.digest.update(data[: spill - from_window])
        self.size += spill
        self.window = self.window[from_window:] + bytes(data[spill - from_window :])

    def finish(self) -> tuple[int, str, dict[str, str]]:
        delimiter = b"\r\n--" + self.boundary
        at = self.window.find(delimiter)
        if not self.in_file or at < 0:
            raise SinkError(400, "File is required.")
        self.digest.update(self.window[:at])
        self.fields.update(parse_small_fields(self.window[at + 2 :], self.boundary))
        return self.size + at, self.digest.hexdigest(), self.fields


class SinkProtocol(asyncio.BufferedProtocol):
    """HTTP/1.1 keep-alive, one request at a time; bodies are received straight into one 1 MiB buffer."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.buffer = memoryview(bytearray(1 << 20))
        self.head = bytearray()
        self.request: dict[str, Any] | None = None
        self.body: PartBodyCheck | bytearray | None = None
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.buffer

    def buffer_updated(self, nbytes: int) -> None:
        self.feed(self.buffer[:nbytes])

    def feed(self, data: memoryview) -> None:
        while len(data):
            if self.request is None:
                self.head += data
                end = self.head.find(b"\r\n\r\n")
                if end < 0:
                    return
                rest = memoryview(bytes(self.head[end + 4 :]))
                self.start(bytes(self.head[:end]))
                self.head = bytearray()
                data = rest
                if self.request is not None and self.request["left"] == 0:
                    self.complete()
                continue
            take = min(len(data), self.request["left"])
            self.request["left"] -= take
            if isinstance(self.body, PartBodyCheck):
                self.body.feed(data[:take])
            elif isinstance(self.body, bytearray):
                self.body += data[:take]
            data = data[take:]
            if self.request["left"] == 0:
                self.complete()

    def start(self, head: bytes) -> None:
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
        length = int(headers.get("content-length", "0"))
        self.request = {"method": method, "path": target.split("?")[0], "headers": headers, "left": length}
        boundary = headers.get("content-type", "").partition("boundary=")[2].encode()
        wanted = method == "POST" and target.endswith("/part") and boundary and length <= SINK_BODY_LIMIT
        self.body = PartBodyCheck(length, boundary) if wanted else (bytearray() if length < (1 << 20) else None)

    def complete(self) -> None:
        assert self.request is not None
        try:
            status, body = self.sink.route(self.request, self.body)
        except SinkError as exc:
            status, body = exc.status, {"status": "fail", "message": str(exc)}
        payload = json.dumps(body).encode()
        head = f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {len(payload)}"
        self.transport.write(head.encode() + b"\r\n\r\n" + payload)
        self.request = self.body = None


class Sink:
    """Just enough of the AIOZ upload routes for the benchmark; keeps no part bytes."""

    def __init__(self) -> None:
        self.media: dict[str, dict[str, Any]] = {}

    def route(self, request: dict[str, Any], body: Any) -> tuple[int, Any]:
        import uuid

        method, path, headers = request["method"], request["path"], request["headers"]
        if int(headers.get("content-length", "0")) > SINK_BODY_LIMIT:
            raise SinkError(413, "Request Entity Too Large")
        if method == "POST" and path.endswith("/media/create"):
            media_id = str(uuid.uuid4())
            self.media[media_id] = {"id": media_id, "status": "new", "size": 0, "parts": {}}
            return 200, {"status": "success", "data": self.media[media_id]}
        parts = path.strip("/").split("/")
        media = self.media.get(parts[-2] if len(parts) >= 2 else "") or self.media.get(parts[-1])
        if media is None:
            raise SinkError(404, "Media not found.")
        if method == "POST" and path.endswith("/part"):
            match = re.match(r"^bytes (\d+)-(\d+)/(\d+)$", headers.get("content-range", ""))
            if not match or not isinstance(body, PartBodyCheck):
                raise SinkError(400, "Invalid content range.")
            start, end, total = (int(x) for x in match.groups())
            size, md5, fields = body.finish()
            if end - start + 1 != size:
                raise SinkError(400, "Invalid content range.")
            if md5 != fields.get("hash", "").strip().lower():
                raise SinkError(400, "File corrupted.")
            index = int(fields.get("index", "0"))
            if media["parts"].get(index) == md5:
                raise SinkError(400, "Part is already uploaded.")
            media["parts"][index] = md5
            media["size"] += size
            media["total"] = total
            return 200, {"status": "success", "message": "Upload part successfully."}
        if method == "GET" and path.endswith("/complete"):
            if media["size"] != media.get("total"):
                raise SinkError(400, "Invalid media size")
            media["status"] = "transcoding"
            return 200, {"status": "success", "message": "Upload media complete successfully."}
        if method == "GET":
            return 200, {"status": "success", "data": media}
        raise SinkError(404, "Route not found")


def serve_sink() -> None:
    """Run the sink on a free loopback port; print its base URL; stop when stdin closes."""

    async def main() -> None:
        sink = Sink()
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: SinkProtocol(sink), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        print(f"http://127.0.0.1:{port}/api", flush=True)
        await loop.run_in_executor(None, sys.stdin.read)
        server.close()

    asyncio.run(main())


def own_peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM on Linux (`ru_maxrss` would include the forking parent's RSS)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------- children


def _headers() -> dict[str, str]:
    from botflix_mcp.sandbox import DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

    return {"stream-public-key": DEMO_PUBLIC_KEY, "stream-secret-key": DEMO_SECRET_KEY}


async def run_loop(base: str, path: Path, chunk: int, total: int) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base, headers=_headers(), timeout=120) as http:
        media = (await http.post("/media/create", json={"title": "bench loop", "type": "video"})).json()["data"]
        media_id = media.get("id") or media["media"]["id"]
        with path.open("rb") as handle:
            index, position = 0, 0
            while position < total:
                data = handle.read(chunk)
                index += 1
                md5 = hashlib.md5(data).hexdigest()
                answer = await http.post(
                    f"/media/{media_id}/part",
                    headers={"Content-Range": f"bytes {position}-{position + len(data) - 1}/{total}"},
                    files={"file": ("blob", data, "application/octet-stream")},
                    data={"index": str(index), "hash": md5},
                )
                answer.raise_for_status()
                position += len(data)
        (await http.get(f"/media/{media_id}/complete", timeout=600)).raise_for_status()


async def run_engine(base: str, path: Path, chunk: int, parallel: int, cache: Path) -> dict[str, Any]:
    from botflix_mcp.aioz.client import AiozClient, AiozCredentials
    from botflix_mcp.aioz.media_ops import create_media
    from botflix_mcp.aioz.session import AiozSession
    from botflix_mcp.aioz.upload import upload_file
    from botflix_mcp.http import RetryPolicy
    from botflix_mcp.sandbox import DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

    client = AiozClient(base, timeout=120)
    api = AiozSession(client, AiozCredentials.of(DEMO_PUBLIC_KEY, DEMO_SECRET_KEY, source="sandbox"))

    async def create() -> dict[str, Any]:
        media, _ = await create_media(api, {"title": "bench engine", "type": "video"}, duration=None)
        return media

    try:
        report = await upload_file(
            api,
            path,
            title="bench engine",
            media_type="video",
            create_media=create,
            chunk_size=chunk,
            parallel=parallel,
            cache_dir=cache,
            retry=RetryPolicy(),
            complete_timeout=600,
        )
    finally:
        await client.aclose()
    assert report.ok, report.error
    return {"parts": report.parts, "part_size": report.part_size}


def child(args: argparse.Namespace) -> int:
    import anyio

    path = Path(args.file)
    extra: dict[str, Any] = {}
    # Imports are not part of the measured time (the engine's pull in the MCP SDK; the loop's only httpx).
    import httpx  # noqa: F401

    if args.child == "engine":
        import botflix_mcp.aioz.media_ops
        import botflix_mcp.aioz.session
        import botflix_mcp.aioz.upload  # noqa: F401
    with PeakRss() as rss:
        started = time.perf_counter()
        if args.child == "loop":
            anyio.run(run_loop, args.url, path, args.chunk_mib * MIB, path.stat().st_size)
        else:
            extra = anyio.run(run_engine, args.url, path, args.chunk_mib * MIB, args.parallel, Path(args.cache))
        seconds = time.perf_counter() - started
    size = path.stat().st_size
    out = {
        "variant": args.child,
        "bytes": size,
        "seconds": seconds,
        "mib_s": size / MIB / seconds,
        "peak_rss_mb": own_peak_rss_mb(),
        "psutil_peak_rss_mb": rss.peak / MIB,
        **extra,
    }
    print(json.dumps(out))
    return 0


# --------------------------------------------------------------------------- parent


SANDBOX_CHILD = """
import sys
from botflix_mcp.sandbox import SandboxConfig, SandboxServer
server = SandboxServer(SandboxConfig(store_parts="discard"))
server.start()
print(server.aioz_base_url, flush=True)
sys.stdin.read()
server.stop()
"""


def run_child(variant: str, url: str, path: Path, args: argparse.Namespace, cache: Path) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", variant, "--url", url, "--file", str(path)]
    cmd += ["--chunk-mib", str(args.chunk_mib), "--parallel", str(args.parallel), "--cache", str(cache)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{variant} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def measure(host: str, args: argparse.Namespace, small: Path, big: Path, work: Path) -> dict[str, Any]:
    """Start `host` in its own process and run both clients against it."""
    code = ["-c", SANDBOX_CHILD] if host == "sandbox" else [__file__, "--serve-sink"]
    server = subprocess.Popen([sys.executable, *code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        if not url.startswith("http"):
            raise SystemExit(f"the {host} host did not start")
        runs: dict[str, list[dict[str, Any]]] = {"engine": [], "loop": []}
        for n in range(args.repeat):
            for variant in ("loop", "engine"):
                runs[variant].append(run_child(variant, url, small, args, work / f"{host}-{variant}-{n}"))
        best = {v: max(r, key=lambda x: x["mib_s"]) for v, r in runs.items()}
        rss = {v: run_child(v, url, big, args, work / f"{host}-rss-{v}") for v in ("loop", "engine")}
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(timeout=30)
    return {
        "throughput": {
            "size_gib": args.size_gib,
            "loop_mib_s": round(best["loop"]["mib_s"], 1),
            "engine_mib_s": round(best["engine"]["mib_s"], 1),
            "ratio": round(best["engine"]["mib_s"] / best["loop"]["mib_s"], 2),
        },
        "peak_rss_mb": {
            "size_gib": args.rss_gib,
            "loop": round(rss["loop"]["peak_rss_mb"], 1),
            "engine": round(rss["engine"]["peak_rss_mb"], 1),
            "engine_small": round(best["engine"]["peak_rss_mb"], 1),
            "engine_psutil": round(rss["engine"]["psutil_peak_rss_mb"], 1),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", choices=["sink", "sandbox", "both"], default="both")
    parser.add_argument("--size-gib", type=float, default=1.0, help="file size for the throughput ratio")
    parser.add_argument("--rss-gib", type=float, default=2.0, help="file size for the peak RSS figures")
    parser.add_argument("--chunk-mib", type=int, default=32, help="part size for both (fits the host's 50M limit)")
    parser.add_argument("--parallel", type=int, default=None, help="engine parts in flight (default: the setting)")
    parser.add_argument("--repeat", type=int, default=1, help="throughput runs per variant (best is kept)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=["engine", "loop"], help=argparse.SUPPRESS)
    parser.add_argument("--serve-sink", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_sink:
        serve_sink()
        return 0
    if args.parallel is None:
        from botflix_mcp.settings import Settings

        args.parallel = Settings().upload_parallel
    if args.child:
        return child(args)
    hosts = ["sink", "sandbox"] if args.host == "both" else [args.host]
    with tempfile.TemporaryDirectory(prefix="botflix-bench-") as tmp:
        work = Path(tmp)
        small = make_file(work / "a.bin", int(args.size_gib * GIB))
        big = make_file(work / "b.bin", int(args.rss_gib * GIB))
        results = {host: measure(host, args, small, big, work) for host in hosts}
    summary = {"cpus": os.cpu_count(), "chunk_mib": args.chunk_mib, "parallel": args.parallel, **results}
    summary["goal"] = {"ratio_min": 1.5, "rss_max_mb": 150}
    if args.json:
        print(json.dumps(summary, indent=1))
        return 0
    print(f"upload benchmark: {os.cpu_count()} CPUs, {args.chunk_mib} MiB parts, engine parallel={args.parallel}")
    for host, result in results.items():
        t, r = result["throughput"], result["peak_rss_mb"]
        print(f"[{host}] throughput on {args.size_gib:g} GiB:")
        print(f"[{host}]   engine {t['engine_mib_s']} MiB/s, loop {t['loop_mib_s']} MiB/s")
        print(f"[{host}]   ratio engine/loop: {t['ratio']}x (goal >= 1.5x)")
        print(f"[{host}]   peak RSS on {args.rss_gib:g} GiB: engine {r['engine']} MB, loop {r['loop']} MB")
        print(f"[{host}]   engine peak RSS on {args.size_gib:g} GiB: {r['engine_small']} MB (flat in file size)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
