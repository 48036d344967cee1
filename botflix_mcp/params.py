"""Argument types shared by the tools of both platforms: every string bounded, ids safe to put in a URL path.

A tool declares `media_id: ResourceId`, `path: LocalPath` ...: the same limits and the same wording in every
inputSchema, and the argument-error text (toolkit.py) reads them back in words.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

#: An AIOZ or BotFlix object id: letters, digits, '_' and '-' only (it goes into a URL path: no '/', '.', '?').
ResourceId = Annotated[str, Field(pattern=r"^[\w-]{1,100}$", max_length=100)]
#: A local file path (each component is also checked against the OS limit where it is resolved: paths.py).
MAX_PATH = 4096
LocalPath = Annotated[str, Field(min_length=1, max_length=MAX_PATH)]
#: A JSON document given inline as text (or as an object), or the path of a local .json file.
MAX_JSON_TEXT = 2_000_000
JsonText = Annotated[str, Field(max_length=MAX_JSON_TEXT)]
JsonDocument = Annotated[
    dict[str, Any] | JsonText, Field(description="JSON object, or a local .json path (or JSON text)")
]
