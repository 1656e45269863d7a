//! `deadline` (VN006) — an act was done within N days of an event.
//!
//! Why: the sống (live) dimension of civil status is timeliness of
//! registration: a birth within 60 days (Luật Hộ tịch 2014, Điều 15 khoản 1),
//! a death within 15 days (Điều 33 khoản 1). The check counts calendar days
//! from `from_column` to `to_column`. A negative gap (registered before the
//! event) is a đúng problem, not lateness: give it its own `expr` rule
//! (`to >= from`); this check does not count it.
//!
//! ```toml
//! [[rules]]
//! id = "KT-008"
//! check = "deadline"
//! from_column = "ngay_mat"
//! to_column = "ngay_dang_ky"
//! max_days = 15
//! dimension = "song"
//! message = "Đăng ký khai tử quá hạn 15 ngày (Luật Hộ tịch 2014, Điều 33.1)"
//! ```

use std::sync::Arc;

use chrono::NaiveDate;
use polars::prelude::Expr;
use serde::Deserialize;

use super::{Finding, row_udf};
use crate::contract::{CheckKind, Evaluation, ParseContext, PlanContext, RowCheck, params};
use crate::error::RuleError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    pub from_column: String,
    pub to_column: String,
    pub max_days: i64,
}

impl Deadline {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let check: Self = params(table)?;
        for c in [&check.from_column, &check.to_column] {
            ctx.known_column(c)?;
            if !ctx.column_type(c).is_temporal() {
                return Err(format!("column '{c}' must be declared as a date"));
            }
        }
        if check.max_days < 0 {
            return Err("max_days must be ≥ 0".into());
        }
        Ok(check)
    }

    fn plan(&self, ctx: &PlanContext) -> Result<RowCheck, RuleError> {
        let max = self.max_days;
        Ok(row_udf(
            vec![ctx.typed(&self.from_column)?, ctx.typed(&self.to_column)?],
            2,
            Arc::new(move |row| {
                let from = row[0]?.date()?;
                let to = row[1]?.date()?;
                inspect(from, to, max)
            }),
        ))
    }
}

impl CheckKind for Deadline {
    fn columns(&self) -> Vec<String> {
        vec![self.from_column.clone(), self.to_column.clone()]
    }

    fn evaluate(&self, ctx: &PlanContext, _applies: &Expr) -> Result<Evaluation, RuleError> {
        self.plan(ctx).map(Evaluation::from)
    }
}

pub fn inspect(from: NaiveDate, to: NaiveDate, max_days: i64) -> Option<Finding> {
    let days = (to - from).num_days();
    if days > max_days {
        Some(Finding::new(format!(
            "sau {days} ngày, quá hạn {max_days} ngày ({} ngày)",
            days - max_days
        )))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn boundaries_of_the_legal_deadlines() {
        assert_eq!(
            inspect(d("2026-01-01"), d("2026-03-02"), 60),
            None,
            "day 60 is on time"
        );
        assert!(
            inspect(d("2026-01-01"), d("2026-03-03"), 60)
                .unwrap()
                .detail
                .contains("sau 61 ngày")
        );
        assert_eq!(inspect(d("2026-05-01"), d("2026-05-16"), 15), None);
        assert!(inspect(d("2026-05-01"), d("2026-05-17"), 15).is_some());
        assert_eq!(
            inspect(d("2026-05-02"), d("2026-05-01"), 15),
            None,
            "before the event is another rule's job"
        );
    }
}
