//! The distributed seam (`ddss::distributed`): a dataset cut into batches of
//! random sizes — down to one row — evaluated batch by batch, `unique`
//! verdicts supplied as a runner supplies them (keys from `unique_keys`,
//! counted over all batches), tallies merged in a shuffled order and
//! concluded, gives the CLI's results for every dataset of the fixtures.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use ddss::distributed::{BatchInput, Concluding, DatasetPlan, DatasetTally, RowNumbers, conclude};
use ddss::input::{ReadOptions, read_table};
use ddss::model::ROW_DEFECTS_COLUMN;
use ddss::pack::PackSet;
use polars::prelude::*;

const AS_OF: &str = "2026-06-30";

fn as_of() -> NaiveDate {
    NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap()
}

fn packs() -> Arc<PackSet> {
    Arc::new(ddss::pack::load_packs(Path::new("rules")).unwrap())
}

fn options(out: &Path) -> ddss::job::RunOptions {
    ddss::job::RunOptions {
        as_of: as_of(),
        out_dir: out.to_path_buf(),
        progress: false,
        fail_under: None,
        mask: false,
        targets: Default::default(),
        lang: ddss::report::Lang::Vi,
        memory_limit: 1 << 30,
    }
}

/// A fixture as the text frame a runner would hand over, with its lines.
fn fixture(dataset: &str) -> (DataFrame, Vec<u64>) {
    let table = read_table(
        &Path::new("fixtures").join(format!("{dataset}.csv")),
        &ReadOptions::default(),
        &|_| {},
    )
    .unwrap();
    let frame = table.frame.drop(ROW_DEFECTS_COLUMN).unwrap_or(table.frame);
    (frame, table.lines)
}

/// A small deterministic generator (no `rand` in the library's tests).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % below.max(1)
    }
}

/// Batch boundaries: sizes from 1 to `max`, ones included.
fn cuts(rows: usize, rng: &mut Lcg, max: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < rows {
        // The first batch is a single row, so every dataset meets one.
        let size = if out.is_empty() || rng.next(4) == 0 {
            1
        } else {
            1 + rng.next(max)
        };
        let len = size.min(rows - at);
        out.push((at, len));
        at += len;
    }
    out
}

fn evaluate_in_batches(
    packs: &Arc<PackSet>,
    dataset: &str,
    lookups: &[(String, DataFrame)],
    seed: u64,
    shuffle_rows: bool,
) -> (DatasetTally, DataFrame) {
    let plan = DatasetPlan::new(packs.clone(), dataset, as_of())
        .unwrap()
        .with_lookups(lookups.to_vec())
        .unwrap();
    let (frame, lines) = fixture(dataset);
    let mut rng = Lcg(seed);
    // Rows out of line order, as a runner's joins leave them.
    let (frame, lines) = if shuffle_rows {
        let mut order: Vec<u32> = (0..frame.height() as u32).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.next(i + 1));
        }
        let taken = frame
            .take(&IdxCa::from_vec("i".into(), order.clone()))
            .unwrap();
        (taken, order.iter().map(|&i| lines[i as usize]).collect())
    } else {
        (frame, lines)
    };
    let batches = cuts(frame.height(), &mut rng, 97);
    assert!(batches.iter().any(|(_, len)| *len == 1));

    // The runner's first pass: every row's key per unique rule, counted.
    let mut counts: HashMap<(String, Vec<u8>), u32> = HashMap::new();
    for &(at, len) in &batches {
        let table = plan
            .table(&frame.slice(at as i64, len), RowNumbers::From(1))
            .unwrap();
        for (rule, keys) in plan.unique_keys(&table) {
            for key in keys.unwrap().iter().flatten() {
                *counts.entry((rule.clone(), key.to_vec())).or_default() += 1;
            }
        }
    }

    // The second: each batch with its rows' verdicts; tallies kept apart.
    let mut tallies = Vec::new();
    let mut violations: Option<DataFrame> = None;
    for &(at, len) in &batches {
        let part = frame.slice(at as i64, len);
        let table = plan.table(&part, RowNumbers::From(1)).unwrap();
        let duplicated = plan
            .unique_keys(&table)
            .into_iter()
            .map(|(rule, keys)| {
                let verdicts: BooleanChunked = keys
                    .unwrap()
                    .iter()
                    .map(|k| k.map(|k| counts[&(rule.clone(), k.to_vec())] > 1))
                    .collect();
                (rule, verdicts)
            })
            .collect();
        let evaluated = plan
            .evaluate(BatchInput {
                frame: &part,
                rows: RowNumbers::Given(lines[at..at + len].to_vec()),
                duplicated,
                whole_dataset: false,
                mask: false,
                defects: None,
            })
            .unwrap();
        assert_eq!(evaluated.flags.height(), len);
        // Tallies travel as text between workers and the driver.
        tallies.push(DatasetTally::from_json(&evaluated.tally.to_json()).unwrap());
        match violations.as_mut() {
            None => violations = Some(evaluated.violations),
            Some(all) => {
                all.vstack_mut_owned(evaluated.violations).unwrap();
            }
        }
    }
    // Merged in an order unrelated to the rows'.
    let mut merged = plan.empty_tally();
    while !tallies.is_empty() {
        let pick = rng.next(tallies.len());
        merged.merge(tallies.swap_remove(pick)).unwrap();
    }
    (merged, violations.unwrap())
}

/// A written dataset result with its units read back from `units_file`, as
/// in-memory results hold them.
fn units_inline(d: &ddss::results::DatasetResult, out: &Path) -> serde_json::Value {
    let mut d = d.clone();
    if let Some(relative) = d.units_file.take() {
        let written = ddss::report::units_file::read(&out.join(relative)).unwrap();
        assert_eq!(
            serde_json::to_value(&written).unwrap(),
            serde_json::to_value(&d.units).unwrap(),
            "the units file holds the run's units"
        );
        d.units = written;
        assert_eq!(d.unit_count.take(), Some(d.units.len() as u64));
    }
    serde_json::to_value(&d).unwrap()
}

fn comparable(d: &serde_json::Value) -> serde_json::Value {
    let mut d = d.clone();
    let o = d.as_object_mut().unwrap();
    for field in [
        "source",
        "source_kind",
        "bytes",
        "encoding",
        "delimiter",
        "violations_file",
        "streamed",
    ] {
        o.remove(field);
    }
    d
}

#[test]
fn batches_of_random_sizes_merge_to_the_cli_results() {
    let packs = packs();
    let cli = ddss::job::results_only(
        &ddss::engine::plan_run(&packs, &["fixtures".into()], 1 << 30).unwrap(),
        &options(Path::new("")),
    )
    .unwrap();
    let datasets: Vec<String> = cli.datasets.iter().map(|d| d.name.clone()).collect();
    // Every dataset some rule looks up, as the plans say.
    let looked_up: std::collections::BTreeSet<String> = datasets
        .iter()
        .flat_map(|d| {
            DatasetPlan::new(packs.clone(), d, as_of())
                .unwrap()
                .info()
                .lookups
        })
        .map(|need| need.dataset)
        .collect();
    assert!(looked_up.contains("nguoi_nop_thue"), "{looked_up:?}");
    let lookups: Vec<(String, DataFrame)> = looked_up
        .iter()
        .map(|d| (d.clone(), fixture(d).0))
        .collect();
    for (seed, dataset) in datasets.iter().enumerate() {
        let (tally, violations) =
            evaluate_in_batches(&packs, dataset, &lookups, seed as u64 + 7, seed % 2 == 1);
        let out = tempfile::tempdir().unwrap();
        let concluded = conclude(
            &packs,
            vec![Concluding {
                name: dataset.clone(),
                source: dataset.clone(),
                bytes: 0,
                tally,
                violations: Some(violations),
                row_numbers: None,
            }],
            vec![],
            &options(out.path()),
            true,
        )
        .unwrap();
        let batch = units_inline(&concluded.datasets[0], out.path());
        let whole = serde_json::to_value(cli.datasets.iter().find(|d| &d.name == dataset).unwrap())
            .unwrap();
        assert_eq!(comparable(&batch), comparable(&whole), "dataset {dataset}");
        assert!(
            concluded.datasets[0].violation_count > 0,
            "{dataset}: fixtures have defects"
        );
        assert!(out.path().join("results.json").exists());
        assert!(out.path().join("scorecard.html").exists());
    }
}

#[test]
fn batch_violations_file_equals_the_cli_file() {
    let packs = packs();
    let cli_out = tempfile::tempdir().unwrap();
    ddss::job::run(
        &packs,
        &["fixtures/khai_sinh.csv".into()],
        &options(cli_out.path()),
    )
    .unwrap();
    let (tally, violations) = evaluate_in_batches(&packs, "khai_sinh", &[], 3, true);
    let out = tempfile::tempdir().unwrap();
    conclude(
        &packs,
        vec![Concluding {
            name: "khai_sinh".into(),
            source: "khai_sinh".into(),
            bytes: 0,
            tally,
            violations: Some(violations),
            row_numbers: None,
        }],
        vec![],
        &options(out.path()),
        true,
    )
    .unwrap();
    let read = |dir: &Path| std::fs::read_to_string(dir.join("violations/khai_sinh.csv")).unwrap();
    let (batch, whole) = (read(out.path()), read(cli_out.path()));
    assert!(whole.lines().count() > 10);
    assert_eq!(batch, whole);
}

#[test]
fn a_unique_rule_without_verdicts_is_an_error_naming_it() {
    let packs = packs();
    let plan = DatasetPlan::new(packs.clone(), "khai_sinh", as_of()).unwrap();
    let (frame, _) = fixture("khai_sinh");
    let unique = plan.info().unique;
    assert!(!unique.is_empty());
    let evaluated = plan
        .evaluate(BatchInput {
            frame: &frame.slice(0, 10),
            rows: RowNumbers::From(2),
            duplicated: vec![],
            whole_dataset: false,
            mask: false,
            defects: None,
        })
        .unwrap();
    let results = conclude(
        &packs,
        vec![Concluding {
            name: "khai_sinh".into(),
            source: "khai_sinh".into(),
            bytes: 0,
            tally: evaluated.tally,
            violations: None,
            row_numbers: None,
        }],
        vec![],
        &options(Path::new("")),
        false,
    )
    .unwrap();
    let rule = results.datasets[0]
        .rules
        .iter()
        .find(|r| r.id == unique[0].rule)
        .unwrap();
    assert_eq!(rule.status, ddss::results::RuleStatus::Error);
    assert!(rule.error.as_ref().unwrap().contains(&unique[0].rule));
}

#[test]
fn tallies_of_different_datasets_or_versions_do_not_merge() {
    let packs = packs();
    let a = DatasetPlan::new(packs.clone(), "khai_sinh", as_of()).unwrap();
    let b = DatasetPlan::new(packs.clone(), "khai_tu", as_of()).unwrap();
    let mut tally = a.empty_tally();
    let err = tally.merge(b.empty_tally()).unwrap_err().to_string();
    assert!(
        err.contains("khai_tu") && err.contains("khai_sinh"),
        "{err}"
    );
    let text = a
        .empty_tally()
        .to_json()
        .replace("\"version\":1", "\"version\":99");
    let err = DatasetTally::from_json(&text).unwrap_err().to_string();
    assert!(err.contains("99"), "{err}");
    assert!(DatasetTally::from_json("{not json").is_err());
}

#[test]
fn wrong_batch_shapes_are_errors_not_panics() {
    let packs = packs();
    let plan = DatasetPlan::new(packs.clone(), "khai_sinh", as_of()).unwrap();
    let (frame, _) = fixture("khai_sinh");
    let part = frame.slice(0, 5);
    let rule = plan.info().unique[0].rule.clone();
    let short = BooleanChunked::full(rule.as_str().into(), false, 3);
    let err = plan
        .evaluate(BatchInput {
            frame: &part,
            rows: RowNumbers::From(2),
            duplicated: vec![(rule.clone(), short)],
            whole_dataset: false,
            mask: false,
            defects: None,
        })
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("3 duplicated verdicts") && err.contains(&rule),
        "{err}"
    );
    let err = plan
        .evaluate(BatchInput {
            frame: &part,
            rows: RowNumbers::Given(vec![1, 2]),
            duplicated: vec![],
            whole_dataset: true,
            mask: false,
            defects: None,
        })
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("2 row numbers for 5 rows"), "{err}");
    assert!(DatasetPlan::new(packs, "no_such", as_of()).is_err());
}

/// Evaluates pieces (frame with the defects column, lines) as a runner
/// would: keys counted over all pieces first, then each piece with its
/// verdicts and defects; returns the merged tally and the violations.
fn evaluate_pieces(
    plan: &DatasetPlan,
    pieces: &[(DataFrame, Vec<u64>)],
) -> (DatasetTally, DataFrame) {
    let split = |frame: &DataFrame| -> (DataFrame, Option<Vec<u8>>) {
        let defects = frame.column(ROW_DEFECTS_COLUMN).ok().map(|c| {
            c.u32()
                .unwrap()
                .into_no_null_iter()
                .map(|b| b as u8)
                .collect()
        });
        (
            frame.drop(ROW_DEFECTS_COLUMN).unwrap_or(frame.clone()),
            defects,
        )
    };
    let mut counts: HashMap<(String, Vec<u8>), u32> = HashMap::new();
    for (frame, _) in pieces {
        let table = plan.table(&split(frame).0, RowNumbers::From(1)).unwrap();
        for (rule, keys) in plan.unique_keys(&table) {
            for key in keys.unwrap().iter().flatten() {
                *counts.entry((rule.clone(), key.to_vec())).or_default() += 1;
            }
        }
    }
    let mut merged = plan.empty_tally();
    let mut violations: Option<DataFrame> = None;
    for (frame, lines) in pieces {
        let (part, defects) = split(frame);
        let table = plan.table(&part, RowNumbers::From(1)).unwrap();
        let duplicated = plan
            .unique_keys(&table)
            .into_iter()
            .map(|(rule, keys)| {
                let verdicts: BooleanChunked = keys
                    .unwrap()
                    .iter()
                    .map(|k| k.map(|k| counts[&(rule.clone(), k.to_vec())] > 1))
                    .collect();
                (rule, verdicts)
            })
            .collect();
        let evaluated = plan
            .evaluate(BatchInput {
                frame: &part,
                rows: RowNumbers::Given(lines.clone()),
                duplicated,
                whole_dataset: false,
                mask: false,
                defects,
            })
            .unwrap();
        merged.merge(evaluated.tally).unwrap();
        match violations.as_mut() {
            None => violations = Some(evaluated.violations),
            Some(all) => {
                all.vstack_mut_owned(evaluated.violations).unwrap();
            }
        }
    }
    (merged, violations.unwrap())
}

/// The khai_tu fixture with physical defects: a ragged row, a NUL byte, a
/// stray quote, a byte that is not UTF-8, and a quote left open at the end.
fn damaged_khai_tu() -> Vec<u8> {
    let text = std::fs::read("fixtures/khai_tu.csv").unwrap();
    let mut lines: Vec<Vec<u8>> = text.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
    assert!(lines.len() > 12);
    lines[2].extend_from_slice(b",extra");
    lines[4].insert(3, 0);
    lines[6].insert(5, b'"');
    lines[8].insert(4, 0xff);
    let last = lines.iter().rposition(|l| !l.is_empty()).unwrap();
    lines[last].extend_from_slice(b",\"open");
    lines.join(&b'\n')
}

#[test]
fn a_csv_read_by_ddss_reader_in_pieces_gives_the_cli_results_with_its_physical_defects() {
    let packs = packs();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("khai_tu.csv");
    let bytes = damaged_khai_tu();
    std::fs::write(&path, &bytes).unwrap();
    let cli = ddss::job::results_only(
        &ddss::engine::plan_run(&packs, std::slice::from_ref(&path), 1 << 30).unwrap(),
        &options(Path::new("")),
    )
    .unwrap();
    let whole = &cli.datasets[0];
    let structural: Vec<_> = whole
        .rules
        .iter()
        .filter(|r| ddss::model::is_structural_code(&r.code) && r.failed > 0)
        .map(|r| r.code.clone())
        .collect();
    assert!(structural.len() >= 3, "the damage is found: {structural:?}");

    let plan = DatasetPlan::new(packs.clone(), "khai_tu", as_of()).unwrap();
    // Small pieces: defects, problems and lines must survive the cuts.
    let mut reader = plan
        .read_csv(
            &path.display().to_string(),
            Box::new(std::io::Cursor::new(bytes.clone())),
            bytes.len() as u64,
            700,
        )
        .unwrap();
    let (kept, count) = reader.header_problems();
    let (kept, count) = (kept.to_vec(), count);
    let mut pieces = Vec::new();
    let mut problems = Vec::new();
    let mut problem_count = 0;
    while let Some(table) = reader.next_piece().unwrap() {
        problems.extend(table.problems.clone());
        problem_count += table.problem_count;
        pieces.push((table.frame, table.lines));
    }
    assert!(pieces.len() > 3, "{} pieces", pieces.len());
    let (mut tally, violations) = evaluate_pieces(&plan, &pieces);
    tally.add_problems(&kept, count);
    tally.add_problems(&problems, problem_count);
    let concluded = conclude(
        &packs,
        vec![Concluding {
            name: "khai_tu".into(),
            source: "khai_tu".into(),
            bytes: 0,
            tally,
            violations: Some(violations),
            row_numbers: None,
        }],
        vec![],
        &options(Path::new("")),
        false,
    )
    .unwrap();
    let batch = serde_json::to_value(&concluded.datasets[0]).unwrap();
    let want = serde_json::to_value(whole).unwrap();
    assert_eq!(comparable(&batch), comparable(&want));
}

#[test]
fn rows_not_read_by_ddss_reader_make_every_structural_rule_an_error_naming_it() {
    let packs = packs();
    let plan = DatasetPlan::new(packs.clone(), "khai_tu", as_of())
        .unwrap()
        .with_structure_unchecked("read by Spark's CSV reader".into());
    let (frame, lines) = fixture("khai_tu");
    let evaluated = plan
        .evaluate(BatchInput {
            frame: &frame,
            rows: RowNumbers::Given(lines),
            duplicated: vec![],
            whole_dataset: true,
            mask: false,
            defects: None,
        })
        .unwrap();
    let results = conclude(
        &packs,
        vec![Concluding {
            name: "khai_tu".into(),
            source: "khai_tu".into(),
            bytes: 0,
            tally: evaluated.tally,
            violations: None,
            row_numbers: None,
        }],
        vec![],
        &options(Path::new("")),
        false,
    )
    .unwrap();
    let structural: Vec<_> = results.datasets[0]
        .rules
        .iter()
        .filter(|r| ddss::model::is_structural_code(&r.code))
        .collect();
    assert!(!structural.is_empty());
    for rule in structural {
        assert_eq!(rule.status, ddss::results::RuleStatus::Error, "{}", rule.id);
        let error = rule.error.as_deref().unwrap();
        assert!(
            error.contains(&rule.id) && error.contains("Spark"),
            "{error}"
        );
    }
}
