"""A test-process memo of the MCP SDK's `func_metadata` (loaded by tests/conftest.py).

Each test builds its own server (`build_server`), and each build turns ~40 tool signatures into pydantic argument
and output models: ~0.16 s idle, ~0.3 s under load, in about a thousand tests. The result only depends on the
function's code, its evaluated signature and the two options, so identical signatures share one result; every
build still runs all of our registration code (the toolkit, `slim_input_schema`, the output schema rewrite) and
the SDK's own `Tool.from_function` around it. A signature holding a class made per build (`<locals>`) is keyed by
that class's identity, so it never shares. `BOTFLIX_TEST_NO_SCHEMA_CACHE=1` turns the memo off.
"""

from __future__ import annotations

import copy
import inspect
import os
from collections.abc import Callable, Sequence
from typing import Any

_CACHE: dict[tuple[Any, ...], Any] = {}


def _local_types(sig: inspect.Signature) -> tuple[int, ...]:
    found: list[int] = []

    def walk(obj: Any) -> None:
        if "<locals>" in str(getattr(obj, "__qualname__", "")):
            found.append(id(obj))
        for arg in getattr(obj, "__args__", ()) or ():
            walk(arg)
        for meta in getattr(obj, "__metadata__", ()) or ():
            walk(meta)

    for param in sig.parameters.values():
        walk(param.annotation)
    walk(sig.return_annotation)
    return tuple(found)


def install() -> None:
    if os.environ.get("BOTFLIX_TEST_NO_SCHEMA_CACHE") == "1":
        return
    from mcp.server.mcpserver.tools import base
    from mcp.server.mcpserver.utilities.func_metadata import FuncMetadata

    original: Callable[..., FuncMetadata] = base.func_metadata

    def memo(func: Callable[..., Any], skip_names: Sequence[str] = (), structured_output: bool | None = None) -> Any:
        target = inspect.unwrap(func)
        code = getattr(target, "__code__", None)
        try:
            sig = inspect.signature(func)  # string annotations resolve in the module of `code`
        except Exception:
            return original(func, skip_names=skip_names, structured_output=structured_output)
        if code is None:
            return original(func, skip_names=skip_names, structured_output=structured_output)
        key = (code, target.__module__, str(sig), _local_types(sig), tuple(skip_names), structured_output)
        hit = _CACHE.get(key)
        if hit is None:
            hit = _CACHE[key] = original(func, skip_names=skip_names, structured_output=structured_output)
        # a copy per tool: its output schema dict is rewritten in place by the toolkit
        return FuncMetadata.model_construct(
            arg_model=hit.arg_model,
            output_schema=copy.deepcopy(hit.output_schema),
            output_model=hit.output_model,
            wrap_output=hit.wrap_output,
        )

    base.func_metadata = memo  # type: ignore[assignment]
