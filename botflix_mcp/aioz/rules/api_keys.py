"""API keys: ttl as a string of seconds and the key type (docs/aioz-api.md §api-keys)."""

from __future__ import annotations

import re

from botflix_mcp.aioz.rules.common import RuleViolation

# =========================================================================== API keys, webhooks, media fields

API_KEY_TYPES: tuple[str, ...] = ("full_access", "only_upload")
TTL_MAX = 2_147_483_647
_TTL_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800, "month": 2592000, "year": 31536000}


def validate_ttl(ttl: int | float | str) -> str:
    """An API key's lifetime in seconds, 1..2147483647, returned as the STRING the API expects
    (docs/aioz-api.md §api-keys).

    Accepts an integer (or a whole float), a numeric string, or "<n> <unit>" with unit second|minute|hour|day|week|
    month (30 days)|year (365 days), e.g. "30 days" -> "2592000".
    """
    text = str(ttl).strip().lower()
    if isinstance(ttl, float) and ttl.is_integer():
        text = str(int(ttl))
    match = re.fullmatch(r"(\d+)\s*(second|minute|hour|day|week|month|year)s?", text)
    if isinstance(ttl, bool) or not (match or re.fullmatch(r"[+-]?\d+", text)):
        raise RuleViolation(
            f"ttl {ttl!r} is not a number of seconds.", "E.g. 2592000 (or '30 days'); at most 2147483647."
        )
    seconds = int(match.group(1)) * _TTL_UNITS[match.group(2)] if match else int(text)
    if not 1 <= seconds <= TTL_MAX:
        raise RuleViolation(f"ttl must be from 1 to {TTL_MAX} seconds, got {seconds}.", "E.g. 2592000 for 30 days.")
    return str(seconds)


def validate_api_key_type(kind: str) -> str:
    """`full_access` or `only_upload` (case and spaces forgiven)."""
    normalised = str(kind).strip().lower().replace("-", "_").replace(" ", "_")
    if normalised not in API_KEY_TYPES:
        raise RuleViolation(f"Key type {kind!r} is not supported.", "Use full_access or only_upload.")
    return normalised
