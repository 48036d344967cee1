"""One-click bundles (issue 12 §7): the MCPB manifest for Claude Desktop (generated from the settings table, valid
against the published MCPB manifest schema; `scripts/validate.sh` also runs the official `mcpb validate`) and the
Claude Code plugin (.claude-plugin/) carrying the MCP server and the skill."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

import botflix_mcp
from botflix_mcp.frontmatter import read_document
from botflix_mcp.settings import SPECS_BY_ENV, load_settings

ROOT = Path(__file__).resolve().parents[1]
#: The schema the @anthropic-ai/mcpb package publishes for manifest_version 0.3 (a copy, so this runs offline).
MCPB_SCHEMA = json.loads((Path(__file__).parent / "data" / "mcpb-manifest-v0.3.schema.json").read_text())
KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def load(relative: str) -> dict[str, Any]:
    return json.loads((ROOT / relative).read_text(encoding="utf-8"))


def mcpb_problems(document: dict[str, Any]) -> list[str]:
    Draft7Validator.check_schema(MCPB_SCHEMA)
    return [e.message for e in Draft7Validator(MCPB_SCHEMA).iter_errors(document)]


def test_manifests_are_generated_and_current() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bundles.py"), "--check"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr


def test_mcpb_manifest_is_valid_against_the_published_schema() -> None:
    manifest = load("mcpb/manifest.json")
    assert manifest["manifest_version"] == "0.3" and MCPB_SCHEMA["properties"]["manifest_version"]["const"] == "0.3"
    assert mcpb_problems(manifest) == []
    assert manifest["version"] == botflix_mcp.__version__


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("server", "type"), "ruby"),
        (("user_config", "aioz_public_key", "type"), "secret"),
        (("server", "mcp_config", "cmd"), "python3"),
        (("manifest_version",), "9"),
    ],
)
def test_the_mcpb_validation_can_fail(path: tuple[str, ...], value: Any) -> None:
    broken = copy.deepcopy(load("mcpb/manifest.json"))
    node: Any = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert mcpb_problems(broken)


def test_mcpb_user_config_reaches_the_server_as_real_settings() -> None:
    manifest = load("mcpb/manifest.json")
    env = manifest["server"]["mcp_config"]["env"]
    fields = manifest["user_config"]
    referenced = {m for v in env.values() for m in re.findall(r"\$\{user_config\.([a-z_]+)\}", v)}
    assert referenced == set(fields)  # every field is used, every reference exists
    for name, value in env.items():
        if "${user_config." not in value:
            continue
        spec = SPECS_BY_ENV[name]  # a real setting
        field = fields[value.removeprefix("${user_config.").removesuffix("}")]
        assert field["required"] is False, name  # nothing is required: keys are asked for / minted later
        assert field.get("sensitive", False) is spec.secret, name
        assert field["description"] == spec.help
        if "default" in field:
            assert spec.parse(str(field["default"]).lower()) == spec.default, name
    # what Claude Desktop sends for fields left empty must start the server
    blank = {name: ("false" if fields.get(name.lower(), {}).get("type") == "boolean" else "") for name in env}
    load_settings({k: v for k, v in blank.items() if k in SPECS_BY_ENV}, dotenv=False)
    assert manifest["server"]["mcp_config"]["args"] == ["-m", "botflix_mcp"]
    assert env["PYTHONPATH"] == "${__dirname}/server/lib"
    assert manifest["server"]["entry_point"] == "server/lib/botflix_mcp/__main__.py"
    assert (ROOT / "botflix_mcp" / "__main__.py").is_file()


def test_claude_code_plugin_carries_the_server_and_the_skill() -> None:
    plugin = load(".claude-plugin/plugin.json")
    assert KEBAB.match(plugin["name"]) and plugin["version"] == botflix_mcp.__version__
    skills_dir = ROOT / plugin["skills"]
    (skill,) = [p for p in skills_dir.iterdir() if (p / "SKILL.md").is_file()]
    assert read_document(skill / "SKILL.md").meta["name"] == skill.name == "botflix-mcp"
    server = plugin["mcpServers"]["botflix"]
    assert server["command"] == "uvx" and server["args"] == ["--from", "${CLAUDE_PLUGIN_ROOT}", "botflix-mcp"]
    hosts = set(plugin["network"]["hosts"])  # declared for the plugin directory: the default API hosts, PyPI
    assert {"api.aiozstream.network", "botflix.fun", "pypi.org"} <= hosts
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'botflix-mcp = "botflix_mcp.cli:main"' in pyproject  # the script uvx runs from the plugin root


def test_marketplace_lists_this_plugin() -> None:
    market = load(".claude-plugin/marketplace.json")
    assert KEBAB.match(market["name"]) and market["owner"]["name"]
    (entry,) = market["plugins"]
    assert entry["name"] == load(".claude-plugin/plugin.json")["name"]
    assert entry["version"] == botflix_mcp.__version__
    assert (ROOT / entry["source"] / ".claude-plugin" / "plugin.json").is_file()
