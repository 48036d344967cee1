"""Checking a pasted AIOZ key pair: the local rules, then one `GET /user/me`, then storing it for the session.

Shared by every way keys arrive (the `aioz_credentials` tool, the form elicitation in `credentials.py`, the keys
page in `keys_page.py`), so each of them refuses the same things with the same words, never echoing a key.
Kept apart from `credentials.py` so that the keys page does not import it back (no import cycle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botflix_mcp.aioz.api import account as account_api
from botflix_mcp.aioz.client import AiozCredentials, AiozSession
from botflix_mcp.errors import AuthenticationError

if TYPE_CHECKING:
    from botflix_mcp.app import App

KEY_MIN, KEY_MAX = 8, 512


class KeysRejected(Exception):
    """AIOZ answered 401 to /user/me with these keys; nothing was stored."""

    def __init__(self, explanation: str) -> None:
        super().__init__(explanation)
        self.explanation = explanation


def is_printable_ascii(value: str) -> bool:
    """Only the characters an API key can hold: '!' to '~' (no spaces, no control or non-ASCII characters)."""
    return all("!" <= ch <= "~" for ch in value)


def parse_keys(public_key: str, secret_key: str, *, source: str) -> tuple[str, AiozCredentials | None]:
    """Local checks (no network): (problem, None) or ("", creds). Problems never repeat the values.

    Surrounding whitespace (a pasted key with its newline) is trimmed, not refused.
    """
    pub, sec = public_key.strip(), secret_key.strip()
    for label, value in (("Public Key", pub), ("Secret Key", sec)):
        if not value:
            return f"The AIOZ Stream {label} is empty; both keys are needed.", None
        if any(ch.isspace() for ch in value):
            return f"The AIOZ Stream {label} contains spaces or line breaks; paste the key alone.", None
        if not is_printable_ascii(value):  # it is sent as an HTTP header: anything else cannot even be encoded
            return (
                f"The AIOZ Stream {label} contains characters that are not printable ASCII (keys are letters, "
                "digits and punctuation only); copy it again from the AIOZ Stream dashboard and paste the key alone.",
                None,
            )
        if not KEY_MIN <= len(value) <= KEY_MAX:
            return f"The AIOZ Stream {label} should be {KEY_MIN} to {KEY_MAX} characters long.", None
    if pub == sec:
        return "The Public Key and the Secret Key are identical; paste each key into its own field.", None
    return "", AiozCredentials.of(pub, sec, source=source)


def rejected_explanation(message: str) -> str:
    return (
        f"AIOZ Stream rejected these keys (HTTP 401 Unauthorized: {message}). They were not stored and nothing "
        "else was sent. Check that the Public Key and the Secret Key are not swapped, that both were copied "
        "whole, and that the key pair was not deleted or rotated in the AIOZ Stream dashboard."
    )


async def check_and_store(app: App, key: str | None, creds: AiozCredentials) -> dict[str, Any]:
    """Check the pair once against `GET /user/me`; store it for session `key` (None: keep nothing)."""
    try:
        user = (await account_api.me(AiozSession(app.aioz, creds))).dump()
    except AuthenticationError as exc:
        raise KeysRejected(rejected_explanation(exc.message)) from None
    if key is not None:
        app.credentials.set_aioz(key, creds)
        app.credentials.mark_verified(key, creds)
    return user
