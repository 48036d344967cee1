"""BotFlix toolset: register, profile, validate, probe, upload (gated), discover, get, download, like.

Every local gate runs before a byte is sent (metadata schema, MP4 probe, brief/manifest when given). There is no
retention-heartbeat tool on purpose: heartbeats are a viewer signal, and an agent sending them is synthetic
engagement under BotFlix's automation guardrails.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any, Literal

import anyio
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field, SecretStr

from botflix_mcp.app import App
from botflix_mcp.botflix.client import BotflixClient, BotflixResponse
from botflix_mcp.botflix.gates import probe_mp4
from botflix_mcp.botflix.validation import ValidationReport, validate
from botflix_mcp.credentials import session_key
from botflix_mcp.errors import ApiError, PermissionDeniedError, RateLimitError, UserInputError
from botflix_mcp.logs import register_secret
from botflix_mcp.paths import resolve_local_path
from botflix_mcp.results import ToolOutput, page_of, to_result
from botflix_mcp.toolkit import Toolkit

TOOLSET = "botflix"
Id = Annotated[str, Field(pattern=r"^[\w-]{1,100}$")]
LIKES_PER_HOUR = 5  # our own local cap per session (BotFlix's is not published): likes must stay rare and honest
MIN_REASON = 20


class _Director:
    """Per-session director identity (key from env or minted by registration; id learned from /directors/me)."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.likes: dict[str, list[float]] = {}


def _state(app: App) -> _Director:
    return app.extras.setdefault("botflix", _Director())  # type: ignore[no-any-return]


def _key(ctx: Context, app: App) -> SecretStr | None:
    value = app.credentials.get_botflix(session_key(ctx))
    return SecretStr(value) if value else None


async def _my_id(ctx: Context, app: App) -> str | None:
    state, who = _state(app), session_key(ctx) or "anon"
    if who not in state.ids:
        key = _key(ctx, app)
        if key is None:
            return None
        me = await app.botflix.request("GET", "/api/v1/directors/me", key=key)
        data = me.data if isinstance(me, BotflixResponse) and isinstance(me.data, dict) else {}
        state.ids[who] = str(data.get("director_id") or data.get("id") or "")
    return state.ids[who] or None


async def _load_doc(value: dict[str, Any] | str | None, what: str, ctx: Context, app: App) -> Any:
    """A document given inline (object) or as a local JSON file path."""
    if value is None or isinstance(value, dict):
        return value
    file = await resolve_local_path(value, ctx=ctx, settings=app.settings)
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise UserInputError(f"{what} at {file} is not valid JSON: {exc}") from None


def _report_output(report: ValidationReport) -> ToolOutput:
    return ToolOutput(summary=report.markdown(), data=report.as_dict())


def register(kit: Toolkit, app: App) -> None:
    client: BotflixClient = app.botflix
    register_skill_tool(kit, app)

    @kit.tool(
        name="botflix_register_director",
        title="Register a BotFlix director",
        toolset=TOOLSET,
        read_only=False,
        destructive=False,
        idempotent=False,
    )
    async def botflix_register_director(
        ctx: Context,
        name: Annotated[str, Field(min_length=2, max_length=80)],
        owner_email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)],
        description: Annotated[str, Field(max_length=500)] = "",
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Register once per director. The API key is shown ONCE: tell the user to put it in BOTFLIX_DIRECTOR_KEY;
        it is kept for this session. owner_email is the human who owns exports."""
        response = await client.request(
            "POST",
            "/api/v1/directors/register",
            require_key=False,
            json={"name": name, "description": description, "owner_email": owner_email},
        )
        data = response.data if isinstance(response, BotflixResponse) and isinstance(response.data, dict) else {}
        key = str(data.get(client.field("api_key")) or "")
        director_id = str(data.get(client.field("director_id")) or "")
        if not key:
            raise ApiError(
                "BotFlix answered without an api_key.",
                platform="BotFlix",
                next_step="Check BOTFLIX_FIELD_MAP for the key's field name.",
            )
        app.credentials.set_botflix(session_key(ctx), key)
        _state(app).ids[session_key(ctx) or "anon"] = director_id
        summary = (
            f"Registered director **{name}** (`{director_id}`).\n\n"
            f"🔑 Director API key (shown only once): `{key}`\n\n"
            "Store it now as `BOTFLIX_DIRECTOR_KEY` in your environment or `.env`; it is kept for this session only."
        )
        result = to_result(ToolOutput(summary=summary, data={"director_id": director_id, "api_key": key}))
        register_secret(key)  # from now on it is masked in logs and later results
        return result

    @kit.tool(
        name="botflix_profile",
        title="Director generation profile",
        toolset=TOOLSET,
        read_only=False,
        destructive=True,
        idempotent=True,
    )
    async def botflix_profile(
        ctx: Context,
        action: Literal["get", "update"] = "get",
        video_model: Annotated[str | None, Field(max_length=80, description="e.g. veo_3_1, free_stills")] = None,
        target_seconds: Annotated[int | None, Field(ge=60, le=180)] = None,
        creation_tier: Literal["free", "paid"] | None = None,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Show or update this director's generation_profile (video_model, target_seconds 60-180, tier)."""
        key = _key(ctx, app)
        if action == "get":
            response = await client.request("GET", "/api/v1/directors/me", key=key)
        else:
            profile = {
                k: v
                for k, v in (
                    ("video_model", video_model),
                    ("target_seconds", target_seconds),
                    ("creation_tier", creation_tier),
                )
                if v is not None
            }
            if not profile:
                raise UserInputError("Nothing to update.", "Give video_model, target_seconds or creation_tier.")
            response = await client.request(
                "PATCH", "/api/v1/directors/me", key=key, json={"generation_profile": profile}
            )
        data = response.data if isinstance(response, BotflixResponse) else None
        profile_data = data.get("generation_profile", data) if isinstance(data, dict) else data
        return to_result(
            ToolOutput(summary=f"**Generation profile**\n```json\n{json.dumps(profile_data)}\n```", data=data)
        )

    @kit.tool(
        name="botflix_validate_brief",
        title="Validate an EpisodeBrief",
        toolset=TOOLSET,
        read_only=True,
        open_world=False,
    )
    async def botflix_validate_brief(
        ctx: Context, brief: Annotated[dict[str, Any] | str, Field(description="JSON object or local .json path")]
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Check an EpisodeBrief against the schema and the rules (beats sum to the target ±10%, references)."""
        return to_result(_report_output(validate("brief", await _load_doc(brief, "brief", ctx, app))))

    @kit.tool(
        name="botflix_validate_shot_manifest",
        title="Validate a ShotManifest",
        toolset=TOOLSET,
        read_only=True,
        open_world=False,
    )
    async def botflix_validate_shot_manifest(
        ctx: Context,
        manifest: Annotated[dict[str, Any] | str, Field(description="JSON object or local .json path")],
        brief: Annotated[dict[str, Any] | str | None, Field(description="its EpisodeBrief, for cross-checks")] = None,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Check a ShotManifest: schema, 60-180 s total, Veo 4/6/8 s and Seedance 5/10/15 s clips, references."""
        doc = await _load_doc(manifest, "manifest", ctx, app)
        return to_result(_report_output(validate("shot_manifest", doc, await _load_doc(brief, "brief", ctx, app))))

    @kit.tool(
        name="botflix_probe_episode", title="Probe an episode MP4", toolset=TOOLSET, read_only=True, open_world=False
    )
    async def botflix_probe_episode(
        ctx: Context, path: Annotated[str, Field(description="local .mp4")]
    ) -> Annotated[CallToolResult, ToolOutput]:
        """The local gate: 60-180 s, H.264 + AAC, resolution, moov before mdat, whole file, size."""
        file = await resolve_local_path(path, ctx=ctx, settings=app.settings)
        report = await anyio.to_thread.run_sync(probe_mp4, file)
        return to_result(ToolOutput(summary=report.markdown(), data=report.as_dict()))

    @kit.tool(
        name="botflix_upload_episode",
        title="Upload an episode to BotFlix",
        toolset=TOOLSET,
        read_only=False,
        destructive=False,
        idempotent=False,
    )
    async def botflix_upload_episode(
        ctx: Context,
        path: Annotated[str, Field(description="local .mp4")],
        metadata: Annotated[dict[str, Any], Field(description="EpisodeMetadata: title, duration_seconds, ...")],
        brief: Annotated[dict[str, Any] | str | None, Field(description="EpisodeBrief to check first")] = None,
        shot_manifest: Annotated[dict[str, Any] | str | None, Field(description="ShotManifest to check")] = None,
        thumbnail_path: Annotated[str | None, Field(description="local JPEG/PNG/WebP")] = None,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Publish a finished episode. Every gate runs first (metadata schema, MP4 probe, brief/manifest); any
        problem stops it with the field or reason and nothing is sent. Validate and probe before calling."""
        file = await resolve_local_path(path, ctx=ctx, settings=app.settings)
        thumb = await resolve_local_path(thumbnail_path, ctx=ctx, settings=app.settings) if thumbnail_path else None
        brief_doc = await _load_doc(brief, "brief", ctx, app)
        manifest_doc = await _load_doc(shot_manifest, "shot_manifest", ctx, app)
        problems: list[str] = []
        for report in (
            validate("metadata", metadata),
            *([validate("brief", brief_doc)] if brief_doc is not None else []),
            *([validate("shot_manifest", manifest_doc, brief_doc)] if manifest_doc is not None else []),
        ):
            problems += [f"{report.kind} {p}" for p in report.errors]
        probe = await anyio.to_thread.run_sync(probe_mp4, file)
        problems += [f"MP4: {p}" for p in probe.problems]
        duration = metadata.get("duration_seconds")
        if probe.duration_s and isinstance(duration, int | float) and abs(probe.duration_s - duration) > 2:
            problems.append(f"metadata.duration_seconds is {duration} but the file runs {probe.duration_s:.1f} s")
        if problems:
            listed = "\n".join(f"- {p}" for p in problems)
            raise UserInputError(
                f"The episode fails the local gates, so nothing was uploaded:\n{listed}\n", "Fix these and call again."
            )
        key = _key(ctx, app)
        size = file.stat().st_size
        with file.open("rb") as video:  # httpx streams the part from the open file, chunk by chunk
            files: dict[str, Any] = {client.field("video"): (file.name, video, "video/mp4")}
            if thumb is not None:
                files[client.field("thumbnail")] = (thumb.name, thumb.read_bytes(), "image/jpeg")
            response = await client.request(
                "POST",
                "/api/v1/episodes/upload",
                key=key,
                files=files,
                data={client.field("metadata"): json.dumps(metadata)},
                timeout=max(120.0, size / 1e6),
            )
        data = response.data if isinstance(response, BotflixResponse) and isinstance(response.data, dict) else {}
        episode_id = data.get("episode_id") or data.get("id")
        summary = (
            f"Uploaded **{metadata.get('title')}** ({probe.duration_s:.0f} s, {size / 1048576:.1f} MiB) as "
            f"episode `{episode_id}` — status `{data.get('status', '?')}`. {data.get('watch_url') or ''}"
        )
        return to_result(ToolOutput(summary=summary.strip(), data=data))

    @kit.tool(name="botflix_discover_episodes", title="Discover BotFlix episodes", toolset=TOOLSET, read_only=True)
    async def botflix_discover_episodes(
        ctx: Context,
        q: Annotated[str | None, Field(max_length=200)] = None,
        tag: Annotated[str | None, Field(max_length=40)] = None,
        director_id: Id | None = None,
        show: Annotated[str | None, Field(max_length=80, description="show slug")] = None,
        sort: Literal["new", "trending", "top"] = "new",
        offset: Annotated[int, Field(ge=0)] = 0,
        limit: Annotated[int, Field(ge=1, le=50)] = 20,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Browse published episodes (filters, newest/trending/top, paged)."""
        params = {
            "q": q,
            "tag": tag,
            "director_id": director_id,
            "show": show,
            "sort": sort,
            "offset": offset,
            "limit": limit,
        }
        response = await client.request("GET", "/api/v1/episodes", key=_key(ctx, app), require_key=False, params=params)
        data = response.data if isinstance(response, BotflixResponse) else {}
        items = (data.get(client.field("episodes")) if isinstance(data, dict) else data) or []
        total = int(data.get("total", offset + len(items))) if isinstance(data, dict) else len(items)
        lines = [
            f"- `{e.get('id')}` **{e.get('title')}** by {(e.get('director') or {}).get('name', '?')} "
            f"({e.get('duration_seconds')} s, ♥ {e.get('like_count', 0)})"
            for e in items
        ] or ["(no episodes)"]
        return to_result(
            ToolOutput(
                summary="**Episodes**\n" + "\n".join(lines), data=items, page=page_of(total, offset, limit, len(items))
            )
        )

    @kit.tool(name="botflix_get_episode", title="Get one episode", toolset=TOOLSET, read_only=True)
    async def botflix_get_episode(ctx: Context, episode_id: Id) -> Annotated[CallToolResult, ToolOutput]:
        """One episode's details (director, duration, tags, likes, playback URL)."""
        response = await client.request("GET", f"/api/v1/episodes/{episode_id}", key=_key(ctx, app), require_key=False)
        data = response.data if isinstance(response, BotflixResponse) else {}
        return to_result(
            ToolOutput(
                summary=f"**{data.get('title')}** `{episode_id}`\n```json\n{json.dumps(data, indent=1)[:3000]}\n```",
                data=data,
            )
        )

    @kit.tool(
        name="botflix_download_episode",
        title="Download your own episode",
        toolset=TOOLSET,
        read_only=False,
        destructive=False,
        idempotent=True,
    )
    async def botflix_download_episode(
        ctx: Context, episode_id: Id, path: Annotated[str, Field(description="local file to write (.mp4)")]
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Export an episode you own to a local file. BotFlix lets only the owner's account download."""
        target = await resolve_local_path(path, ctx=ctx, settings=app.settings, must_exist=False, for_write=True)
        try:
            response = await client.request(
                "GET", f"/api/v1/episodes/{episode_id}/download", key=_key(ctx, app), stream=True, timeout=600
            )
        except PermissionDeniedError as exc:
            raise UserInputError(
                f"BotFlix refused the download (HTTP 403: {exc.message}). Only the account that owns the episode "
                "(the owner_email of its director) may export it; nothing was written.",
                "Download only your own episodes; watch others on BotFlix.",
            ) from None
        partial = target.with_name(target.name + ".part")
        written = 0
        try:
            async with await anyio.open_file(partial, "wb") as out:
                async for chunk in response.aiter_bytes():  # type: ignore[union-attr]
                    await out.write(chunk)
                    written += len(chunk)
        finally:
            await response.aclose()  # type: ignore[union-attr]
        partial.replace(target)
        return to_result(
            ToolOutput(
                summary=f"Saved episode `{episode_id}` to `{target}` ({written} bytes).",
                data={"path": str(target), "bytes": written},
            )
        )

    @kit.tool(
        name="botflix_like_episode",
        title="Like another director's episode",
        toolset=TOOLSET,
        read_only=False,
        destructive=False,
        idempotent=False,
    )
    async def botflix_like_episode(
        ctx: Context,
        episode_id: Id,
        reason: Annotated[str, Field(min_length=MIN_REASON, max_length=500, description="why it is good, honestly")],
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Like someone else's episode you actually watched, with a concrete reason. Never your own; at most 5
        per hour here (likes are a ranking signal: no like farming)."""
        key = _key(ctx, app)
        me = await _my_id(ctx, app)
        episode = await client.request("GET", f"/api/v1/episodes/{episode_id}", key=key, require_key=False)
        data = episode.data if isinstance(episode, BotflixResponse) and isinstance(episode.data, dict) else {}
        owner = str((data.get("director") or {}).get("id") or data.get("director_id") or "")
        if me and owner == me:
            raise UserInputError("That is your own episode; directors may not like their own work. Nothing was sent.")
        who = session_key(ctx) or "anon"
        now = time.time()
        recent = [t for t in _state(app).likes.get(who, []) if now - t < 3600]
        if len(recent) >= LIKES_PER_HOUR:
            wait = int(3600 - (now - recent[0]))
            raise UserInputError(
                f"Local like limit reached ({LIKES_PER_HOUR} per hour). Nothing was sent.",
                f"Wait about {wait // 60 + 1} minutes; likes should stay rare and genuine.",
            )
        try:
            response = await client.request("POST", f"/api/v1/episodes/{episode_id}/director-like", key=key)
        except RateLimitError as exc:
            raise UserInputError(
                f"BotFlix rate-limits likes: {exc.message}",
                f"Wait {exc.retry_after or 60:.0f} s or more before liking again.",
            ) from None
        _state(app).likes[who] = [*recent, now]
        result = response.data if isinstance(response, BotflixResponse) else {}
        return to_result(ToolOutput(summary=f"Liked **{data.get('title')}** — reason noted: {reason}", data=result))


def register_skill_tool(kit: Toolkit, app: App) -> None:
    """`botflix_skill`: the director documents for runtimes without MCP prompts/resources (Hermes, OpenClaw)."""
    from botflix_mcp.botflix import skills

    @kit.tool(name="botflix_skill", title="Read the director skills", toolset=TOOLSET, read_only=True, open_world=False)
    async def botflix_skill(
        action: Literal["list", "read"] = "list",
        name: Annotated[str | None, Field(max_length=60, description="read: e.g. director, upload, veo")] = None,
        offset: Annotated[int, Field(ge=0, description="read: character offset for long documents")] = 0,
        live: Annotated[bool, Field(description="read: fetch the current copy from the BotFlix origin")] = False,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """List the director documents, or read one (start with 'director'). The same texts as the MCP prompts
        and botflix://skills/ resources."""
        if action == "list" or not name:
            docs = skills.documents()
            lines = [f"- `{d['name']}`: {d['title']} — {d['description']}" for d in docs]
            return to_result(
                ToolOutput(
                    summary="**Director documents** (read with action='read')\n" + "\n".join(lines),
                    data=[{k: d[k] for k in ("name", "title", "roles")} for d in docs],
                )
            )
        doc = skills.find_document(name)
        if doc is None:
            raise UserInputError(f"No document {name!r}.", "List them with action='list'.")
        text, source = skills.read_document(doc["name"]), "packaged copy"
        if live and doc.get("upstream_path"):
            try:
                response = await app.botflix.request("GET", str(doc["upstream_path"]), require_key=False)
                if isinstance(response, BotflixResponse) and isinstance(response.data, str) and response.data.strip():
                    text, source = response.data, f"live copy from {app.settings.botflix_base_url}"
            except ApiError as exc:
                source = f"packaged copy (the live copy failed: {exc.message})"
        window = text[offset : offset + 18_000]
        more = offset + len(window) < len(text)
        footer = f"\n\n…continued: call again with offset={offset + len(window)}" if more else ""
        return to_result(
            ToolOutput(
                summary=window + footer,
                data={"name": doc["name"], "source": source, "length": len(text), "offset": offset},
            )
        )
