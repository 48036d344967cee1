"""The local MP4 gate: nothing is uploaded to BotFlix until the file passes.

Checks: the container's top-level boxes (ftyp present, `moov` before `mdat` so playback starts before the whole
file arrives, no box running past the end of the file = truncated), then the streams: duration 60–180 s, H.264
video, AAC audio, resolution, file size. Everything is read by `botflix_mcp.media_probe`: the streams with
`ffprobe` when it is on PATH, else with PyAV when it can be imported (the `probe` extra), else from the file's own
`moov` box, so the gate works with neither installed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botflix_mcp.media_probe import IMAGE_BRANDS, INSTALL_HINT, ISO_BMFF, media_refusal, probe_media, scan_boxes

__all__ = ["ProbeReport", "probe_mp4", "scan_boxes"]

MIN_SECONDS, MAX_SECONDS = 60.0, 180.0
MAX_BYTES = 500 * 1024 * 1024  # BotFlix publishes no limit; 500 MB is generous for 3 min of 1080p H.264
MIN_WIDTH, MIN_HEIGHT = 320, 180
MAX_WIDTH, MAX_HEIGHT = 3840, 2160


@dataclass
class ProbeReport:
    path: str
    size_bytes: int = 0
    duration_s: float | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    width: int | None = None
    height: int | None = None
    faststart: bool | None = None
    boxes: list[str] = field(default_factory=list)
    prober: str = "none"
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "ok": self.ok,
            "size_bytes": self.size_bytes,
            "duration_s": self.duration_s,
            "video_codec": self.video_codec,
            "audio_codec": self.audio_codec,
            "width": self.width,
            "height": self.height,
            "faststart": self.faststart,
            "prober": self.prober,
            "problems": self.problems,
        }

    def markdown(self) -> str:
        verdict = "passes the BotFlix gate ✅" if self.ok else "is REFUSED ❌"
        lines = [
            f"**{Path(self.path).name}** {verdict}",
            f"- Duration: {self.duration_s:.1f} s" if self.duration_s is not None else "- Duration: unknown",
            f"- Video: {self.video_codec or '?'} {self.width or '?'}x{self.height or '?'}; "
            f"audio: {self.audio_codec or 'none'}",
            f"- Size: {self.size_bytes / 1048576:.1f} MiB; moov before mdat: {self.faststart}; "
            f"probed with {self.prober}",
        ]
        lines += [f"- ❌ {p}" for p in self.problems]
        return "\n".join(lines)


def probe_mp4(
    path: str | Path,
    *,
    min_seconds: float = MIN_SECONDS,
    max_seconds: float = MAX_SECONDS,
    max_bytes: int = MAX_BYTES,
) -> ProbeReport:
    """Run every local check; `report.problems` lists each reason the file would be refused."""
    file = Path(path)
    report = ProbeReport(str(file))
    if not file.is_file():
        report.problems.append("the file does not exist")
        return report
    report.size_bytes = file.stat().st_size
    if report.size_bytes > max_bytes:
        report.problems.append(
            f"file is {report.size_bytes / 1048576:.0f} MiB; the limit is {max_bytes / 1048576:.0f} MiB"
        )
    info = probe_media(file)  # boxes, then ffprobe where installed, else PyAV if importable, else the boxes' own
    report.boxes, report.faststart = info.boxes, info.faststart
    if info.container is None or info.container in IMAGE_BRANDS:
        report.problems.append(media_refusal(info) or "not an MP4 file")
        return report
    if info.container not in ISO_BMFF:
        report.problems.append(
            f"not an MP4 file: it is {info.container}; re-encode with `ffmpeg -i in -c:v libx264 -c:a aac "
            "-movflags +faststart out.mp4`"
        )
        return report
    if info.faststart is False:
        report.problems.append(
            "'moov' comes after 'mdat': re-mux with `ffmpeg -i in.mp4 -c copy -movflags +faststart out.mp4`"
        )
    if info.problems:
        report.problems += [p for p in info.problems if p not in report.problems]
        return report  # a truncated/foreign file cannot be probed meaningfully
    if info.streams_read_by is None:
        report.problems.append(
            "neither the file's own boxes nor ffprobe or PyAV could read the streams: " + INSTALL_HINT
        )
        return report
    report.prober = info.streams_read_by
    report.duration_s = info.duration_s
    video, audio = info.video, info.audio
    report.video_codec, report.audio_codec = (video.codec if video else None), (audio.codec if audio else None)
    report.width, report.height = (video.width, video.height) if video else (None, None)
    if report.duration_s is None:
        report.problems.append("duration unknown")
    elif not min_seconds <= report.duration_s <= max_seconds:
        report.problems.append(
            f"duration is {report.duration_s:.1f} s; BotFlix episodes run {min_seconds:g}–{max_seconds:g} s"
        )
    if report.video_codec is None:
        report.problems.append("no video stream")
    elif report.video_codec != "h264":
        report.problems.append(
            f"video codec is {report.video_codec}; BotFlix needs H.264 (re-encode with -c:v libx264)"
        )
    if report.audio_codec is None:
        report.problems.append("no audio stream: BotFlix episodes need AAC audio (add narration/music, -c:a aac)")
    elif report.audio_codec != "aac":
        report.problems.append(f"audio codec is {report.audio_codec}; BotFlix needs AAC (-c:a aac)")
    if (
        report.width
        and report.height
        and not (MIN_WIDTH <= report.width <= MAX_WIDTH and MIN_HEIGHT <= report.height <= MAX_HEIGHT)
    ):
        report.problems.append(
            f"resolution {report.width}x{report.height} is outside {MIN_WIDTH}x{MIN_HEIGHT}–{MAX_WIDTH}x{MAX_HEIGHT}"
        )
    return report
