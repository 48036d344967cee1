"""SSE priming event and `retry` (SEP-1699, issue 12 §8) over the production HTTP app: every SSE response of a
2025-11-25 session starts with an event id, empty data and `retry`; a client that lost the stream reconnects with
`Last-Event-ID` and gets what it missed; another stream's or an unknown id replays nothing; clients before
2025-11-25 get no priming event; the MCP SDK client still works end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client

from botflix_mcp.event_store import RETRY_MS, MemoryEventStore
from tests.e2e.servers import serving
from tests.helpers import sandbox_settings

HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def init(version: str) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }


def events(body: str) -> list[dict[str, str]]:
    parsed = []
    for block in body.replace("\r\n", "\n").strip().split("\n\n"):
        event: dict[str, str] = {}
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            key, _, value = line.partition(":")
            event[key] = event.get(key, "") + value.removeprefix(" ") if key == "data" else value.removeprefix(" ")
        if event:
            parsed.append(event)
    return parsed


async def post(http: httpx.AsyncClient, url: str, body: dict[str, Any], session: str | None, version: str) -> Any:
    headers = dict(HEADERS)
    if session:
        headers |= {"mcp-session-id": session, "mcp-protocol-version": version}
    return await http.post(url, json=body, headers=headers)


@pytest.mark.anyio
async def test_priming_event_retry_and_resumption(fresh_sandbox: Any, tmp_path: Path) -> None:
    settings = sandbox_settings(fresh_sandbox, tmp_path, transport="http")
    async with serving(settings) as url, httpx.AsyncClient(timeout=20) as http:
        first = await post(http, url, init("2025-11-25"), None, "2025-11-25")
        assert first.status_code == 200 and first.headers["content-type"].startswith("text/event-stream")
        session = first.headers["mcp-session-id"]
        priming, *rest = events(first.text)
        assert priming["id"] and priming.get("data", "") == "" and priming["retry"] == str(RETRY_MS)
        assert json.loads(rest[-1]["data"])["result"]["protocolVersion"] == "2025-11-25"
        note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        assert (await post(http, url, note, session, "2025-11-25")).status_code == 202

        listed = await post(http, url, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, session, "2025-11-25")
        primed, answer = events(listed.text)
        assert primed["retry"] == str(RETRY_MS) and primed["id"] != priming["id"]
        assert answer["id"] and json.loads(answer["data"])["id"] == 2

        # the stream "dropped" after the priming event: reconnect with Last-Event-ID, get the missed answer
        headers = {"Accept": "text/event-stream", "mcp-session-id": session, "mcp-protocol-version": "2025-11-25"}
        replayed: list[dict[str, str]] = []
        with anyio.move_on_after(5):
            async with http.stream("GET", url, headers=headers | {"Last-Event-ID": primed["id"]}) as stream:
                assert stream.status_code == 200
                buffer = ""
                async for chunk in stream.aiter_text():
                    buffer += chunk
                    replayed = [e for e in events(buffer) if e.get("data")]
                    if replayed:
                        break
        assert replayed and json.loads(replayed[0]["data"]) == json.loads(answer["data"])


@pytest.mark.anyio
async def test_no_priming_event_before_2025_11_25(fresh_sandbox: Any, tmp_path: Path) -> None:
    settings = sandbox_settings(fresh_sandbox, tmp_path, transport="http")
    async with serving(settings) as url, httpx.AsyncClient(timeout=20) as http:
        answer = await post(http, url, init("2025-06-18"), None, "2025-06-18")
        assert answer.status_code == 200
        if answer.headers["content-type"].startswith("text/event-stream"):
            assert all(e.get("data") for e in events(answer.text)) and "retry" not in answer.text


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_sdk_client_works_with_priming_events(fresh_sandbox: Any, tmp_path: Path, mode: str) -> None:
    settings = sandbox_settings(fresh_sandbox, tmp_path, transport="http")
    async with serving(settings) as url, Client(url, mode=mode) as client:
        assert {t.name for t in (await client.list_tools()).tools} >= {"aioz_account", "botflix_skill"}
        assert (await client.call_tool("botflix_skill", {"action": "list"})).is_error is not True


@pytest.mark.anyio
async def test_store_replays_only_its_own_stream_and_forgets_old_events() -> None:
    store = MemoryEventStore(max_events=3)
    a1 = await store.store_event("a", None)
    msg: Any = {"jsonrpc": "2.0", "method": "x"}
    a2 = await store.store_event("a", msg)
    b1 = await store.store_event("b", msg)
    a3 = await store.store_event("a", msg)
    assert a1.split(":")[0] == a2.split(":")[0] != b1.split(":")[0]  # one unguessable token per stream
    sent: list[str | None] = []

    async def send(event: Any) -> None:
        sent.append(event.event_id)

    assert await store.replay_events_after(a2, send) == "a" and sent == [a3]  # not b's event
    assert await store.replay_events_after(a1, send) is None  # evicted (max_events=3)
    assert await store.replay_events_after("forged:1", send) is None
    assert sent == [a3]
