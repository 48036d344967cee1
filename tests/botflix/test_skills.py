"""The director skills as MCP resources, prompts and completions (both protocol eras), the botflix_skill tool, and
the explicit refresh from a BotFlix origin."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import PromptReference, ResourceTemplateReference

from botflix_mcp.app import App
from botflix_mcp.botflix import skills, tools
from botflix_mcp.http import RetryPolicy
from botflix_mcp.resources_path import data_dir
from botflix_mcp.server import build_server
from tests.helpers import sandbox_settings, structured, text_of

MANIFEST = json.loads((data_dir("prompts") / "manifest.json").read_text())
SCHEMAS = json.loads((data_dir("schemas") / "manifest.json").read_text())
EXAMPLE_BRIEF = (data_dir("schemas") / "examples" / "episode-brief.json").read_text()
EXAMPLE_MANIFEST = (data_dir("schemas") / "examples" / "shot-manifest.json").read_text()
ROLE_ARGS = {
    "director_loop": {"show_title": "Lighthouse Protocol", "logline": "A lamp that listens."},
    "showrunner": {"show_title": "Lighthouse Protocol", "logline": "A lamp that listens.", "target_seconds": "90"},
    "shot_planner": {"brief": EXAMPLE_BRIEF, "video_model": "veo_3_1", "creation_tier": "paid"},
    "producer": {"shot_manifest": EXAMPLE_MANIFEST},
    "critic": {"episode_path": "/tmp/episode.mp4"},
}


def source_of(module: Any) -> str:
    return Path(module.__file__).read_text(encoding="utf-8")


def expected_resources() -> dict[str, str]:
    uris = {f"botflix://skills/{d['name']}": "text/markdown" for d in MANIFEST["documents"]}
    for entry in SCHEMAS["schemas"]:
        uris[f"botflix://schemas/{entry['name']}"] = "application/schema+json"
        uris[f"botflix://schemas/{entry['name']}/example"] = "application/json"
    uris |= {
        "botflix://schemas/manifest": "application/json",
        "botflix://skills/manifest": "application/json",
        "botflix://skill-md": "text/markdown",
    }
    return uris


@pytest.mark.anyio
async def test_every_resource_is_listed_and_readable(server: Any, mode: str) -> None:
    expected = expected_resources()
    async with Client(server, mode=mode) as client:
        listed = {str(r.uri): r for r in (await client.list_resources()).resources}
        assert set(expected) <= set(listed), set(expected) - set(listed)
        for uri, mime in expected.items():
            assert listed[uri].mime_type == mime, uri
            contents = (await client.read_resource(uri)).contents
            assert len(contents) == 1 and contents[0].mime_type == mime
            text = contents[0].text  # type: ignore[union-attr]
            if mime != "text/markdown":
                json.loads(text)
            else:
                assert text.startswith("---\n") and "\n# " in text
        templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
        section = (await client.read_resource("botflix://skills/director/section/tool-map")).contents[0]
    assert "botflix://skills/{name}/section/{heading}" in templates
    assert section.text.startswith("## 8. Tool map") and "botflix_upload_episode" in section.text  # type: ignore[union-attr]


@pytest.mark.anyio
async def test_document_resources_carry_the_manifest_titles(server: Any) -> None:
    async with Client(server) as client:
        listed = {str(r.uri): r for r in (await client.list_resources()).resources}
        director = (await client.read_resource("botflix://skills/director")).contents[0]
    for doc in MANIFEST["documents"]:
        resource = listed[f"botflix://skills/{doc['name']}"]
        assert (resource.title, resource.description, resource.name) == (doc["title"], doc["description"], doc["name"])
    assert director.text == (data_dir("prompts") / "director.md").read_text()  # type: ignore[union-attr]


@pytest.mark.anyio
async def test_missing_section_or_document_is_invalid_params(server: Any, mode: str) -> None:
    async with Client(server, mode=mode) as client:
        for uri in ("botflix://skills/director/section/no-such-heading", "botflix://skills/nope/section/x"):
            with pytest.raises(MCPError) as caught:
                await client.read_resource(uri)
            assert caught.value.code == -32602


@pytest.mark.anyio
async def test_every_prompt_is_listed_with_described_arguments_and_renders(server: Any, mode: str) -> None:
    async with Client(server, mode=mode) as client:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
        assert set(ROLE_ARGS) <= set(prompts)
        rendered = {name: await client.get_prompt(name, args) for name, args in ROLE_ARGS.items()}
    for name, prompt in prompts.items():
        if name not in ROLE_ARGS:
            continue
        assert prompt.title and prompt.description
        assert prompt.arguments and all(a.description for a in prompt.arguments), name
    loop_args = {a.name: a.required for a in prompts["director_loop"].arguments or []}
    assert loop_args == {
        "show_title": True,
        "logline": True,
        "target_seconds": False,
        "creation_tier": False,
        "video_model": False,
    }
    for name, result in rendered.items():
        first = result.messages[0].content
        assert first.type == "text" and "botflix_" in first.text, name  # type: ignore[union-attr]
        links = [m.content for m in result.messages[1:]]
        assert links and all(link.type == "resource_link" for link in links), name
        role = skills.ROLE_PROMPTS[name]
        tier = ROLE_ARGS[name].get("creation_tier", "free")
        documents = [str(link.uri) for link in links if str(link.uri).startswith("botflix://skills/")]  # type: ignore[union-attr]
        assert documents == [f"botflix://skills/{n}" for n in skills.role_documents(role, tier)]
    loop_text = rendered["director_loop"].messages[0].content.text  # type: ignore[union-attr]
    assert "Lighthouse Protocol" in loop_text and "free_stills" in loop_text and "Target 120 s" in loop_text


def test_role_documents_follow_the_manifest_and_the_tier() -> None:
    for role in ("loop", "showrunner", "shot-planner", "producer", "critic"):
        free, paid = skills.role_documents(role, "free"), skills.role_documents(role, "paid")
        listed = {d["name"] for d in MANIFEST["documents"] if role in d["roles"]} - {"aioz-stream"}
        assert set(free) == listed - {"veo"} and "veo" not in free
        assert "free-tier" not in paid and set(paid) - {"veo"} == listed - {"free-tier", "veo"}
    assert "veo" in skills.role_documents("loop", "paid")


@pytest.mark.anyio
async def test_prompt_errors_are_invalid_params(server: Any, mode: str) -> None:
    async with Client(server, mode=mode) as client:
        for name, args, words in (
            ("no_such_prompt", {}, "Prompts: critic, director_loop"),
            ("director_loop", {"show_title": "x"}, "logline"),
            ("director_loop", {**ROLE_ARGS["director_loop"], "creation_tier": "gold"}, "free or paid"),
            ("showrunner", {**ROLE_ARGS["showrunner"], "target_seconds": "240"}, "60-180"),
        ):
            with pytest.raises(MCPError) as caught:
                await client.get_prompt(name, args)
            assert caught.value.code == -32602 and words in caught.value.message, caught.value.message


@pytest.mark.anyio
async def test_completions(server: Any, mode: str) -> None:
    template = ResourceTemplateReference(type="ref/resource", uri="botflix://skills/{name}/section/{heading}")
    async with Client(server, mode=mode) as client:

        async def values(ref: Any, name: str, value: str, context: dict[str, str] | None = None) -> list[str]:
            answer = await client.complete(ref, {"name": name, "value": value}, context_arguments=context)
            return list(answer.completion.values)

        loop = PromptReference(type="ref/prompt", name="director_loop")
        assert await values(loop, "creation_tier", "f") == ["free"]
        assert await values(loop, "video_model", "") == list(skills.VIDEO_MODELS)
        assert await values(loop, "video_model", "SEE") == ["seedance_2_0"]
        assert await values(PromptReference(type="ref/prompt", name="showrunner"), "target_seconds", "1") == [
            "120",
            "150",
            "180",
        ]
        assert await values(loop, "show_title", "") == []
        assert await values(template, "name", "a") == ["automation-guardrails", "assemble", "aioz-stream"]
        assert await values(template, "heading", "8", {"name": "director"}) == ["8-tool-map"]
        assert await values(template, "heading", "Tool", {"name": "director"}) == ["8-tool-map"]
        assert len(await values(template, "heading", "", {"name": "director"})) == 10
        assert await values(template, "heading", "", {"name": "missing"}) == []


@pytest.mark.anyio
async def test_skill_tool_lists_and_reads_everything(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    async with Client(server) as client:
        listed = structured(await client.call_tool("botflix_skill", {"action": "list"}))["data"]
        names = {e["name"] for e in listed}
        reads = {}
        for entry in listed:
            result = await client.call_tool("botflix_skill", {"action": "read", "name": entry["name"]})
            assert not result.is_error, (entry, text_of(result))
            reads[entry["name"]] = result
        by_uri = await client.call_tool("botflix_skill", {"action": "read", "name": "botflix://schemas/shot-manifest"})
        monkeypatch.setattr(tools, "SKILL_PAGE", 4000)
        first = await client.call_tool("botflix_skill", {"action": "read", "name": "director"})
        second = await client.call_tool("botflix_skill", {"action": "read", "name": "director", "offset": 4000})
        unknown = await client.call_tool("botflix_skill", {"action": "read", "name": "nope"})
    assert {d["name"] for d in MANIFEST["documents"]} <= names and {"SKILL.md", "episode-brief/example"} <= names
    assert "## 8. Tool map" in text_of(reads["director"]) and structured(reads["director"])["data"]["source"] == (
        "packaged copy"
    )
    assert json.loads(text_of(reads["episode-brief/example"]))["beats"]
    assert json.loads(text_of(by_uri))["title"] == "ShotManifest"
    assert "name: botflix-mcp" in text_of(reads["SKILL.md"])
    page = structured(first)["data"]
    assert page["next_offset"] == 4000 and "call again with offset=4000" in text_of(first)
    full = (data_dir("prompts") / "director.md").read_text()
    assert text_of(first).startswith(full[:4000]) and text_of(second).startswith(full[4000:8000])
    assert unknown.is_error and "director" in text_of(unknown)


@pytest.mark.anyio
async def test_refresh_replaces_what_it_can_and_keeps_the_rest(fresh_sandbox: Any, tmp_path: Path) -> None:
    fetched: list[str] = []

    def origin(request: httpx.Request) -> httpx.Response:
        fetched.append(request.url.path)
        if request.url.path == "/director.md":
            return httpx.Response(200, text="# BotFlix Director Protocol\n\nUpstream text, version 5.0.1.\n")
        if request.url.path == "/agent/FREE_TIER.md":
            return httpx.Response(200, text="<!DOCTYPE html><html><body>app shell</body></html>")
        return httpx.Response(404, json={"error": "Not found"})

    settings = sandbox_settings(fresh_sandbox, tmp_path, botflix_base_url="https://botflix.test")
    app = App(settings, botflix_transport=httpx.MockTransport(origin), retry_policy=RetryPolicy(max_retries=0))
    async with Client(build_server(settings, app=app)) as client:
        before = (await client.read_resource("botflix://skills/director")).contents[0]
        assert fetched == []  # nothing is fetched until asked
        refreshed = await client.call_tool("botflix_skill", {"action": "refresh"})
        after = (await client.read_resource("botflix://skills/director")).contents[0]
        tier = (await client.read_resource("botflix://skills/free-tier")).contents[0]
        read = await client.call_tool("botflix_skill", {"action": "read", "name": "director"})
        loop = await client.get_prompt("director_loop", {"show_title": "S", "logline": "L"})
    rows = {r["name"]: r["outcome"] for r in structured(refreshed)["data"]}
    assert rows["director"] == "refreshed"
    assert rows["free-tier"] == "kept packaged: an HTML page, not the Markdown document"
    assert rows["veo"] == "kept packaged: HTTP 404" and rows["aioz-stream"].startswith("no upstream")
    assert "/agent/skills/veo.md" in fetched and len(fetched) == sum(
        1 for d in MANIFEST["documents"] if d["upstream_path"]
    )
    assert "Upstream text, version 5.0.1." in after.text and after.text != before.text  # type: ignore[union-attr]
    assert tier.text == (data_dir("prompts") / "FREE_TIER.md").read_text()  # type: ignore[union-attr]
    assert structured(read)["data"]["source"].startswith("live copy from https://botflix.test/director.md")
    assert str(loop.messages[1].content.uri) == "botflix://skills/director"  # type: ignore[union-attr]
    assert loop.messages[1].content.size == len(after.text.encode())  # type: ignore[union-attr]  # the live copy


def test_usable_upstream() -> None:
    assert skills.usable_upstream("# Title\ntext") is None
    assert skills.usable_upstream("  ") == "empty or not text"
    assert skills.usable_upstream(None) == "empty or not text"
    assert "HTML" in (skills.usable_upstream("<html><head></head></html>") or "")
    assert "larger" in (skills.usable_upstream("x" * (skills.MAX_LIVE_CHARS + 1)) or "")


@pytest.mark.anyio
async def test_every_tool_named_in_the_documents_exists(server: Any) -> None:
    async with Client(server) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    mentioned: dict[str, set[str]] = {}
    for path in [*data_dir("prompts").glob("*.md"), data_dir("SKILL.md")]:
        for token in re.findall(r"`((?:botflix|aioz)_[a-z_]+)`", path.read_text()):
            mentioned.setdefault(token, set()).add(path.name)
    unknown = {m: files for m, files in mentioned.items() if m not in names and not m.endswith("_")}
    assert not unknown, unknown  # `botflix_dir_` (the key prefix) and `aioz_` patterns end with "_"
    assert {n for n in names if n.startswith("botflix_")} <= set(mentioned), "a BotFlix tool no document mentions"
    prompt_text = skills.loop_text("S", "L", 90, "free", "free_stills") + source_of(skills)
    in_prompts = set(re.findall(r"`((?:botflix|aioz)_[a-z_]+)`", prompt_text))
    assert in_prompts and in_prompts <= names, in_prompts - names


@pytest.mark.anyio
async def test_refresh_against_the_sandbox_says_it_is_local(server: Any) -> None:
    async with Client(server) as client:
        result = await client.call_tool("botflix_skill", {"action": "refresh"})
        listed = await client.call_tool("botflix_skill", {"action": "list"})
    assert not result.is_error and "local origin" in text_of(result)
    assert skills.is_local_origin("http://127.0.0.1:8000/botflix") and not skills.is_local_origin("https://botflix.fun")
    assert "- `showrunner`: director, free-tier" in text_of(listed)
