"""The batch-level seam, driven as a distributed runner drives it: each
fixture cut into Arrow record batches of random sizes (down to one row),
``unique`` verdicts found from the keys of every batch (a runner's group-by),
batches evaluated, tallies pickled, merged in a shuffled order and concluded.
The results and the violations file equal the CLI's."""

import collections
import pickle
import random

import polars as pl
import pyarrow as pa
import pytest

import ddss
from conftest import AS_OF, ROOT, cli_results, inline_units

# Fields of a dataset's result that name what was read, not what was found.
READ_FACTS = ("source", "source_kind", "bytes", "encoding", "delimiter", "streamed")


def text_table(dataset: str) -> pa.Table:
    path = ROOT / "fixtures" / f"{dataset}.csv"
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    separator = ";" if first.count(";") > first.count(",") else ","
    frame = pl.read_csv(path, separator=separator, infer_schema=False, encoding="utf8")
    return frame.to_arrow()


def batches(table: pa.Table, rng: random.Random) -> list:
    """Record batches of random sizes, with single rows among them."""
    out, at = [], 0
    while at < table.num_rows:
        size = 1 if rng.random() < 0.25 else rng.randint(1, 120)
        out.append((at, table.slice(at, size).combine_chunks().to_batches()[0]))
        at += size
    assert any(b.num_rows == 1 for _, b in out)
    return out


def run_in_batches(dataset: str, packs, lookups: dict, seed: int):
    rng = random.Random(seed)
    plan = ddss.plan_dataset(dataset, packs, as_of=AS_OF, lookups=lookups)
    parts = batches(text_table(dataset), rng)

    # Pass 1: the keys of every unique rule, counted over all batches.
    counts = collections.Counter()
    for _, batch in parts:
        for rule, keys in plan.unique_keys(batch).items():
            counts.update((rule, k) for k in keys.to_pylist() if k is not None)

    # Pass 2: each batch with its verdicts; rows numbered by their CSV line
    # (header on line 1, no multi-line cells in the fixtures).
    tallies, violations, failed_by_flags = [], [], collections.Counter()
    for at, batch in parts:
        duplicated = {
            rule: [None if k is None else counts[(rule, k)] > 1 for k in keys.to_pylist()]
            for rule, keys in plan.unique_keys(batch).items()
        }
        result = plan.evaluate(batch, duplicated=duplicated, first_row=at + 2)
        assert result.flags.num_rows == batch.num_rows
        for rule in result.flags.column_names:
            failed_by_flags[rule] += sum(1 for f in result.flags.column(rule).to_pylist() if f)
        tallies.append(pickle.loads(pickle.dumps(result.tally)))
        violations.append(result.violations)
    rng.shuffle(tallies)
    return ddss.merge_tallies(tallies), pa.concat_tables(violations), failed_by_flags


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli")
    return out, cli_results(out, str(ROOT / "fixtures"))


@pytest.fixture(scope="module")
def lookups():
    return {d: text_table(d) for d in ("dan_cu", "khai_tu", "khai_sinh", "nguoi_nop_thue")}


@pytest.mark.parametrize(
    "dataset,seed",
    [
        ("khai_sinh", 1),
        ("khai_tu", 2),
        ("ket_hon", 3),
        ("dan_cu", 4),
        ("thua_dat", 5),
        ("doi_tuong_btxh", 6),
        ("lao_dong", 7),
        ("tre_em", 8),
        ("nguoi_phu_thuoc", 9),
    ],
)
def test_batches_merge_to_the_cli_results(dataset, seed, cli, lookups, tmp_path):
    cli_out, cli_run = cli
    packs = ddss.load_packs(ROOT / "rules")
    tally, violations, failed_by_flags = run_in_batches(dataset, packs, lookups, seed)
    assert tally.rows == text_table(dataset).num_rows
    results = ddss.conclude(
        {dataset: tally}, packs, out=tmp_path, as_of=AS_OF, violations={dataset: violations}
    )
    got = inline_units(results, tmp_path)["datasets"][0]
    want = next(d for d in cli_run["datasets"] if d["name"] == dataset)
    strip = lambda d: {k: v for k, v in d.items() if k not in READ_FACTS}  # noqa: E731
    assert strip(got) == strip(want)
    assert got["violation_count"] > 0
    # The per-row flags say what the rule counts say.
    for rule in want["rules"]:
        if rule["id"] in failed_by_flags:
            assert failed_by_flags[rule["id"]] == rule["failed"], rule["id"]
    # The same violations file, byte for byte, and the same reports.
    name = f"violations/{dataset}.csv"
    assert (tmp_path / name).read_bytes() == (cli_out / name).read_bytes()
    for report in ("results.json", "scorecard.html", "violations.xlsx"):
        assert (tmp_path / report).exists(), report


def test_a_unique_rule_without_verdicts_is_an_error_naming_it():
    plan = ddss.plan_dataset("khai_sinh", ROOT / "rules", as_of=AS_OF)
    unique = plan.info["unique"][0]["rule"]
    part = text_table("khai_sinh").slice(0, 20)
    results = ddss.conclude({"khai_sinh": plan.evaluate(part).tally}, ROOT / "rules", as_of=AS_OF)
    rule = next(r for r in results["datasets"][0]["rules"] if r["id"] == unique)
    assert rule["status"] == "error"
    assert unique in rule["error"]
    # Declared the whole dataset, the batch decides it.
    whole = plan.evaluate(part, whole_dataset=True)
    results = ddss.conclude({"khai_sinh": whole.tally}, ROOT / "rules", as_of=AS_OF)
    rule = next(r for r in results["datasets"][0]["rules"] if r["id"] == unique)
    assert rule["status"] != "error"


def test_bad_batches_and_tallies_raise_clear_errors():
    plan = ddss.plan_dataset("khai_sinh", ROOT / "rules", as_of=AS_OF)
    unique = plan.info["unique"][0]["rule"]
    part = text_table("khai_sinh").slice(0, 5)
    with pytest.raises(ddss.UsageError, match="3 duplicated verdicts"):
        plan.evaluate(part, duplicated={unique: [False, False, False]})
    with pytest.raises(ddss.UsageError, match="does not have"):
        plan.evaluate(part, duplicated={"no_such_rule": [False] * 5})
    with pytest.raises(ddss.UsageError, match="2 row numbers for 5 rows"):
        plan.evaluate(part, rows=[1, 2], whole_dataset=True)
    with pytest.raises(ddss.UsageError, match="__ddss_"):
        plan.evaluate(pa.table({"__ddss_x": ["1"]}), whole_dataset=True)
    with pytest.raises(ddss.UsageError, match="not a ddss tally"):
        ddss.Tally.from_json("{}")
    other = ddss.plan_dataset("khai_tu", ROOT / "rules", as_of=AS_OF).empty_tally()
    tally = plan.empty_tally()
    with pytest.raises(ddss.UsageError, match="khai_tu"):
        tally.merge(other)
    with pytest.raises(ddss.UsageError, match="no rule pack"):
        ddss.plan_dataset("no_such_dataset", ROOT / "rules")
    with pytest.raises(TypeError):
        plan.evaluate([1, 2, 3])
