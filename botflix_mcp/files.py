"""Small local files the tools send whole (thumbnails, player logos, caption tracks): read safely.

One place for what four tools used to do each their own way (issue 9 defect h):

- the size comes from `stat` first, so a file over the limit is refused before a byte of it is read;
- the read is bounded (at most `max_bytes + 1` bytes, so a file that grew after the `stat` is still refused);
- the work runs in a worker thread (`anyio.to_thread`), never on the event loop that serves other calls;
- one image-header sniffer (PNG `IHDR`, JPEG `SOFn`): the format and the pixel size come from the bytes, never
  from the file name.

Each tool keeps its own messages and limits: it passes them in as small callables that build the error.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import anyio.to_thread

from botflix_mcp.errors import UserInputError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
# Start-of-frame markers carry the image size: SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})

ErrorFor = Callable[[int], Exception]
"""Builds the error for a file of the given size in bytes (the tool's own wording)."""


@dataclass(frozen=True)
class ImageHeader:
    """What an image's header says. `width`/`height` are None when the header is truncated or corrupt."""

    format: Literal["png", "jpeg"]
    width: int | None
    height: int | None

    @property
    def mime(self) -> str:
        return "image/png" if self.format == "png" else "image/jpeg"

    @property
    def has_size(self) -> bool:
        return self.width is not None and self.height is not None


@dataclass(frozen=True)
class LocalImage:
    """A whole image file read into memory, with its sniffed header."""

    name: str
    data: bytes
    header: ImageHeader

    @property
    def size(self) -> int:
        return len(self.data)


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the JPEG segments to the first SOFn (height then width, big-endian)."""
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            i += 2
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if marker in _JPEG_SOF:
            if i + 9 > len(data):
                return None
            return int.from_bytes(data[i + 7 : i + 9], "big"), int.from_bytes(data[i + 5 : i + 7], "big")
        if marker in (0xDA, 0xD9) or length < 2:  # image data or end before any frame header
            return None
        i += 2 + length
    return None


IMAGE_MIMES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


def image_format(head: bytes) -> Literal["png", "jpeg", "webp"] | None:
    """The image format from the first 16 bytes (PNG, JPEG or WebP), never from a file name."""
    if head.startswith(PNG_SIGNATURE):
        return "png"
    if head.startswith(JPEG_SIGNATURE):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def sniff_image(data: bytes) -> ImageHeader | None:
    """PNG or JPEG from the real header (None for anything else), with the pixel size when the header has it."""
    if data.startswith(PNG_SIGNATURE):
        size = _png_size(data)
        return ImageHeader("png", *(size or (None, None)))
    if data.startswith(JPEG_SIGNATURE):
        size = _jpeg_size(data)
        return ImageHeader("jpeg", *(size or (None, None)))
    return None


def read_bounded_sync(path: Path, max_bytes: int, too_big: ErrorFor, *, empty: ErrorFor | None = None) -> bytes:
    """The whole file, at most `max_bytes`; blocking (call `read_bounded` from async code).

    The size is taken from `stat` before opening (and again from the open descriptor, in case the file was
    replaced in between); over the limit raises `too_big(size)` without reading. `empty(0)` for an empty file.
    """
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise UserInputError(f"{path.name} is not a regular file.", "Give the path of a file, not a folder or device.")
    if info.st_size > max_bytes:
        raise too_big(info.st_size)
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > max_bytes:
            raise too_big(size)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew after the stat
        raise too_big(len(data))
    if not data and empty is not None:
        raise empty(0)
    return data


async def read_bounded(path: Path, max_bytes: int, too_big: ErrorFor, *, empty: ErrorFor | None = None) -> bytes:
    """`read_bounded_sync` in a worker thread: the event loop keeps serving other calls meanwhile."""
    return await anyio.to_thread.run_sync(functools.partial(read_bounded_sync, path, max_bytes, too_big, empty=empty))


def load_image_sync(
    path: Path,
    max_bytes: int,
    too_big: ErrorFor,
    not_image: ErrorFor,
    *,
    empty: ErrorFor | None = None,
) -> LocalImage:
    """A whole PNG/JPEG file, <= `max_bytes`; `not_image(size)` when its header is neither. Blocking."""
    data = read_bounded_sync(path, max_bytes, too_big, empty=empty)
    header = sniff_image(data)
    if header is None:
        raise not_image(len(data))
    return LocalImage(path.name, data, header)


async def read_image(
    path: Path,
    max_bytes: int,
    too_big: ErrorFor,
    not_image: ErrorFor,
    *,
    empty: ErrorFor | None = None,
) -> LocalImage:
    """`load_image_sync` in a worker thread."""
    return await anyio.to_thread.run_sync(
        functools.partial(load_image_sync, path, max_bytes, too_big, not_image, empty=empty)
    )
