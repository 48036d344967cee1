"""Captions toolset against answers the sandbox never gives, through the MCP client; the fake host sits at the
HTTP boundary (tests/aioz/fakehost.py). Issue 9 a (null lists), l (route-missing from the 404's shape, not its
wording) and k (bounded free text, for every tool of the players, playlists and captions toolsets)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from tests.aioz.fakehost import fake_server, ok
from tests.helpers import structured, text_of

VTT = b"WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n"
MY_TOOLS = (
    "aioz_players",
    "aioz_players_write",
    "aioz_players_delete",
    "aioz_playlists",
    "aioz_playlist_write",
    "aioz_playlist_delete",
    "aioz_captions",
    "aioz_captions_write",
    "aioz_captions_delete",
)


def vtt_file(tmp_path: Path) -> str:
    path = tmp_path / "subs.vtt"
    path.write_bytes(VTT)
    return str(path)


@pytest.mark.anyio
async def test_null_track_lists_and_totals(tmp_path: Path, mode: str) -> None:
    routes = {
        ("GET", "/media/m1/transcripts"): ok({"media_transcripts": None, "total": None}),
        ("GET", "/media/m1/chapters"): ok({"media_chapters": [None, {"language": "en", "url": None}], "total": "1"}),
    }
    server, _ = fake_server(tmp_path, routes)
    async with Client(server, mode=mode) as client:
        transcripts = await client.call_tool("aioz_captions", {"media_id": "m1"})
        chapters = await client.call_tool("aioz_captions", {"media_id": "m1", "kind": "chapters"})
    assert not transcripts.is_error and "(no transcripts)" in text_of(transcripts), text_of(transcripts)
    assert structured(transcripts)["page"]["total"] == 0
    assert not chapters.is_error and "`en`" in text_of(chapters)
    assert structured(chapters)["data"] == [{"language": "en", "url": ""}]


@pytest.mark.anyio
async def test_add_with_null_list_and_null_created_object(tmp_path: Path) -> None:
    routes = {
        ("GET", "/media/m1/transcripts"): ok({"media_transcripts": None, "total": 0}),
        ("POST", "/media/m1/transcripts/en"): (201, ok({"media_transcript": None})),
    }
    server, host = fake_server(tmp_path, routes)
    async with Client(server) as client:
        result = await client.call_tool("aioz_captions_write", {"media_id": "m1", "language": "en",
                                                                "path": vtt_file(tmp_path)})  # fmt: skip
    assert not result.is_error and "Added `en` transcript" in text_of(result), text_of(result)
    assert host.calls() == ["GET /media/m1/transcripts", "POST /media/m1/transcripts/en"]


@pytest.mark.anyio
async def test_route_missing_is_read_from_the_shape_not_the_words(tmp_path: Path, mode: str) -> None:
    """The unknown-route 404 has no `status` key; its wording may differ (Echo's own 'Not Found' here)."""
    unknown_route = (404, {"message": "Not Found", "path": "/api/media/m1/transcripts", "method": "GET"})
    routes = {
        ("GET", "/media/m1/transcripts"): unknown_route,
        ("GET", "/media/m1/captions"): ok({"media_captions": [{"language": "vi", "is_default": True}], "total": 1}),
    }
    server, host = fake_server(tmp_path, routes)
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("aioz_captions", {"media_id": "m1"})
    assert not result.is_error, text_of(result)
    assert "`vi` (default)" in text_of(result)
    assert any("/captions" in w for w in structured(result)["warnings"])
    assert host.calls() == ["GET /media/m1/transcripts", "GET /media/m1/captions"]


@pytest.mark.anyio
async def test_a_missing_track_404_is_passed_on_whatever_its_words(tmp_path: Path, mode: str) -> None:
    """A handler's 404 (`"status": "fail"`) means the media/track is missing, even if it says 'route not found'."""
    missing = (404, {"status": "fail", "message": "Transcript not found: route not found for this language."})
    routes = {
        ("GET", "/media/m1/transcripts"): ok({"media_transcripts": [{"language": "en"}], "total": 1}),
        ("DELETE", "/media/m1/transcripts/en"): missing,
    }
    server, host = fake_server(tmp_path, routes)
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("aioz_captions_delete", {"media_id": "m1", "language": "en"})
    assert result.is_error and "HTTP 404" in text_of(result) and "Transcript not found" in text_of(result)
    assert "/captions" not in " ".join(host.calls())  # no fallback to another endpoint


@pytest.mark.anyio
async def test_a_missing_media_404_is_passed_on(tmp_path: Path) -> None:
    routes = {("GET", "/media/m1/transcripts"): (404, {"status": "fail", "message": "Media not found."})}
    server, host = fake_server(tmp_path, routes)
    async with Client(server) as client:
        result = await client.call_tool("aioz_captions", {"media_id": "m1"})
    assert result.is_error and "Media not found." in text_of(result)
    assert host.calls() == ["GET /media/m1/transcripts"]


@pytest.mark.anyio
async def test_a_404_without_a_json_body_is_not_a_missing_route(tmp_path: Path) -> None:
    routes = {("GET", "/media/m1/transcripts"): (404, "Route not found")}  # a proxy's text page
    server, host = fake_server(tmp_path, routes)
    async with Client(server) as client:
        result = await client.call_tool("aioz_captions", {"media_id": "m1"})
    assert result.is_error and "HTTP 404" in text_of(result)
    assert host.calls() == ["GET /media/m1/transcripts"]


def _unbounded_strings(schema: Any, where: str, defs: dict[str, Any]) -> list[str]:
    """Paths of string schemas (values, array items, dict keys and values) with no maxLength, enum or const."""
    if not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        return _unbounded_strings(defs[schema["$ref"].split("/")[-1]], where, defs)
    out: list[str] = []
    if schema.get("type") == "string" and not {"maxLength", "enum", "const"} & set(schema):
        out.append(where)
    for key in ("anyOf", "oneOf", "allOf"):
        for n, sub in enumerate(schema.get(key, [])):
            out += _unbounded_strings(sub, f"{where}|{n}", defs)
    if isinstance(schema.get("items"), dict):
        out += _unbounded_strings(schema["items"], f"{where}[]", defs)
    if isinstance(schema.get("additionalProperties"), dict):
        out += _unbounded_strings(schema["additionalProperties"], f"{where}{{value}}", defs)
    if schema.get("type") == "object" and "additionalProperties" in schema:
        names = schema.get("propertyNames", {"type": "string"})
        out += _unbounded_strings(names, f"{where}{{key}}", defs)
    for name, sub in (schema.get("properties") or {}).items():
        out += _unbounded_strings(sub, f"{where}.{name}", defs)
    return out


@pytest.mark.anyio
async def test_every_free_text_argument_is_bounded(tmp_path: Path) -> None:
    server, _ = fake_server(tmp_path, {})
    async with Client(server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    unbounded = []
    for name in MY_TOOLS:
        schema = tools[name].input_schema
        unbounded += _unbounded_strings(schema, name, schema.get("$defs", {}))
    assert unbounded == [], unbounded


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("aioz_captions_write", {"media_id": "m1", "language": "en", "path": "/" + "a" * 5000}),
        ("aioz_captions_write", {"media_id": "m1", "language": "e" * 40, "path": "/x.vtt"}),
        ("aioz_players", {"search": "x" * 70_000}),
        ("aioz_players_write", {"action": "create", "theme": {"main_color": "r" * 500}}),
        ("aioz_players_write", {"action": "set_logo", "player_id": "p", "logo_path": "/" + "a" * 5000}),
    ],
)
@pytest.mark.anyio
async def test_over_long_free_text_is_refused_in_our_voice(tmp_path: Path, tool: str, args: dict[str, Any]) -> None:
    server, host = fake_server(tmp_path, {})
    async with Client(server) as client:
        result = await client.call_tool(tool, args)
    assert result.is_error and "Internal error" not in text_of(result)
    assert "Nothing was sent" in text_of(result)
    assert host.calls() == []
