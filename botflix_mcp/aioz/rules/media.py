"""Media: qualities, codecs and containers checked before any create (docs/aioz-api.md §media)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from botflix_mcp.aioz.rules.captions import validate_language_tag
from botflix_mcp.aioz.rules.common import RuleViolation

# =========================================================================== qualities, codecs, languages

VIDEO_RESOLUTIONS: tuple[str, ...] = ("240p", "360p", "480p", "720p", "1080p", "1440p", "2160p", "4320p")
AUDIO_PRESETS: dict[str, int] = {"standard": 128_000, "good": 192_000, "highest": 320_000, "lossless": 1_411_000}
CODEC_MAX: dict[str, str] = {"h264": "2160p", "h265": "4320p"}
CONTAINERS: dict[str, tuple[str, ...]] = {"hls": ("mpegts", "fmp4"), "dash": ("mp4", "webm")}


QUALITY_KEYS: tuple[str, ...] = ("resolution", "type", "container_type", "video_config", "audio_config")
# Unambiguous nicknames only ("2k" means 1080p or 1440p depending on who says it).
_RESOLUTION_ALIASES = {"4k": "2160p", "uhd": "2160p", "8k": "4320p", "hd": "720p", "fullhd": "1080p"}


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
        if container == "mp4" and stream == "hls":  # docs spell fmp4 as "mp4" for HLS (docs/aioz-api.md §media)
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


def confirm_h265_mpegts(warnings: Sequence[str], confirmed: bool) -> None:
    """H.265 in an mpegts container does not play on Safari/iOS: the caller chooses before anything is created.

    `validate_qualities` reports the combination as a warning; unless `confirmed`, this refuses with that warning
    and the two ways on (switch to fmp4, or confirm).
    """
    from botflix_mcp.templates import H265_MPEGTS_WARNING

    if H265_MPEGTS_WARNING in warnings and not confirmed:
        raise RuleViolation(
            f"⚠️ {H265_MPEGTS_WARNING}",
            'Use container_type "fmp4" (plays everywhere), or call again with allow_h265_mpegts=true to keep mpegts.',
        )
