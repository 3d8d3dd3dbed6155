#!/usr/bin/env bash
# Creates .venv-bench, the Python peers the benchmarks run in the same run as clickforge:
# bm25s (numba and numpy backends), numpy, DuckDB's Python package. PyClick is not packaged, so
# bench/pbm-yandex.ts compares with its stored figure instead.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv-bench
.venv-bench/bin/pip install --quiet bm25s numba numpy duckdb
.venv-bench/bin/python -c 'import bm25s, numba, numpy, duckdb; print("bm25s", bm25s.__version__, "numba", numba.__version__, "numpy", numpy.__version__, "duckdb", duckdb.__version__)'
