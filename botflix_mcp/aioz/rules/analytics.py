"""Analytics: valid metric/aggregation/breakdown combinations and filter values (docs/aioz-api.md §analytics)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from botflix_mcp.aioz.rules.common import RuleViolation

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
