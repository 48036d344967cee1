"""Every template byte for byte against the skill's own text (tests/data/aioz_skill.md is a copy of the skill).

The expected text is taken from the skill's fenced blocks with the placeholders filled with the test values, so a
template drifting from the skill fails here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from botflix_mcp import templates as t

SKILL = (Path(__file__).parent / "data" / "aioz_skill.md").read_text(encoding="utf-8")
MEDIA_ID = "6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a"
TITLE = "My video"
WHEN = datetime(2026, 11, 22, 10, 11, 12, tzinfo=UTC)
STAMP = "2026-11-22 10:11:12"


def block_after(heading: str) -> str:
    """The first fenced block after the line that contains `heading`."""
    start = SKILL.index(heading)
    match = re.search(r"```\n(.*?)\n```", SKILL[start:], re.DOTALL)
    assert match, heading
    return match.group(1)


def fill(block: str) -> str:
    return (
        block.replace("{media_id}", MEDIA_ID)
        .replace("{title}", TITLE)
        .replace("{timestamp}", STAMP)
        .replace("{type}", "video")
    )


@pytest.mark.parametrize(
    ("heading", "render"),
    [
        ("#### `file_received`", t.render_file_received),
        ("#### `encoding_started`", t.render_encoding_started),
        ("#### `partial_finished`", t.render_partial_finished),
        ("#### `encoding_finished`", t.render_encoding_finished),
        ("#### `encoding_failed`", t.render_encoding_failed),
    ],
)
def test_webhook_templates_byte_exact(heading: str, render) -> None:
    assert render(MEDIA_ID, TITLE, WHEN) == fill(block_after(heading))


def test_upload_complete_byte_exact() -> None:
    expected = fill(block_after("### ✅ After `/media/:id/complete`"))
    assert t.render_upload_complete(MEDIA_ID, TITLE, "video", WHEN) == expected


def test_upload_progress_byte_exact_against_the_skill_example() -> None:
    """The skill's example: 5 chunks, 4 done of 50 MB, the last (10 MB) uploading."""
    rows = [t.ChunkRow(i, 50 * 1024 * 1024, "done") for i in range(4)]
    rows.append(t.ChunkRow(4, 10 * 1024 * 1024, "uploading"))
    expected = (
        block_after("### 📤 During Upload")
        .replace("{title}", TITLE)
        .replace("{bar}", "████████░░")
        .replace("{percent}", "80")
        .replace("{done}", "4")
        .replace("{total}", "5")
    )
    assert t.render_upload_progress(TITLE, rows) == expected


def test_progress_marks_failed_chunks_and_bad_md5() -> None:
    rows = [t.ChunkRow(0, 1024 * 1024, "done"), t.ChunkRow(1, 1536 * 1024, "failed", md5_ok=False)]
    text = t.render_upload_progress("x", rows)
    assert "| 1 | 1.5 MB | ❌ Invalid | ❌ Failed |" in text
    assert "Progress: █████░░░░░ 50% (1 of 2 chunks)" in text
    assert text.endswith(t.COMPLETE_NOTE)


def test_bar_floor_and_percent() -> None:
    assert t.progress_bar(0, 3) == "░" * 10 and t.progress_percent(0, 3) == 0
    assert t.progress_bar(2, 3) == "██████░░░░" and t.progress_percent(2, 3) == 66
    assert t.progress_bar(3, 3) == "█" * 10 and t.progress_percent(3, 3) == 100


def test_sentences_are_the_skills() -> None:
    for sentence in (
        t.PUBLIC_KEY_QUESTION,
        t.SECRET_KEY_QUESTION,
        t.KEYS_SAFE_REMINDER,
        t.INSUFFICIENT_BALANCE_MESSAGE,
        t.COMPLETE_NOTE,
    ):
        assert sentence in SKILL, sentence


def test_dotted_types_map_to_templates() -> None:
    assert t.render_webhook_event("encoding.finished", MEDIA_ID, TITLE, WHEN) == t.render_encoding_finished(
        MEDIA_ID, TITLE, WHEN
    )
    assert set(t.WEBHOOK_TYPE_TO_TEMPLATE.values()) == set(t.TEMPLATE_NAMES)
    with pytest.raises(ValueError):
        t.render_webhook_event("video.exploded", MEDIA_ID, TITLE, WHEN)


def test_sizes() -> None:
    assert t.format_size(52428800) == "50 MB"
    assert t.format_size(10 * 1024 * 1024) == "10 MB"
    assert t.format_size(1536) == "1.5 KB"
    assert t.format_size(5) == "5 B"
