"""Dates and ranges to UNIX seconds (analytics, payments): the skill converts human dates silently.

Two layers. The precise, pinned part is ours: UNIX numbers (seconds, ms, µs), ISO dates and times, "now",
"today", "yesterday", and the range phrases ("last 7 days", "past 2 weeks", "this month", "last week", with
calendar or rolling meaning as `_phrase_range` says). Everything else a person writes ("1 Nov 2026", "Nov 1",
"last Monday", "3 days ago", "November 2026", "since 1 Nov") goes to dateparser, a maintained parser, imported
lazily on first use (it costs ~0.4 s to import and ~0.4 s to load its English data; start-up never pays it).

Every computation happens in one time zone, UTC unless the caller names an IANA zone (`tz`): day, week, month and
year boundaries are that zone's, and a time without a zone is read in it. `describe_range` says which zone was used.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Literal

from botflix_mcp.aioz.rules.common import RuleViolation

_UNITS = r"(hour|day|week|month|year)"
_ROLLING_RE = re.compile(rf"^(?:last|past|previous)\s+(\d+)\s*{_UNITS}s?$")
_PAST_ONE_RE = re.compile(rf"^past\s+{_UNITS}$")  # "past week" = the rolling last 7 days
_PREVIOUS_RE = re.compile(rf"^(?:last|previous)\s+{_UNITS}$")  # "last week" = the calendar week
_UNIT_SECONDS = {"hour": 3600, "day": 86400, "week": 7 * 86400}
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30,
}  # fmt: skip
_NUMBER_WORD_RE = re.compile(rf"^((?:last|past|previous)\s+)({'|'.join(_NUMBER_WORDS)})\s+(?={_UNITS})")
_LEAD_WORDS_RE = re.compile(r"^(?:(?:in|over|during|for|within|the)\s+)+")  # "over the past 2 weeks"
_SINCE_RE = re.compile(r"^(?:since|from|starting|starting from|after)\s+")
_UNTIL_RE = re.compile(r"^(?:until|till|til|to|through|up to|before)\s+")
_BETWEEN_RE = re.compile(r"^(?:between\s+)?(.+?)\s+(?:to|until|till|through|and|-|–)\s+(.+)$")
_ISO_LIKE_RE = re.compile(r"^[+-]?\d{4}-\d{1,2}(?:-\d{1,2})?(?:[t ].*)?$")  # never handed to dateparser
_AMBIGUOUS_RE = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{2}|\d{4})$")
_YEAR_RE = re.compile(r"^(19[7-9]\d|2\d{3})$")  # a bare "2025" is the year, not 2025 UNIX seconds
DATE_HINT = (
    "Use 2024-09-01, '1 Nov 2026', 'Nov 1', an ISO time such as 2024-09-01T12:00:00Z, 'now', 'today', "
    "'yesterday', 'last Monday', '3 days ago', a range such as 'last 7 days', 'past 2 weeks', 'last week', "
    "'this month' or 'November 2026', or a UNIX timestamp."
)
_MS_FROM = 1e11  # 1e11 seconds is the year 5138: a bigger number is milliseconds ...
_US_FROM = 1e14  # ... and above 1e14 (the year 5138 in ms) microseconds
_MAX_SECONDS = 253_402_300_799  # 9999-12-31T23:59:59Z
MAX_DATE_TEXT = 100

Period = Literal["point", "day", "month", "year"]


@dataclass(frozen=True)
class _Parsed:
    """A date as written: where it starts and its precision (a day, a month, a year, or an exact moment)."""

    start: datetime
    period: Period

    def end(self) -> datetime:
        """The last second of the period (the moment itself for a point)."""
        if self.period == "point":
            return self.start
        day = self.start
        if self.period == "day":
            nxt = _start_of_day(day.date() + timedelta(days=1), day.tzinfo)
        elif self.period == "month":
            nxt = _start_of_day((day.replace(day=28) + timedelta(days=4)).replace(day=1).date(), day.tzinfo)
        else:
            nxt = _start_of_day(date(day.year + 1, 1, 1), day.tzinfo)
        return datetime.fromtimestamp(_ts(nxt) - 1, day.tzinfo)


def zone_of(tz: str | tzinfo | None) -> tzinfo:
    """An IANA zone name ("Europe/Paris", "Asia/Ho_Chi_Minh"), "UTC" or None (UTC) -> a tzinfo."""
    if tz is None or isinstance(tz, tzinfo):
        return tz or UTC
    name = tz.strip()
    if name.upper() in ("", "UTC", "Z", "GMT", "ETC/UTC"):
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        if len(name) > 64 or ".." in name or name.startswith("/"):
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RuleViolation(
            f"{tz[:64]!r} is not a time zone I know.", "Use an IANA name such as Europe/Paris, or UTC."
        ) from None


def zone_name(zone: tzinfo) -> str:
    return "UTC" if zone is UTC else str(getattr(zone, "key", None) or zone)


def _in_zone(moment: datetime, zone: tzinfo) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(zone) if moment.tzinfo is None else moment.astimezone(zone)


def _ts(moment: datetime) -> int:
    return int(moment.timestamp()) if moment.tzinfo else int(moment.replace(tzinfo=UTC).timestamp())


def _start_of_day(day: date, zone: tzinfo | None) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone or UTC)


def _months_back(moment: datetime, months: int) -> datetime:
    month = moment.month - months
    year = moment.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _calendar_start(unit: str, now: datetime) -> datetime:
    """Start of the current hour/day/week (Monday)/month/year containing `now` (in `now`'s zone)."""
    today = _start_of_day(now.date(), now.tzinfo)
    if unit == "hour":
        return now.replace(minute=0, second=0, microsecond=0)
    if unit == "day":
        return today
    if unit == "week":
        return _start_of_day(today.date() - timedelta(days=today.weekday()), now.tzinfo)
    if unit == "month":
        return today.replace(day=1)
    return today.replace(month=1, day=1)


def _previous_start(unit: str, current: datetime) -> datetime:
    if unit == "hour":
        return datetime.fromtimestamp(_ts(current) - 3600, current.tzinfo)
    if unit in _UNIT_SECONDS:  # a calendar day or week: the same wall-clock time, days earlier (DST-safe)
        days = 1 if unit == "day" else 7
        return _start_of_day(current.date() - timedelta(days=days), current.tzinfo)
    return _months_back(current, 1 if unit == "month" else 12)


def _normalise(text: str) -> str:
    text = " ".join(text.strip().lower().split())
    text = _LEAD_WORDS_RE.sub("", text)
    return _NUMBER_WORD_RE.sub(lambda m: f"{m.group(1)}{_NUMBER_WORDS[m.group(2)]} ", text)


def _phrase_range(text: str, now: datetime) -> tuple[int, int] | None:
    """A range phrase -> (from, to), both inclusive UNIX seconds; None if `text` is not a range phrase.

    - "today", "this hour|week|month|year": from the start of the current calendar period (weeks start on Monday)
      to now;
    - "yesterday", "last|previous hour|day|week|month|year": the whole previous calendar period;
    - "last|past|previous N hours|days|weeks|months|years" (N also in words: "past two weeks") and
      "past hour|day|week|month|year": rolling, ending now (months and years step back by calendar months,
      clamped to the month's last day).
    """
    text = _normalise(text)
    if text in ("today", "yesterday"):
        text = {"today": "this day", "yesterday": "last day"}[text]
    if m := re.fullmatch(rf"this\s+{_UNITS}", text):
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
        if count * _UNIT_SECONDS[unit] > _ts(now):
            raise RuleViolation(f"{text!r} reaches back before 1970.", "Use a shorter range.")
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


def _dateparser(text: str, now: datetime) -> _Parsed | None:
    """dateparser's reading of `text` relative to `now` (English; past dates preferred), or None."""
    from dateparser.date import DateDataParser  # type: ignore[import-untyped]

    settings = {
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "TIMEZONE": zone_name(now.tzinfo or UTC),
        "TO_TIMEZONE": zone_name(now.tzinfo or UTC),
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
        "RETURN_TIME_AS_PERIOD": True,
    }
    try:
        parser = DateDataParser(languages=["en"], settings=settings)
        found = parser.get_date_data(text)
    except (ValueError, OverflowError, TypeError):
        return None
    moment = found.date_obj
    if moment is None:
        return None
    moment = _in_zone(moment, now.tzinfo or UTC)
    midnight = (moment.hour, moment.minute, moment.second) == (0, 0, 0)
    if found.period == "year":
        return _Parsed(_start_of_day(date(moment.year, 1, 1), moment.tzinfo), "year")
    if found.period == "month" and midnight:
        return _Parsed(_start_of_day(moment.date().replace(day=1), moment.tzinfo), "month")
    if found.period == "day" and midnight:
        return _Parsed(_start_of_day(moment.date(), moment.tzinfo), "day")
    return _Parsed(moment, "point")


def _parse_point(value: str | int | float, now: datetime) -> _Parsed:
    """One written date -> where it starts and its precision. Range phrases are refused (they are not points)."""
    zone = now.tzinfo or UTC
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RuleViolation(f"{value!r} is not a date.", DATE_HINT)
    if isinstance(value, int | float):
        return _Parsed(datetime.fromtimestamp(_from_number(float(value), value), zone), "point")
    text = " ".join(value.strip().lower().split())
    if len(text) > MAX_DATE_TEXT:
        raise RuleViolation(f"The date {value[:40]!r}… is too long to be a date.", DATE_HINT)
    if m := _YEAR_RE.fullmatch(text):
        return _Parsed(_start_of_day(date(int(m.group(1)), 1, 1), zone), "year")
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return _Parsed(datetime.fromtimestamp(_from_number(float(text), value), zone), "point")
    if text == "now":
        return _Parsed(now, "point")
    if text in ("today", "yesterday", "tomorrow"):
        day = now.date() + timedelta(days={"today": 0, "yesterday": -1, "tomorrow": 1}[text])
        return _Parsed(_start_of_day(day, zone), "day")
    if _ISO_LIKE_RE.match(text):  # ISO or nothing: "2024-13-01" is refused, never read as 13 January
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return _Parsed(_start_of_day(date.fromisoformat(text), zone), "day")
            moment = datetime.fromisoformat(re.sub(r"z$", "+00:00", text).upper())
            return _Parsed(moment if moment.tzinfo else moment.replace(tzinfo=zone), "point")
        except ValueError:
            raise RuleViolation(f"{value!r} is not a date I understand.", DATE_HINT) from None
    if (m := _AMBIGUOUS_RE.match(text)) and m.group(1) != m.group(2) and max(int(m.group(1)), int(m.group(2))) <= 12:
        raise RuleViolation(
            f"{value!r} could be read day-first or month-first.",
            "Write it as 2026-11-01 or '1 Nov 2026' so the day and month are clear.",
        )
    if _phrase_range(text, now) is not None:
        raise RuleViolation(
            f"{value!r} is not a date I understand. It is a range: pass it as `from` alone (no `to`).", DATE_HINT
        )
    parsed = _dateparser(text, now) if text and re.search(r"[a-z0-9]", text) else None
    if parsed is None:
        raise RuleViolation(f"{value!r} is not a date I understand.", DATE_HINT)
    if not 0 <= _ts(parsed.start) <= _MAX_SECONDS:
        raise RuleViolation(f"{value!r} is outside 1970..9999.", "Give a date after 1970-01-01.")
    return parsed


def to_unix(
    value: str | int | float,
    *,
    now: datetime | None = None,
    end_of_day: bool = False,
    tz: str | tzinfo | None = None,
) -> int:
    """One point in time -> UNIX seconds. Deterministic given `now` (default: the current time).

    Accepts numbers or numeric strings (UNIX seconds; milliseconds and microseconds detected by magnitude),
    "2024-09-01", ISO datetimes with or without a zone (naive = in `tz`, UTC by default; "Z" accepted), "now",
    "today", "yesterday", "tomorrow", and what dateparser reads ("1 Nov 2026", "last Monday", "3 days ago").
    A day, month or year means its first second, or with `end_of_day` its last second (for the end of a range).
    Range phrases such as "last 7 days" are not points: use `resolve_range`.
    """
    zone = zone_of(tz)
    parsed = _parse_point(value, _in_zone(now or datetime.now(UTC), zone))
    return _ts(parsed.end() if end_of_day else parsed.start)


def _strip(text: str, pattern: re.Pattern[str]) -> tuple[str, bool]:
    cleaned = " ".join(text.strip().lower().split())
    stripped = pattern.sub("", cleaned, count=1)
    return stripped, stripped != cleaned


def resolve_range(
    from_: str | int | float | None,
    to: str | int | float | None = None,
    *,
    now: datetime | None = None,
    tz: str | tzinfo | None = None,
) -> tuple[int, int]:
    """Human dates or a range phrase -> (from, to) UNIX seconds, deterministic given `now`.

    A range phrase ("last 7 days", "yesterday", "this month", see `_phrase_range`) or a whole month or year
    ("November 2026", "2025") in `from_` gives both ends when `to` is empty or "now" (a period that has not ended
    yet ends now). "since X" / "from X" means from X to now; "X to Y" / "between X and Y" in `from_` alone gives
    both ends. Otherwise each end goes through `to_unix`: a day, month or year as `to` means its last second
    ("until X" accepted), an empty `to` means now. `from` after `to` is refused. Days, weeks, months and years are
    those of `tz` (UTC by default).
    """
    zone = zone_of(tz)
    now = _in_zone(now or datetime.now(UTC), zone)
    if isinstance(to, str):
        to, _ = _strip(to, _UNTIL_RE)
    empty_to = to is None or (isinstance(to, str) and to in ("", "now"))
    since = False
    if isinstance(from_, str):
        from_, since = _strip(from_, _SINCE_RE)
        if empty_to and not since:
            phrase = _phrase_range(from_, now)
            if phrase is not None:
                return phrase
        if empty_to and (both := _BETWEEN_RE.match(from_)):  # "1 Nov to 15 Nov", "between 1 Nov and 15 Nov"
            try:
                return resolve_range(both.group(1), both.group(2), now=now, tz=zone)
            except RuleViolation:
                pass  # not two dates after all: read the whole text as one below
    if from_ is None or (isinstance(from_, str) and not from_.strip()):
        raise RuleViolation("A start date is required.", "Give 'from' as a date, or a range such as 'last 7 days'.")
    if since and isinstance(from_, str) and (phrase := _phrase_range(from_, now)) is not None:
        start = phrase[0]  # "since last week": from the start of last week
    else:
        first = _parse_point(from_, now)
        start = _ts(first.start)
        if empty_to and not since and first.period in ("month", "year"):  # "November 2026": the whole month
            return start, min(_ts(first.end()), max(_ts(now), start))
    end = _ts(now) if empty_to else _ts(_parse_point(to, now).end())  # type: ignore[arg-type]
    if start > end:
        raise RuleViolation(
            f"The start ({_show(start, zone)}) is after the end ({_show(end, zone)}).",
            "Swap them or pick another range.",
        )
    return start, end


def _show(ts: int, zone: tzinfo, seconds: bool = True) -> str:
    moment = datetime.fromtimestamp(ts, zone)
    return f"{moment:%Y-%m-%d %H:%M:%S}" if seconds else f"{moment:%Y-%m-%d %H:%M}"


def describe_range(start: int, end: int, tz: str | tzinfo | None = None) -> str:
    """The resolved range as a person reads it, with the zone used: '2026-11-01 00:00 → 2026-11-30 23:59 (UTC)'."""
    zone = zone_of(tz)
    return f"{_show(start, zone, False)} → {_show(end, zone, False)} ({zone_name(zone)})"


def range_info(start: int, end: int, tz: str | tzinfo | None = None) -> dict[str, Any]:
    """The resolved range for structured results: UNIX seconds, ISO times in the zone used, and the zone."""
    zone = zone_of(tz)
    return {
        "from": start,
        "to": end,
        "from_iso": datetime.fromtimestamp(start, zone).isoformat(),
        "to_iso": datetime.fromtimestamp(end, zone).isoformat(),
        "timezone": zone_name(zone),
    }
