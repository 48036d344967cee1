"""Account: the current user and the payment history (docs/aioz-api.md §api-keys, §payments).

`GET /user/me` answers `{"user": {...}}` with `balance` and `debt` as decimal strings. `/payment/*` is not in the
official spec and accepts only a dashboard login token (Bearer JWT), never API keys: the client adds it when
`dashboard=True`. Lists answer `{"top_ups" | "billings": [...], "total": N}`; a new account sends `null` lists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from botflix_mcp.aioz.api.base import Items, Model, OptCount, Text, parse

if TYPE_CHECKING:
    from botflix_mcp.aioz.client import AiozSession


class User(Model):
    id: Text = ""
    email: Text = ""
    first_name: Text = ""
    last_name: Text = ""
    wallet_address: Text = ""
    balance: Text = ""
    debt: Text = ""

    @property
    def display_name(self) -> str:
        return " ".join(x for x in (self.first_name, self.last_name) if x) or "(no name)"


class Usage(Model):
    """Storage, delivery and transcode usage with their costs (costs are decimal strings)."""


class Payment(Model):
    """A top-up (`transaction_id, credit, status, created_at`) or a billing line (usage and costs)."""

    created_at: Text = ""


class PaymentList(Model):
    top_ups: Items[Payment] = []
    billings: Items[Payment] = []
    total: OptCount = None


async def me(api: AiozSession) -> User:
    response = await api.request("GET", "/user/me")
    return parse(User, response.data, method="GET", path="/user/me", key="user")


async def usage(api: AiozSession, *, start: int, end: int) -> Usage:
    response = await api.request("GET", "/payment/usage", params={"from": start, "to": end}, dashboard=True)
    return parse(Usage, response.data, method="GET", path="/payment/usage")


async def payments(
    api: AiozSession,
    kind: Literal["top_ups", "billings"],
    *,
    offset: int,
    limit: int,
    start: int | None = None,
    end: int | None = None,
) -> tuple[list[Payment], int | None]:
    """`GET /payment/top_ups` or `/payment/billings`, newest first. Returns (items, total as sent)."""
    path = f"/payment/{kind}"
    params: dict[str, Any] = {"offset": offset, "limit": limit, "order_by": "desc", "from": start, "to": end}
    response = await api.request("GET", path, params=params, dashboard=True)
    page = parse(PaymentList, response.data, method="GET", path=path)
    return (page.top_ups if kind == "top_ups" else page.billings), page.total
