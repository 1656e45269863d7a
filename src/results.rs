//! The results of a run: exactly what `results.json` contains. The schema is
//! documented in `docs/results-schema.md`; `SCHEMA_VERSION` changes whenever
//! a field changes meaning or disappears (adding a field does not).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Dimension, Severity};

pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunResults {
    pub schema_version: u32,
    pub tool: Tool,
    /// The date "today" meant for this run (`--as-of`), ISO 8601.
    pub as_of: String,
    /// When the run finished (UTC, RFC 3339).
    pub generated_at: String,
    /// This run's id, also carried by the scorecard and the workbook it
    /// wrote: a report whose id differs is another run's.
    #[serde(default)]
    pub run_id: String,
    pub rule_packs: RulePacksInfo,
    pub status: RunStatus,
    pub exit_code: i32,
    pub datasets: Vec<DatasetResult>,
    /// Input files no pack (or more than one pack) claims.
    pub unmatched_inputs: Vec<UnmatchedInput>,
    /// Reports that could not be written (the run's exit code is then 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub report_errors: Vec<String>,
    /// Every file this run wrote in `--out` (results.json aside), with its
    /// size and SHA-256: results.json is written last, so a file that is not
    /// listed here with these bytes is not this run's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<OutputFile>,
}

/// One file a run wrote.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative to `--out`, with `/`.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// A new run id: the UTC time to the second and 32 random bits, e.g.
/// `20261204T180512Z-9f3a61c2` (sortable, unique across retries).
pub fn new_run_id(now: chrono::DateTime<chrono::Utc>) -> String {
    use std::hash::{BuildHasher, Hasher};
    // RandomState is seeded from the OS per process: no `rand` for 32 bits.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(now.timestamp_nanos_opt().unwrap_or_default() as u128);
    hasher.write_u32(std::process::id());
    format!(
        "{}-{:08x}",
        now.format("%Y%m%dT%H%M%SZ"),
        hasher.finish() as u32
    )
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RulePacksInfo {
    pub hash: String,
    pub files: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Every dataset read and every threshold met.
    Pass,
    /// A threshold was breached (exit code 1).
    Fail,
    /// A dataset could not be (fully) read (exit code 3).
    Error,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnmatchedInput {
    pub path: String,
    pub problem: String,
}

impl RunResults {
    /// The datasets a `ddss fix` run reports on, with what fixing did.
    pub fn fixed_datasets(&self) -> impl Iterator<Item = (&DatasetResult, &FixSummary)> {
        self.datasets
            .iter()
            .filter_map(|d| d.fix.as_ref().map(|f| (d, f)))
    }
}

impl RunResults {
    /// The results as results.json holds them: a dataset whose units were
    /// written to their file (`units_file`) lists none inline.
    pub fn as_written(&self) -> std::borrow::Cow<'_, RunResults> {
        if self
            .datasets
            .iter()
            .all(|d| d.units_file.is_none() || d.units.is_empty())
        {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut written = self.clone();
        for d in &mut written.datasets {
            if d.units_file.is_some() {
                d.units.clear();
            }
        }
        std::borrow::Cow::Owned(written)
    }
}

fn default_source_kind() -> String {
    "csv".to_string()
}

fn default_league_min_rows() -> u64 {
    crate::ranking::DEFAULT_MIN_ROWS
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatasetResult {
    /// The pack's dataset name (with the file stem when one pack matches
    /// several files).
    pub name: String,
    pub pack_dataset: String,
    pub sector: String,
    pub title: Option<String>,
    /// The pack file.
    pub pack: String,
    /// The input: a file, or a database address (never with a password).
    pub source: String,
    /// How it was read: `csv`, `excel`, `parquet`, `postgres` or `frame`.
    #[serde(default = "default_source_kind")]
    pub source_kind: String,
    pub rows: u64,
    pub bytes: u64,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub status: DatasetStatus,
    pub scores: Scores,
    pub rules: Vec<RuleResult>,
    pub errors: Vec<DatasetError>,
    /// Count of (row, rule) failures, i.e. lines of the violations file.
    pub violation_count: u64,
    /// The violations file, relative to the output folder.
    pub violations_file: Option<String>,
    /// Score targets (pack `[targets]`, `--fail-under`) and whether they were met.
    #[serde(default)]
    pub targets: Vec<TargetResult>,
    /// The pack's indicators (`[[indicators]]`): named ratios with their
    /// direction, target and source; absent when the pack declares none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<crate::indicators::IndicatorResult>,
    /// Scores per commune of the pack's `unit_column`, worst first.
    /// Units with fewer rows than this are plotted but not ranked in the
    /// league tables (the pack's `[scoring] league_min_rows`).
    #[serde(default = "default_league_min_rows")]
    pub league_min_rows: u64,
    /// What `ddss fix` did to the dataset (only in a fix run's results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<FixSummary>,
    /// Scores per unit, worst first — in memory, and in results.json of
    /// schema 1. From schema 2 a written run keeps them in `units_file`
    /// (this list is then empty).
    #[serde(default)]
    pub units: Vec<UnitResult>,
    /// The file holding the per-unit scores, relative to the output folder
    /// (`units/<dataset>.jsonl.gz`, one unit per line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units_file: Option<String>,
    /// How many units `units_file` holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_count: Option<u64>,
    /// The same rolled up per province (counts summed, so weighted by rows), worst first.
    #[serde(default)]
    pub provinces: Vec<UnitResult>,
    /// Checked piece by piece (the file was larger than `--memory-limit`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub streamed: bool,
    /// What the `line` of violations and examples is, when it is not the
    /// input file's physical line: `"ordinal"` — the record's 1-based
    /// position among the data rows, plus one (a distributed runner has no
    /// physical lines; for a CSV with one line per record the two agree).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_numbers: Option<String>,
}

/// Scores of one administrative unit within a dataset.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitResult {
    /// Commune or province code as written in the data (`(trống)` if empty).
    pub code: String,
    /// Official name, from the post-reform list, else the pre-reform one.
    pub name: Option<String>,
    /// Province code of a commune.
    pub province: Option<String>,
    pub rows: u64,
    pub scores: Scores,
    /// The pack's indicators for this unit (absent without indicators).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<crate::indicators::UnitIndicator>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatasetStatus {
    Pass,
    Fail,
    /// The file could not be read, or only in part.
    Error,
}

/// All scores are in 0..=1; `null` where nothing was measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub dung: Option<f64>,
    pub du: Option<f64>,
    pub sach: Option<f64>,
    pub song: Option<f64>,
    pub overall: Option<f64>,
    /// = `du`.
    pub completeness: Option<f64>,
    /// = `sach`.
    pub consistency: Option<f64>,
    /// Share of rows that fail no `error`-severity rule.
    pub record_pass_rate: Option<f64>,
}

impl Scores {
    pub fn dimension(&self, d: Dimension) -> Option<f64> {
        match d {
            Dimension::Dung => self.dung,
            Dimension::Du => self.du,
            Dimension::Sach => self.sach,
            Dimension::Song => self.song,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleResult {
    pub id: String,
    pub check: String,
    pub code: String,
    pub dimension: Dimension,
    pub severity: Severity,
    pub columns: Vec<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_en: Option<String>,
    pub weight: f64,
    pub threshold: f64,
    pub evaluated: u64,
    pub failed: u64,
    /// `(evaluated − failed) / evaluated`; null when nothing was evaluated.
    pub pass_rate: Option<f64>,
    pub status: RuleStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Dataset-level findings (missing columns, row count).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub details: Vec<String>,
    /// The first few failing records, personal data masked (for scorecards).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub examples: Vec<Example>,
}

/// One failing record quoted as an example. Columns marked `pii` in the
/// pack are masked, whatever `--mask` says: `results.json` and the
/// scorecard travel further than the violations files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    pub key: String,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleStatus {
    /// Pass rate at or above the threshold (or nothing to evaluate).
    Pass,
    /// `error` severity, below threshold: breaches the run.
    Fail,
    /// `warn` severity, below threshold.
    Warn,
    /// Could not be evaluated on this file (e.g. its column is absent);
    /// scores count it as pass rate 0.
    Error,
    /// Not evaluated for a reason outside the data (a dataset it looks up
    /// is not in the run); left out of the scores.
    Skipped,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatasetError {
    pub kind: ErrorKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    /// The file could not be read at all.
    Read,
    /// A structural problem at one line (ragged row, invalid UTF-8, …).
    Structure,
    /// A rule could not be evaluated.
    Rule,
    /// Checking the dataset stopped on an internal error (a panic in ddss or
    /// a library it uses); the other datasets were still validated.
    Internal,
}

/// A minimum score a dataset must reach.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetResult {
    /// `overall`, `dung`, `du`, `sach`, `song` or `record_pass_rate`.
    pub score: String,
    pub target: f64,
    pub actual: Option<f64>,
    pub met: bool,
}

impl Scores {
    pub fn by_name(&self, name: &str) -> Option<f64> {
        match name {
            "overall" => self.overall,
            "dung" => self.dung,
            "du" => self.du,
            "sach" => self.sach,
            "song" => self.song,
            "record_pass_rate" => self.record_pass_rate,
            _ => None,
        }
    }
}

pub use crate::model::TARGET_NAMES;

/// What fixing did to one dataset, in its results.json entry (`fix`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixSummary {
    /// The export as given (never written to).
    pub original: String,
    /// The corrected copy, relative to the output folder; `null` when the
    /// dataset was not rewritten (see `not_fixed`).
    pub corrected: Option<String>,
    /// Cells changed (listed in `changes_file`).
    pub changes: u64,
    /// Cells a fix could not repair with certainty (listed in `review_file`).
    pub needs_review: u64,
    pub changes_file: Option<String>,
    pub review_file: Option<String>,
    /// Scores of the original export; the dataset's `scores` are the
    /// corrected copy's.
    pub scores_before: Scores,
    /// Each unit's overall score before, by code (after: `units`).
    #[serde(default)]
    pub units_before: BTreeMap<String, Option<f64>>,
    /// Why the dataset was not rewritten.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_fixed: Option<String>,
    /// With `--split`: the rows failing no `error` rule and the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantine_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_rows: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantined_rows: Option<u64>,
}
