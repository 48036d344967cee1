"""Background upload jobs (issue 4 §6): start/wait/status/cancel, per-session isolation, and through MCP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from botflix_mcp.aioz.jobs import JobOutcome, JobRegistry
from botflix_mcp.aioz.upload import Progress, ProgressListener
from botflix_mcp.errors import UserInputError
from tests.helpers import structured, text_of


def _progress(done: int, total: int = 4) -> Progress:
    return Progress(done, total, f"{done} of {total}", f"block {done}")


@pytest.mark.anyio
async def test_jobs_are_private_to_their_session() -> None:
    registry = JobRegistry()
    release = anyio.Event()

    async def work(listener: ProgressListener) -> JobOutcome:
        await release.wait()
        return JobOutcome(True, "done text", {"ok": True})

    mine = registry.start("sid:a", kind="upload", title="A", work=work)
    anonymous = registry.start(None, kind="upload", title="N", work=work)
    assert [j.id for j in registry.list("sid:a")] == [mine.id]
    assert registry.list("sid:b") == [] and registry.list(None) == []  # no identity: never listed
    with pytest.raises(UserInputError):
        registry.get("sid:b", mine.id)  # another session's job looks absent
    with pytest.raises(UserInputError):
        await registry.cancel("sid:b", mine.id)
    assert mine.state == "running"
    assert registry.get("sid:b", anonymous.id) is anonymous  # only the 128-bit id is the handle
    release.set()
    assert await registry.wait(mine, 5)
    assert mine.state == "done" and mine.text() == "done text"
    await registry.aclose()


@pytest.mark.anyio
async def test_wait_forwards_progress_and_cancel_stops_cleanly() -> None:
    registry = JobRegistry()
    cleaned = anyio.Event()

    async def work(listener: ProgressListener) -> JobOutcome:
        try:
            for n in range(1, 1000):
                await listener(_progress(n))
                await anyio.sleep(0.01)
        finally:
            cleaned.set()
        raise AssertionError("not reached")

    job = registry.start("process", kind="upload", title="T", work=work)
    seen: list[int] = []

    async def listener(progress: Progress) -> None:
        seen.append(progress.done)

    assert not await registry.wait(job, 0.1, listener)
    assert seen and seen == sorted(seen)
    assert job.block is not None and job.block.startswith("block ")
    count = len(seen)
    await anyio.sleep(0.05)
    assert len(seen) == count  # the listener is detached when the wait ends
    await registry.cancel("process", job.id)
    assert job.state == "cancelled" and cleaned.is_set()
    assert "was cancelled" in job.text() and job.text().startswith("block ")


@pytest.mark.anyio
async def test_failed_work_and_shutdown() -> None:
    registry = JobRegistry()

    async def boom(listener: ProgressListener) -> JobOutcome:
        raise UserInputError("bad file")

    async def forever(listener: ProgressListener) -> JobOutcome:
        await anyio.sleep_forever()
        raise AssertionError

    failed = registry.start("p", kind="upload", title="x", work=boom)
    await registry.wait(failed, 5)
    assert failed.state == "failed" and "bad file" in (failed.error or "")
    running = registry.start("p", kind="upload", title="y", work=forever)
    await anyio.sleep(0.01)
    await registry.aclose()
    assert running.state == "cancelled"


# --------------------------------------------------------------------------- through MCP, against the sandbox


def _file(tmp_path: Path, size: int) -> Path:
    from tests.aioz.test_upload import write_file

    path = tmp_path / "clip.mp4"
    write_file(path, size)
    return path


@pytest.mark.anyio
async def test_background_upload_job_status_and_final_result(server: Any, tmp_path: Path, mode: str) -> None:
    source = _file(tmp_path, 17 * 1024 * 1024 + 5)  # 4 parts of 5 MiB (test settings)
    async with Client(server, mode=mode) as client:
        started = await client.call_tool("aioz_upload_media", {"source": str(source), "wait_seconds": 0})
        assert not started.is_error, text_of(started)
        job = structured(started)["data"]
        assert job["state"] in {"running", "done"}
        assert f"job `{job['job_id']}`" in text_of(started) or job["state"] == "done"
        listed = await client.call_tool("aioz_upload_job", {"action": "list"})
        assert job["job_id"] in text_of(listed)
        seen: list[float] = []

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            seen.append(progress)

        final = await client.call_tool(
            "aioz_upload_job",
            {"action": "status", "job_id": job["job_id"], "wait_seconds": 60},
            progress_callback=on_progress,
        )
    assert not final.is_error, text_of(final)
    data = structured(final)["data"]
    assert data["state"] == "done" and data["result"]["ok"] is True
    text = text_of(final)
    assert "██████████ 100% (4 of 4 chunks)" in text
    assert "## 🎉 Upload Complete!" in text and f"| **Media ID** | {data['result']['media_id']} |" in text


@pytest.mark.anyio
async def test_job_status_shows_the_live_block_while_parts_are_in_flight(
    server: Any, fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    """Issue 10 §5: while three parts are in flight, status showed "starting" and no ⏳ rows."""
    from tests.aioz.test_upload import slow_parts

    source = _file(tmp_path, 17 * 1024 * 1024 + 5)  # 4 parts; 3 in flight at a time
    slow_parts(fresh_sandbox, 1.0)
    live = ""
    async with Client(server, mode=mode) as client:
        started = await client.call_tool("aioz_upload_media", {"source": str(source), "wait_seconds": 0})
        job_id = structured(started)["data"]["job_id"]
        for _ in range(100):
            status = await client.call_tool("aioz_upload_job", {"action": "status", "job_id": job_id})
            if structured(status)["data"]["done"] == 0 and text_of(status).count("| ⏳ Uploading |") == 3:
                live = text_of(status)
                break
            await anyio.sleep(0.01)
        await client.call_tool("aioz_upload_job", {"action": "cancel", "job_id": job_id})
    assert live, "no status showed the parts in flight before the first was stored"
    assert "is starting" not in live and "Progress: ░░░░░░░░░░ 0% (0 of 4 chunks)" in live
    assert "| 3 | 2 MB | ⏳ Pending | ⏳ Waiting |" in live  # the tail waits for a stored part


@pytest.mark.anyio
async def test_cancel_tool_stops_the_job_and_a_rerun_resumes(server: Any, fresh_sandbox: Any, tmp_path: Path) -> None:
    from tests.aioz.test_upload import part_requests, slow_parts

    source = _file(tmp_path, 40 * 1024 * 1024)  # 8 parts, 3 in flight, 0.4 s each: about 1.2 s in all
    slow_parts(fresh_sandbox, 0.4)
    async with Client(server) as client:
        started = await client.call_tool("aioz_upload_media", {"source": str(source), "wait_seconds": 0})
        job_id = structured(started)["data"]["job_id"]
        for _ in range(1000):  # cancel once the job has a stored part (the others are in flight or queued)
            status = await client.call_tool("aioz_upload_job", {"action": "status", "job_id": job_id})
            if structured(status)["data"]["done"] >= 1:
                break
            await anyio.sleep(0.02)
        cancelled = await client.call_tool("aioz_upload_job", {"action": "cancel", "job_id": job_id})
        assert structured(cancelled)["data"]["state"] == "cancelled"
        assert "was cancelled" in text_of(cancelled)
        # The host logs a part when it has answered it: parts in flight at the cancel (0.4 s each) are logged
        # after it. Wait until the log is still for longer than one part takes, so `second` is the rerun's alone.
        first = part_requests(fresh_sandbox)
        for _ in range(50):
            await anyio.sleep(0.6)
            if len(now := part_requests(fresh_sandbox)) == len(first):
                break
            first = now
        slow_parts(fresh_sandbox, 0.0)
        again = await client.call_tool("aioz_upload_media", {"source": str(source)})
        assert not again.is_error, text_of(again)
        assert structured(again)["data"]["resumed_parts"] >= 1
    second = part_requests(fresh_sandbox)[len(first) :]
    acked_before = structured(again)["data"]["resumed_parts"]
    assert 1 <= acked_before < 8
    assert len(second) <= 8 - acked_before + 3  # at most the parts in flight at the cancel are sent twice


# --------------------------------------------------------------------------- two MCP sessions over real HTTP


@pytest.fixture
def http_server(fresh_sandbox: Any, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    from tests.aioz.test_webhook_receiver import serving_http

    with serving_http(fresh_sandbox, tmp_path) as served:
        yield served


@pytest.mark.anyio
async def test_one_http_session_never_sees_another_sessions_jobs(http_server: Any, tmp_path: Path) -> None:
    _, settings = http_server
    url = f"http://127.0.0.1:{settings.port}/mcp"
    source = _file(tmp_path, 6 * 1024 * 1024)
    async with Client(url, mode="legacy") as alice, Client(url, mode="legacy") as bob:
        started = await alice.call_tool("aioz_upload_media", {"source": str(source), "wait_seconds": 0})
        assert not started.is_error, text_of(started)
        job_id = structured(started)["data"]["job_id"]
        assert job_id in text_of(await alice.call_tool("aioz_upload_job", {"action": "list"}))
        assert job_id not in text_of(await bob.call_tool("aioz_upload_job", {"action": "list"}))
        peek = await bob.call_tool("aioz_upload_job", {"action": "status", "job_id": job_id})
        assert peek.is_error and "No upload job" in text_of(peek)
        stop = await bob.call_tool("aioz_upload_job", {"action": "cancel", "job_id": job_id})
        assert stop.is_error
        done = await alice.call_tool("aioz_upload_job", {"action": "status", "job_id": job_id, "wait_seconds": 30})
        assert structured(done)["data"]["state"] == "done", text_of(done)
