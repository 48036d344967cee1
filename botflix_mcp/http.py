"""The one HTTP policy of the package: pooled clients, retries, per-attempt timeouts and a deadline per call.

Every request to AIOZ Stream or BotFlix goes through `HttpPolicy.send` — the two API clients, the upload
engine's part sender and `/complete`. There is no other retry loop in the package.

- **Retries** are idempotency-aware: a request that may have changed something (a create, a part whose answer
  was lost) is retried only where that is safe: connection failures before anything was sent, 429 (the host did
  nothing), and whatever the caller marks idempotent. Backoff is exponential with full jitter; a 429 waits as
  long as the host asks (`X-RateLimit-Retry-After`, `Retry-After`, or "wait N seconds" in its message), capped.
- **Timeouts** bound the whole attempt (connect, send, headers *and* body), not each socket read: a host that
  trickles one byte a second cannot hold an attempt longer than `attempt_timeout`. httpx's own timeouts only
  bound each read, so the attempt runs inside an anyio cancel scope.
- **Deadline**: all attempts and waits of one call fit in `deadline` seconds; a retry that could not finish in
  time is not started.
- **Errors** are typed (`botflix_mcp.errors`): transport failures become `ApiConnectionError` /
  `ApiTimeoutError` here; an HTTP error answer is returned to the caller, whose platform layer knows its
  envelope and turns it into the right `ApiError` subclass.
"""

from __future__ import annotations

import json
import logging
import random
import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field

import anyio
import httpx

from botflix_mcp import __version__
from botflix_mcp.errors import ApiConnectionError, ApiTimeoutError
from botflix_mcp.http_file import FileSendingTransport

logger = logging.getLogger(__name__)

USER_AGENT = f"botflix-mcp/{__version__} (+https://github.com/botflix-mcp/botflix-mcp)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
#: The slowest upload rate a request's time budget allows for (bytes/s): a body of N bytes gets N / this extra.
MIN_UPLOAD_RATE = 256 * 1024
_WAIT_RE = re.compile(r"wait (\d+(?:\.\d+)?) second", re.IGNORECASE)

#: Exceptions after which nothing reached the host: always safe to retry.
NOT_SENT_EXCEPTIONS: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: Transport failures that may be retried (when the call is idempotent or nothing was sent).
RETRYABLE_EXCEPTIONS: tuple[type[Exception], ...] = (
    *NOT_SENT_EXCEPTIONS,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
    httpx.ReadTimeout,
    httpx.WriteTimeout,
)


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
    if message is None:
        message = _message_of(response)
    if message:
        match = _WAIT_RE.search(message)
        if match:
            return float(match.group(1))
    return None


def _message_of(response: httpx.Response) -> str | None:
    """The `message` of a JSON error body, if the body was read and is JSON."""
    try:
        body = json.loads(response.content[:65536])
    except (ValueError, httpx.ResponseNotRead):
        return None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return None


@dataclass
class Attempt:
    """One try of a call. `scope` bounds it; `limit(seconds)` tightens the bound from now (the upload engine
    gives a part the time its body needs, then only `attempt_timeout` for the answer once the body is sent)."""

    number: int
    scope: anyio.CancelScope
    answer_timeout: float

    def limit(self, seconds: float) -> None:
        self.scope.deadline = min(self.scope.deadline, anyio.current_time() + seconds)

    def body_sent(self) -> None:
        self.limit(self.answer_timeout)


RequestFactory = Callable[[Attempt], httpx.Request | Awaitable[httpx.Request]]


@dataclass(frozen=True)
class HttpPolicy:
    """Timeouts and retries for one platform; `send` is the only retry loop in the package."""

    platform: str
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    attempt_timeout: float = 30.0  # a whole attempt: connect, send, headers and body
    deadline: float = 120.0  # all attempts and waits of one call
    connect_timeout: float = 10.0

    def client(
        self, *, transport: httpx.AsyncBaseTransport | None = None, max_connections: int = 32
    ) -> httpx.AsyncClient:
        """The pooled client of a platform (one per process). httpx's timeouts are per socket operation; the
        attempt's cancel scope is what bounds a whole answer."""
        read = max(self.attempt_timeout, 1.0)
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        if transport is None:  # httpx's own, but file bodies (upload parts) go from one worker thread each
            transport = FileSendingTransport(limits=limits)
        return httpx.AsyncClient(
            timeout=httpx.Timeout(read, connect=min(read, self.connect_timeout)),
            limits=limits,
            headers={"User-Agent": USER_AGENT},
            transport=transport,
            follow_redirects=False,
        )

    async def send(
        self,
        http: httpx.AsyncClient,
        make_request: RequestFactory,
        *,
        idempotent: bool,
        stream: bool = False,
        attempt_timeout: float | None = None,
        deadline: float | None = None,
        max_attempts: int | None = None,
        max_rate_waits: int | None = None,
        retry_statuses: Collection[int] = RETRY_STATUSES,
        before_attempt: Callable[[], Awaitable[None]] | None = None,
        on_rate_limited: Callable[[float], None] | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> httpx.Response:
        """Send a request built afresh for each attempt; return the final response (2xx or not).

        Retries transport failures (idempotent calls, or nothing sent) and `retry_statuses` (429 always — the
        host did nothing — the others only when idempotent) while attempts and the deadline allow. A response
        that is still an error after the retries is returned: the caller's platform layer reads its envelope.
        With `stream=True` the body is left unread (the caller reads it within its own bounds).
        Raises `ApiTimeoutError` / `ApiConnectionError` when no answer could be had.
        """
        describe = f"{method} {path}" if method and path else "request"
        per_attempt = self.attempt_timeout if attempt_timeout is None else attempt_timeout
        budget = self.deadline if deadline is None else deadline
        budget = max(budget, per_attempt)
        attempts_allowed = max_attempts if max_attempts is not None else self.retry.max_retries + 1
        end = anyio.current_time() + budget
        failures = 0
        rate_waits = 0
        while True:
            if before_attempt is not None:
                await before_attempt()
            remaining = end - anyio.current_time()
            if remaining <= 0:
                raise self._timeout(budget, method, path, deadline_hit=True)
            attempt_budget = min(per_attempt, remaining)
            attempt = Attempt(failures + 1, anyio.CancelScope(), answer_timeout=min(self.attempt_timeout, per_attempt))
            attempt.scope.deadline = anyio.current_time() + attempt_budget
            response: httpx.Response | None = None
            error: Exception | None = None
            with attempt.scope:
                try:
                    built = make_request(attempt)
                    request = built if isinstance(built, httpx.Request) else await built
                    response = await http.send(request, stream=stream)
                except RETRYABLE_EXCEPTIONS as exc:
                    error = exc
            if attempt.scope.cancelled_caught:
                error = httpx.ReadTimeout(f"no complete answer within {attempt_budget:.0f} s")
                if response is not None:
                    await response.aclose()
                    response = None
            if error is not None:
                failures += 1
                safe = idempotent or isinstance(error, NOT_SENT_EXCEPTIONS)
                delay = self.retry.delay(failures)
                if safe and failures < attempts_allowed and anyio.current_time() + delay < end:
                    logger.info("%s: %s, retry %d in %.1fs", describe, type(error).__name__, failures, delay)
                    await anyio.sleep(delay)
                    continue
                if isinstance(error, httpx.TimeoutException):
                    raise self._timeout(attempt_budget, method, path, deadline_hit=False) from None
                raise ApiConnectionError(
                    f"{type(error).__name__} talking to the host.", platform=self.platform, method=method, path=path
                ) from None
            assert response is not None
            status = response.status_code
            if status not in retry_statuses or not (idempotent or status == 429):
                return response
            wait = retry_after_seconds(response) if status == 429 else None
            if status == 429:
                rate_waits += 1
                if wait is not None and wait > self.retry.max_retry_after:
                    return response  # longer than one call should wait: the caller says when to come back
                delay = self.retry.delay(rate_waits, wait if wait is not None else 1.0)
                if on_rate_limited is not None:
                    on_rate_limited(delay)
                exhausted = rate_waits > (max_rate_waits if max_rate_waits is not None else self.retry.max_retries)
            else:
                failures += 1
                delay = self.retry.delay(failures)
                exhausted = failures >= attempts_allowed
            if exhausted or anyio.current_time() + delay >= end:
                return response
            if stream:
                await response.aclose()
            logger.info("%s: HTTP %d, retry in %.1fs", describe, status, delay)
            await anyio.sleep(delay)

    def _timeout(self, seconds: float, method: str | None, path: str | None, *, deadline_hit: bool) -> ApiTimeoutError:
        what = "the call's deadline" if deadline_hit else "the time allowed for one attempt"
        return ApiTimeoutError(
            f"No complete answer from the host within {seconds:.0f} s ({what}).",
            platform=self.platform,
            method=method,
            path=path,
        )


def make_http_client(
    *, timeout: float, transport: httpx.AsyncBaseTransport | None = None, max_connections: int = 32
) -> httpx.AsyncClient:
    """A pooled client with the package's defaults (for callers outside the two platform clients)."""
    return HttpPolicy("HTTP", attempt_timeout=timeout).client(transport=transport, max_connections=max_connections)
