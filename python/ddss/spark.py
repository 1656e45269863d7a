"""ddss on Apache Spark: the same packs, the same results, on the cluster the
data already lives on.

    python -m ddss.spark validate --master 'local[2]' --rules rules --as-of 2026-06-30 --out reports fixtures
    spark-submit --master yarn $(python -c 'import ddss.spark as s; print(s.__file__)') validate ...
    python -m ddss.spark validate --remote sc://host:15002 --dataset dan_cu=catalog.db.dan_cu ...

or from Python, with a session and DataFrames or table names::

    import ddss.spark
    results = ddss.spark.validate(spark, datasets={"dan_cu": spark.table("db.dan_cu")},
                                  rules="rules", as_of="2026-06-30", out="reports")

How the work is split (docs/spark.md):

- Row checks run on the executors inside ``mapInArrow``, by the Rust engine of
  this package (``DatasetPlan.evaluate``): every check kind gives the CLI's
  verdict because it *is* the CLI's code.
- What needs the whole dataset is done by Spark: ``unique`` keys (the engine
  computes each row's key; Spark groups by it, count > 1, joined back),
  look-ups in other datasets (``reference``, ``register_match``) as equi-joins
  Spark plans itself (broadcast only when the other side is small), the row
  ordinal, and the merge of the per-partition tallies (``treeReduce``).
- The driver concludes the merged tallies into results.json, the scorecard,
  the workbook and history exactly as the CLI writes them. Failing rows are
  written by Spark (Parquet, partitioned by rule) under
  ``<out>/violations-spark/<dataset>/``; up to ``collect_limit`` of them are
  also collected into the CLI's ``violations/<dataset>.csv``.

A CSV file is read by ddss's own reader on the executors (Spark's
``binaryFile`` hands over its bytes): the same cells, physical line numbers
and structural defects (the ``PH…`` rules) as ``ddss validate``. With
``multiline=False`` (large files Spark may split) Spark's CSV reader is used
instead; it cannot see a file's physical defects, so each ``PH…`` rule is
then an error naming it, never a pass. Rows of Parquet, tables, DataFrames
and sources of several files are numbered by ordinal (results.json:
``row_numbers = "ordinal"``): the record's position in the input's order.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from typing import Any, Dict, Iterator, List, Optional

import ddss

# Columns ddss adds to a dataset's rows on Spark. The engine refuses input
# columns starting with "__ddss_", so they cannot clash with the data's.
ROW = "__ddss_row"
TALLY = "__ddss_tally"
DEFECTS = "__ddss_row_defects"
PROBLEMS = "__ddss_problems"
# Why the PH rules are errors when Spark's CSV reader reads a file.
SPARK_CSV_REASON = (
    "Spark's CSV reader (multiline off) cannot see a file's physical defects, so this rule "
    "cannot give ddss's verdict; read the file with ddss's reader (the default) or run "
    "`ddss validate` on it")
VIOLATION_COLUMNS = [
    "line", "key", "rule", "code", "dimension", "severity", "column", "value",
    "message", "detail", "suggestion",
]


def _key_column(i: int) -> str:
    return f"__ddss_key{i}"


def _dup_column(i: int) -> str:
    return f"__ddss_dup{i}"


def _lookup_column(i: int, j: int) -> str:
    return f"__ddss_lk{i}_{j}"


# --- executors ----------------------------------------------------------

_PACKS: Dict[str, Any] = {}


def _packs(rules: str) -> Any:
    """The packs, loaded once per Python worker. On a cluster the rules
    folder is shipped with SparkContext.addFile and found with SparkFiles."""
    packs = _PACKS.get(rules)
    if packs is None:
        path = rules
        if not os.path.exists(path):
            from pyspark import SparkFiles

            path = SparkFiles.get(os.path.basename(rules.rstrip("/")))
        packs = ddss.load_packs(path)
        _PACKS[rules] = packs
    return packs


def _add_unique_keys(rules: str, dataset: str, as_of: str, columns: List[str], unique: List[dict]):
    """mapInArrow function: appends each unique rule's key column."""

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        plan = ddss.plan_dataset(dataset, _packs(rules), as_of=as_of)
        for batch in batches:
            keys = plan.unique_keys(batch.select(columns))
            arrays = list(batch.columns)
            names = list(batch.schema.names)
            for i, u in enumerate(unique):
                arrays.append(keys[u["rule"]].cast(pa.binary()))
                names.append(_key_column(i))
            yield pa.RecordBatch.from_arrays(arrays, names=names)

    return run


def _evaluate(rules: str, dataset: str, as_of: str, columns: List[str], unique: List[dict],
              lookups: List[dict], mask: bool, structure_unchecked: Optional[str]):
    """mapInArrow function: evaluates each batch; yields its violations and,
    once per partition, the partition's merged tally (in the TALLY column)."""

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa
        import pyarrow.compute as pc

        packs = _packs(rules)
        base = ddss.plan_dataset(dataset, packs, as_of=as_of,
                                 structure_unchecked=structure_unchecked)
        merged = base.empty_tally()
        seen = False
        for batch in batches:
            seen = True
            verdicts = {u["rule"]: batch.column(_dup_column(i)) for i, u in enumerate(unique)}
            rule_rows = {}
            for i, need in enumerate(lookups):
                if not need["available"]:
                    continue
                table = pa.table(
                    {their: batch.column(_lookup_column(i, j))
                     for j, their in enumerate(need["columns"])}
                )
                first = table.column(need["columns"][0])
                rule_rows[need["rule"]] = table.filter(pc.is_valid(first))
            plan = (ddss.plan_dataset(dataset, packs, as_of=as_of, rule_lookups=rule_rows,
                                      structure_unchecked=structure_unchecked)
                    if rule_rows else base)
            defects = (batch.column(DEFECTS) if DEFECTS in batch.schema.names else None)
            result = plan.evaluate(
                batch.select(columns),
                duplicated=verdicts or None,
                rows=batch.column(ROW),
                mask=mask,
                defects=defects,
            )
            merged.merge(result.tally)
            if result.violations.num_rows:
                yield _violations_batch(result.violations, None)
        if not seen:
            # A partition of no rows still knows the dataset's columns (the
            # `columns` rule reads them from the tally).
            empty = pa.table({c: pa.array([], pa.string()) for c in columns})
            merged.merge(base.evaluate(empty, whole_dataset=True).tally)
        yield _violations_batch(None, merged.to_json())

    return run


def _violations_batch(violations: Any, tally: Optional[str]) -> Any:
    import pyarrow as pa

    if violations is None:
        arrays = [pa.nulls(1, pa.int64())] + [pa.nulls(1, pa.string())] * 10
        arrays.append(pa.array([tally], pa.string()))
    else:
        n = violations.num_rows
        arrays = [violations.column("line").cast(pa.int64()).combine_chunks()]
        arrays += [violations.column(c).cast(pa.string()).combine_chunks()
                   for c in VIOLATION_COLUMNS[1:]]
        arrays.append(pa.nulls(n, pa.string()))
    return pa.RecordBatch.from_arrays(arrays, names=VIOLATION_COLUMNS + [TALLY])


def _read_with_ddss(rules: str, dataset: str, header: List[str]):
    """mapInArrow function over Spark's ``binaryFile`` rows: each file read
    by ddss's CSV reader; yields its rows (text columns, DEFECTS, ROW = the
    physical line) and, in PROBLEMS rows of their own, the reader's problems."""

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        # Reading does not depend on the date the records are judged at.
        plan = ddss.plan_dataset(dataset, _packs(rules))
        names = header + [DEFECTS, ROW, PROBLEMS]

        def problems(text: str, count: int) -> Any:
            arrays = [pa.nulls(1, pa.string())] * len(header)
            arrays += [pa.nulls(1, pa.int32()), pa.nulls(1, pa.int64()),
                       pa.array([json.dumps({"kept": json.loads(text), "count": count})])]
            return pa.RecordBatch.from_arrays(arrays, names=names)

        for batch in batches:
            for path, content in zip(batch.column("path").to_pylist(),
                                     batch.column("content").to_pylist()):
                name = _local_name(path)
                reader = plan.read_csv(content, name)
                if reader.header != header:
                    raise ddss.ReadError(
                        f"{name}: its header ({', '.join(reader.header)}) differs from the first "
                        f"file's ({', '.join(header)}); the files of one dataset must have one header")
                text, count = reader.header_problems
                if count:
                    yield problems(text, count)
                for rows, text, count in reader:
                    arrays = [rows.column(c).combine_chunks().cast(pa.string()) for c in header]
                    arrays.append(rows.column(DEFECTS).combine_chunks().cast(pa.int32()))
                    arrays.append(rows.column(ROW).combine_chunks().cast(pa.int64()))
                    arrays.append(pa.nulls(rows.num_rows, pa.string()))
                    if rows.num_rows:
                        yield pa.RecordBatch.from_arrays(arrays, names=names)
                    if count:
                        yield problems(text, count)

    return run


def _local_name(path: str) -> str:
    """A file's name as the CLI shows it: a local path without ``file:``."""
    if path.startswith("file:"):
        from urllib.parse import unquote, urlparse

        return unquote(urlparse(path).path)
    return path


def _merge(a: Any, b: Any) -> Any:
    a.merge(b)
    return a


# --- the driver ---------------------------------------------------------


def _violations_schema():
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    return StructType(
        [StructField("line", LongType())]
        + [StructField(c, StringType()) for c in VIOLATION_COLUMNS[1:]]
        + [StructField(TALLY, StringType())]
    )


def read_csv(spark: Any, path: str, delimiter: Optional[str] = None,
             encoding: Optional[str] = None, multiline: bool = True) -> Any:
    """A CSV as Spark reads it for ddss: every column text (types come from
    the pack), RFC 4180 quoting (a doubled quote escapes a quote), nothing
    trimmed, empty cells null, the header's names with a UTF-8 BOM removed.
    `delimiter` None: the one ddss would sniff from the header line."""
    from pyspark.sql.types import StringType, StructField, StructType

    head = spark.read.text(path).limit(1).collect()
    first = head[0][0] if head else ""
    first = first.lstrip("\ufeff")
    if delimiter is None:
        delimiter = ddss._ddss.sniff_delimiter(first.encode("utf-8"))
    header = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    schema = StructType([StructField(name, StringType()) for name in header])
    reader = (spark.read.schema(schema)
              .option("header", True).option("sep", delimiter)
              .option("quote", '"').option("escape", '"')
              .option("multiLine", multiline).option("mode", "PERMISSIVE")
              .option("ignoreLeadingWhiteSpace", False).option("ignoreTrailingWhiteSpace", False)
              .option("encoding", encoding or "UTF-8"))
    return reader.csv(path)


def _as_text(df: Any) -> Any:
    """Typed columns (Parquet, tables) as text: dates ISO, numbers as Spark
    prints them; the pack parses them as it parses a CSV's text."""
    from pyspark.sql import functions as F

    return df.select([F.col(f"`{c}`").cast("string").alias(c) for c in df.columns])


def _with_ordinal(df: Any, first: int) -> Any:
    """Adds ROW: the record's ordinal in the input's order, from `first`.
    monotonically_increasing_id holds (partition << 33) + position; the
    partitions' row counts turn it into a dense ordinal."""
    from pyspark.sql import functions as F

    tagged = df.withColumn("__ddss_pid", F.spark_partition_id()).withColumn(
        "__ddss_mid", F.monotonically_increasing_id())
    counts = sorted((r[0], r[1]) for r in tagged.groupBy("__ddss_pid").count().collect())
    offsets, total = [], 0
    for pid, n in counts:
        offsets += [F.lit(pid), F.lit(total)]
        total += n
    if not offsets:
        return df.withColumn(ROW, F.lit(None).cast("long"))
    offset = F.create_map(*offsets)[F.col("__ddss_pid")]
    position = F.col("__ddss_mid") - F.shiftleft(F.col("__ddss_pid").cast("long"), 33)
    return tagged.withColumn(ROW, offset + position + F.lit(first)).drop("__ddss_pid", "__ddss_mid")


def _first_per_key(other: Any, key: str, columns: List[str]) -> Any:
    """The other dataset's first row (in its order) per key: what the CLI's
    join reads when the key repeats."""
    from pyspark.sql import functions as F

    picked = (other.where(F.col(f"`{key}`").isNotNull())
              .groupBy(F.col(f"`{key}`").alias("__ddss_k"))
              .agg(F.min_by(F.struct(*[F.col(f"`{c}`") for c in columns]), F.col(ROW)).alias("__ddss_s")))
    return picked.select([F.col("__ddss_s").getField(c).alias(c) for c in columns])


class _Input:
    """One dataset's rows on Spark. ``read_by_ddss``: the frame already holds
    ROW (physical lines, or an ordinal over several files) and DEFECTS, and
    ``problems`` the reader's problems; else it is rows to cast to text and
    number. ``structure_unchecked``: why the PH rules cannot be decided."""

    def __init__(self, name: str, dataset: str, frame: Any, source: str,
                 read_by_ddss: bool = False, problems: Optional[list] = None,
                 ordinal: bool = True, structure_unchecked: Optional[str] = None):
        self.name, self.dataset, self.frame, self.source = name, dataset, frame, source
        self.read_by_ddss, self.problems, self.ordinal = read_by_ddss, problems or [], ordinal
        self.structure_unchecked = structure_unchecked
        # A cached DataFrame to release when the run ends.
        self.cached: Any = None


def _inputs(spark: Any, packs: Any, rules: str, paths: List[str], datasets: Dict[str, Any],
            multiline: bool) -> tuple:
    info = {d["name"]: d for d in json.loads(packs.describe_json())["datasets"]}
    inputs: List[_Input] = []
    unmatched: List[dict] = []
    if paths:
        local = [p for p in paths if "://" not in p]
        if len(local) != len(paths):
            raise ddss.UsageError(
                "paths on a remote file system cannot be matched to packs by name here; "
                "pass them as --dataset NAME=URI")
        planned = json.loads(packs.plan_inputs_json(local))
        unmatched = planned["unmatched"]
        for d in planned["datasets"]:
            inputs.append(_read_path(spark, packs, rules, d["path"], d["name"], d["dataset"],
                                     info[d["dataset"]], multiline))
    for name, source in (datasets or {}).items():
        if name not in info:
            raise ddss.UsageError(
                f"no rule pack validates a dataset named '{name}' (the packs' datasets: "
                f"{', '.join(sorted(info))})")
        if isinstance(source, str):
            if "://" in source or os.path.exists(source):
                inputs.append(_read_path(spark, packs, rules, source, name, name, info[name],
                                         multiline))
            else:
                inputs.append(_Input(name, name, spark.table(source), source))
        else:
            inputs.append(_Input(name, name, source, f"<spark dataframe {name}>"))
    return inputs, unmatched


def _is_parquet(path: str) -> bool:
    return path.endswith(".parquet") or (os.path.isdir(path) and any(
        f.endswith(".parquet") for f in os.listdir(path)))


def _read_path(spark: Any, packs: Any, rules: str, path: str, name: str, dataset: str,
               pack: dict, multiline: bool) -> _Input:
    if _is_parquet(path):
        return _Input(name, dataset, spark.read.parquet(path), path)
    if not multiline:
        frame = read_csv(spark, path, pack.get("delimiter"), pack.get("encoding"), multiline)
        return _Input(name, dataset, frame, path, structure_unchecked=SPARK_CSV_REASON)
    return _read_csv_with_ddss(spark, packs, rules, path, name, dataset)


def _read_csv_with_ddss(spark: Any, packs: Any, rules: str, path: str, name: str,
                        dataset: str) -> _Input:
    """A CSV file (or a folder of them) read by ddss's reader on the
    executors. The driver reads the first file's head for the header."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import IntegerType, LongType, StringType, StructField, StructType

    raw = spark.read.format("binaryFile")
    if not os.path.isfile(path):
        raw = raw.option("pathGlobFilter", "*.csv")
    raw = raw.load(path)
    files = sorted(r[0] for r in raw.select("path").collect())
    if not files:
        raise ddss.UsageError(f"{path}: no CSV file to read; give a CSV file or a folder of them")
    head_rows = (raw.where(F.col("path") == files[0])
                 .select(F.substring("content", 1, 1 << 20)).collect())
    head = bytes(head_rows[0][0])
    plan = ddss.plan_dataset(dataset, packs)
    # The header is what the reader makes of the head (encoding, quoting,
    # names repaired); a header longer than the head is read whole.
    try:
        header = plan.read_csv(head, _local_name(files[0])).header
    except ValueError:
        whole = raw.where(F.col("path") == files[0]).select("content").collect()[0][0]
        header = plan.read_csv(bytes(whole), _local_name(files[0])).header
    schema = StructType([StructField(c, StringType()) for c in header] + [
        StructField(DEFECTS, IntegerType()), StructField(ROW, LongType()),
        StructField(PROBLEMS, StringType())])
    read = (raw.select("path", "content")
            .mapInArrow(_read_with_ddss(rules, dataset, header), schema)
            .persist())
    problems = [json.loads(r[0]) for r in read.where(F.col(PROBLEMS).isNotNull())
                .select(PROBLEMS).collect()]
    rows = read.where(F.col(PROBLEMS).isNull()).drop(PROBLEMS)
    several = len(files) > 1
    if several:
        rows = _with_ordinal(rows.drop(ROW), 1)
    item = _Input(name, dataset, rows, path, read_by_ddss=True, problems=problems,
                  ordinal=several)
    item.cached = read
    return item


def validate(
    spark: Any,
    inputs: Optional[List[str]] = None,
    rules: str = "rules",
    out: Optional[str] = None,
    as_of: Optional[str] = None,
    *,
    datasets: Optional[Dict[str, Any]] = None,
    mask: bool = False,
    lang: str = "vi",
    fail_under: Optional[float] = None,
    targets: Optional[str] = None,
    collect_limit: int = 1_000_000,
    multiline: bool = True,
    plans: Optional[list] = None,
) -> dict:
    """Validates on Spark; returns the results (like results.json).

    ``inputs``: local CSV or Parquet files and folders, matched to packs by
    file name as the CLI matches them. ``datasets``: dataset name → a Spark
    DataFrame, a catalog table name or a path (any file system). With
    ``out``, the reports are written there as the CLI writes them, and the
    failing rows as Parquet under ``out/violations-spark/<dataset>/``.
    ``plans``: a list that receives ``(dataset, Spark's executed plan)``.
    ``multiline=False``: CSV files are read by Spark's reader (splittable)
    instead of ddss's, and the ``PH…`` rules are errors naming them.
    """
    import datetime

    from pyspark.sql import functions as F

    rules = os.path.abspath(rules) if os.path.exists(rules) else rules
    as_of = as_of or datetime.date.today().isoformat()
    packs = ddss.load_packs(rules)
    _ship_rules(spark, rules)
    found, unmatched = _inputs(spark, packs, rules, inputs or [], datasets or {}, multiline)

    numbered = {}
    for item in found:
        if item.read_by_ddss:
            numbered[item.name] = item.frame
        else:
            first = 2 if item.source.endswith(".csv") else 1
            numbered[item.name] = _with_ordinal(_as_text(item.frame), first)

    tallies, violations, sources, row_numbers = {}, {}, {}, {}
    for item in found:
        plan = ddss.plan_dataset(item.dataset, packs, as_of=as_of,
                                 structure_unchecked=item.structure_unchecked)
        info = plan.info
        df = numbered[item.name]
        columns = [c for c in df.columns if c not in (ROW, DEFECTS)]
        unique = info["unique"]
        if unique:
            from pyspark.sql.types import BinaryType, StructField, StructType

            schema = StructType(df.schema.fields + [
                StructField(_key_column(i), BinaryType()) for i in range(len(unique))])
            df = df.mapInArrow(_add_unique_keys(rules, item.dataset, as_of, columns, unique), schema)
            for i in range(len(unique)):
                k = _key_column(i)
                dup = (df.groupBy(k).count().where((F.col("count") > 1) & F.col(k).isNotNull())
                       .select(F.col(k).alias(k + "_d"), F.lit(True).alias(_dup_column(i))))
                df = (df.join(dup, df[k] == dup[k + "_d"], "left")
                      .withColumn(_dup_column(i), F.when(F.col(k).isNull(), F.lit(None))
                                  .otherwise(F.coalesce(F.col(_dup_column(i)), F.lit(False))))
                      .drop(k, k + "_d"))
        needs = []
        for i, need in enumerate(info["lookups"]):
            others = [numbered[o.name] for o in found if o.dataset == need["dataset"]]
            need = dict(need, available=bool(others) and need["column"] in columns)
            needs.append(need)
            if not need["available"]:
                continue
            other = others[0]
            for more in others[1:]:
                other = other.unionByName(more, allowMissingColumns=True)
            missing = [c for c in need["columns"] if c not in other.columns]
            if missing:
                # The CLI reports the rule's error; leave the look-up out so
                # the engine does the same.
                need["available"] = False
                continue
            if need["join_key"] is None:
                right = (other.select(F.col(f"`{need['columns'][0]}`").alias(_lookup_column(i, 0)))
                         .where(F.col(_lookup_column(i, 0)).isNotNull()).distinct())
            else:
                right = _first_per_key(other, need["join_key"], need["columns"])
                right = right.select([F.col(f"`{c}`").alias(_lookup_column(i, j))
                                      for j, c in enumerate(need["columns"])])
            df = df.join(right, df[need["column"]] == right[_lookup_column(i, 0)], "left")
        evaluated = df.mapInArrow(
            _evaluate(rules, item.dataset, as_of, columns, unique, needs, mask,
                      item.structure_unchecked),
            _violations_schema(),
        ).persist()
        partials = (evaluated.where(F.col(TALLY).isNotNull()).select(TALLY).rdd
                    .map(lambda r: ddss.Tally.from_json(r[0])))
        if partials.isEmpty():
            # No partition at all (an empty input): the tally of no rows,
            # with the input's columns.
            import pyarrow as pa

            empty = pa.table({c: pa.array([], pa.string()) for c in columns})
            tally = plan.evaluate(empty, whole_dataset=True).tally
        else:
            tally = partials.treeReduce(_merge)
        for found_problems in item.problems:
            tally.add_problems(json.dumps(found_problems["kept"]), found_problems["count"])
        rows = evaluated.where(F.col(TALLY).isNull()).drop(TALLY)
        if out is not None:
            (rows.write.mode("overwrite").partitionBy("rule")
             .parquet(os.path.join(out, "violations-spark", item.name)))
        if rows.count() <= collect_limit:
            violations[item.name] = _to_arrow(rows)
        if plans is not None:
            plans.append((item.name, _executed_plan(evaluated)))
        tallies[item.name] = tally
        sources[item.name] = item.source
        if item.ordinal:
            row_numbers[item.name] = "ordinal"
        evaluated.unpersist()
    for item in found:
        if item.cached is not None:
            item.cached.unpersist()
    return ddss.conclude(
        tallies, packs, out=out, as_of=as_of, violations=violations, sources=sources,
        mask=mask, lang=lang, fail_under=fail_under, targets=targets,
        row_numbers=row_numbers, unmatched=unmatched,
    )


def _executed_plan(df: Any) -> str:
    """The physical plan Spark ran (after adaptive re-planning)."""
    try:
        return str(df._jdf.queryExecution().executedPlan().toString())
    except Exception:  # Spark Connect: the plan as explain prints it
        buffer = io.StringIO()
        stdout, sys.stdout = sys.stdout, buffer
        try:
            df.explain(mode="formatted")
        finally:
            sys.stdout = stdout
        return buffer.getvalue()


def _to_arrow(df: Any) -> Any:
    import pyarrow as pa

    if hasattr(df, "toArrow"):
        return df.toArrow()
    return pa.Table.from_pandas(df.toPandas(), preserve_index=False)


def _ship_rules(spark: Any, rules: str) -> None:
    """On a cluster, executors read the rules folder shipped with the job."""
    try:
        spark.sparkContext.addFile(rules, recursive=True)
    except Exception:  # Spark Connect has no SparkContext; the path must be shared
        pass


# --- command line ---------------------------------------------------------


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ddss.spark",
        description="Validate datasets with ddss rule packs on Apache Spark.")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="validate inputs; write the CLI's reports")
    v.add_argument("inputs", nargs="*", help="local CSV/Parquet files or folders")
    v.add_argument("--rules", default="rules")
    v.add_argument("--out", default=None)
    v.add_argument("--as-of", default=None)
    v.add_argument("--master", default=None, help="e.g. local[2], yarn, spark://host:7077")
    v.add_argument("--remote", default=None, help="Spark Connect, e.g. sc://host:15002")
    v.add_argument("--dataset", action="append", default=[], metavar="NAME=SOURCE",
                   help="a dataset from a path (any file system) or a catalog table")
    v.add_argument("--mask", action="store_true")
    v.add_argument("--lang", default="vi", choices=["vi", "en"])
    v.add_argument("--fail-under", type=float, default=None)
    v.add_argument("--targets", default=None)
    v.add_argument("--collect-limit", type=int, default=1_000_000,
                   help="collect up to this many failing rows into violations/<dataset>.csv")
    v.add_argument("--no-multiline", action="store_true",
                   help="read CSV files with Spark's reader, which can split large files; "
                        "the PH (physical defect) rules are then errors")
    v.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args(argv)

    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("ddss")
    if args.remote:
        builder = builder.remote(args.remote)
    elif args.master:
        builder = builder.master(args.master)
    for item in args.conf:
        key, _, value = item.partition("=")
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    datasets = {}
    for item in args.dataset:
        name, sep, source = item.partition("=")
        if not sep:
            parser.error(f"--dataset {item}: write NAME=SOURCE")
        datasets[name] = source
    try:
        results = validate(
            spark, args.inputs, rules=args.rules, out=args.out, as_of=args.as_of,
            datasets=datasets, mask=args.mask, lang=args.lang, fail_under=args.fail_under,
            targets=args.targets, collect_limit=args.collect_limit,
            multiline=not args.no_multiline)
    except ValueError as e:
        print(f"ddss: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # a Spark or environment failure: never exit 1 ("failed")
        print(f"ddss: the Spark run stopped: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    for d in results["datasets"]:
        overall = d["scores"].get("overall")
        shown = "-" if overall is None else f"{overall:.1%}"
        print(f"{d['name']}: {d['rows']} rows, {d['violation_count']} violations, overall {shown}, {d['status']}")
    return results["exit_code"]


if __name__ == "__main__":
    sys.exit(main())
