"""prompts/resources list_changed (issue 12 §8): a `botflix_skill` refresh that replaced documents is announced in
both protocol eras (the 2025 session notification, declared in `initialize`; the 2026-07-28 `subscriptions/listen`
stream); a refresh that changed nothing, and every other call, announces nothing; tools.listChanged stays false."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from mcp.shared.subscriptions import PromptsListChanged, ResourcesListChanged

from botflix_mcp.app import App
from botflix_mcp.http import RetryPolicy
from botflix_mcp.server import build_server
from tests.helpers import sandbox_settings

UPSTREAM = "# BotFlix Director Protocol\n\nUpstream text, version 9.9.9.\n"


def origin_serving(director: str | None) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if director is not None and request.url.path == "/director.md":
            return httpx.Response(200, text=director)
        return httpx.Response(404, json={"error": "Not found"})

    return httpx.MockTransport(handle)


def server_with_origin(sandbox: Any, tmp_path: Path, director: str | None) -> Any:
    settings = sandbox_settings(sandbox, tmp_path, botflix_base_url="https://botflix.test")
    app = App(settings, botflix_transport=origin_serving(director), retry_policy=RetryPolicy(max_retries=0))
    return build_server(settings, app=app)


class Recorder:
    def __init__(self) -> None:
        self.methods: list[str] = []
        self.two = anyio.Event()

    async def __call__(self, message: Any) -> None:
        method = getattr(message, "method", None) or getattr(getattr(message, "root", None), "method", None)
        if isinstance(method, str) and method.endswith("list_changed"):
            self.methods.append(method)
            if len(self.methods) >= 2:
                self.two.set()


@pytest.mark.anyio
async def test_legacy_session_gets_both_notifications_after_a_refresh(fresh_sandbox: Any, tmp_path: Path) -> None:
    seen = Recorder()
    server = server_with_origin(fresh_sandbox, tmp_path, UPSTREAM)
    async with Client(server, mode="legacy", message_handler=seen) as client:
        caps = client.server_capabilities
        assert caps.prompts is not None and caps.prompts.list_changed is True
        assert caps.resources is not None and caps.resources.list_changed is True
        assert caps.tools is not None and not caps.tools.list_changed  # the tool list never changes at run time
        await client.call_tool("botflix_skill", {"action": "list"})
        await client.list_tools()
        assert seen.methods == []
        await client.call_tool("botflix_skill", {"action": "refresh"})
        with anyio.fail_after(5):
            await seen.two.wait()
        assert sorted(seen.methods) == ["notifications/prompts/list_changed", "notifications/resources/list_changed"]
        await client.call_tool("botflix_skill", {"action": "refresh"})  # the same copies again: nothing changed
        await client.list_prompts()
        assert len(seen.methods) == 2


@pytest.mark.anyio
async def test_a_refresh_that_keeps_the_packaged_copies_announces_nothing(fresh_sandbox: Any, tmp_path: Path) -> None:
    seen = Recorder()
    async with Client(server_with_origin(fresh_sandbox, tmp_path, None), mode="legacy", message_handler=seen) as c:
        await c.call_tool("botflix_skill", {"action": "refresh"})
        await c.list_prompts()
    assert seen.methods == []


@pytest.mark.anyio
async def test_modern_listen_stream_gets_both_events_after_a_refresh(fresh_sandbox: Any, tmp_path: Path) -> None:
    server = server_with_origin(fresh_sandbox, tmp_path, UPSTREAM)
    async with Client(server) as client:
        async with client.listen(prompts_list_changed=True, resources_list_changed=True) as sub:
            assert sub.honored.prompts_list_changed and sub.honored.resources_list_changed
            await client.call_tool("botflix_skill", {"action": "refresh"})
            events: list[Any] = []
            with anyio.fail_after(5):
                async for event in sub:
                    events.append(event)
                    if len(events) == 2:
                        break
        assert {type(e) for e in events} == {PromptsListChanged, ResourcesListChanged}
        director = (await client.read_resource("botflix://skills/director")).contents[0]
        assert "9.9.9" in getattr(director, "text", "")  # what the events announced is there to refetch
