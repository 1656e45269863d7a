//! `row_count` (DQ009) — the dataset has between `min` and `max` rows.
//!
//! Why: the đủ (complete) dimension is also about records, not only cells:
//! a commune export with 12 rows where thousands are expected was cut off,
//! filtered wrongly or exported from the wrong system. Dataset-level: it is
//! evaluated once, so its pass rate is 0 or 1.
//!
//! ```toml
//! [[rules]]
//! id = "KS-000"
//! check = "row_count"
//! min = 1000
//! dimension = "du"
//! message = "Số bản ghi ít bất thường"
//! ```

use polars::prelude::Expr;
use serde::Deserialize;

use crate::contract::{CheckKind, DatasetOutcome, Evaluation, ParseContext, PlanContext, params};
use crate::error::RuleError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowCount {
    #[serde(default)]
    pub min: Option<u64>,
    #[serde(default)]
    pub max: Option<u64>,
}

impl RowCount {
    pub fn parse(table: toml::Table, _ctx: &ParseContext) -> Result<Self, String> {
        let check: Self = params(table)?;
        match (check.min, check.max) {
            (None, None) => Err("give 'min', 'max' or both".into()),
            (Some(lo), Some(hi)) if lo > hi => Err(format!("min {lo} is greater than max {hi}")),
            _ => Ok(check),
        }
    }

    fn plan(&self, ctx: &PlanContext) -> DatasetOutcome {
        let rows = ctx.rows;
        let detail = match (self.min, self.max) {
            (Some(min), _) if rows < min => Some(format!("{rows} rows; expected at least {min}")),
            (_, Some(max)) if rows > max => Some(format!("{rows} rows; expected at most {max}")),
            _ => None,
        };
        DatasetOutcome {
            evaluated: 1,
            failed: u64::from(detail.is_some()),
            details: detail.into_iter().collect(),
        }
    }
}

impl CheckKind for RowCount {
    fn columns(&self) -> Vec<String> {
        vec![]
    }

    fn evaluate(&self, ctx: &PlanContext, _applies: &Expr) -> Result<Evaluation, RuleError> {
        Ok(self.plan(ctx).into())
    }

    fn is_dataset_level(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::*;

    #[test]
    fn counts_rows_against_bounds() {
        let low = dataset_outcome(
            "a = \"string\"",
            "check = \"row_count\"\nmin = 3",
            &[("a", &["1", "2"])],
        );
        assert_eq!((low.evaluated, low.failed), (1, 1));
        assert_eq!(low.details, vec!["2 rows; expected at least 3".to_string()]);
        let ok = dataset_outcome(
            "a = \"string\"",
            "check = \"row_count\"\nmin = 2\nmax = 2",
            &[("a", &["1", "2"])],
        );
        assert_eq!((ok.evaluated, ok.failed), (1, 0));
        let high = dataset_outcome(
            "a = \"string\"",
            "check = \"row_count\"\nmax = 1",
            &[("a", &["1", "2"])],
        );
        assert_eq!(high.failed, 1);
    }

    #[test]
    fn inverted_bounds_are_rejected() {
        assert!(
            parse_error("a = \"string\"", "check = \"row_count\"\nmin = 5\nmax = 1")
                .contains("greater than")
        );
    }
}
