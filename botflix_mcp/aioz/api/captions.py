"""Chapters, transcripts and captions of a media, one .vtt file per language (docs/aioz-api.md §captions).

- `POST /media/{id}/{kind}/{lan}` multipart `file` (.vtt) answers 201 `{"media_chapter" | "media_caption" |
  "media_transcript": {url, language, status?, description?, is_default?}}`; `GET /media/{id}/{kind}` lists
  `{"media_chapters" | "media_captions" | "media_transcripts": [...], "total": N}` (a list may be `null`);
  `PATCH .../{lan}` JSON `{"is_default": true}` (captions and transcripts); `DELETE .../{lan}`.
- Transcripts follow the skill (`/media/{id}/transcripts`); the route is documented but not in the official spec,
  so a host without it gets the spec's `/captions` endpoints instead. "Without it" is read from the answer's
  shape, never its wording: the backend's unknown-route 404 is `{"message", "path", "method"}` with no `status`
  key (§envelope, §status-codes), while a missing media or track is `{"status": "fail", "message": ...}` and is
  passed on as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from botflix_mcp.aioz.api.base import Flag, Items, Model, OptCount, Text, parse
from botflix_mcp.errors import NotFoundError

if TYPE_CHECKING:
    from botflix_mcp.aioz.client import AiozResponse
    from botflix_mcp.aioz.session import AiozSession

Kind = Literal["chapters", "transcripts", "captions"]
_SINGULAR = {"chapters": "media_chapter", "captions": "media_caption", "transcripts": "media_transcript"}


class Track(Model):
    """A chapter, caption or transcript file of one language (chapters have only `url` and `language`)."""

    url: Text = ""
    language: Text = ""
    status: Text = ""
    description: Text = ""
    is_default: Flag = None


class TrackList(Model):
    media_transcripts: Items[Track] = []
    media_captions: Items[Track] = []
    media_chapters: Items[Track] = []
    total: OptCount = None


def route_missing(exc: NotFoundError) -> bool:
    """True when a 404 says the host has no such ROUTE (not that the media or track is missing).

    The unknown-route answer carries `path`/`method` and no `status`; every handler's own 404 has
    `"status": "fail"`. A 404 without a JSON body (a proxy's page) is not taken for a missing route either.
    """
    answer = exc.answer
    return answer is not None and "status" not in answer and ("path" in answer or "method" in answer)


async def _call(
    api: AiozSession, method: str, kind: Kind, media_id: str, lan: str | None = None, **kw: Any
) -> tuple[AiozResponse, Kind]:
    """One request on `/{kind}`; transcripts fall back to `/captions` on a missing route. Returns (answer, kind
    actually used)."""
    suffix = f"/{lan}" if lan else ""
    try:
        return await api.request(method, f"/media/{media_id}/{kind}{suffix}", **kw), kind
    except NotFoundError as exc:
        if kind != "transcripts" or not route_missing(exc):
            raise
    return await api.request(method, f"/media/{media_id}/captions{suffix}", **kw), "captions"


async def list_tracks(
    api: AiozSession, kind: Kind, media_id: str, *, offset: int = 0, limit: int = 100
) -> tuple[list[Track], int | None, Kind]:
    """`GET /media/{id}/{kind}`. Returns (tracks, total as sent, kind actually used)."""
    response, used = await _call(api, "GET", kind, media_id, params={"offset": offset, "limit": limit})
    page = parse(TrackList, response.data, method="GET", path=f"/media/{media_id}/{used}")
    items = {"transcripts": page.media_transcripts, "captions": page.media_captions, "chapters": page.media_chapters}
    found = items[used]
    if not found and used == "transcripts" and page.media_captions:
        found = page.media_captions  # a host that lists transcripts under the captions key
    return found, page.total, used


async def add_track(
    api: AiozSession, kind: Kind, media_id: str, lan: str, *, filename: str, data: bytes
) -> tuple[Track, Kind]:
    """`POST /media/{id}/{kind}/{lan}` multipart `file`. Returns (the track, kind actually used)."""
    response, used = await _call(api, "POST", kind, media_id, lan, files={"file": (filename, data, "text/vtt")})
    track = parse(Track, response.data, method="POST", path=f"/media/{media_id}/{used}/{lan}", key=_SINGULAR[used])
    return track, used


async def set_default(api: AiozSession, kind: Kind, media_id: str, lan: str) -> tuple[str, Kind]:
    response, used = await _call(api, "PATCH", kind, media_id, lan, json={"is_default": True})
    return response.message or "updated", used


async def delete_track(api: AiozSession, kind: Kind, media_id: str, lan: str) -> tuple[str, Kind]:
    response, used = await _call(api, "DELETE", kind, media_id, lan)
    return response.message or "deleted", used
