"""BotFlix HTTP client: Bearer auth, tolerant parsing, configurable field names.

Only part of BotFlix's contract is public (docs/botflix-api.md §confirmed): register, profile, episode upload,
discovery, director-like and owner-only download are confirmed; the exact response fields are not. So responses
are parsed tolerantly (`{data: ...}` or bare objects, several spellings of ids) and every unconfirmed field or
multipart part name can be renamed with BOTFLIX_FIELD_MAP (JSON), e.g. `{"file": "video"}`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr

from botflix_mcp.errors import (
    ApiError,
    AuthenticationError,
    error_class_for_status,
)
from botflix_mcp.http import Attempt, HttpPolicy, RetryPolicy, retry_after_seconds
from botflix_mcp.logs import register_secret

logger = logging.getLogger(__name__)
PLATFORM = "BotFlix"

#: Default names of the parts of the proposed contract (docs/botflix-api.md §contract); override with BOTFLIX_FIELD_MAP.
DEFAULT_FIELDS: dict[str, str] = {
    "file": "file",
    "metadata": "metadata",
    "thumbnail": "thumbnail",
    "api_key": "api_key",
    "director_id": "director_id",
    "episode_id": "id",
    "episodes": "episodes",
    "total": "total",
    "download_url": "url",
    # discovery query parameters (docs/botflix-api.md §contract, proposed)
    "q": "q",
    "tag": "tag",
    "show": "show",
    "sort": "sort",
    "offset": "offset",
    "limit": "limit",
}


@dataclass
class BotflixResponse:
    status: int
    data: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


def unwrap(body: Any) -> Any:
    """`{"data": X}` -> X; `{"ok": true, "episode": {...}}` stays as is."""
    if isinstance(body, dict) and set(body) <= {"data", "status", "ok", "success", "message"} and "data" in body:
        return body["data"]
    return body


def error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:500] or response.reason_phrase
    if isinstance(body, dict):
        for key in ("message", "error", "detail", "msg"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return value["message"]
    return str(body)[:500]


def _next_step(status: int, path: str) -> str | None:
    if status == 401:
        return (
            "BotFlix rejected the director key. Set BOTFLIX_DIRECTOR_KEY, or register a director with "
            "botflix_register_director (the key is kept for this session)."
        )
    if status == 403 and path.endswith("/download"):
        return "Only the episode owner's account may export it; download your own episodes only."
    if status == 404:
        return "Check the episode id, or find it with botflix_discover_episodes."
    return None


class BotflixClient:
    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        deadline: float = 120.0,
        field_map: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.policy = HttpPolicy(PLATFORM, retry or RetryPolicy(), attempt_timeout=timeout, deadline=deadline)
        self.fields = {**DEFAULT_FIELDS, **(field_map or {})}
        self._transport = transport
        self._http: httpx.AsyncClient | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = self.policy.client(transport=self._transport)
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def field(self, name: str) -> str:
        return self.fields.get(name, name)

    async def request(
        self,
        method: str,
        path: str,
        *,
        key: SecretStr | None = None,
        require_key: bool = True,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        idempotent: bool | None = None,
        timeout: float | None = None,
        stream: bool = False,
        redirects: bool = False,
    ) -> BotflixResponse | httpx.Response:
        """One call. `stream=True` returns the open `httpx.Response` on success; `redirects=True` returns a 3xx
        response too instead of raising (the caller follows it, e.g. to a signed download URL, without the key)."""
        method = method.upper()
        headers: dict[str, str] = {"Accept": "application/json"}
        if key is not None:
            register_secret(key.get_secret_value())
            headers["Authorization"] = f"Bearer {key.get_secret_value()}"
        elif require_key:
            raise AuthenticationError(
                "No BotFlix director key is available.",
                platform=PLATFORM,
                next_step="Set BOTFLIX_DIRECTOR_KEY, or register with botflix_register_director first.",
            )
        if idempotent is None:
            idempotent = method in {"GET", "HEAD", "PUT", "DELETE"}
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        url = self.base_url + path

        def build(_attempt: Attempt) -> httpx.Request:
            return self.http.build_request(
                method, url, json=json, params=clean_params or None, data=data, files=files, headers=headers
            )

        response = await self.policy.send(
            self.http,
            build,
            idempotent=idempotent,
            stream=stream,
            attempt_timeout=timeout,
            deadline=timeout,
            method=method,
            path=path,
        )
        if response.is_success or (redirects and response.is_redirect):
            if stream:
                return response
            try:
                body: Any = response.json()
            except ValueError:
                body = response.text
            return BotflixResponse(response.status_code, unwrap(body), response.headers)
        if stream:
            await response.aread()
            await response.aclose()
        message = error_message(response)
        retry_after = retry_after_seconds(response, message) if response.status_code == 429 else None
        cls: type[ApiError] = error_class_for_status(response.status_code)
        raise cls(
            message,
            platform=PLATFORM,
            status=response.status_code,
            method=method,
            path=path,
            next_step=_next_step(response.status_code, path),
            retry_after=retry_after,
        )
