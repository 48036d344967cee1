"""Process-wide state shared by every tool: settings, the pooled platform clients, per-session stores."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from botflix_mcp.http import RetryPolicy
from botflix_mcp.settings import Settings

if TYPE_CHECKING:
    from botflix_mcp.aioz.client import AiozClient
    from botflix_mcp.botflix.client import BotflixClient
    from botflix_mcp.credential_store import CredentialStore

T = TypeVar("T")


@dataclass
class App:
    """Created once per server process (the SDK runs one lifespan per process, also over HTTP)."""

    settings: Settings
    aioz_transport: httpx.AsyncBaseTransport | None = None
    botflix_transport: httpx.AsyncBaseTransport | None = None
    #: Overrides the retry policy derived from settings (tests use near-zero backoff).
    retry_policy: RetryPolicy | None = None
    #: Process-wide stores of the features that keep state (upload jobs, webhook events, ...), one per type.
    _state: dict[type, Any] = field(default_factory=dict)
    _aioz: AiozClient | None = None
    _botflix: BotflixClient | None = None
    _credentials: CredentialStore | None = None

    def state(self, kind: type[T], factory: Callable[[], T] | None = None) -> T:
        """The one `kind` store of this process (created on first use): typed, and app.py imports no feature.

        `factory` builds it when the type needs arguments (e.g. `lambda: KeysPages(app)`).
        """
        found = self._state.get(kind)
        if found is None:
            found = self._state[kind] = factory() if factory is not None else kind()
        return found

    @property
    def retry(self) -> RetryPolicy:
        return self.retry_policy or RetryPolicy(max_retries=self.settings.max_retries)

    @property
    def aioz(self) -> AiozClient:
        if self._aioz is None:
            from botflix_mcp.aioz.client import AiozClient

            self._aioz = AiozClient(
                self.settings.aioz_base_url,
                timeout=self.settings.http_timeout,
                complete_timeout=self.settings.complete_timeout,
                retry=self.retry,
                deadline=self.settings.call_deadline,
                dashboard_token=self.settings.aioz_dashboard_token,
                transport=self.aioz_transport,
            )
        return self._aioz

    @property
    def botflix(self) -> BotflixClient:
        if self._botflix is None:
            from botflix_mcp.botflix.client import BotflixClient

            self._botflix = BotflixClient(
                self.settings.botflix_base_url,
                timeout=self.settings.http_timeout,
                retry=self.retry,
                deadline=self.settings.call_deadline,
                field_map=self.settings.botflix_field_map,
                transport=self.botflix_transport,
            )
        return self._botflix

    @property
    def credentials(self) -> CredentialStore:
        if self._credentials is None:
            from botflix_mcp.credential_store import CredentialStore

            self._credentials = CredentialStore(self.settings)
        return self._credentials

    async def aclose(self) -> None:
        for client in (self._aioz, self._botflix):
            if client is not None:
                await client.aclose()
        for value in self._state.values():
            closer = getattr(value, "aclose", None)
            if closer is not None:
                await closer()
