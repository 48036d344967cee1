"""Packaging metadata (issue 12 §5): `python -m build` makes an sdist and a wheel that `twine check` accepts, with
the LICENSE, `py.typed`, project URLs, classifiers for every supported Python, one version string, and PyAV only
behind the `probe` extra."""

from __future__ import annotations

import glob
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

import botflix_mcp
from tests.helpers import venv_with_wheel

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
pytestmark = [pytest.mark.slow]
#: Every Python the classifiers claim; 3.11 is the project venv's (tests/e2e/test_wheel_install.py installs it).
SUPPORTED = ("3.11", "3.12", "3.13")
OFFLINE = {"AIOZ_BASE_URL": "http://127.0.0.1:9/api", "BOTFLIX_BASE_URL": "http://127.0.0.1:9"}


def find_python(minor: str) -> str | None:
    """An interpreter for `minor`: a pyenv build (the machine image has 3.12 and 3.13 there), else one on PATH
    (not a pyenv shim, which fails for a version that is not selected)."""
    builds = sorted(glob.glob(str(Path.home() / f".pyenv/versions/{minor}.*/bin/python{minor}")))
    if builds:
        return builds[-1]
    found = shutil.which(f"python{minor}")
    return found if found and "/shims/" not in found else None


# `dist` (the sdist and the wheel made by `python -m build`) is a session fixture in tests/conftest.py.


def wheel_of(dist: Path) -> Path:
    (wheel,) = dist.glob("botflix_mcp-*.whl")
    return wheel


def test_twine_check_passes(dist: Path) -> None:
    files = sorted(str(p) for p in dist.iterdir())
    assert any(f.endswith(".whl") for f in files) and any(f.endswith(".tar.gz") for f in files)
    check = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *files], capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("PASSED") == len(files), check.stdout


def test_wheel_metadata(dist: Path) -> None:
    wheel = wheel_of(dist)
    assert wheel.name.startswith(f"botflix_mcp-{botflix_mcp.__version__}-")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        (meta_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = Parser().parsestr(zf.read(meta_name).decode())
        license_files = [n for n in names if ".dist-info/licenses/" in n]
        assert [Path(n).name for n in license_files] == ["LICENSE"]
        assert zf.read(license_files[0]).decode() == (ROOT / "LICENSE").read_text()
    assert "botflix_mcp/py.typed" in names
    assert "botflix_mcp/_data/SKILL.md" in names
    assert meta["Version"] == botflix_mcp.__version__
    assert meta["License-Expression"] == "MIT"
    classifiers = set(meta.get_all("Classifier") or [])
    versions = {
        c.rsplit(" ", 1)[1] for c in classifiers if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    }
    assert versions == set(SUPPORTED)  # each one is installed and started by test_the_wheel_serves_on_python
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    assert "Typing :: Typed" in classifiers
    assert meta["Requires-Python"] == ">=3.11"
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert {"Homepage", "Repository", "Issues"} <= set(urls)
    assert all(u.startswith("https://github.com/botflix-mcp/botflix-mcp") for u in urls.values())
    requires = meta.get_all("Requires-Dist") or []
    av = [r for r in requires if r.split(";")[0].strip().startswith("av")]
    assert av and all("extra == 'probe'" in r or "extra == 'test'" in r for r in av), av  # not a runtime must
    assert "probe" in (meta.get_all("Provides-Extra") or [])


def test_sdist_carries_the_license_and_the_shipped_data(dist: Path) -> None:
    (sdist,) = dist.glob("botflix_mcp-*.tar.gz")
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    assert {"LICENSE", "README.md", "server.json", "pyproject.toml", "botflix_mcp/py.typed"} <= names


def test_one_version_string() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "botflix_mcp/__init__.py"
    assert project["license"] == "MIT" and (ROOT / "LICENSE").read_text().startswith("MIT License")


@pytest.fixture(params=SUPPORTED[1:])
def other_python_venv(request: pytest.FixtureRequest, dist: Path, tmp_path: Path) -> tuple[str, Path]:
    """A fresh venv of another supported Python with the built wheel installed (its bin directory)."""
    minor: str = request.param
    python = find_python(minor)
    if python is None:
        pytest.skip(f"no Python {minor} interpreter on this machine (PATH or pyenv)")
    bindir = venv_with_wheel(python, tmp_path / f"py{minor}", wheel_of(dist))
    version = subprocess.run(
        [str(bindir / "python"), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    assert version == minor
    return minor, bindir


@pytest.mark.anyio
async def test_the_wheel_serves_on_python(other_python_venv: tuple[str, Path], tmp_path: Path) -> None:
    _, bindir = other_python_venv
    params = StdioServerParameters(command=str(bindir / "botflix-mcp"), args=[], env=OFFLINE, cwd=str(tmp_path))
    async with Client(params) as client:
        assert client.server_info is not None and client.server_info.name == "botflix-mcp"
        assert "botflix_skill" in {t.name for t in (await client.list_tools()).tools}
