//! A whole run: inputs → datasets → results and report files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;

use super::dataset::{Violations, validate_table};
use super::{lookups, progress::Progress};
use crate::error::{ReadError, UsageError};
use crate::input::{ReadOptions, Table, read_table};
use crate::pack::{InputMatch, MatchIssue, PackSet, match_inputs};
use crate::report;
use crate::results::*;

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub as_of: NaiveDate,
    pub out_dir: PathBuf,
    pub progress: bool,
    /// `--fail-under`: every dataset's overall score must reach this.
    pub fail_under: Option<f64>,
    /// `--mask`: personal data masked in the violations exports too.
    pub mask: bool,
    /// `--targets`: the committee's score targets on top of the packs'.
    pub targets: crate::targets::Targets,
    /// Language of the scorecard.
    pub lang: report::Lang,
}

/// Validates `inputs` against `packs`, writes the violations files and
/// `results.json` under `options.out_dir`, and returns the results.
pub fn run(
    packs: &PackSet,
    inputs: &[PathBuf],
    options: &RunOptions,
) -> Result<RunResults, UsageError> {
    let (matches, issues) = match_inputs(inputs, &packs.packs)?;
    let out = &options.out_dir;
    std::fs::create_dir_all(out.join("violations")).map_err(|source| UsageError::Output {
        path: out.join("violations"),
        source,
    })?;

    let names = dataset_names(&matches);
    let progress = Progress::new(options.progress);
    let bars: Vec<_> = matches
        .iter()
        .zip(&names)
        .map(|(m, name)| progress.bar(name, std::fs::metadata(&m.path).map_or(0, |md| md.len())))
        .collect();

    let tables: Vec<Result<Table, ReadError>> = matches
        .par_iter()
        .zip(&bars)
        .map(|(m, bar)| {
            let d = &m.pack.dataset;
            let options = ReadOptions {
                delimiter: d.delimiter,
                encoding: d.encoding.clone(),
                missing_values: d.missing_values.clone(),
            };
            let table = read_table(&m.path, &options, &|bytes| bar.set_position(bytes));
            bar.set_message("đang kiểm tra");
            table
        })
        .collect();

    let pack_refs: Vec<_> = matches.iter().map(|m| m.pack.as_ref()).collect();
    let readable: Vec<(&crate::pack::RulePack, &Table)> = matches
        .iter()
        .zip(&tables)
        .filter_map(|(m, t)| t.as_ref().ok().map(|t| (m.pack.as_ref(), t)))
        .collect();
    let lookups = lookups::build(&pack_refs, &readable);

    let (datasets, violations): (Vec<DatasetResult>, Vec<Option<Violations>>) = matches
        .par_iter()
        .zip(tables.par_iter())
        .zip(names.par_iter())
        .zip(bars.par_iter())
        .map(|(((m, table), name), bar)| {
            let (result, violations) = match table {
                Ok(table) => {
                    let (result, violations) = evaluate(m, table, name, options, &lookups);
                    (result, Some(violations))
                }
                Err(e) => (unreadable(m, name, e), None),
            };
            bar.finish_with_message(match result.status {
                DatasetStatus::Pass => "đạt",
                DatasetStatus::Fail => "chưa đạt",
                DatasetStatus::Error => "lỗi",
            });
            (result, violations)
        })
        .unzip();

    let mut results = RunResults {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "ddss".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        as_of: options.as_of.format("%Y-%m-%d").to_string(),
        generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        rule_packs: RulePacksInfo {
            hash: packs.hash.clone(),
            files: packs.files.iter().map(|p| display(p)).collect(),
        },
        status: RunStatus::Pass,
        exit_code: 0,
        datasets,
        unmatched_inputs: issues
            .iter()
            .map(|i| UnmatchedInput {
                path: match i {
                    MatchIssue::NoPack { path } | MatchIssue::SeveralPacks { path, .. } => {
                        display(path)
                    }
                },
                problem: i.to_string(),
            })
            .collect(),
    };
    (results.status, results.exit_code) = crate::exit::run_status(&results);
    report::json::write_results(out, &results)?;
    crate::history::record(out, &results)?;

    let with_failures: Vec<_> = results
        .datasets
        .iter()
        .zip(violations.iter().map(Option::as_ref))
        .collect();
    report::xlsx::write_xlsx(
        &out.join("violations.xlsx"),
        &with_failures,
        &report::xlsx::XlsxOptions {
            mask: options.mask,
            lang: options.lang,
            ..Default::default()
        },
    )?;
    let (history, _) = crate::history::load_recent(out, report::scorecard::TREND_RUNS);
    report::scorecard::write(
        &out.join("scorecard.html"),
        &results,
        &history,
        options.lang,
    )?;
    Ok(results)
}

/// Masked example records kept per rule in `results.json`.
const EXAMPLES_PER_RULE: usize = 3;

fn evaluate<'a>(
    m: &'a InputMatch,
    table: &'a Table,
    name: &str,
    options: &RunOptions,
    lookups: &crate::checks::LookupSets,
) -> (DatasetResult, Violations<'a>) {
    let pack = &m.pack;
    let mut validated = validate_table(pack, table, options.as_of, lookups);
    let mut examples = validated.violations.examples(EXAMPLES_PER_RULE);
    for rule in &mut validated.rules {
        rule.examples = examples.remove(&rule.id).unwrap_or_default();
    }
    let mut errors: Vec<DatasetError> = table
        .problems
        .iter()
        .map(|p| DatasetError {
            kind: ErrorKind::Structure,
            line: Some(p.line),
            rule: None,
            message: p.message.clone(),
        })
        .collect();
    if table.problem_count > table.problems.len() as u64 {
        errors.push(DatasetError {
            kind: ErrorKind::Structure,
            line: None,
            rule: None,
            message: format!(
                "{} more structural problems not listed; fix the ones above and run again",
                table.problem_count - table.problems.len() as u64
            ),
        });
    }
    errors.extend(validated.errors);
    let relative = format!("violations/{name}.csv");
    let (violation_count, write_error) = match report::violations::write_csv(
        &options.out_dir.join(&relative),
        &validated.violations,
        options.mask,
    ) {
        Ok(n) => (n, None),
        Err(e) => (0, Some(e)),
    };
    if let Some(e) = &write_error {
        errors.push(DatasetError {
            kind: ErrorKind::Read,
            line: None,
            rule: None,
            message: e.to_string(),
        });
    }
    let targets: Vec<TargetResult> = options
        .targets
        .for_dataset(&pack.dataset.name, &pack.targets)
        .into_iter()
        .chain(options.fail_under.map(|f| ("overall".to_string(), f)))
        .map(|(score, target)| {
            let actual = validated.scores.by_name(&score);
            // A score that was not measured (no rules in it) cannot breach.
            let met = actual.is_none_or(|a| a + 1e-12 >= target);
            TargetResult {
                score,
                target,
                actual,
                met,
            }
        })
        .collect();
    let status = if table.problem_count > 0 || write_error.is_some() {
        DatasetStatus::Error
    } else if targets.iter().any(|t| !t.met)
        || validated
            .rules
            .iter()
            .any(|r| matches!(r.status, RuleStatus::Fail | RuleStatus::Error))
    {
        DatasetStatus::Fail
    } else {
        DatasetStatus::Pass
    };
    let result = DatasetResult {
        rows: table.frame.height() as u64,
        bytes: table.bytes,
        encoding: Some(table.encoding.clone()),
        delimiter: Some(char::from(table.delimiter).to_string()),
        status,
        scores: validated.scores,
        rules: validated.rules,
        errors,
        violation_count,
        violations_file: write_error.is_none().then_some(relative),
        targets,
        units: validated.units,
        provinces: validated.provinces,
        ..identity(m, name)
    };
    (result, validated.violations)
}

fn unreadable(m: &InputMatch, name: &str, error: &ReadError) -> DatasetResult {
    let line = match error {
        ReadError::Csv { line, .. } => Some(*line),
        _ => None,
    };
    DatasetResult {
        bytes: std::fs::metadata(&m.path).map_or(0, |md| md.len()),
        errors: vec![DatasetError {
            kind: ErrorKind::Read,
            line,
            rule: None,
            message: error.to_string(),
        }],
        ..identity(m, name)
    }
}

/// A dataset's result with only what names it filled in: nothing read yet.
fn identity(m: &InputMatch, name: &str) -> DatasetResult {
    let pack = &m.pack;
    DatasetResult {
        name: name.to_string(),
        pack_dataset: pack.dataset.name.clone(),
        sector: pack.dataset.sector.clone(),
        title: pack.dataset.title.clone(),
        pack: display(&pack.path),
        source: display(&m.path),
        rows: 0,
        bytes: 0,
        encoding: None,
        delimiter: None,
        status: DatasetStatus::Error,
        scores: Scores::default(),
        rules: vec![],
        errors: vec![],
        violation_count: 0,
        violations_file: None,
        targets: vec![],
        units: vec![],
        provinces: vec![],
    }
}

/// The pack's dataset name, or `name-stem` when one pack matches several
/// files (e.g. one export per year), so every dataset has its own report.
fn dataset_names(matches: &[InputMatch]) -> Vec<String> {
    let mut per_pack: HashMap<&str, usize> = HashMap::new();
    for m in matches {
        *per_pack.entry(m.pack.dataset.name.as_str()).or_default() += 1;
    }
    matches
        .iter()
        .map(|m| {
            let name = &m.pack.dataset.name;
            if per_pack[name.as_str()] > 1 {
                let stem = m
                    .path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let safe: String = stem
                    .chars()
                    .map(|c| {
                        if c.is_alphanumeric() || c == '_' || c == '-' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                format!("{name}-{safe}")
            } else {
                name.clone()
            }
        })
        .collect()
}

fn display(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}
