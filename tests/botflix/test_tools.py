"""BotFlix tools and the plain functions behind them (botflix/ops.py), one rule per test.

Against the loopback sandbox through an MCP client where the sandbox implements the behaviour; at the HTTP
boundary (httpx transports) for the answers the sandbox does not give: other response shapes, signed download
URLs, 413/429, renamed fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client
from pydantic import SecretStr

from botflix_mcp.app import App
from botflix_mcp.botflix import ops
from botflix_mcp.botflix.client import BotflixClient
from botflix_mcp.errors import ApiConnectionError, ConflictError, PayloadTooLargeError, RateLimitError, UserInputError
from botflix_mcp.http import RetryPolicy
from botflix_mcp.server import build_server
from tests.botflix import mp4factory
from tests.helpers import sandbox_settings, structured, text_of

ASSETS = Path(__file__).parents[2] / "botflix_mcp" / "demo_assets"
ORIGIN = "https://botflix.test"
KEY = SecretStr("botflix_dir_test_key_0123456789")
REASON = "The cold open lands its twist in eight seconds."


def load(name: str) -> Any:
    return json.loads((ASSETS / name).read_text())


def mock_client(handler: Callable[[httpx.Request], httpx.Response], **fields: str) -> BotflixClient:
    return BotflixClient(
        ORIGIN, transport=httpx.MockTransport(handler), retry=RetryPolicy(max_retries=0), field_map=fields
    )


def mock_server(sandbox: Any, tmp_path: Path, handler: Callable[[httpx.Request], httpx.Response]) -> Any:
    settings = sandbox_settings(sandbox, tmp_path, botflix_base_url=ORIGIN, botflix_director_key=KEY)
    app = App(settings, botflix_transport=httpx.MockTransport(handler), retry_policy=RetryPolicy(max_retries=0))
    return build_server(settings, app=app)


# --------------------------------------------------------------------------- register and profile


@pytest.mark.anyio
async def test_register_refuses_a_bad_email_before_sending(server: Any, fresh_sandbox: Any) -> None:
    async with Client(server) as client:
        result = await client.call_tool("botflix_register_director", {"name": "Nova", "owner_email": "not-an-email"})
    assert result.is_error and "owner_email" in text_of(result) and "Nothing was sent" in text_of(result)
    assert fresh_sandbox.botflix_requests() == []


@pytest.mark.anyio
async def test_register_with_a_configured_key_warns_of_a_second_director(fresh_sandbox: Any, tmp_path: Path) -> None:
    settings = sandbox_settings(fresh_sandbox, tmp_path, botflix_director_key=SecretStr("botflix_dir_configured_1234"))
    async with Client(build_server(settings)) as client:
        result = await client.call_tool("botflix_register_director", {"name": "Nova", "owner_email": "n@example.com"})
    assert not result.is_error and "second, separate director" in text_of(result)


@pytest.mark.anyio
async def test_register_reads_a_renamed_key_field(fresh_sandbox: Any, tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert "authorization" not in request.headers  # registration needs no key
        return httpx.Response(201, json={"data": {"token": "botflix_dir_renamed_0123456", "id": "d-9"}})

    reg = await ops.register_director(
        mock_client(handler, api_key="token"), ops.check_registration(" Nova ", "", "n@example.com")
    )
    assert (reg.api_key, reg.director_id) == ("botflix_dir_renamed_0123456", "d-9")


def test_registration_and_profile_rules() -> None:
    with pytest.raises(UserInputError, match="owner_email"):
        ops.check_registration("Nova", "", "nova@")
    with pytest.raises(UserInputError, match="name"):
        ops.check_registration(" x ", "", "n@example.com")
    with pytest.raises(UserInputError, match="Nothing to update"):
        ops.profile_update(None, None, None)
    with pytest.raises(UserInputError, match="60-180"):
        ops.profile_update(None, 181, None)
    with pytest.raises(UserInputError, match="not a model id"):
        ops.profile_update("Veo 3!", None, None)
    profile, warnings = ops.profile_update("Seedance_3", 120, "paid")
    assert profile == {"video_model": "seedance_3", "target_seconds": 120, "creation_tier": "paid"}
    assert warnings and "seedance_3" in warnings[0]
    assert ops.profile_warnings({"creation_tier": "free", "video_model": "veo_3_1"})
    assert ops.profile_warnings({"creation_tier": "paid", "video_model": "veo_3_1"}) == []


@pytest.mark.anyio
async def test_profile_out_of_range_is_refused_by_the_schema(server: Any, fresh_sandbox: Any) -> None:
    async with Client(server) as client:
        await client.call_tool("botflix_register_director", {"name": "Nova", "owner_email": "n@example.com"})
        result = await client.call_tool("botflix_profile", {"action": "update", "target_seconds": 59})
        mixed = await client.call_tool(
            "botflix_profile", {"action": "update", "video_model": "veo_3_1", "creation_tier": "free"}
        )
    assert result.is_error
    assert [r["method"] for r in fresh_sandbox.botflix_requests()] == ["POST", "PATCH"]  # register, the 2nd update
    assert not mixed.is_error and "paid API" in text_of(mixed)


@pytest.mark.anyio
async def test_profile_get_without_the_endpoint_is_explained(fresh_sandbox: Any, tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"error": "Not found"})

    async with Client(mock_server(fresh_sandbox, tmp_path, handler)) as client:
        result = await client.call_tool("botflix_profile", {"action": "get"})
    assert result.is_error and "no GET /api/v1/directors/me" in text_of(result) and "action='update'" in text_of(result)


# --------------------------------------------------------------------------- validate


@pytest.mark.anyio
async def test_validate_takes_objects_json_text_and_paths(server: Any, tmp_path: Path) -> None:
    brief, manifest = load("episode-brief.json"), load("shot-manifest.json")
    brief_file = tmp_path / "brief.json"
    brief_file.write_text(json.dumps(brief))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    bad_manifest = {**manifest, "shots": [{**manifest["shots"][0], "beat_id": "b99"}, *manifest["shots"][1:]]}
    async with Client(server) as client:
        from_path = await client.call_tool("botflix_validate", {"kind": "brief", "document": str(brief_file)})
        from_text = await client.call_tool("botflix_validate", {"kind": "brief", "document": json.dumps(brief)})
        cross = await client.call_tool(
            "botflix_validate", {"kind": "shot_manifest", "document": bad_manifest, "brief": str(brief_file)}
        )
        unreadable = await client.call_tool("botflix_validate", {"kind": "brief", "document": str(broken)})
        outside = await client.call_tool("botflix_validate", {"kind": "metadata", "document": "/etc/hostname"})
    assert structured(from_path)["data"]["ok"] and structured(from_text)["data"]["ok"]
    problems = structured(cross)["data"]["problems"]
    assert not structured(cross)["data"]["ok"] and any(p["path"] == "$.shots[0].beat_id" for p in problems)
    assert unreadable.is_error and "not valid JSON" in text_of(unreadable)
    assert outside.is_error and "BOTFLIX_MCP_ALLOWED_ROOTS" in text_of(outside)


# --------------------------------------------------------------------------- upload


@pytest.mark.anyio
async def test_upload_metadata_from_a_file_and_duration_filled_from_the_probe(
    server: Any, fresh_sandbox: Any, tmp_path: Path
) -> None:
    metadata = load("episode-metadata.json")
    del metadata["duration_seconds"]
    meta_file = tmp_path / "metadata.json"
    meta_file.write_text(json.dumps(metadata))
    async with Client(server) as client:
        await client.call_tool("botflix_register_director", {"name": "Nova", "owner_email": "n@example.com"})
        result = await client.call_tool(
            "botflix_upload_episode", {"path": str(mp4factory.valid()), "metadata": str(meta_file)}
        )
    assert not result.is_error, text_of(result)
    assert "duration_seconds was missing" in text_of(result)
    episode = fresh_sandbox.botflix_state.episodes[structured(result)["data"]["episode_id"]]
    assert 63 < episode["duration_seconds"] < 66


@pytest.mark.anyio
async def test_upload_refuses_a_thumbnail_that_is_not_an_image(server: Any, fresh_sandbox: Any, tmp_path: Path) -> None:
    thumb = tmp_path / "thumb.jpg"
    thumb.write_text("not an image")
    async with Client(server) as client:
        await client.call_tool("botflix_register_director", {"name": "Nova", "owner_email": "n@example.com"})
        result = await client.call_tool(
            "botflix_upload_episode",
            {"path": str(mp4factory.valid()), "metadata": load("episode-metadata.json"), "thumbnail_path": str(thumb)},
        )
    assert result.is_error and "thumbnail: not a JPEG, PNG or WebP" in text_of(result)
    assert not [r for r in fresh_sandbox.botflix_requests() if r["path"].endswith("/upload")]


class RecordingTransport(httpx.AsyncBaseTransport):
    """Reads the request body as the network would (chunk by chunk) and answers 201."""

    def __init__(self, status: int = 201) -> None:
        self.chunks: list[int] = []
        self.body = b""
        self.headers: httpx.Headers | None = None
        self.status = status

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.headers = request.headers
        async for chunk in request.stream:  # type: ignore[union-attr]
            self.chunks.append(len(chunk))
            self.body += chunk
        if self.status != 201:
            return httpx.Response(self.status, json={"error": "Payload too large"})
        return httpx.Response(201, json={"episode_id": "ep-1", "status": "processing"})


@pytest.mark.anyio
async def test_upload_streams_from_disk_with_configurable_part_names(tmp_path: Path) -> None:
    transport = RecordingTransport()
    client = BotflixClient(ORIGIN, transport=transport, field_map={"file": "video", "metadata": "meta"})
    thumb = tmp_path / "t.webp"
    thumb.write_bytes(b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 32)
    video = mp4factory.valid()
    data = await ops.upload_episode(
        client, KEY, video, {"title": "T", "duration_seconds": 64}, thumbnail=thumb, thumbnail_mime="image/webp"
    )
    await client.aclose()
    assert data["episode_id"] == "ep-1"
    size = video.stat().st_size
    assert len(transport.chunks) > size // 65536 and max(transport.chunks) <= 65536  # read in 64 KiB pieces
    assert transport.headers is not None and int(transport.headers["content-length"]) == len(transport.body)
    assert transport.headers["authorization"] == f"Bearer {KEY.get_secret_value()}"
    assert b'name="video"; filename="valid.mp4"' in transport.body and video.read_bytes() in transport.body
    assert b'name="meta"\r\n\r\n{"title": "T", "duration_seconds": 64}' in transport.body
    assert b'name="thumbnail"; filename="t.webp"\r\nContent-Type: image/webp' in transport.body


@pytest.mark.anyio
async def test_upload_413_says_to_re_encode() -> None:
    client = BotflixClient(ORIGIN, transport=RecordingTransport(status=413))
    with pytest.raises(PayloadTooLargeError) as caught:
        await ops.upload_episode(client, KEY, mp4factory.valid(), {"title": "T", "duration_seconds": 64})
    assert "Re-encode smaller" in caught.value.for_model()


# --------------------------------------------------------------------------- discovery


EPISODES = [{"id": "e1", "title": "One", "director": {"id": "d1", "name": "A"}}, {"id": "e2", "title": "Two"}]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "total", "next_offset"),
    [
        (EPISODES, 2, None),  # a bare array shorter than the limit: the last page
        ({"data": {"episodes": EPISODES}, "status": "ok"}, 2, None),
        ({"items": EPISODES, "next_cursor": "2"}, 3, 2),  # no total, but more to come
        ({"episodes": EPISODES, "total": 7}, 7, 2),
    ],
)
async def test_discovery_reads_every_list_shape(body: Any, total: int, next_offset: int | None) -> None:
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, json=body)

    client = mock_client(handler, tag="genre", offset="start")
    page = await ops.discover(client, None, filters={"tag": "drama", "q": None}, offset=0, limit=10)
    assert [e["id"] for e in page.items] == ["e1", "e2"] and page.total == total
    from botflix_mcp.results import page_of

    assert page_of(page.total, 0, 10, len(page.items)).next_offset == next_offset
    assert dict(seen[0].params) == {"genre": "drama", "start": "0", "limit": "10"}
    assert "authorization" not in str(seen[0])


# --------------------------------------------------------------------------- download


def storage_handler(calls: list[httpx.Request], shape: str) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if request.url.host == "storage.test":
            return httpx.Response(200, content=b"MP4BYTES" * 1000)
        if shape == "redirect":
            return httpx.Response(302, headers={"location": "https://storage.test/signed/e1.mp4?token=abc"})
        return httpx.Response(200, json={"url": "https://storage.test/signed/e1.mp4?token=abc"})

    return handler


@pytest.mark.anyio
@pytest.mark.parametrize("shape", ["redirect", "json"])
async def test_download_follows_a_signed_url_without_the_key(tmp_path: Path, shape: str) -> None:
    calls: list[httpx.Request] = []
    target = tmp_path / "e1.mp4"
    saved = await ops.download_episode(mock_client(storage_handler(calls, shape)), KEY, "e1", target)
    assert target.read_bytes() == b"MP4BYTES" * 1000 and saved["source"] == "signed URL"
    assert calls[0].headers["authorization"].startswith("Bearer ")
    assert calls[1].url.host == "storage.test" and "authorization" not in calls[1].headers


@pytest.mark.anyio
async def test_download_keeps_nothing_when_the_body_is_cut_short(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-length": "100", "content-type": "video/mp4"}, content=b"x" * 40)

    target = tmp_path / "e1.mp4"
    with pytest.raises(ApiConnectionError, match="40 of 100 bytes"):
        await ops.download_episode(mock_client(handler), KEY, "e1", target)
    assert not target.exists() and not target.with_name("e1.mp4.part").exists()


@pytest.mark.anyio
async def test_download_never_overwrites_unless_asked(server: Any, fresh_sandbox: Any, tmp_path: Path) -> None:
    target = tmp_path / "exists.mp4"
    target.write_bytes(b"mine")
    async with Client(server) as client:
        await client.call_tool("botflix_register_director", {"name": "Nova", "owner_email": "n@example.com"})
        result = await client.call_tool("botflix_download_episode", {"episode_id": "e1", "path": str(target)})
    assert result.is_error and "overwrite=true" in text_of(result) and target.read_bytes() == b"mine"
    assert not [r for r in fresh_sandbox.botflix_requests() if r["path"].endswith("/download")]


# --------------------------------------------------------------------------- likes


def test_reason_must_be_concrete() -> None:
    with pytest.raises(UserInputError, match="concrete reason"):
        ops.check_reason("great great great great great")
    with pytest.raises(UserInputError):
        ops.check_reason("nice one")
    assert ops.check_reason("  The   score carries the reveal.  ") == "The score carries the reveal."


def test_local_like_limit_and_repeats() -> None:
    state = ops.DirectorState()
    for i in range(ops.LIKES_PER_HOUR):
        state.check_like("s", f"e{i}", now=1000.0 + i)
        state.record_like("s", f"e{i}", now=1000.0 + i)
    with pytest.raises(UserInputError, match="5 per hour"):
        state.check_like("s", "e-new", now=1100.0)
    state.check_like("other-session", "e-new", now=1100.0)  # per session
    with pytest.raises(UserInputError, match="already liked"):
        state.check_like("s", "e0", now=1000.0 + 3601)
    state.check_like("s", "e-new", now=1000.0 + 3601)  # the hour has passed


def like_handler(like: httpx.Response) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/directors/me":
            return httpx.Response(200, json={"director_id": "me"})
        if request.method == "GET":
            return httpx.Response(200, json={"id": "e1", "title": "Theirs", "director": {"id": "them"}})
        return like

    return handler


@pytest.mark.anyio
async def test_platform_429_on_likes_is_explained() -> None:
    state = ops.DirectorState()
    limited = httpx.Response(429, json={"error": "Too many likes"}, headers={"Retry-After": "120"})
    with pytest.raises(RateLimitError) as caught:
        await ops.like_episode(mock_client(like_handler(limited)), state, "s", KEY, "e1")
    text = caught.value.for_model()
    assert "HTTP 429" in text and "Too many likes" in text and "wait 120 s" in text and "loop" in text
    state.check_like("s", "e1")  # nothing recorded: it may be liked later


@pytest.mark.anyio
async def test_platform_409_is_remembered_locally() -> None:
    state = ops.DirectorState()
    with pytest.raises(ConflictError, match="dup"):
        await ops.like_episode(
            mock_client(like_handler(httpx.Response(409, json={"error": "dup"}))), state, "s", KEY, "e1"
        )
    with pytest.raises(UserInputError, match="already liked"):
        state.check_like("s", "e1")


@pytest.mark.anyio
async def test_like_guards_through_the_client(server: Any, fresh_sandbox: Any) -> None:
    others = [fresh_sandbox.botflix_state.seed_other_director()["episode_id"] for _ in range(ops.LIKES_PER_HOUR + 1)]
    async with Client(server) as client:
        await client.call_tool("botflix_register_director", {"name": "Nova", "owner_email": "n@example.com"})
        short = await client.call_tool("botflix_like_episode", {"episode_id": others[0], "reason": "good"})
        vague = await client.call_tool("botflix_like_episode", {"episode_id": others[0], "reason": "nice " * 6})
        results = [await client.call_tool("botflix_like_episode", {"episode_id": e, "reason": REASON}) for e in others]
        again = await client.call_tool("botflix_like_episode", {"episode_id": others[0], "reason": REASON})
    assert short.is_error and vague.is_error and "concrete reason" in text_of(vague)
    assert [r.is_error for r in results] == [False] * ops.LIKES_PER_HOUR + [True]
    assert "Local like limit reached: 5 per hour" in text_of(results[-1])
    assert again.is_error and "already liked" in text_of(again)
    posts = [r for r in fresh_sandbox.botflix_requests() if r["path"].endswith("/director-like")]
    assert len(posts) == ops.LIKES_PER_HOUR


def test_tolerant_readers() -> None:
    client = BotflixClient(ORIGIN)
    assert ops.director_id_of_episode({"director": {"id": "d1"}}) == "d1"
    assert ops.director_id_of_episode({"director_id": "d2"}) == "d2"
    assert ops.director_id_of_episode({"director": "d3"}) == "d3"
    assert ops.director_id_of_episode({}) is None
    assert ops.episode_id_of(client, {"episode_id": "x"}) == "x" and ops.episode_id_of(client, {"id": "y"}) == "y"
    line = ops.episode_line(client, {"id": "e", "title": "T", "director": {"name": "N"}, "duration_seconds": 90})
    assert line.startswith("`e` **T** by N") and "90 s" in line


@pytest.mark.anyio
async def test_no_retention_tool_is_listed(server: Any) -> None:
    async with Client(server) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        descriptions = " ".join((t.description or "") for t in (await client.list_tools()).tools if "botflix" in t.name)
    assert not [n for n in names if "retention" in n or "heartbeat" in n or "view" in n]
    assert "like farming" in descriptions


@pytest.mark.anyio
async def test_botflix_toolset_fits_its_tools_list_share() -> None:
    from bench.tools_size import size_of
    from botflix_mcp.settings import Settings

    server = build_server(Settings(toolsets=("botflix",)))
    async with Client(server) as client:
        listed = (await client.list_tools()).tools
    assert {t.name for t in listed} == set(server._botflix_toolkit.registered)  # type: ignore[attr-defined]
    assert size_of(listed) <= 9_000, size_of(listed)  # the team's share for BotFlix (measure: bench/tools_size.py)
