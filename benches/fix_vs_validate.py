"""`ddss fix` against `ddss validate` on the same export and pack, as whole
processes, rounds interleaved: what cleaning costs over checking.

The pack is the standard 12-check pack (`benches/packs/khai_sinh_12.toml`)
with two fixes declared — `restore_leading_zero` on the 12-digit ID rule and
a `map` of gender spellings — so `fix` has cells to propose, verify and
write. Prints medians, peak RSS and the ratio fix ÷ validate.

    python3 benches/fix_vs_validate.py [DDSS_BINARY] [ROWS] [RUNS]
"""

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import whole_process as wp  # noqa: E402


def fix_pack(work):
    text = wp.PACK.read_text(encoding="utf-8")
    text = text.replace(
        "check = \"pattern\"\ncolumn = \"so_dinh_danh\"",
        "check = \"pattern\"\nfix = \"restore_leading_zero\"\ncolumn = \"so_dinh_danh\"",
    )
    text = text.replace(
        "check = \"in_set\"\ncolumn = \"gioi_tinh\"",
        "check = \"in_set\"\nfix = { map = { \"nam\" = \"Nam\", \"NAM\" = \"Nam\", \"nữ\" = \"Nữ\", \"NỮ\" = \"Nữ\" } }\n"
        "column = \"gioi_tinh\"",
    )
    assert text.count("fix =") == 2, "the pack's rules moved: update fix_pack()"
    link = Path(work) / "reference"
    if not link.exists():
        link.symlink_to(wp.ROOT / "rules" / "reference", target_is_directory=True)
    pack = Path(work) / "khai_sinh_fix.toml"
    pack.write_text(text, encoding="utf-8")
    return pack


def main():
    ddss = sys.argv[1] if len(sys.argv) > 1 else str(wp.DDSS)
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    path = wp.generated(rows)
    pack = fix_pack(tempfile.mkdtemp(prefix="ddss-fixbench-"))
    times = {"validate": [], "fix": []}
    rss = {"validate": [], "fix": []}
    for round_ in range(runs + 1):  # round 0 warms the page cache, not counted
        for command in ("validate", "fix"):
            out = tempfile.mkdtemp(prefix=f"ddss-{command}-")
            cmd = [ddss, command, "--rules", str(pack), "--as-of", wp.AS_OF, "--out", out,
                   "--no-progress", "--format", "json", str(path)]
            seconds, peak, _ = wp.timed(cmd, (0, 1))
            print(f"round {round_} {command:>8}: {seconds:6.2f} s, {peak:6.0f} MiB", flush=True)
            if round_ > 0:
                times[command].append(seconds)
                rss[command].append(peak)
            if command == "fix":
                changes = sum(1 for _ in open(Path(out) / "changes" / "khai_sinh_bench.csv", encoding="utf-8")) - 1
                print(f"         {changes:,} cells changed", flush=True)
    v, f = statistics.median(times["validate"]), statistics.median(times["fix"])
    print(f"\n{rows:,} rows, medians of {runs} ({ddss})")
    print("| command | median s | peak RSS MiB | ÷ validate |")
    print("|---|---:|---:|---:|")
    print(f"| validate | {v:.2f} | {max(rss['validate']):.0f} | 1.00 |")
    print(f"| fix | {f:.2f} | {max(rss['fix']):.0f} | {f / v:.2f} |")


if __name__ == "__main__":
    main()
