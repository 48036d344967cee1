"""botflix_mcp.results: every result fits the caps (20,000 characters of text, 40,000 of structured JSON) without
losing the way on: a long list keeps its leading items and a `next_offset` at the first one left out, and the
warnings and paging hint after a clipped summary are kept whole."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from mcp import Client

from botflix_mcp.results import MAX_STRUCTURED_CHARS, MAX_TEXT_CHARS, ToolOutput, page_of, to_result
from tests.helpers import structured, text_of


def _items(n: int, width: int = 400) -> list[dict[str, Any]]:
    return [{"id": f"id-{i}", "title": "t" * width} for i in range(n)]


def test_a_list_over_the_structured_cap_keeps_leading_items_and_pages_on() -> None:
    items = _items(150)
    output = ToolOutput(summary="short", data=items, page=page_of(500, 100, 150, 150))
    result = to_result(output)
    body = result.structured_content
    assert body is not None and len(json.dumps(body)) <= MAX_STRUCTURED_CHARS
    kept = body["data"]
    assert isinstance(kept, list) and 50 < len(kept) < 150 and kept == items[: len(kept)]
    assert body["page"] == {"total": 500, "offset": 100, "limit": 150, "next_offset": 100 + len(kept)}
    text = text_of(result)
    assert f"page on with offset={100 + len(kept)}" in text and f"next page: offset={100 + len(kept)}." in text


def test_a_summary_over_the_text_cap_keeps_its_warnings_and_paging_hint() -> None:
    lines = "\n".join(f"- item {i} " + "x" * 200 for i in range(300))
    output = ToolOutput(summary=lines, data=[], warnings=["a rule applied"], page=page_of(900, 0, 300, 300))
    text = text_of(to_result(output))
    assert len(text) <= MAX_TEXT_CHARS
    assert "(truncated: page with offset/limit" in text
    assert text.endswith("> ⚠️ a rule applied\n\nShowing 1–300 of 900; next page: offset=300.")


def test_data_that_is_not_a_list_is_replaced_by_a_note_when_too_large() -> None:
    result = to_result(ToolOutput(summary="s", data={"blob": "x" * (MAX_STRUCTURED_CHARS + 10)}))
    assert structured(result)["data"] == {"truncated": True, "note": "Too large to return; page or narrow the query."}


@pytest.mark.anyio
async def test_a_hundred_media_with_long_titles_page_on_from_what_was_returned(
    server: Any, fresh_sandbox: Any, mode: str
) -> None:
    from botflix_mcp.sandbox import DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

    keys = {"stream-public-key": DEMO_PUBLIC_KEY, "stream-secret-key": DEMO_SECRET_KEY}
    async with httpx.AsyncClient(base_url=fresh_sandbox.aioz_base_url, headers=keys) as http:
        for i in range(100):
            answer = await http.post("/media/create", json={"title": f"{i:03d} " + "long title " * 22, "type": "video"})
            answer.raise_for_status()
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("aioz_media", {"action": "list", "limit": 100})
    assert not result.is_error, text_of(result)
    body = structured(result)
    kept = body["data"]
    assert isinstance(kept, list) and 0 < len(kept) < 100, "the list is cut at an item, not replaced"
    assert body["page"]["next_offset"] == len(kept)
    text = text_of(result)
    assert len(text) <= MAX_TEXT_CHARS and f"next page: offset={len(kept)}." in text
