//! Reports: what a finished run becomes for people and programs. Every
//! output is a [`Report`] — a sink the results are handed to, as ripgrep's
//! searcher hands matches to a printer — so a caller picks the set it wants
//! (the CLI, in `crate::job`: history, workbook, scorecard, then results.json
//! as the commit record; then the terminal).
//! Failing rows reach their CSV files earlier, while the engine checks
//! batches, through [`violations::CsvSinks`].
//!
//! Every file is written to a temporary name in the target folder and
//! renamed into place (`crate::atomic`), so an interrupted run never leaves
//! a half-written report where a nightly job would read it.

pub mod cell;
pub mod json;
pub mod markdown;
pub mod outputs;
pub mod scorecard;
pub mod summary;
pub mod trend;
pub mod units_file;
pub mod violations;
pub mod xlsx;

use crate::engine::RunOutput;
use crate::error::UsageError;

/// Language of the reports meant for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    /// Tiếng Việt.
    #[default]
    Vi,
    /// English.
    En,
}

/// One output of a run.
pub trait Report {
    /// What it is, for messages (`results.json`, `scorecard.html`, …).
    fn name(&self) -> String;

    /// Writes it from the run's results.
    fn write(&self, run: &RunOutput) -> Result<(), UsageError>;
}
