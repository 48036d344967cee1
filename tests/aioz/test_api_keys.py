"""API keys through the MCP client: the one-time secret (skill rule 7), `ttl` as a string (research §5.4)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from mcp import Client

from botflix_mcp.logs import redact
from botflix_mcp.templates import API_KEY_SECRET_WARNING
from tests.aioz.wire import recording_server
from tests.helpers import structured, text_of


@pytest.fixture
def wired(settings: Any) -> Any:
    return recording_server(settings)


def _stored(sandbox: Any, name: str) -> dict[str, Any]:
    return next(k for k in sandbox.aioz.keys.values() if k["name"] == name)


@pytest.mark.anyio
async def test_secret_shown_in_full_once_with_the_warning_and_never_logged(
    server: Any, fresh_sandbox: Any, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with Client(server, mode=mode) as client:
        created = await client.call_tool("aioz_api_key_write", {"action": "create", "name": "ci", "ttl": "3600"})
        assert not created.is_error, text_of(created)
        listed = await client.call_tool("aioz_api_keys", {})
    secret = _stored(fresh_sandbox, "ci")["secret"]
    text = text_of(created)
    assert f"`{secret}`" in text  # in full, not masked by the redaction layer
    assert API_KEY_SECRET_WARNING in text and "cannot be retrieved again" in text
    assert structured(created)["data"]["secret"] == secret
    assert redact(secret) == secret  # it was not registered as a secret before rendering
    assert secret not in text_of(listed) and secret not in str(structured(listed))
    assert not [r for r in caplog.records if secret in r.getMessage()]  # and never logged


@pytest.mark.anyio
async def test_ttl_goes_as_a_string_of_seconds(wired: Any, fresh_sandbox: Any) -> None:
    server, wire = wired
    async with Client(server) as client:
        days = await client.call_tool("aioz_api_key_write", {"action": "create", "name": "month", "ttl": "30 days"})
        secs = await client.call_tool(
            "aioz_api_key_write", {"action": "create", "name": "up", "ttl": "7200", "type": "only_upload"}
        )
        bad = await client.call_tool("aioz_api_key_write", {"action": "create", "name": "x", "ttl": "2147483648"})
        junk = await client.call_tool("aioz_api_key_write", {"action": "create", "name": "x", "ttl": "forever"})
    assert not days.is_error and not secs.is_error, (text_of(days), text_of(secs))
    bodies = [s.json() for s in wire.find("POST", "/api_keys")]
    assert bodies == [
        {"api_key_name": "month", "ttl": "2592000", "type": "full_access"},
        {"api_key_name": "up", "ttl": "7200", "type": "only_upload"},
    ]  # ttl is a JSON string; the out-of-range and unparseable ttls sent nothing
    assert _stored(fresh_sandbox, "up")["type"] == "only_upload"
    assert bad.is_error and junk.is_error and "Nothing was sent" in text_of(bad)


@pytest.mark.anyio
async def test_rename_list_and_delete(wired: Any, fresh_sandbox: Any, mode: str) -> None:
    server, wire = wired
    async with Client(server, mode=mode) as client:
        created = await client.call_tool("aioz_api_key_write", {"action": "create", "name": "old"})
        key_id = structured(created)["data"]["id"]
        renamed = await client.call_tool("aioz_api_key_write", {"action": "rename", "name": "new", "key_id": key_id})
        no_id = await client.call_tool("aioz_api_key_write", {"action": "rename", "name": "new"})
        listed = await client.call_tool("aioz_api_keys", {"search": "new", "limit": 5})
        deleted = await client.call_tool("aioz_api_key_delete", {"key_id": key_id})
        again = await client.call_tool("aioz_api_key_delete", {"key_id": key_id})
    assert not renamed.is_error and wire.find("PATCH", f"/api_keys/{key_id}")[0].json() == {"api_key_name": "new"}
    assert no_id.is_error and "key_id" in text_of(no_id)
    rows = structured(listed)["data"]
    assert [r["name"] for r in rows] == ["new"] and "secret" not in rows[0]
    assert structured(listed)["page"]["total"] == 1
    listing = wire.find("GET", "/api_keys")[0]
    assert not listing.body and "search=new" in listing.query and "limit=5" in listing.query
    assert not deleted.is_error and next(s.path for s in wire.sent if s.method == "DELETE") == f"/api_keys/{key_id}"
    assert again.is_error and "404" in text_of(again)


@pytest.mark.anyio
async def test_refuses_to_delete_the_key_this_session_uses(server: Any, fresh_sandbox: Any, mode: str) -> None:
    from botflix_mcp.sandbox import DEMO_PUBLIC_KEY

    own_id = fresh_sandbox.aioz.keys[DEMO_PUBLIC_KEY]["id"]
    async with Client(server, mode=mode) as client:
        refused = await client.call_tool("aioz_api_key_delete", {"key_id": own_id})
    assert refused.is_error and "lock this session out" in text_of(refused) and "aioz_credentials" in text_of(refused)
    assert DEMO_PUBLIC_KEY in fresh_sandbox.aioz.keys
    assert not [p for p in fresh_sandbox.aioz_paths() if p.startswith("DELETE")]
