"""API keys (toolset "account"): list, create, rename, delete.

Facts from research/aioz.md §5.4 and §9.11 (they win over the skill): `ttl` is a STRING of seconds on the wire
(max 2147483647); `type` is `full_access` | `only_upload`; create answers 201 with the one-time `secret`.

Skill rule 7: the new key's `secret` is shown IN FULL, with the explicit warning that it cannot be retrieved
again. This is the single allowed exception to secret redaction: the minted secret is never passed to
`logs.register_secret` before rendering (that would mask it in the result) and never logged.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from botflix_mcp.aioz import rules
from botflix_mcp.aioz.session import AiozSession, aioz_session
from botflix_mcp.app import App
from botflix_mcp.errors import UserInputError
from botflix_mcp.results import ToolOutput, page_of, to_result
from botflix_mcp.templates import API_KEY_SECRET_WARNING
from botflix_mcp.toolkit import Toolkit

Id = Annotated[str, Field(pattern=r"^[\w-]{1,100}$")]  # ids go into URL paths: no '/', '.', '?'...
KeyName = Annotated[str, Field(min_length=1, max_length=255)]
#: Fields of an ApiKey object safe to echo in lists (no `secret`; AIOZ lists only `truncated_secret` anyway).
LIST_FIELDS = ("id", "name", "type", "public_key", "truncated_secret", "ttl", "expired_at", "created_at", "status")


def render_key(key: dict[str, Any]) -> str:
    return (
        f"- **{key.get('name', '(unnamed)')}** ({key.get('type', '?')}) `{key.get('id')}` · "
        f"secret `{key.get('truncated_secret', '***')}` · expires {key.get('expired_at') or 'never'}"
    )


def render_new_key(key: dict[str, Any]) -> str:
    """The one-time display of a new key: public key and secret in full, then the warning."""
    return (
        f"## 🔑 API key created: {key.get('name', '')}\n"
        f"| Field | Value |\n|---|---|\n"
        f"| **ID** | `{key.get('id')}` |\n"
        f"| **Type** | {key.get('type')} |\n"
        f"| **Public key** | `{key.get('public_key')}` |\n"
        f"| **Secret** | `{key.get('secret')}` |\n"
        f"| **Expires** | {key.get('expired_at') or '-'} |\n\n"
        f"> ⚠️ {API_KEY_SECRET_WARNING}"
    )


async def is_own_key(api: AiozSession, key_id: str) -> bool:
    """Whether `key_id` is the key pair this session authenticates with (matched by its public key)."""
    data = (await api.get("/api_keys", params={"limit": 100, "offset": 0})).data or {}
    own = api.creds.public_key.get_secret_value()
    keys = data.get("api_keys") or [] if isinstance(data, dict) else []
    return any(isinstance(k, dict) and k.get("id") == key_id and k.get("public_key") == own for k in keys)


def register(kit: Toolkit, app: App) -> None:
    @kit.tool(name="aioz_api_keys", title="AIOZ API keys", toolset="account", read_only=True)
    async def aioz_api_keys(
        ctx: Context,
        search: str | None = None,
        offset: Annotated[int, Field(ge=0)] = 0,
        limit: Annotated[int, Field(ge=1, le=100)] = 25,
    ) -> Annotated[CallToolResult, ToolOutput]:
        """List API keys (name, type, expiry; secrets are never listed)."""
        params = {"search": search, "sort_by": "created_at", "order_by": "desc", "offset": offset, "limit": limit}
        api = await aioz_session(ctx, app)
        data = (await api.get("/api_keys", params=params)).data or {}
        keys = [{k: v for k, v in key.items() if k in LIST_FIELDS} for key in data.get("api_keys") or []]
        total = int(data.get("total", len(keys)))
        return to_result(
            ToolOutput(
                summary=f"**API keys** ({total})\n" + ("\n".join(render_key(k) for k in keys) or "(none)"),
                data=keys,
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
        ttl: Annotated[str, Field(description="seconds or '30 days' (max 2147483647 s)")] = "30 days",
    ) -> Annotated[CallToolResult, ToolOutput]:
        """create (the secret is shown once, in full: the user must save it now) or rename (key_id)."""
        if action == "rename":
            if not key_id:
                raise UserInputError("key_id is required to rename a key.", "List keys with aioz_api_keys first.")
            api = await aioz_session(ctx, app)
            response = await api.patch(f"/api_keys/{key_id}", json={"api_key_name": name})
            return to_result(
                ToolOutput(
                    summary=f"✅ API key `{key_id}` renamed to **{name}**.",
                    data={"id": key_id, "name": name, "message": response.message},
                )
            )
        ttl_wire = rules.validate_ttl(ttl)  # a STRING of seconds on the wire (research §5.4)
        api = await aioz_session(ctx, app)
        data = (await api.post("/api_keys", json={"api_key_name": name, "ttl": ttl_wire, "type": type})).data or {}
        key = data.get("api_key", data) if isinstance(data, dict) else {}
        # Deliberately NOT logs.register_secret(key["secret"]): the user must see it this once (skill rule 7).
        return to_result(
            ToolOutput(
                summary=render_new_key(key),
                data={k: key.get(k) for k in (*LIST_FIELDS, "secret")},
                warnings=[],
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
                "this is the API key botflix-mcp is using right now; deleting it would lock this session out.",
                "Store another key pair first (aioz_credentials, or the server's AIOZ settings), then delete it.",
            )
        await api.delete(f"/api_keys/{key_id}")
        return to_result(ToolOutput(summary=f"🗑️ API key `{key_id}` deleted.", data={"deleted": key_id}))
