"""The one output shape every tool shares, and its rendering into an MCP result.

One shared model keeps `tools/list` small (every tool's outputSchema is the same few lines) while still giving
clients typed structured content. The text content is the Markdown a user should see (the skill's templates
where it prescribes one); the structured content carries the data for the agent (data, warnings, page) and never
a copy of the text, so a client that forwards both does not pay for the answer twice (issue 10 §2).
"""

from __future__ import annotations

import json
import re
from typing import Any

from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, ConfigDict, Field

from botflix_mcp.logs import redact

#: No result text longer than this reaches the model (issue 3 §6); lists page, big data is summarised.
MAX_TEXT_CHARS = 20_000
#: Nor structured content longer than this (as JSON): a list beyond it is cut at an item and paged on.
MAX_STRUCTURED_CHARS = 2 * MAX_TEXT_CHARS


def _slim(schema: dict[str, Any]) -> None:
    """Drop pydantic's generated titles: the output schema is repeated on every tool in tools/list."""
    schema.pop("title", None)
    schema.pop("description", None)
    for value in schema.get("properties", {}).values():
        if isinstance(value, dict):
            value.pop("title", None)
            for option in value.get("anyOf", []):
                option.pop("title", None)


class Page(BaseModel):
    """Paging: pass next_offset as offset for the next page (null on the last)."""

    model_config = ConfigDict(json_schema_extra=_slim)

    total: int
    offset: int
    limit: int
    next_offset: int | None = None


class ToolOutput(BaseModel):
    """summary: Markdown to show the user as is; data: the platform's objects; warnings: rules applied.

    `summary` becomes the text block only: it is excluded from the structured content (and optional there, so the
    SDK's check of the structured content against this model passes without it).
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra=_slim)

    summary: str = Field(default="", exclude=True)
    data: Any = None
    warnings: list[str] = Field(default_factory=list)
    page: Page | None = None


def page_of(total: int, offset: int, limit: int, returned: int) -> Page:
    nxt = offset + returned
    return Page(total=total, offset=offset, limit=limit, next_offset=nxt if nxt < total and returned else None)


def _clip(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 200] + "\n\n…(truncated: page with offset/limit or narrow the query to see the rest)"


_WARNING_MARK = re.compile(r"^(?:\s|>|⚠️|\ufe0f)+")
_REPEATED_MARK = re.compile(r"⚠️(?:[ \t]*⚠️)+")


def warning_line(warning: str) -> str:
    """One quoted warning line with exactly one ⚠️, however the warning was written ("⚠️ x", "> ⚠️ x", "x")."""
    return f"> ⚠️ {_WARNING_MARK.sub('', warning)}"


def to_result(output: ToolOutput, *, extra_text: str | None = None) -> CallToolResult:
    """Text = summary (+ warnings, paging hint); structured = data, warnings, page. Both redacted and size-capped.

    Over the caps, what is cut is the end of the summary (the warnings and the paging hint after it are kept
    whole) and the end of a list of data, with the page's `next_offset` moved back to the first item left out,
    so the model can always page on from what it got; other data too large is replaced by a note."""
    output = _fit_structured(output)
    tail = ""
    if output.warnings:
        tail += "\n\n" + "\n".join(warning_line(w) for w in output.warnings)
    if output.page is not None and output.page.next_offset is not None:
        tail += (
            f"\n\nShowing {output.page.offset + 1}–{output.page.next_offset} of {output.page.total}; "
            f"next page: offset={output.page.next_offset}."
        )
    if extra_text:
        tail += "\n\n" + extra_text
    summary, tail = redact(output.summary), redact(tail)
    if len(tail) <= MAX_TEXT_CHARS // 2:
        text = _clip(summary, MAX_TEXT_CHARS - len(tail)) + tail
    else:  # pragma: no cover - no tool writes warnings this long
        text = _clip(summary + tail)
    text = _REPEATED_MARK.sub("⚠️", text)  # a template's own ⚠️ under a quoted "> ⚠️" prefix is said once
    structured = json.loads(redact(output.model_dump_json()))
    if len(json.dumps(structured)) > MAX_STRUCTURED_CHARS:
        structured["data"] = {"truncated": True, "note": "Too large to return; page or narrow the query."}
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)


def _structured_size(output: ToolOutput) -> int:
    """The structured content's length as `to_result` measures it (json.dumps of the dumped model)."""
    return len(json.dumps(output.model_dump(mode="json")))


def _fit_structured(output: ToolOutput) -> ToolOutput:
    """A list of data over the structured cap keeps as many leading items as fit (and says so)."""
    data = output.data
    if not isinstance(data, list) or _structured_size(output) <= MAX_STRUCTURED_CHARS:
        return output
    low, high = 0, len(data)  # the largest count that fits: low fits, high + 1 does not
    while low < high:
        mid = (low + high + 1) // 2
        if _structured_size(output.model_copy(update={"data": data[:mid]})) <= MAX_STRUCTURED_CHARS - 600:
            low = mid
        else:
            high = mid - 1
    if low == 0:
        return output  # not even one item fits: to_result replaces the data with a note
    page = output.page
    start = page.offset if page is not None else 0
    note = f"Only the first {low} of the {len(data)} items fit in one result; " + (
        f"page on with offset={start + low}." if page is not None else "narrow the query for the rest."
    )
    update: dict[str, Any] = {"data": data[:low], "warnings": [*output.warnings, note]}
    if page is not None:
        update["page"] = page.model_copy(update={"next_offset": start + low})
    return output.model_copy(update=update)


def json_block(data: Any, limit: int = 4000) -> str:
    """A compact fenced JSON rendering for summaries."""
    text = json.dumps(data, indent=1, ensure_ascii=False, default=str)
    if len(text) > limit:
        text = text[:limit] + "\n…"
    return f"```json\n{text}\n```"
