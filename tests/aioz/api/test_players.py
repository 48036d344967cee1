"""api/players.py, api/playlists.py, api/captions.py at the HTTP boundary (httpx.MockTransport): the requests they
build and the answers they tolerate."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from botflix_mcp.aioz.api import captions as captions_api
from botflix_mcp.aioz.api import players as players_api
from botflix_mcp.aioz.api import playlists as playlists_api
from botflix_mcp.aioz.api.base import parse
from botflix_mcp.aioz.client import AiozClient, AiozCredentials
from botflix_mcp.aioz.session import AiozSession
from botflix_mcp.errors import NotFoundError, UnexpectedAnswerError
from botflix_mcp.http import RetryPolicy

CREDS = AiozCredentials.of("pk_unit_test_public", "sk_unit_test_secret")


def session(handler: Any) -> AiozSession:
    retry = RetryPolicy(max_retries=0, base_delay=0.001, max_delay=0.002, max_retry_after=1)
    client = AiozClient("https://aioz.invalid/api", retry=retry, transport=httpx.MockTransport(handler))
    return AiozSession(client, CREDS)


@pytest.mark.anyio
async def test_media_using_stops_when_the_host_ignores_offset() -> None:
    """A host that answers every page with the same full page and no total must not loop forever."""
    calls: list[dict[str, Any]] = []
    page = [{"id": f"m{i}", "player_theme_id": "p1" if i == 3 else "other"} for i in range(100)]

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content))
        return httpx.Response(200, json={"status": "success", "data": {"media": page, "total": None}})

    users = await players_api.media_using(session(handler), "p1")
    assert [m.id for m in users] == ["m3"]
    assert [(c["type"], c["offset"]) for c in calls] == [("video", 0), ("video", 100), ("audio", 0), ("audio", 100)]


@pytest.mark.anyio
async def test_assign_and_logo_use_the_spec_fields() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/logo"):
            return httpx.Response(201, json={"status": "success", "data": {"player_theme": {"id": "p1"}}})
        return httpx.Response(200, json={"status": "success", "message": "ok"})

    api = session(handler)
    await players_api.assign(api, media_id="m1", player_id="p1")
    await players_api.unassign(api, media_id="m1", player_id="p1")
    themed = await players_api.set_logo(
        api, "p1", filename="l.png", data=b"\x89PNG", mime="image/png", link="https://x"
    )
    assert [r.url.path for r in seen] == [
        "/api/players/add-player",
        "/api/players/remove-player",
        "/api/players/p1/logo",
    ]
    assert json.loads(seen[0].content) == {"media_id": "m1", "player_theme_id": "p1"}
    body = seen[2].read()
    assert b'name="link"' in body and b'name="logo_link"' not in body and themed.id == "p1"


@pytest.mark.anyio
async def test_create_without_an_id_is_an_unexpected_answer() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"status": "success", "data": {"playlist": None}})

    with pytest.raises(UnexpectedAnswerError, match="playlist id"):
        await playlists_api.create_playlist(session(handler), name="n", playlist_type="video", tags=[], metadata=[])


def test_playlist_metadata_as_object_or_pairs_and_null_items() -> None:
    as_object = parse(
        playlists_api.Playlist, {"metadata": {"k": "v"}, "items": None, "tags": "a,b"}, method="GET", path="/p"
    )
    as_pairs = parse(playlists_api.Playlist, {"metadata": [{"key": "k", "value": "v"}, None]}, method="GET", path="/p")
    assert (
        [kv.dump() for kv in as_object.metadata]
        == [{"key": "k", "value": "v"}]
        == [kv.dump() for kv in as_pairs.metadata]
    )
    assert as_object.items == [] and as_object.tags == ["a", "b"]


def _not_found(body: Any) -> NotFoundError:
    error = NotFoundError("x", platform="AIOZ Stream", status=404)
    error.answer = body
    return error


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ({"message": "Route not found", "path": "/api/media/m/transcripts", "method": "GET"}, True),
        ({"message": "Not Found", "path": "/api/media/m/transcripts", "method": "GET"}, True),
        ({"status": "fail", "message": "Route not found"}, False),
        ({"status": "fail", "message": "Media not found."}, False),
        ({"message": "Media not found."}, False),  # a raw echo HTTPError of a handler: no route facts
        (None, False),
    ],
)
def test_route_missing_is_decided_by_the_shape(body: Any, missing: bool) -> None:
    assert captions_api.route_missing(_not_found(body)) is missing


@pytest.mark.anyio
async def test_the_client_keeps_the_error_body_for_the_shape_check() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "/transcripts" in request.url.path:
            return httpx.Response(404, json={"message": "Not Found", "path": request.url.path, "method": "GET"})
        return httpx.Response(200, json={"status": "success", "data": {"media_captions": None, "total": None}})

    items, total, used = await captions_api.list_tracks(session(handler), "transcripts", "m1")
    assert (items, total, used) == ([], None, "captions")
