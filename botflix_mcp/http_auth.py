"""Who may talk to the HTTP server: loopback checks, the bearer tokens and their verifier.

Used by `http_app.py` (start-up checks), `server.py` (the SDK's auth settings, wired when the MCP server is
built) and `credentials.py` (is the keys page reachable from the user's browser). Kept apart from `http_app.py`
so that none of them imports another back (no import cycle).
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from botflix_mcp.settings import Settings, SettingsError

if TYPE_CHECKING:
    from mcp.server.auth.provider import AccessToken

TOKEN_ENV = "BOTFLIX_MCP_HTTP_TOKEN"
MIN_TOKEN_LENGTH = 16


def is_loopback(host: str) -> bool:
    if host in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    return host.strip("[]") in {"0.0.0.0", "::", ""}


def http_tokens(settings: Settings) -> list[str]:
    """The configured bearer tokens (comma-separated in the setting), in order."""
    if settings.http_token is None:
        return []
    return [t.strip() for t in settings.http_token.get_secret_value().split(",") if t.strip()]


def check_http_settings(settings: Settings) -> None:
    """Refuse unsafe HTTP settings before anything starts (`SettingsError`, one line naming the variable)."""
    tokens = http_tokens(settings)
    if not is_loopback(settings.host) and not tokens:
        raise SettingsError(
            TOKEN_ENV,
            f"required when binding to a non-loopback address ({settings.host}); set a long random token "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`) and give it to each client",
        )
    if any(len(t) < MIN_TOKEN_LENGTH for t in tokens):
        raise SettingsError(TOKEN_ENV, f"each token must be at least {MIN_TOKEN_LENGTH} characters long")
    if len(set(tokens)) != len(tokens):
        raise SettingsError(TOKEN_ENV, "the same token is listed twice")


# --------------------------------------------------------------------------- bearer auth


class StaticTokenVerifier:
    """`TokenVerifier` for static bearer tokens: constant-time comparison against every configured token."""

    def __init__(self, tokens: Sequence[str]) -> None:
        if not tokens:
            raise ValueError("no tokens")
        self._tokens = [t.encode() for t in tokens]

    async def verify_token(self, token: str) -> AccessToken | None:
        from mcp.server.auth.provider import AccessToken

        given = token.encode()
        match = 0
        for index, known in enumerate(self._tokens, start=1):  # no early exit: timing does not tell which
            if hmac.compare_digest(given, known):
                match = index
        if not match:
            return None
        return AccessToken(token=token, client_id=f"token-{match}", scopes=[])


def bearer_auth(settings: Settings) -> dict[str, Any]:
    """`MCPServer(**bearer_auth(settings))`: token verifier + auth settings when a token is set, else {}."""
    tokens = http_tokens(settings)
    if not tokens:
        return {}
    from mcp.server.auth.settings import AuthSettings
    from pydantic import AnyHttpUrl

    from botflix_mcp.logs import register_secret

    for token in tokens:
        register_secret(token)
    auth = AuthSettings(
        # Required by the SDK; unused here: no OAuth authorization server, and no resource metadata advertised.
        issuer_url=AnyHttpUrl(settings.public_url or f"http://127.0.0.1:{settings.port}"),
        resource_server_url=None,
        required_scopes=None,
    )
    return {"token_verifier": StaticTokenVerifier(tokens), "auth": auth}
