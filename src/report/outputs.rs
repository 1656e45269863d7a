//! The [`Report`]s of a `validate` run: one small type per output, each
//! calling its writer module.

use std::path::{Path, PathBuf};

use super::violations::DatasetViolations;
use super::{Lang, Report};
use crate::engine::RunOutput;
use crate::error::UsageError;

/// `<out>/results.json`.
pub struct ResultsJson {
    pub out_dir: PathBuf,
}

impl Report for ResultsJson {
    fn name(&self) -> String {
        "results.json".into()
    }

    fn write(&self, run: &RunOutput) -> Result<(), UsageError> {
        super::json::write_results(&self.out_dir, &run.results)
    }
}

/// The run recorded under `<out>/history/`.
pub struct HistoryRecord {
    pub out_dir: PathBuf,
}

impl Report for HistoryRecord {
    fn name(&self) -> String {
        "history".into()
    }

    fn write(&self, run: &RunOutput) -> Result<(), UsageError> {
        crate::history::record(&self.out_dir, &run.results).map(drop)
    }
}

/// `<out>/violations.xlsx`: every dataset's failures, replayed from the
/// violations files the run wrote.
pub struct Workbook {
    pub out_dir: PathBuf,
    pub mask: bool,
    pub lang: Lang,
}

impl Report for Workbook {
    fn name(&self) -> String {
        "violations.xlsx".into()
    }

    fn write(&self, run: &RunOutput) -> Result<(), UsageError> {
        let violations: Vec<Option<DatasetViolations>> = run
            .results
            .datasets
            .iter()
            .zip(&run.packs)
            .map(|(d, pack)| {
                d.violations_file
                    .as_ref()
                    .map(|relative| DatasetViolations::Written {
                        pack,
                        csv: self.out_dir.join(relative),
                    })
            })
            .collect();
        let with_failures: Vec<_> = run
            .results
            .datasets
            .iter()
            .zip(violations.iter().map(Option::as_ref))
            .collect();
        super::xlsx::write_xlsx(
            &self.out_dir.join("violations.xlsx"),
            &with_failures,
            &super::xlsx::XlsxOptions {
                mask: self.mask,
                lang: self.lang,
                run_id: run.results.run_id.clone(),
                out_dir: Some(self.out_dir.clone()),
                ..Default::default()
            },
        )
    }
}

/// `<out>/scorecard.html`, with the trend of the recorded runs.
pub struct Scorecard {
    pub out_dir: PathBuf,
    pub lang: Lang,
}

impl Report for Scorecard {
    fn name(&self) -> String {
        "scorecard.html".into()
    }

    fn write(&self, run: &RunOutput) -> Result<(), UsageError> {
        let _phase = crate::timings::phase("reports: scorecard");
        let (history, _) = crate::history::load_recent(&self.out_dir, super::scorecard::TREND_RUNS);
        super::scorecard::write(
            &self.out_dir.join("scorecard.html"),
            &run.results,
            &history,
            self.lang,
        )
    }
}

/// What is printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printed {
    /// The summary table for people; names the output folder.
    Table,
    /// results.json.
    Json,
    /// Compact Markdown, for a CI log or a chat message.
    Markdown,
}

/// The terminal output of a run.
pub struct Terminal<'a> {
    pub format: Printed,
    pub out_dir: &'a Path,
}

impl Terminal<'_> {
    pub fn render(&self, run: &RunOutput) -> String {
        match self.format {
            Printed::Table => super::summary::render(&run.results, &self.out_dir.to_string_lossy()),
            Printed::Json => format!("{}\n", super::json::to_string(&run.results)),
            Printed::Markdown => super::markdown::render(&run.results),
        }
    }
}

impl Report for Terminal<'_> {
    fn name(&self) -> String {
        "stdout".into()
    }

    fn write(&self, run: &RunOutput) -> Result<(), UsageError> {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        // A closed pipe (`| head`) is not the run's failure.
        let _ = out.write_all(self.render(run).as_bytes());
        let _ = out.flush();
        Ok(())
    }
}
