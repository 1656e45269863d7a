//! The benchmark's 12-check pack on a streamed birth-registration export:
//! ddss's failure counts equal counts computed here independently, row by
//! row with the csv crate (the same cross-check benches/run.sh makes with
//! DuckDB at 1 M and 10 M rows).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use assert_cmd::Command;
use chrono::NaiveDate;

fn independent_counts(
    path: &Path,
    communes: &std::collections::HashSet<String>,
    as_of: NaiveDate,
) -> BTreeMap<String, u64> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let present = |v: &str| !v.trim().is_empty();
    let date = |v: &str| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
    let duplicates = |col: usize| {
        let mut n: HashMap<&str, u64> = HashMap::new();
        for r in &rows {
            if present(&r[col]) {
                *n.entry(&r[col]).or_default() += 1;
            }
        }
        n.values().filter(|c| **c > 1).sum::<u64>()
    };
    let count =
        |f: &dyn Fn(&csv::StringRecord) -> bool| rows.iter().filter(|r| f(r)).count() as u64;
    let ethnic: Vec<String> = (1..=54).map(|i| format!("{i:02}")).collect();
    let twelve_digits = |v: &str| v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit());
    let oldest = as_of - chrono::TimeDelta::days(365);
    let floor = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
    [
        ("B01", count(&|r| !present(&r[0]))),
        ("B02", duplicates(0)),
        ("B03", count(&|r| !present(&r[1]))),
        ("B04", count(&|r| present(&r[1]) && !twelve_digits(&r[1]))),
        ("B05", duplicates(1)),
        ("B06", count(&|r| !present(&r[2]))),
        (
            "B07",
            count(&|r| present(&r[3]) && !["Nam", "Nữ"].contains(&&r[3])),
        ),
        (
            "B08",
            count(&|r| date(&r[4]).is_some_and(|d| d < floor || d > as_of)),
        ),
        (
            "B09",
            count(&|r| matches!((date(&r[4]), date(&r[5])), (Some(b), Some(g)) if g < b)),
        ),
        (
            "B10",
            count(&|r| present(&r[6]) && !ethnic.iter().any(|e| e == &r[6])),
        ),
        (
            "B11",
            count(&|r| present(&r[7]) && !communes.contains(&r[7])),
        ),
        ("B12", count(&|r| date(&r[8]).is_some_and(|d| d < oldest))),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

#[test]
fn twelve_check_counts_match_an_independent_count() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("khai_sinh_bench.csv");
    let out = dir.path().join("out");
    // The benchmark's generator, called as a library: the validator's tests
    // need no generator binary.
    let rows = ddss_generate::births_stream::write_births(
        &data,
        &ddss_generate::births_stream::BirthsOptions {
            rows: 30_000,
            seed: 5,
            as_of: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
            defect_rate: 0.2,
            reference_dir: root.join("rules/reference"),
        },
    )
    .unwrap();
    assert_eq!(rows, 30_000);
    let output = Command::cargo_bin("ddss")
        .unwrap()
        .current_dir(root)
        .args([
            "validate",
            "--rules",
            "benches/packs/khai_sinh_12.toml",
            "--as-of",
            "2026-06-30",
        ])
        .args(["--no-progress", "--format", "json", "--out"])
        .arg(&out)
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let results: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let ours: BTreeMap<String, u64> = results["datasets"][0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["failed"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut reader =
        csv::Reader::from_path(root.join("rules/reference/communes_2024.csv")).unwrap();
    let communes: std::collections::HashSet<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    let expected = independent_counts(
        &data,
        &communes,
        NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
    );
    assert!(
        expected.values().all(|n| *n > 0),
        "every check must see failures: {expected:?}"
    );
    assert_eq!(ours, expected);
}
