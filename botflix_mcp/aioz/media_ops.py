"""Creating AIOZ media under the skill's cost rule: the one copy, shared by the media toolset and the upload tools.

Skill rule: before creating media with custom qualities, `GET /media/cost?type=&duration=&qualities=` and proceed
only when `is_enough` is true; otherwise block with the skill's exact insufficient-balance sentence and send no
create. Without custom qualities the host applies its default encoding and no cost check is required.

`create_media(api, body, duration=...)` enforces that; `probe_duration(path)` finds the duration of a local file for
the check (PyAV or ffprobe when available, else the MP4/MOV `mvhd` box, which needs nothing).
"""

from __future__ import annotations

import logging
import shutil
import struct
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from botflix_mcp.errors import UserInputError
from botflix_mcp.templates import INSUFFICIENT_BALANCE_MESSAGE

if TYPE_CHECKING:
    from botflix_mcp.aioz.session import AiozSession

logger = logging.getLogger(__name__)


class InsufficientBalance(UserInputError):
    """`GET /media/cost` said `is_enough: false`: nothing was created."""

    def __init__(self, cost: dict[str, Any]) -> None:
        super().__init__(INSUFFICIENT_BALANCE_MESSAGE, "Top up the AIOZ wallet, then retry.")
        self.cost = cost

    def for_model(self) -> str:
        price = self.cost.get("price")
        shown = f" (transcode price: {price})" if price is not None else ""
        return f"{INSUFFICIENT_BALANCE_MESSAGE}{shown} Nothing was created or uploaded."


def quality_names(qualities: list[Any] | None) -> list[str]:
    """Resolution/preset names of create-body qualities (objects with `resolution`, or plain names)."""
    names: list[str] = []
    for quality in qualities or []:
        name = quality.get("resolution") if isinstance(quality, dict) else quality
        if name and str(name) not in names:
            names.append(str(name))
    return names


async def check_cost(api: AiozSession, *, media_type: str, qualities: list[str], duration: float) -> dict[str, Any]:
    """`GET /media/cost`; returns `{"price": ..., "is_enough": bool}`."""
    params = {"type": media_type, "duration": max(1, round(duration)), "qualities": ",".join(qualities)}
    data = (await api.get("/media/cost", params=params)).data or {}
    return dict(data) if isinstance(data, dict) else {}


async def create_media(
    api: AiozSession, body: dict[str, Any], *, duration: float | None, cost: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Cost check when `body` has qualities (block if not enough), then `POST /media/create`.

    Returns (media object, cost or None). `duration` (seconds) is required when qualities are given, unless `cost`
    is the answer of a check the caller made just before for the same qualities (it is not asked twice).
    """
    names = quality_names(body.get("qualities"))
    if cost is not None and names:
        if cost.get("is_enough") is not True:
            raise InsufficientBalance(cost)
    elif names:
        if duration is None or duration <= 0:
            raise UserInputError(
                "Custom qualities need the media's duration for the transcode cost check, and it is unknown.",
                "Give the duration in seconds, or omit qualities to use AIOZ's default encoding.",
            )
        cost = await check_cost(api, media_type=str(body.get("type") or "video"), qualities=names, duration=duration)
        if cost.get("is_enough") is not True:
            raise InsufficientBalance(cost)
    data = (await api.post("/media/create", json=body)).data or {}
    media = data.get("media", data) if isinstance(data, dict) else {}
    return dict(media), cost


# --------------------------------------------------------------------------- duration of a local file


def probe_duration(path: Path) -> float | None:
    """Seconds of audio/video in a local file, or None when no prober can tell."""
    for probe in (_probe_av, _probe_ffprobe, _probe_mp4):
        try:
            value = probe(path)
        except Exception as exc:  # a prober that cannot read this file: try the next one
            logger.debug("%s: %s", probe.__name__, type(exc).__name__)
            continue
        if value is not None and value > 0:
            return value
    return None


def _probe_av(path: Path) -> float | None:
    try:
        import av
    except ImportError:
        return None
    with av.open(str(path)) as container:
        if container.duration:
            return float(container.duration) / 1_000_000
        durations = [float(s.duration * s.time_base) for s in container.streams if s.duration and s.time_base]
        return max(durations) if durations else None


def _probe_ffprobe(path: Path) -> float | None:
    exe = shutil.which("ffprobe")
    if exe is None:
        return None
    out = subprocess.run(
        [exe, "-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return float(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None


def _boxes(handle: BinaryIO, start: int, stop: int) -> Any:
    position = start
    while position + 8 <= stop:
        handle.seek(position)
        header = handle.read(8)
        if len(header) < 8:
            return
        size, kind = struct.unpack(">I4s", header)
        offset = 8
        if size == 1:
            size = struct.unpack(">Q", handle.read(8))[0]
            offset = 16
        elif size == 0:
            size = stop - position
        if size < offset:
            return
        yield kind, position + offset, position + size
        position += size


def _probe_mp4(path: Path) -> float | None:
    """Duration from the `moov/mvhd` box of an MP4/MOV/M4A file (ISO BMFF)."""
    with path.open("rb") as handle:
        end = path.stat().st_size
        for kind, body, stop in _boxes(handle, 0, end):
            if kind != b"moov":
                continue
            for inner, inner_body, _ in _boxes(handle, body, stop):
                if inner != b"mvhd":
                    continue
                handle.seek(inner_body)
                version = handle.read(4)[0]
                if version == 1:
                    _, _, timescale, duration = struct.unpack(">QQIQ", handle.read(28))
                else:
                    _, _, timescale, duration = struct.unpack(">IIII", handle.read(16))
                return duration / timescale if timescale else None
    return None
