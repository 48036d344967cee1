"""The skill's rules as plain functions (each test fails if its rule is removed)."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime

import pytest

from botflix_mcp.aioz import rules as r
from botflix_mcp.templates import H265_MPEGTS_WARNING

NOW = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("#f00", "rgba(255, 0, 0, 1)"),
        ("#ff000080", "rgba(255, 0, 0, 0.502)"),
        ("00ff00", "rgba(0, 255, 0, 1)"),
        ("red", "rgba(255, 0, 0, 1)"),
        ("RebeccaPurple", "rgba(102, 51, 153, 1)"),
        ("transparent", "rgba(0, 0, 0, 0)"),
        ("rgb(0,128,255)", "rgba(0, 128, 255, 1)"),
        ("rgba(0 0 0 / 50%)", "rgba(0, 0, 0, 0.5)"),
        ("hsl(0, 100%, 50%)", "rgba(255, 0, 0, 1)"),
        ("rgba(30, 30, 30, 1)", "rgba(30, 30, 30, 1)"),
    ],
)
def test_colours_become_rgba(given: str, expected: str) -> None:
    out, note = r.normalise_colour(given, "main_color")
    assert out == expected
    assert (note is None) == (given == expected)
    if note:
        assert given in note and expected in note


@pytest.mark.parametrize("bad", ["reddish", "#12345", "rgb(300,0,0)", "rgba(0,0,0,2)", ""])
def test_unparseable_colours_refused(bad: str) -> None:
    with pytest.raises(r.RuleViolation):
        r.normalise_colour(bad)


@pytest.mark.parametrize(("given", "expected"), [(40, "40px"), ("40", "40px"), (" 40 PX ", "40px"), (4.5, "4.5px")])
def test_sizes_become_px(given, expected) -> None:
    assert r.normalise_size(given)[0] == expected


@pytest.mark.parametrize("bad", ["2em", "-4", "50%", True, "big"])
def test_bad_sizes_refused(bad) -> None:
    with pytest.raises(r.RuleViolation):
        r.normalise_size(bad)


def test_player_theme_notes_and_unknown_fields() -> None:
    theme, notes = r.normalise_player_theme({"main_color": "#ff0000", "control_bar_height": 40})
    assert theme == {"main_color": "rgba(255, 0, 0, 1)", "control_bar_height": "40px"}
    assert len(notes) == 2
    with pytest.raises(r.RuleViolation, match="Unknown theme field"):
        r.normalise_player_theme({"colour": "red"})


def test_dates_to_unix() -> None:
    assert r.to_unix("2024-09-01", now=NOW) == 1725148800
    assert r.to_unix("2024-09-01", now=NOW, end_of_day=True) == 1725148800 + 86399
    assert r.to_unix("2024-09-01T12:00:00Z", now=NOW) == 1725192000
    assert r.to_unix("2024-09-01T12:00:00", now=NOW) == 1725192000  # naive = UTC
    assert r.to_unix("2024-09-01T14:00:00+02:00", now=NOW) == 1725192000
    assert r.to_unix(1725192000000, now=NOW) == 1725192000  # milliseconds
    assert r.to_unix("now", now=NOW) == int(NOW.timestamp())


def test_ranges() -> None:
    now = int(NOW.timestamp())
    assert r.resolve_range("last 7 days", now=NOW) == (now - 7 * 86400, now)
    assert r.resolve_range("yesterday", now=NOW) == (now - 12 * 3600 - 86400, now - 12 * 3600 - 1)
    assert r.resolve_range("last 24 hours", now=NOW) == (now - 86400, now)
    assert r.resolve_range("this month", now=NOW)[0] == int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
    assert r.resolve_range("2024-09-01", "2024-09-02", now=NOW) == (1725148800, 1725321599)
    with pytest.raises(r.RuleViolation, match="after the end"):
        r.resolve_range("2024-09-02", "2024-09-01", now=NOW)
    with pytest.raises(r.RuleViolation):
        r.resolve_range("the day before the big game", now=NOW)


def test_metric_combinations() -> None:
    assert r.validate_metric_query("data", "play", "rate") == "rate"
    with pytest.raises(r.RuleViolation):
        r.validate_metric_query("data", "view", "rate")  # rate is play only
    assert r.validate_metric_query("bucket", "view", "operating-system") == "operator-system"
    assert r.validate_metric_query("bucket", "view", "device_type") == "device-type"
    with pytest.raises(r.RuleViolation):
        r.validate_metric_query("bucket", "view", "planet")
    assert r.validate_metric_query("timeseries", "play", "day") == "day"
    with pytest.raises(r.RuleViolation):
        r.validate_metric_query("timeseries", "play", "minute")


def test_filters() -> None:
    assert r.validate_filters({"continents": ["as"], "media_type": "VIDEO", "countries": ["vn"]}) == {
        "continents": ["AS"],
        "media_type": "video",
        "countries": ["VN"],
    }
    with pytest.raises(r.RuleViolation):
        r.validate_filters({"browsers": ["netscape"]})


def test_qualities() -> None:
    q, warnings = r.validate_qualities(
        "video", [{"resolution": "2160p", "type": "hls", "container_type": "mpegts", "video_config": {"codec": "h265"}}]
    )
    assert q[0]["container_type"] == "mpegts" and warnings == [H265_MPEGTS_WARNING]
    _, warnings = r.validate_qualities(
        "video", [{"resolution": "1080p", "container_type": "fmp4", "video_config": {"codec": "h265"}}]
    )
    assert warnings == []
    with pytest.raises(r.RuleViolation, match="h264 goes up to 2160p"):
        r.validate_qualities("video", [{"resolution": "4320p", "video_config": {"codec": "h264"}}])
    r.validate_qualities("video", [{"resolution": "4320p", "video_config": {"codec": "h265"}}])
    with pytest.raises(r.RuleViolation):
        r.validate_qualities("video", [{"resolution": "999p"}])
    with pytest.raises(r.RuleViolation):
        r.validate_qualities("video", [{"resolution": "720p", "type": "dash", "container_type": "mpegts"}])
    q, _ = r.validate_qualities("audio", [{"resolution": "highest", "audio_config": {"language": "en-us"}}])
    assert q[0]["audio_config"]["language"] == "en-US"
    with pytest.raises(r.RuleViolation):
        r.validate_qualities("audio", [{"resolution": "720p"}])


@pytest.mark.parametrize(("tag", "out"), [("en", "en"), ("EN-us", "en-US"), ("zh-hant-tw", "zh-Hant-TW"), ("vi", "vi")])
def test_language_tags(tag: str, out: str) -> None:
    assert r.validate_language_tag(tag) == out


@pytest.mark.parametrize("bad", ["english", "en_US", "e", "en-USA1"])
def test_bad_language_tags(bad: str) -> None:
    with pytest.raises(r.RuleViolation):
        r.validate_language_tag(bad)


def items(*ids: str) -> list[r.PlaylistItem]:
    return [
        r.PlaylistItem(i, ids[n + 1] if n + 1 < len(ids) else None, ids[n - 1] if n else None, "m" + i)
        for n, i in enumerate(ids)
    ]


def test_reorder_positions() -> None:
    order = items("a", "b", "c", "d")
    assert r.plan_reorder(order, "c", "top") == {"current_id": "c", "next_id": "a"}
    assert r.plan_reorder(order, "b", "bottom") == {"current_id": "b", "previous_id": "d"}
    assert r.plan_reorder(order, "d", "after", "a") == {"current_id": "d", "next_id": "b", "previous_id": "a"}
    assert r.plan_reorder(order, "a", "before", "d") == {"current_id": "a", "next_id": "d", "previous_id": "c"}
    assert r.plan_reorder(order, "md", "top") == {"current_id": "d", "next_id": "a"}  # by media id
    with pytest.raises(r.RuleViolation, match="already"):
        r.plan_reorder(order, "a", "top")
    with pytest.raises(r.RuleViolation, match="not in this playlist"):
        r.plan_reorder(order, "zz", "top")


def test_order_items_follows_links() -> None:
    shuffled = [items("a", "b", "c")[i] for i in (2, 0, 1)]
    assert [i.id for i in r.order_items(shuffled)] == ["a", "b", "c"]


def png(width: int, height: int, pad: int = 0) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk + b"\0" * pad


def jpeg(width: int, height: int) -> bytes:
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0" + b"\0" * 9 + sof + b"\xff\xd9"


def test_logo_read_from_real_header() -> None:
    assert r.check_logo(png(200, 100)).format == "png"
    assert r.check_logo(jpeg(120, 60)) == r.LogoInfo("jpeg", 120, 60, len(jpeg(120, 60)))
    with pytest.raises(r.RuleViolation, match="201x100"):
        r.check_logo(png(201, 100))
    with pytest.raises(r.RuleViolation, match="max 100 KB"):
        r.check_logo(png(10, 10, pad=101 * 1024))
    with pytest.raises(r.RuleViolation, match="not a JPEG or PNG"):
        r.check_logo(b"GIF89a" + b"\0" * 20)


def test_ttl_is_a_string_and_bounded() -> None:
    assert r.validate_ttl(2592000) == "2592000"
    assert r.validate_ttl("30 days") == "2592000" and r.validate_ttl("12 hours") == "43200"
    for bad in (0, "x", 2**31):
        with pytest.raises(r.RuleViolation):
            r.validate_ttl(bad)


def test_metadata_and_tags() -> None:
    assert r.validate_metadata({"genre": "rock"}) == [{"key": "genre", "value": "rock"}]
    with pytest.raises(r.RuleViolation):
        r.validate_tags(["t"] * 51)
    with pytest.raises(r.RuleViolation):
        r.validate_webhook_url("ftp://x")
