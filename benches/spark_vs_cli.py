"""The CLI against the Spark runner on one machine (issue 18's benchmark).

    bash benches/spark_vs_cli.sh      # release builds, pyspark, then this

For DDSS_BENCH_ROWS (default 10,000,000) birth registrations (the
`ddss generate-births` file of benches/run.sh) and the 12-rule benchmark pack,
times DDSS_BENCH_RUNS (default 3) interleaved rounds after a warm-up:

  cli              `ddss validate` (release), all reports written
  spark            `python -m ddss.spark validate --master local[2]`: the file
                   read by ddss's reader on an executor (binaryFile), all
                   reports written (Spark started by each run: whole process)
  spark, split     the same with `--no-multiline`: Spark's CSV reader, which
                   splits the file across tasks; the PH rules are then errors

and checks they give the same counts and scores (for the split run: the same
rows and per-rule counts of every rule but the PH ones, which it cannot judge). DDSS_BENCH_CLUSTER=1 adds a
`local-cluster[2,1,4096]` run (two executor processes) if it can start.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_data import AS_OF, DDSS, PACK, ROOT, generated

ROWS = int(os.environ.get("DDSS_BENCH_ROWS", "10000000"))
RUNS = int(os.environ.get("DDSS_BENCH_RUNS", "3"))


def counted(out: Path, physical: bool = True) -> tuple:
    """What must equal the CLI's; without `physical`, only the rows and the
    counts of the rules that are not PH rules."""
    d = json.loads((out / "results.json").read_text(encoding="utf-8"))["datasets"][0]
    rules = tuple((r["id"], r["evaluated"], r["failed"]) for r in d["rules"]
                  if physical or not r["code"].startswith("PH"))
    if not physical:
        return d["rows"], rules
    return (d["rows"], json.dumps(d["scores"], sort_keys=True), rules,
            json.dumps(d["units"], sort_keys=True))


def timed(cmd: list, out: Path) -> float:
    start = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if run.returncode not in (0, 1):
        sys.exit(f"{cmd[0]} failed ({run.returncode}):\n{run.stderr[-3000:]}")
    return seconds


def main() -> None:
    path = generated(ROWS)
    spark = [sys.executable, "-m", "ddss.spark", "validate", "--rules", str(PACK),
             "--as-of", AS_OF,
             "--conf", "spark.sql.shuffle.partitions=8", "--conf", "spark.driver.memory=6g",
             "--conf", "spark.ui.enabled=false"]
    tools = {
        "cli": lambda out: [DDSS, "validate", "--no-progress", "--rules", PACK, "--as-of", AS_OF,
                            "--out", out, path],
        "spark local[2]": lambda out: spark + ["--master", "local[2]", "--out", str(out), str(path)],
        "spark local[2], split": lambda out: spark + [
            "--master", "local[2]", "--no-multiline", "--out", str(out), str(path)],
    }
    if os.environ.get("DDSS_BENCH_CLUSTER"):
        tools["spark local-cluster[2,1,4096]"] = lambda out: spark + [
            "--master", "local-cluster[2,1,4096]", "--out", str(out), str(path)]
    times = {name: [] for name in tools}
    reference = None
    for round_ in range(RUNS + 1):
        line = []
        for name, cmd in tools.items():
            with tempfile.TemporaryDirectory() as out:
                seconds = timed([str(c) for c in cmd(out)], Path(out))
                got, partial = counted(Path(out)), counted(Path(out), physical=False)
            if reference is None:
                reference = got, partial
            elif (partial if "split" in name else got) != reference["split" in name]:
                sys.exit(f"{name}: counts, scores or unit tallies differ from the CLI's")
            if round_:
                times[name].append(seconds)
                line.append(f"{name} {seconds:.1f}s")
        print(f"round {round_}: " + (", ".join(line) or "warm-up (results equal)"), flush=True)
    base = statistics.median(times["cli"])
    print(f"\n{ROWS:,} rows ({path.stat().st_size / 1e6:.0f} MB), pack {PACK.name}, {os.cpu_count()} cores")
    print("| run | median s | rows/s | ÷ cli |")
    print("|---|---:|---:|---:|")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"| {name} | {m:.1f} | {ROWS / m:,.0f} | {m / base:.1f} |")


if __name__ == "__main__":
    main()
