//! A whole `validate` run as the CLI does it: plan, execute with the
//! violations written as CSV files, then the reports — results.json, the
//! history record, the workbook and the scorecard, in that order (the
//! scorecard shows the trend including this run).

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::engine::{ExecuteOptions, RunOutput, execute, plan_run};
use crate::error::UsageError;
use crate::pack::PackSet;
use crate::report::outputs::{HistoryRecord, ResultsJson, Scorecard, Workbook};
use crate::report::violations::CsvSinks;
use crate::report::{self, Lang, Report};
use crate::results::RunResults;

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
pub fn run_output(
    packs: &PackSet,
    inputs: &[PathBuf],
    options: &RunOptions,
) -> Result<RunOutput, UsageError> {
    let plan = plan_run(packs, inputs, options.memory_limit)?;
    let sinks = CsvSinks::create(&options.out_dir, options.mask)?;
    let execute_options = ExecuteOptions {
        as_of: options.as_of,
        progress: options.progress,
        fail_under: options.fail_under,
        targets: options.targets.clone(),
    };
    let run = execute(&plan, &execute_options, &sinks);
    let out_dir = options.out_dir.clone();
    let reports: [&dyn Report; 4] = [
        &ResultsJson {
            out_dir: out_dir.clone(),
        },
        &HistoryRecord {
            out_dir: out_dir.clone(),
        },
        &Workbook {
            out_dir: out_dir.clone(),
            mask: options.mask,
            lang: options.lang,
        },
        &Scorecard {
            out_dir,
            lang: options.lang,
        },
    ];
    let _phase = crate::timings::phase("run: results, history, workbook, scorecard");
    report::write_all(&reports, &run)?;
    Ok(run)
}

/// [`run_output`], returning the results only.
pub fn run(
    packs: &PackSet,
    inputs: &[PathBuf],
    options: &RunOptions,
) -> Result<RunResults, UsageError> {
    run_output(packs, inputs, options).map(|run| run.results)
}
