"""URL upload sources: which addresses a shared server may fetch, and fetching them from exactly that address.

A server reached over HTTP is shared: a URL given to it must not make it reach into its own network (issue 9
defect i). Three rules:

1. **Only global addresses.** `non_global_reason` refuses everything `ipaddress` does not call global and, on
   top of that (older Pythons are lenient), multicast, shared address space 100.64.0.0/10 (100.100.100.200 is a
   cloud metadata address), the IANA special-purpose blocks, site-local IPv6, and the IPv6 forms that wrap an
   IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`, Teredo) when the wrapped
   address is not global.
2. **Resolve once, connect to what was checked.** `PinnedTransport` resolves the name (in a worker thread; the
   answer of the early `check_url` is reused for `PIN_TTL` seconds, so one lookup serves both), checks every
   address it got, then connects to the checked address itself: the request goes to the IP, with
   the `Host` header and the TLS server name (SNI and certificate check) set to the name. A DNS answer that
   changes between the check and the connection (DNS rebinding) cannot move the connection.
3. **Every redirect hop** goes through the same transport, so each hop is resolved and checked again.

A server on stdio runs for one user on their own machine: it may fetch their local network (`guard=False`).
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
import httpx

from botflix_mcp.errors import UserInputError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]
"""(host, port) -> the IP addresses (text) the name resolves to. Blocking; runs in a worker thread."""

MIB = 1024 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}

# IANA special-purpose blocks that are not globally reachable; `is_global` misses some on older Pythons.
_NON_GLOBAL_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",  # shared address space (carrier-grade NAT); 100.100.100.200 is a metadata service
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",  # the deprecated 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
    )
)
_NON_GLOBAL_V6 = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::/8",  # unspecified, loopback, IPv4-compatible and other reserved forms (NAT64 is handled first)
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments, Teredo (2001::/32) included
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
        "5f00::/16",  # SRv6 SIDs
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated; `is_global` calls it global)
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_LOOPBACK_V4 = ipaddress.IPv4Network("127.0.0.0/8")


def parse_address(text: str) -> IPAddress:
    """An IP address from text, without an IPv6 zone (`fe80::1%eth0`) or brackets."""
    return ipaddress.ip_address(text.strip().strip("[]").split("%")[0])


def _v4_reason(address: ipaddress.IPv4Address) -> str | None:
    if address.is_multicast:
        return "a multicast address"
    if address.is_loopback:
        return "a loopback address"
    if address in ipaddress.IPv4Network("100.64.0.0/10"):
        return "in the shared address space 100.64.0.0/10 (cloud metadata services live there)"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private:
        return "a private-network address"
    if not address.is_global or address.is_reserved or any(address in n for n in _NON_GLOBAL_V4):
        return "not a public address"
    return None


def non_global_reason(address: IPAddress) -> str | None:
    """Why a shared server must not connect to `address` (None: it is a public address)."""
    if isinstance(address, ipaddress.IPv4Address):
        return _v4_reason(address)
    wrapped: ipaddress.IPv4Address | None = None
    form = ""
    if address.ipv4_mapped is not None:
        wrapped, form = address.ipv4_mapped, "IPv4-mapped"
    elif address in _NAT64:
        wrapped, form = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF), "NAT64"
    elif address.sixtofour is not None:
        wrapped, form = address.sixtofour, "6to4"
    elif address.teredo is not None:
        server, client = address.teredo
        inner = _v4_reason(client) or _v4_reason(server)
        if inner:
            return f"a Teredo address wrapping {client} ({inner})"
    if wrapped is not None:
        inner = _v4_reason(wrapped)
        if inner:
            return f"a {form} address wrapping {wrapped} ({inner})"
        if form in ("IPv4-mapped", "NAT64"):
            return None  # the connection ends at that public IPv4 address
    if address.is_multicast:
        return "a multicast address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_site_local or address.is_private:
        return "a private-network address"
    if not address.is_global or address.is_reserved or any(address in n for n in _NON_GLOBAL_V6):
        return "not a public address"
    return None


def _is_loopback(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or (isinstance(address, ipaddress.IPv4Address) and address in _LOOPBACK_V4)


def check_address(address: IPAddress, *, url: str, allow_loopback: bool = False) -> None:
    """Refuse a non-global address. `allow_loopback` is for tests only (loopback-only traffic)."""
    if allow_loopback and _is_loopback(address):
        return
    reason = non_global_reason(address)
    if reason:
        raise UserInputError(
            f"{url!r} points to {address}, {reason}; a shared server only fetches public addresses.",
            "Use a public URL, or upload the file from a local path.",
        )


def system_resolve(host: str, port: int) -> list[str]:
    """The addresses `getaddrinfo` gives for a name (blocking)."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def split_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL; anything else is refused."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or port == -1:
        raise UserInputError(f"{url!r} is not an http(s) URL.", "Give a local path or an http(s) URL.")
    return parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme]


#: How long a checked answer is reused, seconds: the early check (`check_url`) and the download right after it
#: then use one lookup, and the download connects to exactly the addresses that check saw.
PIN_TTL = 120.0
_pins: dict[tuple[Resolver, str, int], tuple[float, tuple[str, ...]]] = {}
_pins_lock = threading.Lock()


def _lookup(resolve: Resolver, host: str, port: int) -> tuple[str, ...]:
    """The resolver's answer, reused for `PIN_TTL` seconds (successful answers only)."""
    key = (resolve, host.lower(), port)
    now = time.monotonic()
    with _pins_lock:
        pinned = _pins.get(key)
        if pinned is not None and now - pinned[0] < PIN_TTL:
            return pinned[1]
    answer = tuple(resolve(host, port))
    with _pins_lock:
        if len(_pins) > 1024:  # a long-running server: drop expired entries
            for stale in [k for k, (at, _) in _pins.items() if now - at >= PIN_TTL]:
                del _pins[stale]
        if answer:
            _pins[key] = (now, answer)
    return answer


def resolve_checked(url: str, *, resolve: Resolver = system_resolve, allow_loopback: bool = False) -> list[IPAddress]:
    """Resolve the URL's host once and check every address; the checked addresses (blocking).

    An IP literal is checked as it is, without any lookup. Every address must pass, so a name with one private
    answer among public ones is refused (the connection could otherwise be steered to it). The answer is reused
    for `PIN_TTL` seconds and checked again each time it is used.
    """
    _, host, port = split_url(url)
    try:
        addresses = [parse_address(host)]
    except ValueError:
        try:
            addresses = [parse_address(a) for a in _lookup(resolve, host, port)]
        except (OSError, UnicodeError, ValueError):
            raise UserInputError(f"Cannot resolve the host of {url!r}.", "Check the URL.") from None
    if not addresses:
        raise UserInputError(f"Cannot resolve the host of {url!r}.", "Check the URL.")
    for address in addresses:
        check_address(address, url=url, allow_loopback=allow_loopback)
    return addresses


def check_url(url: str, *, over_http: bool, resolve: Resolver = system_resolve) -> str:
    """An http(s) URL the server may fetch (stripped). Over HTTP (a shared server) non-global hosts are refused.

    Blocking (it resolves the name): call it in a worker thread. This is the early check that gives a clear
    error before anything is created; the download right after it reuses the same answer (`PIN_TTL`), checks it
    again and connects to one of those addresses.
    """
    split_url(url)
    if over_http:
        resolve_checked(url, resolve=resolve)
    return url.strip()


class PinnedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that connects only to the address it resolved and checked for each request.

    The request is rewritten to the checked IP; the `Host` header keeps the name (httpx set it when the request
    was built) and, for https, the `sni_hostname` extension makes TLS send and verify the name. One inner
    transport (connection pool) per (name, address, port), so a TLS connection made for one name is never
    reused for another name on the same address. `connected` records (name, address, port) of each request.
    """

    def __init__(
        self,
        *,
        resolve: Resolver = system_resolve,
        allow_loopback: bool = False,
        make_inner: Callable[[], httpx.AsyncBaseTransport] = httpx.AsyncHTTPTransport,
    ) -> None:
        self._resolve = resolve
        self._allow_loopback = allow_loopback
        self._make_inner = make_inner
        self._inner: dict[tuple[str, str, int], httpx.AsyncBaseTransport] = {}
        self.connected: list[tuple[str, str, int]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        host = request.url.host
        port = request.url.port or DEFAULT_PORTS.get(request.url.scheme, 0)
        check = functools.partial(resolve_checked, url, resolve=self._resolve, allow_loopback=self._allow_loopback)
        address = (await anyio.to_thread.run_sync(check))[0]
        key = (host, str(address), port)
        inner = self._inner.get(key)
        if inner is None:
            inner = self._inner[key] = self._make_inner()
        extensions = dict(request.extensions)
        if request.url.scheme == "https":
            extensions["sni_hostname"] = host  # TLS sends and verifies the name, not the IP
        pinned = httpx.Request(
            request.method,
            request.url.copy_with(host=str(address)),
            headers=request.headers,  # the Host header (the name) is already there
            stream=request.stream,
            extensions=extensions,
        )
        self.connected.append(key)
        response = await inner.handle_async_request(pinned)
        response.request = request
        return response

    async def aclose(self) -> None:
        for inner in self._inner.values():
            await inner.aclose()
        self._inner.clear()


async def download(
    url: str,
    dest: Path,
    *,
    timeout: float,
    guard: bool = False,
    client: httpx.AsyncClient | None = None,
    transport: PinnedTransport | None = None,
) -> Path:
    """Stream `url` into `dest` (via `dest.part`, renamed when complete). Never holds the body in memory.

    With `guard` (a shared server), every request, each redirect hop too, goes through a `PinnedTransport`:
    resolved once, checked, connected to the checked address. `transport` lets a test pass its own (loopback).
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".part")
    own = client is None
    if client is None:
        pinned = transport or (PinnedTransport() if guard else None)
        client = httpx.AsyncClient(
            follow_redirects=True,
            timeout=httpx.Timeout(timeout, connect=10.0),
            transport=pinned,
            trust_env=pinned is None,  # a proxy would resolve the name again
        )
    try:
        async with client.stream("GET", url) as response:
            if not response.is_success:
                raise UserInputError(
                    f"Downloading {url} failed: HTTP {response.status_code}.", "Check that the URL is public and right."
                )
            async with await anyio.open_file(partial, "wb") as out:
                async for piece in response.aiter_bytes(MIB):
                    await out.write(piece)
    except httpx.HTTPError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise UserInputError(f"Downloading {url} failed: {type(exc).__name__}.", "Check the URL and retry.") from None
    except UserInputError:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    finally:
        if own:
            await client.aclose()
    partial.replace(dest)
    return dest
