"""Every free-text argument of the webhook, API key and analytics tools is bounded (issue 9 k): a string
without maxLength (or a bounded pattern or an enum) once let a 70,000-character `search` reach httpx as an
InvalidURL "Internal error"."""

from __future__ import annotations

import re
from typing import Any

import pytest
from mcp import Client

TOOLS = ("aioz_webhooks", "aioz_webhook_write", "aioz_webhook_delete", "aioz_api_keys", "aioz_api_key_write",
         "aioz_api_key_delete", "aioz_analytics")  # fmt: skip
_BOUNDED_PATTERN = re.compile(r"\{\d+,\d+\}\$$")  # e.g. ^[\w-]{1,100}$


def _unbounded(node: Any, where: str) -> list[str]:
    if isinstance(node, list):
        return [p for i, item in enumerate(node) for p in _unbounded(item, f"{where}[{i}]")]
    if not isinstance(node, dict):
        return []
    found = []
    free_text = node.get("type") == "string" and "enum" not in node and "const" not in node
    if free_text and "maxLength" not in node and not _BOUNDED_PATTERN.search(node.get("pattern", "")):
        found.append(where)
    if node.get("type") == "array" and "maxItems" not in node:
        found.append(f"{where} (array)")
    if node.get("type") == "object" and "additionalProperties" in node and "maxProperties" not in node:
        found.append(f"{where} (object)")
    for key, value in node.items():
        if key in ("properties", "$defs"):
            found += [p for name, sub in value.items() for p in _unbounded(sub, f"{where}.{name}")]
        elif isinstance(value, dict | list):
            found += _unbounded(value, f"{where}.{key}")
    return found


@pytest.mark.anyio
async def test_every_string_list_and_map_argument_is_bounded(server: Any) -> None:
    async with Client(server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    problems = [p for name in TOOLS for p in _unbounded(tools[name].input_schema, name)]
    assert problems == []
