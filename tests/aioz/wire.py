"""What the AIOZ client put on the wire: a recording transport in front of the real loopback sandbox.

The sandbox's own log has method, path and status; this adds the request bodies, so tests can check field names
and JSON types against the official spec (e.g. `media_id`, `ttl` as a string). Mocking stays at the HTTP
boundary: every request still goes to the sandbox over loopback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from botflix_mcp.app import App
from botflix_mcp.http import RetryPolicy
from botflix_mcp.server import build_server
from botflix_mcp.settings import Settings


@dataclass
class Sent:
    method: str
    path: str  # relative to the API base, e.g. /playlists/x/items
    content_type: str
    body: bytes
    query: str = ""

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Recorder(httpx.AsyncBaseTransport):
    base_path: str
    inner: httpx.AsyncBaseTransport = field(default_factory=httpx.AsyncHTTPTransport)
    sent: list[Sent] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        path = request.url.path
        if path.startswith(self.base_path):
            path = path[len(self.base_path) :]
        content_type = request.headers.get("content-type", "")
        self.sent.append(Sent(request.method, path, content_type, body, request.url.query.decode()))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """The server closes its client after each MCP session; the next session gets a fresh pool."""
        await self.inner.aclose()
        self.inner = httpx.AsyncHTTPTransport()

    def find(self, method: str, path_start: str) -> list[Sent]:
        return [s for s in self.sent if s.method == method and s.path.startswith(path_start)]


def recording_server(settings: Settings) -> tuple[Any, Recorder]:
    """A server whose AIOZ requests are recorded (and still answered by the sandbox)."""
    recorder = Recorder(httpx.URL(settings.aioz_base_url).path.rstrip("/"))
    app = App(
        settings,
        aioz_transport=recorder,
        retry_policy=RetryPolicy(max_retries=4, base_delay=0.01, max_delay=0.05, max_retry_after=2),
    )
    return build_server(settings, app=app), recorder
