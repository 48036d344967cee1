"""A stateful emulator of the AIOZ Stream API, built from the verified facts in docs/aioz-api.md.

It is an independent check of the product: it imports nothing from the rest of botflix_mcp. Envelopes, status
codes, validation messages and limits follow the research (backend code where known): `{status:"success",data}`,
`{status:"success",message}`, `{status:"fail",message}` for 4xx, `{status:"error",message}` for 5xx, 201 on the
creates of §3.2, `Route not found` without a `status` key, parts with 1-based `index`, inclusive Content-Range,
per-part MD5, "Part is already uploaded.", the 50M body limit (413), rate-limit headers and 429s, `/complete`
joining parts in ascending index order and checking the bytes are whole, a transcoding state machine and webhook
deliveries with dotted types (loopback URLs only: the sandbox never reaches the network).
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import json
import re
import secrets
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from . import DEMO_DASHBOARD_TOKEN, DEMO_PUBLIC_KEY, DEMO_SECRET_KEY
from .faults import FaultConfig

ZERO_UUID = "00000000-0000-0000-0000-000000000000"

VIDEO_RES = ("240p", "360p", "480p", "720p", "1080p", "1440p", "2160p", "4320p")
AUDIO_RES = ("standard", "good", "highest", "lossless")
PRICE_PER_MINUTE = {
    "240p": 0.002, "360p": 0.003, "480p": 0.004, "720p": 0.006, "1080p": 0.01, "1440p": 0.016, "2160p": 0.03,
    "4320p": 0.08, "standard": 0.001, "good": 0.0015, "highest": 0.002, "lossless": 0.004,
}  # fmt: skip
RANGE_RE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
RGBA_RE = re.compile(r"^rgba\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*(?:0|1|0?\.\d+|1\.0+)\s*\)$")
PX_RE = re.compile(r"^\d+(?:\.\d+)?px$")
COLOUR_FIELDS = (
    "main_color", "text_color", "control_bar_background_color", "menu_background_color",
    "menu_item_background_hover", "text_track_color", "text_track_background",
)  # fmt: skip
SIZE_FIELDS = ("control_bar_height", "progress_bar_height", "progress_bar_circle_size")
DATA_AGG = {
    "play": ("count", "rate", "total"), "start": ("count",), "end": ("count",), "impression": ("count",),
    "view": ("count",), "impression_time": ("average", "sum"), "watch_time": ("average", "sum"),
}  # fmt: skip
BUCKET_METRICS = ("play", "play_rate", "play_total", "start", "end", "impression", "watch_time", "view", "retention")
BREAKDOWNS = ("media-id", "media-type", "continent", "country", "device-type", "operator-system", "browser")
INTERVALS = ("hour", "day", "week", "month")
UPLOAD_ROUTES = ("/media/create", "/part", "/complete")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class ApiFail(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def ok(data: Any = None, *, message: str | None = None, status: int = 200) -> JSONResponse:
    body: dict[str, Any] = {"status": "success"}
    if message is not None:
        body["message"] = message
    else:
        body["data"] = data
    return JSONResponse(body, status_code=status)


def fail(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    kind = "error" if status >= 500 else "fail"
    return JSONResponse({"status": kind, "message": message}, status_code=status, headers=headers)


@dataclass
class SandboxConfig:
    """How the emulator behaves; the defaults suit tests (fast transcoding, generous rate limits)."""

    public_key: str = DEMO_PUBLIC_KEY
    secret_key: str = DEMO_SECRET_KEY
    dashboard_token: str = DEMO_DASHBOARD_TOKEN
    balance: str = "25.00"
    transcode_step: float = 0.05  # seconds per transcoding stage (demo uses ~0.4)
    # When set: seconds from /complete to encoding finished, spread evenly over the stages (file received,
    # encoding started, one per quality); wins over transcode_step (`botflix-mcp sandbox --transcode-seconds`).
    transcode_seconds: float | None = None
    fail_encoding: bool = False  # True: every encode fails at its last quality, as a title with "fail-encode" does
    store_parts: str = "disk"  # "disk": parts kept so /complete assembles and hashes; "discard": size+MD5 only
    # True: parts are parsed as a stream (partstream.py: well-formed multipart with its closing delimiter, one
    # `file`, `index` and `hash` in any order) and MD5-hashed off the event loop as they arrive, as a real host
    # does, instead of Starlette's form parser spooling each part to a temporary file (bench/upload.py uses it).
    strict_parts: bool = False
    body_limit: int = 50_000_000  # echo BodyLimit("50M"), decimal (docs/aioz-api.md §envelope)
    transcripts_enabled: bool = True  # False: /transcripts answer 404 Route not found (captions fallback)
    check_mime: bool = False  # True: /complete refuses non-media bytes and deletes the media, as the host does
    rate_limits: dict[str, int] = field(default_factory=lambda: {"read": 100_000, "write": 100_000, "upload": 100_000})
    faults: FaultConfig = field(default_factory=FaultConfig)


@dataclass
class Part:
    index: int
    start: int
    end: int
    md5: str
    path: Path | None


class AiozState:
    """Everything the emulator knows. `reset()` returns it to a single demo account."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self._initial = copy.copy(self.config)
        self._initial.rate_limits = dict(self.config.rate_limits)
        self.lock = threading.RLock()
        self.workdir = Path(tempfile.mkdtemp(prefix="botflix-sandbox-"))
        self.reset()

    def reset(self) -> None:
        with self.lock:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir.mkdir(parents=True, exist_ok=True)
            self.users: dict[str, dict[str, Any]] = {}
            self.keys: dict[str, dict[str, Any]] = {}  # public key -> key record
            self.media: dict[str, dict[str, Any]] = {}
            self.parts: dict[str, dict[int, Part]] = {}
            self.assembled: dict[str, dict[str, Any]] = {}
            self.chapters: dict[str, dict[str, dict[str, Any]]] = {}
            self.captions: dict[str, dict[str, dict[str, Any]]] = {}
            self.transcripts: dict[str, dict[str, dict[str, Any]]] = {}
            self.webhooks: dict[str, dict[str, Any]] = {}
            self.players: dict[str, dict[str, Any]] = {}
            self.playlists: dict[str, dict[str, Any]] = {}
            self.playlist_items: dict[str, list[dict[str, Any]]] = {}
            self.deliveries: list[dict[str, Any]] = []
            self.log: list[dict[str, Any]] = []
            self.rate: dict[tuple[str, str], list[float]] = {}
            for f in fields(SandboxConfig):  # tests change settings; a reset restores what the sandbox began with
                if f.name != "faults":
                    setattr(self.config, f.name, copy.deepcopy(getattr(self._initial, f.name)))
            self.config.faults = self._initial.faults.fresh()  # the faults it started with, counters at zero
            self.demo_user_id = self.add_user(
                "demo@sandbox.invalid",
                self.config.balance,
                public_key=self.config.public_key,
                secret_key=self.config.secret_key,
            )["user_id"]

    def add_user(
        self, email: str, balance: str = "25.00", *, public_key: str | None = None, secret_key: str | None = None
    ) -> dict[str, str]:
        with self.lock:
            user_id = str(uuid.uuid4())
            first = email.split("@")[0].split(".")[0].title()
            self.users[user_id] = {
                "id": user_id,
                "email": email,
                "first_name": first,
                "last_name": "Sandbox",
                "wallet_address": "0x" + hashlib.sha1(user_id.encode()).hexdigest()[:40],
                "wallet_connection": "",
                "balance": balance,
                "debt": "0",
                "created_at": now_iso(),
                "updated_at": now_iso(),
            }
            public_key = public_key or "sbx-pk-" + secrets.token_hex(12)
            secret_key = secret_key or "sbx-sk-" + secrets.token_hex(24)
            self.keys[public_key] = {
                "id": str(uuid.uuid4()),
                "name": "sandbox key",
                "public_key": public_key,
                "secret": secret_key,
                "type": "full_access",
                "ttl": "2147483647",
                "user_id": user_id,
                "created_at": now_iso(),
                "expired_at": None,
            }
            return {"user_id": user_id, "public_key": public_key, "secret_key": secret_key}


# =========================================================================== the app


Handler = Callable[[Request, dict[str, Any]], Awaitable[Response]]


class AiozApp:
    """ASGI app. Mount it at `/aioz/api`; paths below are relative to the API base."""

    def __init__(self, state: AiozState) -> None:
        self.state = state
        self.routes: list[Route] = []
        self._http: httpx.AsyncClient | None = None
        r = self._route
        # media
        r("/media/create", "POST", self.media_create, "upload")
        r("/media", "POST", self.media_list, "read")
        r("/media/cost", "GET", self.media_cost, "read")
        r("/media/{id}", "GET", self.media_get, "read")
        r("/media/{id}", "PATCH", self.media_update, "write")
        r("/media/{id}", "DELETE", self.media_delete, "write")
        r("/media/{id}/part", "POST", self.media_part, "upload")
        r("/media/{id}/complete", "GET", self.media_complete, "upload")
        r("/media/{id}/thumbnail", "POST", self.thumbnail_set, "write")
        r("/media/{id}/thumbnail", "DELETE", self.thumbnail_delete, "write")
        r("/media/{id}/player.json", "GET", self.player_json, "public")
        for kind in ("chapters", "captions", "transcripts"):
            r(f"/media/{{id}}/{kind}", "GET", self._caption_list(kind), "read")
            r(f"/media/{{id}}/{kind}/{{lan}}", "POST", self._caption_add(kind), "write")
            r(f"/media/{{id}}/{kind}/{{lan}}", "DELETE", self._caption_delete(kind), "write")
            if kind != "chapters":
                r(f"/media/{{id}}/{kind}/{{lan}}", "PATCH", self._caption_default(kind), "write")
        # account
        r("/user/me", "GET", self.user_me, "read")
        r("/api_keys", "POST", self.key_create, "write")
        r("/api_keys", "GET", self.key_list, "read")
        r("/api_keys/{id}", "PATCH", self.key_update, "write")
        r("/api_keys/{id}", "DELETE", self.key_delete, "write")
        r("/payment/usage", "GET", self.pay_usage, "dashboard")
        r("/payment/top_ups", "GET", self.pay_topups, "dashboard")
        r("/payment/billings", "GET", self.pay_billings, "dashboard")
        # webhooks
        r("/webhooks", "POST", self.hook_create, "write")
        r("/webhooks", "GET", self.hook_list, "read")
        r("/webhooks/check/{id}", "POST", self.hook_check, "write")
        r("/webhooks/{id}", "GET", self.hook_get, "read")
        r("/webhooks/{id}", "PATCH", self.hook_update, "write")
        r("/webhooks/{id}", "DELETE", self.hook_delete, "write")
        # players
        r("/players", "POST", self.player_create, "write")
        r("/players", "GET", self.player_list, "read")
        r("/players/add-player", "POST", self.player_assign, "write")
        r("/players/remove-player", "POST", self.player_unassign, "write")
        r("/players/{id}", "GET", self.player_get, "read")
        r("/players/{id}", "PATCH", self.player_update, "write")
        r("/players/{id}", "DELETE", self.player_delete, "write")
        r("/players/{id}/logo", "POST", self.logo_set, "write")
        r("/players/{id}/logo", "DELETE", self.logo_delete, "write")
        # analytics
        r("/analytics/metrics/data/{metric}/{agg}", "POST", self.an_data, "read")
        r("/analytics/metrics/bucket/{metric}/{breakdown}", "POST", self.an_bucket, "read")
        r("/analytics/metrics/timeseries/{metric}/{interval}", "POST", self.an_series, "read")
        # playlists
        r("/playlists/create", "POST", self.pl_create, "write")
        r("/playlists", "POST", self.pl_list, "read")
        r("/playlists/{id}", "GET", self.pl_get, "read")
        r("/playlists/{id}", "PATCH", self.pl_update, "write")
        r("/playlists/{id}", "DELETE", self.pl_delete, "write")
        r("/playlists/{id}/items", "POST", self.pl_add, "write")
        r("/playlists/{id}/items", "PUT", self.pl_move, "write")
        r("/playlists/{id}/items/{item_id}", "DELETE", self.pl_remove, "write")
        r("/playlists/{id}/thumbnail", "DELETE", self.pl_thumb_delete, "write")
        r("/playlists/{id}/player.json", "GET", self.pl_player_json, "public")
        self.app = Starlette(routes=self.routes)
        self.app.add_exception_handler(404, self._not_found)
        self.app.add_exception_handler(405, self._not_found)

    # ------------------------------------------------------------------ plumbing

    async def _not_found(self, request: Request, exc: Exception) -> Response:
        self._record(request, 404, None)
        return JSONResponse(
            {"message": "Route not found", "path": "/api" + self.api_path(request.scope), "method": request.method},
            status_code=404,
        )

    def _route(self, path: str, method: str, handler: Handler, kind: str) -> None:
        async def endpoint(request: Request) -> Response:
            return await self._dispatch(request, handler, kind)

        self.routes.append(Route(path, endpoint, methods=[method]))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            fault, latency = self.state.config.faults.decide(scope["method"], self.api_path(scope))
            if latency:
                await asyncio.sleep(latency)
            if fault == "drop":
                self._record_raw(scope["method"], self.api_path(scope), -1, {"fault": "drop"})
                await _drain(receive)
                await _drop(send)
                return
            if fault in ("500", "429"):
                await _drain(receive)
                self._record_raw(scope["method"], self.api_path(scope), int(fault), {"fault": fault})
                retry = self.state.config.faults.retry_after
                if fault == "429":
                    response: Response = fail(
                        429,
                        f"Too many requests. Please wait {max(1, round(retry))} seconds before retrying.",
                        {
                            "X-RateLimit-Retry-After": f"{retry:g}",
                            "X-RateLimit-Limit": "100",
                            "X-RateLimit-Remaining": "0",
                        },
                    )
                else:
                    response = fail(500, "Internal server error (injected by the sandbox).")
                await response(scope, receive, send)
                return
            scope.setdefault("state", {})["fault"] = fault
        await self.app(scope, receive, send)

    def _record_raw(self, method: str, path: str, status: int, info: dict[str, Any] | None) -> None:
        entry = {"method": method, "path": path, "status": status, "time": time.time()}
        if info:
            entry.update(info)
        with self.state.lock:
            self.state.log.append(entry)

    @staticmethod
    def api_path(scope: Scope) -> str:
        """The path relative to the API base (`/media/x/part`), whatever the mount point."""
        path, root = scope["path"], scope.get("root_path", "")
        return path[len(root) :] if root and path.startswith(root) else path

    def _record(self, request: Request, status: int, info: dict[str, Any] | None) -> None:
        self._record_raw(request.method, self.api_path(request.scope), status, info)

    def _authenticate(self, request: Request, kind: str) -> dict[str, Any] | None:
        if kind == "public":
            return None
        headers = request.headers
        if kind == "dashboard":
            auth = headers.get("authorization", "")
            if not auth.lower().startswith("bearer ") or not auth[7:].strip():
                raise ApiFail(401, "You are not logged in.")
            if auth[7:].strip() != self.state.config.dashboard_token:
                raise ApiFail(401, "Invalid token.")
            return self.state.users[self.state.demo_user_id]
        public, secret = headers.get("stream-public-key"), headers.get("stream-secret-key")
        auth = headers.get("authorization", "")
        if not public and auth.lower().startswith("basic "):
            try:
                public, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            except Exception:
                raise ApiFail(400, "Invalid basic auth format.") from None
        if not public or not secret:
            raise ApiFail(401, "You are not logged in.")
        key = self.state.keys.get(public)
        if key is None:
            raise ApiFail(401, "API key not found.")
        if not secrets.compare_digest(key["secret"], secret):
            raise ApiFail(401, "API key is invalid.")
        if key["type"] == "only_upload" and not any(request.url.path.endswith(p) for p in UPLOAD_ROUTES):
            raise ApiFail(403, "Api key are not allowed to access this resource.")
        return self.state.users[key["user_id"]]

    def _rate(self, user_id: str, kind: str) -> dict[str, str]:
        cls = kind if kind in ("read", "upload") else "write"
        limit = self.state.config.rate_limits.get(cls, 100_000)
        now = time.monotonic()
        with self.state.lock:
            window = [t for t in self.state.rate.get((user_id, cls), []) if now - t < 60]
            if len(window) >= limit:
                wait = int(60 - (now - window[0])) + 1
                raise ApiFail(
                    429,
                    f"Too many requests. Please wait {wait} seconds before retrying.",
                    {
                        "X-RateLimit-Limit": str(limit),
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Retry-After": str(wait),
                    },
                )
            window.append(now)
            self.state.rate[(user_id, cls)] = window
            return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(limit - len(window)),
                    "X-RateLimit-Retry-After": "0"}  # fmt: skip

    async def _dispatch(self, request: Request, handler: Handler, kind: str) -> Response:
        info: dict[str, Any] = {"auth": bool(request.headers.get("stream-public-key"))}
        headers: dict[str, str] = {}
        try:
            user = self._authenticate(request, kind)
            if user is not None:
                info["user_id"] = user["id"]
                headers = self._rate(user["id"], kind)
            context = {"user": user, "info": info, "path": request.path_params}
            response = await handler(request, context)
        except NotFoundRoute:
            self._record(request, 404, info)
            return JSONResponse(
                {"message": "Route not found", "path": "/api" + self.api_path(request.scope), "method": request.method},
                404,
            )
        except ApiFail as exc:
            response = fail(exc.status, exc.message, {**headers, **exc.headers})
        response.headers.update(headers)
        self._record(request, response.status_code, info)
        return response

    async def _json(self, request: Request) -> dict[str, Any]:
        raw = await request.body()
        if not raw:
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            raise ApiFail(400, "Invalid request body.") from None
        if not isinstance(body, dict):
            raise ApiFail(400, "Invalid request body.")
        return body

    def _own(self, table: dict[str, dict[str, Any]], ident: str, user: dict[str, Any], what: str) -> dict[str, Any]:
        item = table.get(ident)
        if item is None or item.get("user_id") != user["id"] or item.get("status") == "deleted":
            raise ApiFail(404, f"{what} not found.")
        return item

    @staticmethod
    def _page(request: Request | dict[str, Any], strict: bool) -> tuple[int, int]:
        source = request.query_params if isinstance(request, Request) else request
        try:
            offset = int(source.get("offset", 0) or 0)
            limit = int(source.get("limit", 25) or 25)
        except (TypeError, ValueError):
            raise ApiFail(400, "Invalid pagination.") from None
        if offset < 0 or limit < 1:
            raise ApiFail(400, "Invalid pagination.")
        if limit > 100:
            if strict:
                raise ApiFail(400, "Limit must be less than or equal to 100.")
            limit = 100
        return offset, limit

    # ------------------------------------------------------------------ media

    def media_view(self, m: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in m.items() if not k.startswith("_")}
        if m["status"] in ("new", "transcoding") and m["_internal"] in ("waiting", "transcoding"):
            out["status"] = "transcoding"
        if any(q["status"] == "done" for q in m["qualities"]):
            mid = m["id"]
            base = "https://api.aiozstream.network/api/media/" + mid
            embed = "https://embed.aiozstream.network/vod"
            assets = {
                "source_url": base + "/source",
                "thumbnail_url": base + "/thumbnail?resolution=original",
                "hls_url": base + "/manifest.m3u8",
                "dash_url": base + "/manifest",
                "hls_player_url": f"{embed}/hls/{mid}",
                "dash_player_url": f"{embed}/dash/{mid}",
                "hls_iframe": f'<iframe src="{embed}/hls/{mid}"></iframe>',
                "dash_iframe": f'<iframe src="{embed}/dash/{mid}"></iframe>',
            }
            if m["type"] == "video":
                assets["mp4_url"] = base + "/mp4"
            out["assets"] = assets
        else:
            out["assets"] = {}
        return out

    async def media_create(self, request: Request, ctx: dict[str, Any]) -> Response:
        body = await self._json(request)
        title = body.get("title")
        if not isinstance(title, str) or not title.strip():
            raise ApiFail(400, "Title is required.")
        if len(title) > 255:
            raise ApiFail(400, "Title must be at most 255 characters.")
        if len(str(body.get("description") or "")) > 1000:
            raise ApiFail(400, "Description must be at most 1000 characters.")
        media_type = body.get("type", "video")
        if media_type not in ("video", "audio"):
            raise ApiFail(400, "Invalid media type.")
        tags = body.get("tags") or []
        if not isinstance(tags, list) or len(tags) > 50 or any(not isinstance(t, str) or len(t) > 255 for t in tags):
            raise ApiFail(400, "Invalid tags.")
        metadata = body.get("metadata") or []
        if not isinstance(metadata, list) or len(metadata) > 50:
            raise ApiFail(400, "Invalid metadata.")
        segment = body.get("segment_duration", 6)
        if not isinstance(segment, int) or not 1 <= segment <= 10:
            raise ApiFail(400, "Invalid segment duration.")
        qualities = body.get("qualities") or [
            {"resolution": r, "type": "hls"}
            for r in (("360p", "720p", "1080p") if media_type == "video" else ("standard",))
        ]
        names = VIDEO_RES if media_type == "video" else AUDIO_RES
        out_q = []
        for q in qualities:
            res = q.get("resolution")
            if res not in names:
                raise ApiFail(400, f"Invalid resolution {res}.")
            codec = (q.get("video_config") or {}).get("codec", "h264")
            if media_type == "video" and codec == "h264" and VIDEO_RES.index(res) > VIDEO_RES.index("2160p"):
                raise ApiFail(400, "h264 supports resolutions up to 2160p.")
            out_q.append({"name": res, "status": "waiting", "type": q.get("type", "hls"),
                          "video_codec": codec if media_type == "video" else "", "audio_codec": "aac",
                          "video_bitrate": 0, "audio_bitrate": 0})  # fmt: skip
        mid = str(uuid.uuid4())
        media = {
            "id": mid, "user_id": ctx["user"]["id"], "title": title, "description": body.get("description", ""),
            "metadata": [{"key": str(x.get("key", "")).lower(), "value": str(x.get("value", "")).lower()}
                         for x in metadata if isinstance(x, dict)],
            "tags": sorted({t.lower() for t in tags}), "qualities": out_q, "captions": [], "chapters": [],
            "view": 0, "player_theme": None, "player_theme_id": "", "duration": 0, "type": media_type,
            "size": 0, "is_mp4": False, "is_public": body.get("is_public", True), "status": "new",
            "created_at": now_iso(), "updated_at": now_iso(), "_internal": "new",
            "_watermark": body.get("watermark"), "_segment": segment,
        }  # fmt: skip
        with self.state.lock:
            self.state.media[mid] = media
            self.state.parts[mid] = {}
        return ok(self.media_view(media))

    async def media_list(self, request: Request, ctx: dict[str, Any]) -> Response:
        body = await self._json(request)
        offset, limit = self._page(body, strict=False)
        media_type = body.get("type", "video")
        if media_type not in ("video", "audio"):
            raise ApiFail(500, "Internal server error.")  # the backend's own bug (docs/aioz-api.md §skill-vs-facts)
        statuses = body.get("status") or []
        if isinstance(statuses, str):
            raise ApiFail(400, "Invalid status: must be an array.")
        search = str(body.get("search") or "").lower()
        tags = set(body.get("tags") or [])
        items = [
            self.media_view(m)
            for m in self.state.media.values()
            if m["user_id"] == ctx["user"]["id"] and m["type"] == media_type and m["status"] != "deleted"
        ]
        items = [m for m in items if (not statuses or m["status"] in statuses)]
        items = [m for m in items if search in m["title"].lower() and tags <= set(m["tags"])]
        sort_by = body.get("sort_by", "created_at")
        if sort_by not in ("created_at", "updated_at", "title", "size", "status", "view"):
            raise ApiFail(400, "Invalid sort_by.")
        items.sort(key=lambda m: (m[sort_by], m["created_at"]), reverse=body.get("order_by", "asc") == "desc")
        return ok({"media": items[offset : offset + limit], "total": len(items)})

    async def media_get(self, request: Request, ctx: dict[str, Any]) -> Response:
        return ok(self.media_view(self._own(self.state.media, ctx["path"]["id"], ctx["user"], "Media")))

    async def media_cost(self, request: Request, ctx: dict[str, Any]) -> Response:
        q = request.query_params
        media_type = q.get("type", "video")
        names = VIDEO_RES if media_type == "video" else AUDIO_RES
        qualities = [x for x in q.get("qualities", "").split(",") if x]
        try:
            duration = float(q.get("duration", "0"))
        except ValueError:
            raise ApiFail(400, "Invalid duration.") from None
        if not qualities or any(x not in names for x in qualities) or duration <= 0:
            raise ApiFail(400, "Invalid qualities or duration.")
        price = round(sum(PRICE_PER_MINUTE[x] for x in qualities) * duration / 60, 6)
        balance = float(ctx["user"]["balance"])
        return ok({"price": price, "is_enough": balance >= price})

    async def media_update(self, request: Request, ctx: dict[str, Any]) -> Response:
        media = self._own(self.state.media, ctx["path"]["id"], ctx["user"], "Media")
        body = await self._json(request)
        allowed = {"title", "description", "tags", "metadata", "player_id", "is_public"}
        unknown = set(body) - allowed
        if unknown:
            raise ApiFail(400, f"Unknown field(s): {', '.join(sorted(unknown))}.")
        if "player_id" in body:
            pid = body["player_id"]
            if pid and pid not in self.state.players:
                raise ApiFail(404, "Player theme not found.")
            media["player_theme_id"] = pid or ""
        for key in ("title", "description", "is_public"):
            if key in body:
                media[key] = body[key]
        if "tags" in body:
            media["tags"] = sorted({str(t).lower() for t in body["tags"] or []})
        if "metadata" in body:
            media["metadata"] = body["metadata"] or []
        media["updated_at"] = now_iso()
        return ok(message="Update media info successfully.")

    async def media_delete(self, request: Request, ctx: dict[str, Any]) -> Response:
        media = self._own(self.state.media, ctx["path"]["id"], ctx["user"], "Media")
        media["status"] = "deleted"
        for items in self.state.playlist_items.values():
            items[:] = [i for i in items if i["video_id"] != media["id"]]
        return ok(message="Media deleted successfully.")

    async def media_part(self, request: Request, ctx: dict[str, Any]) -> Response:
        mid = ctx["path"]["id"]
        length = int(request.headers.get("content-length") or 0)
        if length > self.state.config.body_limit:
            raise ApiFail(413, "Request Entity Too Large")
        media = self._own(self.state.media, mid, ctx["user"], "Media")
        if media["_internal"] != "new":
            raise ApiFail(400, "Invalid media status.")
        match = RANGE_RE.match(request.headers.get("content-range", ""))
        if not match:
            raise ApiFail(400, "Invalid content range.")
        start, end, total = (int(x) for x in match.groups())
        if self.state.config.strict_parts:
            return await self._media_part_streamed(request, ctx, media, (start, end, total))
        form = await request.form(max_files=1, max_fields=10)
        try:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise ApiFail(400, "File is required.")
            try:
                index = int(str(form.get("index", "")))
            except ValueError:
                raise ApiFail(400, "Invalid index.") from None
            expected = str(form.get("hash", "")).strip()
            ctx["info"].update(index=index, content_range=f"{start}-{end}/{total}")
            if index < 0 or not expected:
                raise ApiFail(400, "Invalid index or hash.")
            if end < start or total <= 0 or total > 2 * 1024**4 or end >= total:
                raise ApiFail(400, "Invalid content range.")
            digest = hashlib.md5()
            size = 0
            target: Path | None = None
            sink = None
            if self.state.config.store_parts == "disk":
                target = self.state.workdir / mid / f"{index}.{secrets.token_hex(4)}.part"
                target.parent.mkdir(parents=True, exist_ok=True)
                sink = target.open("wb")
            try:
                while chunk := await upload.read(1 << 20):
                    digest.update(chunk)
                    size += len(chunk)
                    if sink is not None:
                        sink.write(chunk)
            finally:
                if sink is not None:
                    sink.close()
            md5 = digest.hexdigest()
            if end - start + 1 != size:
                raise ApiFail(400, "Invalid content range.")
            if md5 != expected.lower():
                raise ApiFail(400, "File corrupted.")
            with self.state.lock:
                existing = self.state.parts[mid].get(index)
                if existing is not None and existing.md5 == md5:
                    if target:
                        target.unlink(missing_ok=True)
                    raise ApiFail(400, "Part is already uploaded.")
                if media["size"] and media["size"] != total:
                    raise ApiFail(400, "Invalid content range.")
                media["size"] = total
                if existing is not None and existing.path:
                    existing.path.unlink(missing_ok=True)
                self.state.parts[mid][index] = Part(index, start, end, md5, target)
        finally:
            await form.close()
        if request.scope.get("state", {}).get("fault") == "ack_lost":
            ctx["info"]["ack_lost"] = True
            return DropResponse()
        return ok(message="Upload part successfully.")

    async def _media_part_streamed(
        self, request: Request, ctx: dict[str, Any], media: dict[str, Any], span: tuple[int, int, int]
    ) -> Response:
        """`strict_parts`: the body is parsed as it arrives and each byte of the file hashed once (no spooling)."""
        from .partstream import MultipartError, PartSink, PartStream, boundary_of

        mid = ctx["path"]["id"]
        start, end, total = span
        boundary = boundary_of(request.headers.get("content-type", ""))
        if boundary is None:
            raise ApiFail(400, "Request Content-Type isn't multipart/form-data.")
        target: Path | None = None
        if self.state.config.store_parts == "disk":
            target = self.state.workdir / mid / f"p{secrets.token_hex(6)}.part"
            target.parent.mkdir(parents=True, exist_ok=True)
        sink = PartSink(target)
        parser = PartStream(boundary, sink.write)
        received = 0
        try:
            async for chunk in request.stream():
                received += len(chunk)
                if received > self.state.config.body_limit:
                    raise ApiFail(413, "Request Entity Too Large")
                parser.feed(chunk)
                await sink.pump()
            parser.close()
            md5 = await sink.finish()
        except MultipartError:
            await sink.abort()
            raise ApiFail(400, "Invalid multipart form.") from None
        except BaseException:
            await sink.abort()
            raise
        try:
            if not parser.file_seen:
                raise ApiFail(400, "File is required.")
            try:
                index = int(parser.fields.get("index", "").strip())
            except ValueError:
                raise ApiFail(400, "Invalid index.") from None
            expected = parser.fields.get("hash", "").strip()
            ctx["info"].update(index=index, content_range=f"{start}-{end}/{total}")
            if index < 0 or not expected:
                raise ApiFail(400, "Invalid index or hash.")
            if end < start or total <= 0 or total > 2 * 1024**4 or end >= total:
                raise ApiFail(400, "Invalid content range.")
            if end - start + 1 != parser.file_size:
                raise ApiFail(400, "Invalid content range.")
            if md5 != expected.lower():
                raise ApiFail(400, "File corrupted.")
            with self.state.lock:
                existing = self.state.parts[mid].get(index)
                if existing is not None and existing.md5 == md5:
                    raise ApiFail(400, "Part is already uploaded.")
                if media["size"] and media["size"] != total:
                    raise ApiFail(400, "Invalid content range.")
                media["size"] = total
                if existing is not None and existing.path:
                    existing.path.unlink(missing_ok=True)
                self.state.parts[mid][index] = Part(index, start, end, md5, target)
                target = None  # kept
        finally:
            if target is not None:
                target.unlink(missing_ok=True)
        if request.scope.get("state", {}).get("fault") == "ack_lost":
            ctx["info"]["ack_lost"] = True
            return DropResponse()
        return ok(message="Upload part successfully.")

    async def media_complete(self, request: Request, ctx: dict[str, Any]) -> Response:
        mid = ctx["path"]["id"]
        media = self._own(self.state.media, mid, ctx["user"], "Media")
        if media["_internal"] != "new":
            raise ApiFail(400, "Invalid media status.")
        parts = sorted(self.state.parts.get(mid, {}).values(), key=lambda p: p.index)
        if not parts:
            raise ApiFail(400, "Invalid media.")
        position = 0
        for part in parts:
            if part.start != position:
                raise ApiFail(400, "Invalid media size")
            position = part.end + 1
        if position != media["size"]:
            raise ApiFail(400, "Invalid media size")
        record: dict[str, Any] = {"size": position, "parts": len(parts), "sha256": None}
        if self.state.config.store_parts == "disk":
            sha = hashlib.sha256()
            head = b""
            out_path = self.state.workdir / mid / "assembled.bin"
            with out_path.open("wb") as out:
                for part in parts:
                    assert part.path is not None
                    with part.path.open("rb") as src:
                        while chunk := src.read(1 << 20):
                            if len(head) < 64:
                                head += chunk[:64]
                            sha.update(chunk)
                            out.write(chunk)
                    part.path.unlink(missing_ok=True)
            record.update(sha256=sha.hexdigest(), path=str(out_path))
            if self.state.config.check_mime and not _looks_like_media(head):
                media["status"] = "deleted"
                raise ApiFail(400, "Invalid media type.")
        user = ctx["user"]
        duration = 60.0
        price = sum(PRICE_PER_MINUTE.get(q["name"], 0.01) for q in media["qualities"]) * duration / 60
        if float(user["balance"]) < price:
            media["status"] = "deleted"
            raise ApiFail(400, "Not enough balance, media deleted.")
        user["balance"] = f"{float(user['balance']) - price:.6f}"
        with self.state.lock:
            self.state.assembled[mid] = record
            media.update(status="transcoding", _internal="waiting", duration=duration, updated_at=now_iso())
            media["_completed_at"] = time.time()
        asyncio.get_running_loop().create_task(self._transcode(mid))
        return ok(message="Upload media complete successfully.")

    async def _transcode(self, mid: str, *, immediate: bool = False) -> None:
        media = self.state.media[mid]
        config = self.state.config
        stages = 1 + len(media["qualities"])
        step = config.transcode_step if config.transcode_seconds is None else config.transcode_seconds / stages
        step = 0 if immediate else step
        await self._emit(media, "file.received", "waiting", ",".join(q["name"] for q in media["qualities"]))
        await asyncio.sleep(step)
        if media["_internal"] != "waiting":
            return
        media["_internal"] = "transcoding"
        for q in media["qualities"]:
            q["status"] = "transcoding"
        await self._emit(media, "encoding.started", "transcoding", "")
        failing = config.fail_encoding or "fail-encode" in media["title"]
        for i, q in enumerate(media["qualities"]):
            await asyncio.sleep(step)
            if media["status"] == "deleted":
                return
            if failing and i == len(media["qualities"]) - 1:
                q["status"] = "fail"
                media.update(status="fail", _internal="fail", updated_at=now_iso())
                await self._emit(media, "encoding.failed", "fail", q["name"])
                return
            q["status"] = "done"
            await self._emit(media, "partial.finished", "", q["name"])
        media.update(status="done", _internal="done", updated_at=now_iso(), is_mp4=media["type"] == "video")
        names = sorted((q["name"] for q in media["qualities"]), key=lambda n: (len(n), n))
        await self._emit(media, "encoding.finished", "done", ",".join(names))

    async def _emit(self, media: dict[str, Any], event: str, status: str, qualities: str) -> None:
        flag = event.replace(".", "_")
        payload = {
            "type": event, "emitted_at": now_iso(), "media_id": media["id"], "qualities": qualities,
            "title": media["title"], "status": status, "media_type": "video", "user_id": media["user_id"],
        }  # fmt: skip
        hooks = [h for h in self.state.webhooks.values() if h["user_id"] == media["user_id"] and h.get(flag)]
        for hook in hooks:
            await self._deliver(hook["url"], payload, timeout=3.0, record=True)

    async def _deliver(self, url: str, payload: dict[str, Any], *, timeout: float, record: bool) -> int | None:
        """POST to a loopback URL only; anything else is recorded as refused and never contacted."""
        host = urlparse(url).hostname or ""
        entry: dict[str, Any] = {"url": url, "payload": payload, "status": None}
        if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("127."):
            entry["error"] = "not loopback: the sandbox never leaves this machine"
        else:
            if self._http is None:
                self._http = httpx.AsyncClient()
            try:
                response = await self._http.post(url, json=payload, timeout=timeout)
                entry["status"] = response.status_code
            except httpx.HTTPError as exc:
                entry["error"] = type(exc).__name__
        if record:
            with self.state.lock:
                self.state.deliveries.append(entry)
        return entry["status"]

    async def thumbnail_set(self, request: Request, ctx: dict[str, Any]) -> Response:
        media = self._own(self.state.media, ctx["path"]["id"], ctx["user"], "Media")
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ApiFail(400, "File is required.")
        data = await upload.read()
        await form.close()
        if not (data.startswith(b"\x89PNG") or data.startswith(b"\xff\xd8")):
            raise ApiFail(400, "Invalid thumbnail file type.")
        if len(data) > 8 * 1024 * 1024:
            raise ApiFail(400, "Thumbnail must be at most 8 MB.")
        media["_thumbnail"] = len(data)
        return ok(message="Upload thumbnail successfully.")

    async def thumbnail_delete(self, request: Request, ctx: dict[str, Any]) -> Response:
        media = self._own(self.state.media, ctx["path"]["id"], ctx["user"], "Media")
        media.pop("_thumbnail", None)
        return ok(message="Delete thumbnail successfully.")

    async def player_json(self, request: Request, ctx: dict[str, Any]) -> Response:
        media = self.state.media.get(ctx["path"]["id"])
        if media is None or media["status"] == "deleted":
            raise ApiFail(404, "Media not found.")
        view = self.media_view(media)
        return JSONResponse({"id": view["id"], "title": view["title"], "assets": view["assets"]})

    # ------------------------------------------------------------------ chapters, captions, transcripts

    def _caption_table(self, kind: str) -> dict[str, dict[str, dict[str, Any]]]:
        if kind == "transcripts" and not self.state.config.transcripts_enabled:
            raise NotFoundRoute()
        return {
            "chapters": self.state.chapters,
            "captions": self.state.captions,
            "transcripts": self.state.transcripts,
        }[kind]

    @staticmethod
    def _singular(kind: str) -> str:
        return {"chapters": "media_chapter", "captions": "media_caption", "transcripts": "media_transcript"}[kind]

    def _caption_list(self, kind: str) -> Handler:
        async def handler(request: Request, ctx: dict[str, Any]) -> Response:
            table = self._caption_table(kind)
            self._own(self.state.media, ctx["path"]["id"], ctx["user"], "Media")
            offset, limit = self._page(request, strict=False)
            items = list(table.get(ctx["path"]["id"], {}).values())
            return ok({self._singular(kind) + "s": items[offset : offset + limit], "total": len(items)})

        return handler

    def _caption_add(self, kind: str) -> Handler:
        async def handler(request: Request, ctx: dict[str, Any]) -> Response:
            table = self._caption_table(kind)
            mid, lan = ctx["path"]["id"], ctx["path"]["lan"]
            self._own(self.state.media, mid, ctx["user"], "Media")
            if not re.match(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$", lan):
                raise ApiFail(400, "Invalid language.")
            form = await request.form()
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise ApiFail(400, "File is required.")
            data = await upload.read()
            await form.close()
            if not data.lstrip(b"\xef\xbb\xbf").startswith(b"WEBVTT"):
                raise ApiFail(400, "Invalid file: must be a WebVTT (.vtt) file.")
            existing = table.setdefault(mid, {})
            primary = lan.split("-")[0].lower()
            if kind == "transcripts" and any(k.split("-")[0].lower() == primary for k in existing):
                raise ApiFail(400, "Transcript for this language already exists.")
            if kind != "transcripts" and lan in existing:
                raise ApiFail(400, f"{kind[:-1].title()} for this language already exists.")
            url = f"https://api.aiozstream.network/api/media/{mid}/{kind}/{lan}.vtt"
            item: dict[str, Any] = {"url": url, "language": lan}
            if kind != "chapters":
                item.update(status="done", description=str(form.get("description") or ""), is_default=not existing)
            existing[lan] = item
            return ok({self._singular(kind): item}, status=201)

        return handler

    def _caption_default(self, kind: str) -> Handler:
        async def handler(request: Request, ctx: dict[str, Any]) -> Response:
            table = self._caption_table(kind)
            mid, lan = ctx["path"]["id"], ctx["path"]["lan"]
            self._own(self.state.media, mid, ctx["user"], "Media")
            items = table.get(mid, {})
            if lan not in items:
                raise ApiFail(404, f"{kind[:-1].title()} not found.")
            body = await self._json(request)
            if body.get("is_default") is True:
                for other in items.values():
                    other["is_default"] = False
            items[lan]["is_default"] = bool(body.get("is_default"))
            return ok(message=f"Update {kind[:-1]} successfully.")

        return handler

    def _caption_delete(self, kind: str) -> Handler:
        async def handler(request: Request, ctx: dict[str, Any]) -> Response:
            table = self._caption_table(kind)
            mid, lan = ctx["path"]["id"], ctx["path"]["lan"]
            self._own(self.state.media, mid, ctx["user"], "Media")
            if table.get(mid, {}).pop(lan, None) is None:
                raise ApiFail(404, f"{kind[:-1].title()} not found.")
            return ok(message=f"Delete {kind[:-1]} successfully.")

        return handler

    # ------------------------------------------------------------------ account

    async def user_me(self, request: Request, ctx: dict[str, Any]) -> Response:
        return ok({"user": dict(ctx["user"])})

    def _key_view(self, key: dict[str, Any], with_secret: bool = False) -> dict[str, Any]:
        out = {k: v for k, v in key.items() if k not in ("secret", "user_id")}
        out["truncated_secret"] = key["secret"][:6] + "***"
        if with_secret:
            out["secret"] = key["secret"]
        return out

    async def key_create(self, request: Request, ctx: dict[str, Any]) -> Response:
        body = await self._json(request)
        name, ttl, kind = body.get("api_key_name"), body.get("ttl"), body.get("type", "full_access")
        if not isinstance(name, str) or not name.strip():
            raise ApiFail(400, "Api key name is required.")
        if not isinstance(ttl, str) or not ttl.isdigit() or not 0 < int(ttl) <= 2147483647:
            raise ApiFail(400, "Invalid ttl.")  # a string on the wire (docs/aioz-api.md §api-keys)
        if kind not in ("full_access", "only_upload"):
            raise ApiFail(400, "Invalid api key type.")
        public = "sbx-pk-" + secrets.token_hex(12)
        key = {
            "id": str(uuid.uuid4()), "name": name, "public_key": public, "secret": "sbx-sk-" + secrets.token_hex(24),
            "type": kind, "ttl": ttl, "user_id": ctx["user"]["id"], "created_at": now_iso(), "updated_at": now_iso(),
            "expired_at": datetime.fromtimestamp(time.time() + int(ttl), UTC).isoformat().replace("+00:00", "Z"),
        }  # fmt: skip
        self.state.keys[public] = key
        return ok({"api_key": self._key_view(key, with_secret=True)}, status=201)

    def _user_keys(self, user: dict[str, Any]) -> list[dict[str, Any]]:
        return [k for k in self.state.keys.values() if k["user_id"] == user["id"]]

    async def key_list(self, request: Request, ctx: dict[str, Any]) -> Response:
        offset, limit = self._page(request, strict=False)
        search = request.query_params.get("search", "").lower()
        keys = [self._key_view(k) for k in self._user_keys(ctx["user"]) if search in k["name"].lower()]
        return ok({"api_keys": keys[offset : offset + limit], "total": len(keys)})

    def _find_key(self, ctx: dict[str, Any]) -> dict[str, Any]:
        for key in self._user_keys(ctx["user"]):
            if key["id"] == ctx["path"]["id"]:
                return key
        raise ApiFail(404, "Api key not found.")

    async def key_update(self, request: Request, ctx: dict[str, Any]) -> Response:
        key = self._find_key(ctx)
        name = (await self._json(request)).get("api_key_name")
        if not isinstance(name, str) or not name.strip():
            raise ApiFail(400, "Api key name is required.")
        key["name"] = name
        return ok(message="Update api key successfully.")

    async def key_delete(self, request: Request, ctx: dict[str, Any]) -> Response:
        key = self._find_key(ctx)
        del self.state.keys[key["public_key"]]
        return ok(message="Delete api key successfully.")

    async def pay_usage(self, request: Request, ctx: dict[str, Any]) -> Response:
        return ok({"storage": 1048576, "storage_cost": "0.01", "delivery": 2097152, "delivery_cost": "0.02",
                   "transcode": 120, "transcode_cost": "0.03"})  # fmt: skip

    async def pay_topups(self, request: Request, ctx: dict[str, Any]) -> Response:
        offset, limit = self._page(request, strict=False)
        items = [{"transaction_id": "0x" + "ab" * 32, "from": "0x" + "cd" * 20, "credit": "10", "status": "success",
                  "created_at": "2026-10-01T00:00:00Z"}]  # fmt: skip
        return ok({"total": len(items), "top_ups": items[offset : offset + limit]})

    async def pay_billings(self, request: Request, ctx: dict[str, Any]) -> Response:
        offset, limit = self._page(request, strict=False)
        items = [{"storage": 1, "storage_cost": "0.01", "delivery": 2, "delivery_cost": "0.02", "transcode": 3,
                  "transcode_cost": "0.03", "created_at": "2026-10-31T00:00:00Z"}]  # fmt: skip
        return ok({"total": len(items), "billings": items[offset : offset + limit]})

    # ------------------------------------------------------------------ webhooks

    HOOK_FLAGS = ("file_received", "encoding_started", "partial_finished", "encoding_finished", "encoding_failed")

    def _hook_fields(self, body: dict[str, Any], hook: dict[str, Any], creating: bool) -> None:
        if creating or "url" in body:
            url = body.get("url")
            parsed = urlparse(str(url or ""))
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                raise ApiFail(400, "Invalid webhook url.")
            hook["url"] = url
        if creating or "name" in body:
            hook["name"] = str(body.get("name") or "webhook")
        for flag in self.HOOK_FLAGS:
            if flag in body:
                if not isinstance(body[flag], bool):
                    raise ApiFail(400, f"Invalid {flag}.")
                hook[flag] = body[flag]
            elif creating:
                hook[flag] = False
        hook["updated_at"] = now_iso()

    async def hook_create(self, request: Request, ctx: dict[str, Any]) -> Response:
        body = await self._json(request)
        hook: dict[str, Any] = {"id": str(uuid.uuid4()), "user_id": ctx["user"]["id"], "created_at": now_iso(),
                                "last_triggered_at": None}  # fmt: skip
        self._hook_fields(body, hook, creating=True)
        self.state.webhooks[hook["id"]] = hook
        return ok({"webhook": hook}, status=201)

    async def hook_list(self, request: Request, ctx: dict[str, Any]) -> Response:
        offset, limit = self._page(request, strict=False)
        hooks = [h for h in self.state.webhooks.values() if h["user_id"] == ctx["user"]["id"]]
        return ok({"webhooks": hooks[offset : offset + limit], "total": len(hooks)})

    async def hook_get(self, request: Request, ctx: dict[str, Any]) -> Response:
        return ok({"webhook": self._own(self.state.webhooks, ctx["path"]["id"], ctx["user"], "Webhook")})

    async def hook_update(self, request: Request, ctx: dict[str, Any]) -> Response:
        hook = self._own(self.state.webhooks, ctx["path"]["id"], ctx["user"], "Webhook")
        self._hook_fields(await self._json(request), hook, creating=False)
        return ok(message="Update webhook successfully.")

    async def hook_delete(self, request: Request, ctx: dict[str, Any]) -> Response:
        self._own(self.state.webhooks, ctx["path"]["id"], ctx["user"], "Webhook")
        del self.state.webhooks[ctx["path"]["id"]]
        return ok(message="Delete webhook successfully.")

    async def hook_check(self, request: Request, ctx: dict[str, Any]) -> Response:
        hook = self._own(self.state.webhooks, ctx["path"]["id"], ctx["user"], "Webhook")
        payload = {"type": "encoding.started", "emitted_at": now_iso(), "media_id": ZERO_UUID, "qualities": "720p",
                   "title": "Test.mp4", "status": "transcoding", "media_type": "video",
                   "user_id": ctx["user"]["id"]}  # fmt: skip
        status = await self._deliver(hook["url"], payload, timeout=1.0, record=True)
        if status != 200:
            raise ApiFail(400, "Failed to check webhook: the endpoint did not answer HTTP 200.")
        hook["last_triggered_at"] = now_iso()
        return ok(message="Check webhook successfully.")

    # ------------------------------------------------------------------ players

    def _player_fields(self, body: dict[str, Any], player: dict[str, Any]) -> None:
        if "name" in body:
            player["name"] = str(body["name"])
        theme = body.get("theme") or {}
        if not isinstance(theme, dict):
            raise ApiFail(400, "Invalid theme.")
        for key, value in theme.items():
            if key in COLOUR_FIELDS:
                if not isinstance(value, str) or not RGBA_RE.match(value):
                    raise ApiFail(400, f"Invalid {key}: must be rgba format.")
            elif key in SIZE_FIELDS:
                if not isinstance(value, str) or not PX_RE.match(value):
                    raise ApiFail(400, f"Invalid {key}: must be px format.")
            else:
                raise ApiFail(400, f"Invalid theme field {key}.")
            player["theme"][key] = value
        controls = body.get("controls") or {}
        for key, value in controls.items():
            if key not in ("enable_api", "enable_controls", "force_autoplay", "hide_title", "force_loop"):
                raise ApiFail(400, f"Invalid control {key}.")
            player["controls"][key] = bool(value)
        if body.get("is_default") is True:
            for other in self.state.players.values():
                if other["user_id"] == player["user_id"]:
                    other["is_default"] = False
            player["is_default"] = True
        elif body.get("is_default") is False:
            player["is_default"] = False

    async def player_create(self, request: Request, ctx: dict[str, Any]) -> Response:
        body = await self._json(request)
        player = {
            "id": str(uuid.uuid4()), "name": "default-player-theme", "theme": {}, "is_default": False,
            "controls": {"enable_api": True, "enable_controls": True, "force_autoplay": False, "hide_title": False,
                         "force_loop": False},
            "asset": {"logo_link": "", "logo_image_link": ""}, "user_id": ctx["user"]["id"], "created_at": now_iso(),
        }  # fmt: skip
        self._player_fields(body, player)
        self.state.players[player["id"]] = player
        return ok({"player_theme": player}, status=201)

    async def player_list(self, request: Request, ctx: dict[str, Any]) -> Response:
        offset, limit = self._page(request, strict=True)
        search = request.query_params.get("search", "").lower()
        items = [p for p in self.state.players.values() if p["user_id"] == ctx["user"]["id"]]
        items = [p for p in items if search in p["name"].lower()]
        return ok({"player_themes": items[offset : offset + limit], "total": len(items)})

    async def player_get(self, request: Request, ctx: dict[str, Any]) -> Response:
        return ok({"player_theme": self._own(self.state.players, ctx["path"]["id"], ctx["user"], "Player theme")})

    async def player_update(self, request: Request, ctx: dict[str, Any]) -> Response:
        player = self._own(self.state.players, ctx["path"]["id"], ctx["user"], "Player theme")
        self._player_fields(await self._json(request), player)
        return ok(message="Update player theme successfully.")

    async def player_delete(self, request: Request, ctx: dict[str, Any]) -> Response:
        pid = ctx["path"]["id"]
        self._own(self.state.players, pid, ctx["user"], "Player theme")
        if any(m["player_theme_id"] == pid and m["status"] != "deleted" for m in self.state.media.values()):
            raise ApiFail(400, "Player theme is being used by media.")
        del self.state.players[pid]
        return ok(message="Delete player theme successfully.")

    async def logo_set(self, request: Request, ctx: dict[str, Any]) -> Response:
        player = self._own(self.state.players, ctx["path"]["id"], ctx["user"], "Player theme")
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ApiFail(400, "File is required.")
        data = await upload.read()
        link = str(form.get("link") or "")
        await form.close()
        size = _image_size(data)
        if size is None:
            raise ApiFail(400, "Invalid logo file type: only jpg and png.")
        if len(data) > 100 * 1024:
            raise ApiFail(400, "Logo must be at most 100KB.")
        if size[0] > 200 or size[1] > 100:
            raise ApiFail(400, "Logo must be at most 200x100 px.")
        if link and urlparse(link).scheme not in ("http", "https"):
            raise ApiFail(400, "Invalid logo link.")
        player["asset"] = {"logo_link": link, "logo_image_link": f"https://cdn.sandbox.invalid/logo/{player['id']}"}
        return ok({"player_theme": player}, status=201)

    async def logo_delete(self, request: Request, ctx: dict[str, Any]) -> Response:
        player = self._own(self.state.players, ctx["path"]["id"], ctx["user"], "Player theme")
        player["asset"] = {"logo_link": "", "logo_image_link": ""}
        return ok(message="Delete logo successfully.")

    async def _assignment(self, request: Request, ctx: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        body = await self._json(request)
        if "video_id" in body and "media_id" not in body:
            raise ApiFail(400, "media_id is required.")  # the skill's video_id is wrong (docs/aioz-api.md §players)
        media = self._own(self.state.media, str(body.get("media_id")), ctx["user"], "Media")
        player = self._own(self.state.players, str(body.get("player_theme_id")), ctx["user"], "Player theme")
        return media, player

    async def player_assign(self, request: Request, ctx: dict[str, Any]) -> Response:
        media, player = await self._assignment(request, ctx)
        media["player_theme_id"] = player["id"]
        return ok(message="Add player theme to media successfully.")

    async def player_unassign(self, request: Request, ctx: dict[str, Any]) -> Response:
        media, player = await self._assignment(request, ctx)
        if media["player_theme_id"] != player["id"]:
            raise ApiFail(400, "Player theme is not assigned to this media.")
        media["player_theme_id"] = ""
        return ok(message="Remove player theme from media successfully.")

    # ------------------------------------------------------------------ analytics

    async def _analytics_body(self, request: Request) -> dict[str, Any]:
        body = await self._json(request)
        start, end = body.get("from"), body.get("to", int(time.time()))
        if not isinstance(start, int) or not isinstance(end, int) or start < 0 or start > end:
            raise ApiFail(400, "Invalid time range: from and to must be unix timestamps with from <= to.")
        return body

    @staticmethod
    def _context(body: dict[str, Any], **extra: str) -> dict[str, Any]:
        frame = {
            "from": datetime.fromtimestamp(body["from"], UTC).isoformat().replace("+00:00", "Z"),
            "to": datetime.fromtimestamp(body.get("to", int(time.time())), UTC).isoformat().replace("+00:00", "Z"),
        }
        return {**extra, "time_frame": frame, "filter": body.get("filter_by") or {}}

    async def an_data(self, request: Request, ctx: dict[str, Any]) -> Response:
        metric, agg = ctx["path"]["metric"], ctx["path"]["agg"]
        if agg not in DATA_AGG.get(metric, ()):
            raise ApiFail(400, "Invalid metric or aggregation.")
        body = await self._analytics_body(request)
        value = (body["to"] - body["from"]) // 3600 % 997 if agg != "rate" else 0.42
        return ok({"context": self._context(body, metric=metric, aggregation=agg), "data": value})

    async def an_bucket(self, request: Request, ctx: dict[str, Any]) -> Response:
        metric, breakdown = ctx["path"]["metric"], ctx["path"]["breakdown"]
        if metric not in BUCKET_METRICS or breakdown not in BREAKDOWNS:
            raise ApiFail(400, "Invalid metric or breakdown.")
        body = await self._analytics_body(request)
        offset, limit = self._page(body, strict=True)
        values = {
            "device-type": ["computer", "phone", "tablet"],
            "continent": ["AS", "EU", "NA"],
            "country": ["VN", "US", "DE"],
            "browser": ["chrome", "safari"],
            "operator-system": ["windows", "ios", "android"],
            "media-type": ["video", "audio"],
            "media-id": [m for m in self.state.media if self.state.media[m]["user_id"] == ctx["user"]["id"]],
        }
        rows = [{"metric_value": 100 - 17 * i, "dimension_value": v, "emitted_at": "0001-01-01T00:00:00Z"}
                for i, v in enumerate(values[breakdown])]  # fmt: skip
        ctx_out = self._context(body, metric=metric, breakdown=breakdown.replace("-", "_"))
        return ok({"context": ctx_out, "total": len(rows), "data": rows[offset : offset + limit]})

    async def an_series(self, request: Request, ctx: dict[str, Any]) -> Response:
        metric, interval = ctx["path"]["metric"], ctx["path"]["interval"]
        if metric not in BUCKET_METRICS or interval not in INTERVALS:
            raise ApiFail(400, "Invalid metric or interval.")
        body = await self._analytics_body(request)
        offset, limit = self._page(body, strict=True)
        step = {"hour": 3600, "day": 86400, "week": 604800, "month": 2592000}[interval]
        points = list(range(body["from"] - body["from"] % step, body.get("to", int(time.time())) + 1, step))[:500]
        rows = [{"metric_value": (t // step) % 50, "dimension_value": "", "emitted_at": _iso(t)} for t in points]
        ctx_out = self._context(body, metric=metric, interval=interval)
        return ok({"context": ctx_out, "total": len(rows), "data": rows[offset : offset + limit]})

    # ------------------------------------------------------------------ playlists

    def _pl_view(self, pl: dict[str, Any], with_items: bool) -> dict[str, Any]:
        items = self.state.playlist_items.get(pl["id"], [])
        out = dict(pl, item_count=len(items))
        if with_items:
            views = []
            for i, item in enumerate(items):
                media = self.state.media.get(item["video_id"])
                views.append(dict(item, next_id=items[i + 1]["id"] if i + 1 < len(items) else None,
                                  previous_id=items[i - 1]["id"] if i else None,
                                  media=self.media_view(media) if media else None))  # fmt: skip
            out["items"] = views
        return out

    async def _pl_body(self, request: Request) -> dict[str, Any]:
        if request.headers.get("content-type", "").startswith("multipart/"):
            form = await request.form()
            body: dict[str, Any] = {}
            for key in ("name", "playlist_type"):
                if form.get(key) is not None:
                    body[key] = str(form.get(key))
            if form.get("tags") is not None:
                body["tags"] = [t for t in str(form.get("tags")).split(",") if t]
            parts = form.getlist("metadata")
            if parts:  # the spec's array of {key, value}: one JSON object per part (OpenAPI multipart encoding)
                try:
                    pairs = [json.loads(str(part)) for part in parts]
                except ValueError:
                    raise ApiFail(400, "Invalid metadata.") from None
                if not all(isinstance(p, dict) and set(p) == {"key", "value"} for p in pairs):
                    raise ApiFail(400, "Invalid metadata.")
                body["metadata"] = pairs
            upload = form.get("file")
            if upload is not None and not isinstance(upload, str):
                data = await upload.read()
                if not (data.startswith(b"\x89PNG") or data.startswith(b"\xff\xd8")):
                    raise ApiFail(400, "Invalid thumbnail file type.")
                body["_thumbnail"] = True
            await form.close()
            return body
        return await self._json(request)

    async def pl_create(self, request: Request, ctx: dict[str, Any]) -> Response:
        body = await self._pl_body(request)
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ApiFail(400, "Name is required.")
        kind = body.get("playlist_type", "video")
        if kind not in ("video", "audio"):
            raise ApiFail(400, "Invalid playlist type.")
        pid = str(uuid.uuid4())
        pl = {
            "id": pid, "user_id": ctx["user"]["id"], "name": name, "playlist_type": kind,
            "tags": body.get("tags") or [], "metadata": body.get("metadata") or [], "size": 0, "duration": 0,
            "thumbnail_url": "", "playlist_url": f"https://embed.aiozstream.network/playlist/{pid}",
            "iframe": f'<iframe src="https://embed.aiozstream.network/playlist/{pid}"></iframe>',
            "created_at": now_iso(), "updated_at": now_iso(),
        }  # fmt: skip
        self.state.playlists[pid] = pl
        self.state.playlist_items[pid] = []
        return ok({"playlist": self._pl_view(pl, with_items=False)}, status=201)

    async def pl_list(self, request: Request, ctx: dict[str, Any]) -> Response:
        body = await self._json(request)
        offset, limit = self._page(body, strict=True)
        search = str(body.get("search") or "").lower()
        items = [p for p in self.state.playlists.values() if p["user_id"] == ctx["user"]["id"]]
        items = [self._pl_view(p, with_items=False) for p in items if search in p["name"].lower()]
        return ok({"playlists": items[offset : offset + limit], "total": len(items)})

    async def pl_get(self, request: Request, ctx: dict[str, Any]) -> Response:
        pl = self._own(self.state.playlists, ctx["path"]["id"], ctx["user"], "Playlist")
        return ok({"playlist": self._pl_view(pl, with_items=True)})

    async def pl_update(self, request: Request, ctx: dict[str, Any]) -> Response:
        pl = self._own(self.state.playlists, ctx["path"]["id"], ctx["user"], "Playlist")
        if not request.headers.get("content-type", "").startswith("multipart/"):
            raise ApiFail(400, "Request must be multipart/form-data.")
        body = await self._pl_body(request)
        for key in ("name", "tags", "metadata"):
            if key in body:
                pl[key] = body[key]
        if body.get("_thumbnail"):
            pl["thumbnail_url"] = f"https://cdn.sandbox.invalid/playlist/{pl['id']}.jpg"
        pl["updated_at"] = now_iso()
        return ok(message="Update playlist successfully.")

    async def pl_delete(self, request: Request, ctx: dict[str, Any]) -> Response:
        self._own(self.state.playlists, ctx["path"]["id"], ctx["user"], "Playlist")
        del self.state.playlists[ctx["path"]["id"]]
        self.state.playlist_items.pop(ctx["path"]["id"], None)
        return ok(message="Delete playlist successfully.")

    async def pl_thumb_delete(self, request: Request, ctx: dict[str, Any]) -> Response:
        pl = self._own(self.state.playlists, ctx["path"]["id"], ctx["user"], "Playlist")
        pl["thumbnail_url"] = ""
        return ok(message="Delete playlist thumbnail successfully.")

    async def pl_add(self, request: Request, ctx: dict[str, Any]) -> Response:
        pl = self._own(self.state.playlists, ctx["path"]["id"], ctx["user"], "Playlist")
        body = await self._json(request)
        if "video_id" in body and "media_id" not in body:
            raise ApiFail(400, "media_id is required.")  # the skill says video_id; the API wants media_id
        media = self._own(self.state.media, str(body.get("media_id")), ctx["user"], "Media")
        items = self.state.playlist_items[pl["id"]]
        if len(items) >= 100:
            raise ApiFail(400, "Playlist can have at most 100 items.")
        if any(i["video_id"] == media["id"] for i in items):
            raise ApiFail(400, "Media already in playlist.")
        items.append({"id": str(uuid.uuid4()), "playlist_id": pl["id"], "video_id": media["id"],
                      "created_at": now_iso(), "updated_at": now_iso()})  # fmt: skip
        return ok(message="Add media to playlist successfully.")

    async def pl_move(self, request: Request, ctx: dict[str, Any]) -> Response:
        pl = self._own(self.state.playlists, ctx["path"]["id"], ctx["user"], "Playlist")
        body = await self._json(request)
        items = self.state.playlist_items[pl["id"]]
        ids = [i["id"] for i in items]
        current, nxt, prev = body.get("current_id"), body.get("next_id"), body.get("previous_id")
        if current not in ids:
            raise ApiFail(400, "Invalid current_id.")
        if not nxt and not prev:
            raise ApiFail(400, "next_id or previous_id is required.")
        rest = [i for i in items if i["id"] != current]
        rest_ids = [i["id"] for i in rest]
        if (nxt and nxt not in rest_ids) or (prev and prev not in rest_ids):
            raise ApiFail(400, "Invalid next_id or previous_id.")
        if nxt and prev:
            if rest_ids.index(prev) + 1 != rest_ids.index(nxt):
                raise ApiFail(400, "previous_id and next_id are not adjacent.")
            position = rest_ids.index(nxt)
        elif nxt:
            if rest_ids.index(nxt) != 0:
                raise ApiFail(400, "Only next_id given: it must be the first item (move to top).")
            position = 0
        else:
            if rest_ids.index(prev) != len(rest_ids) - 1:
                raise ApiFail(400, "Only previous_id given: it must be the last item (move to bottom).")
            position = len(rest_ids)
        moving = items[ids.index(current)]
        rest.insert(position, moving)
        items[:] = rest
        return ok(message="Move playlist item successfully.")

    async def pl_remove(self, request: Request, ctx: dict[str, Any]) -> Response:
        pl = self._own(self.state.playlists, ctx["path"]["id"], ctx["user"], "Playlist")
        items = self.state.playlist_items[pl["id"]]
        before = len(items)
        items[:] = [i for i in items if i["id"] != ctx["path"]["item_id"]]
        if len(items) == before:
            raise ApiFail(404, "Playlist item not found.")
        return ok(message="Remove media from playlist successfully.")

    async def pl_player_json(self, request: Request, ctx: dict[str, Any]) -> Response:
        pl = self.state.playlists.get(ctx["path"]["id"])
        if pl is None:
            raise ApiFail(404, "Playlist not found.")
        return JSONResponse(self._pl_view(pl, with_items=True))


class NotFoundRoute(ApiFail):
    def __init__(self) -> None:
        super().__init__(404, "Route not found")


class DropResponse(Response):
    """The part was stored, then the connection drops before the answer ("ack lost")."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _drop(send)


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            return


async def _drop(send: Send) -> None:
    """Start a response that promises a body, then abandon it: the client sees a broken connection."""
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]})
    await send({"type": "http.response.body", "body": b"{", "more_body": True})
    raise ConnectionAbortedError("sandbox fault: connection dropped")


def _looks_like_media(head: bytes) -> bool:
    return head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide") or head[:4] in (
        b"\x1a\x45\xdf\xa3",  # Matroska/WebM
        b"RIFF",
        b"ID3\x03",
        b"OggS",
    )


def _image_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 <= len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if 0xD0 <= marker <= 0xD9 or marker in (0x01, 0xFF):
                i += 2 if marker != 0xFF else 1
                continue
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                return int.from_bytes(data[i + 7 : i + 9], "big"), int.from_bytes(data[i + 5 : i + 7], "big")
            i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return None


def build_aioz_app(state: AiozState) -> AiozApp:
    """The ASGI app for `/aioz/api`."""
    return AiozApp(state)
