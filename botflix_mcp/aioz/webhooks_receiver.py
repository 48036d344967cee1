"""The AIOZ webhook receiver (issue 4 §8): served over HTTP at `/aioz/webhook/{token}`.

Facts (docs/aioz-api.md §webhooks, they win over the skill): AIOZ POSTs JSON `{type, emitted_at, media_id, qualities,
title, status, media_type, user_id}` with **dotted** types (`encoding.finished`; the skill's template names use
underscores), with a 3 s timeout, no signature and no secret header; a transport error is retried later, a non-2xx
answer is not. So:

- the URL carries an unguessable token (32 random bytes, kept in the cache directory so that a registered webhook
  survives a restart); a wrong token gets 404, as if the route did not exist;
- the handler only parses, checks and stores (bounded: `PER_MEDIA` events for each of the last `MAX_MEDIA` media)
  and answers 200 at once; nothing slow runs inline;
- events are readable as the resource `aioz://events/{media_id}` and through `aioz_media_status`, which re-reads
  the media from the API before trusting an event (deliveries are unauthenticated).

`routes(app)` is mounted by `http_app.build_http_app`; `register(kit, app)` (server.EXTRA_MODULES) adds the
resource. `ensure_webhook` registers an AIOZ webhook pointing here and runs `/webhooks/check/{id}` (skill rule).
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import os
import secrets
from collections import OrderedDict, deque
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

from botflix_mcp.templates import WEBHOOK_TYPE_TO_TEMPLATE

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from botflix_mcp.aioz.session import AiozSession
    from botflix_mcp.app import App
    from botflix_mcp.toolkit import Toolkit

logger = logging.getLogger(__name__)

ROUTE_PREFIX = "/aioz/webhook"
TOKEN_FILE = "webhook-token"
MAX_BODY = 64 * 1024
PER_MEDIA = 50
MAX_MEDIA = 1000
WEBHOOK_NAME = "botflix-mcp receiver"
MAX_LOOKUP_PAGES = 10
EVENT_FLAGS = ("file_received", "encoding_started", "partial_finished", "encoding_finished", "encoding_failed")


@dataclass(frozen=True)
class WebhookEvent:
    type: str  # as delivered: "encoding.finished"
    template: str  # the skill's name: "encoding_finished"
    media_id: str
    title: str
    status: str
    qualities: str
    media_type: str
    user_id: str
    emitted_at: datetime
    received_at: datetime

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["emitted_at"] = self.emitted_at.isoformat()
        data["received_at"] = self.received_at.isoformat()
        return data


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    if "." in text:  # Go writes up to 9 fractional digits; Python takes 6
        head, _, rest = text.partition(".")
        digits = "".join(ch for ch in rest if ch.isdigit())
        zone = rest[len(digits) :]
        text = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_delivery(body: Any) -> WebhookEvent:
    """A delivery body -> `WebhookEvent`; `ValueError` says what is wrong."""
    if not isinstance(body, dict):
        raise ValueError("expected a JSON object")
    kind = str(body.get("type") or "")
    template = WEBHOOK_TYPE_TO_TEMPLATE.get(kind) or (kind if kind in WEBHOOK_TYPE_TO_TEMPLATE.values() else None)
    if template is None:
        raise ValueError(f"unknown event type {kind[:40]!r}")
    media_id = str(body.get("media_id") or "")
    if not media_id or len(media_id) > 100:
        raise ValueError("media_id missing")
    now = datetime.now(UTC)
    return WebhookEvent(
        type=kind,
        template=template,
        media_id=media_id,
        title=str(body.get("title") or "")[:255],
        status=str(body.get("status") or ""),
        qualities=str(body.get("qualities") or ""),
        media_type=str(body.get("media_type") or ""),
        user_id=str(body.get("user_id") or ""),
        emitted_at=parse_time(body.get("emitted_at")) or now,
        received_at=now,
    )


class EventStore:
    """Recent events per media, bounded; waiters are woken on every new event."""

    def __init__(self, per_media: int = PER_MEDIA, max_media: int = MAX_MEDIA) -> None:
        self.per_media = per_media
        self.max_media = max_media
        self._events: OrderedDict[str, deque[WebhookEvent]] = OrderedDict()
        self._signal = anyio.Event()

    def add(self, event: WebhookEvent) -> None:
        queue = self._events.pop(event.media_id, None) or deque(maxlen=self.per_media)
        queue.append(event)
        self._events[event.media_id] = queue
        while len(self._events) > self.max_media:
            self._events.popitem(last=False)
        signal, self._signal = self._signal, anyio.Event()
        signal.set()

    def events(self, media_id: str) -> list[WebhookEvent]:
        return list(self._events.get(media_id, ()))

    def latest(self, media_id: str) -> WebhookEvent | None:
        queue = self._events.get(media_id)
        return queue[-1] if queue else None

    async def wait(self, timeout: float) -> None:
        """Sleep until any event arrives or `timeout` passes."""
        signal = self._signal
        with anyio.move_on_after(timeout):
            await signal.wait()


@dataclass
class ReceiverState:
    """What the receiver keeps per process: the URL token once read, and whether the route is mounted."""

    token: str | None = None
    mounted: bool = False


def events_of(app: App) -> EventStore:
    return app.state(EventStore)


def _cache_dir(app: App) -> Path:
    from botflix_mcp.cache import default_cache_dir

    return app.settings.cache_dir or default_cache_dir()


def receiver_token(app: App) -> str:
    """The URL token: read from the cache directory, or created there (mode 0600) on first use."""
    state = app.state(ReceiverState)
    if state.token:
        return state.token
    path = _cache_dir(app) / TOKEN_FILE
    token = ""
    with contextlib.suppress(OSError):
        token = path.read_text(encoding="utf-8").strip()
    if len(token) < 32:
        token = secrets.token_urlsafe(32)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(token)
        except OSError as exc:  # still usable for this process
            logger.warning("could not keep the webhook token in the cache directory: %s", type(exc).__name__)
    state.token = token
    return token


def base_url(app: App) -> str | None:
    """Where AIOZ can reach this server: BOTFLIX_MCP_PUBLIC_URL, else the bound loopback URL (sandbox use)."""
    settings = app.settings
    if settings.public_url:
        return settings.public_url.rstrip("/")
    if not app.state(ReceiverState).mounted:
        return None
    host = settings.host if settings.host not in {"0.0.0.0", "::", ""} else "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{settings.port}"


def receiver_url(app: App) -> str | None:
    base = base_url(app)
    return f"{base}{ROUTE_PREFIX}/{receiver_token(app)}" if base else None


# --------------------------------------------------------------------------- HTTP route


def routes(app: App) -> list[Any]:
    """The Starlette route AIOZ delivers to (mounted by the HTTP layer)."""
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    app.state(ReceiverState).mounted = True
    expected = receiver_token(app).encode()
    store = events_of(app)

    async def deliver(request: Request) -> Response:
        token = str(request.path_params.get("token", "")).encode()
        if not hmac.compare_digest(token, expected):
            return JSONResponse({"message": "Route not found"}, status_code=404)
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
            return JSONResponse({"status": "fail", "message": "body too large"}, status_code=413)
        body = b""
        async for piece in request.stream():
            body += piece
            if len(body) > MAX_BODY:
                return JSONResponse({"status": "fail", "message": "body too large"}, status_code=413)
        try:
            event = parse_delivery(json.loads(body or b"null"))
        except ValueError as exc:  # JSONDecodeError is a ValueError
            return JSONResponse({"status": "fail", "message": f"invalid delivery: {exc}"}, status_code=400)
        store.add(event)
        logger.info("webhook %s for media %s", event.type, event.media_id)
        return JSONResponse({"status": "success", "message": "received"})

    return [Route(ROUTE_PREFIX + "/{token}", deliver, methods=["POST"])]


# --------------------------------------------------------------------------- MCP resource


def render_events(media_id: str, events: list[WebhookEvent]) -> str:
    return json.dumps({"media_id": media_id, "events": [e.as_dict() for e in events]}, indent=1)


def register(kit: Toolkit, app: App) -> None:
    """The resource template `aioz://events/{media_id}` (recent deliveries, JSON)."""
    if "upload" not in app.settings.toolsets:
        return

    @kit.server.resource(
        "aioz://events/{media_id}",
        name="aioz_webhook_events",
        title="AIOZ webhook events of a media",
        description="Recent AIOZ webhook deliveries received by this server for one media (HTTP mode only).",
        mime_type="application/json",
    )
    def aioz_events(media_id: str) -> str:
        return render_events(media_id, events_of(app).events(media_id))


# --------------------------------------------------------------------------- registration with AIOZ


async def ensure_webhook(api: AiozSession, url: str) -> tuple[dict[str, Any], bool]:
    """Find a webhook with this URL or create one (all five events); return (webhook, created).

    The receiver's webhooks are found by name, page after page (at most `MAX_LOOKUP_PAGES` pages of 100).
    """
    from botflix_mcp.aioz.api import webhooks as webhooks_api

    all_on = dict.fromkeys(EVENT_FLAGS, True)
    offset = 0
    for _ in range(MAX_LOOKUP_PAGES):
        page = await webhooks_api.list_webhooks(api, search=WEBHOOK_NAME, offset=offset, limit=100)
        for hook in page.webhooks:
            if hook.url == url and hook.id:
                if hook.events != list(EVENT_FLAGS):
                    await webhooks_api.update_webhook(api, hook.id, all_on)
                    hook = hook.model_copy(update=all_on)
                return hook.dump(), False
        offset += len(page.webhooks)
        if not page.webhooks or (page.total is not None and offset >= page.total):
            break
    created = await webhooks_api.create_webhook(api, {"name": WEBHOOK_NAME, "url": url, **all_on})
    return created.dump(), True
