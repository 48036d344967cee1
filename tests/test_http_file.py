"""FileSendingTransport (botflix_mcp/http_file.py) against loopback hosts that misbehave in the ways real ones do:
the exact bytes on the wire, an early 413 with a close, a truncated or oversized answer, a host that stops
reading (the attempt's cancel scope must end the worker thread's socket call at once), and the httpx path."""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from botflix_mcp.http_file import FileBody, FileChanged, FileSendingTransport

MIB = 1024 * 1024


class Host:
    """A one-connection-at-a-time TCP host on 127.0.0.1 whose behaviour is a function of the connection."""

    def __init__(self, handler: Callable[[socket.socket], None]) -> None:
        self.handler = handler
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.received: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn, contextlib.suppress(OSError):
                self.handler(conn)

    def close(self) -> None:
        self.listener.close()


@contextlib.contextmanager
def host(handler: Callable[[Host, socket.socket], None]) -> Iterator[Host]:
    holder: list[Host] = []
    h = Host(lambda conn: handler(holder[0], conn))
    holder.append(h)
    try:
        yield h
    finally:
        h.close()


def read_request(conn: socket.socket) -> tuple[bytes, bytes]:
    """The request head and its whole Content-Length body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data, b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    while len(body) < length:
        chunk = conn.recv(1 << 20)
        if not chunk:
            break
        body += chunk
    return head, body


def answer(conn: socket.socket, status: int, body: bytes = b'{"status":"success"}', extra: bytes = b"") -> None:
    conn.sendall(
        f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n".encode()
        + extra
        + b"\r\n"
        + body
    )


def make_body(path: Path, *, start: int = 0, size: int | None = None, **kwargs: Any) -> FileBody:
    size = path.stat().st_size - start if size is None else size
    return FileBody(
        path, start, size, head=b"HEAD|", trailer=lambda md5: b"|" + md5.encode(), trailer_length=33, **kwargs
    )


class NoAsync(FileBody):
    """A body that fails if httpx streams it: proves the worker-thread path was taken."""

    async def __aiter__(self) -> Any:  # type: ignore[override]
        raise AssertionError("streamed through httpx")
        yield b""  # pragma: no cover


def request_for(url: str, body: FileBody, timeout: float = 10.0) -> httpx.Request:
    request = httpx.Request("POST", url, headers={"Content-Length": str(body.length), "X-Key": "k"})
    request.stream = body
    request.extensions["timeout"] = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
    return request


@pytest.fixture
def data_file(tmp_path: Path) -> tuple[Path, bytes]:
    data = os.urandom(5 * MIB + 123)
    path = tmp_path / "part.bin"
    path.write_bytes(data)
    return path, data


@pytest.mark.anyio
async def test_the_exact_body_goes_from_one_thread_and_the_answer_comes_back(data_file: tuple[Path, bytes]) -> None:
    path, data = data_file
    sent: list[bool] = []

    def handler(h: Host, conn: socket.socket) -> None:
        head, body = read_request(conn)
        h.received += [head, body]
        answer(conn, 200)

    with host(handler) as h:
        region = data[100 : 100 + 4 * MIB]
        body = NoAsync(path, 100, 4 * MIB, head=b"HEAD|", trailer=lambda m: b"|" + m.encode(), trailer_length=33)
        body.on_sent = lambda: sent.append(threading.current_thread() is threading.main_thread())
        transport = FileSendingTransport()
        response = await transport.handle_async_request(request_for(f"http://127.0.0.1:{h.port}/media/x/part", body))
        await response.aread()
        await transport.aclose()
    head, wire = h.received
    assert head.startswith(b"POST /media/x/part HTTP/1.1\r\n") and b"X-Key: k" in head
    md5 = hashlib.md5(region).hexdigest()
    assert wire == b"HEAD|" + region + b"|" + md5.encode() and body.md5 == md5
    assert response.status_code == 200 and response.json() == {"status": "success"}
    assert sent == [True], "on_sent runs once, on the event loop's thread"


@pytest.mark.anyio
async def test_an_early_413_and_close_is_read_as_the_answer(data_file: tuple[Path, bytes]) -> None:
    path, _ = data_file

    def handler(h: Host, conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(65536)
        answer(conn, 413, b'{"status":"error","message":"Request Entity Too Large"}', b"Connection: close\r\n")
        conn.shutdown(socket.SHUT_WR)
        time.sleep(0.2)
        # Closing with unread data sends a reset; the client must still have the answer.

    with host(handler) as h:
        transport = FileSendingTransport()
        response = await transport.handle_async_request(request_for(f"http://127.0.0.1:{h.port}/p", make_body(path)))
        await response.aread()
        await transport.aclose()
    assert response.status_code == 413 and "Too Large" in response.text


@pytest.mark.anyio
@pytest.mark.parametrize(
    "reply",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{",  # the sandbox's "ack lost": a promise, then a close
        b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":',  # chunked, cut off
        b"HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n",  # more than an upload answer can be
        b"garbage\r\n\r\n",
    ],
)
async def test_a_broken_answer_is_a_transport_error_the_policy_retries(
    data_file: tuple[Path, bytes], reply: bytes
) -> None:
    path, _ = data_file

    def handler(h: Host, conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(reply)

    with host(handler) as h:
        transport = FileSendingTransport()
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            await transport.handle_async_request(request_for(f"http://127.0.0.1:{h.port}/p", make_body(path)))
        await transport.aclose()


@pytest.mark.anyio
async def test_nothing_listening_is_a_connect_error(data_file: tuple[Path, bytes]) -> None:
    path, _ = data_file
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = FileSendingTransport()
    with pytest.raises(httpx.ConnectError):
        await transport.handle_async_request(request_for(f"http://127.0.0.1:{port}/p", make_body(path)))


@pytest.mark.anyio
async def test_a_cancelled_attempt_ends_the_worker_at_once(data_file: tuple[Path, bytes], tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with big.open("wb") as out:
        out.truncate(256 * MIB)  # far more than the socket buffers hold: the worker blocks in sendall
    release = threading.Event()

    def handler(h: Host, conn: socket.socket) -> None:
        conn.recv(1024)  # read a little, then stop reading
        release.wait(10)

    with host(handler) as h:
        transport = FileSendingTransport()
        started = time.monotonic()
        with anyio.move_on_after(0.5) as scope:
            await transport.handle_async_request(request_for(f"http://127.0.0.1:{h.port}/p", make_body(big)))
        assert scope.cancelled_caught
        for _ in range(60):  # the socket is shut down: the worker's sendall fails, it closes the file and returns
            if not open_fds(big):
                break
            await anyio.sleep(0.05)
        assert not open_fds(big), "the worker thread still holds the file"
        assert time.monotonic() - started < 3.5
        release.set()
        await transport.aclose()


@pytest.mark.anyio
async def test_a_host_that_stops_reading_is_a_write_timeout(tmp_path: Path) -> None:
    """A host that stops reading ends the attempt with `httpx.WriteTimeout` (which the policy retries) once no
    byte has moved for the write timeout: not a hang, and the worker lets go of the file."""
    big = tmp_path / "big.bin"
    with big.open("wb") as out:
        out.truncate(256 * MIB)
    release = threading.Event()

    def handler(h: Host, conn: socket.socket) -> None:
        conn.recv(1024)
        release.wait(10)

    with host(handler) as h:
        transport = FileSendingTransport()
        started = time.monotonic()
        with pytest.raises(httpx.WriteTimeout):
            await transport.handle_async_request(
                request_for(f"http://127.0.0.1:{h.port}/p", make_body(big), timeout=0.5)
            )
        assert time.monotonic() - started < 5
        release.set()
        await transport.aclose()
    assert not open_fds(big)


def open_fds(path: Path) -> list[str]:
    out = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            if os.path.realpath(f"/proc/self/fd/{fd}") == str(path):
                out.append(fd)
    return out


@pytest.mark.anyio
async def test_a_file_that_shrinks_mid_request_says_so(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(os.urandom(2 * MIB))

    def handler(h: Host, conn: socket.socket) -> None:
        read_request(conn)

    with host(handler) as h:
        transport = FileSendingTransport()
        body = make_body(path, size=3 * MIB)  # more than the file holds
        with pytest.raises(FileChanged):
            await transport.handle_async_request(request_for(f"http://127.0.0.1:{h.port}/p", body))
        await transport.aclose()


@pytest.mark.anyio
async def test_other_requests_and_other_transports_use_httpx(data_file: tuple[Path, bytes]) -> None:
    path, data = data_file
    seen: list[bytes] = []

    def handler(h: Host, conn: socket.socket) -> None:
        raw = conn.recv(65536)
        seen.append(raw)
        answer(conn, 200, b'{"ok":1}', b"Connection: close\r\n")

    with host(handler) as h:
        async with httpx.AsyncClient(transport=FileSendingTransport()) as client:
            response = await client.get(f"http://127.0.0.1:{h.port}/plain")
        assert response.json() == {"ok": 1} and seen[0].startswith(b"GET /plain HTTP/1.1")

    received: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        received.append(body)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"{}"})

    body = make_body(path)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        request = client.build_request("POST", "http://sandbox/p", headers={"Content-Length": str(body.length)})
        request.stream = body
        response = await client.send(request)
    assert response.status_code == 200
    assert received == [b"HEAD|" + data + b"|" + hashlib.md5(data).hexdigest().encode()]


def _tls_pair(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A throwaway CA-less self-signed certificate for 127.0.0.1: the host's context and a client context trusting
    exactly it (`cryptography` comes with the SDK)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = tmp_path / "cert.pem"
    key_pem = tmp_path / "key.pem"
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_pem, key_pem)
    client = ssl.create_default_context(cafile=str(cert_pem))
    return server, client


@pytest.mark.anyio
async def test_https_goes_from_the_thread_too_and_checks_the_certificate(
    data_file: tuple[Path, bytes], tmp_path: Path
) -> None:
    path, data = data_file
    server_context, client_context = _tls_pair(tmp_path)

    def handler(h: Host, conn: socket.socket) -> None:
        with server_context.wrap_socket(conn, server_side=True) as tls:
            _, body = read_request(tls)
            h.received.append(body)
            answer(tls, 200)

    with host(handler) as h:
        body = NoAsync(path, 0, len(data), head=b"HEAD|", trailer=lambda m: b"|" + m.encode(), trailer_length=33)
        transport = FileSendingTransport(verify=client_context)
        response = await transport.handle_async_request(request_for(f"https://127.0.0.1:{h.port}/p", body))
        await response.aread()
        assert response.status_code == 200
        assert h.received == [b"HEAD|" + data + b"|" + hashlib.md5(data).hexdigest().encode()]
        untrusting = FileSendingTransport()  # the system's roots: the self-signed host is refused before any byte
        with pytest.raises(httpx.ConnectError):
            await untrusting.handle_async_request(request_for(f"https://127.0.0.1:{h.port}/p", make_body(path)))
        assert len(h.received) == 1
        # Other requests go through httpx's pool with the same given context (the self-signed host is trusted).
        async with httpx.AsyncClient(transport=transport) as client:
            plain = await client.post(f"https://127.0.0.1:{h.port}/q", content=b"{}", timeout=10)
        assert plain.status_code == 200
        assert h.received[-1] == b"{}"


def test_every_default_transport_shares_one_tls_context_on_both_paths() -> None:
    from botflix_mcp.http_file import default_ssl_context

    first, second = FileSendingTransport(), FileSendingTransport()
    assert first._ssl_context is second._ssl_context is default_ssl_context()  # the CA bundle is loaded once
    assert first._pool._ssl_context is first._ssl_context  # httpx's pool and the worker-thread path alike
    assert default_ssl_context().verify_mode == ssl.CERT_REQUIRED and default_ssl_context().check_hostname
    unverified = FileSendingTransport(verify=False)
    assert unverified._ssl_context is not default_ssl_context()
    assert unverified._ssl_context.verify_mode == ssl.CERT_NONE


@pytest.mark.anyio
async def test_the_platform_clients_send_parts_through_this_transport_unless_given_another() -> None:
    from botflix_mcp.http import HttpPolicy

    async with HttpPolicy("AIOZ").client() as client:
        assert isinstance(client._transport, FileSendingTransport)
    injected = httpx.MockTransport(lambda request: httpx.Response(200))
    async with HttpPolicy("AIOZ").client(transport=injected) as client:
        assert client._transport is injected  # a test's or caller's transport is used as given (files stream)


@pytest.mark.anyio
async def test_a_body_httpx_stopped_streaming_closes_its_file_on_aclose(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(os.urandom(4 * MIB))
    body = make_body(path)
    stream = body.__aiter__()
    assert await stream.__anext__() == b"HEAD|"
    await stream.__anext__()  # a first block read: the file is open
    assert open_fds(path)
    await body.aclose()  # what the upload engine does after every attempt
    assert not open_fds(path)
    await body.aclose()  # twice is harmless
