"""Issue 5 acceptance: the director flow through an MCP client against the sandbox, the local gates with real
MP4s (refused ones never reach BotFlix), and every prompt/resource readable in both protocol eras."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import PromptReference

from tests.botflix import mp4factory
from tests.helpers import structured, text_of

ASSETS = Path(__file__).parents[2] / "botflix_mcp" / "demo_assets"


def load(name: str) -> Any:
    return json.loads((ASSETS / name).read_text())


async def ok(client: Client, name: str, args: dict[str, Any]) -> Any:
    result = await client.call_tool(name, args)
    assert not result.is_error, text_of(result)
    return result


def uploads(sandbox: Any) -> list[dict[str, Any]]:
    return [r for r in sandbox.botflix_requests() if r["path"].endswith("/episodes/upload")]


@pytest.mark.anyio
async def test_whole_director_flow(server: Any, fresh_sandbox: Any, tmp_path: Path, mode: str) -> None:
    other = fresh_sandbox.botflix_state.seed_other_director()
    episode = tmp_path / "episode.mp4"
    shutil.copyfile(mp4factory.valid(), episode)
    brief, manifest = load("episode-brief.json"), load("shot-manifest.json")
    metadata = load("episode-metadata.json")
    async with Client(server, mode=mode) as client:
        reg = await ok(client, "botflix_register_director", {"name": "Nebula Nine", "owner_email": "me@example.com"})
        key = structured(reg)["data"]["api_key"]
        assert key in text_of(reg) and "BOTFLIX_DIRECTOR_KEY" in text_of(reg)
        prof = await ok(client, "botflix_profile", {"action": "update", "target_seconds": 90, "creation_tier": "free"})
        assert structured(prof)["data"]["generation_profile"]["target_seconds"] == 90
        assert structured(await ok(client, "botflix_validate", {"kind": "brief", "document": brief}))["data"]["ok"]
        checked = await ok(client, "botflix_validate", {"kind": "shot_manifest", "document": manifest, "brief": brief})
        assert structured(checked)["data"]["ok"]
        assert structured(await ok(client, "botflix_probe_episode", {"path": str(episode)}))["data"]["ok"]
        up = await ok(
            client,
            "botflix_upload_episode",
            {"path": str(episode), "metadata": metadata, "brief": brief, "shot_manifest": manifest},
        )
        mine = structured(up)["data"]["episode_id"]
        found = structured(await ok(client, "botflix_discover_episodes", {"limit": 10}))
        assert {e["id"] for e in found["data"]} == {mine, other["episode_id"]} and found["page"]["total"] == 2
        liked = await ok(
            client,
            "botflix_like_episode",
            {"episode_id": other["episode_id"], "reason": "The cold open lands its twist in eight seconds."},
        )
        assert structured(liked)["data"]["liked"] is True
        own_like = await client.call_tool(
            "botflix_like_episode", {"episode_id": mine, "reason": "Trying to like my own episode here."}
        )
        assert own_like.is_error and "your own episode" in text_of(own_like)
        target = tmp_path / "export.mp4"
        await ok(client, "botflix_download_episode", {"episode_id": mine, "path": str(target)})
        assert target.read_bytes() == episode.read_bytes()
        refused = await client.call_tool(
            "botflix_download_episode", {"episode_id": other["episode_id"], "path": str(tmp_path / "theirs.mp4")}
        )
        assert refused.is_error and "owner" in text_of(refused) and not (tmp_path / "theirs.mp4").exists()
        later = await client.call_tool("botflix_get_episode", {"episode_id": mine})
    assert key not in text_of(later)  # shown once, masked afterwards
    assert not [r for r in fresh_sandbox.botflix_requests() if r["path"].endswith(f"{mine}/director-like")]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (mp4factory.too_short, "duration is"),
        (mp4factory.too_long, "duration is"),
        (mp4factory.wrong_codec, "H.264"),
        (mp4factory.no_audio, "no audio"),
        (mp4factory.truncated, "truncated"),
    ],
)
async def test_bad_episodes_refused_before_upload(server: Any, fresh_sandbox: Any, make: Any, reason: str) -> None:
    metadata = load("episode-metadata.json")
    async with Client(server) as client:
        await ok(client, "botflix_register_director", {"name": "Gatekeeper", "owner_email": "g@example.com"})
        result = await client.call_tool("botflix_upload_episode", {"path": str(make()), "metadata": metadata})
    assert result.is_error and reason in text_of(result) and "nothing was uploaded" in text_of(result)
    assert uploads(fresh_sandbox) == []


@pytest.mark.anyio
async def test_bad_metadata_refused_with_its_path(server: Any, fresh_sandbox: Any) -> None:
    async with Client(server) as client:
        await ok(client, "botflix_register_director", {"name": "Meta", "owner_email": "m@example.com"})
        result = await client.call_tool(
            "botflix_upload_episode",
            {"path": str(mp4factory.valid()), "metadata": {"title": "", "duration_seconds": 64}},
        )
    assert result.is_error and "$.title" in text_of(result)
    assert uploads(fresh_sandbox) == []


@pytest.mark.anyio
async def test_prompts_and_resources_in_both_eras(server: Any, mode: str) -> None:
    async with Client(server, mode=mode) as client:
        resources = (await client.list_resources()).resources
        uris = {str(r.uri) for r in resources}
        assert "botflix://skills/director" in uris and "botflix://schemas/episode-brief" in uris
        for resource in resources:
            contents = (await client.read_resource(resource.uri)).contents
            assert contents and getattr(contents[0], "text", "")
        prompts = (await client.list_prompts()).prompts
        assert {p.name for p in prompts} >= {"director_loop", "showrunner", "shot_planner", "producer", "critic"}
        loop = await client.get_prompt("director_loop", {"show_title": "Lighthouse", "logline": "A lamp that listens."})
        assert "Lighthouse" in loop.messages[0].content.text  # type: ignore[union-attr]
        done = await client.complete(
            PromptReference(type="ref/prompt", name="director_loop"), {"name": "creation_tier", "value": "f"}
        )
        assert done.completion.values == ["free"]


@pytest.mark.anyio
async def test_skill_tool_lists_and_reads(server: Any) -> None:
    async with Client(server) as client:
        listed = await ok(client, "botflix_skill", {"action": "list"})
        assert "director" in {d["name"] for d in structured(listed)["data"]}
        read = await ok(client, "botflix_skill", {"action": "read", "name": "director"})
    assert "botflix_upload_episode" in text_of(read)


@pytest.mark.anyio
async def test_every_tool_named_in_the_documents_exists(server: Any) -> None:
    import re

    from botflix_mcp.resources_path import data_dir

    async with Client(server) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    mentioned: set[str] = set()
    for path in [*data_dir("prompts").glob("*.md"), data_dir("SKILL.md")]:
        mentioned |= set(re.findall(r"`((?:botflix|aioz)_[a-z_]+)`", path.read_text()))
    unknown = {m for m in mentioned - names if not m.endswith("_")}  # `botflix_dir_` is the key prefix
    assert not unknown, sorted(unknown)
