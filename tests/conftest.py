"""Shared fixtures: anyio backend, the loopback sandbox, settings and servers pointed at it.

Also a suite-wide guard: every log record and every tool result produced during the run is checked for the
sandbox's secret test keys at the end of the session (issue 2 acceptance: no secret in any log line or result).
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from botflix_mcp.settings import Settings
from tests.helpers import make_app, sandbox_settings

# The official AIOZ spec checks every request sent to the sandbox (tests/oracle/plugin.py).
pytest_plugins = ["tests.oracle.plugin"]

# --------------------------------------------------------------------------- suite-wide secret guard

_records: list[str] = []
_results: list[str] = []


class _Collect(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            _records.append(self.format(record))
        except Exception:  # pragma: no cover - a broken record must not break the suite
            _records.append(str(record.msg))


def pytest_configure(config: pytest.Config) -> None:
    import os
    import tempfile

    from mcp import Client

    # Servers built with the default cache directory (tool schemas, journals) use one of the session's own, never
    # the user's: the suite starts cold on every machine (botflix_mcp/tool_schemas.py).
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="botflix-test-cache-")

    original = Client.call_tool

    async def recording_call_tool(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = await original(self, *args, **kwargs)
        try:
            _results.append(result.model_dump_json())
        except Exception:  # pragma: no cover
            _results.append(repr(result))
        return result

    Client.call_tool = recording_call_tool  # type: ignore[method-assign]


def test_secrets() -> list[str]:
    from botflix_mcp.sandbox import DEMO_DASHBOARD_TOKEN, DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

    return [DEMO_PUBLIC_KEY, DEMO_SECRET_KEY, DEMO_DASHBOARD_TOKEN]


test_secrets.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


@pytest.fixture(scope="session", autouse=True)
def no_secret_leaks() -> Iterator[None]:
    from botflix_mcp.logs import install_record_redaction

    install_record_redaction()  # what configure_logging does in production
    handler = _Collect(level=logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.DEBUG)
    yield
    root.removeHandler(handler)
    root.setLevel(previous)
    secrets = test_secrets()
    leaks = [line for line in _records + _results if any(s in line for s in secrets)]
    assert not leaks, f"{len(leaks)} log lines/results contain a test secret, first: {leaks[0][:300]}"


# --------------------------------------------------------------------------- basics


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["auto", "legacy"])
def mode(request: pytest.FixtureRequest) -> str:
    """Both protocol eras: 2026-07-28 ("auto") and the 2025-11-25 handshake ("legacy")."""
    return str(request.param)


# --------------------------------------------------------------------------- sandbox and server


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Any]:
    """One emulator per test session on 127.0.0.1 (tests never reach the real hosts)."""
    from botflix_mcp.sandbox import SandboxServer
    from tests.oracle.capture import RequestTap

    server = SandboxServer()
    server.app = RequestTap(server.app)  # copies AIOZ requests for the spec oracle
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_sandbox(sandbox: Any) -> Any:
    sandbox.reset()
    return sandbox


@pytest.fixture
def settings(fresh_sandbox: Any, tmp_path: Path) -> Settings:
    return sandbox_settings(fresh_sandbox, tmp_path)


@pytest.fixture
def app(settings: Settings) -> Any:
    return make_app(settings)


@pytest.fixture
def server(settings: Settings, app: Any) -> Any:
    from botflix_mcp.server import build_server

    return build_server(settings, app=app)


# --------------------------------------------------------------------------- the built distribution


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m build` of the checkout (the sdist, then the wheel built from it, as a release is made), once per
    session: tests/test_packaging.py checks both, tests/e2e/test_wheel_install.py installs the wheel."""
    out = tmp_path_factory.mktemp("dist")
    root = Path(__file__).resolve().parents[1]
    build = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(root)], capture_output=True, text=True, timeout=600
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return out
