"""The official MCP Apps schema as the oracle of the messages between our apps and a host.

`@modelcontextprotocol/ext-apps` (pinned in tests/apps/ext-apps, installed by scripts/test.sh with `npm ci` into
the user's cache, its path in `BOTFLIX_EXT_APPS_SCHEMA`) ships `dist/src/generated/schema.json`: one JSON Schema per
message of the specification (`McpUiInitializeRequest`, `McpUiToolResultNotification`, `McpUiInitializeResult`,
...), strict (`additionalProperties: false`). The browser tests record every message of a session in the host
page (`Host.log`, both ways) and `problems()` holds each one against it: requests and notifications by their
`method`, answers by the method of the request they answer. MCP's own methods that an app sends through the host
(`tools/call`, `notifications/message`) are checked as MCP's types instead. So what our app side (bridge.js) and
our demo host (host.html) send is what the official SDK's `App` and `AppBridge` accept, not only what each other
accept.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from mcp import types
from pydantic import BaseModel, ValidationError

SCHEMA_ENV = "BOTFLIX_EXT_APPS_SCHEMA"
PACKAGE = "node_modules/@modelcontextprotocol/ext-apps"
SCHEMA_IN_PACKAGE = "dist/src/generated/schema.json"
#: MCP's own messages an app may send through the host, with the type of their params and of the answer.
CORE: dict[str, tuple[type[BaseModel], type[BaseModel] | None]] = {
    "tools/call": (types.CallToolRequestParams, types.CallToolResult),
    "notifications/message": (types.LoggingMessageNotificationParams, None),
}


def install_dir() -> Path:
    """Where scripts/test.sh installs tests/apps/ext-apps (the package, and the bundled AppBridge)."""
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache_home / "botflix-mcp-ext-apps"


def schema_path() -> Path:
    given = os.environ.get(SCHEMA_ENV)
    return Path(given) if given else install_dir() / PACKAGE / SCHEMA_IN_PACKAGE


@cache
def definitions() -> dict[str, Any] | None:
    """The schema's `$defs` (one per message), or None when the package is not installed."""
    path = schema_path()
    if not path.is_file():
        return None
    defs: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["$defs"]
    return defs


def _errors(schema: dict[str, Any], instance: Any) -> list[str]:
    validator = Draft202012Validator(schema)  # each definition is its own root (its refs are to its own $defs)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(instance)]


def _core_errors(model: type[BaseModel], instance: Any) -> list[str]:
    try:
        model.model_validate(instance, by_alias=True)
    except ValidationError as exc:
        return [f"{'/'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    return []


def problems(log: list[dict[str, Any]]) -> list[str] | None:
    """What the official schema refuses in a host page's log (`[]`: every message conforms); None without it."""
    defs = definitions()
    if defs is None:
        return None
    by_method = {
        d["properties"]["method"]["const"]: name
        for name, d in defs.items()
        if "const" in d.get("properties", {}).get("method", {})
    }
    asked: dict[tuple[str, str, Any], str] = {}  # (frame, who asked, id) -> the request's method
    started: set[str] = set()  # frames whose app has sent ui/initialize
    found: list[str] = []
    for entry in log:
        frame, sender, message = entry["frame"], entry["from"], entry["message"]
        where = f"{sender} ({entry['uri']})"
        if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
            found.append(f"{where}: not a JSON-RPC 2.0 message: {message!r}"[:300])
            continue
        method = message.get("method")
        if method is not None:
            if sender == "app" and frame not in started and method != "ui/initialize":
                found.append(f"{where}: sent {method} before ui/initialize")
            if method == "ui/initialize":
                started.add(frame)
            if "id" in message:
                asked[(frame, sender, message["id"])] = method
            body = {"method": method, **({"params": message["params"]} if "params" in message else {})}
            if method in by_method:
                errors = _errors(defs[by_method[method]], body)
            elif method in CORE:
                errors = _core_errors(CORE[method][0], message.get("params", {}))
            else:
                errors = ["not a message of the MCP Apps specification, nor one of MCP's that an app may send"]
            found += [f"{where} {method}: {e}" for e in errors]
            continue
        other = "host" if sender == "app" else "app"
        request = asked.pop((frame, other, message.get("id")), None)
        if request is None:
            found.append(f"{where}: an answer (id {message.get('id')!r}) to no request of the {other}")
        elif "error" in message:
            error = message["error"]
            if not (isinstance(error, dict) and isinstance(error.get("code"), int) and "message" in error):
                found.append(f"{where} answer to {request}: malformed error {error!r}")
        elif "result" not in message:
            found.append(f"{where} answer to {request}: neither result nor error")
        else:
            result_name = by_method.get(request, "").replace("Request", "Result")
            if result_name in defs:
                found += [f"{where} answer to {request}: {e}" for e in _errors(defs[result_name], message["result"])]
            elif request in CORE and CORE[request][1] is not None:
                model = CORE[request][1]
                assert model is not None
                found += [f"{where} answer to {request}: {e}" for e in _core_errors(model, message["result"])]
    return found
