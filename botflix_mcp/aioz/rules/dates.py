"""Dates and ranges to UNIX seconds (analytics, payments): the skill converts human dates silently."""

from __future__ import annotations

import calendar
import math
import re
from datetime import UTC, date, datetime, timedelta

from botflix_mcp.aioz.rules.common import RuleViolation

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
