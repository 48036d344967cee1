"""Where the shipped data lives: `botflix_mcp/_data/` in an installed wheel, the checkout's folders otherwise."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """`prompts`, `schemas` or `SKILL.md`, from the wheel's `_data/` or the source checkout."""
    # in the checkout SKILL.md lives in a directory named after the skill (the Agent Skills layout)
    source = _PACKAGE.parent / ("skills/botflix-mcp/SKILL.md" if name == "SKILL.md" else name)
    for candidate in (_PACKAGE / "_data" / name, source):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(
        f"botflix-mcp data {name!r} is missing from this installation (looked in _data/ and the checkout)"
    )
