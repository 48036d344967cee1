"""Creating AIOZ media under the skill's cost rule: the one copy, shared by the media toolset and the upload tools.

Skill rule: before creating media with custom qualities, `GET /media/cost?type=&duration=&qualities=` and proceed
only when `is_enough` is true; otherwise block with the skill's exact insufficient-balance sentence and send no
create. Without custom qualities the host applies its default encoding and no cost check is required.

`create_media(api, body, duration=...)` enforces that (requests: `api/media.py`); `probe_upload(path)` refuses a file
that is not audio/video before anything is created and gives the duration for the check (`media_probe`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from botflix_mcp.aioz.api import media as media_api
from botflix_mcp.aioz.api.media import Cost, Media
from botflix_mcp.errors import UserInputError
from botflix_mcp.media_probe import MediaInfo, media_refusal, probe_media_async
from botflix_mcp.templates import INSUFFICIENT_BALANCE_MESSAGE

if TYPE_CHECKING:
    from botflix_mcp.aioz.session import AiozSession

logger = logging.getLogger(__name__)


class InsufficientBalance(UserInputError):
    """`GET /media/cost` said `is_enough: false` (or did not say true): nothing was created."""

    def __init__(self, cost: Cost) -> None:
        super().__init__(INSUFFICIENT_BALANCE_MESSAGE, "Top up the AIOZ wallet, then retry.")
        self.cost = cost

    def for_model(self) -> str:
        price = self.cost.price
        shown = f" (transcode price: {price:g})" if price is not None else ""
        return f"{INSUFFICIENT_BALANCE_MESSAGE}{shown} Nothing was created or uploaded."


class QualitySpec(BaseModel):
    """One quality as a tool argument: a resolution (or audio preset) with its stream type, container and codec."""

    model_config = ConfigDict(extra="forbid")

    resolution: Annotated[str, Field(min_length=1, max_length=16, description="720p, or an audio preset")]
    type: Literal["hls", "dash"] | None = None
    container_type: Literal["mpegts", "fmp4", "mp4", "webm"] | None = None
    codec: Literal["h264", "h265"] | None = None


QualityArg = str | QualitySpec | Mapping[str, Any]


def quality_body(
    media_type: str,
    qualities: Sequence[QualityArg] | None,
    *,
    container: str | None = None,
    codec: str | None = None,
    allow_h265_mpegts: bool = False,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Names (`720p`), `QualitySpec`s or create-body objects -> validated create-body qualities and warnings.

    `container` / `codec` apply to every quality that does not set its own. H.265 in an mpegts container does not
    play on Safari/iOS: unless `allow_h265_mpegts`, that is refused here, before anything is created, with the
    skill's warning and the two ways on (fmp4, or confirm).
    """
    if not qualities:
        return [], []
    from botflix_mcp.aioz import rules
    from botflix_mcp.aioz.rules.media import confirm_h265_mpegts

    objects: list[dict[str, Any]] = []
    for quality in qualities:
        if isinstance(quality, str):
            spec: dict[str, Any] = {"resolution": quality}
        elif isinstance(quality, QualitySpec):
            spec = {"resolution": quality.resolution, "type": quality.type, "container_type": quality.container_type}
            if quality.codec:
                spec["video_config"] = {"codec": quality.codec}
        else:
            spec = dict(quality)
        spec = {k: v for k, v in spec.items() if v is not None}
        if container and "container_type" not in spec:
            spec["container_type"] = container
        if media_type == "video" and codec and not (spec.get("video_config") or {}).get("codec"):
            spec["video_config"] = {**(spec.get("video_config") or {}), "codec": codec}
        objects.append(spec)
    kind: Literal["video", "audio"] = "audio" if media_type == "audio" else "video"
    checked, warnings = rules.validate_qualities(kind, objects)
    confirm_h265_mpegts(warnings, allow_h265_mpegts)
    return checked, warnings


def quality_names(qualities: list[Any] | None) -> list[str]:
    """Resolution/preset names of create-body qualities (objects with `resolution`, or plain names)."""
    names: list[str] = []
    for quality in qualities or []:
        name = quality.get("resolution") if isinstance(quality, dict) else quality
        if name and str(name) not in names:
            names.append(str(name))
    return names


async def check_cost(api: AiozSession, *, media_type: str, qualities: list[str], duration: float) -> Cost:
    """`GET /media/cost` for exactly these qualities; raises `InsufficientBalance` unless `is_enough` is true."""
    cost = await media_api.transcode_cost(api, media_type=media_type, qualities=qualities, duration=duration)
    if cost.is_enough is not True:
        raise InsufficientBalance(cost)
    return cost


def need_duration(duration: float | None) -> float:
    if duration is None or duration <= 0:
        raise UserInputError(
            "Custom qualities need the media's duration for the transcode cost check, and it is unknown.",
            "Give the duration in seconds, or omit qualities to use AIOZ's default encoding.",
        )
    return duration


async def create_media(
    api: AiozSession, body: dict[str, Any], *, duration: float | None, cost: Cost | None = None
) -> tuple[Media, Cost | None]:
    """Cost check when `body` has qualities (block if not enough), then `POST /media/create`.

    Returns (media, cost or None). `duration` (seconds) is required when qualities are given, unless `cost` is the
    answer of a check the caller made just before for the same qualities (it is not asked twice). A create answer
    without an id raises `UnexpectedAnswerError` (api.media.create_media).
    """
    names = quality_names(body.get("qualities"))
    if cost is not None and names:
        if cost.is_enough is not True:
            raise InsufficientBalance(cost)
    elif names:
        cost = await check_cost(
            api, media_type=str(body.get("type") or "video"), qualities=names, duration=need_duration(duration)
        )
    media = await media_api.create_media(api, body)
    return media, cost


# --------------------------------------------------------------------------- is the local file media?


async def probe_upload(path: Path, shown: str, media_type: str | None = None) -> MediaInfo:
    """Probe a file before anything is created for it (`media_probe`: its content, never its name).

    Refuses what is not audio/video, and a `media_type` the streams contradict (video asked, audio only found).
    The result's `duration_s` feeds the cost check and `kind` the media type when none was given.
    """
    info = await probe_media_async(path)
    refusal = media_refusal(info)
    if refusal is not None:
        raise UserInputError(
            f"{shown} cannot be uploaded: {refusal}.",
            "Upload an audio or video file (MP4, MOV, WebM, MKV, MP3, M4A, WAV…).",
        )
    if media_type == "video" and info.kind == "audio":
        raise UserInputError(
            f"{shown} has no video stream (audio only).", "Upload it with media_type 'audio', or pick the video file."
        )
    return info
