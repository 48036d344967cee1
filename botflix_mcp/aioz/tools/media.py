"""Media toolset: list/search, get, transcode cost, create (cost-checked), update, thumbnail, delete.

Audio uses the same tools with `media_type="audio"` and the audio presets. Handlers: arguments -> rules -> the
API layer (`aioz/api/media.py`, which knows the wire: the list `status` filter is an array, audio is listed only
with `type: audio`, newest first is asked for explicitly, the update field is `player_id`) -> render the models.
Custom-quality media are created here (cost checked first) and filled with `aioz_upload_media media_id=...`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from botflix_mcp import files
from botflix_mcp.aioz import rules
from botflix_mcp.aioz.api import media as media_api
from botflix_mcp.aioz.api.base import total_of
from botflix_mcp.aioz.api.media import Media
from botflix_mcp.aioz.media_ops import create_media, quality_body
from botflix_mcp.aioz.session import aioz_session
from botflix_mcp.app import App
from botflix_mcp.errors import UserInputError
from botflix_mcp.params import ResourceId
from botflix_mcp.paths import resolve_local_path
from botflix_mcp.results import ToolOutput, page_of, to_result
from botflix_mcp.toolkit import Toolkit

TOOLSET = "media"
Id = Annotated[ResourceId, Field(description="Media id")]
MediaType = Literal["video", "audio"]
Status = Literal["new", "transcoding", "done", "fail", "deleted"]
Tag = Annotated[str, Field(max_length=255)]
MetaKey = Annotated[str, Field(max_length=255)]
MetaValue = Annotated[str, Field(max_length=1000)]
Metadata = dict[MetaKey, MetaValue]
Resolution = Annotated[str, Field(max_length=16)]
#: Longest local path accepted as an argument (PATH_MAX on Linux); each component is checked by paths.py.
PATH_MAX = 4096
THUMB_MAX = 8 * 1024 * 1024
THUMB_NOT_IMAGE = "The thumbnail must be a PNG or JPEG image (checked from its content)."


def _seconds(value: float | None) -> str:
    return f"{value:g} s" if value is not None else "duration unknown"


def media_line(m: Media) -> str:
    return f"- `{m.id}` **{m.title}** ({m.type}, {m.status}, {_seconds(m.duration)})"


def media_detail(m: Media) -> str:
    qualities = ", ".join(f"{q.name}:{q.status}" for q in m.qualities if q.name) or "—"
    lines = [
        f"**{m.title}** `{m.id}`",
        f"- Type: {m.type}; status: `{m.status}`; public: {m.is_public}",
        f"- Qualities: {qualities}",
        f"- Tags: {', '.join(m.tags) or '—'}; player theme: {m.player_theme_id or '—'}",
    ]
    if m.status == "fail":
        lines.append(f"- Encoding failed: retry with aioz_retry_failed_upload media_id `{m.id}`.")
    elif m.assets.hls_url:
        lines.append(f"- HLS: `{m.assets.hls_url}`; player: `{m.assets.hls_player_url}`")
    return "\n".join(lines)


def media_data(m: Media) -> dict[str, Any]:
    """The media object for structured results; a failed media's stream URLs are left out (they do not play)."""
    data = m.dump()
    if m.status == "fail":
        data.pop("assets", None)
    return data


def register(kit: Toolkit, app: App) -> None:
    @kit.tool(name="aioz_media", title="Find and inspect media", toolset=TOOLSET, read_only=True)
    async def aioz_media(
        ctx: Context,
        action: Literal["list", "get", "cost"] = "list",
        media_id: Id | None = None,
        media_type: MediaType = "video",
        search: Annotated[str | None, Field(max_length=200)] = None,
        status: Annotated[list[Status] | None, Field(max_length=5)] = None,
        tags: Annotated[list[Tag] | None, Field(max_length=20)] = None,
        offset: Annotated[int, Field(ge=0)] = 0,
        limit: Annotated[int, Field(ge=1, le=100)] = 25,
        qualities: Annotated[
            list[Resolution] | None, Field(max_length=8, description="cost: e.g. 360p,1080p or standard")
        ] = None,
        duration: Annotated[float | None, Field(gt=0, le=86400, description="cost: seconds")] = None,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """list (search/filter, newest first, paged; audio needs media_type=audio), get one, or the transcode cost
        of qualities for a duration. Use get for ids before changing anything."""
        if action == "get" and not media_id:
            raise UserInputError("media_id is required for action 'get'.", "List media first to find the id.")
        if action == "cost":
            if not qualities or not duration:
                raise UserInputError("cost needs qualities and duration.", "E.g. qualities=['720p'], duration=60.")
            objects, warnings = quality_body(media_type, qualities, allow_h265_mpegts=True)
            names = [str(q["resolution"]) for q in objects]
            api = await aioz_session(ctx, app)
            cost = await media_api.transcode_cost(api, media_type=media_type, qualities=names, duration=duration)
            from botflix_mcp.templates import INSUFFICIENT_BALANCE_MESSAGE

            verdict = "enough balance ✅" if cost.is_enough else INSUFFICIENT_BALANCE_MESSAGE
            price = f"{cost.price:g}" if cost.price is not None else "unknown"
            summary = f"Transcode cost for {', '.join(names)} × {duration:g} s: **{price}** — {verdict}"
            return to_result(ToolOutput(summary=summary, data=cost.dump(), warnings=warnings))
        api = await aioz_session(ctx, app)
        if action == "get":
            assert media_id is not None
            media = await media_api.get_media(api, media_id)
            return to_result(ToolOutput(summary=media_detail(media), data=media_data(media)))
        page = await media_api.list_media(
            api,
            offset=offset,
            limit=limit,
            media_type=media_type,
            search=search,
            status=list(status) if status else None,
            tags=rules.validate_tags(tags) if tags else None,
        )
        total = total_of(page.total, len(page.media), offset)
        lines = [media_line(m) for m in page.media] or ["(no media match)"]
        return to_result(
            ToolOutput(
                summary=f"**{media_type.title()} media** ({total})\n" + "\n".join(lines),
                data=[m.summary() for m in page.media],
                page=page_of(total, offset, limit, len(page.media)),
            )
        )

    @kit.tool(
        name="aioz_media_write",
        title="Create or update media",
        toolset=TOOLSET,
        read_only=False,
        destructive=True,
        idempotent=False,
    )
    async def aioz_media_write(
        ctx: Context,
        action: Literal["create", "update", "set_thumbnail"],
        media_id: Id | None = None,
        title: Annotated[str | None, Field(min_length=1, max_length=255)] = None,
        description: Annotated[str | None, Field(max_length=1000)] = None,
        media_type: MediaType = "video",
        is_public: bool | None = None,
        tags: Annotated[list[Tag] | None, Field(max_length=50)] = None,
        metadata: Annotated[Metadata | None, Field(max_length=50, description="key/value pairs")] = None,
        qualities: Annotated[
            list[Resolution] | None, Field(max_length=8, description="create: e.g. 720p,1080p")
        ] = None,
        container_type: Literal["mpegts", "fmp4"] | None = None,
        codec: Literal["h264", "h265"] | None = None,
        allow_h265_mpegts: Annotated[bool, Field(description="confirm h265+mpegts (no Safari/iOS)")] = False,
        duration: Annotated[float | None, Field(gt=0, le=86400, description="create+qualities: for the cost")] = None,
        player_id: Annotated[
            str | None, Field(max_length=100, description="update: player theme id, '' clears")
        ] = None,
        path: Annotated[
            str | None, Field(max_length=PATH_MAX, description="set_thumbnail: local .jpg/.png, <= 8 MB")
        ] = None,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """create a media object (custom qualities: cost checked first, blocked if the balance is short; then
        upload its file with aioz_upload_media media_id=<id>), update fields, or set the thumbnail."""
        if action == "create":
            if not title:
                raise UserInputError("title is required to create media.")
            objects, warnings = quality_body(
                media_type, qualities, container=container_type, codec=codec, allow_h265_mpegts=allow_h265_mpegts
            )
            body: dict[str, Any] = {"title": title, "type": media_type}
            if objects:
                body["qualities"] = objects
            for key, value in (("description", description), ("is_public", is_public)):
                if value is not None:
                    body[key] = value
            if tags:
                body["tags"] = rules.validate_tags(tags)
            if metadata:
                body["metadata"] = rules.validate_metadata(metadata)
            api = await aioz_session(ctx, app)
            media, cost = await create_media(api, body, duration=duration)
            summary = f"Created {media_type} **{title}** `{media.id}` (status `{media.status or 'new'}`)."
            if cost is not None:
                summary += f" Transcode cost checked first: {cost.price} (enough balance)."
            summary += f" Next: upload its file with aioz_upload_media, media_id `{media.id}` (no second media)."
            return to_result(ToolOutput(summary=summary, data=media.dump(), warnings=warnings))
        if not media_id:
            raise UserInputError(f"media_id is required for action {action!r}.", "List media first to find the id.")
        if action == "set_thumbnail":
            if not path:
                raise UserInputError("path is required for set_thumbnail.", "Give a local .jpg or .png file.")
            file = await resolve_local_path(path, ctx=ctx, settings=app.settings)
            image = await files.read_image(  # size from stat first, bounded read, off the event loop
                file,
                THUMB_MAX,
                too_big=lambda n: UserInputError(f"The thumbnail is {n / 1048576:.1f} MB; AIOZ accepts at most 8 MB."),
                not_image=lambda n: UserInputError(THUMB_NOT_IMAGE),
            )
            api = await aioz_session(ctx, app)
            message = await media_api.set_thumbnail(
                api, media_id, filename=image.name, data=image.data, mime=image.header.mime
            )
            return to_result(ToolOutput(summary=f"Thumbnail set for `{media_id}`: {message}"))
        changes: dict[str, Any] = {}
        for key, value in (("title", title), ("description", description), ("is_public", is_public)):
            if value is not None:
                changes[key] = value
        if tags is not None:
            changes["tags"] = rules.validate_tags(tags)
        if metadata is not None:
            changes["metadata"] = rules.validate_metadata(metadata)
        if player_id is not None:
            changes["player_id"] = player_id  # the skill says player_theme_id; the API field is player_id
        if not changes:
            raise UserInputError(
                "Nothing to update.", "Give at least one of title, description, is_public, tags, metadata or player_id."
            )
        api = await aioz_session(ctx, app)
        message = await media_api.update_media(api, media_id, changes)
        return to_result(ToolOutput(summary=f"Updated `{media_id}` ({', '.join(changes)}): {message}", data=changes))

    @kit.tool(
        name="aioz_media_delete",
        title="Delete media or its thumbnail",
        toolset=TOOLSET,
        read_only=False,
        destructive=True,
        idempotent=True,
    )
    async def aioz_media_delete(
        ctx: Context, media_id: Id, target: Literal["media", "thumbnail"] = "media"
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Delete a media object (and its streams) or only its thumbnail. Irreversible: confirm with the user."""
        api = await aioz_session(ctx, app)
        if target == "thumbnail":
            message = await media_api.delete_thumbnail(api, media_id)
            return to_result(
                ToolOutput(summary=f"Deleted the thumbnail of `{media_id}`.", data={"host_message": message})
            )
        message = await media_api.delete_media(api, media_id)
        return to_result(
            ToolOutput(
                summary=f"Deleted media `{media_id}` with its streams. This cannot be undone.",
                data={"host_message": message},
            )
        )
