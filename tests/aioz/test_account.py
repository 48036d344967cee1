"""aioz_account through the MCP client: human dates resolved before anything is sent, the range shown in UTC."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from tests.helpers import structured, text_of

pytestmark = pytest.mark.anyio


async def test_usage_takes_human_dates_and_shows_the_resolved_range(server: Any, fresh_sandbox: Any, mode: str) -> None:
    async with Client(server, mode=mode) as client:
        result = await client.call_tool(
            "aioz_account", {"action": "usage", "date_from": "1 Nov 2026", "date_to": "30 Nov 2026"}
        )
    assert not result.is_error, text_of(result)
    text = text_of(result)
    assert "2026-11-01 00:00" in text and "2026-11-30 23:59" in text and "UTC" in text
    usage = [e for e in fresh_sandbox.requests() if e["path"].endswith("/payment/usage")]
    assert len(usage) == 1
    assert structured(result)["data"]["range"]["from"] == 1_793_491_200  # 2026-11-01T00:00:00Z


async def test_a_bad_date_sends_nothing(server: Any, fresh_sandbox: Any, mode: str) -> None:
    async with Client(server, mode=mode) as client:
        before = len(fresh_sandbox.requests())
        result = await client.call_tool("aioz_account", {"action": "billings", "date_from": "the day after never"})
    assert result.is_error
    assert "Nothing was sent" in text_of(result)
    assert len(fresh_sandbox.requests()) == before  # not even the key check: dates are resolved first


async def test_rejected_keys_use_the_shared_check(server: Any, fresh_sandbox: Any, mode: str) -> None:
    async with Client(server, mode=mode) as client:
        result = await client.call_tool(
            "aioz_credentials", {"public_key": "pk_wrong_but_printable", "secret_key": "sk_wrong_but_printable"}
        )
    assert result.is_error
    text = text_of(result)
    assert "rejected these keys" in text and "not stored" in text and "wrong_but" not in text
