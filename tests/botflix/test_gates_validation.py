"""The local gates: real MP4s refused for each reason, schemas + semantic checks with JSON paths."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from botflix_mcp.botflix.gates import probe_mp4, scan_boxes
from botflix_mcp.botflix.validation import validate
from tests.botflix import mp4factory

EXAMPLES = Path(__file__).parents[2] / "schemas" / "examples"


def test_valid_mp4_passes() -> None:
    report = probe_mp4(mp4factory.valid())
    assert report.ok, report.problems
    assert report.video_codec == "h264" and report.audio_codec == "aac" and report.faststart is True
    assert 63 < (report.duration_s or 0) < 66


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (mp4factory.too_short, "duration is"),
        (mp4factory.too_long, "duration is"),
        (mp4factory.wrong_codec, "needs H.264"),
        (mp4factory.no_audio, "no audio stream"),
        (mp4factory.truncated, "truncated file"),
        (mp4factory.moov_at_end, "'moov' comes after 'mdat'"),
    ],
)
def test_bad_mp4s_are_refused_with_a_reason(make, reason: str) -> None:
    report = probe_mp4(make())
    assert not report.ok
    assert any(reason in p for p in report.problems), report.problems


def test_box_scan_detects_foreign_files(tmp_path: Path) -> None:
    junk = tmp_path / "x.mp4"
    junk.write_bytes(b"hello, this is not a video at all")
    _, problems = scan_boxes(junk)
    assert problems


def load(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def test_examples_are_valid() -> None:
    brief = load("episode-brief")
    assert validate("brief", brief).ok
    assert validate("shot_manifest", load("shot-manifest"), brief).ok
    assert validate("metadata", load("episode-metadata")).ok


def test_semantic_checks_with_json_paths() -> None:
    brief = load("episode-brief")
    bad = copy.deepcopy(brief)
    bad["beats"][0]["target_seconds"] = 60  # beats no longer sum to the target within 10%
    bad["beats"][1]["characters"] = ["nobody"]
    paths = {p.path for p in validate("brief", bad).problems}
    assert {"$.beats", "$.beats[1].characters[0]"} <= paths
    manifest = load("shot-manifest")
    manifest["shots"][3]["generation"]["requested_seconds"] = 7  # seedance: 5/10/15
    manifest["shots"][0]["beat_id"] = "b99"
    report = validate("shot_manifest", manifest, brief)
    paths = {p.path for p in report.errors}
    assert "$.shots[3].generation.requested_seconds" in paths and "$.shots[0].beat_id" in paths
    short = load("shot-manifest")
    short["shots"] = short["shots"][:2]
    assert any("60–180" in p.message for p in validate("shot_manifest", short).problems)


def test_schema_errors_carry_paths() -> None:
    report = validate("metadata", {"title": "", "duration_seconds": 500})
    assert not report.ok and {p.path for p in report.problems} >= {"$.title", "$.duration_seconds"}
