"""Answers generated from the official spec's response schemas, and a fake AIOZ host that serves them.

`answer(schema, variant)` builds one JSON body from a response schema:
- "full": every property, realistic values (ids, ISO times, URLs by field name);
- "arrays_null": every array at any depth `null` (Go nil slices);
- "nullable_null": every `nullable: true` field `null`;
- "objects_null": every object-valued field below `data` (detail objects, nested objects) `null`;
- "numbers_as_strings": every integer/number as a string ("12.5");
- "sparse": optional fields missing (the spec marks almost nothing required): `data` keeps its keys, each
  nested object is empty;
- "data_null": `data: null`.
The host answers every route from the spec's first 2xx JSON schema; routes the spec lacks (payments) use the
documented shapes below; anything else is the host's 404 "Route not found".
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.oracle.capture import RawRequest
from tests.oracle.spec import _resolve, route_of, spec_dict

VARIANTS = ("full", "arrays_null", "nullable_null", "objects_null", "numbers_as_strings", "sparse", "data_null")
UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"

_PAY_ITEM = {
    "type": "object",
    "properties": {k: {"type": "string"} for k in ("storage_cost", "delivery_cost", "transcode_cost", "created_at")}
    | {k: {"type": "number"} for k in ("storage", "delivery", "transcode")},
}
_TOP_UP = {
    "type": "object",
    "properties": {k: {"type": "string"} for k in ("transaction_id", "from", "credit", "status", "created_at")},
}


def _envelope(data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": {"status": {"type": "string"}, "data": data}}


def _listing(key: str, item: dict[str, Any]) -> dict[str, Any]:
    return _envelope(
        {"type": "object", "properties": {"total": {"type": "integer"}, key: {"type": "array", "items": item}}}
    )


#: /payment/* is not in the spec: the shapes of the docs' payments page (docs/aioz-api.md §payments).
PAYMENT_SCHEMAS: dict[str, dict[str, Any]] = {
    "/payment/usage": _envelope(_PAY_ITEM),
    "/payment/top_ups": _listing("top_ups", _TOP_UP),
    "/payment/billings": _listing("billings", _PAY_ITEM),
}


def _leaf(name: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "integer":
        return 3
    if kind == "number":
        return 12.5
    if kind == "boolean":
        return True
    if name == "status":
        return "done"
    if name.endswith("_cost") or name in {"balance", "debt", "credit", "price", "amount"}:
        return "1.25"
    if name.endswith("_at") or name in {"from", "to", "date", "time"}:
        return "2024-09-01T10:00:00Z"
    if name == "id" or name.endswith("_id"):
        return UUID
    if name.endswith(("url", "link")) or name in {"iframe", "hls", "thumbnail"}:
        return "https://cdn.example.invalid/x"
    if name in {"language", "lan"}:
        return "en"
    if name in {"name", "title", "resolution"}:
        return "720p" if name == "resolution" else "Example"
    if schema.get("format") == "binary":
        return ""
    return "text"


def answer(schema: dict[str, Any], variant: str, name: str = "", depth: int = 0, item: bool = False) -> Any:
    """One value for `schema` under `variant` (depth 0 is the envelope, depth 1 its `data`)."""
    schema = _resolve(schema)
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    if depth == 1 and name == "data" and variant == "data_null":
        return None
    if variant == "nullable_null" and schema.get("nullable") and depth > 0:
        return None
    if kind == "array":
        if variant == "arrays_null":
            return None
        return [answer(schema.get("items") or {}, variant, name, depth + 1, item=True)]
    if kind == "object" or "properties" in schema:
        if depth >= 2 and variant == "objects_null" and not item:
            return None
        if depth >= 8:
            return {}
        props: dict[str, Any] = schema.get("properties") or {}
        keep = props
        if variant == "sparse" and depth >= 2:
            keep = {k: v for k, v in props.items() if k in (schema.get("required") or [])}
        return {k: answer(v, variant, k, depth + 1) for k, v in keep.items()}
    value = _leaf(name, schema)
    if variant == "numbers_as_strings" and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def response_schema(method: str, path: str) -> tuple[int, dict[str, Any]] | None:
    """The first 2xx JSON response schema of the spec's route (or a documented payment route)."""
    if path in PAYMENT_SCHEMAS and method == "GET":
        return 200, PAYMENT_SCHEMAS[path]
    route = route_of(method, path)
    if not route:
        return None
    responses = spec_dict()["paths"][route][method.lower()].get("responses") or {}
    for status in sorted(responses):
        if status.startswith("2"):
            content = responses[status].get("content") or {}
            media = content.get("application/json") or content.get("*/*") or {}
            return int(status), media.get("schema") or {}
    return None


class SpecHost:
    """An httpx transport answering like an AIOZ host whose answers are generated from the spec."""

    def __init__(self, variant: str, base_path: str = "/api") -> None:
        self.variant = variant
        self.base_path = base_path
        self.seen: list[str] = []
        self.requests: list[RawRequest] = []  # for the request oracle too

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(self.base_path)
        self.seen.append(f"{request.method} {path}")
        sent = request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        query = request.url.query.decode()
        self.requests.append(RawRequest(request.method, path, query, headers, sent, "", received=len(sent)))
        found = response_schema(request.method, path)
        if found is None:
            missing = {"message": "Route not found", "path": "/api" + path, "method": request.method}
            return httpx.Response(404, json=missing)
        status, schema = found
        body = answer(schema, self.variant)
        if isinstance(body, dict):
            body["status"] = "success"  # the envelope's status (a plain string in the spec)
        return httpx.Response(status, content=json.dumps(body).encode(), headers={"content-type": "application/json"})

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)
