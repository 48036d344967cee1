"""Playlists toolset: list/get, create/update/add/move, delete (playlist, item, thumbnail).

Wire facts from research/aioz.md §5.10 and §9 (they WIN over the skill where the two disagree):
- `POST /playlists/create` takes JSON `{name, playlist_type, tags: [..], metadata: [{key, value}]}` (the skill
  shows multipart with `tags=a,b`);
- `POST /playlists/{id}/items` takes `{"media_id": ...}` (the skill says `video_id`, which the host ignores);
  in item objects the media id comes back as `video_id`;
- `DELETE /playlists/{id}/items/{item_id}` takes the ITEM id, not the media id;
- `PATCH /playlists/{id}` is multipart (`name`, `tags`, `metadata`, `file` = thumbnail);
- items are a linked list (`previous_id`/`next_id`); the detail without sort_by/order_by is the custom order.

Skill rule (playlist ordering): before a move, the handler ALWAYS fetches the playlist detail and computes
`next_id`/`previous_id` itself (rules.plan_reorder); the caller only names a position.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from botflix_mcp import files
from botflix_mcp.aioz import rules
from botflix_mcp.aioz.session import AiozSession, aioz_session
from botflix_mcp.app import App
from botflix_mcp.errors import UserInputError
from botflix_mcp.paths import resolve_local_path
from botflix_mcp.results import ToolOutput, page_of, to_result
from botflix_mcp.toolkit import Toolkit

Id = Annotated[str, Field(pattern=r"^[\w-]{1,100}$")]  # ids go into URL paths: no '/', '.', '?'...
MAX_THUMBNAIL_BYTES = 8 * 1024 * 1024  # the media thumbnail limit (research §5.1); playlists use the same storage
MAX_ROWS = 100  # a playlist holds at most 100 items (research §5.10)


# --------------------------------------------------------------------------- plain functions


def rule_item(item: dict[str, Any]) -> rules.PlaylistItem:
    """A host item as the rules see it (the media id comes back as `video_id`, research §5.10)."""
    media = item.get("media") if isinstance(item.get("media"), dict) else {}
    return rules.PlaylistItem(
        id=str(item.get("id") or ""),
        next_id=str(item["next_id"]) if item.get("next_id") else None,
        previous_id=str(item["previous_id"]) if item.get("previous_id") else None,
        media_id=str(item.get("video_id") or media.get("id") or "") or None,
    )


def linked_order(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items in their linked-list order (rules.order_items), whatever order the host listed them in."""
    if any(not i.get("id") for i in items) or len({str(i["id"]) for i in items}) != len(items):
        return list(items)
    by_id = {str(i["id"]): i for i in items}
    return [by_id[r.id] for r in rules.order_items([rule_item(i) for i in items])]


def find_item(items: list[dict[str, Any]], ref: str, *, role: str = "item") -> dict[str, Any]:
    """The playlist item named by `ref`: its item id, or the id of the media it holds (`video_id`)."""
    for item in items:
        if str(item.get("id")) == ref:
            return item
    matches = [i for i in items if str(i.get("video_id") or (i.get("media") or {}).get("id") or "") == ref]
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


def update_form(name: str | None, tags: list[str] | None, metadata: dict[str, str] | None) -> dict[str, str]:
    """Multipart text fields of `PATCH /playlists/{id}` (validated with rules.validate_tags/validate_metadata).

    `tags` is comma-separated (the skill's example and the Go SDK's csv form), so a tag may not contain a comma;
    `metadata` is the JSON object the skill shows.
    """
    form: dict[str, str] = {}
    if name is not None:
        form["name"] = name
    if tags is not None:
        cleaned = rules.validate_tags(tags)
        if any("," in t for t in cleaned):
            raise UserInputError("a playlist tag cannot contain a comma (tags travel comma-separated).")
        form["tags"] = ",".join(cleaned)
    if metadata is not None:
        pairs = rules.validate_metadata(metadata)
        form["metadata"] = json.dumps({p["key"]: p["value"] for p in pairs}, ensure_ascii=False)
    return form


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


def item_title(item: dict[str, Any]) -> str:
    media = item.get("media") or {}
    return str(media.get("title") or "(untitled)").replace("|", "/")


def render_items(items: list[dict[str, Any]]) -> str:
    if not items:
        return "(no items yet: add media with aioz_playlist_write action 'add_item')"
    rows = ["| # | Title | Media ID | Item ID |", "|---|---|---|---|"]
    for n, item in enumerate(items[:MAX_ROWS], 1):
        rows.append(f"| {n} | {item_title(item)} | `{item.get('video_id', '')}` | `{item.get('id', '')}` |")
    return "\n".join(rows)


def slim_item(item: dict[str, Any]) -> dict[str, Any]:
    media = item.get("media") or {}
    return {
        "id": item.get("id"),
        "media_id": item.get("video_id"),
        "title": media.get("title"),
        "duration": media.get("duration"),
        "previous_id": item.get("previous_id"),
        "next_id": item.get("next_id"),
    }


def render_playlist(playlist: dict[str, Any], items: list[dict[str, Any]]) -> str:
    tags = playlist.get("tags")
    tags_text = ", ".join(tags) if isinstance(tags, list) else (tags or "-")
    return (
        f"## 🎞️ {playlist.get('name', '(unnamed)')}\n"
        f"- ID: `{playlist.get('id')}` · type: {playlist.get('playlist_type', '?')} · "
        f"{playlist.get('item_count', len(items))} items · tags: {tags_text}\n"
        f"- URL: {playlist.get('playlist_url') or '-'}\n\n{render_items(items)}"
    )


async def fetch_playlist(api: AiozSession, playlist_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`GET /playlists/{id}` without sort params (custom order) -> (playlist, items in linked-list order)."""
    data = (await api.get(f"/playlists/{playlist_id}")).data or {}
    playlist = data.get("playlist", data) if isinstance(data, dict) else {}
    items = playlist.get("items") or []
    return playlist, linked_order([i for i in items if isinstance(i, dict)])


def _need(value: Any, what: str, action: str) -> None:
    if value is None or value == "":
        raise UserInputError(f"{what} is required for action '{action}'.")


# --------------------------------------------------------------------------- tools


def register(kit: Toolkit, app: App) -> None:
    @kit.tool(name="aioz_playlists", title="AIOZ playlists", toolset="playlists", read_only=True)
    async def aioz_playlists(
        ctx: Context,
        action: Literal["list", "get"] = "list",
        playlist_id: Id | None = None,
        search: str | None = None,
        tags: list[str] | None = None,
        offset: Annotated[int, Field(ge=0)] = 0,
        limit: Annotated[int, Field(ge=1, le=100)] = 25,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """List/search playlists, or get one with its items in playlist order."""
        if action == "get":
            _need(playlist_id, "playlist_id", action)
            api = await aioz_session(ctx, app)
            playlist, items = await fetch_playlist(api, str(playlist_id))
            data = {k: v for k, v in playlist.items() if k != "items"} | {"items": [slim_item(i) for i in items]}
            return to_result(ToolOutput(summary=render_playlist(playlist, items), data=data))
        body: dict[str, Any] = {"offset": offset, "limit": limit}  # host default order: newest first
        if search:
            body["search"] = search
        if tags:
            body["tags"] = tags  # an array in the spec (the skill shows a comma string)
        api = await aioz_session(ctx, app)
        data = (await api.post("/playlists", json=body, idempotent=True)).data or {}
        found = data.get("playlists") or []
        total = int(data.get("total", len(found)))
        lines = [
            f"- **{p.get('name', '(unnamed)')}** ({p.get('playlist_type', '?')}, {p.get('item_count', 0)} items) "
            f"`{p.get('id')}`"
            for p in found
        ] or ["(none)"]
        return to_result(
            ToolOutput(
                summary=f"**Playlists** ({total})\n" + "\n".join(lines),
                data=[{k: v for k, v in p.items() if k != "items"} for p in found],
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
        playlist_id: Id | None = None,
        name: Annotated[str | None, Field(max_length=255)] = None,
        playlist_type: Literal["video", "audio"] = "video",
        tags: list[str] | None = None,
        metadata: dict[str, str] | None = None,
        thumbnail_path: Annotated[str | None, Field(description="local .jpg/.png")] = None,
        media_id: Annotated[str | None, Field(description="media (or item) id")] = None,
        position: Literal["top", "bottom", "before", "after"] | None = None,
        anchor: Annotated[str | None, Field(description="item or media id")] = None,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """create, update, add_item, move_item (to position, before/after anchor). Moves read the playlist
        first: never pass linked-list ids."""
        if action == "create":
            _need(name, "name", action)
            # JSON with a tags array and [{key, value}] metadata (spec CreatePlaylistRequest; the skill's multipart
            # form is the older shape).
            body: dict[str, Any] = {"name": name, "playlist_type": playlist_type}
            body["tags"] = rules.validate_tags(tags or [])
            body["metadata"] = rules.validate_metadata(metadata or {})
            api = await aioz_session(ctx, app)
            data = (await api.post("/playlists/create", json=body)).data or {}
            playlist = data.get("playlist", data) if isinstance(data, dict) else {}
            return to_result(
                ToolOutput(
                    summary=f"✅ Playlist **{playlist.get('name', name)}** created: `{playlist.get('id')}`.\n"
                    "Next: add media with action 'add_item'.",
                    data=playlist,
                )
            )
        _need(playlist_id, "playlist_id", action)
        pid = str(playlist_id)
        if action == "update":
            form = update_form(name, tags, metadata)
            thumb = None
            if thumbnail_path:
                local = await resolve_local_path(thumbnail_path, ctx=ctx, settings=app.settings)
                thumb = await anyio.to_thread.run_sync(read_thumbnail, local)
            if not form and thumb is None:
                raise UserInputError("update needs at least one of name, tags, metadata or thumbnail_path.")
            # (None, text) parts are plain form fields: the body is multipart even without a thumbnail.
            parts: dict[str, Any] = {k: (None, v) for k, v in form.items()}
            if thumb is not None:
                parts["file"] = thumb
            api = await aioz_session(ctx, app)
            response = await api.patch(f"/playlists/{pid}", files=parts)
            changed = [*form, *(["thumbnail"] if thumb else [])]
            return to_result(
                ToolOutput(
                    summary=f"✅ Playlist `{pid}` updated ({', '.join(changed)}).",
                    data={"id": pid, "updated": changed, "message": response.message},
                )
            )
        if action == "add_item":
            _need(media_id, "media_id", action)
            api = await aioz_session(ctx, app)
            # research §5.10: the key is media_id (the skill's video_id is wrong).
            response = await api.post(f"/playlists/{pid}/items", json={"media_id": media_id})
            return to_result(
                ToolOutput(
                    summary=f"✅ Media `{media_id}` added to playlist `{pid}` (at the end).\n"
                    "To reorder, use action 'move_item' with a position.",
                    data={"playlist_id": pid, "media_id": media_id, "message": response.message},
                )
            )
        # move_item
        _need(media_id, "media_id (the media or item id to move)", action)
        _need(position, "position (top, bottom, before or after)", action)
        if position in ("before", "after"):
            _need(anchor, f"anchor (the item or media to move {position})", action)
        api = await aioz_session(ctx, app)
        # Skill rule 6: ALWAYS read the current linked list first; never trust ids from the caller.
        _, items = await fetch_playlist(api, pid)
        current = find_item(items, str(media_id), role="item to move")
        target = find_item(items, str(anchor), role="anchor") if position in ("before", "after") else None
        # rules.plan_reorder raises (nothing sent) when the item is already there or the list has one item.
        body = rules.plan_reorder(
            [rule_item(i) for i in items], str(current["id"]), position, str(target["id"]) if target else None
        )
        await api.put(f"/playlists/{pid}/items", json=body)
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
        playlist_id: Id,
        target: Literal["playlist", "item", "thumbnail"] = "playlist",
        media_id: Annotated[str | None, Field(description="target=item: media or item id")] = None,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Delete a playlist (its media stay), one item, or its thumbnail."""
        if target == "item":
            _need(media_id, "media_id", "target=item")
        api = await aioz_session(ctx, app)
        if target == "playlist":
            await api.delete(f"/playlists/{playlist_id}")
            return to_result(
                ToolOutput(
                    summary=f"🗑️ Playlist `{playlist_id}` deleted (its media were not deleted).",
                    data={"deleted": "playlist", "playlist_id": playlist_id},
                )
            )
        if target == "thumbnail":
            await api.delete(f"/playlists/{playlist_id}/thumbnail")
            return to_result(
                ToolOutput(
                    summary=f"🗑️ Thumbnail of playlist `{playlist_id}` deleted.",
                    data={"deleted": "thumbnail", "playlist_id": playlist_id},
                )
            )
        # The host removes by ITEM id (research §9.13); resolve a media id from the detail first.
        _, items = await fetch_playlist(api, playlist_id)
        found = find_item(items, str(media_id), role="item to remove")
        await api.delete(f"/playlists/{playlist_id}/items/{found['id']}")
        return to_result(
            ToolOutput(
                summary=f"🗑️ Removed '{item_title(found)}' (item `{found['id']}`) from playlist `{playlist_id}`; "
                "the media itself was not deleted.",
                data={
                    "deleted": "item",
                    "playlist_id": playlist_id,
                    "item_id": found["id"],
                    "media_id": found.get("video_id"),
                },
            )
        )
