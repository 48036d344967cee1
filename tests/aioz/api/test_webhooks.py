"""Webhook tools against a Go-like host (null lists and objects, flags as strings) and its 404s (issue 9 a, l)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from botflix_mcp.aioz.client import AiozCredentials
from botflix_mcp.aioz.session import AiozSession
from botflix_mcp.aioz.webhooks_receiver import WEBHOOK_NAME, ensure_webhook
from botflix_mcp.server import app_of
from tests.aioz.api.fake import PUBLIC, SECRET, envelope, failing, fake_server
from tests.helpers import structured, text_of

HOOK = {"id": "w1", "name": "h", "url": "https://example.com/hook", "encoding_finished": "true",
        "file_received": None, "last_triggered_at": None, "total_deliveries": "3"}  # fmt: skip


def _clean(result: Any) -> str:
    text = text_of(result)
    assert "Internal error" not in text and "bug in botflix-mcp" not in text, text
    return text


@pytest.mark.anyio
async def test_null_lists_totals_and_flags(tmp_path: Path, mode: str) -> None:
    server, _host = fake_server(
        tmp_path,
        {
            ("GET", "/webhooks"): {"webhooks": None, "total": None},
            ("GET", "/webhooks/w1"): {"webhook": HOOK},
        },
    )
    async with Client(server, mode=mode) as client:
        listed = await client.call_tool("aioz_webhooks", {})
        got = await client.call_tool("aioz_webhooks", {"action": "get", "webhook_id": "w1"})
    assert not listed.is_error and "(none)" in _clean(listed)
    assert structured(listed)["data"] == [] and structured(listed)["page"]["total"] == 0
    assert not got.is_error, _clean(got)
    data = structured(got)["data"]
    assert data["encoding_finished"] is True and data["file_received"] is None and data["total_deliveries"] == "3"
    assert "`encoding_finished`" in text_of(got) and "Last triggered: never" in text_of(got)


@pytest.mark.anyio
async def test_a_create_answer_without_a_webhook_is_the_hosts_fault(tmp_path: Path, mode: str) -> None:
    created = httpx.Response(201, json=envelope({"webhook": None}))
    server, host = fake_server(tmp_path, {("POST", "/webhooks"): lambda _r: created})
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("aioz_webhook_write", {"action": "create", "url": "https://example.com/hook"})
    text = _clean(result)
    assert result.is_error and "unexpected answer" in text and "no webhook id" in text
    assert host.calls() == ["POST /webhooks"]  # no check of a webhook "None"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "args", "call"),
    [
        ("aioz_webhooks", {"action": "get", "webhook_id": "w404"}, "GET /webhooks/w404"),
        ("aioz_webhook_delete", {"webhook_id": "w404"}, "DELETE /webhooks/w404"),
        ("aioz_webhook_write", {"action": "check", "webhook_id": "w404"}, "POST /webhooks/check/w404"),
        ("aioz_webhook_write", {"action": "update", "webhook_id": "w404", "name": "x"}, "PATCH /webhooks/w404"),
    ],
)
async def test_not_found_points_to_the_webhook_list(
    tmp_path: Path, mode: str, tool: str, args: dict[str, Any], call: str
) -> None:
    method, path = call.split(" ")
    server, host = fake_server(tmp_path, {(method, path): failing(404, "Webhook not found.")})
    async with Client(server, mode=mode) as client:
        result = await client.call_tool(tool, args)
    text = _clean(result)
    assert result.is_error and "404" in text and "Webhook not found." in text
    assert "aioz_webhooks" in text and "aioz_media" not in text, text
    assert host.calls() == [call]


@pytest.mark.anyio
async def test_over_long_arguments_are_refused_before_sending(tmp_path: Path) -> None:
    server, host = fake_server(tmp_path, {})
    async with Client(server) as client:
        search = await client.call_tool("aioz_webhooks", {"search": "x" * 70_000})
        url = await client.call_tool("aioz_webhook_write", {"action": "create", "url": "https://e.com/" + "a" * 70_000})
    for result in (search, url):
        assert result.is_error and "Nothing was sent" in _clean(result)
    assert host.sent == []


@pytest.mark.anyio
async def test_receiver_registration_tolerates_null_lists_and_flags(tmp_path: Path) -> None:
    url = "https://mcp.example.com/aioz/webhook/token"
    server, host = fake_server(
        tmp_path,
        {
            ("GET", "/webhooks"): {"webhooks": None, "total": None},
            ("POST", "/webhooks"): lambda _r: httpx.Response(201, json=envelope({"webhook": {"id": "w9", "url": url}})),
        },
    )
    api = AiozSession(app_of(server).aioz, AiozCredentials.of(PUBLIC, SECRET))
    hook, created = await ensure_webhook(api, url)
    assert created and hook["id"] == "w9"
    assert host.bodies("POST", "/webhooks")[0]["name"] == WEBHOOK_NAME
    # already registered, with flags as strings and one off: switched on, not created twice
    host.routes[("GET", "/webhooks")] = {"webhooks": [{"id": "w9", "url": url, "file_received": "false",
                                                       **dict.fromkeys(("encoding_started", "partial_finished",
                                                       "encoding_finished", "encoding_failed"), "true")}],
                                         "total": "1"}  # fmt: skip
    host.routes[("PATCH", "/webhooks/w9")] = envelope(message="Update webhook successfully.")
    hook, created = await ensure_webhook(api, url)
    assert not created and hook["id"] == "w9" and hook["file_received"] is True
    assert host.bodies("PATCH", "/webhooks/w9") == [
        dict.fromkeys(
            ("file_received", "encoding_started", "partial_finished", "encoding_finished", "encoding_failed"), True
        )
    ]


@pytest.mark.anyio
async def test_receiver_registration_finds_its_webhook_on_a_later_page(tmp_path: Path) -> None:
    url = "https://mcp.example.com/aioz/webhook/token"
    flags = dict.fromkeys(("file_received", "encoding_started", "partial_finished", "encoding_finished",
                           "encoding_failed"), True)  # fmt: skip

    def listing(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", 0))
        hooks = [{"id": f"o{i}", "url": f"https://other/{i}"} for i in range(100)] if offset == 0 else []
        if offset == 100:
            hooks = [{"id": "mine", "url": url, **flags}]
        return httpx.Response(200, json=envelope({"webhooks": hooks, "total": 101}))

    server, host = fake_server(tmp_path, {("GET", "/webhooks"): listing})
    api = AiozSession(app_of(server).aioz, AiozCredentials.of(PUBLIC, SECRET))
    hook, created = await ensure_webhook(api, url)
    assert not created and hook["id"] == "mine"
    assert host.calls() == ["GET /webhooks", "GET /webhooks"]  # no second receiver webhook created
