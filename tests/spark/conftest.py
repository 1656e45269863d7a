import gzip
import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
AS_OF = "2026-06-30"
# What differs between a file read by the CLI and the same rows read by Spark:
# what was read (source, bytes, encoding, delimiter) and how rows are numbered.
READ_FACTS = ("source", "source_kind", "bytes", "encoding", "delimiter", "streamed", "row_numbers")


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("ddss-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def cli_results(out: pathlib.Path, *inputs: str) -> dict:
    binary = os.environ.get("DDSS_BIN", str(ROOT / "target" / "debug" / "ddss"))
    run = subprocess.run(
        [binary, "validate", "--no-progress", "--rules", str(ROOT / "rules"),
         "--as-of", AS_OF, "--out", str(out), *inputs],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert run.returncode in (0, 1, 3), run.stderr
    return inline_units(json.loads((out / "results.json").read_text(encoding="utf-8")), out)


def generate(out: pathlib.Path, people: int, seed: int) -> pathlib.Path:
    binary = os.environ.get("DDSS_GENERATE_BIN", str(ROOT / "target" / "debug" / "ddss-generate"))
    subprocess.run(
        [binary, "--people", str(people), "--seed", str(seed), "--as-of", AS_OF,
         "--reference", str(ROOT / "rules" / "reference"), "--out", str(out)],
        check=True, capture_output=True, cwd=ROOT,
    )
    return out


def strip(dataset: dict) -> dict:
    return {k: v for k, v in dataset.items() if k not in READ_FACTS}


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
