//! Parquet inputs (issue 21): the generated exports written as Parquet —
//! clean ISO date columns as typed dates, everything else as text — give the
//! CSV run's counts and scores; a corrupt or renamed file is a clear error
//! that stops nothing else. Runs the real binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chrono::NaiveDate;
use ddss_generate::{GenerateOptions, generate};
use polars::prelude::*;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn validate(inputs: &Path, out: &Path) -> (i32, Value) {
    let assert = Command::cargo_bin("ddss")
        .unwrap()
        .current_dir(root())
        .args([
            "validate",
            "--as-of",
            "2026-06-30",
            "--no-progress",
            "--format",
            "json",
            "--out",
        ])
        .arg(out)
        .arg(inputs)
        .assert();
    let code = assert.get_output().status.code().unwrap();
    let text = std::fs::read_to_string(out.join("results.json")).unwrap_or_else(|e| {
        panic!(
            "exit {code}: {e}: {}",
            String::from_utf8_lossy(&assert.get_output().stderr)
        )
    });
    (code, serde_json::from_str(&text).unwrap())
}

/// Writes `csv` as Parquet: a column whose every value is an ISO date (or
/// empty) as a Date column, the others as text; empty cells null.
/// Returns how many columns were written as dates.
fn csv_to_parquet(csv: &Path, parquet: &Path) -> usize {
    let text = std::fs::read_to_string(csv).unwrap();
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let mut cells: Vec<Vec<Option<String>>> = vec![Vec::new(); header.len()];
    for record in reader.records() {
        let record = record.unwrap();
        for (c, value) in record.iter().enumerate() {
            cells[c].push((!value.is_empty()).then(|| value.to_string()));
        }
    }
    let mut dates = 0;
    let columns: Vec<Column> = header
        .iter()
        .zip(cells)
        .map(|(name, values)| {
            let parsed: Option<Vec<Option<NaiveDate>>> = values
                .iter()
                .map(|v| match v {
                    None => Some(None),
                    Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
                        .ok()
                        .filter(|d| d.format("%Y-%m-%d").to_string() == *v)
                        .map(Some),
                })
                .collect();
            match parsed {
                Some(days) if days.iter().any(Option::is_some) => {
                    dates += 1;
                    DateChunked::from_naive_date_options(name.as_str().into(), days)
                        .into_series()
                        .into_column()
                }
                _ => StringChunked::from_iter_options(name.as_str().into(), values.into_iter())
                    .into_series()
                    .into_column(),
            }
        })
        .collect();
    let rows = columns.first().map_or(0, |c| c.len());
    let mut frame = DataFrame::new(rows, columns).unwrap();
    ParquetWriter::new(std::fs::File::create(parquet).unwrap())
        .finish(&mut frame)
        .unwrap();
    dates
}

fn dataset<'a>(results: &'a Value, name: &str) -> &'a Value {
    results["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no dataset {name}"))
}

fn failed_by_rule(d: &Value) -> BTreeMap<String, u64> {
    d["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["failed"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn the_exports_written_as_parquet_give_the_csv_run_s_counts_and_scores() {
    let csv_dir = tempfile::tempdir().unwrap();
    let pq_dir = tempfile::tempdir().unwrap();
    generate(&GenerateOptions {
        seed: 31,
        people: 1_500,
        block_people: 1_500,
        defect_rate: 0.06,
        as_of: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        reference_dir: root().join("rules/reference"),
        out_dir: csv_dir.path().to_path_buf(),
    })
    .unwrap();
    let mut names = Vec::new();
    let mut typed = 0;
    for entry in std::fs::read_dir(csv_dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            typed += csv_to_parquet(
                &path,
                &pq_dir
                    .path()
                    .join(path.file_name().unwrap())
                    .with_extension("parquet"),
            );
            names.push(path.file_stem().unwrap().to_string_lossy().into_owned());
        }
    }
    assert!(
        names.len() >= 10 && typed > 0,
        "{names:?}, {typed} date columns"
    );
    let (out_csv, out_pq) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (_, from_csv) = validate(csv_dir.path(), out_csv.path());
    let (_, from_pq) = validate(pq_dir.path(), out_pq.path());
    for name in &names {
        let (c, p) = (dataset(&from_csv, name), dataset(&from_pq, name));
        assert_eq!(p["rows"], c["rows"], "{name}");
        assert_eq!(failed_by_rule(p), failed_by_rule(c), "{name}");
        assert_eq!(p["scores"], c["scores"], "{name}");
        assert_eq!(p["encoding"], "parquet", "{name}");
    }
}

#[test]
fn a_corrupt_or_renamed_parquet_file_is_a_clear_error_and_stops_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("dan_cu.parquet"),
        b"PAR1 not really parquet",
    )
    .unwrap();
    std::fs::copy(
        root().join("fixtures/khai_tu.csv"),
        dir.path().join("khai_tu.pq"),
    )
    .unwrap();
    std::fs::copy(
        root().join("fixtures/khai_sinh.csv"),
        dir.path().join("khai_sinh.csv"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, results) = validate(dir.path(), out.path());
    assert_eq!(code, 3, "{results}");
    for name in ["dan_cu", "khai_tu"] {
        let d = dataset(&results, name);
        let message = d["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("cannot read the Parquet file") && message.contains("CSV UTF-8"),
            "{message}"
        );
    }
    assert!(dataset(&results, "khai_sinh")["rows"].as_u64().unwrap() > 0);
}
