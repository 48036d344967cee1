"""`botflix-mcp sandbox` serves the MCP Apps demo at /__apps/ (issue 13 §5): a host page whose tool calls run on a
real botflix-mcp server (built in the sandbox's loop, Apps negotiated) against that same sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from botflix_mcp.apps import MONITOR_URI
from botflix_mcp.apps.demo import routes
from botflix_mcp.sandbox import DEMO_PUBLIC_KEY, DEMO_SECRET_KEY, SandboxServer
from tests.apps.browser import chromium
from tests.e2e.test_credentials_page import CHROMIUM, _keep

pytestmark = pytest.mark.anyio


@pytest.fixture
def demo_sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(extra_routes=routes()) as sandbox:
        yield sandbox


async def test_the_demo_routes_serve_the_host_page_and_a_real_server(demo_sandbox: SandboxServer) -> None:
    async with httpx.AsyncClient(base_url=demo_sandbox.url, timeout=30) as http:
        page = await http.get("/__apps/")
        assert page.status_code == 200 and "window.Host = Host" in page.text
        tools = {t["name"]: t for t in (await http.get("/__apps/tools")).json()}
        assert tools["aioz_upload_monitor"]["_meta"]["ui"]["visibility"] == ["app"]  # the demo client has Apps
        resource = (await http.get("/__apps/resource", params={"uri": MONITOR_URI})).json()
        assert resource["text"].startswith("<!doctype html>")
        assert resource["_meta"]["ui"]["csp"]["frameDomains"] == ["https://embed.aiozstream.network"]
        assert (await http.get("/__apps/resource", params={"uri": "file:///etc/passwd"})).status_code == 400
        assets = (await http.get("/__apps/demo.json")).json()
        assert (await anyio.Path(assets["video"]).stat()).st_size > 30 * 1024 * 1024 and assets["metadata"]["title"]
        listed = (await http.post("/__apps/call", json={"name": "botflix_discover_episodes", "arguments": {}})).json()
        assert listed["isError"] is False and listed["structuredContent"]["data"] == []
        for body in (page.text, str(tools), resource["text"], str(listed)):
            assert DEMO_PUBLIC_KEY not in body and DEMO_SECRET_KEY not in body


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install -y chromium)")
async def test_a_person_clicks_through_the_demo(demo_sandbox: SandboxServer, tmp_path: Path) -> None:
    async with chromium(tmp_path, height=900) as browser:

        async def loopback_only(route: Any) -> None:
            if route.request.url.startswith(demo_sandbox.url):
                await route.continue_()
            else:
                await route.fulfill(status=204)

        await browser.route("**/*", loopback_only)
        page = await browser.new_page()
        page.set_default_timeout(30_000)
        await page.goto(f"{demo_sandbox.url}/__apps/")
        await page.get_by_role("button", name="Upload a video (background job)").click()
        monitor = page.frame_locator("iframe[data-tool=aioz_upload_media]")
        await monitor.locator("#player iframe").wait_for()
        rows = await monitor.locator("#chunks tbody tr[data-state=done]").count()
        assert rows == 8  # the demo video's eight 5 MiB parts
        await page.get_by_role("button", name="Publish a BotFlix episode").click()
        card = page.frame_locator("iframe[data-tool=botflix_upload_episode]").locator("article.card .director")
        assert await card.inner_text() == "🎬 Demo Director AI"
        path = tmp_path / "apps-demo-page.png"
        await page.screenshot(path=str(path), full_page=True)
        _keep(path)
