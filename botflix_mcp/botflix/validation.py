"""EpisodeBrief, ShotManifest and EpisodeMetadata: JSON Schema 2020-12 plus the checks a schema cannot express.

Every problem carries a JSON path (`$.shots[3].duration_s`) so an agent can fix exactly that field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
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
#: A dangling reference's message lists at most this many of the ids that exist (all of them are in `known`).
MAX_LISTED_IDS = 20
#: The speaker that is no character (NarrationLine.speaker: "'narrator' or a character id from the brief").
NARRATOR = "narrator"


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    severity: Literal["error", "warning"] = "error"
    #: For a reference that resolves to nothing: the ids that do exist where it should point.
    known: tuple[str, ...] | None = None

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
            "problems": [
                {"path": p.path, "message": p.message, "severity": p.severity}
                | ({"known": list(p.known)} if p.known is not None else {})
                for p in self.problems
            ],
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
    from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]

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


def _maps(value: Any) -> list[tuple[int, Mapping[str, Any]]]:
    """(index, item) of the objects in a list (anything else yields nothing: the schema reports it)."""
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)] if isinstance(value, list) else []


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _ids(items: Any, key: str = "id") -> list[str]:
    """The string ids of a list of objects, in document order, without repeats."""
    seen: dict[str, None] = {}
    for _, item in _maps(items):
        if isinstance(item.get(key), str):
            seen.setdefault(item[key], None)
    return list(seen)


def _listed(ids: list[str]) -> str:
    if not ids:
        return "none is defined"
    shown = ", ".join(ids[:MAX_LISTED_IDS])
    return f"defined: {shown}" + (f", …and {len(ids) - MAX_LISTED_IDS} more" if len(ids) > MAX_LISTED_IDS else "")


def _dangling(path: str, what: str, ref: Any, where: str, ids: list[str]) -> Problem:
    """A reference that resolves to nothing, with the ids that do exist there."""
    return Problem(path, f"{what} {ref!r} is not in {where} ({_listed(ids)})", known=tuple(ids))


def _resolve(path: str, what: str, ref: Any, where: str, ids: list[str]) -> list[Problem]:
    """No problem for an absent reference (optional fields) or one that resolves."""
    if ref is None or (isinstance(ref, str) and ref in ids):
        return []
    return [_dangling(path, what, ref, where, ids)]


def _speaker(path: str, speaker: Any, characters: list[str], where: str) -> list[Problem]:
    """A narration speaker is 'narrator' or a character id (the schemas' description of `speaker`)."""
    if not isinstance(speaker, str) or speaker.strip().lower() == NARRATOR or speaker in characters:
        return []
    return [
        Problem(
            path,
            f"speaker {speaker!r} is neither {NARRATOR!r} nor a character in {where} ({_listed(characters)})",
            known=(NARRATOR, *characters),
        )
    ]


PAST = {"advances": "advanced", "pays_off": "paid off"}


def _thread_references(beats: list[tuple[int, Mapping[str, Any]]], threads: list[str]) -> list[Problem]:
    """A beat advances or pays off a thread of continuity.threads or one a beat plants (a beat may plant a new
    one); advancing a thread before the beat that plants it is a warning."""
    planted_at: dict[str, int] = {}
    for order, (_, beat) in enumerate(beats):
        for thread in _map(beat.get("threads")).get("plants") or []:
            if isinstance(thread, str):
                planted_at.setdefault(thread, order)
    known = [*threads, *(t for t in planted_at if t not in threads)]
    problems: list[Problem] = []
    for order, (i, beat) in enumerate(beats):
        for verb in ("advances", "pays_off"):
            for j, thread in enumerate(_map(beat.get("threads")).get(verb) or []):
                path = f"$.beats[{i}].threads.{verb}[{j}]"
                if not isinstance(thread, str):
                    continue
                if thread not in known:
                    problems.append(
                        _dangling(path, "thread", thread, "continuity.threads or any beat's threads.plants", known)
                    )
                elif thread not in threads and planted_at[thread] > order:
                    problems.append(
                        Problem(
                            path,
                            f"thread {thread!r} is {PAST[verb]} before the beat that plants it",
                            "warning",
                        )
                    )
    return problems


def validate_brief(doc: Any) -> ValidationReport:
    """Schema, beat sum within ±10 % of the target, unique beat ids, and every character, location, thread and
    beat a beat or a script line names resolves inside the brief."""
    report = ValidationReport("EpisodeBrief", schema_problems("brief", doc))
    if not isinstance(doc, Mapping):
        return report
    beats = _maps(doc.get("beats"))
    target = _num(doc.get("target_seconds"))
    total = sum(_num(b.get("target_seconds")) or 0 for _, b in beats)
    if target and beats and abs(total - target) > BEAT_TOLERANCE * target:
        report.problems.append(
            Problem("$.beats", f"beats add up to {total:g} s but target_seconds is {target:g} s (allowed ±10%)")
        )
    continuity = _map(doc.get("continuity"))
    characters = _ids(continuity.get("characters"))
    locations = _ids(continuity.get("locations"))
    seen: set[str] = set()
    for i, beat in beats:
        if beat.get("id") in seen:
            report.problems.append(Problem(f"$.beats[{i}].id", f"duplicate beat id {beat.get('id')!r}"))
        seen.add(str(beat.get("id")))
        for j, who in enumerate(beat.get("characters") or []):
            report.problems += _resolve(
                f"$.beats[{i}].characters[{j}]", "character", who, "continuity.characters", characters
            )
        report.problems += _resolve(
            f"$.beats[{i}].location", "location", beat.get("location"), "continuity.locations", locations
        )
    report.problems += _thread_references(beats, _ids(continuity.get("threads")))
    beat_ids = _ids(doc.get("beats"))
    for k, line in _maps(_map(doc.get("narration")).get("script")):
        base = f"$.narration.script[{k}]"
        report.problems += _resolve(f"{base}.beat_id", "beat", line.get("beat_id"), "beats", beat_ids)
        report.problems += _speaker(f"{base}.speaker", line.get("speaker"), characters, "continuity.characters")
    return report


def _clip_family(model: str) -> str | None:
    lowered = model.lower()
    return next((family for family in CLIP_LENGTHS if family in lowered), None)


def _asset_references(doc: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(JSON path, asset id) of every asset reference in a ShotManifest (shots first, then the episode's)."""
    refs: list[tuple[str, Any]] = []
    for i, shot in _maps(doc.get("shots")):
        base = f"$.shots[{i}]"
        gen = _map(shot.get("generation"))
        for j, ref in enumerate(gen.get("reference_asset_ids") or []):
            refs.append((f"{base}.generation.reference_asset_ids[{j}]", ref))
        for key in ("first_frame_asset_id", "last_frame_asset_id"):
            refs.append((f"{base}.generation.{key}", gen.get(key)))
        for j, line in _maps(shot.get("narration")):
            refs.append((f"{base}.narration[{j}].audio_asset_id", line.get("audio_asset_id")))
        refs.append((f"{base}.output.clip_asset_id", _map(shot.get("output")).get("clip_asset_id")))
    for holder, key in (("audio_mix", "music_asset_id"), ("subtitles", "srt_asset_id"), ("thumbnail", "asset_id")):
        refs.append((f"$.{holder}.{key}", _map(doc.get(holder)).get(key)))
    return refs


def _brief_references(doc: Mapping[str, Any], brief: Mapping[str, Any]) -> list[Problem]:
    """Every beat, character, location and speaker a shot names resolves in the brief."""
    problems: list[Problem] = []
    beats = _ids(brief.get("beats"))
    continuity = _map(brief.get("continuity"))
    characters = _ids(continuity.get("characters"))
    locations = _ids(continuity.get("locations"))
    shots = _maps(doc.get("shots"))
    for i, shot in shots:
        base = f"$.shots[{i}]"
        problems += _resolve(f"{base}.beat_id", "beat", shot.get("beat_id"), "the brief's beats", beats)
        for j, who in enumerate(shot.get("characters") or []):
            problems += _resolve(
                f"{base}.characters[{j}]", "character", who, "the brief's continuity.characters", characters
            )
        problems += _resolve(
            f"{base}.location", "location", shot.get("location"), "the brief's continuity.locations", locations
        )
        for j, line in _maps(shot.get("narration")):
            problems += _speaker(
                f"{base}.narration[{j}].speaker", line.get("speaker"), characters, "the brief's continuity.characters"
            )
    covered = {s.get("beat_id") for _, s in shots}
    uncovered = [b for b in beats if b not in covered]
    if uncovered:
        problems.append(Problem("$.shots", f"no shot covers beat(s) {', '.join(uncovered)}", "warning"))
    ref = _map(doc.get("brief_ref"))
    episode = _map(brief.get("episode"))
    for mine, theirs in (("title", "title"), ("season", "season"), ("number", "number")):
        if ref.get(mine) is not None and episode.get(theirs) is not None and ref[mine] != episode[theirs]:
            problems.append(
                Problem(
                    f"$.brief_ref.{mine}",
                    f"is {ref[mine]!r} but the brief's episode.{theirs} is {episode[theirs]!r}: is this the brief "
                    "the manifest was planned from?",
                    "warning",
                )
            )
    return problems


def _unchecked_without_brief(doc: Mapping[str, Any]) -> list[Problem]:
    """Without the brief, beat/character/location/speaker ids cannot be resolved: say so rather than pass them."""
    named = [
        kind
        for kind, present in (
            ("beat", any(s.get("beat_id") is not None for _, s in _maps(doc.get("shots")))),
            ("character", any(s.get("characters") for _, s in _maps(doc.get("shots")))),
            ("location", any(s.get("location") is not None for _, s in _maps(doc.get("shots")))),
            (
                "speaker",
                any(
                    isinstance(line.get("speaker"), str) and line["speaker"].strip().lower() != NARRATOR
                    for _, s in _maps(doc.get("shots"))
                    for _, line in _maps(s.get("narration"))
                ),
            ),
        )
        if present
    ]
    if not named:
        return []
    return [
        Problem(
            "$.shots",
            f"{', '.join(named)} ids were not checked against a brief: pass the EpisodeBrief too (brief argument) "
            "so every one of them must resolve",
            "warning",
        )
    ]


def validate_shot_manifest(doc: Any, brief: Any = None) -> ValidationReport:
    """Schema, 60–180 s, legal clip lengths, unique shot ids, every asset and shot id resolves inside the
    manifest, and with the brief every beat, character, location and speaker resolves there."""
    report = ValidationReport("ShotManifest", schema_problems("shot_manifest", doc))
    if not isinstance(doc, Mapping):
        return report
    shots = _maps(doc.get("shots"))
    total = sum(_num(s.get("duration_s")) or 0 for _, s in shots)
    if shots and not EPISODE_MIN_S <= total <= EPISODE_MAX_S:
        report.problems.append(Problem("$.shots", f"shots add up to {total:g} s; an episode must run 60–180 s"))
    assets = _ids(doc.get("assets"))
    seen_assets: set[Any] = set()
    for k, asset in _maps(doc.get("assets")):
        if asset.get("id") in seen_assets:
            report.problems.append(Problem(f"$.assets[{k}].id", f"duplicate asset id {asset.get('id')!r}"))
        seen_assets.add(asset.get("id"))
    shot_ids = _ids(doc.get("shots"))
    seen: set[str] = set()
    for i, shot in shots:
        base = f"$.shots[{i}]"
        if shot.get("id") in seen:
            report.problems.append(Problem(f"{base}.id", f"duplicate shot id {shot.get('id')!r}"))
        seen.add(str(shot.get("id")))
        gen = _map(shot.get("generation"))
        model = str(gen.get("model") or doc.get("video_model") or "")
        family = _clip_family(model)
        requested = _num(gen.get("requested_seconds"))
        if family and requested is not None and requested not in CLIP_LENGTHS[family]:
            allowed = "/".join(f"{x:g}" for x in CLIP_LENGTHS[family])
            report.problems.append(
                Problem(f"{base}.generation.requested_seconds", f"{model} clips are {allowed} s, not {requested:g} s")
            )
        carries = _map(shot.get("continuity")).get("carries_from_shot")
        others = [s for s in shot_ids if s != shot.get("id")]
        report.problems += _resolve(f"{base}.continuity.carries_from_shot", "shot", carries, "the other shots", others)
    for path, ref in _asset_references(doc):
        report.problems += _resolve(path, "asset", ref, "assets", assets)
    from_shot = _map(doc.get("thumbnail")).get("from_shot_id")
    report.problems += _resolve("$.thumbnail.from_shot_id", "shot", from_shot, "shots", shot_ids)
    if isinstance(brief, Mapping):
        report.problems += _brief_references(doc, brief)
        target = _num(brief.get("target_seconds"))
        if target and shots and abs(total - target) > BEAT_TOLERANCE * target:
            report.problems.append(
                Problem("$.shots", f"shots add up to {total:g} s but the brief targets {target:g} s (±10%)", "warning")
            )
    else:
        report.problems += _unchecked_without_brief(doc)
    return report


def _nested(report: ValidationReport, prefix: str) -> list[Problem]:
    """An embedded document's problems, with paths from the outer document's root."""
    return [replace(p, path=prefix + p.path[1:]) for p in report.problems]


def validate_metadata(doc: Any) -> ValidationReport:
    report = ValidationReport("EpisodeMetadata", schema_problems("metadata", doc))
    if isinstance(doc, Mapping):
        if isinstance(doc.get("brief"), Mapping):
            report.problems += _nested(validate_brief(doc["brief"]), "$.brief")
        if isinstance(doc.get("shot_manifest"), Mapping):
            inner = validate_shot_manifest(doc["shot_manifest"], doc.get("brief"))
            report.problems += _nested(inner, "$.shot_manifest")
    return report


def _dedupe(report: ValidationReport) -> ValidationReport:
    """One error per path: the schema's message wins over a semantic check saying the same thing. Warnings and
    the episode-wide `$.shots` findings are all kept."""
    seen: set[str] = set()
    kept = []
    for problem in report.problems:
        if problem.severity == "error" and problem.path in seen and problem.path != "$.shots":
            continue
        if problem.severity == "error":
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
