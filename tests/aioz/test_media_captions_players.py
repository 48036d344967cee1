"""Media, captions and players toolsets through the MCP client against the sandbox; one test per skill rule."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from botflix_mcp.templates import (
    DEFAULT_TRANSCRIPT_REMINDER,
    H265_MPEGTS_WARNING,
    INSUFFICIENT_BALANCE_MESSAGE,
    PLAYER_CDN_WARNING,
    PLAYER_DEFAULT_WARNING,
)
from tests.helpers import structured, text_of

VTT = b"WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n"


def png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))


async def call(client: Client, name: str, args: dict[str, Any]) -> Any:
    result = await client.call_tool(name, args)
    assert not result.is_error, text_of(result)
    return result


async def new_media(client: Client, title: str = "clip") -> str:
    result = await call(client, "aioz_media_write", {"action": "create", "title": title})
    return str(structured(result)["data"]["id"])


def sent(sandbox: Any, fragment: str) -> list[str]:
    return [p for p in sandbox.aioz_paths() if fragment in p]


@pytest.mark.anyio
async def test_create_with_qualities_checks_cost_first_and_blocks(server: Any, fresh_sandbox: Any, mode: str) -> None:
    fresh_sandbox.set_balance("0")
    args = {"action": "create", "title": "hd", "qualities": ["1080p"], "duration": 60}
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("aioz_media_write", args)
    assert result.is_error and INSUFFICIENT_BALANCE_MESSAGE in text_of(result)
    assert sent(fresh_sandbox, "GET /media/cost") and not sent(fresh_sandbox, "POST /media/create")


@pytest.mark.anyio
async def test_create_with_enough_balance_and_h265_warning(server: Any, fresh_sandbox: Any, mode: str) -> None:
    """Issue 9 e: the h265 + mpegts warning comes before anything is created; the caller confirms or switches."""
    args = {"action": "create", "title": "hevc", "qualities": ["2160p"], "codec": "h265", "container_type": "mpegts",
            "duration": 30}  # fmt: skip
    async with Client(server, mode=mode) as client:
        warned = await client.call_tool("aioz_media_write", args)
        assert warned.is_error and H265_MPEGTS_WARNING in text_of(warned)
        assert "allow_h265_mpegts" in text_of(warned) and "fmp4" in text_of(warned)
        assert fresh_sandbox.requests() == []  # nothing created, not even the cost asked
        fmp4 = await call(client, "aioz_media_write", {**args, "container_type": "fmp4", "title": "hevc fmp4"})
        assert H265_MPEGTS_WARNING not in text_of(fmp4) and not structured(fmp4).get("warnings")
        fresh_sandbox.reset()
        result = await call(client, "aioz_media_write", {**args, "allow_h265_mpegts": True})
    assert H265_MPEGTS_WARNING in structured(result)["warnings"]
    assert sent(fresh_sandbox, "GET /media/cost") and sent(fresh_sandbox, "POST /media/create")
    order = fresh_sandbox.aioz_paths()
    assert order.index("GET /media/cost") < order.index("POST /media/create")


@pytest.mark.anyio
async def test_h264_above_2160p_refused_before_any_call(server: Any, fresh_sandbox: Any) -> None:
    async with Client(server) as client:
        result = await client.call_tool(
            "aioz_media_write", {"action": "create", "title": "8k", "qualities": ["4320p"], "duration": 10}
        )
    assert result.is_error and "h264 goes up to 2160p" in text_of(result)
    assert fresh_sandbox.requests() == []


@pytest.mark.anyio
async def test_list_pages_and_sends_status_as_array(server: Any, fresh_sandbox: Any, mode: str) -> None:
    async with Client(server, mode=mode) as client:
        for i in range(3):
            await new_media(client, f"m{i}")
        result = await call(client, "aioz_media", {"action": "list", "status": ["new"], "limit": 2})
    data = structured(result)
    assert data["page"] == {"total": 3, "offset": 0, "limit": 2, "next_offset": 2}
    assert "next page: offset=2" in text_of(result)


@pytest.mark.anyio
async def test_update_uses_player_id_and_delete(server: Any, fresh_sandbox: Any) -> None:
    async with Client(server) as client:
        mid = await new_media(client)
        player = structured(await call(client, "aioz_players_write", {"action": "create", "name": "p"}))["data"]
        await call(client, "aioz_media_write", {"action": "update", "media_id": mid, "player_id": player["id"]})
        got = structured(await call(client, "aioz_media", {"action": "get", "media_id": mid}))["data"]
        assert got["player_theme_id"] == player["id"]
        await call(client, "aioz_media_delete", {"media_id": mid})
        missing = await client.call_tool("aioz_media", {"action": "get", "media_id": mid})
    assert missing.is_error and "HTTP 404" in text_of(missing) and "Next step" in text_of(missing)


@pytest.mark.anyio
async def test_player_colours_and_sizes_converted_and_reported(server: Any, fresh_sandbox: Any, mode: str) -> None:
    theme = {"main_color": "#ff0000", "text_color": "white", "control_bar_height": 40}
    async with Client(server, mode=mode) as client:
        result = await call(client, "aioz_players_write", {"action": "create", "name": "brand", "theme": theme})
    warnings = structured(result)["warnings"]
    assert any("'#ff0000' → 'rgba(255, 0, 0, 1)'" in w for w in warnings)
    assert any("'40' → '40px'" in w for w in warnings)
    stored = structured(result)["data"]["theme"]
    assert stored == {"main_color": "rgba(255, 0, 0, 1)", "text_color": "rgba(255, 255, 255, 1)",
                      "control_bar_height": "40px"}  # fmt: skip


@pytest.mark.anyio
async def test_unparseable_colour_refused_before_any_call(server: Any, fresh_sandbox: Any) -> None:
    async with Client(server) as client:
        result = await client.call_tool("aioz_players_write", {"action": "create", "theme": {"main_color": "blurple"}})
    assert result.is_error and "not a colour" in text_of(result)
    assert fresh_sandbox.requests() == []


@pytest.mark.anyio
async def test_default_player_warns_about_others_and_cdn(server: Any, fresh_sandbox: Any) -> None:
    async with Client(server) as client:
        result = await call(client, "aioz_players_write", {"action": "create", "name": "d", "is_default": True})
    warnings = structured(result)["warnings"]
    assert PLAYER_DEFAULT_WARNING in warnings and PLAYER_CDN_WARNING in warnings


@pytest.mark.anyio
async def test_logo_checked_from_real_header(server: Any, fresh_sandbox: Any, tmp_path: Path) -> None:
    fake = tmp_path / "logo.png"
    fake.write_bytes(b"GIF89a" + b"\0" * 100)  # a GIF named .png
    big = tmp_path / "big.jpg"
    big.write_bytes(png(400, 100))  # a PNG named .jpg, too wide
    good = tmp_path / "ok.jpg"
    good.write_bytes(png(200, 100))  # a PNG named .jpg, fine: the name does not matter
    async with Client(server) as client:
        pid = structured(await call(client, "aioz_players_write", {"action": "create", "name": "l"}))["data"]["id"]
        before = len(fresh_sandbox.requests())
        for path, reason in ((fake, "not a JPEG or PNG"), (big, "400x100 px")):
            result = await client.call_tool("aioz_players_write", {"action": "set_logo", "player_id": pid,
                                                                   "logo_path": str(path)})  # fmt: skip
            assert result.is_error and reason in text_of(result)
        assert len(fresh_sandbox.requests()) == before  # nothing uploaded
        await call(client, "aioz_players_write", {"action": "set_logo", "player_id": pid, "logo_path": str(good),
                                                  "logo_link": "https://example.com"})  # fmt: skip


@pytest.mark.anyio
async def test_assigned_theme_delete_is_explained_then_unassigned(server: Any, fresh_sandbox: Any) -> None:
    async with Client(server) as client:
        mid = await new_media(client)
        pid = structured(await call(client, "aioz_players_write", {"action": "create", "name": "a"}))["data"]["id"]
        await call(client, "aioz_players_write", {"action": "assign", "player_id": pid, "media_id": mid})
        refused = await call(client, "aioz_players_delete", {"player_id": pid})
        assert structured(refused)["data"]["deleted"] is False and "unassign" in text_of(refused)
        assert not sent(fresh_sandbox, f"DELETE /players/{pid}")
        done = await call(client, "aioz_players_delete", {"player_id": pid, "unassign_first": True})
    assert "unassigned from 1 media first" in text_of(done)
    assert sent(fresh_sandbox, "POST /players/remove-player") and sent(fresh_sandbox, f"DELETE /players/{pid}")


@pytest.mark.anyio
async def test_duplicate_transcript_detected_and_nothing_deleted(
    server: Any, fresh_sandbox: Any, tmp_path: Path
) -> None:
    vtt = tmp_path / "subs.vtt"
    vtt.write_bytes(VTT)
    async with Client(server) as client:
        mid = await new_media(client)
        await call(client, "aioz_captions_write", {"media_id": mid, "language": "en", "path": str(vtt)})
        second = await call(client, "aioz_captions_write", {"media_id": mid, "language": "en-US", "path": str(vtt)})
        assert "already has a transcript" in text_of(second) and structured(second)["data"]["uploaded"] is False
        assert not sent(fresh_sandbox, "DELETE")
        replaced = await call(client, "aioz_captions_write", {"media_id": mid, "language": "en-US", "path": str(vtt),
                                                              "replace_existing": True})  # fmt: skip
    text = text_of(replaced)
    assert "Deleted the existing `en` transcript" in text and DEFAULT_TRANSCRIPT_REMINDER in text


@pytest.mark.anyio
async def test_deleting_default_transcript_reminds(server: Any, fresh_sandbox: Any, tmp_path: Path) -> None:
    vtt = tmp_path / "subs.vtt"
    vtt.write_bytes(VTT)
    async with Client(server) as client:
        mid = await new_media(client)
        await call(client, "aioz_captions_write", {"media_id": mid, "language": "fr", "path": str(vtt)})
        result = await call(client, "aioz_captions_delete", {"media_id": mid, "language": "fr"})
    assert DEFAULT_TRANSCRIPT_REMINDER in structured(result)["warnings"]


@pytest.mark.anyio
async def test_transcripts_fall_back_to_captions(server: Any, fresh_sandbox: Any, tmp_path: Path, mode: str) -> None:
    fresh_sandbox.aioz.config.transcripts_enabled = False
    vtt = tmp_path / "subs.vtt"
    vtt.write_bytes(VTT)
    async with Client(server, mode=mode) as client:
        mid = await new_media(client)
        result = await call(client, "aioz_captions_write", {"media_id": mid, "language": "vi", "path": str(vtt)})
    assert any("/captions" in w for w in structured(result)["warnings"])
    assert sent(fresh_sandbox, f"POST /media/{mid}/captions/vi")


@pytest.mark.anyio
async def test_bad_language_and_non_vtt_refused_locally(server: Any, fresh_sandbox: Any, tmp_path: Path) -> None:
    srt = tmp_path / "subs.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:01,000\nhi\n")
    async with Client(server) as client:
        bad_lang = await client.call_tool("aioz_captions_write", {"media_id": "m1", "language": "en_US",
                                                                  "path": str(srt)})  # fmt: skip
        bad_file = await client.call_tool("aioz_captions_write", {"media_id": "m1", "language": "en", "path": str(srt)})
    assert bad_lang.is_error and "en-US" in text_of(bad_lang)
    assert bad_file.is_error and "WebVTT" in text_of(bad_file)
    assert fresh_sandbox.requests() == []
