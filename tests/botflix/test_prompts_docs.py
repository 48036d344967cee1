"""The shipped director documents.

`prompts/manifest.json` is the single index: every document it lists exists, carries front matter with the
required keys that repeats the manifest entry, and every Markdown file in `prompts/` is listed. `SKILL.md`
parses and declares what OpenClaw and Hermes read. Tool names in the documents are the planned ones, JSON
examples parse, and the ffmpeg recipe in `assemble.md` really builds an upload-ready MP4.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from botflix_mcp.frontmatter import Document, read_document
from botflix_mcp.settings import SPECS

ROOT = Path(__file__).resolve().parents[2]
PROMPTS = ROOT / "prompts"
MANIFEST = PROMPTS / "manifest.json"
SKILL = ROOT / "skills" / "botflix-mcp" / "SKILL.md"  # a directory named after the skill (Agent Skills)

REQUIRED_KEYS = ("name", "title", "description", "version", "audience")
EXPECTED_DOCUMENTS = {
    "director": "director.md",
    "free-tier": "FREE_TIER.md",
    "automation-guardrails": "AUTOMATION_GUARDRAILS.md",
    "hermes-learning": "hermes-learning.md",
    "veo": "veo.md",
    "assemble": "assemble.md",
    "upload": "upload.md",
    "aioz-stream": "aioz-stream.md",
}
# The tool names the documents may mention: the planned BotFlix surface and the AIOZ tools the documents
# rely on. A typo or a renamed tool in a document fails `test_documents_mention_only_known_tools`.
KNOWN_TOOLS = {
    "botflix_register_director",
    "botflix_profile",
    "botflix_validate",
    "botflix_probe_episode",
    "botflix_upload_episode",
    "botflix_discover_episodes",
    "botflix_get_episode",
    "botflix_download_episode",
    "botflix_like_episode",
    "botflix_skill",
    "aioz_credentials",
    "aioz_account",
    "aioz_upload_media",
    "aioz_media_status",
    "aioz_media",
}
# Tokens that look like tool names but are not: the director key prefix, the `aioz_<resource>` pattern and
# OpenClaw's `botflix__<tool>` namespacing.
NOT_TOOLS = {"botflix_dir_", "aioz_", "botflix__"}
SKILL_ENV = {"BOTFLIX_DIRECTOR_KEY", "AIOZ_PUBLIC_KEY", "AIOZ_SECRET_KEY", "AIOZ_DASHBOARD_TOKEN"}
KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def _manifest() -> dict[str, Any]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def _entries() -> list[dict[str, Any]]:
    return list(_manifest()["documents"])


def _doc(entry: dict[str, Any]) -> Document:
    return read_document(PROMPTS / entry["file"])


def _fences(text: str, lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", text, flags=re.S | re.M)


# --------------------------------------------------------------------------- manifest


def test_manifest_lists_the_expected_documents_once() -> None:
    entries = _entries()
    names = [e["name"] for e in entries]
    files = [e["file"] for e in entries]
    assert len(set(names)) == len(names), "duplicate document name"
    assert len(set(files)) == len(files), "duplicate document file"
    assert dict(zip(names, files, strict=True)) == EXPECTED_DOCUMENTS


def test_manifest_entries_are_complete() -> None:
    manifest = _manifest()
    known_roles = set(manifest["roles"])
    assert {"loop", "showrunner", "shot-planner", "producer", "critic"} <= known_roles
    for entry in manifest["documents"]:
        for key in ("name", "file", "title", "description", "mimeType", "version", "roles"):
            assert entry.get(key), f"{entry.get('name')}: missing {key}"
        assert entry["mimeType"] == "text/markdown"
        assert (PROMPTS / entry["file"]).is_file(), f"{entry['file']} listed but missing"
        assert entry["roles"] and set(entry["roles"]) <= known_roles, f"{entry['name']}: unknown role"
        assert len(entry["description"]) <= 300, f"{entry['name']}: description too long for a listing"
        status = entry.get("upstream_path_status")
        if entry.get("upstream_path") is None:
            assert status is None
        else:
            assert entry["upstream_path"].startswith("/") and status in {"confirmed", "inferred"}


def test_every_markdown_document_is_listed() -> None:
    on_disk = {p.name for p in PROMPTS.glob("*.md")}
    assert on_disk == {e["file"] for e in _entries()}


# --------------------------------------------------------------------------- documents


@pytest.mark.parametrize("name", sorted(EXPECTED_DOCUMENTS))
def test_document_front_matter_matches_manifest(name: str) -> None:
    entry = next(e for e in _entries() if e["name"] == name)
    doc = _doc(entry)
    for key in REQUIRED_KEYS:
        assert isinstance(doc.meta.get(key), str) and doc.meta[key].strip(), f"{entry['file']}: {key}"
    assert KEBAB.match(doc.meta["name"])
    assert SEMVER.match(doc.meta["version"])
    for key in ("name", "title", "description", "version"):
        assert doc.meta[key] == entry[key], f"{entry['file']}: front matter {key} differs from manifest.json"
    assert doc.body.startswith("# "), f"{entry['file']}: body must start with a title"
    lines = (PROMPTS / entry["file"]).read_text(encoding="utf-8").count("\n")
    assert 80 <= lines <= 250, f"{entry['file']}: {lines} lines, keep documents between 80 and 250"


def test_documents_mention_only_known_tools() -> None:
    texts = {p.name: p.read_text(encoding="utf-8") for p in [*PROMPTS.glob("*.md"), SKILL]}
    unknown = {
        (name, token)
        for name, text in texts.items()
        for token in re.findall(r"\b(?:botflix|aioz)_[a-z_]*", text)
        if token not in KNOWN_TOOLS | NOT_TOOLS
    }
    assert not unknown, f"unknown tool names in documents: {sorted(unknown)}"


def test_director_document_covers_every_botflix_tool() -> None:
    text = (PROMPTS / "director.md").read_text(encoding="utf-8")
    missing = sorted(t for t in KNOWN_TOOLS if t.startswith("botflix_") and f"`{t}`" not in text)
    assert not missing, f"director.md does not mention {missing}"


def test_json_examples_parse() -> None:
    for path in [*PROMPTS.glob("*.md"), SKILL]:
        for block in _fences(path.read_text(encoding="utf-8"), "json"):
            json.loads(block)


def test_aioz_document_keeps_the_exact_credential_questions() -> None:
    text = (PROMPTS / "aioz-stream.md").read_text(encoding="utf-8")
    for question in ("Please enter your AIOZ Stream Public Key:", "Please enter your AIOZ Stream Secret Key:"):
        assert f"`{question}`" in text
    assert "`Keep your keys safe — treat them like passwords and consider rotating them after this session.`" in text


def test_guardrails_explain_the_missing_heartbeat_tool() -> None:
    text = " ".join((PROMPTS / "AUTOMATION_GUARDRAILS.md").read_text(encoding="utf-8").lower().split())
    text = text.replace("*", "")
    assert "no heartbeat tool" in text and "synthetic engagement" in text


# --------------------------------------------------------------------------- SKILL.md


def test_skill_front_matter_for_openclaw_and_hermes() -> None:
    doc = read_document(SKILL)
    meta = doc.meta
    assert meta["name"] == "botflix-mcp"
    assert KEBAB.match(meta["name"]) and len(meta["name"]) <= 64
    assert isinstance(meta["description"], str) and 0 < len(meta["description"]) <= 1024
    assert "<" not in meta["description"] and ">" not in meta["description"]

    openclaw = meta["metadata"]["openclaw"]
    # No required env: OpenClaw would not load the skill for a first-time director, who has no key yet.
    assert openclaw["requires"]["env"] == []
    assert openclaw["requires"]["bins"] == ["botflix-mcp"]
    assert openclaw["primaryEnv"] == "BOTFLIX_DIRECTOR_KEY"
    assert any(step.get("package") == "botflix-mcp" for step in openclaw["install"])

    # Nothing declared required for Hermes either: it would prompt for every declared variable at install.
    assert "required_environment_variables" not in meta and "prerequisites" not in meta
    assert meta["metadata"]["hermes"]["tags"] and meta["metadata"]["hermes"]["category"]
    assert SKILL.parent.name == meta["name"]  # Agent Skills: the directory is named after the skill
    # Agent Skills allows only these top-level fields (`skills-ref validate` in scripts/validate.sh)
    assert set(meta) <= {"name", "description", "license", "compatibility", "metadata", "allowed-tools"}
    assert len(meta.get("compatibility", "")) <= 500


def test_skill_env_vars_are_real_settings() -> None:
    # the keys the skill's table tells the user about are real secret settings of the server
    keys_table = read_document(SKILL).body.split("## Keys", 1)[1].split("\n## ", 1)[0]
    assert set(re.findall(r"`([A-Z][A-Z0-9_]+)`", keys_table)) == SKILL_ENV
    settings_env = {spec.env for spec in SPECS}
    assert settings_env >= SKILL_ENV
    secret_env = {spec.env for spec in SPECS if spec.secret}
    assert secret_env >= SKILL_ENV, "every key the skill declares must be a secret setting"


def test_skill_front_matter_is_single_line_keys() -> None:
    # OpenClaw's embedded parser reads single-line keys only; read_document enforces the same subset.
    doc = read_document(SKILL)
    assert all(line and not line[0].isspace() for line in doc.front_matter_lines)
    assert {"name", "description", "metadata"} <= set(doc.meta)


# --------------------------------------------------------------------------- the ffmpeg recipes run


def _lavfi(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, capture_output=True, timeout=60)


def _probe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    return json.loads(out)


def _first_top_level_atom(path: Path, wanted: set[bytes]) -> bytes | None:
    with path.open("rb") as fh:
        size_total = path.stat().st_size
        offset = 0
        while offset + 8 <= size_total:
            fh.seek(offset)
            header = fh.read(16)
            size, kind = int.from_bytes(header[:4], "big"), header[4:8]
            if kind in wanted:
                return kind
            if size == 1:
                size = int.from_bytes(header[8:16], "big")
            if size < 8:
                return None
            offset += size
    return None


needs_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None, reason="ffmpeg/ffprobe not installed"
)


@needs_ffmpeg
@pytest.mark.slow
def test_assemble_recipe_builds_an_upload_ready_mp4(tmp_path: Path) -> None:
    blocks = _fences((PROMPTS / "assemble.md").read_text(encoding="utf-8"), "bash")
    helpers = next(b for b in blocks if "shot_kenburns()" in b)
    example = next(b for b in blocks if b.lstrip().startswith("mkdir -p shots out"))
    xfade = next(b for b in blocks if "xfade=" in b)
    for folder in ("stills", "clips", "audio"):
        (tmp_path / folder).mkdir()
    # the inputs (not under test) are encoded with x264's fastest preset; the recipe's own commands run as written
    _lavfi("-f", "lavfi", "-i", "testsrc2=s=1280x720", "-frames:v", "1", str(tmp_path / "stills/s001.jpg"))
    _lavfi("-f", "lavfi", "-i", "mandelbrot=s=512x512", "-frames:v", "1", str(tmp_path / "stills/s002.jpg"))
    _lavfi(
        *("-f", "lavfi", "-i", "testsrc=s=640x360:r=24", "-f", "lavfi", "-i", "sine=f=440:r=48000", "-t", "8"),
        *(
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            str(tmp_path / "clips/s003.mp4"),
        ),
    )
    _lavfi(
        *("-f", "lavfi", "-i", "smptebars=s=1280x720:r=30", "-t", "6"),
        *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(tmp_path / "clips/s004.mp4")),
    )
    _lavfi("-f", "lavfi", "-i", "sine=f=220:d=3.2", str(tmp_path / "audio/l001.mp3"))
    _lavfi("-f", "lavfi", "-i", "sine=f=330:d=5.5", str(tmp_path / "audio/l002.mp3"))
    _lavfi("-f", "lavfi", "-i", "anoisesrc=color=brown:amplitude=0.2:d=10:r=48000", str(tmp_path / "audio/bed.wav"))

    # Same commands, smaller frames and a faster x264 preset (still High profile) to keep the test quick.
    assert "-preset medium" in helpers
    helpers = helpers.replace("-preset medium", "-preset veryfast")
    script = "set -euo pipefail\nW=320 H=180 FPS=24\n" + helpers + "\n" + example
    subprocess.run(["bash", "-c", script], cwd=tmp_path, check=True, capture_output=True, timeout=180)

    episode = tmp_path / "out/episode.mp4"
    info = _probe(episode)
    video = [s for s in info["streams"] if s["codec_type"] == "video"]
    audio = [s for s in info["streams"] if s["codec_type"] == "audio"]
    assert len(video) == 1 and len(audio) == 1
    assert (video[0]["codec_name"], video[0]["profile"], video[0]["pix_fmt"]) == ("h264", "High", "yuv420p")
    assert (video[0]["width"], video[0]["height"], video[0]["r_frame_rate"]) == (320, 180, "24/1")
    assert (audio[0]["codec_name"], audio[0]["sample_rate"], audio[0]["channels"]) == ("aac", "48000", 2)
    assert float(info["format"]["duration"]) == pytest.approx(24.0, abs=0.05)  # 6 + 5 + 7 + 6 s of shots
    assert _first_top_level_atom(episode, {b"moov", b"mdat"}) == b"moov", "faststart: moov must precede mdat"
    assert (tmp_path / "out/thumbnail.jpg").stat().st_size > 0

    # The transitions example: three overlaps (0.5 + 0.5 + 1 s) shorten the 24 s of shots to 22 s.
    subprocess.run(
        ["bash", "-c", "set -euo pipefail\nW=320 H=180 FPS=24\n" + helpers + "\n" + xfade],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert float(_probe(tmp_path / "out/video.mp4")["format"]["duration"]) == pytest.approx(22.0, abs=0.05)


@needs_ffmpeg
def test_free_tier_ambience_recipe_runs(tmp_path: Path) -> None:
    block = next(b for b in _fences((PROMPTS / "FREE_TIER.md").read_text(encoding="utf-8"), "bash") if "anoisesrc" in b)
    (tmp_path / "audio").mkdir()
    script = "set -euo pipefail\n" + block.replace("T=96", "T=12")
    subprocess.run(["bash", "-c", script], cwd=tmp_path, check=True, capture_output=True, timeout=60)
    info = _probe(tmp_path / "audio/bed.wav")
    assert float(info["format"]["duration"]) == pytest.approx(12.0, abs=0.05)
    assert info["streams"][0]["channels"] == 2
