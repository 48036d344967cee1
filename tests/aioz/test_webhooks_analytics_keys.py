"""Webhooks, analytics and API keys through the MCP client against the sandbox; one test per skill rule."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from mcp import Client

from tests.helpers import structured, text_of


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Any:
    httpd = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/hook"
    httpd.shutdown()


@pytest.mark.anyio
async def test_webhook_create_runs_check_before_confirming(server: Any, fresh_sandbox: Any, receiver: str, mode: str):
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("aioz_webhook_write", {"action": "create", "name": "h", "url": receiver})
    assert not result.is_error, text_of(result)
    text = text_of(result)
    paths = fresh_sandbox.aioz_paths()
    check = next(p for p in paths if p.startswith("POST /webhooks/check/"))
    assert paths.index("POST /webhooks") < paths.index(check)
    assert text.index("Webhook created") > 0 and "✅" in text
    assert fresh_sandbox.deliveries()[-1]["payload"]["type"] == "encoding.started"


@pytest.mark.anyio
async def test_unreachable_webhook_is_not_confirmed(server: Any, fresh_sandbox: Any) -> None:
    async with Client(server) as client:
        result = await client.call_tool(
            "aioz_webhook_write", {"action": "create", "name": "dead", "url": "http://127.0.0.1:9/hook"}
        )
    assert "NOT confirmed" in text_of(result)
    assert any(p.startswith("POST /webhooks/check/") for p in fresh_sandbox.aioz_paths())


@pytest.mark.anyio
async def test_analytics_dates_become_unix_timestamps(server: Any, fresh_sandbox: Any, mode: str) -> None:
    args = {"kind": "data", "metric": "play", "aggregation": "count", "date_from": "2024-09-01",
            "date_to": "2024-09-02"}  # fmt: skip
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("aioz_analytics", args)
    assert not result.is_error, text_of(result)
    context = structured(result)["data"]["context"]
    assert context["time_frame"] == {"from": "2024-09-01T00:00:00Z", "to": "2024-09-02T23:59:59Z"}


@pytest.mark.anyio
async def test_analytics_refuses_bad_ranges_and_combos_before_sending(server: Any, fresh_sandbox: Any) -> None:
    async with Client(server) as client:
        backwards = await client.call_tool(
            "aioz_analytics",
            {
                "kind": "data",
                "metric": "play",
                "aggregation": "count",
                "date_from": "2024-09-02",
                "date_to": "2024-09-01",
            },
        )
        combo = await client.call_tool("aioz_analytics", {"kind": "data", "metric": "view", "aggregation": "rate"})
    assert backwards.is_error and "after the end" in text_of(backwards)
    assert combo.is_error and "rate" in text_of(combo)
    assert not [p for p in fresh_sandbox.aioz_paths() if "/analytics/" in p]


@pytest.mark.anyio
async def test_bucket_accepts_the_skills_operating_system_spelling(server: Any, fresh_sandbox: Any) -> None:
    async with Client(server) as client:
        result = await client.call_tool("aioz_analytics", {"kind": "bucket", "metric": "view",
                                                           "breakdown": "operating-system"})  # fmt: skip
    assert not result.is_error, text_of(result)
    assert any(p.endswith("/bucket/view/operator-system") for p in fresh_sandbox.aioz_paths())


@pytest.mark.anyio
async def test_api_key_secret_shown_once_with_warning_and_ttl_string(server: Any, fresh_sandbox: Any) -> None:
    async with Client(server) as client:
        created = await client.call_tool("aioz_api_key_write", {"action": "create", "name": "ci", "ttl": "3600"})
        assert not created.is_error, text_of(created)
        listed = await client.call_tool("aioz_api_keys", {})
    secret = next(k["secret"] for k in fresh_sandbox.aioz.keys.values() if k["name"] == "ci")
    text = text_of(created)
    assert secret in text and "cannot be retrieved again" in text
    assert secret not in text_of(listed)
    key = next(k for k in fresh_sandbox.aioz.keys.values() if k["name"] == "ci")
    assert key["ttl"] == "3600"  # the sandbox refuses a numeric ttl: it went as a string
