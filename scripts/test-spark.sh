#!/usr/bin/env bash
# The Spark runner's tests: pyspark (from PyPI) in the Python package's
# virtualenv (scripts/test-python.sh made it and installed ddss there), a
# Java runtime (Java 17: installed from the distribution's packages if
# missing), then pytest tests/spark on `local[2]`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${DDSS_PY_VENV:-target/python-venv}"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import ddss" 2>/dev/null; then
    bash scripts/test-python.sh --co -q >/dev/null
fi
if ! command -v java >/dev/null 2>&1; then
    echo "== installing a Java runtime (openjdk-17-jre-headless)"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "pyspark[sql]>=4.0,<5"
# The generator for the generated-data tests (dev profile, as cargo test built it).
[ -x target/debug/ddss-generate ] || cargo build --quiet -p ddss-generate
[ -x target/debug/ddss ] || cargo build --quiet --bin ddss
echo "== pytest tests/spark (local[2])"
DDSS_BIN="$PWD/target/debug/ddss" DDSS_GENERATE_BIN="$PWD/target/debug/ddss-generate" \
    PYSPARK_PYTHON="$PWD/$VENV/bin/python" PYSPARK_DRIVER_PYTHON="$PWD/$VENV/bin/python" \
    "$VENV/bin/python" -m pytest -q tests/spark "$@"
