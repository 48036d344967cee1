"""Helpers shared by the tests (import from tests.helpers)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from botflix_mcp.settings import MIB, Settings


def sandbox_settings(sandbox: Any, tmp_path: Path, *, keys: bool = True, **overrides: Any) -> Settings:
    from botflix_mcp.sandbox import DEMO_DASHBOARD_TOKEN, DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

    base = Settings(
        aioz_base_url=sandbox.aioz_base_url,
        botflix_base_url=sandbox.botflix_base_url,
        aioz_public_key=SecretStr(DEMO_PUBLIC_KEY) if keys else None,
        aioz_secret_key=SecretStr(DEMO_SECRET_KEY) if keys else None,
        aioz_dashboard_token=SecretStr(DEMO_DASHBOARD_TOKEN),
        cache_dir=tmp_path / "cache",
        chunk_size=5 * MIB,
        upload_parallel=3,  # the upload tests count "at most the parts in flight" against 3 (the default is 8)
        http_timeout=10.0,
        complete_timeout=30.0,
    )
    return base.with_overrides(**overrides) if overrides else base


def make_app(settings: Settings) -> Any:
    from botflix_mcp.app import App
    from botflix_mcp.http import RetryPolicy

    return App(settings, retry_policy=RetryPolicy(max_retries=4, base_delay=0.01, max_delay=0.05, max_retry_after=2))


def structured(result: Any) -> dict[str, Any]:
    """The structured content of a tool result (asserting it is there)."""
    assert result.structured_content is not None, result
    return dict(result.structured_content)


def text_of(result: Any) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content)


def dumps(value: Any) -> str:
    return json.dumps(value, default=str)


def venv_with_wheel(python: str, env_dir: Path, wheel: Path, cwd: Path | None = None) -> Path:
    """A fresh venv of `python` with `wheel` installed by pip (its dependencies from the package index); returns its
    bin directory. The venv is made without pip (ensurepip costs ~8 s per venv under load) and this venv's pip
    installs into it (`pip --python`): the same pip install, nothing from the checkout or this venv lands there."""
    made = subprocess.run(
        [python, "-m", "venv", "--without-pip", str(env_dir)], capture_output=True, text=True, timeout=120
    )
    assert made.returncode == 0, made.stderr
    bindir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    target = ["--python", str(bindir / "python")]
    pip = subprocess.run(
        [sys.executable, "-m", "pip", *target, "install", "-q", "--disable-pip-version-check", str(wheel)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert pip.returncode == 0, pip.stdout[-2000:] + pip.stderr[-2000:]
    return bindir
