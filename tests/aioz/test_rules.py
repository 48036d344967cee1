"""The skill's rules as plain functions (botflix_mcp/aioz/rules.py), table-driven.

Every rule has at least one case that fails when the rule's code is removed: accepted inputs check the exact
normalised output, refused inputs check that a RuleViolation (a ValueError) is raised with a useful message.
"""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from botflix_mcp.aioz import rules as r
from botflix_mcp.errors import UserInputError
from botflix_mcp.templates import H265_MPEGTS_WARNING

NOW = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)  # a Sunday
NOW_TS = int(NOW.timestamp())
DAY = 86400


def ts(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())


def test_rule_violation_is_a_value_error_and_a_user_input_error() -> None:
    exc = r.RuleViolation("bad thing.", "Do this instead.")
    assert isinstance(exc, ValueError) and isinstance(exc, UserInputError)
    assert str(exc) == "bad thing. Do this instead."
    assert exc.for_model().startswith("Invalid input: bad thing.") and "Next step: Do this instead." in exc.for_model()


# =========================================================================== colours


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("#f00", "rgba(255, 0, 0, 1)"),
        ("#F00", "rgba(255, 0, 0, 1)"),
        ("#f008", "rgba(255, 0, 0, 0.533)"),
        ("#ff0000", "rgba(255, 0, 0, 1)"),
        ("#ff000080", "rgba(255, 0, 0, 0.502)"),
        ("#00000000", "rgba(0, 0, 0, 0)"),
        ("00ff00", "rgba(0, 255, 0, 1)"),  # 6 digits without '#'
        ("red", "rgba(255, 0, 0, 1)"),
        (" Red ", "rgba(255, 0, 0, 1)"),
        ("RebeccaPurple", "rgba(102, 51, 153, 1)"),
        ("lightgoldenrodyellow", "rgba(250, 250, 210, 1)"),
        ("transparent", "rgba(0, 0, 0, 0)"),
        ("rgb(0,128,255)", "rgba(0, 128, 255, 1)"),
        ("rgb(100%, 0%, 50%)", "rgba(255, 0, 128, 1)"),
        ("rgba(0 0 0 / 50%)", "rgba(0, 0, 0, 0.5)"),
        ("RGBA(1,2,3,.25)", "rgba(1, 2, 3, 0.25)"),
        ("hsl(0, 100%, 50%)", "rgba(255, 0, 0, 1)"),
        ("hsl(120deg, 100%, 25%)", "rgba(0, 128, 0, 1)"),
        ("hsla(240, 100%, 50%, 0.5)", "rgba(0, 0, 255, 0.5)"),
    ],
)
def test_colours_become_canonical_rgba_with_a_note(given: str, expected: str) -> None:
    out, note = r.normalise_colour(given, "main_color")
    assert out == expected
    assert note == f"main_color: {given.strip()!r} → {expected!r}"


@pytest.mark.parametrize(
    ("given", "out"),
    [
        ("rgba(30, 30, 30, 1)", "rgba(30, 30, 30, 1)"),
        ("rgba(30,30,30,1)", "rgba(30, 30, 30, 1)"),
        ("rgba( 30 , 30 , 30 , 1 )", "rgba(30, 30, 30, 1)"),
        ("rgba(0, 0, 0, 0.7)", "rgba(0, 0, 0, 0.7)"),
    ],
)
def test_rgba_already_right_is_kept_without_a_note(given: str, out: str) -> None:
    assert r.normalise_colour(given, "text_color") == (out, None)


@pytest.mark.parametrize(
    "bad",
    [
        "reddish",
        "#12345",  # 5 digits
        "#ggg",
        "bad",  # a word, not #bbaadd: bare hex needs 6 or 8 digits
        "f00",
        "rgb(300,0,0)",
        "rgb(-1,0,0)",
        "rgb(0,0)",
        "rgba(0,0,0,2)",
        "rgba(0,0,0,-0.1)",
        "rgb(101%,0,0)",
        "hsl(0, 120%, 50%)",
        "",
        "   ",
    ],
)
def test_unparseable_colours_refused(bad: str) -> None:
    with pytest.raises(r.RuleViolation, match="is not a colour") as caught:
        r.normalise_colour(bad, "main_color")
    assert caught.value.message.startswith("main_color:") and "rgba(255, 0, 0, 1)" in (caught.value.next_step or "")


def test_all_148_css_colour_names() -> None:
    webcolors = pytest.importorskip("webcolors")
    css3 = set(webcolors.names("css3"))
    assert len(r.CSS_COLOURS) == 148 and set(r.CSS_COLOURS) == css3 | {"rebeccapurple"}
    for name in css3:
        rgb = tuple(webcolors.name_to_rgb(name))
        assert r.normalise_colour(name)[0] == "rgba({}, {}, {}, 1)".format(*rgb), name


# =========================================================================== sizes and themes


@pytest.mark.parametrize(
    ("given", "expected", "noted"),
    [
        (40, "40px", True),
        (40.0, "40px", True),
        ("40", "40px", True),
        ("40px", "40px", False),
        (" 40 PX ", "40px", True),
        ("40 px", "40px", True),
        (4.5, "4.5px", True),
        ("4.50px", "4.5px", True),
        (".5", "0.5px", True),
        (0, "0px", True),
    ],
)
def test_sizes_become_px(given: Any, expected: str, noted: bool) -> None:
    out, note = r.normalise_size(given, "control_bar_height")
    assert out == expected
    assert (note is not None) == noted
    if note:
        assert note.startswith("control_bar_height: ") and note.endswith(f"→ {expected!r}")


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("2em", "only pixels"),
        ("1.5rem", "only pixels"),
        ("50%", "only pixels"),
        ("12pt", "only pixels"),
        ("-4", "negative"),
        (-4, "negative"),
        ("-4px", "negative"),
        (True, "not a pixel size"),
        ("big", "not a pixel size"),
        ("", "not a pixel size"),
        ("1e3", "not a pixel size"),
        (float("nan"), "not a pixel size"),
        (float("inf"), "not a pixel size"),
        (10_000, "implausibly large"),
    ],
)
def test_bad_sizes_refused(bad: Any, why: str) -> None:
    with pytest.raises(r.RuleViolation, match=why):
        r.normalise_size(bad)


def test_player_theme_converts_every_field_and_reports_each_conversion() -> None:
    theme, notes = r.normalise_player_theme(
        {
            "main_color": "#ff0000",
            "text_color": "rgba(255, 255, 255, 1)",
            "control_bar_background_color": "black",
            "control_bar_height": 40,
            "progress_bar_height": "4px",
            "progress_bar_circle_size": None,  # unset fields are left out
        }
    )
    assert theme == {
        "main_color": "rgba(255, 0, 0, 1)",
        "text_color": "rgba(255, 255, 255, 1)",
        "control_bar_background_color": "rgba(0, 0, 0, 1)",
        "control_bar_height": "40px",
        "progress_bar_height": "4px",
    }
    assert notes == [
        "main_color: '#ff0000' → 'rgba(255, 0, 0, 1)'",
        "control_bar_background_color: 'black' → 'rgba(0, 0, 0, 1)'",
        "control_bar_height: '40' → '40px'",
    ]


def test_player_theme_sizes_are_not_colours_and_back() -> None:
    with pytest.raises(r.RuleViolation, match="control_bar_height"):
        r.normalise_player_theme({"control_bar_height": "red"})
    with pytest.raises(r.RuleViolation, match="main_color"):
        r.normalise_player_theme({"main_color": "40px"})


def test_player_theme_unknown_fields_refused_with_the_valid_list() -> None:
    with pytest.raises(r.RuleViolation, match="Unknown theme field") as caught:
        r.normalise_player_theme({"colour": "red", "main_color": "red"})
    assert "colour" in caught.value.message
    for field in (*r.PLAYER_COLOUR_FIELDS, *r.PLAYER_SIZE_FIELDS):
        assert field in (caught.value.next_step or "")


# =========================================================================== dates


@pytest.mark.parametrize(
    ("given", "end_of_day", "expected"),
    [
        ("2024-09-01", False, ts(2024, 9, 1)),
        ("2024-09-01", True, ts(2024, 9, 1) + DAY - 1),
        ("2024-09-01T12:00:00Z", False, ts(2024, 9, 1, 12)),
        ("2024-09-01T12:00:00z", False, ts(2024, 9, 1, 12)),
        ("2024-09-01T12:00:00", False, ts(2024, 9, 1, 12)),  # naive = UTC
        ("2024-09-01 12:00", False, ts(2024, 9, 1, 12)),
        ("2024-09-01T14:00:00+02:00", False, ts(2024, 9, 1, 12)),
        ("2024-09-01T12:00:00.750Z", False, ts(2024, 9, 1, 12)),
        (1725192000, False, ts(2024, 9, 1, 12)),
        ("1725192000", False, ts(2024, 9, 1, 12)),
        (1725192000.9, False, ts(2024, 9, 1, 12)),
        (1725192000000, False, ts(2024, 9, 1, 12)),  # milliseconds
        ("1725192000000", False, ts(2024, 9, 1, 12)),
        (1725192000000000, False, ts(2024, 9, 1, 12)),  # microseconds
        (0, False, 0),
        ("now", False, NOW_TS),
        (" NOW ", True, NOW_TS),
        ("today", False, ts(2026, 11, 22)),
        ("today", True, ts(2026, 11, 22) + DAY - 1),
        ("yesterday", False, ts(2026, 11, 21)),
        ("yesterday", True, ts(2026, 11, 21) + DAY - 1),
        ("tomorrow", False, ts(2026, 11, 23)),
    ],
)
def test_to_unix(given: Any, end_of_day: bool, expected: int) -> None:
    assert r.to_unix(given, now=NOW, end_of_day=end_of_day) == expected


def test_to_unix_now_may_be_any_zone_or_naive() -> None:
    plus7 = NOW.astimezone(timezone(timedelta(hours=7)))
    assert r.to_unix("now", now=plus7) == NOW_TS
    assert r.to_unix("now", now=NOW.replace(tzinfo=None)) == NOW_TS
    assert r.to_unix("today", now=plus7) == ts(2026, 11, 22)  # days are UTC days


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("the day before the big game", "not a date I understand"),
        ("2024-02-30", "not a date I understand"),
        ("2024-13-01", "not a date I understand"),
        ("last 7 days", "It is a range"),  # a range is not a point
        ("", "not a date I understand"),
        (-5, "before 1970"),
        (float("nan"), "not a date"),
        (float("inf"), "not a date"),
        (1e20, "after the year 9999"),
        (True, "not a date"),
        (None, "not a date"),
    ],
)
def test_to_unix_refuses(bad: Any, why: str) -> None:
    with pytest.raises(r.RuleViolation, match=why):
        r.to_unix(bad, now=NOW)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("last 7 days", (NOW_TS - 7 * DAY, NOW_TS)),
        ("past 30 days", (NOW_TS - 30 * DAY, NOW_TS)),
        ("Last  24 Hours", (NOW_TS - DAY, NOW_TS)),
        ("last 1 day", (NOW_TS - DAY, NOW_TS)),
        ("last 2 weeks", (NOW_TS - 14 * DAY, NOW_TS)),
        ("past week", (NOW_TS - 7 * DAY, NOW_TS)),  # rolling
        ("last 3 months", (ts(2026, 8, 22, 12), NOW_TS)),
        ("last 1 year", (ts(2025, 11, 22, 12), NOW_TS)),
        ("today", (ts(2026, 11, 22), NOW_TS)),
        ("yesterday", (ts(2026, 11, 21), ts(2026, 11, 22) - 1)),
        ("this week", (ts(2026, 11, 16), NOW_TS)),  # weeks start on Monday
        ("this month", (ts(2026, 11, 1), NOW_TS)),
        ("this year", (ts(2026, 1, 1), NOW_TS)),
        ("last week", (ts(2026, 11, 9), ts(2026, 11, 16) - 1)),  # the previous calendar week
        ("previous week", (ts(2026, 11, 9), ts(2026, 11, 16) - 1)),
        ("last month", (ts(2026, 10, 1), ts(2026, 11, 1) - 1)),  # the previous calendar month
        ("last year", (ts(2025, 1, 1), ts(2026, 1, 1) - 1)),
        ("last hour", (ts(2026, 11, 22, 11), ts(2026, 11, 22, 12) - 1)),
    ],
)
def test_range_phrases(phrase: str, expected: tuple[int, int]) -> None:
    assert r.resolve_range(phrase, now=NOW) == expected
    assert r.resolve_range(phrase, "now", now=NOW) == expected  # an explicit "now" end changes nothing


def test_months_back_clamps_to_the_months_last_day() -> None:
    may31 = datetime(2026, 5, 31, 8, tzinfo=UTC)
    assert r.resolve_range("last 3 months", now=may31) == (ts(2026, 2, 28, 8), ts(2026, 5, 31, 8))
    assert r.resolve_range("last month", now=datetime(2026, 1, 15, tzinfo=UTC)) == (ts(2025, 12, 1), ts(2026, 1, 1) - 1)


@pytest.mark.parametrize(
    ("from_", "to", "expected"),
    [
        ("2024-09-01", "2024-09-02", (ts(2024, 9, 1), ts(2024, 9, 2) + DAY - 1)),  # a bare end day is inclusive
        ("2024-09-01", None, (ts(2024, 9, 1), NOW_TS)),  # no end: now
        ("2024-09-01", "", (ts(2024, 9, 1), NOW_TS)),
        ("2024-09-01T10:00:00Z", "2024-09-01T11:00:00Z", (ts(2024, 9, 1, 10), ts(2024, 9, 1, 11))),
        (1725148800, 1725152400, (1725148800, 1725152400)),
        (1725148800000, "1725152400000", (1725148800, 1725152400)),
        ("yesterday", "today", (ts(2026, 11, 21), ts(2026, 11, 22) + DAY - 1)),
        ("2024-09-01", "2024-09-01", (ts(2024, 9, 1), ts(2024, 9, 1) + DAY - 1)),  # one whole day
    ],
)
def test_resolve_range_points(from_: Any, to: Any, expected: tuple[int, int]) -> None:
    assert r.resolve_range(from_, to, now=NOW) == expected


@pytest.mark.parametrize(
    ("from_", "to", "why"),
    [
        ("2024-09-02", "2024-09-01", "after the end"),
        ("2024-09-01T12:00:00Z", "2024-09-01T11:59:59Z", "after the end"),
        ("tomorrow", None, "after the end"),
        (None, None, "start date is required"),
        ("  ", "2024-09-01", "start date is required"),
        ("the day before the big game", None, "not a date I understand"),
        ("last 7 days", "2024-09-01", "It is a range"),
        ("last 0 days", None, "empty range"),
        ("2024-09-01", "last week", "It is a range"),
    ],
)
def test_resolve_range_refuses(from_: Any, to: Any, why: str) -> None:
    with pytest.raises(r.RuleViolation, match=why):
        r.resolve_range(from_, to, now=NOW)


def test_breakdown_hint_uses_the_spoken_name() -> None:
    with pytest.raises(r.RuleViolation) as caught:
        r.validate_metric_query("bucket", "view", "planet")
    assert "operating-system" in (caught.value.next_step or "") and "operator-system" not in str(caught.value)
    assert r.validate_metric_query("bucket", "view", "operating-system") == "operator-system"  # the wire name


# Human dates (issue 10 §4): NOW is Sunday 2026-11-22 12:00 UTC.
@pytest.mark.parametrize(
    ("from_", "to", "expected"),
    [
        ("since 1 Nov 2026", None, (ts(2026, 11, 1), NOW_TS)),
        ("1 Nov 2026", None, (ts(2026, 11, 1), NOW_TS)),
        ("Nov 1", None, (ts(2026, 11, 1), NOW_TS)),
        ("Nov 1", "Nov 15", (ts(2026, 11, 1), ts(2026, 11, 16) - 1)),  # a day as the end: its last second
        ("1 nov 2026", "until 15 Nov 2026", (ts(2026, 11, 1), ts(2026, 11, 16) - 1)),
        ("last Monday", None, (ts(2026, 11, 16), NOW_TS)),
        ("this month", None, (ts(2026, 11, 1), NOW_TS)),
        ("past 2 weeks", None, (NOW_TS - 14 * DAY, NOW_TS)),
        ("past two weeks", None, (NOW_TS - 14 * DAY, NOW_TS)),
        ("over the past 2 weeks", None, (NOW_TS - 14 * DAY, NOW_TS)),
        ("3 days ago", None, (NOW_TS - 3 * DAY, NOW_TS)),
        ("October 2026", None, (ts(2026, 10, 1), ts(2026, 11, 1) - 1)),  # a whole month
        ("November 2026", None, (ts(2026, 11, 1), NOW_TS)),  # not over yet: ends now
        ("since October 2026", None, (ts(2026, 10, 1), NOW_TS)),
        ("2025", None, (ts(2025, 1, 1), ts(2026, 1, 1) - 1)),  # a year, not 2025 UNIX seconds
        ("since last week", None, (ts(2026, 11, 9), NOW_TS)),
        ("25/11/2025", None, (ts(2025, 11, 25), NOW_TS)),
        ("1 Nov to 15 Nov", None, (ts(2026, 11, 1), ts(2026, 11, 16) - 1)),  # both ends in one argument
        ("between Nov 1 and Nov 15", "", (ts(2026, 11, 1), ts(2026, 11, 16) - 1)),
        ("2026-11-01 - 2026-11-15", None, (ts(2026, 11, 1), ts(2026, 11, 16) - 1)),
        ("from 1 Nov 2026 until yesterday", None, (ts(2026, 11, 1), ts(2026, 11, 22) - 1)),
    ],
)
def test_human_dates(from_: Any, to: Any, expected: tuple[int, int]) -> None:
    assert r.resolve_range(from_, to, now=NOW) == expected


@pytest.mark.parametrize(
    ("from_", "why"),
    [
        ("01/11/2026", "day-first or month-first"),  # 1 November or 11 January: asked, not guessed
        ("2024-13-01", "not a date I understand"),  # ISO-shaped text is never re-read as 13 January
        ("x" * 101, "too long"),
    ],
)
def test_human_dates_refused(from_: str, why: str) -> None:
    with pytest.raises(r.RuleViolation, match=why):
        r.resolve_range(from_, now=NOW)


def test_time_zone_moves_the_calendar_boundaries() -> None:
    from botflix_mcp.aioz.rules.dates import describe_range

    late = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # already the 23rd in Ho Chi Minh City (UTC+7)
    assert r.resolve_range("today", now=late, tz="Asia/Ho_Chi_Minh") == (ts(2026, 11, 22, 17), int(late.timestamp()))
    assert r.resolve_range("2024-09-01", "2024-09-01", now=NOW, tz="Europe/Paris") == (
        ts(2024, 8, 31, 22),
        ts(2024, 9, 1, 22) - 1,
    )
    start, end = r.resolve_range("yesterday", now=late, tz="Asia/Ho_Chi_Minh")
    assert describe_range(start, end, "Asia/Ho_Chi_Minh") == "2026-11-22 00:00 → 2026-11-22 23:59 (Asia/Ho_Chi_Minh)"
    with pytest.raises(r.RuleViolation, match="time zone"):
        r.resolve_range("today", now=NOW, tz="Mars/Olympus")


def test_dateparser_is_imported_only_when_a_human_date_needs_it() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import botflix_mcp.server, botflix_mcp.aioz.tools.analytics; from botflix_mcp.aioz import rules;"
        "rules.resolve_range('last 7 days'); rules.resolve_range('2024-09-01', 'today');"
        "assert 'dateparser' not in sys.modules, 'imported at start-up';"
        "rules.resolve_range('1 Nov 2026'); assert 'dateparser' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_resolve_range_is_deterministic_given_now() -> None:
    later = NOW + timedelta(days=3)
    assert r.resolve_range("last 7 days", now=NOW) != r.resolve_range("last 7 days", now=later)
    assert r.resolve_range("last 7 days", now=NOW) == r.resolve_range("last 7 days", now=NOW)


# =========================================================================== analytics


@pytest.mark.parametrize(
    ("kind", "metric", "dimension", "wire"),
    [
        ("data", "play", "count", "count"),
        ("data", "play", "rate", "rate"),
        ("data", "play", "total", "total"),
        ("data", "view", "count", "count"),
        ("data", "start", "count", "count"),
        ("data", "end", "count", "count"),
        ("data", "impression", "count", "count"),
        ("data", "watch_time", "sum", "sum"),
        ("data", "watch-time", "average", "average"),
        ("data", "impression_time", "average", "average"),
        ("data", " PLAY ", "Count", "count"),
        ("bucket", "view", "operating-system", "operator-system"),  # the skill's spelling -> the backend's
        ("bucket", "view", "operating_system", "operator-system"),
        ("bucket", "view", "Operating System", "operator-system"),
        ("bucket", "view", "operator-system", "operator-system"),
        ("bucket", "view", "os", "operator-system"),
        ("bucket", "play", "device_type", "device-type"),  # hyphenated in the path
        ("bucket", "play", "media-id", "media-id"),
        ("bucket", "play", "media_type", "media-type"),
        ("bucket", "retention", "continent", "continent"),
        ("bucket", "play_rate", "country", "country"),
        ("bucket", "play_total", "browser", "browser"),
        ("timeseries", "play", "hour", "hour"),
        ("timeseries", "watch_time", "day", "day"),
        ("timeseries", "view", "week", "week"),  # research adds week and month to the skill's hour/day
        ("timeseries", "view", "Month", "month"),
    ],
)
def test_metric_combinations_accepted(kind: Any, metric: str, dimension: str, wire: str) -> None:
    assert r.validate_metric_query(kind, metric, dimension) == wire


@pytest.mark.parametrize(
    ("kind", "metric", "dimension", "why"),
    [
        ("data", "view", "rate", "not available for 'view'"),  # rate is play only
        ("data", "play", "average", "not available"),
        ("data", "watch_time", "count", "not available"),
        ("data", "retention", "count", "Unknown metric"),
        ("data", "likes", "count", "Unknown metric"),
        ("bucket", "view", "planet", "Unknown breakdown"),
        ("bucket", "impression_time", "country", "Unknown metric"),
        ("timeseries", "play", "minute", "Unknown interval"),
        ("timeseries", "play", "year", "Unknown interval"),
        ("heatmap", "play", "day", "Unknown analytics query kind"),
    ],
)
def test_metric_combinations_refused(kind: Any, metric: str, dimension: str, why: str) -> None:
    with pytest.raises(r.RuleViolation, match=why):
        r.validate_metric_query(kind, metric, dimension)


def test_filters_normalised_to_the_documented_values() -> None:
    assert r.validate_filters(
        {
            "media_ids": ["m1", " m2 "],
            "media_type": "VIDEO",
            "continents": ["as", "EU", "as"],
            "countries": ["vn", "US"],
            "device_types": ["Phone", "desktop"],
            "os": ["macOS", "Windows", "mac osx"],
            "browsers": "Chrome",
            "tags": ["demo"],
            "ignored_when_empty": None,
            "also_empty": [],
        }
    ) == {
        "media_ids": ["m1", "m2"],
        "media_type": "video",
        "continents": ["AS", "EU"],
        "countries": ["VN", "US"],
        "device_types": ["phone", "computer"],
        "os": ["mac osx", "windows"],
        "browsers": ["chrome"],
        "tags": ["demo"],
    }
    assert r.validate_filters(None) == {} and r.validate_filters({}) == {}


@pytest.mark.parametrize(
    ("filters", "why"),
    [
        ({"browsers": ["netscape"]}, "'netscape' is not accepted"),
        ({"continents": ["XX"]}, "not accepted"),
        ({"device_types": ["fridge"]}, "not accepted"),
        ({"os": ["beos"]}, "not accepted"),
        ({"media_type": "podcast"}, "not accepted"),
        ({"media_type": ["video", "audio"]}, "one value"),
        ({"countries": ["Vietnam"]}, "two-letter country code"),
        ({"countries": ["V1"]}, "two-letter country code"),
        ({"media_ids": ["m1", ""]}, "empty value"),
        ({"planet": ["mars"]}, "Unknown filter"),
    ],
)
def test_filters_refused(filters: dict[str, Any], why: str) -> None:
    with pytest.raises(r.RuleViolation, match=why):
        r.validate_filters(filters)


# =========================================================================== qualities


def test_h265_with_mpegts_warns_with_the_template_text_once() -> None:
    q, warnings = r.validate_qualities(
        "video",
        [
            {"resolution": "2160p", "type": "hls", "container_type": "mpegts", "video_config": {"codec": "h265"}},
            {"resolution": "1080p", "video_config": {"codec": "H265"}},  # hls + mpegts by default
        ],
    )
    assert [x["container_type"] for x in q] == ["mpegts", "mpegts"]
    assert warnings == [H265_MPEGTS_WARNING]


@pytest.mark.parametrize(
    "quality",
    [
        {"resolution": "1080p", "container_type": "fmp4", "video_config": {"codec": "h265"}},
        {"resolution": "1080p", "type": "dash", "container_type": "mp4", "video_config": {"codec": "h265"}},
        {"resolution": "1080p", "container_type": "mpegts", "video_config": {"codec": "h264"}},
    ],
)
def test_no_warning_without_h265_and_mpegts(quality: dict[str, Any]) -> None:
    assert r.validate_qualities("video", [quality])[1] == []


def test_video_quality_normalised_for_the_wire() -> None:
    q, _ = r.validate_qualities(
        "video",
        [
            {
                "resolution": " 1080P ",
                "type": "HLS",
                "container_type": "MPEGTS",
                "video_config": {"codec": "H264", "bitrate": 5_000_000, "index": 0},
                "audio_config": {
                    "codec": "AAC",
                    "bitrate": 192_000,
                    "channels": 2,
                    "sample_rate": 48_000,
                    "language": "en-us",
                    "index": 0,
                },
            }
        ],
    )
    assert q == [
        {
            "resolution": "1080p",
            "type": "hls",
            "container_type": "mpegts",
            "video_config": {"codec": "h264", "bitrate": 5_000_000, "index": 0},
            "audio_config": {
                "codec": "aac",
                "bitrate": 192_000,
                "channels": "2",  # a string on the wire
                "sample_rate": 48_000,
                "language": "en-US",
                "index": 0,
            },
        }
    ]


@pytest.mark.parametrize(
    ("given", "resolution", "container"),
    [
        ({"resolution": "720"}, "720p", "mpegts"),
        ({"resolution": "4K"}, "2160p", "mpegts"),
        ({"resolution": "8k", "video_config": {"codec": "hevc"}}, "4320p", "mpegts"),
        ({"resolution": "720p", "container_type": "mp4"}, "720p", "fmp4"),  # the docs' "mp4" for HLS is fmp4
        ({"resolution": "720p", "type": "dash"}, "720p", "mp4"),
        ({"resolution": "720p", "type": "dash", "container_type": "webm"}, "720p", "webm"),
    ],
)
def test_video_quality_defaults_and_aliases(given: dict[str, Any], resolution: str, container: str) -> None:
    q = r.validate_qualities("video", [given])[0][0]
    assert (q["resolution"], q["container_type"]) == (resolution, container)
    assert q["video_config"]["codec"] in ("h264", "h265")


@pytest.mark.parametrize("resolution", r.VIDEO_RESOLUTIONS)
def test_every_resolution_and_codec_limit(resolution: str) -> None:
    assert r.validate_qualities("video", [{"resolution": resolution, "video_config": {"codec": "h265"}}])[0]
    if resolution == "4320p":  # h264 max 2160p (4K), h265 max 4320p (8K)
        with pytest.raises(r.RuleViolation, match="h264 goes up to 2160p, not 4320p"):
            r.validate_qualities("video", [{"resolution": resolution, "video_config": {"codec": "h264"}}])
    else:
        r.validate_qualities("video", [{"resolution": resolution, "video_config": {"codec": "h264"}}])


@pytest.mark.parametrize(("preset", "bitrate"), list(r.AUDIO_PRESETS.items()))
def test_audio_presets(preset: str, bitrate: int) -> None:
    q, warnings = r.validate_qualities("audio", [{"resolution": preset.upper(), "audio_config": {"codec": "aac"}}])
    assert q[0]["resolution"] == preset and "video_config" not in q[0] and warnings == []
    assert bitrate == {"standard": 128_000, "good": 192_000, "highest": 320_000, "lossless": 1_411_000}[preset]


@pytest.mark.parametrize(
    ("media_type", "qualities", "why"),
    [
        ("video", [{"resolution": "999p"}], "not supported"),
        ("video", [{"resolution": "highest"}], "not supported"),  # an audio preset on video
        ("video", [{"resolution": "2160p"}, {"resolution": "4320p"}], "h264 goes up to 2160p"),  # default codec h264
        ("video", [{"resolution": "720p", "video_config": {"codec": "vp9"}}], "codec 'vp9'"),
        ("video", [{"resolution": "720p", "video_config": {"bitrate": -1}}], "bitrate must be a positive"),
        ("video", [{"resolution": "720p", "video_config": {"bitrate": True}}], "bitrate must be a positive"),
        ("video", [{"resolution": "720p", "video_config": {"bitrate": "fast"}}], "bitrate must be a positive"),
        ("video", [{"resolution": "720p", "video_config": {"index": -1}}], "non-negative"),
        ("video", [{"resolution": "720p", "type": "rtmp"}], "type 'rtmp'"),
        ("video", [{"resolution": "720p", "type": "dash", "container_type": "mpegts"}], "does not go with dash"),
        ("video", [{"resolution": "720p", "type": "hls", "container_type": "webm"}], "does not go with hls"),
        ("video", [{"resolution": "720p", "audio_config": {"codec": "mp3"}}], "codec 'mp3'"),
        ("video", [{"resolution": "720p", "audio_config": {"language": "english"}}], "BCP-47"),
        ("video", [{"resolution": "720p", "audio_config": {"channels": "stereo"}}], "channels"),
        ("video", [{"resolution": "720p", "audio_config": {"sample_rate": 0}}], "sample_rate"),
        ("video", [{"resolution": "720p"}, {"resolution": "720"}], "repeats 720p hls"),
        ("video", [{"resolution": "720p", "fps": 60}], "unknown field"),
        ("video", [], "qualities is empty"),
        ("audio", [{"resolution": "720p"}], "not an audio preset"),
        ("audio", [{"resolution": "highest", "video_config": {"codec": "h264"}}], "only audio_config"),
        ("live", [{"resolution": "720p"}], "Media type 'live'"),
    ],
)
def test_qualities_refused(media_type: Any, qualities: list[dict[str, Any]], why: str) -> None:
    with pytest.raises(r.RuleViolation, match=why):
        r.validate_qualities(media_type, qualities)


def test_qualities_error_names_the_position() -> None:
    with pytest.raises(r.RuleViolation, match=r"qualities\[1\]"):
        r.validate_qualities("video", [{"resolution": "720p"}, {"resolution": "999p"}])


# =========================================================================== BCP-47


@pytest.mark.parametrize(
    ("tag", "out"),
    [
        ("en", "en"),
        ("vi", "vi"),
        ("EN", "en"),
        ("en-US", "en-US"),
        ("EN-us", "en-US"),
        ("fr-CA", "fr-CA"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("zh-Hans", "zh-Hans"),
        ("sr-Latn-RS", "sr-Latn-RS"),
        ("es-419", "es-419"),
        ("de-CH-1996", "de-CH-1996"),
        ("sl-rozaj-biske", "sl-rozaj-biske"),
        ("zh-yue-HK", "zh-yue-HK"),  # extlang
        ("fil", "fil"),
        ("en-US-u-ca-gregory", "en-US-u-ca-gregory"),  # extension
        ("en-x-twain", "en-x-twain"),  # private use
        (" pt-BR ", "pt-BR"),
    ],
)
def test_language_tags(tag: str, out: str) -> None:
    assert r.validate_language_tag(tag) == out


@pytest.mark.parametrize(
    ("bad", "hint"),
    [
        ("english", "For english use 'en'"),
        ("French", "For French use 'fr'"),
        ("en_US", "use 'en-US'"),
        ("zh_hant_tw", "use 'zh-Hant-TW'"),
        ("e", "such as en, vi, en-US"),
        ("en-USA1", "such as en"),
        ("en-", "such as en"),
        ("-US", "such as en"),
        ("en--US", "such as en"),
        ("", "such as en"),
        ("e1", "such as en"),
        ("en-US-x", "such as en"),
        ("klingonese", "such as en"),
    ],
)
def test_bad_language_tags(bad: str, hint: str) -> None:
    with pytest.raises(r.RuleViolation, match=r"language tag|BCP-47") as caught:
        r.validate_language_tag(bad)
    assert hint in (caught.value.next_step or "")


# =========================================================================== playlists


def items(*ids: str) -> list[r.PlaylistItem]:
    """A well-linked playlist in the given order; item "x" holds media "mx"."""
    return [
        r.PlaylistItem(i, ids[n + 1] if n + 1 < len(ids) else None, ids[n - 1] if n else None, "m" + i)
        for n, i in enumerate(ids)
    ]


@pytest.mark.parametrize(
    ("item", "position", "anchor", "body"),
    [
        ("c", "top", None, {"current_id": "c", "next_id": "a"}),  # top: only next_id = the first item
        ("d", "top", None, {"current_id": "d", "next_id": "a"}),
        ("b", "bottom", None, {"current_id": "b", "previous_id": "d"}),  # bottom: only previous_id = the last item
        ("a", "bottom", None, {"current_id": "a", "previous_id": "d"}),
        ("d", "after", "a", {"current_id": "d", "next_id": "b", "previous_id": "a"}),  # between: both
        ("a", "before", "d", {"current_id": "a", "next_id": "d", "previous_id": "c"}),
        ("a", "after", "b", {"current_id": "a", "next_id": "c", "previous_id": "b"}),
        ("d", "before", "a", {"current_id": "d", "next_id": "a"}),  # before the first = top
        ("a", "after", "d", {"current_id": "a", "previous_id": "d"}),  # after the last = bottom
        ("b", "before", "d", {"current_id": "b", "next_id": "d", "previous_id": "c"}),
        ("md", "top", None, {"current_id": "d", "next_id": "a"}),  # a media id names its item
        ("a", "after", "mc", {"current_id": "a", "next_id": "d", "previous_id": "c"}),
    ],
)
def test_reorder_positions(item: str, position: Any, anchor: str | None, body: dict[str, str]) -> None:
    assert r.plan_reorder(items("a", "b", "c", "d"), item, position, anchor) == body


@pytest.mark.parametrize(
    ("item", "position", "anchor", "why"),
    [
        ("a", "top", None, "'a' is already at the top"),
        ("d", "bottom", None, "already at the bottom"),
        ("b", "after", "a", "already directly after 'a'"),
        ("b", "before", "c", "already directly before 'c'"),
        ("zz", "top", None, "item 'zz' is not in this playlist"),
        ("a", "after", "zz", "anchor item 'zz' is not in this playlist"),
        ("b", "after", "b", "the same"),
        ("b", "after", "mb", "the same"),
        ("b", "before", None, "needs anchor_id"),
        ("b", "middle", None, "Unknown position"),
    ],
)
def test_reorder_refused(item: str, position: Any, anchor: str | None, why: str) -> None:
    with pytest.raises(r.RuleViolation, match=why):
        r.plan_reorder(items("a", "b", "c", "d"), item, position, anchor)


def test_reorder_single_item_playlist_refused() -> None:
    with pytest.raises(r.RuleViolation, match="only one item"):
        r.plan_reorder(items("a"), "a", "top")


def test_reorder_prefers_item_ids_over_media_ids() -> None:
    tricky = [r.PlaylistItem("a", "b", None, "b"), r.PlaylistItem("b", None, "a", "x")]  # media "b" in item "a"
    assert r.plan_reorder(tricky, "b", "top") == {"current_id": "b", "next_id": "a"}


@pytest.mark.parametrize("permutation", [(2, 0, 1), (1, 2, 0), (0, 1, 2), (2, 1, 0)])
def test_order_items_follows_the_links(permutation: tuple[int, ...]) -> None:
    linked = items("a", "b", "c")
    assert [i.id for i in r.order_items([linked[n] for n in permutation])] == ["a", "b", "c"]


def test_order_items_uses_previous_ids_when_next_ids_are_missing() -> None:
    only_back = [r.PlaylistItem("c", None, "b"), r.PlaylistItem("a"), r.PlaylistItem("b", None, "a")]
    assert [i.id for i in r.order_items(only_back)] == ["a", "b", "c"]


@pytest.mark.parametrize(
    "broken",
    [
        [r.PlaylistItem("b", "a", "a"), r.PlaylistItem("a", "b", "b")],  # a cycle
        [r.PlaylistItem("b"), r.PlaylistItem("a")],  # no links at all
        [r.PlaylistItem("a", "b"), r.PlaylistItem("a", "b"), r.PlaylistItem("b")],  # duplicate ids
    ],
)
def test_order_items_keeps_the_given_order_when_links_are_broken(broken: list[r.PlaylistItem]) -> None:
    assert r.order_items(broken) == broken


# =========================================================================== player logo


def png(width: int, height: int, pad: int = 0) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk + b"\0" * pad


def jpeg(width: int, height: int, sof: int = 0xC0, pad: int = 0) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0" + b"\0" * 9
    dqt = b"\xff\xdb" + struct.pack(">H", 4) + b"\0\0"
    frame = bytes([0xFF, sof]) + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + b"\xff\xff" + dqt + frame + b"\0" * pad + b"\xff\xd9"


@pytest.mark.parametrize(
    ("data", "info"),
    [
        (png(200, 100), ("png", 200, 100)),
        (png(1, 1), ("png", 1, 1)),
        (jpeg(120, 60), ("jpeg", 120, 60)),
        (jpeg(200, 100, sof=0xC2), ("jpeg", 200, 100)),  # progressive
        (jpeg(64, 32, sof=0xC1), ("jpeg", 64, 32)),
    ],
)
def test_logo_read_from_the_real_header(data: bytes, info: tuple[str, int, int]) -> None:
    assert r.inspect_logo(data) == r.LogoInfo(*info, len(data))
    assert r.check_logo(data) == r.LogoInfo(*info, len(data))


def test_logo_size_limit_is_100_kib() -> None:
    at_limit = png(10, 10, pad=r.LOGO_MAX_BYTES - len(png(10, 10)))
    assert len(at_limit) == 102_400 and r.check_logo(at_limit).size == 102_400
    with pytest.raises(r.RuleViolation, match=r"100\.0 KB \(max 100 KB\)"):
        r.check_logo(at_limit + b"\0")


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (png(201, 100), "201x100 px"),
        (png(200, 101), "200x101 px"),
        (jpeg(400, 100), "400x100 px"),
        (png(0, 10), "0x10 px"),
        (jpeg(300, 300, pad=101 * 1024), "KB \\(max 100 KB\\) and it is 300x300 px"),
        (b"GIF89a" + b"\0" * 20, "not a JPEG or PNG"),
        (b"RIFF\0\0\0\0WEBPVP8 " + b"\0" * 20, "not a JPEG or PNG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a JPEG or PNG"),
        (b"", "not a JPEG or PNG"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 4, "no IHDR"),  # truncated PNG
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "no readable size"),  # JPEG cut before its frame header
        (b"\xff\xd8\xff\xda\x00\x08" + b"\0" * 10, "no readable size"),  # scan data before any frame
    ],
)
def test_logo_refused(data: bytes, why: str) -> None:
    with pytest.raises(r.RuleViolation, match=why):
        r.check_logo(data)


def test_logo_format_comes_from_content_not_name(tmp_path: Any) -> None:
    fake = tmp_path / "logo.png"
    fake.write_bytes(b"GIF89a" + b"\0" * 20)
    with pytest.raises(r.RuleViolation, match="not its name"):
        r.check_logo(fake.read_bytes())
    real = tmp_path / "logo.gif"
    real.write_bytes(png(50, 50))
    assert r.check_logo(real.read_bytes()).format == "png"


# =========================================================================== API keys, webhooks, tags, metadata


@pytest.mark.parametrize(
    ("ttl", "wire"),
    [
        (2592000, "2592000"),
        ("2592000", "2592000"),
        (" 60 ", "60"),
        (3600.0, "3600"),
        (1, "1"),
        (2_147_483_647, "2147483647"),
        ("30 days", "2592000"),
        ("12 hours", "43200"),
        ("1 year", "31536000"),
        ("2 weeks", "1209600"),
        ("90 minutes", "5400"),
    ],
)
def test_ttl_is_a_bounded_string_of_seconds(ttl: Any, wire: str) -> None:
    assert r.validate_ttl(ttl) == wire


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        (0, "from 1 to 2147483647"),
        (-5, "from 1 to 2147483647"),
        (2**31, "from 1 to 2147483647"),
        ("100 years", "from 1 to 2147483647"),
        ("x", "not a number of seconds"),
        ("1.5", "not a number of seconds"),
        (1.5, "not a number of seconds"),
        (True, "not a number of seconds"),
        ("", "not a number of seconds"),
        ("3 fortnights", "not a number of seconds"),
    ],
)
def test_bad_ttls_refused(bad: Any, why: str) -> None:
    with pytest.raises(r.RuleViolation, match=why):
        r.validate_ttl(bad)


@pytest.mark.parametrize(
    ("given", "wire"),
    [("full_access", "full_access"), ("only_upload", "only_upload"), (" Only-Upload ", "only_upload")],
)
def test_api_key_types(given: str, wire: str) -> None:
    assert r.validate_api_key_type(given) == wire


@pytest.mark.parametrize("bad", ["admin", "read_only", ""])
def test_bad_api_key_types_refused(bad: str) -> None:
    with pytest.raises(r.RuleViolation, match="full_access or only_upload"):
        r.validate_api_key_type(bad)


@pytest.mark.parametrize(
    "url", ["https://example.com/hook", "http://127.0.0.1:8080/aioz/webhook/abc?x=1", " https://example.com "]
)
def test_webhook_urls_accepted(url: str) -> None:
    assert r.validate_webhook_url(url) == url.strip()


@pytest.mark.parametrize(
    "bad",
    [
        "ftp://example.com/hook",
        "example.com/hook",
        "/hook",
        "https://",
        "https:///path",
        "https://exa mple.com/",
        "http://[::1",
        "http://host:99999/",
        "javascript:alert(1)",
        "",
    ],
)
def test_bad_webhook_urls_refused(bad: str) -> None:
    with pytest.raises(r.RuleViolation, match="absolute http"):
        r.validate_webhook_url(bad)


def test_tags_limits() -> None:
    assert r.validate_tags([" demo ", "", "Test"]) == ["demo", "Test"]
    assert r.validate_tags("a, b,,c") == ["a", "b", "c"]
    assert len(r.validate_tags(["t"] * 50)) == 50
    assert r.validate_tags(["x" * 255]) == ["x" * 255]
    with pytest.raises(r.RuleViolation, match="51 tags given; at most 50"):
        r.validate_tags(["t"] * 51)
    with pytest.raises(r.RuleViolation, match="longer than 255"):
        r.validate_tags(["x" * 256])


def test_metadata_forms_and_limits() -> None:
    assert r.validate_metadata({"genre": "rock", "year": 1999}) == [
        {"key": "genre", "value": "rock"},
        {"key": "year", "value": "1999"},
    ]
    assert r.validate_metadata([{"key": "k", "value": "v"}, {"key": "only"}]) == [
        {"key": "k", "value": "v"},
        {"key": "only", "value": ""},
    ]
    assert len(r.validate_metadata({f"k{i}": i for i in range(50)})) == 50
    with pytest.raises(r.RuleViolation, match="51 metadata pairs given; at most 50"):
        r.validate_metadata({f"k{i}": i for i in range(51)})
    with pytest.raises(r.RuleViolation, match="needs a 'key'"):
        r.validate_metadata([{"value": "v"}])
    with pytest.raises(r.RuleViolation, match="key is empty"):
        r.validate_metadata({" ": "v"})
