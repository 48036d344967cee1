"""Command line: `botflix-mcp [serve]` (stdio or --transport http), `botflix-mcp sandbox`, `botflix-mcp demo`,
`botflix-mcp setup <client>` (writes an MCP client's configuration; see client_setup.py)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from botflix_mcp import __version__
from botflix_mcp.settings import SPECS, Settings, SettingsError, load_settings

_GROUP_TITLES = {
    "aioz": "AIOZ Stream",
    "botflix": "BotFlix",
    "http": "HTTP clients",
    "upload": "uploads and local files",
    "server": "server",
    "sandbox": "the built-in sandbox (botflix-mcp sandbox, and the server's --sandbox)",
    "transport": "HTTP transport",
    "general": "general",
}

#: Boolean settings whose flag takes no value, and the value the flag sets.
_SWITCHES = {"sandbox": "true", "read_only": "true", "sandbox_fail_encoding": "true", "sandbox_demo_keys": "false"}


def _add_setting_flags(parser: argparse.ArgumentParser) -> None:
    groups: dict[str, argparse._ArgumentGroup] = {}
    for spec in SPECS:
        group = groups.get(spec.group)
        if group is None:
            group = groups[spec.group] = parser.add_argument_group(f"settings: {_GROUP_TITLES[spec.group]}")
        default = "unset" if spec.secret or spec.default in (None, (), {}) else spec.default
        if isinstance(default, tuple):
            default = ",".join(default)
        if spec.attr in _SWITCHES:  # a flag without a value: it sets the opposite of the default
            group.add_argument(
                spec.cli_flag,
                dest=spec.env,
                action="store_const",
                const=_SWITCHES[spec.attr],
                help=f"{spec.help} [env {spec.env}]".replace("%", "%%"),
            )
            continue
        group.add_argument(
            spec.cli_flag,
            dest=spec.env,
            metavar=spec.metavar or spec.attr.split("_")[-1].upper(),
            help=f"{spec.help} [env {spec.env}; default {default}]".replace("%", "%%"),
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="botflix-mcp",
        description="MCP server for BotFlix directors and AIOZ Stream media hosting. "
        "Every setting can also come from the environment or a .env file.",
    )
    parser.add_argument("--version", action="version", version=f"botflix-mcp {__version__}")
    parser.add_argument(
        "command",
        nargs="?",
        default="serve",
        choices=["serve", "sandbox", "demo", "setup"],
        help="serve (default): run the MCP server; sandbox: run the offline emulator alone; "
        "demo: walk the main flow against the built-in sandbox; setup CLIENT: configure an MCP client "
        "(claude-desktop, claude-code, cursor, vscode, openclaw, hermes) to start this server "
        "(`botflix-mcp setup --help`)",
    )
    _add_setting_flags(parser)
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    overrides = {spec.env: getattr(args, spec.env, None) for spec in SPECS}
    return load_settings(overrides={k: v for k, v in overrides.items() if v is not None})


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["setup"]:
        from botflix_mcp.client_setup import main as setup_main

        return setup_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings_from_args(args)
    except SettingsError as exc:
        print(f"botflix-mcp: bad setting {exc}", file=sys.stderr)
        return 2
    if args.command == "sandbox":
        from botflix_mcp.runner import run_sandbox

        return run_sandbox(settings)
    if args.command == "demo":
        from botflix_mcp.demo import run_demo

        return run_demo(settings)
    from botflix_mcp.runner import serve

    return serve(settings)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
