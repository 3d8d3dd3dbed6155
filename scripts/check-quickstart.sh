#!/usr/bin/env bash
# The README's quick start on a fresh clone, with npm 10 (what Node.js 20 ships) and with this
# machine's npm: `npm ci`, then `npx clickforge demo --sessions 2000 --no-evaluate`.
# Prints the time of each step; exits non-zero (with the end of the failing log) on failure.
# Clones HEAD: commit what you want checked. Needs the npm registry (npm@10 and the lockfile's
# packages, or npm's cache); nothing else. Usage: scripts/check-quickstart.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/clickforge-quickstart.XXXXXX")"
ok=0
cleanup() {
  # `npx clickforge` in a project installs a link to it in npm's npx cache: remove the ones of these clones
  local npx_cache
  npx_cache="$(npm config get cache 2>/dev/null)/_npx"
  if [ -d "$npx_cache" ]; then grep -l -F "$tmp" "$npx_cache"/*/package.json 2>/dev/null | xargs -r -n1 dirname | xargs -r rm -rf; fi
  if [ "$ok" = 1 ]; then rm -rf "$tmp"; else echo "logs kept in $tmp" >&2; fi
}
trap cleanup EXIT

# CI exports this for its own install; the quick start must work without it (the repo's .npmrc does it)
unset ONNXRUNTIME_NODE_INSTALL npm_config_onnxruntime_node_install ONNXRUNTIME_NODE_INSTALL_CUDA

echo "quick start of $(git -C "$root" log -1 --format='%h %s' | cut -c1-72)"

now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
step() { # label log command...
  local label="$1" log="$2" t0 t1
  shift 2
  t0="$(now)"
  if ! "$@" >"$log" 2>&1; then
    t1="$(now)"
    printf '  %-34s FAILED after %s s: %s\n' "$label" "$(secs "$t0" "$t1")" "$*" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
  t1="$(now)"
  printf '  %-34s %6s s\n' "$label" "$(secs "$t0" "$t1")"
}

# npm 10 through npx; `npm exec` is what npx runs
npm10() { npx -y npm@10 "$@"; }
v10="$(npm10 --version 2>/dev/null)"
v11="$(npm --version 2>/dev/null)"

for round in "npm10 $v10" "npm $v11"; do
  set -- $round
  npmcmd="$1" version="$2"
  echo "npm $version (node $(node --version)):"
  # a fresh clone per npm: nothing built or cached by the other round (npx links each project path once)
  git clone -q "$root" "$tmp/$version/repo"
  cd "$tmp/$version/repo"
  step "npm ci" "$tmp/ci-$version.log" "$npmcmd" ci
  out="$tmp/demo-$version"
  step "npx clickforge demo --sessions 2000" "$tmp/demo-$version.log" "$npmcmd" exec -- clickforge demo --sessions 2000 --no-evaluate --out "$out"
  for f in build/manifest.json build/report.json build/dataset/clickforge/train.jsonl; do
    [ -s "$out/$f" ] || { echo "  demo wrote no $f (see $tmp/demo-$version.log)" >&2; exit 1; }
  done
  grep -q '^positive pairs' "$tmp/demo-$version.log" || { echo "  demo printed no summary (see $tmp/demo-$version.log)" >&2; exit 1; }
done
ok=1
echo "quick start ok with npm $v10 and npm $v11"
