"""The AIOZ skill's rules as plain functions: validate and normalise before anything is sent.

Each function raises `RuleViolation` (what is wrong + what to do, written for the model) or returns normalised
values plus notes for the user. No network, no MCP. Where research/aioz.md corrects the skill, the fact wins and a
comment says so.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlparse

from botflix_mcp.errors import UserInputError


class RuleViolation(UserInputError, ValueError):
    """Input that breaks a rule of the skill or a limit of the real API (nothing was sent).

    A `ValueError` (plain callers can catch that) and a `UserInputError` (the toolkit turns it into a ToolError
    saying "Nothing was sent or changed"). `message` says what is wrong, `next_step` what to do instead.
    """

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
# `#` is optional only for 6/8 digits: a bare "bad" or "face" is a word, not #bbaadd.
_HEX_RE = re.compile(r"^(?:#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})|([0-9a-f]{6}|[0-9a-f]{8}))$", re.IGNORECASE)


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

    Accepts rgba()/rgb() (comma or space syntax, % channels; channels 0..255, alpha 0..1), hex #rgb/#rgba/#rrggbb/
    #rrggbbaa (`#` optional for 6/8 digits), the 148 CSS named colours and `transparent`, and hsl()/hsla().
    The result is canonical: `rgba(255, 0, 0, 1)` (alpha up to 3 decimals). The note is None when the input was
    already that rgba value (spacing aside), else e.g. "main_color: '#ff0000' → 'rgba(255, 0, 0, 1)'".
    """
    raw = str(value).strip()
    text = raw.lower()
    try:
        if text == "transparent":
            out = _rgba(0, 0, 0, 0)
        elif text in CSS_COLOURS:
            out = _rgba(*CSS_COLOURS[text], 1)
        elif m := _HEX_RE.match(text):
            digits = m.group(1) or m.group(2)
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
            "Use rgba(255, 0, 0, 1) (channels 0-255, alpha 0-1), a hex colour such as #ff0000, or a CSS colour name "
            "such as 'red'.",
        ) from None
    unchanged = re.sub(r"\s+", "", text) == out.replace(" ", "")
    return out, (None if unchanged else f"{field}: {raw!r} → {out!r}")


_SIZE_RE = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*([a-z%]*)$", re.IGNORECASE)
MAX_PX = 10_000


def normalise_size(value: str | int | float, field: str = "size") -> tuple[str, str | None]:
    """`40`, `40.0`, "40", "40px", " 40 PX " -> "40px" (the API wants px strings); 4.5 -> "4.5px".

    Negative sizes, other units (em, rem, %, pt) and sizes of MAX_PX or more are refused. The note is None when
    the input was already the canonical string.
    """
    raw = str(value).strip()
    m = None if isinstance(value, bool) else _SIZE_RE.match(raw)
    if not m:
        raise RuleViolation(f"{field}: {raw!r} is not a pixel size.", "Give a number of pixels such as 40 or '40px'.")
    number, unit = float(m.group(1)), m.group(2).lower()
    if unit not in ("", "px"):
        raise RuleViolation(
            f"{field}: {raw!r} is in {unit!r}; the player accepts only pixels.",
            "Convert it to pixels (1em is usually 16px) and give it as e.g. '40px'.",
        )
    if number < 0:
        raise RuleViolation(f"{field}: {raw!r} is negative.", "Give a size of 0px or more, such as 40px.")
    if number >= MAX_PX:
        raise RuleViolation(f"{field}: {raw!r} is implausibly large.", f"Use a size below {MAX_PX}px.")
    out = f"{int(number)}px" if number == int(number) else f"{round(number, 3):g}px"
    return out, (None if raw == out else f"{field}: {raw!r} → {out!r}")


def normalise_player_theme(theme: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Normalise every colour and size field of a player theme; unknown fields are refused with the valid list."""
    unknown = sorted(str(k) for k in set(theme) - set(PLAYER_COLOUR_FIELDS) - set(PLAYER_SIZE_FIELDS))
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

_ROLLING_RE = re.compile(r"^(?:last|past|previous)\s+(\d+)\s*(hour|day|week|month|year)s?$")
_PAST_ONE_RE = re.compile(r"^past\s+(hour|day|week|month|year)$")  # "past week" = the rolling last 7 days
_PREVIOUS_RE = re.compile(r"^(?:last|previous)\s+(hour|day|week|month|year)$")  # "last week" = the calendar week
_UNIT_SECONDS = {"hour": 3600, "day": 86400, "week": 7 * 86400}
DATE_HINT = (
    "Use 2024-09-01, an ISO time such as 2024-09-01T12:00:00Z, 'now', 'today', 'yesterday', a range such as "
    "'last 7 days', 'last week' or 'this month', or a UNIX timestamp."
)
_MS_FROM = 1e11  # 1e11 seconds is the year 5138: a bigger number is milliseconds ...
_US_FROM = 1e14  # ... and above 1e14 (the year 5138 in ms) microseconds
_MAX_SECONDS = 253_402_300_799  # 9999-12-31T23:59:59Z


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


def _calendar_start(unit: str, now: datetime) -> datetime:
    """Start of the current hour/day/week (Monday)/month/year containing `now` (UTC)."""
    today = _start_of_day(now.date())
    if unit == "hour":
        return now.replace(minute=0, second=0, microsecond=0)
    if unit == "day":
        return today
    if unit == "week":
        return today - timedelta(days=today.weekday())
    if unit == "month":
        return today.replace(day=1)
    return today.replace(month=1, day=1)


def _previous_start(unit: str, current: datetime) -> datetime:
    if unit in _UNIT_SECONDS:
        return current - timedelta(seconds=_UNIT_SECONDS[unit])
    return _months_back(current, 1 if unit == "month" else 12)


def _phrase_range(text: str, now: datetime) -> tuple[int, int] | None:
    """A range phrase -> (from, to), both inclusive UNIX seconds; None if `text` is not a range phrase.

    - "today", "this hour|week|month|year": from the start of the current calendar period (weeks start on Monday,
      UTC) to now;
    - "yesterday", "last|previous hour|day|week|month|year": the whole previous calendar period;
    - "last|past|previous N hours|days|weeks|months|years" and "past hour|day|week|month|year": rolling, ending now
      (months and years step back by calendar months, clamped to the month's last day).
    """
    if text in ("today", "yesterday"):
        text = {"today": "this day", "yesterday": "last day"}[text]
    if m := re.fullmatch(r"this\s+(hour|day|week|month|year)", text):
        return _ts(_calendar_start(m.group(1), now)), _ts(now)
    if m := _PREVIOUS_RE.match(text):
        current = _calendar_start(m.group(1), now)
        return _ts(_previous_start(m.group(1), current)), _ts(current) - 1
    if m := _PAST_ONE_RE.match(text):
        count, unit = 1, m.group(1)
    elif m := _ROLLING_RE.match(text):
        count, unit = int(m.group(1)), m.group(2)
    else:
        return None
    if count <= 0:
        raise RuleViolation(f"{text!r} is an empty range.", "Use a count of 1 or more, e.g. 'last 7 days'.")
    if unit in _UNIT_SECONDS:
        return _ts(now) - count * _UNIT_SECONDS[unit], _ts(now)
    if count > 1000:
        raise RuleViolation(f"{text!r} reaches too far back.", "Use a date such as 2024-09-01 instead.")
    return _ts(_months_back(now, count if unit == "month" else 12 * count)), _ts(now)


def _from_number(number: float, shown: object) -> int:
    """UNIX seconds, milliseconds or microseconds (told apart by magnitude) -> seconds."""
    if not math.isfinite(number):
        raise RuleViolation(f"{shown!r} is not a date.", DATE_HINT)
    if number >= _US_FROM:
        number /= 1_000_000
    elif number >= _MS_FROM:
        number /= 1000
    if number < 0:
        raise RuleViolation(f"{shown!r} is before 1970.", "Give a date after 1970-01-01.")
    if number > _MAX_SECONDS:
        raise RuleViolation(f"{shown!r} is after the year 9999.", DATE_HINT)
    return int(number)


def _day_bounds(day: date, end_of_day: bool) -> int:
    start = _ts(_start_of_day(day))
    return start + 86399 if end_of_day else start


def to_unix(value: str | int | float, *, now: datetime | None = None, end_of_day: bool = False) -> int:
    """One point in time -> UNIX seconds (UTC). Deterministic given `now` (default: the current time).

    Accepts numbers or numeric strings (UNIX seconds; milliseconds and microseconds detected by magnitude),
    "2024-09-01", ISO datetimes with or without a zone (naive = UTC; "Z" accepted), "now", "today", "yesterday",
    "tomorrow". `end_of_day` makes a bare day mean its last second (for the end of a range). Range phrases such as
    "last 7 days" are not points: use `resolve_range`.
    """
    now = _as_utc(now or datetime.now(UTC))
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RuleViolation(f"{value!r} is not a date.", DATE_HINT)
    if isinstance(value, int | float):
        return _from_number(float(value), value)
    text = " ".join(value.strip().lower().split())
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return _from_number(float(text), value)
    if text == "now":
        return _ts(now)
    if text in ("today", "yesterday", "tomorrow"):
        return _day_bounds(now.date() + timedelta(days={"today": 0, "yesterday": -1, "tomorrow": 1}[text]), end_of_day)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return _day_bounds(date.fromisoformat(text), end_of_day)
        return _ts(datetime.fromisoformat(re.sub(r"z$", "+00:00", text).upper()))
    except ValueError:
        pass
    hint = " It is a range: pass it as `from` alone." if _phrase_range(text, now) is not None else ""
    raise RuleViolation(f"{value!r} is not a date I understand.{hint}", DATE_HINT)


def resolve_range(
    from_: str | int | float | None, to: str | int | float | None = None, *, now: datetime | None = None
) -> tuple[int, int]:
    """Human dates or a range phrase -> (from, to) UNIX seconds, deterministic given `now`.

    A range phrase ("last 7 days", "yesterday", "this month", see `_phrase_range`) in `from_` gives both ends when
    `to` is empty or "now". Otherwise each end goes through `to_unix`; a bare day as `to` means its last second and
    an empty `to` means now. `from` after `to` is refused.
    """
    now = _as_utc(now or datetime.now(UTC))
    empty_to = to is None or (isinstance(to, str) and to.strip().lower() in ("", "now"))
    if isinstance(from_, str) and empty_to:
        phrase = _phrase_range(" ".join(from_.strip().lower().split()), now)
        if phrase is not None:
            return phrase
    if from_ is None or (isinstance(from_, str) and not from_.strip()):
        raise RuleViolation("A start date is required.", "Give 'from' as a date, or a range such as 'last 7 days'.")
    start = to_unix(from_, now=now)
    end = _ts(now) if to is None or (isinstance(to, str) and not to.strip()) else to_unix(to, now=now, end_of_day=True)
    if start > end:
        raise RuleViolation(
            f"The start ({datetime.fromtimestamp(start, UTC):%Y-%m-%d %H:%M:%S} UTC) is after the end "
            f"({datetime.fromtimestamp(end, UTC):%Y-%m-%d %H:%M:%S} UTC).",
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


#: Friendlier spellings of filter values -> the documented value (research §5.8 writes "mac osx").
FILTER_ALIASES: dict[str, dict[str, str]] = {
    "os": {"macos": "mac osx", "mac os": "mac osx", "mac os x": "mac osx", "osx": "mac osx", "mac": "mac osx"},
    "device_types": {"desktop": "computer", "mobile": "phone", "smartphone": "phone"},
}
FREE_FILTERS: tuple[str, ...] = ("media_ids", "countries", "tags")
MetricKind = Literal["data", "bucket", "timeseries"]


def validate_metric_query(kind: MetricKind, metric: str, dimension: str) -> str:
    """Check metric/aggregation (`data`), metric/breakdown (`bucket`) or metric/interval (`timeseries`).

    The lists are research/aioz.md §5.8's (backend code), which win over the skill's. Returns the wire value of
    `dimension`: breakdowns are hyphenated (`device_type` -> `device-type`) and the skill's `operating-system`
    becomes the backend's `operator-system`.
    """
    metric = metric.strip().lower().replace("-", "_")
    dimension = dimension.strip().lower()
    if kind == "data":
        if metric not in DATA_AGGREGATIONS:
            raise RuleViolation(f"Unknown metric {metric!r} for data.", f"Use one of {', '.join(DATA_AGGREGATIONS)}.")
        allowed = DATA_AGGREGATIONS[metric]
        if dimension not in allowed:
            raise RuleViolation(
                f"Aggregation {dimension!r} is not available for {metric!r}.", f"Use one of {', '.join(allowed)}."
            )
        return dimension
    if kind not in ("bucket", "timeseries"):
        raise RuleViolation(f"Unknown analytics query kind {kind!r}.", "Use data, bucket or timeseries.")
    if metric not in BUCKET_METRICS:
        raise RuleViolation(f"Unknown metric {metric!r} for {kind}.", f"Use one of {', '.join(BUCKET_METRICS)}.")
    if kind == "bucket":
        dimension = " ".join(dimension.split()).replace("_", "-").replace(" ", "-")
        dimension = BREAKDOWN_ALIASES.get(dimension, dimension)
        if dimension not in BREAKDOWNS:
            raise RuleViolation(f"Unknown breakdown {dimension!r}.", f"Use one of {', '.join(BREAKDOWNS)}.")
        return dimension
    if dimension not in INTERVALS:
        raise RuleViolation(f"Unknown interval {dimension!r}.", f"Use one of {', '.join(INTERVALS)}.")
    return dimension


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple | set) else [value]


def validate_filters(filters: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check an analytics `filter_by` against the documented lists (research §5.8); return the wire object.

    Enumerated values are matched case-insensitively and returned in their documented spelling; `countries` must
    be ISO 3166-1 alpha-2 codes (upper-cased); `media_type` is one value. Empty values are dropped.
    """
    out: dict[str, Any] = {}
    for key, value in (filters or {}).items():
        if value is None or value == "" or (isinstance(value, list | tuple | set) and not value):
            continue
        items = [str(v).strip() for v in _as_list(value)]
        if key in FREE_FILTERS:
            if any(not v for v in items):
                raise RuleViolation(f"{key} contains an empty value.", f"Remove it or give a real {key[:-1]}.")
            if key == "countries":
                bad = [v for v in items if not re.fullmatch(r"[A-Za-z]{2}", v)]
                if bad:
                    raise RuleViolation(
                        f"countries: {bad[0]!r} is not a two-letter country code.", "Use ISO codes such as VN, US, FR."
                    )
                items = [v.upper() for v in items]
            out[key] = items
            continue
        if key not in FILTER_VALUES:
            raise RuleViolation(f"Unknown filter {key!r}.", f"Use {', '.join([*FREE_FILTERS, *FILTER_VALUES])}.")
        allowed = FILTER_VALUES[key]
        normalised = []
        for text in items:
            wanted = FILTER_ALIASES.get(key, {}).get(" ".join(text.lower().split()), text)
            match = next((a for a in allowed if a.lower() == wanted.lower()), None)
            if match is None:
                raise RuleViolation(f"{key}: {text!r} is not accepted.", f"Use one of {', '.join(allowed)}.")
            normalised.append(match)
        if key == "media_type":
            if len(set(normalised)) > 1:
                raise RuleViolation("media_type takes one value.", "Pick video, audio or live_stream.")
            out[key] = normalised[0]
        else:
            out[key] = list(dict.fromkeys(normalised))
    return out


# =========================================================================== qualities, codecs, languages

VIDEO_RESOLUTIONS: tuple[str, ...] = ("240p", "360p", "480p", "720p", "1080p", "1440p", "2160p", "4320p")
AUDIO_PRESETS: dict[str, int] = {"standard": 128_000, "good": 192_000, "highest": 320_000, "lossless": 1_411_000}
CODEC_MAX: dict[str, str] = {"h264": "2160p", "h265": "4320p"}
CONTAINERS: dict[str, tuple[str, ...]] = {"hls": ("mpegts", "fmp4"), "dash": ("mp4", "webm")}


QUALITY_KEYS: tuple[str, ...] = ("resolution", "type", "container_type", "video_config", "audio_config")
_RESOLUTION_ALIASES = {"4k": "2160p", "uhd": "2160p", "8k": "4320p", "2k": "1440p", "hd": "720p", "fullhd": "1080p"}


def _rank(resolution: str) -> int:
    return VIDEO_RESOLUTIONS.index(resolution)


def _positive_int(value: Any, where: str, *, zero_ok: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if zero_ok else 1):
        raise RuleViolation(
            f"{where} must be a {'non-negative' if zero_ok else 'positive'} integer, got {value!r}.",
            "E.g. bitrate 5000000 (bits per second), sample_rate 48000, index 0.",
        )
    return value


def _resolution(media_type: str, value: Any, where: str) -> str:
    text = str(value or "").strip().lower().replace(" ", "")
    if media_type == "audio":
        if text not in AUDIO_PRESETS:
            raise RuleViolation(
                f"{where}.resolution {value!r} is not an audio preset.",
                "Audio uses presets: "
                + ", ".join(f"{name} ({rate // 1000}k)" for name, rate in AUDIO_PRESETS.items())
                + ".",
            )
        return text
    text = _RESOLUTION_ALIASES.get(text, f"{text}p" if text.isdigit() else text)
    if text not in VIDEO_RESOLUTIONS:
        raise RuleViolation(
            f"{where}.resolution {value!r} is not supported.", f"Use one of {', '.join(VIDEO_RESOLUTIONS)}."
        )
    return text


def _video_config(config: Mapping[str, Any], resolution: str, where: str) -> dict[str, Any]:
    video = {k: v for k, v in dict(config).items() if v is not None}
    codec = str(video.get("codec", "h264")).strip().lower()
    codec = {"h.264": "h264", "avc": "h264", "h.265": "h265", "hevc": "h265"}.get(codec, codec)
    if codec not in CODEC_MAX:
        raise RuleViolation(f"{where}.video_config.codec {codec!r} is not supported.", "Use h264 or h265.")
    if _rank(resolution) > _rank(CODEC_MAX[codec]):  # h264 max 2160p (4K), h265 max 4320p (8K)
        raise RuleViolation(
            f"{where}: {codec} goes up to {CODEC_MAX[codec]}, not {resolution}.",
            "Use h265 for 4320p, or a lower resolution.",
        )
    video["codec"] = codec
    if "bitrate" in video:
        _positive_int(video["bitrate"], f"{where}.video_config.bitrate")
    if "index" in video:
        _positive_int(video["index"], f"{where}.video_config.index", zero_ok=True)
    return video


def _audio_config(config: Mapping[str, Any], where: str) -> dict[str, Any]:
    audio = {k: v for k, v in dict(config).items() if v is not None}
    codec = str(audio.get("codec", "aac")).strip().lower()
    if codec != "aac":
        raise RuleViolation(f"{where}.audio_config.codec {codec!r} is not supported.", "Use aac.")
    audio["codec"] = codec
    for key in ("bitrate", "sample_rate"):
        if key in audio:
            _positive_int(audio[key], f"{where}.audio_config.{key}")
    if "index" in audio:
        _positive_int(audio["index"], f"{where}.audio_config.index", zero_ok=True)
    if "channels" in audio:
        channels = str(audio["channels"]).strip()
        if not channels.isdigit() or not 1 <= int(channels) <= 8:
            raise RuleViolation(f"{where}.audio_config.channels {audio['channels']!r} is not 1..8.", "E.g. '2'.")
        audio["channels"] = channels  # a string on the wire (spec)
    if "language" in audio:
        audio["language"] = validate_language_tag(str(audio["language"]))
    return audio


def validate_qualities(
    media_type: Literal["video", "audio"], qualities: Sequence[Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Check every quality preset of a create body; return the wire list and the warnings for the user.

    Video: resolution 240p..4320p (bare "720" and 4k/8k accepted), codec h264 (max 2160p) | h265 (max 4320p).
    Audio: presets standard/good/highest/lossless (128k/192k/320k/1411k AAC), no video_config. Both: type hls|dash;
    container hls: mpegts|fmp4 (the docs' "mp4" for HLS means fmp4), dash: mp4|webm; audio codec aac; language a
    BCP-47 tag. h265 with mpegts is allowed but warns (templates.H265_MPEGTS_WARNING): Safari/iOS need fmp4.
    An empty list is refused: omit `qualities` to get the server's defaults.
    """
    from botflix_mcp.templates import H265_MPEGTS_WARNING

    if media_type not in ("video", "audio"):
        raise RuleViolation(f"Media type {media_type!r} is not supported.", "Use video or audio.")
    if not qualities:
        raise RuleViolation("qualities is empty.", "Omit qualities to let the server apply its default encoding.")
    out: list[dict[str, Any]] = []
    warnings: list[str] = []
    seen: set[tuple[str, str]] = set()
    for i, quality in enumerate(qualities):
        where = f"qualities[{i}]"
        q = {k: v for k, v in dict(quality).items() if v is not None}
        unknown = sorted(str(k) for k in set(q) - set(QUALITY_KEYS))
        if unknown:
            raise RuleViolation(
                f"{where} has unknown field(s) {', '.join(unknown)}.", f"Use {', '.join(QUALITY_KEYS)}."
            )
        resolution = _resolution(media_type, q.get("resolution"), where)
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
        if media_type == "audio" and "video_config" in q:
            raise RuleViolation(f"{where} has a video_config.", "Audio media take only audio_config.")
        if media_type == "video":
            q["video_config"] = _video_config(q.get("video_config") or {}, resolution, where)
            if q["video_config"]["codec"] == "h265" and container == "mpegts" and H265_MPEGTS_WARNING not in warnings:
                warnings.append(H265_MPEGTS_WARNING)
        if q.get("audio_config") is not None:
            q["audio_config"] = _audio_config(q["audio_config"], where)
        if (resolution, stream) in seen:
            raise RuleViolation(f"{where} repeats {resolution} {stream}.", "List each resolution/type once.")
        seen.add((resolution, stream))
        out.append(q)
    return out, warnings


# RFC 5646 `langtag` (grandfathered irregular tags aside), matched on the lower-cased tag. The language subtag is
# limited to 2-3 letters (ISO 639) so that words such as "english" (syntactically a 5-8 letter subtag, but never
# registered) are refused.
_BCP47_RE = re.compile(
    r"^(?P<language>[a-z]{2,3}(?:-[a-z]{3}){0,3})"  # language + up to three extlang subtags
    r"(?:-(?P<script>[a-z]{4}))?"
    r"(?:-(?P<region>[a-z]{2}|\d{3}))?"
    r"(?P<variants>(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*)"
    r"(?P<extensions>(?:-[a-wyz\d](?:-[a-z\d]{2,8})+)*)"
    r"(?P<private>-x(?:-[a-z\d]{1,8})+)?$"
)
_LANGUAGE_NAMES = {
    "english": "en", "vietnamese": "vi", "french": "fr", "german": "de", "spanish": "es", "chinese": "zh",
    "japanese": "ja", "korean": "ko", "portuguese": "pt", "italian": "it", "russian": "ru", "arabic": "ar",
    "hindi": "hi", "thai": "th", "indonesian": "id", "dutch": "nl", "turkish": "tr", "polish": "pl",
}  # fmt: skip


def _canonical_tag(m: re.Match[str]) -> str:
    """RFC 5646 §2.1.1 casing: language lower, Script title, REGION upper, the rest lower."""
    out = m.group("language")
    if m.group("script"):
        out += "-" + m.group("script").title()
    if m.group("region"):
        out += "-" + m.group("region").upper()
    return out + m.group("variants") + m.group("extensions") + (m.group("private") or "")


def validate_language_tag(tag: str) -> str:
    """A BCP-47 tag (en, vi, en-US, fr-CA, zh-Hant-TW, es-419, de-CH-1996), returned in canonical casing.

    Refused with a hint: `en_US` (-> "en-US"), language names such as `english` (-> "en"), anything else that is
    not an RFC 5646 tag.
    """
    raw = str(tag).strip()
    m = _BCP47_RE.match(raw.lower())
    if m:
        return _canonical_tag(m)
    fixed = _BCP47_RE.match(raw.lower().replace("_", "-"))
    if "_" in raw and fixed:
        raise RuleViolation(f"Language tag {raw!r} uses '_'.", f"BCP-47 uses '-': use {_canonical_tag(fixed)!r}.")
    name = _LANGUAGE_NAMES.get(raw.lower())
    hint = f"For {raw} use {name!r}." if name else "Use a code such as en, vi, en-US, fr-CA or zh-Hant-TW."
    raise RuleViolation(f"{raw!r} is not a BCP-47 language tag.", hint)


# =========================================================================== playlists


@dataclass(frozen=True)
class PlaylistItem:
    """A playlist item as the detail lists it: its own id, its linked-list neighbours and the media it holds."""

    id: str
    next_id: str | None = None
    previous_id: str | None = None
    media_id: str | None = None


def _walk(items: Sequence[PlaylistItem], pointer: Literal["next_id", "previous_id"]) -> list[PlaylistItem] | None:
    """Follow one kind of pointer from the only item nobody points to; None unless that reaches every item once."""
    by_id = {i.id: i for i in items}
    targeted = {getattr(i, pointer) for i in items}
    starts = [i for i in items if i.id not in targeted]
    if len(starts) != 1:
        return None
    chain: list[PlaylistItem] = []
    seen: set[str] = set()
    node: PlaylistItem | None = starts[0]
    while node is not None and node.id not in seen:
        chain.append(node)
        seen.add(node.id)
        node = by_id.get(getattr(node, pointer) or "")
    return chain if len(chain) == len(items) else None


def order_items(items: Sequence[PlaylistItem]) -> list[PlaylistItem]:
    """Order items by their linked-list pointers, whatever order they were listed in.

    Follows `next_id` from the head; if those pointers are missing or broken, follows `previous_id` back from the
    tail; if both fail (a cycle, two heads, duplicate ids), keeps the given order — the detail fetched without
    sort parameters lists items in their custom order (skill §11).
    """
    if len({i.id for i in items}) != len(items):
        return list(items)
    forward = _walk(items, "next_id")
    if forward is not None:
        return forward
    backward = _walk(items, "previous_id")
    return backward[::-1] if backward is not None else list(items)


def plan_reorder(
    items_in_order: Sequence[PlaylistItem],
    item_id: str,
    position: Literal["top", "bottom", "before", "after"],
    anchor_id: str | None = None,
) -> dict[str, str]:
    """The `PUT /playlists/{id}/items` body for a move, computed from the fetched order (skill §11).

    Positioning reference: top -> only `next_id` = the current first item; bottom -> only `previous_id` = the
    current last item; before/after `anchor_id` -> both neighbours at the new place. `item_id`/`anchor_id` may be
    item ids or media ids; the body always carries item ids. Refused: unknown ids, anchor == item, a missing
    anchor for before/after, a one-item playlist and a move that changes nothing (the item is already there).
    """
    if position not in ("top", "bottom", "before", "after"):
        raise RuleViolation(f"Unknown position {position!r}.", "Use top, bottom, before or after.")
    items = list(items_in_order)

    def find(ref: str, what: str) -> int:
        for i, it in enumerate(items):  # item ids first, then media ids
            if it.id == ref:
                return i
        for i, it in enumerate(items):
            if it.media_id is not None and it.media_id == ref:
                return i
        raise RuleViolation(
            f"The {what} {ref!r} is not in this playlist.", "Get the playlist detail to see its items and their ids."
        )

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
        where = f"at the {position}" if position in ("top", "bottom") else f"directly {position} {anchor_id!r}"
        raise RuleViolation(f"The item {item_id!r} is already {where}.", "Nothing needs to change.")
    body: dict[str, str] = {"current_id": current.id}
    if target < len(rest):
        body["next_id"] = rest[target].id
    if target > 0:
        body["previous_id"] = rest[target - 1].id
    return body


# =========================================================================== player logo

LOGO_MAX_BYTES = 100 * 1024  # the skill's "100KB"; research §5.7 says 100 KiB, so KB = 1024 bytes here
LOGO_MAX_WIDTH, LOGO_MAX_HEIGHT = 200, 100
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Start-of-frame markers carry the image size: SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


@dataclass(frozen=True)
class LogoInfo:
    """What the image header says: format, pixel size and the byte size of the whole file."""

    format: Literal["png", "jpeg"]
    width: int
    height: int
    size: int


def _png_size(data: bytes) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise RuleViolation("The PNG logo has no IHDR header (truncated or corrupt).", "Export it again as PNG.")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """Walk the JPEG segments to the first SOFn (height then width, big-endian)."""
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            i += 2
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if marker in _JPEG_SOF:
            if i + 9 > len(data):
                break
            return int.from_bytes(data[i + 7 : i + 9], "big"), int.from_bytes(data[i + 5 : i + 7], "big")
        if marker in (0xDA, 0xD9) or length < 2:  # image data or end before any frame header
            break
        i += 2 + length
    raise RuleViolation("The JPEG logo has no readable size header (truncated or corrupt).", "Export it again.")


def inspect_logo(data: bytes) -> LogoInfo:
    """Format and pixel size from the real image header (PNG IHDR or JPEG SOFn), never from the file name."""
    if data.startswith(_PNG_SIGNATURE):
        return LogoInfo("png", *_png_size(data), len(data))
    if data.startswith(b"\xff\xd8\xff"):
        return LogoInfo("jpeg", *_jpeg_size(data), len(data))
    raise RuleViolation(
        "The logo is not a JPEG or PNG image (checked from its content, not its name).",
        "Convert it to PNG or JPEG (at most 200x100 px and 100 KB).",
    )


def check_logo(data: bytes) -> LogoInfo:
    """Reject before upload unless JPEG/PNG, <= 100 KB (102,400 bytes) and <= 200x100 px; else the header info."""
    info = inspect_logo(data)
    problems = []
    if info.size > LOGO_MAX_BYTES:
        problems.append(f"it is {info.size / 1024:.1f} KB (max 100 KB)")
    if info.width > LOGO_MAX_WIDTH or info.height > LOGO_MAX_HEIGHT:
        problems.append(f"it is {info.width}x{info.height} px (max 200x100 px)")
    if info.width == 0 or info.height == 0:
        problems.append(f"its header says {info.width}x{info.height} px")
    if problems:
        raise RuleViolation(
            f"The logo cannot be used: {' and '.join(problems)}.",
            "Resize/compress it to at most 200x100 px and 100 KB, as PNG or JPEG.",
        )
    return info


# =========================================================================== API keys, webhooks, media fields

API_KEY_TYPES: tuple[str, ...] = ("full_access", "only_upload")
TTL_MAX = 2_147_483_647
_TTL_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800, "month": 2592000, "year": 31536000}


def validate_ttl(ttl: int | float | str) -> str:
    """An API key's lifetime in seconds, 1..2147483647, returned as the STRING the API expects (research §5.4).

    Accepts an integer (or a whole float), a numeric string, or "<n> <unit>" with unit second|minute|hour|day|week|
    month (30 days)|year (365 days), e.g. "30 days" -> "2592000".
    """
    text = str(ttl).strip().lower()
    if isinstance(ttl, float) and ttl.is_integer():
        text = str(int(ttl))
    match = re.fullmatch(r"(\d+)\s*(second|minute|hour|day|week|month|year)s?", text)
    if isinstance(ttl, bool) or not (match or re.fullmatch(r"[+-]?\d+", text)):
        raise RuleViolation(
            f"ttl {ttl!r} is not a number of seconds.", "E.g. 2592000 (or '30 days'); at most 2147483647."
        )
    seconds = int(match.group(1)) * _TTL_UNITS[match.group(2)] if match else int(text)
    if not 1 <= seconds <= TTL_MAX:
        raise RuleViolation(f"ttl must be from 1 to {TTL_MAX} seconds, got {seconds}.", "E.g. 2592000 for 30 days.")
    return str(seconds)


def validate_api_key_type(kind: str) -> str:
    """`full_access` or `only_upload` (case and spaces forgiven)."""
    normalised = str(kind).strip().lower().replace("-", "_").replace(" ", "_")
    if normalised not in API_KEY_TYPES:
        raise RuleViolation(f"Key type {kind!r} is not supported.", "Use full_access or only_upload.")
    return normalised


def validate_webhook_url(url: str) -> str:
    """An absolute http(s) URL with a host and no spaces (the same check serves the player logo link)."""
    text = str(url).strip()
    try:
        parsed = urlparse(text)
        ok = parsed.scheme.lower() in {"http", "https"} and bool(parsed.hostname) and parsed.port != 0
    except ValueError:  # a bad port or a broken [IPv6] host
        ok = False
    if not ok or any(c.isspace() for c in text):
        raise RuleViolation(f"{url!r} is not an absolute http(s) URL.", "Give e.g. https://example.com/hook.")
    return text


MAX_TAGS = 50
MAX_TAG_LEN = 255
MAX_METADATA = 50


def validate_tags(tags: Sequence[str]) -> list[str]:
    """Up to 50 tags of <= 255 chars, blanks dropped (research §5.1; the host lower-cases, de-duplicates, sorts)."""
    if isinstance(tags, str):
        tags = tags.split(",")
    cleaned = [str(t).strip() for t in tags if t is not None and str(t).strip()]
    if len(cleaned) > MAX_TAGS:
        raise RuleViolation(f"{len(cleaned)} tags given; at most {MAX_TAGS}.", "Drop some tags.")
    long = [t for t in cleaned if len(t) > MAX_TAG_LEN]
    if long:
        raise RuleViolation(f"Tag {long[0][:40]!r}... is longer than {MAX_TAG_LEN} characters.", "Shorten it.")
    return cleaned


def validate_metadata(metadata: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """`{"k": "v"}` or `[{"key": "k", "value": "v"}]` -> the wire list of at most 50 pairs with non-empty keys."""
    if isinstance(metadata, Mapping):
        pairs = [{"key": str(k).strip(), "value": str(v)} for k, v in metadata.items()]
    else:
        pairs = []
        for item in metadata:
            if not isinstance(item, Mapping) or "key" not in item:
                raise RuleViolation("Each metadata item needs a 'key'.", 'Use [{"key": "genre", "value": "rock"}].')
            pairs.append({"key": str(item["key"]).strip(), "value": str(item.get("value", ""))})
    if any(not p["key"] for p in pairs):
        raise RuleViolation("A metadata key is empty.", 'Give every pair a key, e.g. {"genre": "rock"}.')
    if len(pairs) > MAX_METADATA:
        raise RuleViolation(f"{len(pairs)} metadata pairs given; at most {MAX_METADATA}.", "Drop some pairs.")
    return pairs
