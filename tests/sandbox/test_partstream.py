"""The sandbox's streaming part parser (`strict_parts`): every byte of the file field reaches the sink once, in
order, whatever the chunking; the small fields are read in any order; malformed bodies are refused."""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from botflix_mcp.sandbox.partstream import MultipartError, PartStream, boundary_of
from tests.sandbox.test_aioz_contract import AUTH, new_media, upload_part

BOUNDARY = b"botflixabc123"


def body(data: bytes, fields_first: bool = False, boundary: bytes = BOUNDARY) -> bytes:
    dash = b"--" + boundary
    file_part = (
        dash + b'\r\nContent-Disposition: form-data; name="file"; filename="blob"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n"
    )
    small = (
        dash + b'\r\nContent-Disposition: form-data; name="index"\r\n\r\n7\r\n'
        + dash + b'\r\nContent-Disposition: form-data; name="hash"\r\n\r\n'
        + hashlib.md5(data).hexdigest().encode() + b"\r\n"
    )  # fmt: skip
    return (small + file_part if fields_first else file_part + small) + dash + b"--\r\n"


def parse(raw: bytes, cuts: list[int]) -> tuple[bytes, dict[str, str], PartStream]:
    got = bytearray()
    parser = PartStream(BOUNDARY, lambda view: got.extend(view))
    previous = 0
    for cut in [*sorted(cuts), len(raw)]:
        parser.feed(raw[previous:cut])
        previous = cut
    parser.close()
    return bytes(got), parser.fields, parser


# Content that looks like the delimiter's start at chunk edges: CR, CRLF, CRLF--, CRLF--<part of the boundary>.
TRICKY = b"\r" + b"\r\n" + b"\r\n-" + b"\r\n--" + b"\r\n--botflix" + b"\r\n--botflixabc12" + b"--botflixabc123" + b"\r"


@pytest.mark.parametrize("fields_first", [False, True])
@pytest.mark.parametrize("data", [b"", b"x", TRICKY, TRICKY * 50 + os.urandom(3000) + TRICKY])
def test_every_chunking_gives_the_same_bytes_and_fields(data: bytes, fields_first: bool) -> None:
    raw = body(data, fields_first)
    rng = random.Random(len(data) * 2 + fields_first)
    chunkings = [[], [1], [len(raw) - 1], list(range(1, len(raw)))]  # whole, edges, one byte at a time
    chunkings += [rng.sample(range(1, len(raw)), k=min(len(raw) - 1, rng.randint(1, 40))) for _ in range(200)]
    for cuts in chunkings:
        got, fields, parser = parse(raw, cuts)
        assert got == data, cuts
        assert fields == {"index": "7", "hash": hashlib.md5(data).hexdigest()}
        assert parser.file_size == len(data) and parser.file_filename == "blob" and parser.done


def test_httpx_multipart_body_parses() -> None:
    data = os.urandom(100_000) + TRICKY
    request = httpx.Request(
        "POST", "http://x/part", files={"file": ("blob", data, "application/octet-stream")}, data={"index": "3"}
    )
    boundary = boundary_of(request.headers["content-type"])
    assert boundary is not None
    got = bytearray()
    parser = PartStream(boundary, lambda view: got.extend(view))
    raw = request.read()
    for at in range(0, len(raw), 4093):
        parser.feed(raw[at : at + 4093])
    parser.close()
    assert bytes(got) == data and parser.fields == {"index": "3"}


@pytest.mark.parametrize(
    "raw",
    [
        body(b"abc")[:-8],  # no closing delimiter
        b"no boundary at all" * 2000,
        b"--" + BOUNDARY + b"XX",  # neither CRLF nor -- after the delimiter
        b"--" + BOUNDARY + b"\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + BOUNDARY + b"--",  # no name
    ],
)
def test_malformed_bodies_are_refused(raw: bytes) -> None:
    parser = PartStream(BOUNDARY, lambda view: None)
    with pytest.raises(MultipartError):
        parser.feed(raw)
        parser.close()


def test_boundary_of() -> None:
    assert boundary_of('multipart/form-data; boundary="a b"') == b"a b"
    assert boundary_of("multipart/form-data; charset=x; boundary=zz") == b"zz"
    assert boundary_of("application/json") is None
    assert boundary_of("multipart/form-data") is None


# --------------------------------------------------------------------------- the sandbox in strict mode


@pytest.fixture
def strict_api(fresh_sandbox: Any) -> Iterator[httpx.Client]:
    fresh_sandbox.aioz.config.strict_parts = True
    with httpx.Client(base_url=fresh_sandbox.aioz_base_url, headers=AUTH, timeout=10) as client:
        yield client
    fresh_sandbox.reset()


@pytest.mark.parametrize("store", ["disk", "discard"])
def test_strict_mode_keeps_the_upload_rules(strict_api: httpx.Client, fresh_sandbox: Any, store: str) -> None:
    fresh_sandbox.aioz.config.store_parts = store
    api, mid = strict_api, new_media(strict_api)
    data = os.urandom(4096) + TRICKY
    a, b = data[:2048], data[2048:]
    r = upload_part(api, mid, 1, a, 0, len(data), md5="0" * 32)
    assert (r.status_code, r.json()["message"]) == (400, "File corrupted.")
    r = api.post(f"/media/{mid}/part", headers={"Content-Range": f"bytes 0-2047/{len(data)}"}, files={"file": a[:-1]},
                 data={"index": "1", "hash": hashlib.md5(a[:-1]).hexdigest()})  # fmt: skip
    assert r.json()["message"] == "Invalid content range."
    r = api.post(f"/media/{mid}/part", headers={"Content-Range": f"bytes 0-2047/{len(data)}"}, content=a)
    assert (r.status_code, r.json()["message"]) == (400, "Request Content-Type isn't multipart/form-data.")
    r = api.post(
        f"/media/{mid}/part",
        headers={"Content-Range": f"bytes 0-2047/{len(data)}", "Content-Type": "multipart/form-data; boundary=zz"},
        content=b'--zz\r\nContent-Disposition: form-data; name="file"\r\n\r\n' + a + b"\r\n--zz",
    )
    assert (r.status_code, r.json()["message"]) == (400, "Invalid multipart form.")
    assert upload_part(api, mid, 1, a, 0, len(data)).json()["message"] == "Upload part successfully."
    assert upload_part(api, mid, 1, a, 0, len(data)).json()["message"] == "Part is already uploaded."
    assert upload_part(api, mid, 2, b, 2048, len(data)).status_code == 200
    assert api.get(f"/media/{mid}/complete").json()["message"] == "Upload media complete successfully."
    if store == "disk":
        assert fresh_sandbox.assembled(mid)["sha256"] == hashlib.sha256(data).hexdigest()
    leftovers = [p.name for p in fresh_sandbox.aioz.workdir.rglob("*.part")]
    assert leftovers == []  # refused parts leave no file behind
