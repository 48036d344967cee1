"""Tool registration with the house rules built in.

`Toolkit.tool(...)` registers a handler only when its toolset is enabled (and, in read-only mode, only when it
is read-only), always sets all four annotations, and wraps the handler so that every failure reaches the model as
a readable `ToolError` with a next step (never the SDK's bare "Error executing tool").

Arguments the SDK refuses before the handler runs (wrong type, unknown enum value, out of range, too long) get the
same voice (issue 10 §1): `VoicedTool` replaces pydantic's dump (which echoes the input, secrets included, and
links to errors.pydantic.dev) with one sentence per argument saying what is allowed, read off the tool's own input
schema. Surrounding whitespace of secret arguments (a pasted key ending in a newline) is trimmed, not refused.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import importlib
import inspect
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.prompts.base import Prompt, PromptArgument
from mcp.server.mcpserver.tools import Tool
from mcp.shared.tool_name_validation import validate_and_warn_tool_name
from mcp.types import ToolAnnotations
from pydantic import ValidationError

from botflix_mcp.apps import ui_meta
from botflix_mcp.cache import default_cache_dir
from botflix_mcp.errors import NOTHING_SENT, ApiError, UserInputError, with_nothing_sent
from botflix_mcp.logs import redact
from botflix_mcp.results import ToolOutput
from botflix_mcp.settings import SPECS, Settings
from botflix_mcp.tool_schemas import LazyValidated, SchemaCache, build_fn_metadata, signature_key

if TYPE_CHECKING:
    from mcp.server.mcpserver.context import Context

    from botflix_mcp.app import App

logger = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])


def translate_errors(name: str, fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Turn every exception into a `ToolError` the model can act on."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from botflix_mcp.credentials import add_reminder, begin_call, end_call, reminder_text

        notes, token = begin_call()  # credentials.require_aioz notes here when it collected keys in this call
        try:
            return add_reminder(await translated(*args, **kwargs), notes)
        except ToolError as exc:
            if notes.collected:  # the keys were collected, then the tool failed: still remind the user
                raise ToolError(f"{exc}\n\n{reminder_text(notes)}") from None
            raise
        finally:
            end_call(token)

    async def translated(*args: P.args, **kwargs: P.kwargs) -> R:
        from botflix_mcp.credentials import InputRequired

        try:
            return await fn(*args, **kwargs)
        except anyio.get_cancelled_exc_class():
            raise
        except InputRequired as exc:  # 2026-07-28: this round asks the client for input; the call is retried
            return exc.result  # type: ignore[return-value]
        except ToolError as exc:
            raise ToolError(redact(str(exc))) from None
        except UserInputError as exc:
            raise ToolError(redact(exc.for_model())) from None
        except ApiError as exc:
            raise ToolError(exc.for_model()) from None
        except ValidationError as exc:
            problems = "; ".join(  # pydantic's message only (never its input echo or URL)
                f"`{'.'.join(str(p) for p in e['loc']) or 'input'}`: {e['msg'].removeprefix('Value error, ')}"
                for e in exc.errors(include_url=False, include_input=False)[:8]
            )
            raise ToolError(
                redact(f"Invalid input: {problems}. {NOTHING_SENT} Next step: correct these and call {name} again.")
            ) from None
        except Exception as exc:
            if type(exc).__name__ == "RuleViolation":  # aioz.rules; imported lazily to keep start-up cheap
                raise ToolError(redact(with_nothing_sent(f"Invalid input: {exc}"))) from None
            logger.exception("tool %s failed", name)
            raise ToolError(
                redact(
                    f"Internal error in {name}: {type(exc).__name__}: {exc}. This is a bug in botflix-mcp, not "
                    "in your input; retrying will likely fail the same way."
                )
            ) from None

    return wrapper


#: The shared ToolOutput's schema, written compactly once (it is repeated on every tool in tools/list). The
#: Markdown answer is the text block only; structured content carries the data, never a copy of the text.
OUTPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "data": {},
        "warnings": {"type": "array", "items": {"type": "string"}},
        "page": {"type": ["object", "null"]},
    },
}


def slim_input_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop pydantic's generated titles and write `anyOf: [X, null]` with default null as plain X.

    Pydantic still validates the arguments (null stays accepted); only the advertised schema gets shorter.
    """

    def fix(node: Any) -> None:
        if not isinstance(node, dict):
            return
        node.pop("title", None)
        options = node.get("anyOf")
        if isinstance(options, list) and len(options) == 2 and {"type": "null"} in options and "default" in node:
            other = next(o for o in options if o != {"type": "null"})
            if node["default"] is None and "$ref" not in other:
                del node["anyOf"], node["default"]
                for key, value in other.items():
                    node.setdefault(key, value)
        for child in node.get("properties", {}).values():
            fix(child)
        fix(node.get("items"))

    schema.pop("title", None)
    for child in schema.get("properties", {}).values():
        fix(child)
    for definition in schema.get("$defs", {}).values():
        fix(definition)
    return schema


# --------------------------------------------------------------------------- argument errors in our voice

#: Argument names whose values are secrets: never echoed, surrounding whitespace trimmed. A tool can also declare
#: a secret argument itself (`SecretStr`/`format: password`, or `writeOnly` in its input schema).
_SECRET_NAME = re.compile(r"(?i)(secret|token|password|passw|passphrase|credential|private|(^|_)(api_)?key$)")
_ECHO_MAX = 40  # longer values are described (type, length), not repeated
_PLAIN_NAME = re.compile(r"^[A-Za-z_][\w.-]{0,39}$")  # argument names shown back (anything else is not repeated)

#: Patterns of the tools' schemas, said in words (anything else is quoted as a regular expression).
_PATTERN_WORDS = {
    r"^\S+$": "without spaces or line breaks",
    r"^[\w-]{1,100}$": "of 1-100 letters, digits, '_' or '-'",
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$": (
        "that is a UUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6"
    ),
}


def is_secret_argument(name: str, schema: Mapping[str, Any] | None = None) -> bool:
    """Whether an argument holds a secret, by its name or by the tool's own declaration in its input schema."""
    if _SECRET_NAME.search(name):
        return True
    node = schema or {}
    return bool(node.get("writeOnly")) or node.get("format") == "password"


def _resolve(schema: Mapping[str, Any], node: Any) -> dict[str, Any]:
    """`node` with a local `$ref` followed (one level is all pydantic emits for tool arguments)."""
    if not isinstance(node, dict):
        return {}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = schema.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {})
        return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else f"{value:g}"


def _allowed(schema: Mapping[str, Any], node: Any, depth: int = 0) -> str:
    """What a JSON-schema node accepts, in words ("an integer from 1 to 100", "one of `a`, `b`")."""
    node = _resolve(schema, node)
    if depth > 3 or not node:
        return "a value of the documented form"
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    if "const" in node:
        return f"exactly `{node['const']}`"
    options = node.get("anyOf") or node.get("oneOf")
    if isinstance(options, list):
        words = [_allowed(schema, o, depth + 1) for o in options if o != {"type": "null"}]
        text = " or ".join(dict.fromkeys(words))
        return f"{text} (or null)" if {"type": "null"} in options else text
    kind = node.get("type")
    if isinstance(kind, list):
        return " or ".join(_allowed(schema, {**node, "type": k}, depth + 1) for k in kind if k != "null")
    if kind in ("integer", "number"):
        noun = "an integer" if kind == "integer" else "a number"
        low = (
            (f"> {_number(node['exclusiveMinimum'])}", node["exclusiveMinimum"])
            if "exclusiveMinimum" in node
            else (f"≥ {_number(node['minimum'])}", node["minimum"])
            if "minimum" in node
            else None
        )
        high = (
            (f"< {_number(node['exclusiveMaximum'])}", node["exclusiveMaximum"])
            if "exclusiveMaximum" in node
            else (f"≤ {_number(node['maximum'])}", node["maximum"])
            if "maximum" in node
            else None
        )
        if low and high and "minimum" in node and "maximum" in node:
            return f"{noun} from {_number(node['minimum'])} to {_number(node['maximum'])}"
        bounds = [b[0] for b in (low, high) if b]
        return f"{noun} {' and '.join(bounds)}" if bounds else noun
    if kind == "string":
        parts = ["a string"]
        low, high = node.get("minLength"), node.get("maxLength")
        if node.get("pattern") in _PATTERN_WORDS:  # the words of a known pattern already say its length
            low = high = None
        if low and high:
            parts.append(f"of {_number(low)}-{_number(high)} characters")
        elif high:
            parts.append(f"of at most {_number(high)} characters")
        elif low:
            parts.append(f"of at least {_number(low)} characters")
        if "pattern" in node:
            parts.append(_PATTERN_WORDS.get(node["pattern"], f"matching `{node['pattern']}`"))
        return " ".join(parts)
    if kind == "boolean":
        return "true or false"
    if kind == "array":
        items = node.get("items")
        text = "a list"
        if "maxItems" in node:
            text += f" of at most {_number(node['maxItems'])} items"
        return f"{text}, each {_allowed(schema, items, depth + 1)}" if items else text
    if kind == "object":
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            return f"a JSON object whose values are each {_allowed(schema, extra, depth + 1)}"
        return "a JSON object"
    if kind == "null":
        return "null"
    return "a value of the documented form"


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return f"a string of {len(value):,} characters" if len(value) > _ECHO_MAX else "a string"
    if isinstance(value, list | tuple):
        return f"a list of {len(value):,} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, dict):
        return "a JSON object"
    return type(value).__name__


def _got(value: Any, secret: bool) -> str:
    """How the received value is named: short scalars of ordinary arguments quoted, everything else described."""
    if not secret and isinstance(value, str) and len(value) <= _ECHO_MAX and "\n" not in value:
        return json.dumps(value, ensure_ascii=False)
    if not secret and isinstance(value, int | float) and not isinstance(value, bool):
        return _number(value)
    if not secret and isinstance(value, bool):
        return "true" if value else "false"
    return _kind_of(value)


def _problem(kind: str) -> str:
    """pydantic's error type as a short clause (never pydantic's message, which may quote the input)."""
    if kind == "missing":
        return "is required"
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        return "is not an argument of this tool"
    if kind in ("enum", "literal_error"):
        return "is not an allowed value"
    if kind.startswith(("greater_than", "less_than")) or kind in ("finite_number", "int_from_float"):
        return "is out of range"
    if kind in ("string_too_long", "too_long"):
        return "is too long"
    if kind in ("string_too_short", "too_short"):
        return "is too short"
    if kind == "string_pattern_mismatch":
        return "does not have the required form"
    if kind.endswith(("_type", "_parsing")) or kind in ("union_tag_invalid", "model_attributes_type"):
        return "has the wrong type"
    return "is not valid"


def argument_error_text(
    tool: str, schema: Mapping[str, Any], exc: ValidationError, arguments: Mapping[str, Any]
) -> str:
    """The SDK's argument ValidationError as the handlers would say it: one clause per argument, no input echo."""
    properties: dict[str, Any] = schema.get("properties", {}) or {}
    lines: list[str] = []
    seen: set[str] = set()
    errors = exc.errors(include_url=False, include_context=False, include_input=False)
    for error in errors:
        loc = list(error.get("loc", ()))
        if not loc:
            continue
        name = str(loc[0])
        node: Any = properties.get(name)
        secret = is_secret_argument(name, _resolve(schema, node))
        value: Any = arguments.get(name)
        path = f"`{name}`"
        for part in loc[1:]:  # into list items and object members the schema knows; union branches stop it
            resolved = _resolve(schema, node)
            if isinstance(part, int) and resolved.get("type") == "array":
                node = resolved.get("items")
                path = f"{path[:-1]}[{part}]`"
                value = value[part] if isinstance(value, list) and part < len(value) else None
            elif isinstance(part, str) and part in resolved.get("properties", {}):
                node = resolved["properties"][part]
                path = f"{path[:-1]}.{part}`"
                value = value.get(part) if isinstance(value, dict) else None
            elif isinstance(part, str) and isinstance(resolved.get("additionalProperties"), dict):
                node = resolved["additionalProperties"]
                path = f"{path[:-1]}.{part}`"
                value = value.get(part) if isinstance(value, dict) else None
            else:
                break
        if path in seen or (path != f"`{name}`" and f"`{name}`" in seen):
            continue
        seen.add(path)
        kind = str(error.get("type", ""))
        allowed = _allowed(schema, node) if node is not None else ""
        if kind == "missing":
            lines.append(f"{path} is required" + (f": {allowed}." if allowed else "."))
        elif node is None and kind != "extra_forbidden":
            lines.append(f"{path} {_problem(kind)}.")
        elif kind == "extra_forbidden":
            lines.append(f"{path} is not an argument of this tool.")
        else:
            lines.append(f"{path} {_problem(kind)} (got {_got(value, secret)}); allowed: {allowed}.")
    if not lines:  # pragma: no cover - pydantic always names a location for argument errors
        lines.append("the arguments do not match the tool's input schema.")
    names = ", ".join(dict.fromkeys(line.split("`")[1].split("[")[0].split(".")[0] for line in lines if "`" in line))
    # The SDK ignores arguments it does not know; next to a refusal, a misspelt name is usually the cause.
    unknown = [k for k in arguments if k not in properties and _PLAIN_NAME.match(k)][:4]
    for key in unknown:
        close = difflib.get_close_matches(key, list(properties), n=1, cutoff=0.6)
        lines.append(f"`{key}` is not an argument of {tool}" + (f" (did you mean `{close[0]}`?)." if close else "."))
    shown = lines[:8] + ([f"(and {len(lines) - 8} more)"] if len(lines) > 8 else [])
    text = "Invalid arguments: " + " ".join(shown)
    return f"{text} {NOTHING_SENT} Next step: correct {names or 'the arguments'} as described and call {tool} again."


def trim_secret_arguments(schema: Mapping[str, Any], arguments: dict[str, Any]) -> dict[str, Any]:
    """Pasted keys often carry a newline or spaces around them: trim them rather than refuse the call."""
    properties: dict[str, Any] = schema.get("properties", {}) or {}
    trimmed = dict(arguments)
    for name, value in arguments.items():
        if isinstance(value, str) and value != value.strip() and is_secret_argument(name, properties.get(name)):
            trimmed[name] = value.strip()
    return trimmed


class VoicedTool(Tool):
    """The SDK's `Tool` with argument errors in the project's voice (issue 10 §1).

    Relies on `Tool.run` (mcp 2.3) raising a plain `ToolError` whose `__cause__` is the arguments'
    `ValidationError`; crashes (`UnexpectedToolError`) and the handler's own errors pass unchanged. The cause is
    kept, so the SDK logs only the failing field names (never the values).
    """

    if not TYPE_CHECKING:

        def __getattr__(self, item: str) -> Any:
            # A tool built from cached schemas (`botflix_mcp/tool_schemas.py`) gets its argument model on first use.
            if item == "fn_metadata":
                fn = self.__dict__.get("fn")
                if isinstance(fn, DeferredHandler):  # its module was not imported at start: import it now
                    self.__dict__["fn"] = fn.resolve()
                meta = build_fn_metadata(self)
                self.__dict__["fn_metadata"] = meta
                return meta
            return super().__getattr__(item)

    async def run(self, arguments: dict[str, Any], context: Context[Any, Any], convert_result: bool = False) -> Any:
        arguments = trim_secret_arguments(self.parameters, arguments)
        try:
            return await super().run(arguments, context, convert_result=convert_result)
        except UnexpectedToolError:
            raise
        except ToolError as exc:
            cause = exc.__cause__
            if not isinstance(cause, ValidationError):
                # The handler's own error (already in our voice): drop the SDK's "Error executing tool X: "
                # prefix, so the model reads one message that starts with what happened.
                raise ToolError(self._unprefixed(str(exc))) from cause
            text = argument_error_text(self.name, self.parameters, cause, arguments)
            raise ToolError(redact(text)) from cause

    def _unprefixed(self, text: str) -> str:
        prefix = f"Error executing tool {self.name}: "
        while text.startswith(prefix):
            text = text[len(prefix) :]
        return text


class DeferredHandler:
    """The handler of a tool whose module was not imported at start (a warm start, botflix_mcp/tool_schemas.py):
    `resolve()` imports the module, runs its `register` against a collecting toolkit and returns the same wrapped
    handler a cold start registers. Never called itself: `VoicedTool` resolves it before its first call."""

    def __init__(self, loader: _ModuleLoader, name: str, key: str) -> None:
        self.loader, self.name, self.key = loader, name, key

    def resolve(self) -> Callable[..., Awaitable[Any]]:
        fn = self.loader.handlers()[self.name]
        if signature_key(fn) != self.key:  # pragma: no cover - the fingerprint and settings digest rule it out
            logger.warning("tool %s changed since its schemas were cached: arguments follow the code", self.name)
        return fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - resolved before any call
        raise RuntimeError(f"tool {self.name} was called before its module was loaded")


class _ModuleLoader:
    def __init__(self, module: str, settings: Settings, app: App) -> None:
        self.module, self.settings, self.app = module, settings, app
        self._handlers: dict[str, Callable[..., Awaitable[Any]]] | None = None

    def handlers(self) -> dict[str, Callable[..., Awaitable[Any]]]:
        if self._handlers is None:
            collector = _Collector(self.settings)
            importlib.import_module(self.module).register(collector, self.app)
            self._handlers = collector.handlers
        return self._handlers


class Toolkit:
    def __init__(self, server: MCPServer, settings: Settings) -> None:
        self.server = server
        self.settings = settings
        self.registered: dict[str, str] = {}  # tool name -> toolset
        directory = (settings.cache_dir or default_cache_dir()) if settings.schema_cache else None
        self.schemas = SchemaCache(directory)
        self._digest = settings_digest(settings)
        self._listing: list[dict[str, Any]] | None = None  # what the module being registered registers

    def finish(self) -> None:
        """After the last tool: keep the schemas built in this start for the next one."""
        self.schemas.save()

    def add_module(self, module: str, app: App) -> None:
        """Register a tool module's tools: on a warm start from the cache, without importing the module (its
        imports are most of a start's own cost); else `module.register(self, app)`, remembered for the next start.
        """
        listed = self.schemas.module(self._digest, module)
        manager = self.server._tool_manager
        if listed is not None and not any(manager.get_tool(entry["name"]) for entry, _ in listed):
            loader = _ModuleLoader(module, self.settings, app)
            for entry, cached in listed:
                name = entry["name"]
                validate_and_warn_tool_name(name)
                tool = VoicedTool.model_construct(
                    fn=DeferredHandler(loader, name, entry["key"]),
                    name=name,
                    title=entry["title"],
                    description=entry["description"],
                    annotations=ToolAnnotations(**entry["annotations"]),
                    meta=entry["meta"],
                    **cached.fields(),
                )
                tool.__dict__["output_schema"] = cached.output  # `Tool.output_schema` is a cached_property
                manager._tools[name] = tool
                self.registered[name] = entry["toolset"]
            return
        self._listing = []
        try:
            importlib.import_module(module).register(self, app)
            listing = self._listing
        finally:
            self._listing = None
        if listing is not None and all(self.schemas.get(e["name"], e["key"]) for e in listing):
            self.schemas.put_module(self._digest, module, listing)

    def _register(self, fn: Callable[..., Any], *, name: str, toolset: str, **fields: Any) -> None:
        """`MCPServer.add_tool`, or the same tool from cached schemas (`botflix_mcp/tool_schemas.py`)."""
        manager = self.server._tool_manager
        key = signature_key(fn)
        if self._listing is not None:
            if key is None:
                self._listing = None  # a tool that cannot be cached: this module is always imported
            else:
                annotations = fields["annotations"].model_dump(mode="json", exclude_none=True)
                self._listing.append(
                    {"name": name, "key": key, "toolset": toolset, "title": fields["title"],
                     "description": fields["description"], "annotations": annotations, "meta": fields["meta"]}
                )  # fmt: skip
        cached = self.schemas.get(name, key)
        if cached is not None and inspect.iscoroutinefunction(fn) and manager.get_tool(name) is None:
            validate_and_warn_tool_name(name)
            lazy = VoicedTool.model_construct(fn=fn, name=name, **cached.fields(), **fields)
            lazy.__dict__["output_schema"] = cached.output  # `Tool.output_schema` is a cached_property
            manager._tools[name] = lazy
            return
        self.server.add_tool(fn, name=name, **fields)
        tool = manager.get_tool(name)
        if tool is None:  # pragma: no cover - add_tool always registers or keeps an existing tool
            return
        tool.__class__ = VoicedTool  # same fields; only `run` differs (argument errors in our voice)
        slim_input_schema(tool.parameters)  # tools/list budget (issue 3 §2): the same arguments in fewer bytes
        schema = tool.output_schema
        if schema is not None and tool.fn_metadata.output_model is ToolOutput:  # the shared ToolOutput
            schema.clear()
            schema.update(OUTPUT_SCHEMA)
        self.schemas.put(name, key, tool)

    def prompt(self, *, name: str, title: str) -> Callable[[F], F]:
        """`MCPServer.prompt`, with the arguments `Prompt.from_function` derives kept between starts like tool
        schemas (a warm start builds the same `Prompt`; pydantic's `validate_call` wrapper on the first render)."""

        def decorator(fn: F) -> F:
            key = signature_key(fn)
            cached = self.schemas.prompt(name, key)
            if cached is None:
                prompt = Prompt.from_function(fn, name=name, title=title)
                self.schemas.put_prompt(name, key, prompt)
            else:
                arguments, context_kwarg = cached
                prompt = Prompt.model_construct(
                    name=name,
                    title=title,
                    description=fn.__doc__ or "",
                    arguments=[PromptArgument(**argument) for argument in arguments],
                    fn=LazyValidated(fn),
                    icons=None,
                    context_kwarg=context_kwarg,
                )
            self.server.add_prompt(prompt)
            return fn

        return decorator

    def enabled(self, toolset: str) -> bool:
        return toolset in self.settings.toolsets

    def tool(
        self,
        *,
        name: str,
        title: str,
        toolset: str,
        read_only: bool,
        destructive: bool = False,
        idempotent: bool = False,
        open_world: bool = True,
        description: str | None = None,
        ui: str | None = None,
        visibility: Sequence[str] | None = None,
    ) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
        """Register an async handler. Read-only tools are never destructive and always idempotent.

        `ui` binds the tool to an MCP App (`_meta.ui.resourceUri`, botflix_mcp/apps); `visibility=["app"]` makes it
        an app-only tool, never listed to a client without the extension (`apps.install`)."""

        def decorator(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
            if not self.enabled(toolset) or (self.settings.read_only and not read_only):
                return fn
            annotations = ToolAnnotations(  # the title lives on the tool itself; not repeated here
                read_only_hint=read_only,
                destructive_hint=False if read_only else destructive,
                idempotent_hint=True if read_only else idempotent,
                open_world_hint=open_world,
            )
            self._register(
                translate_errors(name, fn),
                name=name,
                toolset=toolset,
                title=title,
                description=description or inspect.cleandoc(fn.__doc__ or ""),
                annotations=annotations,
                meta=ui_meta(ui, visibility) if ui else None,
            )
            self.registered[name] = toolset
            return fn

        return decorator


class _Collector(Toolkit):
    """A toolkit that only collects the wrapped handlers a module's `register` would register (same filters)."""

    def __init__(self, settings: Settings) -> None:  # no server, no cache
        self.settings = settings
        self.registered = {}
        self.handlers: dict[str, Callable[..., Awaitable[Any]]] = {}

    def _register(self, fn: Callable[..., Any], *, name: str, toolset: str, **fields: Any) -> None:
        self.handlers[name] = fn


def settings_digest(settings: Settings) -> str:
    """What a module's registration may depend on besides the code: every setting (a secret only as set or not;
    its value is never written anywhere)."""
    parts = []
    for spec in SPECS:
        value = getattr(settings, spec.attr)
        parts.append(f"{spec.attr}={bool(value) if spec.secret else value!r}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]
