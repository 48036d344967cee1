"""API keys: list, create, rename, delete (docs/aioz-api.md §api-keys).

Wire facts this follows: `POST /api_keys` takes `{"api_key_name", "ttl", "type"}` with `ttl` a STRING of seconds
(at most 2147483647) and `type` `full_access` | `only_upload`, and answers 201 with `{"api_key": {...}}` carrying
the one-time `secret`; `GET /api_keys?search&sort_by&order_by&offset&limit` answers `{"api_keys": [...], "total"}`
(only `truncated_secret`; a new account may send `"api_keys": null`); `PATCH /api_keys/{id}` takes
`{"api_key_name"}`; PATCH and DELETE answer a message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botflix_mcp.aioz.api.base import Items, Model, OptCount, Text, parse, require
from botflix_mcp.aioz.api.webhooks import not_found_step

if TYPE_CHECKING:
    from botflix_mcp.aioz.session import AiozSession

NOT_FOUND_STEP = "Check the key id, or list the API keys with aioz_api_keys."
#: Fields of a key that are safe to show in lists (never `secret`; hosts list only `truncated_secret` anyway).
LIST_FIELDS = ("id", "name", "type", "public_key", "truncated_secret", "ttl", "expired_at", "created_at", "status")
MAX_PAGES = 20  # own-key lookup: at most 2,000 keys are scanned


class ApiKey(Model):
    id: Text = ""
    name: Text = ""
    type: Text = ""
    public_key: Text = ""
    secret: Text = ""
    truncated_secret: Text = ""
    ttl: Text = ""
    status: Text = ""
    expired_at: Text = ""
    created_at: Text = ""
    updated_at: Text = ""

    def listed(self) -> dict[str, Any]:
        """The fields safe to show in a list (no secret, no nested user)."""
        return {name: getattr(self, name) for name in LIST_FIELDS}


class ApiKeyList(Model):
    api_keys: Items[ApiKey] = []
    total: OptCount = None


async def list_keys(
    api: AiozSession,
    *,
    search: str | None = None,
    offset: int = 0,
    limit: int = 25,
    sort_by: str = "created_at",
    order_by: str = "desc",
) -> ApiKeyList:
    params: dict[str, Any] = {"search": search or None, "sort_by": sort_by, "order_by": order_by}
    params.update(offset=offset, limit=limit)
    response = await api.request("GET", "/api_keys", params=params)
    return parse(ApiKeyList, response.data, method="GET", path="/api_keys")


async def find_by_public_key(api: AiozSession, public_key: str) -> ApiKey | None:
    """The key whose public key is `public_key`, scanning the pages of the list (None if not listed)."""
    offset = 0
    for _ in range(MAX_PAGES):
        page = await list_keys(api, offset=offset, limit=100)
        for key in page.api_keys:
            if key.public_key == public_key:
                return key
        offset += len(page.api_keys)
        if not page.api_keys or (page.total is not None and offset >= page.total):
            return None
    return None


async def create_key(api: AiozSession, *, name: str, ttl: str, key_type: str) -> ApiKey:
    """`POST /api_keys` (201); `ttl` is already the wire string of seconds (rules.validate_ttl)."""
    body = {"api_key_name": name, "ttl": ttl, "type": key_type}
    response = await api.request("POST", "/api_keys", json=body)
    key = parse(ApiKey, response.data, method="POST", path="/api_keys", key="api_key")
    require(key.id, "key id", method="POST", path="/api_keys")
    return key


async def rename_key(api: AiozSession, key_id: str, name: str) -> str:
    path = f"/api_keys/{key_id}"
    with not_found_step(NOT_FOUND_STEP):
        response = await api.request("PATCH", path, json={"api_key_name": name})
    return response.message or "renamed"


async def delete_key(api: AiozSession, key_id: str) -> str:
    path = f"/api_keys/{key_id}"
    with not_found_step(NOT_FOUND_STEP):
        response = await api.request("DELETE", path)
    return response.message or "deleted"
