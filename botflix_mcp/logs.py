"""Logging to stderr only (stdout is the stdio wire), with a filter that redacts secret values.

Secrets are registered as they become known (settings at start-up, keys collected during a session, director
keys minted by registration); every log record and every error text passes through `redact()`.
"""

from __future__ import annotations

import logging
import re
import sys
import threading

_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None

#: Header-ish fragments that must never be logged even when the value was never registered.
_HEADER_RE = re.compile(
    r"(?i)((?:stream-(?:public|secret)-key|authorization|x-api-key)[\"']?\s*[:=]\s*[\"']?)"
    r"([^\s\"',}]+(?: [^\s\"',}]+)?)"
)
MASK = "[redacted]"
_MIN_SECRET_LEN = 6  # shorter strings would redact ordinary words


def register_secret(value: str | None) -> None:
    """Remember a secret value so that it is masked wherever it would be logged or shown."""
    global _pattern
    if not value or len(value) < _MIN_SECRET_LEN:
        return
    with _lock:
        if value in _secrets:
            return
        _secrets.add(value)
        ordered = sorted(_secrets, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(s) for s in ordered))


def redact(text: str) -> str:
    """Mask every registered secret and any auth header value in `text`."""
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    return _HEADER_RE.sub(lambda m: m.group(1) + MASK, text)


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Format the record once, redact it, and freeze the result into `record.msg` (tracebacks too)."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string must not kill logging
        message = str(record.msg)
    record.msg = redact(message)
    record.args = None
    if record.exc_info and record.exc_info[1] is not None:
        import traceback

        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
        record.exc_info = None
    return record


class RedactingFilter(logging.Filter):
    """Handler filter form of `redact_record` (for handlers attached outside `configure_logging`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


_base_factory = logging.getLogRecordFactory()


def _redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
    return redact_record(_base_factory(*args, **kwargs))


def install_record_redaction() -> None:
    """Redact at record creation, so that no handler at all (ours, the SDK's, pytest's) sees a secret."""
    if logging.getLogRecordFactory() is not _redacting_factory:
        logging.setLogRecordFactory(_redacting_factory)


_configured = False


def configure_logging(level: str = "INFO") -> None:
    """Send every log record of the process to stderr through the redaction filter (idempotent)."""
    global _configured
    install_record_redaction()
    root = logging.getLogger()
    root.setLevel(level)
    if _configured:
        return
    # MCPServer configures logging too (a console handler via basicConfig): replace console handlers (stdout is
    # the stdio wire) with one filtered stderr handler; keep any other handler (files, test capture).
    for handler in list(root.handlers):
        if _is_console(handler):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    for noisy in ("httpx", "httpcore", "httpx2", "httpcore2"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    _configured = True


def _is_console(handler: logging.Handler) -> bool:
    if type(handler).__name__ == "RichHandler":
        return True
    if not isinstance(handler, logging.StreamHandler) or isinstance(handler, logging.FileHandler):
        return False
    return handler.stream in (sys.stderr, sys.stdout, sys.__stderr__, sys.__stdout__)


def install_filter_on_all_handlers() -> None:
    """Attach the redaction filter to every handler already on the root logger (tests, embedded use)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
