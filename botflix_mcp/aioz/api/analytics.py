"""Analytics: one number, a breakdown, a time series (docs/aioz-api.md §analytics).

Wire facts this follows: `POST /analytics/metrics/data/{metric}/{aggregation}`,
`/analytics/metrics/bucket/{metric}/{breakdown}` and `/analytics/metrics/timeseries/{metric}/{interval}` take a
JSON body `{from, to}` in UNIX seconds plus an optional `filter_by`; the two list kinds add `offset`, `limit`
(at most 100), `sort_by` (`metric_value` | `dimension_value` | `emitted_at`) and `order_by`. These POSTs are reads
(retried like GETs). Answers: `{context, data: <number>}` and `{context, total, data: [MetricItem]}` with
`MetricItem = {metric_value, dimension_value, emitted_at}`. A Go host may send `data: null`, `total: null`,
`context: null` and metric values as strings; all of that reads as empty, missing or a number here.
The path values (metric, aggregation, breakdown, interval) come from the fixed lists in `rules.analytics`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from botflix_mcp.aioz.api.base import Items, Model, Num, OptCount, Text, parse
from botflix_mcp.aioz.api.webhooks import not_found_step

if TYPE_CHECKING:
    from botflix_mcp.aioz.session import AiozSession

MAX_LIMIT = 100
NOT_FOUND_STEP = "Check the metric and the ids in filters (list media with aioz_media, action 'list')."


class MetricsContext(Model):
    """What the host says it computed (metric, aggregation/breakdown/interval, time_frame, filter); kept as sent."""


class MetricItem(Model):
    metric_value: Num = None
    dimension_value: Text = ""
    emitted_at: Text = ""


class MetricValue(Model):
    context: MetricsContext = MetricsContext()
    data: Num = None


class MetricRows(Model):
    context: MetricsContext = MetricsContext()
    data: Items[MetricItem] = []
    total: OptCount = None


def _body(start: int, end: int, filter_by: dict[str, Any] | None) -> dict[str, Any]:
    body: dict[str, Any] = {"from": start, "to": end}
    if filter_by:
        body["filter_by"] = filter_by
    return body


async def metric_value(
    api: AiozSession, metric: str, aggregation: str, *, start: int, end: int, filter_by: dict[str, Any] | None = None
) -> MetricValue:
    """`POST /analytics/metrics/data/{metric}/{aggregation}`: one number."""
    path = f"/analytics/metrics/data/{metric}/{aggregation}"
    with not_found_step(NOT_FOUND_STEP):
        response = await api.request("POST", path, json=_body(start, end, filter_by), idempotent=True)
    data = response.data
    if data is not None and not isinstance(data, dict):  # a bare number instead of {context, data}
        data = {"data": data}
    return parse(MetricValue, data, method="POST", path=path)


async def metric_rows(
    api: AiozSession,
    kind: Literal["bucket", "timeseries"],
    metric: str,
    group: str,
    *,
    start: int,
    end: int,
    filter_by: dict[str, Any] | None = None,
    offset: int = 0,
    limit: int = 25,
) -> MetricRows:
    """`POST /analytics/metrics/{bucket|timeseries}/{metric}/{breakdown|interval}`.

    Buckets come biggest first, time series in time order.
    """
    path = f"/analytics/metrics/{kind}/{metric}/{group}"
    body = _body(start, end, filter_by)
    body.update(offset=offset, limit=min(limit, MAX_LIMIT))
    if kind == "bucket":
        body.update(sort_by="metric_value", order_by="desc")
    else:
        body.update(sort_by="emitted_at", order_by="asc")
    with not_found_step(NOT_FOUND_STEP):
        response = await api.request("POST", path, json=body, idempotent=True)
    return parse(MetricRows, response.data, method="POST", path=path)
