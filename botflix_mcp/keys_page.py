"""The one-time AIOZ keys page: URL-mode elicitation's target, served by this process on 127.0.0.1.

When a tool needs AIOZ keys and the client supports URL-mode elicitation, `credentials.require_aioz` opens a
`PendingKeys` here and sends the client its URL. The user types the two keys into the page; the browser posts
them straight to this process (never through the model), the keys are checked once against `/user/me`, stored
for the MCP session that asked, and the waiting tool call wakes up.

Security of the page:
- the URL carries a single-use, unguessable token (256 bits); only its SHA-256 is used as the lookup key;
- it expires (10 minutes by default) and is burned by the first successful submission or after 5 rejected tries;
- the form carries a second random value (CSRF) that must come back with the POST; a POST whose `Origin` or
  `Sec-Fetch-Site` shows another site is refused; the `Host` header must be this loopback server
  (DNS-rebinding protection);
- every answer is `Cache-Control: no-store`, with a strict CSP (no scripts at all, one nonce'd stylesheet,
  `form-action 'self'`, `frame-ancestors 'none'`), `X-Frame-Options: DENY`, `Referrer-Policy: same-origin`;
- the keys are never echoed back, logged or put in a tool result; the token is registered with the log redactor.

The server is a tiny Starlette app run by uvicorn inside the MCP server's own event loop (a background task
started lazily on the first request for keys; random port; no access log; no signal handlers), stopped by
`App.aclose()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import html
import logging
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs

import anyio

from botflix_mcp.logs import register_secret
from botflix_mcp.templates import KEYS_SAFE_REMINDER, PUBLIC_KEY_QUESTION, SECRET_KEY_QUESTION

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from botflix_mcp.aioz.client import AiozCredentials
    from botflix_mcp.app import App

logger = logging.getLogger(__name__)

PAGE_PATH = "/aioz-keys/"
DEFAULT_TTL = 600.0
MAX_ATTEMPTS = 5
MAX_BODY = 16 * 1024

Status = Literal["open", "stored", "rejected", "cancelled", "expired"]


@dataclass(eq=False)
class PendingKeys:
    """One outstanding request for keys. `token` only lives in memory (and in the URL given to the client)."""

    elicitation_id: str
    token: str
    csrf: str
    session_key: str | None
    expires_at: float
    done: anyio.Event = field(default_factory=anyio.Event)
    status: Status = "open"
    attempts: int = 0
    creds: AiozCredentials | None = None
    user_email: str | None = None

    @property
    def token_hash(self) -> str:
        return _hash(self.token)

    def is_open(self, now: float | None = None) -> bool:
        if self.status == "open" and (now or time.time()) >= self.expires_at:
            self.finish("expired")
        return self.status == "open"

    def finish(self, status: Status) -> None:
        if self.status == "open":
            self.status = status
        self.done.set()

    def remaining(self) -> float:
        return max(0.0, self.expires_at - time.time())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class KeysPages:
    """Registry of pending key requests plus the loopback web server that serves their pages."""

    def __init__(self, app: App, *, ttl: float = DEFAULT_TTL, max_attempts: int = MAX_ATTEMPTS) -> None:
        self.app = app
        self.ttl = ttl
        self.max_attempts = max_attempts
        self._by_token: dict[str, PendingKeys] = {}
        self._by_id: dict[str, PendingKeys] = {}
        self._server: Any = None
        self._task: asyncio.Task[None] | None = None
        self._port: int | None = None
        self._start_lock = anyio.Lock()

    # ------------------------------------------------------------------ registry

    @property
    def origin(self) -> str:
        if self._port is None:
            raise RuntimeError("the keys page server is not running")
        return f"http://127.0.0.1:{self._port}"

    def url_for(self, pending: PendingKeys) -> str:
        return f"{self.origin}{PAGE_PATH}{pending.token}"

    async def open(self, session_key: str | None) -> PendingKeys:
        """A pending request for this session (an open one is reused, so concurrent calls share one page)."""
        await self.ensure_started()
        self._sweep()
        if session_key is not None:
            for pending in self._by_id.values():
                if pending.session_key == session_key and pending.is_open() and pending.remaining() > 60:
                    return pending
        token = secrets.token_urlsafe(32)
        register_secret(token)
        pending = PendingKeys(
            elicitation_id="aioz-keys-" + secrets.token_hex(8),
            token=token,
            csrf=secrets.token_urlsafe(24),
            session_key=session_key,
            expires_at=time.time() + self.ttl,
        )
        self._by_token[pending.token_hash] = pending
        self._by_id[pending.elicitation_id] = pending
        logger.info("AIOZ keys page opened (%s, expires in %.0f s)", pending.elicitation_id, self.ttl)
        return pending

    def get(self, elicitation_id: str) -> PendingKeys | None:
        return self._by_id.get(elicitation_id)

    def cancel(self, pending: PendingKeys) -> None:
        pending.finish("cancelled")
        self._forget(pending)

    def _forget(self, pending: PendingKeys) -> None:
        self._by_token.pop(pending.token_hash, None)

    def _sweep(self) -> None:
        now = time.time()
        for pending in list(self._by_id.values()):
            if not pending.is_open(now):
                self._forget(pending)
                if now - pending.expires_at > self.ttl:  # keep finished ones a while for late waiters
                    self._by_id.pop(pending.elicitation_id, None)

    # ------------------------------------------------------------------ server lifecycle

    async def ensure_started(self) -> None:
        loop = asyncio.get_running_loop()
        async with self._start_lock:
            if self._task is not None and not self._task.done() and self._task.get_loop() is loop:
                return
            import uvicorn

            class _Server(uvicorn.Server):
                @contextlib.contextmanager
                def capture_signals(self) -> Iterator[None]:  # the host process owns the signals
                    yield

            config = uvicorn.Config(
                self.asgi(),
                host="127.0.0.1",
                port=0,
                log_config=None,  # never configure logging (uvicorn's default would print access logs to stdout)
                access_log=False,
                lifespan="off",
                server_header=False,
                date_header=False,
                timeout_graceful_shutdown=1,
            )
            server = _Server(config)
            self._server = server
            self._task = loop.create_task(server.serve(), name="botflix-aioz-keys-page")
            with anyio.fail_after(10):
                while not server.started:
                    if self._task.done():
                        self._task.result()  # raises the start-up error
                        raise RuntimeError("the keys page server stopped during start-up")
                    await anyio.sleep(0.01)
            self._port = server.servers[0].sockets[0].getsockname()[1]
            logger.info("AIOZ keys page server listening on 127.0.0.1:%s", self._port)

    async def aclose(self) -> None:
        for pending in list(self._by_id.values()):
            if pending.status == "open":
                pending.finish("cancelled")
        task, server = self._task, self._server
        self._task = self._server = None
        self._port = None
        if task is None or server is None:
            return
        server.should_exit = True
        with anyio.move_on_after(5):
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.shield(task)
        if not task.done():
            task.cancel()

    # ------------------------------------------------------------------ web app

    def asgi(self) -> Any:
        from starlette.applications import Starlette
        from starlette.routing import Route

        async def not_found(request: Request) -> Response:
            return self._page(request, _gone_body(), status=404, title="Not found")

        return Starlette(
            routes=[
                Route(PAGE_PATH + "{token}", self._handle, methods=["GET", "POST"]),
                Route("/{rest:path}", not_found, methods=["GET", "POST", "HEAD"]),
            ]
        )

    def _allowed_hosts(self) -> set[str]:
        return {f"127.0.0.1:{self._port}", f"localhost:{self._port}"}

    async def _handle(self, request: Request) -> Response:
        if request.headers.get("host", "") not in self._allowed_hosts():
            return self._page(request, "<p>Wrong host.</p>", status=421, title="Refused")
        pending = self._by_token.get(_hash(request.path_params["token"]))
        if pending is None or not pending.is_open():
            if pending is not None:
                self._forget(pending)
            return self._page(request, _gone_body(), status=410, title="Link expired")
        if request.method == "GET":
            return self._page(request, _form_body(pending, error=None), title="Enter your AIOZ Stream keys")
        return await self._submit(request, pending)

    async def _submit(self, request: Request, pending: PendingKeys) -> Response:
        site = request.headers.get("sec-fetch-site")  # set by browsers, cannot be forged by a web page
        origin = request.headers.get("origin")
        own = {"http://" + h for h in self._allowed_hosts()}
        if (site and site not in {"same-origin", "none"}) or (
            origin is not None and origin not in own and not (origin == "null" and site == "same-origin")
        ):
            logger.warning("AIOZ keys page: refused a cross-site POST (%s)", pending.elicitation_id)
            return self._page(request, "<p>Cross-site form posts are refused.</p>", status=403, title="Refused")
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
            return self._page(request, "<p>Unsupported form encoding.</p>", status=415, title="Refused")
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return self._page(request, "<p>Form too large.</p>", status=413, title="Refused")
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        if not hmac.compare_digest(form.get("csrf", ""), pending.csrf):
            return self._page(request, "<p>This form is stale; reload the page.</p>", status=403, title="Refused")

        from botflix_mcp.key_check import KeysRejected, check_and_store, parse_keys

        problem, creds = parse_keys(form.get("public_key", ""), form.get("secret_key", ""), source="page")
        if creds is None:
            return self._page(request, _form_body(pending, error=problem), status=400, title="Check your keys")
        pending.attempts += 1
        try:
            user = await check_and_store(self.app, pending.session_key, creds)
        except KeysRejected as exc:
            if pending.attempts >= self.max_attempts:
                pending.finish("rejected")
                self._forget(pending)
                return self._page(
                    request,
                    f"<h1>Keys rejected</h1><p>{html.escape(exc.explanation)}</p><p>This link is now closed after "
                    f"{pending.attempts} tries. Go back to your assistant and run the tool again.</p>",
                    status=401,
                    title="Keys rejected",
                )
            return self._page(request, _form_body(pending, error=exc.explanation), status=401, title="Keys rejected")
        except Exception as exc:  # AIOZ unreachable, 5xx...: let the user retry without burning the link
            pending.attempts -= 1
            from botflix_mcp.errors import ApiError

            reason = exc.message if isinstance(exc, ApiError) else type(exc).__name__
            logger.warning("AIOZ keys page: could not check the keys (%s)", reason)
            return self._page(
                request,
                _form_body(pending, error=f"Could not reach AIOZ Stream to check the keys ({reason}). Try again."),
                status=502,
                title="Try again",
            )
        pending.creds = creds
        pending.user_email = str(user.get("email") or "") or None
        pending.finish("stored")
        self._forget(pending)
        logger.info("AIOZ keys page: keys checked and received (%s)", pending.elicitation_id)
        return self._page(request, _done_body(pending), title="Keys saved")

    def _page(self, request: Request, body: str, *, status: int = 200, title: str) -> Response:
        from starlette.responses import HTMLResponse

        nonce = secrets.token_urlsafe(16)
        document = _DOCUMENT.format(title=html.escape(title), nonce=nonce, style=_STYLE, body=body)
        response = HTMLResponse(document, status_code=status)
        headers = response.headers
        headers["Cache-Control"] = "no-store, max-age=0"
        headers["Pragma"] = "no-cache"
        headers["Expires"] = "0"
        headers["Content-Security-Policy"] = (
            f"default-src 'none'; style-src 'nonce-{nonce}'; form-action 'self'; frame-ancestors 'none'; "
            "base-uri 'none'"
        )
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        return response


def pages_of(app: App) -> KeysPages:
    return app.state(KeysPages, lambda: KeysPages(app))


# ---------------------------------------------------------------------- HTML


def _form_body(pending: PendingKeys, error: str | None) -> str:
    minutes = max(1, round(pending.remaining() / 60))
    alert = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    return f"""
<h1>Connect AIOZ Stream</h1>
<p class="lead">Your AI assistant needs your AIOZ Stream API key pair to work with your videos.
The keys go straight to botflix-mcp running on this computer, never through the chat.</p>
{alert}
<form method="post" autocomplete="off">
  <input type="hidden" name="csrf" value="{html.escape(pending.csrf)}">
  <label for="public_key">{html.escape(PUBLIC_KEY_QUESTION)}</label>
  <input id="public_key" name="public_key" type="text" required maxlength="512" autocomplete="off"
         spellcheck="false" autocapitalize="off" autocorrect="off">
  <label for="secret_key">{html.escape(SECRET_KEY_QUESTION)}</label>
  <input id="secret_key" name="secret_key" type="password" required maxlength="512" autocomplete="new-password"
         spellcheck="false" autocapitalize="off" autocorrect="off">
  <button type="submit">Save keys</button>
</form>
<p class="fine">You find both keys in your AIOZ Stream dashboard, under API keys. This link works once and
expires in about {minutes} minute{"s" if minutes != 1 else ""}.</p>
<p class="fine">{html.escape(KEYS_SAFE_REMINDER)}</p>
"""


def _done_body(pending: PendingKeys) -> str:
    who = f" for <strong>{html.escape(pending.user_email)}</strong>" if pending.user_email else ""
    return f"""
<h1 class="ok">&#10003; Keys saved</h1>
<p class="lead">AIOZ Stream accepted the keys{who}. You can close this tab and go back to your assistant;
it continues on its own.</p>
<p class="note">{html.escape(KEYS_SAFE_REMINDER)}</p>
"""


def _gone_body() -> str:
    return """
<h1>This link has expired</h1>
<p class="lead">This one-time link was already used, has expired, or never existed.
Go back to your assistant and run the tool again to get a new link.</p>
"""


_DOCUMENT = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>{title} · botflix-mcp</title>
<style nonce="{nonce}">{style}</style>
</head>
<body>
<main class="card">{body}</main>
</body>
</html>
"""

_STYLE = """
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:24px;
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1c1b29;
background:linear-gradient(135deg,#eef1ff 0%,#f7f2ff 100%)}
.card{width:100%;max-width:480px;background:#fff;border-radius:16px;padding:32px 32px 24px;
box-shadow:0 10px 40px rgba(40,30,90,.12)}
h1{margin:0 0 8px;font-size:24px}
h1.ok{color:#127a46}
.lead{margin:0 0 20px;color:#4a4860}
label{display:block;font-weight:600;margin:16px 0 6px}
input[type=text],input[type=password]{width:100%;padding:11px 12px;font:15px ui-monospace,"DejaVu Sans Mono",monospace;
border:1px solid #c9c6dc;border-radius:10px;background:#fbfbfe}
input:focus{outline:3px solid #b8b0ff;border-color:#6b5cff}
button{margin-top:24px;width:100%;padding:12px;font-size:16px;font-weight:600;color:#fff;background:#5b4cf0;
border:0;border-radius:10px;cursor:pointer}
button:hover{background:#4a3bd8}
.error{margin:0 0 8px;padding:10px 12px;border-radius:10px;background:#fdecee;color:#9b1c2c}
.note{padding:10px 12px;border-radius:10px;background:#fff7e0;color:#6b4e00}
.fine{font-size:13px;color:#6d6a80;margin:14px 0 0}
"""
