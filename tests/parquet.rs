//! Parquet inputs (issue 21): the generated exports written as Parquet —
//! clean ISO date columns as typed dates, everything else as text — give the
//! CSV run's counts and scores; a corrupt or renamed file is a clear error
//! that stops nothing else. Runs the real binary.

mod common;

use std::path::Path;

use common::{as_dates, dataset, failed_by_rule, generate_exports, read_columns, root, validate};
use polars::prelude::*;

/// Writes `csv` as Parquet: a column whose every value is an ISO date (or
/// empty) as a Date column, the others as text; empty cells null.
/// Returns how many columns were written as dates.
fn csv_to_parquet(csv: &Path, parquet: &Path) -> usize {
    let (header, cells) = read_columns(csv);
    let mut dates = 0;
    let columns: Vec<Column> = header
        .iter()
        .zip(cells)
        .map(|(name, values)| match as_dates(&values, "%Y-%m-%d") {
            Some(days) => {
                dates += 1;
                DateChunked::from_naive_date_options(name.as_str().into(), days)
                    .into_series()
                    .into_column()
            }
            None => StringChunked::from_iter_options(name.as_str().into(), values.into_iter())
                .into_series()
                .into_column(),
        })
        .collect();
    let rows = columns.first().map_or(0, |c| c.len());
    let mut frame = DataFrame::new(rows, columns).unwrap();
    ParquetWriter::new(std::fs::File::create(parquet).unwrap())
        .finish(&mut frame)
        .unwrap();
    dates
}

#[test]
fn the_exports_written_as_parquet_give_the_csv_run_s_counts_and_scores() {
    let csv_dir = tempfile::tempdir().unwrap();
    let pq_dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    let mut typed = 0;
    for path in generate_exports(31, csv_dir.path()) {
        typed += csv_to_parquet(
            &path,
            &pq_dir
                .path()
                .join(path.file_name().unwrap())
                .with_extension("parquet"),
        );
        names.push(path.file_stem().unwrap().to_string_lossy().into_owned());
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
