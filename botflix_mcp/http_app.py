"""Streamable HTTP serving at `/mcp` (issue 6 §1): one server for several agents, hardened.

- Loopback (127.0.0.1) by default. Binding to any other address requires `BOTFLIX_MCP_HTTP_TOKEN`; without it
  the server refuses to start with one line naming the setting.
- Bearer auth with the SDK's `TokenVerifier` + `AuthSettings` whenever a token is set (on any address): requests
  to `/mcp` without a valid `Authorization: Bearer <token>` get 401. Tokens are compared in constant time.
  `BOTFLIX_MCP_HTTP_TOKEN` may list several comma-separated tokens, one per user or agent: each token is its own
  principal (2025-era sessions are bound to the token that opened them, and on 2026-07-28 connections, which have
  no session id, keys stored through `aioz_credentials` are kept per token). This is a static-token resource
  server, not OAuth: no protected-resource metadata is advertised.
- DNS-rebinding protection is always on (`TransportSecuritySettings`): the `Host` header must be a loopback name,
  the bind address, the public URL's host or one of `BOTFLIX_MCP_ALLOWED_HOSTS` (else 421), and a browser
  `Origin` must be loopback, the public URL's origin or one of `BOTFLIX_MCP_ALLOWED_ORIGINS` (else 403).
- Both protocol eras at the same URL: 2025-era clients get an `Mcp-Session-Id` (per-session state such as AIOZ
  keys lives there); 2026-07-28 clients are stateless (see `credentials.py` for what that means for keys).
- `GET /healthz` answers `{"status": "ok", ...}` without auth (for load balancers); the AIOZ webhook receiver's
  routes are mounted too when that module is present (`botflix_mcp.aioz.webhooks_receiver.routes(app)`).
"""

from __future__ import annotations

import importlib
import ipaddress
import logging
import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from botflix_mcp.http_auth import (  # re-exported: what the HTTP server and the MCP server both need
    MIN_TOKEN_LENGTH,
    TOKEN_ENV,
    StaticTokenVerifier,
    bearer_auth,
    check_http_settings,
    http_tokens,
    is_loopback,
    is_wildcard,
)
from botflix_mcp.settings import Settings, SettingsError

if TYPE_CHECKING:
    from mcp.server import MCPServer
    from mcp.server.transport_security import TransportSecuritySettings
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

    from botflix_mcp.app import App

logger = logging.getLogger(__name__)

__all__ = [
    "MIN_TOKEN_LENGTH",
    "TOKEN_ENV",
    "StaticTokenVerifier",
    "bearer_auth",
    "build_http_app",
    "check_http_settings",
    "http_tokens",
    "is_loopback",
    "is_wildcard",
    "run_http",
    "transport_security",
    "uvicorn_config",
]

MCP_PATH = "/mcp"
HEALTH_PATH = "/healthz"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
WEBHOOK_MODULE = "botflix_mcp.aioz.webhooks_receiver"


# --------------------------------------------------------------------------- DNS-rebinding protection


def _host_patterns(host: str) -> list[str]:
    """Host-header patterns for one host name/address: `h` (default port) and `h:*`."""
    host = host.strip()
    if not host:
        return []
    if ":" in host.strip("[]") and not host.startswith("["):
        try:
            ipaddress.IPv6Address(host)
            host = f"[{host}]"
        except ValueError:  # already "name:port"
            return [host]
    if host.startswith("[") and "]:" in host:
        return [host]
    return [host, f"{host}:*"]


def transport_security(settings: Settings) -> TransportSecuritySettings:
    """Allowed `Host` and `Origin` values; protection is always on."""
    from mcp.server.transport_security import TransportSecuritySettings

    hosts: list[str] = []
    origins: list[str] = []
    for name in LOOPBACK_HOSTS:
        hosts += _host_patterns(name)
        origins += [f"http://{name}", f"http://{name}:*", f"https://{name}", f"https://{name}:*"]
    if not is_wildcard(settings.host) and not is_loopback(settings.host):
        hosts += _host_patterns(settings.host)
    if settings.public_url:
        parts = urlsplit(settings.public_url)
        hosts += [parts.netloc, *_host_patterns(parts.hostname or "")]
        origins.append(f"{parts.scheme}://{parts.netloc}")
    for extra in settings.allowed_hosts:
        hosts += _host_patterns(extra)
    origins += [o.rstrip("/") for o in settings.allowed_origins]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=list(dict.fromkeys(hosts)),
        allowed_origins=list(dict.fromkeys(origins)),
    )


# --------------------------------------------------------------------------- the ASGI app


async def _health(request: Request) -> Response:
    from starlette.responses import JSONResponse

    from botflix_mcp import __version__

    return JSONResponse({"status": "ok", "server": "botflix-mcp", "version": __version__})


def _webhook_routes(app: App) -> list[Any]:
    try:
        module = importlib.import_module(WEBHOOK_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name == WEBHOOK_MODULE:
            return []
        raise
    routes = getattr(module, "routes", None)
    return list(routes(app)) if routes is not None else []


def build_http_app(settings: Settings, server: MCPServer | None = None) -> Starlette:
    """The Starlette app: `/mcp` (both eras, auth + DNS-rebinding protection), `/healthz`, webhook routes.

    `server` must have been built with these settings (so that bearer auth is wired); default: build it.
    """
    check_http_settings(settings)
    if server is None:
        from botflix_mcp.server import build_server

        server = build_server(settings)
    if bool(http_tokens(settings)) != (server.settings.auth is not None):
        raise ValueError("the server was built with other HTTP token settings than these")
    if not getattr(server, "_botflix_http_routes", False):
        from starlette.routing import Route

        from botflix_mcp.server import app_of

        server._custom_starlette_routes.append(Route(HEALTH_PATH, _health, methods=["GET"]))
        server._custom_starlette_routes.extend(_webhook_routes(app_of(server)))
        server._botflix_http_routes = True  # type: ignore[attr-defined]
    if is_wildcard(settings.host) and not settings.allowed_hosts and not settings.public_url:
        logger.warning(
            "listening on all addresses, but only loopback Host headers are accepted: set "
            "BOTFLIX_MCP_ALLOWED_HOSTS (or BOTFLIX_MCP_PUBLIC_URL) to the name clients use to reach this server"
        )
    from botflix_mcp.event_store import RETRY_MS, MemoryEventStore  # SSE priming event + retry (SEP-1699)

    return server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        transport_security=transport_security(settings),
        host=settings.host,
        event_store=MemoryEventStore(),
        retry_interval=RETRY_MS,
    )


# --------------------------------------------------------------------------- uvicorn


def header_timeout_protocol(header_timeout: float) -> type[Any]:
    """uvicorn's h11 protocol, plus a deadline for the request headers (uvicorn itself has none).

    uvicorn's `timeout_keep_alive` only runs between requests, and any byte cancels it, so a client holding a
    half-sent request kept its socket forever (issue 9 defect j). Here a timer is armed when a connection is
    made, and when the first byte of a next request arrives on a kept-alive connection; it is not extended by
    further bytes (a trickle cannot keep it alive) and is cancelled once h11 has the whole header block. When
    it fires, the connection is closed. The pure-Python h11 protocol is always used (httptools is not a
    dependency), so this is the only parser to cover; `h11_max_incomplete_event_size` bounds the header size.
    """
    import asyncio

    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderTimeoutProtocol(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None

        def _arm_header_timer(self) -> None:
            if self._header_timer is None and not self.transport.is_closing():
                self._header_timer = self.loop.call_later(header_timeout, self._header_timeout)

        def _cancel_header_timer(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _header_timeout(self) -> None:
            self._header_timer = None
            if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
                logger.debug("closing a connection that sent no complete request headers in %ss", header_timeout)
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm_header_timer()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is h11.IDLE:  # still waiting for (the rest of) a header block
                self._arm_header_timer()
            else:
                self._cancel_header_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_header_timer()
            super().connection_lost(exc)

    return HeaderTimeoutProtocol


MAX_HEADER_BYTES = 16 * 1024  # h11's incomplete-event limit (uvicorn's default, stated here on purpose)


def uvicorn_config(settings: Settings, starlette_app: Any) -> Any:
    """The `uvicorn.Config` for `run_http`: header deadline, keep-alive timeout and connection limit included."""
    import uvicorn

    return uvicorn.Config(
        starlette_app,
        host=settings.host,
        port=settings.port,
        http=header_timeout_protocol(settings.http_header_timeout),
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        timeout_keep_alive=settings.http_keepalive_timeout,
        limit_concurrency=settings.http_max_connections,
        log_config=None,  # keep our stderr handler and its redaction
        log_level=settings.log_level.lower(),
        access_log=settings.log_level == "DEBUG",
        timeout_graceful_shutdown=3,
        server_header=False,
    )


def run_http(settings: Settings) -> int:
    """Serve until interrupted. Unsafe settings stop start-up with one line on stderr (exit 2)."""
    try:
        starlette_app = build_http_app(settings)
    except SettingsError as exc:
        print(f"botflix-mcp: bad setting {exc}", file=sys.stderr)
        return 2
    import uvicorn

    config = uvicorn_config(settings, starlette_app)
    auth = "bearer token required" if http_tokens(settings) else "no token (loopback only)"
    logger.info("serving MCP at http://%s:%s%s (%s)", settings.host, settings.port, MCP_PATH, auth)
    uvicorn.Server(config).run()
    return 0
