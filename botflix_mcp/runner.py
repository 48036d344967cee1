"""Running the server (stdio / streamable HTTP) and the sandbox; the only place that starts processes' loops."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import SecretStr

from botflix_mcp.settings import Settings

logger = logging.getLogger(__name__)


def sandbox_config(settings: Settings) -> Any:
    """The sandbox's behaviour from the BOTFLIX_MCP_SANDBOX_* settings (balance, transcoding, faults)."""
    from botflix_mcp.sandbox import FaultConfig, SandboxConfig

    return SandboxConfig(
        balance=f"{settings.sandbox_balance:.2f}",
        transcode_seconds=settings.sandbox_transcode_seconds,
        fail_encoding=settings.sandbox_fail_encoding,
        faults=FaultConfig.everywhere(settings.sandbox_fault_rate, settings.sandbox_fault_latency),
    )


def demo_keys_text(*, token: bool = True) -> str:
    """The sandbox's own credentials, to paste when a tool asks (sandbox-only values, never real keys)."""
    from botflix_mcp.sandbox import DEMO_DASHBOARD_TOKEN, DEMO_PUBLIC_KEY, DEMO_SECRET_KEY

    text = f"  AIOZ_PUBLIC_KEY={DEMO_PUBLIC_KEY}\n  AIOZ_SECRET_KEY={DEMO_SECRET_KEY}  (sandbox-only demo keys)"
    return text + (f"\n  AIOZ_DASHBOARD_TOKEN={DEMO_DASHBOARD_TOKEN}" if token else "")


def sandbox_options_text(settings: Settings) -> str:
    faults = f"{settings.sandbox_fault_rate:g} of AIOZ requests fail" if settings.sandbox_fault_rate else "none"
    if settings.sandbox_fault_latency:
        faults += f", +{settings.sandbox_fault_latency:g} s each"
    return (
        f"  balance {settings.sandbox_balance:.2f}; transcoding {settings.sandbox_transcode_seconds:g} s"
        f"{'; every encode fails' if settings.sandbox_fail_encoding else ''}; injected faults: {faults}"
    )


@contextmanager
def sandbox_settings(settings: Settings) -> Iterator[tuple[Settings, Any]]:
    """Start the built-in sandbox on 127.0.0.1 and point both platforms at it.

    The sandbox's demo key pair and dashboard token are used unless the user configured their own (which the
    sandbox would reject: it only knows its own accounts). With `sandbox_demo_keys` off (`--no-demo-keys`) the
    key pair is left unset, so the first AIOZ tool asks for it as it would for real keys.
    """
    from botflix_mcp.sandbox import DEMO_DASHBOARD_TOKEN, DEMO_PUBLIC_KEY, DEMO_SECRET_KEY, SandboxServer

    sandbox = SandboxServer(sandbox_config(settings))
    sandbox.start()
    demo = settings.sandbox_demo_keys
    try:
        yield (
            settings.with_overrides(
                aioz_base_url=sandbox.aioz_base_url,
                botflix_base_url=sandbox.botflix_base_url,
                aioz_public_key=settings.aioz_public_key or (SecretStr(DEMO_PUBLIC_KEY) if demo else None),
                aioz_secret_key=settings.aioz_secret_key or (SecretStr(DEMO_SECRET_KEY) if demo else None),
                aioz_dashboard_token=settings.aioz_dashboard_token or SecretStr(DEMO_DASHBOARD_TOKEN),
            ),
            sandbox,
        )
    finally:
        sandbox.stop()


def serve(settings: Settings) -> int:
    from botflix_mcp.logs import configure_logging

    configure_logging(settings.log_level)
    if settings.sandbox:
        with sandbox_settings(settings) as (effective, sandbox):
            logger.info("sandbox running at %s", sandbox.url)
            if not effective.aioz_public_key:  # print, not log: the values must reach the person, unredacted
                print(
                    f"botflix-mcp: sandbox on {sandbox.url} without AIOZ keys (--no-demo-keys); when a tool asks, "
                    f"give it the sandbox's:\n{demo_keys_text(token=False)}",
                    file=sys.stderr,
                    flush=True,
                )
            return _serve(effective)
    return _serve(settings)


def _serve(settings: Settings) -> int:
    from botflix_mcp.server import build_server

    if settings.transport == "http":
        from botflix_mcp.http_app import run_http

        return run_http(settings)
    server = build_server(settings)
    server.run()
    return 0


def run_sandbox(settings: Settings) -> int:
    """`botflix-mcp sandbox`: the emulator alone, in the foreground, until Ctrl-C."""
    from botflix_mcp.logs import configure_logging
    from botflix_mcp.sandbox import SandboxServer

    configure_logging(settings.log_level)
    port = settings.port if settings.port != 8765 else 8766
    from botflix_mcp.apps.demo import routes as apps_demo_routes  # /__apps/: the MCP Apps demo (issue 13)

    sandbox = SandboxServer(sandbox_config(settings), port=port, extra_routes=apps_demo_routes())
    sandbox.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(
        f"botflix-mcp sandbox on {sandbox.url}\n"
        f"  AIOZ_BASE_URL={sandbox.aioz_base_url}\n  BOTFLIX_BASE_URL={sandbox.botflix_base_url}\n"
        f"{demo_keys_text()}\n{sandbox_options_text(settings)}\n"
        f"  MCP Apps demo: {sandbox.url}/__apps/\nCtrl-C to stop.",
        file=sys.stderr,
        flush=True,
    )
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0
