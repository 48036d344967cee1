"""Issue 9 defect m: every beat, character, location, speaker, shot and asset id a ShotManifest (or a brief)
names must resolve. Each dangling one is reported with its JSON path and the ids that exist, by
`botflix_validate` and by the `botflix_upload_episode` gate (nothing is uploaded), in both protocol eras."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from botflix_mcp.botflix.validation import validate
from tests.botflix import mp4factory
from tests.helpers import structured, text_of

ASSETS = Path(__file__).parents[2] / "botflix_mcp" / "demo_assets"


def load(name: str) -> Any:
    return json.loads((ASSETS / name).read_text())


def resolving_manifest() -> dict[str, Any]:
    """The demo manifest with one of every kind of reference, each pointing at something that exists."""
    manifest = load("shot-manifest.json")
    manifest["assets"].append({"id": "ref_lumen", "kind": "character_ref", "path": "refs/lumen.png"})
    manifest["assets"].append({"id": "subs_en", "kind": "subtitle", "path": "subs/en.srt"})
    first, third = manifest["shots"][0], manifest["shots"][2]
    first["characters"] = ["lumen"]
    first["location"] = "lamp_room"
    first["narration"] = [{"line_id": "l001", "speaker": "lumen", "text": "Something is out there."}]
    first["output"] = {"clip_asset_id": "img_s001", "status": "planned"}
    third["characters"] = ["lumen", "ada"]
    third["location"] = "lamp_room"
    third["continuity"] = {"carries_from_shot": "s002"}
    third["generation"]["reference_asset_ids"] = ["ref_lumen"]
    third["generation"]["first_frame_asset_id"] = "img_s001"
    third["narration"] = [
        {"line_id": "l002", "speaker": "narrator", "text": "Ada sleeps below.", "audio_asset_id": "vo_l001"}
    ]
    manifest["subtitles"] = {"srt_asset_id": "subs_en"}
    manifest["thumbnail"] = {"asset_id": "img_s001", "from_shot_id": "s002"}
    return manifest


#: (JSON path, dangling value, ids the message must offer)
BROKEN: list[tuple[str, str, list[str]]] = [
    ("$.shots[0].characters[0]", "ghost", ["lumen", "ada"]),
    ("$.shots[0].location", "crypt", ["lamp_room", "keeper_quarters"]),
    ("$.shots[0].narration[0].speaker", "captain", ["narrator", "lumen", "ada"]),
    ("$.shots[0].output.clip_asset_id", "clip_nope", ["img_s001", "vo_l001", "bed_drone", "ref_lumen", "subs_en"]),
    ("$.shots[2].characters[1]", "bob", ["lumen", "ada"]),
    ("$.shots[2].continuity.carries_from_shot", "s099", ["s001", "s002", "s004"]),
    ("$.shots[2].generation.reference_asset_ids[0]", "ref_ada", ["ref_lumen", "img_s001"]),
    ("$.shots[2].generation.first_frame_asset_id", "still_x", ["img_s001"]),
    ("$.shots[2].narration[0].audio_asset_id", "vo_l999", ["vo_l001"]),
    ("$.subtitles.srt_asset_id", "subs_fr", ["subs_en"]),
    ("$.thumbnail.asset_id", "thumb_x", ["img_s001"]),
    ("$.audio_mix.music_asset_id", "bed_missing", ["bed_drone"]),
]


def broken_manifest() -> dict[str, Any]:
    manifest = resolving_manifest()
    first, third = manifest["shots"][0], manifest["shots"][2]
    first["characters"] = ["ghost"]
    first["location"] = "crypt"
    first["narration"][0]["speaker"] = "captain"
    first["output"]["clip_asset_id"] = "clip_nope"
    third["characters"] = ["lumen", "bob"]
    third["continuity"]["carries_from_shot"] = "s099"
    third["generation"]["reference_asset_ids"] = ["ref_ada"]
    third["generation"]["first_frame_asset_id"] = "still_x"
    third["narration"][0]["audio_asset_id"] = "vo_l999"
    manifest["subtitles"]["srt_asset_id"] = "subs_fr"
    manifest["thumbnail"]["asset_id"] = "thumb_x"
    manifest["audio_mix"]["music_asset_id"] = "bed_missing"
    return manifest


def test_every_reference_that_resolves_passes() -> None:
    report = validate("shot_manifest", resolving_manifest(), load("episode-brief.json"))
    assert report.ok and not report.problems, report.problems


def test_each_dangling_reference_has_its_path_and_the_ids_that_exist() -> None:
    report = validate("shot_manifest", broken_manifest(), load("episode-brief.json"))
    by_path = {p.path: p for p in report.errors}
    assert set(by_path) == {path for path, _, _ in BROKEN}, report.problems
    for path, value, offered in BROKEN:
        problem = by_path[path]
        assert repr(value) in problem.message, problem
        assert problem.known is not None and set(offered) <= set(problem.known), problem
        assert all(i in problem.message for i in offered), problem
    others = ("s001", "s002", "s004", "s005", "s006", "s007", "s008")  # every shot but s003 itself
    assert by_path["$.shots[2].continuity.carries_from_shot"].known == others
    dumped = {d["path"]: d for d in report.as_dict()["problems"]}
    assert dumped["$.shots[0].location"]["known"] == ["lamp_room", "keeper_quarters"]


def test_a_beat_that_is_not_in_the_brief_lists_the_beats() -> None:
    manifest = resolving_manifest()
    manifest["shots"][5]["beat_id"] = "b09"
    report = validate("shot_manifest", manifest, load("episode-brief.json"))
    [problem] = [p for p in report.errors if p.path == "$.shots[5].beat_id"]
    assert "'b09'" in problem.message and "b01, b02, b03, b04" in problem.message
    assert problem.known == ("b01", "b02", "b03", "b04")


def test_without_the_brief_the_unresolvable_ids_are_said_to_be_unchecked() -> None:
    report = validate("shot_manifest", resolving_manifest())
    assert report.ok
    [warning] = [p for p in report.problems if p.severity == "warning"]
    assert "pass the EpisodeBrief" in warning.message
    assert all(word in warning.message for word in ("beat", "character", "location", "speaker"))
    # asset and shot references resolve inside the manifest alone: still errors without a brief
    alone = validate("shot_manifest", broken_manifest())
    assert {p.path for p in alone.errors} == {path for path, _, _ in BROKEN} - {
        "$.shots[0].characters[0]",
        "$.shots[0].location",
        "$.shots[0].narration[0].speaker",
        "$.shots[2].characters[1]",
    }


def test_the_brief_own_references_resolve_too() -> None:
    brief = load("episode-brief.json")
    brief["narration"]["script"] = [
        {"beat_id": "b01", "speaker": "lumen", "text": "Something is out there."},
        {"beat_id": "b07", "speaker": "Narrator", "text": "A beat that does not exist."},
        {"beat_id": "b02", "speaker": "captain", "text": "A speaker that does not exist."},
    ]
    brief["beats"][2]["location"] = "engine_room"
    report = validate("brief", brief)
    by_path = {p.path: p for p in report.errors}
    assert set(by_path) == {"$.narration.script[1].beat_id", "$.narration.script[2].speaker", "$.beats[2].location"}
    assert by_path["$.narration.script[1].beat_id"].known == ("b01", "b02", "b03", "b04")
    assert "lamp_room, keeper_quarters" in by_path["$.beats[2].location"].message


def test_duplicate_asset_ids_are_refused() -> None:
    manifest = resolving_manifest()
    manifest["assets"].append({"id": "vo_l001", "kind": "voice"})
    report = validate("shot_manifest", manifest, load("episode-brief.json"))
    assert [p.path for p in report.errors] == [f"$.assets[{len(manifest['assets']) - 1}].id"]


def test_embedded_manifest_in_metadata_keeps_paths_and_ids() -> None:
    metadata = load("episode-metadata.json")
    metadata["brief"], metadata["shot_manifest"] = load("episode-brief.json"), broken_manifest()
    report = validate("metadata", metadata)
    by_path = {p.path: p for p in report.errors}
    assert "$.shot_manifest.shots[0].location" in by_path
    assert by_path["$.shot_manifest.shots[0].location"].known == ("lamp_room", "keeper_quarters")


@pytest.mark.anyio
async def test_botflix_validate_reports_dangling_references(server: Any, mode: str) -> None:
    brief = load("episode-brief.json")
    async with Client(server, mode=mode) as client:
        good = await client.call_tool(
            "botflix_validate", {"kind": "shot_manifest", "document": resolving_manifest(), "brief": brief}
        )
        bad = await client.call_tool(
            "botflix_validate", {"kind": "shot_manifest", "document": broken_manifest(), "brief": brief}
        )
    assert not good.is_error and structured(good)["data"]["ok"] is True, text_of(good)
    data = structured(bad)["data"]
    assert data["ok"] is False and "INVALID" in text_of(bad)
    problems = {p["path"]: p for p in data["problems"]}
    for path, value, offered in BROKEN:
        assert f"`{path}`" in text_of(bad) and repr(value) in text_of(bad), path
        assert set(offered) <= set(problems[path]["known"]), path


@pytest.mark.anyio
async def test_upload_gate_refuses_a_plan_with_dangling_references(
    server: Any, fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    episode = tmp_path / "episode.mp4"
    shutil.copyfile(mp4factory.valid(), episode)
    brief, metadata = load("episode-brief.json"), load("episode-metadata.json")
    args = {"path": str(episode), "metadata": metadata, "brief": brief}
    async with Client(server, mode=mode) as client:
        registered = await client.call_tool(
            "botflix_register_director", {"name": "Continuity", "owner_email": "c@example.com"}
        )
        assert not registered.is_error, text_of(registered)
        refused = await client.call_tool("botflix_upload_episode", {**args, "shot_manifest": broken_manifest()})
        assert refused.is_error, text_of(refused)
        assert [r for r in fresh_sandbox.botflix_requests() if r["path"].endswith("/episodes/upload")] == []
        text = text_of(refused)
        assert "nothing was uploaded" in text
        for path, value, _ in BROKEN:
            assert f"ShotManifest `{path}`" in text and repr(value) in text, (path, text)
        assert "lamp_room, keeper_quarters" in text  # the ids that exist, so the agent can pick one
        # the same plan with every reference resolving goes through: the references were the only problem
        sent = await client.call_tool("botflix_upload_episode", {**args, "shot_manifest": resolving_manifest()})
    assert not sent.is_error, text_of(sent)
    assert len([r for r in fresh_sandbox.botflix_requests() if r["path"].endswith("/episodes/upload")]) == 1


@pytest.mark.anyio
async def test_upload_without_the_brief_says_the_plan_ids_were_not_checked(
    server: Any, fresh_sandbox: Any, tmp_path: Path
) -> None:
    episode = tmp_path / "episode.mp4"
    shutil.copyfile(mp4factory.valid(), episode)
    manifest = copy.deepcopy(resolving_manifest())
    async with Client(server) as client:
        await client.call_tool("botflix_register_director", {"name": "Loose", "owner_email": "l@example.com"})
        sent = await client.call_tool(
            "botflix_upload_episode",
            {"path": str(episode), "metadata": load("episode-metadata.json"), "shot_manifest": manifest},
        )
    assert not sent.is_error, text_of(sent)
    assert "not checked against a brief" in text_of(sent) and "pass the EpisodeBrief" in text_of(sent)


def test_threads_resolve_to_the_continuity_or_a_planted_one() -> None:
    brief = load("episode-brief.json")
    assert validate("brief", brief).ok  # b01 advances ghost_ship (continuity.threads), b04 plants empty_bed
    brief["beats"][1]["threads"] = {"advances": ["ghost_ship", "lost_key"], "pays_off": ["empty_bed"]}
    brief["beats"][2]["threads"] = {"pays_off": ["ghost_shp"]}
    report = validate("brief", brief)
    by_path = {p.path: p for p in report.problems}
    assert {p.path for p in report.errors} == {"$.beats[1].threads.advances[1]", "$.beats[2].threads.pays_off[0]"}
    assert by_path["$.beats[2].threads.pays_off[0]"].known == ("ghost_ship", "empty_bed")
    assert "'ghost_shp'" in by_path["$.beats[2].threads.pays_off[0]"].message
    early = by_path["$.beats[1].threads.pays_off[0]"]  # empty_bed is planted by b04, later
    assert early.severity == "warning" and "paid off before the beat that plants it" in early.message
