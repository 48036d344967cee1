"""Settings: read once at start-up from the environment and `.env`, validated, immutable.

One table (`SPECS`) drives everything that names a setting: the environment variable, the CLI flag, the
`--help` text, the README's settings table and `server.json`'s `environmentVariables` (tests keep those in
sync). A bad value stops start-up with one line naming the variable (`SettingsError`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from pydantic import SecretStr

DEFAULT_AIOZ_BASE_URL = "https://api.aiozstream.network/api"
DEFAULT_BOTFLIX_BASE_URL = "https://botflix.fun"
MIB = 1024 * 1024

#: Every toolset a user can select with BOTFLIX_MCP_TOOLSETS / --toolsets.
TOOLSETS: tuple[str, ...] = (
    "media",
    "upload",
    "captions",
    "players",
    "playlists",
    "webhooks",
    "analytics",
    "account",
    "botflix",
)


class SettingsError(ValueError):
    """A setting has a bad value. `str(err)` is one line naming the variable."""

    def __init__(self, env: str, problem: str) -> None:
        super().__init__(f"{env}: {problem}")
        self.env = env
        self.problem = problem


# --------------------------------------------------------------------------- parsers


def _str(value: str) -> str:
    return value.strip()


def _secret(value: str) -> SecretStr | None:
    value = value.strip()
    return SecretStr(value) if value else None


def _bool(value: str) -> bool:
    v = value.strip().lower()
    if v in {"1", "true", "yes", "on"}:
        return True
    if v in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("expected true/false (1/0, yes/no, on/off)")


def _positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError("expected a number of seconds, e.g. 30") from None
    if not number > 0:
        raise ValueError("must be greater than 0")
    return number


def _float_range(lo: float, hi: float | None, unit: str) -> Callable[[str], float]:
    def parse(value: str) -> float:
        try:
            number = float(value.strip())
        except ValueError:
            raise ValueError(f"expected a number of {unit}, e.g. {lo + 1 if hi is None else hi / 10:g}") from None
        if not (lo <= number and (hi is None or number <= hi)):  # also refuses nan
            raise ValueError(f"must be from {lo:g}" + (f" to {hi:g}" if hi is not None else " up") + f", got {value}")
        return number

    return parse


def _int_range(lo: int, hi: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value.strip())
        except ValueError:
            raise ValueError(f"expected a whole number from {lo} to {hi}") from None
        if not lo <= number <= hi:
            raise ValueError(f"must be from {lo} to {hi}, got {number}")
        return number

    return parse


_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {
    None: 1,
    "b": 1,
    "k": 1024,
    "kb": 1000,
    "kib": 1024,
    "m": MIB,
    "mb": 1000 * 1000,
    "mib": MIB,
    "g": 1024 * MIB,
    "gb": 1000**3,
    "gib": 1024 * MIB,
}


def parse_size(value: str) -> int:
    """`52428800`, `50MiB`, `50M` (binary), `48MB` (decimal) -> bytes."""
    match = _SIZE_RE.match(value)
    if not match:
        raise ValueError("expected a size such as 50MiB, 32M or 33554432")
    number, unit = match.groups()
    return int(float(number) * _SIZE_UNITS[unit.lower() if unit else None])


def _chunk_size(value: str) -> int:
    size = parse_size(value)
    if not 5 * MIB <= size <= 200 * MIB:
        raise ValueError("must be from 5MiB to 200MiB (AIOZ parts; the host's body limit is 50 MB)")
    return size


def _url(value: str) -> str:
    value = value.strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError("expected an absolute http(s) URL")
    return value


def _optional_url(value: str) -> str | None:
    return _url(value) if value.strip() else None


def _toolsets(value: str) -> tuple[str, ...]:
    names = [n.strip().lower() for n in value.split(",") if n.strip()]
    if not names or names == ["all"]:
        return TOOLSETS
    unknown = [n for n in names if n not in TOOLSETS]
    if unknown:
        raise ValueError(f"unknown toolset(s) {', '.join(unknown)}; choose from all, {', '.join(TOOLSETS)}")
    return tuple(n for n in TOOLSETS if n in names)


def _paths(value: str) -> tuple[Path, ...]:
    parts = [p.strip() for p in re.split(rf"[,{re.escape(os.pathsep)}]", value) if p.strip()]
    return tuple(Path(p).expanduser() for p in parts)


def _csv(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split(",") if p.strip())


def _choice(*choices: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        v = value.strip().lower()
        if v not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}")
        return v

    return parse


def _log_level(value: str) -> str:
    return _choice("debug", "info", "warning", "error", "critical")(value).upper()


def _json_object(value: str) -> dict[str, str]:
    import json

    if not value.strip():
        return {}
    try:
        data = json.loads(value)
    except json.JSONDecodeError as exc:
        raise ValueError(f"expected a JSON object of strings: {exc.msg}") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError('expected a JSON object of strings, e.g. {"episode_id": "id"}')
    return data


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class SettingSpec:
    attr: str
    env: str
    parse: Callable[[str], Any]
    default: Any
    help: str
    secret: bool = False
    flag: str | None = None  # CLI flag; derived from attr when None
    metavar: str | None = None
    group: str = "general"

    @property
    def cli_flag(self) -> str:
        return self.flag or "--" + self.attr.replace("_", "-")


SPECS: tuple[SettingSpec, ...] = (
    # AIOZ Stream
    SettingSpec(
        "aioz_base_url", "AIOZ_BASE_URL", _url, DEFAULT_AIOZ_BASE_URL, "AIOZ Stream API base URL.", group="aioz"
    ),
    SettingSpec(
        "aioz_public_key",
        "AIOZ_PUBLIC_KEY",
        _secret,
        None,
        "AIOZ Stream public key (else asked for).",
        True,
        group="aioz",
    ),
    SettingSpec(
        "aioz_secret_key",
        "AIOZ_SECRET_KEY",
        _secret,
        None,
        "AIOZ Stream secret key (else asked for).",
        True,
        group="aioz",
    ),
    SettingSpec(
        "aioz_dashboard_token",
        "AIOZ_DASHBOARD_TOKEN",
        _secret,
        None,
        "AIOZ dashboard login token (JWT); only the payment endpoints need it.",
        True,
        group="aioz",
    ),
    # BotFlix
    SettingSpec(
        "botflix_base_url", "BOTFLIX_BASE_URL", _url, DEFAULT_BOTFLIX_BASE_URL, "BotFlix origin.", group="botflix"
    ),
    SettingSpec(
        "botflix_director_key",
        "BOTFLIX_DIRECTOR_KEY",
        _secret,
        None,
        "BotFlix director API key (from botflix_register_director).",
        True,
        group="botflix",
    ),
    SettingSpec(
        "botflix_field_map",
        "BOTFLIX_FIELD_MAP",
        _json_object,
        {},
        "JSON object renaming BotFlix fields/parts whose names are not public yet.",
        group="botflix",
        metavar="JSON",
    ),
    # HTTP clients
    SettingSpec(
        "http_timeout",
        "BOTFLIX_MCP_HTTP_TIMEOUT",
        _positive_float,
        30.0,
        "Time allowed for one attempt of a request, answer body included (a trickling host is cut off), seconds.",
        group="http",
    ),
    SettingSpec(
        "call_deadline",
        "BOTFLIX_MCP_CALL_DEADLINE",
        _positive_float,
        120.0,
        "Deadline for one API call with all its retries and waits, seconds (uploads: per part; /complete has its own).",
        group="http",
    ),
    SettingSpec(
        "complete_timeout",
        "BOTFLIX_MCP_COMPLETE_TIMEOUT",
        _positive_float,
        900.0,
        "Timeout for AIOZ /complete (it assembles and probes the file), seconds.",
        group="http",
    ),
    SettingSpec(
        "max_retries",
        "BOTFLIX_MCP_MAX_RETRIES",
        _int_range(0, 10),
        4,
        "Retries for 429/5xx/connection errors on idempotent calls and upload parts.",
        group="http",
    ),
    # Uploads
    # Defaults from bench/upload.py (README "Benchmarks"). Part size: the largest whole MiB whose part plus the
    # multipart envelope stays under AIOZ's 50,000,000-byte body limit (docs/aioz-api.md §limits; 48 MiB is over it),
    # so no upload starts with a 413 wave, and the fewest parts against the 100 part uploads/minute rate limit.
    SettingSpec(
        "chunk_size",
        "BOTFLIX_MCP_CHUNK_SIZE",
        _chunk_size,
        47 * MIB,
        "Upload part size (5MiB-200MiB). 413 answers re-split parts automatically.",
        group="upload",
        metavar="SIZE",
    ),
    # Parallel parts: 8. On a distant link (80 ms RTT, 12 MiB/s per connection, bench/shaper.py) throughput grows
    # with the parts in flight (1 -> 8: 11 -> ~58 MiB/s on 512 MiB); on loopback more than 2-3 buys little but
    # costs little either (each part in flight holds one 1 MiB buffer in its worker thread: botflix_mcp/http_file.py).
    SettingSpec(
        "upload_parallel",
        "BOTFLIX_MCP_UPLOAD_PARALLEL",
        _int_range(1, 8),
        8,
        "Parts uploaded in parallel.",
        group="upload",
    ),
    SettingSpec(
        "cache_dir",
        "BOTFLIX_MCP_CACHE_DIR",
        lambda v: Path(v).expanduser(),
        None,
        "Where upload journals and tool schemas live (default: the user's cache directory).",
        group="upload",
        metavar="DIR",
    ),
    SettingSpec(
        "allowed_roots",
        "BOTFLIX_MCP_ALLOWED_ROOTS",
        _paths,
        (),
        "Directories tools may read/write (comma or os.pathsep separated). Over stdio, empty means the "
        "user's own files (home and temp folders); over HTTP nothing until set.",
        group="upload",
        metavar="DIRS",
    ),
    # Server
    SettingSpec(
        "toolsets",
        "BOTFLIX_MCP_TOOLSETS",
        _toolsets,
        TOOLSETS,
        "Toolsets to enable: all or a comma list of " + ", ".join(TOOLSETS) + ".",
        group="server",
        metavar="LIST",
    ),
    SettingSpec("read_only", "BOTFLIX_MCP_READ_ONLY", _bool, False, "Expose only read-only tools.", group="server"),
    SettingSpec(
        "schema_cache",
        "BOTFLIX_MCP_SCHEMA_CACHE",
        _bool,
        True,
        "Keep the tools' JSON schemas in the cache directory between starts (faster start; 0: build them each time).",
        group="server",
    ),
    SettingSpec(
        "form_elicitation",
        "BOTFLIX_MCP_FORM_ELICITATION",
        _bool,
        True,
        "Fall back to form elicitation for AIOZ keys when the client has no URL mode.",
        group="server",
    ),
    SettingSpec(
        "log_level",
        "BOTFLIX_MCP_LOG_LEVEL",
        _log_level,
        "INFO",
        "Log level (stderr).",
        group="server",
        metavar="LEVEL",
    ),
    SettingSpec(
        "sandbox",
        "BOTFLIX_MCP_SANDBOX",
        _bool,
        False,
        "Point both platforms at the built-in sandbox on 127.0.0.1 (no accounts, no network).",
        group="server",
    ),
    # The built-in sandbox (`botflix-mcp sandbox`, and `--sandbox` for the server's own sandbox)
    SettingSpec(
        "sandbox_demo_keys",
        "BOTFLIX_MCP_SANDBOX_DEMO_KEYS",
        _bool,
        True,
        "With --sandbox the server gets the sandbox's demo AIOZ key pair; --no-demo-keys (env: false) starts it "
        "without keys, so a tool asks for them (keys page, form or chat): paste the demo keys it prints on stderr.",
        flag="--no-demo-keys",
        group="sandbox",
    ),
    SettingSpec(
        "sandbox_balance",
        "BOTFLIX_MCP_SANDBOX_BALANCE",
        _float_range(0.0, None, "AIOZ credits"),
        25.0,
        "Sandbox: the demo account's balance; 0 shows the not-enough-balance path (an encode costs about 0.02).",
        flag="--balance",
        group="sandbox",
        metavar="AMOUNT",
    ),
    SettingSpec(
        "sandbox_transcode_seconds",
        "BOTFLIX_MCP_SANDBOX_TRANSCODE_SECONDS",
        _float_range(0.0, 3600.0, "seconds"),
        1.0,
        "Sandbox: seconds from an upload's /complete to encoding finished, spread over the webhook events "
        "(file received, encoding started, one per quality).",
        flag="--transcode-seconds",
        group="sandbox",
        metavar="SECONDS",
    ),
    SettingSpec(
        "sandbox_fail_encoding",
        "BOTFLIX_MCP_SANDBOX_FAIL_ENCODING",
        _bool,
        False,
        "Sandbox: every encode fails at its last quality (encoding.failed), as for a title containing 'fail-encode'.",
        flag="--fail-encoding",
        group="sandbox",
    ),
    SettingSpec(
        "sandbox_fault_rate",
        "BOTFLIX_MCP_SANDBOX_FAULT_RATE",
        _float_range(0.0, 1.0, "a share from 0 to 1"),
        0.0,
        "Sandbox: share of AIOZ requests answered with a 500, a 429 or a dropped connection (seeded, replayable).",
        flag="--fault-rate",
        group="sandbox",
        metavar="RATE",
    ),
    SettingSpec(
        "sandbox_fault_latency",
        "BOTFLIX_MCP_SANDBOX_FAULT_LATENCY",
        _float_range(0.0, 60.0, "seconds"),
        0.0,
        "Sandbox: seconds added to every AIOZ request.",
        flag="--fault-latency",
        group="sandbox",
        metavar="SECONDS",
    ),
    # HTTP transport
    SettingSpec(
        "transport", "BOTFLIX_MCP_TRANSPORT", _choice("stdio", "http"), "stdio", "stdio or http.", group="transport"
    ),
    SettingSpec("host", "BOTFLIX_MCP_HOST", _str, "127.0.0.1", "HTTP bind address.", group="transport"),
    SettingSpec("port", "BOTFLIX_MCP_PORT", _int_range(0, 65535), 8765, "HTTP port.", group="transport"),
    SettingSpec(
        "http_token",
        "BOTFLIX_MCP_HTTP_TOKEN",
        _secret,
        None,
        "Bearer token required by the HTTP server (mandatory off loopback); comma-separate one token per user.",
        True,
        group="transport",
    ),
    SettingSpec(
        "allowed_hosts",
        "BOTFLIX_MCP_ALLOWED_HOSTS",
        _csv,
        (),
        "Extra Host header values accepted over HTTP (DNS-rebinding protection).",
        group="transport",
        metavar="LIST",
    ),
    SettingSpec(
        "allowed_origins",
        "BOTFLIX_MCP_ALLOWED_ORIGINS",
        _csv,
        (),
        "Extra Origin values accepted over HTTP.",
        group="transport",
        metavar="LIST",
    ),
    SettingSpec(
        "http_header_timeout",
        "BOTFLIX_MCP_HTTP_HEADER_TIMEOUT",
        _positive_float,
        10.0,
        "HTTP server: time a client has to send a request's headers (from connecting, or from its first byte on "
        "a kept-alive connection) before the connection is closed, seconds.",
        group="transport",
    ),
    SettingSpec(
        "http_keepalive_timeout",
        "BOTFLIX_MCP_HTTP_KEEPALIVE_TIMEOUT",
        _int_range(1, 3600),
        5,
        "HTTP server: idle time before a kept-alive connection is closed, seconds.",
        group="transport",
    ),
    SettingSpec(
        "http_max_connections",
        "BOTFLIX_MCP_HTTP_MAX_CONNECTIONS",
        _int_range(1, 100_000),
        256,
        "HTTP server: connections served at once; past that, new requests get 503 until some close.",
        group="transport",
    ),
    SettingSpec(
        "public_url",
        "BOTFLIX_MCP_PUBLIC_URL",
        _optional_url,
        None,
        "Public base URL of this HTTP server (for the AIOZ webhook receiver).",
        group="transport",
        metavar="URL",
    ),
)

SPECS_BY_ATTR = {s.attr: s for s in SPECS}
SPECS_BY_ENV = {s.env: s for s in SPECS}


@dataclass(frozen=True)
class Settings:
    aioz_base_url: str = DEFAULT_AIOZ_BASE_URL
    aioz_public_key: SecretStr | None = None
    aioz_secret_key: SecretStr | None = None
    aioz_dashboard_token: SecretStr | None = None
    botflix_base_url: str = DEFAULT_BOTFLIX_BASE_URL
    botflix_director_key: SecretStr | None = None
    botflix_field_map: dict[str, str] = field(default_factory=dict)
    http_timeout: float = 30.0
    call_deadline: float = 120.0
    complete_timeout: float = 900.0
    max_retries: int = 4
    chunk_size: int = 47 * MIB
    upload_parallel: int = 8
    cache_dir: Path | None = None
    allowed_roots: tuple[Path, ...] = ()
    toolsets: tuple[str, ...] = TOOLSETS
    read_only: bool = False
    schema_cache: bool = True
    form_elicitation: bool = True
    log_level: str = "INFO"
    sandbox: bool = False
    sandbox_demo_keys: bool = True
    sandbox_balance: float = 25.0
    sandbox_transcode_seconds: float = 1.0
    sandbox_fail_encoding: bool = False
    sandbox_fault_rate: float = 0.0
    sandbox_fault_latency: float = 0.0
    transport: str = "stdio"
    host: str = "127.0.0.1"
    port: int = 8765
    http_token: SecretStr | None = None
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    http_header_timeout: float = 10.0
    http_keepalive_timeout: int = 5
    http_max_connections: int = 256
    public_url: str | None = None

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def secret_values(self) -> list[str]:
        """Every configured secret's plain value (for the log redaction filter)."""
        out = []
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, SecretStr) and value.get_secret_value():
                out.append(value.get_secret_value())
        return out


def load_dotenv_file(path: Path) -> bool:
    """Read `path` (a `.env` file) into `os.environ`, never overriding a variable already set; False if absent.

    Only the working directory's `.env` is read, as the README says. (python-dotenv's own search, `load_dotenv()`
    without a path, starts from the directory of the *calling module's file* when the program is a script: for an
    installed server that is `site-packages/botflix_mcp`, so a `.env` beside the user's project was never found.)
    """
    if not path.is_file():
        return False  # the usual case: python-dotenv is not even imported
    from dotenv import load_dotenv

    load_dotenv(path, override=False)
    return True


def load_settings(
    env: Mapping[str, str] | None = None,
    *,
    dotenv: bool = True,
    overrides: Mapping[str, str] | None = None,
) -> Settings:
    """Build `Settings` from `env` (default: os.environ plus `.env`) and CLI `overrides` (by env name).

    Raises `SettingsError` naming the first bad variable.
    """
    if env is None:
        if dotenv:
            load_dotenv_file(Path.cwd() / ".env")
        env = os.environ
    merged: dict[str, str] = {k: v for k, v in env.items() if k in SPECS_BY_ENV}
    if overrides:
        merged.update({k: v for k, v in overrides.items() if v is not None})
    values: dict[str, Any] = {}
    for spec in SPECS:
        raw = merged.get(spec.env)
        if raw is None:
            continue
        try:
            values[spec.attr] = spec.parse(raw)
        except ValueError as exc:
            shown = "<hidden>" if spec.secret else repr(raw)
            raise SettingsError(spec.env, f"{exc} (got {shown})") from None
    settings = Settings(**values)
    if bool(settings.aioz_public_key) != bool(settings.aioz_secret_key):
        missing = "AIOZ_SECRET_KEY" if settings.aioz_public_key else "AIOZ_PUBLIC_KEY"
        raise SettingsError(missing, "set both AIOZ keys or neither (the other one is set)")
    return settings
