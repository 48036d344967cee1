"""Captions toolset: chapters and transcripts (subtitles) per BCP-47 language, from local .vtt files.

Requests and answers live in `aioz/api/captions.py` (docs/aioz-api.md §captions): transcripts follow the skill
(`/media/{id}/transcripts/{lan}`), and a host without that route gets the official spec's `/captions` endpoints
instead, said in the result. A second transcript for a language that already has one is detected first and nothing
is deleted unless the caller asks (`replace_existing`), as the skill requires.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from botflix_mcp import files
from botflix_mcp.aioz import rules
from botflix_mcp.aioz.api import captions as captions_api
from botflix_mcp.aioz.api.base import total_of
from botflix_mcp.aioz.session import aioz_session
from botflix_mcp.app import App
from botflix_mcp.errors import UserInputError
from botflix_mcp.params import ResourceId
from botflix_mcp.paths import resolve_local_path
from botflix_mcp.results import ToolOutput, page_of, to_result
from botflix_mcp.templates import DEFAULT_TRANSCRIPT_REMINDER
from botflix_mcp.toolkit import Toolkit

TOOLSET = "captions"
Id = Annotated[ResourceId, Field(description="Media id")]
Kind = Literal["chapters", "transcripts"]
VTT_MAX = 50 * 1024 * 1024
VTT_TOO_BIG = "The .vtt file is over 50 MB, AIOZ's limit."
MAX_PATH = 4096
FALLBACK_NOTE = (
    "This AIOZ host has no /transcripts route; the official spec's /captions endpoints were used instead "
    "(same files and languages)."
)


def _notes(*used: str) -> list[str]:
    return [FALLBACK_NOTE] if "captions" in used else []


def _primary(tag: str) -> str:
    return tag.split("-")[0].lower()


def _read_vtt(data: bytes) -> bytes:
    if not data.lstrip(b"\xef\xbb\xbf").startswith(b"WEBVTT"):
        raise UserInputError("The file is not WebVTT (it must start with 'WEBVTT').", "Convert it to .vtt first.")
    if len(data) > VTT_MAX:
        raise UserInputError(VTT_TOO_BIG)
    return data


def _data(track: captions_api.Track) -> dict[str, Any]:
    return track.model_dump(mode="json", exclude_unset=True)


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
        items, sent_total, used = await captions_api.list_tracks(api, kind, media_id, offset=offset, limit=limit)
        total = total_of(sent_total, len(items), offset)
        lines = [f"- `{i.language}`{' (default)' if i.is_default else ''}: {i.url}" for i in items] or [f"(no {kind})"]
        return to_result(
            ToolOutput(
                summary=f"**{kind.title()} of `{media_id}`** ({total})\n" + "\n".join(lines),
                data=[_data(i) for i in items],
                warnings=_notes(used),
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
        path: Annotated[str | None, Field(max_length=MAX_PATH, description="add: local .vtt file")] = None,
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
            message, defaulted_on = await captions_api.set_default(api, kind, media_id, lan)
            return to_result(
                ToolOutput(
                    summary=f"`{lan}` is now the default transcript of `{media_id}`: {message}",
                    warnings=_notes(defaulted_on),
                )
            )
        if not path:
            raise UserInputError("path is required to add a track.", "Give a local .vtt file.")
        file = await resolve_local_path(path, ctx=ctx, settings=app.settings)
        data = _read_vtt(await files.read_bounded(file, VTT_MAX, too_big=lambda n: UserInputError(VTT_TOO_BIG)))
        api = await aioz_session(ctx, app)
        items, _, listed_on = await captions_api.list_tracks(api, kind, media_id)
        if kind == "transcripts":  # one transcript per PRIMARY language (en and en-US clash)
            same = [i for i in items if _primary(i.language) == _primary(lan)]
        else:
            same = [i for i in items if i.language == lan]
        if same and not replace_existing:
            existing = same[0]
            return to_result(
                ToolOutput(
                    summary=(
                        f"⚠️ `{media_id}` already has a {kind[:-1]} in `{existing.language}`, and AIOZ keeps one "
                        f"per language, so nothing was uploaded or deleted. Ask the user whether to delete the "
                        f"existing one first; if they agree, call again with replace_existing=true."
                    ),
                    data={"existing": _data(existing), "uploaded": False},
                    warnings=_notes(listed_on),
                )
            )
        notes = []
        used: list[str] = [listed_on]
        for old in same:
            _, deleted_on = await captions_api.delete_track(api, kind, media_id, old.language)
            used.append(deleted_on)
            notes.append(f"Deleted the existing `{old.language}` {kind[:-1]} first, as requested.")
            if old.is_default:
                notes.append(DEFAULT_TRANSCRIPT_REMINDER)
        track, added_on = await captions_api.add_track(api, kind, media_id, lan, filename=file.name, data=data)
        return to_result(
            ToolOutput(
                summary="\n".join([*notes, f"Added `{lan}` {kind[:-1]} to `{media_id}`."]),
                data=_data(track),
                warnings=_notes(*used, added_on),
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
        items, _, listed_on = await captions_api.list_tracks(api, kind, media_id)
        was_default = any(i.language == lan and i.is_default for i in items)
        message, deleted_on = await captions_api.delete_track(api, kind, media_id, lan)
        warnings = _notes(listed_on, deleted_on)
        if was_default:
            warnings.append(DEFAULT_TRANSCRIPT_REMINDER)
        return to_result(
            ToolOutput(summary=f"Deleted `{lan}` {kind[:-1]} of `{media_id}`: {message}", warnings=warnings)
        )
