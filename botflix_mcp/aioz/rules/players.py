"""Player themes: colours and sizes normalised to what AIOZ accepts (rgba(...), "<n>px"); the logo checked
from its header."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from botflix_mcp.aioz.rules.common import RuleViolation
from botflix_mcp.files import sniff_image

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

_NUM = r"\s*(-?(?:\d+(?:\.\d+)?|\.\d+)%?)\s*"
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
    value = float(text[:-1]) * 255 / 100 if text.endswith("%") else float(text)
    if not 0 <= value <= 255:
        raise ValueError(text)
    return math.floor(value + 0.5)  # half up, as browsers do (50% -> 128)


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


CONTROL_KEYS: tuple[str, ...] = ("enable_api", "enable_controls", "force_autoplay", "hide_title", "force_loop")


def normalise_player_settings(
    theme: Mapping[str, Any] | None, controls: Mapping[str, Any] | None = None
) -> tuple[dict[str, str], list[str]]:
    """Check a theme's colours and sizes and its control names together, and report EVERY problem in one
    `RuleViolation` (nothing is sent until all are fixed). Returns (normalised theme, conversion notes).

    One problem keeps its own message; several are listed one per line with their distinct hints.
    """
    problems: list[RuleViolation] = []
    theme = theme or {}
    unknown = sorted(str(k) for k in set(theme) - set(PLAYER_COLOUR_FIELDS) - set(PLAYER_SIZE_FIELDS))
    if unknown:
        problems.append(
            RuleViolation(
                f"Unknown theme field(s): {', '.join(unknown)}.",
                f"Valid fields: {', '.join(PLAYER_COLOUR_FIELDS + PLAYER_SIZE_FIELDS)}.",
            )
        )
    out: dict[str, str] = {}
    notes: list[str] = []
    for key, value in theme.items():
        if value is None or key not in PLAYER_COLOUR_FIELDS + PLAYER_SIZE_FIELDS:
            continue
        try:
            normalised, note = (
                normalise_colour(str(value), key) if key in PLAYER_COLOUR_FIELDS else normalise_size(value, key)
            )
        except RuleViolation as exc:
            problems.append(exc)
            continue
        out[key] = normalised
        if note:
            notes.append(note)
    unknown_controls = sorted(str(k) for k in set(controls or {}) - set(CONTROL_KEYS))
    if unknown_controls:
        problems.append(
            RuleViolation(f"Unknown control(s) {', '.join(unknown_controls)}.", f"Use {', '.join(CONTROL_KEYS)}.")
        )
    if len(problems) == 1:
        raise problems[0]
    if problems:
        lines = "\n".join(f"- {p.message}" for p in problems)
        hints = list(dict.fromkeys(p.next_step for p in problems if p.next_step))
        message = (
            f"The player theme has {len(problems)} problems, all listed here:\n{lines}\nFix them all, then call again."
        )
        raise RuleViolation(message, " ".join(hints) or None)
    return out, notes


def normalise_player_theme(theme: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Normalise every colour and size field of a player theme; unknown fields are refused with the valid list
    (every problem at once, see `normalise_player_settings`)."""
    return normalise_player_settings(theme)


# =========================================================================== player logo

LOGO_MAX_BYTES = 100 * 1024  # the skill's "100KB"; docs/aioz-api.md §players says 100 KiB, so KB = 1024 bytes here
LOGO_MAX_WIDTH, LOGO_MAX_HEIGHT = 200, 100


@dataclass(frozen=True)
class LogoInfo:
    """What the image header says: format, pixel size and the byte size of the whole file."""

    format: Literal["png", "jpeg"]
    width: int
    height: int
    size: int


def inspect_logo(data: bytes) -> LogoInfo:
    """Format and pixel size from the real image header (the one sniffer: `botflix_mcp.files.sniff_image`)."""
    header = sniff_image(data)
    if header is None:
        raise RuleViolation(
            "The logo is not a JPEG or PNG image (checked from its content, not its name).",
            "Convert it to PNG or JPEG (at most 200x100 px and 100 KB).",
        )
    if header.width is None or header.height is None:
        which = "PNG logo has no IHDR header" if header.format == "png" else "JPEG logo has no readable size header"
        raise RuleViolation(f"The {which} (truncated or corrupt).", "Export it again.")
    return LogoInfo(header.format, header.width, header.height, len(data))


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
