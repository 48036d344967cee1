"""Install as users do (issue 6 §6): build the wheel, install it with pip into a fresh venv (dependencies from
PyPI, nothing from the checkout or the project venv), and run the console script over stdio from a folder outside
the checkout. Packaging mistakes (a missing `prompts/`, `schemas/` or `SKILL.md`, a missing runtime dependency,
a broken entry point) fail here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from tests.helpers import venv_with_wheel

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow]

#: Base URLs nobody listens on: the installed server must not need a network to start and list.
OFFLINE = {"AIOZ_BASE_URL": "http://127.0.0.1:9/api", "BOTFLIX_BASE_URL": "http://127.0.0.1:9"}


class Installed:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.venv = base / "fresh"
        self.bin = self.venv / "bin"
        self.outside = base / "elsewhere"  # a cwd with no checkout in sight
        self.outside.mkdir()

    def python(self, code: str) -> str:
        run = subprocess.run(
            [str(self.bin / "python"), "-I", "-c", code], cwd=self.outside, capture_output=True, text=True, timeout=60
        )
        assert run.returncode == 0, run.stderr
        return run.stdout.strip()


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, dist: Path) -> Iterator[Installed]:
    """The wheel of the session's `python -m build` (tests/conftest.py), pip-installed into a fresh venv."""
    (wheel,) = dist.glob("botflix_mcp-*.whl")
    inst = Installed(tmp_path_factory.mktemp("wheel"))
    venv_with_wheel(sys.executable, inst.venv, wheel, cwd=inst.outside)
    yield inst


def test_the_package_comes_from_the_wheel_not_the_checkout(installed: Installed) -> None:
    where = Path(installed.python("import botflix_mcp; print(botflix_mcp.__file__)"))
    assert installed.venv in where.parents and ROOT not in where.parents


def test_data_files_ship_inside_the_package(installed: Installed) -> None:
    code = (
        "import json; from importlib.resources import files; d = files('botflix_mcp') / '_data'; "
        "walk = lambda p, pre='': [x for c in p.iterdir() for x in "
        "(walk(c, pre + c.name + '/') if c.is_dir() else [pre + c.name])]; "
        "print(json.dumps(sorted(walk(d))))"
    )
    shipped = set(json.loads(installed.python(code)))
    expected = {"SKILL.md"}
    for folder in ("prompts", "schemas"):
        expected |= {
            f"{folder}/{p.relative_to(ROOT / folder).as_posix()}"
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
    assert expected <= shipped, sorted(expected - shipped)
    code = "from importlib.resources import files; print((files('botflix_mcp') / '_data/SKILL.md').read_text())"
    assert installed.python(code) == (ROOT / "skills" / "botflix-mcp" / "SKILL.md").read_text().strip()


def test_console_script_version_and_help(installed: Installed) -> None:
    run = subprocess.run(
        [str(installed.bin / "botflix-mcp"), "--version"], cwd=installed.outside, capture_output=True, text=True
    )
    assert run.returncode == 0 and run.stdout.startswith("botflix-mcp ")
    helped = subprocess.run(
        [str(installed.bin / "botflix-mcp"), "--help"], cwd=installed.outside, capture_output=True, text=True
    )
    assert helped.returncode == 0 and "BOTFLIX_MCP_HTTP_TOKEN" in helped.stdout


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_console_script_serves_stdio(installed: Installed, mode: str) -> None:
    params = StdioServerParameters(
        command=str(installed.bin / "botflix-mcp"), args=[], env=OFFLINE, cwd=str(installed.outside)
    )
    async with Client(params, mode=mode) as client:
        assert client.server_info is not None and client.server_info.name == "botflix-mcp"
        tools = [t.name for t in (await client.list_tools()).tools]
        assert "aioz_account" in tools and "aioz_credentials" in tools
        caps = client.server_capabilities
        if caps.prompts is not None:
            prompts = (await client.list_prompts()).prompts
            if prompts:
                first = next((p for p in prompts if not any(a.required for a in p.arguments or [])), None)
                if first is not None:
                    got = await client.get_prompt(first.name)
                    assert got.messages, first.name
        if caps.resources is not None:
            resources = (await client.list_resources()).resources
            if resources:
                read = await client.read_resource(resources[0].uri)
                assert read.contents and getattr(read.contents[0], "text", "x")


def test_pyav_is_not_installed_without_the_probe_extra(installed: Installed) -> None:
    # the runtime install stays light (issue 12 §4): PyAV only with `botflix-mcp[probe]`
    assert installed.python("import importlib.util as u; print(u.find_spec('av') is None)") == "True"
    assert installed.python("import yaml, botflix_mcp.client_setup; print('ok')") == "ok"


def test_setup_from_the_installed_script_writes_its_absolute_path(installed: Installed) -> None:
    run = subprocess.run(
        [str(installed.bin / "botflix-mcp"), "setup", "cursor", "--print"],
        cwd=installed.outside,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    entry = json.loads(run.stdout)["mcpServers"]["botflix"]
    assert entry["command"] == str(installed.bin / "botflix-mcp") and entry["args"] == []
