"""HTTP load (issue 6 §7, issue 11): 50 concurrent MCP clients calling read tools over streamable HTTP.

    .venv/bin/python bench/http_load.py [--clients 50] [--calls 20] [--processes 5] [--rounds 2]
                                        [--mode mixed|auto|legacy]

The server runs as a real subprocess (`botflix-mcp --transport http`) pointed at the sandbox (`botflix-mcp
sandbox`, another subprocess) with its demo keys; every client opens its own MCP connection (half 2026-07-28,
half 2025-11-25 sessions by default) and calls `aioz_account` (me) and, where present, the other read-only list
tools in turn. The clients are spread over `--processes` worker processes (the measuring process runs none), so
the clients do not share one GIL with each other's latency. Printed: throughput, p50, p99 and max latency per call,
errors (must be 0: exit 1 otherwise), and, as a baseline measured in the same run (rounds alternate), the same tool
mix without MCP: for each tool, the HTTP requests it sends to the sandbox (read from the sandbox's request log
after one call of each), sent by httpx clients at the same concurrency in the same number of processes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Read-only calls used when the tool exists (name, arguments).
READ_CALLS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("aioz_account", {"action": "me"}),
    ("aioz_media", {"action": "list"}),
    ("aioz_playlists", {"action": "list"}),
    ("aioz_webhooks", {"action": "list"}),
    ("aioz_players", {"action": "list"}),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def wait_until_up(url: str, proc: subprocess.Popen[bytes], what: str) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the {what} exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"the {what} did not start")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIOZ_", "BOTFLIX_"))}
    env.update(extra)
    return env


class Sandbox:
    """The sandbox in its own process (`botflix-mcp sandbox`), so it does not share a GIL with the clients."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.aioz_base_url = f"{self.url}/aioz/api"
        self.botflix_base_url = f"{self.url}/botflix"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "botflix_mcp", "sandbox", "--port", str(self.port)],
            env=clean_env(BOTFLIX_MCP_LOG_LEVEL="warning"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_up(f"{self.url}/__sandbox/requests", self.proc, "sandbox")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def start_server(sandbox: Sandbox, port: int) -> subprocess.Popen[bytes]:
    from botflix_mcp.sandbox import DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

    env = clean_env(
        AIOZ_BASE_URL=sandbox.aioz_base_url,
        BOTFLIX_BASE_URL=sandbox.botflix_base_url,
        AIOZ_PUBLIC_KEY=DEMO_PUBLIC_KEY,
        AIOZ_SECRET_KEY=DEMO_SECRET_KEY,
        BOTFLIX_MCP_LOG_LEVEL="warning",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "botflix_mcp", "--transport", "http", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    wait_until_up(f"http://127.0.0.1:{port}/healthz", proc, "HTTP server")
    return proc


Plan = list[tuple[str, dict[str, Any]]]
#: What each tool sends to the sandbox, read from the sandbox's request log after one call of each (method, path).
Wire = list[tuple[str, str]]


async def one_client(url: str, mode: str, calls: int, plan: Plan, out: dict[str, Any]) -> None:
    from mcp import Client

    try:
        async with Client(url, mode=mode, read_timeout_seconds=60) as client:
            for i in range(calls):
                name, arguments = plan[i % len(plan)]
                started = time.perf_counter()
                result = await client.call_tool(name, arguments)
                out["latencies"].append(time.perf_counter() - started)
                if result.is_error:
                    out["errors"].append(f"{name}: {result.content[0].text[:200]}")  # type: ignore[union-attr]
    except Exception as exc:
        while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
            exc = exc.exceptions[0]  # type: ignore[assignment]
        out["errors"].append(f"{mode} client: {type(exc).__name__}: {exc}")


async def one_direct(http: Any, base: str, calls: int, wire: list[Wire], out: dict[str, Any]) -> None:
    """The same calls without MCP: each "call" sends the HTTP requests its tool sends, in order."""
    from botflix_mcp.sandbox import DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

    headers = {"stream-public-key": DEMO_PUBLIC_KEY, "stream-secret-key": DEMO_SECRET_KEY}
    for i in range(calls):
        started = time.perf_counter()
        for method, path in wire[i % len(wire)]:
            body = {} if method in {"POST", "PATCH", "PUT"} else None
            try:
                r = await http.request(method, base + path, headers=headers, json=body)
                if r.status_code >= 400:
                    out["errors"].append(f"{method} {path}: HTTP {r.status_code}")
            except Exception as exc:
                out["errors"].append(f"{method} {path}: {type(exc).__name__}")
        out["latencies"].append(time.perf_counter() - started)


async def available_plan(url: str, sandbox: Sandbox) -> tuple[Plan, list[Wire]]:
    """The read calls this server has, and what each one sends to the sandbox (from its request log)."""
    import httpx
    from mcp import Client

    plan: Plan = []
    wire: list[Wire] = []
    async with Client(url) as client, httpx.AsyncClient(base_url=sandbox.url) as admin:
        names = {t.name for t in (await client.list_tools()).tools}
        for name, arguments in READ_CALLS:
            if name not in names:
                continue
            before = len((await admin.get("/__sandbox/requests")).json())
            await client.call_tool(name, arguments)
            log = (await admin.get("/__sandbox/requests")).json()[before:]
            plan.append((name, arguments))
            wire.append([(e["method"], e["path"]) for e in log])
    return plan, wire


def child(args: argparse.Namespace) -> int:
    """One worker process: `--per-process` clients, each making `--calls` calls; prints its latencies as JSON."""
    import json

    spec = json.loads(args.spec)
    out: dict[str, Any] = {"latencies": [], "errors": []}

    async def run() -> None:
        if args.child == "mcp":
            plan = [(n, a) for n, a in spec["plan"]]
            modes = [("auto" if (spec["first"] + i) % 2 == 0 else "legacy") if args.mode == "mixed" else args.mode
                     for i in range(args.per_process)]  # fmt: skip
            await asyncio.gather(*(one_client(spec["url"], m, args.calls, plan, out) for m in modes))
        else:
            import httpx

            wire = [[(m, p) for m, p in w] for w in spec["wire"]]
            limits = httpx.Limits(max_connections=args.per_process)
            async with httpx.AsyncClient(limits=limits, timeout=60) as http:
                await asyncio.gather(
                    *(one_direct(http, spec["base"], args.calls, wire, out) for _ in range(args.per_process))
                )

    import httpx  # noqa: F401  (imports are not part of the timed window)
    import mcp  # noqa: F401

    out["start"] = time.time()
    asyncio.run(run())
    out["end"] = time.time()
    print(json.dumps(out))
    return 0


def fan_out(kind: str, spec: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """`--clients` clients spread over `--processes` worker processes, started together; their results merged."""
    import json

    per = [
        args.clients // args.processes + (1 if i < args.clients % args.processes else 0) for i in range(args.processes)
    ]
    procs = []
    started = time.perf_counter()
    first = 0
    for count in per:
        if not count:
            continue
        cmd = [sys.executable, __file__, "--child", kind, "--per-process", str(count), "--calls", str(args.calls),
               "--mode", args.mode, "--spec", json.dumps({**spec, "first": first})]  # fmt: skip
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True))
        first += count
    merged: dict[str, Any] = {"latencies": [], "errors": [], "start": [], "end": []}
    for proc in procs:
        stdout, _ = proc.communicate(timeout=600)
        if proc.returncode != 0:
            merged["errors"].append(f"{kind} worker exited with {proc.returncode}")
            continue
        part = json.loads(stdout.strip().splitlines()[-1])
        merged["latencies"] += part["latencies"]
        merged["errors"] += part["errors"]
        merged["start"].append(part["start"])
        merged["end"].append(part["end"])
    # from the first worker's first connection to the last worker's last answer (imports excluded)
    merged["wall"] = max(merged["end"]) - min(merged["start"]) if merged["end"] else time.perf_counter() - started
    return merged


def report(label: str, result: dict[str, Any]) -> float:
    lat = result["latencies"]
    throughput = len(lat) / result["wall"] if result["wall"] else 0.0
    if lat:
        print(
            f"{label}: {len(lat)} calls in {result['wall']:.2f} s = {throughput:.0f} calls/s; "
            f"latency p50 {statistics.median(lat) * 1000:.1f} ms, p99 {percentile(lat, 0.99) * 1000:.1f} ms, "
            f"max {max(lat) * 1000:.1f} ms; errors {len(result['errors'])} (load {os.getloadavg()[0]:.2f})"
        )
    else:
        print(f"{label}: no calls completed; errors {len(result['errors'])}")
    return throughput


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--calls", type=int, default=20, help="calls per client")
    parser.add_argument("--processes", type=int, default=5, help="worker processes the clients are spread over")
    parser.add_argument("--rounds", type=int, default=2, help="MCP, direct, MCP, direct, ...")
    parser.add_argument("--mode", choices=["mixed", "auto", "legacy"], default="mixed")
    parser.add_argument("--child", choices=["mcp", "direct"], help=argparse.SUPPRESS)
    parser.add_argument("--per-process", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)

    sandbox = Sandbox()
    port = free_port()
    server = start_server(sandbox, port)
    failed = False
    try:
        url = f"http://127.0.0.1:{port}/mcp"
        plan, wire = asyncio.run(available_plan(url, sandbox))
        print(
            f"HTTP load: {args.clients} MCP clients ({args.mode} eras) in {args.processes} processes x {args.calls} "
            f"calls; tools: {', '.join(n for n, _ in plan)}; {os.cpu_count()} CPUs (load {os.getloadavg()[0]:.2f})"
        )
        print("baseline: the same calls as the HTTP requests each tool sends, straight to the sandbox with httpx:")
        for (name, _), requests in zip(plan, wire, strict=True):
            print(f"  {name}: {', '.join(f'{m} {p}' for m, p in requests)}")
        ratios = []
        for n in range(args.rounds):
            result = fan_out("mcp", {"url": url, "plan": plan}, args)
            baseline = fan_out("direct", {"base": sandbox.aioz_base_url, "wire": wire}, args)
            mcp_rate = report(f"round {n + 1}: MCP over streamable HTTP", result)
            base_rate = report(f"round {n + 1}: baseline, direct httpx", baseline)
            ratios.append((statistics.median(result["latencies"]) / statistics.median(baseline["latencies"]),
                           mcp_rate / base_rate if base_rate else 0.0))  # fmt: skip
            for error in result["errors"][:5]:
                print(f"  error: {error}")
            failed = failed or bool(result["errors"]) or len(result["latencies"]) != args.clients * args.calls
        print(
            f"medians over {len(ratios)} rounds: p50 latency MCP/direct {statistics.median(r[0] for r in ratios):.2f}x,"
            f" throughput MCP/direct {statistics.median(r[1] for r in ratios):.2f}x (load {os.getloadavg()[0]:.2f})"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        sandbox.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
