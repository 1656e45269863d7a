//! Helpers the integration tests of inputs share: generated exports, the
//! real binary run on them, and the parts of results.json they compare.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chrono::NaiveDate;
use ddss_generate::{GenerateOptions, generate};
use serde_json::Value;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The generated exports of `seed` (1,500 people, 6 % defects) in `dir`;
/// returns the CSV files written.
pub fn generate_exports(seed: u64, dir: &Path) -> Vec<PathBuf> {
    generate(&GenerateOptions {
        seed,
        people: 1_500,
        block_people: 1_500,
        defect_rate: 0.06,
        as_of: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        reference_dir: root().join("rules/reference"),
        out_dir: dir.to_path_buf(),
    })
    .unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    files
}

/// What one run of the binary showed.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// results.json, or `Null` when the run wrote none.
    pub results: Value,
}

/// `ddss validate --as-of 2026-06-30 --format json --out <out> <inputs>`
/// with the environment `env` added.
pub fn validate_env(inputs: &[String], out: &Path, env: &[(&str, &str)]) -> Run {
    let mut command = Command::cargo_bin("ddss").unwrap();
    command.current_dir(root()).args([
        "validate",
        "--as-of",
        "2026-06-30",
        "--no-progress",
        "--format",
        "json",
        "--out",
    ]);
    command.arg(out).args(inputs);
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().unwrap();
    let results = std::fs::read_to_string(out.join("results.json"))
        .map(|text| serde_json::from_str(&text).unwrap())
        .unwrap_or(Value::Null);
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        results,
    }
}

/// [`validate_env`] of one folder or file, expecting results.json.
pub fn validate(inputs: &Path, out: &Path) -> (i32, Value) {
    let run = validate_env(&[inputs.to_string_lossy().into_owned()], out, &[]);
    assert!(
        !run.results.is_null(),
        "exit {}: no results.json: {}",
        run.code,
        run.stderr
    );
    (run.code, run.results)
}

pub fn dataset<'a>(results: &'a Value, name: &str) -> &'a Value {
    results["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no dataset {name} in {results}"))
}

/// Failing rows per rule id.
pub fn failed_by_rule(d: &Value) -> BTreeMap<String, u64> {
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

/// The delimiter of a generated export (`;` or `,`).
pub fn delimiter_of(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    }
}

/// A generated export as its header and its columns' cells (`None` = empty).
pub fn read_columns(csv: &Path) -> (Vec<String>, Vec<Vec<Option<String>>>) {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter_of(&text))
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
    (header, cells)
}

/// The dates of a column whose every value is a date written exactly in
/// `format` (and at least one value is), else `None`.
pub fn as_dates(values: &[Option<String>], format: &str) -> Option<Vec<Option<NaiveDate>>> {
    let days: Option<Vec<Option<NaiveDate>>> = values
        .iter()
        .map(|v| match v {
            None => Some(None),
            Some(v) => NaiveDate::parse_from_str(v, format)
                .ok()
                .filter(|d| d.format(format).to_string() == *v)
                .map(Some),
        })
        .collect();
    days.filter(|d| d.iter().any(Option::is_some))
}
