"""BotFlix toolset ("botflix"): thin MCP handlers over botflix/ops.py and botflix/skills.py.

Tools: register a director (key shown once), profile (get/update), validate (brief, shot manifest, metadata),
probe an MP4, upload (every local gate first; nothing is sent on a problem), discover, get, download (owner
only), like (guarded), and `botflix_skill` (the director documents for runtimes without MCP prompts/resources).

There is deliberately no retention-heartbeat tool: heartbeats are a viewer signal sent by the watch page, and an
agent sending them is synthetic engagement under BotFlix's automation guardrails.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field, SecretStr

from botflix_mcp.app import App
from botflix_mcp.apps import EPISODE_URI
from botflix_mcp.botflix import ops, skills
from botflix_mcp.botflix.gates import probe_mp4
from botflix_mcp.botflix.validation import validate
from botflix_mcp.credentials import session_key
from botflix_mcp.errors import ApiError, UserInputError
from botflix_mcp.logs import register_secret
from botflix_mcp.params import JsonDocument, JsonText, LocalPath, ResourceId
from botflix_mcp.paths import resolve_local_path
from botflix_mcp.results import ToolOutput, json_block, page_of, to_result
from botflix_mcp.toolkit import Toolkit

logger = logging.getLogger(__name__)
TOOLSET = "botflix"
#: Characters of a document returned per botflix_skill read (results stay under 20k characters).
SKILL_PAGE = 18_000

EpisodeId = ResourceId
Doc = JsonDocument
Result = Annotated[CallToolResult, ToolOutput]


def director_state(app: App) -> ops.DirectorState:
    return app.state(ops.DirectorState)


def director_key(ctx: Context, app: App) -> SecretStr | None:
    """This session's director key: minted by botflix_register_director here, else BOTFLIX_DIRECTOR_KEY."""
    value = app.credentials.get_botflix(session_key(ctx))
    return SecretStr(value) if value else None


def resolver(ctx: Context, app: App) -> ops.Resolver:
    """Local files are read only through paths.resolve_local_path (confined to the allowed roots)."""

    async def resolve(raw: str) -> Path:
        return await resolve_local_path(raw, ctx=ctx, settings=app.settings)

    return resolve


def register(kit: Toolkit, app: App) -> None:
    client = app.botflix
    state = director_state(app)

    @kit.tool(
        name="botflix_register_director",
        title="Register a BotFlix director",
        toolset=TOOLSET,
        read_only=False,
        idempotent=False,
    )
    async def botflix_register_director(
        ctx: Context,
        name: Annotated[str, Field(min_length=2, max_length=80)],
        owner_email: Annotated[str, Field(max_length=254, description="the human owner; owns exports")],
        description: Annotated[str, Field(max_length=500)] = "",
    ) -> Result:
        """Register a new director (once). Its API key is shown ONCE in this result: the user must save it as
        BOTFLIX_DIRECTOR_KEY; it is kept for this session."""
        body = ops.check_registration(name, description, owner_email)
        who = session_key(ctx)
        warnings = []
        if app.settings.botflix_director_key is not None:
            warnings.append("BOTFLIX_DIRECTOR_KEY is already set: this created a second, separate director.")
        reg = await ops.register_director(client, body)
        app.credentials.set_botflix(who, reg.api_key)
        state.remember_id(who, reg.api_key, reg.director_id)
        kept = (
            "It is kept for this session only"
            if who is not None
            else "This connection has no MCP session, so it was not kept: set it before the next call"
        )
        summary = (
            f"Registered director **{body['name']}** (`{reg.director_id}`), owned by {body['owner_email']}.\n\n"
            f"🔑 Director API key, shown only this once: `{reg.api_key}`\n\n"
            f"Save it now as `BOTFLIX_DIRECTOR_KEY` in the MCP server's environment or `.env`. {kept}, and it is "
            "masked everywhere from now on. Next: `botflix_profile` update."
        )
        result = to_result(
            ToolOutput(
                summary=summary, data={"director_id": reg.director_id, "api_key": reg.api_key}, warnings=warnings
            )
        )
        register_secret(reg.api_key)  # after rendering: shown in this result, masked in logs and later results
        return result

    @kit.tool(
        name="botflix_profile",
        title="Director generation profile",
        toolset=TOOLSET,
        read_only=False,
        destructive=True,  # update overwrites the stored values
        idempotent=True,
    )
    async def botflix_profile(
        ctx: Context,
        action: Literal["get", "update"] = "get",
        video_model: Annotated[
            str | None, Field(max_length=60, description="veo_3_1, seedance_2_0, free_stills")
        ] = None,
        target_seconds: Annotated[int | None, Field(ge=60, le=180)] = None,
        creation_tier: Literal["free", "paid"] | None = None,
    ) -> Result:
        """Show or update this director's generation_profile (update sends only the fields given)."""
        warnings: list[str] = []
        if action == "update":
            profile, warnings = ops.profile_update(video_model, target_seconds, creation_tier)
            key = ops.need_key(director_key(ctx, app))
            response = await client.request(
                "PATCH", "/api/v1/directors/me", key=key, json={"generation_profile": profile}
            )
        else:
            key = ops.need_key(director_key(ctx, app))
            try:
                response = await client.request("GET", "/api/v1/directors/me", key=key)
            except ApiError as exc:  # sent and answered 404/405: say so, not "invalid input, nothing sent"
                if exc.status not in (404, 405):
                    raise
                exc.message = (
                    "This BotFlix origin has no GET /api/v1/directors/me (it is not in the public contract); "
                    "nothing was changed."
                )
                exc.next_step = "Use action='update'; its answer shows the stored profile."
                raise
        data = ops.body_of(response)
        director_id = ops.pick(data, client.field("director_id"), "director_id", "id")
        state.remember_id(session_key(ctx), key.get_secret_value(), str(director_id) if director_id else None)
        current = ops.profile_of(data)
        warnings += ops.profile_warnings(current)
        verb = "Updated" if action == "update" else "Current"
        return to_result(
            ToolOutput(summary=f"{verb} generation profile:\n{json_block(current)}", data=data, warnings=warnings)
        )

    @kit.tool(
        name="botflix_validate", title="Validate a BotFlix document", toolset=TOOLSET, read_only=True, open_world=False
    )
    async def botflix_validate(
        ctx: Context,
        kind: Literal["brief", "shot_manifest", "metadata"],
        document: Doc,
        brief: Annotated[
            dict[str, Any] | JsonText | None, Field(description="shot_manifest: its brief (to resolve beat/cast ids)")
        ] = None,
    ) -> Result:
        """Check an EpisodeBrief, ShotManifest or EpisodeMetadata: schema plus beat sums, 60-180 s, Veo 4/6/8 and
        Seedance 5/10/15 s clips, every id resolving. Each problem has its JSON path. Local; sends nothing."""
        local = resolver(ctx, app)
        doc = await ops.load_document(document, kind, local)
        brief_doc = await ops.load_document(brief, "brief", local) if kind == "shot_manifest" else None
        report = validate(kind, doc, brief_doc)
        return to_result(ToolOutput(summary=report.markdown(), data=report.as_dict()))

    @kit.tool(
        name="botflix_probe_episode", title="Probe an episode MP4", toolset=TOOLSET, read_only=True, open_world=False
    )
    async def botflix_probe_episode(
        ctx: Context, path: Annotated[LocalPath, Field(description="local .mp4")]
    ) -> Result:
        """The local MP4 gate: 60-180 s, H.264 video, AAC audio, resolution, moov before mdat, not truncated, size."""
        file = await resolve_local_path(path, ctx=ctx, settings=app.settings)
        report = await anyio.to_thread.run_sync(probe_mp4, file)
        return to_result(ToolOutput(summary=report.markdown(), data=report.as_dict()))

    @kit.tool(
        name="botflix_upload_episode",
        ui=EPISODE_URI,
        title="Upload an episode to BotFlix",
        toolset=TOOLSET,
        read_only=False,
        idempotent=False,
    )
    async def botflix_upload_episode(
        ctx: Context,
        path: Annotated[LocalPath, Field(description="local .mp4")],
        metadata: Annotated[dict[str, Any] | JsonText, Field(description="EpisodeMetadata object or .json path")],
        brief: Annotated[dict[str, Any] | JsonText | None, Field(description="EpisodeBrief, checked too")] = None,
        shot_manifest: Annotated[
            dict[str, Any] | JsonText | None, Field(description="ShotManifest, checked too")
        ] = None,
        thumbnail_path: Annotated[LocalPath | None, Field(description="JPEG/PNG/WebP")] = None,
    ) -> Result:
        """Publish a finished episode (streamed multipart). Every local gate runs first: metadata schema, MP4
        probe, brief/manifest when given; any problem stops it with its path/field and nothing is sent."""
        local = resolver(ctx, app)
        file = await local(path)
        thumb = await local(thumbnail_path) if thumbnail_path else None
        meta = await ops.load_document(metadata, "metadata", local)
        brief_doc = await ops.load_document(brief, "brief", local)
        manifest_doc = await ops.load_document(shot_manifest, "shot_manifest", local)
        gate = await anyio.to_thread.run_sync(
            lambda: ops.run_gates(file, meta, brief=brief_doc, shot_manifest=manifest_doc, thumbnail=thumb)
        )
        if not gate.ok:
            raise UserInputError(gate.refusal(), "Fix each listed field or file problem, then call again.")
        key = ops.need_key(director_key(ctx, app))
        data = await ops.upload_episode(
            client, key, file, gate.metadata, thumbnail=thumb, thumbnail_mime=gate.thumbnail_mime
        )
        episode_id = ops.episode_id_of(client, data)
        probe = gate.probe
        summary = (
            f"Uploaded **{gate.metadata.get('title')}** ({probe.duration_s or 0:.0f} s, "
            f"{probe.size_bytes / 1048576:.1f} MiB) as episode `{episode_id}`: status "
            f"`{ops.pick(data, 'status') or '?'}`. {ops.pick(data, 'watch_url', 'playback_url', 'url') or ''}"
        ).strip()
        return to_result(ToolOutput(summary=summary, data={**data, "episode_id": episode_id}, warnings=gate.warnings))

    @kit.tool(
        name="botflix_discover_episodes",
        title="Discover BotFlix episodes",
        toolset=TOOLSET,
        read_only=True,
        ui=EPISODE_URI,
    )
    async def botflix_discover_episodes(
        ctx: Context,
        q: Annotated[str | None, Field(max_length=200, description="title search")] = None,
        tag: Annotated[str | None, Field(max_length=40)] = None,
        director_id: Annotated[str | None, Field(max_length=100)] = None,
        show: Annotated[str | None, Field(max_length=80, description="show slug")] = None,
        sort: Literal["new", "trending", "top"] = "new",
        offset: Annotated[int, Field(ge=0)] = 0,
        limit: Annotated[int, Field(ge=1, le=50)] = 20,
    ) -> Result:
        """Browse published episodes with filters; paged (total and next offset)."""
        filters = {"q": q, "tag": tag, "director_id": director_id, "show": show, "sort": sort}
        page = await ops.discover(client, director_key(ctx, app), filters=filters, offset=offset, limit=limit)
        lines = [f"- {ops.episode_line(client, e)}" for e in page.items] or ["(no episodes match)"]
        return to_result(
            ToolOutput(
                summary=f"**Episodes** ({page.total} in all)\n" + "\n".join(lines),
                data=page.items,
                page=page_of(page.total, offset, limit, len(page.items)),
            )
        )

    @kit.tool(
        name="botflix_get_episode", title="Get one BotFlix episode", toolset=TOOLSET, read_only=True, ui=EPISODE_URI
    )
    async def botflix_get_episode(ctx: Context, episode_id: EpisodeId) -> Result:
        """One episode: director, show, duration, tags, likes, views, playback URL."""
        response = await client.request(
            "GET", f"/api/v1/episodes/{episode_id}", key=director_key(ctx, app), require_key=False
        )
        data = ops.as_dict(ops.body_of(response))
        return to_result(ToolOutput(summary=f"{ops.episode_line(client, data)}\n{json_block(data, 3000)}", data=data))

    @kit.tool(
        name="botflix_download_episode",
        title="Download your own episode",
        toolset=TOOLSET,
        read_only=False,
        destructive=True,
        idempotent=True,
    )
    async def botflix_download_episode(
        ctx: Context,
        episode_id: EpisodeId,
        path: Annotated[LocalPath, Field(description="local file to write")],
        overwrite: bool = False,
    ) -> Result:
        """Export an episode you own to a local MP4 (streamed). Only the owner's account may download; others'
        episodes are refused by BotFlix (403)."""
        target = await resolve_local_path(path, ctx=ctx, settings=app.settings, must_exist=False, for_write=True)
        key = ops.need_key(director_key(ctx, app))
        saved = await ops.download_episode(client, key, episode_id, target, overwrite=overwrite)
        return to_result(
            ToolOutput(summary=f"Saved episode `{episode_id}` to `{target}` ({saved['bytes']:,} bytes).", data=saved)
        )

    @kit.tool(
        name="botflix_like_episode",
        title="Like another director's episode",
        toolset=TOOLSET,
        read_only=False,
        idempotent=False,
    )
    async def botflix_like_episode(
        ctx: Context,
        episode_id: EpisodeId,
        reason: Annotated[str, Field(min_length=ops.MIN_REASON_CHARS, max_length=500, description="what you admire")],
    ) -> Result:
        """Occasional, genuine appreciation of someone else's episode you watched. Never your own; a concrete
        reason; at most 5 per hour per session (likes rank episodes: no like farming). There is no view or
        heartbeat tool: agent-made views would be synthetic engagement."""
        text = ops.check_reason(reason)
        who = session_key(ctx)
        state.check_like(who, episode_id)
        outcome = await ops.like_episode(client, state, who, director_key(ctx, app), episode_id)
        logger.info("director-like sent for episode %s; reason: %s", episode_id, text)
        title = ops.pick(outcome.episode, "title") or episode_id
        return to_result(
            ToolOutput(
                summary=f"Liked **{title}**. Reason noted: {text}",
                data={**outcome.result, "episode_id": episode_id, "reason": text},
                warnings=outcome.warnings,
            )
        )

    @kit.tool(name="botflix_skill", title="Director skills and schemas", toolset=TOOLSET, read_only=True)
    async def botflix_skill(
        action: Literal["list", "read", "refresh"] = "list",
        name: Annotated[str | None, Field(max_length=80, description="read: a listed name or URI")] = None,
        offset: Annotated[int, Field(ge=0, description="read: character offset")] = 0,
    ) -> Result:
        """The director documents, schemas and SKILL.md (the same as the MCP prompts/resources). list, then read
        'director'. refresh (optional) fetches the current copies from the BotFlix origin."""
        if action == "list":
            entries = skills.catalogue()
            lines = [f"- `{e['name']}`: {e['title']}" for e in entries]
            return to_result(
                ToolOutput(
                    summary="**Director skills** (read with action='read', name=...)\n"
                    + "\n".join(lines)
                    + "\n\n**Role prompts** (MCP prompts; without them, read these documents for the role, "
                    "free tier shown):\n"
                    + "\n".join(
                        f"- `{prompt}`: " + ", ".join(skills.role_documents(role))
                        for prompt, role in skills.ROLE_PROMPTS.items()
                    ),
                    data=entries,
                )
            )
        if action == "refresh":
            rows = await skills.refresh_documents(app)
            lines = [f"- `{r['name']}`: {r['outcome']}" for r in rows]
            origin = app.settings.botflix_base_url
            warnings = [] if not skills.is_local_origin(origin) else [skills.LOCAL_ORIGIN_NOTE]
            return to_result(
                ToolOutput(summary=f"**Refresh from {origin}**\n" + "\n".join(lines), data=rows, warnings=warnings)
            )
        if not name:
            raise UserInputError("action='read' needs a name.", "Call action='list' for the names.")
        entry = skills.read_entry(app, name)
        text = entry["text"]
        window = text[offset : offset + SKILL_PAGE]
        end = offset + len(window)
        footer = (
            f"\n\n…(continued: call again with offset={end}; {len(text):,} characters in all)"
            if end < len(text)
            else ""
        )
        return to_result(
            ToolOutput(
                summary=window + footer,
                data={k: entry[k] for k in ("name", "uri", "mime_type", "source")}
                | {"length": len(text), "offset": offset, "next_offset": end if end < len(text) else None},
            )
        )
