"""Webhooks: the endpoint URL."""

from __future__ import annotations

from urllib.parse import urlparse

from botflix_mcp.aioz.rules.common import RuleViolation


def validate_webhook_url(url: str) -> str:
    """An absolute http(s) URL with a host and no spaces (the same check serves the player logo link)."""
    text = str(url).strip()
    try:
        parsed = urlparse(text)
        ok = parsed.scheme.lower() in {"http", "https"} and bool(parsed.hostname) and parsed.port != 0
    except ValueError:  # a bad port or a broken [IPv6] host
        ok = False
    if not ok or any(c.isspace() for c in text):
        raise RuleViolation(f"{url!r} is not an absolute http(s) URL.", "Give e.g. https://example.com/hook.")
    return text
