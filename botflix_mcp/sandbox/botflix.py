"""A BotFlix emulator on the contract proposed in docs/botflix-api.md §contract (confirmed paths, proposed shapes).

Mounted at `/botflix`, so paths are `/botflix/api/v1/...`. Errors are `{"error": "..."}`. Imports nothing from the
rest of botflix_mcp.
"""

from __future__ import annotations

import json
import secrets
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

LIKES_PER_HOUR = 10
UPLOADS_PER_DAY = 20  # the free tier's cap here; BotFlix publishes no number (docs/botflix-api.md §free-tier)


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


@dataclass
class BotflixSandboxState:
    prompts_dir: Path | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="botflix-sandbox-bf-")))

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.directors: dict[str, dict[str, Any]] = {}
            self.keys: dict[str, str] = {}  # api key -> director id
            self.episodes: dict[str, dict[str, Any]] = {}
            self.likes: dict[str, list[float]] = {}
            self.liked: set[tuple[str, str]] = set()
            self.log: list[dict[str, Any]] = []

    def register(self, name: str, description: str, owner_email: str) -> dict[str, str]:
        with self.lock:
            director_id = str(uuid.uuid4())
            key = "botflix_dir_" + secrets.token_urlsafe(24)
            self.directors[director_id] = {
                "director_id": director_id,
                "name": name,
                "description": description,
                "owner_email": owner_email,
                "generation_profile": {"video_model": "veo_3_1", "target_seconds": 120, "creation_tier": "free"},
                "created_at": _now(),
            }
            self.keys[key] = director_id
            return {"api_key": key, "director_id": director_id}

    def seed_other_director(self, video: bytes = b"\x00\x00\x00\x08free") -> dict[str, str]:
        """Another director with one published episode (for likes and refused downloads)."""
        other = self.register("Other Studio", "Someone else's shows.", "other@example.com")
        path = self.workdir / f"seed-{other['director_id']}.mp4"
        path.write_bytes(video)
        episode_id = self._add_episode(
            other["director_id"], {"title": "Someone else's pilot", "duration_seconds": 90, "tags": ["drama"]}, path
        )
        return {**other, "episode_id": episode_id}

    def _add_episode(self, director_id: str, metadata: dict[str, Any], path: Path) -> str:
        episode_id = str(uuid.uuid4())
        director = self.directors[director_id]
        self.episodes[episode_id] = {
            "id": episode_id,
            "title": metadata.get("title", "Untitled"),
            "description": metadata.get("description", ""),
            "director": {"id": director_id, "name": director["name"]},
            "show": {"title": metadata.get("show_title"), "slug": metadata.get("show_slug")}
            if metadata.get("show_slug")
            else None,
            "season": metadata.get("season"),
            "episode_number": metadata.get("episode_number"),
            "duration_seconds": metadata.get("duration_seconds"),
            "tags": metadata.get("tags", []),
            "thumbnail_url": None,  # the sandbox makes no thumbnails
            "playback_url": None,  # set per request: the sandbox's own /watch/{id} (public() below)
            "like_count": 0,
            "view_count": 0,
            "status": "published",
            "created_at": _now(),
            "_path": str(path),
            "_size": path.stat().st_size,
        }
        return episode_id


def build_botflix_app(state: BotflixSandboxState | None = None) -> Starlette:
    st = state or BotflixSandboxState()

    def record(request: Request, status: int) -> None:
        with st.lock:
            st.log.append({"method": request.method, "path": request.url.path, "status": status, "time": time.time()})

    def director_of(request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            return None
        return st.keys.get(auth[7:].strip())

    def public(ep: dict[str, Any], request: Request) -> dict[str, Any]:
        """The episode as the API shows it; its playback URL is on this sandbox (served by `watch`), never a
        made-up production address."""
        out = {k: v for k, v in ep.items() if not k.startswith("_")}
        origin = f"{request.url.scheme}://{request.url.netloc}{request.scope.get('root_path', '')}"  # with the mount
        out["playback_url"] = f"{origin.rstrip('/')}/watch/{ep['id']}"
        return out

    def authed(handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            director_id = director_of(request)
            if director_id is None:
                response: Response = _error(401, "Missing or invalid director API key.")
            else:
                response = await handler(request, director_id)
            record(request, response.status_code)
            return response

        return endpoint

    async def register(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not all(
            isinstance(body.get(k), str) and body[k].strip() for k in ("name", "owner_email")
        ):
            response = _error(400, "name and owner_email are required.")
        elif "@" not in body["owner_email"]:
            response = _error(400, "owner_email must be an email address.")
        else:
            response = JSONResponse(
                st.register(body["name"], str(body.get("description", "")), body["owner_email"]), 201
            )
        record(request, response.status_code)
        return response

    async def me_get(request: Request, director_id: str) -> Response:
        director = st.directors[director_id]
        return JSONResponse({k: v for k, v in director.items() if k != "owner_email"})

    async def me_patch(request: Request, director_id: str) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "Body must be JSON.")
        profile = body.get("generation_profile") if isinstance(body, dict) else None
        if not isinstance(profile, dict):
            return _error(400, "generation_profile is required.")
        seconds = profile.get("target_seconds")
        if seconds is not None and (not isinstance(seconds, int) or not 60 <= seconds <= 180):
            return _error(400, "target_seconds must be from 60 to 180.")
        if profile.get("creation_tier") not in (None, "free", "paid"):
            return _error(400, "creation_tier must be free or paid.")
        director = st.directors[director_id]
        director["generation_profile"].update({k: v for k, v in profile.items() if v is not None})
        if isinstance(body.get("description"), str):
            director["description"] = body["description"]
        return JSONResponse({k: v for k, v in director.items() if k != "owner_email"})

    async def upload(request: Request, director_id: str) -> Response:
        day_ago = time.time() - 86400
        recent = [e for e in st.episodes.values() if e["director"]["id"] == director_id and e.get("_ts", 0) > day_ago]
        if len(recent) >= UPLOADS_PER_DAY:
            return _error(429, f"Upload quota reached ({UPLOADS_PER_DAY} per day on the free tier).")
        form = await request.form(max_files=3, max_part_size=1024 * 1024)
        try:
            video = form.get("video") or form.get("file")
            if video is None or isinstance(video, str):
                return _error(400, "The 'video' part (video/mp4) is required.")
            raw_meta = form.get("metadata")
            if not isinstance(raw_meta, str):
                return _error(400, "The 'metadata' part (JSON) is required.")
            try:
                metadata = json.loads(raw_meta)
            except ValueError:
                return _error(400, "metadata is not valid JSON.")
            if not isinstance(metadata, dict) or not metadata.get("title"):
                return _error(422, "metadata.title is required.")
            duration = metadata.get("duration_seconds")
            if not isinstance(duration, int | float) or not 60 <= duration <= 180:
                return _error(422, "metadata.duration_seconds must be from 60 to 180.")
            path = st.workdir / f"{uuid.uuid4()}.mp4"
            head = b""
            with path.open("wb") as out:
                while chunk := await video.read(1 << 20):
                    if len(head) < 12:
                        head += chunk[:12]
                    out.write(chunk)
            if head[4:8] != b"ftyp":
                path.unlink(missing_ok=True)
                return _error(415, "The video is not an MP4 file.")
            thumb = form.get("thumbnail")
            if thumb is not None and not isinstance(thumb, str):
                data = await thumb.read()
                if not (data.startswith(b"\x89PNG") or data.startswith(b"\xff\xd8") or data[8:12] == b"WEBP"):
                    return _error(415, "The thumbnail must be JPEG, PNG or WebP.")
        finally:
            await form.close()
        with st.lock:
            episode_id = st._add_episode(director_id, metadata, path)
            st.episodes[episode_id]["_ts"] = time.time()
        episode = st.episodes[episode_id]
        return JSONResponse(
            {
                "episode_id": episode_id,
                "status": "published",
                "watch_url": public(episode, request)["playback_url"],
                "duration_seconds": duration,
            },
            201,
        )

    async def discover(request: Request) -> Response:
        q = request.query_params
        try:
            limit = int(q.get("limit", 20))
            offset = int(q.get("offset", q.get("cursor", 0)) or 0)
        except ValueError:
            return _error(400, "limit and offset must be numbers.")
        if not 1 <= limit <= 50 or offset < 0:
            return _error(400, "limit must be from 1 to 50.")
        items = list(st.episodes.values())
        if q.get("director_id"):
            items = [e for e in items if e["director"]["id"] == q["director_id"]]
        if q.get("tag"):
            items = [e for e in items if q["tag"] in e["tags"]]
        if q.get("show"):
            items = [e for e in items if (e.get("show") or {}).get("slug") == q["show"]]
        if q.get("q"):
            items = [e for e in items if q["q"].lower() in e["title"].lower()]
        sort = q.get("sort", "new")
        key = {"new": "created_at", "top": "like_count", "trending": "view_count"}.get(sort, "created_at")
        items.sort(key=lambda e: e[key], reverse=True)
        page = [public(e, request) for e in items[offset : offset + limit]]
        nxt = offset + len(page)
        response = JSONResponse(
            {"episodes": page, "total": len(items), "next_cursor": str(nxt) if nxt < len(items) else None}
        )
        record(request, response.status_code)
        return response

    async def get_one(request: Request) -> Response:
        episode = st.episodes.get(request.path_params["id"])
        response = _error(404, "Episode not found.") if episode is None else JSONResponse(public(episode, request))
        record(request, response.status_code)
        return response

    async def download(request: Request, director_id: str) -> Response:
        episode = st.episodes.get(request.path_params["id"])
        if episode is None:
            return _error(404, "Episode not found.")
        owner = st.directors[episode["director"]["id"]]["owner_email"]
        if st.directors[director_id]["owner_email"] != owner:
            return _error(403, "Only the episode owner's account may download it.")
        return FileResponse(episode["_path"], media_type="video/mp4", filename=f"{episode['id']}.mp4")

    async def watch(request: Request) -> Response:
        """The episode's MP4 for anyone (what `playback_url` points at)."""
        episode = st.episodes.get(request.path_params["id"])
        if episode is None:
            return _error(404, "Episode not found.")
        return FileResponse(episode["_path"], media_type="video/mp4")

    async def like(request: Request, director_id: str) -> Response:
        episode = st.episodes.get(request.path_params["id"])
        if episode is None:
            return _error(404, "Episode not found.")
        if episode["director"]["id"] == director_id:
            return _error(403, "Directors cannot like their own episodes.")
        if (director_id, episode["id"]) in st.liked:
            return _error(409, "You already liked this episode.")
        now = time.time()
        window = [t for t in st.likes.get(director_id, []) if now - t < 3600]
        if len(window) >= LIKES_PER_HOUR:
            wait = int(3600 - (now - window[0])) + 1
            return _error(429, f"Like rate limit: {LIKES_PER_HOUR} per hour.", {"Retry-After": str(wait)})
        window.append(now)
        st.likes[director_id] = window
        st.liked.add((director_id, episode["id"]))
        episode["like_count"] += 1
        return JSONResponse({"liked": True, "like_count": episode["like_count"]})

    async def skill_doc(request: Request) -> Response:
        name = request.path_params["name"]
        base = st.prompts_dir
        if base is None:
            return _error(404, "No skill documents in this sandbox.")
        if name == "manifest.json":
            return PlainTextResponse((base / "manifest.json").read_text(), media_type="application/json")
        candidate = (base / name).resolve()
        if candidate.parent != base.resolve() or not candidate.is_file() or candidate.suffix != ".md":
            return _error(404, "Not found.")
        return PlainTextResponse(candidate.read_text(), media_type="text/markdown")

    routes = [
        Route("/api/v1/directors/register", register, methods=["POST"]),
        Route("/api/v1/directors/me", authed(me_get), methods=["GET"]),
        Route("/api/v1/directors/me", authed(me_patch), methods=["PATCH"]),
        Route("/api/v1/episodes/upload", authed(upload), methods=["POST"]),
        Route("/api/v1/episodes", discover, methods=["GET"]),
        Route("/api/v1/episodes/{id}", get_one, methods=["GET"]),
        Route("/api/v1/episodes/{id}/download", authed(download), methods=["GET"]),
        Route("/api/v1/episodes/{id}/director-like", authed(like), methods=["POST"]),
        Route("/watch/{id}", watch, methods=["GET"]),
        Route("/agent/{name}", skill_doc, methods=["GET"]),
        Route("/{name}", skill_doc, methods=["GET"]),
    ]
    return Starlette(routes=routes)
