"""Streamable HTTP serving at /mcp (hardening: loopback by default, bearer token off loopback)."""

from __future__ import annotations

import ipaddress
import logging

from botflix_mcp.settings import Settings, SettingsError

logger = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    if host in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def run_http(settings: Settings) -> int:
    from botflix_mcp.server import build_server

    if not is_loopback(settings.host) and settings.http_token is None:
        raise SettingsError(
            "BOTFLIX_MCP_HTTP_TOKEN", f"required when binding to a non-loopback address ({settings.host})"
        )
    server = build_server(settings)
    server.run("streamable-http", host=settings.host, port=settings.port)
    return 0
