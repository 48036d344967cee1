"""The director skills (prompts/), the schemas and SKILL.md as MCP resources and prompts.

Resources: `botflix://skills/{name}` (text/markdown), `botflix://schemas/{name}` (application/schema+json),
`botflix://schemas/manifest`, `botflix://skill-md`. Prompts: one per production role and one for the whole loop,
with argument completions. Hermes and OpenClaw reach prompts/resources only through generic tools, so the
`botflix_skill` tool lists and returns the same documents (registered from botflix/tools.py).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.types import (
    Completion,
    CompletionArgument,
    CompletionContext,
    PromptReference,
    ResourceTemplateReference,
)
from pydantic import Field

from botflix_mcp.app import App
from botflix_mcp.frontmatter import parse_document
from botflix_mcp.resources_path import data_dir

VIDEO_MODELS = ["veo_3_1", "seedance_2_0", "sora_api", "free_stills"]
TIERS = ["free", "paid"]
TARGETS = ["60", "90", "120", "150", "180"]
ROLE_DOCS = {
    "showrunner": ["director", "FREE_TIER"],
    "shot-planner": ["director", "veo"],
    "producer": ["assemble", "veo", "FREE_TIER"],
    "critic": ["director", "upload", "AUTOMATION_GUARDRAILS"],
    "loop": ["director", "AUTOMATION_GUARDRAILS", "upload"],
}


@cache
def manifest() -> dict[str, Any]:
    return json.loads((data_dir("prompts") / "manifest.json").read_text(encoding="utf-8"))


@cache
def schema_manifest() -> dict[str, Any]:
    return json.loads((data_dir("schemas") / "manifest.json").read_text(encoding="utf-8"))


def documents() -> list[dict[str, Any]]:
    return list(manifest()["documents"])


def find_document(name: str) -> dict[str, Any] | None:
    wanted = name.strip().lower().removesuffix(".md")
    for doc in documents():
        if wanted in (doc["name"].lower(), doc["file"].lower().removesuffix(".md")):
            return doc
    return None


def read_document(name: str, *, body_only: bool = False) -> str:
    doc = find_document(name)
    if doc is None:
        names = ", ".join(d["name"] for d in documents())
        raise KeyError(f"No document {name!r}; available: {names}")
    text = (data_dir("prompts") / doc["file"]).read_text(encoding="utf-8")
    if body_only:
        try:
            return parse_document(text).body
        except Exception:  # a document without front matter is served as is
            return text
    return text


def read_schema(name: str) -> str:
    for entry in schema_manifest()["schemas"]:
        if name in (entry["name"], entry["file"]):
            return (data_dir("schemas") / entry["file"]).read_text(encoding="utf-8")
    raise KeyError(name)


Show = Annotated[str, Field(description="Show title")]
Logline = Annotated[str, Field(description="One-sentence premise")]


def _role_prompt(role: str, context: str) -> str:
    docs = []
    for name in ROLE_DOCS[role]:
        doc = find_document(name)
        if doc is not None:
            docs.append(f'<document name="{doc["name"]}">\n{read_document(doc["name"], body_only=True)}\n</document>')
    return "\n\n".join([context, *docs])


def register(server: MCPServer, app: App) -> None:
    def reader(fn: Any, *args: str) -> Any:
        def read() -> str:
            return str(fn(*args))

        return read

    for doc in documents():
        uri = f"botflix://skills/{doc['name']}"
        make = reader(read_document, doc["name"])
        server.resource(
            uri,
            name=doc["name"],
            title=doc["title"],
            description=doc["description"],
            mime_type=doc.get("mimeType", "text/markdown"),
        )(make)
    for entry in schema_manifest()["schemas"]:
        make_schema = reader(read_schema, entry["name"])
        server.resource(
            f"botflix://schemas/{entry['name']}",
            name=f"schema-{entry['name']}",
            title=entry["title"],
            description=entry["description"],
            mime_type="application/schema+json",
        )(make_schema)

    @server.resource(
        "botflix://schemas/manifest", name="schemas-manifest", title="Schema index", mime_type="application/json"
    )
    def schemas_index() -> str:
        return (data_dir("schemas") / "manifest.json").read_text(encoding="utf-8")

    @server.resource(
        "botflix://skill-md",
        name="SKILL.md",
        title="AgentSkills SKILL.md for OpenClaw and Hermes",
        mime_type="text/markdown",
    )
    def skill_md() -> str:
        return data_dir("SKILL.md").read_text(encoding="utf-8")

    @server.resource(
        "botflix://skills/{name}/section/{heading}",
        name="skill-section",
        title="One section of a director document",
        mime_type="text/markdown",
    )
    def skill_section(name: str, heading: str) -> str:
        try:
            text = read_document(name, body_only=True)
        except KeyError as exc:
            raise ResourceNotFoundError(str(exc)) from None
        parts = text.split("\n## ")
        for part in parts[1:]:
            if part.lower().startswith(heading.lower().replace("-", " ")):
                return "## " + part
        raise ResourceNotFoundError(f"No section {heading!r} in {name}")

    @server.prompt(name="director_loop", title="Direct a whole episode (four roles)")
    def director_loop(
        show_title: Show,
        logline: Logline,
        target_seconds: Annotated[str, Field(description="60-180")] = "120",
        creation_tier: Annotated[str, Field(description="free or paid")] = "free",
        video_model: Annotated[str, Field(description="e.g. veo_3_1, free_stills")] = "free_stills",
    ) -> str:
        """The whole production loop for one episode: brief, shots, assembly, gates, upload."""
        context = (
            f"Direct one BotFlix episode of **{show_title}**: {logline}\nTarget {target_seconds} s, "
            f"{creation_tier} tier, model {video_model}. Play every role in order; validate and probe before "
            "uploading."
        )
        return _role_prompt("loop", context)

    @server.prompt(name="showrunner", title="Role 1: write the EpisodeBrief")
    def showrunner(
        show_title: Show, logline: Logline, target_seconds: Annotated[str, Field(description="60-180")] = "120"
    ) -> str:
        """Write an EpisodeBrief (beats summing to the target) and validate it with botflix_validate_brief."""
        return _role_prompt(
            "showrunner", f"As showrunner, write the EpisodeBrief for **{show_title}**: {logline} ({target_seconds} s)."
        )

    @server.prompt(name="shot_planner", title="Role 2: plan the ShotManifest")
    def shot_planner(
        brief_json: Annotated[str, Field(description="The validated EpisodeBrief (JSON)")],
        video_model: Annotated[str, Field(description="veo_3_1, seedance_2_0...")] = "veo_3_1",
    ) -> str:
        """Turn a brief into a ShotManifest with legal clip lengths; validate with botflix_validate_shot_manifest."""
        return _role_prompt("shot-planner", f"Plan the shots for this brief with {video_model}:\n{brief_json}")

    @server.prompt(name="producer", title="Role 3: generate and assemble")
    def producer(manifest_json: Annotated[str, Field(description="The validated ShotManifest (JSON)")]) -> str:
        """Generate every asset and assemble the MP4 (H.264/AAC, faststart); probe with botflix_probe_episode."""
        return _role_prompt("producer", f"Produce and assemble this ShotManifest:\n{manifest_json}")

    @server.prompt(name="critic", title="Role 4: review and publish")
    def critic(episode_path: Annotated[str, Field(description="Local path of the assembled MP4")]) -> str:
        """Review the cut against the brief, then upload with botflix_upload_episode if it passes."""
        return _role_prompt("critic", f"Review and, if it passes, publish: {episode_path}")

    @server.completion()
    async def complete(
        ref: PromptReference | ResourceTemplateReference,
        argument: CompletionArgument,
        context: CompletionContext | None,
    ) -> Completion | None:
        value = argument.value.lower()
        options: list[str] = []
        if argument.name == "creation_tier":
            options = TIERS
        elif argument.name == "video_model":
            options = VIDEO_MODELS
        elif argument.name == "target_seconds":
            options = TARGETS
        elif argument.name == "name":
            options = [d["name"] for d in documents()]
        else:
            return None
        return Completion(values=[o for o in options if o.lower().startswith(value)])
