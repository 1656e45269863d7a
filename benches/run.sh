#!/usr/bin/env bash
# Whole-process benchmark (see benches/RESULTS.md): ddss vs the polars parse
# floor vs DuckDB on streamed birth-registration exports.
#
#   bash benches/run.sh                                   # 1 M and 10 M rows, 3 runs each
#   DDSS_BENCH_SIZES="1000000" DDSS_BENCH_RUNS=5 bash benches/run.sh
#   DDSS_BENCH_STREAM_ROWS="" bash benches/run.sh        # skip the 50 M-row streaming run
#
# Needs the Rust toolchain and python3; installs polars and duckdb from PyPI
# into target/bench-venv. Inputs are cached under target/bench-data.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --bins
if ! target/bench-venv/bin/python -c 'import polars, duckdb, numpy' 2>/dev/null; then
    [ -x target/bench-venv/bin/python ] || python3 -m venv target/bench-venv
    target/bench-venv/bin/pip install --quiet --disable-pip-version-check 'polars==1.*' 'duckdb==1.*' 'numpy==2.*'
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(target/bench-venv/bin/python -c 'import polars, duckdb; print("polars", polars.__version__, "· duckdb", duckdb.__version__)') · $(target/release/ddss --version)"
exec target/bench-venv/bin/python benches/whole_process.py
