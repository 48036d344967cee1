"""Player themes: list, get, create, update, delete, logo, assignment to media (docs/aioz-api.md §players).

Wire facts this follows (where the skill text differs, the facts win): create answers 201 with
`{"player_theme": {...}}` and the host names a theme created without a name "default-player-theme"; colours are
`rgba(...)` strings and sizes `"<n>px"` strings; the logo upload is multipart `file` plus an optional `link` (not
`logo_link`), stored as `asset.logo_link`; add-player/remove-player take `{media_id, player_theme_id}` (not
`video_id`); deleting a theme still assigned to media is refused with a 400. A new account lists
`{"player_themes": null, "total": 0}` and objects may come back `null` (§envelope): the models take both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botflix_mcp.aioz.api import media as media_api
from botflix_mcp.aioz.api.base import Flag, Items, Model, OptCount, Text, parse, require, total_of

if TYPE_CHECKING:
    from botflix_mcp.aioz.session import AiozSession

HOST_DEFAULT_NAME = "default-player-theme"  # what the host names a theme created without a name


class Theme(Model):
    main_color: Text = ""
    text_color: Text = ""
    control_bar_background_color: Text = ""
    menu_background_color: Text = ""
    menu_item_background_hover: Text = ""
    text_track_color: Text = ""
    text_track_background: Text = ""
    control_bar_height: Text = ""
    progress_bar_height: Text = ""
    progress_bar_circle_size: Text = ""


class Controls(Model):
    enable_api: Flag = None
    enable_controls: Flag = None
    force_autoplay: Flag = None
    hide_title: Flag = None
    force_loop: Flag = None


class LogoAsset(Model):
    logo_link: Text = ""
    logo_image_link: Text = ""


class PlayerTheme(Model):
    id: Text = ""
    name: Text = ""
    user_id: Text = ""
    is_default: Flag = None
    theme: Theme = Theme()
    controls: Controls = Controls()
    asset: LogoAsset = LogoAsset()
    created_at: Text = ""


class PlayerThemeList(Model):
    player_themes: Items[PlayerTheme] = []
    total: OptCount = None


async def list_players(
    api: AiozSession, *, offset: int = 0, limit: int = 25, search: str | None = None
) -> tuple[list[PlayerTheme], int]:
    """`GET /players`, newest first (the host's default order is ascending). Returns (themes, total)."""
    params: dict[str, Any] = {
        "offset": offset,
        "limit": limit,
        "search": search or None,
        "order_by": "desc",
        "sort_by": "created_at",
    }
    response = await api.request("GET", "/players", params=params)
    page = parse(PlayerThemeList, response.data, method="GET", path="/players")
    return page.player_themes, total_of(page.total, len(page.player_themes), offset)


async def get_player(api: AiozSession, player_id: str) -> PlayerTheme:
    path = f"/players/{player_id}"
    response = await api.request("GET", path)
    return parse(PlayerTheme, response.data, method="GET", path=path, key="player_theme")


async def create_player(api: AiozSession, body: dict[str, Any]) -> PlayerTheme:
    """`POST /players` with `{name?, theme?, controls?, is_default?}` (built and checked by the caller)."""
    response = await api.request("POST", "/players", json=body)
    player = parse(PlayerTheme, response.data, method="POST", path="/players", key="player_theme")
    require(player.id, "player theme id", method="POST", path="/players")
    return player


async def update_player(api: AiozSession, player_id: str, body: dict[str, Any]) -> str:
    path = f"/players/{player_id}"
    response = await api.request("PATCH", path, json=body)
    return response.message or "updated"


async def delete_player(api: AiozSession, player_id: str) -> str:
    path = f"/players/{player_id}"
    response = await api.request("DELETE", path)
    return response.message or "deleted"


async def set_logo(
    api: AiozSession, player_id: str, *, filename: str, data: bytes, mime: str, link: str | None = None
) -> PlayerTheme:
    """`POST /players/{id}/logo` multipart: `file` and, when given, `link` (the URL the logo opens)."""
    path = f"/players/{player_id}/logo"
    form = {"link": link} if link else None
    response = await api.request("POST", path, files={"file": (filename, data, mime)}, data=form)
    return parse(PlayerTheme, response.data, method="POST", path=path, key="player_theme")


async def delete_logo(api: AiozSession, player_id: str) -> str:
    path = f"/players/{player_id}/logo"
    response = await api.request("DELETE", path)
    return response.message or "logo deleted"


async def assign(api: AiozSession, *, media_id: str, player_id: str) -> str:
    """`POST /players/add-player` `{media_id, player_theme_id}`."""
    response = await api.request(
        "POST", "/players/add-player", json={"media_id": media_id, "player_theme_id": player_id}
    )
    return response.message or "assigned"


async def unassign(api: AiozSession, *, media_id: str, player_id: str) -> str:
    """`POST /players/remove-player` `{media_id, player_theme_id}`."""
    response = await api.request(
        "POST", "/players/remove-player", json={"media_id": media_id, "player_theme_id": player_id}
    )
    return response.message or "unassigned"


async def media_using(
    api: AiozSession, player_id: str, *, page_size: int = 100, max_pages: int = 100
) -> list[media_api.Media]:
    """Every media (video and audio: audio is listed only when asked for) whose theme is `player_id`.

    Pages until a short page, the host's `total`, or a page with nothing new (a host that ignores `offset`);
    at most `max_pages` pages per type (AIOZ itself still refuses to delete a theme in use).
    """
    found: dict[str, media_api.Media] = {}
    for media_type in ("video", "audio"):
        offset = 0
        seen: set[str] = set()
        for _ in range(max_pages):
            page = await media_api.list_media(api, offset=offset, limit=page_size, media_type=media_type)
            new = [m for m in page.media if m.id and m.id not in seen]
            seen.update(m.id for m in new)
            found.update((m.id, m) for m in new if m.player_theme_id == player_id)
            offset += len(page.media)
            if not new or len(page.media) < page_size or (page.total is not None and offset >= page.total):
                break
    return list(found.values())
