"""AIOZ Stream HTTP client: auth headers, the real envelopes, typed errors, retries.

Facts from docs/aioz-api.md that this follows (and where the skill text is wrong or silent):
- success is any 2xx (several creates answer 201, the skill implies 200);
- envelopes: `{status:"success",data}`, `{status:"success",message}`, `{status:"fail"|"error",message}`, and a
  bare `{message}` for unknown routes;
- 429 carries `X-RateLimit-Retry-After` (seconds) and "Please wait N seconds" in its message;
- `/payment/*` accepts only a dashboard login token (Bearer JWT), never API keys.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr

from botflix_mcp.errors import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    error_class_for_status,
)
from botflix_mcp.http import Attempt, HttpPolicy, RetryPolicy, retry_after_seconds
from botflix_mcp.logs import register_secret

logger = logging.getLogger(__name__)
PLATFORM = "AIOZ Stream"


@dataclass(frozen=True)
class AiozCredentials:
    """A key pair. `repr` never shows the values."""

    public_key: SecretStr
    secret_key: SecretStr
    source: str = "environment"  # environment | session | page | form | sandbox

    def __post_init__(self) -> None:
        register_secret(self.public_key.get_secret_value())
        register_secret(self.secret_key.get_secret_value())

    @classmethod
    def of(cls, public_key: str, secret_key: str, source: str = "session") -> AiozCredentials:
        return cls(SecretStr(public_key.strip()), SecretStr(secret_key.strip()), source)

    def headers(self) -> dict[str, str]:
        return {
            "stream-public-key": self.public_key.get_secret_value(),
            "stream-secret-key": self.secret_key.get_secret_value(),
        }

    @property
    def fingerprint(self) -> str:
        """A stable, non-reversible id of the key pair (journals, isolation checks)."""
        raw = f"{self.public_key.get_secret_value()}:{self.secret_key.get_secret_value()}".encode()
        return hashlib.sha256(raw).hexdigest()[:16]


@dataclass
class AiozResponse:
    status: int
    data: Any = None
    message: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


#: Where a 404 on an id sends the model, by the resource its path names (longest prefixes first).
_LISTERS: tuple[tuple[str, str], ...] = (
    ("/media/", "aioz_media (action 'list'; audio with media_type 'audio')"),
    ("/players", "aioz_players (action 'list')"),
    ("/playlists", "aioz_playlists (action 'list')"),
    ("/webhooks", "aioz_webhooks (action 'list')"),
    ("/api_keys", "aioz_api_keys"),
)


def _next_step(status: int, message: str, path: str) -> str | None:
    """AIOZ-specific advice; None falls back to the error class's default."""
    lowered = message.lower()
    if status == 401:
        if path.startswith("/payment"):
            return (
                "Payment endpoints accept only an AIOZ dashboard login token: set AIOZ_DASHBOARD_TOKEN "
                "(API keys are rejected there)."
            )
        return (
            "The AIOZ keys were rejected. Ask the user for a valid key pair ('Please enter your AIOZ Stream "
            "Public Key:' / 'Please enter your AIOZ Stream Secret Key:') and store it with aioz_credentials."
        )
    if status == 403 and "not allowed" in lowered:
        return "This key is upload-only. Use a full_access key for this operation."
    if status == 404:
        if "route not found" in lowered:
            return "This AIOZ host does not serve this route; check AIOZ_BASE_URL."
        for prefix, lister in _LISTERS:
            if path.startswith(prefix):
                return f"Check the id: list them with {lister} to find the right one."
        return "Check the id, or list the resources first to find the right one."
    if "not enough balance" in lowered or "insufficient" in lowered:
        return "Top up the AIOZ wallet, then retry."
    return None


def parse_envelope(response: httpx.Response) -> tuple[Any, str | None]:
    """Return (`data`, `message`) from any AIOZ envelope; tolerate non-JSON bodies."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return None, (text[:500] or None)
    if isinstance(body, dict):
        message = body.get("message")
        if "data" in body or "status" in body or "message" in body:
            return body.get("data"), (str(message) if message is not None else None)
        return body, None  # unwrapped (player.json)
    return body, None


def build_error(response: httpx.Response, method: str, path: str) -> ApiError:
    _, message = parse_envelope(response)
    message = message or response.reason_phrase or "no message"
    cls = error_class_for_status(response.status_code)
    error = cls(
        message,
        platform=PLATFORM,
        status=response.status_code,
        method=method,
        path=path,
        next_step=_next_step(response.status_code, message, path),
        retry_after=retry_after_seconds(response, message) if response.status_code == 429 else None,
    )
    try:
        body = response.json()
    except ValueError:
        body = None
    error.answer = body if isinstance(body, dict) else None
    return error


class AiozClient:
    """One pooled httpx client per process; credentials are passed per call (they live per MCP session).

    Every request goes through the package's one HTTP policy (`botflix_mcp.http.HttpPolicy`): retries, a
    per-attempt timeout that covers the whole answer, and a deadline per call.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        complete_timeout: float = 900.0,
        retry: RetryPolicy | None = None,
        deadline: float = 120.0,
        dashboard_token: SecretStr | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.complete_timeout = complete_timeout
        self.policy = HttpPolicy(PLATFORM, retry or RetryPolicy(), attempt_timeout=timeout, deadline=deadline)
        self.dashboard_token = dashboard_token
        self._transport = transport
        self._http: httpx.AsyncClient | None = None

    @property
    def retry(self) -> RetryPolicy:
        return self.policy.retry

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = self.policy.client(transport=self._transport)
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def url(self, path: str) -> str:
        return self.base_url + path

    def auth_headers(self, creds: AiozCredentials, *, dashboard: bool = False) -> dict[str, str]:
        """Both stream-* headers on every request (skill rule 1); payments add the dashboard Bearer token."""
        headers = creds.headers()
        if dashboard:
            if self.dashboard_token is None:
                raise AuthenticationError(
                    "Payment endpoints need an AIOZ dashboard login token and none is configured.",
                    platform=PLATFORM,
                    status=None,
                    next_step="Set AIOZ_DASHBOARD_TOKEN (the JWT of a dashboard login) and restart; "
                    "AIOZ rejects API keys on /payment/*.",
                )
            headers["Authorization"] = f"Bearer {self.dashboard_token.get_secret_value()}"
        return headers

    def build_request(
        self,
        method: str,
        path: str,
        *,
        creds: AiozCredentials,
        content: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Request:
        """A raw request with the auth headers (the upload engine streams part bodies through the policy)."""
        return self.http.build_request(
            method, self.url(path), content=content, headers={**self.auth_headers(creds), **(headers or {})}
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        creds: AiozCredentials,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        timeout: float | None = None,
        dashboard: bool = False,
        before_attempt: Callable[[], Awaitable[None]] | None = None,
    ) -> AiozResponse:
        """Send one API call under the HTTP policy; return the parsed envelope or raise a typed `ApiError`.

        `idempotent` defaults from the method (GET, HEAD, PUT, DELETE, PATCH); list/search/analytics POSTs pass
        True. `timeout` replaces the per-attempt timeout and the deadline (e.g. `/complete`).
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in {"GET", "HEAD", "PUT", "DELETE", "PATCH"}
        all_headers = self.auth_headers(creds, dashboard=dashboard)
        if headers:
            all_headers.update(headers)
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        url = self.url(path)

        def build(_attempt: Attempt) -> httpx.Request:
            return self.http.build_request(
                method, url, json=json, params=clean_params or None, data=data, files=files, headers=all_headers
            )

        response = await self.policy.send(
            self.http,
            build,
            idempotent=idempotent,
            attempt_timeout=timeout,
            deadline=timeout,
            before_attempt=before_attempt,
            method=method,
            path=path,
        )
        if response.is_success:
            payload, message = parse_envelope(response)
            return AiozResponse(response.status_code, payload, message, response.headers)
        raise build_error(response, method, path)

    # Convenience wrappers ------------------------------------------------------------------------

    async def get(self, path: str, *, creds: AiozCredentials, **kw: Any) -> AiozResponse:
        return await self.request("GET", path, creds=creds, **kw)

    async def post(self, path: str, *, creds: AiozCredentials, **kw: Any) -> AiozResponse:
        return await self.request("POST", path, creds=creds, **kw)

    async def patch(self, path: str, *, creds: AiozCredentials, **kw: Any) -> AiozResponse:
        return await self.request("PATCH", path, creds=creds, **kw)

    async def put(self, path: str, *, creds: AiozCredentials, **kw: Any) -> AiozResponse:
        return await self.request("PUT", path, creds=creds, **kw)

    async def delete(self, path: str, *, creds: AiozCredentials, **kw: Any) -> AiozResponse:
        return await self.request("DELETE", path, creds=creds, **kw)


@dataclass(frozen=True)
class AiozSession:
    """The AIOZ client bound to one MCP session's credentials: what every `aioz/api/` function takes."""

    client: AiozClient
    creds: AiozCredentials

    async def request(self, method: str, path: str, **kw: Any) -> AiozResponse:
        return await self.client.request(method, path, creds=self.creds, **kw)


__all__ = [
    "PLATFORM",
    "AiozClient",
    "AiozCredentials",
    "AiozResponse",
    "AiozSession",
    "NotFoundError",
    "build_error",
    "parse_envelope",
]
