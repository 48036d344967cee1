"""The sandbox's `/__apps/` page: every app against sandbox data, without an MCP host (issue 13 §5).

`botflix-mcp sandbox` serves `host.html` (a tiny MCP Apps host: sandboxed iframes, the resource's CSP, the
postMessage bridge) at `/__apps/`. Its tool calls go to `/__apps/call`, answered by a real botflix-mcp server built
here in the sandbox's own event loop with the sandbox's demo keys, through the SDK's in-memory client that
advertises the Apps extension. Uploads use a demo MP4 written to a temporary folder (the only root it may read).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from botflix_mcp.apps import APP_MIME_TYPE, EXTENSION_ID
from botflix_mcp.demo_media import padded_mp4

ASSETS = Path(__file__).resolve().parents[1] / "demo_assets"
PAD_BYTES = 36 * 1024 * 1024  # the demo video spans eight 5 MiB parts


class AppsDemo:
    """One botflix-mcp server and MCP client per sandbox process, started on the first request."""

    def __init__(self) -> None:
        self._ready: asyncio.Future[Any] | None = None
        self._task: asyncio.Task[None] | None = None
        self.work: Path | None = None

    async def client(self, origin: str) -> Any:
        if self._ready is None:
            loop = asyncio.get_running_loop()
            self._ready = loop.create_future()
            self._task = loop.create_task(self._run(origin.rstrip("/")), name="apps-demo")
        return await asyncio.shield(self._ready)

    async def _run(self, origin: str) -> None:
        assert self._ready is not None
        try:
            from mcp import Client
            from mcp.client.extension import advertise
            from pydantic import SecretStr

            from botflix_mcp.sandbox import DEMO_DASHBOARD_TOKEN, DEMO_PUBLIC_KEY, DEMO_SECRET_KEY
            from botflix_mcp.server import build_server
            from botflix_mcp.settings import MIB, Settings

            self.work = work = Path(tempfile.mkdtemp(prefix="botflix-apps-demo-"))
            settings = Settings(
                aioz_base_url=f"{origin}/aioz/api",
                botflix_base_url=f"{origin}/botflix",
                aioz_public_key=SecretStr(DEMO_PUBLIC_KEY),
                aioz_secret_key=SecretStr(DEMO_SECRET_KEY),
                aioz_dashboard_token=SecretStr(DEMO_DASHBOARD_TOKEN),
                cache_dir=work / "cache",
                chunk_size=5 * MIB,
                allowed_roots=(work,),
                upload_parallel=2,
            )
            server = build_server(settings)
            apps = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})
            async with Client(server, extensions=[apps]) as client:
                director = {"name": "Demo Director AI", "description": "Apps demo.", "owner_email": "demo@example.com"}
                await client.call_tool("botflix_register_director", director)
                self._ready.set_result(client)
                await asyncio.Event().wait()  # until the sandbox's loop ends
        except BaseException as exc:
            if not self._ready.done():
                self._ready.set_exception(exc if isinstance(exc, Exception) else RuntimeError("demo stopped"))
            raise
        finally:
            if self.work is not None:
                shutil.rmtree(self.work, ignore_errors=True)

    def assets(self) -> dict[str, Any]:
        assert self.work is not None
        video = self.work / "pilot-episode-demo.mp4"
        if not video.exists():
            padded_mp4(ASSETS / "episode.mp4", video, PAD_BYTES)
        episode = self.work / "episode.mp4"
        if not episode.exists():
            shutil.copyfile(ASSETS / "episode.mp4", episode)
        read = lambda name: json.loads((ASSETS / name).read_text(encoding="utf-8"))  # noqa: E731
        return {
            "video": str(video),
            "episode": str(episode),
            "metadata": read("episode-metadata.json"),
            "brief": read("episode-brief.json"),
            "manifest": read("shot-manifest.json"),
        }


def wire(model: Any) -> Any:
    return model.model_dump(by_alias=True, mode="json", exclude_none=True)


def routes() -> list[Route]:
    demo = AppsDemo()

    async def page(request: Request) -> Response:
        html = (resources.files(__package__) / "host.html").read_text(encoding="utf-8")
        return HTMLResponse(html, headers={"cache-control": "no-store"})

    async def tools(request: Request) -> Response:
        client = await demo.client(str(request.base_url))
        return JSONResponse([wire(t) for t in (await client.list_tools()).tools])

    async def resource(request: Request) -> Response:
        client = await demo.client(str(request.base_url))
        uri = request.query_params.get("uri", "")
        if not uri.startswith("ui://"):
            return JSONResponse({"error": "only ui:// resources are served here"}, status_code=400)
        contents = (await client.read_resource(uri)).contents[0]
        return JSONResponse({"uri": uri, "text": getattr(contents, "text", ""), "_meta": contents.meta or {}})

    async def call(request: Request) -> Response:
        client = await demo.client(str(request.base_url))
        body = await request.json()
        name, arguments = str(body.get("name", "")), body.get("arguments") or {}
        return JSONResponse(wire(await client.call_tool(name, arguments)))

    async def assets(request: Request) -> Response:
        await demo.client(str(request.base_url))
        return JSONResponse(demo.assets())

    return [
        Route("/__apps/", page, methods=["GET"]),
        Route("/__apps/tools", tools, methods=["GET"]),
        Route("/__apps/resource", resource, methods=["GET"]),
        Route("/__apps/call", call, methods=["POST"]),
        Route("/__apps/demo.json", assets, methods=["GET"]),
    ]
