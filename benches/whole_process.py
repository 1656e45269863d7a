"""Whole-process benchmark of ddss against the parse floor and DuckDB (issue 6).

Run through benches/run.sh, which builds ddss in release mode and installs
polars and duckdb into a private virtualenv. For every size it streams a
birth-registration export with `ddss generate-births`, then times, as whole
processes, after one warm-up run each and in interleaved order:

  floor   polars (Python) reading the file with every column as text, no checks
  duckdb  one SQL query computing the 12 failure counts of the benchmark pack
  ddss    `ddss validate` with benches/packs/khai_sinh_12.toml (all reports written)

and prints medians, rows/s, peak RSS (/usr/bin/time) and the ratios
ddss/floor and ddss/duckdb. It fails if ddss's counts differ from DuckDB's.

DDSS_BASELINE_BIN=/path/to/older/ddss adds that binary, run the same way in
the same interleaved rounds ("ddss, baseline"): a before/after comparison of
a change measured in one run; its counts must equal ddss's.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DDSS = Path(os.environ.get("DDSS_BINARY", ROOT / "target" / "release" / "ddss"))
BASELINE = os.environ.get("DDSS_BASELINE_BIN")
PACK = ROOT / "benches" / "packs" / "khai_sinh_12.toml"
COMMUNES = ROOT / "rules" / "reference" / "communes_2024.csv"
AS_OF = "2026-06-30"
ETHNIC = ", ".join(f"'{i:02}'" for i in range(1, 55))

FLOOR = """
import sys, polars as pl
df = pl.read_csv(sys.argv[1], infer_schema=False)
print(df.height)
"""

# Same semantics as the ddss checks: a value is missing when empty or
# whitespace-only; value checks skip missing values; a date that does not
# parse is skipped by range/expr/fresh; every row of a duplicated group fails.
DUCKDB = """
import sys, json, duckdb
path, communes, as_of, ethnic = sys.argv[1:5]
sql = f'''
WITH t AS (
  SELECT nullif(trim(so_dang_ky), '') AS k, nullif(trim(so_dinh_danh), '') AS id,
         nullif(trim(ho_ten), '') AS name, nullif(trim(gioi_tinh), '') AS sex,
         try_strptime(trim(ngay_sinh), '%Y-%m-%d')::DATE AS birth,
         try_strptime(trim(ngay_dang_ky), '%Y-%m-%d')::DATE AS reg,
         nullif(trim(ma_dan_toc), '') AS ethnic, nullif(trim(ma_xa), '') AS commune,
         try_strptime(trim(ngay_cap_nhat), '%Y-%m-%d')::DATE AS updated
  FROM read_csv('{path}', all_varchar = true, header = true, delim = ',', quote = '"')
),
dup_k AS (SELECT sum(n) AS n FROM (SELECT count(*) AS n FROM t WHERE k IS NOT NULL GROUP BY k HAVING count(*) > 1)),
dup_id AS (SELECT sum(n) AS n FROM (SELECT count(*) AS n FROM t WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1)),
codes AS (SELECT code FROM read_csv('{communes}', all_varchar = true, header = true))
SELECT
  count(*) FILTER (WHERE k IS NULL) AS B01,
  coalesce((SELECT n FROM dup_k), 0) AS B02,
  count(*) FILTER (WHERE id IS NULL) AS B03,
  count(*) FILTER (WHERE id IS NOT NULL AND NOT regexp_full_match(id, '[0-9]{{12}}')) AS B04,
  coalesce((SELECT n FROM dup_id), 0) AS B05,
  count(*) FILTER (WHERE name IS NULL) AS B06,
  count(*) FILTER (WHERE sex IS NOT NULL AND sex NOT IN ('Nam', 'Nữ')) AS B07,
  count(*) FILTER (WHERE birth < DATE '1900-01-01' OR birth > DATE '{as_of}') AS B08,
  count(*) FILTER (WHERE reg < birth) AS B09,
  count(*) FILTER (WHERE ethnic IS NOT NULL AND ethnic NOT IN ({ethnic})) AS B10,
  count(*) FILTER (WHERE commune IS NOT NULL AND commune NOT IN (SELECT code FROM codes)) AS B11,
  count(*) FILTER (WHERE updated < DATE '{as_of}' - INTERVAL 365 DAY) AS B12
FROM t
'''
con = duckdb.connect()
con.execute('SET enable_progress_bar = false')
row = con.execute(sql).fetchone()
names = [d[0].upper() for d in con.description]
print(json.dumps({n: int(v) for n, v in zip(names, row)}))
"""


EXTRA_RULES = [
    ('check = "required"\ncolumn = "{c}"', c) for c in ["gioi_tinh", "ngay_sinh", "ngay_dang_ky", "ma_dan_toc", "ma_xa", "ngay_cap_nhat"]
] + [
    ('check = "pattern"\ncolumn = "ho_ten"\nregex = \'[\\p{{L}} ]+\'', None),
    ('check = "pattern"\ncolumn = "so_dang_ky"\nregex = \'KS-[0-9]{{10}}\'', None),
    ('check = "pattern"\ncolumn = "ma_xa"\nregex = \'[0-9]{{5}}\'', None),
    ('check = "pattern"\ncolumn = "ma_dan_toc"\nregex = \'[0-9]{{2}}\'', None),
    ('check = "in_set"\ncolumn = "gioi_tinh"\nvalues = ["Nam", "Nữ", "Khác"]', None),
    ('check = "range"\ncolumn = "ngay_dang_ky"\nmin = "1900-01-01"\nmax = "today"', None),
    ('check = "range"\ncolumn = "ngay_cap_nhat"\nmin = "2000-01-01"\nmax = "today"', None),
    ('check = "parses"\ncolumn = "ngay_sinh"', None),
    ('check = "parses"\ncolumn = "ngay_dang_ky"', None),
    ('check = "parses"\ncolumn = "ngay_cap_nhat"', None),
    ('check = "expr"\nexpr = "ngay_cap_nhat >= ngay_sinh"', None),
    ('check = "expr"\nexpr = "ngay_dang_ky <= ngay_cap_nhat"', None),
    ('check = "fresh"\ncolumn = "ngay_dang_ky"\nmax_age_days = 36500', None),
    ('check = "fresh"\ncolumn = "ngay_cap_nhat"\nmax_age_days = 730', None),
    ('check = "unique"\ncolumns = ["so_dinh_danh", "ngay_sinh"]', None),
    ('check = "unique"\ncolumns = ["ho_ten", "ngay_sinh", "ma_xa"]', None),
    ('check = "in_set"\ncolumn = "ma_xa"\nreference = "{communes}"\nreference_column = "code"', None),
    ('check = "vn_text"\ncolumn = "ho_ten"\nname = true', None),
    ('check = "cccd"\ncolumn = "so_dinh_danh"\nparts = ["format", "birthplace"]', None),
    ('check = "cccd"\ncolumn = "so_dinh_danh"\ngender_column = "gioi_tinh"\nbirth_date_column = "ngay_sinh"\nparts = ["gender_century", "birth_year"]', None),
    ('check = "age"\nbirth_date_column = "ngay_sinh"\nmax = 120', None),
    ('check = "deadline"\nfrom_column = "ngay_sinh"\nto_column = "ngay_dang_ky"\nmax_days = 60', None),
    ('check = "vn_text"\ncolumn = "ho_ten"', None),
    ('check = "expr"\nexpr = "length(ho_ten) < 60"', None),
]


def variant_packs(work, pack=PACK, rename=None):
    """The benchmark pack without its unit column, and with 30 more rules
    (their column names renamed for the shape by `rename`).

    Packs read reference files only inside their rules folder: the variants'
    folder gets a `reference` link to rules/reference, as benches/packs has."""
    text = pack.read_text(encoding="utf-8")
    link = Path(work) / "reference"
    if not link.exists():
        link.symlink_to(ROOT / "rules" / "reference", target_is_directory=True)
    nounit = Path(work) / "nounit.toml"
    nounit.write_text(text.replace('unit_column = "ma_xa"\n', ""), encoding="utf-8")
    rules = []
    for i, (body, column) in enumerate(EXTRA_RULES[:30], start=1):
        body = body.format(c=column, communes="reference/communes_2024.csv")
        for old, new in (rename or {}).items():
            body = body.replace(old, new)
        rules.append(f'\n[[rules]]\nid = "X{i:02}"\n{body}\n'
                     'dimension = "dung"\nseverity = "warn"\nmessage = "x"\n')
    plus30 = Path(work) / "plus30.toml"
    plus30.write_text(text + "".join(rules), encoding="utf-8")
    return nounit, plus30


def timed(cmd, ok_codes=(0,)):
    """Runs cmd under /usr/bin/time; returns (seconds, peak RSS in MiB, stdout)."""
    seconds, rss, stdout, _ = timed_cpu(cmd, ok_codes)
    return seconds, rss, stdout


def timed_cpu(cmd, ok_codes=(0,)):
    """timed(), and the CPU seconds (user + system) the process used."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        start = time.perf_counter()
        out = subprocess.run(
            ["/usr/bin/time", "-f", "%U %S %M", "-o", tf.name, *cmd],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        seconds = time.perf_counter() - start
        if out.returncode not in ok_codes:
            sys.exit(f"failed ({out.returncode}): {' '.join(map(str, cmd))}\n{out.stderr}")
        user, system, rss_kib = tf.read().strip().splitlines()[-1].split()
    return seconds, int(rss_kib) / 1024, out.stdout, float(user) + float(system)


def generated(rows):
    """The cached benchmark export of `rows` rows, generated if missing."""
    data_dir = ROOT / "target" / "bench-data"
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"khai_sinh_bench_{rows}.csv"
    if not path.exists():
        print(f"generating {path} …", flush=True)
        subprocess.run(
            [DDSS, "generate-births", "--rows", str(rows), "--as-of", AS_OF,
             "--reference", ROOT / "rules" / "reference", "--out", path],
            check=True, cwd=ROOT,
        )
    return path


def generated_many_units(rows):
    """The cached many-units export (benches/many_units.py) of `rows` rows."""
    data_dir = ROOT / "target" / "bench-data"
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"many_units_bench_{rows}.csv"
    if not path.exists():
        print(f"generating {path} …", flush=True)
        subprocess.run([sys.executable, ROOT / "benches" / "many_units.py", str(rows), path],
                       check=True, cwd=ROOT)
    return path


def shapes():
    """The benchmark shapes: pack, input, DuckDB query, and the column
    names the extra rules are written for."""
    import many_units
    return {
        "births": dict(pack=PACK, generated=generated, duckdb=DUCKDB, rename={}),
        "many_units": dict(
            pack=ROOT / "benches" / "packs" / "many_units_12.toml",
            generated=generated_many_units,
            duckdb=many_units.DUCKDB,
            rename={"so_dang_ky": "ma_ho_so", "KS-": "HS", "ngay_cap_nhat": "thoi_diem_cap_nhat"},
        ),
    }


def streaming(rows, limit="4GiB"):
    """The streaming target: `rows` rows under `limit`, counts equal to DuckDB's."""
    path = generated(rows)
    out_dir = tempfile.mkdtemp(prefix="ddss-bench-stream-")
    cmd = [DDSS, "validate", "--rules", PACK, "--out", out_dir, "--as-of", AS_OF, "--no-progress",
           "--format", "json", "--memory-limit", limit, path]
    seconds, rss, stdout = timed([str(c) for c in cmd], (0, 1))
    dataset = json.loads(stdout)["datasets"][0]
    ours = {r["id"]: r["failed"] for r in dataset["rules"]}
    duck_seconds, duck_rss, duck_out = timed([sys.executable, "-c", DUCKDB, str(path), str(COMMUNES), AS_OF, ETHNIC])
    duck = json.loads(duck_out.strip().splitlines()[-1])
    if ours != duck:
        sys.exit(f"streaming counts differ at {rows} rows:\n ddss   {ours}\n duckdb {duck}")
    size = path.stat().st_size
    print(f"\nstreaming, {rows:,} rows ({size / 1e9:.1f} GB), --memory-limit {limit}: "
          f"ddss {seconds:.1f} s, peak RSS {rss:,.0f} MiB ({rss * 2**20 / size:.2f} × the file), "
          f"streamed: {dataset.get('streamed', False)}; DuckDB {duck_seconds:.1f} s, {duck_rss:,.0f} MiB; "
          f"counts identical")


def main():
    sizes = [int(s) for s in os.environ.get("DDSS_BENCH_SIZES", "1000000 10000000").split()]
    runs = int(os.environ.get("DDSS_BENCH_RUNS", "3"))
    wanted = os.environ.get("DDSS_BENCH_SHAPES", "births many_units").split()
    python = sys.executable
    table = []
    for shape_name in wanted:
        shape = shapes()[shape_name]
        for rows in sizes:
            table.append(bench_one(shape_name, shape, rows, runs, python))

    print("\n| shape | rows | file | tool | median s | rows/s | CPU ÷ wall | peak RSS MiB | ddss ÷ tool |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|")
    for shape_name, rows, size_mb, medians, _, _ in table:
        for name, (secs, rss, cores) in medians.items():
            ratio = medians["ddss"][0] / secs
            print(f"| {shape_name} | {rows:,} | {size_mb:.0f} MB | {name} | {secs:.2f} | {rows / secs:,.0f} | "
                  f"{cores:.2f} | {rss:,.0f} | {ratio:.2f} |")
    print("\n| shape | rows | results.json bytes | history record bytes | unit files bytes |")
    print("|---|---:|---:|---:|---:|")
    for shape_name, rows, _, _, _, sizes_out in table:
        print(f"| {shape_name} | {rows:,} | {sizes_out[0]:,} | {sizes_out[1]:,} | {sizes_out[2]:,} |")
    for shape_name, rows, _, _, ours, _ in table:
        print(f"counts {shape_name} {rows:,} (ddss = duckdb): {json.dumps(ours)}")
    for rows in os.environ.get("DDSS_BENCH_STREAM_ROWS", "50000000").split():
        streaming(int(rows))


def bench_one(shape_name, shape, rows, runs, python):
    """One shape at one size: every tool, `runs` interleaved rounds after a
    warm-up; fails unless ddss's counts equal DuckDB's."""
    path = shape["generated"](rows)
    size_mb = path.stat().st_size / 1e6
    out_dir = tempfile.mkdtemp(prefix="ddss-bench-")
    nounit, plus30 = variant_packs(out_dir, shape["pack"], shape["rename"])
    ddss = lambda pack, out, binary=DDSS: [binary, "validate", "--rules", pack, "--out",  # noqa: E731
                                           Path(out_dir) / out, "--as-of", AS_OF, "--no-progress",
                                           "--format", "json", path]
    tools = {
        "floor": [python, "-c", FLOOR, path],
        "duckdb": [python, "-c", shape["duckdb"], path, COMMUNES, AS_OF, ETHNIC],
        "ddss": ddss(shape["pack"], "main"),
        "ddss, no unit scores": ddss(nounit, "nounit"),
        "ddss, 12 + 30 rules": ddss(plus30, "plus30"),
    }
    if BASELINE:
        tools["ddss, baseline"] = ddss(shape["pack"], "baseline", BASELINE)
    samples = {name: [] for name in tools}
    outputs = {}
    for i in range(runs + 1):  # the first round warms the page cache
        for name, cmd in tools.items():
            seconds, rss, stdout, cpu = timed_cpu([str(c) for c in cmd],
                                                  (0, 1) if name.startswith("ddss") else (0,))
            if i > 0:
                samples[name].append((seconds, rss, cpu / seconds))
            outputs[name] = stdout
        print(f"{shape_name} {rows:>11,} rows, round {i}: " + ", ".join(
            f"{n} {samples[n][-1][0]:.2f}s" if i else f"{n} warm-up" for n in tools), flush=True)

    duck = json.loads(outputs["duckdb"].strip().splitlines()[-1])
    result = json.loads(outputs["ddss"])
    ours = {r["id"]: r["failed"] for r in result["datasets"][0]["rules"] if r["id"] in duck}
    if ours != duck:
        sys.exit(f"counts differ ({shape_name}, {rows} rows):\n ddss   {ours}\n duckdb {duck}")
    if BASELINE:
        base = json.loads(outputs["ddss, baseline"])
        theirs = {r["id"]: r["failed"] for r in base["datasets"][0]["rules"] if r["id"] in duck}
        if ours != theirs:
            sys.exit(f"counts differ from the baseline ({shape_name}, {rows} rows)")
    main_out = Path(out_dir) / "main"
    history = sorted((main_out / "history").glob("*.json"))
    units = sum(f.stat().st_size for f in (main_out / "units").glob("*")) if (main_out / "units").is_dir() else 0
    sizes_out = ((main_out / "results.json").stat().st_size, history[-1].stat().st_size, units)
    medians = {n: (statistics.median(s for s, _, _ in v), max(r for _, r, _ in v),
                   statistics.median(c for _, _, c in v)) for n, v in samples.items()}
    return shape_name, rows, size_mb, medians, ours, sizes_out


if __name__ == "__main__":
    main()
