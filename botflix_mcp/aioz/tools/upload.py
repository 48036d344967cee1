"""Upload toolset: upload a file (progress + the skill's templates), background jobs, encoding status, retry.

Handlers are thin: they validate, take the session (`aioz_session`), then call the plain functions of
`aioz/upload.py` (engine), `aioz/jobs.py` (background jobs), `aioz/media_ops.py` (create with the cost check)
and `aioz/webhooks_receiver.py` (events). Status -> template mapping (`status_template`, documented there).
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
from botflix_mcp.aioz.jobs import Job, JobOutcome, jobs_of
from botflix_mcp.aioz.session import AiozSession, aioz_session
from botflix_mcp.aioz.upload import (
    MIB,
    MIN_PART_SIZE,
    Journal,
    Progress,
    ProgressListener,
    UploadReport,
    default_cache_dir,
    file_identity,
    journal_key,
    source_of,
    upload_file,
)
from botflix_mcp.aioz.webhooks_receiver import WebhookEvent, ensure_webhook, events_of, receiver_url
from botflix_mcp.app import App
from botflix_mcp.credentials import session_key
from botflix_mcp.errors import UserInputError
from botflix_mcp.results import ToolOutput, to_result
from botflix_mcp.templates import render_webhook_event
from botflix_mcp.toolkit import Toolkit
from botflix_mcp.url_source import check_url, download

logger = logging.getLogger(__name__)

TOOLSET = "upload"
Id = Annotated[str, Field(pattern=r"^[\w-]{1,100}$")]
AUDIO_SUFFIXES = {".mp3", ".m4a", ".aac", ".wav", ".flac", ".ogg", ".oga", ".opus", ".wma", ".aiff", ".aif"}
#: Qualities AIOZ applies when a video is created without any (research/aioz.md §5.1): used for the retry's cost check.
DEFAULT_VIDEO_QUALITIES = ["360p", "720p", "1080p"]
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


def quality_objects(names: list[str] | None, media_type: str) -> tuple[list[dict[str, Any]] | None, list[str]]:
    """Quality names (`720p`, or audio presets) -> validated create-body objects and warnings (rules.py checks)."""
    if not names:
        return None, []
    from botflix_mcp.aioz import rules

    kind: Literal["video", "audio"] = "audio" if media_type == "audio" else "video"
    return rules.validate_qualities(kind, [{"resolution": str(n)} for n in names])


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
    """After each acknowledged chunk: a progress notification (done, total, one line) and the full block."""

    async def forward(progress: Progress) -> None:
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
    cost: dict[str, Any] | None = None  # a cost answer obtained just before for these qualities


def failure_text(report: UploadReport) -> str:
    return (
        f"{report.block}\n\n❌ Upload stopped: {report.error}. `/complete` was NOT called. Parts already stored are "
        f"kept on media `{report.media_id}`: run the same upload again to resume and send only the missing parts."
    )


async def run_upload(app: App, api: AiozSession, req: UploadRequest, listener: ProgressListener | None) -> UploadReport:
    """Download a URL source if needed, then create (cost check) / resume, upload every part, complete."""
    settings = app.settings
    if req.source.url is not None:
        target = download_path(app, req.source.url)
        if not target.exists():
            await download(req.source.url, target, timeout=settings.http_timeout, guard=req.source.guard)
        path = target
    else:
        assert req.source.path is not None
        path = req.source.path
    cache = cache_dir_of(app)
    if req.fresh:
        ident = await anyio.to_thread.run_sync(file_identity, path)
        Journal.location(cache, journal_key(api.client.base_url, api.creds.fingerprint, ident)).unlink(missing_ok=True)
    duration = req.duration
    if req.body.get("qualities") and req.cost is None:
        duration = await anyio.to_thread.run_sync(media_ops.probe_duration, path) or duration

    async def create() -> dict[str, Any]:
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
        output = await work(progress_forwarder(ctx))
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
            f'action "status", job_id "{job.id}" and wait_seconds (<= 50) to follow it; "cancel" stops it.'
        )
        return to_result(ToolOutput(summary=text, data=data))
    if job.state == "done":
        return to_result(ToolOutput(summary=job.text(), data=data))
    raise ToolError(job.text())


# --------------------------------------------------------------------------- status -> template


ACTIVE_QUALITY = {"transcoding", "processing", "encoding", "running", "uploading", "uploaded"}


def status_template(media: dict[str, Any], latest: WebhookEvent | None = None) -> str | None:
    """Which skill template describes this media now (None: nothing was received yet, status `new`).

    Mapping (public statuses, research/aioz.md §5.1; webhook events §7):
    - `fail` -> encoding_failed; `done` -> encoding_finished;
    - `transcoding` (AIOZ reports its internal waiting/uploading/transcoding states all as this):
      some quality `done` -> partial_finished; a quality being transcoded -> encoding_started; qualities listed but
      none started -> file_received (queued); no quality detail -> the latest webhook event's template if it is
      one of those three, else encoding_started;
    - `new` (no file completed yet) and anything else -> None (the tool says the file was not received).
    """
    status = str(media.get("status") or "")
    if status == "fail":
        return "encoding_failed"
    if status == "done":
        return "encoding_finished"
    if status != "transcoding":
        return None
    states = [str(q.get("status") or "").lower() for q in media.get("qualities") or [] if isinstance(q, dict)]
    if "done" in states:
        return "partial_finished"
    if any(s in ACTIVE_QUALITY for s in states):
        return "encoding_started"
    if states:
        return "file_received"
    if latest is not None and latest.template in {"file_received", "encoding_started", "partial_finished"}:
        return latest.template
    return "encoding_started"


def _media_time(media: dict[str, Any]) -> datetime:
    from botflix_mcp.aioz.webhooks_receiver import parse_time

    return parse_time(media.get("updated_at")) or parse_time(media.get("created_at")) or datetime.now(UTC)


def render_status(media: dict[str, Any], events: list[WebhookEvent]) -> tuple[str, str | None]:
    """(Markdown, template name): the matching template exactly, then any received webhook events."""
    media_id = str(media.get("id") or "")
    title = str(media.get("title") or "")
    latest = events[-1] if events else None
    template = status_template(media, latest)
    if template is None:
        text = (
            f"## ⏳ Not received yet\nMedia `{media_id}` ({title}) has status `{media.get('status')}`: AIOZ has no "
            "complete file for it yet. Upload one with aioz_upload_media (a stopped upload resumes), or follow a "
            "running upload with aioz_upload_job."
        )
    else:
        moment = latest.emitted_at if latest is not None and latest.template == template else _media_time(media)
        text = render_webhook_event(template, media_id, title, moment)
    if events:
        lines = [f"- `{e.type}` at {e.emitted_at.strftime('%Y-%m-%d %H:%M:%S')} UTC" for e in events[-5:]]
        text += "\n\n**Webhook events received:**\n" + "\n".join(lines)
    return text, template


async def get_media(api: AiozSession, media_id: str) -> dict[str, Any]:
    data = (await api.get(f"/media/{media_id}")).data or {}
    media = data.get("media", data) if isinstance(data, dict) else {}
    return dict(media)


def _quality_line(media: dict[str, Any]) -> str:
    qualities = [q for q in media.get("qualities") or [] if isinstance(q, dict)]
    done = sum(1 for q in qualities if str(q.get("status")).lower() == "done")
    extra = f", {done} of {len(qualities)} qualities done" if qualities else ""
    return f"{media.get('title') or media.get('id')}: {media.get('status')}{extra}"


async def wait_for_media(
    ctx: Context, app: App, api: AiozSession, media_id: str, wait_seconds: float
) -> dict[str, Any]:
    """Poll `GET /media/{id}` (woken early by webhook events) until done/fail or the wait ends."""
    store = events_of(app)
    started = anyio.current_time()
    interval = min(2.0, max(0.2, wait_seconds / 20))
    step = 0
    while True:
        media = await get_media(api, media_id)
        elapsed = anyio.current_time() - started
        if str(media.get("status")) in FINAL_STATUSES or elapsed >= wait_seconds:
            return media
        step += 1
        await ctx.report_progress(step, None, _quality_line(media))
        await store.wait(min(interval, wait_seconds - elapsed))


# --------------------------------------------------------------------------- tools


def register(kit: Toolkit, app: App) -> None:
    @kit.tool(
        name="aioz_upload_media",
        title="Upload a file to AIOZ Stream",
        toolset=TOOLSET,
        read_only=False,
        destructive=False,
        idempotent=False,
    )
    async def aioz_upload_media(
        ctx: Context,
        source: Annotated[str, Field(description="Local path (absolute, ~, file://) or http(s) URL")],
        title: Annotated[str | None, Field(max_length=255, description="Default: file name")] = None,
        media_type: Literal["video", "audio"] | None = None,
        qualities: Annotated[
            list[str] | None, Field(max_length=8, description="e.g. 720p,1080p or audio presets; cost-checked")
        ] = None,
        description: Annotated[str | None, Field(max_length=1000)] = None,
        tags: Annotated[list[str] | None, Field(max_length=50)] = None,
        is_public: bool | None = None,
        chunk_mb: Annotated[int | None, Field(ge=5, le=200)] = None,
        duration: Annotated[float | None, Field(gt=0, le=86400, description="s; if unreadable (cost)")] = None,
        wait_seconds: Annotated[
            int | None, Field(ge=0, le=MAX_WAIT, description="Run as a job, return after N s (client timeouts)")
        ] = None,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Create the media (cost check when qualities are given), upload the file in MD5-checked chunks with
        progress, then /complete. A stopped upload resumes when called again. Then aioz_media_status."""
        src = await resolve_source(source, ctx, app)
        kind = media_type or guess_media_type(src.shown)
        name = (title or default_title(src)).strip() or "Untitled upload"
        body: dict[str, Any] = {"title": name, "type": kind}
        objects, notes = quality_objects(qualities, kind)
        if objects:
            body["qualities"] = objects
        if description is not None:
            body["description"] = description
        if tags:
            from botflix_mcp.aioz import rules

            body["tags"] = rules.validate_tags(tags)
        if is_public is not None:
            body["is_public"] = is_public
        chunk = chunk_mb * MIB if chunk_mb else app.settings.chunk_size
        request = UploadRequest(src, name, kind, body, max(MIN_PART_SIZE, chunk), duration=duration)
        api = await aioz_session(ctx, app)

        async def work(listener: ProgressListener) -> ToolOutput:
            output = report_output(await run_upload(app, api, request, listener))
            output.warnings.extend(notes)
            return output

        return await run_or_start_job(ctx, app, kind="upload", title=name, wait_seconds=wait_seconds, work=work)

    @kit.tool(
        name="aioz_upload_job",
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
        """Follow uploads started with wait_seconds: status (progress block, optional wait), cancel (stops
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
            data = {"webhook_id": hook.get("id"), "created": created, "check": check.as_dict()}
            return to_result(ToolOutput(summary=summary, data=data, warnings=warnings))
        if not media_id:
            raise UserInputError("media_id is required for action 'status'.", "List media first.")
        api = await aioz_session(ctx, app)
        if wait_seconds:
            media = await wait_for_media(ctx, app, api, media_id, float(wait_seconds))
        else:
            media = await get_media(api, media_id)
        events = events_of(app).events(media_id)
        text, template = render_status(media, events)
        data = {
            "media_id": media_id,
            "status": media.get("status"),
            "template": template,
            "qualities": media.get("qualities"),
            "assets": media.get("assets"),
            "events": [e.as_dict() for e in events[-10:]],
        }
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
        source: Annotated[str | None, Field(description="The file again (default: the one uploaded here)")] = None,
        qualities: Annotated[list[str] | None, Field(max_length=8)] = None,
        wait_seconds: Annotated[int | None, Field(ge=0, le=MAX_WAIT)] = None,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """For media whose encoding failed: cost check, delete it, re-create it, re-upload every chunk, complete."""
        raw = source or source_of(cache_dir_of(app), media_id)
        if not raw:
            raise UserInputError(
                f"This server does not know which file media {media_id} came from.", "Pass source (path or URL)."
            )
        src = await resolve_source(raw, ctx, app)
        api = await aioz_session(ctx, app)
        old = await get_media(api, media_id)
        if str(old.get("status")) != "fail":
            raise UserInputError(
                f"Media {media_id} has status `{old.get('status')}`, not `fail`; nothing was deleted.",
                "Only failed media are retried. A stopped upload resumes with aioz_upload_media.",
            )
        kind = str(old.get("type") or guess_media_type(src.shown))
        title = str(old.get("title") or default_title(src))
        names = list(qualities or []) or media_ops.quality_names(old.get("qualities"))
        body: dict[str, Any] = {"title": title, "type": kind}
        for key in ("description", "tags", "is_public"):
            if old.get(key) not in (None, "", []):
                body[key] = old[key]
        objects, _ = quality_objects(names, kind)
        if objects:
            body["qualities"] = objects
        cost_names = names or (DEFAULT_VIDEO_QUALITIES if kind == "video" else [])
        request = UploadRequest(src, title, kind, body, app.settings.chunk_size, fresh=True)

        async def work(listener: ProgressListener) -> ToolOutput:
            # The skill's steps, with the cost check moved first: an insufficient balance then changes nothing.
            steps: list[str] = []
            duration = float(old.get("duration") or 0) or None
            if src.path is not None:
                duration = await anyio.to_thread.run_sync(media_ops.probe_duration, src.path) or duration
            request.duration = duration
            if cost_names:
                cost = await media_ops.check_cost(api, media_type=kind, qualities=cost_names, duration=duration or 60)
                if cost.get("is_enough") is not True:
                    raise media_ops.InsufficientBalance(cost)
                request.cost = cost
                steps.append(f"✅ Transcode cost checked: `is_enough: true` (price {cost.get('price')})")
            await api.delete(f"/media/{media_id}")
            steps.append(f"✅ Deleted the failed media `{media_id}`")
            report = await run_upload(app, api, request, listener)
            steps.append(f"✅ Re-created the media as `{report.media_id}`")
            steps.append(f"{'✅' if report.ok else '❌'} Re-uploaded all {report.parts} chunks (MD5 each)")
            steps.append("✅ Signalled completion" if report.ok else "❌ `/complete` was not called")
            head = "## 🔁 Retry of a failed upload\n" + "\n".join(f"{n}. {s}" for n, s in enumerate(steps, 1))
            return report_output(report, head + "\n\n")

        return await run_or_start_job(ctx, app, kind="retry", title=title, wait_seconds=wait_seconds, work=work)
