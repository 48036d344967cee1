"""Shared fixtures: anyio backend, the loopback sandbox, settings and servers pointed at it."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["auto", "legacy"])
def mode(request: pytest.FixtureRequest) -> str:
    """Both protocol eras: 2026-07-28 ("auto") and the 2025-11-25 handshake ("legacy")."""
    return request.param
