"""Encoding status -> the skill's templates (issue 4 §7), waiting, and the "retry failed upload" tool."""

from __future__ import annotations

import os
import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from botflix_mcp.aioz.api.media import Media
from botflix_mcp.aioz.tools.upload import render_status, status_template
from botflix_mcp.aioz.webhooks_receiver import parse_delivery
from botflix_mcp.templates import (
    INSUFFICIENT_BALANCE_MESSAGE,
    render_encoding_failed,
    render_encoding_finished,
    render_encoding_started,
    render_file_received,
    render_partial_finished,
)
from tests.helpers import structured, text_of

WHEN = "2026-03-20T10:11:12Z"
MOMENT = datetime(2026, 3, 20, 10, 11, 12, tzinfo=UTC)


def media(status: str, *qualities: str, **extra: Any) -> Media:
    return Media.model_validate(
        {
            "id": "m-1",
            "title": "Clip",
            "status": status,
            "updated_at": WHEN,
            "qualities": [{"name": f"{n}p", "status": s} for n, s in zip((360, 720, 1080), qualities, strict=False)],
            **extra,
        }
    )


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (media("fail", "done", "fail"), "encoding_failed"),
        (media("done", "done", "done"), "encoding_finished"),
        (media("transcoding", "done", "transcoding"), "partial_finished"),
        (media("transcoding", "transcoding", "transcoding"), "encoding_started"),
        (media("transcoding", "waiting", "waiting"), "file_received"),
        (media("transcoding"), "encoding_started"),  # no quality detail, no event
        (media("new", "waiting"), None),  # nothing completed yet: no template claims otherwise
        (media("deleted"), None),
    ],
)
def test_public_status_maps_to_a_template(item: Media, expected: str | None) -> None:
    assert status_template(item) == expected


def test_a_webhook_event_refines_a_status_without_quality_detail() -> None:
    event = parse_delivery({"type": "file.received", "media_id": "m-1", "emitted_at": WHEN})
    assert status_template(media("transcoding"), event) == "file_received"
    done = parse_delivery({"type": "encoding.finished", "media_id": "m-1", "emitted_at": WHEN})
    assert status_template(media("transcoding"), done) == "encoding_started"  # the API's word wins over an event


@pytest.mark.parametrize(
    ("item", "render"),
    [
        (media("fail", "done", "fail"), render_encoding_failed),
        (media("done", "done"), render_encoding_finished),
        (media("transcoding", "done", "waiting"), render_partial_finished),
        (media("transcoding", "transcoding"), render_encoding_started),
        (media("transcoding", "waiting"), render_file_received),
    ],
)
def test_status_text_is_the_template_exactly(item: Media, render: Any) -> None:
    text, _ = render_status(item, [])
    template = text.split("\n\n**Next:**")[0]  # the failure adds the way out after the template
    assert template == render("m-1", "Clip", MOMENT)


def _event(kind: str, when: str) -> Any:
    return parse_delivery({"type": kind, "media_id": "m-1", "emitted_at": when, "title": "Clip"})


def test_each_template_shows_its_own_events_time() -> None:
    """Issue 10 §6: encoding_started and partial_finished both showed the upload time."""
    received, started, partial = "2026-03-20T10:00:00Z", "2026-03-20T10:00:05Z", "2026-03-20T10:00:09Z"
    events = [_event("file.received", received), _event("encoding.started", started)]
    events.append(_event("partial.finished", partial))
    text, template = render_status(media("transcoding", "transcoding", "transcoding"), events)
    assert template == "encoding_started"
    assert text.startswith(render_encoding_started("m-1", "Clip", datetime(2026, 3, 20, 10, 0, 5, tzinfo=UTC)))
    text, template = render_status(media("transcoding", "done", "transcoding"), events)
    assert text.startswith(render_partial_finished("m-1", "Clip", datetime(2026, 3, 20, 10, 0, 9, tzinfo=UTC)))


def test_a_new_media_whose_file_arrived_gets_file_received() -> None:
    """Issue 10 §6: status `new` is the skill's File Received once the file is in; before that, nothing claims it."""
    text, template = render_status(media("new", "waiting"), [_event("file.received", "2026-03-20T10:00:00Z")])
    assert template == "file_received"
    assert text.startswith(render_file_received("m-1", "Clip", datetime(2026, 3, 20, 10, 0, tzinfo=UTC)))
    text, template = render_status(media("new", "waiting"), [], received=True)  # this server completed it
    assert text == render_file_received("m-1", "Clip", MOMENT)
    text, template = render_status(media("new"), [])
    assert template is None and "Not received yet" in text


# --------------------------------------------------------------------------- through MCP, against the sandbox


def _clip(tmp_path: Path, name: str = "clip.mp4", size: int = 6 * 1024 * 1024 + 11) -> Path:
    """A real 2-second H.264 MP4 (PyAV), padded to `size` bytes: its duration is readable for the cost check."""
    import av

    path = tmp_path / name
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i in range(20):
            frame = av.VideoFrame(64, 64, "yuv420p")
            for plane in frame.planes:
                plane.update(bytes([i * 10]) * plane.buffer_size)
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    pad = max(0, size - path.stat().st_size - 8)
    with path.open("ab") as handle:  # padding inside a `free` box: still a valid MP4 for the probe
        handle.write(struct.pack(">I", pad + 8) + b"free" + os.urandom(pad))
    return path


@pytest.mark.anyio
async def test_wait_until_encoding_finished_renders_urls_and_next_steps(server: Any, tmp_path: Path, mode: str) -> None:
    async with Client(server, mode=mode) as client:
        up = await client.call_tool("aioz_upload_media", {"source": str(_clip(tmp_path)), "title": "Clip"})
        media_id = structured(up)["data"]["media_id"]
        now = await client.call_tool("aioz_media_status", {"media_id": media_id})
        assert structured(now)["data"]["template"] in {
            "file_received",
            "encoding_started",
            "partial_finished",
            "encoding_finished",  # the sandbox transcodes in a few tens of milliseconds
        }
        ticks: list[float] = []

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            ticks.append(progress)

        done = await client.call_tool(
            "aioz_media_status", {"media_id": media_id, "wait_seconds": 30}, progress_callback=on_progress
        )
    assert not done.is_error, text_of(done)
    data = structured(done)["data"]
    assert data["status"] == "done" and data["template"] == "encoding_finished"
    text = text_of(done)
    assert text.startswith("## ✅ Encoding Finished — Media is Live!")
    for url in (
        f"https://api.aiozstream.network/api/media/{media_id}/manifest.m3u8",
        f"https://embed.aiozstream.network/vod/dash/{media_id}",
        f"https://api.aiozstream.network/api/media/{media_id}/mp4",
        '- [ ] Review Analytics → ask Clawbot: "show me analytics for my video"',
    ):
        assert url in text


@pytest.mark.anyio
async def test_failed_encoding_then_retry_tool_runs_every_step(
    server: Any, fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    source = _clip(tmp_path, size=11 * 1024 * 1024)
    async with Client(server, mode=mode) as client:
        up = await client.call_tool("aioz_upload_media", {"source": str(source), "title": "fail-encode demo"})
        failed_id = structured(up)["data"]["media_id"]
        status = await client.call_tool("aioz_media_status", {"media_id": failed_id, "wait_seconds": 30})
        assert structured(status)["data"]["template"] == "encoding_failed"
        assert text_of(status).startswith("## ❌ Encoding Failed")
        assert f"1. Delete the failed media object → `DELETE /media/{failed_id}`" in text_of(status)
        # issue 10 §6: the way out is named, and the failed media's stream URLs are not offered
        assert f"`aioz_retry_failed_upload` with media_id `{failed_id}`" in text_of(status)
        assert "assets" not in structured(status)["data"] and "manifest" not in text_of(status)
        got = await client.call_tool("aioz_media", {"action": "get", "media_id": failed_id})
        assert "aioz_retry_failed_upload" in text_of(got) and "HLS" not in text_of(got)
        assert "assets" not in structured(got)["data"]
        retried = await client.call_tool(
            "aioz_retry_failed_upload", {"media_id": failed_id, "qualities": ["360p", "720p"]}
        )
        assert not retried.is_error, text_of(retried)
        again = await client.call_tool("aioz_retry_failed_upload", {"media_id": failed_id})
        assert again.is_error  # gone (deleted): nothing else is touched
    data = structured(retried)["data"]
    assert data["ok"] and data["media_id"] != failed_id
    text = text_of(retried)
    steps = ("cost checked", "Deleted", "Re-created", "Re-uploaded", "Signalled completion")
    assert [text.index(step) for step in steps] == sorted(text.index(step) for step in steps)
    assert "██████████ 100% (3 of 3 chunks)" in text and "## 🎉 Upload Complete!" in text
    paths = [(e["method"], e["path"].split("/api", 1)[-1]) for e in fresh_sandbox.requests()]
    tail = paths[[p for _, p in paths].index("/media/cost") :]
    methods = [(m, p.replace(failed_id, "OLD").replace(data["media_id"], "NEW")) for m, p in tail]
    assert methods.index(("DELETE", "/media/OLD")) < methods.index(("POST", "/media/create"))
    assert methods.index(("POST", "/media/create")) < methods.index(("POST", "/media/NEW/part"))
    assert methods[-1] == ("GET", "/media/NEW/complete") or ("GET", "/media/NEW/complete") in methods


@pytest.mark.anyio
async def test_retry_refuses_media_that_did_not_fail(server: Any, tmp_path: Path) -> None:
    async with Client(server) as client:
        up = await client.call_tool("aioz_upload_media", {"source": str(_clip(tmp_path))})
        media_id = structured(up)["data"]["media_id"]
        refused = await client.call_tool("aioz_retry_failed_upload", {"media_id": media_id})
        assert refused.is_error and "not `fail`" in text_of(refused)
        still = await client.call_tool("aioz_media_status", {"media_id": media_id})
        assert not still.is_error  # nothing was deleted


@pytest.mark.anyio
async def test_cost_check_blocks_create_when_balance_is_insufficient(
    server: Any, fresh_sandbox: Any, tmp_path: Path
) -> None:
    fresh_sandbox.set_balance("0")
    async with Client(server) as client:
        blocked = await client.call_tool(
            "aioz_upload_media", {"source": str(_clip(tmp_path)), "qualities": ["1080p"], "title": "x"}
        )
    assert blocked.is_error
    assert INSUFFICIENT_BALANCE_MESSAGE in text_of(blocked)
    assert not [e for e in fresh_sandbox.requests() if e["path"].endswith("/media/create")]


@pytest.mark.anyio
async def test_non_media_is_refused_before_anything_is_created(
    server: Any, fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    """Issue 9 f: a 6-byte text file named .mp4 went through upload, /complete and "Encoding Finished"."""
    words = tmp_path / "notes.mp4"
    words.write_bytes(b"hello\n")
    noise = tmp_path / "noise.mp4"
    noise.write_bytes(os.urandom(100_000))
    async with Client(server, mode=mode) as client:
        for source, extra in ((words, {}), (noise, {"qualities": ["720p"]}), (noise, {"media_type": "audio"})):
            refused = await client.call_tool("aioz_upload_media", {"source": str(source), **extra})
            text = text_of(refused)
            assert refused.is_error and "is not audio or video" in text and source.name in text, text
            assert "Internal error" not in text and "Nothing was sent" in text
    assert fresh_sandbox.requests() == []  # no create, no cost check, no part, no /complete


@pytest.mark.anyio
async def test_custom_qualities_cost_uses_the_given_or_probed_duration(
    server: Any, fresh_sandbox: Any, tmp_path: Path
) -> None:
    async with Client(server) as client:
        given = await client.call_tool(
            "aioz_upload_media", {"source": str(_clip(tmp_path)), "qualities": ["720p"], "duration": 42}
        )
        assert not given.is_error, text_of(given)
        probed = await client.call_tool(
            "aioz_upload_media", {"source": str(_clip(tmp_path, "b.mp4")), "qualities": ["720p"]}
        )
        assert not probed.is_error, text_of(probed)
    costs = [e for e in fresh_sandbox.requests() if e["path"] == "/media/cost"]
    assert len(costs) == 2
