"""Front matter of the shipped Markdown documents (`prompts/*.md`, `SKILL.md`), parsed without PyYAML.

The documents use a deliberately small, single-line subset of YAML that is also what OpenClaw's embedded skill
parser accepts ("single-line keys only; `metadata` as a single-line JSON object"):

- the block sits between a first line `---` and the next line `---`;
- one `key: value` per line; blank lines and `# comments` are ignored;
- a value is JSON when it starts with `{`, `[` or `"` (objects, arrays, double-quoted strings), YAML single-quoted
  when it starts with `'`, `true`/`false`/`null`/a JSON number when it is exactly one, else a plain string;
- plain strings may not contain `": "` or `" #"` nor start with a YAML indicator, so every accepted block is also
  valid YAML with the same meaning; indented continuation lines and block scalars (`|`, `>`) are refused.

A violation raises `FrontMatterError` naming the line, so a broken document fails its test instead of loading
with silently wrong metadata.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Document", "FrontMatterError", "parse_document", "parse_front_matter", "read_document"]

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_NUMBER = re.compile(r"^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$")
# Characters that cannot start a YAML plain scalar (or change its meaning).
_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")


class FrontMatterError(ValueError):
    """The front matter is missing or outside the supported single-line subset."""


@dataclass(frozen=True)
class Document:
    meta: dict[str, Any]
    body: str
    front_matter_lines: list[str] = field(default_factory=list)


def _parse_value(raw: str, lineno: int) -> Any:
    value = raw.strip()
    if value == "":
        raise FrontMatterError(f"line {lineno}: empty value (nested YAML blocks are not supported)")
    first = value[0]
    if first in '{["':
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise FrontMatterError(f"line {lineno}: value is not valid single-line JSON ({exc.msg})") from None
    if first == "'":
        if len(value) < 2 or not value.endswith("'"):
            raise FrontMatterError(f"line {lineno}: unterminated single-quoted string")
        inner = value[1:-1]
        if "'" in inner.replace("''", ""):
            raise FrontMatterError(f"line {lineno}: a quote inside a single-quoted string must be doubled ('')")
        return inner.replace("''", "'")
    if value in {"true", "false"}:
        return value == "true"
    if value in {"null", "~"}:
        return None
    if _NUMBER.match(value):
        return json.loads(value)
    if first in _INDICATORS:
        raise FrontMatterError(
            f"line {lineno}: a plain value may not start with {first!r} (block scalars and "
            "YAML indicators are not supported); quote it"
        )
    if ": " in value or " #" in value or value.endswith(":"):
        raise FrontMatterError(f"line {lineno}: a plain value may not contain ': ' or ' #'; quote it")
    return value


def parse_front_matter(block: str, first_lineno: int = 2) -> dict[str, Any]:
    """Parse the lines between the two `---` markers into a dict (see the module docstring for the subset)."""
    meta: dict[str, Any] = {}
    for offset, line in enumerate(block.splitlines()):
        lineno = first_lineno + offset
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0] in " \t":
            raise FrontMatterError(f"line {lineno}: indented line; every key must be on one unindented line")
        key, sep, rest = line.partition(":")
        if not sep:
            raise FrontMatterError(f"line {lineno}: expected 'key: value'")
        key = key.strip()
        if not _KEY.match(key):
            raise FrontMatterError(f"line {lineno}: bad key {key!r}")
        if rest and not rest.startswith((" ", "\t")):
            raise FrontMatterError(f"line {lineno}: a space must follow '{key}:'")
        if key in meta:
            raise FrontMatterError(f"line {lineno}: duplicate key {key!r}")
        meta[key] = _parse_value(rest, lineno)
    return meta


def parse_document(text: str) -> Document:
    """Split a Markdown document into its front matter (parsed) and body."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError("line 1: a document must start with a '---' front-matter line")
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            fm_lines = lines[1:index]
            meta = parse_front_matter("\n".join(fm_lines))
            body = "\n".join(lines[index + 1 :]).lstrip("\n")
            return Document(meta=meta, body=body, front_matter_lines=fm_lines)
    raise FrontMatterError("front matter is not closed by a second '---' line")


def read_document(path: str | Path) -> Document:
    return parse_document(Path(path).read_text(encoding="utf-8"))
