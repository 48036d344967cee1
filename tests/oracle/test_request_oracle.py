"""The official spec checks the requests of representative tool flows on the spot (a violation fails that test).

Each flow drives the tools through the in-memory MCP client against the loopback sandbox; every AIOZ request it
causes is checked by tests/oracle/spec.py. Requests are wire facts, the same in both protocol eras: one era here.
A flow that still shows a KNOWN_DEFECTS entry is a strict xfail; when the defect is fixed it XPASSes and fails:
remove the entry (the session-wide check also fails on an entry no longer seen).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from tests.helpers import structured, text_of
from tests.oracle.capture import RECORDED, RawRequest
from tests.oracle.plugin import FLOWS_RUN
from tests.oracle.spec import KNOWN_DEFECTS, SPEC_PATH, SPEC_SHA256, check, is_allowed, sent_by_the_server

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001d50a2db40000000049454e44ae426082"
)
#: A real MP4 (uploads are probed before anything is created): the demo's episode.
DEMO_MP4 = Path(__file__).resolve().parents[2] / "botflix_mcp" / "demo_assets" / "episode.mp4"
VTT = "WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n"

Call = Callable[..., Awaitable[dict[str, Any]]]  # call(tool, args, ok=True): ok=False accepts a ToolError


def test_the_spec_is_the_pinned_official_copy() -> None:
    assert hashlib.sha256(SPEC_PATH.read_bytes()).hexdigest() == SPEC_SHA256


def _id(data: dict[str, Any]) -> str:
    for key in ("id", "media_id", "playlist_id", "player_id", "webhook_id", "key_id"):
        if isinstance(data.get(key), str) and data[key]:
            return str(data[key])
    for key in ("webhook", "media", "playlist", "player_theme", "api_key"):
        if isinstance(data.get(key), dict):
            return _id(data[key])
    raise AssertionError(f"no id in {data}")


async def _new_media(call: Call, title: str = "oracle") -> str:
    return _id((await call("aioz_media_write", {"action": "create", "title": title}))["data"])


async def flow_media(call: Call, tmp: Path) -> None:
    media = await _new_media(call)
    await call("aioz_media", {"action": "list", "search": "oracle", "tags": ["a"], "limit": 5})
    await call("aioz_media", {"action": "get", "media_id": media})
    await call("aioz_media", {"action": "cost", "qualities": ["720p"], "duration": 60})
    await call(
        "aioz_media_write",
        {"action": "update", "media_id": media, "title": "t2", "tags": ["a", "b"], "metadata": {"k": "v"}},
    )
    (tmp / "t.png").write_bytes(PNG_1PX)
    await call("aioz_media_write", {"action": "set_thumbnail", "media_id": media, "path": str(tmp / "t.png")})
    await call("aioz_media_delete", {"media_id": media, "target": "thumbnail"})
    await call("aioz_media_delete", {"media_id": media})


async def flow_upload(call: Call, tmp: Path) -> None:
    source = tmp / "clip.mp4"  # inside the allowed folders
    await anyio.to_thread.run_sync(shutil.copyfile, DEMO_MP4, source)
    await call("aioz_upload_media", {"source": str(source), "title": "oracle clip", "tags": ["x"]})


async def flow_captions(call: Call, tmp: Path) -> None:
    media = await _new_media(call)
    (tmp / "s.vtt").write_text(VTT)
    for kind in ("captions", "chapters"):
        args = {"media_id": media, "language": "en"} | ({} if kind == "captions" else {"kind": kind})
        await call("aioz_captions_write", {**args, "action": "add", "path": str(tmp / "s.vtt")})
        await call("aioz_captions", {k: v for k, v in args.items() if k != "language"})
        if kind == "captions":
            await call("aioz_captions_write", {**args, "action": "set_default"})
        await call("aioz_captions_delete", args)


async def flow_captions_fallback(call: Call, tmp: Path) -> None:
    """Transcripts answer 404 Route not found (FLOW_SETUP): the tools fall back to the spec's captions routes."""
    await flow_captions(call, tmp)


async def flow_media_qualities(call: Call, tmp: Path) -> None:
    args = {"action": "create", "title": "q", "qualities": ["720p", "360p"], "duration": 60}
    await call("aioz_media_write", {**args, "codec": "h264", "container_type": "fmp4"})
    await call("aioz_media_write", {"action": "create", "title": "q2", "qualities": ["1080p"], "duration": 30})


async def flow_players(call: Call, tmp: Path) -> None:
    media = await _new_media(call)
    player = _id((await call("aioz_players_write", {"action": "create", "name": "oracle"}))["data"])
    await call("aioz_players", {"action": "list", "search": "oracle"})
    await call("aioz_players", {"action": "get", "player_id": player})
    await call("aioz_players_write", {"action": "update", "player_id": player, "name": "o2", "is_default": False})
    (tmp / "l.png").write_bytes(PNG_1PX)
    await call(
        "aioz_players_write",
        {"action": "set_logo", "player_id": player, "logo_path": str(tmp / "l.png"), "logo_link": "https://e.com"},
    )
    await call("aioz_players_write", {"action": "assign", "player_id": player, "media_id": media})
    await call("aioz_players_write", {"action": "unassign", "player_id": player, "media_id": media})
    await call("aioz_players_delete", {"player_id": player, "target": "logo"})
    await call("aioz_players_delete", {"player_id": player})


async def _new_playlist(call: Call) -> str:
    args = {"action": "create", "name": "oracle", "tags": ["a"], "metadata": {"k": "v"}}
    return _id((await call("aioz_playlist_write", args))["data"])


async def flow_playlists(call: Call, tmp: Path) -> None:
    playlist = await _new_playlist(call)
    first, second = await _new_media(call, "one"), await _new_media(call, "two")
    for media in (first, second):
        await call("aioz_playlist_write", {"action": "add_item", "playlist_id": playlist, "media_id": media})
    await call(
        "aioz_playlist_write",
        {"action": "move_item", "playlist_id": playlist, "media_id": second, "position": "top"},
    )
    await call("aioz_playlists", {"action": "list", "search": "oracle", "tags": ["a"]})
    await call("aioz_playlists", {"action": "get", "playlist_id": playlist})
    (tmp / "c.png").write_bytes(PNG_1PX)
    await call(
        "aioz_playlist_write",
        {"action": "update", "playlist_id": playlist, "name": "o2", "thumbnail_path": str(tmp / "c.png")},
    )
    await call("aioz_playlist_delete", {"playlist_id": playlist, "target": "item", "media_id": first})
    await call("aioz_playlist_delete", {"playlist_id": playlist, "target": "thumbnail"})
    await call("aioz_playlist_delete", {"playlist_id": playlist})


async def flow_playlist_update_metadata(call: Call, tmp: Path) -> None:
    playlist = await _new_playlist(call)
    await call("aioz_playlist_write", {"action": "update", "playlist_id": playlist, "metadata": {"k": "v2"}})


async def flow_playlist_id_not_a_uuid(call: Call, tmp: Path) -> None:
    await call("aioz_playlists", {})  # a valid call, so the flow sends something the oracle checks
    await call("aioz_playlist_write", {"action": "update", "playlist_id": "abc123", "name": "x"}, ok=False)
    await call("aioz_playlist_delete", {"playlist_id": "abc123"}, ok=False)


async def flow_webhooks(call: Call, tmp: Path) -> None:
    args = {"action": "create", "name": "oracle", "url": "http://127.0.0.1:9/hook", "events": ["encoding_finished"]}
    hook = _id((await call("aioz_webhook_write", args))["data"])
    await call("aioz_webhooks", {"action": "list", "search": "oracle"})
    await call("aioz_webhooks", {"action": "get", "webhook_id": hook})
    await call("aioz_webhook_write", {"action": "update", "webhook_id": hook, "name": "o2"})
    await call("aioz_webhook_delete", {"webhook_id": hook})


async def flow_api_keys(call: Call, tmp: Path) -> None:
    created = await call("aioz_api_key_write", {"action": "create", "name": "oracle", "ttl": "3600"})
    key = _id(created["data"])
    await call("aioz_api_keys", {"search": "oracle"})
    await call("aioz_api_key_write", {"action": "rename", "name": "o2", "key_id": key})
    await call("aioz_api_key_delete", {"key_id": key})


async def flow_analytics(call: Call, tmp: Path) -> None:
    window = {"date_from": "2024-09-01", "date_to": "2024-09-08"}
    await call("aioz_analytics", {"kind": "data", "metric": "view", "aggregation": "count", **window})
    await call("aioz_analytics", {"kind": "bucket", "metric": "view", "breakdown": "country", **window})
    await call("aioz_analytics", {"kind": "timeseries", "metric": "view", "interval": "day", **window})


async def flow_account(call: Call, tmp: Path) -> None:
    for action in ("me", "usage", "top_ups", "billings"):
        await call("aioz_account", {"action": action})


FLOWS: dict[str, Callable[[Call, Path], Awaitable[None]]] = {
    name.removeprefix("flow_"): fn for name, fn in globals().items() if name.startswith("flow_") and callable(fn)
}


#: flow -> what to set on the sandbox first
FLOW_SETUP: dict[str, Callable[[Any], None]] = {
    "captions_fallback": lambda sandbox: setattr(sandbox.aioz.config, "transcripts_enabled", False),
}


def _param(name: str) -> Any:
    defects = [d for d in KNOWN_DEFECTS if d.flow == name]
    if not defects:
        return name
    reason = "; ".join(d.why for d in defects) + " (fixed? remove it from KNOWN_DEFECTS in tests/oracle/spec.py)"
    return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=reason))


@pytest.mark.anyio
@pytest.mark.parametrize("flow", [_param(n) for n in FLOWS])
async def test_flow_requests_match_the_spec(flow: str, server: Any, fresh_sandbox: Any, tmp_path: Path) -> None:
    FLOWS_RUN.add(flow)
    if flow in FLOW_SETUP:
        FLOW_SETUP[flow](fresh_sandbox)
    with RECORDED.lock:
        start = len(RECORDED.requests)

    async with Client(server) as client:

        async def call(tool: str, args: dict[str, Any], ok: bool = True) -> dict[str, Any]:
            result = await client.call_tool(tool, args)
            if ok or not result.is_error:
                assert not result.is_error, f"{tool} {args}: {text_of(result)}"
                return structured(result)
            assert "Internal error" not in text_of(result), text_of(result)
            return {}

        await FLOWS[flow](call, tmp_path)
    with RECORDED.lock:
        sent = [raw for raw in RECORDED.requests[start:] if sent_by_the_server(raw)]
    assert sent, "the oracle saw no request from the server (has botflix_mcp.http.USER_AGENT changed?)"
    problems = [v.line() for raw in sent for v in check(raw) if not is_allowed(v)]
    assert not problems, f"{len(problems)} request(s) the official spec refuses:\n" + "\n".join(problems)


def _raw(method: str, path: str, body: bytes = b"", content_type: str = "application/json", headers: Any = None) -> Any:
    auth = {"stream-public-key": "pk", "stream-secret-key": "sk"}
    sent = {**auth, **(headers or {}), "content-type": content_type, "content-length": str(len(body))}
    return RawRequest(method, path, "", {k: v for k, v in sent.items() if v}, body, "(unit)", received=len(body))


M = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (_raw("POST", f"/playlists/{M}/items", b'{"video_id": "x"}'), "video_id: field not in the spec"),
        (_raw("POST", "/media", b'{"limit": "25"}'), "limit: '25' is not of type 'integer'"),
        (_raw("POST", "/media/create", b'{"title": "t", "qualities": [{"name": "720p"}]}'), "qualities/0/name: field"),
        (_raw("GET", "/media/x", headers={"stream-secret-key": ""}), "auth: "),
        (_raw("GET", "/medias"), "no spec route"),
        (_raw("PATCH", "/media/x", b"title=t", "application/x-www-form-urlencoded"), "mimetype not found"),
    ],
)
def test_the_oracle_refuses_what_the_spec_refuses(raw: RawRequest, expected: str) -> None:
    found = [v.problem for v in check(raw) if not is_allowed(v)]
    assert any(expected in p for p in found), found


def test_the_oracle_accepts_the_allowed_live_facts() -> None:
    assert not [v for v in check(_raw("GET", f"/media/{M}/transcripts")) if not is_allowed(v)]
    assert not [v for v in check(_raw("DELETE", f"/playlists/{M}/items/{M}", content_type="")) if not is_allowed(v)]
    basic = _raw("GET", "/user/me", headers={"authorization": "Basic cGs6c2s=", "stream-public-key": ""})
    assert not check(basic)
