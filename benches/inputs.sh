#!/usr/bin/env bash
# The standard export from CSV, Parquet and PostgreSQL (benches/inputs.py):
#   bash benches/inputs.sh                 # 1 M and 10 M rows, medians of 3
#   DDSS_BENCH_RUNS=5 bash benches/inputs.sh 1000000
# Builds the release binary, installs polars and duckdb into
# target/bench-venv, starts the throw-away server of scripts/postgres.sh
# (stopped on exit).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bins
if ! target/bench-venv/bin/python -c 'import polars, duckdb, numpy' 2>/dev/null; then
    [ -x target/bench-venv/bin/python ] || python3 -m venv target/bench-venv
    target/bench-venv/bin/pip install --quiet --disable-pip-version-check 'polars==1.*' 'duckdb==1.*' 'numpy==2.*'
fi
trap 'bash scripts/postgres.sh stop >/dev/null 2>&1 || true' EXIT
eval "$(bash scripts/postgres.sh start)"
target/bench-venv/bin/python benches/inputs.py "$@"
