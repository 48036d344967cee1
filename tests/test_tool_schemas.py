"""Tool schemas kept between starts (botflix_mcp/tool_schemas.py): a warm start must be indistinguishable from a
cold one to every client, and any doubt about the cache must fall back to the SDK's own registration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from botflix_mcp import tool_schemas
from botflix_mcp.server import build_server
from botflix_mcp.settings import Settings
from botflix_mcp.toolkit import VoicedTool
from tests.helpers import make_app, sandbox_settings, text_of

ROOT = Path(__file__).resolve().parent.parent


def _build(settings: Settings) -> Any:
    return build_server(settings, app=make_app(settings))


def _lazy(server: Any) -> list[bool]:
    return ["fn_metadata" not in tool.__dict__ for tool in server._tool_manager.list_tools()]


def _listing(tools: list[Any]) -> str:
    return json.dumps([t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools], sort_keys=True)


def _cache_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("tool-schemas-*.json"))


@pytest.mark.anyio
async def test_warm_start_lists_exactly_what_a_cold_start_lists(settings: Settings, mode: str) -> None:
    cold = _build(settings)
    assert not any(_lazy(cold)), "a cold start registers every tool through the SDK"
    assert len(_cache_files(settings.cache_dir or Path())) == 1
    warm = _build(settings)
    assert all(_lazy(warm)), "a warm start builds every tool from the cached schemas"
    assert all(isinstance(t, VoicedTool) for t in warm._tool_manager.list_tools())
    uncached = _build(settings.with_overrides(schema_cache=False, cache_dir=settings.cache_dir / "off"))  # type: ignore[operator]
    async with Client(cold, mode=mode) as a, Client(warm, mode=mode) as b, Client(uncached, mode=mode) as c:
        listed = [_listing((await client.list_tools()).tools) for client in (a, b, c)]
    assert listed[0] == listed[1] == listed[2]
    assert not (settings.cache_dir / "off").exists()  # type: ignore[operator]


def _bad_arguments(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """A missing required argument, and a wrong type for the first property: refused before the handler runs."""
    cases: list[dict[str, Any]] = []
    properties: dict[str, Any] = schema.get("properties", {})
    if schema.get("required"):
        cases.append({})
    for name, node in list(properties.items())[:1]:
        wrong: Any = [1, 2] if node.get("type") != "array" else "not a list"
        cases.append({name: wrong})
    cases.append({"no_such_argument_xyz": 1, **{k: None for k in list(properties)[:1]}})
    return cases


@pytest.mark.anyio
async def test_warm_tools_answer_bad_arguments_in_the_same_words(
    settings: Settings, fresh_sandbox: Any, mode: str
) -> None:
    cold = _build(settings)
    warm = _build(settings)
    assert all(_lazy(warm))
    compared = 0
    async with Client(cold, mode=mode) as a, Client(warm, mode=mode) as b:
        for tool in (await a.list_tools()).tools:
            for args in _bad_arguments(dict(tool.input_schema)):
                ra, rb = await a.call_tool(tool.name, args), await b.call_tool(tool.name, args)
                assert (ra.is_error, text_of(ra)) == (rb.is_error, text_of(rb)), (tool.name, args)
                compared += 1
    assert compared >= 60, compared
    built = [t.name for t in warm._tool_manager.list_tools() if "fn_metadata" in t.__dict__]
    assert len(built) >= 30, "each tool's argument model is built by its first call"


@pytest.mark.anyio
async def test_warm_tool_runs_and_returns_structured_output(settings: Settings, fresh_sandbox: Any) -> None:
    _build(settings)
    warm = _build(settings)
    async with Client(warm) as client:
        result = await client.call_tool("aioz_account", {})
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None and "data" in result.structured_content


@pytest.mark.anyio
async def test_a_changed_signature_or_damaged_file_is_rebuilt_not_trusted(settings: Settings) -> None:
    directory = settings.cache_dir
    assert directory is not None
    _build(settings)
    [path] = _cache_files(directory)
    data = json.loads(path.read_text())
    name = next(iter(data["tools"]))
    data["tools"][name]["key"] = "another signature"
    data["tools"][name]["parameters"] = {"type": "object", "properties": {"stale": {"type": "string"}}}
    path.write_text(json.dumps(data))
    server = _build(settings)
    tool = server._tool_manager.get_tool(name)
    assert "fn_metadata" in tool.__dict__ and "stale" not in json.dumps(tool.parameters)
    assert json.loads(path.read_text())["tools"][name]["key"] != "another signature"  # rewritten
    for damaged in ("{not json", json.dumps({"format": 999, "tools": {}}), json.dumps([1, 2])):
        path.write_text(damaged)
        server = _build(settings)
        assert not any(_lazy(server))
        assert json.loads(path.read_text())["format"] == tool_schemas.FORMAT


def test_an_unwritable_cache_directory_only_costs_the_cache(tmp_path: Path, fresh_sandbox: Any) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    settings = sandbox_settings(fresh_sandbox, tmp_path, cache_dir=blocker / "cache")
    for _ in range(2):
        server = _build(settings)
        assert len(server._tool_manager.list_tools()) >= 30 and not any(_lazy(server))


def test_fingerprint_follows_the_package_sources(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "a.py").write_text("x = 1\n")
    before = tool_schemas._tree_stats(package)
    os.utime(package / "a.py", ns=(1, 2))
    assert tool_schemas._tree_stats(package) != before
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "a.cpython-311.py").write_text("")
    assert len(tool_schemas._tree_stats(package)) == 1


def test_signature_key_covers_defaults_and_refuses_addresses() -> None:
    def handler_with(default: object) -> Any:
        async def handler(x: object = default) -> str:
            return ""

        return handler

    key = tool_schemas.signature_key
    assert key(handler_with(1)) == key(handler_with(1))
    assert key(handler_with(1)) != key(handler_with(2))
    assert key(handler_with(object())) is None  # a default whose repr is an address: never cached


WARM_PROCESS = """
import json, sys
import anyio
from mcp import Client
from botflix_mcp.server import TOOLSET_MODULES, build_server
from botflix_mcp.settings import Settings

modules = [m for ms in TOOLSET_MODULES.values() for m in ms]
from pathlib import Path
server = build_server(Settings(cache_dir=Path(sys.argv[1]), aioz_base_url="http://127.0.0.1:9/api"))
out = {"imported_at_start": [m for m in modules if m in sys.modules]}

async def main():
    async with Client(server) as client:
        out["listed"] = len((await client.list_tools()).tools)
        result = await client.call_tool("aioz_media_status", {"media_id": ["not", "a", "string"]})
        out["refusal"] = [getattr(c, "text", "") for c in result.content]
    out["imported_after_a_call"] = [m for m in modules if m in sys.modules]

anyio.run(main)
print(json.dumps(out))
"""


def test_a_warm_start_imports_no_tool_module_until_one_of_its_tools_is_called(tmp_path: Path) -> None:
    """Each start in its own interpreter, as a client starts the server: the first builds the cache; the second
    lists every tool without importing a tool module, and a call imports only that tool's module."""
    runs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", WARM_PROCESS, str(tmp_path / "cache")],
            capture_output=True, text=True, timeout=120, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    cold, warm = runs
    assert len(cold["imported_at_start"]) >= 10 and cold["listed"] >= 30
    assert warm["imported_at_start"] == [] and warm["listed"] == cold["listed"]
    assert warm["imported_after_a_call"] == ["botflix_mcp.aioz.tools.upload"]  # aioz_media_status lives there
    assert warm["refusal"] == cold["refusal"] and "media_id" in warm["refusal"][0]


@pytest.mark.anyio
async def test_other_settings_list_what_they_list_without_the_cache(settings: Settings, mode: str) -> None:
    """Which tools a module registers depends on the settings (toolsets, read-only): a module's cached listing is
    only used for the settings it was made with."""
    _build(settings)
    _build(settings)  # warm, with every toolset
    for other in (settings.with_overrides(read_only=True), settings.with_overrides(toolsets=("media", "botflix"))):
        warm = _build(other)
        warm_again = _build(other)
        uncached = _build(other.with_overrides(schema_cache=False))
        async with (
            Client(warm, mode=mode) as a,
            Client(warm_again, mode=mode) as b,
            Client(uncached, mode=mode) as c,
        ):
            listed = [_listing((await client.list_tools()).tools) for client in (a, b, c)]
        assert listed[0] == listed[1] == listed[2]
        assert all(_lazy(warm_again))


@pytest.mark.anyio
async def test_warm_prompts_list_render_and_refuse_like_cold_ones(settings: Settings, mode: str) -> None:
    from mcp.shared.exceptions import MCPError

    from tests.botflix.test_skills import ROLE_ARGS

    cold = _build(settings)
    warm = _build(settings)
    assert all(isinstance(p.fn, tool_schemas.LazyValidated) for p in warm._prompt_manager.list_prompts())
    assert not any(isinstance(p.fn, tool_schemas.LazyValidated) for p in cold._prompt_manager.list_prompts())
    bad = [("director_loop", {"show_title": "x"}), ("showrunner", {**ROLE_ARGS["showrunner"], "target_seconds": "7"})]
    seen: list[list[Any]] = []
    for server in (cold, warm):
        async with Client(server, mode=mode) as client:
            listed = [p.model_dump(mode="json") for p in (await client.list_prompts()).prompts]
            rendered = [(await client.get_prompt(n, a)).model_dump(mode="json") for n, a in ROLE_ARGS.items()]
            refused = []
            for name, args in bad:
                with pytest.raises(MCPError) as caught:
                    await client.get_prompt(name, args)
                refused.append((caught.value.code, caught.value.message))
        seen.append([listed, rendered, refused])
    assert seen[0] == seen[1]
