"""Background upload jobs, for clients that cancel a tool call after ~60 s (issue 4 §6).

A job runs an upload (or a retry) outside the tool call that started it. The starting call returns the job id at
once or after its `wait_seconds`, forwarding the job's progress to its own client while it waits; the status tool
shows the live progress block (the same template: ✅ stored, ⏳ in flight or waiting, ❌ failed, updated as each
part is sent, stored or fails) and can wait again; the cancel tool stops it cleanly (anyio
cancellation inside the upload, so the journal stays consistent and a re-run resumes).

Jobs live in `App.state(JobRegistry)`, owned by the MCP session that started them (`credentials.session_key`): a
session lists, reads and cancels only its own jobs. A connection without any session identity (2026-07-28 HTTP
without a bearer token) owns nothing; its job id (128 random bits) is then the only handle, never listed.

Jobs run as asyncio tasks of the server's event loop (the SDK runs on asyncio), each inside its own anyio cancel
scope; `JobRegistry.aclose()` (called by `App.aclose`) cancels what is still running at shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

import anyio

from botflix_mcp.aioz.upload import Progress, ProgressListener
from botflix_mcp.errors import ApiError, UserInputError

if TYPE_CHECKING:
    from botflix_mcp.app import App

logger = logging.getLogger(__name__)

#: Finished jobs kept per owner (the oldest are forgotten first).
KEEP_FINISHED = 20

JobState = Literal["running", "done", "failed", "cancelled"]


@dataclass
class JobOutcome:
    """What a job's work returns: the final Markdown and data, and whether it succeeded."""

    ok: bool
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


JobWork = Callable[[ProgressListener], Awaitable[JobOutcome]]


@dataclass
class Job:
    id: str
    owner: str | None
    kind: str
    title: str
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    state: JobState = "running"
    finished_at: datetime | None = None
    progress: Progress | None = None
    outcome: JobOutcome | None = None
    error: str | None = None
    listeners: list[ProgressListener] = field(default_factory=list)
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    finished: anyio.Event = field(default_factory=anyio.Event)
    task: asyncio.Task[None] | None = None

    @property
    def block(self) -> str | None:
        return self.progress.block if self.progress else None

    def text(self) -> str:
        """The job's Markdown: the final result when finished, else the latest progress block."""
        if self.outcome is not None:
            return self.outcome.text
        if self.state == "cancelled":
            head = (
                f"⏹️ Upload job `{self.id}` was cancelled. Parts already stored are kept: run the same upload "
                "again to resume."
            )
            return f"{self.block}\n\n{head}" if self.block else head
        if self.error:
            return f"❌ Upload job `{self.id}` failed: {self.error}"
        return self.block or f"⏳ Upload job `{self.id}` ({self.title}) is starting…"

    def parts(self) -> list[dict[str, Any]]:
        """The live part table of the latest progress snapshot as data (the rows of the progress block): chunk
        number from 0, size in bytes, state (done, uploading, waiting, failed), md5_ok (True, False, None)."""
        rows = self.progress.rows if self.progress else ()
        return [{"chunk": r.number, "size": r.size, "state": r.state, "md5_ok": r.md5_ok} for r in rows]

    def summary(self) -> dict[str, Any]:
        progress = self.progress
        return {
            "job_id": self.id,
            "kind": self.kind,
            "title": self.title,
            "state": self.state,
            "done": progress.done if progress else 0,
            "total": progress.total if progress else None,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "error": self.error,
            "result": self.outcome.data if self.outcome else None,
        }


class JobRegistry:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}

    # ------------------------------------------------------------------ lifecycle

    def start(self, owner: str | None, *, kind: str, title: str, work: JobWork) -> Job:
        job = Job(id=secrets.token_hex(16), owner=owner, kind=kind, title=title)
        self._jobs[job.id] = job
        job.task = asyncio.get_running_loop().create_task(self._run(job, work), name=f"upload-job-{job.id[:8]}")
        self._prune(owner)
        return job

    async def _run(self, job: Job, work: JobWork) -> None:
        async def fanout(progress: Progress) -> None:
            job.progress = progress
            for listener in list(job.listeners):
                try:
                    await listener(progress)
                except Exception as exc:  # a waiting call whose client left
                    logger.debug("job listener failed: %s", type(exc).__name__)

        try:
            with job.scope:
                job.outcome = await work(fanout)
                job.state = "done" if job.outcome.ok else "failed"
                job.error = job.outcome.error
            if job.scope.cancelled_caught:
                job.state = "cancelled"
        except (ApiError, UserInputError) as exc:
            job.state, job.error = "failed", exc.for_model()
        except Exception as exc:
            logger.exception("upload job %s crashed", job.id)
            job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            if job.state == "running":
                job.state = "cancelled"
            job.finished_at = datetime.now(UTC)
            job.finished.set()
            logger.info("upload job %s %s", job.id[:8], job.state)

    def _prune(self, owner: str | None) -> None:
        finished = [j for j in self._jobs.values() if j.owner == owner and j.state != "running"]
        finished.sort(key=lambda j: j.finished_at or j.started_at)
        for job in finished[:-KEEP_FINISHED] if len(finished) > KEEP_FINISHED else []:
            self._jobs.pop(job.id, None)

    async def aclose(self) -> None:
        running = [j for j in self._jobs.values() if j.state == "running"]
        for job in running:
            job.scope.cancel()
        for job in running:
            with anyio.move_on_after(10):
                await job.finished.wait()

    # ------------------------------------------------------------------ access (per owner)

    def get(self, owner: str | None, job_id: str) -> Job:
        job = self._jobs.get(job_id.strip())
        if job is None or (job.owner is not None and job.owner != owner):  # another session's job looks absent
            raise UserInputError(
                f"No upload job {job_id!r} in this session.",
                "List this session's jobs with aioz_upload_job action 'list'.",
            )
        return job

    def list(self, owner: str | None) -> list[Job]:
        if owner is None:
            return []
        return sorted((j for j in self._jobs.values() if j.owner == owner), key=lambda j: j.started_at)

    async def cancel(self, owner: str | None, job_id: str, *, timeout: float = 30.0) -> Job:
        job = self.get(owner, job_id)
        if job.state == "running":
            job.scope.cancel()
            with anyio.move_on_after(timeout):
                await job.finished.wait()
        return job

    async def wait(self, job: Job, seconds: float, listener: ProgressListener | None = None) -> bool:
        """Wait up to `seconds` for the job to finish, forwarding its progress to `listener`. True if finished."""
        if job.state != "running" or seconds <= 0:
            return job.state != "running"
        if listener is not None:
            job.listeners.append(listener)
        try:
            with anyio.move_on_after(seconds):
                await job.finished.wait()
        finally:
            if listener is not None and listener in job.listeners:
                job.listeners.remove(listener)
        return job.state != "running"


def jobs_of(app: App) -> JobRegistry:
    return app.state(JobRegistry)
