"""The checker of tests/apps/ext_apps_schema.py against the official schema itself: it must refuse what a host
built on the official SDK would refuse, or the browser tests' "every message conforms" proves nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.apps import ext_apps_schema

pytestmark = pytest.mark.skipif(
    ext_apps_schema.definitions() is None,
    reason=f"the official MCP Apps schema is not installed at {ext_apps_schema.schema_path()} "
    "(scripts/test.sh installs tests/apps/ext-apps with npm ci; set BOTFLIX_EXT_APPS_SCHEMA to another copy)",
)


def entry(sender: str, message: dict[str, Any], frame: str = "f1") -> dict[str, Any]:
    return {"frame": frame, "uri": "ui://test/app.html", "from": sender, "message": {"jsonrpc": "2.0", **message}}


INIT = {"protocolVersion": "2026-01-26", "appInfo": {"name": "monitor", "version": "1"}, "appCapabilities": {}}
HOST_INFO = {"protocolVersion": "2026-01-26", "hostInfo": {"name": "h", "version": "1"}, "hostCapabilities": {}}
TOOL = {"name": "aioz_upload_media", "inputSchema": {"type": "object", "properties": {}}}


def test_the_official_mcp_apps_schema_is_installed() -> None:
    defs = ext_apps_schema.definitions()
    assert defs is not None
    for name in ("McpUiInitializeRequest", "McpUiInitializeResult", "McpUiToolResultNotification"):
        assert name in defs


def test_a_conforming_session_has_no_problems() -> None:
    log = [
        entry("app", {"id": 1, "method": "ui/initialize", "params": INIT}),
        entry("host", {"id": 1, "result": {**HOST_INFO, "hostContext": {"theme": "dark", "toolInfo": {"tool": TOOL}}}}),
        entry("app", {"method": "ui/notifications/initialized", "params": {}}),
        entry("host", {"method": "ui/notifications/tool-input", "params": {"arguments": {"source": "/a.mp4"}}}),
        entry("host", {"method": "ui/notifications/tool-result", "params": {"content": []}}),
        entry("app", {"id": 2, "method": "tools/call", "params": {"name": "aioz_upload_monitor", "arguments": {}}}),
        entry("host", {"id": 2, "result": {"content": [{"type": "text", "text": "ok"}]}}),
        entry("app", {"id": 3, "method": "ui/open-link", "params": {"url": "https://botflix.example/e/1"}}),
        entry("host", {"id": 3, "error": {"code": -32000, "message": "refused"}}),
        entry("app", {"method": "ui/notifications/size-changed", "params": {"width": 600, "height": 400}}),
    ]
    assert ext_apps_schema.problems(log) == []


def test_what_an_official_host_or_app_would_refuse_is_reported() -> None:
    log = [
        entry("app", {"method": "ui/notifications/size-changed", "params": {"width": 1, "height": 1}}),
        entry("app", {"id": 1, "method": "ui/initialize", "params": {**INIT, "appInfo": {"name": "monitor"}}}),
        entry("host", {"id": 1, "result": {**HOST_INFO, "hostContext": {"toolInfo": {"tool": {"name": "x"}}}}}),
        entry("app", {"method": "ui/notifications/size-changed", "params": {"height": "400px"}}),
        entry("app", {"method": "ui/resize", "params": {}}),
        entry("host", {"method": "ui/notifications/tool-input", "params": {"args": {}}}),
        entry("app", {"id": 2, "method": "tools/call", "params": {"arguments": {}}}),
        entry("host", {"id": 9, "result": {}}),
        {"frame": "f1", "uri": "ui://test/app.html", "from": "app", "message": {"method": "x"}},
    ]
    found = ext_apps_schema.problems(log)
    assert found is not None
    text = "\n".join(found)
    assert "sent ui/notifications/size-changed before ui/initialize" in text
    assert "ui/initialize: params/appInfo: 'version' is a required property" in text
    assert "answer to ui/initialize: hostContext/toolInfo/tool: 'inputSchema' is a required property" in text
    assert "size-changed: params/height: '400px' is not of type 'number'" in text
    assert "ui/resize: not a message of the MCP Apps specification" in text
    assert "tool-input: params: Additional properties are not allowed ('args' was unexpected)" in text
    assert "tools/call: name: Field required" in text
    assert "an answer (id 9) to no request of the app" in text
    assert "not a JSON-RPC 2.0 message" in text
    assert len(found) == 9, found
