"""What both platform clients share: the retry policy and the pooled httpx client factory."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import httpx

from botflix_mcp import __version__

USER_AGENT = f"botflix-mcp/{__version__} (+https://github.com/botflix-mcp/botflix-mcp)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_WAIT_RE = re.compile(r"wait (\d+(?:\.\d+)?) second", re.IGNORECASE)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter; 429 waits as long as the host asks (capped)."""

    max_retries: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0  # a longer Retry-After is not waited out inside one tool call

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to sleep before retry number `attempt` (1-based)."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after) + random.uniform(0, 0.25)
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)


def retry_after_seconds(response: httpx.Response, message: str | None = None) -> float | None:
    """AIOZ sends `X-RateLimit-Retry-After`; standard hosts send `Retry-After`; the 429 text says "wait N seconds"."""
    for header in ("x-ratelimit-retry-after", "retry-after"):
        value = response.headers.get(header)
        if value:
            try:
                return max(0.0, float(value))
            except ValueError:
                pass
    if message:
        match = _WAIT_RE.search(message)
        if match:
            return float(match.group(1))
    return None


RETRYABLE_EXCEPTIONS: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.PoolTimeout,
)


def make_http_client(
    *, timeout: float, transport: httpx.AsyncBaseTransport | None = None, max_connections: int = 32
) -> httpx.AsyncClient:
    """One pooled client per platform per process."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        headers={"User-Agent": USER_AGENT},
        transport=transport,
        follow_redirects=False,
    )
