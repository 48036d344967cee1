"""`AiozSession`: the AIOZ client bound to this MCP session's credentials.

Every AIOZ tool handler starts with `api = await aioz_session(ctx, app)`: that is where the credential rule is
enforced (keys present or collected, checked once against /user/me) before any other request can be sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver import Context

from botflix_mcp.aioz.client import AiozClient, AiozCredentials, AiozResponse
from botflix_mcp.app import App
from botflix_mcp.credentials import require_aioz


@dataclass(frozen=True)
class AiozSession:
    client: AiozClient
    creds: AiozCredentials

    async def request(self, method: str, path: str, **kw: Any) -> AiozResponse:
        return await self.client.request(method, path, creds=self.creds, **kw)

    async def get(self, path: str, **kw: Any) -> AiozResponse:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> AiozResponse:
        return await self.request("POST", path, **kw)

    async def patch(self, path: str, **kw: Any) -> AiozResponse:
        return await self.request("PATCH", path, **kw)

    async def put(self, path: str, **kw: Any) -> AiozResponse:
        return await self.request("PUT", path, **kw)

    async def delete(self, path: str, **kw: Any) -> AiozResponse:
        return await self.request("DELETE", path, **kw)

    async def me(self) -> dict[str, Any]:
        return await self.client.me(self.creds)


async def aioz_session(ctx: Context[Any, Any] | None, app: App) -> AiozSession:
    creds = await require_aioz(ctx, app)
    return AiozSession(app.aioz, creds)
