"""Tool registration with the house rules built in.

`Toolkit.tool(...)` registers a handler only when its toolset is enabled (and, in read-only mode, only when it
is read-only), always sets all four annotations, and wraps the handler so that every failure reaches the model as
a readable `ToolError` with a next step (never the SDK's bare "Error executing tool").
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import ValidationError

from botflix_mcp.errors import ApiError, UserInputError, with_nothing_sent
from botflix_mcp.logs import redact
from botflix_mcp.results import ToolOutput
from botflix_mcp.settings import Settings

logger = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


def translate_errors(name: str, fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Turn every exception into a `ToolError` the model can act on."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from botflix_mcp.credentials import add_reminder, begin_call, end_call, reminder_text

        notes, token = begin_call()  # credentials.require_aioz notes here when it collected keys in this call
        try:
            return add_reminder(await translated(*args, **kwargs), notes)  # type: ignore[no-any-return]
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
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors()[:8]
            )
            raise ToolError(redact(f"Invalid input: {problems}. Nothing was sent or changed.")) from None
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


class Toolkit:
    def __init__(self, server: MCPServer, settings: Settings) -> None:
        self.server = server
        self.settings = settings
        self.registered: dict[str, str] = {}  # tool name -> toolset

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
    ) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
        """Register an async handler. Read-only tools are never destructive and always idempotent."""

        def decorator(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
            if not self.enabled(toolset) or (self.settings.read_only and not read_only):
                return fn
            annotations = ToolAnnotations(  # the title lives on the tool itself; not repeated here
                read_only_hint=read_only,
                destructive_hint=False if read_only else destructive,
                idempotent_hint=True if read_only else idempotent,
                open_world_hint=open_world,
            )
            self.server.add_tool(
                translate_errors(name, fn),
                name=name,
                title=title,
                description=description or inspect.cleandoc(fn.__doc__ or ""),
                annotations=annotations,
            )
            tool = self.server._tool_manager.get_tool(name)
            if tool is not None:  # tools/list budget (issue 3 §2): the same arguments in fewer bytes
                slim_input_schema(tool.parameters)
                schema = tool.output_schema
                if schema is not None and tool.fn_metadata.output_model is ToolOutput:  # the shared ToolOutput
                    schema.clear()
                    schema.update(OUTPUT_SCHEMA)
            self.registered[name] = toolset
            return fn

        return decorator
