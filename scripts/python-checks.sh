#!/usr/bin/env bash
# Train on the exported datasets with the tools people train with (test/python): a virtualenv with
# the pinned requirements, the demo world's dataset (or the folder in CLICKFORGE_DATASET), pytest.
#   CLICKFORGE_DATASET=out/dataset scripts/python-checks.sh   # check an existing dataset folder
#   scripts/python-checks.sh -k snippet                        # arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${CLICKFORGE_VENV:-.venv-python-checks}"
requirements=test/python/requirements.txt
timings=()
now() { date +%s.%N; }
took() { timings+=("$(awk -v name="$1" -v a="$2" -v b="$(now)" 'BEGIN { printf "%-8s %6.1f s", name, b - a }')"); }
report() { printf 'python checks:\n'; printf '  %s\n' "${timings[@]}"; }

start=$(now)
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "python checks: $venv is up to date with $requirements"
else
  echo "python checks: installing $requirements into $venv"
  "${PYTHON:-python3}" -m venv --clear "$venv"
  # PIP_RETRIES=0: an index that cannot be reached is skipped at once (here only the configured mirror answers; 5 retries per package cost ~11 min)
  PIP_RETRIES="${PIP_RETRIES:-0}" "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  echo "$want" > "$stamp"
fi
took install "$start"

start=$(now)
if [[ -n "${CLICKFORGE_DATASET:-}" ]]; then
  echo "python checks: dataset $CLICKFORGE_DATASET"
else
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  echo "python checks: building the demo world's dataset in $out"
  npx tsx src/cli/main.ts demo --no-evaluate --out "$out" > "$out/demo.log" 2>&1 || { cat "$out/demo.log"; exit 1; }
  export CLICKFORGE_DATASET="$out/build/dataset"
fi
took dataset "$start"

start=$(now)
set +e
"$venv/bin/python" -m pytest test/python "$@"
code=$?
set -e
took pytest "$start"
report
if [[ $code -eq 5 ]]; then
  echo "python checks: pytest collected no test" >&2
  exit 1
fi
exit $code
