"""Local-file confinement (issue 6 §2): roots, symlinks, `..`, file URIs, Windows paths, suggestions, HTTP."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import pytest
from mcp import Client
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ListRootsResult, Root
from pydantic import Field

from botflix_mcp.paths import PathRefused, allowed_roots, default_user_roots, parse_local_path, resolve_local_path
from botflix_mcp.settings import Settings

pytestmark = pytest.mark.anyio


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """root/ with videos, a nested folder, and a sibling folder outside the root."""
    root = tmp_path / "root"
    (root / "videos").mkdir(parents=True)
    (root / "videos" / "episode_01.mp4").write_bytes(b"mp4")
    (root / "videos" / "episode_02.mp4").write_bytes(b"mp4")
    (root / "videos" / "trailer.mov").write_bytes(b"mov")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.mp4").write_bytes(b"no")
    return root


def rooted(root: Path, **kw: Any) -> Settings:
    return Settings(allowed_roots=(root,), **kw)


async def refused(raw: str, settings: Settings, ctx: Any = None, **kw: Any) -> str:
    with pytest.raises(PathRefused) as info:
        await resolve_local_path(raw, ctx=ctx, settings=settings, **kw)
    return info.value.for_model()


async def test_absolute_path_inside_root(tree: Path) -> None:
    got = await resolve_local_path(str(tree / "videos" / "episode_01.mp4"), ctx=None, settings=rooted(tree))
    assert got == (tree / "videos" / "episode_01.mp4").resolve()


async def test_dotdot_cannot_escape(tree: Path) -> None:
    raw = f"{tree}/videos/../../outside/secret.mp4"
    text = await refused(raw, rooted(tree))
    assert "outside the allowed folders" in text and str(tree.parent / "outside" / "secret.mp4") in text
    # `..` that stays inside is fine
    inside = await resolve_local_path(f"{tree}/videos/../videos/trailer.mov", ctx=None, settings=rooted(tree))
    assert inside == tree / "videos" / "trailer.mov"


async def test_symlink_escape_is_refused_and_inner_symlink_resolves(tree: Path) -> None:
    (tree / "videos" / "link.mp4").symlink_to(tree.parent / "outside" / "secret.mp4")
    (tree / "dirlink").symlink_to(tree.parent / "outside", target_is_directory=True)
    (tree / "alias.mp4").symlink_to(tree / "videos" / "episode_02.mp4")
    text = await refused(str(tree / "videos" / "link.mp4"), rooted(tree))
    assert "resolves to" in text and "secret.mp4" in text
    await refused(str(tree / "dirlink" / "secret.mp4"), rooted(tree))
    # a not-yet-existing file through a symlinked folder is refused too (writes)
    await refused(str(tree / "dirlink" / "new.mp4"), rooted(tree), must_exist=False, for_write=True)
    got = await resolve_local_path(str(tree / "alias.mp4"), ctx=None, settings=rooted(tree))
    assert got == tree / "videos" / "episode_02.mp4"  # the real path is what callers open


async def test_root_given_through_a_symlink_still_works(tree: Path, tmp_path: Path) -> None:
    (tmp_path / "root-link").symlink_to(tree, target_is_directory=True)
    got = await resolve_local_path(
        str(tmp_path / "root-link" / "videos" / "trailer.mov"), ctx=None, settings=rooted(tmp_path / "root-link")
    )
    assert got == tree / "videos" / "trailer.mov"


async def test_file_uri(tree: Path) -> None:
    spaced = tree / "videos" / "my clip #1.mp4"
    spaced.write_bytes(b"x")
    uri = spaced.as_uri()  # file:///.../my%20clip%20%231.mp4
    assert "%20" in uri
    assert await resolve_local_path(uri, ctx=None, settings=rooted(tree)) == spaced
    assert await resolve_local_path(f"file://localhost{spaced}", ctx=None, settings=rooted(tree)) == spaced
    assert await resolve_local_path(f"file:{spaced}", ctx=None, settings=rooted(tree)) == spaced  # unencoded
    text = await refused(f"file://fileserver{spaced}", rooted(tree))
    assert "names the host 'fileserver'" in text


@pytest.mark.skipif(os.name == "nt", reason="on Windows these are local paths")
@pytest.mark.parametrize(
    ("raw", "wsl"),
    [
        (r"C:\Users\me\Videos\clip.mp4", "/mnt/c/Users/me/Videos/clip.mp4"),
        ("D:/media/clip.mp4", "/mnt/d/media/clip.mp4"),
        ("file:///C:/Users/me/clip.mp4", "/mnt/c/Users/me/clip.mp4"),
        (r"\\nas\share\clip.mp4", None),
    ],
)
async def test_windows_paths_say_they_are_elsewhere(tree: Path, raw: str, wsl: str | None) -> None:
    text = await refused(raw, rooted(tree))
    assert "is a Windows path" in text and "own machine" in text
    if wsl:
        assert wsl in text
    with pytest.raises(PathRefused):
        parse_local_path(raw)


async def test_missing_file_suggests_close_matches(tree: Path) -> None:
    text = await refused(str(tree / "videos" / "episde_01.mp4"), rooted(tree))
    assert "No such file" in text and str(tree / "videos" / "episode_01.mp4") in text
    text = await refused(str(tree / "videos" / "TRAILER.MOV"), rooted(tree))  # case slip
    assert str(tree / "videos" / "trailer.mov") in text
    text = await refused(str(tree / "videos" / "trailer.mp4"), rooted(tree))  # other extension
    assert str(tree / "videos" / "trailer.mov") in text
    text = await refused(str(tree / "videos" / "zzzz.mp4"), rooted(tree))
    assert "nothing with a similar name" in text


async def test_missing_folder_is_named_with_suggestions(tree: Path) -> None:
    text = await refused(str(tree / "vidoes" / "episode_01.mp4"), rooted(tree))
    assert f"the folder {tree / 'vidoes'} does not exist" in text
    assert str(tree / "videos") in text


async def test_suggestions_never_list_folders_outside_the_roots(tree: Path) -> None:
    text = await refused(str(tree.parent / "outside" / "secrt.mp4"), rooted(tree))
    assert "outside the allowed folders" in text and "secret.mp4" not in text


async def test_over_http_nothing_is_allowed_until_configured(tree: Path) -> None:
    text = await refused(str(tree / "videos" / "episode_01.mp4"), Settings(transport="http"))
    assert "over HTTP" in text and "BOTFLIX_MCP_ALLOWED_ROOTS" in text
    await refused("/tmp", Settings(transport="http"), allow_dir=True)
    got = await resolve_local_path(
        str(tree / "videos" / "episode_01.mp4"), ctx=None, settings=rooted(tree, transport="http")
    )
    assert got.name == "episode_01.mp4"


async def test_stdio_default_is_the_users_own_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    (home / "Videos").mkdir(parents=True)
    (home / "Videos" / "a.mp4").write_bytes(b"x")
    monkeypatch.setenv("HOME", str(home))
    roots = await allowed_roots(None, Settings())
    assert roots.source == "default" and roots.dirs == default_user_roots()
    assert any(home == d or d in home.parents for d in roots.dirs)  # (here home is inside the temp folder)
    assert await resolve_local_path("~/Videos/a.mp4", ctx=None, settings=Settings()) == home / "Videos" / "a.mp4"
    assert (await resolve_local_path(str(tmp_path), ctx=None, settings=Settings(), allow_dir=True)) == tmp_path
    text = await refused("/etc/hostname", Settings(), must_exist=False)
    assert "outside the allowed folders" in text and "BOTFLIX_MCP_ALLOWED_ROOTS" in text


async def test_credential_stores_are_refused_even_inside_a_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "config").write_text("x")
    (home / "proj").mkdir()
    (home / "proj" / ".env").write_text("AIOZ_SECRET_KEY=x")
    (home / "proj" / "id_ed25519").write_text("x")
    monkeypatch.setenv("HOME", str(home))
    for settings in (Settings(), Settings(allowed_roots=(home,))):
        assert "~/.ssh holds credentials" in await refused(str(home / ".ssh" / "config"), settings)
        assert "hold credentials" in await refused(str(home / "proj" / ".env"), settings)
        assert "hold credentials" in await refused("~/proj/id_ed25519", settings)
    # a root configured inside such a folder on purpose is honoured (names like .env stay refused)
    assert await resolve_local_path(
        str(home / ".ssh" / "config"), ctx=None, settings=Settings(allowed_roots=(home / ".ssh",))
    )


async def test_relative_paths(tree: Path) -> None:
    got = await resolve_local_path("videos/trailer.mov", ctx=None, settings=rooted(tree))
    assert got == tree / "videos" / "trailer.mov"
    text = await refused("videos/trailer.mov", Settings())  # default roots: relative to what?
    assert "relative path" in text
    two = Settings(allowed_roots=(tree / "videos", tree.parent / "outside"))
    assert "relative path" in await refused("trailer.mov", two)


async def test_writes(tree: Path) -> None:
    new = await resolve_local_path(
        str(tree / "videos" / "out.vtt"), ctx=None, settings=rooted(tree), must_exist=False, for_write=True
    )
    assert new == tree / "videos" / "out.vtt" and not new.exists()  # nothing created
    text = await refused(str(tree / "nope" / "out.vtt"), rooted(tree), must_exist=False, for_write=True)
    assert "does not exist" in text
    assert "is a folder" in await refused(str(tree / "videos"), rooted(tree), must_exist=False, for_write=True)


async def test_folder_or_device_where_a_file_is_expected(tree: Path) -> None:
    assert "is a folder" in await refused(str(tree / "videos"), rooted(tree))
    assert await resolve_local_path(str(tree / "videos"), ctx=None, settings=rooted(tree), allow_dir=True)
    assert "empty" in await refused("  ", rooted(tree))


# --------------------------------------------------------------------------- roots offered by the client


def roots_server(settings: Settings) -> MCPServer:
    server = MCPServer("roots-probe")

    @server.tool()
    async def where(ctx: Context, path: Annotated[str, Field(description="path")]) -> str:
        try:
            return str(await resolve_local_path(path, ctx=ctx, settings=settings))
        except PathRefused as exc:
            raise ToolError(exc.for_model()) from None

    return server


def offering(*dirs: Path, calls: list[int] | None = None) -> Any:
    async def callback(context: Any) -> ListRootsResult:
        if calls is not None:
            calls.append(1)
        return ListRootsResult(roots=[Root(uri=d.as_uri(), name=d.name) for d in dirs])  # type: ignore[arg-type]

    return callback


async def test_client_roots_confine_on_handshake_era(tree: Path) -> None:
    calls: list[int] = []
    server = roots_server(Settings())
    ok = str(tree / "videos" / "episode_01.mp4")
    other = tree.parent / "outside" / "secret.mp4"
    async with Client(server, mode="legacy", list_roots_callback=offering(tree / "videos", calls=calls)) as c:
        got = await c.call_tool("where", {"path": ok})
        assert not got.is_error and got.structured_content == {"result": ok}
        bad = await c.call_tool("where", {"path": str(other)})
        assert bad.is_error and "outside the allowed folders" in bad.content[0].text  # type: ignore[union-attr]
        assert "(client)" in bad.content[0].text  # type: ignore[union-attr]
    assert calls == [1]  # asked once, cached for the session


async def test_client_roots_add_to_configured_ones_over_stdio(tree: Path) -> None:
    server = roots_server(Settings(allowed_roots=(tree.parent / "outside",)))
    async with Client(server, mode="legacy", list_roots_callback=offering(tree / "videos")) as c:
        for path in (tree / "videos" / "trailer.mov", tree.parent / "outside" / "secret.mp4"):
            assert not (await c.call_tool("where", {"path": str(path)})).is_error


async def test_modern_era_does_not_ask_for_roots(tree: Path, tmp_path: Path) -> None:
    calls: list[int] = []
    server = roots_server(Settings(allowed_roots=(tree,)))
    async with Client(server, list_roots_callback=offering(tmp_path / "elsewhere", calls=calls)) as c:
        got = await c.call_tool("where", {"path": str(tree / "videos" / "trailer.mov")})
        assert not got.is_error
    assert calls == []  # roots/list is deprecated in 2026-07-28 and has no back-channel there


async def test_client_without_roots_capability_gets_the_configured_roots(tree: Path) -> None:
    server = roots_server(Settings(allowed_roots=(tree,)))
    async with Client(server, mode="legacy") as c:
        assert not (await c.call_tool("where", {"path": str(tree / "videos" / "trailer.mov")})).is_error
        bad = await c.call_tool("where", {"path": str(tree.parent / "outside" / "secret.mp4")})
        assert bad.is_error


async def test_over_http_client_roots_only_narrow_the_configured_ones(tree: Path) -> None:
    class HttpCtx:  # what a streamable-HTTP request looks like to the resolver: headers present
        def __init__(self) -> None:
            self.headers = {"mcp-session-id": "s1"}
            self.client_capabilities = None

    settings = Settings(allowed_roots=(tree / "videos",))
    assert (await allowed_roots(HttpCtx(), settings)).over_http
    ok = await resolve_local_path(str(tree / "videos" / "trailer.mov"), ctx=HttpCtx(), settings=settings)
    assert ok.name == "trailer.mov"
    assert "over HTTP" in await refused(str(tree / "videos" / "trailer.mov"), Settings(), ctx=HttpCtx())

    from botflix_mcp.paths import _intersect

    assert _intersect((tree,), (tree / "videos",)) == (tree / "videos",)  # a wider client root cannot widen
    assert _intersect((tree / "videos",), (tree,)) == (tree / "videos",)
    assert _intersect((tree.parent / "outside",), (tree,)) == ()


# ------------------------------------------------------------------------ names the OS cannot take (issue 9 k)

LONG = "x" * 256 + ".mp4"  # one component over NAME_MAX (255 bytes)


async def test_a_component_over_255_bytes_is_refused_clearly(tree: Path) -> None:
    for raw in (str(tree / LONG), str(tree / ("é" * 128) / "a.mp4"), f"file://{tree}/{LONG}"):
        text = await refused(raw, rooted(tree))
        assert "at most 255 bytes" in text, text
    assert "at most 255 bytes" in await refused(str(tree / LONG), rooted(tree), must_exist=False, for_write=True)
    assert "at most 4096" in await refused(str(tree) + "/abc" * 1100, rooted(tree))
    assert "at most 255 bytes" in await refused(LONG, rooted(tree))  # relative to the one configured root
    ok = "y" * 250 + ".mp4"  # 254 bytes: fine (and reported missing, not too long)
    assert "No such file" in await refused(str(tree / ok), rooted(tree))


async def test_characters_the_os_cannot_encode_are_refused(tree: Path) -> None:
    assert "cannot use" in await refused(str(tree / "bad\ud800.mp4"), rooted(tree))


def _path_calls(path: str) -> list[tuple[str, dict[str, Any]]]:
    """Every tool that takes a local path, with that path in its path argument."""
    return [
        ("aioz_upload_media", {"source": path}),
        ("aioz_media_write", {"action": "set_thumbnail", "media_id": "m1", "path": path}),
        ("aioz_players_write", {"action": "set_logo", "player_id": "p1", "logo_path": path}),
        ("aioz_captions_write", {"media_id": "m1", "language": "en", "path": path}),
        (
            "aioz_playlist_write",
            {"action": "update", "playlist_id": "0b4c3a53-6f7e-4d0a-9c57-1a2b3c4d5e01", "thumbnail_path": path},
        ),
        ("botflix_probe_episode", {"path": path}),
        ("botflix_upload_episode", {"path": path, "metadata": {"title": "t"}}),
        ("botflix_download_episode", {"episode_id": "e1", "path": path}),
        ("botflix_validate", {"kind": "brief", "document": path}),
    ]


async def test_every_path_tool_refuses_a_too_long_name_without_internal_error(
    server: Any, fresh_sandbox: Any, tmp_path: Path, mode: str
) -> None:
    long_path = str(tmp_path / LONG)
    seen: set[str] = set()
    async with Client(server, mode=mode) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        for tool, arguments in _path_calls(long_path):
            if tool not in names:
                continue
            result = await client.call_tool(tool, arguments)
            text = "\n".join(getattr(c, "text", "") for c in result.content)
            assert result.is_error and "at most 255 bytes" in text, f"{tool}: {text}"
            assert "Internal error" not in text, f"{tool}: {text}"
            seen.add(tool)
    assert len(seen) >= 8, seen
    assert fresh_sandbox.requests() == [] and fresh_sandbox.botflix_requests() == []
