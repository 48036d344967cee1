"""botflix_mcp.media_probe: audio/video or not, duration and streams, with and without ffprobe and PyAV.

Real files are encoded by ffmpeg (installed by scripts/test.sh; skipped with a reason without it). "Without
ffprobe" empties PATH after the files are made; "without PyAV" makes `import av` fail (sys.modules entry None).
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from botflix_mcp import media_probe
from botflix_mcp.botflix.gates import probe_mp4
from botflix_mcp.media_probe import INSTALL_HINT, media_refusal, probe_media, probe_media_async, sniff_container
from tests.botflix import mp4factory

# --------------------------------------------------------------------------- the first bytes


def _wav_header(seconds: float = 1.0, rate: int = 8000) -> bytes:
    data = b"\0" * int(seconds * rate * 2)
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


HEADS = {
    "mp4": b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41",
    "mov": b"\0\0\0\x14ftypqt  \0\0\x02\0qt  ",
    "m4a": b"\0\0\0\x18ftypM4A \0\0\x02\0M4A isom",
    "3gp": b"\0\0\0\x14ftyp3gp4\0\0\x02\0isom",
    "heic": b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
    "webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm",
    "matroska": b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\x82\x88matroska",
    "wav": _wav_header(0.01),
    "avi": b"RIFF\0\0\0\0AVI LIST",
    "aiff": b"FORM\0\0\0\0AIFFCOMM",
    "flac": b"fLaC\0\0\0\x22",
    "ogg": b"OggS\0\x02" + b"\0" * 20,
    "mp3": b"ID3\x04\0\0\0\0\0\0",
    "aac": b"\xff\xf1\x50\x80\x02\x1f\xfc",
    "asf": b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9",
    "flv": b"FLV\x01\x05\0\0\0\x09",
    "mpegps": b"\x00\x00\x01\xba\x44",
    "mpegts": (b"\x47" + b"\0" * 187) * 3,
}


@pytest.mark.parametrize("container", sorted(HEADS))
def test_containers_are_named_by_their_first_bytes(container: str) -> None:
    assert sniff_container(HEADS[container]) == container
    assert sniff_container(b"\xff\xfb\x90\x64" + b"\0" * 20) == "mp3"  # a bare MPEG audio frame


@pytest.mark.parametrize(
    "head", [b"hello\n", b"", b"<html><body>", b"%PDF-1.7", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b'{"a": 1}']
)
def test_other_files_are_no_media_container(head: bytes) -> None:
    assert sniff_container(head) is None


def test_a_six_byte_text_file_named_mp4_is_not_media(tmp_path: Path) -> None:
    fake = tmp_path / "movie.mp4"
    fake.write_bytes(b"hello\n")
    info = probe_media(fake)
    assert info.size_bytes == 6 and info.container is None and not info.is_media and info.kind is None
    reason = media_refusal(info)
    assert reason and "not audio or video" in reason and "not its name" in reason
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    assert media_refusal(probe_media(empty)) == "the file is empty"
    missing = probe_media(tmp_path / "nope.wav")
    assert not missing.is_media and "cannot be read" in (media_refusal(missing) or "")


def test_images_and_broken_mp4s_are_refused(tmp_path: Path) -> None:
    heic = tmp_path / "photo.mp4"
    heic.write_bytes(HEADS["heic"] + b"\0" * 100)
    assert "image" in (media_refusal(probe_media(heic)) or "")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(HEADS["mp4"] + b"\0\0\x10\0mdat" + b"\0" * 50)  # mdat says 4096 bytes, 50 remain
    assert "truncated" in (media_refusal(probe_media(cut)) or "")
    bare = tmp_path / "bare.mp4"
    bare.write_bytes(HEADS["mp4"])
    assert "no 'moov/mdat' box" in (media_refusal(probe_media(bare)) or "")


def test_wav_duration_from_its_chunks_without_any_prober(tmp_path: Path, no_probers: None) -> None:
    wav = tmp_path / "tone.wav"
    wav.write_bytes(_wav_header(2.5))
    info = probe_media(wav)
    assert info.is_media and info.kind == "audio" and info.streams_read_by == "header"
    assert info.duration_s == pytest.approx(2.5) and info.audio and info.audio.codec == "pcm"


# --------------------------------------------------------------------------- real files


@pytest.fixture
def no_probers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Neither ffprobe (PATH holds an empty folder) nor PyAV (`import av` raises ImportError)."""
    empty = tmp_path / "no-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setitem(sys.modules, "av", None)
    assert shutil.which("ffprobe") is None
    with pytest.raises(ImportError):
        import av  # noqa: F401
    yield


@pytest.fixture(scope="module")
def encoded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg is not installed (scripts/test.sh installs it with apt-get)")
    folder = tmp_path_factory.mktemp("media")
    video = ["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=4"]
    tone = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000"]
    recipes = {
        "clip.mov": [*video, *tone, "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"],
        "clip.mkv": [*video, *tone, "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"],
        "song.m4a": [*tone, "-c:a", "aac", "-b:a", "16k"],
        "voice.wav": [*tone, "-c:a", "pcm_s16le"],
        "voice.mp3": [*tone, "-c:a", "libmp3lame", "-b:a", "32k"],
    }
    out: dict[str, Path] = {"episode.mp4": mp4factory.valid()}
    for make in (mp4factory.wrong_codec, mp4factory.no_audio, mp4factory.too_short):
        make()  # cached: the gate tests below use them after PATH is emptied
    for name, args in recipes.items():
        target = folder / name
        done = subprocess.run(
            [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", *args, "-t", "3", str(target)],
            capture_output=True,
            timeout=120,
            check=False,
        )
        if done.returncode == 0:
            out[name] = target
    return out


EXPECTED = {  # name: (container, kind, video codec, audio codec)
    "episode.mp4": ("mp4", "video", "h264", "aac"),
    "clip.mov": ("mov", "video", "h264", "aac"),
    "clip.mkv": ("matroska", "video", "h264", "aac"),
    "song.m4a": ("m4a", "audio", None, "aac"),
    "voice.wav": ("wav", "audio", None, "pcm_s16le"),
    "voice.mp3": ("mp3", "audio", None, "mp3"),
}


def _check(info: media_probe.MediaInfo, name: str, *, codecs: bool = True) -> None:
    container, kind, vcodec, acodec = EXPECTED[name]
    assert info.container == container and info.kind == kind and info.is_media, (name, info)
    if codecs:
        assert (info.video.codec if info.video else None) == vcodec, (name, info.streams)
        assert (info.audio.codec if info.audio else None) in (acodec, "pcm"), (name, info.streams)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_files_with_ffprobe(encoded: dict[str, Path], name: str) -> None:
    if name not in encoded:
        pytest.skip(f"this ffmpeg cannot encode {name}")
    if shutil.which("ffprobe") is None:
        pytest.skip("ffprobe is not installed")
    info = probe_media(encoded[name])
    assert info.streams_read_by == "ffprobe"
    _check(info, name)
    expected = 64 if name == "episode.mp4" else 3
    assert info.duration_s == pytest.approx(expected, abs=0.2)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_files_with_neither_ffprobe_nor_pyav(encoded: dict[str, Path], name: str, no_probers: None) -> None:
    if name not in encoded:
        pytest.skip(f"this ffmpeg cannot encode {name}")
    info = probe_media(encoded[name])
    if name in ("clip.mkv", "voice.mp3"):  # their streams need a prober: still media, and the note says why
        _check(info, name, codecs=False)
        assert any(INSTALL_HINT in n for n in info.notes), info.notes
        return
    assert info.streams_read_by in ("boxes", "header") and not info.notes
    _check(info, name)
    expected = 64 if name == "episode.mp4" else 3
    assert info.duration_s == pytest.approx(expected, abs=0.2)


def test_the_box_reader_agrees_with_ffprobe(encoded: dict[str, Path]) -> None:
    if shutil.which("ffprobe") is None:
        pytest.skip("ffprobe is not installed")
    for name in ("episode.mp4", "clip.mov", "song.m4a"):
        if name not in encoded:
            continue
        own = media_probe.read_moov(encoded[name])
        assert own is not None
        ffprobe = probe_media(encoded[name])
        assert own[0] == pytest.approx(ffprobe.duration_s, abs=0.1)
        assert [(s.kind, s.codec, s.width, s.height) for s in own[1]] == [
            (s.kind, s.codec, s.width, s.height) for s in ffprobe.streams
        ]


def test_pyav_when_ffprobe_is_missing(encoded: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("av")
    monkeypatch.setenv("PATH", "")
    info = probe_media(encoded["clip.mkv"] if "clip.mkv" in encoded else encoded["episode.mp4"])
    assert info.streams_read_by == "PyAV" and info.video and info.video.codec == "h264"


def test_pyav_reads_in_a_child_process_never_in_the_server(
    encoded: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("av")
    monkeypatch.delitem(sys.modules, "av", raising=False)
    monkeypatch.setenv("PATH", "")
    info = probe_media(encoded["episode.mp4"])
    assert info.streams_read_by == "PyAV" and info.kind == "video" and info.duration_s
    assert "av" not in sys.modules  # its libraries never became resident in this (the server's) process


@pytest.mark.parametrize(
    ("child", "expected"),
    [
        ("import os; os.kill(os.getpid(), 11)", "PyAV crashed reading the file (signal 11)"),
        ("import time; time.sleep(30)", "PyAV did not finish reading the file within 0.5 s"),
        ("print('not json')", "PyAV could not read the file (its reader gave no answer)"),
        ("raise SystemExit(3)", "PyAV could not read the file (its reader gave no answer)"),
        ('print(\'{"error": "InvalidDataError"}\')', "PyAV could not read the file: InvalidDataError"),
    ],
)
def test_a_pyav_reader_that_crashes_hangs_or_babbles_is_a_problem_not_a_server_crash(
    encoded: dict[str, Path], monkeypatch: pytest.MonkeyPatch, child: str, expected: str
) -> None:
    pytest.importorskip("av")
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(media_probe, "_PYAV_CHILD", child)
    info = probe_media(encoded["episode.mp4"], timeout=0.5)
    assert info.problems == [expected] and not info.is_media


@pytest.mark.anyio
async def test_async_probe(encoded: dict[str, Path]) -> None:
    info = await probe_media_async(encoded["episode.mp4"])
    assert info.kind == "video" and info.as_dict()["kind"] == "video"


# --------------------------------------------------------------------------- the BotFlix gate uses it


def test_the_gate_passes_a_valid_episode_with_neither_ffprobe_nor_pyav(
    encoded: dict[str, Path], no_probers: None
) -> None:
    path = mp4factory.valid()  # already encoded (cached) or skipped
    report = probe_mp4(path)
    assert report.ok, report.problems
    assert report.prober == "boxes" and report.video_codec == "h264" and report.audio_codec == "aac"
    assert 63 < (report.duration_s or 0) < 66 and (report.width, report.height) == (320, 180)


def test_the_gate_still_refuses_bad_episodes_without_probers(encoded: dict[str, Path], no_probers: None) -> None:
    assert any("needs H.264" in p for p in probe_mp4(mp4factory.wrong_codec()).problems)
    assert any("no audio stream" in p for p in probe_mp4(mp4factory.no_audio()).problems)
    assert any("duration is" in p for p in probe_mp4(mp4factory.too_short()).problems)


def test_the_gate_names_other_containers(encoded: dict[str, Path], tmp_path: Path) -> None:
    if "clip.mkv" in encoded:
        assert any("it is matroska" in p for p in probe_mp4(encoded["clip.mkv"]).problems)
    text = tmp_path / "x.mp4"
    text.write_bytes(b"hello\n")
    assert any("not audio or video" in p for p in probe_mp4(text).problems)


@pytest.mark.anyio
async def test_require_media_refuses_with_a_user_error(tmp_path: Path, encoded: dict[str, Path]) -> None:
    from botflix_mcp.errors import UserInputError
    from botflix_mcp.media_probe import require_media

    fake = tmp_path / "clip.mp4"
    fake.write_bytes(b"hello\n")
    with pytest.raises(UserInputError) as refused:
        await require_media(fake)
    text = refused.value.for_model()
    assert "clip.mp4 cannot be uploaded" in text and "not audio or video" in text and "Nothing was sent" in text
    assert (await require_media(encoded["episode.mp4"])).kind == "video"
