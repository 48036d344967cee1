"""Every Markdown template and fixed user-facing sentence of the AIOZ Stream skill, and nothing else.

The texts are byte-for-byte the skill's (tests compare them with the skill file), including its word "Clawbot".
Facts from docs/aioz-api.md (§upload, §webhooks) are applied without changing what the user sees:
- the wire part index is 1-based, while the skill's progress table numbers chunks from 0 — the table keeps the
  skill's numbering;
- AIOZ delivers webhook types with dots (`encoding.finished`); the templates show the skill's underscore names;
- a delivered `file.received` carries status `waiting`; the template shows the skill's `new`.
Values are inserted as given, except that a `|` inside a table cell is escaped and line breaks in a title become
spaces (either would break the Markdown table or heading); ordinary values come out byte-exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

# --------------------------------------------------------------------------- fixed sentences

PUBLIC_KEY_QUESTION = "Please enter your AIOZ Stream Public Key:"
SECRET_KEY_QUESTION = "Please enter your AIOZ Stream Secret Key:"
KEYS_SAFE_REMINDER = "Keep your keys safe — treat them like passwords and consider rotating them after this session."
INSUFFICIENT_BALANCE_MESSAGE = (
    "⚠️ Your account balance is insufficient to transcode with the requested quality presets. "
    "Please top up your AIOZ wallet before proceeding."
)
API_KEY_SECRET_WARNING = (
    "⚠️ This `secret` is shown only once and cannot be retrieved again. Copy it now and store it somewhere safe."
)
PLAYER_DEFAULT_WARNING = "Setting a new default player clears the default flag on all other players."
PLAYER_CDN_WARNING = "CDN propagation for player theme changes may take up to 10 minutes."
H265_MPEGTS_WARNING = (
    'H.265 with container_type "mpegts" will NOT play on Safari/iOS: use container_type "fmp4" for Apple devices.'
)
DEFAULT_TRANSCRIPT_REMINDER = (
    "The deleted transcript was the default one, so the player has no default transcript now. "
    "Set a new default transcript manually."
)
COMPLETE_NOTE = "> ⚠️ Clawbot will only call `/complete` after **all chunks** succeed."

# --------------------------------------------------------------------------- upload progress

BAR_CELLS = 10
MD5_VALID = "✅ Valid"
MD5_INVALID = "❌ Invalid"
MD5_PENDING = "⏳ Pending"  # not hashed yet: the skill has only ✅ Valid / ❌ Invalid; ⏳ is its "not yet" sign
UPLOAD_DONE = "✅ Done"
UPLOAD_UPLOADING = "⏳ Uploading"
UPLOAD_FAILED = "❌ Failed"
UPLOAD_WAITING = "⏳ Waiting"  # queued behind the parallel parts (the skill shows ⏳ for "not done yet")

ChunkState = Literal["done", "uploading", "failed", "waiting"]
_UPLOAD_TEXT: dict[str, str] = {
    "done": UPLOAD_DONE,
    "uploading": UPLOAD_UPLOADING,
    "failed": UPLOAD_FAILED,
    "waiting": UPLOAD_WAITING,
}


@dataclass(frozen=True)
class ChunkRow:
    """One row of the progress table.

    `number` is the skill's 0-based chunk number (its table shows rows 0..4); the part `index` sent on the wire is
    1-based (docs/aioz-api.md §upload), so a caller passes `index - 1`. `size` is in bytes; `md5_ok` is True (hashed and
    accepted), False (the host said "File corrupted.") or None (not hashed yet).
    """

    number: int
    size: int
    state: ChunkState
    md5_ok: bool | None = True  # True valid, False invalid (the host said "File corrupted."), None not hashed yet


def format_size(size: int) -> str:
    """The skill's sizes: its "50 MB" chunk is 52,428,800 bytes, so MB means MiB (KB = KiB, GB = GiB) here.

    The largest unit that fits; no decimals when the value rounds to a whole number at one decimal, else one
    decimal (10.5 MB, 1.5 KB); below 1 KiB, bytes ("512 B").
    """
    units = (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024))
    for unit, scale in units:
        if size >= scale:
            value = size / scale
            text = f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"
            return f"{text} {unit}"
    return f"{size} B"


def progress_bar(done: int, total: int) -> str:
    """10 cells of █/░; a cell fills only when its tenth is complete (floor: 2 of 3 chunks -> 6 cells)."""
    filled = (done * BAR_CELLS) // total if total else BAR_CELLS
    return "█" * filled + "░" * (BAR_CELLS - filled)


def progress_percent(done: int, total: int) -> int:
    """Whole percent, floored (2 of 3 -> 66), so 100 appears only when every chunk is done."""
    return (done * 100) // total if total else 100


def _cell(value: object) -> str:
    """A value inside a Markdown table cell: `|` escaped, line breaks turned into spaces."""
    return _line(value).replace("|", "\\|")


def _line(value: object) -> str:
    """A value inside a heading or one-line text: line breaks turned into spaces."""
    return " ".join(str(value).splitlines())


def render_upload_progress(title: str, chunks: Sequence[ChunkRow]) -> str:
    """The skill's "📤 During Upload — Chunked Upload Progress" block: one row per chunk, in the given order.

    done = chunks in state "done"; total = len(chunks). Upload status ✅ Done / ⏳ Uploading / ❌ Failed /
    ⏳ Waiting; MD5 status ✅ Valid / ❌ Invalid / ⏳ Pending.
    """
    total = len(chunks)
    done = sum(1 for c in chunks if c.state == "done")
    lines = [
        f"## 📤 Uploading: {_line(title)}",
        f"Progress: {progress_bar(done, total)} {progress_percent(done, total)}% ({done} of {total} chunks)",
        "| Chunk | Size | MD5 Status | Upload Status |",
        "|-------|--------|------------|---------------|",
    ]
    for c in chunks:
        md5 = MD5_PENDING if c.md5_ok is None else (MD5_VALID if c.md5_ok else MD5_INVALID)
        lines.append(f"| {c.number} | {format_size(c.size)} | {md5} | {_UPLOAD_TEXT[c.state]} |")
    lines.append(COMPLETE_NOTE)
    return "\n".join(lines)


# --------------------------------------------------------------------------- after /complete


def format_timestamp(moment: datetime) -> str:
    """`2026-11-22 10:11:12` in UTC (aware datetimes are converted, naive ones are taken as UTC already).

    The templates append " UTC" themselves.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def render_upload_complete(media_id: str, title: str, media_type: str, uploaded_at: datetime) -> str:
    """The skill's "🎉 Upload Complete!" block (Status is always `transcoding`, as in the skill)."""
    return "\n".join(
        [
            "## 🎉 Upload Complete!",
            "Your media has been successfully uploaded and is now being processed.",
            "| Field | Value |",
            "|--------------|------------------------|",
            f"| **Media ID** | {_cell(media_id)} |",
            f"| **Title** | {_cell(title)} |",
            f"| **Type** | {_cell(media_type)} |",
            "| **Status** | `transcoding` |",
            f"| **Uploaded** | {format_timestamp(uploaded_at)} UTC |",
            "### ⏳ What's Next?",
            "Transcoding is in progress. You will be notified via webhook once encoding is finished.",
            "> Estimated time depends on media length and selected quality presets.",
        ]
    )


# --------------------------------------------------------------------------- webhook events

#: Delivered `type` (dotted, docs/aioz-api.md §webhooks) -> the skill's template name (underscored).
WEBHOOK_TYPE_TO_TEMPLATE: dict[str, str] = {
    "file.received": "file_received",
    "encoding.started": "encoding_started",
    "partial.finished": "partial_finished",
    "encoding.finished": "encoding_finished",
    "encoding.failed": "encoding_failed",
}
TEMPLATE_NAMES: tuple[str, ...] = tuple(WEBHOOK_TYPE_TO_TEMPLATE.values())
#: The skill's "🔔 Webhook Event Quick Reference": template name -> (status after, one-line response).
WEBHOOK_EVENT_SUMMARY: dict[str, tuple[str, str]] = {
    "file_received": ("new", "📥 File received, queuing transcode…"),
    "encoding_started": ("transcoding", "⚙️ Encoding started…"),
    "partial_finished": ("transcoding", "🔄 Partial quality preset ready"),
    "encoding_finished": ("done", "✅ Your media is ready to stream!"),
    "encoding_failed": ("fail", "❌ Encoding failed. Clawbot will guide you through a retry."),
}


def _event_table(media_id: str, title: str, event: str, status: str, timestamp: datetime, rule: str) -> list[str]:
    return [
        "| Field | Value |",
        f"|---------------|{rule}|",
        f"| **Media ID** | {_cell(media_id)} |",
        f"| **Title** | {_cell(title)} |",
        f"| **Event** | `{event}` |",
        f"| **Status** | `{status}` |",
        f"| **Timestamp** | {format_timestamp(timestamp)} UTC |",
    ]


# The skill's separator rows differ by one dash: encoding_finished has 22, the other event templates 21.
_NARROW = "---------------------"
_WIDE = "----------------------"


def render_file_received(media_id: str, title: str, timestamp: datetime) -> str:
    # The skill shows Status `new` here; AIOZ's delivery carries the internal "waiting" (docs/aioz-api.md §webhooks).
    return "\n".join(
        [
            "## 📥 File Received",
            "Your file has been received by the server and is queued for transcoding.",
            *_event_table(media_id, title, "file_received", "new", timestamp, _NARROW),
            "> Transcoding will begin shortly.",
        ]
    )


def render_encoding_started(media_id: str, title: str, timestamp: datetime) -> str:
    return "\n".join(
        [
            "## ⚙️ Encoding Started",
            "Your media is now being transcoded.",
            *_event_table(media_id, title, "encoding_started", "transcoding", timestamp, _NARROW),
            "> Please wait while your media is being processed across all selected quality presets.",
        ]
    )


def render_partial_finished(media_id: str, title: str, timestamp: datetime) -> str:
    return "\n".join(
        [
            "## 🔄 Partial Quality Ready",
            "One quality preset has finished encoding and is available for streaming.",
            *_event_table(media_id, title, "partial_finished", "transcoding", timestamp, _NARROW),
            "> Remaining quality presets are still processing. Full availability coming soon.",
        ]
    )


def render_encoding_finished(media_id: str, title: str, timestamp: datetime) -> str:
    """Live: HLS, DASH and other URLs plus embeds, all built from `media_id` on the skill's hosts, and next steps."""
    api = "https://api.aiozstream.network/api/media"
    embed = "https://embed.aiozstream.network/vod"
    iframe = (
        '<iframe src="{src}" width="100%" height="100%" frameborder="0" scrolling="no" allowfullscreen="true"></iframe>'
    )
    return "\n".join(
        [
            "## ✅ Encoding Finished — Media is Live!",
            *_event_table(media_id, title, "encoding_finished", "done", timestamp, _WIDE),
            "### 🔗 Your media is ready to stream!",
            "**HLS**",
            f"- Stream URL: `{api}/{media_id}/manifest.m3u8`",
            f"- Player URL: `{embed}/hls/{media_id}`",
            f"- Embed: `{iframe.format(src=f'{embed}/hls/{media_id}')}`",
            "**DASH**",
            f"- Stream URL: `{api}/{media_id}/manifest`",
            f"- Player URL: `{embed}/dash/{media_id}`",
            f"- Embed: `{iframe.format(src=f'{embed}/dash/{media_id}')}`",
            "**Other**",
            f"- Thumbnail: `{api}/{media_id}/thumbnail?resolution=original`",
            f"- MP4: `{api}/{media_id}/mp4`",
            f"- Source: `{api}/{media_id}/source`",
            "### 🛠️ Suggested Next Steps",
            '- [ ] Assign a Player Theme → ask Clawbot: "assign a player to my video"',
            '- [ ] Add Chapters → ask Clawbot: "add chapters to my video"',
            '- [ ] Add Subtitles → ask Clawbot: "add subtitles to my video"',
            '- [ ] Add to a Playlist → ask Clawbot: "add my video to a playlist"',
            '- [ ] Review Analytics → ask Clawbot: "show me analytics for my video"',
        ]
    )


def render_encoding_failed(media_id: str, title: str, timestamp: datetime) -> str:
    """The failure block with the skill's five retry steps (the first names the failed media id)."""
    return "\n".join(
        [
            "## ❌ Encoding Failed",
            "Something went wrong during transcoding.",
            *_event_table(media_id, title, "encoding_failed", "fail", timestamp, _NARROW),
            "### ⚠️ How to Retry",
            "Clawbot will automatically guide you through the following steps:",
            f"1. Delete the failed media object → `DELETE /media/{media_id}`",
            "2. Re-create the media object → `POST /media/create`",
            "3. Check transcode cost before retrying → `GET /media/cost` (verify `is_enough: true`)",
            "4. Re-upload all chunks → `POST /media/:id/part` (one per chunk with MD5)",
            "5. Signal completion → `GET /media/:id/complete`",
            '> Ask Clawbot: "retry my failed upload" to start the process automatically.',
        ]
    )


_RENDERERS = {
    "file_received": render_file_received,
    "encoding_started": render_encoding_started,
    "partial_finished": render_partial_finished,
    "encoding_finished": render_encoding_finished,
    "encoding_failed": render_encoding_failed,
}


def render_webhook_event(event: str, media_id: str, title: str, timestamp: datetime) -> str:
    """Render by template name (`encoding_finished`) or delivered type (`encoding.finished`)."""
    name = WEBHOOK_TYPE_TO_TEMPLATE.get(event, event)
    try:
        renderer = _RENDERERS[name]
    except KeyError:
        raise ValueError(f"unknown webhook event {event!r}; expected one of {', '.join(TEMPLATE_NAMES)}") from None
    return renderer(media_id, title, timestamp)
