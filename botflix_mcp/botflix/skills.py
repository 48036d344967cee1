"""The director skills (prompts/), the schemas and SKILL.md as MCP resources, prompts and completions.

`prompts/manifest.json` is the single index: every document it lists becomes a resource, and the role prompts
link the documents whose `roles` name that role (resource links, not copies: each prompt stays within
PROMPT_BUDGET characters apart from the caller's own brief/manifest; the role's director.md section is inline and
the text says how to read the links with `botflix_skill` where a runtime has no resources).

Resources (stable URIs):

| URI | MIME type |
|---|---|
| `botflix://skills/{name}` for each document (`director`, `free-tier`, ...) | `text/markdown` |
| `botflix://skills/manifest` (prompts/manifest.json) | `application/json` |
| `botflix://skills/{name}/section/{heading}` (template; one `## ` section) | `text/markdown` |
| `botflix://schemas/{name}` (`episode-brief`, `shot-manifest`, `episode-metadata`) | `application/schema+json` |
| `botflix://schemas/{name}/example` | `application/json` |
| `botflix://schemas/manifest` | `application/json` |
| `botflix://skill-md` (the AgentSkills SKILL.md) | `text/markdown` |

Prompts: `showrunner`, `shot_planner`, `producer`, `critic` (the four roles of director.md) and
`director_loop` (all four in one agent), with argument completions for tiers, models, target seconds, document
names and section headings. Hermes and OpenClaw reach prompts/resources only through generic tools, so the
`botflix_skill` tool (botflix/tools.py) lists and reads the same texts through `catalogue()`/`read_entry()`.

Refresh: BotFlix hosts its own documents on every deployment (docs/botflix-api.md §documents); the manifest's
`upstream_path` says where. `refresh_documents` fetches them from the configured origin on explicit request
only; each fetched copy then replaces the packaged one for this server process (resources, prompts and the
tool), and a document whose fetch fails keeps the packaged copy. Nothing is fetched at start-up.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.server.mcpserver.prompts.base import UserMessage
from mcp.shared.exceptions import MCPError
from mcp.types import (
    Completion,
    CompletionArgument,
    CompletionContext,
    PromptReference,
    ResourceLink,
    ResourceTemplateReference,
    TextContent,
)
from pydantic import Field

from botflix_mcp.frontmatter import parse_document
from botflix_mcp.resources_path import data_dir

if TYPE_CHECKING:
    from mcp.server import MCPServer
    from mcp.server.context import CallNext, HandlerResult, ServerRequestContext

    from botflix_mcp.app import App
    from botflix_mcp.toolkit import Toolkit

INVALID_PARAMS = -32602
SKILLS = "botflix://skills/"
SCHEMAS = "botflix://schemas/"
SKILL_MD_URI = "botflix://skill-md"
MARKDOWN, JSON, SCHEMA_JSON = "text/markdown", "application/json", "application/schema+json"
#: A refreshed document larger than this, empty, or HTML (a web page instead of the document) is not used.
MAX_LIVE_CHARS = 256_000

VIDEO_MODELS = ("veo_3_1", "seedance_2_0", "sora_api", "free_stills")
TIERS = ("free", "paid")
TARGETS = ("60", "90", "120", "150", "180")
_MODEL = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,59}$")


# --------------------------------------------------------------------------- packaged data


@cache
def manifest() -> dict[str, Any]:
    return json.loads((data_dir("prompts") / "manifest.json").read_text(encoding="utf-8"))


@cache
def schema_manifest() -> dict[str, Any]:
    return json.loads((data_dir("schemas") / "manifest.json").read_text(encoding="utf-8"))


def documents() -> list[dict[str, Any]]:
    return list(manifest()["documents"])


def schemas() -> list[dict[str, Any]]:
    return list(schema_manifest()["schemas"])


def find_document(name: str) -> dict[str, Any] | None:
    """By manifest name (`free-tier`), file name (`FREE_TIER.md`) or URI (`botflix://skills/free-tier`)."""
    wanted = name.strip().removeprefix(SKILLS).lower().removesuffix(".md")
    for doc in documents():
        if wanted in (doc["name"].lower(), doc["file"].lower().removesuffix(".md")):
            return doc
    return None


def find_schema(name: str) -> dict[str, Any] | None:
    wanted = name.strip().removeprefix(SCHEMAS).lower().removesuffix("/example").removesuffix(".schema.json")
    for entry in schemas():
        if wanted in (entry["name"].lower(), entry["title"].lower()):
            return entry
    return None


def packaged_text(name: str) -> str:
    doc = find_document(name)
    if doc is None:
        raise KeyError(name)
    return (data_dir("prompts") / doc["file"]).read_text(encoding="utf-8")


def schema_text(name: str, *, example: bool = False) -> str:
    entry = find_schema(name)
    if entry is None or (example and not entry.get("example")):
        raise KeyError(name)
    return (data_dir("schemas") / (entry["example"] if example else entry["file"])).read_text(encoding="utf-8")


def compact_json(text: str) -> str:
    """The same JSON without indentation (the tool returns schemas compactly; resources serve the files)."""
    return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))


def body_of(text: str) -> str:
    """A document without its front matter (served as is when it has none, e.g. a refreshed upstream copy)."""
    try:
        return parse_document(text).body
    except ValueError:
        return text


def slug(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


def sections(text: str) -> list[tuple[str, str]]:
    """(slug, heading) of every `## ` section."""
    return [(slug(m.group(1)), m.group(1).strip()) for m in re.finditer(r"^## (.+)$", text, flags=re.M)]


def slug_matches(section_slug: str, wanted: str) -> bool:
    """`8-tool-map` matches `8-tool-map`, `tool-map`, `8-tool` and `tool` (numbering optional, prefixes ok)."""
    bare = re.sub(r"^\d+-", "", section_slug)
    return bool(wanted) and (section_slug.startswith(wanted) or bare.startswith(wanted))


def section_text(text: str, heading: str) -> str | None:
    """One `## ` section by its heading's slug, with or without its number, or a prefix of either."""
    wanted = slug(heading)
    parts = re.split(r"^(?=## )", text, flags=re.M)
    candidates = [(slug(part.splitlines()[0][3:]), part) for part in parts[1:]]
    for section_slug, part in candidates:  # an exact match wins over a prefix
        if wanted in (section_slug, re.sub(r"^\d+-", "", section_slug)):
            return part.rstrip() + "\n"
    for section_slug, part in candidates:
        if slug_matches(section_slug, wanted):
            return part.rstrip() + "\n"
    return None


# --------------------------------------------------------------------------- live copies (explicit refresh)


@dataclass
class LiveCopy:
    text: str
    origin: str
    fetched_at: float


@dataclass
class LiveDocs:
    lock: threading.Lock = field(default_factory=threading.Lock)
    copies: dict[str, LiveCopy] = field(default_factory=dict)


def live_docs(app: App) -> LiveDocs:
    return app.state(LiveDocs)


def document_text(app: App | None, name: str) -> tuple[str, str]:
    """(text, source) of a document: the refreshed copy if this process fetched one, else the packaged copy."""
    doc = find_document(name)
    if doc is None:
        raise KeyError(name)
    if app is not None:
        with live_docs(app).lock:
            live = live_docs(app).copies.get(doc["name"])
        if live is not None:
            when = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(live.fetched_at))
            return live.text, f"live copy from {live.origin}{doc['upstream_path']} (fetched {when})"
    return packaged_text(doc["name"]), "packaged copy"


def usable_upstream(text: Any) -> str | None:
    """Why a fetched document is not used, or None when it is fine."""
    if not isinstance(text, str) or not text.strip():
        return "empty or not text"
    if len(text) > MAX_LIVE_CHARS:
        return f"larger than {MAX_LIVE_CHARS} characters"
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html")) or "<head>" in head:
        return "an HTML page, not the Markdown document"
    return None


LOCAL_ORIGIN_NOTE = (
    "BOTFLIX_BASE_URL is a local origin (the sandbox?): it serves this server's own packaged documents, so a "
    "refresh there changes nothing useful. Refresh against the live BotFlix origin."
)


def is_local_origin(origin: str) -> bool:
    import ipaddress
    from urllib.parse import urlsplit

    host = (urlsplit(origin).hostname or "").strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def refresh_documents(app: App) -> list[dict[str, Any]]:
    """Fetch every document with an `upstream_path` from the configured BotFlix origin (explicit request only).

    A fetched copy replaces the packaged one for this process; a failure keeps the packaged copy. Returns one
    row per document: name, path, outcome (`refreshed`, `kept packaged: <why>` or `no upstream`).
    """
    from botflix_mcp.errors import ApiError

    origin = app.settings.botflix_base_url.rstrip("/")
    rows: list[dict[str, Any]] = []
    for doc in documents():
        path = doc.get("upstream_path")
        if not path:
            rows.append({"name": doc["name"], "path": None, "outcome": "no upstream (this server's own document)"})
            continue
        try:
            response = await app.botflix.request("GET", path, require_key=False, timeout=20.0)
            data = getattr(response, "data", None)
            text = data if isinstance(data, str) else None
            problem = usable_upstream(text)
        except ApiError as exc:
            problem = f"HTTP {exc.status}" if exc.status else exc.message
        if problem is None and text is not None:
            with live_docs(app).lock:
                live_docs(app).copies[doc["name"]] = LiveCopy(text, origin, time.time())
            rows.append({"name": doc["name"], "path": path, "outcome": "refreshed", "chars": len(text)})
        else:
            rows.append({"name": doc["name"], "path": path, "outcome": f"kept packaged: {problem}"})
    return rows


# --------------------------------------------------------------------------- the botflix_skill tool's view


def catalogue() -> list[dict[str, Any]]:
    """Everything readable: documents, schemas and their examples, the two indexes and SKILL.md."""
    rows = [
        {"name": d["name"], "uri": f"{SKILLS}{d['name']}", "title": d["title"], "roles": d.get("roles", [])}
        for d in documents()
    ]
    for entry in schemas():
        rows.append({"name": entry["name"], "uri": f"{SCHEMAS}{entry['name']}", "title": f"{entry['title']} schema"})
        if entry.get("example"):
            rows.append(
                {
                    "name": f"{entry['name']}/example",
                    "uri": f"{SCHEMAS}{entry['name']}/example",
                    "title": f"Example {entry['title']}",
                }
            )
    rows += [
        {"name": "SKILL.md", "uri": SKILL_MD_URI, "title": "AgentSkills SKILL.md (set-up, keys, workflow)"},
        {"name": "skills-manifest", "uri": f"{SKILLS}manifest", "title": "Index of the director documents"},
        {"name": "schemas-manifest", "uri": f"{SCHEMAS}manifest", "title": "Index of the schemas"},
    ]
    return rows


def read_entry(app: App | None, name: str) -> dict[str, str]:
    """A catalogue entry by name or URI: {name, uri, mime_type, source, text}. Raises UserInputError."""
    from botflix_mcp.errors import UserInputError

    wanted = name.strip()
    lowered = wanted.lower()
    if lowered in ("skill.md", "skill-md", SKILL_MD_URI):
        text = data_dir("SKILL.md").read_text(encoding="utf-8")
        return {"name": "SKILL.md", "uri": SKILL_MD_URI, "mime_type": MARKDOWN, "source": "packaged copy", "text": text}
    if lowered in ("skills-manifest", f"{SKILLS}manifest"):
        text = (data_dir("prompts") / "manifest.json").read_text(encoding="utf-8")
        return {
            "name": "skills-manifest",
            "uri": f"{SKILLS}manifest",
            "mime_type": JSON,
            "source": "packaged copy",
            "text": text,
        }
    if lowered in ("schemas-manifest", f"{SCHEMAS}manifest"):
        text = (data_dir("schemas") / "manifest.json").read_text(encoding="utf-8")
        return {
            "name": "schemas-manifest",
            "uri": f"{SCHEMAS}manifest",
            "mime_type": JSON,
            "source": "packaged copy",
            "text": text,
        }
    doc = find_document(wanted)
    if doc is not None:
        text, source = document_text(app, doc["name"])
        return {
            "name": doc["name"],
            "uri": f"{SKILLS}{doc['name']}",
            "mime_type": MARKDOWN,
            "source": source,
            "text": text,
        }
    entry = find_schema(wanted)
    if entry is not None:
        example = lowered.endswith("/example") and bool(entry.get("example"))
        uri = f"{SCHEMAS}{entry['name']}" + ("/example" if example else "")
        return {
            "name": entry["name"] + ("/example" if example else ""),
            "uri": uri,
            "mime_type": JSON if example else SCHEMA_JSON,
            "source": "packaged copy (compact JSON)",
            "text": compact_json(schema_text(entry["name"], example=example)),
        }
    names = ", ".join(row["name"] for row in catalogue())
    raise UserInputError(f"Nothing named {name!r}. Readable: {names}.", "Call botflix_skill with action='list'.")


# --------------------------------------------------------------------------- roles and prompts

ROLE_PROMPTS: dict[str, str] = {  # prompt name -> manifest role
    "director_loop": "loop",
    "showrunner": "showrunner",
    "shot_planner": "shot-planner",
    "producer": "producer",
    "critic": "critic",
}


def role_documents(role: str, tier: str = "free") -> list[str]:
    """The documents a role's prompt links: those whose manifest `roles` name it, minus the AIOZ one, and the
    tier's own guide (free-tier for free, veo for paid)."""
    names = [d["name"] for d in documents() if role in d.get("roles", []) and d["name"] != "aioz-stream"]
    if tier == "paid":
        names = [n for n in names if n != "free-tier"]
        if role == "loop" and "veo" not in names and find_document("veo"):
            names.append("veo")
    else:
        names = [n for n in names if n != "veo"]
    return names


def _bad_argument(message: str) -> MCPError:
    return MCPError(INVALID_PARAMS, message)


def check_tier(value: str) -> str:
    tier = value.strip().lower()
    if tier not in TIERS:
        raise _bad_argument(f"creation_tier must be free or paid, not {value!r}")
    return tier


def check_target(value: str) -> int:
    try:
        seconds = int(str(value).strip())
    except ValueError:
        raise _bad_argument(f"target_seconds must be a whole number of seconds, not {value!r}") from None
    if not 60 <= seconds <= 180:
        raise _bad_argument(f"target_seconds must be 60-180 (BotFlix protocol v5), not {seconds}")
    return seconds


def check_model(value: str, tier: str) -> str:
    model = value.strip().lower() or ("free_stills" if tier == "free" else "veo_3_1")
    if not _MODEL.match(model):
        raise _bad_argument(f"video_model {value!r} is not a model id (e.g. veo_3_1, free_stills)")
    return model


#: Characters a role prompt's result may take (issue 10 §3), the caller's own document excepted: the
#: instructions and the role's section inline, every document and schema as a link.
PROMPT_BUDGET = 12_000
#: A brief or manifest argument longer than this (compact JSON) is refused: pass it to the tools as a file.
MAX_PROMPT_DOCUMENT = 60_000
#: The director.md section each role gets inline (heading slugs without their number).
ROLE_SECTIONS: dict[str, str] = {
    "loop": "the-loop-at-a-glance",
    "showrunner": "role-1",
    "shot-planner": "role-2",
    "producer": "role-3",
    "critic": "role-4",
}
#: The schemas (and their examples) each role works with, linked after the documents.
ROLE_SCHEMAS: dict[str, tuple[str, ...]] = {
    "loop": ("episode-brief", "shot-manifest", "episode-metadata"),
    "showrunner": ("episode-brief",),
    "shot-planner": ("shot-manifest",),
    "producer": ("shot-manifest",),
    "critic": ("episode-metadata",),
}
HOW_TO_READ = (
    "The documents are linked below, not copied: read each one before you start (once; they do not change "
    "during a run). With MCP resources, read the linked URI. Without them (Hermes, OpenClaw and other runtimes "
    'that only call tools), call `botflix_skill` with `action` "read" and the `name` shown; a long document '
    "comes in pages, so call again with the `offset` it gives until it ends. One section alone: the resource "
    "`botflix://skills/{name}/section/{heading}`."
)


def check_text(value: str, name: str, limit: int) -> str:
    text = value.strip()
    if len(text) > limit:
        raise _bad_argument(f"{name} is {len(text)} characters; at most {limit}")
    return text


def check_document(value: str, name: str, title: str) -> dict[str, Any]:
    """A brief/shot_manifest prompt argument: JSON text of one object, else -32602 with the reason."""
    text = value.strip()
    where = "pass the file's path to `botflix_validate` (its document argument reads local .json files)"
    if not text:
        raise _bad_argument(f"{name} is empty: paste the {title} as a JSON object")
    if len(text) > MAX_PROMPT_DOCUMENT * 2:
        raise _bad_argument(f"{name} is {len(text):,} characters, too large for a prompt; {where}")
    try:
        doc = json.loads(text)
    except ValueError as exc:
        detail = f"{exc.msg} at line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else exc
        raise _bad_argument(
            f"{name} is not JSON ({detail}): paste the {title} itself as a JSON object; for a file on disk, {where}"
        ) from None
    if not isinstance(doc, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(doc), "a number")
        raise _bad_argument(f"{name} must be a JSON object (the {title}), not {kind}")
    compact = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    if len(compact) > MAX_PROMPT_DOCUMENT:
        raise _bad_argument(f"{name} is {len(compact):,} characters as compact JSON, too large for a prompt; {where}")
    return doc


def document_block(doc: dict[str, Any], kind: str, title: str, brief: Any = None) -> str:
    """The caller's document once, as compact JSON, with what `botflix_validate` says about it."""
    from botflix_mcp.botflix.validation import validate

    report = validate(kind, doc, brief)  # type: ignore[arg-type]
    errors = report.errors
    if errors:
        first = "; ".join(f"`{p.path}` {p.message}" for p in errors[:3])
        verdict = (
            f"⚠️ It does not validate yet: {len(errors)} error(s), e.g. {first}. Fix it with `botflix_validate` "
            f"kind {kind} before anything else."
        )
    else:
        verdict = f"It passes `botflix_validate` kind {kind}."
    compact = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return f"The {title} (compact JSON). {verdict}\n```json\n{compact}\n```"


def _link(uri: str, name: str, title: str, description: str, mime: str, text: str) -> ResourceLink:
    return ResourceLink(
        type="resource_link",
        uri=uri,
        name=name,
        title=title,
        description=description,
        mime_type=mime,
        size=len(text.encode("utf-8")),
    )


def role_links(app: App | None, role: str, tier: str) -> list[ResourceLink]:
    """A link to every document the role follows (live copy when refreshed), then its schemas and examples."""
    links = []
    for name in role_documents(role, tier):
        doc = find_document(name)
        assert doc is not None
        text, _ = document_text(app, name)
        links.append(_link(f"{SKILLS}{name}", name, doc["title"], doc["description"], MARKDOWN, text))
    for name in ROLE_SCHEMAS.get(role, ()):
        entry = find_schema(name)
        if entry is None:
            continue
        text = schema_text(name)
        links.append(
            _link(f"{SCHEMAS}{name}", name, f"{entry['title']} JSON Schema", entry["description"], SCHEMA_JSON, text)
        )
        if entry.get("example"):
            text = schema_text(name, example=True)
            links.append(
                _link(
                    f"{SCHEMAS}{name}/example",
                    f"{name}/example",
                    f"Example {entry['title']}",
                    f"A valid {entry['title']} to start from.",
                    JSON,
                    text,
                )
            )
    return links


def role_messages(
    app: App | None, role: str, tier: str, instructions: str, document: str | None = None
) -> list[UserMessage]:
    """One text message (instructions, the role's director.md section, how to read the linked documents, the
    caller's document), then one resource link per document and schema."""
    parts = [instructions]
    director, _ = document_text(app, "director")
    section = section_text(body_of(director), ROLE_SECTIONS[role]) if role in ROLE_SECTIONS else None
    if section:
        parts.append(f"From `{SKILLS}director` (your part of the protocol):\n\n{section.strip()}")
    links = role_links(app, role, tier)
    listed = "\n".join(f"- `{link.name}` ({link.uri}): {link.title}" for link in links)
    parts.append(f"{HOW_TO_READ}\n\n{listed}")
    if document:
        parts.append(document)
    text = "\n\n".join(parts)
    return [UserMessage(TextContent(type="text", text=text)), *(UserMessage(link) for link in links)]


ShowTitle = Annotated[str, Field(description="The show's title, e.g. Lighthouse Protocol")]
Logline = Annotated[str, Field(description="One-sentence premise of this episode")]
Target = Annotated[str, Field(description="Episode length in seconds, 60-180 (default 120)")]
Tier = Annotated[str, Field(description="creation_tier: free (stills + narration, no paid APIs) or paid")]
Model = Annotated[str, Field(description="video_model, e.g. veo_3_1, seedance_2_0, free_stills (default by tier)")]
#: Argument lengths (the EpisodeBrief schema's episode.title and logline limits; a path).
MAX_TITLE, MAX_LOGLINE, MAX_PATH = 120, 300, 1000


def loop_text(show_title: str, logline: str, seconds: int, tier: str, model: str) -> str:
    return (
        f"Direct one BotFlix episode of **{show_title}**: {logline}\n"
        f"Target {seconds} s, creation_tier {tier}, video_model {model}. Play the four roles in order, each with "
        "its gate, and loop back on a failed gate (at most two loops, then ask the human):\n"
        "1. Showrunner: write the EpisodeBrief; `botflix_validate` kind brief until it reports no errors.\n"
        "2. Shot planner: write the ShotManifest; `botflix_validate` kind shot_manifest with the brief.\n"
        "3. Producer: generate the assets and assemble the MP4 (H.264/AAC, moov first); `botflix_probe_episode`.\n"
        "4. Critic: score the cut against the brief (7/10 to pass), then `botflix_upload_episode` with the "
        "metadata, the brief and the manifest.\n"
        "First time only: `botflix_register_director`, then `botflix_profile` update with this tier and model."
    )


def register(kit: Toolkit, app: App) -> None:
    """Resources, prompts, completions, and a middleware giving prompts/get the spec's error codes."""
    server = kit.server
    _register_resources(server, app)
    _register_prompts(kit, app)
    server.completion()(complete)
    server.middleware.append(prompt_errors(server))


def _register_resources(server: MCPServer, app: App) -> None:
    # Static resources cannot take a Context (MCPServer), so each reader closes over `app` and its name.
    def doc_reader(name: str) -> Any:
        def read() -> str:
            return document_text(app, name)[0]

        return read

    def schema_reader(name: str, example: bool) -> Any:
        def read() -> str:
            return schema_text(name, example=example)

        return read

    for doc in documents():
        server.resource(
            f"{SKILLS}{doc['name']}",
            name=doc["name"],
            title=doc["title"],
            description=doc["description"],
            mime_type=doc.get("mimeType", MARKDOWN),
        )(doc_reader(doc["name"]))
    for entry in schemas():
        server.resource(
            f"{SCHEMAS}{entry['name']}",
            name=f"{entry['name']}-schema",
            title=f"{entry['title']} JSON Schema (2020-12)",
            description=entry["description"],
            mime_type=SCHEMA_JSON,
        )(schema_reader(entry["name"], False))
        if entry.get("example"):
            server.resource(
                f"{SCHEMAS}{entry['name']}/example",
                name=f"{entry['name']}-example",
                title=f"Example {entry['title']}",
                description=f"A valid {entry['title']} to start from.",
                mime_type=JSON,
            )(schema_reader(entry["name"], True))

    @server.resource(
        f"{SCHEMAS}manifest",
        name="schemas-manifest",
        title="Index of the episode schemas",
        description="Names, files, $ids and examples of the EpisodeBrief, ShotManifest and EpisodeMetadata schemas.",
        mime_type=JSON,
    )
    def schemas_index() -> str:
        return (data_dir("schemas") / "manifest.json").read_text(encoding="utf-8")

    @server.resource(
        f"{SKILLS}manifest",
        name="skills-manifest",
        title="Index of the director documents",
        description="prompts/manifest.json: every document with its title, roles and upstream BotFlix path.",
        mime_type=JSON,
    )
    def skills_index() -> str:
        return (data_dir("prompts") / "manifest.json").read_text(encoding="utf-8")

    @server.resource(
        SKILL_MD_URI,
        name="SKILL.md",
        title="SKILL.md for OpenClaw and Hermes",
        description="The AgentSkills file shipped with botflix-mcp: set-up, keys, the one-episode workflow.",
        mime_type=MARKDOWN,
    )
    def skill_md() -> str:
        return data_dir("SKILL.md").read_text(encoding="utf-8")

    @server.resource(
        SKILLS + "{name}/section/{heading}",
        name="skill-section",
        title="One section of a director document",
        description="A single '## ' section, by heading slug (complete the name and heading arguments).",
        mime_type=MARKDOWN,
    )
    def skill_section(name: str, heading: str) -> str:
        try:
            text, _ = document_text(app, name)
        except KeyError:
            names = ", ".join(d["name"] for d in documents())
            raise ResourceNotFoundError(f"No document {name!r}; documents: {names}") from None
        found = section_text(body_of(text), heading)
        if found is None:
            heads = ", ".join(s for s, _ in sections(text))
            raise ResourceNotFoundError(f"No section {heading!r} in {name}; sections: {heads}")
        return found


def _register_prompts(kit: Toolkit, app: App) -> None:
    @kit.prompt(name="director_loop", title="Direct a whole episode (all four roles)")
    def director_loop(
        show_title: ShowTitle,
        logline: Logline,
        target_seconds: Target = "120",
        creation_tier: Tier = "free",
        video_model: Model = "",
    ) -> list[UserMessage]:
        """One agent plays showrunner, shot planner, producer and critic for one 60-180 s episode, then uploads."""
        tier = check_tier(creation_tier)
        title, premise = check_text(show_title, "show_title", MAX_TITLE), check_text(logline, "logline", MAX_LOGLINE)
        text = loop_text(title, premise, check_target(target_seconds), tier, check_model(video_model, tier))
        return role_messages(app, "loop", tier, text)

    @kit.prompt(name="showrunner", title="Role 1: Showrunner, write the EpisodeBrief")
    def showrunner(
        show_title: ShowTitle,
        logline: Logline,
        target_seconds: Target = "120",
        creation_tier: Tier = "free",
        video_model: Model = "",
    ) -> list[UserMessage]:
        """Write the EpisodeBrief (hook, beats summing to the target, ending, continuity) and validate it."""
        tier = check_tier(creation_tier)
        seconds, model = check_target(target_seconds), check_model(video_model, tier)
        title, premise = check_text(show_title, "show_title", MAX_TITLE), check_text(logline, "logline", MAX_LOGLINE)
        text = (
            f"You are the **showrunner** of **{title}**. Premise: {premise}\n"
            f"Write the EpisodeBrief for a {seconds} s episode (creation_tier {tier}, video_model {model}): a hook "
            f"within the first seconds, 3-12 beats whose target_seconds sum to {seconds} within 10%, an ending and "
            "the continuity slice (characters, locations, style). Start from the example "
            f"`{SCHEMAS}episode-brief/example`, then call `botflix_validate` with kind brief and fix every JSON path "
            "it reports until it is valid. Hand the valid brief to the shot planner."
        )
        return role_messages(app, "showrunner", tier, text)

    @kit.prompt(name="shot_planner", title="Role 2: Shot planner, write the ShotManifest")
    def shot_planner(
        brief: Annotated[str, Field(description="The validated EpisodeBrief, as JSON text (one object)")],
        video_model: Model = "",
        creation_tier: Tier = "free",
    ) -> list[UserMessage]:
        """Turn the brief into timed shots with legal clip lengths for the model, then validate the manifest."""
        tier = check_tier(creation_tier)
        model = check_model(video_model, tier)
        brief_doc = check_document(brief, "brief", "EpisodeBrief")
        lengths = {"veo_3_1": "4/6/8 s", "seedance_2_0": "5/10/15 s"}.get(model, "the model's legal lengths")
        text = (
            f"You are the **shot planner**. Plan the ShotManifest for this EpisodeBrief with video_model {model} "
            f"(clips of {lengths}; creation_tier {tier}): every beat covered, five-block prompts reusing the visual "
            "anchors verbatim, narration per shot, durations summing to the brief's target, and every beat, "
            "character, location and asset id one the brief or the manifest defines. Then call `botflix_validate` "
            "with kind shot_manifest and the brief, and fix every reported path."
        )
        block = document_block(brief_doc, "brief", "EpisodeBrief")
        return role_messages(app, "shot-planner", tier, text, block)

    @kit.prompt(name="producer", title="Role 3: Producer, generate and assemble the MP4")
    def producer(
        shot_manifest: Annotated[str, Field(description="The validated ShotManifest, as JSON text (one object)")],
        creation_tier: Tier = "free",
    ) -> list[UserMessage]:
        """Generate every asset, assemble the episode with ffmpeg and probe it."""
        tier = check_tier(creation_tier)
        manifest_doc = check_document(shot_manifest, "shot_manifest", "ShotManifest")
        text = (
            f"You are the **producer** (creation_tier {tier}). Generate every asset of this ShotManifest, at most "
            "two regenerations per shot, record measured durations and provenance, assemble one MP4 (H.264 High "
            "yuv420p, AAC 48 kHz, +faststart, 60-180 s) and a thumbnail, then call `botflix_probe_episode` on it "
            "and fix what it reports."
        )
        block = document_block(manifest_doc, "shot_manifest", "ShotManifest")
        return role_messages(app, "producer", tier, text, block)

    @kit.prompt(name="critic", title="Role 4: Critic, review and publish")
    def critic(
        episode_path: Annotated[str, Field(description="Local path of the assembled episode MP4")],
        brief: Annotated[str, Field(description="The EpisodeBrief to review against, as JSON text (one object)")] = "",
        creation_tier: Tier = "free",
    ) -> list[UserMessage]:
        """Score the cut against the brief; publish with botflix_upload_episode only when it passes."""
        tier = check_tier(creation_tier)
        path = check_text(episode_path, "episode_path", MAX_PATH)
        if not path:
            raise _bad_argument("episode_path is empty: give the local path of the assembled MP4")
        block = (
            document_block(check_document(brief, "brief", "EpisodeBrief"), "brief", "EpisodeBrief")
            if (brief.strip())
            else None
        )
        text = (
            f"You are the **critic**. Review `{path}` against the brief: hook in the first 5 s, every beat "
            "landed, continuity, ending, policy and AI disclosure. Score 0-10; below 7, send a revise list naming "
            "beats or shots back to the right role (at most two loops). At 7 or more, run `botflix_probe_episode`, "
            "write the EpisodeMetadata (`botflix_validate` kind metadata) and publish with "
            "`botflix_upload_episode` (pass the brief and the manifest too)."
        )
        return role_messages(app, "critic", tier, text, block)


# --------------------------------------------------------------------------- completions and prompt errors


def _matching(options: Any, value: str) -> Completion:
    prefix = value.strip().lower()
    values = [o for o in options if o.lower().startswith(prefix)]
    return Completion(values=values[:100], total=len(values), has_more=len(values) > 100)


async def complete(
    ref: PromptReference | ResourceTemplateReference,
    argument: CompletionArgument,
    context: CompletionContext | None,
) -> Completion | None:
    """Prompt arguments (tiers, models, target seconds) and template arguments (document names, headings)."""
    if isinstance(ref, PromptReference):
        if ref.name not in ROLE_PROMPTS:
            return None
        options = {"creation_tier": TIERS, "video_model": VIDEO_MODELS, "target_seconds": TARGETS}.get(argument.name)
        return _matching(options, argument.value) if options else None
    if ref.uri == SKILLS + "{name}/section/{heading}":
        if argument.name == "name":
            return _matching([d["name"] for d in documents()], argument.value)
        if argument.name == "heading":
            name = (context.arguments or {}).get("name") if context else None
            doc = find_document(name or "")
            if doc is None:
                return Completion(values=[])
            wanted = slug(argument.value)
            found = [s for s, _ in sections(packaged_text(doc["name"])) if not wanted or slug_matches(s, wanted)]
            return Completion(values=found[:100], total=len(found), has_more=len(found) > 100)
    return None


def prompt_errors(server: MCPServer) -> Any:
    """Middleware: `prompts/get` for an unknown prompt or without a required argument answers -32602 naming the
    choices. (MCPServer answers both with -32603 on 2026-07-28 and code 0 on the 2025 wire.)"""

    async def middleware(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        params = ctx.params
        if ctx.method == "prompts/get" and isinstance(params, dict):
            name = params.get("name")
            prompt = server._prompt_manager.get_prompt(str(name))
            if prompt is None:
                choices = ", ".join(sorted(p.name for p in server._prompt_manager.list_prompts()))
                raise MCPError(INVALID_PARAMS, f"Unknown prompt {name!r}. Prompts: {choices}")
            given = set((params.get("arguments") or {}).keys())
            missing = sorted(a.name for a in prompt.arguments or [] if a.required and a.name not in given)
            if missing:
                raise MCPError(INVALID_PARAMS, f"Prompt {name!r} needs the argument(s): {', '.join(missing)}")
        return await call_next(ctx)

    return middleware
