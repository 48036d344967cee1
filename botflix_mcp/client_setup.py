"""`botflix-mcp setup <client>`: write an MCP client's configuration so it starts this server.

Each client has its own file, format and location per OS:

- claude-desktop: `claude_desktop_config.json` in `~/.config/Claude/` (Linux), `~/Library/Application
  Support/Claude/` (macOS), `%APPDATA%\\Claude\\` (Windows); servers under `mcpServers`.
- claude-code: `~/.claude.json` (user scope; `$CLAUDE_CONFIG_DIR/.claude.json` when set); `mcpServers`, `type: stdio`.
- cursor: `~/.cursor/mcp.json`; `mcpServers`.
- vscode: `mcp.json` in `~/.config/Code/User/`, `~/Library/Application Support/Code/User/`,
  `%APPDATA%\\Code\\User\\`; servers under `servers`, `type: stdio`.
- openclaw: `~/.openclaw/openclaw.json` (`$OPENCLAW_CONFIG_PATH` when set); `mcp.servers`.
- hermes: `~/.hermes/config.yaml` (`$HERMES_HOME/config.yaml` when set); `mcp_servers` (YAML, edited as text so
  comments stay).

The command written is the absolute path of the console script that is running (`sys.argv[0]`, else the script
next to this interpreter, else `python -m botflix_mcp` with this interpreter), so a client that does not inherit
the shell's `PATH` still finds it. An existing file is merged: other servers and keys stay, a timestamped backup
is written next to it first, and running the same command twice changes nothing. A file that cannot be read or
parsed is never overwritten: the error says why and what to do instead (`--print`).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import re
import shlex
import shutil
import sys
import sysconfig
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botflix_mcp.settings import SPECS_BY_ENV, SettingsError, load_settings

CLIENTS: tuple[str, ...] = ("claude-desktop", "claude-code", "cursor", "vscode", "openclaw", "hermes")
SYSTEMS: tuple[str, ...] = ("linux", "macos", "windows")
DEFAULT_NAME = "botflix"
SCRIPT = "botflix-mcp"

#: The key flags `setup` takes (each is also accepted as `--env NAME=VALUE`).
KEY_FLAGS: dict[str, str] = {
    "--aioz-public-key": "AIOZ_PUBLIC_KEY",
    "--aioz-secret-key": "AIOZ_SECRET_KEY",
    "--botflix-director-key": "BOTFLIX_DIRECTOR_KEY",
    "--aioz-dashboard-token": "AIOZ_DASHBOARD_TOKEN",
}

_TITLES = {
    "claude-desktop": "Claude Desktop",
    "claude-code": "Claude Code",
    "cursor": "Cursor",
    "vscode": "VS Code",
    "openclaw": "OpenClaw",
    "hermes": "Hermes Agent",
}


class SetupError(Exception):
    """Nothing was written; `str(err)` says why and what to do instead."""


@dataclass(frozen=True)
class ServerEntry:
    command: str
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- where and what


def current_system() -> str:
    name = platform.system()
    return "macos" if name == "Darwin" else "windows" if name == "Windows" else "linux"


def server_command(
    argv0: str | None = None, executable: str | None = None, scripts_dir: str | None = None
) -> list[str]:
    """The absolute command that starts this installation's server: the running console script when that is what
    runs, else the script installed with this interpreter, else `<python> -m botflix_mcp`."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    executable = sys.executable if executable is None else executable
    scripts_dir = sysconfig.get_path("scripts") if scripts_dir is None else scripts_dir
    stem = Path(argv0).name.lower().removesuffix(".exe")
    if stem == SCRIPT:
        if os.sep in argv0 or (os.altsep and os.altsep in argv0):
            candidates = [argv0, f"{argv0}.exe"]  # Windows launchers may report the name without .exe
        else:  # started by bare name: find it the way the shell did
            candidates = [shutil.which(argv0) or ""]
        for candidate in candidates:
            if candidate and Path(candidate).is_file():
                return [os.path.abspath(candidate)]
    if executable:
        # a venv keeps scripts beside its python; a system install in its scripts folder (Windows: ...\Scripts)
        for bindir in dict.fromkeys([Path(executable).parent, *([Path(scripts_dir)] if scripts_dir else [])]):
            for name in (SCRIPT, f"{SCRIPT}.exe"):
                beside = bindir / name
                if beside.is_file():
                    return [os.path.abspath(beside)]
        return [os.path.abspath(executable), "-m", "botflix_mcp"]
    found = shutil.which(SCRIPT)
    if found:
        return [os.path.abspath(found)]
    raise SetupError("cannot tell how this server was started; run `botflix-mcp setup` from the installed script")


def config_path(client: str, system: str | None = None, env: Mapping[str, str] | None = None) -> Path:
    """Where `client` reads its (user-level) MCP configuration on `system`."""
    system = system or current_system()
    env = os.environ if env is None else env
    if system == "windows":
        home = Path(env.get("USERPROFILE") or env.get("HOME") or Path.home())
        appdata = Path(env["APPDATA"]) if env.get("APPDATA") else home / "AppData" / "Roaming"
    else:
        home = Path(env.get("HOME") or Path.home())
        appdata = home / "Library" / "Application Support"
    xdg = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else home / ".config"
    user_dir = {"linux": xdg, "macos": appdata, "windows": appdata}[system]
    if client == "claude-desktop":
        return user_dir / "Claude" / "claude_desktop_config.json"
    if client == "vscode":
        return user_dir / "Code" / "User" / "mcp.json"
    if client == "cursor":
        return home / ".cursor" / "mcp.json"
    if client == "claude-code":
        base = Path(env["CLAUDE_CONFIG_DIR"]) if env.get("CLAUDE_CONFIG_DIR") else home
        return base / ".claude.json"
    if client == "openclaw":
        if env.get("OPENCLAW_CONFIG_PATH"):
            return Path(env["OPENCLAW_CONFIG_PATH"])
        return home / ".openclaw" / "openclaw.json"
    if client == "hermes":
        base = Path(env["HERMES_HOME"]) if env.get("HERMES_HOME") else home / ".hermes"
        return base / "config.yaml"
    raise SetupError(f"unknown client {client!r}; choose one of: {', '.join(CLIENTS)}")


def client_entry(client: str, server: ServerEntry) -> dict[str, Any]:
    """The server's entry in the client's own shape."""
    entry: dict[str, Any] = {}
    if client in ("claude-code", "vscode"):
        entry["type"] = "stdio"
    entry["command"] = server.command
    entry["args"] = list(server.args)
    entry["env"] = dict(server.env)
    return entry


def _servers_key(client: str) -> tuple[str, ...]:
    if client == "vscode":
        return ("servers",)
    if client == "openclaw":
        return ("mcp", "servers")
    if client == "hermes":
        return ("mcp_servers",)
    return ("mcpServers",)


# --------------------------------------------------------------------------- merging


def merge(document: Any, client: str, name: str, entry: dict[str, Any] | None, path: Path) -> dict[str, Any]:
    """A copy of the parsed `document` with `name` set to `entry` (or removed when None); others kept."""
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise SetupError(f"{path}: the top level is not an object/mapping; fix or move the file, or use --print")
    merged = copy.deepcopy(document)
    node = merged
    keys = _servers_key(client)
    for depth, key in enumerate(keys):
        child = node.get(key)
        if child is None:
            if entry is None:
                return merged
            child = node[key] = {}
        if not isinstance(child, dict):
            where = ".".join(keys[: depth + 1])
            raise SetupError(f"{path}: `{where}` is not an object/mapping; fix it by hand, or use --print")
        node = child
    if entry is None:
        node.pop(name, None)
    else:
        node[name] = entry
    return merged


def _read_text(path: Path) -> str | None:
    if not path.exists():
        return None
    if not path.is_file():
        raise SetupError(f"{path} exists but is not a file; nothing was written")
    try:
        return path.read_text(encoding="utf-8-sig")  # Windows editors may start the file with a BOM
    except (OSError, UnicodeDecodeError) as exc:
        raise SetupError(f"cannot read {path} ({exc.__class__.__name__}: {exc}); nothing was written") from None


def _parse_json(text: str, path: Path, client: str) -> Any:
    if not text.strip():
        return {}
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        hint = "(comments or trailing commas are not plain JSON) " if re.search(r"//|/\*|,\s*[}\]]", text) else ""
        raise SetupError(
            f"{path} is not valid JSON {hint}at line {exc.lineno}, column {exc.colno}: {exc.msg}. Nothing was "
            f"written; fix the file, or add the entry by hand: `botflix-mcp setup {client} --print`"
        ) from None


def _yaml() -> Any:
    import yaml

    return yaml


def _parse_yaml(text: str, path: Path) -> Any:
    yaml = _yaml()
    try:
        return yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        raise SetupError(
            f"{path} is not valid YAML ({' '.join(str(exc).split())}). Nothing was written; fix the file, or add "
            "the entry by hand: `botflix-mcp setup hermes --print`"
        ) from None


def _yaml_scalar(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid double-quoted YAML scalar


def yaml_block(name: str, entry: dict[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    lines = [f"{pad}{name}:"]
    lines.append(f"{pad}  command: {_yaml_scalar(entry['command'])}")
    lines.append(f"{pad}  args: [{', '.join(_yaml_scalar(a) for a in entry['args'])}]")
    if entry["env"]:
        lines.append(f"{pad}  env:")
        lines.extend(f"{pad}    {k}: {_yaml_scalar(v)}" for k, v in entry["env"].items())
    else:
        lines.append(f"{pad}  env: {{}}")
    return lines


_TOP_KEY = re.compile(r"^(?P<key>[^\s#'\"][^:#]*?|\"[^\"]*\"|'[^']*')\s*:(?:\s+(?P<rest>.*))?$")


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def edit_yaml(text: str, name: str, entry: dict[str, Any] | None) -> str:
    """Set (or remove) `mcp_servers.<name>` in Hermes's config.yaml as a text edit, so comments and the rest of
    the file stay as the user wrote them. The caller checks the result parses to the intended document."""
    lines = text.splitlines()
    top = None
    for i, line in enumerate(lines):
        match = _TOP_KEY.match(line) if _content(line) and _indent(line) == 0 else None
        if match and match.group("key").strip("'\"") == "mcp_servers":
            top = i
            break
    if top is None:
        if entry is None:
            return text
        body = [*lines]
        while body and not body[-1].strip():
            body.pop()
        if body:
            body.append("")
        return "\n".join([*body, "mcp_servers:", *yaml_block(name, entry, 2)]) + "\n"
    rest = (_TOP_KEY.match(lines[top]).group("rest") or "").split("#")[0].strip()  # type: ignore[union-attr]
    end = top + 1
    while end < len(lines) and not (_content(lines[end]) and _indent(lines[end]) == 0):
        end += 1
    if rest:  # flow style (`mcp_servers: {}`): rewrite as a block when it holds nothing else
        if rest not in ("{}", "null", "~"):
            raise SetupError(
                "`mcp_servers` is written in flow style; edit it by hand (`botflix-mcp setup hermes --print`)"
            )
        if entry is None:
            return text
        new = ["mcp_servers:", *yaml_block(name, entry, 2)]
        return "\n".join([*lines[:top], *new, *lines[top + 1 :]]) + "\n"
    children = [i for i in range(top + 1, end) if _content(lines[i])]
    child_indent = _indent(lines[children[0]]) if children else 2
    start = stop = None
    for i in children:
        if _indent(lines[i]) != child_indent:
            continue
        match = _TOP_KEY.match(lines[i].strip())
        if start is not None:
            stop = i
            break
        if match and match.group("key").strip("'\"") == name:
            start = i
    if start is not None:
        if stop is None:
            stop = max(i for i in children) + 1
        while stop > start + 1 and not _content(lines[stop - 1]):
            stop -= 1
        block = [] if entry is None else yaml_block(name, entry, child_indent)
        return "\n".join([*lines[:start], *block, *lines[stop:]]) + "\n"
    if entry is None:
        return text
    after = (children[-1] + 1) if children else top + 1
    return "\n".join([*lines[:after], *yaml_block(name, entry, child_indent), *lines[after:]]) + "\n"


# --------------------------------------------------------------------------- writing


@dataclass
class Outcome:
    path: Path
    changed: bool
    backup: Path | None
    message: str


def _backup_path(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.name}.{stamp}.bak")
    n = 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.{stamp}-{n}.bak")
    return candidate


def _write_atomic(path: Path, text: str, private: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else (0o600 if private else 0o644)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render_document(client: str, path: Path, text: str | None, name: str, entry: dict[str, Any] | None) -> str | None:
    """The new file text (None: nothing to change). Raises SetupError for a file that cannot be merged safely."""
    if client == "hermes":
        document = _parse_yaml(text or "", path)
        wanted = merge(document, client, name, entry, path)
        if wanted == (document or {}):
            return None
        new_text = edit_yaml(text or "", name, entry)
        if _parse_yaml(new_text, path) != wanted:  # the text edit must mean exactly the intended merge
            raise SetupError(
                f"{path}: could not add the entry without rewriting your formatting; nothing was written. Add it by "
                "hand: `botflix-mcp setup hermes --print`"
            )
        return new_text
    document = _parse_json(text or "", path, client)
    wanted = merge(document, client, name, entry, path)
    if text is not None and wanted == document:
        return None
    if text is None and entry is None:
        return None
    return json.dumps(wanted, indent=2, ensure_ascii=False) + "\n"


def apply(client: str, path: Path, name: str, entry: dict[str, Any] | None) -> Outcome:
    text = _read_text(path)
    new_text = render_document(client, path, text, name, entry)
    if new_text is None:
        what = "already up to date" if entry is not None else f"has no `{name}` server"
        return Outcome(path, False, None, f"{path}: {what}; nothing written.")
    backup = None
    if text is not None:
        backup = _backup_path(path)
        shutil.copy2(path, backup)
    try:
        _write_atomic(path, new_text, private=bool(entry and entry.get("env")))
    except OSError as exc:
        raise SetupError(f"cannot write {path} ({exc}); the file is unchanged") from None
    verb = "removed" if entry is None else "wrote"
    return Outcome(path, True, backup, f"{verb} the `{name}` server in {path}")


# --------------------------------------------------------------------------- printing


def snippet(client: str, name: str, entry: dict[str, Any]) -> str:
    """What to paste by hand (for Claude Code and OpenClaw: the client's own command that adds it)."""
    if client == "hermes":
        return "\n".join(["mcp_servers:", *yaml_block(name, entry, 2)]) + "\n"
    if client == "claude-code":
        return f"claude mcp add-json --scope user {name} {shlex.quote(json.dumps(entry))}\n"
    if client == "openclaw":  # OpenClaw's own command edits openclaw.json, JSON5 comments included
        return f"openclaw mcp set {name} {shlex.quote(json.dumps(entry))}\n"
    document = merge({}, client, name, entry, Path("-"))
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _masked(env: Mapping[str, str]) -> str:
    if not env:
        return "none (the server asks for AIOZ keys at first use)"
    shown = []
    for key, value in env.items():
        spec = SPECS_BY_ENV.get(key)
        shown.append(f"{key}=<set>" if spec is None or spec.secret else f"{key}={value}")
    return ", ".join(shown)


# --------------------------------------------------------------------------- command line


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="botflix-mcp setup",
        description="Write an MCP client's configuration so it starts this botflix-mcp (absolute path). Merges into "
        "the existing file (a backup next to it); running it again changes nothing.",
    )
    parser.add_argument("client", choices=CLIENTS, help="the MCP client to configure")
    parser.add_argument("--print", dest="print_only", action="store_true", help="show the entry; write nothing")
    parser.add_argument("--remove", action="store_true", help="remove the entry again (undo; a backup is kept)")
    parser.add_argument("--name", default=DEFAULT_NAME, help=f"server name in the client (default {DEFAULT_NAME})")
    parser.add_argument("--config", type=Path, help="the configuration file to edit (default: the client's own)")
    parser.add_argument("--os", dest="system", choices=SYSTEMS, help="whose file layout to use (default: this OS)")
    parser.add_argument("--sandbox", action="store_true", help="start the server with --sandbox (offline emulator)")
    for flag, env in KEY_FLAGS.items():
        parser.add_argument(flag, dest=env, metavar="VALUE", help=f"put {env} in the server's env")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any other setting for the server's env (see `botflix-mcp --help`); repeatable",
    )
    return parser


def server_env(args: argparse.Namespace) -> dict[str, str]:
    env: dict[str, str] = {}
    for pair in args.env:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise SetupError(f"--env wants NAME=VALUE, got {pair.split('=')[0]!r}")
        env[key] = value
    for key in KEY_FLAGS.values():
        if getattr(args, key) is not None:
            env[key] = getattr(args, key)
    for key in env:
        if key not in SPECS_BY_ENV:
            raise SetupError(f"{key} is not a botflix-mcp setting (see `botflix-mcp --help`)")
    try:  # the server would refuse to start with these: say so now, not in the client's log
        load_settings(env, dotenv=False)
    except SettingsError as exc:
        raise SetupError(str(exc)) from None
    return env


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    name = args.name.strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        print("botflix-mcp setup: --name takes letters, digits, '-' and '_'", file=sys.stderr)
        return 2
    try:
        env = server_env(args)
        command, *prefix = server_command()
        server = ServerEntry(command, (*prefix, *(["--sandbox"] if args.sandbox else [])), env)
        entry = client_entry(args.client, server)
        if args.print_only:
            sys.stdout.write(snippet(args.client, name, entry))
            return 0
        path = args.config or config_path(args.client, args.system)
        outcome = apply(args.client, path, name, None if args.remove else entry)
    except SetupError as exc:
        print(f"botflix-mcp setup: {exc}", file=sys.stderr)
        return 1
    title = _TITLES[args.client]
    print(outcome.message)
    if outcome.changed and not args.remove:
        print(f"  command: {shlex.join([entry['command'], *entry['args']])}")
        print(f"  env: {_masked(env)}")
    if outcome.backup is not None:
        print(f"  backup of the previous file: {outcome.backup}")
    if outcome.changed:
        print(f"Restart {title} to pick it up.")
        undo = f"botflix-mcp setup {args.client} --remove" + (f" --name {name}" if name != DEFAULT_NAME else "")
        if args.config:
            undo += f" --config {shlex.quote(str(args.config))}"
        if not args.remove:
            restore = f", or restore {outcome.backup}" if outcome.backup else f", or delete {outcome.path}"
            print(f"To undo: {undo}{restore}.")
    return 0
