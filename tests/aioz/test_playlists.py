"""Playlists toolset: wire shapes from the official spec and the reorder rule, through the MCP client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from botflix_mcp.aioz.api.playlists import PlaylistItem, update_parts
from botflix_mcp.aioz.tools.playlists import find_item, linked_order, read_thumbnail
from botflix_mcp.errors import UserInputError
from tests.aioz.fakehost import fake_server, ok
from tests.aioz.wire import Recorder, recording_server
from tests.helpers import structured, text_of

PL1 = "0b4c3a53-6f7e-4d0a-9c57-1a2b3c4d5e01"
PL2 = "0b4c3a53-6f7e-4d0a-9c57-1a2b3c4d5e02"
PL3 = "0b4c3a53-6f7e-4d0a-9c57-1a2b3c4d5e03"

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001d50a2db40000000049454e44ae426082"
)


def _items(*ids: str) -> list[PlaylistItem]:
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
    return [PlaylistItem.model_validate(i) for i in out]


# --------------------------------------------------------------------------- plain functions


def test_linked_order_follows_the_chain_not_the_listing_order() -> None:
    items = _items("a", "b", "c", "d")
    shuffled = [items[2], items[0], items[3], items[1]]
    assert [i.id for i in linked_order(shuffled)] == ["a", "b", "c", "d"]


def test_linked_order_keeps_items_a_broken_chain_does_not_reach() -> None:
    items = _items("a", "b", "c")
    items[1].next_id = "zzz"  # broken link
    assert [i.id for i in linked_order(items)] == ["a", "b", "c"]


def test_find_item_accepts_item_id_or_media_id() -> None:
    items = _items("a", "b")
    assert find_item(items, "b").id == "b"
    assert find_item(items, "m-a").id == "a"
    with pytest.raises(UserInputError, match="no item"):
        find_item(items, "nope")


def test_find_item_refuses_an_ambiguous_media_id() -> None:
    items = _items("a", "b")
    items[1].video_id = "m-a"
    with pytest.raises(UserInputError, match="ambiguous"):
        find_item(items, "m-a")


def test_update_parts_carry_metadata_as_the_specs_array_of_pairs() -> None:
    pairs = [{"key": "k", "value": "v"}, {"key": "mood", "value": "calm"}]
    assert update_parts(name="New", tags=["a", "b"], metadata=pairs) == [
        ("name", (None, "New", None)),
        ("tags", (None, "a,b", None)),
        ("metadata", (None, '{"key": "k", "value": "v"}', "application/json")),
        ("metadata", (None, '{"key": "mood", "value": "calm"}', "application/json")),
    ]
    assert update_parts() == []


def test_thumbnail_is_checked_by_its_header_not_its_name(tmp_path: Path) -> None:
    good = tmp_path / "thumb.png"
    good.write_bytes(PNG_1PX)
    assert read_thumbnail(good)[2] == "image/png"
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"GIF89a not a png")
    with pytest.raises(UserInputError, match="not a JPEG or PNG"):
        read_thumbnail(fake)


# --------------------------------------------------------------------------- through the MCP client


@pytest.fixture
def wired(settings: Any) -> tuple[Any, Recorder]:
    return recording_server(settings)


async def call(client: Client, name: str, args: dict[str, Any]) -> Any:
    result = await client.call_tool(name, args)
    assert not result.is_error, text_of(result)
    return structured(result)


async def playlist_with(client: Client, n: int) -> tuple[str, list[str]]:
    """A playlist holding n new media; returns (playlist id, media ids in order)."""
    pid = (await call(client, "aioz_playlist_write", {"action": "create", "name": "Mix", "tags": ["a"]}))["data"]["id"]
    media = []
    for k in range(n):
        mid = (await call(client, "aioz_media_write", {"action": "create", "title": f"clip {k}"}))["data"]["id"]
        await call(client, "aioz_playlist_write", {"action": "add_item", "playlist_id": pid, "media_id": mid})
        media.append(mid)
    return pid, media


async def order_of(client: Client, pid: str) -> list[str]:
    data = (await call(client, "aioz_playlists", {"action": "get", "playlist_id": pid}))["data"]
    return [i["media_id"] for i in data["items"]]


@pytest.mark.anyio
async def test_create_and_add_item_use_the_spec_fields(wired: Any, fresh_sandbox: Any, mode: str) -> None:
    server, wire = wired
    async with Client(server, mode=mode) as client:
        created = await call(
            client,
            "aioz_playlist_write",
            {"action": "create", "name": "Mix", "tags": ["x", "y"], "metadata": {"mood": "calm"}},
        )
        pid = created["data"]["id"]
        mid = (await call(client, "aioz_media_write", {"action": "create", "title": "c"}))["data"]["id"]
        await call(client, "aioz_playlist_write", {"action": "add_item", "playlist_id": pid, "media_id": mid})
        got = await call(client, "aioz_playlists", {"action": "get", "playlist_id": pid})
    create = wire.find("POST", "/playlists/create")[0]
    assert create.content_type.startswith("application/json")
    assert create.json() == {
        "name": "Mix",
        "playlist_type": "video",
        "tags": ["x", "y"],
        "metadata": [{"key": "mood", "value": "calm"}],
    }
    # research §5.10: media_id (the skill's video_id is refused by the host and by the sandbox)
    assert wire.find("POST", f"/playlists/{pid}/items")[0].json() == {"media_id": mid}
    assert [i["media_id"] for i in got["data"]["items"]] == [mid]


@pytest.mark.parametrize(
    ("position", "item", "anchor", "expected"),
    [
        ("top", 2, None, [2, 0, 1, 3]),
        ("bottom", 0, None, [1, 2, 3, 0]),
        ("before", 3, 1, [0, 3, 1, 2]),
        ("after", 0, 2, [1, 2, 0, 3]),
        ("after", 1, 3, [0, 2, 3, 1]),
        ("before", 2, 0, [2, 0, 1, 3]),
    ],
)
@pytest.mark.anyio
async def test_move_item_reads_the_playlist_first_and_computes_the_links(
    wired: Any, fresh_sandbox: Any, position: str, item: int, anchor: int | None, expected: list[int]
) -> None:
    server, wire = wired
    async with Client(server) as client:
        pid, media = await playlist_with(client, 4)
        detail = await call(client, "aioz_playlists", {"action": "get", "playlist_id": pid})
        item_ids = {i["media_id"]: i["id"] for i in detail["data"]["items"]}
        fresh_sandbox.aioz.log.clear()
        args: dict[str, Any] = {
            "action": "move_item",
            "playlist_id": pid,
            "media_id": media[item],
            "position": position,
        }
        if anchor is not None:
            args["anchor"] = media[anchor]
        moved = await call(client, "aioz_playlist_write", args)
        assert await order_of(client, pid) == [media[k] for k in expected]
    paths = fresh_sandbox.aioz_paths()
    # Skill rule 6: the detail is fetched BEFORE the move is sent.
    assert paths[:2] == [f"GET /playlists/{pid}", f"PUT /playlists/{pid}/items"], paths
    body = wire.find("PUT", f"/playlists/{pid}/items")[0].json()
    assert body["current_id"] == item_ids[media[item]]
    final = [media[k] for k in expected]
    at = final.index(media[item])
    assert body.get("previous_id") == (item_ids[final[at - 1]] if at > 0 else None)
    assert body.get("next_id") == (item_ids[final[at + 1]] if at + 1 < len(final) else None)
    assert moved["data"]["request"] == body


@pytest.mark.anyio
async def test_move_item_schema_has_no_linked_list_ids_and_bad_moves_send_nothing(
    server: Any, fresh_sandbox: Any, mode: str
) -> None:
    async with Client(server, mode=mode) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        props = tools["aioz_playlist_write"].input_schema["properties"]
        assert not {"next_id", "previous_id", "current_id"} & set(props)
        pid, media = await playlist_with(client, 2)
        fresh_sandbox.aioz.log.clear()
        no_position = await client.call_tool(
            "aioz_playlist_write", {"action": "move_item", "playlist_id": pid, "media_id": media[0]}
        )
        no_anchor = await client.call_tool(
            "aioz_playlist_write",
            {"action": "move_item", "playlist_id": pid, "media_id": media[0], "position": "after"},
        )
        assert fresh_sandbox.aioz_paths() == []  # refused before any request
        already = await client.call_tool(
            "aioz_playlist_write", {"action": "move_item", "playlist_id": pid, "media_id": media[0], "position": "top"}
        )
        unknown = await client.call_tool(
            "aioz_playlist_write", {"action": "move_item", "playlist_id": pid, "media_id": "nope", "position": "top"}
        )
    assert no_position.is_error and "position" in text_of(no_position)
    assert no_anchor.is_error and "anchor" in text_of(no_anchor)
    assert already.is_error and "already" in text_of(already)
    assert unknown.is_error and "aioz_playlists" in text_of(unknown)
    assert not [p for p in fresh_sandbox.aioz_paths() if p.startswith("PUT")]


@pytest.mark.anyio
async def test_update_is_multipart_with_thumbnail(wired: Any, fresh_sandbox: Any, tmp_path: Path, mode: str) -> None:
    server, wire = wired
    thumb = tmp_path / "cover.png"
    thumb.write_bytes(PNG_1PX)
    fake = tmp_path / "cover2.png"
    fake.write_bytes(b"not an image at all")
    async with Client(server, mode=mode) as client:
        pid, _ = await playlist_with(client, 0)
        await call(
            client,
            "aioz_playlist_write",
            {
                "action": "update",
                "playlist_id": pid,
                "name": "Renamed",
                "tags": ["t1", "t2"],
                "thumbnail_path": str(thumb),
            },
        )
        await call(client, "aioz_playlist_write", {"action": "update", "playlist_id": pid, "metadata": {"k": "v"}})
        bad = await client.call_tool(
            "aioz_playlist_write", {"action": "update", "playlist_id": pid, "thumbnail_path": str(fake)}
        )
        empty = await client.call_tool("aioz_playlist_write", {"action": "update", "playlist_id": pid})
    patches = wire.find("PATCH", f"/playlists/{pid}")
    assert len(patches) == 2  # the bad thumbnail and the empty update sent nothing
    assert all(p.content_type.startswith("multipart/form-data") for p in patches)
    assert b'name="file"; filename="cover.png"' in patches[0].body and b"Renamed" in patches[0].body
    stored = fresh_sandbox.aioz.playlists[pid]
    assert stored["name"] == "Renamed" and stored["tags"] == ["t1", "t2"]
    assert stored["thumbnail_url"] and stored["metadata"] == [{"key": "k", "value": "v"}]
    assert bad.is_error and "JPEG or PNG" in text_of(bad)
    assert empty.is_error and "at least one" in text_of(empty)


@pytest.mark.anyio
async def test_remove_item_by_media_id_resolves_the_item_id(wired: Any, fresh_sandbox: Any, mode: str) -> None:
    server, wire = wired
    async with Client(server, mode=mode) as client:
        pid, media = await playlist_with(client, 3)
        detail = await call(client, "aioz_playlists", {"action": "get", "playlist_id": pid})
        item_of = {i["media_id"]: i["id"] for i in detail["data"]["items"]}
        by_media = await call(
            client, "aioz_playlist_delete", {"playlist_id": pid, "target": "item", "media_id": media[1]}
        )
        by_item = await call(
            client, "aioz_playlist_delete", {"playlist_id": pid, "target": "item", "media_id": item_of[media[0]]}
        )
        assert await order_of(client, pid) == [media[2]]
        await call(client, "aioz_playlist_delete", {"playlist_id": pid, "target": "thumbnail"})
        await call(client, "aioz_playlist_delete", {"playlist_id": pid})
        gone = await client.call_tool("aioz_playlists", {"action": "get", "playlist_id": pid})
    deletes = [s.path for s in wire.sent if s.method == "DELETE"]
    assert deletes == [
        f"/playlists/{pid}/items/{item_of[media[1]]}",  # the ITEM id, not the media id (research §9.13)
        f"/playlists/{pid}/items/{item_of[media[0]]}",
        f"/playlists/{pid}/thumbnail",
        f"/playlists/{pid}",
    ]
    assert by_media["data"]["item_id"] == item_of[media[1]] and by_item["data"]["media_id"] == media[0]
    assert gone.is_error and "404" in text_of(gone)


@pytest.mark.anyio
async def test_list_pages_with_total(wired: Any, fresh_sandbox: Any) -> None:
    server, wire = wired
    async with Client(server) as client:
        for name in ("one", "two", "three"):
            await call(client, "aioz_playlist_write", {"action": "create", "name": name})
        first = await client.call_tool("aioz_playlists", {"limit": 2})
        second = await call(client, "aioz_playlists", {"limit": 2, "offset": 2})
        found = await call(client, "aioz_playlists", {"search": "tw", "tags": ["a"]})
    page = structured(first)["page"]
    assert page == {"total": 3, "offset": 0, "limit": 2, "next_offset": 2}
    assert "next page: offset=2" in text_of(first)
    assert second["page"]["next_offset"] is None and len(second["data"]) == 1
    assert wire.find("POST", "/playlists")[-1].json() == {"offset": 0, "limit": 25, "search": "tw", "tags": ["a"]}
    assert [p["name"] for p in found["data"]] == ["two"]


# --------------------------------------------------------------------------- issue 9 c, a, k


def form_parts(sent: Any) -> list[tuple[str, str, bytes]]:
    """(name, content type, value) of each part of a recorded multipart body, parsed with the stdlib."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {sent.content_type}\r\n\r\n".encode() + sent.body)
    out = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        out.append((str(name), part.get_content_type(), part.get_payload(decode=True)))
    return out


@pytest.mark.anyio
async def test_update_sends_metadata_as_the_specs_array_of_pairs(wired: Any, fresh_sandbox: Any, mode: str) -> None:
    """Issue 9 c: UpdatePlaylistRequest.metadata is an array of Metadata {key, value}; in multipart/form-data an
    array is one part per entry, and an object entry is application/json (OpenAPI encoding defaults)."""
    server, wire = wired
    async with Client(server, mode=mode) as client:
        pid, _ = await playlist_with(client, 0)
        await call(
            client,
            "aioz_playlist_write",
            {"action": "update", "playlist_id": pid, "metadata": {"mood": "calm", "genre": "lo-fi"}},
        )
    (patch,) = wire.find("PATCH", f"/playlists/{pid}")
    metadata = [(ctype, json.loads(value)) for name, ctype, value in form_parts(patch) if name == "metadata"]
    assert metadata == [
        ("application/json", {"key": "mood", "value": "calm"}),
        ("application/json", {"key": "genre", "value": "lo-fi"}),
    ]
    assert fresh_sandbox.aioz.playlists[pid]["metadata"] == [
        {"key": "mood", "value": "calm"},
        {"key": "genre", "value": "lo-fi"},
    ]


@pytest.mark.anyio
async def test_null_lists_totals_and_objects_from_the_host(tmp_path: Path, mode: str) -> None:
    """Issue 9 a: Go nil slices and objects (`null`), numbers as strings, a `null` media inside an item."""
    item = {"id": "i1", "video_id": "m1", "media": None, "next_id": None, "previous_id": None}
    detail = {"id": PL1, "name": "Mix", "tags": None, "metadata": {"mood": "calm"}, "item_count": "1",
              "items": [item, None]}  # fmt: skip
    routes = {
        ("POST", "/playlists"): ok({"playlists": None, "total": None}),
        ("GET", f"/playlists/{PL1}"): ok({"playlist": detail}),
        ("GET", f"/playlists/{PL2}"): ok({"playlist": None}),
        ("GET", f"/playlists/{PL3}"): ok({"playlist": {"id": PL3, "items": None}}),
    }
    server, _ = fake_server(tmp_path, routes)
    async with Client(server, mode=mode) as client:
        listed = await client.call_tool("aioz_playlists", {})
        got = await client.call_tool("aioz_playlists", {"action": "get", "playlist_id": PL1})
        empty = await client.call_tool("aioz_playlists", {"action": "get", "playlist_id": PL2})
        no_items = await client.call_tool("aioz_playlists", {"action": "get", "playlist_id": PL3})
    for result in (listed, got, empty, no_items):
        assert not result.is_error, text_of(result)
    assert "(none)" in text_of(listed) and structured(listed)["page"]["total"] == 0
    assert "| 1 | (untitled) | `m1` | `i1` |" in text_of(got)
    assert structured(got)["data"]["metadata"] == [{"key": "mood", "value": "calm"}]
    assert f"`{PL2}`" in text_of(empty) and "(no items yet" in text_of(no_items)


@pytest.mark.anyio
async def test_move_on_a_playlist_whose_items_are_null_sends_nothing(tmp_path: Path) -> None:
    server, host = fake_server(tmp_path, {("GET", f"/playlists/{PL3}"): ok({"playlist": {"id": PL3, "items": None}})})
    async with Client(server) as client:
        result = await client.call_tool(
            "aioz_playlist_write", {"action": "move_item", "playlist_id": PL3, "media_id": "m1", "position": "top"}
        )
    assert result.is_error and "no item of this playlist" in text_of(result)
    assert host.calls() == [f"GET /playlists/{PL3}"]


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("aioz_playlists", {"search": "x" * 70_000}),
        ("aioz_playlists", {"tags": ["t" * 300]}),
        ("aioz_playlist_write", {"action": "create", "name": "n", "metadata": {"k" * 300: "v"}}),
        ("aioz_playlist_write", {"action": "create", "name": "n", "metadata": {"k": "v" * 5000}}),
        ("aioz_playlist_write", {"action": "update", "playlist_id": PL1, "thumbnail_path": "/" + "a" * 5000}),
        ("aioz_playlist_write", {"action": "add_item", "playlist_id": PL1, "media_id": "m" * 300}),
        ("aioz_playlist_delete", {"playlist_id": PL1, "target": "item", "media_id": "m/../x"}),
        ("aioz_playlist_delete", {"playlist_id": "abc123"}),  # the spec's playlist ids are UUIDs
        ("aioz_playlists", {"action": "get", "playlist_id": PL1 + "0"}),
    ],
)
@pytest.mark.anyio
async def test_over_long_free_text_is_refused_in_our_voice(tmp_path: Path, tool: str, args: dict[str, Any]) -> None:
    """Issue 9 k: every free-text argument has a bound; an over-long one is an argument error, nothing sent."""
    server, host = fake_server(tmp_path, {})
    async with Client(server) as client:
        result = await client.call_tool(tool, args)
    assert result.is_error and "Internal error" not in text_of(result)
    assert "Nothing was sent" in text_of(result)
    assert host.calls() == []


@pytest.mark.anyio
async def test_a_playlist_id_that_is_not_a_uuid_is_refused_in_words(tmp_path: Path, mode: str) -> None:
    server, host = fake_server(tmp_path, {})
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("aioz_playlists", {"action": "get", "playlist_id": "my-playlist"})
    assert result.is_error and "`playlist_id`" in text_of(result) and "UUID" in text_of(result)
    assert host.calls() == []
