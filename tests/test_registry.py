"""server.json (MCP registry manifest, issue 6 §4): valid against the registry schema, every setting declared,
version equal to the package's one version string, and the README's `mcp-name:` marker (the registry's PyPI
ownership check)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, FormatChecker

import botflix_mcp
from botflix_mcp.settings import SPECS, SPECS_BY_ENV

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((Path(__file__).parent / "data" / "server.schema.json").read_text())
NAME = "io.github.botflix-mcp/botflix-mcp"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return json.loads((ROOT / "server.json").read_text())


@pytest.fixture(scope="module")
def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def problems(document: dict[str, Any]) -> list[str]:
    Draft7Validator.check_schema(SCHEMA)
    validator = Draft7Validator(SCHEMA, format_checker=FormatChecker())
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]


def test_valid_against_the_registry_schema(doc: dict[str, Any]) -> None:
    assert SCHEMA["$id"] == "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
    assert problems(doc) == []
    assert doc["$schema"] == SCHEMA["$id"]  # the schema does not enforce this; the registry does
    assert doc["name"] == NAME


@pytest.mark.parametrize(
    ("path", "value", "fragment"),
    [
        (("websiteUrl",), "not a url", "is not a 'uri'"),  # only caught with jsonschema[format-nongpl]
        (("description",), "x" * 101, "is too long"),
        (("name",), "no-slash", "does not match"),
        (("packages", 0, "version"), "latest", "should not be valid"),
        (("packages", 0, "transport"), {"type": "websocket"}, "is not valid under any"),
    ],
)
def test_the_validation_can_fail(doc: dict[str, Any], path: tuple[Any, ...], value: Any, fragment: str) -> None:
    broken = copy.deepcopy(doc)
    node: Any = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    found = problems(broken)
    assert any(fragment in p for p in found), found


def test_one_version_string(doc: dict[str, Any], pyproject: dict[str, Any]) -> None:
    # pyproject declares no version of its own: hatch reads botflix_mcp/__init__.py, server.json is generated from it
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["hatch"]["version"]["path"] == "botflix_mcp/__init__.py"
    version = botflix_mcp.__version__
    assert doc["version"] == version
    assert [p["version"] for p in doc["packages"]] == [version]


def test_package_is_the_pypi_console_script_over_stdio(doc: dict[str, Any], pyproject: dict[str, Any]) -> None:
    (package,) = doc["packages"]
    assert package["registryType"] == "pypi" and package["identifier"] == pyproject["project"]["name"]
    assert package["runtimeHint"] == "uvx" and package["transport"] == {"type": "stdio"}
    assert package["identifier"] in pyproject["project"]["scripts"]  # `uvx botflix-mcp` runs this script


def test_every_setting_is_declared_and_nothing_else(doc: dict[str, Any]) -> None:
    declared = {e["name"]: e for e in doc["packages"][0]["environmentVariables"]}
    assert set(declared) == {s.env for s in SPECS}, "server.json and settings.SPECS differ"
    assert len(declared) == len(doc["packages"][0]["environmentVariables"])  # no duplicates
    for name, entry in declared.items():
        spec = SPECS_BY_ENV[name]
        assert entry.get("isSecret", False) is spec.secret, name
        assert entry["isRequired"] is False, name  # keys are asked for when missing; nothing is required
        assert entry["description"] == spec.help, name
        if spec.secret:
            assert "default" not in entry, name
        if "default" in entry:  # a declared default means the same as the real one
            assert spec.parse(entry["default"]) == spec.default, name
        for choice in entry.get("choices", []):
            spec.parse(choice)
        if entry.get("format") == "number":
            float(entry.get("default", "0"))


def test_server_json_is_generated_from_the_settings_table() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "server_json.py"), "--check"], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr


def test_readme_carries_the_mcp_name_marker() -> None:
    readme = (ROOT / "README.md").read_text()
    assert f"mcp-name: {NAME}" in readme
    # the PyPI description is the README (the registry reads the marker there)
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["readme"] == "README.md"
