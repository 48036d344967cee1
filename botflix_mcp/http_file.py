"""Request bodies read from a file region, and the transport that sends them from one worker thread (issue 11).

A `FileBody` is `head + file[start : start + size] + trailer(md5)`: the trailer is known once the region's MD5 is
(the upload engine's multipart body ends with the part's `hash` field), so the file is read once, never held.

Two ways to send one, both reading the file exactly once:

- **Through httpx** (`FileBody` is an `httpx.AsyncByteStream`): blocks of `ASYNC_BLOCK` are read and hashed in a
  worker thread and handed to httpx one by one. Used by any transport but ours (a test's ASGI transport, a proxy
  from the environment).
- **`FileSendingTransport`** (the default transport of the platform clients, an `httpx.AsyncHTTPTransport`): a
  request whose stream is a `FileBody`, to an `http`/`https` URL, is sent whole from one worker thread on a
  blocking socket: connect (and TLS), the request head, then for each `THREAD_BLOCK` of the region
  `readinto` a buffer, MD5 update, `sendall`, all three outside the GIL, then the trailer and the answer
  (`http.client`). Nothing crosses to the event loop per block: on loopback a 1 GiB upload costs about the MD5
  itself plus the kernel's socket copy, where the httpx path pays a thread hand-off, h11 framing and an asyncio
  write (with a buffer copy of what the socket did not take) for every block (bench/upload.py measures both).
  Every other request goes through `httpx.AsyncHTTPTransport` unchanged.

The transport does I/O only: timeouts and retries stay with `botflix_mcp.http.HttpPolicy`. Its failures are the
httpx exceptions the policy already classifies (`ConnectError` before anything was sent, `WriteError`, `ReadError`,
`RemoteProtocolError`, the `*Timeout`s); a host that answers early (413) and closes while the body is being sent
still has its answer read. When the policy's cancel scope ends an attempt, the socket is shut down, which ends
the worker's blocking call at once; the thread then closes the file and exits.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.client
import socket
import ssl
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
import httpx

#: Region bytes per worker hand-off on the httpx path (one `bytes` per block goes through h11 and asyncio).
ASYNC_BLOCK = 512 * 1024
#: Region bytes per `readinto` / MD5 update / `sendall` in the worker thread (one reused buffer per request).
THREAD_BLOCK = 1024 * 1024
#: The largest answer read to a file upload (the hosts answer a few hundred bytes of JSON).
MAX_ANSWER = 1024 * 1024
#: Worker threads sending file bodies at once, per transport (the upload engine keeps at most 8 parts in flight).
MAX_SENDERS = 16


class FileChanged(Exception):
    """The source file changed (size/mtime) or shrank while it was being read (the upload engine raises it too)."""


class FileBody(httpx.AsyncByteStream):
    """`head`, then `size` bytes of `path` from `start`, then `trailer(md5_hex)` (exactly `trailer_length` bytes).

    `length` is exact before a byte is read (a plain `Content-Length`). `md5` is set once the region is read;
    `on_sent` runs (on the event loop) when the whole body has been handed to the socket."""

    def __init__(
        self,
        path: Path,
        start: int,
        size: int,
        *,
        head: bytes,
        trailer: Callable[[str], bytes],
        trailer_length: int,
        content_type: str = "application/octet-stream",
        on_sent: Callable[[], None] | None = None,
        readers: anyio.CapacityLimiter | None = None,
    ) -> None:
        self.content_type = content_type
        self.path = path
        self.start = start
        self.size = size
        self.head = head
        self.trailer = trailer
        self.trailer_length = trailer_length
        self.on_sent = on_sent
        self.readers = readers
        self.length = len(head) + size + trailer_length
        self.md5: str | None = None
        self._handle: Any = None  # the file while httpx streams the body (closed by `aclose` if it stops early)

    def _open(self) -> Any:
        handle = self.path.open("rb", buffering=0)
        handle.seek(self.start)
        return handle

    def _finish(self, digest: Any) -> bytes:
        self.md5 = digest.hexdigest()
        tail = self.trailer(self.md5)
        if len(tail) != self.trailer_length:  # pragma: no cover - a programming error in the caller
            raise ValueError("trailer length differs from the one announced")
        return tail

    # ----------------------------------------------------------------------------------------- through httpx

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.head
        digest = hashlib.md5(usedforsecurity=False)
        handle = self._handle = await anyio.to_thread.run_sync(self._open)
        try:
            # One worker hand-off per block, read and hashed there in one go; each block goes to httpx as it is
            # (h11 passes a single bytes chunk through without joining it) and is dropped before the next read,
            # so a request holds at most one block (plus what the socket has not taken yet).
            remaining = self.size
            while remaining:
                want = min(ASYNC_BLOCK, remaining)
                data = await anyio.to_thread.run_sync(_read_hashed, handle, want, digest, limiter=self.readers)
                if len(data) != want:
                    raise FileChanged(f"{self.path} shrank while it was being uploaded")
                remaining -= want
                yield data
                del data
        finally:
            handle.close()
            self._handle = None
        yield self._finish(digest)
        if self.on_sent is not None:
            self.on_sent()

    async def aclose(self) -> None:
        """Close the file if a stream through httpx stopped before its end (a cancelled or failed attempt)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    # ------------------------------------------------------------------------------------- from one thread

    def write_to(self, send: Callable[[Any], None], aborted: threading.Event) -> None:
        """Write the whole body with `send` (a blocking `sendall`), in the calling (worker) thread."""
        send(self.head)
        digest = hashlib.md5(usedforsecurity=False)
        buffer = bytearray(min(THREAD_BLOCK, self.size) or 1)
        view = memoryview(buffer)
        try:
            with self._open() as handle:
                remaining = self.size
                while remaining:
                    if aborted.is_set():
                        raise OSError("the request was cancelled")
                    want = min(len(buffer), remaining)
                    got = _read_into(handle, view[:want])
                    if got != want:
                        raise FileChanged(f"{self.path} shrank while it was being uploaded")
                    chunk = view[:want]
                    digest.update(chunk)  # hashlib and sendall release the GIL on large buffers
                    send(chunk)
                    remaining -= want
        finally:
            view.release()
        send(self._finish(digest))


def _read_hashed(handle: Any, size: int, digest: Any) -> bytes:
    """Read `size` bytes into one new bytes object and feed them to the MD5 (in a worker thread)."""
    data: bytes = handle.read(size)
    while len(data) < size:  # a short read (rare for regular files): complete it, or report the shrink
        more = handle.read(size - len(data))
        if not more:
            break
        data += more
    digest.update(data)
    return data


def _read_into(handle: Any, view: memoryview) -> int:
    got = 0
    while got < len(view):
        n = handle.readinto(view[got:])
        if not n:
            break
        got += n
    return got


class _Exchange:
    """One request on one blocking connection, run in a worker thread; `abort()` (from the loop) ends it."""

    def __init__(self, request: httpx.Request, body: FileBody, ssl_context: ssl.SSLContext | None) -> None:
        self.request = request
        self.body = body
        self.ssl_context = ssl_context
        self.aborted = threading.Event()
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None

    def abort(self) -> None:
        self.aborted.set()
        with self._lock:
            if self._sock is not None:
                with contextlib.suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)

    def _timeouts(self) -> tuple[float | None, float | None, float | None]:
        t = self.request.extensions.get("timeout", {})
        return t.get("connect"), t.get("write"), t.get("read")

    def run(self) -> tuple[int, str, list[tuple[bytes, bytes]], bytes]:
        url = self.request.url
        https = url.scheme == "https"
        connect_timeout, write_timeout, read_timeout = self._timeouts()
        port = url.port or (443 if https else 80)
        try:
            raw = socket.create_connection((url.host, port), timeout=connect_timeout)
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc) or "connect timed out") from exc
        except OSError as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        sock: socket.socket = raw
        try:
            with self._lock:
                self._sock = raw
            if self.aborted.is_set():
                raise httpx.ConnectError("the request was cancelled")
            if https:
                assert self.ssl_context is not None
                try:
                    sock = self.ssl_context.wrap_socket(raw, server_hostname=url.host)
                except (OSError, ssl.SSLError) as exc:
                    raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
                with self._lock:
                    self._sock = sock
            sock.settimeout(write_timeout)
            early_answer = False
            try:
                sock.sendall(self._head())
                self.body.write_to(sock.sendall, self.aborted)
            except TimeoutError as exc:
                raise httpx.WriteTimeout(str(exc) or "write timed out") from exc
            except (BrokenPipeError, ConnectionResetError):
                early_answer = True  # the host may have answered (413) and closed: read what it said
            except OSError as exc:  # FileChanged is not an OSError: it passes through to the upload engine
                if self.aborted.is_set():
                    raise httpx.WriteError("the request was cancelled") from exc
                raise httpx.WriteError(str(exc) or type(exc).__name__) from exc
            if not early_answer and self.body.on_sent is not None:
                anyio.from_thread.run_sync(self.body.on_sent)
            sock.settimeout(read_timeout)
            return self._answer(sock, early=early_answer)
        finally:
            with self._lock:
                self._sock = None
            with contextlib.suppress(OSError):
                sock.close()

    def _head(self) -> bytes:
        request = self.request
        target = request.url.raw_path
        lines = [request.method.encode("ascii") + b" " + target + b" HTTP/1.1"]
        for name, value in request.headers.raw:
            if b"\r" in name or b"\n" in name or b"\r" in value or b"\n" in value:  # httpx refuses these already
                raise httpx.LocalProtocolError("a header holds a line break")
            lines.append(name + b": " + value)
        return b"\r\n".join(lines) + b"\r\n\r\n"

    def _answer(self, sock: socket.socket, *, early: bool) -> tuple[int, str, list[tuple[bytes, bytes]], bytes]:
        response = http.client.HTTPResponse(sock, method=self.request.method)
        try:
            response.begin()
            if response.length is not None and response.length > MAX_ANSWER:
                raise httpx.RemoteProtocolError(f"answer over {MAX_ANSWER} bytes")
            content = response.read(MAX_ANSWER + 1)  # chunked: an early close raises IncompleteRead
            if response.length:  # Content-Length promised more than came before the connection closed
                raise httpx.RemoteProtocolError("the host closed the connection before the answer was complete")
        except TimeoutError as exc:
            raise httpx.ReadTimeout(str(exc) or "read timed out") from exc
        except http.client.HTTPException as exc:
            if early:
                raise httpx.WriteError("the host closed the connection while the body was being sent") from exc
            raise httpx.RemoteProtocolError(f"unreadable answer ({type(exc).__name__})") from exc
        except OSError as exc:
            if early:
                raise httpx.WriteError("the host closed the connection while the body was being sent") from exc
            raise httpx.ReadError(str(exc) or type(exc).__name__) from exc
        finally:
            response.close()
        if len(content) > MAX_ANSWER:
            raise httpx.RemoteProtocolError(f"answer over {MAX_ANSWER} bytes")
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.getheaders()]
        # http.client has removed the transfer coding; what is left is the body as the host sent it.
        headers = [(k, v) for k, v in headers if k.lower() not in (b"transfer-encoding",)]
        return response.status, response.reason, headers, content


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """The process's verifying TLS context, as httpx makes its default one (certifi's CA bundle, or `SSL_CERT_FILE`
    / `SSL_CERT_DIR`), built once: building one loads the whole bundle (about 15 ms), and each platform client
    built two (httpx's pool, then the worker-thread path) before they shared this one."""
    return httpx.create_ssl_context()


class FileSendingTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, except for `FileBody` requests to http(s) URLs: those go from one worker thread. Both
    paths use one TLS context: the process's default one, or the context given as `verify`."""

    def __init__(self, *, verify: bool | ssl.SSLContext = True, **kwargs: Any) -> None:
        if verify is True:
            context = default_ssl_context()
        else:
            context = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify)
        super().__init__(verify=context, **kwargs)
        self._ssl_context = context
        self._senders = anyio.CapacityLimiter(MAX_SENDERS)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = request.stream
        if not isinstance(body, FileBody) or request.url.scheme not in ("http", "https"):
            return await super().handle_async_request(request)
        exchange = _Exchange(request, body, self._ssl_context if request.url.scheme == "https" else None)
        try:
            status, reason, headers, content = await anyio.to_thread.run_sync(
                exchange.run, abandon_on_cancel=True, limiter=self._senders
            )
        except BaseException:
            exchange.abort()  # cancelled (the attempt's time is up) or failed: end the worker's socket call now
            raise
        return httpx.Response(
            status,
            headers=headers,
            stream=httpx.ByteStream(content),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason.encode("latin-1", "replace")},
            request=request,
        )
