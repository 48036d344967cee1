"""Fuzz every tool through the MCP client against the sandbox (issue 3 §7).

Arguments come from each tool's own `inputSchema` (a small JSON-Schema -> hypothesis strategy below), mixing
valid values with wrong types, out-of-range numbers, over-long strings, unknown enum values and missing required
fields. Every call must end as either a success or a readable `ToolError`. It fails on:
- the SDK's bare "Error executing tool X" (an exception the toolkit did not translate),
- an "Internal error" / "bug in botflix-mcp" text in any result, error or not (a crash in a handler),
- an error result without text, a protocol error other than invalid-params (-32602),
- a call that does not finish within CALL_TIMEOUT seconds (a hang).

Bounded: FUZZ_EXAMPLES (env, default 6) examples per tool, no shrinking database, derandomized, so the whole
file runs in well under a minute. Tools that read local files are fed real tmp files (and bad paths).

`test_hostile_arguments` adds the inputs that crashed handlers before (issue 9 k) to every tool, on purpose
rather than by chance: a path component over 255 bytes for every path argument, 70,000 characters for every
free-text argument, non-ASCII AIOZ keys. Cases failing today are strict xfails in HOSTILE_XFAILS (remove with the
fix).
"""

from __future__ import annotations

import os
import re
import string
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client, MCPError

from botflix_mcp.server import build_server
from botflix_mcp.settings import TOOLSETS, Settings

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
CALL_TIMEOUT = 20.0
INVALID_PARAMS = -32602

#: Tools not fuzzed, each with its reason. Keep this short: prefer feeding a tool a tmp file to skipping it.
SKIP: dict[str, str] = {}

#: Strings that reach deeper code paths than random text for well-known argument names.
HINTS: dict[str, list[Any]] = {
    "date_from": ["yesterday", "last 7 days", "2024-09-01", "2024-09-01T10:00:00Z", "tomorrow", "not a date", ""],
    "date_to": ["today", "2024-09-02", "2023-01-01", "now", "99999999999"],
    "metric": ["play", "view", "watch_time", "impression_time", "retention", "play_rate", "nope"],
    "aggregation": ["count", "rate", "total", "average", "sum", "median"],
    "breakdown": ["country", "device-type", "operator-system", "operating-system", "browser"],
    "interval": ["hour", "day", "week", "month", "year"],
    "url": ["https://example.com/hook", "http://127.0.0.1:1/x", "ftp://x", "not a url", "https://"],
    "ttl": ["2592000", "30 days", "0", "-5", "2147483648", "forever", "1 hour"],
    "lan": ["en", "vi", "en-US", "fr-CA", "xx-invalid-tag-", "", "EN"],
    "language": ["en", "vi", "en-US", "zz"],
}


# --------------------------------------------------------------------------- JSON Schema -> strategy


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return defs.get(ref.split("/")[-1], {})
    return schema


def _any_json() -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.text(max_size=12))
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
        max_leaves=6,
    )


def invalid_for(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values a client might wrongly send: other types, out of range, too long, not in the enum."""
    options: list[st.SearchStrategy[Any]] = [
        st.integers(-5, 10**9),
        st.text(max_size=8),
        st.booleans(),
        st.none(),
        st.lists(st.integers(), max_size=2),
        st.just({"x": 1}),
    ]
    if "minimum" in schema:
        options.append(st.just(schema["minimum"] - 1))
    if "maximum" in schema:
        options.append(st.just(schema["maximum"] + 1))
    if "maxLength" in schema:
        options.append(st.just("x" * (schema["maxLength"] + 1)))
    if "enum" in schema:
        options.append(st.text(min_size=1, max_size=8).filter(lambda v: v not in schema["enum"]))
    return st.one_of(options)


def valid_for(schema: dict[str, Any], defs: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    schema = _resolve(schema, defs)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([valid_for(s, defs, depth + 1) for s in schema[key]])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([valid_for({**schema, "type": k}, defs, depth) for k in kind])
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        lo = schema.get("minimum", schema.get("exclusiveMinimum", -(10**6) - 1) + 1)
        hi = schema.get("maximum", schema.get("exclusiveMaximum", 10**9 + 1) - 1)
        return st.integers(lo, hi)
    if kind == "number":
        return st.floats(schema.get("minimum", -1e6), schema.get("maximum", 1e9), allow_nan=False)
    if kind == "string":
        lo, hi = schema.get("minLength", 0), min(schema.get("maxLength", 40), 40)
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True).filter(lambda s: lo <= len(s) <= hi or hi < lo)
        return st.text(string.printable, min_size=lo, max_size=max(lo, hi))
    if kind == "array":
        items = schema.get("items", {})
        inner = valid_for(items, defs, depth + 1) if depth < 3 else st.none()
        return st.lists(inner, min_size=schema.get("minItems", 0), max_size=min(schema.get("maxItems", 4), 4))
    if kind == "object" or "properties" in schema:
        if depth >= 3:
            return st.just({})
        return object_strategy(schema, defs, depth + 1)
    return _any_json()


def value_for(name: str, schema: dict[str, Any], defs: dict[str, Any], extras: dict[str, list[Any]]) -> Any:
    """Mostly valid values (weight 3), sometimes hints or known ids, sometimes invalid ones (weight 1)."""
    resolved = _resolve(schema, defs)
    valid = valid_for(resolved, defs)
    branches = [valid, valid, valid, invalid_for(resolved)]
    hinted = HINTS.get(name, []) + extras.get(name, [])
    if name.endswith("_id") or name in {"item", "anchor", "media", "id"}:
        hinted = hinted + extras.get("_ids", [])
    if hinted:
        branches += [st.sampled_from(hinted)] * 3
    return st.one_of(branches)


def object_strategy(
    schema: dict[str, Any], defs: dict[str, Any], depth: int = 0, extras: dict[str, list[Any]] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    extras = extras or {}
    props: dict[str, Any] = schema.get("properties", {})
    required = [k for k in schema.get("required", []) if k in props]
    optional = [k for k in props if k not in required]
    full = st.fixed_dictionaries(
        {k: value_for(k, props[k], defs, extras) for k in required},
        optional={k: value_for(k, props[k], defs, extras) for k in optional},
    )
    branches = [full, full, full, full]
    if required:  # sometimes a required argument is missing
        branches.append(full.map(lambda d: {k: v for k, v in d.items() if k != required[0]}))
    if depth == 0:  # sometimes an argument the tool does not know
        branches.append(full.map(lambda d: {**d, "unexpected_argument": 1}))
    return st.one_of(branches)


# --------------------------------------------------------------------------- the tools to fuzz


def _list_tools() -> list[Any]:
    async def go() -> list[Any]:
        async with Client(build_server(Settings(toolsets=TOOLSETS))) as client:
            return list((await client.list_tools()).tools)

    return anyio.run(go)


TOOLS = {t.name: t for t in _list_tools()}
BARE = re.compile(r"Error executing tool [\w.-]+(: Error executing tool [\w.-]+)*")
INTERNAL = re.compile(r"internal error|bug in botflix-mcp", re.IGNORECASE)


def check_result(result: Any) -> None:
    """A success with structured content, or a readable error in our voice: never a crash report."""
    text = "\n".join(getattr(c, "text", "") for c in result.content).strip()
    assert not INTERNAL.search(text), f"handler crashed: {text[:800]}"
    if result.is_error:
        assert text, "error result without text"
        assert not BARE.fullmatch(text), f"bare SDK error: {text}"
    else:
        assert result.structured_content is not None, "success without structured content"


def _local_files(tmp: Path) -> dict[str, list[Any]]:
    """Real small files (PNG, JPEG, VTT, MP4-ish, text) and bad paths, for path-like arguments."""
    png = tmp / "thumb.png"
    png.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6300010000050001d50a2db40000000049454e44ae426082"
        )
    )
    jpg = tmp / "photo.jpg"
    jpg.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9")
    vtt = tmp / "subs.vtt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n")
    txt = tmp / "notes.txt"
    txt.write_text("not an image")
    paths = [str(png), str(jpg), str(vtt), str(txt), str(tmp / "missing.png"), str(tmp), "/etc/passwd", ""]
    return {"_paths": paths}


def _is_path_arg(name: str) -> bool:
    return name.endswith(("path", "_file", "file")) or name in {"file", "source", "logo"}


def _seed(sandbox: Any) -> list[str]:
    """Real objects in the sandbox (media, a playlist holding them, a webhook, an API key, a player), so that
    id arguments sometimes name something that exists and the fuzzer reaches past the 404s."""
    import httpx

    from botflix_mcp.sandbox import DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

    headers = {"stream-public-key": DEMO_PUBLIC_KEY, "stream-secret-key": DEMO_SECRET_KEY}
    ids: list[str] = []
    with httpx.Client(base_url=sandbox.aioz_base_url, headers=headers, timeout=10) as http:

        def make(path: str, body: dict[str, Any], key: str) -> str:
            data = http.post(path, json=body).raise_for_status().json()["data"]
            ids.append(str(data.get(key, data)["id"]))
            return ids[-1]

        media = [make("/media/create", {"title": f"fuzz {n}", "type": "video"}, "media") for n in range(3)]
        playlist = make("/playlists/create", {"name": "fuzz"}, "playlist")
        for mid in media:
            http.post(f"/playlists/{playlist}/items", json={"media_id": mid}).raise_for_status()
        items = http.get(f"/playlists/{playlist}").raise_for_status().json()["data"]["playlist"]["items"]
        ids += [str(i["id"]) for i in items]
        make("/webhooks", {"name": "fuzz", "url": "http://127.0.0.1:9/hook"}, "webhook")
        make("/api_keys", {"api_key_name": "fuzz", "ttl": "3600", "type": "full_access"}, "api_key")
        make("/players", {"name": "fuzz"}, "player_theme")
    return ids


_STRATEGIES: dict[str, st.SearchStrategy[dict[str, Any]]] = {}
_SERVERS: dict[str, Any] = {}


def _setup(tool_name: str, sandbox: Any, tmp: Path) -> tuple[Any, st.SearchStrategy[dict[str, Any]]]:
    """One server and one argument strategy per tool (each example opens its own client on a fresh loop)."""
    if tool_name not in _SERVERS:
        from tests.helpers import make_app, sandbox_settings

        tool = TOOLS[tool_name]
        files = _local_files(tmp)
        extras: dict[str, list[Any]] = {
            p: files["_paths"] for p in tool.input_schema.get("properties", {}) if _is_path_arg(p)
        }
        extras["_ids"] = _seed(sandbox)
        schema = tool.input_schema
        _STRATEGIES[tool_name] = object_strategy(schema, schema.get("$defs", {}), extras=extras)
        config = sandbox_settings(sandbox, tmp, allowed_roots=(tmp,))
        _SERVERS[tool_name] = build_server(config, app=make_app(config))
    return _SERVERS[tool_name], _STRATEGIES[tool_name]


@pytest.mark.anyio
@pytest.mark.parametrize("tool_name", sorted(TOOLS))
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
@given(data=st.data())
async def test_fuzz_tool(tool_name: str, sandbox: Any, tmp_path_factory: pytest.TempPathFactory, data: Any) -> None:
    if tool_name in SKIP:
        pytest.skip(SKIP[tool_name])
    tmp = tmp_path_factory.getbasetemp() / f"fuzz-{tool_name}"
    tmp.mkdir(exist_ok=True)
    server, strategy = _setup(tool_name, sandbox, tmp)
    args = data.draw(strategy, label="arguments")
    async with Client(server) as client:
        try:
            with anyio.fail_after(CALL_TIMEOUT):
                result = await client.call_tool(tool_name, args)
        except MCPError as exc:
            assert exc.error.code == INVALID_PARAMS, f"protocol error {exc.error.code}: {exc.error.message}"
            return
        except TimeoutError:
            pytest.fail(f"{tool_name} hung for {CALL_TIMEOUT}s")
    check_result(result)


# --------------------------------------------------------------------------- hostile arguments (issue 9 k)

#: tool -> the defect that still makes one of its hostile cases crash (strict: remove with the fix).
HOSTILE_XFAILS: dict[str, str] = {}


def _baseline(schema: dict[str, Any]) -> dict[str, Any]:
    """Plain valid values for the required arguments (the first enum value, "x", the minimum...)."""
    defs = schema.get("$defs", {})
    out: dict[str, Any] = {}
    for name in schema.get("required", []):
        prop = _resolve(schema.get("properties", {}).get(name, {}), defs)
        kind = prop.get("type")
        if "enum" in prop:
            out[name] = prop["enum"][0]
        elif kind == "integer":
            out[name] = prop.get("minimum", 1)
        elif kind == "boolean":
            out[name] = False
        elif kind == "array":
            out[name] = []
        elif kind == "object":
            out[name] = {}
        else:
            out[name] = "x"
    return out


def hostile_cases(tool: Any) -> list[tuple[str, Any]]:
    """(argument, value) pairs: over-long path components, huge free text, non-ASCII keys."""
    schema = tool.input_schema
    defs = schema.get("$defs", {})
    cases: list[tuple[str, Any]] = []
    for name, prop in schema.get("properties", {}).items():
        prop = _resolve(prop, defs)
        if prop.get("type") != "string" or "enum" in prop:
            continue
        if _is_path_arg(name):
            cases.append((name, "/tmp/" + "x" * 300 + "/clip.mp4"))  # ENAMETOOLONG
            cases.append((name, "/tmp/" + "y" * 300 + ".png"))
        cases.append((name, "s" * 70_000))  # InvalidURL once, as a query string
        if name.endswith("_key"):
            cases.append((name, "clé-ключ-鍵"))  # UnicodeEncodeError once, as a header
    return cases


@pytest.mark.anyio
@pytest.mark.parametrize(
    "tool_name",
    [
        pytest.param(n, marks=[pytest.mark.xfail(strict=True, reason=HOSTILE_XFAILS[n])] if n in HOSTILE_XFAILS else [])
        for n in sorted(TOOLS)
        if hostile_cases(TOOLS[n])
    ],
)
async def test_hostile_arguments(tool_name: str, sandbox: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.getbasetemp() / f"fuzz-{tool_name}"
    tmp.mkdir(exist_ok=True)
    server, _ = _setup(tool_name, sandbox, tmp)
    tool = TOOLS[tool_name]
    async with Client(server) as client:
        for name, value in hostile_cases(tool):
            args = {**_baseline(tool.input_schema), name: value}
            try:
                with anyio.fail_after(CALL_TIMEOUT):
                    result = await client.call_tool(tool_name, args)
            except MCPError as exc:
                assert exc.error.code == INVALID_PARAMS, f"{name}: protocol error {exc.error.code}"
                continue
            try:
                check_result(result)
            except AssertionError as exc:
                raise AssertionError(f"{tool_name}({name}={str(value)[:40]}...): {exc}") from None
