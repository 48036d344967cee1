"""Upload benchmark (issue 11): what a user gets from `aioz_upload_media`, against two peers, in one run.

Everything runs in its own process and talks over loopback:

- **host**: the product's sandbox in strict mode (`strict_parts=True`, `store_parts="discard"`): every part is
  parsed as multipart as it arrives, its size checked against `Content-Range` and its MD5 against the `hash`
  field, as the real host does; no bytes are kept. Optionally behind **bench/shaper.py** (RTT + a bandwidth cap per
  connection: a distant host).
- **mcp**: the real console script spawned over stdio by the SDK client: by default `botflix-mcp` from
  `.bench-venv`, a plain `pip install .` of this checkout (what a user gets: bench/startup.py builds it), or from
  `--server-python`'s venv. It starts warm, as a user's server is after its first start (one untimed start per
  configuration fills the cache directory: tool schemas; the tool's module is then imported by the timed call
  itself), with `PYTHONDONTWRITEBYTECODE` dropped from its environment (an installed package has its bytecode;
  with the variable set, an editable checkout would compile every module at every start, which no user pays).
  Like every MCP client, it lists the tools before calling one; spawn -> initialize and `tools/list` are timed
  apart from the `aioz_upload_media` call (progress notifications on). (Without the list, the SDK client lists
  the tools itself inside the call, to check the result against the tool's output schema.) The client's one-time
  import of `jsonschema`, which it makes on the first result it checks (50-85 ms here), is done before the timer.
  The server's CPU time during the call (psutil, all threads) and its peak RSS (VmHWM) are read from outside.
- **loop**: a bare sequential httpx client: read a part, MD5 it, POST it with httpx's multipart, next part. Its
  figure is the whole process, spawn to exit (and its transfer alone, printed next to it).
- **par5**: a parallel-parts httpx peer shaped like the official AIOZ Node SDK's `uploadVideo`: 5 parts in flight,
  each read into memory and MD5-hashed (in a worker thread), then POSTed.
- **md5 floor**: reading the file and MD5-hashing it once in one process (CPU seconds): no uploader can do less.

Runs alternate (mcp, loop, par5, floor; mcp, loop, ...), `--pairs` times, after one untimed run of each; each ratio
is the median of per-pair ratios; the 1-minute load average is printed with every figure. Peers use the part size
the server used.

    .venv/bin/python bench/upload.py [--size-gib 1] [--pairs 3] [--rss-gib 4] [--parallel N] [--chunk-mib N]
                                     [--server-python PATH]
                                     [--shaped] [--rtt-ms 80] [--rate-mib 12] [--shaped-mib 512]
                                     [--shaped-pairs 3] [--sweep 1,2,3,4,5,6,7,8] [--chunk-sweep 16,32]
                                     [--skip-loopback] [--json FILE]

The README's figures: `bench/upload.py --shaped --sweep 1,2,4,6,8`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from startup import user_venv  # bench/ is on sys.path when this file runs as a script

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
GIB = 1024 * MIB
PEER_PARALLEL = 5  # the official AIOZ Node SDK's uploadVideo

HOST_CHILD = """
import sys
from botflix_mcp.sandbox import SandboxConfig, SandboxServer
server = SandboxServer(SandboxConfig(store_parts="discard", strict_parts=True, transcode_step=0.01))
server.start()
print(server.url, flush=True)
sys.stdin.read()
server.stop()
"""


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def wav_header(size: int) -> bytes:
    """A 44-byte PCM WAV header whose data chunk covers the rest of a `size`-byte file: the server probes content
    (it refuses bytes that are no known media container), and a WAV's sizes fit 32 bits up to 4 GiB."""
    fmt = struct.pack("<IHHIIHH", 16, 1, 2, 48000, 192000, 4, 16)
    return b"RIFF" + struct.pack("<I", size - 8) + b"WAVE" + b"fmt " + fmt + b"data" + struct.pack("<I", size - 44)


def make_file(path: Path, size: int, *, sparse: bool = False) -> Path:
    """A WAV header, then random-looking bytes (one 16 MiB random block repeated; MD5's cost does not depend on
    content), or holes (a sparse file reads as zeros and takes no disk: for the 4 GiB peak-RSS run)."""
    if path.exists() and path.stat().st_size == size:
        return path
    with path.open("wb") as out:
        out.write(wav_header(size))
        if sparse:
            out.truncate(size)
            return path
        block = os.urandom(16 * MIB)
        left = size - 44
        while left:
            piece = block[: min(left, len(block))]
            out.write(piece)
            left -= len(piece)
    return path


def md5_floor(path: Path) -> float:
    """CPU seconds to read `path` and MD5 it once (8 MiB blocks into one buffer): the least any uploader must do."""
    buffer = memoryview(bytearray(8 * MIB))
    digest = hashlib.md5(usedforsecurity=False)
    started = time.process_time()
    with path.open("rb", buffering=0) as handle:
        while got := handle.readinto(buffer):
            digest.update(buffer[:got])
    return time.process_time() - started


def vm_hwm_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _auth() -> dict[str, str]:
    from botflix_mcp.sandbox import DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

    return {"stream-public-key": DEMO_PUBLIC_KEY, "stream-secret-key": DEMO_SECRET_KEY}


# --------------------------------------------------------------------------- peers (child processes)


async def _create(http: Any) -> str:
    media = (await http.post("/media/create", json={"title": "bench peer", "type": "audio"})).json()["data"]
    return str(media.get("id") or media["media"]["id"])


async def _post_part(http: Any, media_id: str, index: int, position: int, data: bytes, total: int) -> None:
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
    answer = await http.post(
        f"/media/{media_id}/part",
        headers={"Content-Range": f"bytes {position}-{position + len(data) - 1}/{total}"},
        files={"file": ("blob", data, "application/octet-stream")},
        data={"index": str(index), "hash": md5},
    )
    answer.raise_for_status()


async def run_loop(base: str, path: Path, chunk: int, total: int) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base, headers=_auth(), timeout=600) as http:
        media_id = await _create(http)
        with path.open("rb") as handle:
            index, position = 0, 0
            while position < total:
                data = handle.read(chunk)
                index += 1
                await _post_part(http, media_id, index, position, data, total)
                position += len(data)
        (await http.get(f"/media/{media_id}/complete", timeout=600)).raise_for_status()


async def run_parallel(base: str, path: Path, chunk: int, total: int, parallel: int) -> None:
    import httpx

    limits = httpx.Limits(max_connections=parallel, max_keepalive_connections=parallel)
    async with httpx.AsyncClient(base_url=base, headers=_auth(), timeout=600, limits=limits) as http:
        media_id = await _create(http)
        gate = asyncio.Semaphore(parallel)

        def read(position: int) -> bytes:
            with path.open("rb") as handle:
                handle.seek(position)
                return handle.read(min(chunk, total - position))

        async def one(index: int, position: int) -> None:
            async with gate:
                data = await asyncio.to_thread(read, position)
                await _post_part(http, media_id, index, position, data, total)

        await asyncio.gather(*(one(n + 1, pos) for n, pos in enumerate(range(0, total, chunk))))
        (await http.get(f"/media/{media_id}/complete", timeout=600)).raise_for_status()


# --------------------------------------------------------------------------- the real server (child process)


async def run_mcp(args: argparse.Namespace) -> dict[str, Any]:
    import psutil
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters, stdio_client

    from botflix_mcp.sandbox import DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

    drop = ("AIOZ_", "BOTFLIX_", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(
        AIOZ_BASE_URL=args.url,
        AIOZ_PUBLIC_KEY=DEMO_PUBLIC_KEY,
        AIOZ_SECRET_KEY=DEMO_SECRET_KEY,
        BOTFLIX_MCP_CACHE_DIR=args.cache,
        BOTFLIX_MCP_LOG_LEVEL="WARNING",
    )
    if args.parallel:
        env["BOTFLIX_MCP_UPLOAD_PARALLEL"] = str(args.parallel)
    if args.chunk_mib:
        env["BOTFLIX_MCP_CHUNK_SIZE"] = f"{args.chunk_mib}MiB"
    script = Path(args.script)
    params = StdioServerParameters(command=str(script), args=[], env=env)
    notes = 0

    async def progress(done: float, total: float | None, message: str | None) -> None:
        nonlocal notes
        notes += 1

    errlog = args.errlog
    spawned = time.perf_counter()
    async with Client(stdio_client(params, errlog=errlog), mode="legacy") as client:
        initialized = time.perf_counter() - spawned
        if args.child == "warm":  # a start that only fills the cache directory (tool schemas) for later runs
            await client.list_tools()
            return {"init_s": initialized}
        listed = time.perf_counter()
        await client.list_tools()  # as every client does before a call (the model has to see the tool)
        listed = time.perf_counter() - listed
        # The SDK client imports jsonschema on the first result it checks against an output schema (50-85 ms
        # here, in this process): a client's one-time cost, paid long before by any client that has called a
        # tool. Imported before the timer; the tool's validator is still built inside the call.
        importlib.import_module("jsonschema")
        (server,) = psutil.Process().children()
        hwm_before = vm_hwm_mb(server.pid)
        cpu0 = server.cpu_times()
        started = time.perf_counter()
        result = await client.call_tool(
            "aioz_upload_media",
            {"source": args.file, "title": "bench mcp", "media_type": "audio"},
            progress_callback=progress,
        )
        call = time.perf_counter() - started
        cpu1 = server.cpu_times()
        hwm = vm_hwm_mb(server.pid)
    data = (result.structured_content or {}).get("data") or {}
    if result.is_error or not data.get("ok"):
        raise SystemExit(f"upload failed: {[getattr(c, 'text', '') for c in result.content]}")
    return {
        "init_s": initialized,
        "list_s": listed,
        "call_s": call,
        "cpu_s": (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system),
        "cpu_user_s": cpu1.user - cpu0.user,
        "cpu_sys_s": cpu1.system - cpu0.system,
        "peak_rss_mb": hwm,
        "peak_rss_before_call_mb": hwm_before,
        "part_size": data.get("part_size"),
        "parts": data.get("parts"),
        "notifications": notes,
    }


def child(args: argparse.Namespace) -> int:
    import anyio

    path = Path(args.file)
    args.errlog = open(os.devnull, "w")  # noqa: SIM115 (the server's stderr, for the life of this process)
    started = time.perf_counter()
    if args.child in ("mcp", "warm"):
        out = anyio.run(run_mcp, args)
    elif args.child == "loop":
        anyio.run(run_loop, args.url, path, args.chunk_mib * MIB, path.stat().st_size)
        out = {}
    else:
        anyio.run(run_parallel, args.url, path, args.chunk_mib * MIB, path.stat().st_size, PEER_PARALLEL)
        out = {}
    out["transfer_s"] = time.perf_counter() - started
    print(json.dumps(out))
    return 0


# --------------------------------------------------------------------------- parent


def spawn_printing_url(cmd: list[str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        proc.kill()
        raise SystemExit(f"{cmd} did not start")
    return proc, url


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.stdin:
        proc.stdin.close()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


# Every side loads cached bytecode (this file's own too: the peers' whole-process times include starting it).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
SERVER_SCRIPT = [str(Path(sys.executable).parent / "botflix-mcp")]  # the console script under test (main() sets it)
HOST_PIDS: list[int] = []  # the sandbox (and the shaper when it runs): their CPU is printed per run


def _host_cpu() -> float:
    import psutil

    total = 0.0
    for pid in HOST_PIDS:
        times = psutil.Process(pid).cpu_times()
        total += times.user + times.system
    return total


WARMED: set[tuple[Path, int, int | None]] = set()


def run_variant(variant: str, url: str, path: Path, cache: Path, *, chunk_mib: int, parallel: int | None = None,
                timeout: float = 1800) -> dict[str, Any]:  # fmt: skip
    if variant == "mcp" and (cache, chunk_mib, parallel) not in WARMED:
        # The server starts as a user's does after its first start: warm (tool schemas cached, tool modules
        # imported on their first call, which the timed call then pays). One untimed start per configuration.
        WARMED.add((cache, chunk_mib, parallel))
        run_variant("warm", url, path, cache, chunk_mib=chunk_mib, parallel=parallel, timeout=timeout)
    cmd = [sys.executable, __file__, "--child", variant, "--url", url, "--file", str(path), "--cache", str(cache)]
    cmd += ["--script", SERVER_SCRIPT[0]]
    if chunk_mib:
        cmd += ["--chunk-mib", str(chunk_mib)]
    if parallel:
        cmd += ["--parallel", str(parallel)]
    host_cpu0 = _host_cpu()
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=timeout, cwd=ROOT, env=CHILD_ENV)
    wall = time.perf_counter() - started
    host_cpu = _host_cpu() - host_cpu0
    if done.returncode != 0:
        raise SystemExit(f"{variant} failed:\n{done.stderr[-3000:]}{done.stdout[-2000:]}")
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    out["wall_s"] = wall
    out["host_cpu_s"] = host_cpu
    out["load"] = os.getloadavg()[0]
    return out


def median_ratio(pairs: list[dict[str, dict[str, Any]]], num: tuple[str, str], den: tuple[str, str]) -> float:
    return statistics.median(p[num[0]][num[1]] / p[den[0]][den[1]] for p in pairs)


def loopback(args: argparse.Namespace, base: str, work: Path, report: dict[str, Any]) -> None:
    path = make_file(work / "bench.wav", int(args.size_gib * GIB))
    size_gib = path.stat().st_size / GIB
    mib = path.stat().st_size / MIB
    md5_floor(path)  # warm the page cache
    pairs: list[dict[str, dict[str, Any]]] = []
    part_mib = args.chunk_mib
    print(f"== loopback, {size_gib:g} GiB, strict sandbox host in its own process ({load()})")
    # One untimed run of each first: the first uploads into a fresh host ran up to 1.4x slower than the later
    # ones (the loop's most), which would favour whichever side it hits hardest in pair 1.
    warm = run_variant("mcp", base, path, work / "cache", chunk_mib=args.chunk_mib, parallel=args.parallel)
    part_mib = part_mib or int(warm["part_size"]) // MIB
    warm_loop = run_variant("loop", base, path, work / "x", chunk_mib=part_mib)
    warm_par5 = run_variant("par5", base, path, work / "x", chunk_mib=part_mib)
    print(
        f"warm-up (not counted): mcp call {warm['call_s']:.2f} s, loop {warm_loop['wall_s']:.2f} s, "
        f"par5 {warm_par5['wall_s']:.2f} s ({load()})"
    )
    for n in range(args.pairs):
        run: dict[str, dict[str, Any]] = {}
        first = run_variant("mcp", base, path, work / "cache", chunk_mib=args.chunk_mib, parallel=args.parallel)
        part_mib = part_mib or int(first["part_size"]) // MIB
        run["mcp"] = first
        run["loop"] = run_variant("loop", base, path, work / "x", chunk_mib=part_mib)
        run["par5"] = run_variant("par5", base, path, work / "x", chunk_mib=part_mib)
        run["floor"] = {"cpu_s": md5_floor(path), "load": os.getloadavg()[0]}
        m, lp, p5 = run["mcp"], run["loop"], run["par5"]
        print(
            f"pair {n + 1}: mcp init {m['init_s'] * 1000:.0f} ms, list {m['list_s'] * 1000:.0f} ms, "
            f"call {m['call_s']:.2f} s ({mib / m['call_s']:.0f} MiB/s), server CPU {m['cpu_s'] / size_gib:.2f} s/GiB "
            f"({m['cpu_user_s'] / size_gib:.2f} user + "
            f"{m['cpu_sys_s'] / size_gib:.2f} system), peak RSS {m['peak_rss_mb']:.0f} MB "
            f"({m['peak_rss_before_call_mb']:.0f} before the call), "
            f"{m['parts']} parts of {int(m['part_size']) // MIB} MiB, {m['notifications']} progress notes "
            f"(load {m['load']:.2f}) | loop {lp['wall_s']:.2f} s whole process, {lp['transfer_s']:.2f} s transfer "
            f"(load {lp['load']:.2f}) | par5 {p5['wall_s']:.2f} s / {p5['transfer_s']:.2f} s (load {p5['load']:.2f})"
            f" | host CPU mcp/loop/par5 {m['host_cpu_s']:.1f}/{lp['host_cpu_s']:.1f}/{p5['host_cpu_s']:.1f} s"
            f" | md5 floor {run['floor']['cpu_s'] / size_gib:.2f} CPU-s/GiB (load {run['floor']['load']:.2f})"
        )
        pairs.append(run)
    figures = {
        "call_over_loop_wall": median_ratio(pairs, ("mcp", "call_s"), ("loop", "wall_s")),
        "call_over_loop_transfer": median_ratio(pairs, ("mcp", "call_s"), ("loop", "transfer_s")),
        "mcp_whole_over_loop_wall": statistics.median(
            (p["mcp"]["init_s"] + p["mcp"]["call_s"]) / p["loop"]["wall_s"] for p in pairs
        ),
        "call_over_par5_wall": median_ratio(pairs, ("mcp", "call_s"), ("par5", "wall_s")),
        "cpu_over_md5_floor": median_ratio(pairs, ("mcp", "cpu_s"), ("floor", "cpu_s")),
        "server_cpu_s_per_gib": statistics.median(p["mcp"]["cpu_s"] / size_gib for p in pairs),
        "md5_floor_s_per_gib": statistics.median(p["floor"]["cpu_s"] / size_gib for p in pairs),
        "peak_rss_mb": max(p["mcp"]["peak_rss_mb"] for p in pairs),
        "init_ms": statistics.median(p["mcp"]["init_s"] * 1000 for p in pairs),
        "mib_s": statistics.median(mib / p["mcp"]["call_s"] for p in pairs),
        "loop_mib_s": statistics.median(mib / p["loop"]["transfer_s"] for p in pairs),
        "par5_mib_s": statistics.median(mib / p["par5"]["transfer_s"] for p in pairs),
    }
    print(f"medians of per-pair ratios over {len(pairs)} pairs ({load()}):")
    print(f"  upload call / bare loop's whole process: {figures['call_over_loop_wall']:.2f}x (goal <= 0.5x)")
    print(f"  upload call / bare loop's transfer alone: {figures['call_over_loop_transfer']:.2f}x")
    print(f"  spawn+init+call / bare loop's whole process: {figures['mcp_whole_over_loop_wall']:.2f}x")
    print(f"  upload call / par5 peer's whole process: {figures['call_over_par5_wall']:.2f}x")
    print(
        f"  server CPU {figures['server_cpu_s_per_gib']:.2f} s/GiB vs md5 floor {figures['md5_floor_s_per_gib']:.2f}"
        f" s/GiB: {figures['cpu_over_md5_floor']:.2f}x (goal <= 1.4x)"
    )
    print(
        f"  throughput: mcp {figures['mib_s']:.0f} MiB/s, loop {figures['loop_mib_s']:.0f}, par5 "
        f"{figures['par5_mib_s']:.0f}; server peak RSS {figures['peak_rss_mb']:.0f} MB (goal <= 120 MB)"
    )
    report["loopback"] = {"size_gib": size_gib, "part_mib": part_mib, "pairs": pairs, **figures}
    if args.rss_gib:
        big = make_file(work / "sparse.wav", int(args.rss_gib * GIB), sparse=True)
        m = run_variant("mcp", base, big, work / "cache", chunk_mib=args.chunk_mib, parallel=args.parallel)
        print(
            f"  flat in file size: server peak RSS {m['peak_rss_mb']:.0f} MB "
            f"({m['peak_rss_before_call_mb']:.0f} before the call) on {args.rss_gib:g} GiB (sparse file) "
            f"vs {figures['peak_rss_mb']:.0f} MB on {size_gib:g} GiB ({load()})"
        )
        report["rss"] = {"size_gib": args.rss_gib, "peak_rss_mb": m["peak_rss_mb"], "call_s": m["call_s"]}
        big.unlink()


def shaped(args: argparse.Namespace, host_url: str, work: Path, report: dict[str, Any]) -> None:
    port = host_url.rsplit(":", 1)[1]
    proxy, url = spawn_printing_url(
        [sys.executable, str(ROOT / "bench" / "shaper.py"), "--upstream", f"127.0.0.1:{port}",
         "--rtt-ms", str(args.rtt_ms), "--rate-mib", str(args.rate_mib)]
    )  # fmt: skip
    base = url + "/aioz/api"
    HOST_PIDS.append(proxy.pid)
    path = make_file(work / "shaped.wav", args.shaped_mib * MIB)
    mib = args.shaped_mib
    out: dict[str, Any] = {"rtt_ms": args.rtt_ms, "rate_mib": args.rate_mib, "size_mib": mib, "sweep": {}}
    try:
        print(f"== shaped link: {args.rtt_ms:g} ms RTT, {args.rate_mib:g} MiB/s per connection, {mib} MiB ({load()})")
        for parallel in [int(x) for x in args.sweep.split(",") if x]:
            m = run_variant("mcp", base, path, work / "cache", chunk_mib=args.chunk_mib, parallel=parallel)
            out["sweep"][parallel] = mib / m["call_s"]
            print(
                f"  parallel {parallel}: {mib / m['call_s']:.1f} MiB/s ({m['parts']} parts of "
                f"{int(m['part_size']) // MIB} MiB, load {m['load']:.2f})"
            )
        for chunk in [int(x) for x in args.chunk_sweep.split(",") if x]:
            m = run_variant("mcp", base, path, work / "cache", chunk_mib=chunk, parallel=args.parallel)
            out.setdefault("chunk_sweep", {})[chunk] = mib / m["call_s"]
            print(f"  part {chunk} MiB, default parallel: {mib / m['call_s']:.1f} MiB/s (load {m['load']:.2f})")
        pairs: list[dict[str, dict[str, Any]]] = []
        for n in range(args.shaped_pairs):
            run: dict[str, dict[str, Any]] = {}
            run["mcp"] = run_variant(
                "mcp", base, path, work / "cache", chunk_mib=args.chunk_mib, parallel=args.parallel
            )
            part_mib = args.chunk_mib or int(run["mcp"]["part_size"]) // MIB
            run["par5"] = run_variant("par5", base, path, work / "x", chunk_mib=part_mib)
            run["loop"] = run_variant("loop", base, path, work / "x", chunk_mib=part_mib)
            print(
                f"  pair {n + 1}: mcp {mib / run['mcp']['call_s']:.1f} MiB/s (load {run['mcp']['load']:.2f}), par5 "
                f"{mib / run['par5']['transfer_s']:.1f} (load {run['par5']['load']:.2f}), loop "
                f"{mib / run['loop']['transfer_s']:.1f} MiB/s (load {run['loop']['load']:.2f}), parts of {part_mib} MiB"
            )
            pairs.append(run)
        if pairs:
            over_par5 = statistics.median(p["par5"]["transfer_s"] / p["mcp"]["call_s"] for p in pairs)
            over_loop = statistics.median(p["loop"]["transfer_s"] / p["mcp"]["call_s"] for p in pairs)
            print(f"  throughput mcp / par5 peer: {over_par5:.2f}x (goal >= 1.3x); mcp / loop: {over_loop:.2f}x "
                  f"(goal >= 4x); medians of {len(pairs)} pairs ({load()})")  # fmt: skip
            out.update(pairs=pairs, over_par5=over_par5, over_loop=over_loop)
    finally:
        stop(proxy)
        path.unlink(missing_ok=True)
    report["shaped"] = out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-gib", type=float, default=1.0)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--rss-gib", type=float, default=4.0, help="sparse file for the flat-RSS run (0: skip)")
    parser.add_argument("--parallel", type=int, default=0, help="server's upload_parallel (default: its setting)")
    parser.add_argument("--chunk-mib", type=int, default=0, help="server's chunk_size (default: its setting)")
    parser.add_argument("--skip-loopback", action="store_true")
    parser.add_argument("--shaped", action="store_true", help="also the shaped-link figures")
    parser.add_argument("--rtt-ms", type=float, default=80.0)
    parser.add_argument("--rate-mib", type=float, default=12.0)
    parser.add_argument("--shaped-mib", type=int, default=512)
    parser.add_argument("--shaped-pairs", type=int, default=3)
    parser.add_argument("--sweep", default="1,2,3,4,5,6,7,8", help="parallel parts tried on the shaped link")
    parser.add_argument("--chunk-sweep", default="", help="part sizes (MiB) tried on the shaped link")
    parser.add_argument("--json", help="write every figure to this file")
    parser.add_argument(
        "--server-python", help="the venv interpreter whose botflix-mcp is measured (default: .bench-venv's)"
    )
    parser.add_argument("--child", choices=["mcp", "warm", "loop", "par5"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    parser.add_argument("--script", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    python = Path(args.server_python) if args.server_python else user_venv()
    SERVER_SCRIPT[0] = str(python.parent / "botflix-mcp")
    print(f"server under test: {SERVER_SCRIPT[0]}")
    report: dict[str, Any] = {"cpus": os.cpu_count(), "started_load": os.getloadavg(), "server": SERVER_SCRIPT[0]}
    with tempfile.TemporaryDirectory(prefix="botflix-bench-", dir="/tmp") as tmp:
        work = Path(tmp)
        host, host_url = spawn_printing_url([sys.executable, "-c", HOST_CHILD])
        HOST_PIDS.append(host.pid)
        try:
            if not args.skip_loopback:
                loopback(args, host_url + "/aioz/api", work, report)
            if args.shaped:
                shaped(args, host_url, work, report)
        finally:
            stop(host)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
