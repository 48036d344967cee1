"""A streaming multipart/form-data reader for upload parts: the file bytes go to a sink as they arrive.

Starlette's form parser spools every file to a temporary file and walks the body in Python (~100 MiB/s on one
core); a part upload then costs a disk round trip before its MD5 can even start. Here the body is scanned with
`bytes.find` for the delimiter, the file's bytes are handed on as zero-copy slices of the received chunks, and the
small fields (`index`, `hash`) are collected on the side, in whatever order they come.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

NAME_RE = re.compile(rb'(?:^|;)\s*name="([^"]*)"', re.IGNORECASE)
MAX_FIELD = 64 * 1024  # a small field bigger than this is not an upload part
MAX_HEADERS = 16 * 1024

_PREAMBLE, _AFTER_DELIM, _HEADERS, _DATA, _END = range(5)


class MultipartError(ValueError):
    """The body is not well-formed multipart/form-data."""


def boundary_of(content_type: str) -> bytes | None:
    """The boundary of a `multipart/form-data` Content-Type header, or None."""
    kind, _, params = content_type.partition(";")
    if kind.strip().lower() != "multipart/form-data":
        return None
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "boundary" and value:
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            return value.encode("latin-1") if 0 < len(value) <= 200 else None
    return None


class PartStream:
    """Feed the body chunk by chunk; the field named `file_field` goes to `on_file`, other fields to `.fields`.

    `on_file` receives memoryviews of the fed chunks (no copies); it must use or copy them before the chunk
    object is released by the caller (keeping a reference to the memoryview keeps the chunk alive).
    """

    def __init__(self, boundary: bytes, on_file: Callable[[memoryview], None], file_field: str = "file") -> None:
        self.dash_boundary = b"--" + boundary
        self.delimiter = b"\r\n--" + boundary
        self.on_file = on_file
        self.file_field = file_field
        self.fields: dict[str, str] = {}
        self.file_seen = False
        self.file_filename: str | None = None
        self.file_size = 0
        self._state = _PREAMBLE
        self._buf = b""  # bytes kept between chunks (headers, or a tail that may start a delimiter)
        self._name: str | None = None
        self._to_file = False
        self._value = bytearray()

    @property
    def done(self) -> bool:
        return self._state == _END

    def feed(self, chunk: bytes) -> None:
        data = self._buf + chunk if self._buf else chunk
        self._buf = b""
        pos = 0
        while True:
            if self._state == _DATA:
                pos = self._scan_data(data, pos, len(chunk))
                if self._state == _DATA:
                    return
            elif self._state == _PREAMBLE:
                at = data.find(self.dash_boundary, pos)
                if at < 0:
                    if len(data) - pos > MAX_HEADERS:
                        raise MultipartError("no multipart boundary found")
                    self._buf = data[pos:]  # small: the preamble is (almost always) empty
                    return
                pos = at + len(self.dash_boundary)
                self._state = _AFTER_DELIM
            elif self._state == _AFTER_DELIM:
                if len(data) - pos < 2:
                    self._buf = data[pos:]
                    return
                marker = data[pos : pos + 2]
                if marker == b"--":
                    self._state = _END
                    return
                if marker != b"\r\n":
                    raise MultipartError("malformed multipart delimiter")
                pos += 2
                self._state = _HEADERS
            elif self._state == _HEADERS:
                end = data.find(b"\r\n\r\n", pos)
                if end < 0:
                    if len(data) - pos > MAX_HEADERS:
                        raise MultipartError("multipart part headers too long")
                    self._buf = data[pos:]
                    return
                self._start_part(data[pos:end])
                pos = end + 4
                self._state = _DATA
            else:  # _END: the epilogue is ignored
                return

    def close(self) -> None:
        """The body ended: it must have ended with the closing delimiter."""
        if self._state != _END:
            raise MultipartError("the multipart body ended early")

    # ------------------------------------------------------------------ internals

    def _start_part(self, raw: bytes) -> None:
        name: str | None = None
        filename: str | None = None
        for line in raw.split(b"\r\n"):
            key, _, value = line.partition(b":")
            if key.strip().lower() == b"content-disposition":
                found = NAME_RE.search(value)
                name = found.group(1).decode("utf-8", "replace") if found else None
                fn = re.search(rb'filename="([^"]*)"', value, re.IGNORECASE)
                filename = fn.group(1).decode("utf-8", "replace") if fn else None
        if name is None:
            raise MultipartError("a multipart part without a name")
        self._name = name
        self._to_file = name == self.file_field and not self.file_seen
        if self._to_file:
            self.file_seen = True
            self.file_filename = filename
        self._value = bytearray()

    def _emit(self, view: memoryview) -> None:
        if not view:
            return
        if self._to_file:
            self.file_size += len(view)
            self.on_file(view)
        else:
            self._value += view
            if len(self._value) > MAX_FIELD:
                raise MultipartError(f"form field {self._name!r} is too large")

    def _end_part(self) -> None:
        if not self._to_file and self._name is not None and self._name not in self.fields:
            self.fields[self._name] = self._value.decode("utf-8", "replace")
        self._name, self._to_file, self._value = None, False, bytearray()

    def _scan_data(self, data: bytes, pos: int, fresh: int) -> int:
        """Emit part data up to the next delimiter; returns the position after it (state changes), or keeps a tail."""
        delim = self.delimiter
        at = data.find(delim, pos)
        view = memoryview(data)
        if at >= 0:
            self._emit(view[pos:at])
            self._end_part()
            self._state = _AFTER_DELIM
            return at + len(delim)
        # no delimiter: everything but a tail that could be the start of one is part data
        keep = len(delim) - 1
        cut = max(pos, len(data) - keep)
        tail_cr = data.rfind(b"\r", cut)
        cut = tail_cr if tail_cr >= 0 else len(data)
        self._emit(view[pos:cut])
        self._buf = data[cut:]
        return len(data)


class PartSink:
    """The MD5 (and, given a path, a copy on disk) of a streamed part, computed in a worker thread.

    While the worker hashes one batch (~1 MiB; hashlib releases the GIL), the event loop receives the next one, so
    receiving and hashing overlap on two cores. At most one batch is in the worker and one is being gathered.
    """

    BATCH = 1 << 20

    def __init__(self, path: Path | None = None) -> None:
        self.digest = hashlib.md5()
        self.path = path
        self.head = b""  # the first bytes of the part (MIME sniffing at /complete, even in "discard" mode)
        self._file: IO[bytes] | None = path.open("wb") if path is not None else None
        self._batch: list[memoryview] = []
        self._pending = 0
        self._job: asyncio.Future[Any] | None = None

    def write(self, view: memoryview) -> None:
        if len(self.head) < 64:
            self.head += bytes(view[: 64 - len(self.head)])
        self._batch.append(view)
        self._pending += len(view)

    async def pump(self) -> None:
        """Hand the gathered bytes to the worker once there is a batch's worth."""
        if self._pending >= self.BATCH:
            await self._flush()

    async def finish(self) -> str:
        """Wait for every byte to be hashed (and written); the hex MD5."""
        await self._flush()
        if self._job is not None:
            await self._job
            self._job = None
        self._close()
        return self.digest.hexdigest()

    async def abort(self) -> None:
        """Forget the part: let a running job end, close and delete the file."""
        self._batch = []
        if self._job is not None:
            with contextlib.suppress(Exception):  # the part is being thrown away anyway
                await self._job
            self._job = None
        self._close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    async def _flush(self) -> None:
        if self._job is not None:
            await self._job  # in order, and bounded memory
            self._job = None
        if self._batch:
            batch, self._batch, self._pending = self._batch, [], 0
            self._job = asyncio.get_running_loop().run_in_executor(None, self._consume, batch)

    def _consume(self, batch: list[memoryview]) -> None:
        for view in batch:
            self.digest.update(view)
            if self._file is not None:
                self._file.write(view)

    def _close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
