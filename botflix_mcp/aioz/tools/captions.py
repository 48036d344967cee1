"""Captions toolset: chapters and transcripts (subtitles) per BCP-47 language, from local .vtt files.

Transcripts follow the skill (`/media/{id}/transcripts/{lan}`); that route is documented but not in the official
spec, so when the host answers 404 "Route not found" the tools fall back to the spec's `/captions` endpoints and
say so in the result. A second transcript for a language that already has one is detected first and nothing is
deleted unless the caller asks (`replace_existing`), as the skill requires.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from botflix_mcp import files
from botflix_mcp.aioz import rules
from botflix_mcp.aioz.session import AiozSession, aioz_session
from botflix_mcp.app import App
from botflix_mcp.errors import NotFoundError, UserInputError
from botflix_mcp.paths import resolve_local_path
from botflix_mcp.results import ToolOutput, page_of, to_result
from botflix_mcp.templates import DEFAULT_TRANSCRIPT_REMINDER
from botflix_mcp.toolkit import Toolkit

TOOLSET = "captions"
Id = Annotated[str, Field(pattern=r"^[\w-]{1,100}$", description="Media id")]
Kind = Literal["chapters", "transcripts"]
VTT_MAX = 50 * 1024 * 1024
VTT_TOO_BIG = "The .vtt file is over 50 MB, AIOZ's limit."
FALLBACK_NOTE = (
    "This AIOZ host has no /transcripts route; the official spec's /captions endpoints were used instead "
    "(same files and languages)."
)


def _route_missing(exc: NotFoundError) -> bool:
    return "route not found" in exc.message.lower()


async def _call(api: AiozSession, method: str, kind: Kind, media_id: str, lan: str | None = None, **kw: Any):
    """One request on `/chapters` or `/transcripts`, falling back to `/captions`. Returns (response, fell_back)."""
    suffix = f"/{lan}" if lan else ""
    try:
        return await api.request(method, f"/media/{media_id}/{kind}{suffix}", **kw), False
    except NotFoundError as exc:
        if kind != "transcripts" or not _route_missing(exc):
            raise
    return await api.request(method, f"/media/{media_id}/captions{suffix}", **kw), True


def _items(data: Any) -> tuple[list[dict[str, Any]], int]:
    if not isinstance(data, dict):
        return [], 0
    for key in ("media_transcripts", "media_captions", "media_chapters"):
        if key in data:
            items = data.get(key) or []
            return items, int(data.get("total", len(items)))
    return [], 0


async def list_tracks(api: AiozSession, kind: Kind, media_id: str, offset: int = 0, limit: int = 100):
    response, fell_back = await _call(api, "GET", kind, media_id, params={"offset": offset, "limit": limit})
    items, total = _items(response.data)
    return items, total, fell_back


def _primary(tag: str) -> str:
    return tag.split("-")[0].lower()


def _read_vtt(data: bytes) -> bytes:
    if not data.lstrip(b"\xef\xbb\xbf").startswith(b"WEBVTT"):
        raise UserInputError("The file is not WebVTT (it must start with 'WEBVTT').", "Convert it to .vtt first.")
    if len(data) > VTT_MAX:
        raise UserInputError(VTT_TOO_BIG)
    return data


def register(kit: Toolkit, app: App) -> None:
    @kit.tool(name="aioz_captions", title="List chapters or subtitles", toolset=TOOLSET, read_only=True)
    async def aioz_captions(
        ctx: Context,
        media_id: Id,
        kind: Kind = "transcripts",
        offset: Annotated[int, Field(ge=0)] = 0,
        limit: Annotated[int, Field(ge=1, le=100)] = 25,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """List a media's chapters or transcripts (subtitles) with their languages and default flag."""
        api = await aioz_session(ctx, app)
        items, total, fell_back = await list_tracks(api, kind, media_id, offset, limit)
        lines = [
            f"- `{i.get('language')}`{' (default)' if i.get('is_default') else ''}: {i.get('url')}" for i in items
        ] or [f"(no {kind})"]
        return to_result(
            ToolOutput(
                summary=f"**{kind.title()} of `{media_id}`** ({total})\n" + "\n".join(lines),
                data=items,
                warnings=[FALLBACK_NOTE] if fell_back else [],
                page=page_of(total, offset, limit, len(items)),
            )
        )

    @kit.tool(
        name="aioz_captions_write",
        title="Add chapters or subtitles",
        toolset=TOOLSET,
        read_only=False,
        destructive=True,
        idempotent=False,
    )
    async def aioz_captions_write(
        ctx: Context,
        media_id: Id,
        language: Annotated[str, Field(max_length=35, description="BCP-47: en, vi, en-US, fr-CA")],
        action: Literal["add", "set_default"] = "add",
        kind: Kind = "transcripts",
        path: Annotated[str | None, Field(description="add: local .vtt file")] = None,
        replace_existing: Annotated[
            bool, Field(description="add: delete the existing transcript of this language first (ask the user)")
        ] = False,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """add a .vtt chapter/transcript for a language (one per language: an existing one is reported, not
        replaced, unless replace_existing after the user agreed), or set_default a transcript."""
        lan = rules.validate_language_tag(language)
        if action == "set_default":
            if kind != "transcripts":
                raise UserInputError("Only transcripts have a default.", "Use kind='transcripts'.")
            api = await aioz_session(ctx, app)
            response, fell_back = await _call(api, "PATCH", kind, media_id, lan, json={"is_default": True})
            return to_result(
                ToolOutput(
                    summary=f"`{lan}` is now the default transcript of `{media_id}`: {response.message}",
                    warnings=[FALLBACK_NOTE] if fell_back else [],
                )
            )
        if not path:
            raise UserInputError("path is required to add a track.", "Give a local .vtt file.")
        file = await resolve_local_path(path, ctx=ctx, settings=app.settings)
        data = _read_vtt(await files.read_bounded(file, VTT_MAX, too_big=lambda n: UserInputError(VTT_TOO_BIG)))
        api = await aioz_session(ctx, app)
        items, _, fell_back = await list_tracks(api, kind, media_id)
        if kind == "transcripts":  # one transcript per PRIMARY language (en and en-US clash)
            same = [i for i in items if _primary(str(i.get("language"))) == _primary(lan)]
        else:
            same = [i for i in items if i.get("language") == lan]
        warnings = [FALLBACK_NOTE] if fell_back else []
        if same and not replace_existing:
            existing = same[0]
            return to_result(
                ToolOutput(
                    summary=(
                        f"⚠️ `{media_id}` already has a {kind[:-1]} in `{existing.get('language')}`, and AIOZ keeps one "
                        f"per language, so nothing was uploaded or deleted. Ask the user whether to delete the "
                        f"existing one first; if they agree, call again with replace_existing=true."
                    ),
                    data={"existing": existing, "uploaded": False},
                    warnings=warnings,
                )
            )
        notes = []
        for old in same:
            await _call(api, "DELETE", kind, media_id, str(old.get("language")))
            notes.append(f"Deleted the existing `{old.get('language')}` {kind[:-1]} first, as requested.")
            if old.get("is_default"):
                notes.append(DEFAULT_TRANSCRIPT_REMINDER)
        response, fell_back2 = await _call(
            api, "POST", kind, media_id, lan, files={"file": (file.name, data, "text/vtt")}
        )
        if fell_back2 and FALLBACK_NOTE not in warnings:
            warnings.append(FALLBACK_NOTE)
        track = response.data or {}
        return to_result(
            ToolOutput(
                summary="\n".join([*notes, f"Added `{lan}` {kind[:-1]} to `{media_id}`."]),
                data=track,
                warnings=warnings,
            )
        )

    @kit.tool(
        name="aioz_captions_delete",
        title="Delete chapters or subtitles",
        toolset=TOOLSET,
        read_only=False,
        destructive=True,
        idempotent=True,
    )
    async def aioz_captions_delete(
        ctx: Context,
        media_id: Id,
        language: Annotated[str, Field(max_length=35, description="BCP-47 tag")],
        kind: Kind = "transcripts",
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Delete a media's chapter or transcript in one language. Deleting the default transcript leaves the
        player without one: the result reminds you to set a new default."""
        lan = rules.validate_language_tag(language)
        api = await aioz_session(ctx, app)
        items, _, fell_back = await list_tracks(api, kind, media_id)
        was_default = any(i.get("language") == lan and i.get("is_default") for i in items)
        response, _ = await _call(api, "DELETE", kind, media_id, lan)
        warnings = [FALLBACK_NOTE] if fell_back else []
        if was_default:
            warnings.append(DEFAULT_TRANSCRIPT_REMINDER)
        return to_result(
            ToolOutput(summary=f"Deleted `{lan}` {kind[:-1]} of `{media_id}`: {response.message}", warnings=warnings)
        )
