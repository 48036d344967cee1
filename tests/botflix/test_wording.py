"""Issue 10 §7 for the BotFlix tools: a result says what really happened. A refusal that came back from BotFlix
(403 download, 404 profile) is an HTTP answer, not "invalid input, nothing was sent"; a like refused after its
look-ups says the like was not sent; a registration answer without a key is the host's, and says that registering
again makes another director; the key-kept sentence matches whether it was kept; an upload 429 claims no quota
BotFlix never published."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client
from pydantic import SecretStr

from botflix_mcp.app import App
from botflix_mcp.botflix import ops, tools
from botflix_mcp.botflix.client import BotflixClient
from botflix_mcp.errors import RateLimitError
from botflix_mcp.http import RetryPolicy
from botflix_mcp.server import build_server
from tests.botflix import mp4factory
from tests.helpers import sandbox_settings, text_of

ORIGIN = "https://botflix.test"
KEY = SecretStr("botflix_dir_test_key_0123456789")


def mock_server(sandbox: Any, tmp_path: Path, handler: Any, key: str | None = "botflix_dir_test_key_0123456789") -> Any:
    settings = sandbox_settings(
        sandbox, tmp_path, botflix_base_url=ORIGIN, botflix_director_key=SecretStr(key) if key else None
    )
    app = App(settings, botflix_transport=httpx.MockTransport(handler), retry_policy=RetryPolicy(max_retries=0))
    return build_server(settings, app=app)


@pytest.mark.anyio
async def test_a_refused_download_says_botflix_answered_403(
    server: Any, fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    other = fresh_sandbox.botflix_state.seed_other_director()
    target = tmp_path / "theirs.mp4"
    async with Client(server, mode=mode) as client:
        await client.call_tool("botflix_register_director", {"name": "Exporter", "owner_email": "x@example.com"})
        refused = await client.call_tool(
            "botflix_download_episode", {"episode_id": other["episode_id"], "path": str(target)}
        )
    text = text_of(refused)
    assert refused.is_error and "HTTP 403" in text and "owner_email" in text and "Nothing was written" in text
    assert "Nothing was sent" not in text and "Invalid input" not in text, text  # the GET was sent and refused
    assert [r for r in fresh_sandbox.botflix_requests() if r["path"].endswith("/download")]
    assert not target.exists()


@pytest.mark.anyio
async def test_profile_get_without_the_endpoint_is_the_hosts_404(fresh_sandbox: Any, tmp_path: Path) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        return httpx.Response(404, json={"error": "Not found"})

    async with Client(mock_server(fresh_sandbox, tmp_path, handler)) as client:
        result = await client.call_tool("botflix_profile", {"action": "get"})
    text = text_of(result)
    assert result.is_error and "HTTP 404" in text and "action='update'" in text
    assert "Nothing was sent" not in text and "Invalid input" not in text, text
    assert seen == ["GET /api/v1/directors/me"]


@pytest.mark.anyio
async def test_liking_your_own_episode_says_the_like_was_not_sent(fresh_sandbox: Any, tmp_path: Path) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.url.path == "/api/v1/directors/me":
            return httpx.Response(200, json={"id": "d-1"})
        return httpx.Response(200, json={"id": "e-1", "title": "Mine", "director": {"id": "d-1"}})

    async with Client(mock_server(fresh_sandbox, tmp_path, handler)) as client:
        result = await client.call_tool(
            "botflix_like_episode", {"episode_id": "e-1", "reason": "The cold open lands its twist in eight seconds."}
        )
    text = text_of(result)
    assert result.is_error and "your own episode" in text and "The like was not sent" in text
    assert "Nothing was sent" not in text, text  # two look-ups were sent
    assert seen == ["GET /api/v1/directors/me", "GET /api/v1/episodes/e-1"]


@pytest.mark.anyio
async def test_a_registration_answer_without_a_key_is_the_hosts_fault(fresh_sandbox: Any, tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"director_id": "d-7", "name": "Nova"})

    async with Client(mock_server(fresh_sandbox, tmp_path, handler, key=None)) as client:
        result = await client.call_tool("botflix_register_director", {"name": "Nova", "owner_email": "n@example.com"})
    text = text_of(result)
    assert result.is_error and "unexpected answer" in text and "director_id, name" in text
    assert "creates another director" in text and "bug" not in text, text


@pytest.mark.anyio
async def test_no_key_says_nothing_was_sent(server: Any, fresh_sandbox: Any) -> None:
    async with Client(server) as client:
        result = await client.call_tool("botflix_download_episode", {"episode_id": "e-1", "path": "/tmp/x.mp4"})
    assert result.is_error and "nothing was sent" in text_of(result).lower()
    assert fresh_sandbox.botflix_requests() == []


@pytest.mark.anyio
async def test_the_key_kept_sentence_matches_whether_it_was_kept(
    server: Any, fresh_sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with Client(server) as client:
        kept = await client.call_tool("botflix_register_director", {"name": "Kept", "owner_email": "k@example.com"})
        monkeypatch.setattr(tools, "session_key", lambda ctx: None)  # an HTTP request without a session identity
        lost = await client.call_tool("botflix_register_director", {"name": "Lost", "owner_email": "l@example.com"})
    assert "kept for this session" in text_of(kept) and "not kept" not in text_of(kept)
    assert "was not kept" in text_of(lost) and "kept for this session" not in text_of(lost), text_of(lost)


@pytest.mark.anyio
@pytest.mark.parametrize(("headers", "wait"), [({"Retry-After": "90"}, "Wait 90 s"), ({}, "it gave no time")])
async def test_an_upload_429_claims_no_quota_botflix_never_published(headers: dict[str, str], wait: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={"error": "Slow down"}, headers=headers)

    client = BotflixClient(ORIGIN, transport=httpx.MockTransport(handler), retry=RetryPolicy(max_retries=0))
    with pytest.raises(RateLimitError) as caught:
        await ops.upload_episode(client, KEY, mp4factory.valid(), {"title": "T", "duration_seconds": 64})
    text = caught.value.for_model()
    assert "HTTP 429" in text and wait in text and "not published" in text and "loop" in text
    assert "quota is used up" not in text and "resets over the day" not in text
