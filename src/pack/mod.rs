//! Rule packs: the declarative description of one dataset and the rules it
//! must meet. The file format is documented in `docs/rules.md`; this module
//! holds the validated, typed form the engine works with.

mod column_type;
mod load;
mod matching;

use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

pub use column_type::ColumnType;
pub use load::{PackSet, load_pack, load_packs, parse_pack};
pub use matching::{InputMatch, MatchIssue, match_inputs};

use crate::checks::Check;

/// One of the four dimensions of the Project 06 standard "đúng – đủ – sạch – sống".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    /// đúng — correct: valid formats, domains, cross-field logic.
    Dung,
    /// đủ — complete: required values and records present.
    Du,
    /// sạch — clean: no duplicates, standardised text and formats.
    Sach,
    /// sống — live: up to date, reflects current reality.
    Song,
}

impl Dimension {
    pub const ALL: [Dimension; 4] = [
        Dimension::Dung,
        Dimension::Du,
        Dimension::Sach,
        Dimension::Song,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Dimension::Dung => "dung",
            Dimension::Du => "du",
            Dimension::Sach => "sach",
            Dimension::Song => "song",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Dimension::Dung => "Đúng",
            Dimension::Du => "Đủ",
            Dimension::Sach => "Sạch",
            Dimension::Song => "Sống",
        }
    }

    /// English gloss, for `--lang en`.
    pub fn label_en(self) -> &'static str {
        match self {
            Dimension::Dung => "Correct",
            Dimension::Du => "Complete",
            Dimension::Sach => "Clean",
            Dimension::Song => "Live",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        match s {
            "dung" | "đúng" => Some(Dimension::Dung),
            "du" | "đủ" => Some(Dimension::Du),
            "sach" | "sạch" => Some(Dimension::Sach),
            "song" | "sống" => Some(Dimension::Song),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Counts in the scores but never breaches a threshold.
    Warn,
    /// Breaches its threshold → exit code 1; makes the row fail `record_pass_rate`.
    Error,
}

/// A validated rule pack.
#[derive(Debug, Clone)]
pub struct RulePack {
    /// The pack file, for messages.
    pub path: PathBuf,
    pub dataset: DatasetSpec,
    /// Declared columns in header order, with their types.
    pub columns: IndexMap<String, ColumnType>,
    pub rules: Vec<Rule>,
    /// Weights of the dimensions in `overall` (default 1 each).
    pub dimension_weights: [f64; 4],
    /// Minimum scores (`[targets]`): a dataset below one fails the run.
    pub targets: Vec<(String, f64)>,
    /// Columns holding personal data (Nghị định 13/2023/NĐ-CP), masked where
    /// the reader does not need them.
    pub pii: std::collections::BTreeMap<String, Pii>,
}

/// Kinds of personal data a column may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pii {
    /// A personal identification / ID-card number: `001******456`.
    Id,
    /// A person's full name: `Nguyễn V. A.`.
    Name,
}

impl RulePack {
    pub fn column_type(&self, column: &str) -> ColumnType {
        self.columns
            .get(column)
            .cloned()
            .unwrap_or(ColumnType::String)
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
}

/// One rule of a pack.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub check: Arc<Check>,
    pub dimension: Dimension,
    pub severity: Severity,
    pub message: String,
    pub message_en: Option<String>,
    pub weight: f64,
    /// SQL boolean: the rule applies only to rows where it is true.
    pub when: Option<String>,
    /// Minimum pass rate (0..=1) for the rule to pass; default 1.
    pub threshold: f64,
    /// Line of the rule in its pack file, for messages.
    pub line: usize,
}
