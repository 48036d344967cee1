"""API keys (toolset "account"): list, create, rename, delete.

Wire facts (docs/aioz-api.md §api-keys; they win over the skill): `ttl` is a STRING of seconds on the wire
(max 2147483647); `type` is `full_access` | `only_upload`; create answers 201 with the one-time `secret`.

Skill rule 7: the new key's `secret` is shown IN FULL, with the explicit warning that it cannot be retrieved
again. This is the single allowed exception to secret redaction: the minted secret is never passed to
`logs.register_secret` before rendering (that would mask it in the result) and never logged.
"""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from botflix_mcp.aioz import rules
from botflix_mcp.aioz.api import api_keys as keys_api
from botflix_mcp.aioz.api.api_keys import LIST_FIELDS, ApiKey
from botflix_mcp.aioz.api.base import total_of
from botflix_mcp.aioz.session import AiozSession, aioz_session
from botflix_mcp.app import App
from botflix_mcp.errors import UserInputError
from botflix_mcp.params import ResourceId
from botflix_mcp.results import ToolOutput, page_of, to_result
from botflix_mcp.templates import API_KEY_SECRET_WARNING
from botflix_mcp.toolkit import Toolkit

Id = ResourceId
KeyName = Annotated[str, Field(min_length=1, max_length=255)]
LIST_STEP = "List the keys with aioz_api_keys to find its id."
NO_SECRET_WARNING = (
    "AIOZ created the key but its answer carried no secret, and a secret cannot be retrieved later: delete this key "
    "with aioz_api_key_delete and create another."
)

__all__ = ["LIST_FIELDS", "register", "render_key", "render_new_key"]


def render_key(key: ApiKey) -> str:
    return (
        f"- **{key.name or '(unnamed)'}** ({key.type or '?'}) `{key.id or '?'}` · "
        f"secret `{key.truncated_secret or '***'}` · expires {key.expired_at or 'never'}"
    )


def render_new_key(key: ApiKey) -> str:
    """The one-time display of a new key: public key and secret in full, then the warning."""
    return (
        f"## 🔑 API key created: {key.name}\n"
        f"| Field | Value |\n|---|---|\n"
        f"| **ID** | `{key.id}` |\n"
        f"| **Type** | {key.type or '-'} |\n"
        f"| **Public key** | `{key.public_key or '-'}` |\n"
        f"| **Secret** | `{key.secret or '-'}` |\n"
        f"| **Expires** | {key.expired_at or '-'} |\n\n"
        f"> ⚠️ {API_KEY_SECRET_WARNING}"
    )


async def is_own_key(api: AiozSession, key_id: str) -> bool:
    """Whether `key_id` is the key pair this session authenticates with (matched by its public key)."""
    own = await keys_api.find_by_public_key(api, api.creds.public_key.get_secret_value())
    return own is not None and own.id == key_id


def register(kit: Toolkit, app: App) -> None:
    @kit.tool(name="aioz_api_keys", title="AIOZ API keys", toolset="account", read_only=True)
    async def aioz_api_keys(
        ctx: Context,
        search: Annotated[str | None, Field(max_length=255, description="name contains")] = None,
        offset: Annotated[int, Field(ge=0)] = 0,
        limit: Annotated[int, Field(ge=1, le=100)] = 25,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """List API keys (name, type, expiry; secrets are never listed)."""
        api = await aioz_session(ctx, app)
        page = await keys_api.list_keys(api, search=search, offset=offset, limit=limit)
        keys = page.api_keys
        total = total_of(page.total, len(keys), offset)
        return to_result(
            ToolOutput(
                summary=f"**API keys** ({total})\n" + ("\n".join(render_key(k) for k in keys) or "(none)"),
                data=[k.listed() for k in keys],
                page=page_of(total, offset, limit, len(keys)),
            )
        )

    @kit.tool(
        name="aioz_api_key_write",
        title="Create/rename AIOZ API key",
        toolset="account",
        read_only=False,
        destructive=True,  # rename overwrites the name
        idempotent=False,
    )
    async def aioz_api_key_write(
        ctx: Context,
        action: Literal["create", "rename"],
        name: KeyName,
        key_id: Id | None = None,
        type: Literal["full_access", "only_upload"] = "full_access",
        ttl: Annotated[str, Field(max_length=40, description="seconds or '30 days' (max 2147483647 s)")] = "30 days",
    ) -> Annotated[CallToolResult, ToolOutput]:
        """create (the secret is shown once, in full: the user must save it now) or rename (key_id)."""
        if action == "rename":
            if not key_id:
                raise UserInputError("key_id is required to rename a key.", LIST_STEP)
            api = await aioz_session(ctx, app)
            message = await keys_api.rename_key(api, key_id, name)
            return to_result(
                ToolOutput(
                    summary=f"✅ API key `{key_id}` renamed to **{name}**.",
                    data={"id": key_id, "name": name, "message": message},
                )
            )
        ttl_wire = rules.validate_ttl(ttl)  # a STRING of seconds on the wire (docs/aioz-api.md §api-keys)
        api = await aioz_session(ctx, app)
        key = await keys_api.create_key(api, name=name, ttl=ttl_wire, key_type=type)
        # Deliberately NOT logs.register_secret(key.secret): the user must see it this once (skill rule 7).
        return to_result(
            ToolOutput(
                summary=render_new_key(key),
                data={**key.listed(), "secret": key.secret or None},
                warnings=[] if key.secret else [NO_SECRET_WARNING],
            )
        )

    @kit.tool(
        name="aioz_api_key_delete",
        title="Delete AIOZ API key",
        toolset="account",
        read_only=False,
        destructive=True,
        idempotent=True,
    )
    async def aioz_api_key_delete(ctx: Context, key_id: Id) -> Annotated[CallToolResult, ToolOutput]:
        """Delete (revoke) an API key. Refuses the key this server itself is using."""
        api = await aioz_session(ctx, app)
        if await is_own_key(api, key_id):
            raise UserInputError(
                "this is the API key botflix-mcp is using right now; deleting it would lock this session out. "
                "Nothing was changed (the key list was only read to check this).",
                "Store another key pair first (aioz_credentials, or the server's AIOZ settings), then delete it.",
            )
        await keys_api.delete_key(api, key_id)
        return to_result(ToolOutput(summary=f"🗑️ API key `{key_id}` deleted.", data={"deleted": key_id}))
