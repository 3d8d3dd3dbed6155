#!/usr/bin/env bash
# The Spark path of the event level (test/job/spark-job.test.ts): the generated job run by
# spark-submit in local mode and compared with DuckDB's outputs. Installs a Java runtime from
# Debian's packages when none is on PATH and pyspark into a virtualenv from the Python package
# index; where either cannot be installed the test skips with a message naming what is missing.
#   scripts/spark-checks.sh
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${CLICKFORGE_SPARK_VENV:-.venv-spark}"
if ! command -v java > /dev/null && command -v apt-get > /dev/null; then
  echo "spark checks: installing a Java runtime (default-jre-headless)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless > /dev/null; } \
    || echo "spark checks: default-jre-headless could not be installed"
fi
if ! { [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c 'import pyspark' 2> /dev/null; }; then
  echo "spark checks: installing pyspark into $venv"
  "${PYTHON:-python3}" -m venv --clear "$venv"
  # PIP_RETRIES=0: an index that cannot be reached is skipped at once
  PIP_RETRIES="${PIP_RETRIES:-0}" "$venv/bin/python" -m pip install --quiet --disable-pip-version-check pyspark \
    || echo "spark checks: pyspark could not be installed from the package index"
fi
# the test calls python3: the virtualenv's, with pyspark when it installed
PATH="$PWD/$venv/bin:$PATH" node_modules/.bin/vitest run test/job/spark-job.test.ts
