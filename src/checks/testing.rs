//! Test harness for check kinds: a one-rule pack over a small CSV, run
//! through the real reader and the real query plan.

use std::path::Path;

use chrono::NaiveDate;
use polars::prelude::*;

use crate::contract::{DatasetOutcome, LookupKey, LookupSets, ReferenceTables};
use crate::engine::query::{RuleOutcome, check_table, rule_column};
use crate::input::{ReadOptions, read_table};
use crate::pack::RulePack;

pub const AS_OF: (i32, u32, u32) = (2026, 6, 30);

fn pack_text(columns: &str, rule: &str) -> String {
    format!(
        "[dataset]\nname = \"t\"\nsector = \"test\"\nfiles = [\"t.csv\"]\nmissing_values = [\"NULL\", \"N/A\"]\n\n[columns]\n{columns}\n\n[[rules]]\nid = \"R\"\ndimension = \"dung\"\nmessage = \"m\"\n{rule}\n"
    )
}

fn pack_in(dir: &Path, columns: &str, rule: &str) -> Result<RulePack, String> {
    crate::pack::parse_pack(
        &dir.join("t.toml"),
        &pack_text(columns, rule),
        dir,
        &ReferenceTables::default(),
    )
    .map_err(|e| e.to_string())
}

pub fn parse_error(columns: &str, rule: &str) -> String {
    parse_error_in(Path::new("."), columns, rule)
}

pub fn parse_error_in(dir: &Path, columns: &str, rule: &str) -> String {
    pack_in(dir, columns, rule).expect_err("the pack should be rejected")
}

fn run(
    dir: &Path,
    columns: &str,
    rule: &str,
    data: &[(&str, &[&str])],
    lookups: &LookupSets,
) -> (RuleOutcome, Option<Vec<Option<bool>>>) {
    let pack = pack_in(dir, columns, rule).unwrap_or_else(|e| panic!("pack: {e}"));
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("t.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(data.iter().map(|(name, _)| *name)).unwrap();
    let rows = data.first().map_or(0, |(_, v)| v.len());
    for i in 0..rows {
        w.write_record(data.iter().map(|(_, v)| v[i])).unwrap();
    }
    w.flush().unwrap();
    let options = ReadOptions {
        missing_values: pack.dataset.missing_values.clone(),
        ..Default::default()
    };
    let table = read_table(&path, &options, &|_| {}).unwrap();
    let as_of = NaiveDate::from_ymd_opt(AS_OF.0, AS_OF.1, AS_OF.2).unwrap();
    let checked = check_table(&pack, &table.frame, &table.header, as_of, lookups, vec![]);
    let outcome = checked.outcomes[0].clone();
    let values = checked
        .frame
        .column(&rule_column(0))
        .ok()
        .map(|c| c.bool().expect("boolean rule column").iter().collect());
    (outcome, values)
}

/// Per-row outcome of a rule of kind `check` (no parameters) over the raw
/// CSV `content`, read by the real reader: how the structural kinds are
/// tested on malformed files.
pub fn raw_outcomes(check: &str, content: &[u8]) -> Vec<Option<bool>> {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("t.csv");
    std::fs::write(&path, content).unwrap();
    let table = read_table(&path, &ReadOptions::default(), &|_| {}).unwrap();
    let columns: String = table
        .header
        .iter()
        .map(|h| format!("{h} = \"string\"\n"))
        .collect();
    let pack = pack_in(tmp.path(), &columns, &format!("check = \"{check}\"")).unwrap();
    let as_of = NaiveDate::from_ymd_opt(AS_OF.0, AS_OF.1, AS_OF.2).unwrap();
    let checked = check_table(
        &pack,
        &table.frame,
        &table.header,
        as_of,
        &LookupSets::default(),
        vec![],
    );
    checked
        .frame
        .column(&rule_column(0))
        .expect("a row-level rule")
        .bool()
        .expect("boolean rule column")
        .iter()
        .collect()
}

/// Per-row outcome of the rule: Some(true) fails, Some(false) passes, None
/// not applicable.
pub fn outcomes(columns: &str, rule: &str, data: &[(&str, &[&str])]) -> Vec<Option<bool>> {
    outcomes_in(Path::new("."), columns, rule, data)
}

pub fn outcomes_in(
    dir: &Path,
    columns: &str,
    rule: &str,
    data: &[(&str, &[&str])],
) -> Vec<Option<bool>> {
    match run(dir, columns, rule, data, &LookupSets::default()) {
        (_, Some(v)) => v,
        (outcome, None) => panic!("rule did not produce rows: {outcome:?}"),
    }
}

pub fn outcomes_with_lookup(
    columns: &str,
    rule: &str,
    data: &[(&str, &[&str])],
    (dataset, column, values): (&str, &str, &[&str]),
) -> Vec<Option<bool>> {
    let mut lookups = LookupSets::default();
    lookups.values.insert(
        LookupKey {
            dataset: dataset.into(),
            column: column.into(),
        },
        Ok(Series::new("v".into(), values)),
    );
    match run(Path::new("."), columns, rule, data, &lookups) {
        (_, Some(v)) => v,
        (outcome, None) => panic!("rule did not produce rows: {outcome:?}"),
    }
}

pub fn dataset_outcome(columns: &str, rule: &str, data: &[(&str, &[&str])]) -> DatasetOutcome {
    match run(Path::new("."), columns, rule, data, &LookupSets::default()).0 {
        RuleOutcome::Dataset(o) => o,
        other => panic!("expected a dataset-level outcome, got {other:?}"),
    }
}

/// The rule's error when it cannot be evaluated on this data.
pub fn rule_error(columns: &str, rule: &str, data: &[(&str, &[&str])]) -> crate::error::RuleError {
    match run(Path::new("."), columns, rule, data, &LookupSets::default()).0 {
        RuleOutcome::Error(e) => e,
        other => panic!("expected a rule error, got {other:?}"),
    }
}
