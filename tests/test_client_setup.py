"""`botflix-mcp setup <client>` (issue 12 §1): each client's file, format and location per OS, merging without
losing other servers (backup, idempotent, undo), refusing bad files without touching them, and, for every client,
the exact command written starts a server that answers `initialize` over stdio."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from mcp import Client, StdioServerParameters

from botflix_mcp import client_setup
from botflix_mcp.client_setup import CLIENTS, SetupError, config_path, edit_yaml, server_command

SCRIPT = Path(sys.executable).with_name("botflix-mcp")
#: Base URLs nobody listens on: initialize and tools/list must not need the network.
OFFLINE = ["--env", "AIOZ_BASE_URL=http://127.0.0.1:9/api", "--env", "BOTFLIX_BASE_URL=http://127.0.0.1:9"]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    for var in ("XDG_CONFIG_HOME", "CLAUDE_CONFIG_DIR", "OPENCLAW_CONFIG_PATH", "HERMES_HOME", "APPDATA"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    return home


def run_setup(*argv: str) -> tuple[int, str, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = client_setup.main(list(argv))
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def load(client: str, path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text) if client == "hermes" else json.loads(text)


def servers_of(client: str, document: Any) -> dict[str, Any]:
    if client == "vscode":
        return document["servers"]
    if client == "openclaw":
        return document["mcp"]["servers"]
    if client == "hermes":
        return document["mcp_servers"]
    return document["mcpServers"]


# --------------------------------------------------------------------------- locations per OS

LAYOUT = {
    ("claude-desktop", "linux"): ".config/Claude/claude_desktop_config.json",
    ("claude-desktop", "macos"): "Library/Application Support/Claude/claude_desktop_config.json",
    ("claude-desktop", "windows"): "AppData/Roaming/Claude/claude_desktop_config.json",
    ("vscode", "linux"): ".config/Code/User/mcp.json",
    ("vscode", "macos"): "Library/Application Support/Code/User/mcp.json",
    ("vscode", "windows"): "AppData/Roaming/Code/User/mcp.json",
    **{("cursor", s): ".cursor/mcp.json" for s in ("linux", "macos", "windows")},
    **{("claude-code", s): ".claude.json" for s in ("linux", "macos", "windows")},
    **{("openclaw", s): ".openclaw/openclaw.json" for s in ("linux", "macos", "windows")},
    **{("hermes", s): ".hermes/config.yaml" for s in ("linux", "macos", "windows")},
}


@pytest.mark.parametrize(("client", "system"), sorted(LAYOUT))
def test_each_client_and_os_layout_gets_its_own_file_and_format(
    home: Path, monkeypatch: pytest.MonkeyPatch, client: str, system: str
) -> None:
    if system == "windows":
        monkeypatch.setenv("APPDATA", str(home / "AppData" / "Roaming"))
    code, out, err = run_setup(client, "--os", system, "--botflix-director-key", "botflix_dir_abc")
    assert code == 0, err
    path = home / LAYOUT[client, system]
    assert str(path) in out and "To undo: botflix-mcp setup " + client + " --remove" in out
    assert "botflix_dir_abc" not in out  # the key is written to the file, not echoed
    entry = servers_of(client, load(client, path))["botflix"]
    assert entry["command"] == str(SCRIPT) and os.path.isabs(entry["command"])
    assert entry["args"] == [] and entry["env"] == {"BOTFLIX_DIRECTOR_KEY": "botflix_dir_abc"}
    assert entry.get("type") == ("stdio" if client in ("claude-code", "vscode") else None)
    assert path.stat().st_mode & 0o077 == 0  # a new file holding a key is private
    assert [p.name for p in path.parent.iterdir() if p.name != path.name and p.name.startswith(path.name)] == []


def test_environment_overrides_of_the_locations(tmp_path: Path) -> None:
    env = {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "CLAUDE_CONFIG_DIR": str(tmp_path / "cc"),
        "OPENCLAW_CONFIG_PATH": str(tmp_path / "oc.json"),
        "HERMES_HOME": str(tmp_path / "hh"),
    }
    assert config_path("claude-desktop", "linux", env) == tmp_path / "xdg/Claude/claude_desktop_config.json"
    assert config_path("vscode", "linux", env) == tmp_path / "xdg/Code/User/mcp.json"
    assert config_path("claude-code", "linux", env) == tmp_path / "cc/.claude.json"
    assert config_path("openclaw", "macos", env) == tmp_path / "oc.json"
    assert config_path("hermes", "windows", env) == tmp_path / "hh/config.yaml"
    with pytest.raises(SetupError, match="unknown client"):
        config_path("zed", "linux", env)


# --------------------------------------------------------------------------- the command written


def test_server_command_is_the_running_script_else_beside_the_interpreter_else_python_m(tmp_path: Path) -> None:
    bindir = tmp_path / "env" / "bin"
    bindir.mkdir(parents=True)
    script, python = bindir / "botflix-mcp", bindir / "python"
    python.write_text("")
    other = tmp_path / "pipx-bin" / "botflix-mcp"
    other.parent.mkdir()
    other.write_text("")
    nowhere = str(tmp_path / "no-scripts")
    # started as a console script: that very script (not resolved through symlinks: pipx upgrades keep the link)
    assert server_command(str(other), str(python), nowhere) == [str(other)]
    # a Windows launcher reporting its name without .exe
    exe = tmp_path / "win" / "botflix-mcp.exe"
    exe.parent.mkdir()
    exe.write_text("")
    assert server_command(str(exe.with_suffix("")), str(python), nowhere) == [str(exe)]
    # started some other way (python -m, pytest): the script installed next to this interpreter
    script.write_text("")
    assert server_command("/x/__main__.py", str(python), nowhere) == [str(script)]
    # or in the interpreter's scripts folder (a system-wide Windows install: python.exe beside Scripts\)
    script.unlink()
    scripts = tmp_path / "Scripts"
    scripts.mkdir()
    (scripts / "botflix-mcp.exe").write_text("")
    assert server_command("/x/__main__.py", str(python), str(scripts)) == [str(scripts / "botflix-mcp.exe")]
    # no script anywhere: this interpreter runs the package
    assert server_command("/x/__main__.py", str(python), nowhere) == [str(python), "-m", "botflix_mcp"]


def test_server_command_found_on_path_when_started_by_bare_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "botflix-mcp"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert server_command("botflix-mcp", "") == [str(script)]


# --------------------------------------------------------------------------- merging, idempotence, undo


def test_merge_keeps_other_servers_and_keys_backs_up_and_is_idempotent(home: Path) -> None:
    path = home / ".claude.json"
    before = {
        "numStartups": 7,
        "projects": {"/src": {"mcpServers": {"p": {"command": "x"}}}},
        "mcpServers": {"other": {"type": "stdio", "command": "other-mcp", "args": ["-v"], "env": {"T": "1"}}},
    }
    original = json.dumps(before, indent=4)
    path.write_text(original)
    path.chmod(0o640)
    code, out, _ = run_setup("claude-code", "--sandbox")
    assert code == 0
    after = json.loads(path.read_text())
    assert after["numStartups"] == 7 and after["projects"] == before["projects"]
    assert after["mcpServers"]["other"] == before["mcpServers"]["other"]
    assert after["mcpServers"]["botflix"] == {"type": "stdio", "command": str(SCRIPT), "args": ["--sandbox"], "env": {}}
    assert path.stat().st_mode & 0o777 == 0o640  # the user's permissions are kept
    (backup,) = [p for p in home.iterdir() if p.name.startswith(".claude.json.") and p.name.endswith(".bak")]
    assert backup.read_text() == original and str(backup) in out

    # the same command again: nothing written, no new backup
    mtime = path.stat().st_mtime_ns
    code, out, _ = run_setup("claude-code", "--sandbox")
    assert code == 0 and "already up to date" in out
    assert path.stat().st_mtime_ns == mtime and len(list(home.glob(".claude.json.*.bak"))) == 1

    # a changed option replaces our entry only
    code, _, _ = run_setup("claude-code", "--aioz-public-key", "pk", "--aioz-secret-key", "sk")
    assert code == 0
    entry = json.loads(path.read_text())["mcpServers"]["botflix"]
    assert entry["args"] == [] and entry["env"] == {"AIOZ_PUBLIC_KEY": "pk", "AIOZ_SECRET_KEY": "sk"}

    # undo: our entry goes, everything else stays
    code, out, _ = run_setup("claude-code", "--remove")
    assert code == 0 and "removed" in out
    assert json.loads(path.read_text()) == before
    code, out, _ = run_setup("claude-code", "--remove")
    assert code == 0 and "has no `botflix` server" in out


def test_a_windows_file_with_a_byte_order_mark_is_merged(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPDATA", str(home / "AppData" / "Roaming"))
    path = home / "AppData" / "Roaming" / "Claude" / "claude_desktop_config.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(b'\xef\xbb\xbf{"mcpServers": {"other": {"command": "x"}}}\r\n')
    code, _, err = run_setup("claude-desktop", "--os", "windows")
    assert code == 0, err
    assert set(json.loads(path.read_text(encoding="utf-8"))["mcpServers"]) == {"other", "botflix"}


def test_print_shows_the_entry_and_writes_nothing(home: Path) -> None:
    code, out, _ = run_setup("vscode", "--print", "--botflix-director-key", "dk")
    assert code == 0 and list(home.iterdir()) == []
    assert json.loads(out) == {
        "servers": {
            "botflix": {"type": "stdio", "command": str(SCRIPT), "args": [], "env": {"BOTFLIX_DIRECTOR_KEY": "dk"}}
        }
    }
    code, out, _ = run_setup("claude-code", "--print")
    assert code == 0 and out.startswith("claude mcp add-json --scope user botflix '") and list(home.iterdir()) == []
    code, out, _ = run_setup("openclaw", "--print")
    words = shlex.split(out)
    assert words[:4] == ["openclaw", "mcp", "set", "botflix"] and json.loads(words[4])["command"] == str(SCRIPT)
    code, out, _ = run_setup("hermes", "--print", "--name", "bf")
    assert yaml.safe_load(out)["mcp_servers"]["bf"]["command"] == str(SCRIPT)


@pytest.mark.parametrize(
    ("client", "content", "fragment"),
    [
        ("cursor", '{"mcpServers": {"a": {"command": "x"},}}', "not valid JSON (comments or trailing commas"),
        ("vscode", '// my servers\n{"servers": {}}', "not valid JSON"),
        ("claude-desktop", '["not", "an", "object"]', "top level is not an object"),
        ("openclaw", '{"mcp": {"servers": []}}', "`mcp.servers` is not an object"),
        ("openclaw", "{mcp: {servers: {}}}", "not valid JSON"),  # JSON5
        ("hermes", "mcp_servers:\n  a: [unclosed\n", "not valid YAML"),
        ("hermes", "- a\n- b\n", "top level is not an object"),
        ("hermes", "mcp_servers:\n- a\n", "`mcp_servers` is not an object"),
        ("hermes", 'mcp_servers: {a: {command: "x"}}\n', "flow style"),
    ],
)
def test_a_bad_existing_file_is_refused_and_left_alone(home: Path, client: str, content: str, fragment: str) -> None:
    path = config_path(client)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    code, _, err = run_setup(client, "--aioz-public-key", "pk", "--aioz-secret-key", "sk")
    assert code == 1 and fragment in err and "--print" in err, err
    assert path.read_text() == content and list(path.parent.glob("*.bak")) == []
    assert "pk" not in err


def test_an_unreadable_file_is_refused(home: Path) -> None:
    path = home / ".cursor" / "mcp.json"
    path.parent.mkdir()
    path.write_bytes(b'{"mcpServers": {"\xff": 1}}')
    code, _, err = run_setup("cursor")
    assert code == 1 and "cannot read" in err and "nothing was written" in err
    assert path.read_bytes() == b'{"mcpServers": {"\xff": 1}}'
    path.unlink()
    path.mkdir()
    code, _, err = run_setup("cursor")
    assert code == 1 and "not a file" in err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--env", "NOT_A_SETTING=1"], "NOT_A_SETTING is not a botflix-mcp setting"),
        (["--env", "BOTFLIX_MCP_PORT=http"], "BOTFLIX_MCP_PORT:"),
        (["--env", "novalue"], "--env wants NAME=VALUE"),
        (["--aioz-public-key", "pk"], "AIOZ_SECRET_KEY: set both AIOZ keys or neither"),
    ],
)
def test_bad_options_write_nothing(home: Path, argv: list[str], fragment: str) -> None:
    code, _, err = run_setup("cursor", *argv)
    assert code == 1 and fragment in err
    assert not (home / ".cursor").exists()


# --------------------------------------------------------------------------- Hermes: YAML edited as text

HERMES = """\
# Hermes configuration
model:
  default: "some/model"   # keep this comment

mcp_servers:
  # the filesystem server
  fs:
    command: "npx"
    args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"]
  botflix:
    command: "/old/botflix-mcp"
    args: []

terminal:
  backend: local
"""


def test_hermes_entry_replaced_in_place_keeping_comments_and_other_servers(home: Path) -> None:
    path = home / ".hermes" / "config.yaml"
    path.parent.mkdir()
    path.write_text(HERMES)
    code, _, err = run_setup("hermes", "--botflix-director-key", "botflix_dir_x")
    assert code == 0, err
    text = path.read_text()
    assert "# keep this comment" in text and "# the filesystem server" in text and "/old/botflix-mcp" not in text
    doc = yaml.safe_load(text)
    assert doc["model"] == {"default": "some/model"} and doc["terminal"] == {"backend": "local"}
    assert doc["mcp_servers"]["fs"]["command"] == "npx"
    assert doc["mcp_servers"]["botflix"] == {
        "command": str(SCRIPT),
        "args": [],
        "env": {"BOTFLIX_DIRECTOR_KEY": "botflix_dir_x"},
    }
    code, out, _ = run_setup("hermes", "--botflix-director-key", "botflix_dir_x")
    assert "already up to date" in out
    code, _, _ = run_setup("hermes", "--remove")
    doc = yaml.safe_load(path.read_text())
    assert set(doc["mcp_servers"]) == {"fs"} and "# keep this comment" in path.read_text()


@pytest.mark.parametrize(
    "text",
    ["", "# only a comment\n", "model:\n  default: x\n", "mcp_servers:\n", "mcp_servers: {}\nother: 1\n"],
)
def test_hermes_entry_added_to_any_starting_point(text: str) -> None:
    entry = {"command": "C:\\Py\\Scripts\\botflix-mcp.exe", "args": ["--sandbox"], "env": {"K": 'a "quoted" \\ value'}}
    new = edit_yaml(text, "botflix", entry)
    doc = yaml.safe_load(new)
    assert doc["mcp_servers"]["botflix"] == entry
    before = yaml.safe_load(text) or {}
    assert {k: v for k, v in doc.items() if k != "mcp_servers"} == {
        k: v for k, v in before.items() if k != "mcp_servers"
    }


# --------------------------------------------------------------------------- acceptance: the written command runs


def entry_written_by_the_console_script(client: str, home: Path, *extra: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CONFIG_HOME", "CLAUDE_CONFIG_DIR", "APPDATA")}
    env |= {"HOME": str(home), "USERPROFILE": str(home)}
    env.pop("OPENCLAW_CONFIG_PATH", None)
    env.pop("HERMES_HOME", None)
    run = subprocess.run(
        [str(SCRIPT), "setup", client, *OFFLINE, *extra], env=env, cwd=home, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    path = config_path(client, env=env)
    assert str(path) in run.stdout
    return servers_of(client, load(client, path))["botflix"]


@pytest.mark.anyio
@pytest.mark.parametrize("client", CLIENTS)
async def test_the_command_written_for_each_client_answers_initialize(client: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    entry = entry_written_by_the_console_script(
        client, home, "--aioz-public-key", "pk-test", "--aioz-secret-key", "sk-test"
    )
    assert entry["command"] == str(SCRIPT)
    params = StdioServerParameters(command=entry["command"], args=entry["args"], env=entry["env"], cwd=str(tmp_path))
    mode = "legacy" if client in ("cursor", "hermes") else "auto"  # both protocol eras across the clients
    async with Client(params, mode=mode) as session:
        assert session.server_info is not None and session.server_info.name == "botflix-mcp"
        tools = {t.name for t in (await session.list_tools()).tools}
        assert {"aioz_credentials", "botflix_skill"} <= tools
