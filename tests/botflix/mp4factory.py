"""Real small MP4 files for the gate tests, encoded by ffmpeg (installed by scripts/test.sh), cached per session.

320x180 at 4 fps with a quiet tone: a 90 s file is a few hundred KB and encodes in well under a second.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import pytest

_DIR = Path(tempfile.mkdtemp(prefix="botflix-mp4s-"))


def _encode(name: str, seconds: float, *, vcodec: str = "libx264", audio: bool = True, faststart: bool = True) -> Path:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg is not installed (scripts/test.sh installs it with apt-get)")
    target = _DIR / name
    cmd = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=4"]
    if audio:
        cmd += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000"]
    cmd += ["-t", str(seconds), "-c:v", vcodec, "-pix_fmt", "yuv420p"]
    if vcodec == "libx264":
        cmd += ["-preset", "ultrafast", "-crf", "40"]
    cmd += ["-c:a", "aac", "-b:a", "16k", "-ac", "1"] if audio else ["-an"]
    if faststart:
        cmd += ["-movflags", "+faststart"]
    subprocess.run([*cmd, str(target)], check=True, timeout=120)
    return target


@cache
def valid() -> Path:
    return _encode("valid.mp4", 64)


@cache
def too_short() -> Path:
    return _encode("short.mp4", 30)


@cache
def too_long() -> Path:
    return _encode("long.mp4", 200)


@cache
def wrong_codec() -> Path:
    return _encode("mpeg4.mp4", 64, vcodec="mpeg4")


@cache
def no_audio() -> Path:
    return _encode("silent.mp4", 64, audio=False)


@cache
def truncated() -> Path:
    data = valid().read_bytes()
    target = _DIR / "truncated.mp4"
    target.write_bytes(data[: len(data) // 2])
    return target


@cache
def moov_at_end() -> Path:
    return _encode("moov-end.mp4", 64, faststart=False)
