"""Media: list/search, get, create, update, delete, transcode cost, thumbnail (docs/aioz-api.md §media).

Wire facts this follows (where the skill text differs, the facts win): the list is `POST /media` with a JSON
body whose `status` filter is an array; audio is listed only with `type: "audio"`; the host's default order is
ascending, so newest-first is asked for explicitly; a media object lists its qualities under `name` (the spec's
`QualityObject`), while a create body's qualities carry `resolution`; the media-update field for the player theme
is `player_id`; `/complete` and the part upload live in `api/parts.py` and the upload engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botflix_mcp.aioz.api.base import Flag, Items, KeyValue, Model, Num, OptCount, Strs, Text, parse, require
from botflix_mcp.errors import NotFoundError

if TYPE_CHECKING:
    from botflix_mcp.aioz.client import AiozSession


class Quality(Model):
    """A quality of an existing media object (`QualityObject`): its name is the resolution or audio preset."""

    name: Text = ""
    status: Text = ""
    type: Text = ""
    container_type: Text = ""
    video_codec: Text = ""
    audio_codec: Text = ""
    video_bitrate: OptCount = None
    audio_bitrate: OptCount = None

    def create_object(self, media_type: str) -> dict[str, Any]:
        """This quality as a create-body quality (`resolution`, not `name`), to re-create the same ladder.

        Only what the object tells is carried over (stream type, container, video codec); the caller validates
        the result with the quality rules like any other create body.
        """
        quality: dict[str, Any] = {"resolution": self.name}
        if self.type:
            quality["type"] = self.type
        if self.container_type:
            quality["container_type"] = self.container_type
        if media_type == "video" and self.video_codec:
            quality["video_config"] = {"codec": self.video_codec}
        return quality


class Assets(Model):
    source_url: Text = ""
    thumbnail_url: Text = ""
    hls_url: Text = ""
    dash_url: Text = ""
    mp4_url: Text = ""
    hls_iframe: Text = ""
    dash_iframe: Text = ""
    hls_player_url: Text = ""
    dash_player_url: Text = ""


class Media(Model):
    id: Text = ""
    user_id: Text = ""
    title: Text = ""
    description: Text = ""
    type: Text = ""
    status: Text = ""
    duration: Num = None
    size: OptCount = None
    is_public: Flag = None
    tags: Strs = []
    metadata: Items[KeyValue] = []
    qualities: Items[Quality] = []
    player_theme_id: Text = ""
    view: OptCount = None
    created_at: Text = ""
    updated_at: Text = ""
    assets: Assets = Assets()

    @property
    def quality_names(self) -> list[str]:
        return [q.name for q in self.qualities if q.name]

    def metadata_dict(self) -> dict[str, str]:
        return {kv.key: kv.value for kv in self.metadata if kv.key}

    def create_qualities(self) -> list[dict[str, Any]]:
        """The qualities of this media as a create body lists them (one per name, in order)."""
        seen: set[tuple[str, str]] = set()
        out: list[dict[str, Any]] = []
        for quality in self.qualities:
            key = (quality.name, quality.type)
            if quality.name and key not in seen:
                seen.add(key)
                out.append(quality.create_object(self.type or "video"))
        return out

    def summary(self) -> dict[str, Any]:
        """The few fields a list shows (structured results stay small)."""
        return {
            "id": self.id,
            "title": self.title,
            "type": self.type,
            "status": self.status,
            "duration": self.duration,
            "created_at": self.created_at,
        }


class MediaList(Model):
    media: Items[Media] = []
    total: OptCount = None


class Cost(Model):
    price: Num = None
    is_enough: Flag = None


async def list_media(
    api: AiozSession,
    *,
    offset: int = 0,
    limit: int = 25,
    media_type: str = "video",
    search: str | None = None,
    status: list[str] | None = None,
    tags: list[str] | None = None,
    sort_by: str = "created_at",
    order_by: str = "desc",
) -> MediaList:
    """`POST /media` (a read: retried like one)."""
    body: dict[str, Any] = {
        "offset": offset,
        "limit": limit,
        "type": media_type,
        "sort_by": sort_by,
        "order_by": order_by,
    }
    if search:
        body["search"] = search
    if status:
        body["status"] = list(status)
    if tags:
        body["tags"] = list(tags)
    response = await api.request("POST", "/media", json=body, idempotent=True)
    return parse(MediaList, response.data, method="POST", path="/media")


async def get_media(api: AiozSession, media_id: str) -> Media:
    path = f"/media/{media_id}"
    response = await api.request("GET", path)
    return parse(Media, response.data, method="GET", path=path, key="media")


async def media_status(api: AiozSession, media_id: str) -> str | None:
    """The media's public status, or None when it no longer exists (404)."""
    try:
        media = await get_media(api, media_id)
    except NotFoundError:
        return None
    return media.status or None


async def create_media(api: AiozSession, body: dict[str, Any]) -> Media:
    """`POST /media/create`; the body is built and checked by the caller (rules + the cost check)."""
    response = await api.request("POST", "/media/create", json=body)
    media = parse(Media, response.data, method="POST", path="/media/create", key="media")
    require(media.id, "media id", method="POST", path="/media/create")
    return media


async def update_media(api: AiozSession, media_id: str, changes: dict[str, Any]) -> str:
    path = f"/media/{media_id}"
    response = await api.request("PATCH", path, json=changes)
    return response.message or "updated"


async def delete_media(api: AiozSession, media_id: str) -> str:
    path = f"/media/{media_id}"
    response = await api.request("DELETE", path)
    return response.message or "deleted"


async def transcode_cost(api: AiozSession, *, media_type: str, qualities: list[str], duration: float) -> Cost:
    """`GET /media/cost?type=&duration=&qualities=360p,720p` (duration in whole seconds, at least 1)."""
    params = {"type": media_type, "duration": max(1, round(duration)), "qualities": ",".join(qualities)}
    response = await api.request("GET", "/media/cost", params=params)
    return parse(Cost, response.data, method="GET", path="/media/cost")


async def set_thumbnail(api: AiozSession, media_id: str, *, filename: str, data: bytes, mime: str) -> str:
    path = f"/media/{media_id}/thumbnail"
    response = await api.request("POST", path, files={"file": (filename, data, mime)})
    return response.message or "thumbnail set"


async def delete_thumbnail(api: AiozSession, media_id: str) -> str:
    path = f"/media/{media_id}/thumbnail"
    response = await api.request("DELETE", path)
    return response.message or "thumbnail deleted"
