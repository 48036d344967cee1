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

# The official MCP Apps SDK, pinned by tests/apps/ext-apps/package-lock.json: its generated schema of the app<->host
# messages is what tests/apps holds every recorded message against, and its host side (AppBridge), bundled into one
# browser script with esbuild, hosts our apps in tests/apps/test_apps_official_host.py. Installed with npm ci into
# the user's cache (reused while the lock file and the entry are unchanged); without npm those tests skip and say so.
EXT_APPS=${XDG_CACHE_HOME:-$HOME/.cache}/botflix-mcp-ext-apps
if command -v npm >/dev/null 2>&1; then
  want=$(cat tests/apps/ext-apps/package-lock.json tests/apps/ext-apps/host-bridge.js | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$EXT_APPS/.lock-sha256" 2>/dev/null)" != "$want" ]; then
    echo "== npm ci @modelcontextprotocol/ext-apps (tests/apps/ext-apps: the official MCP Apps schema and AppBridge)"
    rm -rf "$EXT_APPS" && mkdir -p "$EXT_APPS"
    cp tests/apps/ext-apps/package.json tests/apps/ext-apps/package-lock.json tests/apps/ext-apps/.npmrc \
      tests/apps/ext-apps/host-bridge.js "$EXT_APPS/"
    if (cd "$EXT_APPS" && npm ci --no-audit --no-fund --loglevel=error >"$EXT_APPS/npm.log" 2>&1 \
      && node_modules/.bin/esbuild host-bridge.js --bundle --format=iife --global-name=ExtAppsHost \
        --platform=browser --log-level=error --outfile=host-bridge.bundle.js >>"$EXT_APPS/npm.log" 2>&1); then
      echo "$want" >"$EXT_APPS/.lock-sha256"
    else
      echo "!! npm could not install it ($(tail -1 "$EXT_APPS/npm.log")): the official MCP Apps tests skip and say so"
    fi
  fi
  export BOTFLIX_EXT_APPS_SCHEMA=$EXT_APPS/node_modules/@modelcontextprotocol/ext-apps/dist/src/generated/schema.json
  export BOTFLIX_EXT_APPS_BRIDGE=$EXT_APPS/host-bridge.bundle.js
else
  echo "!! npm is not installed: the official MCP Apps tests (tests/apps) skip and say so"
fi

echo "== pytest"
.venv/bin/python -m pytest -q "$@"

echo "== skills-ref and MCPB validators (scripts/validate.sh)"
bash scripts/validate.sh

echo "== MCP conformance suite + Inspector CLI (scripts/conformance.sh)"
bash scripts/conformance.sh
