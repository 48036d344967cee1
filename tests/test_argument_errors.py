"""Argument errors in the project's voice (issue 10 §1), through the MCP client in both protocol eras.

The SDK validates arguments before a handler runs; its pydantic dump ("2 validation errors for …Arguments …
input_value=… errors.pydantic.dev") echoed what was sent, secrets included. Every argument error must instead say
which argument, what is allowed, "Nothing was sent or changed." and a next step, and never repeat a secret.

- a fuzz over EVERY registered tool: for each argument of its `inputSchema`, a wrong type, an unknown enum value,
  out-of-range numbers, an over-long string or list, a string breaking the pattern, and the missing required
  arguments; each answer is checked for pydantic's text, for echoed secrets and long values, and for our voice;
- one test per behaviour (wrong type, unknown enum value, range, length, missing, secrets not echoed, pasted keys
  with surrounding whitespace trimmed and accepted).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from botflix_mcp.settings import Settings
from tests.helpers import make_app, sandbox_settings, text_of

#: pydantic's own wording, which must never reach the model.
RAW = ("validation error for", "errors.pydantic.dev", "input_value", "type=", "Arguments [", "For further information")
MARK = "Zq9MarkSecret"  # in every string the fuzz sends
NUMBER_MARK = 987654321
#: Secret-ish argument names, decided by the test on its own (not by the code under test).
SECRETISH = re.compile(r"(?i)(secret|token|password|credential|(^|_)key$)")
ECHO_MAX = 40


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str):
        return {**schema.get("$defs", {}).get(ref.split("/")[-1], {}), **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _types(schema: dict[str, Any], node: dict[str, Any]) -> set[str]:
    node = _resolve(schema, node)
    if "enum" in node:
        return {"string" if isinstance(v, str) else "number" for v in node["enum"]}
    options = node.get("anyOf") or node.get("oneOf")
    if options:
        return set().union(*(_types(schema, o) for o in options))
    kind = node.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind} if kind else set()
    if "integer" in kinds:
        kinds.add("number")
    return kinds


def bad_values(schema: dict[str, Any], node: dict[str, Any]) -> list[tuple[str, Any]]:
    """(label, value) pairs the argument's own schema refuses."""
    node = _resolve(schema, node)
    kinds = _types(schema, node)
    cases: list[tuple[str, Any]] = []
    if not kinds:
        return cases  # accepts anything
    if "string" not in kinds:
        cases.append(("wrong type", f"{MARK} is not JSON"))
    elif "number" not in kinds:
        cases.append(("wrong type", NUMBER_MARK))
    elif "array" not in kinds:
        cases.append(("wrong type", [MARK]))
    if "enum" in node:
        cases.append(("unknown enum value", f"{MARK}-no-such-value"))
    items = _resolve(schema, node.get("items") or {})
    if "enum" in items:
        cases.append(("unknown enum item", [f"{MARK}-no-such-item"]))
    if "maxItems" in node:
        cases.append(("too many items", [items.get("enum", ["x"])[0]] * (node["maxItems"] + 1)))
    if "minimum" in node:
        cases.append(("below the minimum", node["minimum"] - 1))
    if "exclusiveMinimum" in node:
        cases.append(("at the exclusive minimum", node["exclusiveMinimum"]))
    if "maximum" in node:
        cases.append(("above the maximum", node["maximum"] + 1))
    if "maxLength" in node:
        cases.append(("over-long string", (MARK * (node["maxLength"] // len(MARK) + 2))[: node["maxLength"] + 1]))
    if "minLength" in node and node["minLength"] > 1:
        cases.append(("too short string", MARK[: node["minLength"] - 1]))
    if "pattern" in node:
        cases.append(("pattern broken", f"{MARK} has spaces\nand a newline"))
    return cases


def assert_our_voice(text: str, argument: str, sent: Any, *, secret: bool, where: str) -> None:
    for raw in RAW:
        assert raw not in text, f"{where}: pydantic text {raw!r} in: {text}"
    assert text.count("Nothing was sent or changed.") == 1, f"{where}: {text}"
    assert "Next step:" in text, f"{where}: {text}"
    assert f"`{argument}" in text, f"{where}: the argument is not named: {text}"
    assert "allowed" in text or "is required" in text, f"{where}: what is allowed is not said: {text}"
    if secret:
        assert MARK not in text and str(NUMBER_MARK) not in text, f"{where}: a secret argument echoed: {text}"
    if isinstance(sent, str) and len(sent) > ECHO_MAX:
        assert sent[: ECHO_MAX + 1] not in text, f"{where}: a long value echoed: {text}"


@pytest.mark.anyio
async def test_fuzz_every_tool_every_argument(
    server: Any, fresh_sandbox: Any, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    calls: dict[str, int] = {}
    secret_arguments: list[str] = []
    async with Client(server, mode=mode) as client:
        tools = (await client.list_tools()).tools
        assert len(tools) >= 30, [t.name for t in tools]
        for tool in tools:
            schema = dict(tool.input_schema)
            properties: dict[str, Any] = schema.get("properties", {})
            required = list(schema.get("required", []))
            cases: list[tuple[str, str, Any]] = [
                (name, label, value) for name, node in properties.items() for label, value in bad_values(schema, node)
            ]
            if required:
                cases.append((required[0], "missing", None))
            for name, label, value in cases:
                args = {} if label == "missing" else {name: value}
                where = f"{tool.name}({name}: {label})"
                result = await client.call_tool(tool.name, args)
                assert result.is_error, f"{where} was accepted: {text_of(result)[:300]}"
                secret = bool(SECRETISH.search(name))
                if secret:
                    secret_arguments.append(f"{tool.name}.{name}")
                assert_our_voice(text_of(result), name, value, secret=secret, where=where)
                calls[tool.name] = calls.get(tool.name, 0) + 1
    assert set(calls) == {t.name for t in tools}, sorted({t.name for t in tools} - set(calls))
    assert sum(calls.values()) >= 150, sum(calls.values())
    assert {"aioz_credentials.public_key", "aioz_credentials.secret_key"} <= set(secret_arguments)
    assert not [r for r in caplog.records if MARK in r.getMessage()], "an argument value reached a log record"
    assert fresh_sandbox.requests() == [] and fresh_sandbox.botflix_requests() == [], "a refused call sent something"


# --------------------------------------------------------------------------- one test per behaviour


async def _call(server: Any, mode: str, tool: str, args: dict[str, Any]) -> str:
    async with Client(server, mode=mode) as client:
        result = await client.call_tool(tool, args)
    assert result.is_error, text_of(result)
    return text_of(result)


@pytest.mark.anyio
async def test_wrong_type_names_the_argument_and_the_range(server: Any, mode: str) -> None:
    text = await _call(server, mode, "aioz_media", {"limit": "ten"})
    assert '`limit` has the wrong type (got "ten"); allowed: an integer from 1 to 100.' in text, text
    assert text.endswith(
        "Nothing was sent or changed. Next step: correct limit as described and call aioz_media again."
    )


@pytest.mark.anyio
async def test_unknown_enum_value_lists_the_allowed_values(server: Any, mode: str) -> None:
    text = await _call(server, mode, "aioz_media", {"action": "delete", "status": ["ready"]})
    assert '`action` is not an allowed value (got "delete"); allowed: one of `list`, `get`, `cost`.' in text
    assert "`status[0]` is not an allowed value" in text and "`transcoding`, `done`, `fail`" in text
    assert not any(raw in text for raw in RAW), text


@pytest.mark.anyio
async def test_out_of_range_and_too_long(server: Any, mode: str) -> None:
    text = await _call(server, mode, "aioz_upload_job", {"wait_seconds": 900, "job_id": "j" * 65})
    assert "`wait_seconds` is out of range (got 900); allowed: an integer from 0 to 600." in text, text
    assert "`job_id` is too long (got a string of 65 characters); allowed: a string of at most 64 characters." in text
    assert "j" * 41 not in text


@pytest.mark.anyio
async def test_missing_required_argument_says_what_to_pass(server: Any, mode: str) -> None:
    text = await _call(server, mode, "aioz_media_delete", {})
    assert "`media_id` is required: a string of 1-100 letters, digits, '_' or '-'." in text, text
    assert "Nothing was sent or changed." in text and "Next step:" in text


@pytest.mark.anyio
async def test_secret_arguments_are_never_echoed(server: Any, mode: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    pasted = "sk_live_9f8e7d6c5b4a pasted with a space"
    text = await _call(server, mode, "aioz_credentials", {"public_key": 12345678901, "secret_key": pasted})
    assert "`secret_key` does not have the required form (got a string)" in text, text
    assert "without spaces or line breaks" in text
    assert "`public_key` has the wrong type (got a number)" in text
    assert "9f8e7d6c5b4a" not in text and "12345678901" not in text
    assert not [r for r in caplog.records if "9f8e7d6c5b4a" in r.getMessage()]


@pytest.mark.anyio
async def test_pasted_keys_with_surrounding_whitespace_are_trimmed(
    fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    from botflix_mcp.sandbox import DEMO_PUBLIC_KEY, DEMO_SECRET_KEY
    from botflix_mcp.server import build_server

    settings: Settings = sandbox_settings(fresh_sandbox, tmp_path, keys=False)
    server = build_server(settings, app=make_app(settings))
    async with Client(server, mode=mode) as client:
        stored = await client.call_tool(
            "aioz_credentials", {"public_key": f"  {DEMO_PUBLIC_KEY}\n", "secret_key": f"{DEMO_SECRET_KEY}\r\n"}
        )
        assert not stored.is_error, text_of(stored)
        assert "Keys stored for this session." in text_of(stored)
        me = await client.call_tool("aioz_account", {"action": "me"})
    assert not me.is_error, text_of(me)


@pytest.mark.anyio
async def test_a_misspelt_argument_is_pointed_out(server: Any, mode: str) -> None:
    text = await _call(server, mode, "aioz_media_delete", {"mediaId": "abc"})
    assert "`media_id` is required" in text, text
    assert "`mediaId` is not an argument of aioz_media_delete (did you mean `media_id`?)." in text


@pytest.mark.anyio
async def test_errors_start_with_what_happened_not_the_sdk_prefix(server: Any, mode: str) -> None:
    async with Client(server, mode=mode) as client:
        handler_error = await client.call_tool("aioz_media", {"action": "get"})
        argument_error = await client.call_tool("aioz_media", {"action": "get", "media_id": "bad id!"})
    for result in (handler_error, argument_error):
        assert result.is_error
        assert not text_of(result).startswith("Error executing tool"), text_of(result)
        assert "Nothing was sent or changed" in text_of(result)
