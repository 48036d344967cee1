"""MCP Apps on the wire (issue 13): the ui:// resources and their CSP, the bound tools, the app-only tool hidden from
the model, and graceful degradation: a client without the extension gets exactly a server's plain listings and
the same results (the skill's templates byte for byte), in both protocol eras."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.extension import advertise

from botflix_mcp.apps import APP_MIME_TYPE, EPISODE_URI, EXTENSION_ID, MONITOR_URI
from botflix_mcp.sandbox import DEMO_DASHBOARD_TOKEN, DEMO_PUBLIC_KEY, DEMO_SECRET_KEY
from botflix_mcp.settings import MIB
from tests.aioz.test_upload import expected_final_text, write_file
from tests.helpers import structured, text_of

pytestmark = pytest.mark.anyio

MONITOR_TOOLS = {"aioz_upload_media", "aioz_upload_job", "aioz_media_status"}
EPISODE_TOOLS = {"botflix_upload_episode", "botflix_get_episode", "botflix_discover_episodes"}
APP_ONLY = "aioz_upload_monitor"
ASSETS = Path(__file__).resolve().parents[2] / "botflix_mcp" / "demo_assets"


def apps_client(server: Any, mode: str) -> Client:
    return Client(server, mode=mode, extensions=[advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})])


def wire(result: Any) -> dict[str, Any]:
    return dict(result.model_dump(by_alias=True, mode="json", exclude_none=True))


async def test_resources_list_has_the_ui_documents_with_mime_type_and_csp(
    server: Any, fresh_sandbox: Any, mode: str
) -> None:
    async with apps_client(server, mode) as client:
        listed = {str(r.uri): r for r in (await client.list_resources()).resources if str(r.uri).startswith("ui://")}
        assert set(listed) == {MONITOR_URI, EPISODE_URI}
        for uri, resource in listed.items():
            assert resource.mime_type == APP_MIME_TYPE
            read = (await client.read_resource(uri)).contents[0]
            assert read.mime_type == APP_MIME_TYPE
            assert read.meta == resource.meta
            html = getattr(read, "text", "")
            assert html.startswith("<!doctype html>")
            # self-contained: no external script, stylesheet or font; no HTML sink for data
            assert not re.search(r"<script[^>]*\bsrc=|<link\b|@import|https?://[^\"' ]+\.js", html)
            assert "innerHTML" not in html and "outerHTML" not in html and "insertAdjacentHTML" not in html
            assert "document.write" not in html and "eval(" not in html
            assert "/*@" not in html  # the shared stylesheet and bridge were written in
            for secret in (DEMO_PUBLIC_KEY, DEMO_SECRET_KEY, DEMO_DASHBOARD_TOKEN):
                assert secret not in html
        monitor = listed[MONITOR_URI].meta["ui"]
        assert monitor["csp"] == {
            "frameDomains": ["https://embed.aiozstream.network"],
            "resourceDomains": ["https://api.aiozstream.network", fresh_sandbox.url],  # the sandbox is loopback
        }
        assert monitor["permissions"] == {"clipboardWrite": {}}
        assert listed[EPISODE_URI].meta["ui"]["csp"] == {}  # text and a link through the host: nothing to allow


async def test_tools_list_binds_the_tools_and_marks_the_app_only_tool(server: Any, mode: str) -> None:
    async with apps_client(server, mode) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    bound = {name: (t.meta or {}).get("ui") for name, t in tools.items() if (t.meta or {}).get("ui")}
    assert bound == {
        **{name: {"resourceUri": MONITOR_URI} for name in MONITOR_TOOLS},
        **{name: {"resourceUri": EPISODE_URI} for name in EPISODE_TOOLS},
        APP_ONLY: {"resourceUri": MONITOR_URI, "visibility": ["app"]},
    }
    assert tools[APP_ONLY].annotations is not None and tools[APP_ONLY].annotations.read_only_hint is True


async def test_a_client_without_the_extension_sees_no_app_and_cannot_call_the_app_only_tool(
    server: Any, mode: str
) -> None:
    async with apps_client(server, mode) as client:
        with_apps = (await client.list_tools()).tools
    async with Client(server, mode=mode) as client:
        tools = (await client.list_tools()).tools
        resources = (await client.list_resources()).resources
        refused = await client.call_tool(APP_ONLY, {"job_id": "x"})
    names = [t.name for t in tools]
    assert APP_ONLY not in names
    assert names == [t.name for t in with_apps if t.name != APP_ONLY]  # same tools, same order
    assert not [t.name for t in tools if t.meta and "ui" in t.meta]
    # the listing is the plain server's: each tool as with Apps, minus _meta.ui
    plain = {t.name: t.model_dump(by_alias=True, exclude_none=True) for t in tools}
    for tool in with_apps:
        if tool.name == APP_ONLY:
            continue
        dumped = tool.model_dump(by_alias=True, exclude_none=True)
        meta = {k: v for k, v in (dumped.pop("_meta", None) or {}).items() if k != "ui"}
        if meta:
            dumped["_meta"] = meta
        assert plain[tool.name] == dumped
    assert not [r for r in resources if str(r.uri).startswith("ui://")]
    assert refused.is_error
    assert "offered only to hosts that render MCP Apps" in text_of(refused)


async def test_a_client_advertising_the_extension_without_the_mime_type_gets_no_app(server: Any, mode: str) -> None:
    async with Client(server, mode=mode, extensions=[advertise(EXTENSION_ID, {})]) as client:
        names = [t.name for t in (await client.list_tools()).tools]
    assert APP_ONLY not in names


def _same_modulo(a: dict[str, Any], b: dict[str, Any], ids: dict[str, str]) -> None:
    """Equal once each upload's own ids and times are named alike."""

    def norm(value: dict[str, Any]) -> str:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
        for real, alias in ids.items():
            text = text.replace(real, alias)
        return re.sub(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}[\d.:+Z]*", "<time>", text)

    assert norm(a) == norm(b)


async def test_results_are_the_same_with_and_without_the_extension(
    server: Any, fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    """Every UI-bound tool returns the same text and data to both clients; uploads end with the exact templates."""
    import shutil

    results: dict[str, dict[str, Any]] = {}
    for kind in ("plain", "apps"):
        source = tmp_path / f"clip-{kind}.mp4"
        write_file(source, 11 * MIB + 3, seed=1)
        client = apps_client(server, mode) if kind == "apps" else Client(server, mode=mode)
        async with client:
            upload = await client.call_tool("aioz_upload_media", {"source": str(source), "title": "Same clip"})
            assert not upload.is_error, text_of(upload)
            data = structured(upload)["data"]
            expected = expected_final_text(
                data["media_id"], "Same clip", [5 * MIB, 5 * MIB, MIB + 3], data["uploaded_at"]
            )
            assert text_of(upload) == expected  # the skill's templates, byte for byte, with or without Apps
            status = await client.call_tool("aioz_media_status", {"media_id": data["media_id"], "wait_seconds": 30})
            assert structured(status)["data"]["status"] == "done", text_of(status)
            job = await client.call_tool("aioz_upload_job", {"action": "list"})
            if kind == "plain":  # the key is kept for the process's session: both clients direct as it
                director = {"name": "Same Director", "description": "Tests.", "owner_email": "owner@example.com"}
                assert not (await client.call_tool("botflix_register_director", director)).is_error
            episode = tmp_path / f"episode-{kind}.mp4"
            shutil.copyfile(ASSETS / "episode.mp4", episode)
            metadata = json.loads((ASSETS / "episode-metadata.json").read_text())
            published = await client.call_tool("botflix_upload_episode", {"path": str(episode), "metadata": metadata})
            assert not published.is_error, text_of(published)
            episode_id = structured(published)["data"]["episode_id"]
            got = await client.call_tool("botflix_get_episode", {"episode_id": episode_id})
            results[kind] = {
                "ids": {data["media_id"]: "<media>", episode_id: "<episode>", f"clip-{kind}": "clip"},
                "upload": wire(upload),
                "status": wire(status),
                "jobs": wire(job),
                "published": wire(published),
                "got": wire(got),
            }
    ids = {**results["plain"]["ids"], **results["apps"]["ids"]}
    for key in ("upload", "status", "jobs", "published", "got"):
        a, b = results["plain"][key], results["apps"][key]
        got_a = {k: v for k, v in a.items() if k != "_meta"}
        got_b = {k: v for k, v in b.items() if k != "_meta"}
        _same_modulo(got_a, got_b, ids)
        assert "ui" not in json.dumps(a.get("_meta") or {})  # no app data rides on the result


async def test_foreground_uploads_are_followed_for_apps_clients_only(
    server: Any, app: Any, fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    """The monitor follows a foreground upload by title while it runs; a client without Apps leaves no trace."""
    from botflix_mcp.apps.live import LiveUploads
    from botflix_mcp.credentials import PROCESS_SESSION

    for kind in ("plain", "apps"):
        source = tmp_path / f"live-{kind}.mp4"
        write_file(source, 11 * MIB, seed=2)
        client = apps_client(server, mode) if kind == "apps" else Client(server, mode=mode)
        async with client:
            upload = await client.call_tool("aioz_upload_media", {"source": str(source), "title": f"Live {kind}"})
            assert not upload.is_error, text_of(upload)
            if kind == "apps":
                followed = await client.call_tool("aioz_upload_monitor", {"upload": "Live apps"})
                live = structured(followed)["data"]["live"]
                assert live["state"] == "finished" and (live["done"], live["total"]) == (3, 3)
                assert [(p["chunk"], p["size"], p["state"], p["md5_ok"]) for p in live["parts"]] == [
                    (0, 5 * MIB, "done", True),
                    (1, 5 * MIB, "done", True),
                    (2, MIB, "done", True),
                ]
                nothing = await client.call_tool("aioz_upload_monitor", {"upload": "Live plain"})
                assert structured(nothing)["data"]["live"] is None
    store = app.state(LiveUploads)
    assert store.latest(PROCESS_SESSION, "Live plain") is None  # not tracked without the extension
    assert store.latest(PROCESS_SESSION, "Live apps") is not None


async def test_over_streamable_http_each_client_gets_its_own_listing(
    fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    """Over the real HTTP transport (capabilities per connection, or per request in 2026-07-28): an Apps client
    and a plain one, side by side on one server, each see their own tools/list and resources/list."""
    from tests.e2e.servers import serving
    from tests.helpers import sandbox_settings

    settings = sandbox_settings(fresh_sandbox, tmp_path, transport="http")
    async with serving(settings) as url, apps_client(url, mode) as with_apps, Client(url, mode=mode) as plain:
        for _ in range(2):  # interleaved: nothing of one client's answer sticks to the other's
            apps_tools = {t.name: t for t in (await with_apps.list_tools()).tools}
            plain_tools = {t.name: t for t in (await plain.list_tools()).tools}
            assert apps_tools[APP_ONLY].meta == {"ui": {"resourceUri": MONITOR_URI, "visibility": ["app"]}}
            assert APP_ONLY not in plain_tools
            assert (apps_tools["aioz_media_status"].meta or {}).get("ui") == {"resourceUri": MONITOR_URI}
            assert "ui" not in (plain_tools["aioz_media_status"].meta or {})
            apps_uris = {str(r.uri) for r in (await with_apps.list_resources()).resources}
            plain_uris = {str(r.uri) for r in (await plain.list_resources()).resources}
            assert {MONITOR_URI, EPISODE_URI} <= apps_uris and not {MONITOR_URI, EPISODE_URI} & plain_uris
        refused = await plain.call_tool(APP_ONLY, {"media_id": "abc"})
        assert refused.is_error
        asked = await with_apps.call_tool(APP_ONLY, {"job_id": "0" * 32})
        assert asked.is_error and "No upload job" in text_of(asked)  # served, and voiced like the job tool


async def test_the_monitor_tool_gives_stages_and_player_for_a_media_and_no_urls_when_encoding_failed(
    server: Any, fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    async with apps_client(server, mode) as client:
        ids = {}
        for title in ("Plays", "Breaks fail-encode"):  # the sandbox fails the encode of a title with "fail-encode"
            source = tmp_path / f"{title.split()[0]}.mp4"
            write_file(source, 6 * MIB, seed=3)
            upload = await client.call_tool("aioz_upload_media", {"source": str(source), "title": title})
            assert not upload.is_error, text_of(upload)
            ids[title] = media_id = structured(upload)["data"]["media_id"]
            await client.call_tool("aioz_media_status", {"media_id": media_id, "wait_seconds": 30})
        good = structured(await client.call_tool(APP_ONLY, {"media_id": ids["Plays"]}))["data"]["media"]
        bad = structured(await client.call_tool(APP_ONLY, {"media_id": ids["Breaks fail-encode"]}))["data"]["media"]
    assert [(s["name"], s["state"]) for s in good["stages"]] == [
        ("file_received", "done"),
        ("encoding_started", "done"),
        ("partial_finished", "done"),
        ("encoding_finished", "done"),
    ]
    assert good["player_url"] == f"https://embed.aiozstream.network/vod/hls/{ids['Plays']}"
    assert good["assets"]["hls_url"].endswith(f"/{ids['Plays']}/manifest.m3u8")
    assert good["assets"]["thumbnail_url"].startswith("https://api.aiozstream.network/")
    assert bad["status"] == "fail" and bad["template"] == "encoding_failed"
    assert [s["state"] for s in bad["stages"]] == ["done", "failed", "pending", "pending"]
    assert bad["assets"] == {} and "player_url" not in bad  # a failed media's URLs do not play: not offered


async def test_a_failed_job_shows_its_failed_part_and_the_error(
    server: Any, fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    from tests.aioz.test_upload import faults

    source = tmp_path / "b.mp4"
    write_file(source, 12 * MIB)
    faults(fresh_sandbox, 1.0, "500")
    async with apps_client(server, mode) as client:
        started = await client.call_tool("aioz_upload_media", {"source": str(source), "wait_seconds": 0})
        job_id = structured(started)["data"]["job_id"]
        await client.call_tool("aioz_upload_job", {"action": "status", "job_id": job_id, "wait_seconds": 60})
        data = structured(await client.call_tool(APP_ONLY, {"job_id": job_id}))["data"]
    job = data["job"]
    assert job["state"] == "failed" and job["error"]
    assert data["media"] is None  # no file completed: no encoding stage to show
    states = [p["state"] for p in job["parts"]]
    assert "failed" in states and "done" not in states and len(states) == 3
