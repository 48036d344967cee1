"""Webhooks toolset: list/get, create/update (+ the reachability check), check, delete.

Skill rule 8: after every create or update the handler calls `POST /webhooks/check/{id}` and reports its result
BEFORE the webhook is confirmed to the user; a failed check is shown with what to fix, never hidden.

Wire facts (docs/aioz-api.md §webhooks; they win over the skill): the check POSTs a test `encoding.started` payload
with a 1 s timeout and needs exactly HTTP 200 back; management flags use underscores (`encoding_finished`) while
delivered events use dots (`encoding.finished`); deliveries carry no signature.
(The server's own webhook receiver lives in aioz/webhooks_receiver.py; this module only manages AIOZ webhooks.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from botflix_mcp.aioz import rules
from botflix_mcp.aioz.api import webhooks as webhooks_api
from botflix_mcp.aioz.api.base import total_of
from botflix_mcp.aioz.api.webhooks import EVENTS, Webhook
from botflix_mcp.aioz.session import AiozSession, aioz_session
from botflix_mcp.app import App
from botflix_mcp.errors import (
    ApiConnectionError,
    ApiError,
    AuthenticationError,
    NotFoundError,
    UnexpectedAnswerError,
    UserInputError,
)
from botflix_mcp.params import ResourceId
from botflix_mcp.results import ToolOutput, page_of, to_result
from botflix_mcp.toolkit import Toolkit

Id = ResourceId
Event = Literal["file_received", "encoding_started", "partial_finished", "encoding_finished", "encoding_failed"]
MAX_URL = 2048
LIST_STEP = "List the webhooks with aioz_webhooks (action 'list') to find its id."

CHECK_FIX = (
    "Make sure the URL is public (reachable from the internet, not localhost or a private network), uses "
    "http(s), and answers a JSON POST with exactly HTTP 200 within 1 second (answer first, process later). "
    "Then run aioz_webhook_write with action 'check', or update the URL."
)


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str
    status: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "status": self.status, "message": self.message}


def event_flags(events: list[str] | None) -> dict[str, bool]:
    """The five subscription flags of the spec from a list of event names (all five are always sent)."""
    chosen = set(events or ())
    unknown = chosen - set(EVENTS)
    if unknown:
        raise UserInputError(f"unknown webhook event(s) {sorted(unknown)}; choose from {', '.join(EVENTS)}.")
    return {name: name in chosen for name in EVENTS}


def _as_webhook(webhook: Webhook | dict[str, Any]) -> Webhook:
    return webhook if isinstance(webhook, Webhook) else Webhook.model_validate(webhook)


def subscribed(webhook: Webhook | dict[str, Any]) -> list[str]:
    return _as_webhook(webhook).events


def render_webhook(webhook: Webhook | dict[str, Any]) -> str:
    hook = _as_webhook(webhook)
    events = ", ".join(f"`{e}`" for e in hook.events) or "(none)"
    return (
        f"- **{hook.name or '(unnamed)'}** `{hook.id or '?'}`\n"
        f"  - URL: {hook.url or '?'}\n  - Events: {events}\n"
        f"  - Last triggered: {hook.last_triggered_at or 'never'}"
    )


def render_check(result: CheckResult) -> str:
    if result.ok:
        return "### 🔎 Reachability check: ✅ passed\nAIOZ sent a test event to the URL and got HTTP 200."
    status = f"HTTP {result.status}: " if result.status is not None else ""
    return f"### 🔎 Reachability check: ❌ FAILED\nAIOZ says: {status}{result.message}\n\n**How to fix:** {CHECK_FIX}"


async def run_check(api: AiozSession, webhook_id: str, *, strict: bool) -> CheckResult:
    """`POST /webhooks/check/{id}`. A refused delivery is a result, not an exception.

    With `strict`, errors that are not about the URL (bad keys, unknown id, host unreachable) propagate; after a
    create/update they are reported instead, because the webhook already exists and its id must reach the user.
    """
    try:
        status, message = await webhooks_api.check_webhook(api, webhook_id)
    except ApiError as exc:
        if strict and isinstance(exc, AuthenticationError | NotFoundError | ApiConnectionError):
            raise
        if exc.status == 429 and strict:
            raise
        return CheckResult(False, exc.message, exc.status)
    return CheckResult(True, message, status)


def confirmation(verb: str, webhook: Webhook | dict[str, Any], check: CheckResult) -> tuple[str, list[str]]:
    """Check result FIRST, then the confirmation (or the explicit non-confirmation)."""
    head = render_check(check)
    if check.ok:
        return f"{head}\n\n## ✅ Webhook {verb}\n{render_webhook(webhook)}", []
    body = f"{head}\n\n## ⚠️ Webhook {verb} but NOT confirmed: AIOZ could not deliver to it\n{render_webhook(webhook)}"
    return body, ["The webhook is saved but its URL failed the check; events will not arrive until it is fixed."]


def register(kit: Toolkit, app: App) -> None:
    @kit.tool(name="aioz_webhooks", title="AIOZ webhooks", toolset="webhooks", read_only=True)
    async def aioz_webhooks(
        ctx: Context,
        action: Literal["list", "get"] = "list",
        webhook_id: Id | None = None,
        search: Annotated[str | None, Field(max_length=255, description="list: name contains")] = None,
        offset: Annotated[int, Field(ge=0)] = 0,
        limit: Annotated[int, Field(ge=1, le=100)] = 25,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """List webhooks or get one (URL, events, last trigger)."""
        if action == "get":
            if not webhook_id:
                raise UserInputError("webhook_id is required for action 'get'.", LIST_STEP)
            api = await aioz_session(ctx, app)
            webhook = await webhooks_api.get_webhook(api, webhook_id)
            return to_result(ToolOutput(summary=render_webhook(webhook), data=webhook.dump()))
        api = await aioz_session(ctx, app)
        page = await webhooks_api.list_webhooks(api, search=search, offset=offset, limit=limit)
        hooks = page.webhooks
        total = total_of(page.total, len(hooks), offset)
        return to_result(
            ToolOutput(
                summary=f"**Webhooks** ({total})\n" + ("\n".join(render_webhook(h) for h in hooks) or "(none)"),
                data=[h.dump() for h in hooks],
                page=page_of(total, offset, limit, len(hooks)),
            )
        )

    @kit.tool(
        name="aioz_webhook_write",
        title="Set up AIOZ webhooks",
        toolset="webhooks",
        read_only=False,
        destructive=True,  # update overwrites the URL and flags
        idempotent=False,
    )
    async def aioz_webhook_write(
        ctx: Context,
        action: Literal["create", "update", "check"],
        webhook_id: Id | None = None,
        name: Annotated[str | None, Field(max_length=255)] = None,
        url: Annotated[str | None, Field(max_length=MAX_URL)] = None,
        events: Annotated[
            list[Event] | None, Field(max_length=10, description="create default: all; unlisted = off")
        ] = None,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """create/update, then AIOZ test-delivers to the URL and that check is reported first. check: re-test."""
        if action == "check":
            if not webhook_id:
                raise UserInputError("webhook_id is required for action 'check'.", LIST_STEP)
            api = await aioz_session(ctx, app)
            result = await run_check(api, webhook_id, strict=True)
            return to_result(
                ToolOutput(summary=render_check(result), data={"webhook_id": webhook_id} | {"check": result.as_dict()})
            )
        body: dict[str, Any] = {}
        if name is not None:
            body["name"] = name
        if url is not None:
            body["url"] = rules.validate_webhook_url(url)
        if events is not None:
            body.update(event_flags(list(events)))
        if action == "create":
            if not url:
                raise UserInputError("url is required to create a webhook.", "Give the public URL AIOZ should POST to.")
            body.setdefault("name", name or "botflix-mcp webhook")
            if events is None:  # default: every event (the skill lists all five)
                body.update(event_flags(list(EVENTS)))
            api = await aioz_session(ctx, app)
            webhook = await webhooks_api.create_webhook(api, body)
            verb = "created"
        else:
            if not webhook_id:
                raise UserInputError("webhook_id is required for action 'update'.", LIST_STEP)
            if not body:
                raise UserInputError("update needs at least one of name, url or events.", "Give what should change.")
            api = await aioz_session(ctx, app)
            await webhooks_api.update_webhook(api, webhook_id, body)
            try:
                webhook = await webhooks_api.get_webhook(api, webhook_id)
            except UnexpectedAnswerError:  # updated, but the re-read came back empty: show what was sent
                webhook = Webhook.model_validate({"id": webhook_id, **body})
            verb = "updated"
        check = await run_check(api, webhook.id or webhook_id or "", strict=False)
        summary, warnings = confirmation(verb, webhook, check)
        return to_result(
            ToolOutput(summary=summary, data={"webhook": webhook.dump(), "check": check.as_dict()}, warnings=warnings)
        )

    @kit.tool(
        name="aioz_webhook_delete",
        title="Delete AIOZ webhook",
        toolset="webhooks",
        read_only=False,
        destructive=True,
        idempotent=True,
    )
    async def aioz_webhook_delete(ctx: Context, webhook_id: Id) -> Annotated[CallToolResult, ToolOutput]:
        """Delete a webhook; AIOZ stops sending its events."""
        api = await aioz_session(ctx, app)
        await webhooks_api.delete_webhook(api, webhook_id)
        return to_result(ToolOutput(summary=f"🗑️ Webhook `{webhook_id}` deleted.", data={"deleted": webhook_id}))
