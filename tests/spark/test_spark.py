"""The Spark runner on local[2] gives the CLI's results: every count, score,
per-unit and per-province tally, the same failing (dataset, key, rule) set —
on the fixtures and on generated data of two seeds (200 k people, every
dataset) — and look-ups take Spark's join path when the other side is large."""

import csv
import io

import pyarrow.parquet as pq
import pytest

import ddss.spark
from conftest import AS_OF, ROOT, cli_results, generate, inline_units, strip


def violation_set_csv(path) -> set:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return {(r["key"], r["rule"]) for r in csv.DictReader(f)}


def violation_set_spark(folder) -> set:
    table = pq.read_table(folder)
    return set(zip(table.column("key").to_pylist(), table.column("rule").to_pylist()))


def compare(spark_results: dict, cli: dict, spark_out, cli_out, exact_files: bool) -> None:
    spark_results = inline_units(spark_results, spark_out)
    by_name = {d["name"]: d for d in spark_results["datasets"]}
    assert sorted(by_name) == sorted(d["name"] for d in cli["datasets"])
    for want in cli["datasets"]:
        got = by_name[want["name"]]
        # Files are read by ddss's reader: rows carry their physical lines.
        assert "row_numbers" not in got, got.get("row_numbers")
        assert strip(got) == strip(want), want["name"]
        name = want["name"]
        # The same failing (key, rule) pairs: Spark's partitioned output and
        # the CLI's file (rows whose key is missing are counted above; the
        # set compares the keyed ones).
        cli_rows = {p for p in violation_set_csv(cli_out / "violations" / f"{name}.csv") if p[0]}
        spark_rows = {p for p in violation_set_spark(spark_out / "violations-spark" / name) if p[0]}
        assert len(cli_rows) > 0, name
        assert spark_rows == cli_rows, name
        if exact_files:
            csv_name = f"violations/{name}.csv"
            assert (spark_out / csv_name).read_bytes() == (cli_out / csv_name).read_bytes(), name
    assert spark_results["exit_code"] == cli["exit_code"]


def test_fixtures_equal_the_cli(spark, tmp_path):
    cli_out, spark_out = tmp_path / "cli", tmp_path / "spark"
    cli = cli_results(cli_out, str(ROOT / "fixtures"))
    results = ddss.spark.validate(spark, [str(ROOT / "fixtures")], rules=str(ROOT / "rules"),
                                  out=str(spark_out), as_of=AS_OF)
    compare(results, cli, spark_out, cli_out, exact_files=True)
    for report in ("results.json", "scorecard.html", "violations.xlsx"):
        assert (spark_out / report).exists()


@pytest.mark.parametrize("seed", [101, 202])
def test_generated_data_equals_the_cli(spark, tmp_path, seed):
    data = generate(tmp_path / "data", people=200_000, seed=seed)
    cli_out, spark_out = tmp_path / "cli", tmp_path / "spark"
    cli = cli_results(cli_out, str(data))
    assert {d["name"] for d in cli["datasets"]} >= {
        "dan_cu", "khai_sinh", "khai_tu", "ket_hon", "thua_dat", "doi_tuong_btxh"}
    assert next(d for d in cli["datasets"] if d["name"] == "dan_cu")["rows"] == 200_000
    results = ddss.spark.validate(spark, [str(data)], rules=str(ROOT / "rules"),
                                  out=str(spark_out), as_of=AS_OF)
    compare(results, cli, spark_out, cli_out, exact_files=False)


def test_lookups_take_the_join_path_when_the_other_side_is_large(spark, tmp_path):
    files = [str(ROOT / "fixtures" / f) for f in ("doi_tuong_btxh.csv", "dan_cu.csv", "khai_tu.csv")]
    cli_out, spark_out = tmp_path / "cli", tmp_path / "spark"
    cli = cli_results(cli_out, *files)
    previous = spark.conf.get("spark.sql.autoBroadcastJoinThreshold")
    plans = []
    spark.conf.set("spark.sql.autoBroadcastJoinThreshold", "1024")
    try:
        results = ddss.spark.validate(spark, files, rules=str(ROOT / "rules"),
                                      out=str(spark_out), as_of=AS_OF, plans=plans)
    finally:
        spark.conf.set("spark.sql.autoBroadcastJoinThreshold", previous)
    compare(results, cli, spark_out, cli_out, exact_files=True)
    welfare = "\n".join(plan for name, plan in plans if name == "doi_tuong_btxh")
    assert "SortMergeJoin" in welfare
    assert "BroadcastHashJoin" not in welfare
    # With the default threshold the small fixtures are broadcast: the
    # plan is Spark's choice, not ddss's.
    plans.clear()
    ddss.spark.validate(spark, files, rules=str(ROOT / "rules"), as_of=AS_OF, plans=plans)
    assert "BroadcastHashJoin" in "\n".join(p for n, p in plans if n == "doi_tuong_btxh")


def test_a_dataframe_and_the_command_line(spark, tmp_path):
    frame = ddss.spark.read_csv(spark, str(ROOT / "fixtures" / "khai_tu.csv"))
    cli = cli_results(tmp_path / "cli", str(ROOT / "fixtures" / "khai_tu.csv"))
    results = ddss.spark.validate(spark, datasets={"khai_tu": frame}, rules=str(ROOT / "rules"),
                                  as_of=AS_OF)
    # A DataFrame's rows are numbered from 1 (a file's from its line 2), so
    # the examples' numbers differ by one; everything counted is the same.
    counted = ("rows", "scores", "units", "provinces", "violation_count", "status")
    got, want = results["datasets"][0], cli["datasets"][0]
    assert {k: got[k] for k in counted} == {k: want[k] for k in counted}
    no_examples = lambda rules: [{k: v for k, v in r.items() if k != "examples"} for r in rules]  # noqa: E731
    assert no_examples(got["rules"]) == no_examples(want["rules"])
    with pytest.raises(ValueError, match="no rule pack validates a dataset named 'nope'"):
        ddss.spark.validate(spark, datasets={"nope": frame}, rules=str(ROOT / "rules"))


def damaged_khai_tu(folder) -> str:
    """The khai_tu fixture with physical defects: a ragged row, a NUL byte,
    a stray quote, a byte that is not UTF-8, a quote left open at the end."""
    lines = (ROOT / "fixtures" / "khai_tu.csv").read_bytes().split(b"\n")
    lines[2] += b",extra"
    lines[4] = lines[4][:3] + b"\0" + lines[4][3:]
    lines[6] = lines[6][:5] + b'"' + lines[6][5:]
    lines[8] = lines[8][:4] + b"\xff" + lines[8][4:]
    last = max(i for i, line in enumerate(lines) if line.strip())
    lines[last] += b',"open'
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "khai_tu.csv"
    path.write_bytes(b"\n".join(lines))
    return str(path)


def test_physical_defects_of_a_csv_are_found_as_the_cli_finds_them(spark, tmp_path):
    path = damaged_khai_tu(tmp_path / "data")
    cli_out, spark_out = tmp_path / "cli", tmp_path / "spark"
    cli = cli_results(cli_out, path)
    structural = {r["code"] for r in cli["datasets"][0]["rules"]
                  if r["code"].startswith("PH") and r["failed"] > 0}
    assert len(structural) >= 3, structural
    results = ddss.spark.validate(spark, [path], rules=str(ROOT / "rules"),
                                  out=str(spark_out), as_of=AS_OF)
    compare(results, cli, spark_out, cli_out, exact_files=True)
    # The reader's problems (with their lines) are compared with the rest.
    assert cli["datasets"][0]["errors"], "the damage leaves problems to report"
    assert results["exit_code"] == cli["exit_code"] == 3


def test_spark_csv_reader_makes_every_structural_rule_an_error_naming_it(spark, tmp_path):
    path = damaged_khai_tu(tmp_path / "data")
    results = ddss.spark.validate(spark, [path], rules=str(ROOT / "rules"), as_of=AS_OF,
                                  multiline=False)
    rules = [r for r in results["datasets"][0]["rules"] if r["code"].startswith("PH")]
    assert rules
    for rule in rules:
        assert rule["status"] == "error", rule
        assert rule["id"] in rule["error"] and "Spark" in rule["error"], rule["error"]


def test_a_folder_of_csv_files_is_one_dataset_numbered_by_ordinal(spark, tmp_path):
    lines = (ROOT / "fixtures" / "khai_tu.csv").read_bytes().splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    folder = tmp_path / "khai_tu_parts"
    folder.mkdir()
    half = len(body) // 2
    (folder / "part-0.csv").write_bytes(header + b"".join(body[:half]))
    (folder / "part-1.csv").write_bytes(header + b"".join(body[half:]))
    (folder / "notes.txt").write_text("not data")
    cli = cli_results(tmp_path / "cli", str(ROOT / "fixtures" / "khai_tu.csv"))
    results = ddss.spark.validate(spark, datasets={"khai_tu": str(folder)},
                                  rules=str(ROOT / "rules"), as_of=AS_OF)
    got, want = results["datasets"][0], cli["datasets"][0]
    assert got["row_numbers"] == "ordinal"
    counted = ("rows", "scores", "units", "provinces", "violation_count", "status")
    assert {k: got[k] for k in counted} == {k: want[k] for k in counted}
