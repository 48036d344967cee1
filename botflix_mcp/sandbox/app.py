"""The sandbox: AIOZ at `/aioz/api`, BotFlix at `/botflix`, admin routes at `/__sandbox/`, on loopback only."""

from __future__ import annotations

import asyncio
import html
import ipaddress
import logging
import socket
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route

from .aioz import AiozState, SandboxConfig, build_aioz_app
from .faults import FaultConfig

logger = logging.getLogger(__name__)


class Sandbox:
    """Both emulators and their shared admin surface (usable without a server, as an ASGI app)."""

    def __init__(self, config: SandboxConfig | None = None, extra_routes: Sequence[Any] = ()) -> None:
        self.aioz = AiozState(config)
        self.aioz_app = build_aioz_app(self.aioz)
        self.botflix_state: Any = None
        routes: list[Any] = [
            Route("/__sandbox/reset", self._reset, methods=["POST"]),
            Route("/__sandbox/users", self._add_user, methods=["POST"]),
            Route("/__sandbox/balance", self._balance, methods=["POST"]),
            Route("/__sandbox/faults", self._faults, methods=["POST"]),
            Route("/__sandbox/config", self._config, methods=["POST"]),
            Route("/__sandbox/requests", self._requests, methods=["GET"]),
            Route("/__sandbox/deliveries", self._deliveries, methods=["GET"]),
            Route("/__sandbox/media/{id}/finish", self._finish, methods=["POST"]),
            Route("/__sandbox/media/{id}/assembled", self._assembled, methods=["GET"]),
            # Where the skill's templates put a live media's links, on this sandbox (the demo prints them so):
            # the uploaded file itself, and a tiny player page; the sandbox makes no HLS/DASH renditions.
            Route("/aioz/api/media/{id}/source", self._media_file, methods=["GET"]),
            Route("/aioz/api/media/{id}/mp4", self._media_file, methods=["GET"]),
            Route("/aioz/api/media/{id}/manifest.m3u8", self._no_rendition, methods=["GET"]),
            Route("/aioz/api/media/{id}/manifest", self._no_rendition, methods=["GET"]),
            Route("/aioz/embed/vod/{kind}/{id}", self._player_page, methods=["GET"]),
            Mount("/aioz/api", app=self.aioz_app),
        ]
        routes.extend(extra_routes)  # e.g. the MCP Apps demo page, given by `botflix-mcp sandbox` (runner.py)
        try:
            from .botflix import BotflixSandboxState, build_botflix_app

            here = Path(__file__).resolve().parents[1]  # the package: _data/ in a wheel, ../prompts in a checkout
            found = [p for p in (here / "_data" / "prompts", here.parent / "prompts") if p.is_dir()]
            self.botflix_state = BotflixSandboxState(prompts_dir=found[0] if found else None)
            routes.append(Mount("/botflix", app=build_botflix_app(self.botflix_state)))
        except ImportError:  # the BotFlix emulator is optional for the AIOZ side
            logger.debug("BotFlix emulator not available")
        self.app = Starlette(routes=routes)

    # --------------------------------------------------------------- python API (tests)

    def reset(self) -> None:
        self.aioz.reset()
        if self.botflix_state is not None and hasattr(self.botflix_state, "reset"):
            self.botflix_state.reset()

    def requests(self) -> list[dict[str, Any]]:
        """The AIOZ request log: method, path (relative to the app), status, index/content_range, user_id."""
        with self.aioz.lock:
            return [dict(e) for e in self.aioz.log]

    def botflix_requests(self) -> list[dict[str, Any]]:
        """The BotFlix request log: method, path (with the /botflix mount), status."""
        if self.botflix_state is None:
            return []
        with self.botflix_state.lock:
            return [dict(e) for e in self.botflix_state.log]

    def aioz_paths(self) -> list[str]:
        return [f"{e['method']} {e['path']}" for e in self.requests()]

    def deliveries(self) -> list[dict[str, Any]]:
        with self.aioz.lock:
            return [dict(d) for d in self.aioz.deliveries]

    def add_user(self, email: str = "second@sandbox.invalid", balance: str = "25.00") -> dict[str, str]:
        return self.aioz.add_user(email, balance)

    def set_balance(self, balance: str, user_id: str | None = None) -> None:
        self.aioz.users[user_id or self.aioz.demo_user_id]["balance"] = balance

    def set_faults(self, faults: FaultConfig) -> None:
        self.aioz.config.faults = faults

    def assembled(self, media_id: str) -> dict[str, Any] | None:
        return self.aioz.assembled.get(media_id)

    async def finish_transcoding(self, media_id: str) -> None:
        await self.aioz_app._transcode(media_id, immediate=True)

    # --------------------------------------------------------------- admin routes

    async def _reset(self, request: Request) -> JSONResponse:
        self.reset()
        return JSONResponse({"ok": True})

    async def _add_user(self, request: Request) -> JSONResponse:
        body = await request.json() if await request.body() else {}
        return JSONResponse(self.add_user(body.get("email", "second@sandbox.invalid"), body.get("balance", "25.00")))

    async def _balance(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.set_balance(str(body["balance"]), body.get("user_id"))
        return JSONResponse({"ok": True})

    async def _faults(self, request: Request) -> JSONResponse:
        self.set_faults(FaultConfig.from_json(await request.json()))
        return JSONResponse({"ok": True})

    async def _config(self, request: Request) -> JSONResponse:
        body = await request.json()
        for key, value in body.items():
            if key in {
                "transcripts_enabled", "check_mime", "transcode_step", "transcode_seconds", "fail_encoding",
                "body_limit", "store_parts",
            }:  # fmt: skip
                setattr(self.aioz.config, key, value)
            elif key == "rate_limits":
                self.aioz.config.rate_limits.update(value)
        return JSONResponse({"ok": True})

    async def _requests(self, request: Request) -> JSONResponse:
        return JSONResponse(self.requests())

    async def _deliveries(self, request: Request) -> JSONResponse:
        return JSONResponse(self.deliveries())

    async def _finish(self, request: Request) -> JSONResponse:
        await self.finish_transcoding(request.path_params["id"])
        return JSONResponse({"ok": True})

    def _live_file(self, media_id: str) -> str | None:
        media = self.aioz.media.get(media_id)
        record = self.aioz.assembled.get(media_id) or {}
        if media is None or media["status"] == "deleted" or not any(q["status"] == "done" for q in media["qualities"]):
            return None
        path = record.get("path")
        return path if path and Path(path).is_file() else None

    async def _media_file(self, request: Request) -> Response:
        path = self._live_file(request.path_params["id"])
        if path is None:
            return JSONResponse({"status": "fail", "message": "Media not found or not live yet."}, status_code=404)
        return FileResponse(path, media_type="video/mp4")

    async def _no_rendition(self, request: Request) -> JSONResponse:
        return JSONResponse(
            {"status": "fail", "message": "The sandbox makes no HLS/DASH renditions; /source and /mp4 serve the file."},
            status_code=404,
        )

    async def _player_page(self, request: Request) -> Response:
        media_id = request.path_params["id"]
        if self._live_file(media_id) is None:
            return HTMLResponse("<!doctype html><title>Not found</title><p>Media not found or not live yet.", 404)
        src = f"/aioz/api/media/{html.escape(media_id)}/mp4"
        return HTMLResponse(
            f"<!doctype html><meta charset=utf-8><title>Sandbox player</title>"
            f'<video src="{src}" controls style="width:100%;height:100%"></video>'
        )

    async def _assembled(self, request: Request) -> JSONResponse:
        record = self.assembled(request.path_params["id"])
        return JSONResponse(record or {}, status_code=200 if record else 404)


def build_sandbox_app(config: SandboxConfig | None = None) -> Starlette:
    return Sandbox(config).app


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SandboxServer(Sandbox):
    """The sandbox served by uvicorn in a background thread, on loopback only."""

    def __init__(
        self,
        config: SandboxConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        extra_routes: Sequence[Any] = (),
    ) -> None:
        if not _is_loopback(host):
            raise ValueError(f"the sandbox only listens on loopback, not {host!r}")
        super().__init__(config, extra_routes)
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def aioz_base_url(self) -> str:
        return f"{self.url}/aioz/api"

    @property
    def botflix_base_url(self) -> str:
        return f"{self.url}/botflix"

    @property
    def state(self) -> AiozState:
        return self.aioz

    def start(self) -> SandboxServer:
        # proto given explicitly: asyncio sets TCP_NODELAY only on IPPROTO_TCP sockets (else ~40 ms per request)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_level="critical", access_log=False, lifespan="off", timeout_keep_alive=30,
            h11_max_incomplete_event_size=1 << 20,
        )  # fmt: skip
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._server.serve(sockets=[sock])),  # type: ignore[union-attr]
            name="botflix-sandbox",
            daemon=True,
        )
        self._thread.start()
        for _ in range(500):
            if self._server.started:
                break
            threading.Event().wait(0.01)
        else:
            raise RuntimeError("the sandbox did not start")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
