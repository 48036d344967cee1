"""A fake AIOZ host at the HTTP boundary (httpx.MockTransport via App.aioz_transport) for answers the sandbox never
gives: Go nil slices (`null` lists and objects), numbers as strings, other 404 shapes.

Routes are `(METHOD, path relative to /api)` -> a JSON body, `(status, body)`, or a function of the request
returning either; `/user/me` answers by default, an unknown route gets the backend's `Route not found` shape.
Every request is recorded. Nothing leaves the process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx

from botflix_mcp.app import App
from botflix_mcp.http import RetryPolicy
from botflix_mcp.server import build_server
from tests.helpers import sandbox_settings

BASE = "http://aioz.fake.invalid/api"
USER = {"status": "success", "data": {"user": {"id": "u1", "email": "fake@example.com", "balance": "10"}}}


def ok(data: Any = None, message: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status": "success"}
    if data is not None:
        body["data"] = data
    if message is not None:
        body["message"] = message
    return body


@dataclass
class FakeHost:
    routes: dict[tuple[str, str], Any]
    seen: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        path = request.url.path.removeprefix("/api")
        if path == "/user/me":
            return httpx.Response(200, json=USER)
        answer = self.routes.get((request.method, path))
        if answer is None:  # the backend's unknown-route shape
            body = {"message": "Route not found", "path": "/api" + path, "method": request.method}
            return httpx.Response(404, json=body)
        if callable(answer):
            answer = answer(request)
        status, body = answer if isinstance(answer, tuple) else (200, answer)
        return httpx.Response(status, content=json.dumps(body).encode(), headers={"content-type": "application/json"})

    def calls(self) -> list[str]:
        """`METHOD /path` of every request except the key check."""
        return [f"{r.method} {r.url.path.removeprefix('/api')}" for r in self.seen if r.url.path != "/api/user/me"]


def fake_server(tmp_path: Path, routes: dict[tuple[str, str], Any]) -> tuple[Any, FakeHost]:
    host = FakeHost(routes)
    settings = sandbox_settings(
        SimpleNamespace(aioz_base_url=BASE, botflix_base_url="http://botflix.fake.invalid"), tmp_path
    )
    app = App(
        settings,
        aioz_transport=httpx.MockTransport(host.handle),
        retry_policy=RetryPolicy(max_retries=1, base_delay=0.001, max_delay=0.002, max_retry_after=1),
    )
    return build_server(settings, app=app), host
