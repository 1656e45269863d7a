import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
AS_OF = "2026-06-30"
# Fields of results.json that differ between two runs of the same data.
VOLATILE = ("generated_at", "run_id", "outputs")


@pytest.fixture(scope="session")
def root() -> pathlib.Path:
    return ROOT


def cli_results(out: pathlib.Path, *inputs: str) -> dict:
    """results.json of the CLI (target/debug/ddss) on `inputs`."""
    binary = os.environ.get("DDSS_BIN", str(ROOT / "target" / "debug" / "ddss"))
    run = subprocess.run(
        [binary, "validate", "--no-progress", "--rules", str(ROOT / "rules"),
         "--as-of", AS_OF, "--out", str(out), *inputs],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode in (0, 1, 3), run.stderr
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["exit_code"] == run.returncode
    return results


def without_volatile(results: dict) -> dict:
    return {k: v for k, v in results.items() if k not in VOLATILE}
