"""Frames in memory — polars, pandas, pyarrow; text or typed — give the
results the CLI gives for the same data as a CSV file."""

import pathlib

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import ddss
from conftest import AS_OF, ROOT, cli_results

# (dataset, file, delimiter)
DATASETS = [("dan_cu", "dan_cu.csv", ","), ("thua_dat", "thua_dat.csv", ";"), ("khai_tu", "khai_tu.csv", None)]


def comparable(dataset: dict) -> dict:
    """What must agree between a file and the same rows as a frame: not the
    source, its bytes and encoding, and not line numbers (a frame's rows
    carry their ordinal)."""
    rules = [{k: v for k, v in r.items() if k != "examples"} for r in dataset["rules"]]
    return {
        "rows": dataset["rows"],
        "status": dataset["status"],
        "scores": dataset["scores"],
        "rules": rules,
        "units": dataset.get("units"),
        "provinces": dataset.get("provinces"),
        "violation_count": dataset["violation_count"],
    }


def text_frame(file: str) -> pl.DataFrame:
    path = ROOT / "fixtures" / file
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    separator = ";" if first.count(";") > first.count(",") else ","
    return pl.read_csv(path, separator=separator, infer_schema=False, encoding="utf8")


@pytest.mark.parametrize("dataset,file,_", DATASETS)
def test_a_polars_frame_of_text_gives_the_cli_results(tmp_path, dataset, file, _):
    cli = cli_results(tmp_path, f"fixtures/{file}")["datasets"][0]
    ours = ddss.validate_frame(text_frame(file), rules=ROOT / "rules", dataset=dataset, as_of=AS_OF)
    assert len(ours["datasets"]) == 1
    assert comparable(ours["datasets"][0]) == comparable(cli)


def test_pandas_and_pyarrow_give_what_polars_gives():
    frame = text_frame("dan_cu.csv")
    expected = ddss.validate_frame(frame, rules=ROOT / "rules", dataset="dan_cu", as_of=AS_OF)["datasets"][0]
    for other in (frame.to_pandas(), frame.to_arrow()):
        got = ddss.validate_frame(other, rules=ROOT / "rules", dataset="dan_cu", as_of=AS_OF)["datasets"][0]
        assert comparable(got) == comparable(expected), type(other)


def test_typed_date_columns_are_read_in_the_declared_format():
    text = text_frame("dan_cu.csv")
    expected = ddss.validate_frame(text, rules=ROOT / "rules", dataset="dan_cu", as_of=AS_OF)["datasets"][0]
    # Dates typed where they parse (ISO in this export); the rest stay as they were, as text.
    typed = text.with_columns(
        pl.col("ngay_cap_nhat").str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias("parsed")
    )
    assert typed["parsed"].null_count() == typed["ngay_cap_nhat"].null_count(), "a fixture date the test cannot type"
    typed = typed.with_columns(pl.col("parsed").alias("ngay_cap_nhat")).drop("parsed")
    got = ddss.validate_frame(typed, rules=ROOT / "rules", dataset="dan_cu", as_of=AS_OF)["datasets"][0]
    assert comparable(got) == comparable(expected)


def test_frames_that_cannot_be_validated_raise_or_report_never_crash():
    with pytest.raises(TypeError, match="Arrow"):
        ddss.validate_frame(object(), rules=ROOT / "rules", dataset="dan_cu")
    with pytest.raises(ddss.UsageError, match="no rule pack validates a dataset named 'nope'"):
        ddss.validate_frame(pl.DataFrame({"a": ["1"]}), rules=ROOT / "rules", dataset="nope")
    with pytest.raises(TypeError, match="dataset="):
        ddss.validate_frame(pl.DataFrame({"a": ["1"]}), rules=ROOT / "rules")
    # A frame without the pack's columns: the rules that need them report it.
    results = ddss.validate_frame(pl.DataFrame({"a": ["1"]}), rules=ROOT / "rules", dataset="dan_cu", as_of=AS_OF)
    d = results["datasets"][0]
    assert d["rows"] == 1
    by_id = {r["id"]: r for r in d["rules"]}
    assert by_id["DC-001"]["status"] == "error"
    assert by_id["DC-001"]["error"] == "column 'so_dinh_danh' is not in the file"
    assert results["exit_code"] == 1
    with pytest.raises(ValueError, match="__ddss_"):
        ddss.validate_frame(pl.DataFrame({"__ddss_x": ["1"]}), rules=ROOT / "rules", dataset="dan_cu")
