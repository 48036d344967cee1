"""The apps under the official host side: `AppBridge` of `@modelcontextprotocol/ext-apps` (what hosts built on the
Apps SDK run), in headless Debian chromium.

scripts/test.sh installs the pinned package (tests/apps/ext-apps) and bundles `host-bridge.js` (the SDK's
`AppBridge` and `PostMessageTransport`) with esbuild into one browser script, its path in
`BOTFLIX_EXT_APPS_BRIDGE`. The page below is the smallest host the SDK's own example describes: the app's HTML in
`<iframe sandbox="allow-scripts">`, an `AppBridge` with no MCP client of its own, whose `oncalltool` and
`onopenlink` go to this test's MCP client (Apps advertised), and the tool's input and result sent once the app has
initialized. So our bridge.js meets the SDK's handshake, its checks of every message, and its answers, not only our
demo host's (tests/apps/test_apps_browser.py).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.extension import advertise

from botflix_mcp.apps import APP_MIME_TYPE, EXTENSION_ID
from botflix_mcp.demo_media import padded_mp4
from botflix_mcp.server import build_server
from tests.apps.browser import EMBED, PNG, THUMBNAILS, chromium, expose_mcp, wire
from tests.apps.ext_apps_schema import install_dir
from tests.e2e.test_credentials_page import CHROMIUM, _keep
from tests.helpers import make_app, sandbox_settings

BRIDGE_ENV = "BOTFLIX_EXT_APPS_BRIDGE"


def bridge_path() -> Path:
    given = os.environ.get(BRIDGE_ENV)
    return Path(given) if given else install_dir() / "host-bridge.bundle.js"


pytestmark = [
    pytest.mark.anyio,
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install -y chromium)"),
    pytest.mark.skipif(
        not bridge_path().is_file(),
        reason=f"the official AppBridge bundle is not at {bridge_path()} (scripts/test.sh builds it from "
        "tests/apps/ext-apps with npm ci and esbuild; set BOTFLIX_EXT_APPS_BRIDGE to another)",
    ),
]

ASSETS = Path(__file__).resolve().parents[2] / "botflix_mcp" / "demo_assets"
ORIGIN = "http://official-host.invalid"
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>AppBridge host</title></head>
<body><script src="/bridge.js"></script><script>
"use strict";
window.opened = [];
window.links = [];
window.sizes = [];
window.calls = [];
async function openApp(toolName, args, result) {
  const tools = JSON.parse(await window.__mcpListTools());
  const tool = tools.find((t) => t.name === toolName);
  const uri = tool._meta.ui.resourceUri;
  const resource = JSON.parse(await window.__mcpReadResource(uri));
  const frame = document.createElement("iframe");
  frame.setAttribute("sandbox", "allow-scripts");
  frame.dataset.tool = toolName;
  frame.style.width = "860px";
  frame.style.height = "900px";
  document.body.append(frame);
  const { AppBridge, PostMessageTransport } = ExtAppsHost;
  const bridge = new AppBridge(null, { name: "official-appbridge-test", version: "1" },
    { openLinks: {}, serverTools: {}, logging: {} },
    { hostContext: { theme: "dark", displayMode: "inline", toolInfo: { tool } } });
  const state = { tool: toolName, initialized: false, appInfo: null };
  window.opened.push(state);
  bridge.oncalltool = async (params) => {
    window.calls.push(params.name);
    return JSON.parse(await window.__mcpCallTool(params.name, JSON.stringify(params.arguments || {})));
  };
  bridge.onopenlink = async (params) => { window.links.push(params.url); return {}; };
  bridge.onsizechange = (params) => { window.sizes.push(params); };
  bridge.oninitialized = () => {
    state.initialized = true;
    state.appInfo = bridge.getAppVersion();
    bridge.sendToolInput({ arguments: args });
    bridge.sendToolResult(result);
  };
  await bridge.connect(new PostMessageTransport(frame.contentWindow, frame.contentWindow));
  frame.srcdoc = resource.text;
  return state;
}
</script></body></html>"""


async def run_host(server: Any, tmp_path: Path, mode: str, steps: Any) -> None:
    bundle = bridge_path().read_text(encoding="utf-8")
    apps = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})
    async with Client(server, mode=mode, extensions=[apps]) as client, chromium(tmp_path) as browser:
        errors: list[str] = []

        async def route(route: Any) -> None:  # nothing leaves loopback
            url = route.request.url
            if url == f"{ORIGIN}/":
                await route.fulfill(status=200, content_type="text/html", body=PAGE)
            elif url == f"{ORIGIN}/bridge.js":
                await route.fulfill(status=200, content_type="text/javascript", body=bundle)
            elif url.startswith(EMBED):
                await route.fulfill(status=200, content_type="text/html", body="<body>player stub</body>")
            elif url.startswith(THUMBNAILS):
                await route.fulfill(status=200, content_type="image/png", body=PNG)
            else:
                await route.abort()

        await browser.route("**/*", route)
        page = await browser.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        await expose_mcp(page, client)
        await page.goto(f"{ORIGIN}/")
        await steps(page, client)
        assert errors == []  # the SDK refused nothing (it logs and throws on a message it cannot parse)


async def open_app(page: Any, tool: str, arguments: dict[str, Any], result: Any) -> None:
    await page.evaluate("([t, a, r]) => openApp(t, a, r)", [tool, arguments, wire(result)])
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        await page.wait_for_function(
            "(t) => window.opened.some((s) => s.tool === t && s.initialized)", arg=tool, timeout=15_000
        )
    except PlaywrightTimeout:
        raise AssertionError(f"{tool}'s app did not complete the official AppBridge's handshake in 15 s") from None


async def test_the_episode_card_under_the_official_app_bridge(fresh_sandbox: Any, tmp_path: Path, mode: str) -> None:
    settings = sandbox_settings(fresh_sandbox, tmp_path)
    app = make_app(settings)
    server = build_server(settings, app=app)
    episode = tmp_path / "episode.mp4"
    shutil.copyfile(ASSETS / "episode.mp4", episode)
    metadata = json.loads((ASSETS / "episode-metadata.json").read_text())

    async def steps(page: Any, client: Any) -> None:
        director = {"name": "Nebula Nine AI", "description": "Sci-fi.", "owner_email": "owner@example.com"}
        assert not (await client.call_tool("botflix_register_director", director)).is_error
        arguments = {"path": str(episode), "metadata": metadata}
        published = await client.call_tool("botflix_upload_episode", arguments)
        assert not published.is_error
        await open_app(page, "botflix_upload_episode", arguments, published)
        card = page.frame_locator("iframe[data-tool=botflix_upload_episode]").locator("article.card")
        await card.locator(".director").wait_for()
        assert await card.locator("h1").inner_text() == metadata["title"]
        assert await card.locator(".director").inner_text() == "🎬 Nebula Nine AI"
        watch = await card.locator(".watch-url").inner_text()
        await card.locator("button.watch-button").click()  # ui/open-link through the SDK's handler
        await page.wait_for_function("(u) => window.links.includes(u)", arg=watch)
        assert await page.evaluate("window.sizes.length") > 0  # size-changed reached onsizechange
        assert await page.evaluate("window.opened[0].appInfo") == {"name": "botflix-episode", "version": "1"}
        path = tmp_path / f"official-episode-{mode}.png"
        await page.screenshot(path=str(path))
        _keep(path)

    try:
        await run_host(server, tmp_path, mode, steps)
    finally:
        await app.aclose()


async def test_the_upload_monitor_polls_through_the_official_app_bridge(
    fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    settings = sandbox_settings(fresh_sandbox, tmp_path, upload_parallel=2)
    app = make_app(settings)
    server = build_server(settings, app=app)
    source = padded_mp4(ASSETS / "episode.mp4", tmp_path / "pilot.mp4", 12 * 1024 * 1024)  # 3 parts of 5 MiB

    async def steps(page: Any, client: Any) -> None:
        arguments = {"source": str(source), "title": "Pilot"}
        uploaded = await client.call_tool("aioz_upload_media", arguments)
        assert not uploaded.is_error
        media_id = (uploaded.structured_content or {})["data"]["media_id"]
        await open_app(page, "aioz_upload_media", arguments, uploaded)
        frame = page.frame_locator("iframe[data-tool=aioz_upload_media]")
        rows = frame.locator("#chunks tbody tr[data-state=done]")
        await rows.nth(2).wait_for()  # the finished upload's three parts, from the tool result
        assert await rows.count() == 3
        player = frame.locator("#player iframe")
        await player.wait_for(timeout=30_000)
        assert await player.get_attribute("src") == f"{EMBED}/vod/hls/{media_id}"
        assert "aioz_upload_monitor" in await page.evaluate("window.calls")  # polled through oncalltool

    try:
        await run_host(server, tmp_path, mode, steps)
    finally:
        await app.aclose()
