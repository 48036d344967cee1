"""Upload parts and `/complete` (docs/aioz-api.md §upload): the requests the upload engine sends, and their answers.

- `POST /media/{id}/part`: multipart fields `file`, `index` (1-based) and `hash` (hex MD5 of the part), header
  `Content-Range: bytes start-end/total` with an inclusive end. The engine streams the body from disk; this module
  builds the request around it (`part_request`) and reads the answer (`part_answer`): re-sending a stored part
  answers 400 "Part is already uploaded." (a success: a lost acknowledgement), 413 means the part is over the
  host's body limit, "File corrupted." means the MD5 did not match.
- `GET /media/{id}/complete` is synchronous and answers only a message. `complete_upload` calls it once under the
  HTTP policy; a lost answer is resolved by reading the media's status instead of blindly calling again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import httpx

from botflix_mcp.aioz.api.media import media_status
from botflix_mcp.aioz.client import parse_envelope
from botflix_mcp.errors import ApiError
from botflix_mcp.http_file import FileBody

if TYPE_CHECKING:
    from botflix_mcp.aioz.session import AiozSession

logger = logging.getLogger(__name__)

ALREADY_UPLOADED = "part is already uploaded"
CORRUPTED = "file corrupted"

AnswerKind = Literal["ok", "already", "too_large", "failed"]


def part_path(media_id: str) -> str:
    return f"/media/{media_id}/part"


def part_request(api: AiozSession, media_id: str, *, body: FileBody, content_range: str) -> httpx.Request:
    """One part's request: the multipart body read from the file (`FileBody`: its exact length, and the
    platform client's transport sends it from one worker thread) and the inclusive Content-Range."""
    headers = {
        "Content-Type": body.content_type,
        "Content-Length": str(body.length),
        "Content-Range": content_range,
    }
    request = api.client.build_request("POST", part_path(media_id), creds=api.creds, headers=headers)
    request.stream = body  # the body itself, not a wrapper: FileSendingTransport recognises it
    return request


@dataclass(frozen=True)
class PartAnswer:
    """What the host said about one part. `stored`: False when it surely did not keep it, None when unknown."""

    kind: AnswerKind
    message: str
    status: int
    stored: bool | None = None
    corrupted: bool = False


def part_answer(response: httpx.Response) -> PartAnswer:
    status = response.status_code
    if response.is_success:
        return PartAnswer("ok", "stored", status, stored=True)
    _, message = parse_envelope(response)
    message = message or response.reason_phrase or ""
    if status == 400 and ALREADY_UPLOADED in message.lower():
        return PartAnswer("already", message, status, stored=True)
    if status == 413:
        return PartAnswer("too_large", message or "Request Entity Too Large", status, stored=False)
    if status >= 500 or status == 429:
        return PartAnswer("failed", f"HTTP {status}: {message}", status, stored=None)
    return PartAnswer(
        "failed", f"HTTP {status}: {message}", status, stored=False, corrupted=CORRUPTED in message.lower()
    )


class _AlreadyCompleted(Exception):
    def __init__(self, status: str) -> None:
        self.status = status


async def complete_upload(api: AiozSession, media_id: str, *, timeout: float) -> None:
    """`GET /media/{id}/complete` once; a lost answer (connection error, 5xx) is resolved by reading the status.

    Retried under the HTTP policy, but every retry first reads the media: once it left `new`, the earlier attempt
    completed it and nothing is sent again (so the call is safe to repeat; the host never completes twice).
    """
    attempts = 0

    async def only_while_new() -> None:
        nonlocal attempts
        attempts += 1
        if attempts > 1:
            status = await media_status(api, media_id)
            if status is not None and status != "new":
                raise _AlreadyCompleted(status)

    try:
        await api.request(
            "GET", f"/media/{media_id}/complete", timeout=timeout, idempotent=True, before_attempt=only_while_new
        )
    except _AlreadyCompleted as done:
        logger.info("complete: answer lost, but media is %s: it was completed", done.status)
    except ApiError as exc:
        transient = exc.status is None or exc.status >= 500 or exc.status == 429
        if not transient:
            raise
        status = await media_status(api, media_id)
        if status is None or status == "new":
            raise
        logger.info("complete: answer lost, but media is %s: it was completed", status)
