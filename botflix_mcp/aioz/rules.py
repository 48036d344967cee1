"""The AIOZ skill's rules as plain functions: validate and normalise before anything is sent.

Each function raises `RuleViolation` (what is wrong + what to do, written for the model) or returns normalised
values plus notes for the user. No network, no MCP. Where research/aioz.md corrects the skill, the fact wins and a
comment says so.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlparse

from botflix_mcp.errors import UserInputError


class RuleViolation(UserInputError):
    """Input that breaks a rule of the skill or a limit of the real API (nothing was sent)."""

    def __init__(self, message: str, next_step: str | None = None) -> None:
        super().__init__(message, next_step)

    def __str__(self) -> str:
        return self.message if not self.next_step else f"{self.message} {self.next_step}"


# =========================================================================== colours and sizes (players)

CSS_COLOURS: dict[str, tuple[int, int, int]] = {
    "aliceblue": (240, 248, 255), "antiquewhite": (250, 235, 215), "aqua": (0, 255, 255),
    "aquamarine": (127, 255, 212), "azure": (240, 255, 255), "beige": (245, 245, 220), "bisque": (255, 228, 196),
    "black": (0, 0, 0), "blanchedalmond": (255, 235, 205), "blue": (0, 0, 255), "blueviolet": (138, 43, 226),
    "brown": (165, 42, 42), "burlywood": (222, 184, 135), "cadetblue": (95, 158, 160),
    "chartreuse": (127, 255, 0), "chocolate": (210, 105, 30), "coral": (255, 127, 80),
    "cornflowerblue": (100, 149, 237), "cornsilk": (255, 248, 220), "crimson": (220, 20, 60),
    "cyan": (0, 255, 255), "darkblue": (0, 0, 139), "darkcyan": (0, 139, 139), "darkgoldenrod": (184, 134, 11),
    "darkgray": (169, 169, 169), "darkgreen": (0, 100, 0), "darkgrey": (169, 169, 169),
    "darkkhaki": (189, 183, 107), "darkmagenta": (139, 0, 139), "darkolivegreen": (85, 107, 47),
    "darkorange": (255, 140, 0), "darkorchid": (153, 50, 204), "darkred": (139, 0, 0),
    "darksalmon": (233, 150, 122), "darkseagreen": (143, 188, 143), "darkslateblue": (72, 61, 139),
    "darkslategray": (47, 79, 79), "darkslategrey": (47, 79, 79), "darkturquoise": (0, 206, 209),
    "darkviolet": (148, 0, 211), "deeppink": (255, 20, 147), "deepskyblue": (0, 191, 255),
    "dimgray": (105, 105, 105), "dimgrey": (105, 105, 105), "dodgerblue": (30, 144, 255),
    "firebrick": (178, 34, 34), "floralwhite": (255, 250, 240), "forestgreen": (34, 139, 34),
    "fuchsia": (255, 0, 255), "gainsboro": (220, 220, 220), "ghostwhite": (248, 248, 255), "gold": (255, 215, 0),
    "goldenrod": (218, 165, 32), "gray": (128, 128, 128), "green": (0, 128, 0), "greenyellow": (173, 255, 47),
    "grey": (128, 128, 128), "honeydew": (240, 255, 240), "hotpink": (255, 105, 180),
    "indianred": (205, 92, 92), "indigo": (75, 0, 130), "ivory": (255, 255, 240), "khaki": (240, 230, 140),
    "lavender": (230, 230, 250), "lavenderblush": (255, 240, 245), "lawngreen": (124, 252, 0),
    "lemonchiffon": (255, 250, 205), "lightblue": (173, 216, 230), "lightcoral": (240, 128, 128),
    "lightcyan": (224, 255, 255), "lightgoldenrodyellow": (250, 250, 210), "lightgray": (211, 211, 211),
    "lightgreen": (144, 238, 144), "lightgrey": (211, 211, 211), "lightpink": (255, 182, 193),
    "lightsalmon": (255, 160, 122), "lightseagreen": (32, 178, 170), "lightskyblue": (135, 206, 250),
    "lightslategray": (119, 136, 153), "lightslategrey": (119, 136, 153), "lightsteelblue": (176, 196, 222),
    "lightyellow": (255, 255, 224), "lime": (0, 255, 0), "limegreen": (50, 205, 50), "linen": (250, 240, 230),
    "magenta": (255, 0, 255), "maroon": (128, 0, 0), "mediumaquamarine": (102, 205, 170),
    "mediumblue": (0, 0, 205), "mediumorchid": (186, 85, 211), "mediumpurple": (147, 112, 219),
    "mediumseagreen": (60, 179, 113), "mediumslateblue": (123, 104, 238), "mediumspringgreen": (0, 250, 154),
    "mediumturquoise": (72, 209, 204), "mediumvioletred": (199, 21, 133), "midnightblue": (25, 25, 112),
    "mintcream": (245, 255, 250), "mistyrose": (255, 228, 225), "moccasin": (255, 228, 181),
    "navajowhite": (255, 222, 173), "navy": (0, 0, 128), "oldlace": (253, 245, 230), "olive": (128, 128, 0),
    "olivedrab": (107, 142, 35), "orange": (255, 165, 0), "orangered": (255, 69, 0), "orchid": (218, 112, 214),
    "palegoldenrod": (238, 232, 170), "palegreen": (152, 251, 152), "paleturquoise": (175, 238, 238),
    "palevioletred": (219, 112, 147), "papayawhip": (255, 239, 213), "peachpuff": (255, 218, 185),
    "peru": (205, 133, 63), "pink": (255, 192, 203), "plum": (221, 160, 221), "powderblue": (176, 224, 230),
    "purple": (128, 0, 128), "rebeccapurple": (102, 51, 153), "red": (255, 0, 0), "rosybrown": (188, 143, 143),
    "royalblue": (65, 105, 225), "saddlebrown": (139, 69, 19), "salmon": (250, 128, 114),
    "sandybrown": (244, 164, 96), "seagreen": (46, 139, 87), "seashell": (255, 245, 238), "sienna": (160, 82, 45),
    "silver": (192, 192, 192), "skyblue": (135, 206, 235), "slateblue": (106, 90, 205),
    "slategray": (112, 128, 144), "slategrey": (112, 128, 144), "snow": (255, 250, 250),
    "springgreen": (0, 255, 127), "steelblue": (70, 130, 180), "tan": (210, 180, 140), "teal": (0, 128, 128),
    "thistle": (216, 191, 216), "tomato": (255, 99, 71), "turquoise": (64, 224, 208), "violet": (238, 130, 238),
    "wheat": (245, 222, 179), "white": (255, 255, 255), "whitesmoke": (245, 245, 245), "yellow": (255, 255, 0),
    "yellowgreen": (154, 205, 50),
}  # fmt: skip

PLAYER_COLOUR_FIELDS: tuple[str, ...] = (
    "main_color",
    "text_color",
    "control_bar_background_color",
    "menu_background_color",
    "menu_item_background_hover",
    "text_track_color",
    "text_track_background",
)
PLAYER_SIZE_FIELDS: tuple[str, ...] = ("control_bar_height", "progress_bar_height", "progress_bar_circle_size")

_NUM = r"\s*(-?\d+(?:\.\d+)?%?)\s*"
_RGB_RE = re.compile(rf"^rgba?\({_NUM},{_NUM},{_NUM}(?:,{_NUM})?\)$", re.IGNORECASE)
_RGB_SPACE_RE = re.compile(rf"^rgba?\({_NUM}\s{_NUM}\s{_NUM}(?:/{_NUM})?\)$", re.IGNORECASE)
_HSL_RE = re.compile(rf"^hsla?\({_NUM}(?:deg)?,{_NUM},{_NUM}(?:,{_NUM})?\)$", re.IGNORECASE)
_HEX_RE = re.compile(r"^#?([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$", re.IGNORECASE)


def _alpha_text(alpha: float) -> str:
    alpha = round(alpha, 3)
    return str(int(alpha)) if alpha == int(alpha) else f"{alpha:g}"


def _rgba(r: int, g: int, b: int, a: float) -> str:
    return f"rgba({r}, {g}, {b}, {_alpha_text(a)})"


def _channel(text: str) -> int:
    value = float(text[:-1]) * 2.55 if text.endswith("%") else float(text)
    if not 0 <= value <= 255.0001:
        raise ValueError(text)
    return round(value)


def _alpha(text: str | None) -> float:
    if text is None:
        return 1.0
    value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    if not 0 <= value <= 1:
        raise ValueError(text)
    return value


def _hsl_to_rgb(h: float, s: float, lightness: float) -> tuple[int, int, int]:
    import colorsys

    r, g, b = colorsys.hls_to_rgb((h % 360) / 360, lightness, s)
    return round(r * 255), round(g * 255), round(b * 255)


def normalise_colour(value: str, field: str = "colour") -> tuple[str, str | None]:
    """Any CSS colour the user may give -> the `rgba(r, g, b, a)` the API requires, plus a note when converted.

    Accepts rgba()/rgb() (comma or space syntax, % channels), hex #rgb/#rgba/#rrggbb/#rrggbbaa (with or without #),
    the 148 CSS named colours and `transparent`, and hsl()/hsla().
    """
    raw = str(value).strip()
    text = raw.lower()
    try:
        if text == "transparent":
            out = _rgba(0, 0, 0, 0)
        elif text in CSS_COLOURS:
            out = _rgba(*CSS_COLOURS[text], 1)
        elif m := _HEX_RE.match(text):
            digits = m.group(1)
            if len(digits) in (3, 4):
                digits = "".join(c * 2 for c in digits)
            r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
            a = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
            out = _rgba(r, g, b, round(a, 3))
        elif m := (_RGB_RE.match(text) or _RGB_SPACE_RE.match(text)):
            r, g, b = (_channel(m.group(i)) for i in (1, 2, 3))
            out = _rgba(r, g, b, _alpha(m.group(4)))
        elif m := _HSL_RE.match(text):
            h = float(m.group(1).rstrip("%"))
            s, lightness = (float(m.group(i).rstrip("%")) / 100 for i in (2, 3))
            if not (0 <= s <= 1 and 0 <= lightness <= 1):
                raise ValueError(text)
            out = _rgba(*_hsl_to_rgb(h, s, lightness), _alpha(m.group(4)))
        else:
            raise ValueError(text)
    except ValueError:
        raise RuleViolation(
            f"{field}: {raw!r} is not a colour I can convert.",
            "Use rgba(255, 0, 0, 1), a hex colour such as #ff0000, or a CSS colour name such as 'red'.",
        ) from None
    return out, (None if raw == out else f"{field}: {raw!r} → {out!r}")


_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(px)?\s*$", re.IGNORECASE)


def normalise_size(value: str | int | float, field: str = "size") -> tuple[str, str | None]:
    """`40`, `40.0`, "40", " 40 PX " -> "40px" (the API wants px strings)."""
    raw = str(value).strip()
    m = _SIZE_RE.match(raw)
    if isinstance(value, bool) or not m:
        raise RuleViolation(
            f"{field}: {raw!r} is not a pixel size.",
            "Give a non-negative number of pixels such as 40 or '40px' (em, rem and % are not accepted).",
        )
    number = float(m.group(1))
    if number > 10000:
        raise RuleViolation(f"{field}: {raw!r} is implausibly large.", "Use a size below 10000px.")
    out = f"{int(number) if number == int(number) else number:g}px"
    return out, (None if raw == out else f"{field}: {raw!r} → {out!r}")


def normalise_player_theme(theme: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Normalise every colour and size field of a player theme; unknown fields are refused with the valid list."""
    unknown = sorted(set(theme) - set(PLAYER_COLOUR_FIELDS) - set(PLAYER_SIZE_FIELDS))
    if unknown:
        raise RuleViolation(
            f"Unknown theme field(s): {', '.join(unknown)}.",
            f"Valid fields: {', '.join(PLAYER_COLOUR_FIELDS + PLAYER_SIZE_FIELDS)}.",
        )
    out: dict[str, str] = {}
    notes: list[str] = []
    for key, value in theme.items():
        if value is None:
            continue
        normalised, note = (
            normalise_colour(str(value), key) if key in PLAYER_COLOUR_FIELDS else normalise_size(value, key)
        )
        out[key] = normalised
        if note:
            notes.append(note)
    return out, notes


# =========================================================================== dates (analytics, payments)

_RANGE_RE = re.compile(r"^(?:last|past|previous)\s+(\d+)?\s*(hour|hours|day|days|week|weeks|month|months|year|years)$")
_UNIT_SECONDS = {"hour": 3600, "day": 86400, "week": 7 * 86400}


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _ts(moment: datetime) -> int:
    return int(_as_utc(moment).timestamp())


def _start_of_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _months_back(moment: datetime, months: int) -> datetime:
    month = moment.month - months
    year = moment.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _phrase_range(text: str, now: datetime) -> tuple[int, int] | None:
    """Range phrases: today, yesterday, this week/month/year, last N hours/days/weeks/months, last week/month."""
    today = _start_of_day(now.date())
    if text == "today":
        return _ts(today), _ts(now)
    if text == "yesterday":
        return _ts(today - timedelta(days=1)), _ts(today) - 1
    if text == "this week":
        return _ts(today - timedelta(days=today.weekday())), _ts(now)
    if text == "this month":
        return _ts(today.replace(day=1)), _ts(now)
    if text == "this year":
        return _ts(today.replace(month=1, day=1)), _ts(now)
    m = _RANGE_RE.match(text)
    if not m:
        return None
    count = int(m.group(1) or 1)
    unit = m.group(2).rstrip("s")
    if count <= 0:
        return None
    if unit == "month":
        return _ts(_months_back(now, count)), _ts(now)
    if unit == "year":
        return _ts(_months_back(now, 12 * count)), _ts(now)
    return _ts(now) - count * _UNIT_SECONDS[unit], _ts(now)


def to_unix(value: str | int | float, *, now: datetime | None = None, end_of_day: bool = False) -> int:
    """One point in time -> UNIX seconds (UTC). Naive datetimes are UTC; milliseconds are detected by magnitude.

    `end_of_day` makes a bare date mean its last second (for the end of a range).
    """
    now = _as_utc(now or datetime.now(UTC))
    if isinstance(value, bool):
        raise RuleViolation(f"{value!r} is not a date.", "Give a date such as 2024-09-01 or a UNIX timestamp.")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = value.strip().lower()
        if re.fullmatch(r"\d+(\.\d+)?", text):
            number = float(text)
        elif text == "now":
            return _ts(now)
        elif text in {"today", "yesterday", "tomorrow"}:
            day = now.date() + timedelta(days={"today": 0, "yesterday": -1, "tomorrow": 1}[text])
            start = _ts(_start_of_day(day))
            return start + 86399 if end_of_day else start
        else:
            try:
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                    start = _ts(_start_of_day(date.fromisoformat(text)))
                    return start + 86399 if end_of_day else start
                return _ts(datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00")))
            except ValueError:
                raise RuleViolation(
                    f"{value!r} is not a date I understand.",
                    "Use 2024-09-01, an ISO time such as 2024-09-01T12:00:00Z, 'yesterday', 'last 7 days', "
                    "or a UNIX timestamp.",
                ) from None
    if number > 1e11:  # milliseconds
        number /= 1000
    if number < 0:
        raise RuleViolation(f"{value!r} is before 1970.", "Give a date after 1970-01-01.")
    return int(number)


def resolve_range(
    from_: str | int | float | None, to: str | int | float | None = None, *, now: datetime | None = None
) -> tuple[int, int]:
    """Human dates or range phrases -> (from, to) UNIX seconds. A phrase in `from_` alone gives both ends.

    `to` defaults to now. `from` after `to` is refused.
    """
    now = _as_utc(now or datetime.now(UTC))
    if isinstance(from_, str) and to in (None, ""):
        phrase = _phrase_range(" ".join(from_.strip().lower().split()), now)
        if phrase is not None:
            return phrase
    if from_ in (None, ""):
        raise RuleViolation("A start date is required.", "Give 'from' as a date, or a range such as 'last 7 days'.")
    start = to_unix(from_, now=now)  # type: ignore[arg-type]
    end = _ts(now) if to in (None, "") else to_unix(to, now=now, end_of_day=True)  # type: ignore[arg-type]
    if start > end:
        raise RuleViolation(
            f"The start ({datetime.fromtimestamp(start, UTC):%Y-%m-%d %H:%M} UTC) is after the end "
            f"({datetime.fromtimestamp(end, UTC):%Y-%m-%d %H:%M} UTC).",
            "Swap them or pick another range.",
        )
    return start, end


# =========================================================================== analytics combinations

# research/aioz.md §5.8 (backend code) wins over the skill's lists.
DATA_AGGREGATIONS: dict[str, tuple[str, ...]] = {
    "play": ("count", "rate", "total"),
    "start": ("count",),
    "end": ("count",),
    "impression": ("count",),
    "view": ("count",),
    "impression_time": ("average", "sum"),
    "watch_time": ("average", "sum"),
}
BUCKET_METRICS: tuple[str, ...] = (
    "play", "play_rate", "play_total", "start", "end", "impression", "watch_time", "view", "retention",
)  # fmt: skip
#: The skill writes `operating-system`; the backend's path value is `operator-system` (research §5.8).
BREAKDOWN_ALIASES: dict[str, str] = {"operating-system": "operator-system", "os": "operator-system"}
BREAKDOWNS: tuple[str, ...] = (
    "media-id", "media-type", "continent", "country", "device-type", "operator-system", "browser",
)  # fmt: skip
INTERVALS: tuple[str, ...] = ("hour", "day", "week", "month")
FILTER_VALUES: dict[str, tuple[str, ...]] = {
    "media_type": ("video", "audio", "live_stream"),
    "continents": ("AS", "EU", "AF", "NA", "SA", "AN", "AZ"),
    "device_types": ("computer", "phone", "tablet", "tv", "console", "wearable", "unknown"),
    "os": ("windows", "mac osx", "linux", "ios", "android"),
    "browsers": ("chrome", "firefox", "opera", "edge", "safari"),
}


def validate_metric_query(kind: Literal["data", "bucket", "timeseries"], metric: str, dimension: str) -> str:
    """Check metric/aggregation (data), metric/breakdown (bucket) or metric/interval (timeseries).

    Returns the wire value of `dimension` (e.g. `operating-system` -> `operator-system`).
    """
    metric = metric.strip().lower()
    dimension = dimension.strip().lower().replace("_", "-") if kind == "bucket" else dimension.strip().lower()
    if kind == "data":
        if metric not in DATA_AGGREGATIONS:
            raise RuleViolation(f"Unknown metric {metric!r} for data.", f"Use one of {', '.join(DATA_AGGREGATIONS)}.")
        allowed = DATA_AGGREGATIONS[metric]
        if dimension not in allowed:
            raise RuleViolation(
                f"Aggregation {dimension!r} is not available for {metric!r}.", f"Use one of {', '.join(allowed)}."
            )
        return dimension
    if metric not in BUCKET_METRICS:
        raise RuleViolation(f"Unknown metric {metric!r} for {kind}.", f"Use one of {', '.join(BUCKET_METRICS)}.")
    if kind == "bucket":
        dimension = BREAKDOWN_ALIASES.get(dimension, dimension)
        if dimension not in BREAKDOWNS:
            raise RuleViolation(f"Unknown breakdown {dimension!r}.", f"Use one of {', '.join(BREAKDOWNS)}.")
        return dimension
    if dimension not in INTERVALS:
        raise RuleViolation(f"Unknown interval {dimension!r}.", f"Use one of {', '.join(INTERVALS)}.")
    return dimension


def validate_filters(filters: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check the analytics `filter_by` values against the documented lists (case-normalised)."""
    out: dict[str, Any] = {}
    for key, value in (filters or {}).items():
        if value in (None, [], ""):
            continue
        if key in {"media_ids", "countries", "tags"}:
            items = [str(v).strip() for v in (value if isinstance(value, list) else [value])]
            out[key] = [v.upper() for v in items] if key == "countries" else items
            continue
        if key not in FILTER_VALUES:
            raise RuleViolation(
                f"Unknown filter {key!r}.", f"Use {', '.join(['media_ids', 'countries', 'tags', *FILTER_VALUES])}."
            )
        allowed = FILTER_VALUES[key]
        items = value if isinstance(value, list) else [value]
        normalised = []
        for item in items:
            text = str(item).strip()
            match = next((a for a in allowed if a.lower() == text.lower()), None)
            if match is None:
                raise RuleViolation(f"{key}: {text!r} is not accepted.", f"Use one of {', '.join(allowed)}.")
            normalised.append(match)
        out[key] = normalised[0] if key == "media_type" else normalised
    return out


# =========================================================================== qualities, codecs, languages

VIDEO_RESOLUTIONS: tuple[str, ...] = ("240p", "360p", "480p", "720p", "1080p", "1440p", "2160p", "4320p")
AUDIO_PRESETS: dict[str, int] = {"standard": 128_000, "good": 192_000, "highest": 320_000, "lossless": 1_411_000}
CODEC_MAX: dict[str, str] = {"h264": "2160p", "h265": "4320p"}
CONTAINERS: dict[str, tuple[str, ...]] = {"hls": ("mpegts", "fmp4"), "dash": ("mp4", "webm")}


def _rank(resolution: str) -> int:
    return VIDEO_RESOLUTIONS.index(resolution)


def validate_qualities(
    media_type: Literal["video", "audio"], qualities: Sequence[Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Check every quality preset; return the wire list and warnings (h265 + mpegts -> fmp4 for Safari/iOS)."""
    from botflix_mcp.templates import H265_MPEGTS_WARNING

    out: list[dict[str, Any]] = []
    warnings: list[str] = []
    seen: set[tuple[str, str]] = set()
    for i, quality in enumerate(qualities):
        where = f"qualities[{i}]"
        q = {k: v for k, v in dict(quality).items() if v is not None}
        resolution = str(q.get("resolution", "")).strip().lower()
        stream = str(q.get("type", "hls")).strip().lower()
        if stream not in CONTAINERS:
            raise RuleViolation(f"{where}.type {stream!r} is not supported.", "Use 'hls' or 'dash'.")
        container = str(q.get("container_type", CONTAINERS[stream][0])).strip().lower()
        if container == "mp4" and stream == "hls":  # docs spell fmp4 as "mp4" for HLS (research §5.1)
            container = "fmp4"
        if container not in CONTAINERS[stream]:
            raise RuleViolation(
                f"{where}.container_type {container!r} does not go with {stream}.",
                f"Use one of {', '.join(CONTAINERS[stream])}.",
            )
        q.update(resolution=resolution, type=stream, container_type=container)
        if media_type == "audio":
            if resolution not in AUDIO_PRESETS:
                raise RuleViolation(
                    f"{where}.resolution {resolution!r} is not an audio preset.",
                    f"Audio uses presets: {', '.join(AUDIO_PRESETS)}.",
                )
            if "video_config" in q:
                raise RuleViolation(f"{where} has a video_config.", "Audio media take only audio_config.")
        else:
            if resolution not in VIDEO_RESOLUTIONS:
                raise RuleViolation(
                    f"{where}.resolution {resolution!r} is not supported.",
                    f"Use one of {', '.join(VIDEO_RESOLUTIONS)}.",
                )
            video = dict(q.get("video_config") or {})
            codec = str(video.get("codec", "h264")).strip().lower()
            if codec not in CODEC_MAX:
                raise RuleViolation(f"{where}.video_config.codec {codec!r} is not supported.", "Use h264 or h265.")
            if _rank(resolution) > _rank(CODEC_MAX[codec]):
                raise RuleViolation(
                    f"{where}: {codec} goes up to {CODEC_MAX[codec]}, not {resolution}.",
                    "Use h265 for 4320p, or a lower resolution.",
                )
            if "bitrate" in video and (not isinstance(video["bitrate"], int) or video["bitrate"] <= 0):
                raise RuleViolation(f"{where}.video_config.bitrate must be a positive integer (bits per second).")
            video["codec"] = codec
            q["video_config"] = video
            if codec == "h265" and container == "mpegts" and H265_MPEGTS_WARNING not in warnings:
                warnings.append(H265_MPEGTS_WARNING)
        audio = q.get("audio_config")
        if audio is not None:
            audio = dict(audio)
            codec = str(audio.get("codec", "aac")).strip().lower()
            if codec != "aac":
                raise RuleViolation(f"{where}.audio_config.codec {codec!r} is not supported.", "Use aac.")
            if "language" in audio:
                audio["language"] = validate_language_tag(str(audio["language"]))
            if "channels" in audio:
                audio["channels"] = str(audio["channels"])  # a string on the wire (spec)
            q["audio_config"] = audio
        key = (resolution, stream)
        if key in seen:
            raise RuleViolation(f"{where} repeats {resolution} {stream}.", "List each resolution/type once.")
        seen.add(key)
        out.append(q)
    return out, warnings


_BCP47_RE = re.compile(
    r"^(?P<language>[a-z]{2,3})"
    r"(?:-(?P<script>[A-Z][a-z]{3}))?"
    r"(?:-(?P<region>[A-Z]{2}|\d{3}))?"
    r"(?:-(?P<variant>[a-zA-Z0-9]{5,8}|\d[a-zA-Z0-9]{3}))*$"
)


def validate_language_tag(tag: str) -> str:
    """A BCP-47 tag (en, vi, en-US, fr-CA, zh-Hant-TW), case-normalised; `en_US`/`english` refused with a hint."""
    raw = tag.strip()
    parts = raw.replace("_", "-").split("-")
    if parts and parts[0]:
        fixed = [parts[0].lower()]
        for part in parts[1:]:
            if len(part) == 4 and part.isalpha():
                fixed.append(part.title())
            elif len(part) == 2 and part.isalpha():
                fixed.append(part.upper())
            else:
                fixed.append(part)
        candidate = "-".join(fixed)
    else:
        candidate = raw
    if "_" in raw:
        raise RuleViolation(f"Language tag {raw!r} uses '_'.", f"BCP-47 uses '-': try {candidate!r}.")
    if not _BCP47_RE.match(candidate):
        raise RuleViolation(
            f"{raw!r} is not a BCP-47 language tag.", "Use a code such as en, vi, en-US, fr-CA or zh-Hant-TW."
        )
    return candidate


# =========================================================================== playlists


@dataclass(frozen=True)
class PlaylistItem:
    id: str
    next_id: str | None = None
    previous_id: str | None = None
    media_id: str | None = None


def order_items(items: Sequence[PlaylistItem]) -> list[PlaylistItem]:
    """Order items by their linked-list pointers (head = no previous_id); falls back to the given order."""
    by_id = {i.id: i for i in items}
    heads = [i for i in items if not i.previous_id or i.previous_id not in by_id]
    if len(heads) != 1:
        return list(items)
    ordered: list[PlaylistItem] = []
    seen: set[str] = set()
    node: PlaylistItem | None = heads[0]
    while node is not None and node.id not in seen:
        ordered.append(node)
        seen.add(node.id)
        node = by_id.get(node.next_id or "")
    return ordered if len(ordered) == len(items) else list(items)


def plan_reorder(
    items_in_order: Sequence[PlaylistItem],
    item_id: str,
    position: Literal["top", "bottom", "before", "after"],
    anchor_id: str | None = None,
) -> dict[str, str]:
    """The `PUT /playlists/{id}/items` body for a move, computed from the fetched order (skill §11).

    top: only `next_id` = the current first item; bottom: only `previous_id` = the current last item;
    between two items: both. `item_id`/`anchor_id` may be item ids or media ids.
    """
    items = list(items_in_order)

    def find(ref: str, what: str) -> int:
        for i, it in enumerate(items):
            if ref in (it.id, it.media_id):
                return i
        raise RuleViolation(f"The {what} {ref!r} is not in this playlist.", "Get the playlist detail to see its items.")

    index = find(item_id, "item")
    current = items[index]
    if len(items) < 2:
        raise RuleViolation("The playlist has only one item; there is nothing to reorder.")
    rest = items[:index] + items[index + 1 :]
    if position == "top":
        target = 0
    elif position == "bottom":
        target = len(rest)
    else:
        if not anchor_id:
            raise RuleViolation(f"Moving {position} an item needs anchor_id.", "Give the item to move next to.")
        anchor = find(anchor_id, "anchor item")
        if anchor == index:
            raise RuleViolation("The item and the anchor are the same.", "Pick another anchor item.")
        anchor_in_rest = anchor if anchor < index else anchor - 1
        target = anchor_in_rest if position == "before" else anchor_in_rest + 1
    if target == index:
        raise RuleViolation(f"The item is already at that position ({position}).", "Nothing needs to change.")
    body: dict[str, str] = {"current_id": current.id}
    if target < len(rest):
        body["next_id"] = rest[target].id
    if target > 0:
        body["previous_id"] = rest[target - 1].id
    return body


# =========================================================================== player logo

LOGO_MAX_BYTES = 100 * 1024  # the skill's "100KB"; research §5.7 says 100 KiB
LOGO_MAX_WIDTH, LOGO_MAX_HEIGHT = 200, 100


@dataclass(frozen=True)
class LogoInfo:
    format: Literal["png", "jpeg"]
    width: int
    height: int
    size: int


def inspect_logo(data: bytes) -> LogoInfo:
    """Read the real image header (PNG IHDR or JPEG SOFn), never the file name."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        return LogoInfo("png", width, height, len(data))
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 4 <= len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                i += 1 if marker == 0xFF else 2
                continue
            length = int.from_bytes(data[i + 2 : i + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                if i + 9 > len(data):
                    break
                height = int.from_bytes(data[i + 5 : i + 7], "big")
                width = int.from_bytes(data[i + 7 : i + 9], "big")
                return LogoInfo("jpeg", width, height, len(data))
            if marker == 0xDA or length < 2:
                break
            i += 2 + length
        raise RuleViolation("The JPEG logo has no readable size header (truncated or corrupt).")
    raise RuleViolation(
        "The logo is not a JPEG or PNG image (checked from its content, not its name).",
        "Convert it to PNG or JPEG.",
    )


def check_logo(data: bytes) -> LogoInfo:
    """Reject before upload unless JPEG/PNG, <= 100 KB and <= 200x100 px."""
    info = inspect_logo(data)
    problems = []
    if info.size > LOGO_MAX_BYTES:
        problems.append(f"it is {info.size / 1024:.1f} KB (max 100 KB)")
    if info.width > LOGO_MAX_WIDTH or info.height > LOGO_MAX_HEIGHT:
        problems.append(f"it is {info.width}x{info.height} px (max 200x100 px)")
    if problems:
        raise RuleViolation(
            f"The logo cannot be used: {' and '.join(problems)}.",
            "Resize/compress it to at most 200x100 px and 100 KB, as PNG or JPEG.",
        )
    return info


# =========================================================================== API keys, webhooks, media fields

API_KEY_TYPES: tuple[str, ...] = ("full_access", "only_upload")
TTL_MAX = 2_147_483_647


def validate_ttl(ttl: int | str) -> str:
    """Seconds (or "30 days", "12 hours", "1 year") 1..2147483647, returned as the STRING the API expects (§5.4)."""
    text = str(ttl).strip().lower()
    units = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800, "month": 2592000, "year": 31536000}
    match = re.fullmatch(r"(\d+)\s*(second|minute|hour|day|week|month|year)s?", text)
    try:
        seconds = int(match.group(1)) * units[match.group(2)] if match else int(text)
    except ValueError:
        raise RuleViolation(f"ttl {ttl!r} is not a number of seconds.", "E.g. 2592000 for 30 days.") from None
    if not 1 <= seconds <= TTL_MAX:
        raise RuleViolation(f"ttl must be from 1 to {TTL_MAX} seconds, got {seconds}.")
    return str(seconds)


def validate_api_key_type(kind: str) -> str:
    if kind not in API_KEY_TYPES:
        raise RuleViolation(f"Key type {kind!r} is not supported.", "Use full_access or only_upload.")
    return kind


def validate_webhook_url(url: str) -> str:
    parsed = urlparse(url.strip())
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise RuleViolation(f"{url!r} is not an absolute http(s) URL.", "Give e.g. https://example.com/hook.")
    return url.strip()


MAX_TAGS = 50
MAX_TAG_LEN = 255
MAX_METADATA = 50


def validate_tags(tags: Sequence[str]) -> list[str]:
    """Up to 50 tags of <= 255 chars; the host lower-cases, de-duplicates and sorts them (research §5.1)."""
    cleaned = [t.strip() for t in tags if t and t.strip()]
    if len(cleaned) > MAX_TAGS:
        raise RuleViolation(f"{len(cleaned)} tags given; at most {MAX_TAGS}.")
    long = [t for t in cleaned if len(t) > MAX_TAG_LEN]
    if long:
        raise RuleViolation(f"Tag {long[0][:40]!r}... is longer than {MAX_TAG_LEN} characters.")
    return cleaned


def validate_metadata(metadata: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """`{"k": "v"}` or `[{"key": "k", "value": "v"}]` -> the wire list (at most 50 pairs)."""
    if isinstance(metadata, Mapping):
        pairs = [{"key": str(k), "value": str(v)} for k, v in metadata.items()]
    else:
        pairs = []
        for item in metadata:
            if "key" not in item:
                raise RuleViolation("Each metadata item needs a 'key'.", 'Use [{"key": "genre", "value": "rock"}].')
            pairs.append({"key": str(item["key"]), "value": str(item.get("value", ""))})
    if len(pairs) > MAX_METADATA:
        raise RuleViolation(f"{len(pairs)} metadata pairs given; at most {MAX_METADATA}.")
    return pairs
