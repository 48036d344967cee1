"""A fake AIOZ host at the HTTP boundary (httpx.MockTransport via App.aioz_transport): it answers like a Go
backend would — `null` for empty lists and objects, numbers as strings — so the tools are tried against answers
the project's own sandbox never sends. Only the HTTP exchange is faked; every line of the server runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from botflix_mcp.app import App
from botflix_mcp.http import RetryPolicy
from botflix_mcp.server import build_server
from botflix_mcp.settings import Settings

BASE = "https://aioz.fake/api"
PUBLIC, SECRET = "fake-public-key-0123456789", "fake-secret-key-0123456789"
Answer = Any  # the `data` of a success envelope, or (status, body), or a callable(request) -> Response
USER = {"user": {"id": "u1", "email": "a@b.c", "first_name": "A", "balance": "1", "debt": "0"}}


def envelope(data: Any = None, message: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status": "success"}
    if message is not None:
        body["message"] = message
    else:
        body["data"] = data
    return body


class FakeHost:
    def __init__(self, routes: dict[tuple[str, str], Answer]) -> None:
        self.routes = {("GET", "/user/me"): USER, **routes}
        self.sent: list[httpx.Request] = []

    def path_of(self, request: httpx.Request) -> str:
        return request.url.path.removeprefix(httpx.URL(BASE).path)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        key = (request.method, self.path_of(request))
        if key not in self.routes:
            return httpx.Response(404, json={"message": "Route not found", "path": request.url.path})
        answer = self.routes[key]
        if callable(answer):
            result: httpx.Response = answer(request)
            return result
        if isinstance(answer, tuple):
            status, body = answer
            return httpx.Response(status, json=body)
        return httpx.Response(200, json=envelope(answer))

    def bodies(self, method: str, path: str) -> list[Any]:
        return [json.loads(r.content or b"null") for r in self.sent if r.method == method and self.path_of(r) == path]

    def calls(self) -> list[str]:
        return [f"{r.method} {self.path_of(r)}" for r in self.sent if self.path_of(r) != "/user/me"]


def fake_server(tmp_path: Path, routes: dict[tuple[str, str], Answer]) -> tuple[Any, FakeHost]:
    host = FakeHost(routes)
    settings = Settings(
        aioz_base_url=BASE,
        aioz_public_key=SecretStr(PUBLIC),
        aioz_secret_key=SecretStr(SECRET),
        cache_dir=tmp_path / "cache",
        http_timeout=5.0,
    )
    app = App(settings, aioz_transport=httpx.MockTransport(host.handle), retry_policy=RetryPolicy(max_retries=0))
    return build_server(settings, app=app), host


def failing(status: int, message: str) -> Callable[[httpx.Request], httpx.Response]:
    return lambda _request: httpx.Response(status, json={"status": "fail", "message": message})
