"""Analytics through the MCP client: human dates become UNIX seconds (skill rule 5), combos from research §5.8."""

from __future__ import annotations

import time
from typing import Any

import pytest
from mcp import Client

from botflix_mcp.aioz import rules
from botflix_mcp.aioz.tools.analytics import MAX_TABLE_ROWS, render_table
from tests.aioz.wire import recording_server
from tests.helpers import structured, text_of

DAY = 86_400


@pytest.fixture
def wired(settings: Any) -> Any:
    return recording_server(settings)


def test_table_is_capped() -> None:
    rows = [{"dimension_value": f"v{i}", "metric_value": i} for i in range(MAX_TABLE_ROWS + 7)]
    table = render_table(rows, first="country", key="dimension_value")
    assert table.count("\n| v") == MAX_TABLE_ROWS and "7 more rows" in table
    assert render_table([], first="x", key="y") == "(no data in this range)"


@pytest.mark.anyio
async def test_dates_become_unix_timestamps(wired: Any, fresh_sandbox: Any, mode: str) -> None:
    server, wire = wired
    args = {"kind": "data", "metric": "play", "aggregation": "count", "date_from": "2024-09-01",
            "date_to": "2024-09-02"}  # fmt: skip
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("aioz_analytics", args)
        await client.call_tool(
            "aioz_analytics",
            {
                "kind": "data",
                "metric": "watch_time",
                "aggregation": "sum",
                "date_from": "2024-09-01T10:00:00Z",
                "date_to": "2024-09-01T12:30:00+02:00",
            },
        )
    assert not result.is_error, text_of(result)
    bodies = [s.json() for s in wire.find("POST", "/analytics/")]
    assert bodies[0] == {"from": 1725148800, "to": 1725321599}  # 2024-09-01 00:00:00 .. 2024-09-02 23:59:59 UTC
    assert bodies[1] == {"from": 1725184800, "to": 1725186600}
    assert structured(result)["data"]["context"]["time_frame"] == {
        "from": "2024-09-01T00:00:00Z",
        "to": "2024-09-02T23:59:59Z",
    }
    assert "1725148800" not in text_of(result)  # silently: the user sees dates, not timestamps
    assert wire.find("POST", "/analytics/")[0].path == "/analytics/metrics/data/play/count"


@pytest.mark.anyio
async def test_relative_ranges(wired: Any, fresh_sandbox: Any) -> None:
    server, wire = wired
    async with Client(server) as client:
        for phrase in ("yesterday", "last 7 days"):
            result = await client.call_tool(
                "aioz_analytics", {"kind": "timeseries", "metric": "view", "interval": "day", "date_from": phrase}
            )
            assert not result.is_error, text_of(result)
    yesterday, week = (s.json() for s in wire.find("POST", "/analytics/"))
    now = time.time()
    assert yesterday["to"] - yesterday["from"] == DAY - 1 and yesterday["to"] < now
    assert yesterday["from"] % DAY == 0 and now - DAY * 2 <= yesterday["from"] <= now - DAY
    assert abs(week["to"] - now) < 120 and 6 * DAY <= week["to"] - week["from"] <= 8 * DAY
    assert (week["from"], week["to"]) == pytest.approx(rules.resolve_range("last 7 days"), abs=120)
    assert week["sort_by"] == "emitted_at" and week["order_by"] == "asc"


@pytest.mark.anyio
async def test_refuses_bad_ranges_combos_and_filters_before_sending(server: Any, fresh_sandbox: Any, mode: str) -> None:
    calls = {
        "after the end": {
            "kind": "data",
            "metric": "play",
            "aggregation": "count",
            "date_from": "2024-09-02",
            "date_to": "2024-09-01",
        },
        "rate": {"kind": "data", "metric": "view", "aggregation": "rate"},  # rate is play-only (§5.8)
        "needs aggregation": {"kind": "data", "metric": "play"},
        "interval": {"kind": "timeseries", "metric": "view", "interval": "year"},
        "breakdown": {"kind": "bucket", "metric": "view", "breakdown": "city"},
        "play_total": {"kind": "data", "metric": "play_total", "aggregation": "count"},
        "not a date": {"kind": "data", "metric": "play", "aggregation": "count", "date_from": "the other day"},
        "continent": {"kind": "data", "metric": "play", "aggregation": "count", "filters": {"continents": ["XX"]}},
        "Unknown filter": {"kind": "data", "metric": "play", "aggregation": "count", "filters": {"city": "Hanoi"}},
    }
    async with Client(server, mode=mode) as client:
        results = {expect: await client.call_tool("aioz_analytics", args) for expect, args in calls.items()}
    for expect, result in results.items():
        assert result.is_error, expect
        assert expect.lower() in text_of(result).lower() or expect in text_of(result), (expect, text_of(result))
        assert "Nothing was sent" in text_of(result)
    assert fresh_sandbox.aioz_paths() == []


@pytest.mark.anyio
async def test_research_combos_the_skill_lacks_are_accepted(wired: Any, fresh_sandbox: Any) -> None:
    server, wire = wired
    async with Client(server) as client:
        ok = [
            await client.call_tool("aioz_analytics", args)
            for args in (
                {"kind": "data", "metric": "impression_time", "aggregation": "average"},
                {"kind": "timeseries", "metric": "play", "interval": "week"},
                {"kind": "bucket", "metric": "view", "breakdown": "operating-system"},  # skill spelling
            )
        ]
    assert all(not r.is_error for r in ok), [text_of(r) for r in ok]
    paths = [s.path for s in wire.find("POST", "/analytics/")]
    assert paths == [
        "/analytics/metrics/data/impression_time/average",
        "/analytics/metrics/timeseries/play/week",
        "/analytics/metrics/bucket/view/operator-system",  # the host's spelling (research §5.8)
    ]


@pytest.mark.anyio
async def test_bucket_table_filters_and_paging(wired: Any, fresh_sandbox: Any, mode: str) -> None:
    server, wire = wired
    args = {"kind": "bucket", "metric": "view", "breakdown": "country", "limit": 2,
            "filters": {"countries": ["vn", "us"], "device_types": ["phone"], "media_type": "video"}}  # fmt: skip
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("aioz_analytics", args)
    assert not result.is_error, text_of(result)
    body = wire.find("POST", "/analytics/")[0].json()
    assert body["filter_by"] == {"countries": ["VN", "US"], "device_types": ["phone"], "media_type": "video"}
    assert (body["offset"], body["limit"], body["sort_by"], body["order_by"]) == (0, 2, "metric_value", "desc")
    assert isinstance(body["from"], int) and isinstance(body["to"], int)
    text = text_of(result)
    assert "| Country | Value |" in text and "| VN | 100 |" in text and "| US | 83 |" in text
    assert structured(result)["page"] == {"total": 3, "offset": 0, "limit": 2, "next_offset": 2}


@pytest.mark.anyio
async def test_a_daily_november_is_thirty_points_in_one_page(wired: Any, fresh_sandbox: Any, mode: str) -> None:
    server, wire = wired
    args = {"kind": "timeseries", "metric": "view", "interval": "day", "date_from": "1 Nov 2025",
            "date_to": "30 Nov 2025"}  # fmt: skip
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("aioz_analytics", args)
    assert not result.is_error, text_of(result)
    rows = structured(result)["data"]["rows"]
    assert (
        len(rows) == 30
        and rows[0]["emitted_at"].startswith("2025-11-01")
        and rows[-1]["emitted_at"].startswith("2025-11-30")
    )
    assert structured(result)["page"]["next_offset"] is None
    assert wire.find("POST", "/analytics/")[0].json()["limit"] == 30
    assert "2025-11-01 00:00 → 2025-11-30 23:59 (UTC)" in text_of(result)
