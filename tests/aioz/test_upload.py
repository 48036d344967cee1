"""aioz_upload_media through a real MCP client against the sandbox (issue 4 §1-5 and its acceptance).

What the wire must show (sandbox request log): 1-based part indexes, inclusive Content-Range, "already uploaded"
taken as success, `/complete` exactly once and only after every part, and the assembled bytes equal to the source.
"""

from __future__ import annotations

import hashlib
import http.server
import itertools
import json
import os
import signal
import struct
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from botflix_mcp.aioz.upload import MIB, Journal
from botflix_mcp.sandbox import FaultConfig, FaultRule
from botflix_mcp.templates import ChunkRow, render_upload_complete, render_upload_progress
from tests.helpers import make_app, sandbox_settings, structured, text_of

PART = r"POST .*/part$"


# --------------------------------------------------------------------------- helpers (also used by test_jobs)


#: A real (small) MP4: uploads are probed before anything is created (issue 9 f), so test files start with it.
REAL_MP4 = Path(__file__).resolve().parents[2] / "botflix_mcp" / "demo_assets" / "episode.mp4"


def write_file(path: Path, size: int, seed: int = 0) -> str:
    """A valid MP4 of exactly `size` bytes, written fast: the demo's 64 s MP4, then a `free` box (players and
    probers skip it) holding random 4 MiB blocks, varied per block. Returns its SHA-256."""
    head = REAL_MP4.read_bytes()
    pad = size - len(head) - 8
    if pad < 0:
        raise ValueError(f"a test media file is at least {len(head) + 8} bytes")
    block = os.urandom(4 * MIB)
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for piece in (head, struct.pack(">I", pad + 8) + b"free"):
            out.write(piece)
            digest.update(piece)
        left, n = pad, 0
        while left:
            piece = (bytes([n % 256, seed % 256]) + block[2:])[: min(left, len(block))]
            out.write(piece)
            digest.update(piece)
            left -= len(piece)
            n += 1
    return digest.hexdigest()


def part_requests(sandbox: Any) -> list[dict[str, Any]]:
    return [e for e in sandbox.requests() if e["method"] == "POST" and e["path"].endswith("/part")]


def complete_requests(sandbox: Any) -> list[dict[str, Any]]:
    return [e for e in sandbox.requests() if e["path"].endswith("/complete")]


def slow_parts(sandbox: Any, seconds: float) -> None:
    sandbox.set_faults(FaultConfig(rules=[FaultRule(pattern=PART, rate=0.0, latency=seconds)]))


def faults(sandbox: Any, rate: float, *kinds: str, seed: int = 7) -> None:
    sandbox.set_faults(FaultConfig(rules=[FaultRule(pattern=PART, rate=rate, kinds=kinds)], seed=seed))  # type: ignore[arg-type]


def assert_complete_after_all_parts(sandbox: Any) -> None:
    """/complete once, and no part request after it (the sandbox refuses parts then, but never let it come to that)."""
    log = sandbox.requests()
    completes = [i for i, e in enumerate(log) if e["path"].endswith("/complete")]
    assert len(completes) == 1, completes
    assert not [e for e in log[completes[0] :] if e["path"].endswith("/part")]


def expected_final_text(media_id: str, title: str, sizes: list[int], uploaded_at: str) -> str:
    rows = [ChunkRow(n, size, "done", True) for n, size in enumerate(sizes)]
    moment = datetime.fromisoformat(uploaded_at)
    return f"{render_upload_progress(title, rows)}\n\n{render_upload_complete(media_id, title, 'video', moment)}"


# --------------------------------------------------------------------------- the main path


@pytest.mark.anyio
async def test_upload_reports_progress_and_ends_with_the_exact_templates(
    server: Any, fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    source = tmp_path / "clip.mp4"
    sha = write_file(source, 17 * MIB + 5)  # 5 MiB parts (test settings): 5, 5, 5, 2 MiB
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    async with Client(server, mode=mode) as client:
        result = await client.call_tool(
            "aioz_upload_media", {"source": str(source), "title": "My clip"}, progress_callback=on_progress
        )
        await anyio.sleep(0.05)  # notifications may trail the result on real streams
    assert not result.is_error, text_of(result)
    data = structured(result)["data"]
    media_id = data["media_id"]
    # one notification after every successful chunk, increasing, with a one-line message
    assert [p for p, _, _ in seen] == [1, 2, 3, 4]
    assert {t for _, t, _ in seen} == {4}
    assert all(m and "\n" not in m and "My clip" in m for _, _, m in seen)
    assert seen[-1][2] == "Uploading My clip: 4 of 4 chunks (100%)"
    # the final result: the last progress block, then the "Upload Complete!" template, byte for byte
    expected = expected_final_text(media_id, "My clip", [5 * MIB, 5 * MIB, 5 * MIB, 2 * MIB + 5], data["uploaded_at"])
    assert text_of(result) == expected
    assert "summary" not in structured(result)  # the text block only (issue 10 §2)
    # the wire: 1-based indexes, inclusive ranges, /complete once after every part, whole bytes
    parts = part_requests(fresh_sandbox)
    assert sorted((e["index"], e["content_range"]) for e in parts) == [
        (1, "0-5242879/17825797"),
        (2, "5242880-10485759/17825797"),
        (3, "10485760-15728639/17825797"),
        (4, "15728640-17825796/17825797"),
    ]
    assert all(e["status"] == 200 for e in parts)
    assert_complete_after_all_parts(fresh_sandbox)
    assert fresh_sandbox.assembled(media_id)["sha256"] == sha
    assert not [p for p in (tmp_path / "cache" / "uploads").glob("*.json") if len(p.stem) == 32]  # deleted


@pytest.mark.anyio
async def test_source_forms_and_bad_sources(server: Any, fresh_sandbox: Any, tmp_path: Path) -> None:
    source = tmp_path / "my clip.mp4"
    write_file(source, 400_000)
    async with Client(server) as client:
        via_uri = await client.call_tool("aioz_upload_media", {"source": source.as_uri()})
        assert not via_uri.is_error, text_of(via_uri)
        assert structured(via_uri)["data"]["title"] == "my clip"
        windows = await client.call_tool("aioz_upload_media", {"source": r"C:\Users\x\v.mp4"})
        assert windows.is_error and "Windows path" in text_of(windows) and "this machine" in text_of(windows)
        missing = await client.call_tool("aioz_upload_media", {"source": str(tmp_path / "nope.mp4")})
        assert missing.is_error and "No such file" in text_of(missing)
        empty = tmp_path / "empty.mp4"
        empty.write_bytes(b"")
        nothing = await client.call_tool("aioz_upload_media", {"source": str(empty)})
        assert nothing.is_error and "empty" in text_of(nothing)
        bad_quality = await client.call_tool("aioz_upload_media", {"source": str(source), "qualities": ["999p"]})
        assert bad_quality.is_error and "999p" in text_of(bad_quality)
    creates = [e for e in fresh_sandbox.requests() if e["path"].endswith("/media/create")]
    assert len(creates) == 1  # bad input changed nothing


@pytest.mark.anyio
async def test_http_url_source_is_streamed_to_a_file_first(server: Any, fresh_sandbox: Any, tmp_path: Path) -> None:
    folder = tmp_path / "www"
    folder.mkdir()
    sha = write_file(folder / "remote.mp4", 7 * MIB + 1)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/remote.mp4"
        async with Client(server) as client:
            result = await client.call_tool("aioz_upload_media", {"source": url})
    finally:
        httpd.shutdown()
    assert not result.is_error, text_of(result)
    data = structured(result)["data"]
    assert data["title"] == "remote" and data["parts"] == 2
    assert fresh_sandbox.assembled(data["media_id"])["sha256"] == sha
    assert not list((tmp_path / "cache" / "downloads").iterdir())  # the temporary copy is gone


# --------------------------------------------------------------------------- reliability


@pytest.mark.anyio
async def test_ack_lost_parts_answer_already_uploaded_and_count_as_success(
    server: Any, fresh_sandbox: Any, tmp_path: Path
) -> None:
    source = tmp_path / "a.mp4"
    sha = write_file(source, 30 * MIB)
    faults(fresh_sandbox, 0.5, "ack_lost", seed=3)
    async with Client(server) as client:
        result = await client.call_tool("aioz_upload_media", {"source": str(source)})
    assert not result.is_error, text_of(result)
    statuses = Counter(e["status"] for e in part_requests(fresh_sandbox))
    assert statuses[400] >= 1  # "Part is already uploaded." on the retry of a stored part
    assert fresh_sandbox.assembled(structured(result)["data"]["media_id"])["sha256"] == sha
    assert_complete_after_all_parts(fresh_sandbox)


@pytest.mark.anyio
async def test_a_part_failing_for_good_is_marked_and_complete_is_never_called(
    server: Any, fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    source = tmp_path / "b.mp4"
    write_file(source, 12 * MIB)
    faults(fresh_sandbox, 1.0, "500")
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("aioz_upload_media", {"source": str(source)})
    assert result.is_error
    text = text_of(result)
    assert "| ❌ Failed |" in text and "`/complete` was NOT called" in text
    assert "Progress: ░░░░░░░░░░ 0% (0 of 3 chunks)" in text
    assert complete_requests(fresh_sandbox) == []
    attempts = Counter(e.get("index") for e in part_requests(fresh_sandbox))
    assert attempts  # each part tried several times (retries with backoff), then given up


@pytest.fixture
def small_body_limit(fresh_sandbox: Any) -> Iterator[Any]:
    previous = fresh_sandbox.aioz.config.body_limit
    fresh_sandbox.aioz.config.body_limit = 8 * MIB  # a smaller body limit than the parts
    try:
        yield fresh_sandbox
    finally:
        fresh_sandbox.aioz.config.body_limit = previous


@pytest.mark.anyio
async def test_413_resplits_the_remaining_bytes_and_remembers_the_size(
    server: Any, small_body_limit: Any, tmp_path: Path
) -> None:
    fresh_sandbox = small_body_limit
    source = tmp_path / "c.mp4"
    sha = write_file(source, 31 * MIB + 3)
    async with Client(server) as client:
        result = await client.call_tool("aioz_upload_media", {"source": str(source), "chunk_mb": 20})
        assert not result.is_error, text_of(result)
        data = structured(result)["data"]
        assert data["part_size"] == 5 * MIB  # 20 -> 10 -> 5 MiB
        log = part_requests(fresh_sandbox)
        assert {e["status"] for e in log} == {200, 413}
        stored = sorted((e["index"], e["content_range"]) for e in log if e["status"] == 200)
        assert [i for i, _ in stored] == [1, 2, 3, 4, 5, 6, 7]  # still 1..N, in byte order
        starts = [int(r.split("-")[0]) for _, r in stored]
        assert starts == sorted(starts) and starts[0] == 0
        assert fresh_sandbox.assembled(data["media_id"])["sha256"] == sha
        assert "| 6 | 1 MB | ✅ Valid | ✅ Done |" in text_of(result)
        before = len(log)
        second = await client.call_tool("aioz_upload_media", {"source": str(source), "title": "again"})
        assert not second.is_error
    later = part_requests(fresh_sandbox)[before:]
    assert {e["status"] for e in later} == {200}  # the learned size is used at once: no 413 wave


@pytest.mark.anyio
async def test_50_mib_parts_meet_the_hosts_50m_body_limit_and_go_on_at_25_mib(
    server: Any, fresh_sandbox: Any, tmp_path: Path
) -> None:
    """The default part size (50 MiB, the skill's and the SDKs') plus the multipart envelope is over AIOZ's "50M"
    body limit (docs/aioz-api.md §limits): the host's early 413 must reach the engine as a 413, not a broken pipe."""
    source = tmp_path / "g.mp4"
    sha = write_file(source, 60 * MIB)
    async with Client(server) as client:
        result = await client.call_tool("aioz_upload_media", {"source": str(source), "chunk_mb": 50})
    assert not result.is_error, text_of(result)
    data = structured(result)["data"]
    assert data["part_size"] == 25 * MIB and data["parts"] == 3
    log = part_requests(fresh_sandbox)
    assert log[0]["status"] == 413 and sorted(e["index"] for e in log if e["status"] == 200) == [1, 2, 3]
    assert fresh_sandbox.assembled(data["media_id"])["sha256"] == sha


@pytest.mark.anyio
async def test_cancelled_upload_resumes_without_resending_stored_parts(
    server: Any, fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    source = tmp_path / "d.mp4"
    sha = write_file(source, 40 * MIB)  # 8 parts
    slow_parts(fresh_sandbox, 0.15)
    async with Client(server, mode=mode) as client:
        with anyio.CancelScope() as scope:

            async def on_progress(progress: float, total: float | None, message: str | None) -> None:
                if progress >= 3:
                    scope.cancel()

            await client.call_tool("aioz_upload_media", {"source": str(source)}, progress_callback=on_progress)
        assert scope.cancelled_caught
        await anyio.sleep(0.5)  # the server side winds down
        journals = [p for p in (tmp_path / "cache" / "uploads").glob("*.json") if len(p.stem) == 32]
        assert len(journals) == 1
        loaded = Journal.load(journals[0])
        assert loaded is not None
        _, saved = loaded
        assert len(saved.acked) >= 3
        first_run = part_requests(fresh_sandbox)
        slow_parts(fresh_sandbox, 0.0)
        result = await client.call_tool("aioz_upload_media", {"source": str(source)})
    assert not result.is_error, text_of(result)
    data = structured(result)["data"]
    assert data["resumed_parts"] == len(saved.acked)
    second_run = part_requests(fresh_sandbox)[len(first_run) :]
    acked_first = {e["index"] for e in first_run if e["status"] == 200}
    resent = [e["index"] for e in second_run if e["index"] in acked_first]
    assert len(resent) <= 3, resent  # at most the parts that were in flight (upload_parallel = 3)
    assert len(creates := [e for e in fresh_sandbox.requests() if e["path"].endswith("/create")]) == 1, creates
    assert fresh_sandbox.assembled(data["media_id"])["sha256"] == sha


# --------------------------------------------------------------------------- acceptance


@pytest.mark.slow
@pytest.mark.anyio
async def test_acceptance_1_gib_with_20_percent_failing_part_requests(
    server: Any, fresh_sandbox: Any, tmp_path: Path
) -> None:
    """Issue 4 acceptance: 1 GiB, 20% of part requests fail (500, 429, dropped connection, ack lost)."""
    source = tmp_path / "big.mp4"
    sha = write_file(source, 1024 * MIB)
    faults(fresh_sandbox, 0.2, "500", "429", "drop", "ack_lost", seed=11)
    started = time.perf_counter()
    async with Client(server) as client:
        result = await client.call_tool("aioz_upload_media", {"source": str(source), "chunk_mb": 8})
    elapsed = time.perf_counter() - started
    assert not result.is_error, text_of(result)[-2000:]
    data = structured(result)["data"]
    injected = fresh_sandbox.aioz.config.faults.injected
    requests = part_requests(fresh_sandbox)
    assert {"500", "429", "drop"} <= set(injected), injected
    assert sum(injected.values()) >= 0.15 * len(requests)  # about one part request in five failed
    assert data["parts"] == 128 and "(128 of 128 chunks)" in text_of(result)
    assert fresh_sandbox.assembled(data["media_id"])["sha256"] == sha
    assert_complete_after_all_parts(fresh_sandbox)
    print(f"1 GiB with {sum(injected.values())} injected faults in {elapsed:.1f}s: {injected}")


KILLED_CHILD = """
import sys, anyio
from pathlib import Path
from mcp import Client
from botflix_mcp.server import build_server
from tests.helpers import make_app, sandbox_settings

class SB:
    aioz_base_url = sys.argv[1]
    botflix_base_url = sys.argv[1]

settings = sandbox_settings(SB(), Path(sys.argv[2]))
async def main():
    async with Client(build_server(settings, app=make_app(settings))) as client:
        await client.call_tool("aioz_upload_media", {"source": sys.argv[3]})
anyio.run(main)
"""


def _kill_child_mid_upload(sandbox: Any, tmp_path: Path, source: Path, after_parts: int) -> None:
    """Run the server in a subprocess uploading `source`; SIGKILL it once `after_parts` parts are stored."""
    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_CHILD, sandbox.aioz_base_url, str(tmp_path), str(source)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if sum(1 for e in part_requests(sandbox) if e["status"] == 200) >= after_parts:
                break
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=10)


@pytest.mark.slow
@pytest.mark.anyio
async def test_server_killed_mid_upload_then_rerun_resends_at_most_the_in_flight_parts(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    """Issue 4 acceptance: SIGKILL the server mid-upload; the same upload again re-sends only in-flight parts."""
    source = tmp_path / "e.mp4"
    sha = write_file(source, 60 * MIB)  # 12 parts of 5 MiB
    slow_parts(fresh_sandbox, 0.2)
    _kill_child_mid_upload(fresh_sandbox, tmp_path, source, after_parts=4)
    first_run = part_requests(fresh_sandbox)
    stored_first = {e["index"] for e in first_run if e["status"] == 200}
    assert 4 <= len(stored_first) < 12
    slow_parts(fresh_sandbox, 0.0)
    settings = sandbox_settings(fresh_sandbox, tmp_path)
    from botflix_mcp.server import build_server

    async with Client(build_server(settings, app=make_app(settings))) as client:
        result = await client.call_tool("aioz_upload_media", {"source": str(source)})
    assert not result.is_error, text_of(result)
    second_run = part_requests(fresh_sandbox)[len(first_run) :]
    resent = [e["index"] for e in second_run if e["index"] in stored_first]
    assert len(resent) <= 3, resent  # only parts whose answer the killed process never recorded
    assert all(e["status"] in (200, 400) for e in second_run)  # 400 = "already uploaded" for those
    assert fresh_sandbox.assembled(structured(result)["data"]["media_id"])["sha256"] == sha
    assert_complete_after_all_parts(fresh_sandbox)


MEMORY_CHILD = """
import json, sys, anyio
from pathlib import Path
from botflix_mcp.aioz.client import AiozClient, AiozCredentials
from botflix_mcp.aioz.media_ops import create_media
from botflix_mcp.aioz.session import AiozSession
from botflix_mcp.aioz.upload import upload_file
from botflix_mcp.http import RetryPolicy
from botflix_mcp.sandbox import DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

async def main():
    client = AiozClient(sys.argv[1])
    api = AiozSession(client, AiozCredentials.of(DEMO_PUBLIC_KEY, DEMO_SECRET_KEY, source="sandbox"))
    async def create():
        return (await create_media(api, {"title": "mem", "type": "video"}, duration=None))[0]
    report = await upload_file(api, Path(sys.argv[2]), title="mem", media_type="video", create_media=create,
        chunk_size=int(sys.argv[4]), parallel=3, cache_dir=Path(sys.argv[3]), retry=RetryPolicy(), complete_timeout=60)
    assert report.ok, report.error
    await client.aclose()
anyio.run(main)
# VmHWM: this process's own peak RSS (ru_maxrss would include the forking parent's RSS, kept across exec)
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"peak_rss_mb": peak / 1024}))
"""


def _peak_rss(sandbox: Any, source: Path, cache: Path, chunk: int) -> float:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, sandbox.aioz_base_url, str(source), str(cache), str(chunk)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return float(json.loads(done.stdout.strip().splitlines()[-1])["peak_rss_mb"])


@pytest.fixture
def discard_parts(fresh_sandbox: Any) -> Iterator[Any]:
    fresh_sandbox.aioz.config.store_parts = "discard"
    try:
        yield fresh_sandbox
    finally:
        fresh_sandbox.aioz.config.store_parts = "disk"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc (Linux)")
def test_peak_memory_stays_small_and_flat_in_file_size(discard_parts: Any, tmp_path: Path) -> None:
    """Issue 4 §3 (small case; bench/upload.py measures 2 GiB): 32 MiB parts, 64 MiB vs 256 MiB of file."""
    small, large = tmp_path / "s.bin", tmp_path / "l.bin"
    write_file(small, 64 * MIB)
    write_file(large, 256 * MIB)
    rss_small = _peak_rss(discard_parts, small, tmp_path / "c1", 32 * MIB)
    rss_large = _peak_rss(discard_parts, large, tmp_path / "c2", 32 * MIB)
    assert rss_large <= 150, rss_large
    assert rss_large - rss_small < 20, (rss_small, rss_large)  # not proportional to the file (or part) size


@pytest.mark.filterwarnings("ignore::mcp.MCPDeprecationWarning")  # client-side set_logging_level (SEP-2577)
@pytest.mark.anyio
async def test_full_progress_block_is_sent_live_to_clients_that_want_log_messages(
    server: Any, fresh_sandbox: Any, tmp_path: Path
) -> None:
    source = tmp_path / "f.mp4"
    write_file(source, 11 * MIB)  # 3 parts
    blocks: list[str] = []

    async def on_log(params: Any) -> None:
        if params.logger == "botflix_mcp.upload":
            blocks.append(str(params.data))

    async with Client(server, mode="legacy", logging_callback=on_log) as client:
        await client.set_logging_level("info")
        result = await client.call_tool("aioz_upload_media", {"source": str(source), "title": "T"})
        await anyio.sleep(0.05)
    assert not result.is_error
    assert len(blocks) == 3
    assert blocks[0].startswith("## 📤 Uploading: T\nProgress: ███░░░░░░░ 33% (1 of 3 chunks)")
    assert blocks[-1] == text_of(result).split("\n\n## 🎉")[0]  # the last live block is the one in the result


@pytest.mark.anyio
async def test_upload_tools_fit_their_tools_list_share() -> None:
    """Team budget: upload/status/jobs tools <= 6 KB of tools/list JSON."""
    from bench.tools_size import size_of
    from botflix_mcp.server import build_server
    from botflix_mcp.settings import Settings

    server = build_server(Settings(toolsets=("upload",)))
    async with Client(server) as client:
        tools = [
            t for t in (await client.list_tools()).tools if server._botflix_toolkit.registered.get(t.name) == "upload"
        ]  # type: ignore[attr-defined]
    assert {t.name for t in tools} == {
        "aioz_upload_media",
        "aioz_upload_job",
        "aioz_media_status",
        "aioz_retry_failed_upload",
    }
    assert size_of(tools) <= 6000, size_of(tools)


@pytest.mark.anyio
async def test_a_shared_server_never_fetches_private_network_urls(tmp_path: Path) -> None:
    from botflix_mcp.aioz.tools.upload import check_url, download
    from botflix_mcp.errors import UserInputError

    assert check_url("http://127.0.0.1:9/x.mp4", over_http=False) == "http://127.0.0.1:9/x.mp4"  # stdio: own machine
    for url in ("http://127.0.0.1:9/x.mp4", "http://10.1.2.3/v.mp4", "http://[::1]/v.mp4", "http://169.254.169.254/"):
        with pytest.raises(UserInputError):
            check_url(url, over_http=True)
    with pytest.raises(UserInputError):
        check_url("ftp://example.com/v.mp4", over_http=False)
    with pytest.raises(UserInputError):  # each hop is checked, redirects included
        await download("http://127.0.0.1:9/x.mp4", tmp_path / "x.mp4", timeout=2, guard=True)
    assert not os.listdir(tmp_path)


@pytest.mark.anyio
async def test_429_waits_as_long_as_x_ratelimit_retry_after_says(
    server: Any, fresh_sandbox: Any, tmp_path: Path
) -> None:
    source = tmp_path / "h.mp4"
    sha = write_file(source, 4 * MIB)  # one part
    fresh_sandbox.set_faults(FaultConfig(rules=[FaultRule(pattern=PART, rate=0.0, burst_429=2)], retry_after=0.4))
    async with Client(server) as client:
        result = await client.call_tool("aioz_upload_media", {"source": str(source)})
    assert not result.is_error, text_of(result)
    log = part_requests(fresh_sandbox)
    assert [e["status"] for e in log] == [429, 429, 200]
    gaps = [b["time"] - a["time"] for a, b in itertools.pairwise(log)]
    assert all(gap >= 0.4 for gap in gaps), gaps  # the test app's own backoff is 0.01-0.05 s: this is the header
    assert fresh_sandbox.assembled(structured(result)["data"]["media_id"])["sha256"] == sha
