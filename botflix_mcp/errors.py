"""Error kinds shared by both platform clients, and their translation into `ToolError` text for the model.

Every failure a tool can meet ends as a `ToolError` whose text says what happened (HTTP status, the server's own
message) and what the model can do next. Secrets never reach these texts: `redact()` runs over every message.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from botflix_mcp.logs import redact

NOTHING_SENT = "Nothing was sent or changed."


#: A message that already says what was not done ("Nothing was written.", "Nothing was sent.") keeps its own words:
#: the generic sentence would repeat it, or be wrong (a download refused with HTTP 403 did send a request).
_OWN_NOTHING = re.compile(r"(?i)\bnothing (?:was|has been|is) \w+")


def with_nothing_sent(text: str) -> str:
    """`text` ending in "Nothing was sent or changed." said once (a message may already say it in its own words)."""
    text = text.rstrip()
    if _OWN_NOTHING.search(text):
        return text
    return f"{text} {NOTHING_SENT}"


class BotflixMcpError(Exception):
    """Base class of every error this package raises on purpose."""


class UserInputError(BotflixMcpError):
    """Bad input caught before any network call (nothing was changed)."""

    def __init__(self, message: str, next_step: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.next_step = next_step

    def for_model(self) -> str:
        text = with_nothing_sent(f"Invalid input: {self.message}")
        return f"{text} Next step: {self.next_step}" if self.next_step else text


class ApiError(BotflixMcpError):
    """An HTTP API answered with a non-2xx status, or could not be reached."""

    default_next_step: ClassVar[str] = "Check the arguments and try again."
    kind: ClassVar[str] = "error"
    answer: dict[str, Any] | None = None  # the error body when it was a JSON object (its shape tells kinds apart)

    def __init__(
        self,
        message: str,
        *,
        platform: str,
        status: int | None = None,
        method: str | None = None,
        path: str | None = None,
        next_step: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.platform = platform
        self.status = status
        self.method = method
        self.path = path
        self.next_step = next_step or self.default_next_step
        self.retry_after = retry_after

    def for_model(self) -> str:
        where = f" on {self.method} {self.path}" if self.method and self.path else ""
        status = f"HTTP {self.status}" if self.status is not None else self.kind
        return redact(f"{self.platform} {status}{where}: {self.message} Next step: {self.next_step}")

    def __str__(self) -> str:
        return self.for_model()


class BadRequestError(ApiError):
    kind = "bad request"
    default_next_step = "Fix the request as the message says; the server rejected it and changed nothing."


class AuthenticationError(ApiError):
    kind = "authentication failed"
    default_next_step = (
        "The credentials were rejected. Ask the user for valid keys and store them with the credentials tool."
    )


class PermissionDeniedError(ApiError):
    kind = "permission denied"
    default_next_step = "These credentials may not do this; use keys or an account that has the permission."


class NotFoundError(ApiError):
    kind = "not found"
    default_next_step = "Check the id, or list the resources first to find the right one."


class ConflictError(ApiError):
    kind = "conflict"


class PayloadTooLargeError(ApiError):
    kind = "payload too large"
    default_next_step = "Send a smaller body (smaller upload parts or file)."


class RateLimitError(ApiError):
    kind = "rate limited"

    def __init__(self, message: str, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        wait = f"{self.retry_after:.0f} s" if self.retry_after is not None else "a minute"
        if "next_step" not in kwargs or kwargs["next_step"] is None:
            self.next_step = f"Retried already; wait {wait} before calling again."


class ServerError(ApiError):
    kind = "server error"
    default_next_step = "The host failed (retried already). Wait a little and try again; if it persists, report it."


class ApiConnectionError(ApiError):
    kind = "connection error"
    default_next_step = "The host could not be reached (retried already). Check the network or base URL setting."


class ApiTimeoutError(ApiConnectionError):
    kind = "timeout"
    default_next_step = "The host did not answer in time (retried where safe). Try again, or raise the timeout setting."


class UnexpectedAnswerError(ApiError):
    """The host answered 2xx with something botflix-mcp cannot use (wrong shape, a create without an id)."""

    kind = "unexpected answer"
    default_next_step = (
        "The host's answer did not have the expected shape, so nothing more was done with it. Check the object "
        "with a read tool (it may or may not have been changed), then retry; if it persists, the host's API changed."
    )

    def for_model(self) -> str:
        where = f" to {self.method} {self.path}" if self.method and self.path else ""
        return redact(f"{self.platform} sent an unexpected answer{where}: {self.message}. Next step: {self.next_step}")


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: BadRequestError,
    429: RateLimitError,
}


def error_class_for_status(status: int) -> type[ApiError]:
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, ApiError)
