"""Generated documentation fragments (the README's settings table), kept in sync by a test."""

from __future__ import annotations

from botflix_mcp.settings import SPECS


def settings_table() -> str:
    """Markdown table of every setting: env var, CLI flag, default, meaning."""
    rows = ["| Environment variable | CLI flag | Default | Meaning |", "|---|---|---|---|"]
    for spec in SPECS:
        if spec.secret or spec.default in (None, (), {}):
            default = "—"
        elif isinstance(spec.default, tuple):
            default = "all" if spec.attr == "toolsets" else ",".join(map(str, spec.default))
        elif spec.attr == "chunk_size":
            default = f"{spec.default // (1024 * 1024)}MiB"
        else:
            default = str(spec.default)
        secret = " (secret)" if spec.secret else ""
        rows.append(f"| `{spec.env}`{secret} | `{spec.cli_flag}` | `{default}` | {spec.help} |")
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover
    print(settings_table())
