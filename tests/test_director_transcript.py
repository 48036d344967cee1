"""The director transcript (issue 10 acceptance): the whole flow of both skills through the MCP client against the
sandbox, in both protocol eras, reading every answer the way the model does.

Every result must
- fit in MAX_RESULT characters, text plus structured content (compact JSON, as on the wire);
- say its text once: no copy of the Markdown (or of any long piece of it) inside the structured content;
- carry no doubled wording ("⚠️ ⚠️", "Nothing was sent" twice) and no raw pydantic text.

The flow: the BotFlix skill's documents (list, then every page of every document), the AIOZ account, a chunked
upload and its encoding, media list/get/cost/update/thumbnail, captions, a player theme (logo, assign,
unassign, delete), a playlist with an item, a webhook with its check, the three analytics kinds, API keys, a
failing encode and its retry, deletes; then the director flow (register, profile, the three validations, probe,
upload, discover, get, like another's and refused own, download own and refused other's).
"""

from __future__ import annotations

import json
import shutil
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from tests.helpers import structured, text_of

MAX_RESULT = 20_000
ASSETS = Path(__file__).parents[1] / "botflix_mcp" / "demo_assets"
VTT = b"WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n"
RAW = ("validation error for", "errors.pydantic.dev", "input_value")
COPY_MIN = 200  # a structured string this long that also appears in the text is a copy

#: Results from other areas known to be over MAX_RESULT, with the issue that owns them. Each must still be over
#: (strict), so the entry is removed when it is fixed. Empty means every answer fits.
KNOWN_OVER: dict[str, str] = {}


def png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\0\0\0\0" + b"\0" * 32


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    """A loopback endpoint answering 200 (the sandbox's webhook check really POSTs to it)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/hook"
    finally:
        httpd.shutdown()
        httpd.server_close()


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


@dataclass
class Entry:
    label: str
    text: str
    structured: Any
    is_error: bool

    @property
    def size(self) -> int:
        packed = (
            "" if self.structured is None else json.dumps(self.structured, ensure_ascii=False, separators=(",", ":"))
        )
        return len(self.text) + len(packed)

    def problems(self) -> list[str]:
        found: list[str] = []
        if self.size > MAX_RESULT and self.label.split(" ")[0] not in KNOWN_OVER:
            found.append(f"{self.size:,} characters (text {len(self.text):,})")
        if self.structured is not None:
            if "summary" in self.structured:
                found.append("structured content has a `summary`")
            copies = [s for s in strings_in(self.structured) if len(s) >= COPY_MIN and s in self.text]
            if copies:
                found.append(f"structured content repeats {len(copies)} piece(s) of the text: {copies[0][:80]!r}")
        if "⚠️ ⚠️" in self.text or "⚠️⚠️" in self.text:
            found.append("doubled ⚠️")
        if self.text.lower().count("nothing was sent") > 1:
            found.append("'Nothing was sent' said twice")
        found += [f"raw pydantic text {raw!r}" for raw in RAW if raw in self.text]
        return [f"{self.label}: {p}" for p in found]


@dataclass
class Transcript:
    client: Client
    entries: list[Entry] = field(default_factory=list)

    async def call(self, tool: str, args: dict[str, Any], *, error: bool | None = False, label: str = "") -> Any:
        """`error`: whether the call must fail (None: either; the answer is checked all the same)."""
        result = await self.client.call_tool(tool, args)
        assert error is None or result.is_error == error, f"{tool} {args}: {text_of(result)[:500]}"
        self.entries.append(Entry(f"{tool} {label}".strip(), text_of(result), result.structured_content, error))
        return result

    async def ok(self, tool: str, args: dict[str, Any], label: str = "") -> dict[str, Any]:
        return structured(await self.call(tool, args, label=label))


async def aioz_skill(t: Transcript, tmp_path: Path, receiver: str) -> None:
    listed = await t.ok("botflix_skill", {"action": "list"})
    names = [d["name"] for d in listed["data"]]
    assert "director" in names and "aioz-stream" in names, names
    for name in names:  # every page of every document the skill tool serves
        offset: int | None = 0
        pages = 0
        while offset is not None and pages < 20:
            page = await t.ok("botflix_skill", {"action": "read", "name": name, "offset": offset}, label=name)
            offset = (page.get("page") or {}).get("next_offset")
            pages += 1

    await t.ok("aioz_account", {"action": "me"})
    await t.ok("aioz_account", {"action": "usage"})
    clip = tmp_path / "pilot.mp4"
    shutil.copyfile(ASSETS / "episode.mp4", clip)
    up = await t.ok("aioz_upload_media", {"source": str(clip), "title": "Pilot", "tags": ["botflix", "demo"]})
    media_id = up["data"]["media_id"]
    await t.ok("aioz_media_status", {"media_id": media_id, "wait_seconds": 30})
    await t.ok("aioz_media", {"action": "list"})
    await t.ok("aioz_media", {"action": "get", "media_id": media_id})
    await t.ok("aioz_media", {"action": "cost", "qualities": ["720p", "1080p"], "duration": 64})
    await t.ok("aioz_media_write", {"action": "update", "media_id": media_id, "title": "Pilot (cut 2)"})
    thumb = tmp_path / "thumb.png"
    thumb.write_bytes(png(320, 180))
    await t.ok("aioz_media_write", {"action": "set_thumbnail", "media_id": media_id, "path": str(thumb)})

    vtt = tmp_path / "subs.vtt"
    vtt.write_bytes(VTT)
    await t.ok("aioz_captions_write", {"media_id": media_id, "language": "en", "path": str(vtt)})
    await t.ok("aioz_captions", {"media_id": media_id})
    await t.ok("aioz_captions_write", {"media_id": media_id, "language": "en", "action": "set_default"})
    await t.ok("aioz_captions_delete", {"media_id": media_id, "language": "en"})

    theme = await t.ok("aioz_players_write", {"action": "create", "name": "Night", "theme": {"main_color": "#112233"}})
    player_id = theme["data"]["id"]
    await t.ok("aioz_players_write", {"action": "update", "player_id": player_id, "controls": {"hide_title": True}})
    logo = tmp_path / "logo.png"
    logo.write_bytes(png(200, 100))
    await t.ok("aioz_players_write", {"action": "set_logo", "player_id": player_id, "logo_path": str(logo)})
    await t.ok("aioz_players_write", {"action": "assign", "player_id": player_id, "media_id": media_id})
    await t.ok("aioz_players", {"action": "list"})
    await t.ok("aioz_players", {"action": "get", "player_id": player_id})
    await t.ok("aioz_players_write", {"action": "unassign", "player_id": player_id, "media_id": media_id})
    await t.ok("aioz_players_delete", {"player_id": player_id, "target": "logo"})
    await t.ok("aioz_players_delete", {"player_id": player_id})

    playlist = await t.ok("aioz_playlist_write", {"action": "create", "name": "Season 1", "tags": ["s1"]})
    playlist_id = playlist["data"]["id"]
    await t.ok("aioz_playlist_write", {"action": "add_item", "playlist_id": playlist_id, "media_id": media_id})
    await t.ok("aioz_playlists", {"action": "list"})
    await t.ok("aioz_playlists", {"action": "get", "playlist_id": playlist_id})
    await t.ok("aioz_playlist_delete", {"playlist_id": playlist_id, "target": "item", "media_id": media_id})
    await t.ok("aioz_playlist_delete", {"playlist_id": playlist_id})

    hook = await t.ok("aioz_webhook_write", {"action": "create", "name": "ci", "url": receiver})
    hook_id = hook["data"]["webhook"]["id"]
    await t.ok("aioz_webhooks", {"action": "list"})
    await t.ok("aioz_webhooks", {"action": "get", "webhook_id": hook_id})
    await t.ok("aioz_webhook_write", {"action": "check", "webhook_id": hook_id})
    await t.ok("aioz_webhook_delete", {"webhook_id": hook_id})

    await t.ok("aioz_analytics", {"kind": "data", "metric": "play", "aggregation": "count"})
    await t.ok("aioz_analytics", {"kind": "bucket", "metric": "view", "breakdown": "country"})
    await t.ok("aioz_analytics", {"kind": "timeseries", "metric": "view", "interval": "day"})

    key = await t.ok("aioz_api_key_write", {"action": "create", "name": "ci", "ttl": "30 days"})
    key_id = key["data"]["id"]
    await t.ok("aioz_api_keys", {})
    await t.ok("aioz_api_key_write", {"action": "rename", "key_id": key_id, "name": "ci-renamed"})
    await t.ok("aioz_api_key_delete", {"key_id": key_id})

    failing = tmp_path / "failing.mp4"
    shutil.copyfile(ASSETS / "episode.mp4", failing)
    failed = await t.ok("aioz_upload_media", {"source": str(failing), "title": "fail-encode demo"})
    await t.ok("aioz_media_status", {"media_id": failed["data"]["media_id"], "wait_seconds": 30}, label="failed")
    await t.call("aioz_retry_failed_upload", {"media_id": failed["data"]["media_id"]}, error=None)
    draft = await t.ok("aioz_media_write", {"action": "create", "title": "Trailer", "description": "Teaser."})
    job = await t.ok("aioz_upload_media", {"source": str(clip), "title": "As a job", "wait_seconds": 0})
    job_id = job["data"]["job_id"]
    await t.ok("aioz_upload_job", {"action": "status", "job_id": job_id, "wait_seconds": 30})
    await t.ok("aioz_upload_job", {"action": "list"})
    await t.call("aioz_media_status", {"action": "webhook"}, error=None)
    await t.ok("aioz_media_delete", {"media_id": draft["data"]["id"]})
    await t.ok("aioz_media_delete", {"media_id": media_id, "target": "thumbnail"})
    await t.ok("aioz_media_delete", {"media_id": media_id})


async def botflix_skill(t: Transcript, sandbox: Any, tmp_path: Path) -> None:
    other = sandbox.botflix_state.seed_other_director()
    load = lambda name: json.loads((ASSETS / name).read_text())  # noqa: E731
    brief, manifest, metadata = load("episode-brief.json"), load("shot-manifest.json"), load("episode-metadata.json")
    episode = tmp_path / "episode.mp4"
    shutil.copyfile(ASSETS / "episode.mp4", episode)
    reg = await t.ok(
        "botflix_register_director",
        {"name": "Nebula Nine", "description": "Serialized sci-fi.", "owner_email": "me@example.com"},
    )
    await t.ok("botflix_profile", {"action": "update", "video_model": "free_stills", "target_seconds": 64})
    await t.ok("botflix_profile", {"action": "get"})
    await t.ok("botflix_validate", {"kind": "brief", "document": brief})
    await t.ok("botflix_validate", {"kind": "shot_manifest", "document": manifest, "brief": brief})
    await t.ok("botflix_validate", {"kind": "metadata", "document": metadata})
    await t.ok("botflix_probe_episode", {"path": str(episode)})
    up = await t.ok(
        "botflix_upload_episode",
        {"path": str(episode), "metadata": metadata, "brief": brief, "shot_manifest": manifest},
    )
    mine = up["data"]["episode_id"]
    await t.ok("botflix_discover_episodes", {"limit": 5})
    await t.ok("botflix_get_episode", {"episode_id": other["episode_id"]})
    await t.ok(
        "botflix_like_episode",
        {"episode_id": other["episode_id"], "reason": "The cold open lands its twist in eight seconds."},
    )
    own = await t.call(
        "botflix_like_episode", {"episode_id": mine, "reason": "Trying to like my own episode right here."}, error=True
    )
    assert "your own episode" in text_of(own)
    await t.ok("botflix_download_episode", {"episode_id": mine, "path": str(tmp_path / "export.mp4")})
    refused = await t.call(
        "botflix_download_episode", {"episode_id": other["episode_id"], "path": str(tmp_path / "x.mp4")}, error=True
    )
    # the request was sent and refused (HTTP 403): the answer must not claim "Nothing was sent"
    assert "403" in text_of(refused) and "Nothing was sent" not in text_of(refused)
    assert reg["data"]["director_id"]


@pytest.mark.anyio
async def test_director_transcript(server: Any, fresh_sandbox: Any, tmp_path: Path, mode: str, receiver: str) -> None:
    async with Client(server, mode=mode) as client:
        t = Transcript(client)
        await aioz_skill(t, tmp_path, receiver)
        await botflix_skill(t, fresh_sandbox, tmp_path)
    assert len(t.entries) >= 60, len(t.entries)
    problems = [p for e in t.entries for p in e.problems()]
    largest = sorted(t.entries, key=lambda e: e.size, reverse=True)[:5]
    report = f"{len(t.entries)} calls; largest: " + ", ".join(f"{e.label} {e.size:,}" for e in largest)
    print(report)  # shown with -s: the figures of issue 10's acceptance
    assert not problems, "\n".join(problems) + "\n" + report
    for tool, reason in KNOWN_OVER.items():
        assert any(e.label.startswith(tool) and e.size > MAX_RESULT for e in t.entries), f"{tool} fits now: {reason}"


# --------------------------------------------------------------------------- say it once, one behaviour each


@pytest.mark.anyio
async def test_structured_content_carries_data_not_the_text(server: Any, fresh_sandbox: Any, mode: str) -> None:
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("aioz_account", {"action": "me"})
    assert not result.is_error, text_of(result)
    data = structured(result)
    assert "summary" not in data and set(data) <= {"data", "warnings", "page"}
    assert data["data"] and len(text_of(result)) > 40
    assert text_of(result) not in json.dumps(data, ensure_ascii=False)


@pytest.mark.anyio
async def test_the_one_time_secret_warning_is_marked_once(server: Any, fresh_sandbox: Any, mode: str) -> None:
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("aioz_api_key_write", {"action": "create", "name": "once", "ttl": "3600"})
    text = text_of(result)
    assert not result.is_error, text
    assert "⚠️ This `secret` is shown only once" in text and "⚠️ ⚠️" not in text
