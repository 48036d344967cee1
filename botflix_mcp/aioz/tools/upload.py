"""Upload toolset: upload a file (progress + the skill's templates), background jobs, encoding status, retry.

Handlers are thin: they validate, take the session (`aioz_session`), then call the plain functions of
`aioz/upload.py` (engine), `aioz/jobs.py` (background jobs), `aioz/media_ops.py` (create with the cost check),
the API layer (`aioz/api/media.py`) and `aioz/webhooks_receiver.py` (events); renderers read the `Media` model.
Status -> template mapping (`status_template`, documented there).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import mimetypes
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import anyio
from mcp import MCPDeprecationWarning
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import Field

from botflix_mcp.aioz import media_ops
from botflix_mcp.aioz.api import media as media_api
from botflix_mcp.aioz.api.media import Cost, Media
from botflix_mcp.aioz.jobs import Job, JobOutcome, jobs_of
from botflix_mcp.aioz.media_ops import QualitySpec, quality_body
from botflix_mcp.aioz.session import AiozSession, aioz_session
from botflix_mcp.aioz.upload import (
    MIB,
    MIN_PART_SIZE,
    Journal,
    Progress,
    ProgressListener,
    UploadReport,
    file_identity,
    journal_key,
    source_of,
    upload_file,
    was_completed,
)
from botflix_mcp.aioz.webhooks_receiver import WebhookEvent, ensure_webhook, events_of, receiver_url
from botflix_mcp.app import App
from botflix_mcp.apps import MONITOR_URI
from botflix_mcp.apps.live import live_listener
from botflix_mcp.cache import default_cache_dir
from botflix_mcp.credentials import session_key
from botflix_mcp.errors import UserInputError
from botflix_mcp.params import ResourceId
from botflix_mcp.results import ToolOutput, to_result
from botflix_mcp.templates import render_webhook_event
from botflix_mcp.toolkit import Toolkit
from botflix_mcp.url_source import check_url, download

logger = logging.getLogger(__name__)

TOOLSET = "upload"
Id = ResourceId
#: Longest source accepted (a local path up to PATH_MAX, or a URL); path components are checked by paths.py.
SOURCE_MAX = 4096
Tag = Annotated[str, Field(max_length=255)]
Metadata = dict[Annotated[str, Field(max_length=255)], Annotated[str, Field(max_length=1000)]]
QualityItem = Annotated[str, Field(max_length=16)] | QualitySpec
AUDIO_SUFFIXES = {".mp3", ".m4a", ".aac", ".wav", ".flac", ".ogg", ".oga", ".opus", ".wma", ".aiff", ".aif"}
#: Qualities AIOZ applies when media is created without any (docs/aioz-api.md §media): the retry's cost check when
#: the failed media lists none.
DEFAULT_QUALITIES = {"video": ["360p", "720p", "1080p"], "audio": ["standard"]}
MAX_WAIT = 600
FINAL_STATUSES = {"done", "fail"}


# --------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class Source:
    """A resolved upload source: a local file, or a URL to stream into the cache first."""

    shown: str
    path: Path | None = None
    url: str | None = None
    guard: bool = False  # re-check every redirect hop against private networks (shared HTTP server)


def is_url(raw: str) -> bool:
    return raw.strip().lower().startswith(("http://", "https://"))


def _over_http(ctx: Context | None) -> bool:
    try:
        return ctx is not None and ctx.headers is not None
    except Exception:
        return False


async def resolve_source(raw: str, ctx: Context | None, app: App) -> Source:
    """A local path (absolute, `~`, `file://`, Windows paths recognised) or an http(s) URL."""
    if is_url(raw):
        over_http = _over_http(ctx)
        url = await anyio.to_thread.run_sync(lambda: check_url(raw, over_http=over_http))
        return Source(raw.strip(), url=url, guard=over_http)
    from botflix_mcp.paths import resolve_local_path  # root confinement, file:// and Windows paths (issue 6 §2)

    path = await resolve_local_path(raw, ctx=ctx, settings=app.settings)
    size = path.stat().st_size
    if size == 0:
        raise UserInputError(f"{raw} is empty; there is nothing to upload.", "Check that the file was fully written.")
    return Source(raw.strip(), path=path)


def cache_dir_of(app: App) -> Path:
    return app.settings.cache_dir or default_cache_dir()


def download_path(app: App, url: str) -> Path:
    suffix = Path(urlsplit(url).path).suffix[:8] or ".bin"
    return cache_dir_of(app) / "downloads" / (hashlib.sha256(url.encode()).hexdigest()[:24] + suffix)


def guess_media_type(name: str) -> str:
    suffix = Path(urlsplit(name).path if is_url(name) else name).suffix.lower()
    mime = mimetypes.guess_type("x" + suffix)[0] or ""
    return "audio" if suffix in AUDIO_SUFFIXES or mime.startswith("audio/") else "video"


def default_title(source: Source) -> str:
    name = Path(urlsplit(source.url).path).name if source.url else (source.path.name if source.path else "")
    return (Path(name).stem or "Untitled upload")[:255]


# --------------------------------------------------------------------------- progress out


async def _send_block(ctx: Context, block: str) -> None:
    """The full progress block as an MCP log message, live, when this client asked for log messages."""
    try:
        from botflix_mcp import protocol

        wanted = protocol._wanted_level(ctx.request_context)
        if wanted is None or wanted > logging.INFO:
            return
        with warnings.catch_warnings():  # MCP logging is deprecated by SEP-2577, still shown by 2025-era hosts
            warnings.simplefilter("ignore", MCPDeprecationWarning)
            await ctx.request_context.session.send_log_message(
                level="info", data=block, logger="botflix_mcp.upload", related_request_id=ctx.request_id
            )
    except Exception as exc:  # best effort: the progress notification is the contract
        logger.debug("progress block not sent: %s", type(exc).__name__)


def progress_forwarder(ctx: Context) -> ProgressListener:
    """After each acknowledged chunk: a progress notification (done, total, one line) and the full block.

    "live" snapshots (a part sent, a part failed) change only the block a job's status shows; a client gets a
    notification per stored chunk, never more."""

    async def forward(progress: Progress) -> None:
        if progress.kind != "stored":
            return
        await ctx.report_progress(progress.done, progress.total, progress.message)
        await _send_block(ctx, progress.block)

    return forward


# --------------------------------------------------------------------------- upload flow


@dataclass
class UploadRequest:
    source: Source
    title: str
    media_type: str
    body: dict[str, Any]  # POST /media/create body
    chunk_size: int
    fresh: bool = False  # drop a journal for this file first (retry: a new media)
    duration: float | None = None  # seconds, when known without probing the file
    cost: Cost | None = None  # a cost answer obtained just before for these qualities
    target: Media | None = None  # upload into this existing media (status `new`) instead of creating one
    probed: bool = False  # the file was probed already (local sources: in the handler, before anything else)
    kind_guessed: bool = False  # media_type came from the name, not the caller: the probe may correct it


def failure_text(report: UploadReport) -> str:
    return (
        f"{report.block}\n\n❌ Upload stopped: {report.error}. `/complete` was NOT called. Parts already stored are "
        f"kept on media `{report.media_id}`: run the same upload again to resume and send only the missing parts."
    )


async def local_copy(app: App, source: Source) -> Path:
    """The file to upload: the local path, or the URL streamed into the cache first (kept until the upload ends)."""
    if source.url is not None:
        target = download_path(app, source.url)
        if not target.exists():
            await download(source.url, target, timeout=app.settings.http_timeout, guard=source.guard)
        return target
    assert source.path is not None
    return source.path


async def run_upload(app: App, api: AiozSession, req: UploadRequest, listener: ProgressListener | None) -> UploadReport:
    """Download a URL source if needed, then create (cost check) / resume, upload every part, complete."""
    settings = app.settings
    path = await local_copy(app, req.source)
    cache = cache_dir_of(app)
    if req.fresh:
        ident = await anyio.to_thread.run_sync(file_identity, path)
        Journal.location(cache, journal_key(api.client.base_url, api.creds.fingerprint, ident)).unlink(missing_ok=True)
    if not req.probed:  # a URL source: probed once downloaded, still before anything is created
        info = await media_ops.probe_upload(path, req.source.shown, None if req.kind_guessed else req.media_type)
        if req.kind_guessed and info.kind and info.kind != req.media_type and not req.body.get("qualities"):
            req.media_type = req.body["type"] = info.kind
        req.duration = req.duration or info.duration_s
        req.probed = True
    duration = req.duration
    target = req.target
    names = target.quality_names if target is not None else media_ops.quality_names(req.body.get("qualities"))

    async def create() -> Media:
        if target is not None:  # nothing to create; its transcode still costs: checked like a create's
            if names and req.cost is None:
                await media_ops.check_cost(
                    api,
                    media_type=target.type or req.media_type,
                    qualities=names,
                    duration=media_ops.need_duration(duration),
                )
            return target
        media, _ = await media_ops.create_media(api, req.body, duration=duration, cost=req.cost)
        return media

    report = await upload_file(
        api,
        path,
        title=req.title,
        media_type=req.media_type,
        create_media=create,
        chunk_size=req.chunk_size,
        parallel=settings.upload_parallel,
        cache_dir=cache,
        retry=app.retry,
        complete_timeout=settings.complete_timeout,
        on_progress=listener,
        target_id=target.id if target is not None else None,
    )
    if report.ok and req.source.url is not None:
        with contextlib.suppress(OSError):
            path.unlink()
    return report


def report_output(report: UploadReport, prefix: str = "") -> ToolOutput:
    text = report.text if report.ok else failure_text(report)
    return ToolOutput(summary=prefix + text, data=report.data())


async def run_or_start_job(
    ctx: Context,
    app: App,
    *,
    kind: str,
    title: str,
    wait_seconds: int | None,
    work: Callable[[ProgressListener], Awaitable[ToolOutput]],
) -> CallToolResult:
    """Foreground (`wait_seconds` None): run here, with progress. Else a background job; wait up to the limit."""
    if wait_seconds is None:
        output = await work(live_listener(ctx, app, title, progress_forwarder(ctx)))  # the monitor app follows it
        if not output.data or output.data.get("ok") is False:
            raise ToolError(output.summary)
        return to_result(output)

    async def job_work(listener: ProgressListener) -> JobOutcome:
        output = await work(listener)
        ok = bool(output.data and output.data.get("ok"))
        return JobOutcome(ok, output.summary, dict(output.data or {}), None if ok else (output.data or {}).get("error"))

    registry = jobs_of(app)
    job = registry.start(session_key(ctx), kind=kind, title=title, work=job_work)
    await registry.wait(job, float(wait_seconds), progress_forwarder(ctx))
    return job_result(job)


def job_result(job: Job) -> CallToolResult:
    data = job.summary()
    if job.state == "running":
        text = (
            f"{job.text()}\n\n⏳ The upload continues in the background as job `{job.id}`. Call aioz_upload_job with "
            f'action "status", job_id "{job.id}" and wait_seconds (up to {MAX_WAIT}) to follow it; "cancel" stops it.'
        )
        return to_result(ToolOutput(summary=text, data=data))
    if job.state == "done":
        return to_result(ToolOutput(summary=job.text(), data=data))
    raise ToolError(job.text())


# --------------------------------------------------------------------------- status -> template


ACTIVE_QUALITY = {"transcoding", "processing", "encoding", "running", "uploading", "uploaded"}
RECEIVED_TEMPLATES = {"file_received", "encoding_started", "partial_finished"}


def status_template(media: Media, latest: WebhookEvent | None = None, *, received: bool = False) -> str | None:
    """Which skill template describes this media now (None: no file was received yet).

    Mapping (public statuses, docs/aioz-api.md §media; webhook events §webhooks):
    - `fail` -> encoding_failed; `done` -> encoding_finished;
    - `transcoding` (AIOZ reports its internal waiting/uploading/transcoding states all as this):
      some quality `done` -> partial_finished; a quality being transcoded -> encoding_started; qualities listed but
      none started -> file_received (queued); no quality detail -> the latest webhook event's template if it is
      one of those three, else encoding_started;
    - `new`: file_received once the file is known to be in (`received`: this server completed its upload, or a
      `file.received` event came), the skill's "status after" of that event; else None (nothing uploaded yet);
    - anything else -> None.
    """
    status = media.status
    if status == "fail":
        return "encoding_failed"
    if status == "done":
        return "encoding_finished"
    if status == "new":
        return "file_received" if received else None
    if status != "transcoding":
        return None
    states = [q.status.lower() for q in media.qualities]
    if "done" in states:
        return "partial_finished"
    if any(s in ACTIVE_QUALITY for s in states):
        return "encoding_started"
    if states:
        return "file_received"
    if latest is not None and latest.template in RECEIVED_TEMPLATES:
        return latest.template
    return "encoding_started"


def _media_time(media: Media) -> datetime:
    from botflix_mcp.aioz.webhooks_receiver import parse_time

    return parse_time(media.updated_at) or parse_time(media.created_at) or datetime.now(UTC)


def event_time(template: str, media: Media, events: list[WebhookEvent]) -> datetime:
    """When the event a template describes happened: the latest received event of that template, else the media's
    last change (each template shows its own event's time, not the upload's)."""
    for event in reversed(events):
        if event.template == template:
            return event.emitted_at
    return _media_time(media)


def render_status(media: Media, events: list[WebhookEvent], *, received: bool = False) -> tuple[str, str | None]:
    """(Markdown, template name): the matching template exactly, then the way on, then received webhook events."""
    latest = events[-1] if events else None
    received = received or bool(events)  # any delivered event of this media means AIOZ has its file
    template = status_template(media, latest, received=received)
    if template is None:
        text = (
            f"## ⏳ Not received yet\nMedia `{media.id}` ({media.title}) has status `{media.status}`: AIOZ has no "
            "complete file for it yet. Upload one with aioz_upload_media (a stopped upload resumes; media_id "
            "uploads into this media), or follow a running upload with aioz_upload_job."
        )
    else:
        text = render_webhook_event(template, media.id, media.title, event_time(template, media, events))
    if template == "encoding_failed":
        text += (
            f"\n\n**Next:** call `aioz_retry_failed_upload` with media_id `{media.id}`: it checks the transcode "
            "cost, deletes this media, re-creates it with the same qualities and details, re-uploads the file "
            "and signals completion."
        )
    if events:
        lines = [f"- `{e.type}` at {e.emitted_at.strftime('%Y-%m-%d %H:%M:%S')} UTC" for e in events[-5:]]
        text += "\n\n**Webhook events received:**\n" + "\n".join(lines)
    return text, template


def _quality_line(media: Media) -> str:
    done = sum(1 for q in media.qualities if q.status.lower() == "done")
    extra = f", {done} of {len(media.qualities)} qualities done" if media.qualities else ""
    return f"{media.title or media.id}: {media.status}{extra}"


async def wait_for_media(ctx: Context, app: App, api: AiozSession, media_id: str, wait_seconds: float) -> Media:
    """Poll `GET /media/{id}` (woken early by webhook events) until done/fail or the wait ends."""
    store = events_of(app)
    started = anyio.current_time()
    interval = min(2.0, max(0.2, wait_seconds / 20))
    step = 0
    while True:
        media = await media_api.get_media(api, media_id)
        elapsed = anyio.current_time() - started
        if media.status in FINAL_STATUSES or elapsed >= wait_seconds:
            return media
        step += 1
        await ctx.report_progress(step, None, _quality_line(media))
        await store.wait(min(interval, wait_seconds - elapsed))


# --------------------------------------------------------------------------- tools


async def upload_target(api: AiozSession, media_id: str) -> Media:
    """The existing media an upload goes into: it must still be `new` (no file completed yet)."""
    media = await media_api.get_media(api, media_id)
    if media.status != "new":
        raise UserInputError(
            f"Media {media_id} has status `{media.status or 'unknown'}`, not `new`: it already has its file. "
            "Nothing was uploaded.",
            "Leave media_id out to upload as a new media, or check it with aioz_media_status.",
        )
    return media


def retry_body(
    old: Media, kind: str, title: str, qualities: list[str | QualitySpec] | None
) -> tuple[dict[str, Any], list[str], list[str]]:
    """The create body that re-creates `old` as it was: its qualities (by name, with stream type, container and
    codec; or the ones given), tags, metadata, description and visibility. Returns (body, names, warnings)."""
    body: dict[str, Any] = {"title": title, "type": kind}
    if old.description:
        body["description"] = old.description
    if old.tags:
        body["tags"] = list(old.tags)
    if old.metadata:
        body["metadata"] = [{"key": kv.key, "value": kv.value} for kv in old.metadata if kv.key]
    if old.is_public is not None:
        body["is_public"] = old.is_public
    wanted: list[Any] = list(qualities) if qualities else old.create_qualities()
    # The user chose h265 + mpegts when the media was first made: keep it, with the warning.
    objects, warnings = quality_body(kind, wanted, allow_h265_mpegts=True)
    if objects:
        body["qualities"] = objects
    names = media_ops.quality_names(objects)
    return body, names, warnings


def register(kit: Toolkit, app: App) -> None:
    @kit.tool(
        name="aioz_upload_media",
        ui=MONITOR_URI,
        title="Upload a file to AIOZ Stream",
        toolset=TOOLSET,
        read_only=False,
        destructive=False,
        idempotent=False,
    )
    async def aioz_upload_media(
        ctx: Context,
        source: Annotated[
            str,
            Field(min_length=1, max_length=SOURCE_MAX, description="Local path (absolute, ~, file://) or http(s) URL"),
        ],
        media_id: Annotated[
            Id | None, Field(description="Upload into this existing media (status new) instead of creating one")
        ] = None,
        title: Annotated[str | None, Field(max_length=255, description="Default: file name")] = None,
        media_type: Literal["video", "audio"] | None = None,
        qualities: Annotated[
            list[QualityItem] | None,
            Field(max_length=8, description="720p,1080p (or audio presets) or objects; cost-checked"),
        ] = None,
        allow_h265_mpegts: Annotated[bool, Field(description="confirm h265+mpegts (no Safari/iOS)")] = False,
        description: Annotated[str | None, Field(max_length=1000)] = None,
        tags: Annotated[list[Tag] | None, Field(max_length=50)] = None,
        metadata: Annotated[Metadata | None, Field(max_length=50)] = None,
        is_public: bool | None = None,
        chunk_mb: Annotated[int | None, Field(ge=5, le=200)] = None,
        duration: Annotated[float | None, Field(gt=0, le=86400, description="s; if unreadable (cost)")] = None,
        wait_seconds: Annotated[
            int | None, Field(ge=0, le=MAX_WAIT, description="Run as a job, return after N s (client timeouts)")
        ] = None,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Create the media (cost check when qualities are given) or fill an existing one (media_id), upload the
        file in MD5-checked chunks with progress, then /complete. A stopped upload resumes when called again."""
        details: dict[str, object] = {"title": title, "qualities": qualities, "description": description}
        details.update(tags=tags, metadata=metadata, is_public=is_public, media_type=media_type)
        if media_id is not None and any(v is not None for v in details.values()):
            given = ", ".join(k for k, v in details.items() if v is not None)
            raise UserInputError(
                f"media_id uploads into that media as it was created; {given} cannot be set here.",
                "Drop those arguments (change fields with aioz_media_write update), or leave media_id out.",
            )
        src = await resolve_source(source, ctx, app)
        # Local files are probed first (issue 9 f): what is not audio/video is refused before any request.
        info = await media_ops.probe_upload(src.path, src.shown, media_type) if src.path is not None else None
        if info is not None and duration is None:
            duration = info.duration_s
        probe_kind = info.kind if info is not None else None
        chunk = max(MIN_PART_SIZE, chunk_mb * MIB if chunk_mb else app.settings.chunk_size)
        notes: list[str] = []
        if media_id is not None:
            api = await aioz_session(ctx, app)
            target = await upload_target(api, media_id)
            kind = target.type or probe_kind or guess_media_type(src.shown)
            if target.type == "video" and probe_kind == "audio":
                raise UserInputError(
                    f"{src.shown} has no video stream (audio only), and media {media_id} is a video.",
                    "Upload it as new audio media (leave media_id out), or pick the video file.",
                )
            name = target.title or default_title(src)
            request = UploadRequest(
                src, name, kind, {}, chunk, duration=duration, target=target, probed=info is not None
            )
        else:
            kind = media_type or probe_kind or guess_media_type(src.shown)
            name = (title or default_title(src)).strip() or "Untitled upload"
            body: dict[str, Any] = {"title": name, "type": kind}
            objects, notes = quality_body(kind, qualities, allow_h265_mpegts=allow_h265_mpegts)
            if objects:
                body["qualities"] = objects
            if description is not None:
                body["description"] = description
            if tags:
                from botflix_mcp.aioz import rules

                body["tags"] = rules.validate_tags(tags)
            if metadata:
                from botflix_mcp.aioz import rules

                body["metadata"] = rules.validate_metadata(metadata)
            if is_public is not None:
                body["is_public"] = is_public
            request = UploadRequest(
                src,
                name,
                kind,
                body,
                chunk,
                duration=duration,
                probed=info is not None,
                kind_guessed=media_type is None,
            )
            api = await aioz_session(ctx, app)

        async def work(listener: ProgressListener) -> ToolOutput:
            output = report_output(await run_upload(app, api, request, listener))
            output.warnings.extend(notes)
            return output

        return await run_or_start_job(ctx, app, kind="upload", title=name, wait_seconds=wait_seconds, work=work)

    @kit.tool(
        name="aioz_upload_job",
        ui=MONITOR_URI,
        title="Background upload jobs",
        toolset=TOOLSET,
        read_only=False,
        destructive=False,
        idempotent=True,
        open_world=False,
    )
    async def aioz_upload_job(
        ctx: Context,
        action: Literal["status", "cancel", "list"] = "status",
        job_id: Annotated[str | None, Field(max_length=64)] = None,
        wait_seconds: Annotated[int, Field(ge=0, le=MAX_WAIT, description="status: wait for the end")] = 0,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Follow uploads started with wait_seconds: status (live progress block, optional wait), cancel (stops
        cleanly; re-run the upload to resume), list (this session's jobs)."""
        registry = jobs_of(app)
        owner = session_key(ctx)
        if action == "list":
            jobs = registry.list(owner)
            lines = [f"- `{j.id}` {j.title}: {j.state}" for j in jobs] or ["(no upload jobs in this session)"]
            return to_result(
                ToolOutput(summary="**Upload jobs**\n" + "\n".join(lines), data=[j.summary() for j in jobs])
            )
        if not job_id:
            raise UserInputError(f"job_id is required for action {action!r}.", "List jobs with action 'list'.")
        job = registry.get(owner, job_id)
        if action == "cancel":
            job = await registry.cancel(owner, job_id)
            return to_result(ToolOutput(summary=job.text(), data=job.summary()))
        await registry.wait(job, float(wait_seconds), progress_forwarder(ctx))
        return job_result(job)

    @kit.tool(
        name="aioz_media_status",
        ui=MONITOR_URI,
        title="Media encoding status",
        toolset=TOOLSET,
        read_only=False,
        destructive=False,
        idempotent=True,
    )
    async def aioz_media_status(
        ctx: Context,
        media_id: Id | None = None,
        action: Annotated[
            Literal["status", "webhook"], Field(description="webhook: register+check this server's receiver")
        ] = "status",
        wait_seconds: Annotated[int, Field(ge=0, le=MAX_WAIT, description="wait until done/fail")] = 0,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Check (or wait for) a media's encoding status, shown with the skill's matching template and any
        webhook events received. action 'webhook' makes AIOZ notify this HTTP server."""
        if action == "webhook":
            url = receiver_url(app)
            if url is None:
                raise UserInputError(
                    "This server has no webhook receiver: it runs over stdio, or over HTTP without a reachable URL.",
                    "Serve over HTTP and set BOTFLIX_MCP_PUBLIC_URL to the URL AIOZ can reach; meanwhile use "
                    "wait_seconds to poll.",
                )
            api = await aioz_session(ctx, app)
            from botflix_mcp.aioz.tools.webhooks import confirmation, run_check

            hook, created = await ensure_webhook(api, url)
            check = await run_check(api, str(hook.get("id")), strict=False)
            summary, warnings = confirmation("created" if created else "already registered", hook, check)
            hook_data = {"webhook_id": hook.get("id"), "created": created, "check": check.as_dict()}
            return to_result(ToolOutput(summary=summary, data=hook_data, warnings=warnings))
        if not media_id:
            raise UserInputError("media_id is required for action 'status'.", "List media first.")
        api = await aioz_session(ctx, app)
        if wait_seconds:
            media = await wait_for_media(ctx, app, api, media_id, float(wait_seconds))
        else:
            media = await media_api.get_media(api, media_id)
        events = events_of(app).events(media_id)
        received = was_completed(cache_dir_of(app), media_id)
        text, template = render_status(media, events, received=received)
        data: dict[str, Any] = {
            "media_id": media_id,
            "status": media.status,
            "template": template,
            "qualities": [q.dump() for q in media.qualities],
            "events": [e.as_dict() for e in events[-10:]],
        }
        if template == "encoding_failed":
            data["next_tool"] = "aioz_retry_failed_upload"
        else:  # a failed media's stream URLs do not play: they are not offered
            data["assets"] = media.assets.dump()
        return to_result(ToolOutput(summary=text, data=data))

    @kit.tool(
        name="aioz_retry_failed_upload",
        title="Retry a failed upload",
        toolset=TOOLSET,
        read_only=False,
        destructive=True,
        idempotent=False,
    )
    async def aioz_retry_failed_upload(
        ctx: Context,
        media_id: Id,
        source: Annotated[
            str | None, Field(max_length=SOURCE_MAX, description="The file again (default: the one uploaded here)")
        ] = None,
        qualities: Annotated[
            list[QualityItem] | None, Field(max_length=8, description="Default: the failed media's own")
        ] = None,
        wait_seconds: Annotated[int | None, Field(ge=0, le=MAX_WAIT)] = None,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """For media whose encoding failed: cost check, delete it, re-create it as it was (qualities, tags,
        metadata, description, visibility), re-upload every chunk, complete."""
        raw = source or source_of(cache_dir_of(app), media_id)
        if not raw:
            raise UserInputError(
                f"This server does not know which file media {media_id} came from.", "Pass source (path or URL)."
            )
        src = await resolve_source(raw, ctx, app)
        api = await aioz_session(ctx, app)
        old = await media_api.get_media(api, media_id)
        if old.status != "fail":
            raise UserInputError(
                f"Media {media_id} has status `{old.status}`, not `fail`; nothing was deleted.",
                "Only failed media are retried. A stopped upload resumes with aioz_upload_media.",
            )
        kind = old.type or guess_media_type(src.shown)
        title = old.title or default_title(src)
        body, names, notes = retry_body(old, kind, title, qualities)
        # Without qualities the host applies its default ladder: that is what the transcode will cost.
        cost_names = names or DEFAULT_QUALITIES.get(kind, [])
        request = UploadRequest(src, title, kind, body, app.settings.chunk_size, fresh=True)

        async def work(listener: ProgressListener) -> ToolOutput:
            # The skill's steps, with the cost check moved first: an insufficient balance then changes nothing.
            steps: list[str] = []
            path = await local_copy(app, src)
            info = await media_ops.probe_upload(path, src.shown, kind)  # before anything is deleted
            duration = info.duration_s or old.duration or None
            request.duration, request.probed = duration, True
            if cost_names:
                cost = await media_ops.check_cost(
                    api, media_type=kind, qualities=cost_names, duration=media_ops.need_duration(duration)
                )
                request.cost = cost
                steps.append(
                    f"✅ Transcode cost checked for {', '.join(cost_names)}: `is_enough: true` (price {cost.price})"
                )
            await media_api.delete_media(api, media_id)
            steps.append(f"✅ Deleted the failed media `{media_id}`")
            report = await run_upload(app, api, request, listener)
            steps.append(f"✅ Re-created the media as `{report.media_id}`")
            steps.append(f"{'✅' if report.ok else '❌'} Re-uploaded all {report.parts} chunks (MD5 each)")
            steps.append("✅ Signalled completion" if report.ok else "❌ `/complete` was not called")
            head = "## 🔁 Retry of a failed upload\n" + "\n".join(f"{n}. {s}" for n, s in enumerate(steps, 1))
            output = report_output(report, head + "\n\n")
            output.warnings.extend(notes)
            return output

        return await run_or_start_job(ctx, app, kind="retry", title=title, wait_seconds=wait_seconds, work=work)
