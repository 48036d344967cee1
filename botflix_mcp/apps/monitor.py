"""`aioz_upload_monitor`: the app-only tool the upload monitor polls (`_meta.ui.visibility: ["app"]`).

It returns data only (the app renders it; the model never sees this tool): a job's live part table (the rows of
the skill's progress block, from `Job.parts()`), its state, and once a media id is known the media's encoding
stage (the same status -> template mapping as aioz_media_status), its qualities, the AIOZ player and stream URLs
and the thumbnail. Nothing secret is in it: job titles, states, sizes, public asset URLs.
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from botflix_mcp.app import App
from botflix_mcp.apps import EMBED_ORIGIN, MONITOR_URI, client_supports_apps
from botflix_mcp.apps.live import LiveUploads
from botflix_mcp.errors import UserInputError
from botflix_mcp.results import ToolOutput, to_result
from botflix_mcp.toolkit import Toolkit

NAME = "aioz_upload_monitor"

#: The encoding lifecycle as the skill's templates name it (docs/aioz-api.md §webhooks), in order.
STAGES: tuple[tuple[str, str], ...] = (
    ("file_received", "File received"),
    ("encoding_started", "Encoding started"),
    ("partial_finished", "First quality playable"),
    ("encoding_finished", "Encoding finished"),
)
ASSET_KEYS = ("hls_player_url", "dash_player_url", "hls_url", "dash_url", "mp4_url", "thumbnail_url")


def _http(url: str) -> str | None:
    return url if url.startswith(("https://", "http://")) else None


def job_view(job: Any) -> dict[str, Any]:
    result = job.outcome.data if job.outcome is not None else {}
    return {
        "job_id": job.id,
        "title": job.title,
        "state": job.state,
        "done": job.progress.done if job.progress else 0,
        "total": job.progress.total if job.progress else None,
        "parts": job.parts(),
        "error": job.error,
        "media_id": result.get("media_id") if isinstance(result, dict) else None,
    }


def media_view(media: Any, template: str | None, events: list[Any]) -> dict[str, Any]:
    """The media as the monitor shows it: stages (done / active / pending / failed), qualities, URLs."""
    names = [name for name, _ in STAGES]
    reached = names.index(template) if template in names else (-1 if template != "encoding_failed" else 1)
    stages = []
    for number, (name, label) in enumerate(STAGES):
        if template == "encoding_failed" and number >= 1:
            state = "failed" if number == 1 else "pending"
        elif number < reached or (number == reached and name == "encoding_finished"):
            state = "done"
        elif number == reached:
            state = "active"
        else:
            state = "pending"
        stages.append({"name": name, "label": label, "state": state})
    view: dict[str, Any] = {
        "media_id": media.id,
        "title": media.title,
        "status": media.status,
        "template": template,
        "stages": stages,
        "qualities": [{"name": q.name, "status": q.status} for q in media.qualities],
        "events": [{"type": e.type, "at": e.emitted_at.isoformat()} for e in events[-5:]],
        "assets": {},
    }
    if template in ("partial_finished", "encoding_finished"):  # a failed media's URLs do not play: not offered
        assets = media.assets
        found = {key: _http(str(getattr(assets, key, "") or "")) for key in ASSET_KEYS}
        view["assets"] = {k: v for k, v in found.items() if v}
        view["player_url"] = f"{EMBED_ORIGIN}/vod/hls/{media.id}"
    return view


def register(kit: Toolkit, app: App) -> None:
    @kit.tool(
        name=NAME,
        title="Upload monitor state (app only)",
        toolset="upload",
        read_only=True,
        open_world=True,
        ui=MONITOR_URI,
        visibility=["app"],
    )
    async def aioz_upload_monitor(
        ctx: Context,
        job_id: Annotated[str | None, Field(max_length=64)] = None,
        media_id: Annotated[str | None, Field(pattern=r"^[\w-]{1,100}$", max_length=100)] = None,
        upload: Annotated[
            str | None, Field(max_length=255, description="title of this session's running foreground upload")
        ] = None,
        latest: Annotated[bool, Field(description="this session's latest foreground upload, any title")] = False,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """For the upload monitor app only: an upload job's live part table and a media's encoding stage."""
        from botflix_mcp.aioz.api import media as media_api
        from botflix_mcp.aioz.jobs import jobs_of
        from botflix_mcp.aioz.session import aioz_session
        from botflix_mcp.aioz.tools.upload import cache_dir_of, status_template
        from botflix_mcp.aioz.upload import was_completed
        from botflix_mcp.aioz.webhooks_receiver import events_of
        from botflix_mcp.credentials import session_key

        if not client_supports_apps(ctx):
            raise UserInputError(
                f"{NAME} belongs to the upload monitor app and is offered only to hosts that render MCP Apps.",
                "Follow uploads with aioz_upload_job and encoding with aioz_media_status.",
            )
        if not job_id and not media_id and upload is None and not latest:
            raise UserInputError("Give job_id, media_id or upload.", "Pass the id from the upload's result.")
        data: dict[str, Any] = {"job": None, "media": None, "live": None}
        if upload is not None or latest:
            entry = app.state(LiveUploads).latest(session_key(ctx), None if latest else upload)
            data["live"] = entry.view() if entry is not None else None
        if job_id:
            job = jobs_of(app).get(session_key(ctx), job_id)
            data["job"] = view = job_view(job)
            media_id = media_id or view["media_id"]
            if job.state != "done":
                media_id = None  # the file is not complete yet: nothing is encoding
        if media_id:
            api = await aioz_session(ctx, app)
            media = await media_api.get_media(api, media_id)
            events = events_of(app).events(media_id)
            received = bool(events) or was_completed(cache_dir_of(app), media_id)
            template = status_template(media, events[-1] if events else None, received=received)
            data["media"] = media_view(media, template, events)
        job_state = data["job"]["state"] if data["job"] else (data["live"] or {}).get("state")
        media_state = data["media"]["status"] if data["media"] else None
        summary = f"Upload monitor: job {job_state or '-'}, media {media_state or '-'}."
        return to_result(ToolOutput(summary=summary, data=data))
