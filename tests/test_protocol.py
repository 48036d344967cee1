"""MCP logging (setLevel + per-request forwarding, both eras) and the completion fallback (botflix_mcp/protocol.py)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from mcp import Client
from mcp.types import LoggingMessageNotificationParams, PromptReference

from botflix_mcp.logs import register_secret
from botflix_mcp.protocol import mcp_level
from botflix_mcp.server import build_server
from botflix_mcp.settings import Settings

pytestmark = [pytest.mark.anyio, pytest.mark.filterwarnings("ignore::mcp.MCPDeprecationWarning")]
log = logging.getLogger("botflix_mcp.tests.protocol")
SECRET = "sk-protocol-test-secret-42"


def noisy_server() -> Any:
    server = build_server(Settings(aioz_base_url="http://127.0.0.1:9", botflix_base_url="http://127.0.0.1:9"))

    async def noisy(word: str) -> str:
        """Log at three levels, then answer."""
        log.debug("debug %s", word)
        log.info("info %s", word)
        log.warning("warning %s with %s", word, SECRET)
        logging.getLogger("httpx").warning("not ours %s", word)
        return word

    server.add_tool(noisy, name="noisy", description="log at three levels")
    return server


def catcher(seen: list[LoggingMessageNotificationParams]) -> Any:
    async def callback(params: LoggingMessageNotificationParams) -> None:
        seen.append(params)

    return callback


@pytest.fixture(autouse=True)
def debug_logging() -> Any:
    register_secret(SECRET)
    root = logging.getLogger()
    previous = root.level
    root.setLevel(logging.DEBUG)
    yield
    root.setLevel(previous)


async def test_handshake_era_set_level_filters_and_redacts() -> None:
    seen: list[LoggingMessageNotificationParams] = []
    async with Client(noisy_server(), mode="legacy", logging_callback=catcher(seen)) as client:
        assert client.server_capabilities.logging is not None
        await client.call_tool("noisy", {"word": "before"})
        assert seen == []  # nothing until the client asks
        await client.set_logging_level("info")
        await client.call_tool("noisy", {"word": "one"})
        await client.set_logging_level("warning")
        await client.call_tool("noisy", {"word": "two"})
    got = [(p.level, p.data, p.logger) for p in seen]
    assert got == [
        ("info", "info one", "botflix_mcp.tests.protocol"),
        ("warning", "warning one with [redacted]", "botflix_mcp.tests.protocol"),
        ("warning", "warning two with [redacted]", "botflix_mcp.tests.protocol"),
    ]


async def test_modern_era_opt_in_per_request() -> None:
    seen: list[LoggingMessageNotificationParams] = []
    async with Client(noisy_server(), logging_callback=catcher(seen), log_level="warning") as client:
        assert client.protocol_version == "2026-07-28"
        await client.call_tool("noisy", {"word": "m"})
    assert [(p.level, p.data) for p in seen] == [("warning", "warning m with [redacted]")]
    quiet: list[LoggingMessageNotificationParams] = []
    async with Client(noisy_server(), logging_callback=catcher(quiet)) as client:
        await client.call_tool("noisy", {"word": "q"})
    assert quiet == []


async def test_records_go_only_to_the_session_that_caused_them() -> None:
    server = noisy_server()
    a_seen: list[LoggingMessageNotificationParams] = []
    b_seen: list[LoggingMessageNotificationParams] = []
    async with (
        Client(server, mode="legacy", logging_callback=catcher(a_seen)) as a,
        Client(server, mode="legacy", logging_callback=catcher(b_seen)) as b,
    ):
        await a.set_logging_level("debug")
        await b.set_logging_level("debug")
        await a.call_tool("noisy", {"word": "alice"})
        await b.call_tool("noisy", {"word": "bob"})
    assert a_seen and all("alice" in str(p.data) for p in a_seen)
    assert b_seen and all("bob" in str(p.data) for p in b_seen)


async def test_completion_answers_without_suggestions(mode: str) -> None:
    async with Client(noisy_server(), mode=mode) as client:
        result = await client.complete(PromptReference(name="anything"), {"name": "arg", "value": "x"})
    assert result.completion.values == []


def test_level_names() -> None:
    assert [mcp_level(n) for n in (5, 10, 20, 25, 30, 40, 50, 60)] == [
        "debug",
        "debug",
        "info",
        "notice",
        "warning",
        "error",
        "critical",
        "emergency",
    ]
