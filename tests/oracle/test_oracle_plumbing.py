"""The oracle's own parts: the ASGI tap copies what was sent, the session report names what is wrong."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import httpx
import pytest

from tests.oracle.capture import BODY_TAIL, FORM_HEAD, RawRequest, Recorded, RequestTap
from tests.oracle.plugin import oracle_report


async def _echo(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 201, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


@pytest.mark.anyio
async def test_the_tap_keeps_method_path_query_headers_body_status_and_test() -> None:
    sink = Recorded(current_test="tests/x.py::test_y")
    tap = RequestTap(_echo, sink=sink)
    big = b"a" * (3 * 1024 * 1024)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=tap), base_url="http://t") as http:
        await http.post("/aioz/api/media?x=1", json={"title": "t"}, headers={"stream-public-key": "pk"})
        files = {"file": ("f.bin", big)}
        await http.post("/aioz/api/media/m/part", files=files, data={"index": "1"})
        await http.get("/botflix/elsewhere")  # not under the AIOZ prefix: not copied
    first, part = sink.take()
    assert (first.method, first.path, first.query, first.status, first.test) == (
        "POST", "/media", "x=1", 201, "tests/x.py::test_y",
    )  # fmt: skip
    assert first.body == b'{"title":"t"}' and first.headers["stream-public-key"] == "pk"
    assert not first.body_unread
    assert part.truncated and len(part.body) == FORM_HEAD + BODY_TAIL and part.received > len(big)
    assert part.body.rstrip().endswith(b"--")  # the closing boundary is kept: the form still parses


def _raw(body: bytes, test: str, user_agent: str = "botflix-mcp/0.1") -> RawRequest:
    headers = {
        "stream-public-key": "pk", "stream-secret-key": "sk", "content-type": "application/json",
        "content-length": str(len(body)), "user-agent": user_agent,
    }  # fmt: skip
    return RawRequest("POST", "/playlists/3fa85f64-5717-4562-b3fc-2c963f66afa6/items", "", headers, body, test,
                      received=len(body))  # fmt: skip


def test_the_session_report_names_method_path_problem_and_test() -> None:
    sink = Recorded()
    sink.requests += [
        _raw(b'{"video_id": "x"}', "tests/a.py::test_one"),
        _raw(b'{"video_id": "x"}', "tests/a.py::test_two"),  # the same shape: reported once
        _raw(b'{"video_id": "x"}', "tests/sandbox/t.py::probe", user_agent="python-httpx/0.28"),  # not ours
        _raw(b'{"media_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}', "tests/a.py::test_fine"),
    ]
    report = oracle_report(sink)
    assert report[0].startswith("1 AIOZ request(s) the official spec refuses")
    assert len(report) == 2
    line = report[1]
    assert "POST /playlists/3fa85f64-5717-4562-b3fc-2c963f66afa6/items [/playlists/{id}/items]" in line
    assert "video_id: field not in the spec's AddMediaToPlaylistRequest" in line
    assert line.endswith("(test: tests/a.py::test_one)")
    assert oracle_report(sink) == []  # taken
