"""The apps in a real headless browser (Debian chromium driven by Playwright), inside a minimal MCP Apps host.

The host page is the demo's (botflix_mcp/apps/host.html, served by `botflix-mcp sandbox` at /__apps/): each app is
read from the server as a `ui://` resource, rendered in `<iframe sandbox="allow-scripts">` under a CSP built from
its `_meta.ui.csp`, and spoken to over postMessage (ui/initialize, tool-input, tool-result, tools/call,
ui/open-link). Its tools/call and resources/read go to this test's MCP client (Apps advertised) through
Playwright's exposed functions. The AIOZ embed player and thumbnail hosts are answered by Playwright routes (the
test never leaves loopback): a request reaching them proves the CSP let the frame / image through. Screenshots
land in the test's tmp dir (and in $BOTFLIX_SCREENSHOT_DIR when set).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.extension import advertise

from botflix_mcp.apps import APP_MIME_TYPE, EXTENSION_ID
from botflix_mcp.demo_media import padded_mp4
from botflix_mcp.sandbox.faults import FaultConfig, FaultRule
from botflix_mcp.server import build_server
from tests.apps import ext_apps_schema
from tests.apps.browser import EMBED, PNG, THUMBNAILS, chromium, expose_mcp
from tests.e2e.test_credentials_page import CHROMIUM, _keep
from tests.helpers import make_app, sandbox_settings

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install -y chromium)"),
]

ASSETS = Path(__file__).resolve().parents[2] / "botflix_mcp" / "demo_assets"
#: The host page (what the sandbox serves at /__apps/), served here from an origin Playwright answers itself.
HOST_ORIGIN = "http://apps-host.invalid"
HOST_HTML = (Path(__file__).resolve().parents[2] / "botflix_mcp" / "apps" / "host.html").read_text(encoding="utf-8")
XSS = "<img src=x onerror=\"parent.postMessage({jsonrpc:'2.0',method:'xss'},'*')\">"


@asynccontextmanager
async def host_page(server: Any, tmp_path: Path, mode: str) -> AsyncIterator[tuple[Any, Any, list[str]]]:
    """(page, client, requests to the AIOZ hosts): the host page wired to an Apps-advertising client."""
    external: list[str] = []
    apps = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})
    async with Client(server, mode=mode, extensions=[apps]) as client, chromium(tmp_path, height=1400) as browser:

        async def outside(route: Any) -> None:  # nothing leaves loopback
            url = route.request.url
            if url.startswith(HOST_ORIGIN):
                await route.fulfill(status=200, content_type="text/html", body=HOST_HTML)
                return
            external.append(url)
            if url.startswith(EMBED):
                stub = f"<body style='color:#fff;font:16px sans-serif'>AIOZ player stub: {url}</body>"
                await route.fulfill(status=200, content_type="text/html", body=stub)
            elif url.startswith(THUMBNAILS):
                await route.fulfill(status=200, content_type="image/png", body=PNG)
            else:
                await route.abort()

        await browser.route("**/*", outside)
        page = await browser.new_page()
        page.set_default_timeout(15_000)
        await expose_mcp(page, client)
        response = await page.goto(f"{HOST_ORIGIN}/")
        assert response is not None and response.status == 200
        yield page, client, external


async def csp_reports(page: Any) -> list[Any]:
    """Messages the apps sent besides the protocol's own: CSP violations they saw, or anything injected."""
    log = await page.evaluate("Host.log.filter((e) => e.from === 'app' && e.message.method).map((e) => e.message)")
    return [m for m in log if m.get("method") not in _PROTOCOL]


async def assert_official_messages(page: Any) -> None:
    """Every message of the session, both ways, as the official MCP Apps schema has it (tests/apps/ext_apps_schema;
    without the pinned package installed, test_the_official_mcp_apps_schema_is_installed says so)."""
    log = await page.evaluate("Host.log")
    assert {e["from"] for e in log} == {"app", "host"}
    found = ext_apps_schema.problems(log)
    assert found is None or found == [], found


_PROTOCOL = {"ui/initialize", "ui/notifications/initialized", "tools/call", "ui/open-link",
             "ui/notifications/size-changed"}  # fmt: skip


async def shot(page: Any, tmp_path: Path, name: str) -> Path:
    """The newest tool call's turn (its app iframe and the text the model read), scrolled into view."""
    path = tmp_path / f"{name}.png"
    turn = page.locator("section.turn").first
    await turn.scroll_into_view_if_needed()
    await anyio.sleep(0.2)  # the app's last size-changed
    await turn.screenshot(path=str(path))
    _keep(path)
    return path


@pytest.mark.parametrize("run", ["job", "foreground"])
async def test_upload_monitor_shows_the_chunk_table_advance_then_the_player(
    fresh_sandbox: Any, tmp_path: Path, mode: str, run: str
) -> None:
    """As a background job (the app polls the job) and as a foreground call (the app follows the session's running
    upload of that title while the call runs): the table fills part by part, then encoding, then the player."""
    settings = sandbox_settings(fresh_sandbox, tmp_path, upload_parallel=1)
    app = make_app(settings)
    server = build_server(settings, app=app)
    from playwright.async_api import Error as PlaywrightError

    source = padded_mp4(ASSETS / "episode.mp4", tmp_path / "pilot.mp4", 17 * 1024 * 1024)  # 4 parts of 5 MiB
    fresh_sandbox.set_faults(FaultConfig(rules=[FaultRule(pattern=r"POST .*/part$", rate=0.0, latency=0.5)]))
    step = fresh_sandbox.aioz.config.transcode_step
    fresh_sandbox.aioz.config.transcode_step = 0.4
    try:
        async with host_page(server, tmp_path, mode) as (page, client, external):
            arguments = {"source": str(source), "title": "Pilot <b>bold</b>"}
            if run == "job":
                arguments["wait_seconds"] = 0
            await page.evaluate(  # not awaited: a foreground call answers only when the upload is over
                "(a) => { Host.open({tool: 'aioz_upload_media', arguments: a}).then((r) => { window.opened = r; }); }",
                arguments,
            )
            app_frame = page.frame_locator("iframe[data-tool=aioz_upload_media]")
            rows = app_frame.locator("#chunks tbody tr")
            seen: list[tuple[int, int, int]] = []  # (done, in flight, rows) as the table fills
            with anyio.fail_after(30):
                while True:
                    try:
                        states = await rows.evaluate_all("rs => rs.map((r) => r.dataset.state)")
                    except PlaywrightError as exc:  # the app's frame was still loading (srcdoc navigation)
                        if "context was destroyed" not in str(exc):
                            raise
                        await anyio.sleep(0.1)
                        continue
                    counts = (states.count("done"), states.count("uploading"), len(states))
                    if not seen or seen[-1] != counts:
                        seen.append(counts)
                        if counts[0] == 2:
                            await shot(page, tmp_path, f"monitor-uploading-{run}-{mode}")
                    if counts[2] and counts[0] == counts[2]:
                        break
                    await anyio.sleep(0.1)
            assert seen[-1] == (4, 0, 4)
            done_counts = [d for d, _, n in seen if n]
            assert done_counts == sorted(done_counts)  # only goes up
            assert len({d for d in done_counts if 0 < d < 4}) >= 2, seen  # the table advanced, not jumped
            assert any(flight for _, flight, _ in seen), seen  # a part was shown in flight (⏳)
            first = app_frame.locator("#chunks tbody tr").first
            assert (await first.locator("td").all_inner_texts()) == ["0", "5 MB", "✅ done", "✓ valid"]
            assert await app_frame.locator("#title").inner_text() == "Pilot <b>bold</b>"  # text, not markup
            assert await app_frame.locator("#title b").count() == 0

            opened = await (await page.wait_for_function("window.opened && window.opened.result")).json_value()
            data = opened["structuredContent"]["data"]
            if run == "job":
                job = await client.call_tool("aioz_upload_job", {"action": "status", "job_id": data["job_id"]})
                media_id = (job.structured_content or {})["data"]["result"]["media_id"]
            else:
                media_id = data["media_id"]
            player = app_frame.locator("#player iframe")
            await player.wait_for(timeout=30_000)
            assert await player.get_attribute("src") == f"{EMBED}/vod/hls/{media_id}"
            stages = app_frame.locator("#stages li[data-stage=encoding_finished].done")
            await stages.wait_for(timeout=30_000)
            urls = await app_frame.locator("#urls tr td.mono").all_inner_texts()
            assert f"https://api.aiozstream.network/api/media/{media_id}/manifest.m3u8" in urls
            assert f"{EMBED}/vod/hls/{media_id}" in urls
            assert await app_frame.locator("#urls button[data-copy=hls_url]").count() == 1
            await app_frame.locator("#thumb:not(.hidden)").wait_for()
            for _ in range(50):  # the player's page was requested: the CSP's frameDomains let it through
                if f"{EMBED}/vod/hls/{media_id}" in external:
                    break
                await anyio.sleep(0.1)
            assert f"{EMBED}/vod/hls/{media_id}" in external
            assert any(u.startswith("https://api.aiozstream.network/") for u in external)  # the thumbnail
            await shot(page, tmp_path, f"monitor-playing-{run}-{mode}")
            assert await csp_reports(page) == []
            calls = await page.evaluate("Host.log.filter((e) => e.message.method === 'tools/call')"
                                        ".map((e) => e.message.params.name)")  # fmt: skip
            assert "aioz_upload_monitor" in calls  # the app polled its app-only tool
            await assert_official_messages(page)
    finally:
        fresh_sandbox.set_faults(FaultConfig())
        fresh_sandbox.aioz.config.transcode_step = step
        await app.aclose()


async def test_episode_card_renders_the_gates_findings_and_titles_as_text(
    fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    settings = sandbox_settings(fresh_sandbox, tmp_path)
    app = make_app(settings)
    server = build_server(settings, app=app)
    episode = tmp_path / "episode.mp4"
    shutil.copyfile(ASSETS / "episode.mp4", episode)
    metadata = json.loads((ASSETS / "episode-metadata.json").read_text())
    brief = json.loads((ASSETS / "episode-brief.json").read_text())
    manifest = json.loads((ASSETS / "shot-manifest.json").read_text())
    try:
        async with host_page(server, tmp_path, mode) as (page, client, _):
            director = {"name": "Nebula Nine AI", "description": "Sci-fi.", "owner_email": "owner@example.com"}
            assert not (await client.call_tool("botflix_register_director", director)).is_error

            # published: the gates that ran, their finding (duration filled from the probe), then the details
            missing = {k: v for k, v in metadata.items() if k != "duration_seconds"}
            args = {"path": str(episode), "metadata": missing, "brief": brief, "shot_manifest": manifest}
            await page.evaluate("(a) => Host.open({tool: 'botflix_upload_episode', arguments: a})", args)
            card = page.frame_locator("iframe[data-tool=botflix_upload_episode]").locator("article.card")
            await card.locator(".director").wait_for()
            assert await card.locator("h1").inner_text() == metadata["title"]
            assert await card.locator(".director").inner_text() == "🎬 Nebula Nine AI"
            assert await card.locator(".duration").inner_text() == "⏱ 1:04"
            gates = await card.locator("ul.gates li").all_inner_texts()
            assert gates[0] == "✅ Metadata schema, MP4 probe, EpisodeBrief, ShotManifest: passed"
            assert any("duration_seconds was missing" in g and g.startswith("⚠️") for g in gates[1:]), gates
            watch = await card.locator(".watch-url").inner_text()
            await card.locator("button.watch-button").click()
            await page.wait_for_function("(u) => Host.links.includes(u)", arg=watch)
            await shot(page, tmp_path, f"episode-card-{mode}")

            # refused by the gates: every problem listed, nothing sent
            wrong = {**metadata, "duration_seconds": 12}
            await page.evaluate(
                "(a) => Host.open({tool: 'botflix_upload_episode', arguments: a})",
                {"path": str(episode), "metadata": wrong},
            )
            refused = page.frame_locator("iframe[data-tool=botflix_upload_episode]").first.locator("ul.gates")
            await refused.wait_for()
            assert await refused.get_attribute("data-gates") == "refused"
            problems = await refused.locator("li").all_inner_texts()
            assert problems and all(p.startswith("❌ ") for p in problems)
            assert any("duration_seconds" in p for p in problems), problems
            assert not [p for p in problems if "Next step" in p]
            next_step = page.frame_locator("iframe[data-tool=botflix_upload_episode]").first.locator(".next-step")
            assert (await next_step.inner_text()).startswith("Next step: Fix each listed field")
            await shot(page, tmp_path, f"episode-refused-{mode}")

            # a title that is markup stays text, in the card and in the grid
            hostile = {**metadata, "title": XSS}
            published = await client.call_tool("botflix_upload_episode", {"path": str(episode), "metadata": hostile})
            assert not published.is_error
            episode_id = (published.structured_content or {})["data"]["episode_id"]
            await page.evaluate(
                "(id) => Host.open({tool: 'botflix_get_episode', arguments: {episode_id: id}})", episode_id
            )
            got = page.frame_locator("iframe[data-tool=botflix_get_episode]").locator("article.card")
            await got.wait_for()
            assert await got.locator("h1").inner_text() == XSS
            assert await page.frame_locator("iframe[data-tool=botflix_get_episode]").locator("img").count() == 0
            await page.evaluate("Host.open({tool: 'botflix_discover_episodes', arguments: {limit: 10}})")
            grid = page.frame_locator("iframe[data-tool=botflix_discover_episodes]").locator(".grid article.card")
            await grid.first.wait_for()
            titles = await grid.locator("h1").all_inner_texts()
            assert XSS in titles and metadata["title"] in titles
            assert await page.frame_locator("iframe[data-tool=botflix_discover_episodes]").locator("img").count() == 0
            await anyio.sleep(0.3)
            assert await csp_reports(page) == []  # no injected message (method 'xss'), no CSP violation
            await shot(page, tmp_path, f"episode-grid-xss-{mode}")
            await assert_official_messages(page)
    finally:
        await app.aclose()
