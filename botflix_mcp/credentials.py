"""The skill's credential-collection rule, enforced before any AIOZ call.

Order (issue 2 §5), run by `require_aioz` inside every AIOZ tool (`aioz_session(ctx, app)` calls it first):

1. keys already provided: the environment/`.env` (settings), else keys stored earlier in this MCP session;
2. else ask the user, preferring URL-mode elicitation to the one-time page on 127.0.0.1 (`keys_page.py`; the
   spec forbids form mode for API keys), falling back to form-mode elicitation with the skill's two exact
   questions (`Settings.form_elicitation` turns this off), and where the client cannot elicit at all stopping
   the tool with a `ToolError` that tells the agent to ask the two questions in chat and call `aioz_credentials`;
3. keys collected by any of these ways are checked once against `/user/me` (a 401 is explained and nothing is
   stored), stored for the session and the result of the call that collected them carries the skill's reminder.
Nothing is sent to AIOZ before both keys are present.

Both protocol eras. Handshake era (<= 2025-11-25): `ctx.elicit_url` / `ctx.elicit` are live requests in the
middle of the call. 2026-07-28: there is no back-channel (`ctx.elicit` raises `NoBackChannelError`), and the SDK's
`Resolve`/`Elicit` resolvers only render *form* requests, so the call returns a hand-built `InputRequiredResult`
(URL or form `elicitation/create` inside it, our progress in the SDK-sealed `requestState`); the client answers
and retries the same call, which then continues. `require_aioz` raises `InputRequired` and the toolkit returns its
result; `-32042 UrlElicitationRequiredError` is not used (removed in 2026-07-28; the live request is better in
the handshake era because the call continues instead of failing and being retried).

Keys live per MCP session (`session_key`): over legacy streamable HTTP the session is the `mcp-session-id`; over
HTTP with a bearer token and no session id it is the token; over stdio (and in-process) it is the process, which
serves exactly one client. Over 2026-07-28 streamable HTTP without a token there is no session at all: keys
collected there are used for the call that collected them only and never stored (the next call asks again), and
the result says how to avoid that (server-side keys or a bearer token).
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, ConfigDict, Field

from botflix_mcp.aioz.client import AiozCredentials
from botflix_mcp.http_auth import is_loopback
from botflix_mcp.key_check import (  # re-exported: the one check of a pasted key pair lives there
    KEY_MAX,
    KEY_MIN,
    KeysRejected,
    check_and_store,
    is_printable_ascii,
    parse_keys,
    rejected_explanation,
)
from botflix_mcp.settings import Settings
from botflix_mcp.templates import KEYS_SAFE_REMINDER, PUBLIC_KEY_QUESTION, SECRET_KEY_QUESTION

if TYPE_CHECKING:
    from mcp.types import InputRequiredResult

    from botflix_mcp.app import App
    from botflix_mcp.keys_page import PendingKeys

logger = logging.getLogger(__name__)

__all__ = [
    "KEY_MAX",
    "KEY_MIN",
    "KeysRejected",
    "check_and_store",
    "is_printable_ascii",
    "parse_keys",
    "rejected_explanation",
]

PROCESS_SESSION = "process"
#: Key of our question inside `InputRequiredResult.input_requests` (2026-07-28).
ELICIT_KEY = "botflix_mcp:aioz_keys"
#: Our field inside the (SDK-sealed) `requestState`.
STATE_FIELD = "botflix_aioz_keys"
#: How often a call waiting for the keys page reports progress, seconds.
PROGRESS_EVERY = 5.0


def session_key(ctx: Context[Any, Any] | None) -> str | None:
    """Who owns session state for this request; None when an HTTP request carries no session identity."""
    if ctx is None:
        return PROCESS_SESSION
    try:
        headers = ctx.headers
    except Exception:  # outside a request
        return PROCESS_SESSION
    if headers is None:  # stdio or in-process: one client per process
        return PROCESS_SESSION
    sid = headers.get("mcp-session-id")
    if sid:
        return "sid:" + sid
    from mcp.server.auth.middleware.auth_context import get_access_token

    token = get_access_token()
    if token is not None:
        return "tok:" + hashlib.sha256(token.token.encode()).hexdigest()[:24]
    return None


def ask_in_chat_message() -> str:
    """The fallback when the client cannot elicit: the agent asks the user the skill's two exact questions."""
    return (
        "AIOZ Stream credentials are required before any AIOZ call, and none are configured for this session. "
        "Nothing was sent to AIOZ. Ask the user these two questions, each as its own open-ended text input "
        f'(not multiple choice):\n1. "{PUBLIC_KEY_QUESTION}"\n2. "{SECRET_KEY_QUESTION}"\n'
        "Then call aioz_credentials with public_key and secret_key set to the answers, and retry this tool. "
        f'Remind the user: "{KEYS_SAFE_REMINDER}"'
    )


NO_SESSION_NOTE = (
    "This connection has no MCP session (2026-07-28 HTTP without a bearer token), so the keys were used for this "
    "call only and not kept; the next AIOZ call asks again. To avoid that, set AIOZ_PUBLIC_KEY/AIOZ_SECRET_KEY on "
    "the server or connect with a bearer token."
)


# ---------------------------------------------------------------------- checking keys


# ---------------------------------------------------------------------- per-call notes (the reminder)


@dataclass
class CallNotes:
    collected: bool = False
    call_only: bool = False


_notes: contextvars.ContextVar[CallNotes | None] = contextvars.ContextVar("botflix_call_notes", default=None)


def begin_call() -> tuple[CallNotes, contextvars.Token[CallNotes | None]]:
    notes = CallNotes()
    return notes, _notes.set(notes)


def end_call(token: contextvars.Token[CallNotes | None]) -> None:
    _notes.reset(token)


def _note_collected(call_only: bool) -> None:
    notes = _notes.get()
    if notes is not None:
        notes.collected = True
        notes.call_only = notes.call_only or call_only


def reminder_text(notes: CallNotes) -> str:
    text = f"> {KEYS_SAFE_REMINDER}"
    return f"{text}\n\n> {NO_SESSION_NOTE}" if notes.call_only else text


def add_reminder(result: Any, notes: CallNotes) -> Any:
    """Append the skill's reminder to the result of the call that collected the keys."""
    from mcp.types import CallToolResult, TextContent

    if not notes.collected or not isinstance(result, CallToolResult):
        return result
    extra = reminder_text(notes)
    content = list(result.content)
    for i, block in enumerate(content):
        if isinstance(block, TextContent):
            content[i] = TextContent(type="text", text=f"{block.text}\n\n{extra}")
            break
    else:
        content.append(TextContent(type="text", text=extra))
    structured = result.structured_content
    if isinstance(structured, dict) and isinstance(structured.get("warnings"), list):
        warnings = [*structured["warnings"], KEYS_SAFE_REMINDER]
        if notes.call_only:
            warnings.append(NO_SESSION_NOTE)
        structured = {**structured, "warnings": warnings}
    return result.model_copy(update={"content": content, "structured_content": structured})


# ---------------------------------------------------------------------- asking


class AiozKeysForm(BaseModel):
    """Form-mode fallback: two open-ended text fields worded exactly as the skill says."""

    model_config = ConfigDict(title="AIOZ Stream API keys")

    public_key: str = Field(
        title=PUBLIC_KEY_QUESTION, description=PUBLIC_KEY_QUESTION, min_length=1, max_length=KEY_MAX
    )
    secret_key: str = Field(
        title=SECRET_KEY_QUESTION, description=SECRET_KEY_QUESTION, min_length=1, max_length=KEY_MAX
    )


class InputRequired(Exception):
    """2026-07-28: end this round with `result`; the client answers and retries the call (toolkit returns it)."""

    def __init__(self, result: InputRequiredResult) -> None:
        super().__init__("input required")
        self.result = result


def url_message(minutes: int) -> str:
    return (
        "AIOZ Stream needs your API key pair before botflix-mcp can continue. Open this one-time page on this "
        "computer and enter both keys there; they go straight to botflix-mcp, never through the chat. "
        f'The page asks: "{PUBLIC_KEY_QUESTION}" and "{SECRET_KEY_QUESTION}". It expires in {minutes} minutes.'
    )


FORM_MESSAGE = (
    "AIOZ Stream needs your API key pair before botflix-mcp can continue. "
    f"{PUBLIC_KEY_QUESTION} / {SECRET_KEY_QUESTION} (Type or paste each key; nothing is sent to AIOZ before both "
    f"are given.) {KEYS_SAFE_REMINDER}"
)


def _is_modern(ctx: Context[Any, Any]) -> bool:
    from mcp_types.version import is_version_at_least

    version = ctx.protocol_version
    return version is not None and is_version_at_least(version, "2026-07-28")


def _capabilities(ctx: Context[Any, Any]) -> tuple[bool, bool]:
    """(url, form) elicitation support. A bare `elicitation: {}` (pre-modes clients) means form."""
    try:
        caps = ctx.client_capabilities
    except Exception:  # no request context (direct MCPServer.call_tool)
        return False, False
    elicitation = caps.elicitation if caps is not None else None
    if elicitation is None:
        return False, False
    return elicitation.url is not None, elicitation.form is not None or elicitation.url is None


def page_reachable(settings: Settings) -> bool:
    """The page is on 127.0.0.1: only offer it when the user's browser runs on this machine."""
    if settings.transport != "http":
        return True
    return is_loopback(settings.host)


async def require_aioz(ctx: Context[Any, Any] | None, app: App) -> AiozCredentials:
    """Return this session's AIOZ keys, collecting them first if needed; nothing reaches AIOZ before that.

    Raises `ToolError` (ask in chat / declined / rejected) or, on 2026-07-28, `InputRequired`.
    """
    key = session_key(ctx)
    creds = app.credentials.get_aioz(key)
    if creds is not None:
        if ctx is not None and _is_modern(ctx) and _state_in(ctx).get("mode"):
            # 2026-07-28: the page stored the keys between our rounds; this call is the one that collected them
            _note_collected(call_only=False)
        return creds
    if ctx is None:
        raise ToolError(ask_in_chat_message())
    url_ok, form_ok = _capabilities(ctx)
    url_ok = url_ok and page_reachable(app.settings)
    form_ok = form_ok and app.settings.form_elicitation
    if _is_modern(ctx):
        return await _collect_modern(ctx, app, key, url_ok, form_ok)
    if url_ok:
        pending = await _open_page(app, key)
        if pending is not None:
            return await _collect_legacy_url(ctx, app, key, pending)
    if form_ok:
        return await _collect_legacy_form(ctx, app, key)
    raise ToolError(ask_in_chat_message())


async def _open_page(app: App, key: str | None) -> PendingKeys | None:
    from botflix_mcp.keys_page import pages_of

    try:
        return await pages_of(app).open(key)
    except Exception as exc:  # a page server that cannot start must not block the other ways of asking
        logger.warning("AIOZ keys page unavailable (%s: %s); falling back", type(exc).__name__, exc)
        return None


def _declined(action: str) -> ToolError:
    verb = "declined" if action == "decline" else "dismissed"
    return ToolError(
        f"The user {verb} the request for AIOZ Stream keys, so nothing was sent to AIOZ. Do not retry unless the "
        f'user wants to continue; they can also answer "{PUBLIC_KEY_QUESTION}" and "{SECRET_KEY_QUESTION}" '
        "in chat, then call aioz_credentials with the answers."
    )


async def _finish(app: App, key: str | None, creds: AiozCredentials) -> AiozCredentials:
    """Check (once) and keep form/chat-collected keys; note the reminder for this call's result."""
    try:
        await check_and_store(app, key, creds)
    except KeysRejected as exc:
        raise ToolError(exc.explanation + " Run the tool again to be asked again.") from None
    _note_collected(call_only=key is None)
    return creds


def _form_creds(content: Any) -> AiozCredentials:
    try:
        data = AiozKeysForm.model_validate(content)
    except Exception:
        raise ToolError(
            "The answer to the AIOZ keys form did not contain both keys. Nothing was sent to AIOZ; run the tool "
            "again to be asked again."
        ) from None
    problem, creds = parse_keys(data.public_key, data.secret_key, source="form")
    if creds is None:
        raise ToolError(f"{problem} Nothing was sent to AIOZ; run the tool again to be asked again.")
    return creds


async def _wait_for_page(ctx: Context[Any, Any], app: App, key: str | None, pending: PendingKeys) -> AiozCredentials:
    """Block (bounded by the page's expiry, cancellable, with progress) until the page is submitted."""
    from botflix_mcp.keys_page import pages_of

    total = max(1.0, pending.remaining())
    waited = 0.0
    while not pending.done.is_set():
        step = min(PROGRESS_EVERY, pending.remaining())
        if step <= 0:
            pending.is_open()  # marks it expired
            break
        with anyio.move_on_after(step):
            await pending.done.wait()
        waited += step
        if not pending.done.is_set():
            with contextlib.suppress(Exception):  # progress is best effort
                await ctx.report_progress(
                    min(waited, total), total, "Waiting for the AIOZ Stream keys to be entered on the page"
                )
    if pending.status == "stored" and pending.creds is not None:
        if pending.session_key is not None and pending.session_key != key:
            raise ToolError("The keys page belongs to another session. Nothing was sent; run the tool again.")
        _note_collected(call_only=key is None)
        return pending.creds
    pages_of(app).cancel(pending)
    if pending.status == "rejected":
        raise ToolError(
            "AIOZ Stream rejected every key pair entered on the page (HTTP 401 Unauthorized), so nothing was "
            "stored. Ask the user to check that the Public Key and Secret Key are not swapped and are still active "
            "in the AIOZ Stream dashboard, then run the tool again for a new link."
        )
    if pending.status == "expired":
        raise ToolError(
            "The one-time AIOZ keys page expired before the keys were entered. Nothing was sent to AIOZ; run the "
            "tool again for a new link."
        )
    raise ToolError("The request for AIOZ keys was cancelled. Nothing was sent to AIOZ; run the tool again.")


# ---------------------------------------------------------------------- handshake era (live requests)


async def _collect_legacy_url(
    ctx: Context[Any, Any], app: App, key: str | None, pending: PendingKeys
) -> AiozCredentials:
    from botflix_mcp.keys_page import pages_of

    pages = pages_of(app)
    minutes = max(1, round(pending.remaining() / 60))
    answer = await ctx.elicit_url(url_message(minutes), pages.url_for(pending), pending.elicitation_id)
    if answer.action != "accept":
        pages.cancel(pending)
        raise _declined(answer.action)
    creds = await _wait_for_page(ctx, app, key, pending)
    try:
        await ctx.session.send_elicit_complete(pending.elicitation_id, related_request_id=ctx.request_id)
    except Exception as exc:  # a courtesy notification; the call goes on
        logger.debug("elicitation/complete not delivered: %s", type(exc).__name__)
    return creds


async def _collect_legacy_form(ctx: Context[Any, Any], app: App, key: str | None) -> AiozCredentials:
    from mcp.server.elicitation import AcceptedElicitation

    try:
        answer = await ctx.elicit(FORM_MESSAGE, AiozKeysForm)
    except ValueError:  # accepted without content / content not matching the schema
        raise ToolError(
            "The answer to the AIOZ keys form did not contain both keys. Nothing was sent to AIOZ; run the tool "
            "again to be asked again."
        ) from None
    if not isinstance(answer, AcceptedElicitation):
        raise _declined(answer.action)
    return await _finish(app, key, _form_creds(answer.data.model_dump()))


# ---------------------------------------------------------------------- 2026-07-28 (input_required rounds)


def _state_in(ctx: Context[Any, Any]) -> dict[str, Any]:
    raw = ctx.request_state
    if not raw:
        return {}
    try:
        state = json.loads(raw)
    except ValueError:
        return {}
    mine = state.get(STATE_FIELD) if isinstance(state, dict) else None
    return mine if isinstance(mine, dict) else {}


def _ask(request: Any, state: dict[str, Any]) -> InputRequired:
    from mcp.types import InputRequiredResult

    return InputRequired(
        InputRequiredResult(input_requests={ELICIT_KEY: request}, request_state=json.dumps({STATE_FIELD: state}))
    )


def _answer(ctx: Context[Any, Any]) -> tuple[str, Any] | None:
    responses = ctx.input_responses or {}
    answer = responses.get(ELICIT_KEY)
    if answer is None:
        return None
    action = getattr(answer, "action", None)
    if action is None and isinstance(answer, dict):
        action = answer.get("action")
    content = getattr(answer, "content", None) if not isinstance(answer, dict) else answer.get("content")
    return str(action), content


async def _collect_modern(
    ctx: Context[Any, Any], app: App, key: str | None, url_ok: bool, form_ok: bool
) -> AiozCredentials:
    from mcp.types import ElicitRequest, ElicitRequestFormParams, ElicitRequestURLParams

    from botflix_mcp.keys_page import pages_of

    state, answer = _state_in(ctx), _answer(ctx)
    if state.get("mode") == "url":
        pending = pages_of(app).get(str(state.get("id", "")))
        if pending is not None and answer is not None:
            action, _ = answer
            if action != "accept":
                pages_of(app).cancel(pending)
                raise _declined(action)
            return await _wait_for_page(ctx, app, key, pending)
        if pending is not None and pending.status == "stored":
            return await _wait_for_page(ctx, app, key, pending)
        # no answer (or the page is gone): ask again below
    elif state.get("mode") == "form" and answer is not None:
        action, content = answer
        if action != "accept":
            raise _declined(action)
        return await _finish(app, key, _form_creds(content))

    if url_ok:
        pending = await _open_page(app, key)
        if pending is not None:
            minutes = max(1, round(pending.remaining() / 60))
            params = ElicitRequestURLParams(message=url_message(minutes), url=pages_of(app).url_for(pending))
            raise _ask(ElicitRequest(params=params), {"mode": "url", "id": pending.elicitation_id})
    if form_ok:
        from mcp.server.elicitation import render_elicitation_schema

        params_form = ElicitRequestFormParams(
            message=FORM_MESSAGE, requested_schema=render_elicitation_schema(AiozKeysForm)
        )
        raise _ask(ElicitRequest(params=params_form), {"mode": "form"})
    raise ToolError(ask_in_chat_message())
