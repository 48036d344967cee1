"""The one-time AIOZ keys page in a real headless browser (Debian's chromium driven by Playwright).

An AIOZ tool is called with no keys anywhere by a client that supports URL-mode elicitation; the client consents
and hands the URL to the "user" (the browser), which finds the two labels worded exactly as the skill says, types
into the two open-ended inputs, submits, and sees the success page; the MCP call waiting on it then completes.
Screenshots land in the test's tmp dir (and in $BOTFLIX_SCREENSHOT_DIR when set).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.types import ElicitRequestURLParams, ElicitResult

from botflix_mcp.server import build_server
from botflix_mcp.templates import KEYS_SAFE_REMINDER, PUBLIC_KEY_QUESTION, SECRET_KEY_QUESTION
from tests.helpers import make_app, sandbox_settings, text_of

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install -y chromium)"),
]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
]


def _keep(path: Path) -> None:
    target = os.environ.get("BOTFLIX_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)


async def test_keys_page_in_headless_chromium(fresh_sandbox: Any, tmp_path: Path, mode: str) -> None:
    from playwright.async_api import async_playwright

    from botflix_mcp.sandbox import DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

    settings = sandbox_settings(fresh_sandbox, tmp_path, keys=False)
    app = make_app(settings)
    server = build_server(settings, app=app)
    urls: list[str] = []
    asked = anyio.Event()

    async def consent(context: Any, params: Any) -> ElicitResult:
        assert isinstance(params, ElicitRequestURLParams)  # URL mode, not a form through the client
        urls.append(params.url)
        asked.set()
        return ElicitResult(action="accept")

    outcome: dict[str, Any] = {}
    finished = anyio.Event()
    problems: list[str] = []
    try:
        async with Client(server, mode=mode, elicitation_callback=consent) as client:

            async def call() -> None:
                outcome["result"] = await client.call_tool("aioz_account", {"action": "me"})
                finished.set()

            async with anyio.create_task_group() as tg, async_playwright() as pw:
                tg.start_soon(call)
                with anyio.fail_after(20):
                    await asked.wait()
                browser = await pw.chromium.launch_persistent_context(
                    str(tmp_path / "chromium-profile"),  # a fresh user-data-dir
                    executable_path=CHROMIUM,
                    headless=True,
                    args=CHROMIUM_ARGS,
                    viewport={"width": 800, "height": 760},
                )
                try:
                    page = await browser.new_page()
                    page.set_default_timeout(10_000)
                    page.on(
                        "console",
                        lambda msg: problems.append(msg.text) if msg.type in {"error", "warning"} else None,
                    )
                    response = await page.goto(urls[0])
                    assert response is not None and response.status == 200
                    # the two labels, worded exactly as the skill says, each bound to an open-ended input
                    labels = page.locator("label")
                    assert await labels.count() == 2
                    assert await page.locator("label[for=public_key]").inner_text() == PUBLIC_KEY_QUESTION
                    assert await page.locator("label[for=secret_key]").inner_text() == SECRET_KEY_QUESTION
                    assert await page.locator("#public_key").get_attribute("type") == "text"
                    assert await page.locator("#secret_key").get_attribute("type") == "password"
                    assert await page.locator("select, input[type=radio], input[type=checkbox]").count() == 0
                    assert await page.get_by_label(PUBLIC_KEY_QUESTION).count() == 1  # accessible names
                    assert await page.get_by_label(SECRET_KEY_QUESTION).count() == 1
                    # the stylesheet applied under the CSP (nonce): the card is styled, not raw HTML
                    radius = await page.locator("main.card").evaluate("e => getComputedStyle(e).borderRadius")
                    assert radius == "16px"
                    shot = tmp_path / f"keys-page-form-{mode}.png"
                    await page.screenshot(path=str(shot), full_page=True)
                    _keep(shot)
                    assert "result" not in outcome  # the tool call is waiting for the page

                    await page.get_by_label(PUBLIC_KEY_QUESTION).fill(DEMO_PUBLIC_KEY)
                    await page.get_by_label(SECRET_KEY_QUESTION).fill(DEMO_SECRET_KEY)
                    async with page.expect_navigation():
                        await page.get_by_role("button", name="Save keys").click()
                    assert await page.locator("h1").inner_text() == "✓ Keys saved"
                    body = await page.content()
                    assert KEYS_SAFE_REMINDER in body
                    assert DEMO_PUBLIC_KEY not in body and DEMO_SECRET_KEY not in body
                    shot = tmp_path / f"keys-page-done-{mode}.png"
                    await page.screenshot(path=str(shot), full_page=True)
                    _keep(shot)

                    # the MCP call that was waiting goes on with the keys
                    with anyio.fail_after(20):
                        await finished.wait()
                    # single use: reloading the link now says it expired
                    again = await page.goto(urls[0])
                    assert again is not None and again.status == 410
                finally:
                    await browser.close()
    finally:
        await app.aclose()

    result = outcome["result"]
    assert not result.is_error, text_of(result)
    assert KEYS_SAFE_REMINDER in text_of(result)
    assert not [p for p in problems if "Content Security Policy" in p], problems
