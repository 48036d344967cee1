"""Check captured AIOZ requests against the official OpenAPI spec (tests/data/openapi.yaml, see its README).

`violations(requests)` returns one `Violation` per request the spec refuses, after the ALLOWED rules (verified
live-API facts the spec does not describe, docs/aioz-api.md §skill-vs-facts). Two checks per request:
- openapi-core's request validation (route, method, parameters, content type, body schema, security);
- unknown fields: a JSON or form field the operation's body schema does not declare (the spec's schemas do not
  say `additionalProperties: false`, so openapi-core alone would accept e.g. `video_id` for `media_id`).

KNOWN_DEFECTS are real mismatches that other work items fix; they are tolerated but strict: a run that exercises
the flow named in an entry and sees no matching violation fails until the entry is removed.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from tests.oracle.capture import RawRequest

SPEC_PATH = Path(__file__).resolve().parents[1] / "data" / "openapi.yaml"
SPEC_SHA256 = "6c738f02e526666b5212e64aa28fb9e45df80d703574feceac3080763c8d9d4f"
HOST = "http://aioz.invalid"  # any host: the spec's server is the relative `/api/`


@dataclass(frozen=True)
class Violation:
    method: str
    path: str  # the concrete path that was sent
    route: str  # the spec's path template ("" when the spec has no such route)
    problem: str
    test: str

    def line(self) -> str:
        return f"{self.method} {self.path} [{self.route or 'no spec route'}]: {self.problem}  (test: {self.test})"


@dataclass(frozen=True)
class Rule:
    """Matches a violation: method ('*' for any), a path template ({x} is one segment, a trailing * any rest),
    and a regex searched in the problem text."""

    method: str
    path: str
    problem: str
    why: str

    def matches(self, v: Violation) -> bool:
        return (
            self.method in ("*", v.method)
            and _template_regex(self.path).fullmatch(v.path) is not None
            and re.search(self.problem, v.problem) is not None
        )


@dataclass(frozen=True)
class KnownDefect(Rule):
    #: the test id (in tests/oracle/test_request_oracle.py) whose flow exercises it: that test is a strict xfail
    flow: str = ""


# Verified live-API facts that differ from the spec (each: why, in one line). Keep these few and exact.
ALLOWED: tuple[Rule, ...] = (
    Rule("*", "/media/{id}/transcripts*", "no spec route",
         "transcripts are live (docs' media-transcript pages) but newer than the spec; same shapes as captions"),
    Rule("*", "/payment/*", "no spec route",
         "payment usage/top_ups/billings are documented routes (dashboard JWT only), absent from the spec"),
    Rule("DELETE", "/playlists/{id}/items/{item_id}", r"body: Missing required request body",
         "the spec's 'Optional payload' is marked required; the backend removes by the item id without a body"),
    Rule("PATCH", "/media/{id}/captions/{lan}", r"body: .*(mimetype not found: application/json|type)",
         "the backend binds JSON {\"is_default\": true}; the spec's multipart boolean body is a swag artifact"),
    Rule("PATCH", "/playlists/{id}", r"body: .*'file' is a required property",
         "UNVERIFIED: the spec requires the thumbnail `file`; the docs list it as one optional update field "
         "(docs/aioz-api.md §playlists). Confirm on the live API, else a rename without a thumbnail is a defect"),
    Rule("POST", "/players/{id}/logo", r"body: .*'link' is a required property",
         "UploadLogoByIdRequest marks `link` required while its own description says it is optional when a file is "
         "given (docs/aioz-api.md §players); a logo without a link sends only `file`"),
)  # fmt: skip

# Real defects, tolerated until fixed (strict: see the module docstring). Remove an entry with its fix.
KNOWN_DEFECTS: tuple[KnownDefect, ...] = ()  # playlist ids not UUIDs: refused before any request now

# The stream-public-key / stream-secret-key header pair is the live API's main auth form (docs' authentication
# page; the backend's auth middleware), which the spec's BasicAuth/Bearer schemes do not describe: a request
# carrying both headers is checked as if it had sent the equivalent Basic header.
STREAM_KEY_HEADERS = ("stream-public-key", "stream-secret-key")


def _template_regex(template: str) -> re.Pattern[str]:
    return _compile(template)


@cache
def _compile(template: str) -> re.Pattern[str]:
    out = ""
    for part in re.split(r"(\{[^}]+\}|\*$)", template):
        if part == "*":
            out += ".*"
        elif part.startswith("{"):
            out += "[^/]+"
        else:
            out += re.escape(part)
    return re.compile(out)


@cache
def spec_dict() -> dict[str, Any]:
    import yaml  # type: ignore[import-untyped,unused-ignore]

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_PATH.open("rb") as fh:
        return dict(yaml.load(fh, Loader=loader))


@cache
def openapi() -> Any:
    from openapi_core import Config, OpenAPI

    # The file is pinned by its sha256 (test_the_spec_is_the_pinned_official_copy): re-validating the document
    # itself on every run would add ~3 s for nothing.
    return OpenAPI.from_dict(spec_dict(), config=Config(spec_validator_cls=None))


@cache
def _routes() -> list[tuple[str, re.Pattern[str], frozenset[str]]]:
    """(template, regex, methods), literal segments first: /media/cost before /media/{id}."""
    found = [
        (template, _compile(template), frozenset(ops))
        for template, ops in spec_dict()["paths"].items()
        if isinstance(ops, dict)
    ]
    return sorted(found, key=lambda r: -sum(1 for seg in r[0].split("/") if seg and not seg.startswith("{")))


def route_of(method: str, path: str) -> str:
    """The spec's template for a concrete path ('' when none): literal segments win over {params}."""
    for template, regex, methods in _routes():
        if method.lower() in methods and regex.fullmatch(path):
            return template
    return ""


class _Request:
    """openapi-core's Request protocol over a captured request."""

    def __init__(self, raw: RawRequest) -> None:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        headers = dict(raw.headers)
        public, secret = (headers.get(h) for h in STREAM_KEY_HEADERS)
        if public and secret and "authorization" not in headers:
            headers["authorization"] = "Basic " + base64.b64encode(f"{public}:{secret}".encode()).decode()
        self.host_url = HOST
        self.path = "/api" + raw.path
        self.method = raw.method.lower()
        self.content_type = headers.get("content-type", "")
        self.body: bytes | None = raw.body or None
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(raw.query, keep_blank_values=True)),
            header=Headers(headers),
            cookie=ImmutableMultiDict(),
            path={},
        )


def _describe(exc: BaseException) -> list[str]:
    """openapi-core's error chain as short lines: 'body: <schema path>: <message>' ..."""
    from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound

    if isinstance(exc, PathNotFound | OperationNotFound):
        return ["no spec route"]
    where = "body" if "Body" in type(exc).__name__ else "request"
    if "Security" in type(exc).__name__:
        where = "auth"
    elif "Parameter" in type(exc).__name__:
        where = "parameter"
    lines: list[str] = []
    cause: BaseException | None = exc
    while cause is not None:
        for err in getattr(cause, "schema_errors", None) or []:
            loc = "/".join(str(p) for p in err.absolute_path) or "(root)"
            lines.append(f"{where}: {loc}: {err.message}")
        if lines:
            return lines
        if cause.__cause__ is None:
            return [f"{where}: {cause}"]
        cause = cause.__cause__
    return [f"{where}: {exc}"]


def _resolve(node: Any) -> dict[str, Any]:
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 20:
        parts = node["$ref"].lstrip("#/").split("/")
        target: Any = spec_dict()
        for p in parts:
            target = target[p]
        node, seen = target, seen + 1
    return node if isinstance(node, dict) else {}


def _unknown_fields(value: Any, schema: dict[str, Any], where: str) -> list[str]:
    schema = _resolve(schema)
    out: list[str] = []
    if isinstance(value, dict) and isinstance(schema.get("properties"), dict):
        props = schema["properties"]
        if schema.get("additionalProperties") not in (None, False):
            return out
        for key, item in value.items():
            if key not in props:
                out.append(f"body: {where}{key}: field not in the spec's {_schema_name(schema)}")
            else:
                out += _unknown_fields(item, props[key], f"{where}{key}/")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for n, item in enumerate(value):
            out += _unknown_fields(item, schema["items"], f"{where}{n}/")
    return out


def _schema_name(schema: dict[str, Any]) -> str:
    for name, candidate in spec_dict()["components"]["schemas"].items():
        if candidate is schema:
            return name
    return "schema"


def _body_value(raw: RawRequest, content_type: str) -> Any:
    """The body as JSON, or a form as {field: [values]} (a file part's value is None)."""
    if content_type.startswith("application/json"):
        try:
            return json.loads(raw.body)
        except ValueError:
            return None
    fields: dict[str, list[str | None]] = {}
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + raw.headers.get("content-type", "").encode() + b"\r\n\r\n" + raw.body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if isinstance(name, str):
                is_file = part.get_param("filename", header="content-disposition") is not None
                payload = part.get_payload(decode=True)
                text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)
                fields.setdefault(name, []).append(None if is_file else text)
        return fields
    if content_type.startswith("application/x-www-form-urlencoded"):
        for key, value in parse_qsl(raw.body.decode("latin-1"), keep_blank_values=True):
            fields.setdefault(key, []).append(value)
        return fields
    return None


def _unknown_body_fields(raw: RawRequest, route: str) -> list[str]:
    if not raw.body:
        return []
    operation = spec_dict()["paths"][route][raw.method.lower()]
    content = (operation.get("requestBody") or {}).get("content") or {}
    content_type = raw.headers.get("content-type", "").split(";")[0].strip().lower()
    media = content.get(content_type)
    if not isinstance(media, dict):
        return []  # a content type the spec does not list is openapi-core's finding
    value = _body_value(raw, content_type)
    schema = media.get("schema") or {}
    if content_type.startswith("application/json"):
        return _unknown_fields(value, schema, "")
    out = _unknown_fields(dict.fromkeys(value or {}, ""), schema, "")
    if content_type.startswith("multipart/form-data") and isinstance(value, dict):
        out += _form_field_shapes(value, _resolve(schema))
    return out


def _form_field_shapes(fields: dict[str, list[str | None]], schema: dict[str, Any]) -> list[str]:
    """Form fields for objects (e.g. metadata's {key, value} items) must carry JSON of that shape. OpenAPI's
    default multipart encoding sends an array as one part per item (an object item as application/json); one
    part holding the whole JSON array is read too. Arrays of strings may be one comma-separated part."""
    from openapi_schema_validator import OAS30Validator

    out: list[str] = []
    for name, texts in fields.items():
        prop = _resolve((schema.get("properties") or {}).get(name) or {})
        item = _resolve(prop.get("items") or {}) if prop.get("type") == "array" else prop
        if prop.get("type") not in ("array", "object") or item.get("type") != "object":
            continue
        values: list[Any] = []
        for text in texts:
            if text is None:
                continue
            try:
                value = json.loads(text)
            except ValueError:
                out.append(f"body: {name}: form field is not JSON for the spec's object: {text[:80]!r}")
                continue
            many = prop.get("type") == "array" and isinstance(value, list) and len(texts) == 1
            values += value if many else [value]
        inline = json.loads(json.dumps(item))  # $refs below are resolved against the whole spec
        validator = OAS30Validator({**inline, "components": spec_dict()["components"]})
        for value in values:
            out += [f"body: {name}: {err.message}" for err in validator.iter_errors(value)][:3]
    return out


def check(raw: RawRequest) -> list[Violation]:
    """Every spec violation of one request (before ALLOWED / KNOWN_DEFECTS)."""
    route = route_of(raw.method, raw.path)
    problems: list[str] = []
    try:
        openapi().validate_request(_Request(raw))
    except Exception as exc:  # openapi-core's validation errors
        problems += _describe(exc)
    if raw.body_unread:  # what was sent is not known, only that the sandbox refused or lost it early
        problems = [p for p in problems if not p.startswith("body:")]
    elif route:
        problems += _unknown_body_fields(raw, route)
    return [Violation(raw.method, raw.path, route, p, raw.test) for p in dict.fromkeys(problems)]


def is_allowed(v: Violation) -> bool:
    return any(rule.matches(v) for rule in ALLOWED)


def known_defect(v: Violation) -> KnownDefect | None:
    return next((d for d in KNOWN_DEFECTS if d.matches(v)), None)


def sent_by_the_server(raw: RawRequest) -> bool:
    """The server's own clients say who they are (botflix_mcp.http.USER_AGENT); tests that probe the sandbox
    directly (its contract tests send off-spec requests on purpose, the fuzzer seeds objects) are not judged."""
    return raw.headers.get("user-agent", "").startswith("botflix-mcp/")


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_SOME_UUID = "00000000-0000-4000-8000-000000000000"


def _form_value_shape(value: str | None) -> str | None:
    """A form value as far as the spec can tell: part numbers and hashes differ on every part of an upload."""
    if value is None or value.isdigit():
        return value and "1"
    if re.fullmatch(r"[0-9a-f]{32}", value):
        return "0" * 32
    return _UUID.sub(_SOME_UUID, value)


def signature(raw: RawRequest) -> tuple[Any, ...]:
    """What the spec can tell apart: requests equal up to their UUIDs, multipart boundaries and file contents
    are checked once (a suite sends the same shapes thousands of times)."""
    content_type = raw.headers.get("content-type", "").split(";")[0].strip().lower()
    auth = raw.headers.get("authorization", "").split(" ")[0].lower()
    header_names = tuple(sorted(h for h in raw.headers if h.startswith("stream-") or h == "content-range"))
    if raw.body_unread:
        body: Any = "(unread)"
    elif content_type.startswith("multipart/"):
        fields = _body_value(raw, content_type) or {}
        body = tuple((k, tuple(_form_value_shape(v) for v in vs)) for k, vs in fields.items())
    else:
        body = _UUID.sub(_SOME_UUID, raw.body.decode("latin-1"))
    path = _UUID.sub(_SOME_UUID, raw.path)
    return raw.method, path, _UUID.sub(_SOME_UUID, raw.query), content_type, auth, header_names, body


def violations(requests: list[RawRequest]) -> list[Violation]:
    """Every violation of the server's requests not explained by ALLOWED (known defects included); a shape sent
    many times is reported once, naming the first test that sent it."""
    out: list[Violation] = []
    seen: set[tuple[Any, ...]] = set()
    for raw in requests:
        if not sent_by_the_server(raw):
            continue
        key = signature(raw)
        if key in seen:
            continue
        seen.add(key)
        out += [v for v in check(raw) if not is_allowed(v)]
    return out
