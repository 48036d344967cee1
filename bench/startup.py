"""Start-up cost (issue 11): spawn -> `initialize` answer, spawn -> `tools/list` answer, and idle RSS, of the real
console script (`botflix-mcp` from this venv, all toolsets) against a bare `MCPServer` with one tool.

Runs alternate (bare, ours, bare, ours, ...); each figure is the median of per-pair ratios; the 1-minute load
average is printed with every pair; 21 pairs by default (on this VM one start of the same bare server took
536-893 ms within one run, so fewer pairs move the median by several percent), and the ratio of the fastest run
of each side is printed too. Next to the wall time, the CPU time each process used until it answered
`initialize` (user + system, all threads, /proc): it follows the wall time, so the spread is the machine's speed
from one moment to the next, not waiting. Idle RSS is VmRSS read from /proc once `tools/list` has been answered.
`PYTHONDONTWRITEBYTECODE` is dropped from the environment (both sides load cached bytecode, as an installed server
does); one warm-up run of each fills the caches (bytecode, and the server's tool schemas:
botflix_mcp/tool_schemas.py; `--cold` measures every start without them). Goals: initialize <= 1.15x, idle RSS
<= 1.1x.

Both sides run from one venv. By default that is `.bench-venv`: a plain `pip install .` of this checkout (what a
user gets; the checkout is reinstalled on every run). `--python PATH` measures another venv's interpreter, e.g.
`--python .venv/bin/python` for the development venv (editable install, test extras: `twine` brings `rich`, which
httpx's CLI module then imports, ~55 ms and ~3 MB on our side only, since the bare MCPServer never imports httpx).

    .venv/bin/python bench/startup.py [--pairs 21] [--python PATH] [--cold] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BARE_SERVER = """
from mcp.server import MCPServer
server = MCPServer("bare")

@server.tool()
def ping() -> str:
    \"\"\"Answer pong.\"\"\"
    return "pong"

server.run()
"""

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}},
}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}
TOOLS_LIST = {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}}


def vm_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system, all threads) the process has used so far, from /proc (clock ticks)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _answer(proc: subprocess.Popen[str], wanted: int) -> dict[str, Any]:
    assert proc.stdout is not None
    while True:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the server exited before answering")
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("id") == wanted:
            if "result" not in message:
                raise RuntimeError(f"request {wanted} failed: {message}")
            return dict(message)


def measure(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True
    )
    assert proc.stdin is not None
    try:
        proc.stdin.write(json.dumps(INITIALIZE) + "\n")
        proc.stdin.flush()
        _answer(proc, 1)
        initialized = time.perf_counter() - start
        init_cpu = cpu_s(proc.pid)
        proc.stdin.write(json.dumps(INITIALIZED) + "\n" + json.dumps(TOOLS_LIST) + "\n")
        proc.stdin.flush()
        tools = len(_answer(proc, 2)["result"]["tools"])
        listed = time.perf_counter() - start
        rss = vm_rss_mb(proc.pid)
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return {"init_s": initialized, "init_cpu_s": init_cpu, "list_s": listed, "rss_mb": rss, "tools": tools,
            "load": os.getloadavg()[0]}  # fmt: skip


ROOT = Path(__file__).resolve().parent.parent


def user_venv() -> Path:
    """`.bench-venv` with this checkout installed as a user installs it (`pip install .`, no extras)."""
    venv = ROOT / ".bench-venv"
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([*pip, str(ROOT)], check=True)
    else:  # the checkout as it is now (its dependencies are there already)
        subprocess.run([*pip, "--force-reinstall", "--no-deps", str(ROOT)], check=True)
    return python


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=21)
    parser.add_argument("--python", help="the venv interpreter to measure (default: a plain install in .bench-venv)")
    parser.add_argument("--cold", action="store_true", help="no tool schemas kept between starts (each start cold)")
    parser.add_argument("--json", help="write every figure to this file")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIOZ_", "BOTFLIX_", "PYTHONDONTWRITEBYTECODE"))}
    python = Path(args.python).absolute() if args.python else user_venv()
    script = python.parent / "botflix-mcp"
    has_rich = subprocess.run([str(python), "-c", "import rich"], capture_output=True).returncode == 0
    print(
        f"venv: {python.parent.parent} (rich installed: {'yes' if has_rich else 'no'}; load {os.getloadavg()[0]:.2f})"
    )
    with tempfile.TemporaryDirectory() as tmp:
        env["BOTFLIX_MCP_CACHE_DIR"] = str(Path(tmp) / "cache")  # its own, warmed by the first run (or --cold)
        if args.cold:
            env["BOTFLIX_MCP_SCHEMA_CACHE"] = "0"
        bare = Path(tmp) / "bare_server.py"
        bare.write_text(BARE_SERVER)
        commands = {"bare": [str(python), str(bare)], "ours": [str(script)]}
        for cmd in commands.values():  # warm the OS file cache and write .pyc files once
            measure(cmd, env)
        pairs: list[dict[str, dict[str, float]]] = []
        for n in range(args.pairs):
            pair = {name: measure(cmd, env) for name, cmd in commands.items()}
            b, o = pair["bare"], pair["ours"]
            print(
                f"pair {n + 1}: initialize bare {b['init_s'] * 1000:.0f} ms / ours {o['init_s'] * 1000:.0f} ms; "
                f"CPU to initialize {b['init_cpu_s'] * 1000:.0f} / {o['init_cpu_s'] * 1000:.0f} ms; "
                f"tools/list {b['list_s'] * 1000:.0f} / {o['list_s'] * 1000:.0f} ms ({int(o['tools'])} tools); "
                f"idle RSS {b['rss_mb']:.1f} / {o['rss_mb']:.1f} MB (load {b['load']:.2f} / {o['load']:.2f})"
            )
            pairs.append(pair)

    def ratio(key: str) -> float:
        return statistics.median(p["ours"][key] / p["bare"][key] for p in pairs)

    keys = ("init_s", "init_cpu_s", "list_s", "rss_mb")
    figures = {key: ratio(key) for key in keys}
    for side in ("bare", "ours"):
        for key in keys:
            figures[f"{side}_{key}"] = statistics.median(p[side][key] for p in pairs)
    print(f"medians over {len(pairs)} pairs (load {os.getloadavg()[0]:.2f}):")
    print(
        f"  spawn -> initialize: ours / bare {figures['init_s']:.2f}x (goal <= 1.15x); "
        f"{figures['ours_init_s'] * 1000:.0f} vs {figures['bare_init_s'] * 1000:.0f} ms"
    )
    print(
        f"  CPU to initialize (user + system, from /proc): ours / bare "
        f"{figures['init_cpu_s']:.2f}x; "
        f"{figures['ours_init_cpu_s'] * 1000:.0f} vs {figures['bare_init_cpu_s'] * 1000:.0f} ms"
    )
    figures["init_min_ratio"] = min(p["ours"]["init_s"] for p in pairs) / min(p["bare"]["init_s"] for p in pairs)
    print(f"  spawn -> initialize, fastest run of each: ours / bare {figures['init_min_ratio']:.2f}x")
    print(
        f"  spawn -> tools/list: ours / bare {figures['list_s']:.2f}x; "
        f"{figures['ours_list_s'] * 1000:.0f} vs {figures['bare_list_s'] * 1000:.0f} ms"
    )
    print(
        f"  idle RSS: ours / bare {figures['rss_mb']:.2f}x (goal <= 1.1x); "
        f"{figures['ours_rss_mb']:.1f} vs {figures['bare_rss_mb']:.1f} MB"
    )
    if args.json:
        Path(args.json).write_text(json.dumps({"pairs": pairs, **figures}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
