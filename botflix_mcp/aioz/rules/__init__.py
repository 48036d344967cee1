"""The AIOZ skill's rules as plain functions: validate and normalise before anything is sent.

One module per resource, mirroring `aioz/tools/`. Each function raises `RuleViolation` (what is wrong + what to
do, written for the model) or returns normalised values plus notes for the user. No network, no MCP. Where the
verified API facts correct the skill (docs/aioz-api.md §skill-vs-facts), the fact wins and a comment says so.

`from botflix_mcp.aioz import rules; rules.validate_tags(...)` keeps working: every rule is re-exported here.
"""

from __future__ import annotations

from botflix_mcp.aioz.rules.analytics import (
    BREAKDOWN_ALIASES,
    BREAKDOWNS,
    BUCKET_METRICS,
    DATA_AGGREGATIONS,
    FILTER_ALIASES,
    FILTER_VALUES,
    FREE_FILTERS,
    INTERVALS,
    MetricKind,
    validate_filters,
    validate_metric_query,
)
from botflix_mcp.aioz.rules.api_keys import (
    API_KEY_TYPES,
    TTL_MAX,
    validate_api_key_type,
    validate_ttl,
)
from botflix_mcp.aioz.rules.captions import (
    validate_language_tag,
)
from botflix_mcp.aioz.rules.common import (
    MAX_METADATA,
    MAX_TAG_LEN,
    MAX_TAGS,
    RuleViolation,
    validate_metadata,
    validate_tags,
)
from botflix_mcp.aioz.rules.dates import (
    DATE_HINT,
    resolve_range,
    to_unix,
)
from botflix_mcp.aioz.rules.media import (
    AUDIO_PRESETS,
    CODEC_MAX,
    CONTAINERS,
    QUALITY_KEYS,
    VIDEO_RESOLUTIONS,
    validate_qualities,
)
from botflix_mcp.aioz.rules.players import (
    CSS_COLOURS,
    LOGO_MAX_BYTES,
    LOGO_MAX_HEIGHT,
    LOGO_MAX_WIDTH,
    MAX_PX,
    PLAYER_COLOUR_FIELDS,
    PLAYER_SIZE_FIELDS,
    LogoInfo,
    check_logo,
    inspect_logo,
    normalise_colour,
    normalise_player_theme,
    normalise_size,
)
from botflix_mcp.aioz.rules.playlists import (
    PlaylistItem,
    order_items,
    plan_reorder,
)
from botflix_mcp.aioz.rules.webhooks import (
    validate_webhook_url,
)

__all__ = [
    "API_KEY_TYPES",
    "AUDIO_PRESETS",
    "BREAKDOWNS",
    "BREAKDOWN_ALIASES",
    "BUCKET_METRICS",
    "CODEC_MAX",
    "CONTAINERS",
    "CSS_COLOURS",
    "DATA_AGGREGATIONS",
    "DATE_HINT",
    "FILTER_ALIASES",
    "FILTER_VALUES",
    "FREE_FILTERS",
    "INTERVALS",
    "LOGO_MAX_BYTES",
    "LOGO_MAX_HEIGHT",
    "LOGO_MAX_WIDTH",
    "MAX_METADATA",
    "MAX_PX",
    "MAX_TAGS",
    "MAX_TAG_LEN",
    "PLAYER_COLOUR_FIELDS",
    "PLAYER_SIZE_FIELDS",
    "QUALITY_KEYS",
    "TTL_MAX",
    "VIDEO_RESOLUTIONS",
    "LogoInfo",
    "MetricKind",
    "PlaylistItem",
    "RuleViolation",
    "check_logo",
    "inspect_logo",
    "normalise_colour",
    "normalise_player_theme",
    "normalise_size",
    "order_items",
    "plan_reorder",
    "resolve_range",
    "to_unix",
    "validate_api_key_type",
    "validate_filters",
    "validate_language_tag",
    "validate_metadata",
    "validate_metric_query",
    "validate_qualities",
    "validate_tags",
    "validate_ttl",
    "validate_webhook_url",
]
