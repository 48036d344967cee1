"""Issue 10 §3: every role prompt stays within 12,000 characters (instructions, the role's section, links to the
documents instead of copies), every link resolves as a resource and through `botflix_skill`, and `brief` /
`shot_manifest` arguments that are not one JSON object are refused with -32602 and a reason (both eras)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from botflix_mcp.botflix import skills
from botflix_mcp.resources_path import data_dir
from tests.helpers import text_of

BUDGET = 12_000
BRIEF = (data_dir("schemas") / "examples" / "episode-brief.json").read_text()
MANIFEST = (data_dir("schemas") / "examples" / "shot-manifest.json").read_text()
ARGS: dict[str, dict[str, str]] = {
    "director_loop": {"show_title": "Lighthouse Protocol", "logline": "A lighthouse AI hears a ship on no registry."},
    "showrunner": {"show_title": "Lighthouse Protocol", "logline": "A lighthouse AI hears a ship on no registry."},
    "shot_planner": {"brief": BRIEF},
    "producer": {"shot_manifest": MANIFEST},
    "critic": {"episode_path": "/tmp/episode.mp4", "brief": BRIEF},
}


def size_of(result: Any) -> int:
    """Characters of the prompts/get result as it travels (JSON)."""
    return len(result.model_dump_json(by_alias=True, exclude_none=True))


def compact(text: str) -> str:
    return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))


@pytest.mark.anyio
async def test_every_prompt_is_within_the_budget_and_links_its_documents(server: Any, mode: str) -> None:
    sizes: dict[str, int] = {}
    async with Client(server, mode=mode) as client:
        for name, args in ARGS.items():
            for tier in ("free", "paid"):
                result = await client.get_prompt(name, {**args, "creation_tier": tier})
                sizes[f"{name}/{tier}"] = size_of(result)
                first, links = result.messages[0].content, [m.content for m in result.messages[1:]]
                assert first.type == "text"
                text = first.text  # type: ignore[union-attr]
                assert "`botflix_skill`" in text and "offset" in text and '"read"' in text  # the way without resources
                assert links and all(link.type == "resource_link" for link in links), name
                role = skills.ROLE_PROMPTS[name]
                assert [str(link.uri) for link in links][: len(skills.role_documents(role, tier))] == [
                    f"botflix://skills/{n}" for n in skills.role_documents(role, tier)
                ]
                for link in links:
                    assert f"`{link.name}`" in text  # type: ignore[union-attr]  # named for botflix_skill read
                    served = (await client.read_resource(link.uri)).contents[0]  # type: ignore[union-attr]
                    assert len(served.text.encode()) == link.size and served.mime_type == link.mime_type  # type: ignore[union-attr]
                    read = await client.call_tool("botflix_skill", {"action": "read", "name": link.name})  # type: ignore[union-attr]
                    assert not read.is_error, text_of(read)
                    if link.mime_type == "text/markdown":  # type: ignore[union-attr]
                        assert text_of(read).startswith(served.text[:2000])  # type: ignore[union-attr]
                    else:  # schemas come compact through the tool
                        assert json.loads(text_of(read)) == json.loads(served.text)  # type: ignore[union-attr]
                if "brief" in args:
                    assert compact(BRIEF) in text and "passes `botflix_validate` kind brief" in text
                if "shot_manifest" in args:
                    assert compact(MANIFEST) in text
    over = {k: v for k, v in sizes.items() if v > BUDGET}
    assert not over, over
    # today's sizes (before: producer 41K, director_loop 32K, showrunner 32K, critic 31K, shot_planner 25K)
    assert max(sizes.values()) < BUDGET and min(sizes.values()) > 3000, sizes


@pytest.mark.anyio
async def test_the_role_section_is_inline_and_no_document_is_copied(server: Any) -> None:
    director = (data_dir("prompts") / "director.md").read_text()
    async with Client(server) as client:
        for name, heading in (
            ("showrunner", "## 3. Role 1"),
            ("shot_planner", "## 4. Role 2"),
            ("producer", "## 5. Role 3"),
            ("critic", "## 6. Role 4"),
            ("director_loop", "## 2. The loop at a glance"),
        ):
            result = await client.get_prompt(name, ARGS[name])
            text = result.messages[0].content.text  # type: ignore[union-attr]
            assert heading in text, name
            section = skills.section_text(director, heading[3:])
            assert section is not None and section.strip() in text
            assert "## 8. Tool map" not in text and "## 0. Facts to rely on" not in text  # not the whole document
            assert all(m.content.type != "resource" for m in result.messages)


@pytest.mark.anyio
async def test_a_large_manifest_is_carried_once_and_the_rest_stays_in_budget(server: Any) -> None:
    manifest = json.loads(MANIFEST)
    shot = manifest["shots"][-1]
    manifest["shots"] = [copy.deepcopy(shot) | {"id": f"s{i:03d}"} for i in range(1, 41)]
    for s in manifest["shots"]:
        s["generation"]["prompt"] = "A long five-block prompt. " * 40
    text = json.dumps(manifest, indent=2)
    async with Client(server) as client:
        result = await client.get_prompt("producer", {"shot_manifest": text})
    body = result.messages[0].content.text  # type: ignore[union-attr]
    carried = compact(text)
    assert body.count(carried) == 1 and len(carried) > BUDGET
    assert size_of(result) - len(json.dumps(carried)) <= BUDGET  # what the server adds stays in the budget
    assert "does not validate yet" in body and "$.shots" in body  # 40 shots x 10 s run past 180 s


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("name", "args", "words"),
    [
        ("shot_planner", {"brief": "a lighthouse story"}, "brief is not JSON (Expecting value at line 1 column 1)"),
        ("shot_planner", {"brief": "/home/me/brief.json"}, "pass the file's path to `botflix_validate`"),
        ("shot_planner", {"brief": "[1, 2]"}, "brief must be a JSON object (the EpisodeBrief), not an array"),
        ("shot_planner", {"brief": "   "}, "brief is empty"),
        ("shot_planner", {"brief": '"text"'}, "not a string"),
        ("producer", {"shot_manifest": '{"shots": ['}, "shot_manifest is not JSON"),
        ("producer", {"shot_manifest": "42"}, "must be a JSON object (the ShotManifest), not a number"),
        ("producer", {"shot_manifest": "null"}, "not null"),
        ("critic", {"episode_path": "/tmp/e.mp4", "brief": "{oops}"}, "brief is not JSON"),
        ("critic", {"episode_path": " "}, "episode_path is empty"),
        ("showrunner", {"show_title": "x" * 121, "logline": "A lamp that listens."}, "show_title is 121 characters"),
        ("director_loop", {"show_title": "S", "logline": "l" * 301}, "logline is 301 characters; at most 300"),
        ("producer", {"shot_manifest": '{"a": "' + "x" * 70_000 + '"}'}, "too large for a prompt"),
    ],
)
async def test_bad_prompt_arguments_are_invalid_params(
    server: Any, mode: str, name: str, args: dict[str, str], words: str
) -> None:
    async with Client(server, mode=mode) as client:
        with pytest.raises(MCPError) as caught:
            await client.get_prompt(name, args)
    assert caught.value.code == -32602 and words in caught.value.message, caught.value.message


@pytest.mark.anyio
async def test_a_brief_that_does_not_validate_is_flagged_in_the_prompt(server: Any, mode: str) -> None:
    brief = json.loads(BRIEF)
    brief["beats"][1]["location"] = "engine_room"
    async with Client(server, mode=mode) as client:
        result = await client.get_prompt("shot_planner", {"brief": json.dumps(brief)})
    text = result.messages[0].content.text  # type: ignore[union-attr]
    assert "does not validate yet" in text and "`$.beats[1].location`" in text and "engine_room" in text
