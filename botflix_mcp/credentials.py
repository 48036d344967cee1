"""The skill's credential-collection rule, enforced before any AIOZ call.

Order (issue 2 §5): keys from the environment/.env -> keys stored earlier in this MCP session -> ask the user.
Until both keys are present nothing is sent to AIOZ. Keys live per MCP session: over legacy streamable HTTP the
session is the `mcp-session-id`; over HTTP with a bearer token and no session id it is the token; over stdio (and
in-process) it is the process, which serves exactly one client.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError

from botflix_mcp.aioz.client import AiozCredentials
from botflix_mcp.settings import Settings
from botflix_mcp.templates import KEYS_SAFE_REMINDER, PUBLIC_KEY_QUESTION, SECRET_KEY_QUESTION

logger = logging.getLogger(__name__)

PROCESS_SESSION = "process"


def session_key(ctx: Context[Any, Any] | None) -> str | None:
    """Who owns session state for this request; None when an HTTP request carries no session identity."""
    if ctx is None:
        return PROCESS_SESSION
    try:
        headers = ctx.headers
    except Exception:  # outside a request
        return PROCESS_SESSION
    if headers is None:  # stdio or in-process: one client per process
        return PROCESS_SESSION
    sid = headers.get("mcp-session-id")
    if sid:
        return "sid:" + sid
    from mcp.server.auth.middleware.auth_context import get_access_token

    token = get_access_token()
    if token is not None:
        return "tok:" + hashlib.sha256(token.token.encode()).hexdigest()[:24]
    return None


def ask_in_chat_message() -> str:
    """The fallback when the client cannot elicit: the agent asks the user the skill's two exact questions."""
    return (
        "AIOZ Stream credentials are required before any AIOZ call, and none are configured for this session. "
        "Nothing was sent to AIOZ. Ask the user these two questions, each as its own open-ended text input "
        f'(not multiple choice):\n1. "{PUBLIC_KEY_QUESTION}"\n2. "{SECRET_KEY_QUESTION}"\n'
        "Then call aioz_credentials with public_key and secret_key set to the answers, and retry this tool. "
        f'Remind the user: "{KEYS_SAFE_REMINDER}"'
    )


@dataclass
class CredentialStore:
    """Per-session AIOZ keys (and BotFlix director keys minted during a session)."""

    settings: Settings
    _aioz: dict[str, AiozCredentials] = field(default_factory=dict)
    _verified: set[str] = field(default_factory=set)
    _botflix: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def env_aioz(self) -> AiozCredentials | None:
        s = self.settings
        if s.aioz_public_key and s.aioz_secret_key:
            return AiozCredentials(s.aioz_public_key, s.aioz_secret_key, "environment")
        return None

    def get_aioz(self, key: str | None) -> AiozCredentials | None:
        env = self.env_aioz()
        if env is not None:
            return env
        if key is None:
            return None
        with self._lock:
            return self._aioz.get(key)

    def set_aioz(self, key: str | None, creds: AiozCredentials) -> None:
        if key is None:
            raise ToolError(
                "This HTTP connection has no MCP session id and no bearer token, so keys cannot be kept for it "
                "without leaking to other clients. Configure AIOZ_PUBLIC_KEY/AIOZ_SECRET_KEY on the server, or "
                "connect with a session-based (2025-era) client or a bearer token."
            )
        with self._lock:
            self._aioz[key] = creds
            self._verified.discard(key + ":" + creds.fingerprint)

    def forget_aioz(self, key: str | None) -> bool:
        if key is None:
            return False
        with self._lock:
            return self._aioz.pop(key, None) is not None

    def is_verified(self, key: str | None, creds: AiozCredentials) -> bool:
        with self._lock:
            return f"{key}:{creds.fingerprint}" in self._verified

    def mark_verified(self, key: str | None, creds: AiozCredentials) -> None:
        with self._lock:
            self._verified.add(f"{key}:{creds.fingerprint}")

    def get_botflix(self, key: str | None) -> str | None:
        if key is not None:
            with self._lock:
                found = self._botflix.get(key)
            if found:
                return found
        env = self.settings.botflix_director_key
        return env.get_secret_value() if env else None

    def set_botflix(self, key: str | None, director_key: str) -> None:
        if key is None:
            return
        with self._lock:
            self._botflix[key] = director_key


async def require_aioz(ctx: Context[Any, Any] | None, store: CredentialStore) -> AiozCredentials:
    """Return this session's AIOZ keys or stop the tool (nothing sent) with the exact questions for the user."""
    key = session_key(ctx)
    creds = store.get_aioz(key)
    if creds is not None:
        return creds
    raise ToolError(ask_in_chat_message())
