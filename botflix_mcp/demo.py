"""`botflix-mcp demo`: the main job, end to end, against the built-in sandbox (no accounts, no network).

It starts the sandbox on 127.0.0.1, starts this server over stdio as a real subprocess (the way a desktop client
does), connects the MCP SDK client and walks the flow an agent would, printing what the agent sees: the tools, the
AIOZ account, a chunked upload with live progress and the skill's templates, encoding until the media is live,
and a BotFlix episode validated, probed and uploaded.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import anyio

from botflix_mcp.demo_media import padded_mp4
from botflix_mcp.settings import Settings

ASSETS = Path(__file__).parent / "demo_assets"
PAD_BYTES = 11 * 1024 * 1024  # makes the demo upload span three 5 MiB parts
RULE = "─" * 78


def say(text: str = "") -> None:
    print(text, flush=True)


def heading(text: str) -> None:
    say()
    say(RULE)
    say(f"▶ {text}")
    say(RULE)


#: What the labels in the tool list mean (from each tool's MCP annotations).
LEGEND = (
    "  Labels, from each tool's annotations:\n"
    "    read-only    reads only, changes nothing\n"
    "    writes       creates or changes something, nothing existing is lost\n"
    "    destructive  may delete or overwrite what exists (clients should ask before calling)\n"
    "    idempotent   calling it again with the same arguments changes nothing more\n"
    "    local        works on this machine only, no platform call"
)

#: AIOZ's production hosts as the skill's templates write them, and where the demo's media really is.
PRODUCTION_HOSTS = ("https://api.aiozstream.network/api", "https://embed.aiozstream.network")


def tool_label(annotations: Any) -> str:
    """`read-only`, or `writes` plus `destructive` / `idempotent`, plus `local`: what the annotations say."""
    read_only = bool(annotations and annotations.read_only_hint)
    parts = ["read-only" if read_only else "writes"]
    if not read_only:
        # MCP defaults: destructiveHint true and idempotentHint false when not given
        if annotations is None or annotations.destructive_hint is not False:
            parts[0] = "destructive"
        if annotations is not None and annotations.idempotent_hint:
            parts.append("idempotent")
    if annotations is not None and annotations.open_world_hint is False:
        parts.append("local")
    return ", ".join(parts)


def progress_text(progress: float, total: float | None) -> str:
    """`1/3`, never `1/3.0`."""
    return f"{progress:g}/{total:g}" if total is not None else f"{progress:g}"


def text_of(result: Any) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content)


class Sandboxed:
    """Prints the AIOZ production hosts of the skill's templates as the sandbox's address, since the demo's media
    exists only in the sandbox."""

    def __init__(self, sandbox: Any) -> None:
        self.targets = (sandbox.aioz_base_url, f"{sandbox.url}/aioz/embed")

    def __call__(self, text: str) -> str:
        for host, target in zip(PRODUCTION_HOSTS, self.targets, strict=True):
            text = text.replace(host, target)
        return text


_rewrite: Sandboxed | None = None


def show(result: Any, limit: int = 4000) -> None:
    text = text_of(result)
    if _rewrite is not None:
        text = _rewrite(text)
    if len(text) > limit:
        text = text[:limit] + "\n…"
    say(textwrap.indent(text, "  "))
    if result.is_error:
        raise RuntimeError("the tool answered with an error (shown above)")


async def _demo(settings: Settings) -> int:
    from mcp import Client, StdioServerParameters

    from botflix_mcp.runner import sandbox_config
    from botflix_mcp.sandbox import DEMO_DASHBOARD_TOKEN, DEMO_PUBLIC_KEY, DEMO_SECRET_KEY, SandboxServer

    config = sandbox_config(settings)  # `botflix-mcp demo --fail-encoding` etc. walk the same flow into trouble
    config.check_mime = True
    sandbox = SandboxServer(config).start()
    work = Path(tempfile.mkdtemp(prefix="botflix-demo-"))
    try:
        heading(f"Sandbox: AIOZ Stream and BotFlix emulators on {sandbox.url} (loopback only)")
        global _rewrite
        _rewrite = Sandboxed(sandbox)
        say(
            "The demo's media exist only in the sandbox, so the links the skill's templates put on AIOZ's hosts\n"
            f"({' and '.join(PRODUCTION_HOSTS)})\nare printed on the sandbox's address ({_rewrite.targets[0]} and "
            f"{_rewrite.targets[1]})."
        )
        env = {
            "AIOZ_BASE_URL": sandbox.aioz_base_url,
            "AIOZ_PUBLIC_KEY": DEMO_PUBLIC_KEY,
            "AIOZ_SECRET_KEY": DEMO_SECRET_KEY,
            "AIOZ_DASHBOARD_TOKEN": DEMO_DASHBOARD_TOKEN,
            "BOTFLIX_BASE_URL": sandbox.botflix_base_url,
            "BOTFLIX_MCP_CHUNK_SIZE": "5MiB",
            "BOTFLIX_MCP_CACHE_DIR": str(work / "cache"),
            "BOTFLIX_MCP_LOG_LEVEL": "warning",
            "BOTFLIX_MCP_ALLOWED_ROOTS": str(work),
        }
        params = StdioServerParameters(command=sys.executable, args=["-m", "botflix_mcp"], env=env, cwd=str(work))
        say(f"Server: {sys.executable} -m botflix_mcp (stdio subprocess)")
        async with Client(params) as client:
            tools = (await client.list_tools()).tools
            heading(f"tools/list: {len(tools)} tools")
            say(LEGEND)
            say()
            for tool in tools:
                say(f"  {tool.name:28s} {'[' + tool_label(tool.annotations) + ']':27s} {tool.title or ''}")
            names = {t.name for t in tools}

            heading("aioz_account: who am I on AIOZ Stream?")
            show(await client.call_tool("aioz_account", {"action": "me"}))

            video = padded_mp4(ASSETS / "episode.mp4", work / "pilot-episode.mp4", PAD_BYTES)
            heading(f"aioz_upload_media: {video.name} ({video.stat().st_size / 1048576:.1f} MiB, 5 MiB parts)")
            seen: list[str] = []

            async def on_progress(progress: float, total: float | None, message: str | None) -> None:
                seen.append(message or "")
                say(f"  [progress {progress_text(progress, total)}] {message}")

            result = await client.call_tool(
                "aioz_upload_media",
                {"source": str(video), "title": "Pilot episode", "tags": ["botflix", "demo"]},
                progress_callback=on_progress,
            )
            show(result, limit=8000)
            media_id = (result.structured_content or {}).get("data", {}).get("media_id")
            if not media_id:
                raise RuntimeError("the upload result carries no media_id")

            heading("aioz_media_status: wait until encoding is finished")
            show(await client.call_tool("aioz_media_status", {"media_id": media_id, "wait_seconds": 30}), 6000)

            if "botflix_upload_episode" in names:
                await _botflix_part(client, work)
            else:
                heading("BotFlix tools are not enabled in this build (toolset 'botflix')")
        heading("Demo finished: every step above ran against the sandbox through a real MCP client.")
        return 0
    finally:
        _rewrite = None
        sandbox.stop()
        shutil.rmtree(work, ignore_errors=True)


async def _botflix_part(client: Any, work: Path) -> None:
    brief = json.loads((ASSETS / "episode-brief.json").read_text())
    manifest = json.loads((ASSETS / "shot-manifest.json").read_text())
    metadata = json.loads((ASSETS / "episode-metadata.json").read_text())
    episode = work / "episode.mp4"
    shutil.copyfile(ASSETS / "episode.mp4", episode)

    heading("botflix_register_director")
    show(
        await client.call_tool(
            "botflix_register_director",
            {
                "name": "Nebula Nine AI",
                "description": "Serialized sci-fi with twist endings.",
                "owner_email": "owner@example.com",
            },
        )
    )
    heading("botflix_profile: update the generation profile")
    show(
        await client.call_tool(
            "botflix_profile",
            {"action": "update", "video_model": "free_stills", "target_seconds": 64, "creation_tier": "free"},
        )
    )
    heading("botflix_validate: the EpisodeBrief, then the ShotManifest against it")
    show(await client.call_tool("botflix_validate", {"kind": "brief", "document": brief}))
    show(await client.call_tool("botflix_validate", {"kind": "shot_manifest", "document": manifest, "brief": brief}))
    heading("botflix_probe_episode: the local MP4 gate")
    show(await client.call_tool("botflix_probe_episode", {"path": str(episode)}))
    heading("botflix_upload_episode")
    show(
        await client.call_tool(
            "botflix_upload_episode",
            {"path": str(episode), "metadata": metadata, "brief": brief, "shot_manifest": manifest},
        )
    )
    heading("botflix_discover_episodes")
    show(await client.call_tool("botflix_discover_episodes", {"limit": 5}))


def run_demo(settings: Settings) -> int:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    try:
        return anyio.run(_demo, settings)
    except Exception as exc:  # the demo's own failure: say what broke, exit non-zero
        say(f"\nDEMO FAILED: {type(exc).__name__}: {exc}")
        return 1
