"""Webhooks through the MCP client against the sandbox: check before confirmation (skill rule 8), spec fields."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from mcp import Client

from botflix_mcp.aioz.tools.webhooks import EVENTS, event_flags
from botflix_mcp.errors import UserInputError
from tests.aioz.wire import recording_server
from tests.helpers import structured, text_of


class _Hook(BaseHTTPRequestHandler):
    status = 200

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


class _Broken(_Hook):
    status = 500


def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    httpd = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/hook"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def receiver() -> Iterator[str]:
    """A local endpoint answering 200 (the sandbox's check really POSTs to the webhook URL)."""
    yield from _serve(_Hook)


@pytest.fixture
def broken_receiver() -> Iterator[str]:
    yield from _serve(_Broken)


@pytest.fixture
def wired(settings: Any) -> Any:
    return recording_server(settings)


def test_event_flags_always_sends_all_five() -> None:
    assert event_flags(["encoding_finished"]) == {e: e == "encoding_finished" for e in EVENTS}
    with pytest.raises(UserInputError):
        event_flags(["encoding.finished"])  # the delivered type uses dots; the flags use underscores


@pytest.mark.anyio
async def test_create_runs_check_and_reports_it_before_confirming(
    wired: Any, fresh_sandbox: Any, receiver: str, mode: str
) -> None:
    server, wire = wired
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("aioz_webhook_write", {"action": "create", "name": "h", "url": receiver})
    assert not result.is_error, text_of(result)
    text = text_of(result)
    hook_id = structured(result)["data"]["webhook"]["id"]
    paths = fresh_sandbox.aioz_paths()
    assert paths == ["POST /webhooks", f"POST /webhooks/check/{hook_id}"]
    assert text.index("Reachability check: ✅ passed") < text.index("Webhook created")
    assert structured(result)["data"]["check"]["ok"] is True
    assert fresh_sandbox.deliveries()[-1]["payload"]["type"] == "encoding.started"
    # create: name, url and the five flags of the spec (all on by default)
    assert wire.find("POST", "/webhooks")[0].json() == {"name": "h", "url": receiver, **dict.fromkeys(EVENTS, True)}


@pytest.mark.anyio
async def test_failed_check_is_reported_with_the_fix_and_not_confirmed(
    server: Any, fresh_sandbox: Any, broken_receiver: str, mode: str
) -> None:
    async with Client(server, mode=mode) as client:
        dead = await client.call_tool(
            "aioz_webhook_write", {"action": "create", "name": "dead", "url": "http://127.0.0.1:9/hook"}
        )
        failing = await client.call_tool(
            "aioz_webhook_write", {"action": "create", "name": "500", "url": broken_receiver}
        )
    for result in (dead, failing):
        text = text_of(result)
        assert "Reachability check: ❌ FAILED" in text and "How to fix" in text and "HTTP 200" in text
        assert "NOT confirmed" in text and "Webhook created\n" not in text
        assert text.index("FAILED") < text.index("NOT confirmed")
        data = structured(result)["data"]
        assert data["check"]["ok"] is False and data["webhook"]["id"]  # the id still reaches the user
    assert len([p for p in fresh_sandbox.aioz_paths() if p.startswith("POST /webhooks/check/")]) == 2


@pytest.mark.anyio
async def test_update_sends_only_changes_then_checks_before_confirming(
    wired: Any, fresh_sandbox: Any, receiver: str
) -> None:
    server, wire = wired
    async with Client(server) as client:
        created = await client.call_tool(
            "aioz_webhook_write", {"action": "create", "url": "http://127.0.0.1:9/old", "events": ["encoding_failed"]}
        )
        hook_id = structured(created)["data"]["webhook"]["id"]
        fresh_sandbox.aioz.log.clear()
        updated = await client.call_tool(
            "aioz_webhook_write",
            {"action": "update", "webhook_id": hook_id, "url": receiver, "events": ["encoding_finished"]},
        )
    assert not updated.is_error, text_of(updated)
    assert fresh_sandbox.aioz_paths() == [
        f"PATCH /webhooks/{hook_id}",
        f"GET /webhooks/{hook_id}",
        f"POST /webhooks/check/{hook_id}",
    ]
    assert wire.find("PATCH", "/webhooks/")[0].json() == {"url": receiver, **event_flags(["encoding_finished"])}
    text = text_of(updated)
    assert text.index("✅ passed") < text.index("Webhook updated")
    assert structured(updated)["data"]["webhook"]["encoding_finished"] is True
    assert structured(updated)["data"]["webhook"]["encoding_failed"] is False


@pytest.mark.anyio
async def test_check_list_get_delete(server: Any, fresh_sandbox: Any, receiver: str, mode: str) -> None:
    async with Client(server, mode=mode) as client:
        created = await client.call_tool("aioz_webhook_write", {"action": "create", "name": "h", "url": receiver})
        hook_id = structured(created)["data"]["webhook"]["id"]
        check = await client.call_tool("aioz_webhook_write", {"action": "check", "webhook_id": hook_id})
        listed = await client.call_tool("aioz_webhooks", {})
        got = await client.call_tool("aioz_webhooks", {"action": "get", "webhook_id": hook_id})
        deleted = await client.call_tool("aioz_webhook_delete", {"webhook_id": hook_id})
        missing = await client.call_tool("aioz_webhook_write", {"action": "check", "webhook_id": hook_id})
    assert "✅ passed" in text_of(check)
    assert structured(listed)["page"]["total"] == 1 and receiver in text_of(listed)
    assert structured(got)["data"]["id"] == hook_id
    assert not deleted.is_error and fresh_sandbox.aioz.webhooks == {}
    # a check of an unknown webhook is an error with a next step, not a "failed URL" result
    assert missing.is_error and "404" in text_of(missing) and "Next step" in text_of(missing)


@pytest.mark.anyio
async def test_bad_input_sends_nothing(server: Any, fresh_sandbox: Any) -> None:
    async with Client(server) as client:
        no_url = await client.call_tool("aioz_webhook_write", {"action": "create", "name": "x"})
        bad_url = await client.call_tool("aioz_webhook_write", {"action": "create", "url": "ftp://host/x"})
        no_change = await client.call_tool("aioz_webhook_write", {"action": "update", "webhook_id": "abc"})
        no_id = await client.call_tool("aioz_webhook_write", {"action": "check"})
    for result in (no_url, bad_url, no_change, no_id):
        assert result.is_error and "Nothing was sent" in text_of(result), text_of(result)
    assert fresh_sandbox.aioz_paths() == []
