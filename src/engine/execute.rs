//! Executing a planned run: files read (whole, in parallel) or checked piece
//! by piece, look-ups between datasets built, every dataset checked as
//! batches, and the results returned. Nothing here writes a report: failing
//! rows leave through the [`RowSinks`] the caller gives, and the caller
//! turns the returned [`RunOutput`] into reports.

use std::sync::Arc;

use chrono::NaiveDate;
use rayon::prelude::*;

use super::batches::{DatasetBatches, DatasetChecked};
use super::lookups;
use super::progress::Progress;
use super::query::check_table;
use super::run_plan::{PlannedDataset, RunPlan, display, record_bytes};
use super::sink::RowSinks;
use super::stream::{StreamOptions, validate_streamed};
use crate::contract::LookupSets;
use crate::error::ReadError;
use crate::input::{ChunkedReader, ProblemKind, ReadOptions, Table, read_table};
use crate::model::RowDefect;
use crate::pack::{MatchIssue, RulePack};
use crate::results::*;

/// What a run is asked to do beyond its plan.
#[derive(Debug, Clone)]
pub struct ExecuteOptions {
    pub as_of: NaiveDate,
    pub progress: bool,
    /// `--fail-under`: every dataset's overall score must reach this.
    pub fail_under: Option<f64>,
    /// `--targets`: the committee's score targets on top of the packs'.
    pub targets: crate::targets::Targets,
}

/// A finished run: its results and, per dataset (in the order of
/// `results.datasets`), the pack that validated it.
pub struct RunOutput {
    pub results: RunResults,
    pub packs: Vec<Arc<RulePack>>,
}

/// Masked example records kept per rule in `results.json`.
pub const EXAMPLES_PER_RULE: usize = 3;

/// How a dataset's CSV export is read: the pack's delimiter, encoding and
/// missing values.
pub fn read_options(pack: &RulePack) -> ReadOptions {
    let d = &pack.dataset;
    ReadOptions {
        delimiter: d.delimiter,
        encoding: d.encoding.clone(),
        missing_values: d.missing_values.clone(),
    }
}

/// How a dataset's workbook is read: the pack's sheet, header row, column
/// types and missing values.
pub fn workbook_options(pack: &RulePack) -> crate::input::WorkbookOptions<'_> {
    let d = &pack.dataset;
    crate::input::WorkbookOptions {
        sheet: d.sheet.as_deref(),
        header_row: d.header_row,
        columns: &pack.columns,
        missing_values: &d.missing_values,
        pack_file: &pack.path,
    }
}

/// A workbook or a Parquet file, read by its own reader; `None` for CSV.
fn read_other_format(path: &std::path::Path, pack: &RulePack) -> Option<Result<Table, ReadError>> {
    if crate::input::is_workbook(path) {
        return Some(crate::input::read_workbook(path, &workbook_options(pack)));
    }
    if crate::input::is_parquet(path) {
        let d = &pack.dataset;
        return Some(crate::input::read_parquet(
            path,
            &pack.columns,
            &d.missing_values,
        ));
    }
    None
}

/// Runs `plan`: every dataset is checked and scored; its failing rows go to
/// `sinks`. Returns the results (with the run's status and exit code).
pub fn execute(plan: &RunPlan, options: &ExecuteOptions, sinks: &dyn RowSinks) -> RunOutput {
    let progress = Progress::new(options.progress);
    let bars: Vec<_> = plan
        .datasets
        .iter()
        .map(|d| progress.bar(&d.name, d.bytes))
        .collect();

    let started = std::time::Instant::now();
    let tables: Vec<Option<Result<Table, ReadError>>> = plan
        .datasets
        .par_iter()
        .zip(&bars)
        .map(|(d, bar)| {
            if d.lookups_only || d.read_failure.is_some() {
                return None;
            }
            if d.streamed {
                bar.set_message("đọc từng phần");
                return None;
            }
            if let Some(table) = &d.in_memory {
                return Some(Ok(table.as_ref().clone()));
            }
            let table = isolated(|| {
                if let Some(table) = read_other_format(&d.path, &d.pack) {
                    return table;
                }
                read_table(&d.path, &read_options(&d.pack), &|bytes| {
                    bar.set_position(bytes)
                })
            })
            .unwrap_or_else(|message| {
                Err(ReadError::Frame {
                    path: d.path.clone(),
                    message: format!("internal error while reading: {message}"),
                })
            });
            bar.set_message("đang kiểm tra");
            Some(table)
        })
        .collect();

    // What other datasets look up in a streamed one, or in a file standing
    // for the checked one: only those columns.
    let projected: Vec<Option<Table>> = plan
        .datasets
        .iter()
        .map(|d| {
            let elsewhere = d.lookups_only || d.lookups_from.is_some();
            if d.looked_up.is_empty() || !(d.streamed || elsewhere) {
                return None;
            }
            read_projected(d).ok()
        })
        .collect();
    let pack_refs: Vec<&RulePack> = plan.datasets.iter().map(|d| d.pack.as_ref()).collect();
    let readable: Vec<(&RulePack, &Table)> = plan
        .datasets
        .iter()
        .zip(tables.iter().zip(&projected))
        .filter_map(|(d, (t, p))| {
            let table = match (t, p) {
                (_, Some(p)) if d.lookups_only || d.lookups_from.is_some() => p,
                (Some(Ok(t)), _) => t,
                (None, Some(p)) => p,
                _ => return None,
            };
            Some((d.pack.as_ref(), table))
        })
        .collect();
    let lookups = lookups::build(&pack_refs, &readable);
    crate::timings::report("run: read whole files and look-ups", started.elapsed());

    let whole: Vec<Option<DatasetResult>> = plan
        .datasets
        .par_iter()
        .zip(tables.par_iter())
        .zip(bars.par_iter())
        .map(|((d, table), bar)| {
            let result = match table.as_ref()? {
                Ok(table) => {
                    match isolated(|| check_whole(d, table, options.as_of, &lookups, sinks)) {
                        Ok(checked) => {
                            let read = ReadFacts {
                                bytes: table.bytes,
                                encoding: table.encoding.clone(),
                                delimiter: table.delimiter,
                                streamed: false,
                            };
                            dataset_result(d, options, sinks.location(&d.name), checked, read)
                        }
                        Err(message) => internal_error(d, &message),
                    }
                }
                Err(e) => unreadable(d, e),
            };
            finish_bar(bar, &result);
            Some(result)
        })
        .collect();

    // Streamed datasets one after the other: each uses every core already.
    let mut datasets = Vec::with_capacity(plan.datasets.len());
    for ((d, bar), done) in plan.datasets.iter().zip(&bars).zip(whole) {
        if d.lookups_only {
            bar.finish_and_clear();
            continue;
        }
        if let Some(result) = done {
            datasets.push(result);
            continue;
        }
        if let Some(failure) = &d.read_failure {
            let result = unreadable(d, failure);
            finish_bar(bar, &result);
            datasets.push(result);
            continue;
        }
        let progress = |done: u64, total: u64| {
            bar.set_length(total);
            bar.set_position(done);
        };
        let open_sink = || sinks.open(&d.name, &d.pack);
        let stream = StreamOptions {
            as_of: options.as_of,
            chunk_bytes: d.piece_bytes,
            record_bytes: Some(record_bytes(plan.memory_limit, d.piece_bytes)),
            hash_bits: 64,
            examples_per_rule: EXAMPLES_PER_RULE,
            sink: &open_sink,
            progress: &progress,
        };
        let streamed = isolated(|| {
            validate_streamed(&d.pack, &d.path, &read_options(&d.pack), &lookups, &stream)
        });
        let result = match streamed {
            Ok(Ok(s)) => {
                let read = ReadFacts {
                    bytes: s.bytes,
                    encoding: s.encoding,
                    delimiter: s.delimiter,
                    streamed: true,
                };
                dataset_result(d, options, sinks.location(&d.name), s.checked, read)
            }
            Ok(Err(e)) => unreadable(d, &e),
            Err(message) => internal_error(d, &message),
        };
        finish_bar(bar, &result);
        datasets.push(result);
    }

    let results = run_results(
        options,
        &plan.rules_hash,
        &plan.rule_files,
        datasets,
        unmatched_inputs(plan),
    );
    RunOutput {
        results,
        packs: plan
            .datasets
            .iter()
            .filter(|d| !d.lookups_only)
            .map(|d| d.pack.clone())
            .collect(),
    }
}

/// A run's results from its datasets' results: identity, the packs used,
/// the run's status and exit code.
pub fn run_results(
    options: &ExecuteOptions,
    rules_hash: &str,
    rule_files: &[std::path::PathBuf],
    datasets: Vec<DatasetResult>,
    unmatched_inputs: Vec<UnmatchedInput>,
) -> RunResults {
    let now = chrono::Utc::now();
    let mut results = RunResults {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "ddss".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        as_of: options.as_of.format("%Y-%m-%d").to_string(),
        generated_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        run_id: new_run_id(now),
        rule_packs: RulePacksInfo {
            hash: rules_hash.to_string(),
            files: rule_files.iter().map(|p| display(p)).collect(),
        },
        status: RunStatus::Pass,
        exit_code: 0,
        datasets,
        unmatched_inputs,
        report_errors: vec![],
        outputs: vec![],
    };
    (results.status, results.exit_code) = crate::exit::run_status(&results);
    results
}

fn unmatched_inputs(plan: &RunPlan) -> Vec<UnmatchedInput> {
    plan.unmatched
        .iter()
        .map(|i| UnmatchedInput {
            path: match i {
                MatchIssue::NoPack { path } | MatchIssue::SeveralPacks { path, .. } => {
                    display(path)
                }
            },
            problem: i.to_string(),
        })
        .collect()
}

/// Runs `f`; a panic inside it (in ddss or a library it calls) becomes an
/// error message, so one dataset's failure never takes the run down: every
/// other dataset is still checked and every report written.
fn isolated<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into())
    })
}

fn internal_error(d: &PlannedDataset, message: &str) -> DatasetResult {
    DatasetResult {
        bytes: d.bytes,
        errors: vec![DatasetError {
            kind: ErrorKind::Internal,
            line: None,
            rule: None,
            message: format!(
                "{}: checking stopped on an internal error ({message}); the other datasets were \
                 validated. Please report it with the rule pack {}",
                super::run_plan::display(&d.path),
                super::run_plan::display(&d.pack.path)
            ),
        }],
        ..identity(d)
    }
}

/// A file read whole is one batch.
fn check_whole(
    d: &PlannedDataset,
    table: &Table,
    as_of: NaiveDate,
    lookups: &LookupSets,
    sinks: &dyn RowSinks,
) -> DatasetChecked {
    let pack = d.pack.as_ref();
    let mut batches = DatasetBatches::new(pack, sinks.open(&d.name, pack), EXAMPLES_PER_RULE);
    let checked = check_table(pack, &table.frame, &table.header, as_of, lookups, vec![]);
    batches.add(table, checked);
    batches.finish(&table.header, as_of, lookups)
}

fn finish_bar(bar: &indicatif::ProgressBar, result: &DatasetResult) {
    bar.finish_with_message(match result.status {
        DatasetStatus::Pass => "đạt",
        DatasetStatus::Fail => "chưa đạt",
        DatasetStatus::Error => "lỗi",
    });
}

/// The columns of a streamed dataset that other datasets look up, read
/// piece by piece into a table of those columns only.
fn read_projected(d: &PlannedDataset) -> Result<Table, ReadError> {
    let path = d.lookups_from.as_ref().unwrap_or(&d.path);
    if let Some(table) = read_other_format(path, &d.pack) {
        return table;
    }
    let mut reader = ChunkedReader::open(path, &read_options(&d.pack), d.piece_bytes)?;
    let present: Vec<String> = d
        .looked_up
        .iter()
        .filter(|c| reader.header().contains(c))
        .cloned()
        .collect();
    reader.keep_only(&present);
    let mut frame: Option<polars::prelude::DataFrame> = None;
    let mut lines = Vec::new();
    let frame_error = |e: polars::prelude::PolarsError| ReadError::Frame {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    while let Some(piece) = reader.next_chunk()? {
        let part = piece
            .frame
            .select(present.iter().map(String::as_str))
            .map_err(frame_error)?;
        lines.extend(piece.lines);
        match frame.as_mut() {
            None => frame = Some(part),
            Some(all) => {
                all.vstack_mut_owned(part).map_err(frame_error)?;
            }
        }
    }
    Ok(Table {
        frame: frame.unwrap_or_default(),
        header: present,
        lines,
        problems: vec![],
        problem_count: 0,
        delimiter: reader.delimiter(),
        encoding: reader.encoding().to_string(),
        bytes: reader.file_bytes(),
    })
}

/// What reading the input showed.
pub struct ReadFacts {
    pub bytes: u64,
    pub encoding: String,
    pub delimiter: u8,
    pub streamed: bool,
}

/// The rules a dataset's results list: every rule the pack declares, and
/// the implicit structural rules (`PH…`) only where they found something.
/// Every pack has them and a clean file passes them all (leaving its scores
/// as they are), so listing them would add six lines of 100 % to every report.
fn listed_rules(pack: &RulePack, rules: Vec<RuleResult>) -> Vec<RuleResult> {
    debug_assert_eq!(rules.len(), pack.rules.len());
    rules
        .into_iter()
        .zip(&pack.rules)
        .filter(|(result, rule)| {
            !rule.is_implicit() || result.failed > 0 || result.status == RuleStatus::Error
        })
        .map(|(result, _)| result)
        .collect()
}

/// A dataset's result from its concluded checks; `location` is where its
/// violations file is (relative to the output folder), if it has one.
pub fn dataset_result(
    d: &PlannedDataset,
    options: &ExecuteOptions,
    location: Option<String>,
    checked: DatasetChecked,
    read: ReadFacts,
) -> DatasetResult {
    let pack = &d.pack;
    let mut errors: Vec<DatasetError> = checked
        .problems
        .iter()
        .map(|p| DatasetError {
            kind: ErrorKind::Structure,
            line: Some(p.line),
            rule: p.defect().map(|d| d.code().to_string()),
            message: p.message.clone(),
        })
        .collect();
    if checked.problem_count > checked.problems.len() as u64 {
        errors.push(DatasetError {
            kind: ErrorKind::Structure,
            line: None,
            rule: None,
            message: format!(
                "{} more structural problems not listed; fix the ones above and run again",
                checked.problem_count - checked.problems.len() as u64
            ),
        });
    }
    errors.extend(checked.errors);
    let (violation_count, write_error) = match checked.violations {
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
            let actual = checked.scores.by_name(&score);
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
    let mut indicators = checked.indicators;
    options.targets.apply_to_indicators(&mut indicators);
    // Read in part: a header renamed, or rows that lost values (counted by
    // their structural rules, so problems beyond those kept count too).
    let partial_read = checked
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::Header)
        || checked.rules.iter().any(|r| {
            r.failed > 0 && RowDefect::from_code(&r.code).is_some_and(RowDefect::loses_data)
        });
    let status = if partial_read || write_error.is_some() {
        DatasetStatus::Error
    } else if targets.iter().any(|t| !t.met)
        || indicators.iter().any(|i| i.met == Some(false))
        || checked
            .rules
            .iter()
            .any(|r| matches!(r.status, RuleStatus::Fail | RuleStatus::Error))
    {
        DatasetStatus::Fail
    } else {
        DatasetStatus::Pass
    };
    DatasetResult {
        rows: checked.rows,
        bytes: read.bytes,
        encoding: Some(read.encoding),
        delimiter: Some(char::from(read.delimiter).to_string()),
        status,
        scores: checked.scores,
        rules: listed_rules(pack, checked.rules),
        errors,
        violation_count,
        violations_file: if write_error.is_none() {
            location
        } else {
            None
        },
        targets,
        indicators,
        units: checked.units,
        provinces: checked.provinces,
        streamed: read.streamed,
        ..identity(d)
    }
}

fn unreadable(d: &PlannedDataset, error: &ReadError) -> DatasetResult {
    let line = match error {
        ReadError::Csv { line, .. } => Some(*line),
        _ => None,
    };
    DatasetResult {
        bytes: d.bytes,
        errors: vec![DatasetError {
            kind: ErrorKind::Read,
            line,
            rule: None,
            message: error.to_string(),
        }],
        ..identity(d)
    }
}

/// A dataset's result with only what names it filled in: nothing read yet.
fn identity(d: &PlannedDataset) -> DatasetResult {
    let pack = &d.pack;
    DatasetResult {
        name: d.name.clone(),
        pack_dataset: pack.dataset.name.clone(),
        sector: pack.dataset.sector.clone(),
        title: pack.dataset.title.clone(),
        pack: display(&pack.path),
        source: d.source_display(),
        source_kind: d.source_kind().to_string(),
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
        indicators: vec![],
        league_min_rows: pack.league.min_rows,
        fix: None,
        units: vec![],
        units_file: None,
        unit_count: None,
        provinces: vec![],
        streamed: false,
        row_numbers: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_message() {
        assert_eq!(isolated(|| 7), Ok(7));
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let caught = isolated(|| -> u8 { panic!("Expected valid datetime") });
        let formatted = isolated(|| -> u8 { panic!("row {}", 3) });
        std::panic::set_hook(quiet);
        assert_eq!(caught, Err("Expected valid datetime".to_string()));
        assert_eq!(formatted, Err("row 3".to_string()));
    }
}
