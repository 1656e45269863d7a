//! `age` (VN005) — a person's age in full years at a date lies within
//! bounds.
//!
//! Why: Vietnamese law states ages in full years ("từ đủ"): marriage from 20
//! for men and 18 for women (Luật Hôn nhân và gia đình 2014, Điều 8 khoản 1
//! điểm a); the monthly social allowance from 80 (Nghị định 20/2021/NĐ-CP,
//! Điều 5 khoản 5), the social pension from 75 (Luật Bảo hiểm xã hội 2024
//! Điều 21; Nghị định 176/2025/NĐ-CP). A person born 29/02 has a birthday on
//! 01/03 in other years. The date is `at_column` (e.g. the marriage
//! registration date) or, without it, the run's as-of date.
//!
//! ```toml
//! [[rules]]
//! id = "KH-005"
//! check = "age"
//! birth_date_column = "ngay_sinh_chong"
//! at_column = "ngay_dang_ky"
//! min = 20
//! dimension = "dung"
//! message = "Chồng chưa đủ 20 tuổi khi đăng ký kết hôn (Luật HN&GĐ 2014, Điều 8)"
//! ```

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use polars::prelude::{Expr, lit};
use serde::Deserialize;

use super::{Finding, row_udf};
use crate::contract::{CheckKind, Evaluation, ParseContext, PlanContext, RowCheck, params};
use crate::error::RuleError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Age {
    pub birth_date_column: String,
    #[serde(default)]
    pub at_column: Option<String>,
    #[serde(default)]
    pub min: Option<u32>,
    #[serde(default)]
    pub max: Option<u32>,
}

impl Age {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let check: Self = params(table)?;
        for c in std::iter::once(&check.birth_date_column).chain(check.at_column.as_ref()) {
            ctx.known_column(c)?;
            if !ctx.column_type(c).is_temporal() {
                return Err(format!("column '{c}' must be declared as a date"));
            }
        }
        if check.min.is_none() && check.max.is_none() {
            return Err("give 'min', 'max' or both (in full years)".into());
        }
        Ok(check)
    }

    fn plan(&self, ctx: &PlanContext) -> Result<RowCheck, RuleError> {
        let at = match &self.at_column {
            Some(c) => ctx.typed(c)?,
            None => lit(ctx.as_of),
        };
        let (min, max) = (self.min, self.max);
        Ok(row_udf(
            vec![ctx.typed(&self.birth_date_column)?, at],
            2,
            Arc::new(move |row| {
                let birth = row[0]?.date()?;
                let at = row[1]?.date()?;
                inspect(birth, at, min, max)
            }),
        ))
    }
}

impl CheckKind for Age {
    fn columns(&self) -> Vec<String> {
        std::iter::once(self.birth_date_column.clone())
            .chain(self.at_column.clone())
            .collect()
    }

    fn evaluate(&self, ctx: &PlanContext, _applies: &Expr) -> Result<Evaluation, RuleError> {
        self.plan(ctx).map(Evaluation::from)
    }
}

/// Age in full years at `at`.
pub fn full_years(birth: NaiveDate, at: NaiveDate) -> i32 {
    let before_birthday = (at.month(), at.day()) < (birth.month(), birth.day());
    at.year() - birth.year() - i32::from(before_birthday)
}

pub fn inspect(
    birth: NaiveDate,
    at: NaiveDate,
    min: Option<u32>,
    max: Option<u32>,
) -> Option<Finding> {
    let age = full_years(birth, at);
    let on = at.format("%d/%m/%Y");
    if let Some(min) = min.filter(|m| age < *m as i32) {
        return Some(Finding::new(format!(
            "{age} tuổi vào ngày {on}, chưa đủ {min} tuổi"
        )));
    }
    if let Some(max) = max.filter(|m| age > *m as i32) {
        return Some(Finding::new(format!(
            "{age} tuổi vào ngày {on}, quá {max} tuổi"
        )));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn full_years_turn_on_the_birthday() {
        assert_eq!(full_years(d("2006-03-15"), d("2026-03-14")), 19);
        assert_eq!(full_years(d("2006-03-15"), d("2026-03-15")), 20);
        assert_eq!(full_years(d("2004-02-29"), d("2022-02-28")), 17);
        assert_eq!(full_years(d("2004-02-29"), d("2022-03-01")), 18);
    }

    #[test]
    fn marriage_ages() {
        assert!(
            inspect(d("2006-03-15"), d("2026-03-14"), Some(20), None)
                .unwrap()
                .detail
                .contains("chưa đủ 20")
        );
        assert_eq!(
            inspect(d("2006-03-15"), d("2026-03-15"), Some(20), None),
            None
        );
        assert_eq!(
            inspect(d("2008-01-01"), d("2026-01-01"), Some(18), None),
            None
        );
        assert!(
            inspect(d("1900-01-01"), d("2026-01-01"), None, Some(120))
                .unwrap()
                .detail
                .contains("quá 120")
        );
    }
}
