"""No secret in any log line or result (issue 6 §3): the WHOLE tool set runs with the sandbox's known test keys
and dashboard token, and the keys appear in no captured log record (every handler: caplog, the suite's guard),
no stderr line of a real stdio subprocess at DEBUG, and no tool result or error text.

Every tool in tools/list is called with arguments generated from its input schema (one call per `action` value),
so tools added later are covered without editing this file. The keys flow in three ways: from the environment,
stored for the session by `aioz_credentials` (they are that tool's arguments), and the dashboard token on the
payment endpoints. The one-time secret of a newly created API key is a new value, not one of the test keys, so it
needs no exception here.
"""

from __future__ import annotations

import json
import logging
import re
import struct
import sys
import zlib
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from botflix_mcp.server import build_server
from tests.conftest import test_secrets
from tests.helpers import make_app, sandbox_settings

pytestmark = [pytest.mark.anyio, pytest.mark.filterwarnings("ignore::mcp.MCPDeprecationWarning")]
CALL_TIMEOUT = 30.0


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"\x00\xff\x00\x00"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def write_mp4(path: Path) -> None:
    """A real, tiny MP4 (1 s, 16x16 H.264) so upload tools get past probing and reach the network."""
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=5)
        stream.width = stream.height = 16
        stream.pix_fmt = "yuv420p"
        for _ in range(5):
            frame = av.VideoFrame(16, 16, "yuv420p")
            for plane in frame.planes:
                plane.update(bytes(plane.buffer_size))
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


class Args:
    """Valid-ish arguments for any tool, from its JSON input schema."""

    def __init__(self, sandbox: Any, files: Path) -> None:
        from botflix_mcp.sandbox import DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

        files.mkdir(parents=True, exist_ok=True)
        write_mp4(files / "clip.mp4")
        (files / "thumb.png").write_bytes(tiny_png())
        (files / "subs.vtt").write_text("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nhello\n")
        (files / "episode.json").write_text("{}")
        self.files = files
        media = httpx.post(
            f"{sandbox.aioz_base_url}/media/create",
            json={"title": "redaction probe", "type": "video"},
            headers={"stream-public-key": DEMO_PUBLIC_KEY, "stream-secret-key": DEMO_SECRET_KEY},
        )
        media.raise_for_status()
        self.by_name: dict[str, Any] = {
            "public_key": DEMO_PUBLIC_KEY,
            "secret_key": DEMO_SECRET_KEY,
            "media_id": media.json()["data"]["id"],
            "source": str(files / "clip.mp4"),
            "url": f"{sandbox.url}/files/clip.mp4",
            "webhook_url": f"{sandbox.url}/hooks/test",
            "language": "en",
            "lang": "en",
            "email": "director@example.com",
        }

    def string(self, name: str, schema: dict[str, Any]) -> str:
        lowered = name.lower()
        if any(k in lowered for k in ("path", "file")):
            suffix = {"thumb": "thumb.png", "image": "thumb.png", "caption": "subs.vtt", "vtt": "subs.vtt"}
            pick = next((v for k, v in suffix.items() if k in lowered), "clip.mp4")
            return str(self.files / pick)
        if schema.get("format") == "uri" or lowered.endswith("url"):
            return str(self.by_name["url"])
        if any(k in lowered for k in ("date", "from", "to", "time")):
            return "2026-01-01"
        value = "abc123"
        pattern = schema.get("pattern")
        if pattern and not re.search(pattern, value):
            for candidate in ("en", "abc", "a1", "x", "1", "#ffffff", "00:00:01", "botflix-demo"):
                if re.search(pattern, candidate):
                    value = candidate
                    break
        minimum = int(schema.get("minLength", 0))
        return value + "x" * max(0, minimum - len(value))

    def value(self, name: str, schema: dict[str, Any], defs: dict[str, Any]) -> Any:
        if name in self.by_name:
            return self.by_name[name]
        if "$ref" in schema:
            return self.value(name, defs[schema["$ref"].split("/")[-1]], defs)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [o for o in schema[key] if o.get("type") != "null"]
                return self.value(name, options[0], defs) if options else None
        if "enum" in schema:
            return schema["enum"][0]
        if "const" in schema:
            return schema["const"]
        kind = schema.get("type")
        if kind == "string":
            return self.string(name, schema)
        if kind == "integer":
            return max(int(schema.get("minimum", 1)), 1)
        if kind == "number":
            return max(float(schema.get("minimum", 1)), 1.0)
        if kind == "boolean":
            return False
        if kind == "array":
            count = int(schema.get("minItems", 0))
            return [self.value(name, schema.get("items", {}), defs) for _ in range(count)]
        if kind == "object" or "properties" in schema:
            return self.object(schema, defs)
        return None

    def object(self, schema: dict[str, Any], defs: dict[str, Any], everything: bool = False) -> dict[str, Any]:
        props = schema.get("properties", {})
        names = props if everything else [k for k in schema.get("required", []) if k in props]
        return {k: self.value(k, props[k], defs) for k in names}

    def calls(self, tool: Any) -> list[dict[str, Any]]:
        """Per `action` value: the required arguments only, and every argument filled in."""
        schema = tool.input_schema
        defs = schema.get("$defs", {})
        action = schema.get("properties", {}).get("action", {})
        if "$ref" in action:
            action = defs[action["$ref"].split("/")[-1]]
        out: list[dict[str, Any]] = []
        for everything in (False, True):
            base = self.object(schema, defs, everything)
            for a in action.get("enum") or [None]:
                call = {**base, "action": a} if a is not None else base
                if call not in out:
                    out.append(call)
        return out


async def run_every_tool(client: Client, args: Args, seen: list[str]) -> int:
    """Call everything; record every result/error text in `seen`; return the number of calls."""
    calls = 0
    tools = (await client.list_tools()).tools
    assert len(tools) >= 2
    first = [t for t in tools if t.name == "aioz_credentials"]  # store the keys first (they are its arguments)
    for tool in first + [t for t in tools if t.name != "aioz_credentials"]:
        for arguments in args.calls(tool):
            calls += 1
            with anyio.move_on_after(CALL_TIMEOUT) as scope:
                try:
                    result = await client.call_tool(tool.name, arguments)
                    seen.append(result.model_dump_json())
                except Exception as exc:  # protocol errors are results too, for this test
                    seen.append(f"{type(exc).__name__}: {exc}")
            if scope.cancelled_caught:
                seen.append(f"timeout: {tool.name}")
    return calls


def leaks(texts: list[str]) -> list[str]:
    secrets = test_secrets()
    return [t[:300] for t in texts if any(s in t for s in secrets)]


@pytest.mark.slow
@pytest.mark.parametrize("keys_from", ["environment", "session"])
async def test_whole_tool_set_leaks_no_key(
    fresh_sandbox: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture, keys_from: str
) -> None:
    settings = sandbox_settings(fresh_sandbox, tmp_path, keys=keys_from == "environment")
    server = build_server(settings, app=make_app(settings))
    seen: list[str] = []
    calls = 0
    with caplog.at_level(logging.DEBUG):
        for mode in ("auto", "legacy"):
            async with Client(server, mode=mode, read_timeout_seconds=CALL_TIMEOUT) as client:
                calls += await run_every_tool(client, Args(fresh_sandbox, tmp_path / "files"), seen)
        from botflix_mcp.sandbox import DEMO_SECRET_KEY

        logging.getLogger("botflix_mcp.tests").warning("canary %s", DEMO_SECRET_KEY)  # the capture sees it masked
    assert len(seen) == calls
    assert not [s for s in seen if s.startswith("timeout:")]
    assert "canary [redacted]" in caplog.text
    lines = [r.getMessage() for r in caplog.records] + [caplog.text]
    assert not leaks(lines), leaks(lines)[:3]
    assert not leaks(seen), leaks(seen)[:3]
    assert any("aioz" in s.lower() for s in seen)


@pytest.mark.slow
async def test_stdio_subprocess_stderr_at_debug_leaks_no_key(fresh_sandbox: Any, tmp_path: Path) -> None:
    from botflix_mcp.sandbox import DEMO_DASHBOARD_TOKEN, DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

    env = {
        "AIOZ_BASE_URL": fresh_sandbox.aioz_base_url,
        "BOTFLIX_BASE_URL": fresh_sandbox.botflix_base_url,
        "AIOZ_PUBLIC_KEY": DEMO_PUBLIC_KEY,
        "AIOZ_SECRET_KEY": DEMO_SECRET_KEY,
        "AIOZ_DASHBOARD_TOKEN": DEMO_DASHBOARD_TOKEN,
        "BOTFLIX_MCP_LOG_LEVEL": "debug",
        "BOTFLIX_MCP_CACHE_DIR": str(tmp_path / "cache"),
    }
    params = StdioServerParameters(command=sys.executable, args=["-m", "botflix_mcp"], env=env, cwd=str(tmp_path))
    stderr_path = tmp_path / "stderr.log"
    seen: list[str] = []
    with stderr_path.open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode="legacy") as client:
            await client.set_logging_level("debug")  # forwarded log notifications pass through the redactor too
            await run_every_tool(client, Args(fresh_sandbox, tmp_path / "files"), seen)
    stderr = stderr_path.read_text()
    assert "DEBUG" in stderr, "the subprocess logged nothing at DEBUG: is the level setting wired?"
    assert not leaks(stderr.splitlines()), leaks(stderr.splitlines())[:3]
    assert not leaks(seen), leaks(seen)[:3]
    assert json.dumps(seen)


# --------------------------------------------------------------------------- stderr only, level setting

LOG_PROBE = """
import logging
from botflix_mcp.server import build_server
from botflix_mcp.settings import load_settings
logging.basicConfig()  # a stray console handler, as libraries add; configure_logging must replace it
build_server(load_settings())
log = logging.getLogger("botflix_mcp.probe")
log.info("probe-info")
log.warning("probe-warning %s", "sk-probe-secret-value-123")
"""


@pytest.mark.parametrize(("level", "shown"), [("info", {"probe-info", "probe-warning"}), ("error", set())])
def test_logs_go_to_stderr_only_at_the_configured_level(level: str, shown: set[str]) -> None:
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIOZ_", "BOTFLIX_"))}
    env.update(BOTFLIX_MCP_LOG_LEVEL=level, AIOZ_SECRET_KEY="sk-probe-secret-value-123", AIOZ_PUBLIC_KEY="pk-probe-1")
    run = subprocess.run([sys.executable, "-c", LOG_PROBE], capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""  # stdout is the stdio wire
    assert {w for w in ("probe-info", "probe-warning") if w in run.stderr} == shown
    assert "sk-probe-secret-value-123" not in run.stderr
    if shown:
        assert "probe-warning [redacted]" in run.stderr
        assert run.stderr.count("probe-warning") == 1  # one handler, not the stray one as well


def test_configure_logging_keeps_capture_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    from botflix_mcp import logs

    root = logging.getLogger()
    keep = logging.Handler()
    stray = logging.StreamHandler(sys.stdout)
    before = list(root.handlers)
    root.addHandler(keep)
    root.addHandler(stray)
    monkeypatch.setattr(logs, "_configured", False)
    try:
        logs.configure_logging(logging.getLevelName(root.level))
        assert keep in root.handlers and stray not in root.handlers
        ours = [h for h in root.handlers if h not in before and h is not keep]
        assert len(ours) == 1 and getattr(ours[0], "stream", None) is sys.stderr
        assert any(isinstance(f, logs.RedactingFilter) for f in ours[0].filters)
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
        for handler in before:
            if handler not in root.handlers:
                root.addHandler(handler)
