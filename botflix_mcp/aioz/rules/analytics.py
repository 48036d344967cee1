"""Analytics: valid metric/aggregation/breakdown combinations and filter values (docs/aioz-api.md §analytics)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from botflix_mcp.aioz.rules.common import RuleViolation

# =========================================================================== analytics combinations

# docs/aioz-api.md §analytics (backend code) wins over the skill's lists.
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
#: The skill writes `operating-system`; the backend's path value is `operator-system` (docs/aioz-api.md §analytics).
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


#: Friendlier spellings of filter values -> the documented value (docs/aioz-api.md §analytics writes "mac osx").
FILTER_ALIASES: dict[str, dict[str, str]] = {
    "os": {"macos": "mac osx", "mac os": "mac osx", "mac os x": "mac osx", "osx": "mac osx", "mac": "mac osx"},
    "device_types": {"desktop": "computer", "mobile": "phone", "smartphone": "phone"},
}
FREE_FILTERS: tuple[str, ...] = ("media_ids", "countries", "tags")
#: How a breakdown reads to a person; the wire keeps its own spelling (`operator-system`).
BREAKDOWN_LABELS: dict[str, str] = {
    "media-id": "media",
    "media-type": "media type",
    "continent": "continent",
    "country": "country",
    "device-type": "device type",
    "operator-system": "operating system",
    "browser": "browser",
}
#: Country spellings people use -> the ISO 3166-1 alpha-2 code the API wants (alpha-3 codes and common names).
COUNTRY_CODES: dict[str, str] = {
    "usa": "US", "united states": "US", "united states of america": "US", "america": "US", "us of a": "US",
    "uk": "GB", "gbr": "GB", "united kingdom": "GB", "great britain": "GB", "britain": "GB", "england": "GB",
    "vnm": "VN", "vietnam": "VN", "viet nam": "VN", "fra": "FR", "france": "FR", "deu": "DE", "germany": "DE",
    "esp": "ES", "spain": "ES", "ita": "IT", "italy": "IT", "prt": "PT", "portugal": "PT", "nld": "NL",
    "netherlands": "NL", "holland": "NL", "bel": "BE", "belgium": "BE", "che": "CH", "switzerland": "CH",
    "aut": "AT", "austria": "AT", "swe": "SE", "sweden": "SE", "nor": "NO", "norway": "NO", "dnk": "DK",
    "denmark": "DK", "fin": "FI", "finland": "FI", "pol": "PL", "poland": "PL", "irl": "IE", "ireland": "IE",
    "rus": "RU", "russia": "RU", "ukr": "UA", "ukraine": "UA", "tur": "TR", "turkey": "TR", "grc": "GR",
    "greece": "GR", "chn": "CN", "china": "CN", "jpn": "JP", "japan": "JP", "kor": "KR", "south korea": "KR",
    "korea": "KR", "ind": "IN", "india": "IN", "idn": "ID", "indonesia": "ID", "tha": "TH", "thailand": "TH",
    "mys": "MY", "malaysia": "MY", "sgp": "SG", "singapore": "SG", "phl": "PH", "philippines": "PH",
    "khm": "KH", "cambodia": "KH", "lao": "LA", "laos": "LA", "twn": "TW", "taiwan": "TW", "hkg": "HK",
    "hong kong": "HK", "aus": "AU", "australia": "AU", "nzl": "NZ", "new zealand": "NZ", "can": "CA",
    "canada": "CA", "mex": "MX", "mexico": "MX", "bra": "BR", "brazil": "BR", "arg": "AR", "argentina": "AR",
    "chl": "CL", "chile": "CL", "col": "CO", "colombia": "CO", "per": "PE", "peru": "PE", "zaf": "ZA",
    "south africa": "ZA", "nga": "NG", "nigeria": "NG", "egy": "EG", "egypt": "EG", "ken": "KE", "kenya": "KE",
    "are": "AE", "uae": "AE", "united arab emirates": "AE", "sau": "SA", "saudi arabia": "SA", "isr": "IL",
    "israel": "IL", "pak": "PK", "pakistan": "PK", "bgd": "BD", "bangladesh": "BD",
}  # fmt: skip
MetricKind = Literal["data", "bucket", "timeseries"]


def validate_metric_query(kind: MetricKind, metric: str, dimension: str) -> str:
    """Check metric/aggregation (`data`), metric/breakdown (`bucket`) or metric/interval (`timeseries`).

    The lists are docs/aioz-api.md §analytics's (backend code), which win over the skill's. Returns the wire value of
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
            spoken = [b if b != "operator-system" else "operating-system" for b in BREAKDOWNS]  # both are accepted
            raise RuleViolation(f"Unknown breakdown {dimension!r}.", f"Use one of {', '.join(spoken)}.")
        return dimension
    if dimension not in INTERVALS:
        raise RuleViolation(f"Unknown interval {dimension!r}.", f"Use one of {', '.join(INTERVALS)}.")
    return dimension


def breakdown_label(breakdown: str) -> str:
    """The human name of a wire breakdown (`operator-system` -> "operating system")."""
    return BREAKDOWN_LABELS.get(breakdown, breakdown.replace("-", " "))


def _country_hint(bad: list[str]) -> str:
    """Suggest the ISO code for each value we recognise ('USA' -> 'US'), else say what a code looks like."""
    known = {v: COUNTRY_CODES.get(" ".join(v.lower().replace(".", "").split())) for v in bad}
    fixes = [f"{v!r} → {code!r}" for v, code in known.items() if code]
    if fixes and len(fixes) == len(bad):
        return f"Use the two-letter ISO 3166-1 code: {', '.join(fixes)}."
    return "Use two-letter ISO 3166-1 codes such as US, GB, VN, FR (USA is US, UK is GB)."


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple | set) else [value]


def validate_filters(filters: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check an analytics `filter_by` against the documented lists; return the wire object.

    The lists are docs/aioz-api.md §analytics.

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
                        f"countries: {bad[0][:60]!r} is not a two-letter country code.", _country_hint(bad)
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


_INTERVAL_SECONDS = {"hour": 3600, "day": 86400, "week": 7 * 86400}


def series_points(start: int, end: int, interval: str) -> int:
    """How many `interval` points a time series from `start` to `end` (inclusive UNIX seconds) can have.

    An upper bound (a partial bucket at either end counts), so that a page sized to it holds the whole range:
    November by day is 30 points, not the API's default page of 25.
    """
    if end < start:
        return 0
    if interval == "month":
        from datetime import UTC, datetime

        first, last = datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC)
        return (last.year - first.year) * 12 + last.month - first.month + 1
    step = _INTERVAL_SECONDS.get(interval, 86400)
    return (end - start) // step + 1 + (1 if (end - start + 1) % step else 0)
