//! A whole `validate` run as the CLI does it: plan, execute with the
//! violations written as CSV files, then the reports — results.json, the
//! history record, the workbook and the scorecard, in that order (the
//! scorecard shows the trend including this run).

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::engine::{CountOnly, ExecuteOptions, RunOutput, RunPlan, execute, plan_run};
use crate::error::UsageError;
use crate::pack::PackSet;
use crate::report::outputs::{HistoryRecord, ResultsJson, Scorecard, Workbook};
use crate::report::violations::CsvSinks;
use crate::report::{Lang, Report};
use crate::results::{OutputFile, RunResults};
use rayon::prelude::*;

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
    /// Language of the scorecard and the workbook.
    pub lang: Lang,
    /// `--memory-limit`: bounds the pieces files are checked in and which
    /// files may be read whole.
    pub memory_limit: u64,
}

/// Validates `inputs` against `packs`, writes the violations files and the
/// reports under `options.out_dir`, and returns the run.
///
/// The output folder after a run holds that run's report set: temp files an
/// interrupted run left are removed first, violations files of datasets
/// this run did not produce are removed, and `results.json` is written last
/// — it is the commit record: until it is replaced, the previous run's
/// results stand. A report that cannot be written does not stop the others;
/// it is listed in `results.json` (`report_errors`) and the exit code is 2.
pub fn run_output(
    packs: &PackSet,
    inputs: &[PathBuf],
    options: &RunOptions,
) -> Result<RunOutput, UsageError> {
    let mut run = execute_into(packs, inputs, options)?;
    write_reports(&mut run, &options.out_dir, options.mask, options.lang)?;
    Ok(run)
}

/// [`run_output`] up to the reports: the run executed, its violations files
/// in `options.out_dir/violations` (and no others), the reports not written.
pub fn execute_into(
    packs: &PackSet,
    inputs: &[PathBuf],
    options: &RunOptions,
) -> Result<RunOutput, UsageError> {
    check_as_of(options.as_of)?;
    let mut plan = plan_run(packs, inputs, options.memory_limit)?;
    plan.copy_sources();
    let out_dir = options.out_dir.clone();
    for dir in [
        out_dir.clone(),
        out_dir.join("violations"),
        crate::history::dir(&out_dir),
    ] {
        crate::atomic::remove_stale_temp_files(&dir);
    }
    let sinks = CsvSinks::create(&out_dir, options.mask)?;
    let execute_options = options.execute_options();
    let run = execute(&plan, &execute_options, &sinks);
    remove_other_violations_files(&out_dir, &run);
    Ok(run)
}

/// Writes the reports of `run` — history record, then workbook, scorecard
/// and unit files side by side, then results.json, the commit record — into
/// `out_dir`, where the violations files already are. A report that cannot
/// be written does not stop the others; it is listed in `report_errors` and
/// the exit code is 2. Fails only when results.json itself cannot be
/// written. Per-unit scores go to their files (`units_file`); results.json
/// holds [`RunResults::as_written`], while `run.results` keeps the units for
/// the terminal summary.
pub fn write_reports(
    run: &mut RunOutput,
    out_dir: &std::path::Path,
    mask: bool,
    lang: Lang,
) -> Result<(), UsageError> {
    let _phase = crate::timings::phase("run: history, workbook, scorecard, results");
    let mut errors = Vec::new();
    // First and alone: the scorecard's trend reads the history, this run
    // included.
    let history = HistoryRecord {
        out_dir: out_dir.to_path_buf(),
    };
    let recorded = crate::timings::phase("reports: history record");
    let written = history.write(run);
    drop(recorded);
    if let Err(e) = written {
        errors.push(format!("{}: {e}", history.name()));
    }
    let workbook = Workbook {
        out_dir: out_dir.to_path_buf(),
        mask,
        lang,
    };
    let scorecard = Scorecard {
        out_dir: out_dir.to_path_buf(),
        lang,
    };
    // The three read the run and write their own files: both cores.
    let shared: &RunOutput = run;
    let ((from_workbook, from_scorecard), unit_files) = rayon::join(
        || {
            rayon::join(
                || {
                    workbook
                        .write(shared)
                        .map_err(|e| format!("{}: {e}", workbook.name()))
                },
                || {
                    scorecard
                        .write(shared)
                        .map_err(|e| format!("{}: {e}", scorecard.name()))
                },
            )
        },
        || write_unit_files(&shared.results, out_dir),
    );
    errors.extend(from_workbook.err());
    errors.extend(from_scorecard.err());
    errors.extend(record_unit_files(&mut run.results, out_dir, unit_files));
    run.results.report_errors.extend(errors);
    if !run.results.report_errors.is_empty() {
        run.results.exit_code = crate::exit::USAGE;
    }
    run.results.outputs = written_files(out_dir, &run.results);
    let committed = ResultsJson {
        out_dir: out_dir.to_path_buf(),
    }
    .write(run);
    if let Some(first) = run.results.report_errors.first() {
        eprintln!("ddss: {first}");
    }
    committed
}

/// The files this run wrote in `out_dir`, with their sizes and SHA-256,
/// for results.json (the commit record). The history record is not listed:
/// history is every run's, not this run's report set.
fn written_files(out_dir: &std::path::Path, results: &RunResults) -> Vec<OutputFile> {
    let _phase = crate::timings::phase("run: hashes of the outputs");
    let mut relative: Vec<String> = results
        .datasets
        .iter()
        .filter_map(|d| d.violations_file.clone())
        .chain(results.datasets.iter().filter_map(|d| d.units_file.clone()))
        .collect();
    relative.extend(["violations.xlsx".to_string(), "scorecard.html".to_string()]);
    relative
        .into_par_iter()
        .filter_map(|path| {
            let (bytes, sha256) = crate::atomic::file_sha256(&out_dir.join(&path)).ok()?;
            Some(OutputFile {
                path,
                bytes,
                sha256,
            })
        })
        .collect()
}

/// Violations files in `<out>/violations/` that this run did not write
/// (datasets of earlier runs): removed, so the folder is this run's.
fn remove_other_violations_files(out_dir: &std::path::Path, run: &RunOutput) {
    remove_unlisted(
        &out_dir.join("violations"),
        "csv",
        run.results
            .datasets
            .iter()
            .filter_map(|d| d.violations_file.as_ref())
            .map(|f| out_dir.join(f))
            .collect(),
    );
}

/// Each dataset's per-unit scores written to `units/<dataset>.jsonl.gz`:
/// per dataset, the file written (relative to `out_dir`) or why not; `None`
/// for a dataset without units.
fn write_unit_files(
    results: &RunResults,
    out_dir: &std::path::Path,
) -> Vec<Option<Result<String, String>>> {
    use crate::report::units_file;
    let _phase = crate::timings::phase("reports: unit files");
    let dir = out_dir.join(units_file::DIR);
    crate::atomic::remove_stale_temp_files(&dir);
    results
        .datasets
        .par_iter()
        .map(|d| {
            if d.units.is_empty() {
                return None;
            }
            let relative = units_file::relative_path(&d.name);
            Some(
                std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("{}: {e}", dir.display()))
                    .and_then(|()| {
                        units_file::write(out_dir, &relative, &d.units)
                            .map_err(|e| format!("{relative}: {e}"))
                    })
                    .map(|()| relative),
            )
        })
        .collect()
}

/// Records the unit files written in the results (`units_file`,
/// `unit_count`) and removes those of datasets this run did not produce.
/// Returns what could not be written.
fn record_unit_files(
    results: &mut RunResults,
    out_dir: &std::path::Path,
    written: Vec<Option<Result<String, String>>>,
) -> Vec<String> {
    let mut errors = Vec::new();
    for (d, file) in results.datasets.iter_mut().zip(written) {
        match file {
            Some(Ok(relative)) => {
                d.units_file = Some(relative);
                d.unit_count = Some(d.units.len() as u64);
            }
            Some(Err(e)) => errors.push(e),
            None => {}
        }
    }
    remove_unlisted(
        &out_dir.join(crate::report::units_file::DIR),
        "gz",
        results
            .datasets
            .iter()
            .filter_map(|d| d.units_file.as_ref())
            .map(|f| out_dir.join(f))
            .collect(),
    );
    errors
}

/// Files with `extension` in `dir` other than `keep`: removed, so the folder
/// holds this run's.
fn remove_unlisted(
    dir: &std::path::Path,
    extension: &str,
    keep: std::collections::HashSet<std::path::PathBuf>,
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == extension) && !keep.contains(&path) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Validates what `plan` names and writes nothing: the results only, as
/// `results.json` would hold them (no violations files, no `outputs`). What
/// the Python package's `validate(out=None)` and `validate_frame` return.
pub fn results_only(plan: &RunPlan, options: &RunOptions) -> Result<RunResults, UsageError> {
    check_as_of(options.as_of)?;
    let execute_options = options.execute_options();
    Ok(execute(plan, &execute_options, &CountOnly).results)
}

/// `--as-of` must lie in the years records hold (see `contract::YEARS`).
pub fn check_as_of(as_of: NaiveDate) -> Result<(), UsageError> {
    use chrono::Datelike;
    if crate::contract::YEARS.contains(&as_of.year()) {
        Ok(())
    } else {
        Err(UsageError::AsOf {
            value: as_of.to_string(),
        })
    }
}

impl RunOptions {
    pub fn execute_options(&self) -> ExecuteOptions {
        ExecuteOptions {
            as_of: self.as_of,
            progress: self.progress,
            fail_under: self.fail_under,
            targets: self.targets.clone(),
        }
    }
}

/// [`run_output`], returning the results only.
pub fn run(
    packs: &PackSet,
    inputs: &[PathBuf],
    options: &RunOptions,
) -> Result<RunResults, UsageError> {
    run_output(packs, inputs, options).map(|run| run.results)
}
