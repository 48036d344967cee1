"""Real transports (issue 2 §8): the server as a stdio subprocess, and over streamable HTTP (uvicorn on 127.0.0.1),
in both protocol eras, calling a real tool against the loopback sandbox."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client, StdioServerParameters

from tests.e2e.servers import serving
from tests.helpers import sandbox_settings, structured

pytestmark = pytest.mark.anyio
ERA = {"auto": "2026-07-28", "legacy": "2025-11-25"}


def sandbox_env(sandbox: Any) -> dict[str, str]:
    from botflix_mcp.sandbox import DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

    return {
        "AIOZ_BASE_URL": sandbox.aioz_base_url,
        "BOTFLIX_BASE_URL": sandbox.botflix_base_url,
        "AIOZ_PUBLIC_KEY": DEMO_PUBLIC_KEY,
        "AIOZ_SECRET_KEY": DEMO_SECRET_KEY,
    }


async def test_stdio_subprocess(fresh_sandbox: Any, mode: str) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "botflix_mcp"], env=sandbox_env(fresh_sandbox))
    async with Client(params, mode=mode) as client:
        assert client.protocol_version == ERA[mode]
        assert "aioz_account" in [t.name for t in (await client.list_tools()).tools]
        result = await client.call_tool("aioz_account", {"action": "me"})
    assert not result.is_error, result
    assert structured(result)["data"]["email"]


async def test_streamable_http(fresh_sandbox: Any, tmp_path: Path, mode: str) -> None:
    async with serving(sandbox_settings(fresh_sandbox, tmp_path, transport="http")) as url:
        async with Client(url, mode=mode) as client:
            assert client.protocol_version == ERA[mode]
            result = await client.call_tool("aioz_account", {"action": "me"})
            assert not result.is_error, result
            assert structured(result)["data"]["email"]
        async with httpx.AsyncClient() as http:
            health = await http.get(url.replace("/mcp", "/healthz"))
            assert health.json()["status"] == "ok"
