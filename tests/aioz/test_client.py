"""AiozClient against httpx.MockTransport: envelopes, 2xx success, typed errors, retries, auth headers."""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import SecretStr

from botflix_mcp.aioz.api import account as account_api
from botflix_mcp.aioz.client import AiozClient, AiozCredentials, AiozSession
from botflix_mcp.errors import (
    ApiConnectionError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from botflix_mcp.http import RetryPolicy

CREDS = AiozCredentials.of("pk_unit_test_public", "sk_unit_test_secret")
FAST = RetryPolicy(max_retries=3, base_delay=0.001, max_delay=0.002, max_retry_after=5)


def client_for(handler, **kw) -> AiozClient:
    return AiozClient("https://aioz.invalid/api", retry=FAST, transport=httpx.MockTransport(handler), **kw)


@pytest.mark.anyio
async def test_both_auth_headers_on_every_request_and_data_envelope() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "success", "data": {"user": {"id": "u1"}}})

    client = client_for(handler)
    assert (await account_api.me(AiozSession(client, CREDS))).id == "u1"
    await client.post("/media", creds=CREDS, json={"limit": 1}, idempotent=True)
    assert len(seen) == 2
    for request in seen:
        assert request.headers["stream-public-key"] == "pk_unit_test_public"
        assert request.headers["stream-secret-key"] == "sk_unit_test_secret"


@pytest.mark.anyio
async def test_201_is_success_and_message_envelope() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/players"):
            return httpx.Response(201, json={"status": "success", "data": {"player_theme": {"id": "p"}}})
        return httpx.Response(200, json={"status": "success", "message": "Media deleted successfully."})

    client = client_for(handler)
    created = await client.post("/players", creds=CREDS, json={})
    assert created.status == 201 and created.data == {"player_theme": {"id": "p"}}
    deleted = await client.delete("/media/x", creds=CREDS)
    assert deleted.message == "Media deleted successfully." and deleted.data is None


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (400, {"status": "fail", "message": "Invalid media status."}, BadRequestError),
        (401, {"status": "fail", "message": "API key is invalid."}, AuthenticationError),
        (404, {"status": "fail", "message": "Media not found."}, NotFoundError),
        (404, {"message": "Route not found", "path": "/api/x", "method": "GET"}, NotFoundError),
    ],
)
async def test_error_classes_carry_status_message_and_next_step(status, body, cls) -> None:
    client = client_for(lambda r: httpx.Response(status, json=body))
    with pytest.raises(cls) as info:
        await client.get("/media/x", creds=CREDS)
    err = info.value
    assert err.status == status and err.message == body["message"]
    text = err.for_model()
    assert f"HTTP {status}" in text and body["message"] in text and "Next step:" in text
    assert "sk_unit_test_secret" not in text


@pytest.mark.anyio
async def test_retries_5xx_then_succeeds_on_idempotent_calls() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] < 3:
            return httpx.Response(503, json={"status": "error", "message": "busy"})
        return httpx.Response(200, json={"status": "success", "data": {"ok": 1}})

    client = client_for(handler)
    assert (await client.get("/media/x", creds=CREDS)).data == {"ok": 1}
    assert calls["n"] == 3


@pytest.mark.anyio
async def test_no_retry_of_5xx_on_non_idempotent_post() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        return httpx.Response(500, json={"status": "error", "message": "boom"})

    with pytest.raises(ServerError):
        await client_for(handler).post("/media/create", creds=CREDS, json={"title": "t"})
    assert calls["n"] == 1


@pytest.mark.anyio
async def test_429_honours_retry_after_header_then_gives_up_with_wait_time() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        return httpx.Response(
            429,
            headers={"X-RateLimit-Retry-After": "0.01"},
            json={"status": "fail", "message": "Too many requests. Please wait 1 seconds before retrying."},
        )

    with pytest.raises(RateLimitError) as info:
        await client_for(handler).post("/media/create", creds=CREDS, json={})
    assert calls["n"] == 4  # 429 is retried even on POST: the host did not process it
    assert info.value.retry_after == pytest.approx(0.01)
    assert "wait" in info.value.next_step


@pytest.mark.anyio
async def test_long_retry_after_is_not_waited_out() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        return httpx.Response(429, headers={"X-RateLimit-Retry-After": "45"}, json={"status": "fail", "message": "x"})

    with pytest.raises(RateLimitError) as info:
        await client_for(handler).get("/media/x", creds=CREDS)
    assert calls["n"] == 1 and "45 s" in info.value.next_step


@pytest.mark.anyio
async def test_connection_errors_retried_then_typed() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        raise httpx.ReadError("connection dropped")

    with pytest.raises(ApiConnectionError):
        await client_for(handler).get("/media/x", creds=CREDS)
    assert calls["n"] == 4


@pytest.mark.anyio
async def test_payments_need_dashboard_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "success", "data": {"storage": 1}})

    with pytest.raises(AuthenticationError) as info:
        await client_for(handler).get("/payment/usage", creds=CREDS, dashboard=True)
    assert "AIOZ_DASHBOARD_TOKEN" in info.value.next_step and not seen
    client = client_for(handler, dashboard_token=SecretStr("jwt.dashboard.token"))
    await client.get("/payment/usage", creds=CREDS, dashboard=True)
    assert seen[0].headers["authorization"] == "Bearer jwt.dashboard.token"
    assert seen[0].headers["stream-public-key"] == "pk_unit_test_public"


def test_credentials_repr_hides_values() -> None:
    text = repr(CREDS) + str(CREDS)
    assert "sk_unit_test_secret" not in text and "pk_unit_test_public" not in text
    assert json.dumps({"f": CREDS.fingerprint})


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("path", "lister"),
    [
        ("/media/m1", "aioz_media"),
        ("/players/p1", "aioz_players"),
        ("/playlists/x", "aioz_playlists"),
        ("/webhooks/w1", "aioz_webhooks"),
        ("/api_keys/k1", "aioz_api_keys"),
    ],
)
async def test_not_found_points_at_the_listing_tool_of_its_resource(path: str, lister: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"status": "fail", "message": "Not found."})

    client = client_for(handler)
    with pytest.raises(NotFoundError) as info:
        await client.request("GET", path, creds=CREDS)
    assert lister in info.value.next_step
    others = {"aioz_media", "aioz_players", "aioz_playlists", "aioz_webhooks", "aioz_api_keys"} - {lister}
    assert not any(f"{o} " in info.value.next_step for o in others)
