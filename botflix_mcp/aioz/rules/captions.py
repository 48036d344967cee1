"""Captions and chapters: BCP-47 language tags in canonical casing."""

from __future__ import annotations

import re

from botflix_mcp.aioz.rules.common import RuleViolation

# RFC 5646 `langtag` (grandfathered irregular tags aside), matched on the lower-cased tag. The language subtag is
# limited to 2-3 letters (ISO 639) so that words such as "english" (syntactically a 5-8 letter subtag, but never
# registered) are refused.
_BCP47_RE = re.compile(
    r"^(?P<language>[a-z]{2,3}(?:-[a-z]{3}){0,3})"  # language + up to three extlang subtags
    r"(?:-(?P<script>[a-z]{4}))?"
    r"(?:-(?P<region>[a-z]{2}|\d{3}))?"
    r"(?P<variants>(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*)"
    r"(?P<extensions>(?:-[a-wyz\d](?:-[a-z\d]{2,8})+)*)"
    r"(?P<private>-x(?:-[a-z\d]{1,8})+)?$"
)
_LANGUAGE_NAMES = {
    "english": "en", "vietnamese": "vi", "french": "fr", "german": "de", "spanish": "es", "chinese": "zh",
    "japanese": "ja", "korean": "ko", "portuguese": "pt", "italian": "it", "russian": "ru", "arabic": "ar",
    "hindi": "hi", "thai": "th", "indonesian": "id", "dutch": "nl", "turkish": "tr", "polish": "pl",
}  # fmt: skip


def _canonical_tag(m: re.Match[str]) -> str:
    """RFC 5646 §2.1.1 casing: language lower, Script title, REGION upper, the rest lower."""
    out = m.group("language")
    if m.group("script"):
        out += "-" + m.group("script").title()
    if m.group("region"):
        out += "-" + m.group("region").upper()
    return out + m.group("variants") + m.group("extensions") + (m.group("private") or "")


def validate_language_tag(tag: str) -> str:
    """A BCP-47 tag (en, vi, en-US, fr-CA, zh-Hant-TW, es-419, de-CH-1996), returned in canonical casing.

    Refused with a hint: `en_US` (-> "en-US"), language names such as `english` (-> "en"), anything else that is
    not an RFC 5646 tag.
    """
    raw = str(tag).strip()
    m = _BCP47_RE.match(raw.lower())
    if m:
        return _canonical_tag(m)
    fixed = _BCP47_RE.match(raw.lower().replace("_", "-"))
    if "_" in raw and fixed:
        raise RuleViolation(f"Language tag {raw!r} uses '_'.", f"BCP-47 uses '-': use {_canonical_tag(fixed)!r}.")
    name = _LANGUAGE_NAMES.get(raw.lower())
    hint = f"For {raw} use {name!r}." if name else "Use a code such as en, vi, en-US, fr-CA or zh-Hant-TW."
    raise RuleViolation(f"{raw!r} is not a BCP-47 language tag.", hint)
