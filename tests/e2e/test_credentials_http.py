"""Per-session keys over real streamable HTTP (issue 2 §5, issue 6 §1).

- 2025-era clients get an `mcp-session-id` each: keys collected in one session are never seen by another.
- 2026-07-28 clients have no session at all: keys collected by a call are used for that call only, never kept
  (the result says so), and the next call asks again.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.types import ElicitResult

from botflix_mcp.credentials import NO_SESSION_NOTE
from botflix_mcp.server import build_server
from botflix_mcp.templates import KEYS_SAFE_REMINDER, PUBLIC_KEY_QUESTION
from tests.helpers import make_app, sandbox_settings, text_of
from tests.test_credentials import aioz_paths, demo_keys, form_only  # noqa: F401  (form_only: a fixture)

pytestmark = pytest.mark.anyio


@pytest.fixture
async def http_url(fresh_sandbox: Any, tmp_path: Path) -> AsyncIterator[tuple[str, Any]]:
    """The real server's streamable HTTP app under uvicorn on 127.0.0.1, no keys configured."""
    import uvicorn

    settings = sandbox_settings(fresh_sandbox, tmp_path, keys=False)
    app = make_app(settings)
    server = build_server(settings, app=app)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    web = uvicorn.Server(
        uvicorn.Config(server.streamable_http_app(), host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    async with anyio.create_task_group() as tg:
        tg.start_soon(web._serve)  # no signal handlers inside the test process
        with anyio.fail_after(10):
            while not web.started:  # noqa: ASYNC110 - uvicorn offers no started event
                await anyio.sleep(0.01)
        yield f"http://127.0.0.1:{port}/mcp", app
        web.should_exit = True
    await app.aclose()


def answering(keys: tuple[str, str], asked: list[str]) -> Any:
    async def callback(context: Any, params: Any) -> ElicitResult:
        asked.append(getattr(params, "mode", "form"))
        return ElicitResult(action="accept", content={"public_key": keys[0], "secret_key": keys[1]})

    return callback


@pytest.mark.usefixtures("form_only")
async def test_legacy_http_sessions_never_share_keys(http_url: tuple[str, Any]) -> None:
    url, app = http_url
    asked_a: list[str] = []
    async with (
        Client(url, mode="legacy", elicitation_callback=answering(demo_keys(), asked_a)) as alice,
        Client(url, mode="legacy") as bob,
    ):
        first = await alice.call_tool("aioz_account", {"action": "me"})
        assert not first.is_error, text_of(first)
        assert KEYS_SAFE_REMINDER in text_of(first) and NO_SESSION_NOTE not in text_of(first)
        again = await alice.call_tool("aioz_account", {"action": "me"})
        assert not again.is_error and asked_a == ["form"]  # kept for alice's session
        other = await bob.call_tool("aioz_account", {"action": "me"})
        assert other.is_error and PUBLIC_KEY_QUESTION in text_of(other)  # bob's session has no keys
    stored = [k for k in app.credentials._aioz]
    assert len(stored) == 1 and stored[0].startswith("sid:")


@pytest.mark.usefixtures("form_only")
async def test_modern_http_has_no_session_so_keys_serve_one_call(http_url: tuple[str, Any], fresh_sandbox: Any) -> None:
    url, app = http_url
    asked: list[str] = []
    async with Client(url, elicitation_callback=answering(demo_keys(), asked)) as client:
        first = await client.call_tool("aioz_account", {"action": "me"})
        assert not first.is_error, text_of(first)
        assert KEYS_SAFE_REMINDER in text_of(first) and NO_SESSION_NOTE in text_of(first)
        second = await client.call_tool("aioz_account", {"action": "me"})
        assert not second.is_error, text_of(second)
    assert asked == ["form", "form"]  # asked again: nothing was kept
    assert app.credentials._aioz == {}
    assert aioz_paths(fresh_sandbox) == ["/user/me"] * 4  # check + call, twice
