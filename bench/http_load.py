"""HTTP load (issue 6 §7): 50 concurrent MCP clients calling read tools over streamable HTTP against the sandbox.

    .venv/bin/python bench/http_load.py [--clients 50] [--calls 20] [--mode mixed|auto|legacy]

The server runs as a real subprocess (`botflix-mcp --transport http`) pointed at the sandbox (`botflix-mcp
sandbox`, another subprocess) with its demo keys; every client opens its own MCP connection (half 2026-07-28,
half 2025-11-25 sessions by default) and calls `aioz_account` (me) and, where present, the other read-only list
tools in turn. Printed: throughput, p50, p99 and max latency per call, errors (must be 0: exit 1 otherwise), and,
as a baseline measured in the same run, the same number of direct `GET /user/me` calls to the sandbox with httpx
at the same concurrency. All three processes share the machine's cores.
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


async def available_plan(url: str) -> list[tuple[str, dict[str, Any]]]:
    from mcp import Client

    async with Client(url) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    return [(n, a) for n, a in READ_CALLS if n in names]


async def mcp_load(url: str, clients: int, calls: int, mode: str) -> dict[str, Any]:
    plan = await available_plan(url)
    out: dict[str, Any] = {"latencies": [], "errors": [], "plan": [n for n, _ in plan]}
    modes = [("auto" if i % 2 == 0 else "legacy") if mode == "mixed" else mode for i in range(clients)]
    started = time.perf_counter()
    await asyncio.gather(*(one_client(url, m, calls, plan, out) for m in modes))
    out["wall"] = time.perf_counter() - started
    return out


async def direct_load(sandbox: Sandbox, clients: int, calls: int) -> dict[str, Any]:
    """Baseline: the same number of requests straight to the sandbox's /user/me (what one read tool costs)."""
    import httpx

    from botflix_mcp.sandbox import DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

    headers = {"stream-public-key": DEMO_PUBLIC_KEY, "stream-secret-key": DEMO_SECRET_KEY}
    latencies: list[float] = []
    errors: list[str] = []

    async def worker(http: httpx.AsyncClient) -> None:
        for _ in range(calls):
            started = time.perf_counter()
            r = await http.get(f"{sandbox.aioz_base_url}/user/me", headers=headers)
            latencies.append(time.perf_counter() - started)
            if r.status_code >= 400:
                errors.append(str(r.status_code))

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=60) as http:
        started = time.perf_counter()
        await asyncio.gather(*(worker(http) for _ in range(clients)))
        wall = time.perf_counter() - started
    return {"latencies": latencies, "errors": errors, "wall": wall}


def report(label: str, result: dict[str, Any]) -> float:
    lat = result["latencies"]
    throughput = len(lat) / result["wall"] if result["wall"] else 0.0
    if lat:
        print(
            f"{label}: {len(lat)} calls in {result['wall']:.2f} s = {throughput:.0f} calls/s; "
            f"latency p50 {statistics.median(lat) * 1000:.1f} ms, p99 {percentile(lat, 0.99) * 1000:.1f} ms, "
            f"max {max(lat) * 1000:.1f} ms; errors {len(result['errors'])}"
        )
    else:
        print(f"{label}: no calls completed; errors {len(result['errors'])}")
    return throughput


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--calls", type=int, default=20, help="calls per client")
    parser.add_argument("--mode", choices=["mixed", "auto", "legacy"], default="mixed")
    args = parser.parse_args(argv)

    sandbox = Sandbox()
    port = free_port()
    server = start_server(sandbox, port)
    try:
        url = f"http://127.0.0.1:{port}/mcp"
        result = asyncio.run(mcp_load(url, args.clients, args.calls, args.mode))
        baseline = asyncio.run(direct_load(sandbox, args.clients, args.calls))
    finally:
        server.terminate()
        server.wait(timeout=10)
        sandbox.stop()
    print(
        f"HTTP load: {args.clients} concurrent MCP clients ({args.mode} eras) x {args.calls} calls; "
        f"tools: {', '.join(result['plan'])}; {os.cpu_count()} CPUs"
    )
    mcp_rate = report("MCP over streamable HTTP", result)
    base_rate = report("baseline, direct sandbox GET /user/me", baseline)
    if base_rate:
        print(f"ratio MCP/direct throughput: {mcp_rate / base_rate:.2f}")
    for error in result["errors"][:5]:
        print(f"  error: {error}")
    return 1 if result["errors"] or len(result["latencies"]) != args.clients * args.calls else 0


if __name__ == "__main__":
    raise SystemExit(main())
