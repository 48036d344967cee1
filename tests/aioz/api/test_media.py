"""Media and upload tools against a host that answers like the real Go backend (httpx.MockTransport at the HTTP
boundary) and against the sandbox with the wire recorded: issue 9 a, b, d, k, l.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client
from pydantic import SecretStr

from botflix_mcp.aioz.api import media as media_api
from botflix_mcp.aioz.api.media import Media
from botflix_mcp.app import App
from botflix_mcp.http import RetryPolicy
from botflix_mcp.server import build_server
from botflix_mcp.settings import Settings
from tests.aioz.test_upload import write_file
from tests.aioz.wire import recording_server
from tests.helpers import sandbox_settings, structured, text_of

USER = {"id": "u-1", "email": "a@b.c", "first_name": "A", "balance": "100", "debt": "0"}
Handler = Callable[[httpx.Request], dict[str, Any] | None]


def go_host(tmp_path: Path, answer: Handler) -> tuple[Any, list[httpx.Request]]:
    """A server whose AIOZ host is `answer` (the `data` of a success envelope; None: the default for the route)."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        data = answer(request)
        if data is None and request.url.path.endswith("/user/me"):
            data = {"user": USER}
        if data is None:
            return httpx.Response(404, json={"status": "fail", "message": "Route not found"})
        return httpx.Response(200, json={"status": "success", "data": data})

    settings = Settings(
        aioz_base_url="http://aioz.test/api",
        aioz_public_key=SecretStr("public-key-for-tests"),
        aioz_secret_key=SecretStr("secret-key-for-tests"),
        cache_dir=tmp_path / "cache",
        chunk_size=5 * 1024 * 1024,
    )
    app = App(settings, aioz_transport=httpx.MockTransport(handle), retry_policy=RetryPolicy(max_retries=0))
    return build_server(settings, app=app), seen


def _route(request: httpx.Request) -> str:
    return f"{request.method} {request.url.path.removeprefix('/api')}"


# --------------------------------------------------------------------------- a: null lists, odd numbers


@pytest.mark.anyio
async def test_media_list_reads_null_lists_null_totals_and_numbers_as_strings(tmp_path: Path, mode: str) -> None:
    pages = [
        {"media": None, "total": 0},
        {"media": [{"id": "m1", "title": "One", "duration": None}, {"id": "m2", "duration": "12.5"}], "total": None},
        {"media": None, "total": None},
    ]
    server, _ = go_host(tmp_path, lambda r: pages.pop(0) if _route(r) == "POST /media" else None)
    async with Client(server, mode=mode) as client:
        empty = await client.call_tool("aioz_media", {"action": "list"})
        odd = await client.call_tool("aioz_media", {"action": "list"})
        none = await client.call_tool("aioz_media", {"action": "list", "media_type": "audio"})
    for result in (empty, odd, none):
        assert not result.is_error, text_of(result)
        assert "Internal error" not in text_of(result)
    assert "(no media match)" in text_of(empty) and structured(empty)["page"]["total"] == 0
    text = text_of(odd)
    assert "`m1` **One** (" in text and "duration unknown" in text and "12.5 s" in text
    assert structured(odd)["page"]["total"] == 2  # total null: what was seen
    assert [m["duration"] for m in structured(odd)["data"]] == [None, 12.5]
    assert "(no media match)" in text_of(none)


@pytest.mark.anyio
async def test_media_get_of_a_null_detail_object_is_an_empty_media_not_a_crash(tmp_path: Path) -> None:
    server, _ = go_host(tmp_path, lambda r: {"media": None} if _route(r) == "GET /media/m1" else None)
    async with Client(server) as client:
        result = await client.call_tool("aioz_media", {"action": "get", "media_id": "m1"})
    assert not result.is_error and "Internal error" not in text_of(result), text_of(result)


# --------------------------------------------------------------------------- l: a create answer without an id


@pytest.mark.anyio
async def test_a_create_answer_without_id_is_an_unexpected_answer_not_a_bug_or_none(tmp_path: Path, mode: str) -> None:
    source = tmp_path / "clip.mp4"
    write_file(source, 400_000)
    server, seen = go_host(
        tmp_path, lambda r: {"title": "made", "status": "new"} if _route(r) == "POST /media/create" else None
    )
    async with Client(server, mode=mode) as client:
        created = await client.call_tool("aioz_media_write", {"action": "create", "title": "x"})
        uploaded = await client.call_tool("aioz_upload_media", {"source": str(source)})
        job = await client.call_tool("aioz_upload_media", {"source": str(source), "wait_seconds": 5})
    for result in (created, uploaded, job):
        text = text_of(result)
        assert result.is_error, text
        assert "unexpected answer to POST /media/create" in text and "no media id" in text, text
        assert "bug in botflix-mcp" not in text and "None" not in text
    assert not [r for r in seen if r.url.path.endswith(("/part", "/complete"))]


# --------------------------------------------------------------------------- b: retry re-creates the same media


@pytest.mark.anyio
async def test_retry_recreates_the_failed_media_with_its_own_qualities_tags_metadata(
    fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    settings = sandbox_settings(fresh_sandbox, tmp_path)
    server, wire = recording_server(settings)
    source = tmp_path / "clip.mp4"
    write_file(source, 6 * 1024 * 1024)
    details = {
        "title": "fail-encode pilot",  # the sandbox fails the encode of this title
        "qualities": ["480p", {"resolution": "1080p", "container_type": "fmp4"}],
        "tags": ["Pilot", "demo"],
        "metadata": {"show": "botflix", "season": "1"},
        "description": "the pilot",
        "is_public": False,
    }
    async with Client(server, mode=mode) as client:
        up = await client.call_tool("aioz_upload_media", {"source": str(source), **details})
        assert not up.is_error, text_of(up)
        failed_id = structured(up)["data"]["media_id"]
        status = await client.call_tool("aioz_media_status", {"media_id": failed_id, "wait_seconds": 30})
        assert structured(status)["data"]["template"] == "encoding_failed"
        noise = tmp_path / "noise.mp4"
        noise.write_bytes(b"not a video at all")
        refused = await client.call_tool("aioz_retry_failed_upload", {"media_id": failed_id, "source": str(noise)})
        assert refused.is_error and "is not audio or video" in text_of(refused)
        assert not wire.find("DELETE", f"/media/{failed_id}")  # probed before anything was deleted
        before = len(wire.sent)
        retried = await client.call_tool("aioz_retry_failed_upload", {"media_id": failed_id})
    assert not retried.is_error, text_of(retried)
    later = wire.sent[before:]
    create = next(s for s in later if s.method == "POST" and s.path == "/media/create").json()
    assert [q["resolution"] for q in create["qualities"]] == ["480p", "1080p"]  # not AIOZ's default ladder
    assert all(q["type"] == "hls" and q["video_config"]["codec"] == "h264" for q in create["qualities"])
    assert create["tags"] == ["demo", "pilot"] and create["description"] == "the pilot"
    assert create["is_public"] is False
    assert {(kv["key"], kv["value"]) for kv in create["metadata"]} == {("show", "botflix"), ("season", "1")}
    cost = next(s for s in later if s.path == "/media/cost")
    assert "qualities=480p%2C1080p" in cost.query or "qualities=480p,1080p" in cost.query  # exactly those
    order = [(s.method, s.path) for s in later]
    assert order.index(("GET", "/media/cost")) < order.index(("DELETE", f"/media/{failed_id}"))
    assert "Transcode cost checked for 480p, 1080p" in text_of(retried)


# --------------------------------------------------------------------------- d: one media per upload


@pytest.mark.anyio
async def test_custom_quality_media_is_filled_by_uploading_into_its_id(
    fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    settings = sandbox_settings(fresh_sandbox, tmp_path)
    server, wire = recording_server(settings)
    source = tmp_path / "clip.mp4"
    sha = write_file(source, 11 * 1024 * 1024)
    create = {"action": "create", "title": "custom", "qualities": ["720p"], "codec": "h265", "container_type": "fmp4"}
    async with Client(server, mode=mode) as client:
        made = await client.call_tool("aioz_media_write", {**create, "duration": 64})
        assert not made.is_error, text_of(made)
        media_id = structured(made)["data"]["id"]
        assert f"aioz_upload_media, media_id `{media_id}`" in text_of(made)
        refused = await client.call_tool(
            "aioz_upload_media", {"source": str(source), "media_id": media_id, "title": "x"}
        )
        assert refused.is_error and "cannot be set here" in text_of(refused)
        up = await client.call_tool("aioz_upload_media", {"source": str(source), "media_id": media_id})
        assert not up.is_error, text_of(up)
        again = await client.call_tool("aioz_upload_media", {"source": str(source), "media_id": media_id})
        assert again.is_error and "not `new`" in text_of(again)
    assert structured(up)["data"]["media_id"] == media_id
    creates = wire.find("POST", "/media/create")
    assert len(creates) == 1  # no second media
    body = creates[0].json()
    assert body["qualities"][0]["container_type"] == "fmp4" and body["qualities"][0]["video_config"]["codec"] == "h265"
    assert {s.path for s in wire.find("POST", "/media/") if s.path.endswith("/part")} == {f"/media/{media_id}/part"}
    assert len(wire.find("GET", f"/media/{media_id}/complete")) == 1
    assert fresh_sandbox.assembled(media_id)["sha256"] == sha


@pytest.mark.anyio
async def test_upload_takes_full_quality_objects_and_warns_before_creating(
    fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    settings = sandbox_settings(fresh_sandbox, tmp_path)
    server, wire = recording_server(settings)
    source = tmp_path / "clip.mp4"
    write_file(source, 400_000)
    hevc_ts = {"resolution": "1080p", "codec": "h265", "container_type": "mpegts"}
    async with Client(server, mode=mode) as client:
        warned = await client.call_tool("aioz_upload_media", {"source": str(source), "qualities": [hevc_ts]})
        assert warned.is_error and "Safari/iOS" in text_of(warned) and "allow_h265_mpegts" in text_of(warned)
        assert wire.sent == []  # issue 9 e: nothing created (nothing sent at all) before the caller chooses
        fmp4 = {**hevc_ts, "container_type": "fmp4"}
        up = await client.call_tool("aioz_upload_media", {"source": str(source), "qualities": ["360p", fmp4]})
        assert not up.is_error, text_of(up)
        confirmed = await client.call_tool(
            "aioz_upload_media",
            {"source": str(source), "title": "ts", "qualities": [hevc_ts], "allow_h265_mpegts": True},
        )
        assert not confirmed.is_error and "Safari/iOS" in json.dumps(structured(confirmed).get("warnings"))
    first, second = (s.json() for s in wire.find("POST", "/media/create"))
    assert first["qualities"][1] == {
        "resolution": "1080p",
        "type": "hls",
        "container_type": "fmp4",
        "video_config": {"codec": "h265"},
    }
    assert second["qualities"][0]["container_type"] == "mpegts"


# --------------------------------------------------------------------------- k: every free-text argument is bounded

MY_TOOLS = (
    "aioz_media",
    "aioz_media_write",
    "aioz_media_delete",
    "aioz_upload_media",
    "aioz_upload_job",
    "aioz_media_status",
    "aioz_retry_failed_upload",
)


def _unbounded(schema: Any, defs: dict[str, Any], where: str) -> list[str]:
    if not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        return _unbounded(defs[schema["$ref"].split("/")[-1]], defs, where)
    found: list[str] = []
    bounded_pattern = bool(re.search(r"\{\d+,\d+\}\$$", str(schema.get("pattern", ""))))  # ids: ^[\w-]{1,100}$
    if schema.get("type") == "string" and not ({"maxLength", "enum", "const"} & set(schema) or bounded_pattern):
        found.append(where)
    for key in ("anyOf", "oneOf", "allOf"):
        for n, sub in enumerate(schema.get(key, [])):
            found += _unbounded(sub, defs, f"{where}|{n}")
    found += _unbounded(schema.get("items"), defs, f"{where}[]")
    found += _unbounded(schema.get("additionalProperties"), defs, f"{where}{{value}}")
    found += _unbounded(schema.get("propertyNames"), defs, f"{where}{{key}}")
    for name, sub in (schema.get("properties") or {}).items():
        found += _unbounded(sub, defs, f"{where}.{name}")
    return found


@pytest.mark.anyio
async def test_every_free_text_argument_of_the_media_and_upload_tools_has_a_max_length() -> None:
    server = build_server(Settings(toolsets=("media", "upload")))
    async with Client(server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    problems: list[str] = []
    for name in MY_TOOLS:
        schema = tools[name].input_schema
        problems += _unbounded(schema, schema.get("$defs", {}), name)
    assert problems == []


# --------------------------------------------------------------------------- the layer itself


def test_a_media_objects_qualities_become_create_objects() -> None:
    media = Media.model_validate(
        {
            "type": "video",
            "qualities": [
                {"name": "720p", "type": "hls", "video_codec": "h265", "container_type": "fmp4"},
                {"name": "720p", "type": "hls"},  # listed twice by the host: once in the body
                {"name": "1080p", "type": "dash"},
                {"name": "", "status": "done"},
                None,
            ],
        }
    )
    assert media.quality_names == ["720p", "720p", "1080p"]
    assert media.create_qualities() == [
        {"resolution": "720p", "type": "hls", "container_type": "fmp4", "video_config": {"codec": "h265"}},
        {"resolution": "1080p", "type": "dash"},
    ]
    assert media_api.Media.model_validate(
        {"type": "audio", "qualities": [{"name": "good", "video_codec": "x"}]}
    ).create_qualities() == [{"resolution": "good"}]


@pytest.mark.anyio
async def test_the_probe_decides_audio_and_refuses_video_for_an_audio_only_file(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    import wave

    song = tmp_path / "song.bin"  # no telling suffix: the content decides
    with wave.open(str(song), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x00\x01" * 16000 * 3)  # 3 s
    server, wire = recording_server(sandbox_settings(fresh_sandbox, tmp_path))
    async with Client(server) as client:
        refused = await client.call_tool("aioz_upload_media", {"source": str(song), "media_type": "video"})
        assert refused.is_error and "no video stream" in text_of(refused)
        assert wire.sent == []
        up = await client.call_tool("aioz_upload_media", {"source": str(song), "qualities": ["standard"]})
    assert not up.is_error, text_of(up)
    assert structured(up)["data"]["type"] == "audio"
    assert wire.find("POST", "/media/create")[0].json()["type"] == "audio"
    cost = next(s for s in wire.sent if s.path == "/media/cost")
    assert "type=audio" in cost.query and "duration=3" in cost.query
