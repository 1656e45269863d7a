#!/usr/bin/env bash
# The CLI vs the Spark runner on this machine (benches/spark_vs_cli.py): release
# builds of the CLI and of the Python package, pyspark from PyPI, in the
# private virtualenv target/bench-py-venv (shared with benches/python_frame.sh).
#   bash benches/spark_vs_cli.sh
#   DDSS_BENCH_ROWS=1000000 DDSS_BENCH_CLUSTER=1 bash benches/spark_vs_cli.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin ddss
VENV=target/bench-py-venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.7,<2" "polars>=1.0" "pyarrow>=14" "pyspark[sql]>=4.0,<5"
VIRTUAL_ENV="$PWD/$VENV" PATH="$PWD/$VENV/bin:$PATH" "$VENV/bin/maturin" develop --release --quiet
PYSPARK_PYTHON="$PWD/$VENV/bin/python" PYSPARK_DRIVER_PYTHON="$PWD/$VENV/bin/python" \
    exec "$VENV/bin/python" benches/spark_vs_cli.py
