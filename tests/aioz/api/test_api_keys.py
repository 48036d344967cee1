"""API key tools against a Go-like host (null lists, totals as strings or null) and its 404s (issue 9 a, k, l)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from tests.aioz.api.fake import PUBLIC, envelope, failing, fake_server
from tests.helpers import structured, text_of


def _clean(result: Any) -> str:
    text = text_of(result)
    assert "Internal error" not in text and "bug in botflix-mcp" not in text, text
    return text


@pytest.mark.anyio
async def test_null_list_and_total(tmp_path: Path, mode: str) -> None:
    server, host = fake_server(tmp_path, {("GET", "/api_keys"): {"api_keys": None, "total": None}})
    async with Client(server, mode=mode) as client:
        listed = await client.call_tool("aioz_api_keys", {"search": "ci"})
    assert not listed.is_error and "(none)" in _clean(listed)
    assert structured(listed)["data"] == [] and structured(listed)["page"]["total"] == 0
    assert "search=ci" in str(host.sent[-1].url)


@pytest.mark.anyio
async def test_list_never_shows_a_secret_and_reads_string_totals(tmp_path: Path) -> None:
    key = {"id": "k1", "name": "ci", "type": "full_access", "secret": "must-not-show", "truncated_secret": "abc***",
           "ttl": 3600, "user": {"balance": "9"}, "expired_at": None}  # fmt: skip
    server, _host = fake_server(tmp_path, {("GET", "/api_keys"): {"api_keys": [key, None], "total": "1"}})
    async with Client(server) as client:
        listed = await client.call_tool("aioz_api_keys", {})
    text = _clean(listed)
    rows = structured(listed)["data"]
    assert [r["id"] for r in rows] == ["k1"] and rows[0]["ttl"] == "3600" and "secret" not in rows[0]
    assert "must-not-show" not in text and "must-not-show" not in str(rows)
    assert "expires never" in text and structured(listed)["page"]["total"] == 1


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "args", "call"),
    [
        ("aioz_api_key_write", {"action": "rename", "key_id": "k404", "name": "n"}, "PATCH /api_keys/k404"),
        ("aioz_api_key_delete", {"key_id": "k404"}, "DELETE /api_keys/k404"),
    ],
)
async def test_not_found_points_to_the_key_list(
    tmp_path: Path, mode: str, tool: str, args: dict[str, Any], call: str
) -> None:
    method, path = call.split(" ")
    server, host = fake_server(
        tmp_path,
        {(method, path): failing(404, "Api key not found."), ("GET", "/api_keys"): {"api_keys": None, "total": 0}},
    )
    async with Client(server, mode=mode) as client:
        result = await client.call_tool(tool, args)
    text = _clean(result)
    assert result.is_error and "404" in text and "aioz_api_keys" in text and "aioz_media" not in text, text
    assert call in host.calls()


@pytest.mark.anyio
async def test_own_key_is_found_on_a_later_page(tmp_path: Path) -> None:
    others = [{"id": f"k{i}", "public_key": f"pk{i}"} for i in range(100)]

    def listing(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", 0))
        page = others if offset == 0 else [{"id": "mine", "public_key": PUBLIC}]
        return httpx.Response(200, json=envelope({"api_keys": page, "total": 101}))

    server, host = fake_server(tmp_path, {("GET", "/api_keys"): listing})
    async with Client(server) as client:
        refused = await client.call_tool("aioz_api_key_delete", {"key_id": "mine"})
    text = _clean(refused)
    assert refused.is_error and "lock this session out" in text
    assert "Nothing was sent" not in text and "the key list was only read" in text  # a GET was sent: said so
    assert not [c for c in host.calls() if c.startswith("DELETE")]


@pytest.mark.anyio
async def test_a_create_answer_without_a_secret_warns(tmp_path: Path) -> None:
    answer = httpx.Response(201, json=envelope({"api_key": {"id": "k2", "name": "n", "secret": None}}))
    server, _host = fake_server(tmp_path, {("POST", "/api_keys"): lambda _r: answer})
    async with Client(server) as client:
        result = await client.call_tool("aioz_api_key_write", {"action": "create", "name": "n"})
    assert not result.is_error, _clean(result)
    assert "carried no secret" in text_of(result) and structured(result)["data"]["secret"] is None


@pytest.mark.anyio
async def test_over_long_arguments_are_refused_before_sending(tmp_path: Path) -> None:
    server, host = fake_server(tmp_path, {})
    async with Client(server) as client:
        search = await client.call_tool("aioz_api_keys", {"search": "x" * 70_000})
        ttl = await client.call_tool("aioz_api_key_write", {"action": "create", "name": "n", "ttl": "9" * 70_000})
    for result in (search, ttl):
        assert result.is_error and "Nothing was sent" in _clean(result)
    assert host.sent == []
