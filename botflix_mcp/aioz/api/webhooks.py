"""Webhooks (management): list, get, create, update, delete, check (docs/aioz-api.md §webhooks).

Wire facts this follows: `GET /webhooks?search&sort_by&order_by&offset&limit` answers
`{"webhooks": [...], "total": N}` (a new account sends `"webhooks": null`), the spec's default order is ascending
so newest-first is asked for; `GET /webhooks/{id}` answers `{"webhook": {...}}`; `POST /webhooks` answers 201 with
`{"webhook": {...}}`; PATCH/DELETE answer a message. The five subscription flags use underscores
(`encoding_finished`); the delivered event types use dots. `POST /webhooks/check/{id}` test-delivers an
`encoding.started` payload with a 1 s timeout and needs exactly HTTP 200 back, else it answers an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from botflix_mcp.aioz.api.base import Flag, Items, Model, OptCount, Text, parse, require
from botflix_mcp.errors import NotFoundError

if TYPE_CHECKING:
    from botflix_mcp.aioz.session import AiozSession

EVENTS: tuple[str, ...] = (
    "file_received",
    "encoding_started",
    "partial_finished",
    "encoding_finished",
    "encoding_failed",
)
NOT_FOUND_STEP = "Check the webhook id, or list the webhooks with aioz_webhooks (action 'list')."


@contextmanager
def not_found_step(step: str) -> Iterator[None]:
    """A 404 on a resource id gets the listing tool of that resource as its next step (not the generic one)."""
    try:
        yield
    except NotFoundError as exc:
        if "route not found" not in exc.message.lower():  # a missing route is about the host, not the id
            exc.next_step = step
        raise


class Webhook(Model):
    id: Text = ""
    user_id: Text = ""
    name: Text = ""
    url: Text = ""
    file_received: Flag = None
    encoding_started: Flag = None
    partial_finished: Flag = None
    encoding_finished: Flag = None
    encoding_failed: Flag = None
    created_at: Text = ""
    updated_at: Text = ""
    last_triggered_at: Text = ""

    @property
    def events(self) -> list[str]:
        """The subscribed events (flag names)."""
        return [e for e in EVENTS if getattr(self, e)]


class WebhookList(Model):
    webhooks: Items[Webhook] = []
    total: OptCount = None


async def list_webhooks(
    api: AiozSession,
    *,
    search: str | None = None,
    offset: int = 0,
    limit: int = 25,
    sort_by: str = "created_at",
    order_by: str = "desc",
) -> WebhookList:
    params: dict[str, Any] = {"search": search or None, "sort_by": sort_by, "order_by": order_by}
    params.update(offset=offset, limit=limit)
    response = await api.request("GET", "/webhooks", params=params)
    return parse(WebhookList, response.data, method="GET", path="/webhooks")


async def get_webhook(api: AiozSession, webhook_id: str) -> Webhook:
    path = f"/webhooks/{webhook_id}"
    with not_found_step(NOT_FOUND_STEP):
        response = await api.request("GET", path)
    webhook = parse(Webhook, response.data, method="GET", path=path, key="webhook")
    require(webhook.id, "webhook", method="GET", path=path)
    return webhook


async def create_webhook(api: AiozSession, body: dict[str, Any]) -> Webhook:
    """`POST /webhooks` (201); the body (name, url, the five flags) is built and checked by the caller."""
    response = await api.request("POST", "/webhooks", json=body)
    webhook = parse(Webhook, response.data, method="POST", path="/webhooks", key="webhook")
    require(webhook.id, "webhook id", method="POST", path="/webhooks")
    return webhook


async def update_webhook(api: AiozSession, webhook_id: str, changes: dict[str, Any]) -> str:
    path = f"/webhooks/{webhook_id}"
    with not_found_step(NOT_FOUND_STEP):
        response = await api.request("PATCH", path, json=changes)
    return response.message or "updated"


async def delete_webhook(api: AiozSession, webhook_id: str) -> str:
    path = f"/webhooks/{webhook_id}"
    with not_found_step(NOT_FOUND_STEP):
        response = await api.request("DELETE", path)
    return response.message or "deleted"


async def check_webhook(api: AiozSession, webhook_id: str) -> tuple[int, str]:
    """`POST /webhooks/check/{id}` -> (HTTP status, message); a refused delivery raises the host's `ApiError`."""
    path = f"/webhooks/check/{webhook_id}"
    with not_found_step(NOT_FOUND_STEP):
        response = await api.request("POST", path)
    return response.status, response.message or "ok"
