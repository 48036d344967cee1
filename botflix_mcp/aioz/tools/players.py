"""Players toolset: player themes (colours/sizes normalised), logo (checked from the real image header),
assignment to media, deletion (an assigned theme is explained and can be unassigned first).

Facts that correct the skill (docs/aioz-api.md §players): the logo's link field is `link` (not `logo_link`), and
add-player/remove-player take `{media_id, player_theme_id}` (not `video_id`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from botflix_mcp import files
from botflix_mcp.aioz import rules
from botflix_mcp.aioz.api import players as players_api
from botflix_mcp.aioz.rules.players import CONTROL_KEYS, normalise_player_settings
from botflix_mcp.aioz.session import aioz_session
from botflix_mcp.app import App
from botflix_mcp.errors import BadRequestError, UserInputError
from botflix_mcp.params import ResourceId
from botflix_mcp.paths import resolve_local_path
from botflix_mcp.results import ToolOutput, page_of, to_result
from botflix_mcp.templates import PLAYER_CDN_WARNING, PLAYER_DEFAULT_WARNING
from botflix_mcp.toolkit import Toolkit

TOOLSET = "players"
Id = ResourceId
MAX_PATH = 4096  # a local path (each component is also checked against the OS limit where it is resolved)
ThemeKey = Annotated[str, Field(max_length=64)]
ThemeValue = Annotated[str, Field(max_length=100)] | int | float


LOGO_HINT = "Resize/compress it to at most 200x100 px and 100 KB, as PNG or JPEG."


async def read_logo(file: Path) -> files.LocalImage:
    """The logo file: <= 100 KB by its size on disk (checked before reading), PNG/JPEG <= 200x100 px by its header."""
    logo = await files.read_image(
        file,
        rules.LOGO_MAX_BYTES,
        too_big=lambda n: UserInputError(f"The logo cannot be used: it is {n / 1024:.1f} KB (max 100 KB).", LOGO_HINT),
        not_image=lambda n: UserInputError(
            "The logo is not a JPEG or PNG image (checked from its content, not its name).",
            "Convert it to PNG or JPEG (at most 200x100 px and 100 KB).",
        ),
    )
    width, height = logo.header.width, logo.header.height
    if width is None or height is None:
        raise UserInputError(
            f"The {logo.header.format.upper()} logo has no readable size header (truncated or corrupt).",
            "Export it again.",
        )
    problems = []
    if width > rules.LOGO_MAX_WIDTH or height > rules.LOGO_MAX_HEIGHT:
        problems.append(f"it is {width}x{height} px (max 200x100 px)")
    if width == 0 or height == 0:
        problems.append(f"its header says {width}x{height} px")
    if problems:
        raise UserInputError(f"The logo cannot be used: {' and '.join(problems)}.", LOGO_HINT)
    return logo


def player_line(p: players_api.PlayerTheme) -> str:
    return f"- `{p.id}` **{p.name or '(unnamed)'}**{' (default)' if p.is_default else ''}"


def _data(model: players_api.PlayerTheme) -> dict[str, Any]:
    """What the host sent (fields it left out are not invented as empty strings)."""
    return model.model_dump(mode="json", exclude_unset=True)


def register(kit: Toolkit, app: App) -> None:
    @kit.tool(name="aioz_players", title="List or show player themes", toolset=TOOLSET, read_only=True)
    async def aioz_players(
        ctx: Context,
        action: Literal["list", "get"] = "list",
        player_id: Id | None = None,
        search: Annotated[str | None, Field(max_length=200)] = None,
        offset: Annotated[int, Field(ge=0)] = 0,
        limit: Annotated[int, Field(ge=1, le=100)] = 25,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """List player themes (paged) or get one with its colours, sizes, controls and logo."""
        if action == "get" and not player_id:
            raise UserInputError("player_id is required for 'get'.", "List themes first.")
        api = await aioz_session(ctx, app)
        if action == "get":
            assert player_id is not None
            theme = await players_api.get_player(api, player_id)
            if not theme.id:  # a `null` detail: show the id that was asked for, invent nothing else
                theme = theme.model_copy(update={"id": player_id})
            lines = [player_line(theme)]
            for label, part in (("theme", theme.theme), ("controls", theme.controls), ("logo", theme.asset)):
                shown = ", ".join(
                    f"{k}: {str(v).lower() if isinstance(v, bool) else v}"
                    for k, v in part.model_dump(exclude_unset=True).items()
                    if v not in ("", None)
                )
                lines.append(f"- {label}: {shown or '-'}")
            return to_result(ToolOutput(summary="\n".join(lines), data=_data(theme)))
        items, total = await players_api.list_players(api, offset=offset, limit=limit, search=search)
        lines = [player_line(p) for p in items] or ["(no player themes)"]
        return to_result(
            ToolOutput(
                summary=f"**Player themes** ({total})\n" + "\n".join(lines),
                data=[_data(p) for p in items],
                page=page_of(total, offset, limit, len(items)),
            )
        )

    @kit.tool(
        name="aioz_players_write",
        title="Create, update or assign player themes",
        toolset=TOOLSET,
        read_only=False,
        destructive=True,
        idempotent=False,
    )
    async def aioz_players_write(
        ctx: Context,
        action: Literal["create", "update", "set_logo", "assign", "unassign"],
        player_id: Id | None = None,
        name: Annotated[
            str | None, Field(max_length=255, description="theme name (create without one: 'default-player-theme')")
        ] = None,
        theme: Annotated[
            dict[ThemeKey, ThemeValue] | None,
            Field(
                description="colours (any CSS form -> rgba) and sizes (-> px): main_color, text_color, "
                "control_bar_height..."
            ),
        ] = None,
        controls: Annotated[dict[ThemeKey, bool] | None, Field(description=", ".join(CONTROL_KEYS))] = None,
        is_default: bool | None = None,
        logo_path: Annotated[
            str | None, Field(max_length=MAX_PATH, description="set_logo: local PNG/JPEG <= 100 KB, <= 200x100 px")
        ] = None,
        logo_link: Annotated[str | None, Field(max_length=2000, description="set_logo: URL the logo opens")] = None,
        media_id: Id | None = None,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """create/update a theme (hex, named or rgb() colours become rgba and sizes px automatically; the result
        says what changed), set_logo, or assign/unassign a theme to a media."""
        warnings: list[str] = []
        if action in ("create", "update"):
            body: dict[str, Any] = {}
            if name is not None:
                body["name"] = name
            if theme or controls:  # every colour, size and control problem reported at once
                normalised, notes = normalise_player_settings(theme, controls)
                if theme:
                    body["theme"] = normalised
                    warnings += [f"Converted {n}" for n in notes]
                if controls:
                    body["controls"] = controls
            if is_default is not None:
                body["is_default"] = is_default
            if action == "update" and not player_id:
                raise UserInputError("player_id is required for 'update'.", "List themes first.")
            if action == "update" and not body:
                raise UserInputError("Nothing to update.", "Give name, theme, controls or is_default.")
            if is_default:
                warnings.append(PLAYER_DEFAULT_WARNING)
            if action == "update" or is_default or theme:
                warnings.append(PLAYER_CDN_WARNING)
            api = await aioz_session(ctx, app)
            if action == "create":
                player = await players_api.create_player(api, body)
                summary = f"Created player theme **{player.name or name}** `{player.id}`."
                if name is None:
                    summary += (
                        f' No name was given, so AIOZ named it "{player.name or players_api.HOST_DEFAULT_NAME}"; '
                        "to rename it, call action 'update' with this player_id and a name."
                    )
                return to_result(ToolOutput(summary=summary, data=_data(player), warnings=warnings))
            assert player_id is not None
            message = await players_api.update_player(api, player_id, body)
            summary = f"Updated player theme `{player_id}`: {message}"
            return to_result(ToolOutput(summary=summary, data=body, warnings=warnings))
        if not player_id:
            raise UserInputError(f"player_id is required for {action!r}.", "List themes first.")
        if action == "set_logo":
            if not logo_path:
                raise UserInputError("logo_path is required for set_logo.")
            link = rules.validate_webhook_url(logo_link) if logo_link else None
            file = await resolve_local_path(logo_path, ctx=ctx, settings=app.settings)
            logo = await read_logo(file)  # from the real header, before anything is sent
            api = await aioz_session(ctx, app)
            updated = await players_api.set_logo(
                api, player_id, filename=logo.name, data=logo.data, mime=logo.header.mime, link=link
            )
            size = f"{logo.header.width}x{logo.header.height} px, {logo.size} bytes"
            summary = f"Logo set on `{player_id}` ({logo.header.format}, {size})."
            return to_result(ToolOutput(summary=summary, data=_data(updated), warnings=[PLAYER_CDN_WARNING]))
        if not media_id:
            raise UserInputError(f"media_id is required for {action!r}.")
        api = await aioz_session(ctx, app)
        if action == "assign":
            message = await players_api.assign(api, media_id=media_id, player_id=player_id)
            summary = f"Assigned theme `{player_id}` to `{media_id}`: {message}"
        else:
            message = await players_api.unassign(api, media_id=media_id, player_id=player_id)
            summary = f"Unassigned theme `{player_id}` from `{media_id}`: {message}"
        return to_result(ToolOutput(summary=summary, warnings=[PLAYER_CDN_WARNING]))

    @kit.tool(
        name="aioz_players_delete",
        title="Delete a player theme or its logo",
        toolset=TOOLSET,
        read_only=False,
        destructive=True,
        idempotent=True,
    )
    async def aioz_players_delete(
        ctx: Context,
        player_id: Id,
        target: Literal["theme", "logo"] = "theme",
        unassign_first: Annotated[
            bool, Field(description="theme in use: unassign it from its media first (ask the user)")
        ] = False,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Delete a theme or only its logo. AIOZ refuses to delete a theme assigned to media: the result lists
        them and asks; with unassign_first=true they are unassigned, then the theme is deleted."""
        api = await aioz_session(ctx, app)
        if target == "logo":
            message = await players_api.delete_logo(api, player_id)
            return to_result(ToolOutput(summary=f"Logo removed from `{player_id}`: {message}"))
        users = await players_api.media_using(api, player_id)
        if users and not unassign_first:
            listed = "\n".join(f"- `{m.id}` {m.title}" for m in users[:20])
            return to_result(
                ToolOutput(
                    summary=(
                        f"⚠️ Theme `{player_id}` is assigned to {len(users)} media, and AIOZ cannot delete a theme in "
                        f"use. Nothing was deleted.\n{listed}\nAsk the user whether to unassign it first; if yes, "
                        "call again with unassign_first=true."
                    ),
                    data={"deleted": False, "assigned_to": [m.id for m in users]},
                )
            )
        for media in users:
            await players_api.unassign(api, media_id=media.id, player_id=player_id)
        try:
            message = await players_api.delete_player(api, player_id)
        except BadRequestError as exc:
            raise UserInputError(
                f"AIOZ refused to delete theme {player_id}: {exc.message}",
                "It is probably still assigned to media; retry with unassign_first=true.",
            ) from None
        note = f" (unassigned from {len(users)} media first)" if users else ""
        return to_result(ToolOutput(summary=f"Deleted theme `{player_id}`{note}: {message}"))
