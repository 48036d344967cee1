"""The AIOZ webhook receiver (issue 4 §8): route, token, fast 200, dotted types -> templates, bounded store,
the `aioz://events/{media_id}` resource, and the registration action against the sandbox.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from botflix_mcp.aioz.webhooks_receiver import (
    MAX_BODY,
    ROUTE_PREFIX,
    EventStore,
    parse_delivery,
    receiver_token,
    receiver_url,
)
from botflix_mcp.http_app import build_http_app
from botflix_mcp.server import app_of, build_server
from botflix_mcp.settings import Settings
from botflix_mcp.templates import WEBHOOK_TYPE_TO_TEMPLATE
from tests.helpers import make_app, sandbox_settings, structured, text_of

MEDIA = "6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a"


def delivery(kind: str, media_id: str = MEDIA, **extra: Any) -> dict[str, Any]:
    body = {
        "type": kind,
        "emitted_at": "2026-03-20T10:11:12.123456789Z",
        "media_id": media_id,
        "qualities": "360p,720p",
        "title": "My video",
        "status": "done",
        "media_type": "video",
        "user_id": "0c7d1e2f-0000-0000-0000-000000000000",
    }
    body.update(extra)
    return body


@pytest.fixture
def local_settings(tmp_path: Path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", transport="http")


@pytest.mark.parametrize(("dotted", "template"), sorted(WEBHOOK_TYPE_TO_TEMPLATE.items()))
def test_dotted_types_map_to_the_skill_template_names(dotted: str, template: str) -> None:
    event = parse_delivery(delivery(dotted))
    assert event.template == template
    assert event.emitted_at.isoformat() == "2026-03-20T10:11:12.123456+00:00"  # Go's 9 digits parse


def test_bad_deliveries_are_refused() -> None:
    for bad in (["x"], delivery("video.deleted"), delivery("encoding.finished", media_id="")):
        with pytest.raises(ValueError):
            parse_delivery(bad)


def test_store_is_bounded_per_media_and_overall() -> None:
    store = EventStore(per_media=3, max_media=2)
    for n in range(5):
        store.add(parse_delivery(delivery("encoding.started", media_id="a", title=f"t{n}")))
    assert [e.title for e in store.events("a")] == ["t2", "t3", "t4"]
    store.add(parse_delivery(delivery("encoding.started", media_id="b")))
    store.add(parse_delivery(delivery("encoding.started", media_id="c")))
    assert store.events("a") == [] and store.latest("c") is not None


@pytest.mark.anyio
async def test_route_answers_fast_checks_the_token_and_feeds_the_resource(local_settings: Settings) -> None:
    server = build_server(local_settings)
    app = app_of(server)
    asgi = build_http_app(local_settings, server)
    token = receiver_token(app)
    assert len(token) >= 40  # 32 random bytes, URL-safe
    url = receiver_url(app)
    assert url is not None and url.endswith(f"{ROUTE_PREFIX}/{token}")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://127.0.0.1") as http:
        started = time.perf_counter()
        for kind in ("file.received", "encoding.started", "encoding.finished"):
            answer = await http.post(f"{ROUTE_PREFIX}/{token}", json=delivery(kind))
            assert answer.status_code == 200, answer.text
        assert time.perf_counter() - started < 3.0  # AIOZ gives up after 3 s
        wrong = await http.post(f"{ROUTE_PREFIX}/{'x' * len(token)}", json=delivery("encoding.failed"))
        assert wrong.status_code == 404
        assert (await http.post(f"{ROUTE_PREFIX}/{token}", content=b"{not json")).status_code == 400
        assert (await http.post(f"{ROUTE_PREFIX}/{token}", json=delivery("nope.nope"))).status_code == 400
        big = json.dumps(delivery("encoding.failed", title="x" * MAX_BODY))
        assert (await http.post(f"{ROUTE_PREFIX}/{token}", content=big)).status_code == 413
        assert (await http.get(f"{ROUTE_PREFIX}/{token}")).status_code == 405
    async with Client(server) as client:
        result = await client.read_resource(f"aioz://events/{MEDIA}")
        data = json.loads(result.contents[0].text)  # type: ignore[union-attr]
    assert [e["template"] for e in data["events"]] == ["file_received", "encoding_started", "encoding_finished"]
    assert [e["type"] for e in data["events"]] == ["file.received", "encoding.started", "encoding.finished"]


def test_token_survives_a_restart(local_settings: Settings) -> None:
    first = receiver_token(app_of(build_server(local_settings)))
    second = receiver_token(app_of(build_server(local_settings)))
    assert first == second
    path = local_settings.cache_dir / "webhook-token"  # type: ignore[operator]
    assert path.stat().st_mode & 0o077 == 0  # owner-only


def test_no_receiver_url_over_stdio(tmp_path: Path) -> None:
    app = app_of(build_server(Settings(cache_dir=tmp_path)))
    assert receiver_url(app) is None


# --------------------------------------------------------------------------- against the sandbox


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving_http(sandbox: Any, tmp_path: Path) -> Iterator[tuple[Any, Settings]]:
    """This MCP server over real HTTP on loopback (the sandbox delivers webhooks to it)."""
    import uvicorn

    port = _free_port()
    settings = sandbox_settings(sandbox, tmp_path, transport="http", port=port, allowed_roots=(tmp_path,))
    server = build_server(settings, app=make_app(settings))
    asgi = build_http_app(settings, server)
    config = uvicorn.Config(asgi, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not runner.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert runner.started
    try:
        yield server, settings
    finally:
        runner.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def http_server(fresh_sandbox: Any, tmp_path: Path) -> Iterator[tuple[Any, Settings]]:
    with serving_http(fresh_sandbox, tmp_path) as served:
        yield served


@pytest.mark.anyio
async def test_webhook_action_registers_checks_and_receives_sandbox_deliveries(
    http_server: tuple[Any, Settings], tmp_path: Path, mode: str
) -> None:
    server, settings = http_server
    app = app_of(server)
    source = tmp_path / "clip.mp4"
    from tests.aioz.test_upload import write_file

    write_file(source, 6 * 1024 * 1024 + 3)  # a real MP4: uploads are probed first (issue 9 f)
    async with Client(server, mode=mode) as client:
        first = await client.call_tool("aioz_media_status", {"action": "webhook"})
        assert not first.is_error, text_of(first)
        data = structured(first)["data"]
        assert data["created"] is True and data["check"]["ok"] is True, data
        assert text_of(first).index("Reachability check: ✅") < text_of(first).index("Webhook created")
        again = await client.call_tool("aioz_media_status", {"action": "webhook"})
        assert structured(again)["data"]["created"] is False  # one webhook per receiver URL
        upload = await client.call_tool("aioz_upload_media", {"source": str(source)})
        assert not upload.is_error, text_of(upload)
        media_id = structured(upload)["data"]["media_id"]
        status = await client.call_tool("aioz_media_status", {"media_id": media_id, "wait_seconds": 30})
        assert not status.is_error, text_of(status)
    from botflix_mcp.aioz.webhooks_receiver import events_of

    received = [e.type for e in events_of(app).events(media_id)]
    assert "file.received" in received or "encoding.started" in received, received
    assert "**Webhook events received:**" in text_of(status)
    assert settings.public_url is None  # the bound loopback URL was used
