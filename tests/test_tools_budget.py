"""The tools/list budget and the completeness of every tool's metadata (issue 3 §2).

- the whole tools/list answer, every toolset enabled, is at most 40,000 bytes of compact JSON;
- every tool has a title, a description, all four annotations set explicitly, an input and an output schema;
- annotations are honest: read tools are read-only (never destructive), delete tools are destructive;
- read-only mode lists only read-only tools.
"""

from __future__ import annotations

import json
import re
from typing import Any

import anyio
import pytest
from mcp import Client

from bench.tools_size import BUDGET, size_of
from botflix_mcp.server import build_server
from botflix_mcp.settings import TOOLSETS, Settings

#: Share of the budget for playlists + webhooks + analytics + API keys (team brief "Tool conventions").
PLAYLISTS_WEBHOOKS_ANALYTICS_KEYS_SHARE = 12_000
MAX_DESCRIPTION = 400  # the convention asks for <= ~250; this is the hard ceiling


async def _tools(**overrides: Any) -> tuple[list[Any], dict[str, str]]:
    server = build_server(Settings(toolsets=TOOLSETS, **overrides))
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
    return tools, dict(server._botflix_toolkit.registered)  # type: ignore[attr-defined]


@pytest.mark.anyio
async def test_tools_list_fits_the_budget() -> None:
    tools, _ = await _tools()
    total = size_of(tools)
    assert tools, "no tools registered"
    assert total <= BUDGET, f"tools/list is {total:,} bytes, over the {BUDGET:,} budget (run bench/tools_size.py)"


@pytest.mark.anyio
async def test_playlists_webhooks_analytics_api_keys_share() -> None:
    tools, toolset_of = await _tools()
    mine = [
        t
        for t in tools
        if toolset_of.get(t.name) in {"playlists", "webhooks", "analytics"} or t.name.startswith("aioz_api_key")
    ]
    assert len(mine) >= 10, sorted(t.name for t in mine)
    assert size_of(mine) <= PLAYLISTS_WEBHOOKS_ANALYTICS_KEYS_SHARE, size_of(mine)


@pytest.mark.anyio
async def test_every_tool_is_described_annotated_and_typed() -> None:
    tools, _ = await _tools()
    problems: list[str] = []
    for tool in tools:
        name = tool.name
        if not tool.title:
            problems.append(f"{name}: no title")
        if not tool.description or len(tool.description.strip()) < 20:
            problems.append(f"{name}: no useful description")
        elif len(tool.description) > MAX_DESCRIPTION:
            problems.append(f"{name}: description is {len(tool.description)} chars")
        ann = tool.annotations
        if ann is None:
            problems.append(f"{name}: no annotations")
            continue
        for hint in ("read_only_hint", "destructive_hint", "idempotent_hint", "open_world_hint"):
            if getattr(ann, hint) is None:
                problems.append(f"{name}: {hint} unset")
        if tool.input_schema.get("type") != "object":
            problems.append(f"{name}: input schema is not an object")
        if not tool.output_schema or tool.output_schema.get("type") != "object":
            problems.append(f"{name}: no output schema")
        if ann.read_only_hint and ann.destructive_hint:
            problems.append(f"{name}: read-only and destructive")
        if re.search(r"(^|_)(delete|remove)($|_)", name) and not (ann.destructive_hint and not ann.read_only_hint):
            problems.append(f"{name}: a delete tool must be destructive and not read-only")
        if ann.read_only_hint and re.search(r"(^|_)(write|delete|create|update|set)($|_)", name):
            problems.append(f"{name}: a write/delete tool is marked read-only")
    assert not problems, "\n".join(problems)


@pytest.mark.anyio
async def test_read_only_mode_lists_only_read_tools() -> None:
    full, _ = await _tools()
    reads, _ = await _tools(read_only=True)
    assert reads, "read-only mode lists nothing"
    assert all(t.annotations and t.annotations.read_only_hint for t in reads)
    expected = {t.name for t in full if t.annotations and t.annotations.read_only_hint}
    assert {t.name for t in reads} == expected
    for name in ("aioz_playlists", "aioz_webhooks", "aioz_analytics", "aioz_api_keys"):
        assert name in expected
    for name in ("aioz_playlist_write", "aioz_playlist_delete", "aioz_webhook_write", "aioz_api_key_write"):
        assert name not in {t.name for t in reads}


@pytest.mark.anyio
async def test_output_schema_carries_no_copy_of_the_text() -> None:
    """Issue 10 §2: the Markdown lives in the text block only; the shared output schema has no `summary`."""
    tools, _ = await _tools()
    shared = [t for t in tools if t.output_schema and "data" in t.output_schema.get("properties", {})]
    assert len(shared) >= len(tools) - 2, [t.name for t in tools if t not in shared]
    for tool in shared:
        assert "summary" not in json.dumps(tool.output_schema), tool.name
        assert len(json.dumps(tool.output_schema, separators=(",", ":"))) <= 140, tool.output_schema


def _unbounded_strings(node: Any, where: str, defs: dict[str, Any], found: list[str]) -> None:
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        _unbounded_strings(defs.get(node["$ref"].rsplit("/", 1)[-1], {}), where, defs, found)
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for option in node.get(key, []):
            _unbounded_strings(option, where, defs, found)
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "string" in kinds and not ({"maxLength", "enum", "const"} & node.keys()):
        found.append(where)
    for name, child in node.get("properties", {}).items():
        _unbounded_strings(child, f"{where}.{name}", defs, found)
    for key, suffix in (("items", "[]"), ("additionalProperties", "{}"), ("propertyNames", "<key>")):
        if isinstance(node.get(key), dict):
            _unbounded_strings(node[key], where + suffix, defs, found)


def test_every_string_argument_has_a_max_length() -> None:
    """Issue 9 k: a 70,000-character `search` became InvalidURL; every string in every inputSchema is bounded."""

    async def tools() -> list[Any]:
        async with Client(build_server(Settings(toolsets=TOOLSETS))) as client:
            return list((await client.list_tools()).tools)

    found: list[str] = []
    for tool in anyio.run(tools):
        schema = tool.input_schema
        _unbounded_strings(schema, tool.name, schema.get("$defs", {}), found)
    assert not found, f"strings without maxLength: {found}"
