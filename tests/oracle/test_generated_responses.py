"""Every AIOZ read tool and action against answers generated from the official spec's response schemas.

A fake AIOZ host (tests/oracle/generated.py) sits at the HTTP boundary (App.aioz_transport) and answers each
route from its spec schema in one of the VARIANTS: `null` arrays (Go nil slices) and nullable fields, `null`
detail and nested objects, numbers as strings, optional fields missing, `data: null`. The tools are called through
the in-memory MCP client (their requests are checked by the request oracle too). Each call must end as a success
or a readable ToolError in our voice; never "Internal error ... a bug in botflix-mcp" and never the SDK's bare
"Error executing tool". A complete ("full") answer must be understood: a success.

Cases that fail today are strict xfails naming the defect (XFAILS): a fix makes them XPASS, which fails: remove
the entry with the fix. Answers are wire facts, the same in both protocol eras: one era here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, MCPError
from pydantic import SecretStr

from botflix_mcp.app import App
from botflix_mcp.http import RetryPolicy
from botflix_mcp.server import build_server
from botflix_mcp.settings import TOOLSETS, Settings
from tests.oracle.generated import UUID, VARIANTS, SpecHost
from tests.oracle.spec import check, is_allowed

BASE_URL = "http://aioz.invalid/api"
INVALID_PARAMS = -32602
BARE = re.compile(r"Error executing tool [\w.-]+")

#: (tool, action) -> arguments. The action is the value of the tool's `action` (else `kind`) enum, None when
#: the tool has neither. Read-only tools and actions come from the registered tools (see the coverage test);
#: `aioz_players_delete theme` reads before deleting (issue 9 defect a names it) and `aioz_media_status status`
#: polls GET /media/{id}: both are extra. (`aioz_media_status webhook` and `aioz_upload_job` read local state.)
CASES: dict[tuple[str, str | None], dict[str, Any]] = {
    ("aioz_media", "list"): {"action": "list"},
    ("aioz_media", "get"): {"action": "get", "media_id": UUID},
    ("aioz_media", "cost"): {"action": "cost", "qualities": ["720p"], "duration": 60},
    ("aioz_media_status", "status"): {"action": "status", "media_id": UUID, "wait_seconds": 0},
    ("aioz_players", "list"): {"action": "list"},
    ("aioz_players", "get"): {"action": "get", "player_id": UUID},
    ("aioz_playlists", "list"): {"action": "list"},
    ("aioz_playlists", "get"): {"action": "get", "playlist_id": UUID},
    ("aioz_account", "me"): {"action": "me"},
    ("aioz_account", "usage"): {"action": "usage"},
    ("aioz_account", "top_ups"): {"action": "top_ups"},
    ("aioz_account", "billings"): {"action": "billings"},
    ("aioz_webhooks", "list"): {"action": "list"},
    ("aioz_webhooks", "get"): {"action": "get", "webhook_id": UUID},
    ("aioz_api_keys", None): {},
    ("aioz_analytics", "data"): {"kind": "data", "metric": "view", "aggregation": "count"},
    ("aioz_analytics", "bucket"): {"kind": "bucket", "metric": "view", "breakdown": "country"},
    ("aioz_analytics", "timeseries"): {"kind": "timeseries", "metric": "view", "interval": "day"},
    ("aioz_captions", "transcripts"): {"media_id": UUID},  # transcripts are not in the spec: falls back (404)
    ("aioz_captions", "chapters"): {"media_id": UUID, "kind": "chapters"},
    ("aioz_players_delete", "theme"): {"player_id": UUID, "target": "theme"},
}

#: (tool, action, variant) -> the defect that makes it fail today (strict: remove the entry with the fix).
#: Empty since defect a's fixes: it held the media/players lists with null arrays and "12.5", the null
#: player/playlist detail objects and the theme delete's null media list.
XFAILS: dict[tuple[str, str | None, str], str] = {}


def _registered() -> list[Any]:
    async def go() -> list[Any]:
        async with Client(build_server(Settings(toolsets=TOOLSETS))) as client:
            return list((await client.list_tools()).tools)

    return anyio.run(go)


def _actions(tool: Any) -> list[str | None]:
    props = tool.input_schema.get("properties", {})
    for key in ("action", "kind"):
        if "enum" in props.get(key, {}):
            return list(props[key]["enum"])
    return [None]


def test_every_read_tool_and_action_has_a_case() -> None:
    tools = [t for t in _registered() if t.name.startswith("aioz_") and t.annotations and t.annotations.read_only_hint]
    expected = {(t.name, a) for t in tools for a in _actions(t)}
    assert expected, "no read-only AIOZ tool registered?"
    assert expected - set(CASES) == set(), "read tools/actions without a generated-response case"


_BUILT: dict[str, tuple[Any, SpecHost]] = {}


def _server(variant: str, tmp: Path) -> tuple[Any, SpecHost]:
    """One server for the module (building one takes ~1 s); each test sets the host's variant and opens its own
    MCP session."""
    if "server" not in _BUILT:
        _BUILT["server"] = _build(tmp)
    server, host = _BUILT["server"]
    host.variant = variant
    host.seen.clear()
    host.requests.clear()
    return server, host


def _build(tmp: Path) -> tuple[Any, SpecHost]:
    host = SpecHost("full")
    settings = Settings(
        aioz_base_url=BASE_URL,
        aioz_public_key=SecretStr("pk-generated"),
        aioz_secret_key=SecretStr("sk-generated"),
        aioz_dashboard_token=SecretStr("jwt-generated"),
        cache_dir=tmp / "cache",
        http_timeout=5.0,
    )
    app = App(settings, aioz_transport=host.transport(), retry_policy=RetryPolicy(max_retries=0))
    return build_server(settings, app=app), host


def _params() -> list[Any]:
    out = []
    for (tool, action), _args in CASES.items():
        for variant in VARIANTS:
            reason = XFAILS.get((tool, action, variant))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(tool, action, variant, marks=marks, id=f"{tool}-{action}-{variant}"))
    return out


@pytest.mark.anyio
@pytest.mark.parametrize(("tool", "action", "variant"), _params())
async def test_tool_survives_generated_answers(
    tool: str, action: str | None, variant: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    server, host = _server(variant, tmp_path_factory.getbasetemp() / "generated-responses")
    async with Client(server) as client:
        try:
            with anyio.fail_after(20):
                result = await client.call_tool(tool, CASES[(tool, action)])
        except MCPError as exc:
            assert exc.error.code == INVALID_PARAMS, f"protocol error {exc.error.code}: {exc.error.message}"
            pytest.fail(f"the case's arguments were refused: {exc.error.message}")
    assert host.seen, "the tool asked the fake host nothing"
    sent = [v.line() for raw in host.requests for v in check(raw) if not is_allowed(v)]
    assert not sent, "requests the official spec refuses:\n" + "\n".join(sent)
    text = "\n".join(getattr(c, "text", "") for c in result.content).strip()
    if variant == "full":  # a complete answer from the spec is understood
        assert not result.is_error, f"{host.seen}: {text[:600]}"
    if result.is_error:
        assert text, "error result without text"
        assert "Internal error" not in text and "bug in botflix-mcp" not in text, f"{host.seen}: {text[:600]}"
        assert not BARE.fullmatch(text), f"bare SDK error: {text[:300]}"
    else:
        assert result.structured_content is not None, "success without structured content"
