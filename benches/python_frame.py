"""`ddss.validate_frame` on a polars DataFrame in memory against the CLI on the
same rows as a CSV file (issue 17's benchmark line).

    bash benches/python_frame.sh            # builds the release wheel and the CLI, then runs this

Times, medians of DDSS_BENCH_RUNS (default 3) interleaved rounds after one
warm-up each:

  cli           `ddss validate` on the CSV (whole process, all reports written)
  cli, no files `ddss.validate(csv)` in process, nothing written (the engine's read + checks)
  frame         `ddss.validate_frame(df)` on the polars frame already in memory (text columns)
  frame, typed  the same with the date columns as polars Date (written back as the pack's format)

and checks every run gives the same per-rule counts and scores.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

import ddss

from bench_data import AS_OF, DDSS, PACK, ROOT, generated

ROWS = int(os.environ.get("DDSS_BENCH_ROWS", "1000000"))
RUNS = int(os.environ.get("DDSS_BENCH_RUNS", "3"))


def counts(results: dict) -> tuple:
    d = results["datasets"][0]
    return (d["rows"], tuple((r["id"], r["evaluated"], r["failed"]) for r in d["rules"]),
            json.dumps(d["scores"], sort_keys=True))


def main() -> None:
    path = generated(ROWS)
    packs = ddss.load_packs(PACK)
    dataset = packs.datasets[0]
    text = pl.read_csv(path, infer_schema=False)
    import tomllib

    declared = tomllib.loads(PACK.read_text(encoding="utf-8"))["columns"]
    date_formats = {c: t["format"] for c, t in declared.items()
                    if isinstance(t, dict) and t.get("type") == "date" and c in text.columns}
    typed = text.with_columns(
        pl.col(c).str.strptime(pl.Date, f, strict=False) for c, f in date_formats.items()
    )

    def cli():
        with tempfile.TemporaryDirectory() as out:
            run = subprocess.run(
                [DDSS, "validate", "--no-progress", "--rules", PACK, "--as-of", AS_OF,
                 "--out", out, path], capture_output=True, cwd=ROOT)
            assert run.returncode in (0, 1), run.stderr
            return json.loads((Path(out) / "results.json").read_text(encoding="utf-8"))

    tools = {
        "cli": cli,
        "cli, no files": lambda: ddss.validate(path, rules=packs, as_of=AS_OF),
        "frame": lambda: ddss.validate_frame(text, rules=packs, dataset=dataset, as_of=AS_OF),
    }
    if date_formats:
        tools["frame, typed dates"] = lambda: ddss.validate_frame(
            typed, rules=packs, dataset=dataset, as_of=AS_OF)
    times = {name: [] for name in tools}
    reference = None
    for round_ in range(RUNS + 1):
        line = []
        for name, run in tools.items():
            start = time.perf_counter()
            results = run()
            seconds = time.perf_counter() - start
            got = counts(results)
            if reference is None:
                reference = got
            elif got != reference:
                sys.exit(f"{name}: counts differ from the CLI's")
            if round_ > 0:
                times[name].append(seconds)
                line.append(f"{name} {seconds:.2f}s")
        print(f"round {round_}: " + (", ".join(line) if line else "warm-up"), flush=True)
    base = statistics.median(times["cli"])
    size = path.stat().st_size / 1e6
    print(f"\n{ROWS:,} rows, {size:.0f} MB CSV, {len(text.columns)} columns; pack {PACK.name}")
    print("| run | median s | rows/s | ÷ cli |")
    print("|---|---:|---:|---:|")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"| {name} | {m:.2f} | {ROWS / m:,.0f} | {m / base:.2f} |")


if __name__ == "__main__":
    main()
