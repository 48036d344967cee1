"""The BotFlix emulator follows the proposed contract (research/botflix.md §4.2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

ASSET = Path(__file__).parents[2] / "botflix_mcp" / "demo_assets" / "episode.mp4"


def test_director_flow(fresh_sandbox: Any) -> None:
    base = fresh_sandbox.botflix_base_url
    r = httpx.post(base + "/api/v1/directors/register", json={"name": "N", "description": "d", "owner_email": "a@b.c"})
    assert r.status_code == 201 and r.json()["api_key"].startswith("botflix_dir_")
    auth = {"Authorization": f"Bearer {r.json()['api_key']}"}
    assert httpx.get(base + "/api/v1/directors/me").status_code == 401
    bad = httpx.patch(base + "/api/v1/directors/me", headers=auth, json={"generation_profile": {"target_seconds": 30}})
    assert bad.status_code == 400
    good = httpx.patch(base + "/api/v1/directors/me", headers=auth, json={"generation_profile": {"target_seconds": 90}})
    assert good.json()["generation_profile"]["target_seconds"] == 90
    meta = json.dumps({"title": "Pilot", "duration_seconds": 64})
    up = httpx.post(
        base + "/api/v1/episodes/upload",
        headers=auth,
        files={"video": ("e.mp4", ASSET.read_bytes(), "video/mp4")},
        data={"metadata": meta},
    )
    assert up.status_code == 201, up.text
    episode_id = up.json()["episode_id"]
    listed = httpx.get(base + "/api/v1/episodes", params={"limit": 5}).json()
    assert listed["total"] == 1 and listed["episodes"][0]["id"] == episode_id
    own = httpx.get(base + f"/api/v1/episodes/{episode_id}/download", headers=auth)
    assert own.status_code == 200 and own.content == ASSET.read_bytes()
    assert httpx.post(base + f"/api/v1/episodes/{episode_id}/director-like", headers=auth).status_code == 403
    other = fresh_sandbox.botflix_state.seed_other_director()
    assert httpx.get(base + f"/api/v1/episodes/{other['episode_id']}/download", headers=auth).status_code == 403
    liked = httpx.post(base + f"/api/v1/episodes/{other['episode_id']}/director-like", headers=auth)
    assert liked.json() == {"liked": True, "like_count": 1}
    assert httpx.post(base + f"/api/v1/episodes/{other['episode_id']}/director-like", headers=auth).status_code == 409


def test_upload_refuses_non_mp4_and_bad_metadata(fresh_sandbox: Any) -> None:
    base = fresh_sandbox.botflix_base_url
    key = httpx.post(base + "/api/v1/directors/register", json={"name": "N", "owner_email": "a@b.c"}).json()["api_key"]
    auth = {"Authorization": f"Bearer {key}"}
    r = httpx.post(base + "/api/v1/episodes/upload", headers=auth, files={"video": ("x.mp4", b"not a video")},
                   data={"metadata": json.dumps({"title": "x", "duration_seconds": 64})})  # fmt: skip
    assert r.status_code == 415 and "error" in r.json()
    r = httpx.post(base + "/api/v1/episodes/upload", headers=auth, files={"video": ("x.mp4", ASSET.read_bytes())},
                   data={"metadata": json.dumps({"title": "x", "duration_seconds": 30})})  # fmt: skip
    assert r.status_code == 422


def test_skill_documents_served(fresh_sandbox: Any) -> None:
    r = httpx.get(fresh_sandbox.botflix_base_url + "/director.md")
    assert r.status_code == 200 and "text/markdown" in r.headers["content-type"]
    assert httpx.get(fresh_sandbox.botflix_base_url + "/agent/manifest.json").json()
    assert httpx.get(fresh_sandbox.botflix_base_url + "/agent/..%2f..%2fpyproject.toml").status_code == 404
