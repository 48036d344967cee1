"""MCP Apps (`io.modelcontextprotocol/ui`): the director's monitor next to the tool calls (issue 13).

Two `ui://` documents, each one self-contained HTML file of this package (inline CSS and JS, no CDN):

- `MONITOR_URI`, bound to `aioz_upload_media`, `aioz_upload_job` and `aioz_media_status`: the live chunk table of
  an upload job, the encoding stages, then the AIOZ embed player, the stream/player URLs and the thumbnail. It polls
  the app-only tool `aioz_upload_monitor` (`botflix_mcp/apps/monitor.py`), which returns the job's state as data.
- `EPISODE_URI`, bound to `botflix_upload_episode`, `botflix_get_episode` (a card) and `botflix_discover_episodes`
  (a grid).

Graceful degradation (SEP-2133): what a tool returns never depends on the extension, and a client that did not
negotiate it sees exactly the listings of a server without Apps: `install()` adds a middleware that, for such a
client, drops app-only tools from `tools/list`, strips `_meta.ui` from the others and leaves the `ui://` resources
out of `resources/list`. Hosts that did negotiate it see `_meta.ui` and hide `visibility: ["app"]` tools from the
model themselves (the ext-apps specification).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID, Apps, ResourceCsp, ResourcePermissions, client_supports_apps
from pydantic import BaseModel

from botflix_mcp.settings import Settings

__all__ = [
    "APP_MIME_TYPE",
    "EPISODE_URI",
    "EXTENSION_ID",
    "MONITOR_URI",
    "build_apps",
    "client_supports_apps",
    "document",
    "install",
    "ui_meta",
]

MONITOR_URI = "ui://botflix-mcp/upload-monitor.html"
EPISODE_URI = "ui://botflix-mcp/episode.html"

#: The AIOZ embed player (docs/aioz-api.md §players): the only origin an app frames.
EMBED_ORIGIN = "https://embed.aiozstream.network"
#: Where AIOZ serves thumbnails (`assets.thumbnail_url`, docs/aioz-api.md §media).
THUMBNAIL_ORIGIN = "https://api.aiozstream.network"

#: Resource file (in this package) -> (uri, title, description).
DOCUMENTS: dict[str, tuple[str, str, str]] = {
    "upload-monitor.html": (
        MONITOR_URI,
        "AIOZ upload & encoding monitor",
        "Live chunk table of an upload, the encoding stages, then the AIOZ player with its stream URLs.",
    ),
    "episode.html": (
        EPISODE_URI,
        "BotFlix episode card",
        "An episode's title, director, duration, the local gates' findings and its watch link; a grid for lists.",
    ),
}


@functools.cache
def document(name: str) -> str:
    """One app's HTML: the file with the shared stylesheet and host bridge written into it (still one document)."""
    folder = resources.files(__package__)
    html = (folder / name).read_text(encoding="utf-8")
    shared = {
        "/*@BASE_CSS@*/": (folder / "base.css").read_text(encoding="utf-8"),
        "/*@BRIDGE_JS@*/": (folder / "bridge.js").read_text(encoding="utf-8"),
    }
    for marker, text in shared.items():
        html = html.replace(marker, text)
    return html


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in ("127.0.0.1", "localhost", "::1")


def monitor_csp(settings: Settings) -> ResourceCsp:
    """The smallest CSP the monitor works with: it frames only the AIOZ embed player and loads images only from
    AIOZ (plus the sandbox's loopback origin when the server runs against it). It makes no network request of its
    own (every datum comes through the host), so no connectDomains."""
    images = [THUMBNAIL_ORIGIN]
    sandbox = _origin(settings.aioz_base_url) if _loopback(settings.aioz_base_url) else None
    if sandbox and sandbox not in images:
        images.append(sandbox)
    return ResourceCsp(frame_domains=[EMBED_ORIGIN], resource_domains=images)


def build_apps(settings: Settings) -> Apps:
    """The extension with both `ui://` documents and their CSP (passed as `MCPServer(extensions=[...])`)."""
    apps = Apps()
    csp = {
        MONITOR_URI: monitor_csp(settings),
        EPISODE_URI: ResourceCsp(),  # no image, no frame, no fetch: text and one link through ui/open-link
    }
    for name, (uri, title, description) in DOCUMENTS.items():
        apps.add_html_resource(
            uri,
            document(name),
            name=name.removesuffix(".html"),
            title=title,
            description=description,
            csp=csp[uri],
            permissions=ResourcePermissions(clipboard_write={}) if uri == MONITOR_URI else None,
            prefers_border=True,
        )
    return apps


def ui_meta(resource_uri: str, visibility: Sequence[str] | None = None) -> dict[str, Any]:
    """The tool `_meta` entry binding a tool to an app (`_meta.ui`)."""
    if resource_uri not in {uri for uri, _, _ in DOCUMENTS.values()}:
        raise ValueError(f"no MCP App is registered at {resource_uri!r}")
    ui: dict[str, Any] = {"resourceUri": resource_uri}
    if visibility is not None:
        ui["visibility"] = list(visibility)
    return {"ui": ui}


# --------------------------------------------------------------------------- graceful degradation


def is_app_only(meta: Mapping[str, Any] | None) -> bool:
    ui = (meta or {}).get("ui")
    visibility = ui.get("visibility") if isinstance(ui, Mapping) else None
    return isinstance(visibility, list | tuple) and "model" not in visibility


def _plain_tool(tool: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in (tool.get("_meta") or {}).items() if k != "ui"}
    plain = {k: v for k, v in tool.items() if k != "_meta"}
    if meta:
        plain["_meta"] = meta
    return plain


def _plain_listing(method: str, result: dict[str, Any]) -> dict[str, Any]:
    """A `tools/list` / `resources/list` answer (wire form) as a server without Apps would give it."""
    if method == "tools/list":
        tools = [_plain_tool(t) for t in result["tools"] if not is_app_only(t.get("_meta"))]
        return {**result, "tools": tools}
    kept = [r for r in result["resources"] if not str(r.get("uri", "")).startswith("ui://")]
    return {**result, "resources": kept}


def install(server: Any) -> None:
    """Add the listing middleware (see the module docstring) to an `MCPServer` built with `build_apps`."""

    async def apps_listing(ctx: Any, call_next: Any) -> Any:
        result = await call_next(ctx)
        if ctx.method not in ("tools/list", "resources/list") or client_supports_apps(ctx):
            return result
        key = "tools" if ctx.method == "tools/list" else "resources"
        if isinstance(result, BaseModel):
            result = result.model_dump(by_alias=True, mode="json", exclude_none=True)
        if not isinstance(result, dict) or not isinstance(result.get(key), list):
            return result  # an error answer or another shape: untouched
        return _plain_listing(ctx.method, result)

    server.middleware.append(apps_listing)
