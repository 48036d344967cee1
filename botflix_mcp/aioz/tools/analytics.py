"""Analytics toolset: one read tool over the three metric endpoints (data, bucket, timeseries).

Skill rule 5: human dates ("2024-09-01", "1 Nov 2026", "last Monday", "past 2 weeks", "this month") become UNIX
seconds silently (rules.resolve_range, in UTC or the zone the caller names); the result shows the resolved range
and the zone; `from` after `to` is an error before any call. A time series is asked for as many points as the
range has (up to the API's page of 100), so a daily November is 30 points, not the default 25.
The metric/aggregation/breakdown/interval lists are docs/aioz-api.md §analytics (backend code), which WIN over the
skill: e.g. `impression_time`, `week`/`month` intervals, and the breakdown `operator-system` (the skill says
`operating-system`, which the host rejects); results name it "operating system". rules.analytics holds them.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

import anyio.to_thread
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from botflix_mcp.aioz import rules
from botflix_mcp.aioz.api import analytics as analytics_api
from botflix_mcp.aioz.api.analytics import MAX_LIMIT, MetricItem
from botflix_mcp.aioz.api.base import total_of
from botflix_mcp.aioz.rules.analytics import breakdown_label, series_points
from botflix_mcp.aioz.rules.dates import describe_range, range_info
from botflix_mcp.aioz.session import aioz_session
from botflix_mcp.app import App
from botflix_mcp.errors import UserInputError
from botflix_mcp.results import ToolOutput, page_of, to_result
from botflix_mcp.toolkit import Toolkit

MAX_TABLE_ROWS = 50
Word = Annotated[str, Field(max_length=40)]
DateText = Annotated[str, Field(max_length=100)]
FilterValue = Annotated[str, Field(max_length=255)]
Filters = Annotated[
    dict[Annotated[str, Field(max_length=40)], FilterValue | Annotated[list[FilterValue], Field(max_length=100)]],
    Field(max_length=10, description="media_ids, media_type, continents, countries (ISO: US), device_types, os..."),
]
DEFAULT_LIMIT = 25
ADJECTIVES = {"hour": "hourly", "day": "daily", "week": "weekly", "month": "monthly"}


def _num(value: Any) -> str:
    if value is None:
        return "no data"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def render_table(rows: list[dict[str, Any]], *, first: str, key: str) -> str:
    """A small Markdown table (capped): `first` column header, values from `key`, then metric_value."""
    if not rows:
        return "(no data in this range)"
    lines = [f"| {first} | Value |", "|---|---:|"]
    for row in rows[:MAX_TABLE_ROWS]:
        label = row.get(key)
        if key == "emitted_at" and isinstance(label, str):
            label = label.replace("T", " ").replace("Z", " UTC")
        lines.append(f"| {str(label or '').replace('|', '/') or '(unknown)'} | {_num(row.get('metric_value'))} |")
    if len(rows) > MAX_TABLE_ROWS:
        lines.append(f"\n…{len(rows) - MAX_TABLE_ROWS} more rows in the structured data.")
    return "\n".join(lines)


def register(kit: Toolkit, app: App) -> None:
    @kit.tool(name="aioz_analytics", title="AIOZ analytics", toolset="analytics", read_only=True)
    async def aioz_analytics(
        ctx: Context,
        kind: Literal["data", "bucket", "timeseries"],
        metric: Annotated[Word, Field(description="play, start, end, impression, view, watch_time...")],
        aggregation: Annotated[Word | None, Field(description="data: count|rate|total|average|sum")] = None,
        breakdown: Annotated[Word | None, Field(description="bucket: country, device-type, media-id, os...")] = None,
        interval: Annotated[Word | None, Field(description="timeseries: hour|day|week|month")] = None,
        date_from: Annotated[
            DateText, Field(description="'2024-09-01', '1 Nov 2026', 'last Monday', 'past 2 weeks', 'this month'")
        ] = "last 7 days",
        date_to: Annotated[DateText | None, Field(description="default now; a day means its end")] = None,
        timezone: Annotated[
            str | None, Field(max_length=64, description="IANA zone for days/weeks/months (default UTC)")
        ] = None,
        filters: Filters | None = None,
        offset: Annotated[int, Field(ge=0)] = 0,
        limit: Annotated[
            int | None, Field(ge=1, le=100, description="default 25; timeseries: the range's points")
        ] = None,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Playback metrics over a date range (human dates ok): data = one number, bucket = by breakdown,
        timeseries = by interval."""
        # Off the event loop: the first human date imports dateparser and loads its English data (~0.5-0.8 s).
        start, end = await anyio.to_thread.run_sync(partial(rules.resolve_range, date_from, date_to, tz=timezone))
        dimension = {"data": aggregation, "bucket": breakdown, "timeseries": interval}[kind]
        if not dimension:
            needed, example = {"data": ("aggregation", "count"), "bucket": ("breakdown", "country"),
                               "timeseries": ("interval", "day")}[kind]  # fmt: skip
            raise UserInputError(f"kind={kind!r} needs {needed}.", f"Give {needed}, e.g. {needed}='{example}'.")
        group = rules.validate_metric_query(kind, metric, dimension)
        metric = metric.strip().lower().replace("-", "_")
        filter_by = rules.validate_filters(filters)
        span = describe_range(start, end, timezone)
        when = range_info(start, end, timezone)
        api = await aioz_session(ctx, app)
        if kind == "data":
            answer = await analytics_api.metric_value(api, metric, group, start=start, end=end, filter_by=filter_by)
            return to_result(
                ToolOutput(
                    summary=f"**{metric} · {group}** ({span}): **{_num(answer.data)}**",
                    data={"value": _whole(answer.data), "context": answer.context.dump(), **when},
                )
            )
        warnings: list[str] = []
        if limit is None:  # a series: the whole range in one page when it fits
            points = series_points(start, end, group) if kind == "timeseries" else 0
            limit = min(MAX_LIMIT, points) if kind == "timeseries" else DEFAULT_LIMIT
            if points > MAX_LIMIT and offset == 0:
                coarser = {"hour": "day", "day": "week", "week": "month"}.get(group)
                warnings.append(
                    f"The range has up to {points} {ADJECTIVES[group]} points and one page holds {MAX_LIMIT}: "
                    "page with offset" + (f", or ask for interval '{coarser}'." if coarser else ".")
                )
        page = await analytics_api.metric_rows(
            api, kind, metric, group, start=start, end=end, filter_by=filter_by, offset=offset, limit=limit
        )
        rows = [_row(item) for item in page.data]
        total = total_of(page.total, len(rows), offset)
        if kind == "bucket":
            label = breakdown_label(group)
            title, first, key = f"{metric} by {label}", label.capitalize(), "dimension_value"
            extra: dict[str, Any] = {"breakdown": group, "breakdown_label": label}
        else:
            title, first, key = f"{metric} per {group}", f"Time ({group})", "emitted_at"
            extra = {"interval": group}
        return to_result(
            ToolOutput(
                summary=f"**{title}** ({span})\n\n{render_table(rows, first=first, key=key)}",
                data={"rows": rows, "context": page.context.dump(), **extra, **when},
                page=page_of(total, offset, limit, len(rows)),
                warnings=warnings,
            )
        )


def _whole(value: float | None) -> float | int | None:
    """12.0 -> 12 (counts read as numbers from strings stay whole numbers in the data)."""
    return int(value) if value is not None and value.is_integer() else value


def _row(item: MetricItem) -> dict[str, Any]:
    return {**item.dump(), "metric_value": _whole(item.metric_value)}


__all__ = ["UserInputError", "register", "render_table"]
