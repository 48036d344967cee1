"""Media toolset: list/search, get, transcode cost, create (cost-checked), update, thumbnail, delete.

Audio uses the same tools with `media_type="audio"` and the audio presets. Facts that correct the skill
(research/aioz.md): the list `status` filter is an array, audio is hidden unless `type: audio` is sent, the
host's default order is ascending (we ask for newest first), and the media-update field is `player_id`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from botflix_mcp import files
from botflix_mcp.aioz import rules
from botflix_mcp.aioz.media_ops import check_cost, create_media
from botflix_mcp.aioz.session import aioz_session
from botflix_mcp.app import App
from botflix_mcp.errors import UserInputError
from botflix_mcp.paths import resolve_local_path
from botflix_mcp.results import ToolOutput, page_of, to_result
from botflix_mcp.toolkit import Toolkit

TOOLSET = "media"
Id = Annotated[str, Field(pattern=r"^[\w-]{1,100}$", description="Media id")]
MediaType = Literal["video", "audio"]
Status = Literal["new", "transcoding", "done", "fail", "deleted"]
THUMB_MAX = 8 * 1024 * 1024
THUMB_NOT_IMAGE = "The thumbnail must be a PNG or JPEG image (checked from its content)."


def media_line(m: dict[str, Any]) -> str:
    return f"- `{m.get('id')}` **{m.get('title')}** ({m.get('type')}, {m.get('status')}, {m.get('duration', 0):g} s)"


def media_detail(m: dict[str, Any]) -> str:
    qualities = ", ".join(f"{q.get('name')}:{q.get('status')}" for q in m.get("qualities") or []) or "—"
    assets = m.get("assets") or {}
    lines = [
        f"**{m.get('title')}** `{m.get('id')}`",
        f"- Type: {m.get('type')}; status: `{m.get('status')}`; public: {m.get('is_public')}",
        f"- Qualities: {qualities}",
        f"- Tags: {', '.join(m.get('tags') or []) or '—'}; player theme: {m.get('player_theme_id') or '—'}",
    ]
    if assets.get("hls_url"):
        lines.append(f"- HLS: `{assets['hls_url']}`; player: `{assets.get('hls_player_url', '')}`")
    return "\n".join(lines)


def build_quality_objects(media_type: str, resolutions: list[str] | None, container: str | None, codec: str | None):
    """Turn `["720p", "1080p"]` (or audio presets) into validated quality objects plus warnings."""
    if not resolutions:
        return [], []
    objects = []
    for res in resolutions:
        q: dict[str, Any] = {"resolution": res, "type": "hls"}
        if container:
            q["container_type"] = container
        if media_type == "video":
            q["video_config"] = {"codec": codec or "h264"}
        objects.append(q)
    return rules.validate_qualities(media_type, objects)  # type: ignore[arg-type]


def register(kit: Toolkit, app: App) -> None:
    @kit.tool(name="aioz_media", title="Find and inspect media", toolset=TOOLSET, read_only=True)
    async def aioz_media(
        ctx: Context,
        action: Literal["list", "get", "cost"] = "list",
        media_id: Id | None = None,
        media_type: MediaType = "video",
        search: Annotated[str | None, Field(max_length=200)] = None,
        status: Annotated[list[Status] | None, Field(max_length=5)] = None,
        tags: Annotated[list[str] | None, Field(max_length=20)] = None,
        offset: Annotated[int, Field(ge=0)] = 0,
        limit: Annotated[int, Field(ge=1, le=100)] = 25,
        qualities: Annotated[
            list[str] | None, Field(max_length=8, description="cost: e.g. 360p,1080p or standard")
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
            objects, warnings = build_quality_objects(media_type, qualities, None, None)
            names = [q["resolution"] for q in objects]
            api = await aioz_session(ctx, app)
            cost = await check_cost(api, media_type=media_type, qualities=names, duration=duration)
            from botflix_mcp.templates import INSUFFICIENT_BALANCE_MESSAGE

            verdict = "enough balance ✅" if cost.get("is_enough") else INSUFFICIENT_BALANCE_MESSAGE
            summary = f"Transcode cost for {', '.join(names)} × {duration:g} s: **{cost.get('price')}** — {verdict}"
            return to_result(ToolOutput(summary=summary, data=cost, warnings=warnings))
        api = await aioz_session(ctx, app)
        if action == "get":
            media = (await api.get(f"/media/{media_id}")).data or {}
            return to_result(ToolOutput(summary=media_detail(media), data=media))
        body: dict[str, Any] = {
            "offset": offset,
            "limit": limit,
            "type": media_type,
            "order_by": "desc",
            "sort_by": "created_at",
        }
        if search:
            body["search"] = search
        if status:
            body["status"] = list(status)  # an array on the wire (research §5.1)
        if tags:
            body["tags"] = rules.validate_tags(tags)
        data = (await api.post("/media", json=body, idempotent=True)).data or {}
        items = data.get("media", []) if isinstance(data, dict) else []
        total = int(data.get("total", len(items))) if isinstance(data, dict) else len(items)
        lines = [media_line(m) for m in items] or ["(no media match)"]
        slim = [{k: m.get(k) for k in ("id", "title", "type", "status", "duration", "created_at")} for m in items]
        return to_result(
            ToolOutput(
                summary=f"**{media_type.title()} media** ({total})\n" + "\n".join(lines),
                data=slim,
                page=page_of(total, offset, limit, len(items)),
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
        tags: Annotated[list[str] | None, Field(max_length=50)] = None,
        metadata: Annotated[dict[str, str] | None, Field(description="key/value pairs")] = None,
        qualities: Annotated[list[str] | None, Field(max_length=8, description="create: e.g. 720p,1080p")] = None,
        container_type: Literal["mpegts", "fmp4"] | None = None,
        codec: Literal["h264", "h265"] | None = None,
        duration: Annotated[float | None, Field(gt=0, le=86400, description="create+qualities: for the cost")] = None,
        player_id: Annotated[
            str | None, Field(max_length=100, description="update: player theme id, '' clears")
        ] = None,
        path: Annotated[str | None, Field(description="set_thumbnail: local .jpg/.png, <= 8 MB")] = None,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """create a media object (custom qualities: cost checked first, blocked if the balance is short; upload
        bytes with aioz_upload_media instead when you have the file), update fields, or set the thumbnail."""
        if action == "create":
            if not title:
                raise UserInputError("title is required to create media.")
            objects, warnings = build_quality_objects(media_type, qualities, container_type, codec)
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
            summary = f"Created {media_type} **{title}** `{media.get('id')}` (status `{media.get('status')}`)."
            if cost:
                summary += f" Transcode cost checked first: {cost.get('price')} (enough balance)."
            summary += " Next: upload the file with aioz_upload_media."
            return to_result(ToolOutput(summary=summary, data=media, warnings=warnings))
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
            response = await api.post(
                f"/media/{media_id}/thumbnail", files={"file": (image.name, image.data, image.header.mime)}
            )
            return to_result(ToolOutput(summary=f"Thumbnail set for `{media_id}`: {response.message}"))
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
        response = await api.patch(f"/media/{media_id}", json=changes)
        return to_result(
            ToolOutput(summary=f"Updated `{media_id}` ({', '.join(changes)}): {response.message}", data=changes)
        )

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
        path = f"/media/{media_id}" + ("/thumbnail" if target == "thumbnail" else "")
        response = await api.delete(path)
        return to_result(ToolOutput(summary=f"Deleted {target} of `{media_id}`: {response.message}"))
