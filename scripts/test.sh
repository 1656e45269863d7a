#!/usr/bin/env bash
# The one test command (README, .ci/run): every suite.
#   1. cargo test — the validator and the generator (unit, integration,
#      snapshot, property and fuzz tests; the scorecard in headless Chromium);
#   2. scripts/test-python.sh — the Python package (maturin + pytest);
#   3. scripts/test-spark.sh — the Spark runner on local[2] (pyspark + pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== cargo test"
cargo test
echo "== python package"
bash scripts/test-python.sh
echo "== spark runner"
bash scripts/test-spark.sh
