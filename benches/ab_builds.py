"""A/B benchmark of two ddss builds on the same input: did a change slow down
the packs it should not touch?

Times `ddss validate` of build A (baseline) and build B (candidate) as whole
processes, rounds interleaved (A, B, A, B, …) so machine noise hits both
alike, on the standard birth-registration export and the 12-check pack
(`benches/packs/khai_sinh_12.toml`, no indicators) and the 12 + 30 variant
of `whole_process.py`. Fails unless both builds report the same counts for
every rule. Prints medians and the ratio B ÷ A per pack.

    python3 benches/ab_builds.py BASE_DDSS CANDIDATE_DDSS [ROWS] [RUNS]

Build both the same way, e.g. baseline from a worktree of the older commit:

    git worktree add /tmp/base <commit>
    (cd /tmp/base && CARGO_TARGET_DIR=target-base cargo build --release -p ddss --bin ddss)
    cargo build --release --bins
    python3 benches/ab_builds.py /tmp/base/target-base/release/ddss target/release/ddss 10000000 3
"""

import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import whole_process as wp  # noqa: E402


def counts(out_dir):
    results = json.loads((Path(out_dir) / "results.json").read_text(encoding="utf-8"))
    return {r["id"]: (r["evaluated"], r["failed"]) for d in results["datasets"] for r in d["rules"]}


def main():
    base, cand = sys.argv[1], sys.argv[2]
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000_000
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    path = wp.generated(rows)
    work = tempfile.mkdtemp(prefix="ddss-ab-")
    _, plus30 = wp.variant_packs(work)
    packs = {"12 checks": wp.PACK, "12 + 30 rules": plus30}
    times = {(p, b): [] for p in packs for b in ("A", "B")}
    seen = {}
    for round_ in range(runs + 1):  # round 0 warms the page cache, not counted
        for pack_name, pack in packs.items():
            for build, binary in (("A", base), ("B", cand)):
                out = tempfile.mkdtemp(prefix=f"ddss-ab-{build}-")
                cmd = [binary, "validate", "--rules", str(pack), "--as-of", wp.AS_OF,
                       "--out", out, "--format", "json", str(path)]
                seconds, rss, _ = wp.timed(cmd, (0, 1))
                got = counts(out)
                key = pack_name
                if key in seen and seen[key] != got:
                    sys.exit(f"{pack_name}: build {build} counts differ from the other build's")
                seen[key] = got
                if round_ > 0:
                    times[(pack_name, build)].append(seconds)
                print(f"round {round_} {pack_name:>14} {build}: {seconds:6.2f} s, {rss:6.0f} MiB", flush=True)
    print(f"\n{rows:,} rows, medians of {runs} (A = {base}, B = {cand})")
    print("| pack | A median s | B median s | B ÷ A |")
    print("|---|---:|---:|---:|")
    for pack_name in packs:
        a = statistics.median(times[(pack_name, "A")])
        b = statistics.median(times[(pack_name, "B")])
        print(f"| {pack_name} | {a:.2f} | {b:.2f} | {b / a:.3f} |")


if __name__ == "__main__":
    main()
