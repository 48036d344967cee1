"""Every template of the AIOZ skill, byte for byte (issue 4 §9).

Each of the seven templates is checked twice:
- against an inline expected string (the skill's block with the test values filled in by hand), which runs
  everywhere;
- against the skill file itself: the fenced block under the template's heading is extracted, its placeholders
  are filled with the same values, and the result must equal the render output. The skill is read from the
  repository's own copy, `tests/data/aioz_skill.md`, so the tests need nothing outside the repository; where the
  original seed happens to sit beside the checkout (`../shared/seeds/`), the copy is also compared with it, as an
  extra check that never skips.
For the progress block the skill's rows are an example: its header and footer lines are compared exactly, and
every rendered row must have the skill's row format; the skill's own example (4 chunks done, 1 uploading) is also
reproduced byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from botflix_mcp import templates as t

SKILL_COPY = Path(__file__).parent / "data" / "aioz_skill.md"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "001_42abd72d835a8bcd.txt"
MEDIA_ID = "6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a"
TITLE = "My video"
WHEN = datetime(2026, 11, 22, 10, 11, 12, tzinfo=UTC)
STAMP = "2026-11-22 10:11:12"
MIB = 1024 * 1024

# --------------------------------------------------------------------------- inline expected texts

EXPECTED: dict[str, str] = {
    "upload_progress": """\
## 📤 Uploading: My video
Progress: ████████░░ 80% (4 of 5 chunks)
| Chunk | Size | MD5 Status | Upload Status |
|-------|--------|------------|---------------|
| 0 | 50 MB | ✅ Valid | ✅ Done |
| 1 | 50 MB | ✅ Valid | ✅ Done |
| 2 | 50 MB | ✅ Valid | ✅ Done |
| 3 | 50 MB | ✅ Valid | ✅ Done |
| 4 | 10 MB | ✅ Valid | ⏳ Uploading |
> ⚠️ Clawbot will only call `/complete` after **all chunks** succeed.""",
    "upload_complete": """\
## 🎉 Upload Complete!
Your media has been successfully uploaded and is now being processed.
| Field | Value |
|--------------|------------------------|
| **Media ID** | 6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a |
| **Title** | My video |
| **Type** | video |
| **Status** | `transcoding` |
| **Uploaded** | 2026-11-22 10:11:12 UTC |
### ⏳ What's Next?
Transcoding is in progress. You will be notified via webhook once encoding is finished.
> Estimated time depends on media length and selected quality presets.""",
    "file_received": """\
## 📥 File Received
Your file has been received by the server and is queued for transcoding.
| Field | Value |
|---------------|---------------------|
| **Media ID** | 6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a |
| **Title** | My video |
| **Event** | `file_received` |
| **Status** | `new` |
| **Timestamp** | 2026-11-22 10:11:12 UTC |
> Transcoding will begin shortly.""",
    "encoding_started": """\
## ⚙️ Encoding Started
Your media is now being transcoded.
| Field | Value |
|---------------|---------------------|
| **Media ID** | 6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a |
| **Title** | My video |
| **Event** | `encoding_started` |
| **Status** | `transcoding` |
| **Timestamp** | 2026-11-22 10:11:12 UTC |
> Please wait while your media is being processed across all selected quality presets.""",
    "partial_finished": """\
## 🔄 Partial Quality Ready
One quality preset has finished encoding and is available for streaming.
| Field | Value |
|---------------|---------------------|
| **Media ID** | 6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a |
| **Title** | My video |
| **Event** | `partial_finished` |
| **Status** | `transcoding` |
| **Timestamp** | 2026-11-22 10:11:12 UTC |
> Remaining quality presets are still processing. Full availability coming soon.""",
    "encoding_finished": """\
## ✅ Encoding Finished — Media is Live!
| Field | Value |
|---------------|----------------------|
| **Media ID** | 6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a |
| **Title** | My video |
| **Event** | `encoding_finished` |
| **Status** | `done` |
| **Timestamp** | 2026-11-22 10:11:12 UTC |
### 🔗 Your media is ready to stream!
**HLS**
- Stream URL: `https://api.aiozstream.network/api/media/6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a/manifest.m3u8`
- Player URL: `https://embed.aiozstream.network/vod/hls/6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a`
- Embed: `<iframe src="https://embed.aiozstream.network/vod/hls/6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a" width="100%" height="100%" frameborder="0" scrolling="no" allowfullscreen="true"></iframe>`
**DASH**
- Stream URL: `https://api.aiozstream.network/api/media/6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a/manifest`
- Player URL: `https://embed.aiozstream.network/vod/dash/6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a`
- Embed: `<iframe src="https://embed.aiozstream.network/vod/dash/6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a" width="100%" height="100%" frameborder="0" scrolling="no" allowfullscreen="true"></iframe>`
**Other**
- Thumbnail: `https://api.aiozstream.network/api/media/6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a/thumbnail?resolution=original`
- MP4: `https://api.aiozstream.network/api/media/6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a/mp4`
- Source: `https://api.aiozstream.network/api/media/6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a/source`
### 🛠️ Suggested Next Steps
- [ ] Assign a Player Theme → ask Clawbot: "assign a player to my video"
- [ ] Add Chapters → ask Clawbot: "add chapters to my video"
- [ ] Add Subtitles → ask Clawbot: "add subtitles to my video"
- [ ] Add to a Playlist → ask Clawbot: "add my video to a playlist"
- [ ] Review Analytics → ask Clawbot: "show me analytics for my video\"""",  # noqa: E501
    "encoding_failed": """\
## ❌ Encoding Failed
Something went wrong during transcoding.
| Field | Value |
|---------------|---------------------|
| **Media ID** | 6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a |
| **Title** | My video |
| **Event** | `encoding_failed` |
| **Status** | `fail` |
| **Timestamp** | 2026-11-22 10:11:12 UTC |
### ⚠️ How to Retry
Clawbot will automatically guide you through the following steps:
1. Delete the failed media object → `DELETE /media/6b1f5f3e-1c1b-4c55-9d7e-0a6f3f1c2b3a`
2. Re-create the media object → `POST /media/create`
3. Check transcode cost before retrying → `GET /media/cost` (verify `is_enough: true`)
4. Re-upload all chunks → `POST /media/:id/part` (one per chunk with MD5)
5. Signal completion → `GET /media/:id/complete`
> Ask Clawbot: "retry my failed upload" to start the process automatically.""",
}


def skill_example_rows() -> list[t.ChunkRow]:
    """The skill's example state: chunks 0-3 (50 MB) done, chunk 4 (10 MB) uploading, all hashed."""
    return [*(t.ChunkRow(n, 50 * MIB, "done") for n in range(4)), t.ChunkRow(4, 10 * MIB, "uploading")]


RENDER: dict[str, Callable[[], str]] = {
    "upload_progress": lambda: t.render_upload_progress(TITLE, skill_example_rows()),
    "upload_complete": lambda: t.render_upload_complete(MEDIA_ID, TITLE, "video", WHEN),
    "file_received": lambda: t.render_file_received(MEDIA_ID, TITLE, WHEN),
    "encoding_started": lambda: t.render_encoding_started(MEDIA_ID, TITLE, WHEN),
    "partial_finished": lambda: t.render_partial_finished(MEDIA_ID, TITLE, WHEN),
    "encoding_finished": lambda: t.render_encoding_finished(MEDIA_ID, TITLE, WHEN),
    "encoding_failed": lambda: t.render_encoding_failed(MEDIA_ID, TITLE, WHEN),
}
HEADINGS: dict[str, str] = {
    "upload_progress": "### 📤 During Upload — Chunked Upload Progress",
    "upload_complete": "### ✅ After `/media/:id/complete` — Upload Complete",
    "file_received": "#### `file_received`",
    "encoding_started": "#### `encoding_started`",
    "partial_finished": "#### `partial_finished`",
    "encoding_finished": "#### `encoding_finished`",
    "encoding_failed": "#### `encoding_failed`",
}
VALUES = {
    "{media_id}": MEDIA_ID,
    "{title}": TITLE,
    "{type}": "video",
    "{timestamp}": STAMP,
    # the progress block, for the skill's example state
    "{bar}": "████████░░",
    "{percent}": "80",
    "{done}": "4",
    "{total}": "5",
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_inline_expected_byte_exact(name: str) -> None:
    assert RENDER[name]().encode() == EXPECTED[name].encode()


# --------------------------------------------------------------------------- against the skill file


@pytest.fixture
def skill() -> str:
    return SKILL_COPY.read_text(encoding="utf-8")


def block_after(skill: str, heading: str) -> str:
    """The first fenced block after the line that is exactly `heading`."""
    match = re.search(rf"^{re.escape(heading)}\n(?:[^\n]*\n)*?```\n(.*?)\n```", skill, re.MULTILINE | re.DOTALL)
    assert match, f"no fenced block under {heading!r} in the skill"
    return match.group(1)


def fill(block: str) -> str:
    for placeholder, value in VALUES.items():
        block = block.replace(placeholder, value)
    assert "{" not in block, f"unfilled placeholder in {block!r}"
    return block


@pytest.mark.parametrize("name", list(HEADINGS))
def test_byte_exact_against_the_skill_file(skill: str, name: str) -> None:
    assert RENDER[name]().encode() == fill(block_after(skill, HEADINGS[name])).encode()


def test_repo_copy_holds_every_template_and_equals_the_seed_when_present(skill: str) -> None:
    for heading in HEADINGS.values():
        assert re.search(rf"^{re.escape(heading)}$", skill, re.MULTILINE), heading
    if SEED.is_file():  # an extra check where the original seed sits beside the checkout; nothing to skip otherwise
        assert SKILL_COPY.read_bytes() == SEED.read_bytes()


ROW_RE = re.compile(
    r"^\| \d+ \| \d+(?:\.\d)? (?:B|KB|MB|GB) \| (?:✅ Valid|❌ Invalid|⏳ Pending) \| "
    r"(?:✅ Done|⏳ Uploading|❌ Failed|⏳ Waiting) \|$"
)


def test_progress_frame_and_row_format_follow_the_skill(skill: str) -> None:
    skill_lines = block_after(skill, HEADINGS["upload_progress"]).split("\n")
    skill_rows = skill_lines[4:-1]
    assert skill_rows and all(ROW_RE.match(row) for row in skill_rows)  # the row format is the skill's
    rows = [
        t.ChunkRow(0, 50 * MIB, "done"),
        t.ChunkRow(1, 50 * MIB, "failed", md5_ok=False),
        t.ChunkRow(2, 50 * MIB, "uploading", md5_ok=None),
        t.ChunkRow(3, 3 * MIB + MIB // 2, "waiting", md5_ok=None),
    ]
    lines = t.render_upload_progress("Trailer", rows).split("\n")
    assert lines[0] == skill_lines[0].replace("{title}", "Trailer")
    assert lines[1] == skill_lines[1].format(bar="██░░░░░░░░", percent=25, done=1, total=4)
    assert lines[2:4] == skill_lines[2:4]
    assert lines[-1] == skill_lines[-1]
    assert lines[4:-1] == [
        "| 0 | 50 MB | ✅ Valid | ✅ Done |",
        "| 1 | 50 MB | ❌ Invalid | ❌ Failed |",
        "| 2 | 50 MB | ⏳ Pending | ⏳ Uploading |",
        "| 3 | 3.5 MB | ⏳ Pending | ⏳ Waiting |",
    ]
    assert all(ROW_RE.match(row) for row in lines[4:-1])


def test_fixed_sentences_are_the_skills(skill: str) -> None:
    for sentence in (t.PUBLIC_KEY_QUESTION, t.SECRET_KEY_QUESTION, t.KEYS_SAFE_REMINDER, t.COMPLETE_NOTE):
        assert sentence in skill, sentence
    assert f"> {t.INSUFFICIENT_BALANCE_MESSAGE}\n" in skill


def test_event_summary_is_the_skills_quick_reference(skill: str) -> None:
    for name, (status, response) in t.WEBHOOK_EVENT_SUMMARY.items():
        row = re.search(rf"^\| `{name}` +\| `([a-z]+)` +\| (.+?) +\|$", skill, re.MULTILINE)
        assert row, name
        assert (row.group(1), row.group(2)) == (status, response)


# --------------------------------------------------------------------------- rules of the renderers


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (52_428_800, "50 MB"),  # the skill's 50 MB chunk: MB = MiB
        (10 * MIB, "10 MB"),
        (10 * MIB + MIB // 2, "10.5 MB"),
        (5 * MIB - 1, "5 MB"),  # 4.99999 MiB rounds to a whole number at one decimal
        (1536, "1.5 KB"),
        (1024, "1 KB"),
        (512, "512 B"),
        (0, "0 B"),
        (3 * 1024**3, "3 GB"),
    ],
)
def test_sizes(size: int, text: str) -> None:
    assert t.format_size(size) == text


@pytest.mark.parametrize(
    ("done", "total", "bar", "percent"),
    [
        (0, 3, "░░░░░░░░░░", 0),
        (1, 3, "███░░░░░░░", 33),
        (2, 3, "██████░░░░", 66),  # floor, not round
        (19, 20, "█████████░", 95),  # a cell fills only when its tenth is complete
        (3, 3, "██████████", 100),
        (0, 0, "██████████", 100),  # nothing to send is complete
    ],
)
def test_bar_and_percent_floor(done: int, total: int, bar: str, percent: int) -> None:
    assert (t.progress_bar(done, total), t.progress_percent(done, total)) == (bar, percent)


def test_timestamps_are_utc() -> None:
    plus7 = datetime(2026, 11, 22, 17, 11, 12, tzinfo=timezone(timedelta(hours=7)))
    assert t.format_timestamp(plus7) == STAMP  # converted to UTC
    assert t.format_timestamp(datetime(2026, 11, 22, 10, 11, 12)) == STAMP  # naive: already UTC
    assert t.render_upload_complete(MEDIA_ID, TITLE, "audio", plus7) == EXPECTED["upload_complete"].replace(
        "| video |", "| audio |"
    )


def test_cells_cannot_break_the_table() -> None:
    text = t.render_encoding_started(MEDIA_ID, "A | B\nC", WHEN)
    assert "| **Title** | A \\| B C |" in text
    assert t.render_upload_progress("two\nlines", []).split("\n")[0] == "## 📤 Uploading: two lines"


def test_dotted_and_underscored_events_render_their_template() -> None:
    assert t.WEBHOOK_TYPE_TO_TEMPLATE == {  # research §7: delivered types use dots
        "file.received": "file_received",
        "encoding.started": "encoding_started",
        "partial.finished": "partial_finished",
        "encoding.finished": "encoding_finished",
        "encoding.failed": "encoding_failed",
    }
    for dotted, name in t.WEBHOOK_TYPE_TO_TEMPLATE.items():
        expected = EXPECTED[name]
        assert t.render_webhook_event(dotted, MEDIA_ID, TITLE, WHEN) == expected
        assert t.render_webhook_event(name, MEDIA_ID, TITLE, WHEN) == expected
    with pytest.raises(ValueError, match="unknown webhook event"):
        t.render_webhook_event("video.exploded", MEDIA_ID, TITLE, WHEN)


def test_warning_texts_say_what_the_skill_requires() -> None:
    assert t.INSUFFICIENT_BALANCE_MESSAGE.startswith("⚠️ ")
    assert "cannot be retrieved again" in t.API_KEY_SECRET_WARNING and "`secret`" in t.API_KEY_SECRET_WARNING
    assert "10 minutes" in t.PLAYER_CDN_WARNING
    assert "clears" in t.PLAYER_DEFAULT_WARNING and "default" in t.PLAYER_DEFAULT_WARNING
    assert all(word in t.H265_MPEGTS_WARNING for word in ("mpegts", "fmp4", "Safari/iOS"))
    assert "new default transcript" in t.DEFAULT_TRANSCRIPT_REMINDER
