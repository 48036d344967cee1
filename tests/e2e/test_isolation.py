"""Two users on one HTTP server never see each other's AIOZ keys (issue 6 §1).

Alice (the sandbox's demo account) and Bob (a second account made through the sandbox's admin API) each store
their own keys with `aioz_credentials`, then 1,000 `aioz_account` (me) calls run interleaved and concurrently
(5 workers per user); every answer must be the caller's own account, and the sandbox must have seen each user's
requests with that user's keys only.

- 2025-era clients: per-session keys live under the `Mcp-Session-Id` (no token needed).
- 2026-07-28 clients are stateless (no session id). With one bearer token per user, keys are kept per token;
  without a token a stateless client cannot store keys at all (it is told why) — keys then come from the
  server's environment or are collected for one call at a time (see tests/e2e/test_credentials_http.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.e2e.servers import serving
from tests.helpers import sandbox_settings, structured, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.slow]
CALLS = 1000
WORKERS = 5
TOKENS = ("alice-token-0123456789abcdef", "bob-token-fedcba9876543210")


def two_users(sandbox: Any) -> dict[str, dict[str, str]]:
    from botflix_mcp.sandbox import DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

    bob = sandbox.add_user("bob@sandbox.invalid", "7.00")
    return {
        "alice": {"public_key": DEMO_PUBLIC_KEY, "secret_key": DEMO_SECRET_KEY, "email": "demo@sandbox.invalid"},
        "bob": {"public_key": bob["public_key"], "secret_key": bob["secret_key"], "email": "bob@sandbox.invalid"},
    }


async def hammer(clients: dict[str, Client], users: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """CALLS calls in total, the users' workers interleaved; returns the emails each user was answered with."""
    answers: dict[str, list[str]] = {name: [] for name in clients}
    per_worker = CALLS // (len(clients) * WORKERS)

    async def worker(name: str) -> None:
        for _ in range(per_worker):
            result = await clients[name].call_tool("aioz_account", {"action": "me"})
            assert not result.is_error, text_of(result)
            answers[name].append(structured(result)["data"]["email"])

    async with anyio.create_task_group() as tg:
        for _ in range(WORKERS):
            for name in clients:
                tg.start_soon(worker, name)
    assert sum(len(a) for a in answers.values()) == CALLS
    return answers


def assert_no_crossing(answers: dict[str, list[str]], users: dict[str, dict[str, str]], sandbox: Any) -> None:
    for name, emails in answers.items():
        wrong = [e for e in emails if e != users[name]["email"]]
        assert not wrong, f"{name} got {len(wrong)} answers of another account: {wrong[:3]}"
    ids = {u["id"]: u["email"] for u in sandbox.aioz.users.values()}
    seen: dict[str, int] = {}
    for entry in sandbox.requests():
        if entry["path"].endswith("/user/me"):
            email = ids.get(entry.get("user_id", ""), "?")
            seen[email] = seen.get(email, 0) + 1
    for name, emails in answers.items():  # the sandbox served each user's calls with that user's keys
        assert seen.get(users[name]["email"], 0) >= len(emails)


async def store_keys(client: Client, user: dict[str, str]) -> None:
    stored = await client.call_tool(
        "aioz_credentials", {"public_key": user["public_key"], "secret_key": user["secret_key"]}
    )
    assert not stored.is_error, text_of(stored)
    assert structured(stored)["data"]["email"] == user["email"]


async def test_legacy_sessions_never_cross(fresh_sandbox: Any, tmp_path: Path) -> None:
    users = two_users(fresh_sandbox)
    settings = sandbox_settings(fresh_sandbox, tmp_path, keys=False, transport="http")
    async with (
        serving(settings) as url,
        Client(url, mode="legacy") as alice,
        Client(url, mode="legacy") as bob,
    ):
        clients = {"alice": alice, "bob": bob}
        for name, client in clients.items():
            await store_keys(client, users[name])
        answers = await hammer(clients, users)
    assert_no_crossing(answers, users, fresh_sandbox)


async def test_stateless_clients_with_one_token_each_never_cross(fresh_sandbox: Any, tmp_path: Path) -> None:
    from pydantic import SecretStr

    users = two_users(fresh_sandbox)
    settings = sandbox_settings(
        fresh_sandbox, tmp_path, keys=False, transport="http", http_token=SecretStr(",".join(TOKENS))
    )
    async with (
        serving(settings) as url,
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKENS[0]}"}, timeout=30) as http_a,
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKENS[1]}"}, timeout=30) as http_b,
        Client(streamable_http_client(url, http_client=http_a)) as alice,
        Client(streamable_http_client(url, http_client=http_b)) as bob,
    ):
        assert alice.protocol_version == "2026-07-28"
        clients = {"alice": alice, "bob": bob}
        for name, client in clients.items():
            await store_keys(client, users[name])
        answers = await hammer(clients, users)
    assert_no_crossing(answers, users, fresh_sandbox)


async def test_stateless_client_without_a_token_cannot_store_keys(fresh_sandbox: Any, tmp_path: Path) -> None:
    users = two_users(fresh_sandbox)
    settings = sandbox_settings(fresh_sandbox, tmp_path, keys=False, transport="http")
    async with serving(settings) as url, Client(url) as client:
        refused = await client.call_tool(
            "aioz_credentials", {"public_key": users["bob"]["public_key"], "secret_key": users["bob"]["secret_key"]}
        )
    assert refused.is_error and "no MCP session id and no bearer token" in text_of(refused)
