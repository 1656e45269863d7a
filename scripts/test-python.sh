#!/usr/bin/env bash
# The Python package's tests: builds the extension module from this checkout
# with maturin (dev profile, sharing target/ with cargo) into a private
# virtualenv, then runs pytest on tests/python. Installs what it needs from
# PyPI (maturin, pytest, polars, pyarrow, pandas) on the first run.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${DDSS_PY_VENV:-target/python-venv}"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check \
    "maturin>=1.7,<2" "pytest>=7" "polars>=1.0" "pyarrow>=14" "pandas>=2.2"
echo "== maturin develop (dev profile)"
# `maturin develop` installs into the active virtualenv.
VIRTUAL_ENV="$PWD/$VENV" PATH="$PWD/$VENV/bin:$PATH" \
    "$VENV/bin/maturin" develop --quiet
echo "== pytest tests/python"
# The tests compare with the CLI `cargo test` built (target/debug/ddss);
# `cargo build` alone would build it again (other features are unified
# without the dev-dependencies), so only when it is missing.
[ -x target/debug/ddss ] || cargo build --quiet --bin ddss
DDSS_BIN="$PWD/target/debug/ddss" "$VENV/bin/python" -m pytest -q tests/python "$@"
