"""aioz_media_delete through the MCP client: one sentence of our own, not the host's message repeated."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from tests.helpers import structured, text_of

pytestmark = pytest.mark.anyio


async def test_delete_says_it_once(server: Any, fresh_sandbox: Any, mode: str) -> None:
    async with Client(server, mode=mode) as client:
        created = await client.call_tool("aioz_media_write", {"action": "create", "title": "to delete"})
        media_id = structured(created)["data"]["id"]
        result = await client.call_tool("aioz_media_delete", {"media_id": media_id})
    text = text_of(result)
    assert text.startswith(f"Deleted media `{media_id}`") and "successfully" not in text.lower()
