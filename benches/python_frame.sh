#!/usr/bin/env bash
# `ddss.validate_frame` on a 1 M-row polars frame vs the CLI on the same CSV
# (benches/python_frame.py; results in benches/RESULTS.md). Release builds of
# the CLI and of the wheel (the wheel: 15–30 minutes the first time), into a
# private virtualenv target/bench-py-venv.
#   bash benches/python_frame.sh
#   DDSS_BENCH_ROWS=200000 DDSS_BENCH_RUNS=5 bash benches/python_frame.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin ddss
VENV=target/bench-py-venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.7,<2" "polars>=1.0" "pyarrow>=14"
VIRTUAL_ENV="$PWD/$VENV" PATH="$PWD/$VENV/bin:$PATH" "$VENV/bin/maturin" develop --release --quiet
exec "$VENV/bin/python" benches/python_frame.py
