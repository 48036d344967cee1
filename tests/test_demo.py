"""`botflix-mcp demo` reads cleanly (issue 10 §9): a legend for the tool labels, labels that say what each tool's
annotations say (create/update tools are destructive, not "delete"), progress as `1/3`, and sandbox addresses
rather than production ones for the media and episode it made.

The demo is run as the user runs it: `python -m botflix_mcp demo` (the sandbox, a stdio server subprocess and the
SDK client), once per test session.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any

import pytest
from mcp import Client

from botflix_mcp.server import build_server
from botflix_mcp.settings import Settings

LINE = re.compile(r"^  (?P<name>[a-z_]+)\s+\[(?P<label>[a-z, -]+)\]\s")


def run_demo(*flags: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIOZ_", "BOTFLIX_"))}
    out = subprocess.run(
        [sys.executable, "-m", "botflix_mcp", "demo", *flags], capture_output=True, text=True, timeout=150, env=env
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out.stdout


@pytest.fixture(scope="module")
def demo_output() -> str:
    return run_demo()


@pytest.fixture(scope="module")
def annotations() -> dict[str, Any]:
    import anyio

    async def listing() -> dict[str, Any]:
        async with Client(build_server(Settings())) as client:
            return {t.name: t.annotations for t in (await client.list_tools()).tools}

    return anyio.run(listing)


def test_every_tool_is_labelled_from_its_annotations(demo_output: str, annotations: dict[str, Any]) -> None:
    labels = {m["name"]: m["label"].split(", ") for m in map(LINE.match, demo_output.splitlines()) if m}
    assert set(labels) == set(annotations)
    for name, hints in annotations.items():
        label = labels[name]
        assert ("read-only" in label) == bool(hints.read_only_hint), name
        if not hints.read_only_hint:
            assert ("destructive" in label) == (hints.destructive_hint is not False), name
            assert ("writes" in label) == (hints.destructive_hint is False), name
            assert ("idempotent" in label) == bool(hints.idempotent_hint), name
        assert ("local" in label) == (hints.open_world_hint is False), name
    assert labels["aioz_media_write"] == ["destructive"]  # create/update: may overwrite, not "delete"
    assert labels["aioz_account"] == ["read-only"]
    assert "[delete" not in demo_output


def test_the_legend_explains_every_label_used(demo_output: str) -> None:
    head, _, _ = demo_output.partition("aioz_account: who am I")
    used = {word for m in map(LINE.match, head.splitlines()) if m for word in m["label"].split(", ")}
    legend = head.split("Labels, from each tool's annotations:", 1)[1]
    assert used and all(re.search(rf"^\s+{word}\s{{2,}}\S", legend, re.M) for word in used), used


def test_progress_reads_as_whole_numbers(demo_output: str) -> None:
    progress = re.findall(r"\[progress ([^\]]+)\]", demo_output)
    assert progress == ["1/3", "2/3", "3/3"]


def test_links_to_the_demo_media_and_episode_are_on_the_sandbox(demo_output: str) -> None:
    sandbox = re.search(r"emulators on (http://127\.0\.0\.1:\d+) ", demo_output)
    assert sandbox is not None
    base = sandbox.group(1)
    links = re.findall(r"`(https?://[^`\s]+)`", demo_output) + re.findall(r"(https?://\S+/watch/\S+)", demo_output)
    assert any("/manifest.m3u8" in u for u in links) and any("/watch/" in u for u in links), links
    assert all(u.startswith(base + "/") for u in links), [u for u in links if not u.startswith(base)]
    assert f"{base}/aioz/api/media/" in demo_output and f"{base}/botflix/watch/" in demo_output
    assert "sandbox.invalid/watch" not in demo_output


def test_the_demo_takes_the_sandbox_flags() -> None:
    out = run_demo("--fail-encoding", "--transcode-seconds", "0.5")
    status = out.split("aioz_media_status", 1)[1].split("botflix_register_director", 1)[0]
    assert "## ❌ Encoding Failed" in status and "Media is Live" not in status
