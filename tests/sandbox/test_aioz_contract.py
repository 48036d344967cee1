"""The AIOZ emulator against the facts in research/aioz.md (envelopes, codes, messages, upload semantics)."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from botflix_mcp.sandbox import DEMO_DASHBOARD_TOKEN, DEMO_PUBLIC_KEY, DEMO_SECRET_KEY, FaultConfig, FaultRule

AUTH = {"stream-public-key": DEMO_PUBLIC_KEY, "stream-secret-key": DEMO_SECRET_KEY}


@pytest.fixture
def api(fresh_sandbox: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fresh_sandbox.aioz_base_url, headers=AUTH, timeout=10) as client:
        yield client


def upload_part(api: httpx.Client, mid: str, index: int, data: bytes, start: int, total: int, md5: str | None = None):
    end = start + len(data) - 1
    return api.post(
        f"/media/{mid}/part",
        headers={"Content-Range": f"bytes {start}-{end}/{total}"},
        files={"file": ("blob", data, "application/octet-stream")},
        data={"index": str(index), "hash": md5 or hashlib.md5(data).hexdigest()},
    )


def new_media(api: httpx.Client, **body: Any) -> str:
    r = api.post("/media/create", json={"title": "clip", **body})
    assert r.status_code == 200 and r.json()["status"] == "success"
    return str(r.json()["data"]["id"])


def test_auth_messages(fresh_sandbox: Any) -> None:
    base = fresh_sandbox.aioz_base_url
    assert httpx.get(base + "/user/me").json() == {"status": "fail", "message": "You are not logged in."}
    r = httpx.get(base + "/user/me", headers={"stream-public-key": "nope", "stream-secret-key": "x"})
    assert (r.status_code, r.json()["message"]) == (401, "API key not found.")
    r = httpx.get(base + "/user/me", headers={"stream-public-key": DEMO_PUBLIC_KEY, "stream-secret-key": "bad"})
    assert (r.status_code, r.json()["message"]) == (401, "API key is invalid.")


def test_envelopes_and_unknown_route(api: httpx.Client) -> None:
    me = api.get("/user/me").json()
    assert me["status"] == "success" and isinstance(me["data"]["user"]["balance"], str)
    r = api.get("/no/such/route")
    assert r.status_code == 404 and "status" not in r.json() and r.json()["message"] == "Route not found"
    assert r.headers.get("x-ratelimit-limit") is None or True


def test_creates_answer_201(api: httpx.Client) -> None:
    assert api.post("/players", json={"name": "p"}).status_code == 201
    assert api.post("/webhooks", json={"name": "w", "url": "https://example.com/h"}).status_code == 201
    assert api.post("/playlists/create", json={"name": "l"}).status_code == 201
    r = api.post("/api_keys", json={"api_key_name": "k", "ttl": "3600", "type": "full_access"})
    assert r.status_code == 201 and r.json()["data"]["api_key"]["secret"]
    assert api.post("/api_keys", json={"api_key_name": "k", "ttl": 3600}).status_code == 400  # ttl is a string
    listed = api.get("/api_keys").json()["data"]["api_keys"]
    assert all("secret" not in k and k["truncated_secret"].endswith("***") for k in listed)


def test_chunked_upload_rules(api: httpx.Client, fresh_sandbox: Any) -> None:
    mid = new_media(api)
    data = os.urandom(4096)
    a, b = data[:2048], data[2048:]
    r = upload_part(api, mid, 1, a, 0, 4096, md5="0" * 32)
    assert (r.status_code, r.json()["message"]) == (400, "File corrupted.")
    r = api.post(f"/media/{mid}/part", headers={"Content-Range": "bytes 0-2047"}, files={"file": a},
                 data={"index": "1", "hash": hashlib.md5(a).hexdigest()})  # fmt: skip
    assert r.json()["message"] == "Invalid content range."
    r = api.post(f"/media/{mid}/part", headers={"Content-Range": "bytes 0-2047/4096"}, files={"file": a[:-1]},
                 data={"index": "1", "hash": hashlib.md5(a[:-1]).hexdigest()})  # fmt: skip
    assert r.json()["message"] == "Invalid content range."  # end-start+1 != size
    assert upload_part(api, mid, 1, a, 0, 4096).json()["message"] == "Upload part successfully."
    assert upload_part(api, mid, 1, a, 0, 4096).json()["message"] == "Part is already uploaded."
    assert api.get(f"/media/{mid}/complete").json()["message"] == "Invalid media size"
    assert upload_part(api, mid, 2, b, 2048, 4096).status_code == 200
    assert api.get(f"/media/{mid}/complete").json() == {
        "status": "success",
        "message": "Upload media complete successfully.",
    }
    assert fresh_sandbox.assembled(mid)["sha256"] == hashlib.sha256(data).hexdigest()
    assert upload_part(api, mid, 3, b, 2048, 4096).json()["message"] == "Invalid media status."
    deadline = time.time() + 5
    while api.get(f"/media/{mid}").json()["data"]["status"] != "done" and time.time() < deadline:
        time.sleep(0.05)
    media = api.get(f"/media/{mid}").json()["data"]
    assert media["status"] == "done" and media["assets"]["hls_url"].endswith("manifest.m3u8")


def test_parts_join_in_ascending_index_order(api: httpx.Client, fresh_sandbox: Any) -> None:
    mid = new_media(api)
    data = os.urandom(3000)
    upload_part(api, mid, 2, data[1000:], 1000, 3000)  # sent first, joined second
    upload_part(api, mid, 1, data[:1000], 0, 3000)
    api.get(f"/media/{mid}/complete")
    assert fresh_sandbox.assembled(mid)["sha256"] == hashlib.sha256(data).hexdigest()


def test_complete_without_parts(api: httpx.Client) -> None:
    assert api.get(f"/media/{new_media(api)}/complete").json()["message"] == "Invalid media."


def test_body_limit_413(api: httpx.Client, fresh_sandbox: Any) -> None:
    fresh_sandbox.aioz.config.body_limit = 10_000
    mid = new_media(api)
    assert upload_part(api, mid, 1, os.urandom(20_000), 0, 20_000).status_code == 413


def test_faults_429_headers_and_drops(api: httpx.Client, fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(FaultConfig(rules=[FaultRule(pattern=r"GET /user/me", rate=0, burst_429=1)]))
    r = api.get("/user/me")
    assert r.status_code == 429 and "Please wait" in r.json()["message"]
    assert float(r.headers["X-RateLimit-Retry-After"]) > 0
    fresh_sandbox.set_faults(FaultConfig(rules=[FaultRule(pattern=r"GET /user/me", rate=1.0, kinds=("drop",))]))
    with pytest.raises(httpx.TransportError):
        api.get("/user/me")


def test_rate_limit_real_counter(api: httpx.Client, fresh_sandbox: Any) -> None:
    fresh_sandbox.aioz.config.rate_limits["read"] = 2
    assert api.get("/user/me").headers["X-RateLimit-Remaining"] == "1"
    api.get("/user/me")
    r = api.get("/user/me")
    assert r.status_code == 429 and int(r.headers["X-RateLimit-Retry-After"]) > 0


def test_cost_and_balance(api: httpx.Client, fresh_sandbox: Any) -> None:
    r = api.get("/media/cost", params={"type": "video", "duration": 60, "qualities": "360p,1080p"}).json()["data"]
    assert r["is_enough"] is True and r["price"] > 0
    fresh_sandbox.set_balance("0")
    r = api.get("/media/cost", params={"type": "video", "duration": 60, "qualities": "360p"}).json()["data"]
    assert r["is_enough"] is False


def test_media_list_status_array_and_audio_hidden(api: httpx.Client) -> None:
    new_media(api)
    new_media(api, type="audio")
    body = api.post("/media", json={"status": ["new"]}).json()["data"]
    assert body["total"] == 1  # audio only with type=audio
    assert api.post("/media", json={"type": "audio"}).json()["data"]["total"] == 1
    assert api.post("/media", json={"status": "new"}).status_code == 400


def test_players_formats_default_and_assignment(api: httpx.Client) -> None:
    assert api.post("/players", json={"theme": {"main_color": "#ff0000"}}).status_code == 400
    assert api.post("/players", json={"theme": {"control_bar_height": "40"}}).status_code == 400
    p1 = api.post("/players", json={"theme": {"main_color": "rgba(255, 0, 0, 1)"}, "is_default": True})
    p2 = api.post("/players", json={"is_default": True}).json()["data"]["player_theme"]
    assert (
        api.get(f"/players/{p1.json()['data']['player_theme']['id']}").json()["data"]["player_theme"]["is_default"]
        is False
    )
    mid = new_media(api)
    assert api.post("/players/add-player", json={"video_id": mid, "player_theme_id": p2["id"]}).status_code == 400
    assert api.post("/players/add-player", json={"media_id": mid, "player_theme_id": p2["id"]}).status_code == 200
    assert api.delete(f"/players/{p2['id']}").status_code == 400  # assigned


def test_playlist_linked_list_reorder(api: httpx.Client) -> None:
    pid = api.post("/playlists/create", json={"name": "l"}).json()["data"]["playlist"]["id"]
    for _ in range(3):
        assert api.post(f"/playlists/{pid}/items", json={"media_id": new_media(api)}).status_code == 200
    items = api.get(f"/playlists/{pid}").json()["data"]["playlist"]["items"]
    a, b, c = (i["id"] for i in items)
    assert items[0]["previous_id"] is None and items[0]["next_id"] == b
    assert api.put(f"/playlists/{pid}/items", json={"current_id": c, "next_id": a}).status_code == 200  # top
    order = [i["id"] for i in api.get(f"/playlists/{pid}").json()["data"]["playlist"]["items"]]
    assert order == [c, a, b]
    r = api.put(f"/playlists/{pid}/items", json={"current_id": c, "next_id": b, "previous_id": c})
    assert r.status_code == 400


def test_transcripts_one_per_language_and_disabled(api: httpx.Client, fresh_sandbox: Any) -> None:
    mid = new_media(api)
    vtt = b"WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n"
    assert api.post(f"/media/{mid}/transcripts/en", files={"file": ("a.vtt", vtt)}).status_code == 201
    r = api.post(f"/media/{mid}/transcripts/en-US", files={"file": ("a.vtt", vtt)})
    assert r.status_code == 400 and "already exists" in r.json()["message"]
    fresh_sandbox.aioz.config.transcripts_enabled = False
    r = api.get(f"/media/{mid}/transcripts")
    assert r.status_code == 404 and r.json()["message"] == "Route not found"
    assert api.post(f"/media/{mid}/captions/en", files={"file": ("a.vtt", vtt)}).status_code == 201


def test_payments_need_dashboard_token(api: httpx.Client, fresh_sandbox: Any) -> None:
    assert api.get("/payment/usage").status_code == 401
    r = httpx.get(
        fresh_sandbox.aioz_base_url + "/payment/usage", headers={"Authorization": f"Bearer {DEMO_DASHBOARD_TOKEN}"}
    )
    assert r.status_code == 200 and "storage_cost" in r.json()["data"]


def test_analytics_combos(api: httpx.Client) -> None:
    body = {"from": 1_700_000_000, "to": 1_700_086_400}
    assert api.post("/analytics/metrics/data/play/rate", json=body).status_code == 200
    assert api.post("/analytics/metrics/data/view/rate", json=body).status_code == 400
    assert api.post("/analytics/metrics/bucket/view/operator-system", json=body).status_code == 200
    r = api.post("/analytics/metrics/timeseries/view/day", json=body).json()["data"]
    assert r["total"] == len(r["data"]) == 2
    assert api.post("/analytics/metrics/data/play/count", json={"from": 5, "to": 1}).status_code == 400
