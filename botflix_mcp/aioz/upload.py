"""The AIOZ Stream chunked upload engine (issue 4): plan, stream, hash, retry, re-split, resume, complete.

Wire facts (docs/aioz-api.md §upload, §limits; they win over the skill's bash example, 0-based and single-part):

- `POST /media/{id}/part`, multipart fields `file`, `index` (**1-based**, as in both official SDKs) and `hash` (hex
  MD5 of the part), header `Content-Range: bytes start-end/total` with an **inclusive** end. The host joins parts
  by ascending index at `/complete` and checks that their sizes add up to the total.
- Re-sending a stored part (same index and hash) answers 400 "Part is already uploaded.": that is a success (it is
  how a lost acknowledgement shows up on retry).
- The host's global body limit is "50M"; a 50 MiB part plus the multipart envelope exceeds it and gets **413**.
- `GET /media/{id}/complete` is synchronous (it assembles and probes the file) and returns only a message.

Design:

- **Streaming.** A part's body (`part_body`, a `botflix_mcp.http_file.FileBody`) has a known `Content-Length`:
  the multipart head, the part's bytes read from disk (each block also feeds the part's MD5), then the `index` and
  `hash` fields. The MD5 is known when the last block has been read, which is exactly when the `hash` field is
  written: one pass over the bytes, never more than a block per part in memory. The platform client's transport
  sends such a body from one worker thread (read, hash and `sendall` of 1 MiB blocks outside the GIL, so parallel
  parts use both cores and nothing crosses to the event loop per block); any other transport streams it.
- **Parallel parts.** Up to `parallel` parts are in flight (`upload_parallel`). They are dispatched in ascending
  index order; the last (short) part waits until some other part of the round has been acknowledged, so a 413
  can never arrive for a part that sits before an acknowledged one (see re-split).
- **Retries per part.** 5xx and connection errors: backoff (the shared `RetryPolicy`), `2 * max_retries` attempts
  (a long upload must not die of one transient error in a thousand); 429: wait `X-RateLimit-Retry-After` (all
  parts pause together, and waits do not use up attempts). Other 4xx: the part fails for good.
- **413 re-split.** When a part gets 413, no further part is dispatched; the parts in flight settle; then every
  byte not yet stored is planned again with half the part size (MiB-aligned, at least 5 MiB) and the upload goes
  on. Indexes must keep byte order, because the host joins by ascending index: acknowledged parts keep their index,
  and each *hole* (a run of consecutive unstored parts) is re-planned into the indexes between its neighbours,
  `prev_index + 1, prev_index + 2, ...`. A hole that ends the file (the normal case: the tail rule above means a
  413 wave leaves no acknowledged part behind it) has unlimited room, so the numbering stays 1..N. A hole bounded on
  the right with too little room (a host that refused an earlier part but stored a later one of the same size)
  cannot be re-split without breaking byte order: that part fails (❌) with a clear message. Parts whose fate is
  unknown (in flight when a previous run was killed) are never re-planned: they are sent again first, unchanged,
  so a stored copy answers "already uploaded". The smaller size is remembered per host for later uploads.
- **Journal.** One JSON file per upload in the cache directory, keyed by (AIOZ host, key-pair fingerprint, real
  path, size, mtime, a hash of three 64 KiB samples). It holds the media id, the plan (as runs of equal parts), the
  acknowledged indexes and the "unsure" ones (dispatched, outcome unknown). A part is marked unsure *before* it
  is sent and acknowledged right after the host says so; every write goes to a temp file then `os.replace`, so a
  kill or an anyio cancellation at any point leaves a consistent journal and a re-run re-sends at most the parts
  that were in flight. A re-run reuses the media while it is still `new`.
- **Complete.** Only after every part is acknowledged, and the file is unchanged since the start, with the long
  complete timeout. A lost answer is resolved by reading the media's status instead of blindly calling again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import anyio
import httpx

from botflix_mcp.aioz.api import parts as parts_api
from botflix_mcp.aioz.api.media import Media, media_status
from botflix_mcp.aioz.api.parts import complete_upload
from botflix_mcp.cache import atomic_write_json
from botflix_mcp.errors import ApiError, UserInputError
from botflix_mcp.http import MIN_UPLOAD_RATE, Attempt, RetryPolicy
from botflix_mcp.http_file import FileBody, FileChanged
from botflix_mcp.templates import ChunkRow, render_upload_complete, render_upload_progress

if TYPE_CHECKING:
    from botflix_mcp.aioz.session import AiozSession

logger = logging.getLogger(__name__)

MIB = 1024 * 1024
#: The smallest part the engine re-splits down to (and the official Go SDK's minimum).
MIN_PART_SIZE = 5 * MIB
#: Worker threads reading and hashing blocks at once for one upload when parts go through httpx (at most the CPU
#: count; the platform clients' own transport sends each part from one thread instead: botflix_mcp/http_file.py).
READERS = 4
#: Bytes hashed at the start, the middle and the end of a file to tell two files with the same size and mtime apart.
SAMPLE_BYTES = 64 * 1024
JOURNAL_VERSION = 1
#: 429 answers a single part may wait out (they pace the upload, they are not failures).
MAX_RATE_LIMIT_WAITS = 60


@dataclass(frozen=True)
class Part:
    """One part on the wire: 1-based `index`, first byte `start`, `size` bytes (`end` is inclusive)."""

    index: int
    start: int
    size: int

    @property
    def end(self) -> int:
        return self.start + self.size - 1

    def content_range(self, total: int) -> str:
        return f"bytes {self.start}-{self.end}/{total}"


def plan_chunks(size: int, chunk_size: int, *, first_index: int = 1, offset: int = 0) -> list[Part]:
    """Split `size` bytes (starting at byte `offset`) into parts of `chunk_size`, the last one shorter.

    Indexes are consecutive from `first_index` (1 for a whole file, as the official SDKs number parts).
    """
    if size <= 0:
        raise ValueError("nothing to upload: the size must be greater than 0")
    if chunk_size <= 0:
        raise ValueError("the chunk size must be greater than 0")
    parts: list[Part] = []
    position, index, stop = offset, first_index, offset + size
    while position < stop:
        length = min(chunk_size, stop - position)
        parts.append(Part(index, position, length))
        position += length
        index += 1
    return parts


class NoIndexRoom(Exception):
    """A hole cannot be re-split: too few free indexes between its stored neighbours."""

    def __init__(self, first: Part, needed: int, room: int) -> None:
        super().__init__(
            f"part {first.index} (bytes {first.start}-{first.end}) must be re-split into {needed} parts, but only "
            f"{room} index(es) are free before the next stored part"
        )
        self.first = first


def smaller_part_size(size: int) -> int | None:
    """The next part size after a 413 for `size`: half, MiB-aligned, at least 5 MiB; None when already minimal."""
    if size <= MIN_PART_SIZE:
        return None
    return max(MIN_PART_SIZE, (size // 2) // MIB * MIB)


def resplit(parts: list[Part], keep: set[int], new_size: int) -> list[Part]:
    """Re-plan every part whose index is not in `keep` into parts of at most `new_size`, keeping byte order.

    `parts` is in byte order (which is also index order). Each maximal run of re-plannable parts (a hole) gets
    the indexes right after its left neighbour's; a hole bounded on the right must fit before that neighbour's
    index, else `NoIndexRoom`. Parts in `keep` (stored, or possibly stored) never move.
    """
    out: list[Part] = []
    i = 0
    while i < len(parts):
        if parts[i].index in keep:
            out.append(parts[i])
            i += 1
            continue
        j = i
        while j < len(parts) and parts[j].index not in keep:
            j += 1
        start, stop = parts[i].start, parts[j - 1].end + 1
        previous = out[-1].index if out else 0
        pieces = plan_chunks(stop - start, new_size, first_index=previous + 1, offset=start)
        if j < len(parts):
            room = parts[j].index - previous - 1
            if len(pieces) > room:
                raise NoIndexRoom(parts[i], len(pieces), room)
        out.extend(pieces)
        i = j
    return out


# --------------------------------------------------------------------------- file identity and journal


@dataclass(frozen=True)
class FileIdentity:
    path: str
    size: int
    mtime_ns: int
    sample: str

    def same_file(self, other: FileIdentity) -> bool:
        return self == other


def file_identity(path: Path) -> FileIdentity:
    """Real path, size, mtime and a SHA-256 of three 64 KiB samples (start, middle, end). Reads <= 192 KiB."""
    st = path.stat()
    digest = hashlib.sha256(str(st.st_size).encode())
    with path.open("rb") as handle:
        for offset in sorted({0, max(0, st.st_size // 2 - SAMPLE_BYTES // 2), max(0, st.st_size - SAMPLE_BYTES)}):
            handle.seek(offset)
            digest.update(handle.read(SAMPLE_BYTES))
    return FileIdentity(str(path), st.st_size, st.st_mtime_ns, digest.hexdigest())


def journal_key(base_url: str, fingerprint: str, ident: FileIdentity) -> str:
    raw = json.dumps([base_url.rstrip("/"), fingerprint, ident.path, ident.size, ident.mtime_ns, ident.sample])
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _index_ranges(indexes: Iterable[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for index in sorted(indexes):
        if out and out[-1][1] == index - 1:
            out[-1][1] = index
        else:
            out.append([index, index])
    return out


def _from_ranges(ranges: Iterable[Iterable[int]]) -> set[int]:
    found: set[int] = set()
    for first, last in ranges:
        found.update(range(int(first), int(last) + 1))
    return found


def _plan_runs(parts: list[Part]) -> list[list[int]]:
    """Parts as runs `[first_index, start, size, count]` of consecutive equal parts (a journal stays small)."""
    runs: list[list[int]] = []
    for p in parts:
        if runs:
            first, start, size, count = runs[-1]
            if p.size == size and p.index == first + count and p.start == start + size * count:
                runs[-1][3] += 1
                continue
        runs.append([p.index, p.start, p.size, 1])
    return runs


def _parts_from_runs(runs: Iterable[Iterable[int]]) -> list[Part]:
    parts: list[Part] = []
    for first, start, size, count in runs:
        parts.extend(Part(first + k, start + size * k, size) for k in range(count))
    return parts


@dataclass
class UploadState:
    """Everything about one upload that must survive a kill (the journal) plus this run's live view."""

    media_id: str
    title: str
    media_type: str
    total: int
    parts: list[Part]
    acked: set[int] = field(default_factory=set)
    unsure: set[int] = field(default_factory=set)  # dispatched, outcome unknown (persisted)
    # live only:
    inflight: set[int] = field(default_factory=set)
    hashed: set[int] = field(default_factory=set)
    failed: dict[int, str] = field(default_factory=dict)
    corrupted: set[int] = field(default_factory=set)
    resumed_parts: int = 0

    @property
    def done(self) -> int:
        return sum(1 for p in self.parts if p.index in self.acked)

    def rows(self) -> list[ChunkRow]:
        """The progress table: chunks numbered from 0 in byte order, as the skill's template does."""
        rows: list[ChunkRow] = []
        for number, p in enumerate(self.parts):
            if p.index in self.acked:
                rows.append(ChunkRow(number, p.size, "done", True))
            elif p.index in self.failed:
                md5: bool | None = False if p.index in self.corrupted else (True if p.index in self.hashed else None)
                rows.append(ChunkRow(number, p.size, "failed", md5))
            elif p.index in self.inflight:
                rows.append(ChunkRow(number, p.size, "uploading", True if p.index in self.hashed else None))
            else:
                rows.append(ChunkRow(number, p.size, "waiting", None))
        return rows

    def block(self) -> str:
        return render_upload_progress(self.title, self.rows())


class Journal:
    """One upload's journal file; `save()` is atomic (temp file + `os.replace`)."""

    def __init__(self, path: Path, meta: dict[str, Any]) -> None:
        self.path = path
        self.meta = meta

    @staticmethod
    def location(cache_dir: Path, key: str) -> Path:
        return cache_dir / "uploads" / f"{key}.json"

    @classmethod
    def load(cls, path: Path) -> tuple[Journal, UploadState] | None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("version") != JOURNAL_VERSION:
                return None
            state = UploadState(
                media_id=str(raw["media_id"]),
                title=str(raw["title"]),
                media_type=str(raw["media_type"]),
                total=int(raw["total"]),
                parts=_parts_from_runs(raw["plan"]),
                acked=_from_ranges(raw.get("acked", [])),
                unsure=_from_ranges(raw.get("unsure", [])),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            if path.exists():
                logger.warning("ignoring unreadable upload journal %s: %s", path.name, type(exc).__name__)
            return None
        if not state.parts or sum(p.size for p in state.parts) != state.total:
            logger.warning("ignoring inconsistent upload journal %s", path.name)
            return None
        meta = {k: v for k, v in raw.items() if k not in {"plan", "acked", "unsure"}}
        return cls(path, meta), state

    def save(self, state: UploadState) -> None:
        data = dict(self.meta)
        data.update(
            version=JOURNAL_VERSION,
            media_id=state.media_id,
            title=state.title,
            media_type=state.media_type,
            total=state.total,
            plan=_plan_runs(state.parts),
            acked=_index_ranges(state.acked),
            unsure=_index_ranges(state.unsure - state.acked),
            updated_at=datetime.now(UTC).isoformat(),
        )
        atomic_write_json(self.path, data)

    def delete(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


# --------------------------------------------------------------------------- one part on the wire


def part_body(
    path: Path,
    part: Part,
    *,
    on_sent: Callable[[], None] | None = None,
    readers: anyio.CapacityLimiter | None = None,
) -> FileBody:
    """The multipart body of one part, read from disk: `file`, then `index`, then `hash` (computed on the way)."""
    boundary = "botflix" + secrets.token_hex(12)
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="blob"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    middle = (
        f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="index"\r\n\r\n{part.index}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="hash"\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return FileBody(
        path,
        part.start,
        part.size,
        head=head,
        trailer=lambda md5: middle + md5.encode() + tail,
        trailer_length=len(middle) + 32 + len(tail),
        content_type=f"multipart/form-data; boundary={boundary}",
        on_sent=on_sent,
        readers=readers,
    )


PartKind = Literal["ok", "already", "too_large", "failed"]


@dataclass(frozen=True)
class PartOutcome:
    kind: PartKind
    message: str = ""
    status: int | None = None
    md5: str | None = None
    stored: bool | None = None  # failed parts: False when the host surely did not keep it, None when unknown
    corrupted: bool = False


@dataclass
class PartSender:
    """Sends the parts of one media through the AIOZ client's HTTP policy (see the module docstring).

    Each attempt streams a fresh body from disk; its time budget is the body at `MIN_UPLOAD_RATE` plus the normal
    answer timeout, tightened to the answer timeout once the body is written (a host that trickles its answer is
    cut off). A 429 pauses every part of the upload (`_resume_at`) and does not use up attempts.
    """

    api: AiozSession
    media_id: str
    path: Path
    total: int
    attempts: int
    on_hashed: Callable[[int, str], None] | None = None
    _resume_at: float = 0.0  # monotonic time before which no part is sent (after a 429)
    _readers: anyio.CapacityLimiter | None = None  # worker threads reading and hashing blocks, shared by the parts

    async def _pace(self) -> None:
        wait = self._resume_at - time.monotonic()
        if wait > 0:
            await anyio.sleep(wait)

    def _pause(self, delay: float) -> None:
        self._resume_at = max(self._resume_at, time.monotonic() + delay)

    async def send(self, part: Part) -> PartOutcome:
        bodies: list[FileBody] = []
        if self._readers is None:
            self._readers = anyio.CapacityLimiter(max(1, min(READERS, os.cpu_count() or 1)))
        readers = self._readers

        def build(attempt: Attempt) -> httpx.Request:
            body = part_body(self.path, part, on_sent=attempt.body_sent, readers=readers)
            bodies.append(body)
            return parts_api.part_request(
                self.api, self.media_id, body=body, content_range=part.content_range(self.total)
            )

        client = self.api.client
        per_attempt = client.timeout + part.size / MIN_UPLOAD_RATE
        try:
            response = await client.policy.send(
                client.http,
                build,
                idempotent=True,  # the host keeps a part once per (index, hash): a repeat answers "already uploaded"
                attempt_timeout=per_attempt,
                deadline=per_attempt * self.attempts + client.policy.deadline,
                max_attempts=self.attempts,
                max_rate_waits=MAX_RATE_LIMIT_WAITS,
                before_attempt=self._pace,
                on_rate_limited=self._pause,
                method="POST",
                path=parts_api.part_path(self.media_id),
            )
        except FileChanged as exc:
            return PartOutcome("failed", str(exc), stored=False)
        except ApiError as exc:  # no answer after the retries (connection or time budget)
            return PartOutcome("failed", exc.message, stored=None)
        finally:
            for old in bodies:  # a body httpx stopped streaming early still holds its file
                await old.aclose()
        md5 = bodies[-1].md5 if bodies else None
        if md5 and self.on_hashed is not None:
            self.on_hashed(part.index, md5)
        answer = parts_api.part_answer(response)
        if answer.kind in ("ok", "already"):
            return PartOutcome(answer.kind, answer.message, answer.status, md5)
        if answer.kind == "too_large":
            return PartOutcome("too_large", answer.message, answer.status, stored=False)
        return PartOutcome(
            "failed", answer.message, answer.status, md5, stored=answer.stored, corrupted=answer.corrupted
        )


# --------------------------------------------------------------------------- the engine


@dataclass(frozen=True)
class Progress:
    """What a progress listener receives: after each acknowledged part (`kind` "stored": one notification each),
    and when a part is sent or fails for good (`kind` "live": the block changed, the count did not)."""

    done: int
    total: int
    message: str  # one line
    block: str  # the skill's full progress block
    kind: Literal["stored", "live"] = "stored"
    rows: tuple[ChunkRow, ...] = ()  # the block's table as data (the upload monitor app, botflix_mcp/apps)


ProgressListener = Callable[[Progress], Awaitable[None]]


@dataclass
class EngineResult:
    ok: bool
    error: str | None = None
    part_size: int | None = None  # the size used after re-splits (None: no 413 seen)


class UploadEngine:
    """Runs rounds of bounded-parallel part uploads until every part is acknowledged or one fails for good."""

    def __init__(
        self,
        state: UploadState,
        send: Callable[[Part], Awaitable[PartOutcome]],
        *,
        parallel: int,
        journal: Journal | None = None,
        on_progress: ProgressListener | None = None,
    ) -> None:
        self.state = state
        self.send = send
        self.parallel = max(1, parallel)
        self.journal = journal
        self.on_progress = on_progress
        self.learned_size: int | None = None
        self._notify_lock = anyio.Lock()
        self._last_done = -1

    def _save(self) -> None:
        if self.journal is not None:
            self.journal.save(self.state)

    def progress(self, kind: Literal["stored", "live"] = "stored") -> Progress:
        s = self.state
        done, total = s.done, len(s.parts)
        percent = done * 100 // total if total else 100
        message = f"Uploading {s.title}: {done} of {total} chunks ({percent}%)"
        return Progress(done, total, message, s.block(), kind, tuple(s.rows()))

    async def _live(self) -> None:
        """The block after a part was sent or failed (⏳ / ❌ rows), for job status; never a count going down."""
        if self.on_progress is None:
            return
        snapshot = self.progress("live")
        async with self._notify_lock:
            if snapshot.done < self._last_done:
                return
            try:
                await self.on_progress(snapshot)
            except anyio.get_cancelled_exc_class():
                raise
            except Exception as exc:
                logger.debug("progress listener failed: %s", type(exc).__name__)

    async def _notify(self, progress: Progress) -> None:
        """Tell the listener about one acknowledged part, in order (the snapshot was taken at the acknowledgement,
        and the lock is FIFO), so that every part gets its own notification and counts only go up."""
        if self.on_progress is None:
            return
        async with self._notify_lock:
            if progress.done <= self._last_done:
                return
            self._last_done = progress.done
            try:
                await self.on_progress(progress)
            except anyio.get_cancelled_exc_class():
                raise
            except Exception as exc:  # a listener (e.g. a client that went away) never breaks the upload
                logger.debug("progress listener failed: %s", type(exc).__name__)

    async def run(self) -> EngineResult:
        s = self.state
        s.failed.clear()
        s.corrupted.clear()
        while True:
            pending = [p for p in s.parts if p.index not in s.acked]
            if not pending:
                return EngineResult(True, part_size=self.learned_size)
            too_large = await self._round(pending)
            if s.failed:
                first = min(s.failed)
                return EngineResult(False, f"part {first} failed: {s.failed[first]}", self.learned_size)
            if not too_large:
                continue
            smallest = min(p.size for p in too_large)
            new_size = smaller_part_size(smallest)
            if new_size is None:
                for p in too_large:
                    s.failed[p.index] = "HTTP 413: the host refuses even the minimum part size (5 MiB)"
                return EngineResult(False, s.failed[too_large[0].index], self.learned_size)
            try:
                s.parts = resplit(s.parts, s.acked | s.unsure, new_size)
            except NoIndexRoom as exc:
                s.failed[exc.first.index] = f"HTTP 413, and {exc}"
                return EngineResult(False, s.failed[exc.first.index], self.learned_size)
            self.learned_size = new_size
            logger.info("HTTP 413: re-split the remaining bytes into parts of %d MiB", new_size // MIB)
            self._save()

    async def _round(self, pending: list[Part]) -> list[Part]:
        """Send `pending` (unsure parts first, then byte order); return the parts that got 413."""
        s = self.state
        order = [p for p in pending if p.index in s.unsure] + [p for p in pending if p.index not in s.unsure]
        tail = s.parts[-1]
        gate_tail = tail.index not in s.acked and tail.index not in s.unsure and len(order) > 1
        tail_may_go = anyio.Event()
        stop = False
        too_large: list[Part] = []
        limiter = anyio.Semaphore(self.parallel)

        async def one(part: Part) -> None:
            nonlocal stop
            released = False
            try:
                outcome = await self.send(part)
                s.inflight.discard(part.index)
                if outcome.kind in ("ok", "already"):
                    s.acked.add(part.index)
                    s.unsure.discard(part.index)
                    s.hashed.add(part.index)
                    self._save()
                    snapshot = self.progress() if self.on_progress is not None else None
                    tail_may_go.set()
                    limiter.release()
                    released = True
                    if snapshot is not None:
                        await self._notify(snapshot)
                    return
                if outcome.kind == "too_large":
                    s.unsure.discard(part.index)
                    too_large.append(part)
                else:
                    s.failed[part.index] = outcome.message
                    if outcome.corrupted:
                        s.corrupted.add(part.index)
                    if outcome.stored is False:
                        s.unsure.discard(part.index)
                self._save()
                stop = True
                tail_may_go.set()
                await self._live()
            finally:
                s.inflight.discard(part.index)
                if not released:
                    limiter.release()

        async with anyio.create_task_group() as tg:
            for part in order:
                must_resolve = part.index in s.unsure
                if stop and not must_resolve:
                    break
                if part is tail and gate_tail:
                    await tail_may_go.wait()
                    if stop:
                        break
                await limiter.acquire()
                if stop and not must_resolve:
                    limiter.release()
                    break
                s.unsure.add(part.index)  # before a byte is sent: a kill from here on leaves it "unsure"
                s.inflight.add(part.index)
                self._save()
                tg.start_soon(one, part)
                await self._live()
        return sorted(too_large, key=lambda p: p.start)


# --------------------------------------------------------------------------- the whole upload


@dataclass
class UploadReport:
    """The result of `upload_file`: success with the final texts, or the failure with the last block."""

    ok: bool
    media_id: str
    title: str
    media_type: str
    block: str
    complete_text: str | None = None
    error: str | None = None
    uploaded_at: datetime | None = None
    parts: int = 0
    resumed_parts: int = 0
    part_size: int = 0
    already_completed: bool = False
    status: str | None = None

    @property
    def text(self) -> str:
        """Success: the last progress block followed by the "Upload Complete!" template, exactly."""
        if self.complete_text is None:
            return self.block
        return f"{self.block}\n\n{self.complete_text}"

    def data(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "media_id": self.media_id,
            "title": self.title,
            "type": self.media_type,
            "status": self.status or ("transcoding" if self.ok else "new"),
            "uploaded_at": self.uploaded_at.isoformat() if self.uploaded_at else None,
            "parts": self.parts,
            "resumed_parts": self.resumed_parts,
            "part_size": self.part_size,
            "already_completed": self.already_completed,
            "error": self.error,
        }


#: Makes (or finds) the media to upload into; runs only when no resumable journal exists.
CreateMedia = Callable[[], Awaitable[Media]]


def _limits_path(cache_dir: Path) -> Path:
    return cache_dir / "uploads" / "part-limits.json"


def learned_part_size(cache_dir: Path, base_url: str) -> int | None:
    """The part size a previous upload to this host settled on after a 413 (None when never seen)."""
    try:
        data = json.loads(_limits_path(cache_dir).read_text(encoding="utf-8"))
        value = data.get(base_url.rstrip("/"))
        return int(value) if value else None
    except (OSError, ValueError, AttributeError):
        return None


def remember_part_size(cache_dir: Path, base_url: str, size: int) -> None:
    path = _limits_path(cache_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    data[base_url.rstrip("/")] = size
    with contextlib.suppress(OSError):
        atomic_write_json(path, data)


def _sources_path(cache_dir: Path) -> Path:
    return cache_dir / "uploads" / "sources.json"


def remember_source(cache_dir: Path, media_id: str, source: str, *, keep: int = 200) -> None:
    """media id -> the local file it was uploaded from (for "retry my failed upload"); bounded."""
    path = _sources_path(cache_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    data.pop(media_id, None)
    data[media_id] = source
    while len(data) > keep:
        data.pop(next(iter(data)))
    with contextlib.suppress(OSError):
        atomic_write_json(path, data)


def _completed_path(cache_dir: Path) -> Path:
    return cache_dir / "uploads" / "completed.json"


def remember_completed(cache_dir: Path, media_id: str, *, keep: int = 200) -> None:
    """This server called `/complete` for `media_id` successfully (the file is in: status `new` is "received")."""
    path = _completed_path(cache_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        ids = [str(x) for x in data] if isinstance(data, list) else []
    except (OSError, ValueError):
        ids = []
    ids = [*[x for x in ids if x != media_id][-(keep - 1) :], media_id]
    with contextlib.suppress(OSError):
        atomic_write_json(path, ids)


def was_completed(cache_dir: Path, media_id: str) -> bool:
    try:
        data = json.loads(_completed_path(cache_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, list) and media_id in data


def source_of(cache_dir: Path, media_id: str) -> str | None:
    try:
        data = json.loads(_sources_path(cache_dir).read_text(encoding="utf-8"))
        value = data.get(media_id) if isinstance(data, dict) else None
        return str(value) if value else None
    except (OSError, ValueError):
        return None


#: Journal keys of the uploads running in this process (two calls must not drive the same upload at once).
_ACTIVE: set[str] = set()


async def upload_file(
    api: AiozSession,
    path: Path,
    *,
    title: str,
    media_type: str,
    create_media: CreateMedia,
    chunk_size: int,
    parallel: int,
    cache_dir: Path,
    retry: RetryPolicy,
    complete_timeout: float,
    on_progress: ProgressListener | None = None,
    target_id: str | None = None,
) -> UploadReport:
    """Upload the local file at `path` as one AIOZ media: resume or create, send all parts, complete.

    `create_media()` runs only when no resumable journal exists (it does the cost check and `POST /media/create`
    and returns the media object, or returns the existing media `target_id` to upload into). A journal of this
    file for another media than `target_id` is dropped: the caller asked for that media.
    A part that fails for good, or a file that changed while it was read, ends in a report with `ok=False` (the
    table shows ❌) and `/complete` is not called; a create answer without an id raises `UnexpectedAnswerError`.
    """
    ident = await anyio.to_thread.run_sync(file_identity, path)
    if ident.size <= 0:
        raise UserInputError(f"{path} is empty; there is nothing to upload.")
    key = journal_key(api.client.base_url, api.creds.fingerprint, ident)
    if key in _ACTIVE:
        raise UserInputError(
            f"{path} is already being uploaded by another call or job of this server.",
            "Follow it with aioz_upload_job (action 'list'), or wait for it to finish.",
        )
    _ACTIVE.add(key)
    try:
        return await _upload(
            api,
            path,
            ident,
            key,
            title=title,
            media_type=media_type,
            create_media=create_media,
            chunk_size=chunk_size,
            parallel=parallel,
            cache_dir=cache_dir,
            retry=retry,
            complete_timeout=complete_timeout,
            on_progress=on_progress,
            target_id=target_id,
        )
    finally:
        _ACTIVE.discard(key)


async def _upload(
    api: AiozSession,
    path: Path,
    ident: FileIdentity,
    key: str,
    *,
    title: str,
    media_type: str,
    create_media: CreateMedia,
    chunk_size: int,
    parallel: int,
    cache_dir: Path,
    retry: RetryPolicy,
    complete_timeout: float,
    on_progress: ProgressListener | None = None,
    target_id: str | None = None,
) -> UploadReport:
    location = Journal.location(cache_dir, key)
    loaded = Journal.load(location)
    state: UploadState | None = None
    journal: Journal | None = None
    if loaded is not None and target_id is not None and loaded[1].media_id != target_id:
        logger.info("journal names another media than the one asked for; starting over")
        loaded[0].delete()
        loaded = None
    if loaded is not None:
        journal, state = loaded
        status = await media_status(api, state.media_id)
        if status is None:
            logger.info("journal names media that no longer exists; starting over")
            journal.delete()
            journal = state = None
        elif status != "new":  # completed earlier (the answer or the journal clean-up was lost)
            journal.delete()
            state.acked = {p.index for p in state.parts}
            return UploadReport(
                True,
                state.media_id,
                state.title,
                state.media_type,
                state.block(),
                render_upload_complete(state.media_id, state.title, state.media_type, datetime.now(UTC)),
                uploaded_at=datetime.now(UTC),
                parts=len(state.parts),
                resumed_parts=len(state.parts),
                already_completed=True,
                status=status,
            )
        else:
            state.resumed_parts = state.done
            logger.info(
                "resuming upload of media %s: %d of %d parts stored", state.media_id, state.done, len(state.parts)
            )
    if state is None:
        size = min(chunk_size, learned_part_size(cache_dir, api.client.base_url) or chunk_size)
        media = await create_media()  # api.media.create_media refuses an answer without an id
        state = UploadState(media.id, title, media_type, ident.size, plan_chunks(ident.size, size))
        meta = {"source": ident.path, "size": ident.size, "mtime_ns": ident.mtime_ns, "sample": ident.sample}
        meta["created_at"] = datetime.now(UTC).isoformat()
        journal = Journal(location, meta)
        journal.save(state)
    assert journal is not None
    remember_source(cache_dir, state.media_id, ident.path)

    def hashed(index: int, _md5: str) -> None:
        state.hashed.add(index)

    sender = PartSender(
        api=api,
        media_id=state.media_id,
        path=path,
        total=state.total,
        attempts=max(2, 2 * retry.max_retries),
        on_hashed=hashed,
    )
    engine = UploadEngine(state, sender.send, parallel=parallel, journal=journal, on_progress=on_progress)
    result = await engine.run()
    if engine.learned_size is not None:
        remember_part_size(cache_dir, api.client.base_url, engine.learned_size)
    report = UploadReport(
        False,
        state.media_id,
        state.title,
        state.media_type,
        state.block(),
        parts=len(state.parts),
        resumed_parts=state.resumed_parts,
        part_size=max(p.size for p in state.parts),
    )
    if not result.ok:
        report.error = result.error
        return report
    now = await anyio.to_thread.run_sync(file_identity, path)
    if (now.size, now.mtime_ns) != (ident.size, ident.mtime_ns):
        report.error = "the file changed while it was being uploaded; /complete was not called"
        return report
    await complete_upload(api, state.media_id, timeout=complete_timeout)
    remember_completed(cache_dir, state.media_id)
    journal.delete()
    uploaded_at = datetime.now(UTC)
    report.ok = True
    report.uploaded_at = uploaded_at
    report.status = "transcoding"
    report.complete_text = render_upload_complete(state.media_id, state.title, state.media_type, uploaded_at)
    return report
