"""Settings: env/.env parsing, one clear line per bad value, and the CLI/README listing every setting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from botflix_mcp.cli import build_parser
from botflix_mcp.settings import MIB, SPECS, TOOLSETS, Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults() -> None:
    s = load_settings({})
    assert s.aioz_base_url == "https://api.aiozstream.network/api"
    assert s.chunk_size == 47 * MIB and s.toolsets == TOOLSETS and s.transport == "stdio"
    assert s.aioz_public_key is None


@pytest.mark.parametrize(
    ("env", "name", "fragment"),
    [
        ({"BOTFLIX_MCP_CHUNK_SIZE": "1MiB"}, "BOTFLIX_MCP_CHUNK_SIZE", "5MiB to 200MiB"),
        ({"BOTFLIX_MCP_CHUNK_SIZE": "lots"}, "BOTFLIX_MCP_CHUNK_SIZE", "expected a size"),
        ({"BOTFLIX_MCP_HTTP_TIMEOUT": "-3"}, "BOTFLIX_MCP_HTTP_TIMEOUT", "greater than 0"),
        ({"BOTFLIX_MCP_TOOLSETS": "media,bogus"}, "BOTFLIX_MCP_TOOLSETS", "unknown toolset(s) bogus"),
        ({"AIOZ_BASE_URL": "ftp://x"}, "AIOZ_BASE_URL", "http(s) URL"),
        ({"BOTFLIX_MCP_READ_ONLY": "maybe"}, "BOTFLIX_MCP_READ_ONLY", "true/false"),
        ({"BOTFLIX_MCP_PORT": "70000"}, "BOTFLIX_MCP_PORT", "0 to 65535"),
        ({"AIOZ_PUBLIC_KEY": "pk-only-one-given"}, "AIOZ_SECRET_KEY", "both AIOZ keys"),
        ({"BOTFLIX_FIELD_MAP": "[1]"}, "BOTFLIX_FIELD_MAP", "JSON object"),
    ],
)
def test_bad_value_names_the_variable_in_one_line(env: dict[str, str], name: str, fragment: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(env)
    text = str(info.value)
    assert text.startswith(name + ":") and fragment in text and "\n" not in text


def test_secret_values_never_echoed_in_errors() -> None:
    # A secret with a bad value is not possible to get wrong by format, but the error path must still hide it.
    with pytest.raises(SettingsError) as info:
        load_settings({"AIOZ_PUBLIC_KEY": "pk-visible-secret-123"})
    assert "pk-visible-secret-123" not in str(info.value)


def test_sizes_and_lists_parse() -> None:
    s = load_settings(
        {
            "BOTFLIX_MCP_CHUNK_SIZE": "32M",
            "BOTFLIX_MCP_TOOLSETS": "upload, media",
            "BOTFLIX_MCP_ALLOWED_ROOTS": "/tmp/a,/tmp/b",
            "AIOZ_PUBLIC_KEY": "pk-123456",
            "AIOZ_SECRET_KEY": "sk-123456",
        }
    )
    assert s.chunk_size == 32 * MIB
    assert s.toolsets == ("media", "upload")  # canonical order
    assert [str(p) for p in s.allowed_roots] == ["/tmp/a", "/tmp/b"]
    assert s.aioz_secret_key is not None and "sk-123456" not in repr(s)


@pytest.mark.parametrize("how", ["script", "-c"])
def test_dotenv_is_read_without_overriding_the_environment(tmp_path: Path, how: str) -> None:
    """The working directory's `.env`, whether the program is a script file elsewhere (the console script's case:
    python-dotenv's own search would start from the package's directory) or `python -c`."""
    project = tmp_path / "project"
    project.mkdir()
    (project / ".env").write_text("BOTFLIX_MCP_CHUNK_SIZE=64MiB\nBOTFLIX_MCP_LOG_LEVEL=debug\n")
    code = "from botflix_mcp.settings import load_settings; s = load_settings(); print(s.chunk_size, s.log_level)"
    script = tmp_path / "bin" / "server.py"
    script.parent.mkdir()
    script.write_text(code + "\n")
    argv = [sys.executable, str(script)] if how == "script" else [sys.executable, "-c", code]
    env = {"PATH": "/usr/bin:/bin", "BOTFLIX_MCP_LOG_LEVEL": "error", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(64 * MIB), "ERROR"]


def test_only_the_working_directorys_dotenv_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BOTFLIX_MCP_CHUNK_SIZE=64MiB\n")  # a parent's .env is not this project's
    (tmp_path / "project").mkdir()
    code = "from botflix_mcp.settings import load_settings; print(load_settings().chunk_size)"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path / "project", env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(Settings().chunk_size)]


def test_help_lists_every_setting() -> None:
    text = build_parser().format_help()
    for spec in SPECS:
        assert spec.cli_flag in text and spec.env in text, spec.env


def test_cli_bad_setting_exits_2_with_one_line() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "botflix_mcp", "--chunk-size", "1k"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert lines == [lines[0]] and "BOTFLIX_MCP_CHUNK_SIZE" in lines[0]


def test_readme_settings_table_is_current() -> None:
    from botflix_mcp.docs import settings_table

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert settings_table() in readme, "regenerate with: python -m botflix_mcp.docs"
