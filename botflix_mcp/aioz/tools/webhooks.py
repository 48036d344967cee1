"""Webhooks toolset: list/get, create/update (+ the reachability check), check, delete.

Skill rule 8: after every create or update the handler calls `POST /webhooks/check/{id}` and reports its result
BEFORE the webhook is confirmed to the user; a failed check is shown with what to fix, never hidden.

Facts from research/aioz.md §5.6/§7 (they win over the skill): the check POSTs a test `encoding.started` payload
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
from botflix_mcp.aioz.session import AiozSession, aioz_session
from botflix_mcp.app import App
from botflix_mcp.errors import ApiConnectionError, ApiError, AuthenticationError, NotFoundError, UserInputError
from botflix_mcp.results import ToolOutput, page_of, to_result
from botflix_mcp.toolkit import Toolkit

Id = Annotated[str, Field(pattern=r"^[\w-]{1,100}$")]  # ids go into URL paths: no '/', '.', '?'...
EVENTS: tuple[str, ...] = (
    "file_received",
    "encoding_started",
    "partial_finished",
    "encoding_finished",
    "encoding_failed",
)
Event = Literal["file_received", "encoding_started", "partial_finished", "encoding_finished", "encoding_failed"]

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


def subscribed(webhook: dict[str, Any]) -> list[str]:
    return [e for e in EVENTS if webhook.get(e)]


def render_webhook(webhook: dict[str, Any]) -> str:
    events = ", ".join(f"`{e}`" for e in subscribed(webhook)) or "(none)"
    return (
        f"- **{webhook.get('name', '(unnamed)')}** `{webhook.get('id')}`\n"
        f"  - URL: {webhook.get('url', '?')}\n  - Events: {events}\n"
        f"  - Last triggered: {webhook.get('last_triggered_at') or 'never'}"
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
        response = await api.post(f"/webhooks/check/{webhook_id}")
    except ApiError as exc:
        if strict and isinstance(exc, AuthenticationError | NotFoundError | ApiConnectionError):
            raise
        if exc.status == 429 and strict:
            raise
        return CheckResult(False, exc.message, exc.status)
    return CheckResult(True, response.message or "ok", response.status)


def confirmation(verb: str, webhook: dict[str, Any], check: CheckResult) -> tuple[str, list[str]]:
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
        search: str | None = None,
        offset: Annotated[int, Field(ge=0)] = 0,
        limit: Annotated[int, Field(ge=1, le=100)] = 25,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """List webhooks or get one (URL, events, last trigger)."""
        if action == "get":
            if not webhook_id:
                raise UserInputError("webhook_id is required for action 'get'.", "List webhooks first.")
            api = await aioz_session(ctx, app)
            data = (await api.get(f"/webhooks/{webhook_id}")).data or {}
            webhook = data.get("webhook", data)
            return to_result(ToolOutput(summary=render_webhook(webhook), data=webhook))
        params = {"search": search, "sort_by": "created_at", "order_by": "desc", "offset": offset, "limit": limit}
        api = await aioz_session(ctx, app)
        data = (await api.get("/webhooks", params=params)).data or {}
        hooks = data.get("webhooks") or []
        total = int(data.get("total", len(hooks)))
        return to_result(
            ToolOutput(
                summary=f"**Webhooks** ({total})\n" + ("\n".join(render_webhook(h) for h in hooks) or "(none)"),
                data=hooks,
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
        url: str | None = None,
        events: Annotated[list[Event] | None, Field(description="create default: all; unlisted = off")] = None,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """create/update, then AIOZ test-delivers to the URL and that check is reported first. check: re-test."""
        if action == "check":
            if not webhook_id:
                raise UserInputError("webhook_id is required for action 'check'.", "List webhooks first.")
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
                raise UserInputError("url is required to create a webhook.")
            body.setdefault("name", name or "botflix-mcp webhook")
            if events is None:  # default: every event (the skill lists all five)
                body.update(event_flags(list(EVENTS)))
            api = await aioz_session(ctx, app)
            data = (await api.post("/webhooks", json=body)).data or {}
            webhook = data.get("webhook", data)
            verb = "created"
        else:
            if not webhook_id:
                raise UserInputError("webhook_id is required for action 'update'.", "List webhooks first.")
            if not body:
                raise UserInputError("update needs at least one of name, url or events.")
            api = await aioz_session(ctx, app)
            await api.patch(f"/webhooks/{webhook_id}", json=body)
            got = (await api.get(f"/webhooks/{webhook_id}")).data or {}
            webhook = got.get("webhook", got)
            verb = "updated"
        check = await run_check(api, str(webhook.get("id") or webhook_id), strict=False)
        summary, warnings = confirmation(verb, webhook, check)
        return to_result(
            ToolOutput(summary=summary, data={"webhook": webhook, "check": check.as_dict()}, warnings=warnings)
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
        await api.delete(f"/webhooks/{webhook_id}")
        return to_result(ToolOutput(summary=f"🗑️ Webhook `{webhook_id}` deleted.", data={"deleted": webhook_id}))
