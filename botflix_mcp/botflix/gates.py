"""The local MP4 gate: nothing is uploaded to BotFlix until the file passes.

Checks: the container's top-level boxes (ftyp present, `moov` before `mdat` so playback starts before the whole
file arrives, no box running past the end of the file = truncated), then the streams: duration 60–180 s, H.264
video, AAC audio, resolution, file size. Streams are read with `ffprobe` when it is on PATH, else with PyAV when it
is installed; when neither is available the box checks still run and the report says the streams were not probed.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def scan_boxes(path: Path) -> tuple[list[str], list[str]]:
    """Top-level MP4 boxes in order, and structural problems (truncation, not an MP4)."""
    boxes: list[str] = []
    problems: list[str] = []
    size = path.stat().st_size
    with path.open("rb") as f:
        offset = 0
        while offset < size:
            f.seek(offset)
            header = f.read(16)
            if len(header) < 8:
                problems.append(f"truncated file: {size - offset} stray bytes after the last box")
                break
            length, kind = struct.unpack(">I4s", header[:8])
            name = kind.decode("latin-1")
            if length == 1:
                if len(header) < 16:
                    problems.append("truncated file: a 64-bit box header is cut off")
                    break
                length = struct.unpack(">Q", header[8:16])[0]
            elif length == 0:
                length = size - offset
            if length < 8 or not name.isprintable():
                problems.append(f"not an MP4 container (bad box header at byte {offset})")
                break
            boxes.append(name)
            if offset + length > size:
                problems.append(
                    f"truncated file: box '{name}' at byte {offset} needs {length} bytes, only {size - offset} remain"
                )
                break
            offset += length
    if boxes and boxes[0] != "ftyp":
        problems.append("not an MP4 file: it does not start with an 'ftyp' box")
    return boxes, problems


def _probe_ffprobe(path: Path) -> dict[str, Any] | None:
    exe = shutil.which("ffprobe")
    if exe is None:
        return None
    out = subprocess.run(
        [exe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["ffprobe could not read the file"])[-1]}
    data = json.loads(out.stdout or "{}")
    info: dict[str, Any] = {"prober": "ffprobe"}
    try:
        info["duration"] = float(data.get("format", {}).get("duration"))
    except (TypeError, ValueError):
        info["duration"] = None
    for stream in data.get("streams", []):
        kind = stream.get("codec_type")
        if kind == "video" and "video_codec" not in info:
            info.update(video_codec=stream.get("codec_name"), width=stream.get("width"), height=stream.get("height"))
        elif kind == "audio" and "audio_codec" not in info:
            info["audio_codec"] = stream.get("codec_name")
    return info


def _probe_pyav(path: Path) -> dict[str, Any] | None:
    try:
        import av
    except ImportError:
        return None
    try:
        with av.open(str(path)) as container:
            info: dict[str, Any] = {"prober": "PyAV"}
            info["duration"] = container.duration / 1_000_000 if container.duration else None
            if container.streams.video:
                video = container.streams.video[0]
                info.update(video_codec=video.codec_context.name, width=video.width, height=video.height)
            if container.streams.audio:
                info["audio_codec"] = container.streams.audio[0].codec_context.name
            return info
    except Exception as exc:  # PyAV raises many error types for broken files
        return {"error": f"PyAV could not read the file: {exc}"}


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
    report.boxes, structural = scan_boxes(file)
    report.problems += structural
    if "moov" in report.boxes and "mdat" in report.boxes:
        report.faststart = report.boxes.index("moov") < report.boxes.index("mdat")
        if not report.faststart:
            report.problems.append(
                "'moov' comes after 'mdat': re-mux with `ffmpeg -i in.mp4 -c copy -movflags +faststart out.mp4`"
            )
    elif not structural:
        missing = [b for b in ("moov", "mdat") if b not in report.boxes]
        report.problems.append(f"no '{'/'.join(missing)}' box: the file is incomplete or not a finished MP4")
    if structural:
        return report  # a truncated/foreign file cannot be probed meaningfully
    info = _probe_ffprobe(file) or _probe_pyav(file)
    if info is None:
        report.problems.append(
            "nothing can probe the streams here: install ffmpeg (ffprobe) or PyAV (pip install av) and retry"
        )
        return report
    if "error" in info:
        report.problems.append(str(info["error"]))
        return report
    report.prober = info["prober"]
    report.duration_s = info.get("duration")
    report.video_codec, report.audio_codec = info.get("video_codec"), info.get("audio_codec")
    report.width, report.height = info.get("width"), info.get("height")
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
