"""Start a packed MCPB bundle the way Claude Desktop does and check it answers `initialize` and `tools/list`.

    .venv/bin/python scripts/mcpb_smoke.py dist/botflix-mcp-<version>-<platform>.mcpb

The bundle is unpacked into a scratch directory; the command, args and env come from its manifest's
`server.mcp_config` (with `platform_overrides` for this OS), `${__dirname}` is the unpacked directory and every
`${user_config.*}` field is left as Claude Desktop leaves an optional field nobody filled in (its default, else
empty). Base URLs point at a closed loopback port, so nothing leaves the machine.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

OFFLINE = {"AIOZ_BASE_URL": "http://127.0.0.1:9/api", "BOTFLIX_BASE_URL": "http://127.0.0.1:9"}
PLATFORM = {"win32": "win32", "darwin": "darwin"}.get(sys.platform, "linux")


def substitute(value: str, dirname: Path, fields: dict[str, Any]) -> str:
    def field(match: re.Match[str]) -> str:
        default = fields.get(match.group(1), {}).get("default", "")
        return str(default).lower() if isinstance(default, bool) else str(default)

    value = value.replace("${__dirname}", str(dirname))
    return re.sub(r"\$\{user_config\.([A-Za-z0-9_]+)\}", field, value)


def server_params(unpacked: Path) -> StdioServerParameters:
    manifest = json.loads((unpacked / "manifest.json").read_text(encoding="utf-8"))
    config = manifest["server"]["mcp_config"]
    config = {**config, **config.get("platform_overrides", {}).get(PLATFORM, {})}
    fields = manifest.get("user_config", {})
    command = shutil.which(config["command"]) or config["command"]
    args = [substitute(a, unpacked, fields) for a in config.get("args", [])]
    env = {k: substitute(v, unpacked, fields) for k, v in config.get("env", {}).items()}
    assert (unpacked / manifest["server"]["entry_point"]).is_file(), manifest["server"]["entry_point"]
    return StdioServerParameters(command=command, args=args, env=env | OFFLINE, cwd=str(unpacked))


async def check(bundle: Path) -> str:
    with tempfile.TemporaryDirectory() as scratch:
        unpacked = Path(scratch) / "bundle"
        with zipfile.ZipFile(bundle) as archive:
            archive.extractall(unpacked)
        params = server_params(unpacked)
        async with Client(params) as client:
            assert client.server_info is not None and client.server_info.name == "botflix-mcp"
            tools = (await client.list_tools()).tools
        return f"ok: {bundle.name} started with {params.command} {' '.join(params.args)}: {len(tools)} tools"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    print(anyio.run(check, Path(argv[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
