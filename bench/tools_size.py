"""Size of the `tools/list` answer, per toolset and in total, with every tool enabled (issue 3 §2).

Budget: 40,000 bytes of compact JSON for all tools (about 10k tokens). tests/test_tools_budget.py enforces it.

    .venv/bin/python bench/tools_size.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BUDGET = 40_000


def tool_json(tool: Any) -> dict[str, Any]:
    """A tool exactly as it goes on the wire (camelCase aliases, no nulls)."""
    return tool.model_dump(by_alias=True, exclude_none=True, mode="json")


def size_of(tools: list[Any]) -> int:
    return len(json.dumps([tool_json(t) for t in tools], separators=(",", ":")).encode())


async def measure() -> dict[str, Any]:
    """Build the server with every toolset, list its tools through the MCP client and size them."""
    from mcp import Client

    from botflix_mcp.server import build_server
    from botflix_mcp.settings import TOOLSETS, Settings

    server = build_server(Settings(toolsets=TOOLSETS, read_only=False))
    toolset_of: dict[str, str] = server._botflix_toolkit.registered  # type: ignore[attr-defined]
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
    per_toolset: dict[str, dict[str, Any]] = {}
    for tool in tools:
        entry = per_toolset.setdefault(toolset_of.get(tool.name, "?"), {"bytes": 0, "tools": {}})
        entry["tools"][tool.name] = size_of([tool])
    for entry in per_toolset.values():
        entry["bytes"] = sum(entry["tools"].values())
    return {"total": size_of(tools), "budget": BUDGET, "tools": len(tools), "toolsets": per_toolset}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    import anyio

    report = anyio.run(measure)
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    for name, entry in sorted(report["toolsets"].items(), key=lambda kv: -kv[1]["bytes"]):
        print(f"{name:<12} {entry['bytes']:>7,} B  ({len(entry['tools'])} tools)")
        for tool, size in sorted(entry["tools"].items(), key=lambda kv: -kv[1]):
            print(f"    {tool:<28} {size:>6,} B")
    status = "OK" if report["total"] <= BUDGET else "OVER BUDGET"
    print(f"{'total':<12} {report['total']:>7,} B  ({report['tools']} tools; budget {BUDGET:,} B) {status}")
    return 0 if report["total"] <= BUDGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
