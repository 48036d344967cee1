"""Raw copies of the requests that reach the AIOZ sandbox, and which test sent each one.

The sandbox's own log keeps method, path and status only. `RequestTap` sits in front of the sandbox's ASGI app
(tests/conftest.py wraps the session sandbox with it) and keeps what a spec check needs: query, headers and
the body. Bodies are kept up to BODY_HEAD + BODY_TAIL bytes (multipart: FORM_HEAD + BODY_TAIL): an upload part
keeps its multipart headers and closing boundary, so the form still parses, with the file content cut short
(the spec only says `format: binary` about it, and validating megabytes of it would cost seconds).
"""

from __future__ import annotations

import threading
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

BODY_HEAD = 256 * 1024
BODY_TAIL = 8 * 1024
FORM_HEAD = 8 * 1024


@dataclass
class RawRequest:
    method: str
    path: str  # relative to the AIOZ API base, e.g. /playlists/x/items
    query: str
    headers: dict[str, str]
    body: bytes
    test: str
    truncated: bool = False
    status: int | None = None
    received: int = 0  # body bytes the sandbox read (less than Content-Length: refused or cut off early)

    @property
    def body_unread(self) -> bool:
        """The sandbox answered (413, a dropped connection...) before reading the whole body."""
        try:
            declared = int(self.headers.get("content-length", "0"))
        except ValueError:
            return False
        return self.received < declared


@dataclass
class Recorded:
    """Every captured request of this process, and the test running when it arrived."""

    requests: list[RawRequest] = field(default_factory=list)
    current_test: str = "(outside a test)"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> list[RawRequest]:
        with self.lock:
            out, self.requests = self.requests, []
        return out


RECORDED = Recorded()


class RequestTap:
    """ASGI middleware: copy every HTTP request under `prefix` into `sink`, then pass it on unchanged."""

    def __init__(self, app: Any, prefix: str = "/aioz/api", sink: Recorded = RECORDED) -> None:
        self.app = app
        self.prefix = prefix
        self.sink = sink

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix + "/"):
            await self.app(scope, receive, send)
            return
        raw = RawRequest(
            method=scope["method"],
            path=scope["path"][len(self.prefix) :],
            query=scope.get("query_string", b"").decode("latin-1"),
            headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])},
            body=b"",
            test=self.sink.current_test,
        )
        head = bytearray()
        tail = bytearray()
        head_room = FORM_HEAD if raw.headers.get("content-type", "").startswith("multipart/") else BODY_HEAD
        with self.sink.lock:  # listed before the answer leaves: a test that got its answer sees its request
            self.sink.requests.append(raw)

        async def tapped_receive() -> Any:
            message = await receive()
            if message.get("type") == "http.request":
                chunk = message.get("body", b"")
                raw.received += len(chunk)
                room = head_room - len(head)
                head.extend(chunk[:room])
                rest = chunk[room:] if room < len(chunk) else b""
                if rest:
                    tail.extend(rest)
                    if len(tail) > BODY_TAIL:
                        raw.truncated = True
                        del tail[: len(tail) - BODY_TAIL]
                if not message.get("more_body", False):
                    raw.body = bytes(head + tail)
            return message

        async def tapped_send(message: Any) -> None:
            if message.get("type") == "http.response.start":
                raw.status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, tapped_receive, tapped_send)
        finally:
            raw.body = bytes(head + tail)
