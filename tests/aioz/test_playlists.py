"""Playlists toolset: wire shapes from the official spec and the reorder rule, through the MCP client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from botflix_mcp.aioz.tools.playlists import find_item, linked_order, metadata_list, read_thumbnail, update_form
from botflix_mcp.errors import UserInputError

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001d50a2db40000000049454e44ae426082"
)


def _items(*ids: str) -> list[dict[str, Any]]:
    """A linked list a -> b -> c ... with media ids m-a, m-b, ..."""
    out = []
    for n, i in enumerate(ids):
        out.append(
            {
                "id": i,
                "video_id": f"m-{i}",
                "previous_id": ids[n - 1] if n else "",
                "next_id": ids[n + 1] if n + 1 < len(ids) else "",
                "media": {"title": f"Title {i}"},
            }
        )
    return out


# --------------------------------------------------------------------------- plain functions


def test_linked_order_follows_the_chain_not_the_listing_order() -> None:
    items = _items("a", "b", "c", "d")
    shuffled = [items[2], items[0], items[3], items[1]]
    assert [i["id"] for i in linked_order(shuffled)] == ["a", "b", "c", "d"]


def test_linked_order_keeps_items_a_broken_chain_does_not_reach() -> None:
    items = _items("a", "b", "c")
    items[1]["next_id"] = "zzz"  # broken link
    assert [i["id"] for i in linked_order(items)] == ["a", "b", "c"]


def test_find_item_accepts_item_id_or_media_id() -> None:
    items = _items("a", "b")
    assert find_item(items, "b")["id"] == "b"
    assert find_item(items, "m-a")["id"] == "a"
    with pytest.raises(UserInputError, match="no item"):
        find_item(items, "nope")


def test_find_item_refuses_an_ambiguous_media_id() -> None:
    items = _items("a", "b")
    items[1]["video_id"] = "m-a"
    with pytest.raises(UserInputError, match="ambiguous"):
        find_item(items, "m-a")


def test_metadata_and_multipart_fields() -> None:
    assert metadata_list({"genre": "rock"}) == [{"key": "genre", "value": "rock"}]
    assert update_form("New", ["a", "b"], {"k": "v"}) == {"name": "New", "tags": "a,b", "metadata": '{"k": "v"}'}
    assert update_form(None, None, None) == {}


def test_thumbnail_is_checked_by_its_header_not_its_name(tmp_path: Path) -> None:
    good = tmp_path / "thumb.png"
    good.write_bytes(PNG_1PX)
    assert read_thumbnail(good)[2] == "image/png"
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"GIF89a not a png")
    with pytest.raises(UserInputError, match="not a JPEG or PNG"):
        read_thumbnail(fake)
