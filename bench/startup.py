"""Start-up cost: median time from spawning the stdio server to its `initialize` answer.

Printed as a ratio to a bare `MCPServer` with one tool, measured in the same run (runs interleaved so machine
noise hits both alike). Goal (issue 2 §10): ratio <= 1.3.

    .venv/bin/python bench/startup.py [--runs 11]
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
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "bench", "version": "0"},
    },
}


def time_to_initialize(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps(INITIALIZE) + "\n")
    proc.stdin.flush()
    while True:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{cmd} exited before answering initialize")
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("id") == 1:
            break
    elapsed = time.perf_counter() - start
    proc.stdin.close()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
    if "result" not in message:
        raise RuntimeError(f"initialize failed: {message}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIOZ_", "BOTFLIX_"))}
    env["PYTHONDONTWRITEBYTECODE"] = "0"
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare_server.py"
        bare.write_text(BARE_SERVER)
        commands = {
            "bare MCPServer (1 tool)": [sys.executable, str(bare)],
            "botflix-mcp (all toolsets)": [sys.executable, "-m", "botflix_mcp"],
        }
        for cmd in commands.values():  # warm the OS file cache and .pyc files once
            time_to_initialize(cmd, env)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                samples[name].append(time_to_initialize(cmd, env))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    for name, median in medians.items():
        print(f"{name:30s} median {median * 1000:7.1f} ms  (runs: {len(samples[name])})")
    bare_median, ours = medians["bare MCPServer (1 tool)"], medians["botflix-mcp (all toolsets)"]
    print(f"ratio botflix-mcp / bare: {ours / bare_median:.2f}  (goal <= 1.30)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
