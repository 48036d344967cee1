"""EpisodeBrief, ShotManifest and EpisodeMetadata: JSON Schema 2020-12 plus the checks a schema cannot express.

Every problem carries a JSON path (`$.shots[3].duration_s`) so an agent can fix exactly that field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from botflix_mcp.resources_path import data_dir

Kind = Literal["brief", "shot_manifest", "metadata"]
SCHEMA_FILES: dict[str, str] = {
    "brief": "episode-brief.schema.json",
    "shot_manifest": "shot-manifest.schema.json",
    "metadata": "episode-metadata.schema.json",
}
EPISODE_MIN_S, EPISODE_MAX_S = 60.0, 180.0
BEAT_TOLERANCE = 0.10
#: Clip lengths the generators produce (director.md / veo.md); a shot asking for another length is refused.
CLIP_LENGTHS: dict[str, tuple[float, ...]] = {"veo": (4, 6, 8), "seedance": (5, 10, 15)}


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class ValidationReport:
    kind: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ok": self.ok,
            "problems": [{"path": p.path, "message": p.message, "severity": p.severity} for p in self.problems],
        }

    def markdown(self) -> str:
        head = f"**{self.kind}: {'valid' if self.ok else 'INVALID'}**"
        if not self.problems:
            return head + " — no problems."
        lines = [f"- {'❌' if p.severity == 'error' else '⚠️'} `{p.path}` {p.message}" for p in self.problems[:60]]
        more = len(self.problems) - 60
        return "\n".join([head, *lines, *([f"- …and {more} more"] if more > 0 else [])])


@cache
def load_schema(kind: str) -> dict[str, Any]:
    return json.loads((data_dir("schemas") / SCHEMA_FILES[kind]).read_text(encoding="utf-8"))


@cache
def _validator(kind: str) -> Any:
    from jsonschema import Draft202012Validator, FormatChecker

    return Draft202012Validator(load_schema(kind), format_checker=FormatChecker())


def _json_path(parts: Any) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def schema_problems(kind: str, doc: Any) -> list[Problem]:
    errors = sorted(_validator(kind).iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    return [Problem(_json_path(e.absolute_path), e.message[:300]) for e in errors]


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def validate_brief(doc: Any) -> ValidationReport:
    report = ValidationReport("EpisodeBrief", schema_problems("brief", doc))
    if not isinstance(doc, Mapping):
        return report
    beats = doc.get("beats") if isinstance(doc.get("beats"), list) else []
    target = _num(doc.get("target_seconds"))
    total = sum(_num(b.get("target_seconds")) or 0 for b in beats if isinstance(b, Mapping))
    if target and beats and abs(total - target) > BEAT_TOLERANCE * target:
        report.problems.append(
            Problem("$.beats", f"beats add up to {total:g} s but target_seconds is {target:g} s (allowed ±10%)")
        )
    continuity = doc.get("continuity") if isinstance(doc.get("continuity"), Mapping) else {}
    characters = {c.get("id") for c in continuity.get("characters", []) if isinstance(c, Mapping)}
    locations = {c.get("id") for c in continuity.get("locations", []) if isinstance(c, Mapping)}
    seen: set[str] = set()
    for i, beat in enumerate(beats):
        if not isinstance(beat, Mapping):
            continue
        if beat.get("id") in seen:
            report.problems.append(Problem(f"$.beats[{i}].id", f"duplicate beat id {beat.get('id')!r}"))
        seen.add(str(beat.get("id")))
        for j, who in enumerate(beat.get("characters") or []):
            if who not in characters:
                report.problems.append(
                    Problem(f"$.beats[{i}].characters[{j}]", f"character {who!r} is not in continuity.characters")
                )
        where = beat.get("location")
        if where is not None and where not in locations:
            report.problems.append(
                Problem(f"$.beats[{i}].location", f"location {where!r} is not in continuity.locations")
            )
    return report


def _clip_family(model: str) -> str | None:
    lowered = model.lower()
    return next((family for family in CLIP_LENGTHS if family in lowered), None)


def validate_shot_manifest(doc: Any, brief: Any = None) -> ValidationReport:
    report = ValidationReport("ShotManifest", schema_problems("shot_manifest", doc))
    if not isinstance(doc, Mapping):
        return report
    shots = [s for s in doc.get("shots") or [] if isinstance(s, Mapping)]
    total = sum(_num(s.get("duration_s")) or 0 for s in shots)
    if shots and not EPISODE_MIN_S <= total <= EPISODE_MAX_S:
        report.problems.append(Problem("$.shots", f"shots add up to {total:g} s; an episode must run 60–180 s"))
    assets = {a.get("id") for a in doc.get("assets") or [] if isinstance(a, Mapping)}
    ids: set[str] = set()
    for i, shot in enumerate(doc.get("shots") or []):
        if not isinstance(shot, Mapping):
            continue
        base = f"$.shots[{i}]"
        if shot.get("id") in ids:
            report.problems.append(Problem(f"{base}.id", f"duplicate shot id {shot.get('id')!r}"))
        ids.add(str(shot.get("id")))
        gen = shot.get("generation") if isinstance(shot.get("generation"), Mapping) else {}
        model = str(gen.get("model") or doc.get("video_model") or "")
        family = _clip_family(model)
        requested = _num(gen.get("requested_seconds"))
        if family and requested is not None and requested not in CLIP_LENGTHS[family]:
            allowed = "/".join(f"{x:g}" for x in CLIP_LENGTHS[family])
            report.problems.append(
                Problem(f"{base}.generation.requested_seconds", f"{model} clips are {allowed} s, not {requested:g} s")
            )
        for key, where in (("audio_asset_id", "narration"), ("clip_asset_id", "output")):
            holders = shot.get(where) if isinstance(shot.get(where), list) else [shot.get(where)]
            for j, holder in enumerate(holders):
                ref = holder.get(key) if isinstance(holder, Mapping) else None
                if ref is not None and ref not in assets:
                    path = f"{base}.{where}[{j}].{key}" if where == "narration" else f"{base}.{where}.{key}"
                    report.problems.append(Problem(path, f"asset {ref!r} is not in assets"))
    thumb = doc.get("thumbnail") if isinstance(doc.get("thumbnail"), Mapping) else {}
    if thumb.get("from_shot_id") is not None and thumb.get("from_shot_id") not in ids:
        report.problems.append(
            Problem("$.thumbnail.from_shot_id", f"shot {thumb.get('from_shot_id')!r} does not exist")
        )
    if isinstance(brief, Mapping):
        beats = {b.get("id"): b for b in brief.get("beats") or [] if isinstance(b, Mapping)}
        for i, shot in enumerate(shots):
            if shot.get("beat_id") is not None and shot.get("beat_id") not in beats:
                report.problems.append(
                    Problem(f"$.shots[{i}].beat_id", f"beat {shot.get('beat_id')!r} is not in the brief")
                )
        uncovered = [b for b in beats if b not in {s.get("beat_id") for s in shots}]
        if uncovered:
            report.problems.append(
                Problem("$.shots", f"no shot covers beat(s) {', '.join(map(str, uncovered))}", "warning")
            )
        target = _num(brief.get("target_seconds"))
        if target and shots and abs(total - target) > BEAT_TOLERANCE * target:
            report.problems.append(
                Problem("$.shots", f"shots add up to {total:g} s but the brief targets {target:g} s (±10%)", "warning")
            )
    return report


def validate_metadata(doc: Any) -> ValidationReport:
    report = ValidationReport("EpisodeMetadata", schema_problems("metadata", doc))
    if isinstance(doc, Mapping):
        if isinstance(doc.get("brief"), Mapping):
            report.problems += [
                Problem("$.brief" + p.path[1:], p.message, p.severity) for p in validate_brief(doc["brief"]).problems
            ]
        if isinstance(doc.get("shot_manifest"), Mapping):
            inner = validate_shot_manifest(doc["shot_manifest"], doc.get("brief"))
            report.problems += [Problem("$.shot_manifest" + p.path[1:], p.message, p.severity) for p in inner.problems]
    return report


def _dedupe(report: ValidationReport) -> ValidationReport:
    """One problem per path: the schema's message wins over a semantic check saying the same thing."""
    seen: set[str] = set()
    kept = []
    for problem in report.problems:
        if problem.path in seen and problem.path != "$.shots":
            continue
        seen.add(problem.path)
        kept.append(problem)
    report.problems = kept
    return report


def validate(kind: Kind, doc: Any, brief: Any = None) -> ValidationReport:
    if kind == "brief":
        return _dedupe(validate_brief(doc))
    if kind == "shot_manifest":
        return _dedupe(validate_shot_manifest(doc, brief))
    return _dedupe(validate_metadata(doc))
