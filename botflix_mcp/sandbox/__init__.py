"""The built-in sandbox: a stateful emulator of AIOZ Stream and BotFlix on 127.0.0.1.

A product feature (offline development, demos, tests), kept apart from the product's code path: nothing here
imports the rest of botflix_mcp. Importing this package is cheap; the server classes load on first use.
"""

from __future__ import annotations

from typing import Any

DEMO_PUBLIC_KEY = "sandbox-public-key-demo-0001"
DEMO_SECRET_KEY = "sandbox-secret-key-demo-0001-do-not-use-in-production"
DEMO_DASHBOARD_TOKEN = "sandbox-dashboard-jwt-demo-0001"

__all__ = ["DEMO_DASHBOARD_TOKEN", "DEMO_PUBLIC_KEY", "DEMO_SECRET_KEY", "Sandbox", "SandboxConfig", "SandboxServer"]


def __getattr__(name: str) -> Any:
    if name in {"Sandbox", "SandboxServer", "build_sandbox_app"}:
        from . import app

        return getattr(app, name)
    if name in {"SandboxConfig", "AiozState"}:
        from . import aioz

        return getattr(aioz, name)
    if name in {"FaultConfig", "FaultRule"}:
        from . import faults

        return getattr(faults, name)
    raise AttributeError(name)
