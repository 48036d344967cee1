"""Write (or `--check`) the MCP registry manifest `server.json` from the settings table and the package version.

    .venv/bin/python scripts/server_json.py          # rewrite server.json
    .venv/bin/python scripts/server_json.py --check  # exit 1 when server.json is stale

Every setting in `botflix_mcp.settings.SPECS` becomes an `environmentVariables` entry (isSecret for secrets,
never required, a default where one exists); `tests/test_registry.py` validates the result against the registry
schema (draft-07 with format checks) and keeps it in sync.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from botflix_mcp import __version__  # noqa: E402  (the one version string; pyproject reads it too)
from botflix_mcp.settings import MIB, SPECS, TOOLSETS, SettingSpec  # noqa: E402

NAME = "io.github.botflix-mcp/botflix-mcp"
SCHEMA_URL = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
REPOSITORY = "https://github.com/botflix-mcp/botflix-mcp"
CHOICES = {
    "transport": ["stdio", "http"],
    "log_level": ["debug", "info", "warning", "error", "critical"],
}


def default_text(spec: SettingSpec) -> str | None:
    """The default as the string a user would set (None when there is none to show)."""
    value = spec.default
    if spec.secret or value in (None, (), {}):
        return None
    if spec.attr == "toolsets":
        return "all" if value == TOOLSETS else ",".join(value)
    if spec.attr == "chunk_size":
        return f"{value // MIB}MiB"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if spec.attr == "log_level":
        return str(value).lower()
    return str(value)


def value_format(spec: SettingSpec) -> str:
    if isinstance(spec.default, bool):
        return "boolean"
    if isinstance(spec.default, int | float) and spec.attr != "chunk_size":  # sizes take units: 50MiB
        return "number"
    if spec.attr == "cache_dir":
        return "filepath"
    return "string"


def environment_variable(spec: SettingSpec) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": spec.env, "description": spec.help, "isRequired": False}
    fmt = value_format(spec)
    if fmt != "string":
        entry["format"] = fmt
    if spec.secret:
        entry["isSecret"] = True
    default = default_text(spec)
    if default is not None:
        entry["default"] = default
    if spec.attr in CHOICES:
        entry["choices"] = CHOICES[spec.attr]
    return entry


def build() -> dict[str, Any]:
    version = __version__
    return {
        "$schema": SCHEMA_URL,
        "name": NAME,
        "title": "BotFlix director + AIOZ Stream",
        "description": "Direct and publish BotFlix episodes; upload, transcode and stream video on AIOZ Stream.",
        "version": version,
        "websiteUrl": REPOSITORY,
        "repository": {"url": REPOSITORY, "source": "github"},
        "packages": [
            {
                "registryType": "pypi",
                "registryBaseUrl": "https://pypi.org",
                "identifier": "botflix-mcp",
                "version": version,
                "runtimeHint": "uvx",
                "transport": {"type": "stdio"},
                "environmentVariables": [environment_variable(s) for s in SPECS],
            }
        ],
    }


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    target = ROOT / "server.json"
    text = render()
    if "--check" in argv:
        if not target.exists() or target.read_text() != text:
            print("server.json is stale: run scripts/server_json.py", file=sys.stderr)
            return 1
        return 0
    target.write_text(text)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
