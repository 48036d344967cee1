#!/usr/bin/env bash
# Sets up everything the tests need from the project's own files, then runs them.
# This is the README's test command; CI runs it through .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

# System packages (only what is missing): Debian's chromium (the credentials page's headless-browser test) and
# ffmpeg (ffprobe for the MP4 gate, ffmpeg to make test episodes). On a bare Debian/Ubuntu machine that is about
# 650 MiB with their libraries; apt prints its own summary (packages, download and disk size) below. Without root
# or apt the tests that need them skip and say so.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== apt-get install ${need[*]} (for the browser and MP4 tests)"
    if apt-get update -qq >/dev/null; then
      # keep apt's summary (what it installs, how much it downloads and takes on disk), drop the per-file lines
      DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" 2>&1 \
        | awk '/^The following NEW packages/{p=1} p||/^E:/{print} /^After this operation/{p=0}' || true
      for tool in chromium ffprobe; do
        command -v "$tool" >/dev/null 2>&1 || echo "!! $tool is still missing: the tests that need it will say so"
      done
    else
      echo "!! apt-get update failed: the tests that need ${need[*]} will say so"
    fi
  else
    echo "!! not root or no apt-get: install ${need[*]} yourself for the browser/probe tests (they skip and say so)"
  fi
fi

echo "== python venv (.venv) with the project and its test extra"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'

echo "== ruff"
.venv/bin/ruff check botflix_mcp tests bench
.venv/bin/ruff format --check botflix_mcp tests bench

echo "== mypy (configuration in pyproject.toml)"
.venv/bin/mypy

echo "== pytest"
.venv/bin/python -m pytest -q "$@"

echo "== skills-ref and MCPB validators (scripts/validate.sh)"
bash scripts/validate.sh

echo "== MCP conformance suite + Inspector CLI (scripts/conformance.sh)"
bash scripts/conformance.sh
