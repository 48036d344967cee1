"""The demo episode made bigger: shared by `botflix-mcp demo`, the MCP Apps demo page and the apps tests."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path


def padded_mp4(source: Path, target: Path, pad: int) -> Path:
    """A valid MP4 made bigger with a trailing `free` box (players skip free boxes)."""
    with source.open("rb") as src, target.open("wb") as out:
        shutil.copyfileobj(src, out)
        out.write(struct.pack(">I", pad + 8) + b"free")
        block = bytes(range(256)) * 4096
        left = pad
        while left:
            piece = block[: min(left, len(block))]
            out.write(piece)
            left -= len(piece)
    return target
