"""Playlists: list, get, create, update (multipart), delete, thumbnail, items (docs/aioz-api.md §playlists).

Wire facts this follows (where the skill text differs, the facts win):
- `POST /playlists/create` takes JSON `{name, playlist_type, tags: [..], metadata: [{key, value}]}` and answers
  201 `{"playlist": {...}}`; `POST /playlists` lists (JSON body; limit over 100 is a 400).
- `PATCH /playlists/{id}` is multipart/form-data (`name`, `tags`, `metadata`, `file` = thumbnail). In the spec
  (`UpdatePlaylistRequest`) `metadata` is an array of `{key, value}` objects; with no `encoding` given, OpenAPI's
  multipart rules send an array as one part per entry and an object entry as `application/json`. So each pair
  is its own `metadata` part holding `{"key": .., "value": ..}` (the skill's single `{"k": "v"}` field is not
  the spec's shape). `tags` travel as one comma-separated field: the skill's form, and the official Go SDK's
  (`UpdatePlaylistWithContext` sends `parameterToString(tags, "csv")`); so a tag cannot hold a comma.
- `POST /playlists/{id}/items` takes `{"media_id": ...}` (not `video_id`); item objects name the media
  `video_id`; `DELETE /playlists/{id}/items/{item_id}` takes the ITEM id; items are a linked list
  (`previous_id` / `next_id`) reordered with `PUT /playlists/{id}/items {current_id, next_id, previous_id}`.
- The detail without sort_by/order_by lists the custom order. Lists and items may arrive as `null` (§envelope);
  a playlist's `metadata` comes back as an object in the spec and as pairs from some hosts: both are read.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator

from botflix_mcp.aioz.api.base import Items, KeyValue, Model, Num, OptCount, Strs, Text, parse, require, total_of

if TYPE_CHECKING:
    from botflix_mcp.aioz.session import AiozSession


def _pairs(value: Any) -> Any:
    """`{"k": "v"}` (the spec's response shape), `[{key, value}]`, or `null` -> a list of pairs."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [{"key": str(k), "value": "" if v is None else str(v)} for k, v in value.items()]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return value


Pairs = Annotated[list[KeyValue], BeforeValidator(_pairs)]


class ItemMedia(Model):
    id: Text = ""
    title: Text = ""
    description: Text = ""
    duration: Num = None
    size: OptCount = None
    thumbnail_url: Text = ""
    hls_url: Text = ""


class PlaylistItem(Model):
    id: Text = ""
    playlist_id: Text = ""
    video_id: Text = ""  # the media id (items name it video_id, docs/aioz-api.md §playlists)
    media: ItemMedia = ItemMedia()
    next_id: Text = ""
    previous_id: Text = ""
    created_at: Text = ""
    updated_at: Text = ""

    @property
    def media_id(self) -> str:
        return self.video_id or self.media.id

    @property
    def title(self) -> str:
        return self.media.title or "(untitled)"


class Playlist(Model):
    id: Text = ""
    user_id: Text = ""
    name: Text = ""
    playlist_type: Text = ""
    tags: Strs = []
    metadata: Pairs = []
    item_count: OptCount = None
    size: OptCount = None
    duration: Num = None
    thumbnail_url: Text = ""
    playlist_url: Text = ""
    iframe: Text = ""
    created_at: Text = ""
    updated_at: Text = ""
    items: Items[PlaylistItem] = []

    def summary(self) -> dict[str, Any]:
        """The playlist without its items (for lists and the detail's header)."""
        return self.model_dump(mode="json", exclude={"items"})


class PlaylistList(Model):
    playlists: Items[Playlist] = []
    total: OptCount = None


async def list_playlists(
    api: AiozSession, *, offset: int = 0, limit: int = 25, search: str | None = None, tags: list[str] | None = None
) -> tuple[list[Playlist], int]:
    """`POST /playlists` (a read: retried like one), the host's default order (newest first)."""
    body: dict[str, Any] = {"offset": offset, "limit": limit}
    if search:
        body["search"] = search
    if tags:
        body["tags"] = list(tags)  # an array in the spec (the skill shows a comma string)
    response = await api.request("POST", "/playlists", json=body, idempotent=True)
    page = parse(PlaylistList, response.data, method="POST", path="/playlists")
    return page.playlists, total_of(page.total, len(page.playlists), offset)


async def get_playlist(api: AiozSession, playlist_id: str) -> Playlist:
    """`GET /playlists/{id}` without sort params: the items in their custom (linked-list) order."""
    path = f"/playlists/{playlist_id}"
    response = await api.request("GET", path)
    return parse(Playlist, response.data, method="GET", path=path, key="playlist")


async def create_playlist(
    api: AiozSession, *, name: str, playlist_type: str, tags: list[str], metadata: list[dict[str, str]]
) -> Playlist:
    body = {"name": name, "playlist_type": playlist_type, "tags": tags, "metadata": metadata}
    response = await api.request("POST", "/playlists/create", json=body)
    playlist = parse(Playlist, response.data, method="POST", path="/playlists/create", key="playlist")
    require(playlist.id, "playlist id", method="POST", path="/playlists/create")
    return playlist


def update_parts(
    *,
    name: str | None = None,
    tags: list[str] | None = None,
    metadata: list[dict[str, str]] | None = None,
    thumbnail: tuple[str, bytes, str] | None = None,
) -> list[tuple[str, tuple[str | None, str | bytes, str | None]]]:
    """The multipart parts of `PATCH /playlists/{id}` (see the module notes for the metadata encoding).

    `(None, text, type)` parts are plain form fields (no filename), so the body is multipart even without a file.
    """
    parts: list[tuple[str, tuple[str | None, str | bytes, str | None]]] = []
    if name is not None:
        parts.append(("name", (None, name, None)))
    if tags is not None:
        parts.append(("tags", (None, ",".join(tags), None)))
    for pair in metadata or []:
        text = json.dumps({"key": pair["key"], "value": pair["value"]}, ensure_ascii=False)
        parts.append(("metadata", (None, text, "application/json")))
    if thumbnail is not None:
        parts.append(("file", thumbnail))
    return parts


async def update_playlist(
    api: AiozSession,
    playlist_id: str,
    *,
    name: str | None = None,
    tags: list[str] | None = None,
    metadata: list[dict[str, str]] | None = None,
    thumbnail: tuple[str, bytes, str] | None = None,
) -> str:
    path = f"/playlists/{playlist_id}"
    parts = update_parts(name=name, tags=tags, metadata=metadata, thumbnail=thumbnail)
    response = await api.request("PATCH", path, files=parts)
    return response.message or "updated"


async def delete_playlist(api: AiozSession, playlist_id: str) -> str:
    path = f"/playlists/{playlist_id}"
    response = await api.request("DELETE", path)
    return response.message or "deleted"


async def delete_thumbnail(api: AiozSession, playlist_id: str) -> str:
    path = f"/playlists/{playlist_id}/thumbnail"
    response = await api.request("DELETE", path)
    return response.message or "thumbnail deleted"


async def add_item(api: AiozSession, playlist_id: str, media_id: str) -> str:
    path = f"/playlists/{playlist_id}/items"
    response = await api.request("POST", path, json={"media_id": media_id})
    return response.message or "added"


async def move_item(api: AiozSession, playlist_id: str, body: dict[str, Any]) -> str:
    """`PUT /playlists/{id}/items` with `{current_id, next_id?, previous_id?}` (planned by rules.plan_reorder)."""
    path = f"/playlists/{playlist_id}/items"
    response = await api.request("PUT", path, json=body)
    return response.message or "moved"


async def remove_item(api: AiozSession, playlist_id: str, item_id: str) -> str:
    path = f"/playlists/{playlist_id}/items/{item_id}"
    response = await api.request("DELETE", path)
    return response.message or "removed"
