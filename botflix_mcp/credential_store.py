"""`CredentialStore`: the AIOZ key pairs and BotFlix director keys kept per MCP session (one per process).

Kept apart from `credentials.py` (the collection rule) so that `App` can own the store without importing the
rule, which itself needs the App: no import cycle.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from mcp.server.mcpserver.exceptions import ToolError

from botflix_mcp.aioz.client import AiozCredentials
from botflix_mcp.settings import Settings


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
