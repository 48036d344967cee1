"""Write (or `--check`) the one-click bundle manifests from the settings table and the package version.

    .venv/bin/python scripts/bundles.py          # rewrite mcpb/manifest.json and .claude-plugin/*.json
    .venv/bin/python scripts/bundles.py --check  # exit 1 when one of them is stale

- `mcpb/manifest.json`: the MCPB (MCP Bundle) manifest for Claude Desktop. Its `user_config` is generated from
  `botflix_mcp.settings.SPECS` (the keys as sensitive fields, a few everyday settings); every field reaches the
  server as the setting's environment variable. `scripts/mcpb_pack.sh` packs a bundle around it (the package and
  its dependencies under `server/lib`, started with the user's Python 3.11+). `scripts/validate.sh` checks it with
  the official MCPB CLI and `tests/test_bundles.py` against the published manifest schema.
- `.claude-plugin/plugin.json` and `.claude-plugin/marketplace.json`: this repository as a Claude Code plugin
  (`/plugin marketplace add <repo>`, then `/plugin install botflix-mcp@botflix-mcp`) carrying the MCP server
  (started from the plugin's own checkout with `uvx --from`) and the skill in `skills/botflix-mcp/`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from botflix_mcp import __version__  # noqa: E402
from botflix_mcp.settings import DEFAULT_AIOZ_BASE_URL, DEFAULT_BOTFLIX_BASE_URL, SPECS_BY_ENV  # noqa: E402

NAME = "botflix-mcp"
REPOSITORY = "https://github.com/botflix-mcp/botflix-mcp"
AUTHOR = {"name": "botflix-mcp developers"}
DESCRIPTION = "Direct and publish BotFlix episodes; upload, transcode and stream video on AIOZ Stream."
KEYWORDS = ["mcp", "botflix", "aioz", "video", "streaming", "director"]

#: The settings Claude Desktop asks for when the bundle is installed (all optional), in this order.
USER_CONFIG: dict[str, str] = {
    "BOTFLIX_DIRECTOR_KEY": "string",
    "AIOZ_PUBLIC_KEY": "string",
    "AIOZ_SECRET_KEY": "string",
    "AIOZ_DASHBOARD_TOKEN": "string",
    "BOTFLIX_MCP_ALLOWED_ROOTS": "string",
    "BOTFLIX_MCP_TOOLSETS": "string",
    "BOTFLIX_MCP_READ_ONLY": "boolean",
}
TITLES = {
    "BOTFLIX_DIRECTOR_KEY": "BotFlix director key",
    "AIOZ_PUBLIC_KEY": "AIOZ Stream public key",
    "AIOZ_SECRET_KEY": "AIOZ Stream secret key",
    "AIOZ_DASHBOARD_TOKEN": "AIOZ dashboard token",
    "BOTFLIX_MCP_ALLOWED_ROOTS": "Folders the tools may read and write",
    "BOTFLIX_MCP_TOOLSETS": "Toolsets",
    "BOTFLIX_MCP_READ_ONLY": "Read-only tools only",
}


def user_config_key(env: str) -> str:
    return env.lower()


def user_config() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for env, kind in USER_CONFIG.items():
        spec = SPECS_BY_ENV[env]
        entry: dict[str, Any] = {"type": kind, "title": TITLES[env], "description": spec.help, "required": False}
        if spec.secret:
            entry["sensitive"] = True
        if kind == "boolean":
            entry["default"] = bool(spec.default)
        elif env == "BOTFLIX_MCP_TOOLSETS":
            entry["default"] = "all"
        fields[user_config_key(env)] = entry
    return fields


def mcpb_manifest() -> dict[str, Any]:
    env = {"PYTHONPATH": "${__dirname}/server/lib", "PYTHONNOUSERSITE": "1"}
    env |= {name: "${user_config." + user_config_key(name) + "}" for name in USER_CONFIG}
    return {
        "$schema": "https://raw.githubusercontent.com/modelcontextprotocol/mcpb/main/schemas/mcpb-manifest-v0.3.schema.json",
        "manifest_version": "0.3",
        "name": NAME,
        "display_name": "BotFlix director + AIOZ Stream",
        "version": __version__,
        "description": DESCRIPTION,
        "long_description": (
            "Plan, validate and publish 60-180 s episodes on BotFlix with the director skills, and host media on "
            "AIOZ Stream: chunked uploads with per-chunk MD5, transcoding status, players, playlists, subtitles, "
            "webhooks, analytics and API keys, with the AIOZ skill's rules enforced in the tools. Every key is "
            "optional: a new director registers with botflix_register_director, and the AIOZ keys are asked for "
            "at first use."
        ),
        "author": AUTHOR,
        "repository": {"type": "git", "url": REPOSITORY},
        "homepage": REPOSITORY,
        "documentation": f"{REPOSITORY}#readme",
        "support": f"{REPOSITORY}/issues",
        "license": "MIT",
        "keywords": KEYWORDS,
        "server": {
            "type": "python",
            "entry_point": "server/lib/botflix_mcp/__main__.py",
            "mcp_config": {
                "command": "python3",
                "args": ["-m", "botflix_mcp"],
                "env": env,
                "platform_overrides": {"win32": {"command": "python"}},
            },
        },
        "tools_generated": True,
        "prompts_generated": True,
        "compatibility": {"platforms": ["darwin", "win32", "linux"], "runtimes": {"python": ">=3.11"}},
        "user_config": user_config(),
    }


def plugin_manifest() -> dict[str, Any]:
    return {
        "name": NAME,
        "version": __version__,
        "description": DESCRIPTION + " Carries the botflix-mcp MCP server and its Agent Skill.",
        "author": AUTHOR,
        "homepage": REPOSITORY,
        "repository": REPOSITORY,
        "license": "MIT",
        "keywords": KEYWORDS,
        "skills": "./skills/",
        "mcpServers": {
            "botflix": {"command": "uvx", "args": ["--from", "${CLAUDE_PLUGIN_ROOT}", NAME], "env": {}},
        },
        # what the server reaches by default, and where uvx gets the dependencies from
        "network": {
            "hosts": [
                urlsplit(DEFAULT_AIOZ_BASE_URL).hostname,
                urlsplit(DEFAULT_BOTFLIX_BASE_URL).hostname,
                "pypi.org",
                "files.pythonhosted.org",
            ]
        },
    }


def marketplace_manifest() -> dict[str, Any]:
    return {
        "name": NAME,
        "owner": AUTHOR,
        "metadata": {"description": "The botflix-mcp Claude Code plugin", "version": __version__},
        "plugins": [
            {
                "name": NAME,
                "source": "./",
                "description": DESCRIPTION,
                "version": __version__,
                "license": "MIT",
                "keywords": KEYWORDS,
                "category": "media",
            }
        ],
    }


def targets() -> dict[Path, dict[str, Any]]:
    return {
        ROOT / "mcpb" / "manifest.json": mcpb_manifest(),
        ROOT / ".claude-plugin" / "plugin.json": plugin_manifest(),
        ROOT / ".claude-plugin" / "marketplace.json": marketplace_manifest(),
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    stale = []
    for path, document in targets().items():
        text = render(document)
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.relative_to(ROOT).as_posix())
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT).as_posix()}")
    if stale:
        print(f"stale: {', '.join(stale)}; run scripts/bundles.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
