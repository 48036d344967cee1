#!/usr/bin/env bash
# Sets up everything the tests need from the project's own files, then runs them.
# This is the README's test command; CI runs it through .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

# System packages: Debian chromium (the credentials page's browser test) and ffmpeg (MP4 probing).
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== apt-get install ${need[*]}"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null \
      || echo "!! apt-get failed: the tests that need ${need[*]} will say so"
  else
    echo "!! not root or no apt-get: install ${need[*]} yourself for the browser/probe tests"
  fi
fi

echo "== python venv (.venv) with the project and its test extra"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'

echo "== ruff"
.venv/bin/ruff check botflix_mcp tests bench
.venv/bin/ruff format --check botflix_mcp tests bench

echo "== pytest"
.venv/bin/python -m pytest -q "$@"

echo "== MCP conformance suite + Inspector CLI (scripts/conformance.sh)"
bash scripts/conformance.sh
