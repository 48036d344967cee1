"""The sandbox's behaviours as settings and flags (issue 10 §8): balance, transcoding time, failing encodes, fault
injection, and `--sandbox --no-demo-keys` so the credential flow can be tried.

Through the real CLI where it matters: `botflix-mcp sandbox ...` and `botflix-mcp --sandbox ...` as subprocesses
on loopback, driven by the MCP SDK client.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from mcp import Client, StdioServerParameters
from mcp.types import ElicitRequestFormParams, ElicitRequestURLParams

from botflix_mcp.cli import build_parser
from botflix_mcp.runner import sandbox_config
from botflix_mcp.settings import SettingsError, load_settings
from botflix_mcp.templates import PUBLIC_KEY_QUESTION
from tests.helpers import make_app, sandbox_settings, structured, text_of
from tests.test_credentials import Elicitations, demo_keys, form_only  # noqa: F401  (form_only: a fixture)

pytestmark = pytest.mark.anyio
EPISODE = Path(__file__).resolve().parents[2] / "botflix_mcp" / "demo_assets" / "episode.mp4"


def _env() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT")
    return {k: os.environ[k] for k in keep if k in os.environ} | {"PYTHONUNBUFFERED": "1"}


@pytest.fixture
def cli_sandbox(request: pytest.FixtureRequest) -> Iterator[SimpleNamespace]:
    """`botflix-mcp sandbox <flags>` as a subprocess on a free loopback port; its URL read from the banner."""
    flags: list[str] = request.param
    proc = subprocess.Popen(
        [sys.executable, "-m", "botflix_mcp", "sandbox", "--port", "0", *flags],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=_env(),
    )
    banner: list[str] = []
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            banner.append(line.rstrip("\n"))
            if line.startswith("Ctrl-C"):
                break
        assert banner and banner[0].startswith("botflix-mcp sandbox on http://127.0.0.1:"), banner
        url = banner[0].rsplit(" ", 1)[1]
        yield SimpleNamespace(
            url=url, aioz_base_url=f"{url}/aioz/api", botflix_base_url=f"{url}/botflix", banner="\n".join(banner)
        )
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_flags_are_in_help_with_their_environment_names() -> None:
    text = build_parser().format_help()
    for flag, env in [
        ("--balance", "BOTFLIX_MCP_SANDBOX_BALANCE"),
        ("--transcode-seconds", "BOTFLIX_MCP_SANDBOX_TRANSCODE_SECONDS"),
        ("--fail-encoding", "BOTFLIX_MCP_SANDBOX_FAIL_ENCODING"),
        ("--fault-rate", "BOTFLIX_MCP_SANDBOX_FAULT_RATE"),
        ("--fault-latency", "BOTFLIX_MCP_SANDBOX_FAULT_LATENCY"),
        ("--no-demo-keys", "BOTFLIX_MCP_SANDBOX_DEMO_KEYS"),
    ]:
        assert flag in text and env in text, flag


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"BOTFLIX_MCP_SANDBOX_BALANCE": "-1"}, "must be from 0"),
        ({"BOTFLIX_MCP_SANDBOX_BALANCE": "lots"}, "expected a number"),
        ({"BOTFLIX_MCP_SANDBOX_FAULT_RATE": "1.5"}, "from 0 to 1"),
        ({"BOTFLIX_MCP_SANDBOX_FAULT_RATE": "nan"}, "from 0 to 1"),
        ({"BOTFLIX_MCP_SANDBOX_TRANSCODE_SECONDS": "-2"}, "from 0 to 3600"),
        ({"BOTFLIX_MCP_SANDBOX_DEMO_KEYS": "perhaps"}, "true/false"),
    ],
)
def test_bad_sandbox_values_name_the_variable(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(env)
    assert err.value.env == next(iter(env)) and fragment in str(err.value)


async def test_fault_rate_and_latency_reach_every_aioz_request_and_survive_a_reset() -> None:
    from botflix_mcp.sandbox import DEMO_PUBLIC_KEY, DEMO_SECRET_KEY, Sandbox

    settings = load_settings({"BOTFLIX_MCP_SANDBOX_FAULT_RATE": "1", "BOTFLIX_MCP_SANDBOX_FAULT_LATENCY": "0.2"})
    sandbox = Sandbox(sandbox_config(settings))
    headers = {"stream-public-key": DEMO_PUBLIC_KEY, "stream-secret-key": DEMO_SECRET_KEY}
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        for _ in range(2):
            started = time.monotonic()
            statuses = set()
            for _ in range(6):
                try:
                    statuses.add((await http.get("/aioz/api/user/me", headers=headers)).status_code)
                except (httpx.HTTPError, ConnectionAbortedError):  # in-process, a drop raises
                    statuses.add(-1)  # a dropped connection
            assert statuses and statuses <= {500, 429, -1}, statuses  # every request failed, none answered 200
            assert time.monotonic() - started >= 6 * 0.2
            sandbox.reset()  # the faults it was started with stay; tests' set_faults() are what a reset clears
    calm = Sandbox(sandbox_config(load_settings({})))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=calm.app), base_url="http://sandbox") as http:
        assert (await http.get("/aioz/api/user/me", headers=headers)).status_code == 200


@pytest.mark.parametrize(
    "cli_sandbox", [["--balance", "1.5", "--fail-encoding", "--transcode-seconds", "3"]], indirect=True
)
async def test_cli_sandbox_balance_slow_and_failing_encode(cli_sandbox: Any, tmp_path: Path) -> None:
    assert "balance 1.50; transcoding 3 s; every encode fails" in cli_sandbox.banner
    settings = sandbox_settings(cli_sandbox, tmp_path, allowed_roots=(tmp_path,))
    video = tmp_path / "clip.mp4"
    video.write_bytes(EPISODE.read_bytes())
    app = make_app(settings)
    from botflix_mcp.server import build_server

    try:
        async with Client(build_server(settings, app=app)) as client:
            me = await client.call_tool("aioz_account", {"action": "me"})
            assert not me.is_error, text_of(me)
            assert "Balance: 1.50" in text_of(me)
            started = time.monotonic()
            upload = await client.call_tool("aioz_upload_media", {"source": str(video), "title": "An ordinary title"})
            assert not upload.is_error, text_of(upload)
            media_id = structured(upload)["data"]["media_id"]
            status = await client.call_tool("aioz_media_status", {"media_id": media_id, "wait_seconds": 30})
            elapsed = time.monotonic() - started
    finally:
        await app.aclose()
    assert "Encoding Failed" in text_of(status), text_of(status)
    assert elapsed >= 3.0  # the whole transcoding time passed before the failure (the default is 1 s)


@pytest.mark.usefixtures("fresh_sandbox")  # only for the session's secret guard; these servers run their own
async def test_sandbox_without_demo_keys_asks_for_them_through_the_page(mode: str, tmp_path: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "botflix_mcp", "--sandbox", "--no-demo-keys", "--allowed-roots", str(tmp_path)],
        env=_env() | {"BOTFLIX_MCP_CACHE_DIR": str(tmp_path / "cache"), "BOTFLIX_MCP_LOG_LEVEL": "warning"},
        cwd=str(tmp_path),
    )
    asker = Elicitations(form=demo_keys(), url=demo_keys())
    async with Client(params, mode=mode, elicitation_callback=asker) as client:
        result = await client.call_tool("aioz_account", {"action": "me"})
    assert not result.is_error, text_of(result)
    assert structured(result)["data"]["email"] == "demo@sandbox.invalid"
    assert len(asker.asked) == 1 and isinstance(asker.asked[0], ElicitRequestURLParams)  # the keys page
    assert asker.page_status == [200]


@pytest.mark.usefixtures("form_only")  # a client with form elicitation only (changes the client, not the server)
async def test_sandbox_without_demo_keys_asks_for_them_in_a_form(tmp_path: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "botflix_mcp", "--sandbox", "--no-demo-keys"],
        env=_env() | {"BOTFLIX_MCP_CACHE_DIR": str(tmp_path / "cache"), "BOTFLIX_MCP_LOG_LEVEL": "warning"},
        cwd=str(tmp_path),
    )
    asker = Elicitations(form=demo_keys())
    async with Client(params, mode="legacy", elicitation_callback=asker) as client:
        first = await client.call_tool("aioz_account", {"action": "me"})
        second = await client.call_tool("aioz_account", {"action": "me"})
    assert not first.is_error and not second.is_error, text_of(first)
    assert structured(second)["data"]["email"] == "demo@sandbox.invalid"
    assert len(asker.asked) == 1 and isinstance(asker.asked[0], ElicitRequestFormParams)  # kept for the session


def test_sandbox_without_demo_keys_prints_the_keys_to_paste(tmp_path: Path) -> None:
    from botflix_mcp.sandbox import DEMO_DASHBOARD_TOKEN

    out = subprocess.run(
        [sys.executable, "-m", "botflix_mcp", "--sandbox", "--no-demo-keys", "--log-level", "warning"],
        stdin=subprocess.DEVNULL,  # the stdio server starts, prints, reads end-of-file and exits
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    public, secret = demo_keys()
    assert "without AIOZ keys (--no-demo-keys)" in out.stderr
    assert f"AIOZ_PUBLIC_KEY={public}" in out.stderr and f"AIOZ_SECRET_KEY={secret}" in out.stderr
    assert DEMO_DASHBOARD_TOKEN not in out.stderr  # configured already: only the pair is asked for
    assert out.stdout == ""  # stdout is the MCP stream


async def test_sandbox_without_demo_keys_asks_in_chat_when_the_client_cannot_elicit(tmp_path: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "botflix_mcp", "--sandbox", "--no-demo-keys"],
        env=_env() | {"BOTFLIX_MCP_CACHE_DIR": str(tmp_path / "cache"), "BOTFLIX_MCP_LOG_LEVEL": "warning"},
        cwd=str(tmp_path),
    )
    public, secret = demo_keys()
    async with Client(params, mode="legacy") as client:
        asked = await client.call_tool("aioz_account", {"action": "me"})
        assert asked.is_error and PUBLIC_KEY_QUESTION in text_of(asked)
        stored = await client.call_tool("aioz_credentials", {"public_key": public, "secret_key": secret})
        assert not stored.is_error, text_of(stored)
        me = await client.call_tool("aioz_account", {"action": "me"})
    assert not me.is_error and structured(me)["data"]["email"] == "demo@sandbox.invalid"


async def test_the_links_the_demo_prints_are_served_by_the_sandbox(
    fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    """The Encoding Finished links, on the sandbox's address as the demo prints them, reach the uploaded file;
    a BotFlix episode's watch URL is the sandbox's own and plays."""
    from botflix_mcp.demo import Sandboxed
    from botflix_mcp.server import build_server

    settings = sandbox_settings(fresh_sandbox, tmp_path, allowed_roots=(tmp_path,))
    video = tmp_path / "clip.mp4"
    video.write_bytes(EPISODE.read_bytes())
    app = make_app(settings)
    try:
        async with Client(build_server(settings, app=app), mode=mode) as client:
            upload = await client.call_tool("aioz_upload_media", {"source": str(video), "title": "Links"})
            media_id = structured(upload)["data"]["media_id"]
            status = await client.call_tool("aioz_media_status", {"media_id": media_id, "wait_seconds": 30})
    finally:
        await app.aclose()
    shown = Sandboxed(fresh_sandbox)(text_of(status))
    links = dict(re.findall(r"- ([\w ]+): `(http[^`]+)`", shown))
    assert set(links) >= {"Stream URL", "Player URL", "MP4", "Source"}, shown
    assert all(u.startswith(fresh_sandbox.url + "/") for u in links.values()), links
    async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
        for name in ("MP4", "Source"):
            got = await http.get(links[name])
            assert got.status_code == 200 and got.content == video.read_bytes(), name
        player = await http.get(links["Player URL"])  # the last Player URL: DASH
        assert player.status_code == 200 and f"/aioz/api/media/{media_id}/mp4" in player.text
        manifest = await http.get(links["Stream URL"])
        assert manifest.status_code == 404 and "no HLS/DASH renditions" in manifest.text
        assert (await http.get(f"{fresh_sandbox.url}/aioz/api/media/not-a-media/mp4")).status_code == 404

        key = (
            await http.post(
                f"{fresh_sandbox.botflix_base_url}/api/v1/directors/register",
                json={"name": "Links", "owner_email": "links@example.com"},
            )
        ).json()["api_key"]
        meta = '{"title": "Links", "duration_seconds": 64}'
        made = await http.post(
            f"{fresh_sandbox.botflix_base_url}/api/v1/episodes/upload",
            headers={"Authorization": f"Bearer {key}"},
            files={"video": ("e.mp4", EPISODE.read_bytes(), "video/mp4"), "metadata": (None, meta)},
        )
        assert made.status_code == 201, made.text
        watch = made.json()["watch_url"]
        assert watch.startswith(f"{fresh_sandbox.botflix_base_url}/watch/")
        played = await http.get(watch)
        assert played.status_code == 200 and played.content == EPISODE.read_bytes()


async def test_balance_zero_reaches_the_not_enough_balance_path(tmp_path: Path) -> None:
    from botflix_mcp.sandbox import SandboxServer
    from botflix_mcp.server import build_server

    with SandboxServer(sandbox_config(load_settings({"BOTFLIX_MCP_SANDBOX_BALANCE": "0"}))) as sandbox:
        settings = sandbox_settings(sandbox, tmp_path, allowed_roots=(tmp_path,))
        video = tmp_path / "clip.mp4"
        video.write_bytes(EPISODE.read_bytes())
        app = make_app(settings)
        try:
            async with Client(build_server(settings, app=app)) as client:
                me = await client.call_tool("aioz_account", {"action": "me"})
                upload = await client.call_tool("aioz_upload_media", {"source": str(video), "title": "Too dear"})
        finally:
            await app.aclose()
    assert "Balance: 0.00" in text_of(me)
    assert upload.is_error and "balance" in text_of(upload).lower(), text_of(upload)
