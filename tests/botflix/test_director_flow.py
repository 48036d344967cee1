"""Issue 5 acceptance: the whole director flow through an MCP client against the sandbox, in both protocol eras,
and real MP4 files refused by the local gates with no upload request reaching BotFlix."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from tests.botflix import mp4factory
from tests.helpers import structured, text_of

ASSETS = Path(__file__).parents[2] / "botflix_mcp" / "demo_assets"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def load(name: str) -> Any:
    return json.loads((ASSETS / name).read_text())


async def ok(client: Client, name: str, args: dict[str, Any]) -> Any:
    result = await client.call_tool(name, args)
    assert not result.is_error, text_of(result)
    return result


def file_bytes(path: str | Path) -> bytes:
    return Path(path).read_bytes()


def partials(folder: Path) -> list[Path]:
    return list(folder.glob("*.part"))


def requests_to(sandbox: Any, suffix: str, method: str | None = None) -> list[dict[str, Any]]:
    return [
        r
        for r in sandbox.botflix_requests()
        if r["path"].endswith(suffix) and (method is None or r["method"] == method)
    ]


@pytest.mark.anyio
async def test_whole_director_flow(
    server: Any, fresh_sandbox: Any, tmp_path: Path, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    other = fresh_sandbox.botflix_state.seed_other_director()
    episode = tmp_path / "episode.mp4"
    shutil.copyfile(mp4factory.valid(), episode)
    thumbnail = tmp_path / "thumb.png"
    thumbnail.write_bytes(PNG)
    brief, manifest, metadata = load("episode-brief.json"), load("shot-manifest.json"), load("episode-metadata.json")

    async with Client(server, mode=mode) as client:
        # register: the key is shown once, with the advice, and kept for the session
        reg = await ok(
            client,
            "botflix_register_director",
            {"name": "Nebula Nine", "description": "Serialized sci-fi.", "owner_email": "me@example.com"},
        )
        key, my_id = structured(reg)["data"]["api_key"], structured(reg)["data"]["director_id"]
        assert key.startswith("botflix_dir_") and key in text_of(reg)
        assert "BOTFLIX_DIRECTOR_KEY" in text_of(reg) and "only this once" in text_of(reg)

        # profile: update, then read back
        prof = await ok(
            client,
            "botflix_profile",
            {"action": "update", "video_model": "free_stills", "target_seconds": 90, "creation_tier": "free"},
        )
        assert structured(prof)["data"]["generation_profile"]["target_seconds"] == 90
        stored = fresh_sandbox.botflix_state.directors[my_id]["generation_profile"]
        assert stored == {"video_model": "free_stills", "target_seconds": 90, "creation_tier": "free"}
        got = await ok(client, "botflix_profile", {"action": "get"})
        assert '"creation_tier": "free"' in text_of(got)

        # the gates as separate steps
        assert structured(await ok(client, "botflix_validate", {"kind": "brief", "document": brief}))["data"]["ok"]
        checked = await ok(client, "botflix_validate", {"kind": "shot_manifest", "document": manifest, "brief": brief})
        assert structured(checked)["data"]["ok"]
        assert structured(await ok(client, "botflix_validate", {"kind": "metadata", "document": metadata}))["data"][
            "ok"
        ]
        probe = structured(await ok(client, "botflix_probe_episode", {"path": str(episode)}))["data"]
        assert probe["ok"] and probe["video_codec"] == "h264" and probe["audio_codec"] == "aac"

        # upload: streamed multipart, the sandbox stores exactly our bytes
        up = await ok(
            client,
            "botflix_upload_episode",
            {
                "path": str(episode),
                "metadata": metadata,
                "brief": brief,
                "shot_manifest": manifest,
                "thumbnail_path": str(thumbnail),
            },
        )
        mine = structured(up)["data"]["episode_id"]
        stored_episode = fresh_sandbox.botflix_state.episodes[mine]
        assert file_bytes(stored_episode["_path"]) == file_bytes(episode)
        assert stored_episode["director"]["id"] == my_id and mine in text_of(up)

        # discover (paged) and get
        found = structured(await ok(client, "botflix_discover_episodes", {"limit": 1}))
        assert len(found["data"]) == 1 and found["page"] == {"total": 2, "offset": 0, "limit": 1, "next_offset": 1}
        rest = structured(await ok(client, "botflix_discover_episodes", {"limit": 1, "offset": 1}))
        assert {found["data"][0]["id"], rest["data"][0]["id"]} == {mine, other["episode_id"]}
        assert rest["page"]["next_offset"] is None
        only_mine = structured(await ok(client, "botflix_discover_episodes", {"director_id": my_id}))
        assert [e["id"] for e in only_mine["data"]] == [mine]
        one = await ok(client, "botflix_get_episode", {"episode_id": other["episode_id"]})
        assert "Someone else's pilot" in text_of(one)

        # like another director's episode; our own is refused before anything is sent
        liked = await ok(
            client,
            "botflix_like_episode",
            {"episode_id": other["episode_id"], "reason": "The cold open lands its twist in eight seconds."},
        )
        assert structured(liked)["data"]["liked"] is True
        assert fresh_sandbox.botflix_state.episodes[other["episode_id"]]["like_count"] == 1
        own = await client.call_tool(
            "botflix_like_episode", {"episode_id": mine, "reason": "Trying to like my own episode right here."}
        )
        assert own.is_error and "your own episode" in text_of(own)
        assert requests_to(fresh_sandbox, f"{mine}/director-like") == []

        # download our own episode; someone else's is refused (403 explained) and nothing is written
        target = tmp_path / "export.mp4"
        saved = await ok(client, "botflix_download_episode", {"episode_id": mine, "path": str(target)})
        assert target.read_bytes() == episode.read_bytes()
        assert structured(saved)["data"]["bytes"] == episode.stat().st_size
        theirs = tmp_path / "theirs.mp4"
        refused = await client.call_tool(
            "botflix_download_episode", {"episode_id": other["episode_id"], "path": str(theirs)}
        )
        assert refused.is_error
        assert (
            "403" in text_of(refused)
            and "owner_email" in text_of(refused)
            and "Nothing was written" in text_of(refused)
        )
        assert not theirs.exists() and not partials(tmp_path)

        later = await client.call_tool("botflix_get_episode", {"episode_id": mine})
    # the key was shown once: masked in later results and in every log record
    assert key not in text_of(later) and key not in json.dumps(later.structured_content)
    assert not [r for r in caplog.records if key in r.getMessage()]
    assert requests_to(fresh_sandbox, "/episodes/upload", "POST") and len(requests_to(fresh_sandbox, "/download")) == 2


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (mp4factory.too_short, "duration is 30.0 s; BotFlix episodes run 60–180 s"),
        (mp4factory.too_long, "duration is 200.0 s"),
        (mp4factory.wrong_codec, "video codec is mpeg4; BotFlix needs H.264"),
        (mp4factory.no_audio, "no audio stream"),
        (mp4factory.truncated, "truncated"),
        (mp4factory.moov_at_end, "'moov' comes after 'mdat'"),
    ],
)
async def test_bad_episodes_refused_before_upload(server: Any, fresh_sandbox: Any, make: Any, reason: str) -> None:
    metadata = load("episode-metadata.json")
    async with Client(server) as client:
        await ok(client, "botflix_register_director", {"name": "Gatekeeper", "owner_email": "g@example.com"})
        result = await client.call_tool("botflix_upload_episode", {"path": str(make()), "metadata": metadata})
    assert result.is_error, text_of(result)
    assert reason in text_of(result) and "nothing was uploaded" in text_of(result)
    assert requests_to(fresh_sandbox, "/episodes/upload") == []


@pytest.mark.anyio
async def test_bad_episode_refused_in_the_legacy_era_too(server: Any, fresh_sandbox: Any) -> None:
    async with Client(server, mode="legacy") as client:
        await ok(client, "botflix_register_director", {"name": "Gatekeeper", "owner_email": "g@example.com"})
        result = await client.call_tool(
            "botflix_upload_episode", {"path": str(mp4factory.no_audio()), "metadata": load("episode-metadata.json")}
        )
    assert result.is_error and "no audio stream" in text_of(result)
    assert requests_to(fresh_sandbox, "/episodes/upload") == []


@pytest.mark.anyio
async def test_every_problem_is_listed_with_its_path(server: Any, fresh_sandbox: Any) -> None:
    brief = load("episode-brief.json")
    brief["beats"][0]["target_seconds"] = 170  # the beats no longer sum to the target
    metadata = {"title": "", "duration_seconds": 64, "tags": ["x" * 41]}
    async with Client(server) as client:
        await ok(client, "botflix_register_director", {"name": "Meta", "owner_email": "m@example.com"})
        result = await client.call_tool(
            "botflix_upload_episode",
            {"path": str(mp4factory.too_short()), "metadata": metadata, "brief": brief},
        )
    text = text_of(result)
    assert result.is_error
    for expected in (
        "EpisodeMetadata `$.title`",
        "EpisodeMetadata `$.tags[0]`",
        "EpisodeBrief `$.beats`",
        "MP4: duration is 30.0 s",
    ):
        assert expected in text, (expected, text)
    assert "metadata `$.duration_seconds` is 64 but the file runs 30.0 s" in text
    assert requests_to(fresh_sandbox, "/episodes/upload") == []


@pytest.mark.anyio
async def test_no_director_key_nothing_sent(server: Any, fresh_sandbox: Any) -> None:
    async with Client(server) as client:
        result = await client.call_tool(
            "botflix_upload_episode", {"path": str(mp4factory.valid()), "metadata": load("episode-metadata.json")}
        )
        profile = await client.call_tool("botflix_profile", {"action": "update", "target_seconds": 120})
    for refused in (result, profile):
        assert refused.is_error and "BOTFLIX_DIRECTOR_KEY" in text_of(refused)
        assert "botflix_register_director" in text_of(refused)
    assert fresh_sandbox.botflix_requests() == []
