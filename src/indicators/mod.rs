//! Indicators: named ratios a pack declares beside its scores
//! (`[[indicators]]`), the figures steering committees are judged on — the
//! share of administrative-procedure dossiers handled late, of dossiers
//! digitised, of welfare payments made without cash. An indicator is not a
//! pass rate: it counts the rows where its `numerator` condition holds among
//! those where its `denominator` condition holds (every row without one),
//! has a direction (higher or lower is better), a target and the legal or
//! policy source of both.
//!
//! Indicators are planned into the same lazy query as the rules (one
//! boolean column each: null outside the denominator), so the file is still
//! scanned once; they are counted per dataset and per administrative unit
//! with the rules' counts, and merge like them across pieces and batches.
//!
//! ```toml
//! [[indicators]]
//! id = "CS-HS-01"
//! name = "Tỷ lệ hồ sơ giải quyết quá hạn"
//! numerator = "(ngay_tra IS NOT NULL AND ngay_tra > ngay_hen_tra) OR (ngay_tra IS NULL AND ngay_hen_tra < {as_of})"
//! denominator = "ngay_tra IS NOT NULL OR ngay_hen_tra < {as_of}"
//! direction = "lower"
//! target = 0.05
//! source = "Nghị định 61/2018/NĐ-CP Điều 19 (trả kết quả đúng hẹn)"
//! ```

mod load;

pub use load::parse_indicator;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::contract::PlanContext;
use crate::error::RuleError;

/// Keys an `[[indicators]]` table may hold.
pub const INDICATOR_KEYS: [&str; 8] = [
    "id",
    "name",
    "name_en",
    "numerator",
    "denominator",
    "direction",
    "target",
    "source",
];

/// Which way an indicator improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Higher,
    Lower,
}

impl Direction {
    /// Whether `value` meets `target` in this direction.
    pub fn meets(self, value: f64, target: f64) -> bool {
        match self {
            Direction::Higher => value >= target,
            Direction::Lower => value <= target,
        }
    }
}

/// One declared indicator of a pack.
#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: String,
    /// Vietnamese name, shown in the scorecard and the terminal.
    pub name: String,
    pub name_en: Option<String>,
    /// SQL boolean: the rows counted (among the denominator's).
    pub numerator: String,
    /// SQL boolean: the rows the share is over; `None` = every row.
    pub denominator: Option<String>,
    pub direction: Direction,
    /// The share to reach (0..=1), if the source sets one.
    pub target: Option<f64>,
    /// The legal or policy source of the indicator and its target.
    pub source: String,
    /// Line in the pack file, for messages.
    pub line: usize,
}

impl Indicator {
    /// The indicator's row column: true = counted in the numerator, false =
    /// in the denominator only, null = outside the denominator. A null
    /// numerator condition (a missing cell) counts as false.
    pub fn plan(&self, ctx: &PlanContext) -> Result<Expr, RuleError> {
        let numerator =
            crate::checks::expr::plan_sql_condition(&self.numerator, ctx)?.fill_null(lit(false));
        Ok(match &self.denominator {
            None => numerator,
            Some(sql) => {
                let over = crate::checks::expr::plan_sql_condition(sql, ctx)?.fill_null(lit(false));
                when(over)
                    .then(numerator)
                    .otherwise(lit(NULL).cast(DataType::Boolean))
            }
        })
    }
}

/// The column an indicator's flags take in the rules' query.
pub fn indicator_column(index: usize) -> String {
    format!("__indicator_{index}")
}

/// The share `numerator / denominator`, `None` for an empty denominator.
pub fn share(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// One indicator's figures for a dataset (results.json `indicators`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorResult {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    pub numerator: u64,
    pub denominator: u64,
    /// `numerator / denominator`; `null` when the denominator is empty.
    pub value: Option<f64>,
    pub direction: Direction,
    pub target: Option<f64>,
    /// Whether `value` meets `target`; `null` without a target or a value.
    pub met: Option<bool>,
    pub source: String,
    /// Why the indicator could not be computed (a column not in the file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl IndicatorResult {
    pub fn new(
        indicator: &Indicator,
        counts: (u64, u64),
        error: Option<String>,
    ) -> IndicatorResult {
        let (denominator, numerator) = if error.is_some() { (0, 0) } else { counts };
        let value = share(numerator, denominator);
        let met = match (value, indicator.target) {
            (Some(v), Some(t)) => Some(indicator.direction.meets(v, t)),
            _ => None,
        };
        IndicatorResult {
            id: indicator.id.clone(),
            name: indicator.name.clone(),
            name_en: indicator.name_en.clone(),
            numerator,
            denominator,
            value,
            direction: indicator.direction,
            target: indicator.target,
            met,
            source: indicator.source.clone(),
            error,
        }
    }
}

/// One indicator's figures for one administrative unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitIndicator {
    pub id: String,
    pub numerator: u64,
    pub denominator: u64,
    pub value: Option<f64>,
}
