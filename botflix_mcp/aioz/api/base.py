"""Building blocks of the typed AIOZ API layer: tolerant models and answer parsing.

Real AIOZ hosts are a Go backend (docs/aioz-api.md §envelope): an empty list can arrive as `null` (a nil slice),
a detail object as `null`, numbers as strings (`balance: "12.34"`), optional fields missing, and unknown fields
added over time. The models here accept all of that and never guess a value that is not there:

- `Items[T]`: a list; `null` is `[]`; entries that are not objects (`null`, a stray string) are dropped.
- `Strs`: a list of strings; `null` is `[]`; non-string entries are written as text.
- `Num` / `Count`: a number, also from a string; `null`, `""` or garbage is `None` (Num) or 0 (Count).
- `Text`: a string; `null` is `""`; a number is written as text.
- `Flag`: a bool, also from "true"/"false"/1/0; `null` is `None`.
- Objects (`Model` subclasses) given as `null` are an empty object.

An answer that is not even the right kind of thing (a list where an object belongs, a media without an `id`
after a create) raises `UnexpectedAnswerError`: a readable error that names the call, not a bug report.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from botflix_mcp.errors import UnexpectedAnswerError

PLATFORM = "AIOZ Stream"
T = TypeVar("T")
M = TypeVar("M", bound="Model")


def _items(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, dict):  # a single object where a list belongs
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict | BaseModel)]
    return value


def _strs(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):  # "a,b" from hosts that join lists
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [v if isinstance(v, str) else str(v) for v in value if v is not None]
    return value


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _count(value: Any) -> int:
    number = _num(value)
    return int(number) if number is not None else 0


def _opt_count(value: Any) -> int | None:
    number = _num(value)
    return int(number) if number is not None else None


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _flag(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "1", "yes"}:
            return True
        if lowered in {"false", "0", "no", ""}:
            return False
        return None
    if isinstance(value, int | float):
        return bool(value)
    return value


Items = Annotated[list[T], BeforeValidator(_items)]
Strs = Annotated[list[str], BeforeValidator(_strs)]
Num = Annotated[float | None, BeforeValidator(_num)]
Count = Annotated[int, BeforeValidator(_count)]
OptCount = Annotated[int | None, BeforeValidator(_opt_count)]
Text = Annotated[str, BeforeValidator(_text)]
Flag = Annotated[bool | None, BeforeValidator(_flag)]


class Model(BaseModel):
    """A tolerant AIOZ object: unknown fields are kept (and returned to the agent), `null` means empty."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        schema = handler(source)
        # A nested object sent as `null` is an empty object (Go's nil struct pointer).
        return core_schema.no_info_before_validator_function(lambda v: {} if v is None else v, schema)

    def dump(self) -> dict[str, Any]:
        """JSON-ready dict of the object, unknown fields included (for structured results)."""
        return self.model_dump(mode="json")


class KeyValue(Model):
    key: Text = ""
    value: Text = ""


def parse(model: type[M], data: Any, *, method: str, path: str, key: str | None = None) -> M:
    """`data` of an envelope -> `model`. `key` unwraps `{"<key>": {...}}` when the host wraps the object."""
    if key is not None and isinstance(data, dict) and isinstance(data.get(key), dict | type(None)) and key in data:
        data = data[key]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UnexpectedAnswerError(
            f"expected an object, got {type(data).__name__}", platform=PLATFORM, method=method, path=path
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "answer"
        raise UnexpectedAnswerError(
            f"field `{where}`: {first['msg']}", platform=PLATFORM, method=method, path=path
        ) from None


def require(value: str, what: str, *, method: str, path: str) -> str:
    """A field the next step depends on (a created object's id): missing is the host's fault, said plainly."""
    if not value:
        raise UnexpectedAnswerError(f"the answer has no {what}", platform=PLATFORM, method=method, path=path)
    return value


def total_of(total: int | None, returned: int, offset: int = 0) -> int:
    """The list's `total`, or what was seen when the host left it out (`null` or missing)."""
    if total is None or total < offset + returned:
        return offset + returned
    return total
