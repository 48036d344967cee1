"""Analytics toolset: one read tool over the three metric endpoints (data, bucket, timeseries).

Skill rule 5: human dates ("2024-09-01", ISO datetimes, "yesterday", "last 7 days") become UNIX seconds silently
(rules.resolve_range); `from` after `to` is an error before any call.
The metric/aggregation/breakdown/interval lists are research/aioz.md §5.8 (backend code), which WINS over the
skill: e.g. `impression_time`, `week`/`month` intervals, and the breakdown `operator-system` (the skill says
`operating-system`, which the host rejects). rules.validate_metric_query holds those lists.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from botflix_mcp.aioz import rules
from botflix_mcp.aioz.session import aioz_session
from botflix_mcp.app import App
from botflix_mcp.errors import UserInputError
from botflix_mcp.results import ToolOutput, page_of, to_result
from botflix_mcp.toolkit import Toolkit

MAX_TABLE_ROWS = 50


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _num(value: Any) -> str:
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
        lines.append(f"| {str(label).replace('|', '/') or '(unknown)'} | {_num(row.get('metric_value'))} |")
    if len(rows) > MAX_TABLE_ROWS:
        lines.append(f"\n…{len(rows) - MAX_TABLE_ROWS} more rows in the structured data.")
    return "\n".join(lines)


def register(kit: Toolkit, app: App) -> None:
    @kit.tool(name="aioz_analytics", title="AIOZ analytics", toolset="analytics", read_only=True)
    async def aioz_analytics(
        ctx: Context,
        kind: Literal["data", "bucket", "timeseries"],
        metric: Annotated[str, Field(description="play, start, end, impression, view, watch_time...")],
        aggregation: Annotated[str | None, Field(description="data: count|rate|total|average|sum")] = None,
        breakdown: Annotated[str | None, Field(description="bucket: country, device-type, media-id...")] = None,
        interval: Annotated[str | None, Field(description="timeseries: hour|day|week|month")] = None,
        date_from: Annotated[str, Field(description="'2024-09-01', ISO, 'yesterday', 'last 7 days'")] = "last 7 days",
        date_to: str | None = None,
        filters: Annotated[
            dict[str, Any] | None, Field(description="media_ids, countries, device_types, os...")
        ] = None,
        offset: Annotated[int, Field(ge=0)] = 0,
        limit: Annotated[int, Field(ge=1, le=100)] = 25,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """Playback metrics over a date range (human dates ok): data = one number, bucket = by breakdown,
        timeseries = by interval."""
        start, end = rules.resolve_range(date_from, date_to)
        dimension = {"data": aggregation, "bucket": breakdown, "timeseries": interval}[kind]
        if not dimension:
            needed = {"data": "aggregation", "bucket": "breakdown", "timeseries": "interval"}[kind]
            raise UserInputError(f"kind={kind!r} needs {needed}.", f"E.g. {needed}='count'/'country'/'day'.")
        group = rules.validate_metric_query(kind, metric, dimension)
        metric = metric.strip().lower()
        filter_by = rules.validate_filters(filters)
        query_path = f"/analytics/metrics/{kind}/{metric}/{group}"
        body: dict[str, Any] = {"from": start, "to": end}
        if filter_by:
            body["filter_by"] = filter_by
        if kind != "data":
            body.update({"offset": offset, "limit": limit})
            # buckets: biggest first; time series: chronological
            body.update(
                {"sort_by": "metric_value", "order_by": "desc"}
                if kind == "bucket"
                else {"sort_by": "emitted_at", "order_by": "asc"}
            )
        span = f"{_iso(start)} → {_iso(end)}"
        api = await aioz_session(ctx, app)
        data = (await api.post(query_path, json=body, idempotent=True)).data or {}
        if kind == "data":
            value = data.get("data") if isinstance(data, dict) else data
            return to_result(
                ToolOutput(
                    summary=f"**{metric} · {group}** ({span}): **{_num(value)}**",
                    data={
                        "value": value,
                        "context": data.get("context") if isinstance(data, dict) else None,
                        "from": start,
                        "to": end,
                    },
                )
            )
        rows = [r for r in (data.get("data") or []) if isinstance(r, dict)] if isinstance(data, dict) else []
        total = int(data.get("total", len(rows))) if isinstance(data, dict) else len(rows)
        first, key = (group, "dimension_value") if kind == "bucket" else (f"Time ({group})", "emitted_at")
        return to_result(
            ToolOutput(
                summary=f"**{metric} by {group}** ({span})\n\n{render_table(rows, first=first, key=key)}",
                data={"rows": rows, "context": data.get("context"), "from": start, "to": end},
                page=page_of(total, offset, limit, len(rows)),
            )
        )


__all__ = ["UserInputError", "register", "render_table"]
