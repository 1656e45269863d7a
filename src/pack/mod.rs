//! Rule packs: the declarative description of one dataset and the rules it
//! must meet. The file format is documented in `docs/rules.md`; this module
//! holds the validated, typed form the engine works with.

pub mod fix;
mod load;
mod matching;

use std::path::PathBuf;

use indexmap::IndexMap;
pub use load::{PackSet, load_pack, load_packs, parse_pack};
pub use matching::{InputMatch, MatchIssue, match_inputs, match_names};

pub use crate::model::{ColumnType, Dimension, Pii, Severity};
use crate::registry::Check;

/// A validated rule pack.
#[derive(Debug, Clone)]
pub struct RulePack {
    /// The pack file, for messages.
    pub path: PathBuf,
    pub dataset: DatasetSpec,
    /// Declared columns in header order, with their types.
    pub columns: IndexMap<String, ColumnType>,
    pub rules: Vec<Rule>,
    /// Named ratios reported beside the scores (`[[indicators]]`).
    pub indicators: Vec<crate::indicators::Indicator>,
    /// Weights of the dimensions in `overall` (default 1 each).
    pub dimension_weights: [f64; 4],
    /// How league tables rank units (`[scoring] league_min_rows`).
    pub league: crate::ranking::LeagueRule,
    /// Minimum scores (`[targets]`): a dataset below one fails the run.
    pub targets: Vec<(String, f64)>,
    /// Columns holding personal data (Nghị định 13/2023/NĐ-CP), masked where
    /// the reader does not need them.
    pub pii: std::collections::BTreeMap<String, Pii>,
}

impl RulePack {
    pub fn column_type(&self, column: &str) -> ColumnType {
        ColumnType::declared(&self.columns, column)
    }
}

#[derive(Debug, Clone)]
pub struct DatasetSpec {
    pub name: String,
    pub sector: String,
    pub title: Option<String>,
    /// File-name glob patterns (matched against the file name, not the path).
    pub files: Vec<String>,
    pub delimiter: Option<u8>,
    pub encoding: Option<String>,
    pub key: Vec<String>,
    pub unit_column: Option<String>,
    /// Cell values that mean "missing" besides empty/whitespace-only cells.
    pub missing_values: Vec<String>,
    /// The sheet of a workbook input (default: the first).
    pub sheet: Option<String>,
    /// The 1-based row of a workbook input holding the column names.
    pub header_row: u32,
}

/// One rule of a pack.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub check: Check,
    pub dimension: Dimension,
    pub severity: Severity,
    pub message: String,
    pub message_en: Option<String>,
    pub weight: f64,
    /// SQL boolean: the rule applies only to rows where it is true.
    pub when: Option<String>,
    /// Minimum pass rate (0..=1) for the rule to pass; default 1.
    pub threshold: f64,
    /// How `ddss fix` may repair a failing cell of the rule's column.
    pub fix: Option<fix::FixSpec>,
    /// Line of the rule in its pack file, for messages; 0 for the rules
    /// every pack has without declaring them (the structural `PH…` rules).
    pub line: usize,
}

impl Rule {
    /// Whether the pack has this rule without declaring it.
    pub fn is_implicit(&self) -> bool {
        self.line == 0
    }
}
