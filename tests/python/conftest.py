import gzip
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
    results = inline_units(json.loads((out / "results.json").read_text(encoding="utf-8")), out)
    assert results["exit_code"] == run.returncode
    return results


def without_volatile(results: dict) -> dict:
    return {k: v for k, v in results.items() if k not in VOLATILE}


def inline_units(results: dict, out: pathlib.Path) -> dict:
    """results.json with each dataset's units read back from its units_file
    (schema 2), as the in-memory results of a run without an output folder
    hold them."""
    for d in results["datasets"]:
        d.pop("unit_count", None)
        relative = d.pop("units_file", None)
        if relative:
            with gzip.open(out / relative, "rt", encoding="utf-8") as units:
                d["units"] = [json.loads(line) for line in units]
    return results
