"""Playlists toolset: list/get, create/update/add/move, delete (playlist, item, thumbnail).

Requests and answers live in `aioz/api/playlists.py` (wire facts in docs/aioz-api.md §playlists, which WIN over the
skill where the two disagree). Skill rule (playlist ordering): before a move, the handler ALWAYS fetches the
playlist detail and computes `next_id`/`previous_id` itself (rules.plan_reorder); the caller only names a position.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from botflix_mcp import files
from botflix_mcp.aioz import rules
from botflix_mcp.aioz.api import playlists as playlists_api
from botflix_mcp.aioz.api.playlists import Playlist, PlaylistItem
from botflix_mcp.aioz.session import AiozSession, aioz_session
from botflix_mcp.app import App
from botflix_mcp.errors import UserInputError
from botflix_mcp.params import ResourceId
from botflix_mcp.paths import resolve_local_path
from botflix_mcp.results import ToolOutput, page_of, to_result
from botflix_mcp.toolkit import Toolkit

Id = ResourceId
#: Playlist ids are UUIDs in the spec (`format: uuid` on every /playlists/{id} route, docs/aioz-api.md §playlists):
#: anything else is refused before a request is sent.
PlaylistId = Annotated[
    str,
    Field(
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        max_length=36,
        description="Playlist id (a UUID, as aioz_playlists lists it)",
    ),
]
MAX_THUMBNAIL_BYTES = 8 * 1024 * 1024  # the media thumbnail limit (docs/aioz-api.md §media); same storage
MAX_ROWS = 100  # a playlist holds at most 100 items (docs/aioz-api.md §playlists)
MAX_PATH = 4096
Tag = Annotated[str, Field(max_length=rules.MAX_TAG_LEN)]
Tags = Annotated[list[Tag], Field(max_length=rules.MAX_TAGS)]
MetaKey = Annotated[str, Field(max_length=255)]
MetaValue = Annotated[str, Field(max_length=1000)]


# --------------------------------------------------------------------------- plain functions


def rule_item(item: PlaylistItem) -> rules.PlaylistItem:
    """A host item as the rules see it (the media id comes back as `video_id`)."""
    return rules.PlaylistItem(
        id=item.id, next_id=item.next_id or None, previous_id=item.previous_id or None, media_id=item.media_id or None
    )


def linked_order(items: list[PlaylistItem]) -> list[PlaylistItem]:
    """Items in their linked-list order (rules.order_items), whatever order the host listed them in."""
    if any(not i.id for i in items) or len({i.id for i in items}) != len(items):
        return list(items)
    by_id = {i.id: i for i in items}
    return [by_id[r.id] for r in rules.order_items([rule_item(i) for i in items])]


def find_item(items: list[PlaylistItem], ref: str, *, role: str = "item") -> PlaylistItem:
    """The playlist item named by `ref`: its item id, or the id of the media it holds (`video_id`)."""
    for item in items:
        if item.id == ref:
            return item
    matches = [i for i in items if i.media_id == ref]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise UserInputError(
            f"media {ref} appears {len(matches)} times in this playlist, so the {role} is ambiguous.",
            "Pass the playlist item id instead (aioz_playlists action 'get' lists them).",
        )
    raise UserInputError(
        f"no item of this playlist has the item id or media id {ref!r} (the {role}).",
        "Call aioz_playlists with action 'get' to see the playlist's items and their ids.",
    )


def checked_tags(tags: list[str] | None) -> list[str] | None:
    """Playlist tags (rules.validate_tags); they travel comma-separated in the update form, so no commas."""
    if tags is None:
        return None
    cleaned = rules.validate_tags(tags)
    if any("," in t for t in cleaned):
        raise UserInputError("a playlist tag cannot contain a comma (tags travel comma-separated).")
    return cleaned


def read_thumbnail(path: Path) -> tuple[str, bytes, str]:
    """Load a resolved local thumbnail: JPEG or PNG by its real header (not its name), <= 8 MB. Nothing sent.

    Blocking (size from stat first, bounded read): call it in a worker thread."""

    def wrong_size(size: int) -> UserInputError:
        return UserInputError(f"thumbnail {path.name} is {size} bytes; it must be 1 byte to 8 MB.")

    def not_image(size: int) -> UserInputError:
        return UserInputError(
            f"thumbnail {path.name} is not a JPEG or PNG image (checked its header, not its name).",
            "Convert it to .jpg or .png first.",
        )

    image = files.load_image_sync(path, MAX_THUMBNAIL_BYTES, wrong_size, not_image, empty=wrong_size)
    return image.name, image.data, image.header.mime


def item_title(item: PlaylistItem) -> str:
    return item.title.replace("|", "/")


def render_items(items: list[PlaylistItem]) -> str:
    if not items:
        return "(no items yet: add media with aioz_playlist_write action 'add_item')"
    rows = ["| # | Title | Media ID | Item ID |", "|---|---|---|---|"]
    for n, item in enumerate(items[:MAX_ROWS], 1):
        rows.append(f"| {n} | {item_title(item)} | `{item.media_id}` | `{item.id}` |")
    return "\n".join(rows)


def slim_item(item: PlaylistItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "media_id": item.media_id or None,
        "title": item.media.title or None,
        "duration": item.media.duration,
        "previous_id": item.previous_id or None,
        "next_id": item.next_id or None,
    }


def playlist_line(p: Playlist) -> str:
    count = p.item_count if p.item_count is not None else len(p.items)
    return f"- **{p.name or '(unnamed)'}** ({p.playlist_type or '?'}, {count} items) `{p.id}`"


def render_playlist(playlist: Playlist, items: list[PlaylistItem]) -> str:
    count = playlist.item_count if playlist.item_count is not None else len(items)
    return (
        f"## 🎞️ {playlist.name or '(unnamed)'}\n"
        f"- ID: `{playlist.id}` · type: {playlist.playlist_type or '?'} · "
        f"{count} items · tags: {', '.join(playlist.tags) or '-'}\n"
        f"- URL: {playlist.playlist_url or '-'}\n\n{render_items(items)}"
    )


async def fetch_playlist(api: AiozSession, playlist_id: str) -> tuple[Playlist, list[PlaylistItem]]:
    """The detail (custom order) -> (playlist, items in linked-list order)."""
    playlist = await playlists_api.get_playlist(api, playlist_id)
    if not playlist.id:  # a `null` detail: keep the id that was asked for, invent nothing else
        playlist = playlist.model_copy(update={"id": playlist_id})
    return playlist, linked_order(list(playlist.items))


def _need(value: Any, what: str, action: str) -> None:
    if value is None or value == "":
        raise UserInputError(f"{what} is required for action '{action}'.")


# --------------------------------------------------------------------------- tools


def register(kit: Toolkit, app: App) -> None:
    @kit.tool(name="aioz_playlists", title="AIOZ playlists", toolset="playlists", read_only=True)
    async def aioz_playlists(
        ctx: Context,
        action: Literal["list", "get"] = "list",
        playlist_id: PlaylistId | None = None,
        search: Annotated[str | None, Field(max_length=200)] = None,
        tags: Tags | None = None,
        offset: Annotated[int, Field(ge=0)] = 0,
        limit: Annotated[int, Field(ge=1, le=100)] = 25,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """List/search playlists, or get one with its items in playlist order."""
        if action == "get":
            _need(playlist_id, "playlist_id", action)
            api = await aioz_session(ctx, app)
            playlist, items = await fetch_playlist(api, str(playlist_id))
            data = playlist.summary() | {"items": [slim_item(i) for i in items]}
            return to_result(ToolOutput(summary=render_playlist(playlist, items), data=data))
        api = await aioz_session(ctx, app)
        found, total = await playlists_api.list_playlists(api, offset=offset, limit=limit, search=search, tags=tags)
        lines = [playlist_line(p) for p in found] or ["(none)"]
        return to_result(
            ToolOutput(
                summary=f"**Playlists** ({total})\n" + "\n".join(lines),
                data=[p.summary() for p in found],
                page=page_of(total, offset, limit, len(found)),
            )
        )

    @kit.tool(
        name="aioz_playlist_write",
        title="Edit AIOZ playlists",
        toolset="playlists",
        read_only=False,
        destructive=True,  # update overwrites name/tags/metadata/thumbnail
        idempotent=False,
    )
    async def aioz_playlist_write(
        ctx: Context,
        action: Literal["create", "update", "add_item", "move_item"],
        playlist_id: PlaylistId | None = None,
        name: Annotated[str | None, Field(max_length=255)] = None,
        playlist_type: Literal["video", "audio"] = "video",
        tags: Tags | None = None,
        metadata: Annotated[dict[MetaKey, MetaValue] | None, Field(max_length=rules.MAX_METADATA)] = None,
        thumbnail_path: Annotated[str | None, Field(max_length=MAX_PATH, description="local .jpg/.png")] = None,
        media_id: Annotated[Id | None, Field(description="media (or item) id")] = None,
        position: Literal["top", "bottom", "before", "after"] | None = None,
        anchor: Annotated[Id | None, Field(description="item or media id")] = None,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """create, update, add_item, move_item (to position, before/after anchor). Moves read the playlist
        first: never pass linked-list ids."""
        if action == "create":
            _need(name, "name", action)
            assert name is not None
            # JSON with a tags array and [{key, value}] metadata (spec CreatePlaylistRequest; the skill's multipart
            # form is the older shape).
            create_tags = rules.validate_tags(tags or [])
            pairs = rules.validate_metadata(metadata or {})
            api = await aioz_session(ctx, app)
            playlist = await playlists_api.create_playlist(
                api, name=name, playlist_type=playlist_type, tags=create_tags, metadata=pairs
            )
            return to_result(
                ToolOutput(
                    summary=f"✅ Playlist **{playlist.name or name}** created: `{playlist.id}`.\n"
                    "Next: add media with action 'add_item'.",
                    data=playlist.summary(),
                )
            )
        _need(playlist_id, "playlist_id", action)
        pid = str(playlist_id)
        if action == "update":
            new_tags = checked_tags(tags)
            new_metadata = rules.validate_metadata(metadata) if metadata else None  # {}: nothing to send
            thumb = None
            if thumbnail_path:
                local = await resolve_local_path(thumbnail_path, ctx=ctx, settings=app.settings)
                thumb = await anyio.to_thread.run_sync(read_thumbnail, local)
            given = {"name": name, "tags": new_tags, "metadata": new_metadata, "thumbnail": thumb}
            changed = [field for field, value in given.items() if value is not None]
            if not changed:
                raise UserInputError("update needs at least one of name, tags, metadata or thumbnail_path.")
            api = await aioz_session(ctx, app)
            message = await playlists_api.update_playlist(
                api, pid, name=name, tags=new_tags, metadata=new_metadata, thumbnail=thumb
            )
            return to_result(
                ToolOutput(
                    summary=f"✅ Playlist `{pid}` updated ({', '.join(changed)}).",
                    data={"id": pid, "updated": changed, "message": message},
                )
            )
        if action == "add_item":
            _need(media_id, "media_id", action)
            assert media_id is not None
            api = await aioz_session(ctx, app)
            message = await playlists_api.add_item(api, pid, media_id)
            return to_result(
                ToolOutput(
                    summary=f"✅ Media `{media_id}` added to playlist `{pid}` (at the end).\n"
                    "To reorder, use action 'move_item' with a position.",
                    data={"playlist_id": pid, "media_id": media_id, "message": message},
                )
            )
        # move_item
        _need(media_id, "media_id (the media or item id to move)", action)
        _need(position, "position (top, bottom, before or after)", action)
        assert position is not None
        if position in ("before", "after"):
            _need(anchor, f"anchor (the item or media to move {position})", action)
        api = await aioz_session(ctx, app)
        # Skill rule 6: ALWAYS read the current linked list first; never trust ids from the caller.
        _, items = await fetch_playlist(api, pid)
        current = find_item(items, str(media_id), role="item to move")
        target = find_item(items, str(anchor), role="anchor") if position in ("before", "after") else None
        # rules.plan_reorder raises (nothing sent) when the item is already there or the list has one item.
        body = rules.plan_reorder([rule_item(i) for i in items], current.id, position, target.id if target else None)
        await playlists_api.move_item(api, pid, body)
        _, after = await fetch_playlist(api, pid)
        return to_result(
            ToolOutput(
                summary=f"✅ Moved '{item_title(current)}' to {position}"
                f"{'' if target is None else ' ' + repr(item_title(target))}.\n\n{render_items(after)}",
                data={"playlist_id": pid, "moved": True, "request": body, "items": [slim_item(i) for i in after]},
            )
        )

    @kit.tool(
        name="aioz_playlist_delete",
        title="Delete AIOZ playlist/item",
        toolset="playlists",
        read_only=False,
        destructive=True,
        idempotent=True,
    )
    async def aioz_playlist_delete(
        ctx: Context,
        playlist_id: PlaylistId,
        target: Literal["playlist", "item", "thumbnail"] = "playlist",
        media_id: Annotated[Id | None, Field(description="target=item: media or item id")] = None,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Delete a playlist (its media stay), one item, or its thumbnail."""
        if target == "item":
            _need(media_id, "media_id", "target=item")
        api = await aioz_session(ctx, app)
        if target == "playlist":
            await playlists_api.delete_playlist(api, playlist_id)
            return to_result(
                ToolOutput(
                    summary=f"🗑️ Playlist `{playlist_id}` deleted (its media were not deleted).",
                    data={"deleted": "playlist", "playlist_id": playlist_id},
                )
            )
        if target == "thumbnail":
            await playlists_api.delete_thumbnail(api, playlist_id)
            return to_result(
                ToolOutput(
                    summary=f"🗑️ Thumbnail of playlist `{playlist_id}` deleted.",
                    data={"deleted": "thumbnail", "playlist_id": playlist_id},
                )
            )
        # The host removes by ITEM id (docs/aioz-api.md §playlists); resolve a media id from the detail first.
        _, items = await fetch_playlist(api, playlist_id)
        found = find_item(items, str(media_id), role="item to remove")
        await playlists_api.remove_item(api, playlist_id, found.id)
        return to_result(
            ToolOutput(
                summary=f"🗑️ Removed '{item_title(found)}' (item `{found.id}`) from playlist `{playlist_id}`; "
                "the media itself was not deleted.",
                data={
                    "deleted": "item",
                    "playlist_id": playlist_id,
                    "item_id": found.id,
                    "media_id": found.media_id or None,
                },
            )
        )
