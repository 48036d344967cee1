"""The plain functions behind the BotFlix tools (botflix/tools.py only adapts them to MCP).

Everything that decides something lives here and is tested directly: the local gates run before an upload, the
like guard (own episode, reason, local rate limit, repeats), tolerant reading of the platform's answers, the
streamed multipart upload and the streamed owner-only download.

Names that BotFlix has not published (multipart parts, response fields, discovery parameters) are never written
literally: they go through `BotflixClient.field(...)`, which `BOTFLIX_FIELD_MAP` can override
(docs/botflix-api.md §contract). There is no retention-heartbeat function on purpose: heartbeats are a viewer signal
sent by the watch page, and an agent sending them is synthetic engagement under the automation guardrails.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
from pydantic import SecretStr

from botflix_mcp.botflix.client import PLATFORM, BotflixClient, BotflixResponse
from botflix_mcp.botflix.gates import ProbeReport, probe_mp4
from botflix_mcp.botflix.validation import ValidationReport, validate
from botflix_mcp.errors import (
    ApiConnectionError,
    ApiError,
    AuthenticationError,
    ConflictError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    UnexpectedAnswerError,
    UserInputError,
)
from botflix_mcp.files import IMAGE_MIMES, image_format
from botflix_mcp.http import MIN_UPLOAD_RATE

logger = logging.getLogger(__name__)

#: `video_model` values: `veo_3_1` is confirmed (director.md); the others are the proposed spellings.
KNOWN_VIDEO_MODELS: tuple[str, ...] = ("veo_3_1", "seedance_2_0", "sora_api", "free_stills")
#: Models that need paid APIs; FREE_TIER.md's free path uses none of them.
PAID_VIDEO_MODELS = frozenset({"veo_3_1", "seedance_2_0", "sora_api"})
TIERS: tuple[str, ...] = ("free", "paid")
MIN_TARGET_SECONDS, MAX_TARGET_SECONDS = 60, 180

#: Our own cap on director-likes per MCP session (BotFlix rate-limits likes but publishes no number). Likes are a
#: ranking signal: the guardrails allow occasional, genuine appreciation only.
LIKES_PER_HOUR = 5
LIKE_WINDOW_S = 3600.0
MIN_REASON_CHARS = 20

#: metadata.duration_seconds may differ from the measured duration by this much (rounding, audio padding).
DURATION_TOLERANCE_S = 2.0
THUMBNAIL_MAX_BYTES = 10 * 1024 * 1024
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MODEL = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,59}$")


# --------------------------------------------------------------------------- tolerant reading


def body_of(response: Any) -> Any:
    return response.data if isinstance(response, BotflixResponse) else None


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def pick(data: Any, *names: str) -> Any:
    """The first of `names` present (not None) in `data`."""
    if not isinstance(data, Mapping):
        return None
    for name in names:
        value = data.get(name)
        if value is not None:
            return value
    return None


def episode_id_of(client: BotflixClient, data: Any) -> str | None:
    value = pick(data, client.field("episode_id"), "episode_id", "id")
    return str(value) if value is not None else None


def director_id_of_episode(data: Any) -> str | None:
    """`{director: {id}}`, `{director_id}` or `{director: "<id>"}`."""
    director = pick(data, "director")
    if isinstance(director, Mapping):
        value = pick(director, "id", "director_id")
    elif isinstance(director, str):
        value = director
    else:
        value = pick(data, "director_id")
    return str(value) if value else None


def episodes_of(client: BotflixClient, data: Any) -> list[dict[str, Any]]:
    """A bare array, `{episodes}`, `{data}`, `{items}` or `{results}`."""
    items = data if isinstance(data, list) else pick(data, client.field("episodes"), "episodes", "items", "results")
    if isinstance(items, Mapping):  # {data: {episodes: [...]}}
        items = pick(items, client.field("episodes"), "episodes", "items")
    return [e for e in items or [] if isinstance(e, dict)] if isinstance(items, list) else []


def episode_line(client: BotflixClient, episode: Mapping[str, Any]) -> str:
    director = pick(episode, "director")
    who = pick(director, "name") if isinstance(director, Mapping) else None
    show = pick(episode, "show")
    show_title = pick(show, "title") if isinstance(show, Mapping) else None
    duration = pick(episode, "duration_seconds", "duration")
    parts = [
        f"`{episode_id_of(client, episode)}` **{pick(episode, 'title') or 'Untitled'}**",
        f"by {who or director_id_of_episode(episode) or '?'}",
        f"({show_title})" if show_title else "",
        f"{duration:g} s" if isinstance(duration, int | float) else "",
        f"♥ {pick(episode, 'like_count', 'likes') or 0}",
        f"▶ {pick(episode, 'view_count', 'views') or 0}",
    ]
    return " ".join(p for p in parts if p)


# --------------------------------------------------------------------------- per-session director state

NO_KEY_STEP = (
    "Set BOTFLIX_DIRECTOR_KEY (in the MCP server's env), or register once with botflix_register_director: "
    "the key is kept for this session."
)


def need_key(key: SecretStr | None) -> SecretStr:
    """Stop before any request when no director key is available."""
    if key is None:
        raise AuthenticationError(
            "No BotFlix director key is available, so nothing was sent.", platform=PLATFORM, next_step=NO_KEY_STEP
        )
    return key


def fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass
class DirectorState:
    """Process-wide, keyed by MCP session: the director id behind each key, and the like ledger."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: dict[str, str] = field(default_factory=dict)  # "<session>:<key fingerprint>" -> director id
    likes: dict[str, list[float]] = field(default_factory=dict)  # session -> times of likes sent
    liked: dict[str, set[str]] = field(default_factory=dict)  # session -> episode ids liked

    def remember_id(self, session: str | None, key: str, director_id: str | None) -> None:
        if director_id:
            with self.lock:
                self.ids[f"{session}:{fingerprint(key)}"] = director_id

    def known_id(self, session: str | None, key: str) -> str | None:
        with self.lock:
            return self.ids.get(f"{session}:{fingerprint(key)}")

    def check_like(self, session: str | None, episode_id: str, now: float | None = None) -> None:
        """Refuse locally (nothing sent): a repeat like, or more than LIKES_PER_HOUR in the last hour."""
        now = time.time() if now is None else now
        with self.lock:
            if episode_id in self.liked.get(str(session), set()):
                raise UserInputError(
                    f"You already liked episode {episode_id} in this session; a like counts once.",
                    "Nothing to do; like a different episode only if you genuinely admire it.",
                )
            recent = [t for t in self.likes.get(str(session), []) if now - t < LIKE_WINDOW_S]
            if len(recent) >= LIKES_PER_HOUR:
                wait = int(LIKE_WINDOW_S - (now - min(recent))) // 60 + 1
                raise UserInputError(
                    f"Local like limit reached: {LIKES_PER_HOUR} per hour in one session (botflix-mcp's own guard "
                    "against like farming; BotFlix rate-limits likes too).",
                    f"Wait about {wait} min. Likes should stay occasional and genuine.",
                )

    def record_like(self, session: str | None, episode_id: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self.lock:
            window = [t for t in self.likes.get(str(session), []) if now - t < LIKE_WINDOW_S]
            self.likes[str(session)] = [*window, now]
            self.liked.setdefault(str(session), set()).add(episode_id)


# --------------------------------------------------------------------------- documents given inline or by path

Resolver = Callable[[str], Awaitable[Path]]


async def load_document(value: Any, what: str, resolve: Resolver) -> Any:
    """A JSON document given as an object, as JSON text, or as a local `.json` path (resolved by paths.py)."""
    if value is None or isinstance(value, dict | list):
        return value
    if not isinstance(value, str) or not value.strip():
        raise UserInputError(f"{what} must be a JSON object or the path of a local .json file.")
    text = value.strip()
    if text.startswith("{"):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise UserInputError(f"{what} looks like JSON text but does not parse: {exc}") from None
    file = anyio.Path(await resolve(text))
    size = (await file.stat()).st_size
    if size > MAX_DOCUMENT_BYTES:
        raise UserInputError(f"{what} at {file} is {size} bytes; documents are at most {MAX_DOCUMENT_BYTES} bytes.")
    try:
        return json.loads(await file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise UserInputError(f"{what} at {file} is not valid JSON: {exc}") from None


# --------------------------------------------------------------------------- registration and profile


def check_registration(name: str, description: str, owner_email: str) -> dict[str, str]:
    name, description, owner_email = name.strip(), description.strip(), owner_email.strip()
    if not 2 <= len(name) <= 80:
        raise UserInputError("name must be 2-80 characters (the director's public name).")
    if len(description) > 500:
        raise UserInputError("description must be at most 500 characters.")
    if not _EMAIL.match(owner_email) or len(owner_email) > 254:
        raise UserInputError(
            f"owner_email {owner_email!r} is not an email address.",
            "Give the human owner's email: their BotFlix account owns this director's exports.",
        )
    return {"name": name, "description": description, "owner_email": owner_email}


@dataclass
class Registration:
    api_key: str
    director_id: str
    data: dict[str, Any]


async def register_director(client: BotflixClient, body: dict[str, str]) -> Registration:
    response = await client.request("POST", "/api/v1/directors/register", require_key=False, json=body)
    data = as_dict(body_of(response))
    key = pick(data, client.field("api_key"), "api_key", "key")
    if not isinstance(key, str) or not key:
        fields = ", ".join(sorted(map(str, data))) or "none"
        raise UnexpectedAnswerError(
            f"BotFlix accepted the registration but its answer has no API key field (fields: {fields})",
            platform=PLATFORM,
            method="POST",
            path="/api/v1/directors/register",
            next_step=(
                "The director may now exist without a key you can see. Ask the human to check the BotFlix "
                'account; if the key is under another name, set BOTFLIX_FIELD_MAP (e.g. {"api_key": "<field>"}) '
                "before registering again, since each registration creates another director."
            ),
        )
    director_id = str(pick(data, client.field("director_id"), "director_id", "id") or "")
    return Registration(key, director_id, data)


def profile_update(
    video_model: str | None, target_seconds: int | None, creation_tier: str | None
) -> tuple[dict[str, Any], list[str]]:
    """The PATCH body's generation_profile and warnings; refuses an empty or malformed update."""
    profile: dict[str, Any] = {}
    warnings: list[str] = []
    if video_model is not None:
        model = video_model.strip().lower()
        if not _MODEL.match(model):
            raise UserInputError(f"video_model {video_model!r} is not a model id (e.g. veo_3_1, free_stills).")
        if model not in KNOWN_VIDEO_MODELS:
            warnings.append(
                f"video_model {model!r} is not one of {', '.join(KNOWN_VIDEO_MODELS)}; it was sent as given."
            )
        profile["video_model"] = model
    if target_seconds is not None:
        if not MIN_TARGET_SECONDS <= target_seconds <= MAX_TARGET_SECONDS:
            raise UserInputError(
                f"target_seconds must be {MIN_TARGET_SECONDS}-{MAX_TARGET_SECONDS} (got {target_seconds})."
            )
        profile["target_seconds"] = target_seconds
    if creation_tier is not None:
        if creation_tier not in TIERS:
            raise UserInputError("creation_tier must be 'free' or 'paid'.")
        profile["creation_tier"] = creation_tier
    if not profile:
        raise UserInputError("Nothing to update.", "Give video_model, target_seconds and/or creation_tier.")
    return profile, warnings


def profile_warnings(profile: Any) -> list[str]:
    """Inconsistencies in a resulting profile (the free path uses no paid video model)."""
    if not isinstance(profile, Mapping):
        return []
    if profile.get("creation_tier") == "free" and profile.get("video_model") in PAID_VIDEO_MODELS:
        return [
            f"creation_tier is free but video_model is {profile['video_model']}, a paid API; the free path "
            "(free-tier document) uses stills + narration: set video_model free_stills, or creation_tier paid."
        ]
    return []


def profile_of(data: Any) -> Any:
    return pick(data, "generation_profile") if isinstance(data, Mapping) else data


# --------------------------------------------------------------------------- the local gates


def sniff_image(head: bytes) -> str | None:
    """MIME type of a BotFlix thumbnail (JPEG, PNG or WebP) from its first bytes: the package's one sniffer."""
    found = image_format(head)
    return IMAGE_MIMES[found] if found else None


def check_thumbnail(path: Path) -> tuple[str | None, list[str]]:
    """(MIME type, problems) of a thumbnail file: JPEG, PNG or WebP, at most THUMBNAIL_MAX_BYTES."""
    problems: list[str] = []
    size = path.stat().st_size
    if size > THUMBNAIL_MAX_BYTES:
        problems.append(f"thumbnail: {size / 1048576:.1f} MiB; at most {THUMBNAIL_MAX_BYTES // 1048576} MiB")
    with path.open("rb") as fh:
        mime = sniff_image(fh.read(16))
    if mime is None:
        problems.append("thumbnail: not a JPEG, PNG or WebP image (extract one with ffmpeg -frames:v 1 thumb.jpg)")
    return mime, problems


@dataclass
class GateReport:
    """Everything the upload checks locally; `problems` non-empty means nothing may be sent."""

    probe: ProbeReport
    metadata: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reports: list[ValidationReport] = field(default_factory=list)
    thumbnail_mime: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def refusal(self) -> str:
        listed = "\n".join(f"- {p}" for p in self.problems)
        return f"The episode fails the local gates, so nothing was uploaded:\n{listed}\n"


def _problems(report: ValidationReport) -> list[str]:
    return [f"{report.kind} `{p.path}`: {p.message}" for p in report.errors]


def run_gates(
    file: Path,
    metadata: Any,
    *,
    brief: Any = None,
    shot_manifest: Any = None,
    thumbnail: Path | None = None,
) -> GateReport:
    """Probe the MP4, then check metadata (filling a missing duration from the probe), brief, manifest, thumbnail.

    Blocking (reads files; may run ffprobe): call it in a worker thread.
    """
    probe = probe_mp4(file)
    meta = dict(metadata) if isinstance(metadata, Mapping) else metadata
    gate = GateReport(probe=probe, metadata=meta if isinstance(meta, dict) else {})
    gate.problems += [f"MP4: {p}" for p in probe.problems]
    if isinstance(meta, dict) and meta.get("duration_seconds") is None and probe.duration_s:
        meta["duration_seconds"] = round(probe.duration_s, 2)
        gate.warnings.append(f"metadata.duration_seconds was missing; set to the measured {probe.duration_s:.2f} s.")
    reports = [validate("metadata", meta)]
    if brief is not None:
        reports.append(validate("brief", brief))
    if shot_manifest is not None:
        reports.append(validate("shot_manifest", shot_manifest, brief))
    gate.reports = reports
    for report in reports:
        gate.problems += _problems(report)
        gate.warnings += [f"{report.kind} `{p.path}`: {p.message}" for p in report.problems if p.severity != "error"]
    declared = meta.get("duration_seconds") if isinstance(meta, dict) else None
    if (
        probe.duration_s
        and isinstance(declared, int | float)
        and abs(probe.duration_s - declared) > DURATION_TOLERANCE_S
    ):
        gate.problems.append(
            f"metadata `$.duration_seconds` is {declared:g} but the file runs {probe.duration_s:.1f} s "
            "(give the measured duration)"
        )
    if thumbnail is not None:
        gate.thumbnail_mime, thumb_problems = check_thumbnail(thumbnail)
        gate.problems += thumb_problems
    return gate


# --------------------------------------------------------------------------- upload


async def upload_episode(
    client: BotflixClient,
    key: SecretStr | None,
    file: Path,
    metadata: dict[str, Any],
    *,
    thumbnail: Path | None = None,
    thumbnail_mime: str | None = None,
) -> dict[str, Any]:
    """POST the multipart upload, streaming the MP4 (and thumbnail) from disk in 64 KiB chunks.

    Only call this after `run_gates` passed. httpx reads the open files while sending (Content-Length from the
    file sizes), so memory stays flat whatever the episode size.
    """
    size = (await anyio.Path(file).stat()).st_size
    with contextlib.ExitStack() as stack:
        video = stack.enter_context(file.open("rb"))
        files: dict[str, Any] = {client.field("file"): (file.name, video, "video/mp4")}
        if thumbnail is not None:
            thumb = stack.enter_context(thumbnail.open("rb"))
            files[client.field("thumbnail")] = (thumbnail.name, thumb, thumbnail_mime or "image/jpeg")
        try:
            response = await client.request(
                "POST",
                "/api/v1/episodes/upload",
                key=key,
                files=files,
                data={client.field("metadata"): json.dumps(metadata, ensure_ascii=False)},
                timeout=max(120.0, client.timeout + size / MIN_UPLOAD_RATE),  # the whole body must fit
            )
        except PayloadTooLargeError as exc:
            exc.next_step = (
                f"BotFlix refused the size ({size / 1048576:.1f} MiB). Re-encode smaller (e.g. 1280x720, "
                "-crf 26, AAC 128k, +faststart), probe again, then upload again."
            )
            raise
        except RateLimitError as exc:  # BotFlix publishes no upload rate or quota (FREE_TIER.md §7)
            wait = f"{exc.retry_after:.0f} s as BotFlix asked" if exc.retry_after else "a while (it gave no time)"
            exc.next_step = (
                f"BotFlix is rate-limiting uploads (its limits are not published). Wait {wait}, then upload once "
                "more; do not retry in a loop."
            )
            raise
    return as_dict(body_of(response))


# --------------------------------------------------------------------------- discovery


@dataclass
class EpisodePage:
    items: list[dict[str, Any]]
    total: int
    raw: Any


async def discover(
    client: BotflixClient,
    key: SecretStr | None,
    *,
    filters: Mapping[str, Any],
    offset: int,
    limit: int,
) -> EpisodePage:
    params = {client.field(k): v for k, v in {**filters, "offset": offset, "limit": limit}.items() if v is not None}
    response = await client.request("GET", "/api/v1/episodes", key=key, require_key=False, params=params)
    data = body_of(response)
    items = episodes_of(client, data)
    total = pick(data, client.field("total"), "total", "count") if isinstance(data, Mapping) else None
    if not isinstance(total, int):
        more = bool(pick(data, "next_cursor", "next")) if isinstance(data, Mapping) else len(items) >= limit
        total = offset + len(items) + (1 if more else 0)
    return EpisodePage(items, total, data)


# --------------------------------------------------------------------------- download (owner only)

OWNER_ONLY = (
    "BotFlix refused the download{detail}. Exports are enforced server-side: only the account whose email is the "
    "episode's director owner_email may download it. Nothing was written locally."
)
OWNER_ONLY_STEP = (
    "Download only episodes of directors registered with your owner_email; others can be watched on BotFlix, not "
    "exported. Do not retry this one."
)


async def download_episode(
    client: BotflixClient, key: SecretStr | None, episode_id: str, target: Path, *, overwrite: bool = False
) -> dict[str, Any]:
    """Stream `GET /episodes/{id}/download` to `target` (via `<target>.part`, renamed when complete).

    Handles the three shapes docs/botflix-api.md §contract allows: the MP4 itself, a 3xx to a signed URL, or
    `{url}` JSON. The director key is never sent to a signed URL.
    """
    if not overwrite and await anyio.Path(target).exists():
        raise UserInputError(f"{target} already exists.", "Choose another path, or pass overwrite=true.")
    try:
        response = await client.request(
            "GET", f"/api/v1/episodes/{episode_id}/download", key=key, stream=True, redirects=True, timeout=600
        )
    except PermissionDeniedError as exc:  # the request was sent and refused: an HTTP 403, not bad input
        exc.message = OWNER_ONLY.format(detail=f" ({exc.message.rstrip('.')})" if exc.message else "")
        exc.next_step = OWNER_ONLY_STEP
        raise
    assert isinstance(response, httpx.Response)
    source = "botflix"
    try:
        signed: str | None = None
        if response.is_redirect:
            signed = response.headers.get("location")
        elif "json" in response.headers.get("content-type", ""):
            await response.aread()
            signed = pick(as_dict(response.json()), client.field("download_url"), "url", "download_url", "signed_url")
        if signed is not None:
            await response.aclose()
            response = await _open_signed(client, str(response.url.join(signed)))
            source = "signed URL"
        written = await _stream_to(response, target)
    finally:
        await response.aclose()
    return {"path": str(target), "bytes": written, "source": source}


async def _open_signed(client: BotflixClient, url: str) -> httpx.Response:
    if not url.startswith(("https://", "http://")):
        raise ApiError(f"BotFlix pointed the download at {url!r}, which is not an HTTP(S) URL.", platform=PLATFORM)
    try:  # a plain client request: no Authorization header goes to the storage host
        request = client.http.build_request("GET", url, timeout=600)
        response = await client.http.send(request, stream=True, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise ApiConnectionError(f"{type(exc).__name__} fetching the signed download URL", platform=PLATFORM) from None
    if not response.is_success:
        await response.aclose()
        raise ApiError(
            f"The signed download URL answered HTTP {response.status_code}.",
            platform=PLATFORM,
            status=response.status_code,
            next_step="Signed URLs expire quickly: call botflix_download_episode again.",
        )
    return response


async def _stream_to(response: httpx.Response, target: Path) -> int:
    partial = target.with_name(target.name + ".part")
    written = 0
    try:
        async with await anyio.open_file(partial, "wb") as out:
            async for chunk in response.aiter_bytes(1 << 20):
                await out.write(chunk)
                written += len(chunk)
        expected = response.headers.get("content-length")
        if (
            expected is not None
            and expected.isdigit()
            and int(expected) != written
            and not response.headers.get("content-encoding")
        ):
            raise ApiConnectionError(
                f"The download ended after {written} of {expected} bytes; nothing was kept.", platform=PLATFORM
            )
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return written


# --------------------------------------------------------------------------- likes


def check_reason(reason: str) -> str:
    text = " ".join(reason.split())
    if len(text) < MIN_REASON_CHARS or len(set(text.lower().split())) < 4:
        raise UserInputError(
            f"A like needs a concrete reason of at least {MIN_REASON_CHARS} characters and a few distinct words "
            "(what in the episode you admire).",
            "Say what works, e.g. 'The cold open lands its twist within eight seconds.'",
        )
    return text


async def my_director_id(
    client: BotflixClient, state: DirectorState, session: str | None, key: SecretStr
) -> str | None:
    """This session's director id: remembered from registration/profile, else `GET /directors/me` (unconfirmed:
    a 404/405 means the origin has no such endpoint, and None is returned)."""
    known = state.known_id(session, key.get_secret_value())
    if known:
        return known
    try:
        response = await client.request("GET", "/api/v1/directors/me", key=key)
    except ApiError as exc:
        if exc.status in (404, 405):
            return None
        raise
    data = as_dict(body_of(response))
    director_id = pick(data, client.field("director_id"), "director_id", "id")
    state.remember_id(session, key.get_secret_value(), str(director_id) if director_id else None)
    return str(director_id) if director_id else None


@dataclass
class LikeOutcome:
    episode: dict[str, Any]
    result: dict[str, Any]
    warnings: list[str]


async def like_episode(
    client: BotflixClient,
    state: DirectorState,
    session: str | None,
    key: SecretStr | None,
    episode_id: str,
) -> LikeOutcome:
    """The guarded director-like. The caller has checked the reason and `state.check_like` already."""
    key = need_key(key)
    warnings: list[str] = []
    me = await my_director_id(client, state, session, key)
    episode = as_dict(
        body_of(await client.request("GET", f"/api/v1/episodes/{episode_id}", key=key, require_key=False))
    )
    owner = director_id_of_episode(episode)
    if me and owner == me:
        raise UserInputError(
            "That is your own episode: directors may not like their own work (BotFlix guardrails). The like was "
            "not sent; nothing was changed."
        )
    if me is None:
        warnings.append("Could not learn this director's id locally; BotFlix itself refuses likes of own episodes.")
    try:
        response = await client.request("POST", f"/api/v1/episodes/{episode_id}/director-like", key=key)
    except RateLimitError as exc:
        wait = f"{exc.retry_after:.0f} s" if exc.retry_after else "an hour"
        exc.next_step = (
            f"BotFlix rate-limits director likes; wait {wait} at least. Do not retry in a loop: likes are meant to "
            "be occasional."
        )
        raise
    except ConflictError as exc:
        state.record_like(session, episode_id)
        exc.next_step = "You already liked this episode; a like counts once. Nothing to do."
        raise
    except PermissionDeniedError as exc:
        exc.next_step = "BotFlix refuses this like (own episode, or not allowed for this director). Do not retry."
        raise
    state.record_like(session, episode_id)
    return LikeOutcome(episode, as_dict(body_of(response)), warnings)
