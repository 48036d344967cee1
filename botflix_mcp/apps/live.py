"""Foreground uploads the upload monitor can follow while the tool call runs (issue 13 §1).

A background job is polled by its id; a foreground `aioz_upload_media` call has no id the app knows until its
result arrives. `live_listener` wraps that call's progress listener: for a client that negotiated MCP Apps (and
only then: other clients keep exactly today's behaviour), each snapshot is also kept here under the session that
owns the call, so `aioz_upload_monitor` can return the session's latest running upload (by title) as data.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from botflix_mcp.aioz.upload import Progress, ProgressListener
from botflix_mcp.apps import client_supports_apps

#: Foreground uploads remembered per session (the oldest are forgotten first).
KEEP = 5


@dataclass
class LiveUpload:
    title: str
    started: float = field(default_factory=time.monotonic)
    progress: Progress | None = None
    finished: bool = False

    def view(self) -> dict[str, Any]:
        progress = self.progress
        rows = progress.rows if progress else ()
        return {
            "title": self.title,
            "state": "finished" if self.finished else "running",
            "done": progress.done if progress else 0,
            "total": progress.total if progress else None,
            "parts": [{"chunk": r.number, "size": r.size, "state": r.state, "md5_ok": r.md5_ok} for r in rows],
        }


class LiveUploads:
    def __init__(self) -> None:
        self._by_owner: dict[str, list[LiveUpload]] = {}

    def start(self, owner: str, title: str) -> LiveUpload:
        entry = LiveUpload(title)
        kept = self._by_owner.setdefault(owner, [])
        kept.append(entry)
        del kept[:-KEEP]
        return entry

    def latest(self, owner: str | None, title: str | None = None) -> LiveUpload | None:
        """The owner's most recent foreground upload (with this title when given)."""
        if owner is None:
            return None
        for entry in reversed(self._by_owner.get(owner, [])):
            if title is None or entry.title == title:
                return entry
        return None


def live_listener(ctx: Any, app: Any, title: str, listener: ProgressListener) -> ProgressListener:
    """`listener`, also keeping each snapshot for the monitor app; `listener` itself without the extension."""
    from botflix_mcp.credentials import session_key

    owner = session_key(ctx)
    try:
        wanted = owner is not None and client_supports_apps(ctx)
    except Exception:  # outside a request (tests calling handlers directly)
        wanted = False
    if not wanted or owner is None:
        return listener
    entry = app.state(LiveUploads).start(owner, title)

    async def forward(progress: Progress) -> None:
        entry.progress = progress
        entry.finished = progress.total > 0 and progress.done >= progress.total
        await listener(progress)

    return forward
