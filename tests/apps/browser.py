"""What the browser tests of the apps share: headless Debian chromium, and the MCP client a host page calls.

A host page (our demo host, or the official AppBridge's test page) reaches the server through three functions
this module exposes on the page, each answered by the test's MCP client: `window.__mcpCallTool(name, argsJson)`,
`window.__mcpReadResource(uri)` and `window.__mcpListTools()`, all taking and returning JSON text.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.e2e.test_credentials_page import CHROMIUM, CHROMIUM_ARGS

#: The AIOZ embed player's origin (the monitor frames it) and a 1x1 PNG for the thumbnail host: tests answer both
#: themselves, so nothing leaves loopback and a request reaching them proves the app's CSP let it through.
EMBED = "https://embed.aiozstream.network"
THUMBNAILS = "https://api.aiozstream.network/"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db40000000049454e44ae426082"
)


@asynccontextmanager
async def chromium(tmp_path: Path, *, height: int = 1000) -> AsyncIterator[Any]:
    """A fresh persistent context of Debian chromium (headless, 900 px wide), closed on exit."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 900, "height": height},
        )
        try:
            yield browser
        finally:
            await browser.close()


def wire(model: Any) -> Any:
    """An MCP result as it travels (camelCase aliases, no nulls)."""
    return model.model_dump(by_alias=True, mode="json", exclude_none=True)


async def expose_mcp(page: Any, client: Any) -> None:
    """The page's `__mcpCallTool`, `__mcpReadResource` and `__mcpListTools`, answered by `client`."""

    async def call_tool(name: str, arguments: str) -> str:
        return json.dumps(wire(await client.call_tool(name, json.loads(arguments))))

    async def read_resource(uri: str) -> str:
        contents = (await client.read_resource(uri)).contents[0]
        return json.dumps({"uri": uri, "text": getattr(contents, "text", ""), "_meta": contents.meta or {}})

    async def list_tools() -> str:
        return json.dumps([wire(t) for t in (await client.list_tools()).tools])

    await page.expose_function("__mcpCallTool", call_tool)
    await page.expose_function("__mcpReadResource", read_resource)
    await page.expose_function("__mcpListTools", list_tools)
