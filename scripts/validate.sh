#!/usr/bin/env bash
# The ecosystem's own validators, run by scripts/test.sh (issue 12 §6, §7):
#  1. `skills-ref validate skills/botflix-mcp` (the Agent Skills reference validator);
#  2. `mcpb validate mcpb/manifest.json` (the official MCPB CLI), after checking the generated manifests are
#     current (scripts/bundles.py --check);
#     then the bundle is packed and started as Claude Desktop would start it (initialize + tools/list);
#  3. `claude plugin validate .` (the Claude Code plugin and marketplace manifests) where Claude Code is installed
#     (it is a ~400 MB npm download, so it is not installed here just for this check).
# Both come from npm, pinned in scripts/validators/package-lock.json and installed with `npm ci` into a scratch
# directory outside the repository (reused while the lock file is unchanged). Without npm, or when npm cannot
# install them (no network), this says so and skips; the manifests are still checked against the published
# schemas by the pytest run (tests/test_bundles.py).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}

"$PY" scripts/bundles.py --check

if command -v claude >/dev/null 2>&1; then
  echo "== claude plugin validate . ($(claude --version 2>/dev/null | head -1))"
  claude plugin validate . | grep -E '^(✔|✘)'
  [ "${PIPESTATUS[0]}" = 0 ] || exit 1
else
  echo "skipped: claude plugin validate (Claude Code is not installed; tests/test_bundles.py checks the manifests)"
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "skipped: skills-ref and mcpb validate (npm is not installed)"
  exit 0
fi
SCRATCH=${BOTFLIX_VALIDATORS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/botflix-mcp-validators}
want=$(sha256sum scripts/validators/package-lock.json | cut -d' ' -f1)
if [ "$(cat "$SCRATCH/.lock-sha256" 2>/dev/null)" != "$want" ]; then
  rm -rf "$SCRATCH" && mkdir -p "$SCRATCH"
  cp scripts/validators/package.json scripts/validators/package-lock.json "$SCRATCH/"
  if ! (cd "$SCRATCH" && npm ci --no-audit --no-fund --loglevel=error >"$SCRATCH/npm.log" 2>&1); then
    echo "skipped: skills-ref and mcpb validate (npm could not install them: $(tail -1 "$SCRATCH/npm.log"))"
    exit 0
  fi
  echo "$want" >"$SCRATCH/.lock-sha256"
fi
BIN=$SCRATCH/node_modules/.bin

echo "== skills-ref validate skills/botflix-mcp ($("$BIN/skills-ref" --version))"
"$BIN/skills-ref" validate skills/botflix-mcp

echo "== mcpb validate mcpb/manifest.json ($("$BIN/mcpb" --version))"
"$BIN/mcpb" validate mcpb/manifest.json

echo "== MCPB bundle: pack (scripts/mcpb_pack.sh), then start it as Claude Desktop would (scripts/mcpb_smoke.py)"
bundle_dir=$(mktemp -d)
trap 'rm -rf "$bundle_dir"' EXIT
MCPB_OUT=$bundle_dir/botflix-mcp.mcpb BOTFLIX_VALIDATORS_DIR=$SCRATCH PY=$PY bash scripts/mcpb_pack.sh
"$PY" scripts/mcpb_smoke.py "$bundle_dir/botflix-mcp.mcpb"
