"""Is this local file audio/video, and what is in it? One prober for the BotFlix gate and for AIOZ uploads.

Three readers, lightest first, all bounded:

1. **The file's own bytes** (always, needs nothing): the container from its first bytes (MP4/MOV/M4A, Matroska/
   WebM, AVI, WAV, MP3, AAC, FLAC, Ogg, AIFF, ASF/WMV, FLV, MPEG-TS/PS), never from its name. For ISO BMFF
   (MP4/MOV/M4A/3GP) the top-level boxes are walked (truncation, `moov` before `mdat`) and `moov` is parsed for
   the duration (`mvhd`), each track's kind (`hdlr`), codec (`stsd`, `esds`) and size; WAV's `fmt `/`data`
   chunks give its duration.
2. **ffprobe** where it is installed (a director who assembles with ffmpeg has it), with a timeout.
3. **PyAV** only if it is installed (the optional extra `botflix-mcp[probe]`), in a child process like ffprobe.

Streams come from ffprobe when installed, else PyAV, else the file's own boxes. When none of them can read the
streams (e.g. a Matroska file on a machine without ffprobe or PyAV), `MediaInfo.notes` says so and how to fix it.

`probe_media(path)` blocks (use `probe_media_async` from async code: it runs in a worker thread);
`media_refusal(info)` says why a file is not audio/video media (None when it is); `require_media(path)` (async)
raises a `UserInputError` saying so, for upload tools to call before anything is created.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import anyio.to_thread

logger = logging.getLogger(__name__)

FFPROBE_TIMEOUT = 60.0
MAX_MOOV_BYTES = 64 * 1024 * 1024  # a 3-hour MP4's sample tables fit; anything bigger is not parsed in memory
MAX_BOXES = 100_000  # top-level boxes walked at most (a fragmented MP4 has two per fragment)
HEAD_BYTES = 4096
INSTALL_HINT = "install ffmpeg (it brings ffprobe) or `pip install 'botflix-mcp[probe]'` (PyAV) and retry"

StreamKind = Literal["video", "audio", "other"]


@dataclass(frozen=True)
class MediaStream:
    kind: StreamKind
    codec: str | None = None
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None


@dataclass
class MediaInfo:
    """What the probe found. `container` is None when the first bytes are no known audio/video container."""

    path: str
    size_bytes: int = 0
    container: str | None = None
    duration_s: float | None = None
    streams: list[MediaStream] = field(default_factory=list)
    streams_read_by: str | None = None  # "ffprobe", "PyAV", "boxes", "header" or None (not read)
    boxes: list[str] = field(default_factory=list)  # ISO BMFF top-level boxes, in order
    faststart: bool | None = None  # ISO BMFF: moov before mdat
    problems: list[str] = field(default_factory=list)  # the file is broken (truncated, unreadable)
    notes: list[str] = field(default_factory=list)  # what could not be checked, and why

    @property
    def video(self) -> MediaStream | None:
        return next((s for s in self.streams if s.kind == "video"), None)

    @property
    def audio(self) -> MediaStream | None:
        return next((s for s in self.streams if s.kind == "audio"), None)

    @property
    def kind(self) -> Literal["video", "audio"] | None:
        """ "video" when there is a video stream, "audio" for audio only, else None."""
        if self.video is not None:
            return "video"
        if self.audio is not None:
            return "audio"
        if self.streams_read_by is None and self.container in AUDIO_CONTAINERS:
            return "audio"
        if self.streams_read_by is None and self.container in VIDEO_CONTAINERS:
            return "video"
        return None

    @property
    def is_media(self) -> bool:
        return media_refusal(self) is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "size_bytes": self.size_bytes,
            "container": self.container,
            "kind": self.kind,
            "duration_s": self.duration_s,
            "streams": [s.__dict__ for s in self.streams],
            "streams_read_by": self.streams_read_by,
            "faststart": self.faststart,
            "problems": self.problems,
            "notes": self.notes,
        }


def media_refusal(info: MediaInfo) -> str | None:
    """Why the file is not usable audio/video media (None: it is). Wording for the model, without the path."""
    if info.problems and info.container is None:  # it could not even be opened
        return "; ".join(info.problems)
    if info.size_bytes == 0:
        return "the file is empty"
    if info.container is None:
        return (
            "it is not audio or video: its first bytes are no known media container (checked from its content, "
            "not its name)"
        )
    if info.container in IMAGE_BRANDS:
        return f"it is an image ({info.container}), not audio or video"
    if info.problems:
        return "; ".join(info.problems)
    if info.streams_read_by is not None and not info.streams:
        return f"the {info.container} file has no audio or video stream"
    if info.streams_read_by is not None and info.kind is None:
        return f"the {info.container} file has no audio or video stream (only data/subtitle tracks)"
    return None


# --------------------------------------------------------------------------- the container from the first bytes

VIDEO_CONTAINERS = frozenset({"mp4", "mov", "3gp", "matroska", "webm", "avi", "asf", "flv", "mpegts", "mpegps"})
AUDIO_CONTAINERS = frozenset({"m4a", "wav", "mp3", "aac", "flac", "ogg", "aiff"})
ISO_BMFF = frozenset({"mp4", "mov", "m4a", "3gp"})  # the box-structured family (MP4, QuickTime, M4A, 3GP)
IMAGE_BRANDS = frozenset({"heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "avif", "avis"})
_M4A_BRANDS = {"M4A ", "M4B ", "M4P "}


def sniff_container(head: bytes) -> str | None:
    """The container named by a file's first bytes (up to `HEAD_BYTES`), or None."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12].decode("latin-1")
        if brand.strip().lower() in IMAGE_BRANDS:
            return brand.strip().lower()
        if brand == "qt  ":
            return "mov"
        if brand in _M4A_BRANDS:
            return "m4a"
        if brand.startswith("3g"):
            return "3gp"
        return "mp4"
    if len(head) >= 8 and head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip") and head[:4] != b"\0\0\0\0":
        return "mov"  # old QuickTime files start without ftyp
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm" if b"webm" in head[:64] else "matroska"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"ID3"):
        return "mp3"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return "asf"
    if head.startswith(b"FLV\x01"):
        return "flv"
    if head.startswith(b"\x00\x00\x01\xba"):
        return "mpegps"
    if len(head) >= 377 and head[0] == head[188] == head[376] == 0x47:
        return "mpegts"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return "aac"  # ADTS sync word (layer bits 00)
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06:
        return "mp3"  # MPEG audio frame sync (layer bits not 00)
    return None


# --------------------------------------------------------------------------- ISO BMFF (MP4/MOV/M4A) boxes


def scan_boxes(path: Path) -> tuple[list[str], list[str]]:
    """Top-level MP4 boxes in order, and structural problems (truncation, not an MP4). Reads only box headers."""
    boxes: list[str] = []
    problems: list[str] = []
    size = path.stat().st_size
    with path.open("rb") as f:
        offset = 0
        while offset < size:
            if len(boxes) >= MAX_BOXES:
                break
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
    if boxes and boxes[0] != "ftyp" and boxes[0] not in ("moov", "mdat", "wide", "free", "skip"):
        problems.append("not an MP4 file: it does not start with an 'ftyp' box")
    return boxes, problems


def _children(data: bytes, start: int, stop: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, body start, end) of the boxes inside data[start:stop]."""
    position = start
    while position + 8 <= stop:
        size, kind = struct.unpack(">I4s", data[position : position + 8])
        body = position + 8
        if size == 1:
            if position + 16 > stop:
                return
            size = struct.unpack(">Q", data[position + 8 : position + 16])[0]
            body = position + 16
        elif size == 0:
            size = stop - position
        if size < body - position or position + size > stop:
            return
        yield kind, body, position + size
        position += size


def _find(data: bytes, start: int, stop: int, *path: bytes) -> tuple[int, int] | None:
    for kind, body, end in _children(data, start, stop):
        if kind == path[0]:
            return (body, end) if len(path) == 1 else _find(data, body, end, *path[1:])
    return None


def _duration(data: bytes, body: int) -> tuple[int, int] | None:
    """(timescale, duration) of an mvhd/mdhd full box."""
    if body + 4 > len(data):
        return None
    if data[body] == 1:
        if body + 36 > len(data):
            return None
        timescale, duration = struct.unpack(">IQ", data[body + 20 : body + 32])
    else:
        if body + 20 > len(data):
            return None
        timescale, duration = struct.unpack(">II", data[body + 12 : body + 20])
    return timescale, duration


_VIDEO_CODECS = {
    b"avc1": "h264",
    b"avc3": "h264",
    b"hvc1": "hevc",
    b"hev1": "hevc",
    b"mp4v": "mpeg4",
    b"av01": "av1",
    b"vp08": "vp8",
    b"vp09": "vp9",
    b"jpeg": "mjpeg",
    b"s263": "h263",
    b"apch": "prores",
    b"apcn": "prores",
    b"apcs": "prores",
    b"apco": "prores",
    b"ap4h": "prores",
}
_AUDIO_CODECS = {
    b"ac-3": "ac3",
    b"ec-3": "eac3",
    b"Opus": "opus",
    b"fLaC": "flac",
    b"alac": "alac",
    b"samr": "amr_nb",
    b"sawb": "amr_wb",
    b"lpcm": "pcm",
    b"sowt": "pcm_s16le",
    b"twos": "pcm_s16be",
    b".mp3": "mp3",
}
_MP4A_OBJECT_TYPES = {0x40: "aac", 0x66: "aac", 0x67: "aac", 0x68: "aac", 0x69: "mp3", 0x6B: "mp3", 0xA5: "ac3"}


def _descriptor(data: bytes, position: int, stop: int) -> tuple[int, int, int] | None:
    """(tag, body start, body end) of an MPEG-4 descriptor (length in 1-4 bytes of 7 bits)."""
    if position >= stop:
        return None
    tag, position, length = data[position], position + 1, 0
    for _ in range(4):
        if position >= stop:
            return None
        byte = data[position]
        position += 1
        length = (length << 7) | (byte & 0x7F)
        if not byte & 0x80:
            break
    return tag, position, min(position + length, stop)


def _mp4a_codec(data: bytes, entry_body: int, entry_end: int) -> str:
    """The codec of an `mp4a` sample entry from its esds objectTypeIndication (AAC when it cannot be read)."""
    found = _find(data, entry_body + 28, entry_end, b"esds")
    if found is None:
        return "aac"
    es = _descriptor(data, found[0] + 4, found[1])  # after the full box's version/flags
    if es is None or es[0] != 0x03 or es[1] + 3 > es[2]:
        return "aac"
    flags = data[es[1] + 2]
    position = es[1] + 3
    if flags & 0x80:
        position += 2
    if flags & 0x40 and position < es[2]:
        position += 1 + data[position]
    if flags & 0x20:
        position += 2
    config = _descriptor(data, position, es[2])
    if config is None or config[0] != 0x04 or config[1] >= config[2]:
        return "aac"
    return _MP4A_OBJECT_TYPES.get(data[config[1]], f"mpeg4 audio 0x{data[config[1]]:02x}")


def _track(data: bytes, body: int, end: int) -> MediaStream | None:
    mdia = _find(data, body, end, b"mdia")
    if mdia is None:
        return None
    hdlr = _find(data, mdia[0], mdia[1], b"hdlr")
    handler = data[hdlr[0] + 8 : hdlr[0] + 12] if hdlr else b""
    kind: StreamKind = "video" if handler == b"vide" else "audio" if handler == b"soun" else "other"
    seconds = None
    mdhd = _find(data, mdia[0], mdia[1], b"mdhd")
    if mdhd and (timing := _duration(data, mdhd[0])) and timing[0]:
        seconds = timing[1] / timing[0]
    codec: str | None = None
    width = height = None
    stsd = _find(data, mdia[0], mdia[1], b"minf", b"stbl", b"stsd")
    if stsd is not None:
        entry = next(_children(data, stsd[0] + 8, stsd[1]), None)  # after version/flags and the entry count
        if entry is not None:
            fourcc, entry_body, entry_end = entry
            if kind == "video":
                codec = _VIDEO_CODECS.get(fourcc, fourcc.decode("latin-1").strip())
                if entry_body + 28 <= entry_end:
                    width, height = struct.unpack(">HH", data[entry_body + 24 : entry_body + 28])
            elif kind == "audio":
                codec = _mp4a_codec(data, entry_body, entry_end) if fourcc == b"mp4a" else None
                codec = codec or _AUDIO_CODECS.get(fourcc, fourcc.decode("latin-1").strip())
    return MediaStream(kind, codec, width or None, height or None, seconds)


def _moov_bytes(path: Path) -> tuple[bytes, int] | None:
    """The whole `moov` box (and where its body starts), when there is one of at most `MAX_MOOV_BYTES`."""
    size = path.stat().st_size
    with path.open("rb") as f:
        offset = 0
        for _ in range(MAX_BOXES):
            if offset + 8 > size:
                return None
            f.seek(offset)
            header = f.read(16)
            length, kind = struct.unpack(">I4s", header[:8])
            start = 8
            if length == 1 and len(header) == 16:
                length, start = struct.unpack(">Q", header[8:16])[0], 16
            elif length == 0:
                length = size - offset
            if length < start:
                return None
            if kind == b"moov":
                if length > MAX_MOOV_BYTES or offset + length > size:
                    return None
                f.seek(offset)
                return f.read(length), start
            offset += length
    return None


def read_moov(path: Path) -> tuple[float | None, list[MediaStream]] | None:
    """Duration and streams from the `moov` box of an ISO BMFF file; None when there is none small enough."""
    found = _moov_bytes(path)
    if found is None:
        return None
    data, start = found
    duration = None
    mvhd = _find(data, start, len(data), b"mvhd")
    if mvhd and (timing := _duration(data, mvhd[0])) and timing[0] and timing[1] not in (0, 0xFFFFFFFF):
        duration = timing[1] / timing[0]
    tracks = (_track(data, body, end) for kind, body, end in _children(data, start, len(data)) if kind == b"trak")
    streams = [t for t in tracks if t is not None]
    if duration is None:
        durations = [s.duration_s for s in streams if s.duration_s]
        duration = max(durations) if durations else None
    return duration, streams


# --------------------------------------------------------------------------- WAV from its chunks


def _read_wav(path: Path) -> tuple[float | None, list[MediaStream]] | None:
    with path.open("rb") as f:
        f.seek(12)
        byte_rate = channels = 0
        fmt_tag = None
        for _ in range(64):  # a WAV has a handful of chunks
            header = f.read(8)
            if len(header) < 8:
                return None
            kind, length = header[:4], struct.unpack("<I", header[4:])[0]
            if kind == b"fmt ":
                body = f.read(min(length, 64))
                if len(body) < 16:
                    return None
                fmt_tag, channels, _, byte_rate = struct.unpack("<HHII", body[:12])
                f.seek(length - len(body) + (length & 1), 1)
            elif kind == b"data":
                if fmt_tag is None:
                    return None
                codec = {1: "pcm", 3: "pcm_float", 6: "pcm_alaw", 7: "pcm_mulaw", 0xFFFE: "pcm"}.get(fmt_tag, "wav")
                seconds = length / byte_rate if byte_rate and length not in (0, 0xFFFFFFFF) else None
                return seconds, [MediaStream("audio", codec, duration_s=seconds)] if channels else []
            else:
                f.seek(length + (length & 1), 1)
    return None


# --------------------------------------------------------------------------- ffprobe and PyAV


def _run_reader(name: str, argv: list[str], timeout: float) -> subprocess.CompletedProcess[str] | str | None:
    """Run a media reader (ffprobe, the PyAV child) with a timeout: its output, an error text, or None when it
    cannot be started (treated as not installed)."""
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return f"{name} did not finish reading the file within {timeout:g} s"
    except OSError as exc:
        logger.debug("%s could not run: %s", name, type(exc).__name__)
        return None


def _ffprobe(path: Path, timeout: float) -> tuple[float | None, list[MediaStream]] | str | None:
    """(duration, streams), an error text, or None when ffprobe is not installed."""
    exe = shutil.which("ffprobe")
    if exe is None:
        return None
    out = _run_reader(
        "ffprobe", [exe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)], timeout
    )
    if not isinstance(out, subprocess.CompletedProcess):
        return out
    if out.returncode != 0:
        return (out.stderr.strip().splitlines() or ["ffprobe could not read the file"])[-1]
    try:
        data = json.loads(out.stdout or "{}")
    except json.JSONDecodeError:
        return "ffprobe gave an unreadable answer"
    streams = []
    for stream in data.get("streams") or []:
        kind = stream.get("codec_type")
        streams.append(
            MediaStream(
                kind if kind in ("video", "audio") else "other",
                stream.get("codec_name"),
                stream.get("width") if kind == "video" else None,
                stream.get("height") if kind == "video" else None,
                _float(stream.get("duration")),
            )
        )
    return _float((data.get("format") or {}).get("duration")), streams


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and number >= 0 else None  # not NaN


#: What the PyAV child runs: it opens the file, reads the container's streams and prints them as one JSON line.
_PYAV_CHILD = """
import json, sys
import av
out = {"duration": None, "streams": []}
try:
    with av.open(sys.argv[1]) as container:
        for stream in container.streams:
            kind = stream.type
            seconds = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else None
            codec = stream.codec_context.name if stream.codec_context is not None else None
            width = getattr(stream, "width", None) if kind == "video" else None
            height = getattr(stream, "height", None) if kind == "video" else None
            out["streams"].append([kind, codec, width or None, height or None, seconds])
        out["duration"] = container.duration / 1_000_000 if container.duration else None
except Exception as exc:  # PyAV raises many error types for broken files
    out = {"error": type(exc).__name__}
print(json.dumps(out))
"""


def _pyav_installed() -> bool:
    """Whether `import av` would work, without importing it (a `None` in `sys.modules` blocks it, as in tests)."""
    if "av" in sys.modules:
        return sys.modules["av"] is not None
    try:
        return importlib.util.find_spec("av") is not None
    except (ImportError, ValueError):
        return False


def _pyav(path: Path, timeout: float) -> tuple[float | None, list[MediaStream]] | str | None:
    """(duration, streams), an error text, or None when PyAV is not installed.

    PyAV runs in a child process, as ffprobe does, never in the server: its libraries (libavformat, libavcodec,
    ...) would stay resident for the server's whole life (~30 MB of RSS after one probe), and a file that crashes
    a C demuxer must not take the MCP server down with it.
    """
    if not sys.executable or not _pyav_installed():
        return None
    out = _run_reader("PyAV", [sys.executable, "-c", _PYAV_CHILD, str(path)], timeout)
    if not isinstance(out, subprocess.CompletedProcess):
        return out
    if out.returncode < 0:
        return f"PyAV crashed reading the file (signal {-out.returncode})"
    try:
        data = json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else None
    except (IndexError, json.JSONDecodeError):
        data = None
    if not isinstance(data, dict):
        logger.debug("the PyAV reader failed: %s", (out.stderr.strip().splitlines() or ["no output"])[-1])
        return "PyAV could not read the file (its reader gave no answer)"
    if "error" in data:
        return f"PyAV could not read the file: {data['error']}"
    streams = []
    for kind, codec, width, height, seconds in data.get("streams") or []:
        if kind == "video":
            streams.append(MediaStream("video", codec, width, height, seconds))
        else:
            streams.append(MediaStream("audio" if kind == "audio" else "other", codec, duration_s=seconds))
    return _float(data.get("duration")), streams


# --------------------------------------------------------------------------- the probe


def probe_media(path: str | Path, *, timeout: float = FFPROBE_TIMEOUT) -> MediaInfo:
    """Probe a local file (blocking; bounded: header reads, a `moov` of at most 64 MiB, ffprobe's timeout)."""
    file = Path(path)
    info = MediaInfo(str(file))
    try:
        info.size_bytes = file.stat().st_size
        with file.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        info.problems.append(f"the file cannot be read ({exc.strerror or type(exc).__name__})")
        return info
    info.container = sniff_container(head)
    if info.container is None or info.container in IMAGE_BRANDS:
        return info
    own: tuple[float | None, list[MediaStream]] | None = None
    bmff = info.container in ISO_BMFF
    if bmff:
        info.boxes, structural = scan_boxes(file)
        info.problems += structural
        if "moov" in info.boxes and "mdat" in info.boxes:
            info.faststart = info.boxes.index("moov") < info.boxes.index("mdat")
        elif not structural:
            missing = [b for b in ("moov", "mdat") if b not in info.boxes]
            info.problems.append(f"no '{'/'.join(missing)}' box: the file is incomplete or not a finished MP4")
        if info.problems:
            return info  # a truncated/foreign file cannot be probed meaningfully
        own = read_moov(file)
    elif info.container == "wav":
        own = _read_wav(file)
    for name in ("ffprobe", "PyAV"):
        result = _ffprobe(file, timeout) if name == "ffprobe" else _pyav(file, timeout)
        if result is None:  # not installed
            continue
        if isinstance(result, str):
            info.problems.append(result)
            return info
        info.duration_s, info.streams = result
        info.streams_read_by = name
        return info
    if own is not None:
        info.duration_s, info.streams = own
        info.streams_read_by = "boxes" if bmff else "header"
        return info
    if info.container == "mp3" or info.container == "aac":
        info.streams = [MediaStream("audio", info.container)]
        info.streams_read_by = "header"
    info.notes.append(f"the streams of this {info.container} file could not be read here: {INSTALL_HINT}")
    return info


async def probe_media_async(path: str | Path, *, timeout: float = FFPROBE_TIMEOUT) -> MediaInfo:
    """`probe_media` in a worker thread: the event loop keeps serving other calls meanwhile."""
    return await anyio.to_thread.run_sync(functools.partial(probe_media, path, timeout=timeout))


async def require_media(path: str | Path, *, timeout: float = FFPROBE_TIMEOUT) -> MediaInfo:
    """The probe of a file that must be audio/video (an upload source); `UserInputError` saying why it is not.

    Run it before anything is created on a platform: the error says nothing was sent.
    """
    from botflix_mcp.errors import UserInputError

    info = await probe_media_async(path, timeout=timeout)
    reason = media_refusal(info)
    if reason is not None:
        raise UserInputError(
            f"{Path(path).name} cannot be uploaded: {reason}.",
            "Give an audio or video file (e.g. .mp4, .mov, .mkv, .webm, .mp3, .wav), checked from its content.",
        )
    return info
