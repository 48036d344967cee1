"""botflix_mcp.url_source (issue 9 defect i): only global addresses, resolved once, connected to as checked.

The address check is tested with addresses alone (no traffic). Connection behaviour uses loopback servers only:
the transport's test-only `allow_loopback` lets 127.0.0.0/8 through, and the resolver is replaced at the DNS
boundary so a name can "rebind" between lookups. No test sends traffic to a non-loopback address: every
address a test resolver returns is either loopback or one the check refuses before connecting.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from botflix_mcp import url_source
from botflix_mcp.aioz.tools import upload
from botflix_mcp.errors import UserInputError

REFUSED = [
    "100.100.100.200",  # cloud metadata in the shared address space
    "100.64.0.1",
    "100.127.255.254",
    "224.0.0.1",  # multicast
    "239.255.255.250",
    "ff02::1",
    "ff0e::1",  # global-scope multicast is still multicast
    "127.0.0.1",
    "::1",
    "0.0.0.0",
    "::",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "192.0.0.8",
    "198.18.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "fe80::1",
    "fec0::1",  # site-local
    "fc00::1",
    "fd12:3456::1",
    "2001:db8::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "::ffff:100.100.100.200",
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b::6464:64c8",  # NAT64 of 100.100.100.200
    "64:ff9b:1::a00:1",  # local-use NAT64
    "2002:a9fe:a9fe::1",  # 6to4 wrapping link-local 169.254.169.254
    "2002:7f00:1::1",  # 6to4 wrapping 127.0.0.1
    "2002:6464:64c8::1",  # 6to4 wrapping 100.100.100.200
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "::a00:1",  # IPv4-compatible (deprecated)
]
ALLOWED = ["8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700:4700::1111", "2a00:1450:4001::1", "::ffff:8.8.8.8",
           "64:ff9b::808:808", "2002:808:808::1"]  # fmt: skip


@pytest.mark.parametrize("text", REFUSED)
def test_non_global_addresses_are_refused(text: str) -> None:
    address = url_source.parse_address(text)
    assert url_source.non_global_reason(address), text
    host = f"[{text}]" if ":" in text else text
    with pytest.raises(UserInputError, match="only fetches public addresses"):
        url_source.check_url(f"http://{host}/v.mp4", over_http=True)  # an IP literal: no lookup, no traffic
    with pytest.raises(UserInputError):  # the name the upload tool uses is the same check
        upload.check_url(f"http://{host}/v.mp4", over_http=True)


@pytest.mark.parametrize("text", ALLOWED)
def test_global_addresses_pass(text: str) -> None:
    assert url_source.non_global_reason(url_source.parse_address(text)) is None
    host = f"[{text}]" if ":" in text else text
    assert url_source.check_url(f" http://{host}/v.mp4 ", over_http=True) == f"http://{host}/v.mp4"


def test_reasons_name_what_is_wrapped() -> None:
    reason = url_source.non_global_reason(ipaddress.ip_address("2002:a9fe:a9fe::1"))
    assert reason and "6to4" in reason and "169.254.169.254" in reason
    reason = url_source.non_global_reason(ipaddress.ip_address("100.100.100.200"))
    assert reason and "100.64.0.0/10" in reason
    assert url_source.parse_address("fe80::1%eth0") == ipaddress.ip_address("fe80::1")


def test_a_name_is_refused_when_any_answer_is_non_global() -> None:
    def resolve(host: str, port: int) -> list[str]:
        return ["8.8.8.8", "10.0.0.7"]

    with pytest.raises(UserInputError, match=r"10\.0\.0\.7"):
        url_source.check_url("https://media.example/v.mp4", over_http=True, resolve=resolve)
    # stdio (one user's own machine): no lookup at all
    assert url_source.check_url("http://127.0.0.1:9/x.mp4", over_http=False) == "http://127.0.0.1:9/x.mp4"


def test_malformed_urls_are_refused() -> None:
    for url in ("ftp://example.com/v.mp4", "http:///v.mp4", "http://example.com:99999/v.mp4", "example.com/v"):
        with pytest.raises(UserInputError, match="not an http"):
            url_source.check_url(url, over_http=False)


# --------------------------------------------------------------------------- loopback servers


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        server: Any = self.server
        server.seen.append((self.headers.get("Host"), self.connection.getsockname()[0], self.path))
        redirect = server.redirects.get(self.path)
        if redirect:
            self.send_response(302)
            self.send_header("Location", redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"video bytes " + self.path.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[Any]:
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.seen, server.redirects = [], {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class Rebinding:
    """A DNS stand-in: each name answers its list of answers in turn (the last one repeats); calls recorded."""

    def __init__(self, answers: dict[str, list[Sequence[str]]]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        queue = self.answers[host]
        return list(queue.pop(0) if len(queue) > 1 else queue[0])


@pytest.mark.anyio
async def test_connects_to_the_checked_address_with_the_name_as_host(http_server: Any, tmp_path: Path) -> None:
    port = http_server.server_address[1]
    # first answer checked and used; a second lookup would get 127.0.0.2, where nothing listens on this port
    dns = Rebinding({"media.test": [["127.0.0.1"], ["127.0.0.2"]]})
    transport = url_source.PinnedTransport(resolve=dns, allow_loopback=True)
    url = f"http://media.test:{port}/clip.mp4"
    saved = await url_source.download(url, tmp_path / "clip.mp4", timeout=5, guard=True, transport=transport)
    assert saved.read_bytes() == b"video bytes /clip.mp4"
    assert dns.calls == ["media.test"]  # resolved once
    assert transport.connected == [("media.test", "127.0.0.1", port)]
    assert http_server.seen == [(f"media.test:{port}", "127.0.0.1", "/clip.mp4")]


@pytest.mark.anyio
async def test_the_early_check_and_the_download_share_one_lookup(http_server: Any, tmp_path: Path) -> None:
    """What the upload tool does: check_url first (clear error before anything is created), then download."""
    port = http_server.server_address[1]
    dns = Rebinding({"media.test": [["127.0.0.1"], ["127.0.0.2"]]})  # a second lookup would move the connection
    url = f"http://media.test:{port}/early.mp4"
    with pytest.raises(UserInputError, match="loopback"):  # the production check refuses loopback...
        url_source.check_url(url, over_http=True, resolve=dns)
    transport = url_source.PinnedTransport(resolve=dns, allow_loopback=True)  # ...the test-only switch lets it by
    await url_source.download(url, tmp_path / "early.mp4", timeout=5, guard=True, transport=transport)
    assert dns.calls == ["media.test"]  # one lookup for the check and the connection
    assert transport.connected == [("media.test", "127.0.0.1", port)]
    assert http_server.seen == [(f"media.test:{port}", "127.0.0.1", "/early.mp4")]


@pytest.mark.anyio
async def test_each_redirect_hop_is_resolved_and_checked(http_server: Any, tmp_path: Path) -> None:
    port = http_server.server_address[1]
    http_server.redirects["/a"] = f"http://next.test:{port}/b"
    http_server.redirects["/c"] = f"http://rebound.test:{port}/d"
    dns = Rebinding({"media.test": [["127.0.0.1"]], "next.test": [["127.0.0.1"]], "rebound.test": [
        ["127.0.0.1", "100.100.100.200"]]})  # fmt: skip
    transport = url_source.PinnedTransport(resolve=dns, allow_loopback=True)
    saved = await url_source.download(
        f"http://media.test:{port}/a", tmp_path / "a.mp4", timeout=5, guard=True, transport=transport
    )
    assert saved.read_bytes() == b"video bytes /b"
    assert dns.calls == ["media.test", "next.test"]
    assert [s[0] for s in http_server.seen] == [f"media.test:{port}", f"next.test:{port}"]
    transport = url_source.PinnedTransport(resolve=dns, allow_loopback=True)
    with pytest.raises(UserInputError, match=r"100\.100\.100\.200"):  # the hop's name has a metadata answer
        await url_source.download(
            f"http://media.test:{port}/c", tmp_path / "c.mp4", timeout=5, guard=True, transport=transport
        )
    assert [s[2] for s in http_server.seen][-1] == "/c"  # /d was never requested
    assert not (tmp_path / "c.mp4").exists() and not (tmp_path / "c.mp4.part").exists()


@pytest.mark.anyio
async def test_loopback_is_refused_without_the_test_only_switch(http_server: Any, tmp_path: Path) -> None:
    port = http_server.server_address[1]
    with pytest.raises(UserInputError, match="loopback"):
        await url_source.download(f"http://127.0.0.1:{port}/x.mp4", tmp_path / "x.mp4", timeout=5, guard=True)
    transport = url_source.PinnedTransport(resolve=Rebinding({"media.test": [["127.0.0.1"]]}))
    with pytest.raises(UserInputError, match="loopback"):
        await url_source.download(
            f"http://media.test:{port}/x.mp4", tmp_path / "x.mp4", timeout=5, guard=True, transport=transport
        )
    assert http_server.seen == []
    assert not (tmp_path / "x.mp4").exists() and not (tmp_path / "x.mp4.part").exists()


def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for `name` only (not for 127.0.0.1)."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@pytest.mark.anyio
async def test_tls_sends_and_verifies_the_name_while_connecting_to_the_ip(tmp_path: Path) -> None:
    cert, key = _certificate(tmp_path, "media.test")
    names: list[str | None] = []
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    server_ctx.sni_callback = lambda sock, name, ctx: names.append(name)  # type: ignore[assignment]
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.seen, server.redirects = [], {}
    server.socket = server_ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        client_ctx = ssl.create_default_context(cafile=str(cert))

        def transport() -> url_source.PinnedTransport:
            return url_source.PinnedTransport(
                resolve=Rebinding({"media.test": [["127.0.0.1"]]}),
                allow_loopback=True,
                make_inner=lambda: httpx.AsyncHTTPTransport(verify=client_ctx),
            )

        url = f"https://media.test:{port}/s.mp4"
        saved = await url_source.download(url, tmp_path / "s.mp4", timeout=5, guard=True, transport=transport())
        assert saved.read_bytes() == b"video bytes /s.mp4"
        assert names == ["media.test"]
        assert server.seen == [(f"media.test:{port}", "127.0.0.1", "/s.mp4")]
        # the certificate names media.test only: verifying against the IP would fail, so the name was checked
        with pytest.raises(UserInputError, match="ConnectError"):
            async with httpx.AsyncClient(verify=client_ctx) as plain:
                await url_source.download(
                    f"https://127.0.0.1:{port}/s.mp4", tmp_path / "ip.mp4", timeout=5, client=plain
                )
    finally:
        server.shutdown()
        server.server_close()
