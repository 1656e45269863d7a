#!/usr/bin/env bash
# The one test command (README, .ci/run): every suite.
#   1. cargo test — the validator and the generator (unit, integration,
#      snapshot, property and fuzz tests; the scorecard in headless Chromium;
#      PostgreSQL inputs against a real server that scripts/postgres.sh
#      installs if needed and starts here, stopped on exit);
#   2. scripts/test-python.sh — the Python package (maturin + pytest);
#   3. scripts/test-spark.sh — the Spark runner on local[2] (pyspark + pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== PostgreSQL server (tests/postgres.rs)"
trap 'bash scripts/postgres.sh stop >/dev/null 2>&1 || true' EXIT
eval "$(bash scripts/postgres.sh start)"
echo "== cargo test"
cargo test
echo "== python package"
bash scripts/test-python.sh
echo "== spark runner"
bash scripts/test-spark.sh
