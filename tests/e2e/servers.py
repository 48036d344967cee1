"""The production HTTP app under uvicorn inside the test's event loop (shared by the e2e HTTP tests)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio

from botflix_mcp.http_app import build_http_app
from botflix_mcp.server import build_server
from botflix_mcp.settings import Settings
from tests.helpers import make_app


@asynccontextmanager
async def serving(settings: Settings, app: Any = None) -> AsyncIterator[str]:
    """The production HTTP app (`build_http_app`) under uvicorn on a free 127.0.0.1 port; yields the /mcp URL."""
    import uvicorn

    server = build_server(settings, app=app or make_app(settings))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        build_http_app(settings, server), host="127.0.0.1", port=port, log_config=None, access_log=False
    )
    web = uvicorn.Server(config)
    async with anyio.create_task_group() as tg:
        tg.start_soon(web._serve)  # no signal handlers inside the test process
        with anyio.fail_after(10):
            while not web.started:  # noqa: ASYNC110 - uvicorn offers no started event
                await anyio.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            web.should_exit = True
