"""Streamable HTTP hardening (issue 6 §1), against the real CLI (`python -m botflix_mcp --transport http`).

"Non-loopback" is tested honestly on one machine: the server binds 0.0.0.0 (every address), which requires a
token, and is reached both through 127.0.0.1 and, when the machine has one, through its own non-loopback address
(a real off-loopback connection; its Host header is allowed with --allowed-hosts).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from botflix_mcp.http_app import StaticTokenVerifier, check_http_settings, transport_security
from botflix_mcp.settings import Settings, SettingsError, load_settings

TOKEN = "tok-A-0123456789abcdef"
TOKEN_B = "tok-B-fedcba9876543210"
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def own_address() -> str | None:
    """This machine's own non-loopback IPv4 address (a UDP "connect" sends no packet), or None."""
    for probe in ("10.255.255.255", "192.0.2.1"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.connect((probe, 9))
            except OSError:
                continue
            address = str(s.getsockname()[0])
        if not address.startswith("127.") and address != "0.0.0.0":
            return address
    return None


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "botflix_mcp", "--transport", "http", *args]


class HttpServer:
    def __init__(self, *args: str, host: str = "127.0.0.1") -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIOZ_", "BOTFLIX_"))}
        self.proc = subprocess.Popen(
            cli("--host", host, "--port", str(self.port), *args),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read().decode() if self.proc.stderr else ''}")
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("server did not start")

    def url(self, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}/mcp"

    def stop(self) -> str:
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err.decode(errors="replace")


@pytest.fixture(scope="module")
def public_server() -> Iterator[HttpServer]:
    """Bound to every address, with two tokens; the machine's own address is an allowed Host."""
    extra = ["--allowed-hosts", own] if (own := own_address()) else []
    server = HttpServer("--http-token", f"{TOKEN},{TOKEN_B}", *extra, host="0.0.0.0")
    yield server
    log = server.stop()
    assert TOKEN not in log and TOKEN_B not in log  # the tokens never reach a log line


@pytest.fixture(scope="module")
def loopback_server() -> Iterator[HttpServer]:
    server = HttpServer()
    yield server
    server.stop()


def post(url: str, body: Any = INIT, **headers: str) -> httpx.Response:
    return httpx.post(url, json=body, headers={**MCP_HEADERS, **headers}, timeout=10)


# --------------------------------------------------------------------------- start-up refusals


def test_refuses_to_start_off_loopback_without_a_token() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIOZ_", "BOTFLIX_"))}
    run = subprocess.run(cli("--host", "0.0.0.0", "--port", str(free_port())), capture_output=True, text=True, env=env)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("botflix-mcp: bad setting BOTFLIX_MCP_HTTP_TOKEN: required when binding to a non-loop")


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"BOTFLIX_MCP_HOST": "192.0.2.10"}, "required when binding to a non-loopback address (192.0.2.10)"),
        ({"BOTFLIX_MCP_HOST": "::"}, "required when binding to a non-loopback address (::)"),
        ({"BOTFLIX_MCP_HOST": "0.0.0.0", "BOTFLIX_MCP_HTTP_TOKEN": "short-secret"}, "at least 16 characters"),
        ({"BOTFLIX_MCP_HTTP_TOKEN": f"{TOKEN},{TOKEN}"}, "listed twice"),
    ],
)
def test_unsafe_http_settings_are_refused(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(SettingsError) as info:
        check_http_settings(load_settings(env))
    text = str(info.value)
    assert text.startswith("BOTFLIX_MCP_HTTP_TOKEN:") and fragment in text and "\n" not in text
    assert "short-secret" not in text  # a token's value is never echoed


def test_loopback_needs_no_token() -> None:
    check_http_settings(Settings())
    check_http_settings(load_settings({"BOTFLIX_MCP_HOST": "::1"}))
    check_http_settings(load_settings({"BOTFLIX_MCP_HOST": "localhost"}))


# --------------------------------------------------------------------------- bearer auth


def test_without_the_token_a_public_server_answers_401(public_server: HttpServer) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": f"Basic {TOKEN}"}):
        r = post(public_server.url(), **headers)
        assert r.status_code == 401, (headers, r.text)
        assert r.headers["www-authenticate"].startswith("Bearer ")
    assert httpx.get(f"http://127.0.0.1:{public_server.port}/healthz").json()["status"] == "ok"  # no auth


def test_off_loopback_connection(public_server: HttpServer) -> None:
    own = own_address()
    if own is None:
        pytest.skip("this machine has no non-loopback address")
    assert post(public_server.url(own)).status_code == 401
    ok = post(public_server.url(own), Authorization=f"Bearer {TOKEN}")
    assert ok.status_code == 200 and ok.headers.get("mcp-session-id")


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_with_the_token_both_eras_work(public_server: HttpServer, mode: str) -> None:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as http,
        Client(streamable_http_client(public_server.url(), http_client=http), mode=mode) as client,
    ):
        assert client.protocol_version == ("2026-07-28" if mode == "auto" else "2025-11-25")
        names = [t.name for t in (await client.list_tools()).tools]
        assert "aioz_account" in names


def test_a_session_belongs_to_the_token_that_opened_it(public_server: HttpServer) -> None:
    opened = post(public_server.url(), Authorization=f"Bearer {TOKEN}")
    sid = opened.headers["mcp-session-id"]
    base = {"Authorization": f"Bearer {TOKEN}", "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25"}
    note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    assert post(public_server.url(), note, **base).status_code == 202
    listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
    assert post(public_server.url(), listing, **base).status_code == 200
    stolen = post(public_server.url(), listing, **{**base, "Authorization": f"Bearer {TOKEN_B}"})
    assert stolen.status_code in (401, 403, 404), stolen.text  # another token cannot ride this session


# --------------------------------------------------------------------------- DNS-rebinding protection


def test_foreign_host_or_origin_is_refused(public_server: HttpServer, loopback_server: HttpServer) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert post(public_server.url(), Host="evil.example", **auth).status_code == 421
    assert post(public_server.url(), Origin="http://evil.example", **auth).status_code == 403
    assert post(public_server.url(), Host="evil.example").status_code == 401  # auth is checked first
    assert post(loopback_server.url(), Host="evil.example").status_code == 421
    assert post(loopback_server.url(), Host=f"attacker.example:{loopback_server.port}").status_code == 421
    assert post(loopback_server.url(), Origin="https://evil.example").status_code == 403
    for host in (f"localhost:{loopback_server.port}", f"127.0.0.1:{loopback_server.port}"):
        r = post(loopback_server.url(), Host=host, Origin=f"http://{host}")
        assert r.status_code == 200, r.text


def test_allowed_hosts_and_origins() -> None:
    sec = transport_security(
        load_settings(
            {
                "BOTFLIX_MCP_HOST": "10.1.2.3",
                "BOTFLIX_MCP_HTTP_TOKEN": TOKEN,
                "BOTFLIX_MCP_ALLOWED_HOSTS": "mcp.example.com, fd00::5",
                "BOTFLIX_MCP_ALLOWED_ORIGINS": "https://app.example.com/",
                "BOTFLIX_MCP_PUBLIC_URL": "https://public.example.org:8443",
            }
        )
    )
    assert sec.enable_dns_rebinding_protection
    for host in ("10.1.2.3", "10.1.2.3:*", "mcp.example.com", "mcp.example.com:*", "[fd00::5]:*", "127.0.0.1:*"):
        assert host in sec.allowed_hosts, host
    assert "public.example.org:8443" in sec.allowed_hosts
    assert "https://app.example.com" in sec.allowed_origins and "https://public.example.org:8443" in sec.allowed_origins
    assert not any("0.0.0.0" in h for h in sec.allowed_hosts)
    wildcard = transport_security(load_settings({"BOTFLIX_MCP_HOST": "0.0.0.0", "BOTFLIX_MCP_HTTP_TOKEN": TOKEN}))
    assert wildcard.enable_dns_rebinding_protection and all(
        h.split(":")[0] in ("127.0.0.1", "localhost", "[") for h in wildcard.allowed_hosts
    )


@pytest.mark.anyio
async def test_token_verifier() -> None:
    verifier = StaticTokenVerifier([TOKEN, TOKEN_B])
    a, b = await verifier.verify_token(TOKEN), await verifier.verify_token(TOKEN_B)
    assert a is not None and b is not None and a.client_id == "token-1" and b.client_id == "token-2"
    for wrong in ("", TOKEN[:-1], TOKEN + "x", TOKEN.upper(), f"{TOKEN},{TOKEN_B}"):
        assert await verifier.verify_token(wrong) is None


# --------------------------------------------------------------------------- slow clients (issue 9 defect j)

HALF_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "  # never finished


def _connect(port: int, payload: bytes = b"") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    if payload:
        sock.sendall(payload)
    return sock


def _closed_by_peer(sock: socket.socket) -> bool:
    """True when the server has closed this socket (EOF or reset); never blocks."""
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


def _healthz_seconds(port: int) -> float:
    """One /healthz on a fresh connection (raw socket: no client set-up in the measurement)."""
    start = time.monotonic()
    with _connect(port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n") as sock:
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:60]
    return time.monotonic() - start


def test_half_sent_requests_are_closed_and_healthz_stays_fast() -> None:
    """200 sockets holding half-sent requests (one trickling a byte every 0.2 s) are all closed by the server
    after the header timeout, while /healthz keeps answering fast. Loopback only, bounded waits."""
    timeout = 1.5
    server = HttpServer("--http-header-timeout", str(timeout))
    held: list[socket.socket] = []
    sent: list[int] = []
    stop = threading.Event()

    def trickle(sock: socket.socket) -> None:
        for byte in b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Trickle: " + b"a" * 200:
            if stop.wait(0.2):
                return
            try:
                sock.send(bytes([byte]))
            except OSError:
                return
            sent.append(byte)

    try:
        opened = time.monotonic()
        held = [_connect(server.port), _connect(server.port)]  # one sends nothing, one trickles
        thread = threading.Thread(target=trickle, args=(held[1],), daemon=True)
        thread.start()
        held += [_connect(server.port, HALF_REQUEST) for _ in range(198)]
        latencies: list[float] = []
        pending = set(range(len(held)))
        closed_at: dict[int, float] = {}
        while pending and time.monotonic() - opened < timeout + 8:
            for index in list(pending):
                if _closed_by_peer(held[index]):
                    pending.discard(index)
                    closed_at[index] = time.monotonic() - opened
            latencies.append(_healthz_seconds(server.port))
            time.sleep(0.1)
        stop.set()
        thread.join(5)
        assert not pending, f"{len(pending)} of {len(held)} half-sent requests still open after {timeout + 8} s"
        assert min(closed_at.values()) >= timeout - 0.5  # closed by the timer, not at once
        assert 1 in closed_at and len(sent) >= 3  # the trickle (several bytes) did not keep its socket alive
        assert len(latencies) >= 5 and max(latencies) < 1.0, f"/healthz took up to {max(latencies):.3f} s"
        assert _healthz_seconds(server.port) < 1.0  # and the server still serves
    finally:
        stop.set()
        for sock in held:
            sock.close()
        server.stop()


def test_a_kept_alive_connection_is_closed_when_idle_and_the_connection_limit_answers_503() -> None:
    server = HttpServer("--http-max-connections", "3", "--http-header-timeout", "1", "--http-keepalive-timeout", "1")
    held: list[socket.socket] = []
    try:
        keep = _connect(server.port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert keep.recv(65536).startswith(b"HTTP/1.1 200")
        held = [keep, _connect(server.port)]
        busy = httpx.get(f"http://127.0.0.1:{server.port}/healthz", timeout=5)  # the third connection
        assert busy.status_code == 503
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline and not all(_closed_by_peer(s) for s in held):
            time.sleep(0.1)
        assert all(_closed_by_peer(s) for s in held), "idle connections were not closed"
        assert _healthz_seconds(server.port) < 1.0  # slots free again
    finally:
        for sock in held:
            sock.close()
        server.stop()


def test_server_timeouts_have_sane_defaults() -> None:
    from botflix_mcp.http_app import MAX_HEADER_BYTES, uvicorn_config

    settings = load_settings({})
    config = uvicorn_config(settings, object())
    assert (settings.http_header_timeout, settings.http_keepalive_timeout, settings.http_max_connections) == (
        10.0,
        5,
        256,
    )
    assert config.timeout_keep_alive == 5 and config.limit_concurrency == 256
    assert config.h11_max_incomplete_event_size == MAX_HEADER_BYTES
    with pytest.raises(SettingsError, match="BOTFLIX_MCP_HTTP_HEADER_TIMEOUT"):
        load_settings({"BOTFLIX_MCP_HTTP_HEADER_TIMEOUT": "0"})
