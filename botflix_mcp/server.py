"""`build_server(settings)`: the MCPServer with the enabled toolsets, the director skills and the schemas."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from mcp.server import MCPServer

from botflix_mcp import __version__, apps
from botflix_mcp.app import App
from botflix_mcp.http_auth import bearer_auth
from botflix_mcp.settings import Settings
from botflix_mcp.toolkit import Toolkit

logger = logging.getLogger(__name__)

SERVER_NAME = "botflix-mcp"

#: toolset -> modules exposing `register(kit: Toolkit, app: App) -> None`, in tools/list order.
TOOLSET_MODULES: dict[str, tuple[str, ...]] = {
    "account": ("botflix_mcp.aioz.tools.account", "botflix_mcp.aioz.tools.api_keys"),
    "media": ("botflix_mcp.aioz.tools.media",),
    "captions": ("botflix_mcp.aioz.tools.captions",),
    "players": ("botflix_mcp.aioz.tools.players",),
    "playlists": ("botflix_mcp.aioz.tools.playlists",),
    "webhooks": ("botflix_mcp.aioz.tools.webhooks",),
    "analytics": ("botflix_mcp.aioz.tools.analytics",),
    "botflix": ("botflix_mcp.botflix.tools",),
    "upload": ("botflix_mcp.aioz.tools.upload", "botflix_mcp.apps.monitor"),
}

#: Modules registering prompts/resources/extra routes: `register(kit: Toolkit, app: App) -> None`.
EXTRA_MODULES: tuple[str, ...] = ("botflix_mcp.aioz.webhooks_receiver", "botflix_mcp.botflix.skills")

INSTRUCTIONS = """\
botflix-mcp lets you direct BotFlix episodes and host media on AIOZ Stream.
- AIOZ tools need the user's key pair; if none is configured a tool tells you the two exact questions to ask,
  then store the answers with aioz_credentials. Never invent keys.
- Director flow: read the director skill (botflix_skill or the prompts), validate the EpisodeBrief and
  ShotManifest, probe the MP4, then upload the episode. Uploading AIOZ media: aioz_upload_media takes a local path
  or URL and reports progress with the skill's templates; then aioz_media_status until the media is done.
- Results carry Markdown for the user in the text and the data in structured content; show the Markdown as is.
"""


def build_server(
    settings: Settings,
    *,
    aioz_transport: httpx.AsyncBaseTransport | None = None,
    botflix_transport: httpx.AsyncBaseTransport | None = None,
    app: App | None = None,
) -> MCPServer:
    """Build the server. Transports let tests route the platform clients through an in-process ASGI app."""
    app = app or App(settings, aioz_transport=aioz_transport, botflix_transport=botflix_transport)

    @asynccontextmanager
    async def lifespan(server: MCPServer) -> AsyncIterator[App]:
        try:
            yield app
        finally:
            await app.aclose()

    server = MCPServer(
        SERVER_NAME,
        title="BotFlix director + AIOZ Stream",
        description="Direct, validate and publish BotFlix episodes; upload and stream media on AIOZ Stream.",
        instructions=INSTRUCTIONS,
        version=__version__,
        website_url="https://github.com/botflix-mcp/botflix-mcp",
        log_level=settings.log_level,  # type: ignore[arg-type]
        lifespan=lifespan,
        extensions=[apps.build_apps(settings)],  # MCP Apps (issue 13): ui:// documents, degrade without it
        **bearer_auth(settings),  # HTTP: SDK TokenVerifier + AuthSettings when BOTFLIX_MCP_HTTP_TOKEN is set
    )
    from botflix_mcp.logs import configure_logging, register_secret

    configure_logging(settings.log_level)
    for secret in settings.secret_values():
        register_secret(secret)

    kit = Toolkit(server, settings)
    for toolset, modules in TOOLSET_MODULES.items():
        if not kit.enabled(toolset) and toolset != "account":
            continue
        for module in modules:
            kit.add_module(module, app)
    for module in EXTRA_MODULES:
        importlib.import_module(module).register(kit, app)
    kit.finish()
    apps.install(server)  # a client without MCP Apps gets the listings of a server without them
    from botflix_mcp import protocol  # last: logging/setLevel, log forwarding, completion fallback

    protocol.register(server, app)
    server._botflix_app = app  # type: ignore[attr-defined]  # for the CLI/HTTP layer and tests
    server._botflix_toolkit = kit  # type: ignore[attr-defined]
    from botflix_mcp import list_changed  # prompts/resources list_changed after botflix_skill refresh

    list_changed.install(server, app)
    return server


def app_of(server: MCPServer) -> App:
    return server._botflix_app  # type: ignore[attr-defined]
