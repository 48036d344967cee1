"""The one HTTP policy (botflix_mcp/http.py): whole-attempt timeouts, deadlines, idempotency-aware retries.

Issue 9 defect g: a host that sends its headers and then one byte a second held `aioz_account` and
`aioz_upload_media` for over 90 s with a 5 s timeout, because httpx's timeouts bound each socket read only.
The hosts here are real loopback sockets (no mocks of the code under test).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from pydantic import SecretStr

from botflix_mcp.errors import ApiTimeoutError
from botflix_mcp.http import HttpPolicy, RetryPolicy
from botflix_mcp.settings import Settings
from tests.helpers import make_app, text_of

pytestmark = pytest.mark.anyio


class TrickleHost:
    """Accepts connections on 127.0.0.1; answers every request with headers, then one body byte per `gap` s."""

    def __init__(self, gap: float = 0.5, body_bytes: int = 400) -> None:
        self.gap = gap
        self.body_bytes = body_bytes
        self.requests = 0
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(32)
        self._stop = threading.Event()
        self.port = self._sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def _serve(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            self.requests += 1
            head = (
                f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {self.body_bytes}\r\n\r\n"
            ).encode()
            conn.sendall(head)
            for _ in range(self.body_bytes):
                if self._stop.is_set():
                    return
                conn.sendall(b" ")
                time.sleep(self.gap)
        except OSError:
            return
        finally:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._sock.close()


@pytest.fixture
def trickle() -> Iterator[TrickleHost]:
    host = TrickleHost()
    try:
        yield host
    finally:
        host.close()


async def test_policy_bounds_the_whole_answer_not_each_read(trickle: TrickleHost) -> None:
    policy = HttpPolicy("Test", RetryPolicy(max_retries=0), attempt_timeout=1.0, deadline=1.0)
    async with policy.client() as http:
        started = time.monotonic()
        with pytest.raises(ApiTimeoutError) as info:
            await policy.send(
                http, lambda _a: http.build_request("GET", trickle.url + "/user/me"), idempotent=True, method="GET"
            )
        elapsed = time.monotonic() - started
    assert elapsed < 3, elapsed  # each read succeeds (a byte every 0.5 s): only the attempt bound stops it
    assert "within 1 s" in info.value.message


async def test_deadline_caps_all_retries(trickle: TrickleHost) -> None:
    policy = HttpPolicy("Test", RetryPolicy(max_retries=10, base_delay=0.01, max_delay=0.02), attempt_timeout=1.0)
    async with policy.client() as http:
        started = time.monotonic()
        with pytest.raises(ApiTimeoutError):
            await policy.send(
                http,
                lambda _a: http.build_request("GET", trickle.url + "/user/me"),
                idempotent=True,
                deadline=2.5,
                method="GET",
                path="/user/me",
            )
        elapsed = time.monotonic() - started
    assert elapsed < 4.5, elapsed
    assert 2 <= trickle.requests <= 4  # retried while the deadline allowed, then stopped


async def test_non_idempotent_call_is_not_repeated_after_a_timeout(trickle: TrickleHost) -> None:
    policy = HttpPolicy("Test", RetryPolicy(max_retries=5, base_delay=0.01, max_delay=0.02), attempt_timeout=0.8)
    async with policy.client() as http:
        with pytest.raises(ApiTimeoutError):
            await policy.send(
                http, lambda _a: http.build_request("POST", trickle.url + "/media/create"), idempotent=False
            )
    assert trickle.requests == 1  # the host may have created something: never sent twice


async def test_retries_5xx_then_returns_the_error_answer() -> None:
    calls = {"n": 0}

    def answer(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        return httpx.Response(503, json={"status": "error", "message": "busy"})

    policy = HttpPolicy("Test", RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.02))
    async with policy.client(transport=httpx.MockTransport(answer)) as http:
        response = await policy.send(http, lambda _a: http.build_request("GET", "http://h/x"), idempotent=True)
    assert response.status_code == 503 and calls["n"] == 3


def _settings(base_url: str, tmp_path: Path) -> Settings:
    from botflix_mcp.sandbox import DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

    return Settings(
        aioz_base_url=base_url,
        aioz_public_key=SecretStr(DEMO_PUBLIC_KEY),
        aioz_secret_key=SecretStr(DEMO_SECRET_KEY),
        cache_dir=tmp_path / "cache",
        http_timeout=1.0,
        call_deadline=3.0,
    )


@pytest.mark.parametrize("tool", ["aioz_account", "aioz_upload_media"])
async def test_tools_against_a_trickling_host_end_with_a_readable_timeout(
    trickle: TrickleHost, tmp_path: Path, tool: str
) -> None:
    from botflix_mcp.server import build_server

    settings = _settings(trickle.url, tmp_path)
    video = tmp_path / "clip.mp4"
    video.write_bytes(Path(__file__).parent.parent.joinpath("botflix_mcp/demo_assets/episode.mp4").read_bytes())
    args: dict[str, Any] = {"action": "me"} if tool == "aioz_account" else {"source": str(video), "title": "t"}
    server = build_server(settings, app=make_app(settings))
    started = time.monotonic()
    async with Client(server) as client:
        with anyio.fail_after(30):
            result = await client.call_tool(tool, args)
    elapsed = time.monotonic() - started
    assert result.is_error
    text = text_of(result)
    assert "Internal error" not in text
    assert "within" in text and "AIOZ Stream" in text, text
    assert elapsed < 15, elapsed
