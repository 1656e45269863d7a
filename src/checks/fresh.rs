//! `fresh` (DQ008) — a date is no older than N days before the as-of date.
//!
//! Why: the sống (live) dimension asks that data reflect current reality;
//! a record nobody has touched for years (a beneficiary, a holder's
//! address) is presumed stale. The as-of date is the run's `--as-of`
//! (default today), so a nightly job and a re-run give the same answer.
//! A future date counts as fresh here; bound it with `range` if it matters.
//!
//! ```toml
//! [[rules]]
//! id = "BTXH-020"
//! check = "fresh"
//! column = "ngay_cap_nhat"
//! max_age_days = 365
//! dimension = "song"
//! message = "Hồ sơ không được cập nhật trong 12 tháng"
//! ```

use chrono::TimeDelta;
use polars::prelude::*;
use serde::Deserialize;

use crate::contract::{CheckKind, Evaluation, ParseContext, PlanContext, params};
use crate::error::RuleError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fresh {
    pub column: String,
    pub max_age_days: u32,
}

impl Fresh {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let check: Self = params(table)?;
        ctx.known_column(&check.column)?;
        if !ctx.column_type(&check.column).is_temporal() {
            return Err(format!(
                "column '{}' must be declared date or datetime for 'fresh'",
                check.column
            ));
        }
        Ok(check)
    }

    fn plan(&self, ctx: &PlanContext) -> Result<Expr, RuleError> {
        let oldest = ctx
            .as_of
            .checked_sub_signed(TimeDelta::days(i64::from(self.max_age_days)))
            .ok_or_else(|| {
                RuleError::Plan(format!("max_age_days {} is too large", self.max_age_days))
            })?;
        let value = ctx.typed(&self.column)?.cast(DataType::Date);
        Ok(when(value.clone().is_not_null())
            .then(value.lt(lit(oldest)))
            .otherwise(lit(NULL).cast(DataType::Boolean)))
    }
}

impl CheckKind for Fresh {
    fn columns(&self) -> Vec<String> {
        vec![self.column.clone()]
    }

    fn evaluate(&self, ctx: &PlanContext, _applies: &Expr) -> Result<Evaluation, RuleError> {
        self.plan(ctx).map(Evaluation::from)
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::*;

    #[test]
    fn older_than_window_fails() {
        // as-of 2026-06-30; 30 days back is 2026-05-31.
        let out = outcomes(
            "u = \"date\"",
            "check = \"fresh\"\ncolumn = \"u\"\nmax_age_days = 30",
            &[("u", &["2026-05-31", "2026-05-30", "2026-12-01", "bad", ""])],
        );
        assert_eq!(out, vec![Some(false), Some(true), Some(false), None, None]);
    }

    #[test]
    fn datetime_columns_compare_by_day() {
        let out = outcomes(
            "u = { type = \"datetime\", format = \"%Y-%m-%d %H:%M\" }",
            "check = \"fresh\"\ncolumn = \"u\"\nmax_age_days = 0",
            &[("u", &["2026-06-30 00:01", "2026-06-29 23:59"])],
        );
        assert_eq!(out, vec![Some(false), Some(true)]);
    }
}
