"""Tool schemas kept between starts, and argument models built on a tool's first call (issue 11: start-up).

Registering a tool through the SDK (`Tool.from_function`) builds a pydantic argument model, its JSON schema and
the output schema: about 7 ms a tool, a quarter of a second for our 35 at every start, and ~10 MB of models most
sessions never use. What a client sees of a tool (`inputSchema`, `outputSchema`) only depends on our code and the
installed `mcp`/`pydantic`, so it is kept the way Python keeps bytecode:

- **Cold** (first start after an install, an upgrade or any edit of the package): each tool is registered by the
  SDK's own `add_tool`, exactly as before; the schemas it produced (after the toolkit's slimming) are written to
  `<cache dir>/tool-schemas-<fingerprint>.json`.
- **Warm**: each tool is built as a `VoicedTool` (botflix_mcp/toolkit.py) straight from those schemas; its
  argument model (`fn_metadata`, what validates a call's arguments and converts its result) is built by the SDK's own
  `func_metadata` on the tool's first call, from the same function, so a call is validated exactly as before.

- **Deferred modules** (warm, same settings): a tool module's import (its API layer, rules, templates, the upload
  engine: ~40 ms for all of them, most of a start's own cost) waits until one of its tools is first called. The
  start registers what the module registered last time with these settings (`modules`: name, title,
  description, annotations, `_meta`, keyed by `settings_digest`, every setting but secrets, which count only as
  set or not); the tool's handler is a `DeferredHandler` that imports the module and runs its `register` against
  a collecting toolkit on that first call. Any doubt (other settings, a tool the cache lacks, a tool that cannot be
  cached) imports the module at start as before.

The fingerprint covers what the schemas depend on: every `.py` file of this package (path, size, mtime, as
bytecode caching does), the files of the SDK and pydantic that generate them, and the Python version; each tool's
entry is also keyed by its handler's name and signature (so a default taken from a setting cannot go stale).
Any miss, unreadable file or unwritable directory falls back to the SDK's path; nothing fails because of the cache.
`BOTFLIX_MCP_SCHEMA_CACHE=0` turns it off. `tests/test_tool_schemas.py` checks that a warm server lists and
validates byte for byte like a cold one.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcp.server.mcpserver.prompts.base import Prompt
from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.func_metadata import FuncMetadata, func_metadata

from botflix_mcp.cache import atomic_write_json

logger = logging.getLogger(__name__)

FORMAT = 2
KEEP_FILES = 4  # fingerprints kept side by side (several installs sharing one cache directory)
KEEP_CONFIGS = 4  # settings digests whose module listings are kept side by side (several clients, one install)
_fingerprint: str | None = None


def _tree_stats(root: Path) -> list[str]:
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                st = os.stat(os.path.join(dirpath, name))
                out.append(f"{os.path.relpath(os.path.join(dirpath, name), root)}:{st.st_size}:{st.st_mtime_ns}")
    return out


def fingerprint() -> str:
    """What every cached schema depends on (computed once a process: ~100 `stat` calls)."""
    global _fingerprint
    if _fingerprint is None:
        import mcp.server.mcpserver.tools.base as tool_base
        import mcp.server.mcpserver.utilities.func_metadata as fm
        import pydantic
        import pydantic.json_schema as pjs

        parts = [f"format {FORMAT}", sys.version, pydantic.VERSION]
        package = Path(__file__).resolve().parent
        parts += _tree_stats(package)
        for module in (tool_base, fm, pjs):
            path = Path(module.__file__ or "")
            st = path.stat()
            parts.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
        _fingerprint = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]
    return _fingerprint


def signature_key(fn: Callable[..., Any]) -> str | None:
    """The tool function's name and signature as written (annotations unevaluated: the names they use are the
    package's, covered by the fingerprint; defaults are values, so a setting passed as a default is covered too).
    None when it cannot be read or differs every start (a default whose repr is an address)."""
    try:
        target = inspect.unwrap(fn)
        text = f"{target.__module__}.{target.__qualname__}{inspect.signature(fn)}"
    except (TypeError, ValueError):
        return None
    if " at 0x" in text:
        return None
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class SchemaCache:
    """One JSON file for the current fingerprint: `tools` (`{tool name: {key, parameters, output}}`) and `modules`
    (`{settings digest: {module: [what each of its tools was registered with]}}`, for deferred modules)."""

    def __init__(self, directory: Path | None) -> None:
        self.entries: dict[str, dict[str, Any]] = {}
        self.modules: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self.prompts: dict[str, dict[str, Any]] = {}
        self.dirty = False
        self.path: Path | None = None
        if directory is None:
            return
        try:
            self.path = directory / f"tool-schemas-{fingerprint()}.json"
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("tools"), dict):
                self.entries = data["tools"]
                if isinstance(data.get("modules"), dict):
                    self.modules = data["modules"]
                if isinstance(data.get("prompts"), dict):
                    self.prompts = data["prompts"]
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as exc:
            logger.debug("tool schema cache unreadable (%s): building the schemas", type(exc).__name__)

    def get(self, name: str, key: str | None) -> CachedTool | None:
        entry = self.entries.get(name)
        if key is None or not isinstance(entry, dict) or entry.get("key") != key:
            return None
        parameters, output, context = entry.get("parameters"), entry.get("output"), entry.get("context_kwarg")
        if (
            not isinstance(parameters, dict)
            or not (output is None or isinstance(output, dict))
            or not (context is None or isinstance(context, str))
        ):
            return None
        return CachedTool(parameters, output, context)

    def put(self, name: str, key: str | None, tool: Tool) -> None:
        """Keep what the SDK built for a plain async tool (resolvers and sync functions are always built live)."""
        if key is None or tool.resolved_params or not tool.is_async:
            return
        self.entries[name] = {
            "key": key,
            "parameters": tool.parameters,
            "output": tool.output_schema,
            "context_kwarg": tool.context_kwarg,
        }
        self.dirty = True

    def module(self, digest: str, module: str) -> list[tuple[dict[str, Any], CachedTool]] | None:
        """What `module` registered at the last start with these settings, each tool with its cached schemas; None
        unless every one of them is complete (then the module is imported and registered as usual)."""
        listed = (self.modules.get(digest) or {}).get(module)
        if not isinstance(listed, list):
            return None
        out: list[tuple[dict[str, Any], CachedTool]] = []
        for entry in listed:
            if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in _MODULE_STRINGS):
                return None
            if not isinstance(entry.get("annotations"), dict) or not isinstance(entry.get("meta"), dict | None):
                return None
            cached = self.get(entry["name"], entry["key"])
            if cached is None:
                return None
            out.append((entry, cached))
        return out

    def put_module(self, digest: str, module: str, listed: list[dict[str, Any]]) -> None:
        configs = self.modules.setdefault(digest, {})
        if configs.get(module) == listed:
            return
        configs[module] = listed
        while len(self.modules) > KEEP_CONFIGS:  # oldest settings first (dicts keep insertion order)
            del self.modules[next(iter(self.modules))]
        self.dirty = True

    def prompt(self, name: str, key: str | None) -> tuple[list[dict[str, Any]], str | None] | None:
        """A prompt's arguments (as `Prompt.from_function` derived them) and context parameter, or None."""
        entry = self.prompts.get(name)
        if key is None or not isinstance(entry, dict) or entry.get("key") != key:
            return None
        arguments, context = entry.get("arguments"), entry.get("context_kwarg")
        if not isinstance(arguments, list) or not all(isinstance(a, dict) for a in arguments):
            return None
        return arguments, context if isinstance(context, str) else None

    def put_prompt(self, name: str, key: str | None, prompt: Prompt) -> None:
        if key is None:
            return
        arguments = [a.model_dump(mode="json") for a in prompt.arguments or []]
        self.prompts[name] = {"key": key, "arguments": arguments, "context_kwarg": prompt.context_kwarg}
        self.dirty = True

    def save(self) -> None:
        if not self.dirty or self.path is None:
            return
        try:
            data = {"format": FORMAT, "tools": self.entries, "modules": self.modules, "prompts": self.prompts}
            atomic_write_json(self.path, data)
            self.dirty = False
            olds = sorted(self.path.parent.glob("tool-schemas-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in olds[KEEP_FILES:]:
                old.unlink(missing_ok=True)
        except OSError as exc:
            logger.debug("tool schema cache not written (%s)", type(exc).__name__)


_MODULE_STRINGS = ("name", "key", "toolset", "title", "description")


@dataclass(frozen=True)
class CachedTool:
    parameters: dict[str, Any]
    output: dict[str, Any] | None
    context_kwarg: str | None

    def fields(self) -> dict[str, Any]:
        """What `Tool.from_function` sets besides name, title, description, annotations and meta (no resolvers:
        a tool with resolvers is never cached); `fn_metadata` is left out, built on first use."""
        return {
            "parameters": self.parameters,
            "is_async": True,
            "context_kwarg": self.context_kwarg,
            "resolved_params": {},
            "resolver_plans": {},
            "icons": None,
        }


class LazyValidated:
    """`pydantic.validate_call(fn)`, built on the first call: what `Prompt.from_function` wraps a prompt's function
    in (a warm start registers prompts from cached arguments, botflix_mcp/toolkit.py `Toolkit.prompt`)."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        functools.update_wrapper(self, fn)
        self._fn = fn
        self._validated: Callable[..., Any] | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._validated is None:
            from pydantic import validate_call

            self._validated = validate_call(self._fn)
        return self._validated(*args, **kwargs)


def build_fn_metadata(tool: Tool) -> FuncMetadata:
    """The SDK's argument model for a tool, as `Tool.from_function` builds it."""
    skip = [tool.context_kwarg] if tool.context_kwarg is not None else []
    return func_metadata(tool.fn, skip_names=skip)
