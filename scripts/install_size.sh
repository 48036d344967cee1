#!/usr/bin/env bash
# Measures the runtime install as a user gets it: a fresh venv, `pip install <target>` (default: this checkout,
# no extras), the wall time of that pip run and the size of what it put in site-packages, largest first.
# Usage: bash scripts/install_size.sh ['.[probe]']   (pip's cache makes a second run faster: --no-cache-dir is used)
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-.}
PY=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PY" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
site=$("$work/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
base=$(du -sk "$site" | cut -f1)
start=$(date +%s.%N)
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check --no-cache-dir "$target" 2>"$work/pip.err" \
  || { cat "$work/pip.err" >&2; exit 1; }
end=$(date +%s.%N)
total=$(du -sk "$site" | cut -f1)
printf 'pip install %s: %.0f s, %.1f MiB in site-packages (fresh venv, no pip cache)\n' \
  "$target" "$(echo "$end - $start" | bc)" "$(echo "($total - $base) / 1024" | bc -l)"
echo "largest:"
(cd "$site" && du -sk -- */ 2>/dev/null | grep -vE '\s(pip|setuptools|_distutils_hack)/$' | sort -rn | head -6 \
  | awk '{printf "  %6.1f MiB  %s\n", $1/1024, $2}')
