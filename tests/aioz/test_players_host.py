"""Players toolset against answers the sandbox never gives (issue 9 a) and the wording of issue 10 §7, through
the MCP client in both protocol eras; the fake host sits at the HTTP boundary (tests/aioz/fakehost.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from tests.aioz.fakehost import fake_server, ok
from tests.helpers import structured, text_of


async def call(client: Client, name: str, args: dict[str, Any]) -> Any:
    result = await client.call_tool(name, args)
    assert not result.is_error, text_of(result)
    return result


@pytest.mark.anyio
async def test_empty_account_lists_no_themes(tmp_path: Path, mode: str) -> None:
    server, _ = fake_server(tmp_path, {("GET", "/players"): ok({"player_themes": None, "total": 0})})
    async with Client(server, mode=mode) as client:
        result = await call(client, "aioz_players", {})
    assert "(no player themes)" in text_of(result)
    assert structured(result)["page"]["total"] == 0 and structured(result)["data"] == []


@pytest.mark.anyio
async def test_null_entries_objects_and_string_numbers_in_the_list(tmp_path: Path, mode: str) -> None:
    theme = {"id": "p1", "name": "brand", "is_default": "true", "theme": None, "controls": None, "asset": None}
    answer = ok({"player_themes": [None, theme], "total": None})
    server, _ = fake_server(tmp_path, {("GET", "/players"): answer})
    async with Client(server, mode=mode) as client:
        result = await call(client, "aioz_players", {"limit": 10})
    assert "`p1` **brand** (default)" in text_of(result)
    assert structured(result)["page"]["total"] == 1  # what was seen, since the host left total out


@pytest.mark.anyio
async def test_null_detail_object(tmp_path: Path) -> None:
    server, _ = fake_server(tmp_path, {("GET", "/players/p1"): ok({"player_theme": None})})
    async with Client(server) as client:
        result = await call(client, "aioz_players", {"action": "get", "player_id": "p1"})
    assert "`p1`" in text_of(result)


@pytest.mark.anyio
async def test_delete_theme_when_media_lists_are_null(tmp_path: Path, mode: str) -> None:
    routes = {
        ("POST", "/media"): ok({"media": None, "total": None}),
        ("DELETE", "/players/p1"): ok(message="Delete player theme successfully."),
    }
    server, host = fake_server(tmp_path, routes)
    async with Client(server, mode=mode) as client:
        result = await call(client, "aioz_players_delete", {"player_id": "p1"})
    assert "Deleted theme `p1`" in text_of(result)
    assert host.calls() == ["POST /media", "POST /media", "DELETE /players/p1"]  # video, then audio, then delete


@pytest.mark.anyio
async def test_delete_theme_in_use_with_null_details_is_explained(tmp_path: Path) -> None:
    media = {"id": "m1", "title": None, "player_theme_id": "p1", "assets": None, "qualities": None, "duration": None}

    def media_list(request: Any) -> Any:
        if json.loads(request.content)["type"] == "audio":
            return ok({"media": None, "total": 0})
        return ok({"media": [media, None, {"id": "m2", "player_theme_id": None}], "total": "2"})

    server, host = fake_server(tmp_path, {("POST", "/media"): media_list})
    async with Client(server) as client:
        result = await call(client, "aioz_players_delete", {"player_id": "p1"})
    assert structured(result)["data"] == {"deleted": False, "assigned_to": ["m1"]}
    assert "`m1`" in text_of(result) and "Nothing was deleted" in text_of(result)
    assert not [c for c in host.calls() if c.startswith("DELETE")]


@pytest.mark.anyio
async def test_create_without_name_says_what_the_host_named_it(tmp_path: Path, mode: str) -> None:
    created = {"id": "p9", "name": "default-player-theme", "theme": {}, "is_default": False}
    server, host = fake_server(tmp_path, {("POST", "/players"): (201, ok({"player_theme": created}))})
    async with Client(server, mode=mode) as client:
        result = await call(client, "aioz_players_write", {"action": "create", "theme": {"main_color": "red"}})
    text = text_of(result)
    assert "No name was given" in text and '"default-player-theme"' in text and "'update'" in text
    sent = json.loads(host.seen[-1].content)
    assert "name" not in sent  # nothing invented: the host's default is reported, not chosen here


@pytest.mark.anyio
async def test_named_create_does_not_mention_a_default_name(tmp_path: Path) -> None:
    created = {"id": "p9", "name": "brand"}
    server, _ = fake_server(tmp_path, {("POST", "/players"): (201, ok({"player_theme": created}))})
    async with Client(server) as client:
        result = await call(client, "aioz_players_write", {"action": "create", "name": "brand"})
    assert "No name was given" not in text_of(result) and "**brand** `p9`" in text_of(result)


@pytest.mark.anyio
async def test_create_answer_without_id_is_the_hosts_fault(tmp_path: Path) -> None:
    server, _ = fake_server(tmp_path, {("POST", "/players"): (201, ok({"player_theme": None}))})
    async with Client(server) as client:
        result = await client.call_tool("aioz_players_write", {"action": "create", "name": "x"})
    assert result.is_error and "unexpected answer" in text_of(result) and "Internal error" not in text_of(result)


@pytest.mark.anyio
async def test_every_theme_problem_is_reported_at_once_and_nothing_sent(tmp_path: Path, mode: str) -> None:
    server, host = fake_server(tmp_path, {})
    theme = {
        "main_color": "blurple",
        "text_color": "#ff0000",  # fine
        "menu_background_color": "rgb(300, 0, 0)",
        "control_bar_height": "3em",
        "progress_bar_height": -4,
        "colour": "red",
    }
    args = {"action": "create", "name": "x", "theme": theme, "controls": {"autoplay": True}}
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("aioz_players_write", args)
    text = text_of(result)
    assert result.is_error
    for fragment in ("main_color", "menu_background_color", "control_bar_height", "progress_bar_height", "colour",
                     "autoplay"):  # fmt: skip
        assert fragment in text, fragment
    assert "6 problems" in text and "text_color" not in text.split("Next step")[0]
    assert host.calls() == []


@pytest.mark.anyio
async def test_get_shows_colours_controls_and_logo(tmp_path: Path) -> None:
    theme = {
        "id": "p1",
        "name": "brand",
        "theme": {"main_color": "rgba(255, 0, 0, 1)"},
        "controls": {"force_loop": "true"},
        "asset": {"logo_link": "https://example.com", "logo_image_link": ""},
    }
    server, _ = fake_server(tmp_path, {("GET", "/players/p1"): ok({"player_theme": theme})})
    async with Client(server) as client:
        result = await call(client, "aioz_players", {"action": "get", "player_id": "p1"})
    lines = text_of(result).splitlines()
    assert lines[1:] == [
        "- theme: main_color: rgba(255, 0, 0, 1)",
        "- controls: force_loop: true",
        "- logo: logo_link: https://example.com",
    ]
