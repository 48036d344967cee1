"""Change notifications (issue 12 §8): tell clients when the prompt and resource lists change.

What can change while the server runs: `botflix_skill` `refresh` replaces the packaged director documents with
BotFlix's current copies, which changes the `botflix://skills/*` resources and the role prompts that embed them.
After a call that changed them, the server sends `notifications/prompts/list_changed` and
`notifications/resources/list_changed`: to a 2025-era client over its session (declared as `listChanged: true`
in the `initialize` capabilities), and to 2026-07-28 clients through their `subscriptions/listen` streams (the
SDK derives that era's capability from the served `subscriptions/listen`). The tool list is fixed at start-up by
`BOTFLIX_MCP_TOOLSETS` / `--read-only`, so `tools.listChanged` stays false and no tools/list_changed is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.mcpserver import MCPServer

from botflix_mcp.app import App

logger = logging.getLogger(__name__)

#: Tools whose calls can change the prompt/resource lists.
CHANGING_TOOLS = frozenset({"botflix_skill"})


def _documents_state(app: App) -> Callable[[], dict[str, str]]:
    from botflix_mcp.botflix.skills import live_docs

    return lambda: {name: copy.text for name, copy in live_docs(app).copies.items()}


async def announce(context: Any) -> None:
    """Send both list_changed notifications in whichever era this request runs; a failure is logged, not raised
    (the tool call itself succeeded)."""
    try:  # 2026-07-28: the subscription bus (nobody listening at 2025 eras: a no-op)
        await context.notify_prompts_changed()
        await context.notify_resources_changed()
    except Exception as exc:  # pragma: no cover - the bus is in-process
        logger.debug("list_changed (listen streams) not sent: %s", type(exc).__name__)
    try:  # 2025 eras: the session (at 2026-07-28 the SDK drops these in favour of the listen streams)
        session = context.session
        await session.send_prompt_list_changed()
        await session.send_resource_list_changed()
    except Exception as exc:
        logger.debug("list_changed (session) not sent: %s", type(exc).__name__)


def install(server: MCPServer, app: App) -> None:
    """Declare `listChanged` for prompts and resources and send the notifications after a changing call."""
    lowlevel = server._lowlevel_server
    create_options = lowlevel.create_initialization_options

    def create_initialization_options(
        notification_options: NotificationOptions | None = None, *args: Any, **kwargs: Any
    ) -> Any:
        options = notification_options or NotificationOptions(prompts_changed=True, resources_changed=True)
        return create_options(options, *args, **kwargs)

    lowlevel.create_initialization_options = create_initialization_options  # type: ignore[method-assign]

    call_tool = server.call_tool
    state = _documents_state(app)

    async def call_tool_announcing(name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        if name not in CHANGING_TOOLS or context is None:
            return await call_tool(name, arguments, context)
        before = state()
        result = await call_tool(name, arguments, context)
        if state() != before:
            await announce(context)
        return result

    server.call_tool = call_tool_announcing  # type: ignore[method-assign]
