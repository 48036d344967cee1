"""aioz_analytics against a Go-like host: `data: null`, `total: null`, `context: null`, metric values as strings
(issue 9 a); wire names kept on the wire, human names shown (issue 10 §7); the resolved range and zone shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from tests.aioz.api.fake import fake_server
from tests.helpers import structured, text_of

BUCKET = "/analytics/metrics/bucket/view/operator-system"
SERIES = "/analytics/metrics/timeseries/view/day"
VALUE = "/analytics/metrics/data/play/count"


def _clean(result: Any) -> str:
    text = text_of(result)
    assert "Internal error" not in text and "bug in botflix-mcp" not in text, text
    return text


@pytest.mark.anyio
async def test_null_rows_total_and_context(tmp_path: Path, mode: str) -> None:
    server, _host = fake_server(
        tmp_path,
        {
            ("POST", BUCKET): {"context": None, "data": None, "total": None},
            ("POST", VALUE): {"context": None, "data": None},
            ("POST", SERIES): None,
        },
    )
    async with Client(server, mode=mode) as client:
        bucket = await client.call_tool("aioz_analytics", {"kind": "bucket", "metric": "view", "breakdown": "os"})
        value = await client.call_tool("aioz_analytics", {"kind": "data", "metric": "play", "aggregation": "count"})
        series = await client.call_tool("aioz_analytics", {"kind": "timeseries", "metric": "view", "interval": "day"})
    for result in (bucket, value, series):
        assert not result.is_error, _clean(result)
    assert "(no data in this range)" in text_of(bucket) and structured(bucket)["data"]["rows"] == []
    assert structured(bucket)["page"]["total"] == 0
    assert "**no data**" in text_of(value) and structured(value)["data"]["value"] is None
    assert "(no data in this range)" in text_of(series)


@pytest.mark.anyio
async def test_values_as_strings_are_numbers_and_the_breakdown_reads_as_a_name(tmp_path: Path, mode: str) -> None:
    rows = [{"metric_value": "1234", "dimension_value": "windows"}, {"metric_value": "0.5", "dimension_value": None}]
    server, host = fake_server(
        tmp_path,
        {
            ("POST", BUCKET): {"context": {"breakdown": "operator_system"}, "data": rows, "total": "2"},
            ("POST", VALUE): {"data": "42"},
        },
    )
    async with Client(server, mode=mode) as client:
        bucket = await client.call_tool(
            "aioz_analytics", {"kind": "bucket", "metric": "view", "breakdown": "operating-system"}
        )
        value = await client.call_tool("aioz_analytics", {"kind": "data", "metric": "play", "aggregation": "count"})
    text = _clean(bucket)
    assert "**view by operating system**" in text and "| Operating system | Value |" in text
    assert "operator-system" not in text  # the wire name stays on the wire ...
    assert host.calls()[0] == f"POST {BUCKET}"  # ... where it is sent
    data = structured(bucket)["data"]
    assert [r["metric_value"] for r in data["rows"]] == [1234, 0.5]
    assert data["breakdown"] == "operator-system" and data["breakdown_label"] == "operating system"
    assert "| windows | 1,234 |" in text and "| (unknown) | 0.5 |" in text
    assert structured(value)["data"]["value"] == 42 and "**42**" in text_of(value)


@pytest.mark.anyio
async def test_human_dates_the_zone_and_the_resolved_range(tmp_path: Path, mode: str) -> None:
    server, host = fake_server(tmp_path, {("POST", SERIES): {"data": [], "total": 0}})
    async with Client(server, mode=mode) as client:
        utc = await client.call_tool(
            "aioz_analytics",
            {"kind": "timeseries", "metric": "view", "interval": "day", "date_from": "1 Nov 2026",
             "date_to": "30 Nov 2026"},
        )  # fmt: skip
        paris = await client.call_tool(
            "aioz_analytics",
            {"kind": "timeseries", "metric": "view", "interval": "day", "date_from": "November 2026",
             "timezone": "Europe/Paris"},
        )  # fmt: skip
    assert "2026-11-01 00:00 → 2026-11-30 23:59 (UTC)" in _clean(utc)
    assert "2026-11-01 00:00 → 2026-11-30 23:59 (Europe/Paris)" in _clean(paris)
    first, second = host.bodies("POST", SERIES)
    assert (first["from"], first["to"]) == (1793491200, 1796083199)
    assert (second["from"], second["to"]) == (1793491200 - 3600, 1796083199 - 3600)
    assert first["limit"] == 30 and second["limit"] == 30  # the whole month in one page, not the default 25
    assert structured(paris)["data"]["timezone"] == "Europe/Paris"
    assert structured(paris)["data"]["from_iso"] == "2026-11-01T00:00:00+01:00"


@pytest.mark.anyio
async def test_hourly_month_is_one_full_page_with_a_next_offset(tmp_path: Path) -> None:
    hours = [{"metric_value": i, "emitted_at": f"2026-11-01T{i % 24:02d}:00:00Z"} for i in range(100)]
    server, host = fake_server(
        tmp_path, {("POST", "/analytics/metrics/timeseries/view/hour"): {"data": hours, "total": 720}}
    )
    async with Client(server) as client:
        result = await client.call_tool(
            "aioz_analytics", {"kind": "timeseries", "metric": "view", "interval": "hour", "date_from": "Nov 2026"}
        )
    assert host.bodies("POST", "/analytics/metrics/timeseries/view/hour")[0]["limit"] == 100  # the API maximum
    assert structured(result)["page"]["next_offset"] == 100 and "next page: offset=100" in _clean(result)
    assert structured(result)["warnings"] == [
        "The range has up to 720 hourly points and one page holds 100: page with offset, or ask for interval 'day'."
    ]


@pytest.mark.anyio
async def test_countries_get_their_iso_code_suggested_and_long_values_are_refused(tmp_path: Path) -> None:
    server, host = fake_server(tmp_path, {})
    async with Client(server) as client:
        usa = await client.call_tool(
            "aioz_analytics",
            {"kind": "data", "metric": "play", "aggregation": "count", "filters": {"countries": ["USA", "Vietnam"]}},
        )
        long_search = await client.call_tool(
            "aioz_analytics",
            {"kind": "data", "metric": "play", "aggregation": "count", "filters": {"media_ids": ["m" * 70_000]}},
        )
        long_date = await client.call_tool(
            "aioz_analytics", {"kind": "data", "metric": "play", "aggregation": "count", "date_from": "1" * 70_000}
        )
    assert usa.is_error and "'USA' → 'US'" in _clean(usa) and "'Vietnam' → 'VN'" in text_of(usa)
    for result in (long_search, long_date):
        assert result.is_error and "Nothing was sent" in _clean(result)
    assert host.sent == []
