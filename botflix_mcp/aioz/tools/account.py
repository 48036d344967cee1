"""Account toolset: credentials for this session, the current user, payments (dashboard token only)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio.to_thread
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import Field

from botflix_mcp.aioz.api import account as account_api
from botflix_mcp.aioz.api.base import total_of
from botflix_mcp.aioz.rules.dates import describe_range, range_info, resolve_range
from botflix_mcp.aioz.session import aioz_session
from botflix_mcp.app import App
from botflix_mcp.credentials import session_key
from botflix_mcp.errors import UserInputError
from botflix_mcp.key_check import KeysRejected, check_and_store, parse_keys
from botflix_mcp.results import ToolOutput, page_of, to_result
from botflix_mcp.templates import KEYS_SAFE_REMINDER
from botflix_mcp.toolkit import Toolkit

KeyStr = Annotated[str, Field(min_length=8, max_length=512, pattern=r"^\S+$")]


def _user_summary(user: dict[str, Any]) -> str:
    name = " ".join(x for x in (user.get("first_name"), user.get("last_name")) if x) or "(no name)"
    return (
        f"**AIOZ Stream account**: {name} <{user.get('email', '?')}>\n"
        f"- Balance: {user.get('balance', '?')} (debt {user.get('debt', '0')})\n"
        f"- Wallet: `{user.get('wallet_address', '-')}`"
    )


def register(kit: Toolkit, app: App) -> None:
    @kit.tool(
        name="aioz_credentials",
        title="Store AIOZ keys for this session",
        toolset="account",
        read_only=False,
        destructive=False,
        idempotent=True,
        open_world=True,
    )
    async def aioz_credentials(
        ctx: Context,
        public_key: Annotated[KeyStr, Field(description="Answer to 'Please enter your AIOZ Stream Public Key:'")],
        secret_key: Annotated[KeyStr, Field(description="Answer to 'Please enter your AIOZ Stream Secret Key:'")],
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Store the user's AIOZ Stream key pair for this MCP session, after checking it once against /user/me.
        Call only with keys the user typed when asked; other AIOZ tools use them automatically."""
        problem, creds = parse_keys(public_key, secret_key, source="session")  # printable ASCII, trimmed
        if creds is None:
            raise UserInputError(problem, "Ask the user to paste both keys again.")
        key = session_key(ctx)
        if key is None:
            app.credentials.set_aioz(key, creds)  # explains why keys cannot be kept here; nothing is sent
        try:
            user = await check_and_store(app, key, creds)  # the one check-and-store path (also page and form)
        except KeysRejected as exc:
            raise ToolError(f"{exc.explanation} Ask the user to re-enter both keys.") from None
        return to_result(
            ToolOutput(
                summary=f"Keys stored for this session.\n\n{_user_summary(user)}\n\n> {KEYS_SAFE_REMINDER}",
                data={"user_id": user.get("id"), "email": user.get("email")},
            )
        )

    @kit.tool(
        name="aioz_account",
        title="AIOZ account and billing",
        toolset="account",
        read_only=True,
        open_world=True,
    )
    async def aioz_account(
        ctx: Context,
        action: Annotated[
            Literal["me", "usage", "top_ups", "billings"],
            Field(description="me: user, balance. usage/top_ups/billings: payments (need AIOZ_DASHBOARD_TOKEN)"),
        ] = "me",
        date_from: Annotated[
            str | None, Field(max_length=100, description="usage/history start: a date, 'last 30 days', ISO or UNIX")
        ] = None,
        date_to: Annotated[str | None, Field(max_length=100, description="usage/history end (default now)")] = None,
        offset: Annotated[int, Field(ge=0)] = 0,
        limit: Annotated[int, Field(ge=1, le=100)] = 25,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Current AIOZ user (balance, wallet) or payment usage, top-ups and billings (dates in UTC)."""
        if action != "me" and app.settings.aioz_dashboard_token is None:
            raise ToolError(
                "Payment endpoints accept only an AIOZ dashboard login token, and AIOZ_DASHBOARD_TOKEN is not set. "
                "Nothing was sent. Ask the operator to set AIOZ_DASHBOARD_TOKEN (API keys are rejected there)."
            )
        start: int | None = None
        end: int | None = None
        span = ""
        if action != "me" and (date_from or date_to or action == "usage"):
            # Resolved before anything is sent; human dates load dateparser, so off the event loop.
            start, end = await anyio.to_thread.run_sync(resolve_range, date_from or "last 30 days", date_to)
            span = f" — {describe_range(start, end)}" if start is not None and end is not None else ""
        api = await aioz_session(ctx, app)
        if action == "me":
            user = await account_api.me(api)
            return to_result(ToolOutput(summary=_user_summary(user.dump()), data=user.dump()))
        if action == "usage":
            assert start is not None and end is not None
            usage = (await account_api.usage(api, start=start, end=end)).dump()
            return to_result(
                ToolOutput(summary=f"**Usage**{span}\n{_kv(usage)}", data={**usage, "range": range_info(start, end)})
            )
        items, sent_total = await account_api.payments(api, action, offset=offset, limit=limit, start=start, end=end)
        rows = [item.dump() for item in items]
        total = total_of(sent_total, len(rows), offset)
        lines = [f"- {_kv(row, inline=True)}" for row in rows] or ["(none)"]
        return to_result(
            ToolOutput(
                summary=f"**{action.replace('_', '-')}** ({total}){span}\n" + "\n".join(lines),
                data=rows,
                page=page_of(total, offset, limit, len(rows)),
            )
        )


def _kv(data: Any, inline: bool = False) -> str:
    if not isinstance(data, dict):
        return str(data)
    parts = [f"{k}: {v}" for k, v in data.items()]
    return ", ".join(parts) if inline else "\n".join(f"- {p}" for p in parts)
