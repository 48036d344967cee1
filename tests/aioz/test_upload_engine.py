"""The upload engine's plain parts: plan, re-split, multipart body, journal, rounds (no network; issue 4 §2-4).

The sender is replaced by an in-test function that plays the host's part semantics (the HTTP sender is exercised
against the sandbox in test_upload.py).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import threading
from pathlib import Path

import anyio
import pytest

from botflix_mcp.aioz.upload import (
    MIB,
    MIN_PART_SIZE,
    Journal,
    NoIndexRoom,
    Part,
    PartOutcome,
    Progress,
    UploadEngine,
    UploadState,
    file_identity,
    journal_key,
    part_body,
    plan_chunks,
    resplit,
    smaller_part_size,
)
from botflix_mcp.http_file import ASYNC_BLOCK, THREAD_BLOCK

# --------------------------------------------------------------------------- plan


def test_plan_is_one_based_with_inclusive_ranges() -> None:
    parts = plan_chunks(104_857_600 + 10, 52_428_800)
    assert [p.index for p in parts] == [1, 2, 3]
    assert parts[0].content_range(104_857_610) == "bytes 0-52428799/104857610"
    assert parts[1].content_range(104_857_610) == "bytes 52428800-104857599/104857610"
    assert parts[2].content_range(104_857_610) == "bytes 104857600-104857609/104857610"
    assert sum(p.size for p in parts) == 104_857_610


def test_plan_exact_multiple_and_single_part() -> None:
    assert [(p.start, p.size) for p in plan_chunks(10, 5)] == [(0, 5), (5, 5)]
    assert plan_chunks(3, 50) == [Part(1, 0, 3)]
    with pytest.raises(ValueError):
        plan_chunks(0, 5)


def test_smaller_part_size_halves_mib_aligned_down_to_5_mib() -> None:
    assert smaller_part_size(50 * MIB) == 25 * MIB
    assert smaller_part_size(25 * MIB) == 12 * MIB
    assert smaller_part_size(12 * MIB) == 6 * MIB
    assert smaller_part_size(6 * MIB) == 5 * MIB
    assert smaller_part_size(5 * MIB) is None


# --------------------------------------------------------------------------- re-split


def _bytes_in_order(parts: list[Part]) -> bool:
    ordered = sorted(parts, key=lambda p: p.index)
    return all(a.end + 1 == b.start for a, b in itertools.pairwise(ordered)) and ordered[0].start == 0


def test_resplit_tail_hole_keeps_consecutive_numbering() -> None:
    parts = plan_chunks(100 * MIB, 20 * MIB)  # 1..5
    out = resplit(parts, keep={1, 2}, new_size=10 * MIB)
    assert [p.index for p in out] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert out[:2] == parts[:2]
    assert _bytes_in_order(out)


def test_resplit_middle_hole_uses_indexes_between_neighbours() -> None:
    parts = [Part(1, 0, 10), Part(5, 10, 10), Part(9, 20, 10)]  # gaps, e.g. from an earlier re-split
    out = resplit(parts, keep={1, 9}, new_size=4)
    assert [(p.index, p.start, p.size) for p in out] == [(1, 0, 10), (2, 10, 4), (3, 14, 4), (4, 18, 2), (9, 20, 10)]
    assert _bytes_in_order(out)


def test_resplit_without_room_refuses_instead_of_breaking_byte_order() -> None:
    parts = plan_chunks(30, 10)  # 1, 2, 3; 2 refused as too large but 3 stored
    with pytest.raises(NoIndexRoom) as err:
        resplit(parts, keep={1, 3}, new_size=5)
    assert err.value.first.index == 2


# --------------------------------------------------------------------------- the multipart body


def _parse_multipart(body: bytes, content_type: str) -> dict[str, bytes]:
    boundary = content_type.split("boundary=")[1].encode()
    fields: dict[str, bytes] = {}
    for chunk in body.split(b"--" + boundary)[1:-1]:
        head, _, value = chunk.partition(b"\r\n\r\n")
        name = re.search(rb'name="(\w+)"', head)
        assert name is not None
        fields[name.group(1).decode()] = value[:-2]
    assert body.endswith(b"--" + boundary + b"--\r\n")
    return fields


@pytest.mark.anyio
async def test_part_body_streams_exact_multipart_with_md5(tmp_path: Path) -> None:
    data = os.urandom(3 * MIB + 17)
    path = tmp_path / "v.bin"
    path.write_bytes(data)
    part = Part(2, MIB + 5, 2 * MIB + 3)
    body = part_body(path, part)
    pieces = [piece async for piece in body]
    raw = b"".join(pieces)
    assert len(raw) == body.length  # Content-Length is known before a byte is read
    assert max(len(p) for p in pieces) <= ASYNC_BLOCK + 200  # never more than one block (plus the trailer) at once
    fields = _parse_multipart(raw, body.content_type)
    expected = data[part.start : part.end + 1]
    assert fields["file"] == expected
    assert fields["index"] == b"2"
    assert fields["hash"].decode() == hashlib.md5(expected).hexdigest() == body.md5
    assert list(fields) == ["file", "index", "hash"]

    threaded = part_body(path, part)
    sent: list[bytes] = []
    await anyio.to_thread.run_sync(lambda: threaded.write_to(lambda b: sent.append(bytes(b)), threading.Event()))
    assert max(len(p) for p in sent) <= THREAD_BLOCK + 200
    assert len(b"".join(sent)) == threaded.length and threaded.md5 == body.md5
    assert _parse_multipart(b"".join(sent), threaded.content_type) == fields  # the same part from one thread


# --------------------------------------------------------------------------- journal


def test_journal_round_trip_and_atomic_write(tmp_path: Path) -> None:
    parts = plan_chunks(100 * MIB + 1, 10 * MIB)
    state = UploadState("m-1", "Title", "video", 100 * MIB + 1, parts, acked={1, 2, 3, 5}, unsure={4})
    journal = Journal(tmp_path / "uploads" / "k.json", {"source": "/x"})
    journal.save(state)
    raw = json.loads(journal.path.read_text())
    assert raw["acked"] == [[1, 3], [5, 5]] and raw["unsure"] == [[4, 4]]
    assert raw["plan"] == [[1, 0, 10 * MIB, 10], [11, 100 * MIB, 1, 1]]  # runs keep the journal small
    loaded = Journal.load(journal.path)
    assert loaded is not None
    _, again = loaded
    assert again.parts == parts and again.acked == {1, 2, 3, 5} and again.unsure == {4}
    assert not [p for p in journal.path.parent.iterdir() if p.suffix == ".tmp"]  # no temp file left behind
    journal.path.write_text("{torn")
    assert Journal.load(journal.path) is None  # unreadable: ignored, never trusted


def test_journal_key_depends_on_file_identity_credentials_and_host(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"x" * 1000)
    ident = file_identity(path)
    key = journal_key("https://h/api", "fp1", ident)
    assert key == journal_key("https://h/api/", "fp1", file_identity(path))
    assert key != journal_key("https://h/api", "fp2", ident)
    assert key != journal_key("https://other/api", "fp1", ident)
    path.write_bytes(b"y" * 1000)  # same size, different bytes
    os.utime(path, ns=(ident.mtime_ns, ident.mtime_ns))  # even with the same mtime
    assert journal_key("https://h/api", "fp1", file_identity(path)) != key


# --------------------------------------------------------------------------- rounds (fake host)


class FakeHost:
    """The host's part semantics: body limit, stored parts by index, "already uploaded" on a repeat."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self.stored: dict[int, Part] = {}
        self.sent: list[int] = []
        self.fail: dict[int, int] = {}  # index -> remaining 5xx-like hard failures
        self.gate: anyio.Event | None = None

    async def send(self, part: Part) -> PartOutcome:
        self.sent.append(part.index)
        await anyio.sleep(0.001 * (part.index % 3))  # out-of-order completion
        if self.gate is not None:
            await self.gate.wait()
        if self.limit is not None and part.size > self.limit:
            return PartOutcome("too_large", "Request Entity Too Large", 413, stored=False)
        if self.fail.get(part.index):
            self.fail[part.index] -= 1
            return PartOutcome("failed", "HTTP 500: boom", 500, stored=None)
        if part.index in self.stored:
            assert self.stored[part.index] == part
            return PartOutcome("already", "Part is already uploaded.", 400)
        self.stored[part.index] = part
        return PartOutcome("ok", "stored", 200)

    def joined_in_order(self, total: int) -> bool:
        parts = [self.stored[i] for i in sorted(self.stored)]
        return sum(p.size for p in parts) == total and _bytes_in_order(parts)


def _state(total: int, chunk: int) -> UploadState:
    return UploadState("m", "T", "video", total, plan_chunks(total, chunk))


@pytest.mark.anyio
async def test_413_resplits_remaining_bytes_and_keeps_byte_order() -> None:
    total = 95 * MIB + 7
    host = FakeHost(limit=13 * MIB)
    state = _state(total, 50 * MIB)
    engine = UploadEngine(state, host.send, parallel=3)
    result = await engine.run()
    assert result.ok, result
    assert engine.learned_size == 12 * MIB  # 50 -> 25 -> 12
    assert host.joined_in_order(total)
    assert sorted(host.stored) == list(range(1, len(host.stored) + 1))  # still 1..N on the wire
    assert 2 not in host.sent[:2]  # the short tail never went before a full part was accepted


@pytest.mark.anyio
async def test_413_at_the_minimum_size_fails_without_complete() -> None:
    host = FakeHost(limit=MIN_PART_SIZE - 1)
    state = _state(20 * MIB, 10 * MIB)
    result = await UploadEngine(state, host.send, parallel=2).run()
    assert not result.ok and "413" in (result.error or "")
    assert any(r.state == "failed" for r in state.rows())


@pytest.mark.anyio
async def test_a_part_failing_for_good_stops_and_shows_failed_row() -> None:
    host = FakeHost()
    host.fail[2] = 1
    state = _state(50 * MIB, 10 * MIB)
    result = await UploadEngine(state, host.send, parallel=1).run()
    assert not result.ok and "part 2" in (result.error or "")
    rows = state.rows()
    assert rows[1].state == "failed"
    assert rows[0].state == "done"
    assert 5 not in host.sent  # nothing more is dispatched after a hard failure (parallel=1)
    assert 2 in state.unsure  # a 5xx may have stored it: never re-planned, re-sent first next time


@pytest.mark.anyio
async def test_unsure_parts_are_resent_first_and_already_uploaded_counts() -> None:
    host = FakeHost()
    state = _state(50 * MIB, 10 * MIB)
    host.stored.update({1: state.parts[0], 2: state.parts[1]})
    host.stored[4] = state.parts[3]  # stored by a run that was killed before the answer arrived
    state.acked = {1, 2}
    state.unsure = {4}
    result = await UploadEngine(state, host.send, parallel=1).run()
    assert result.ok
    assert host.sent[0] == 4  # resolved first, answered "already uploaded"
    assert sorted(host.sent) == [3, 4, 5]
    assert host.joined_in_order(50 * MIB)


@pytest.mark.anyio
async def test_progress_listener_sees_strictly_increasing_counts() -> None:
    host = FakeHost()
    seen: list[int] = []
    live: list[tuple[int, str]] = []

    async def listener(progress: Progress) -> None:
        if progress.kind == "stored":
            seen.append(progress.done)
        else:
            live.append((progress.done, progress.block))
        await anyio.sleep(0.002)

    state = _state(80 * MIB, 5 * MIB)
    assert (await UploadEngine(state, host.send, parallel=4, on_progress=listener).run()).ok
    assert seen == list(range(1, 17))  # one notification per acknowledged part, in order
    # live snapshots as parts are sent (issue 10 §5): the first shows a part in flight before any is stored
    assert live and live[0][0] == 0 and "| ⏳ Uploading |" in live[0][1]
    assert [d for d, _ in live] == sorted(d for d, _ in live)  # never a count going down


@pytest.mark.anyio
async def test_cancel_mid_round_leaves_a_consistent_journal(tmp_path: Path) -> None:
    host = FakeHost()
    state = _state(60 * MIB, 10 * MIB)
    journal = Journal(tmp_path / "j.json", {})
    engine = UploadEngine(state, host.send, parallel=2, journal=journal)
    gate = anyio.Event()

    async def send(part: Part) -> PartOutcome:
        if part.index >= 3:
            await gate.wait()  # parts 3 and 4 hang in flight
        return await host.send(part)

    engine.send = send
    with anyio.move_on_after(0.3):
        await engine.run()
    loaded = Journal.load(journal.path)
    assert loaded is not None
    _, saved = loaded
    assert saved.acked == {1, 2}
    assert saved.unsure == {3, 4}  # exactly the parts in flight at the cancel
