"""Local files: every tool that reads or writes a local file resolves it here (issue 6 §2).

`resolve_local_path(raw, ctx=, settings=)` accepts an absolute path, `~/...`, or a `file://` URI, recognises
Windows paths (and says clearly when they name another machine), resolves every symlink (realpath) and confines
the result to the allowed roots. A refused path says why and what to do; a missing file suggests close matches
from its folder.

Which roots are allowed:

- **stdio** (one user, their own machine): the roots the client offers over MCP (`roots/list`) plus the
  configured `BOTFLIX_MCP_ALLOWED_ROOTS`; with neither, "the user's own files" = the home folder and the
  system temp folder (anything else, e.g. `/mnt/videos`, needs `BOTFLIX_MCP_ALLOWED_ROOTS`).
- **HTTP** (a shared server; a remote client's roots name *its* machine, not this one): nothing until
  `BOTFLIX_MCP_ALLOWED_ROOTS` is set; roots offered by the client can only narrow that, never widen it.
- Always refused, whatever the roots: credential stores in the home folder (`~/.ssh`, `~/.aws`, ...) and
  key-like files (`.env`, `id_rsa`, `*.pem`), unless a configured root lies inside such a folder on purpose.

Client roots: `roots/list` is deprecated in 2026-07-28 and has no back-channel there, so it is asked only on
handshake-era (<= 2025-11-25) connections whose client declares the `roots` capability; the answer is cached per
MCP session for `ROOTS_TTL` seconds (the `roots/list_changed` notification is not wired). On 2026-07-28 the
configured roots (or the stdio default) apply.

Checks happen on the resolved real path, so `..` and symlinks cannot step outside a root; the returned path is
that real path (open it, not the raw string).
"""

from __future__ import annotations

import contextlib
import difflib
import fnmatch
import logging
import os
import re
import socket
import sys
import tempfile
import time
import warnings
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Any
from urllib.parse import unquote

from botflix_mcp.errors import UserInputError
from botflix_mcp.settings import Settings

logger = logging.getLogger(__name__)

ROOTS_ENV = "BOTFLIX_MCP_ALLOWED_ROOTS"
#: How long a session's `roots/list` answer is reused, seconds.
ROOTS_TTL = 60.0
ROOTS_TIMEOUT = 10.0
_MAX_LISTING = 5000  # entries read from a folder for suggestions

#: Folders under the home folder that hold credentials; refused unless a configured root lies inside one.
SENSITIVE_HOME_DIRS: tuple[str, ...] = (
    ".ssh",
    ".gnupg",
    ".aws",
    ".azure",
    ".kube",
    ".docker",
    ".password-store",
    ".config/gcloud",
    ".config/gh",
    ".config/botflix-mcp",
)
#: File names that hold credentials wherever they are.
SENSITIVE_NAMES: tuple[str, ...] = (
    ".env",
    ".env.*",
    ".netrc",
    ".pgpass",
    ".git-credentials",
    ".npmrc",
    ".pypirc",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    "*.pem",
)

#: Longest file or folder name (bytes) the usual file systems take, and the longest whole path (Linux PATH_MAX).
#: Past them the OS answers ENAMETOOLONG; the path is refused first, with a message saying which part is too long.
NAME_MAX = 255
PATH_MAX = 4096

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:([\\/]|$)")
_WINDOWS_UNC = re.compile(r"^\\\\[^\\]+\\")


class PathRefused(UserInputError):
    """A local path that cannot be used (outside the roots, missing, unreadable, another machine...)."""


@dataclass(frozen=True)
class AllowedRoots:
    """The folders a path must lie in, and where they came from (for messages)."""

    dirs: tuple[Path, ...]
    source: str  # "client", "configured", "client+configured", "client within configured", "default", "none"
    over_http: bool
    explicit: tuple[Path, ...] = ()  # configured roots (they may lie inside a sensitive folder on purpose)

    def describe(self) -> str:
        if not self.dirs:
            return "none"
        shown = ", ".join(str(d) for d in self.dirs[:6])
        more = f" and {len(self.dirs) - 6} more" if len(self.dirs) > 6 else ""
        return f"{shown}{more} ({self.source})"


# --------------------------------------------------------------------------- parsing


def _is_windows_path(text: str) -> bool:
    return bool(_WINDOWS_DRIVE.match(text) or _WINDOWS_UNC.match(text))


def _wsl_hint(text: str) -> str:
    win = PureWindowsPath(text)
    if win.drive and len(win.drive) == 2:
        rest = "/".join(win.parts[1:])
        return f" If the file is on this machine's Windows side under WSL, it is /mnt/{win.drive[0].lower()}/{rest}."
    return ""


def _windows_elsewhere(text: str) -> PathRefused:
    host = socket.gethostname()
    return PathRefused(
        f"{text!r} is a Windows path, but this server runs on {sys.platform} (host {host}) and can only open "
        f"files on its own machine.{_wsl_hint(text)}",
        "Give the path of the file on the server's machine (or copy the file there first).",
    )


def _from_file_uri(raw: str) -> str:
    """`file:///p`, `file://localhost/p`, `file:/p` -> `/p` (percent-decoded). `?` and `#` stay part of the name:
    models often write file URIs without encoding them, and a local file URI has no use for a query or fragment."""
    rest = raw[len("file:") :]
    host = ""
    if rest.startswith("//"):
        host, slash, rest = rest[2:].partition("/")
        rest = slash + rest
    if host.lower() not in ("", "localhost", "127.0.0.1"):
        raise PathRefused(
            f"The file URI {raw!r} names the host {host!r}; this server only opens files on its own machine.",
            "Use file:///absolute/path (no host) for a file on the server's machine.",
        )
    path = unquote(rest)
    if re.match(r"^/[A-Za-z]:([\\/]|$)", path):  # file:///C:/Users/...
        path = path[1:]
    return path


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_lengths(path: Path) -> None:
    """Refuse a path the OS cannot name (ENAMETOOLONG, or characters it cannot encode) before touching the disk."""
    try:
        encoded = os.fsencode(path)
        parts = [(part, len(os.fsencode(part))) for part in path.parts]
    except UnicodeError:
        raise PathRefused(
            "The path contains characters this system cannot use in a file name.", "Give the path as plain text."
        ) from None
    for part, size in parts:
        if size > NAME_MAX:
            raise PathRefused(
                f"One part of the path, {_short(part)!r}, is {size} bytes long; file and folder names are at most "
                f"{NAME_MAX} bytes.",
                "Check the path (it may be text pasted in the wrong argument) or use a shorter file name.",
            )
    if len(encoded) > PATH_MAX:
        raise PathRefused(
            f"The path is {len(encoded)} bytes long; this system takes at most {PATH_MAX}.", "Use a shorter path."
        )


def parse_local_path(raw: str) -> Path:
    """The raw argument as an absolute (not yet resolved) path of this machine, or `PathRefused`.

    Relative paths are returned as given (`Path`, not absolute): the caller decides what they are relative to.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise PathRefused("The path is empty.", "Give the absolute path of the file, e.g. /home/me/video.mp4.")
    text = raw.strip()
    if "\x00" in text:
        raise PathRefused("The path contains a NUL character.", "Give a plain file path.")
    if text.lower().startswith("file:"):
        text = _from_file_uri(text)
    if _is_windows_path(text):
        if os.name != "nt":
            raise _windows_elsewhere(text)
        return Path(text)
    if text.startswith("~"):
        expanded = os.path.expanduser(text)
        if expanded.startswith("~"):
            raise PathRefused(f"Cannot expand {text!r}: no such user on this machine.", "Give an absolute path.")
        text = expanded
    path = Path(text)
    check_lengths(path)
    return path


# --------------------------------------------------------------------------- roots


def _real(path: Path | str) -> Path:
    return Path(os.path.realpath(os.fspath(path)))


def _within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _dedupe(dirs: Iterable[Path]) -> tuple[Path, ...]:
    """Unique, and without dirs already covered by another dir in the list."""
    unique = list(dict.fromkeys(dirs))
    return tuple(d for d in unique if not any(o != d and _within(d, o) for o in unique))


def default_user_roots() -> tuple[Path, ...]:
    """The user's own files over stdio when nothing is configured: the home folder and the temp folder."""
    out: list[Path] = []
    with contextlib.suppress(RuntimeError, KeyError):  # no HOME and no passwd entry
        out.append(_real(Path.home()))
    out.append(_real(tempfile.gettempdir()))
    return _dedupe(d for d in out if d != Path(d.anchor))  # never the whole filesystem


def _over_http(ctx: Any, settings: Settings) -> bool:
    if settings.transport == "http":
        return True
    if ctx is None:
        return False
    try:
        return ctx.headers is not None
    except Exception:  # outside a request
        return False


def _roots_from_uris(uris: Iterable[str]) -> tuple[Path, ...]:
    dirs: list[Path] = []
    for uri in uris:
        try:
            path = parse_local_path(uri)
        except PathRefused:
            logger.debug("ignoring a client root that is not on this machine")
            continue
        if path.is_absolute():
            dirs.append(_real(path))
    return _dedupe(dirs)


class ClientRootsCache(dict[str, tuple[float, tuple[Path, ...] | None]]):
    """MCP session -> (when, the client's roots): one store per process (on the App), else per server object."""


def _cache_of(ctx: Any) -> dict[str, tuple[float, tuple[Path, ...] | None]]:
    """Per-server cache (on the App, else on the server object), so two servers in one process never share it."""
    try:
        state = ctx.request_context.lifespan_context.state
    except Exception:
        state = None
    if state is not None:
        return state(ClientRootsCache)
    try:
        return _by_server.setdefault(ctx.mcp_server, ClientRootsCache())
    except Exception:
        return ClientRootsCache()


_by_server: weakref.WeakKeyDictionary[Any, ClientRootsCache] = weakref.WeakKeyDictionary()


def _handshake_era(ctx: Any) -> bool:
    from mcp_types.version import is_version_at_least

    version = ctx.protocol_version
    return version is not None and not is_version_at_least(version, "2026-07-28")


async def client_roots(ctx: Any) -> tuple[Path, ...] | None:
    """The folders the client offers over `roots/list` (handshake era, capability declared), else None."""
    if ctx is None:
        return None
    try:
        caps = ctx.client_capabilities
        if caps is None or caps.roots is None or not _handshake_era(ctx):
            return None
    except Exception:  # no request context
        return None
    from botflix_mcp.credentials import session_key

    key = session_key(ctx)
    cache = _cache_of(ctx) if key is not None else {}
    hit = cache.get(key or "")
    now = time.monotonic()
    if hit is not None and now - hit[0] < ROOTS_TTL:
        return hit[1]
    import anyio
    from mcp import MCPDeprecationWarning

    roots: tuple[Path, ...] | None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MCPDeprecationWarning)  # deprecated in 2026-07-28, real on 2025 clients
            with anyio.fail_after(ROOTS_TIMEOUT):
                result = await ctx.session.list_roots()
        roots = _roots_from_uris(str(r.uri) for r in result.roots) or None
    except Exception as exc:  # a client that fails roots/list is treated as offering none
        logger.warning("roots/list failed (%s); using the configured roots", type(exc).__name__)
        roots = None
    if key is not None:
        cache[key] = (now, roots)
    return roots


def _intersect(client: tuple[Path, ...], configured: tuple[Path, ...]) -> tuple[Path, ...]:
    out: list[Path] = []
    for a in client:
        for b in configured:
            if _within(a, b):
                out.append(a)
            elif _within(b, a):
                out.append(b)
    return _dedupe(out)


async def allowed_roots(ctx: Any, settings: Settings) -> AllowedRoots:
    """The roots that apply to this request (see the module docstring)."""
    over_http = _over_http(ctx, settings)
    configured = _dedupe(_real(p) for p in settings.allowed_roots)
    offered = await client_roots(ctx)
    if over_http:
        if not configured:
            return AllowedRoots((), "none", True)
        if offered:
            return AllowedRoots(_intersect(offered, configured), "client within configured", True, configured)
        return AllowedRoots(configured, "configured", True, configured)
    if offered and configured:
        return AllowedRoots(_dedupe((*offered, *configured)), "client+configured", False, configured)
    if offered:
        return AllowedRoots(offered, "client", False)
    if configured:
        return AllowedRoots(configured, "configured", False, configured)
    return AllowedRoots(default_user_roots(), "default", False)


# --------------------------------------------------------------------------- checks


def sensitive_reason(path: Path, roots: AllowedRoots) -> str | None:
    """Why `path` (resolved) holds credentials and is never read or written, else None."""
    for pattern in SENSITIVE_NAMES:
        if fnmatch.fnmatch(path.name, pattern):
            return f"files named like {pattern!r} hold credentials"
    try:
        home = _real(Path.home())
    except (RuntimeError, KeyError):
        return None
    for rel in SENSITIVE_HOME_DIRS:
        zone = home / rel
        if _within(path, zone) and not any(_within(root, zone) for root in roots.explicit):
            return f"~/{rel} holds credentials"
    return None


def _refuse_outside(shown: str, real: Path, roots: AllowedRoots) -> PathRefused:
    if not roots.dirs:
        if roots.over_http and roots.source == "none":
            return PathRefused(
                f"{shown}: this server runs over HTTP and no local folders are allowed until the operator sets "
                f"{ROOTS_ENV} (a shared server never exposes its files by default).",
                f"Ask the server's operator to set {ROOTS_ENV} to the folders tools may use.",
            )
        return PathRefused(
            f"{shown}: the folders the client offers (its roots) and {ROOTS_ENV} do not overlap, so no local "
            "folder is allowed.",
            f"Offer a root inside {ROOTS_ENV} in the client, or widen {ROOTS_ENV}.",
        )
    moved = f" (it resolves to {real})" if str(real) != shown else ""
    hint = (
        f"add its folder to {ROOTS_ENV}"
        if roots.source in ("default", "configured")
        else "offer its folder as a root in the client (or, over stdio, add it to " + ROOTS_ENV + ")"
    )
    if roots.over_http:
        hint = f"ask the server's operator to add its folder to {ROOTS_ENV}"
    return PathRefused(
        f"{shown}{moved} is outside the allowed folders: {roots.describe()}.",
        f"Use a file inside one of them, or {hint}.",
    )


def _suggestions(missing: Path, roots: AllowedRoots) -> tuple[str, list[Path]]:
    """(what is missing, close matches) for a path that does not exist, looking only inside allowed folders."""
    target = missing
    parent = missing.parent
    while not parent.exists() and parent != parent.parent:  # walk up to the nearest existing folder
        target, parent = parent, parent.parent
    what = "file" if target == missing else f"folder {target}"
    if not parent.is_dir() or not any(_within(parent, r) for r in roots.dirs):
        return what, []
    try:
        with os.scandir(parent) as entries:
            names = [e.name for _, e in zip(range(_MAX_LISTING), entries, strict=False)]
    except OSError:
        return what, []
    lowered = {n.lower(): n for n in names}
    close = difflib.get_close_matches(target.name, names, n=3, cutoff=0.6)
    exact_case = lowered.get(target.name.lower())
    if exact_case and exact_case not in close:
        close.insert(0, exact_case)
    if len(close) < 3:  # same stem, other extension (video.mov for video.mp4)
        stem = target.stem.lower()
        close += [n for n in names if Path(n).stem.lower() == stem and n not in close][: 3 - len(close)]
    found = [parent / n for n in close[:3]]
    return what, [p for p in found if sensitive_reason(_real(p), roots) is None]


def _missing(shown: str, real: Path, roots: AllowedRoots) -> PathRefused:
    what, close = _suggestions(real, roots)
    where = "" if what == "file" else f" (the {what} does not exist)"
    if close:
        listed = ", ".join(str(p) for p in close)
        return PathRefused(
            f"No such file: {shown}{where}. Close matches: {listed}.",
            "Use one of the close matches if it is the file the user meant, or ask the user for the exact path.",
        )
    return PathRefused(
        f"No such file: {shown}{where}, and nothing with a similar name in that folder.",
        "Ask the user for the exact path (an absolute path or a file:// URI).",
    )


async def resolve_local_path(
    raw: str,
    *,
    ctx: Any,
    settings: Settings,
    must_exist: bool = True,
    for_write: bool = False,
    allow_dir: bool = False,
) -> Path:
    """Resolve a user/model-supplied local path and confine it to the allowed roots.

    Returns the real path (symlinks resolved). Raises `PathRefused` (a `UserInputError`, so tools show it as
    "Invalid input: ... Next step: ...") saying why. `must_exist=False` allows a path that does not exist yet
    (its folder must); `for_write=True` also requires a writable folder and refuses existing folders;
    `allow_dir=True` accepts a directory where a file is expected. Nothing on disk is changed.
    """
    path = parse_local_path(raw)
    shown = str(raw).strip()
    roots = await allowed_roots(ctx, settings)
    if not path.is_absolute():
        explicit = roots.dirs if roots.source != "default" else ()
        if len(explicit) != 1:
            raise PathRefused(
                f"{shown!r} is a relative path, and this server cannot tell what it is relative to.",
                "Give an absolute path (e.g. /home/me/videos/clip.mp4), a ~/ path or a file:// URI.",
            )
        path = explicit[0] / path
        check_lengths(path)
    try:
        return _confine(path, shown, roots, must_exist=must_exist, for_write=for_write, allow_dir=allow_dir)
    except OSError as exc:  # whatever the OS still refuses (e.g. a symlink whose target is too long)
        reason = exc.strerror or type(exc).__name__
        raise PathRefused(f"{_short(shown, 200)} cannot be used: {reason}.", "Check the path.") from None


def _confine(
    path: Path, shown: str, roots: AllowedRoots, *, must_exist: bool, for_write: bool, allow_dir: bool
) -> Path:
    """The real path of `path` if it lies in the roots and fits the flags (see `resolve_local_path`)."""
    real = _real(path)
    if not any(_within(real, root) for root in roots.dirs):
        raise _refuse_outside(shown, real, roots)
    reason = sensitive_reason(real, roots)
    if reason is not None:
        raise PathRefused(f"{shown} is refused: {reason}, and botflix-mcp never reads or writes them.", None)
    exists = real.exists()
    if must_exist and not exists:
        raise _missing(shown, real, roots)
    if exists and real.is_dir() and not allow_dir:
        raise PathRefused(f"{shown} is a folder, not a file.", "Give the path of a file inside it.")
    if exists and not real.is_dir() and not real.is_file():
        raise PathRefused(f"{shown} is not a regular file (a device, socket or pipe).", "Give a regular file.")
    if for_write:
        folder = real if real.is_dir() else real.parent
        if not folder.is_dir():
            raise _missing(shown, real, roots)
        if not os.access(folder if not exists else real, os.W_OK):
            raise PathRefused(f"{shown} is not writable by the server's user.", "Choose a writable folder.")
    elif exists and not os.access(real, os.R_OK):
        raise PathRefused(f"{shown} is not readable by the server's user.", "Check the file's permissions.")
    return real
