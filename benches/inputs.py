"""The same export validated from CSV, from Parquet and from a PostgreSQL
table (issue 21), as whole processes, rounds interleaved: what the input kind
costs. Counts must be equal across the three, rule by rule, or it fails.

    bash benches/inputs.sh [ROWS ...]      # default 1000000 10000000

The CSV is the standard benchmark export (benches/RESULTS.md); the Parquet
file is that CSV with every column as text (polars, zstd); the table is
loaded from it with `COPY` into `text` columns on the throw-away server of
scripts/postgres.sh, read through its TCP port. The PostgreSQL time includes
ddss copying the rows out of the server.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import whole_process as wp  # noqa: E402

import polars as pl  # noqa: E402


def parquet_of(csv):
    path = csv.with_suffix(".parquet")
    if not path.exists():
        print(f"writing {path} …", flush=True)
        pl.scan_csv(csv, infer_schema=False).sink_parquet(path)
    return path


def load_table(csv, url, password):
    table = csv.stem
    env = dict(os.environ, PGPASSWORD=password)
    header = csv.open(encoding="utf-8").readline().strip().split(",")
    columns = ", ".join(f'"{c}" text' for c in header)
    print(f"loading {table} into PostgreSQL …", flush=True)
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c",
         f"DROP TABLE IF EXISTS bench.{table}; CREATE SCHEMA IF NOT EXISTS bench; "
         f"CREATE TABLE bench.{table} ({columns})"],
        check=True, env=env,
    )
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c",
         f"\\copy bench.{table} FROM '{csv}' WITH (FORMAT csv, HEADER true)"],
        check=True, env=env,
    )
    subprocess.run(["psql", "-q", url, "-c", f"VACUUM ANALYZE bench.{table}"], check=True, env=env)
    return f"{url}?table=bench.{table}"


def failed_by_rule(out):
    results = json.loads((Path(out) / "results.json").read_text(encoding="utf-8"))
    (dataset,) = results["datasets"]
    return dataset["rows"], {r["id"]: r["failed"] for r in dataset["rules"]}


def main():
    sizes = [int(s) for s in sys.argv[1:]] or [1_000_000, 10_000_000]
    runs = int(os.environ.get("DDSS_BENCH_RUNS", "3"))
    url = os.environ["DDSS_TEST_POSTGRES"]
    password = os.environ["DDSS_TEST_POSTGRES_PASSWORD"]
    rows_out = []
    for rows in sizes:
        csv = wp.generated(rows)
        inputs = {
            "csv": str(csv),
            "parquet": str(parquet_of(csv)),
            "postgres": load_table(csv, url, password),
        }
        sizes_mb = {"csv": csv.stat().st_size / 1e6,
                    "parquet": Path(inputs["parquet"]).stat().st_size / 1e6}
        times = {k: [] for k in inputs}
        rss = {k: [] for k in inputs}
        counts = {}
        for round_ in range(runs + 1):  # round 0 warms the caches, not counted
            for kind, source in inputs.items():
                out = tempfile.mkdtemp(prefix=f"ddss-input-{kind}-")
                cmd = ["env", f"PGPASSWORD={password}", str(wp.DDSS), "validate", "--rules",
                       str(wp.PACK), "--as-of", wp.AS_OF, "--out", out, "--no-progress",
                       "--format", "json", source]
                seconds, peak, _ = wp.timed(cmd, (0, 1))
                print(f"{rows:>10,} round {round_} {kind:>8}: {seconds:6.2f} s, {peak:6.0f} MiB",
                      flush=True)
                counts[kind] = failed_by_rule(out)
                if round_ > 0:
                    times[kind].append(seconds)
                    rss[kind].append(peak)
        if not (counts["csv"] == counts["parquet"] == counts["postgres"]):
            sys.exit(f"counts differ at {rows} rows: {json.dumps(counts, indent=1)}")
        base = statistics.median(times["csv"])
        for kind in inputs:
            median = statistics.median(times[kind])
            rows_out.append(
                f"| {rows:,} | {kind} | {sizes_mb.get(kind, 0):,.0f} | {median:.2f} | "
                f"{rows / median:,.0f} | {max(rss[kind]):,.0f} | {median / base:.2f} |"
            )
    print("\n| rows | input | file MB | median s | rows/s | peak RSS MiB | ÷ csv |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    print("\n".join(rows_out))


if __name__ == "__main__":
    main()
