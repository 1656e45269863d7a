//! The shared words of the library, below everything else: the four
//! dimensions of the standard, severities, column types, kinds of personal
//! data and the names of scores. Rule packs, check kinds, results and
//! reports all speak them; none of them is owned by one of those layers.

mod column_type;
pub mod pii;
pub mod row_defect;

use serde::{Deserialize, Serialize};

pub use column_type::ColumnType;
pub use pii::Pii;
pub use row_defect::{ROW_DEFECTS_COLUMN, RowDefect, is_structural_code};

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

/// Scores a target can be set on (`[targets]`, `--targets`, `--fail-under`).
pub const TARGET_NAMES: [&str; 6] = ["overall", "dung", "du", "sach", "song", "record_pass_rate"];
