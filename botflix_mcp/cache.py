"""The user's cache directory and the atomic JSON files kept in it (upload journals, tool schemas, limits).

Nothing here is a secret or a source of truth: every file can be deleted at any time and is rebuilt.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("botflix-mcp"))


def atomic_write_json(path: Path, data: Any) -> None:
    """Write `data` as JSON so that readers see the old file or the new one, never a torn one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
