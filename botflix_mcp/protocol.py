"""Protocol utilities any client may use, whatever toolsets are enabled: MCP logging and completion.

**Logging** (`logging/setLevel`, handshake era): the server always logs to stderr (`logs.py`). A client that sets
a level also receives, as `notifications/message` on the request's own stream, the `botflix_mcp` log records
produced while the server handled *that client's* request (tool calls, prompt gets, resource reads), at or above
the level it chose and never below the server's own `BOTFLIX_MCP_LOG_LEVEL`. Records are redacted before they
exist (`logs.install_record_redaction`), so no secret can ride along; records from another session's requests
never reach this one (they are collected per request, not per process). On 2026-07-28 there is no
`logging/setLevel`: a request opts in with the `io.modelcontextprotocol/logLevel` `_meta` key and the SDK drops
entries below it. MCP logging is deprecated by SEP-2577; it is kept because 2025-era hosts show these messages.

**Completion** (`completion/complete`): when no module registered a completion handler, this one answers with
no suggestions (a valid answer) so that clients probing the capability get a result instead of -32601; a module
that has real suggestions (prompt arguments) registers its own with `@server.completion()` and wins.
"""

from __future__ import annotations

import contextvars
import logging
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mcp.server import MCPServer
    from mcp.server.context import CallNext, HandlerResult, ServerRequestContext

    from botflix_mcp.app import App

logger = logging.getLogger(__name__)

#: MCP log levels (RFC 5424 names) -> Python levels.
MCP_LEVELS: dict[str, int] = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "notice": logging.INFO + 5,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
    "alert": logging.CRITICAL + 5,
    "emergency": logging.CRITICAL + 10,
}
FORWARDED_METHODS = frozenset({"tools/call", "prompts/get", "resources/read"})
MAX_FORWARDED = 200  # per request
LOG_LEVEL_META = "io.modelcontextprotocol/logLevel"

_collected: contextvars.ContextVar[list[logging.LogRecord] | None] = contextvars.ContextVar(
    "botflix_forwarded_records", default=None
)


def mcp_level(levelno: int) -> str:
    """The MCP level name for a Python level."""
    name = "debug"
    for mcp_name, number in MCP_LEVELS.items():
        if levelno >= number:
            name = mcp_name
    return name


class _Collector(logging.Handler):
    """Keeps the records of the request being handled (if its client asked for them)."""

    def emit(self, record: logging.LogRecord) -> None:
        records = _collected.get()
        if records is not None and len(records) < MAX_FORWARDED:
            records.append(record)


_collector = _Collector(level=logging.DEBUG)


def _session_of(ctx: ServerRequestContext[Any, Any]) -> str:
    headers = getattr(ctx.request, "headers", None)
    sid = headers.get("mcp-session-id") if headers is not None else None
    return f"sid:{sid}" if sid else "process"


class ClientLogLevels(dict[str, int]):
    """MCP session -> the Python level its client asked for with logging/setLevel (one store per process)."""


def _levels(ctx: ServerRequestContext[Any, Any]) -> dict[str, int]:
    state = getattr(ctx.lifespan_context, "state", None)
    if state is None:
        return {}
    return state(ClientLogLevels)


def _wanted_level(ctx: ServerRequestContext[Any, Any]) -> int | None:
    """The minimum Python level to forward for this request, or None (the client did not ask)."""
    requested = (ctx.meta or {}).get(LOG_LEVEL_META)
    if isinstance(requested, str):  # 2026-07-28 opt-in; the SDK session filters by it too
        return MCP_LEVELS.get(requested, logging.DEBUG)
    return _levels(ctx).get(_session_of(ctx))


async def set_level(ctx: ServerRequestContext[Any, Any], params: Any) -> dict[str, Any]:
    """`logging/setLevel`: remember this session's level; answer `{}`."""
    level = MCP_LEVELS[params.level]
    _levels(ctx)[_session_of(ctx)] = level
    logger.debug("client log level set to %s", params.level)
    return {}


async def forward_logs(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """Middleware: collect this request's records, send the wanted ones to its client before the response."""
    if ctx.method not in FORWARDED_METHODS:
        return await call_next(ctx)
    wanted = _wanted_level(ctx)
    if wanted is None:
        return await call_next(ctx)
    records: list[logging.LogRecord] = []
    token = _collected.set(records)
    try:
        return await call_next(ctx)
    finally:
        _collected.reset(token)
        await _send(ctx, [r for r in records if r.levelno >= wanted])


async def _send(ctx: ServerRequestContext[Any, Any], records: list[logging.LogRecord]) -> None:
    from mcp import MCPDeprecationWarning

    for record in records:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", MCPDeprecationWarning)
                await ctx.session.send_log_message(
                    level=mcp_level(record.levelno),  # type: ignore[arg-type]
                    data=record.getMessage(),
                    logger=record.name,
                    related_request_id=ctx.request_id,
                )
        except Exception as exc:  # the client went away: the result matters more than its logs
            logger.debug("log notification not delivered: %s", type(exc).__name__)
            return


async def _no_suggestions(ref: Any, argument: Any, context: Any) -> None:
    return None  # the SDK answers {"completion": {"values": []}}


def register(server: MCPServer, app: App) -> None:
    """Wire `logging/setLevel`, the log-forwarding middleware and (if none exists) a completion handler."""
    from mcp.types import SetLevelRequestParams

    lowlevel = server._lowlevel_server
    lowlevel.add_request_handler("logging/setLevel", SetLevelRequestParams, set_level)
    if forward_logs not in server.middleware:
        server.middleware.append(forward_logs)
    package_logger = logging.getLogger("botflix_mcp")
    if _collector not in package_logger.handlers:
        package_logger.addHandler(_collector)
    if "completion/complete" not in lowlevel._request_handlers:
        server.completion()(_no_suggestions)
