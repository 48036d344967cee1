"""What every rule module shares: `RuleViolation`, tags and metadata (media and playlists)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from botflix_mcp.errors import UserInputError


class RuleViolation(UserInputError, ValueError):
    """Input that breaks a rule of the skill or a limit of the real API (nothing was sent).

    A `ValueError` (plain callers can catch that) and a `UserInputError` (the toolkit turns it into a ToolError
    saying "Nothing was sent or changed"). `message` says what is wrong, `next_step` what to do instead.
    """

    def __init__(self, message: str, next_step: str | None = None) -> None:
        super().__init__(message, next_step)

    def __str__(self) -> str:
        return self.message if not self.next_step else f"{self.message} {self.next_step}"


MAX_TAGS = 50
MAX_TAG_LEN = 255
MAX_METADATA = 50


def validate_tags(tags: Sequence[str]) -> list[str]:
    """Up to 50 tags of <= 255 chars, blanks dropped (docs/aioz-api.md §media; the host lower-cases, de-duplicates
    and sorts them)."""
    if isinstance(tags, str):
        tags = tags.split(",")
    cleaned = [str(t).strip() for t in tags if t is not None and str(t).strip()]
    if len(cleaned) > MAX_TAGS:
        raise RuleViolation(f"{len(cleaned)} tags given; at most {MAX_TAGS}.", "Drop some tags.")
    long = [t for t in cleaned if len(t) > MAX_TAG_LEN]
    if long:
        raise RuleViolation(f"Tag {long[0][:40]!r}... is longer than {MAX_TAG_LEN} characters.", "Shorten it.")
    return cleaned


def validate_metadata(metadata: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """`{"k": "v"}` or `[{"key": "k", "value": "v"}]` -> the wire list of at most 50 pairs with non-empty keys."""
    if isinstance(metadata, Mapping):
        pairs = [{"key": str(k).strip(), "value": str(v)} for k, v in metadata.items()]
    else:
        pairs = []
        for item in metadata:
            if not isinstance(item, Mapping) or "key" not in item:
                raise RuleViolation("Each metadata item needs a 'key'.", 'Use [{"key": "genre", "value": "rock"}].')
            pairs.append({"key": str(item["key"]).strip(), "value": str(item.get("value", ""))})
    if any(not p["key"] for p in pairs):
        raise RuleViolation("A metadata key is empty.", 'Give every pair a key, e.g. {"genre": "rock"}.')
    if len(pairs) > MAX_METADATA:
        raise RuleViolation(f"{len(pairs)} metadata pairs given; at most {MAX_METADATA}.", "Drop some pairs.")
    return pairs
