"""`aioz_session(ctx, app)`: the AIOZ client bound to this MCP session's credentials.

Every AIOZ tool handler starts with `api = await aioz_session(ctx, app)`: that is where the credential rule is
enforced (keys present or collected, checked once against /user/me) before any other request can be sent.
The handler then passes `api` to the `aioz/api/` functions; it never sends a request itself.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context

from botflix_mcp.aioz.client import AiozSession
from botflix_mcp.app import App
from botflix_mcp.credentials import require_aioz

__all__ = ["AiozSession", "aioz_session"]


async def aioz_session(ctx: Context[Any, Any] | None, app: App) -> AiozSession:
    creds = await require_aioz(ctx, app)
    return AiozSession(app.aioz, creds)
