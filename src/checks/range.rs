//! `range` (DQ005) — a number or date lies within inclusive bounds.
//!
//! Why: values can be well-formed and still impossible — a birth date in the
//! future or before 1900, a parcel area of 0 m², a monthly allowance of a
//! billion đồng. Bounds are inclusive. For date columns a bound is an ISO
//! date (`"1900-01-01"`), `"today"` (the run's `--as-of` date, so results
//! are reproducible), or `"today-18y"` / `"today+30d"` (years or days).
//! Values that do not parse as the column's type are not evaluated here;
//! the `parses` check reports them.
//!
//! ```toml
//! [[rules]]
//! id = "KS-004"
//! check = "range"
//! column = "ngay_sinh"
//! min = "1900-01-01"
//! max = "today"
//! dimension = "dung"
//! message = "Ngày sinh ngoài khoảng hợp lệ"
//! ```

use chrono::{Months, NaiveDate, TimeDelta};
use polars::prelude::*;
use serde::Deserialize;

use crate::contract::{CheckKind, Evaluation, ParseContext, PlanContext, params};
use crate::error::RuleError;
use crate::model::ColumnType;

#[derive(Debug, Clone, PartialEq)]
pub enum Bound {
    Number(f64),
    Date(NaiveDate),
    /// The as-of date shifted by whole years and days.
    AsOf {
        years: i32,
        days: i64,
    },
}

#[derive(Debug, Clone)]
pub struct Range {
    pub column: String,
    pub min: Option<Bound>,
    pub max: Option<Bound>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    column: String,
    #[serde(default)]
    min: Option<toml::Value>,
    #[serde(default)]
    max: Option<toml::Value>,
}

impl Range {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let p: Params = params(table)?;
        ctx.known_column(&p.column)?;
        let ty = ctx.column_type(&p.column);
        if !(ty.is_numeric() || ty.is_temporal()) {
            return Err(format!(
                "column '{}' is declared {}; range needs an integer, decimal, date or datetime column (declare its type in [columns])",
                p.column,
                ty.name()
            ));
        }
        if p.min.is_none() && p.max.is_none() {
            return Err("give 'min', 'max' or both".into());
        }
        let parse = |v: Option<toml::Value>| v.map(|v| parse_bound(&v, &ty)).transpose();
        Ok(Range {
            min: parse(p.min)?,
            max: parse(p.max)?,
            column: p.column,
        })
    }

    fn plan(&self, ctx: &PlanContext) -> Result<Expr, RuleError> {
        let ty = ctx.column_type(&self.column);
        let mut value = ctx.typed(&self.column)?;
        if matches!(ty, ColumnType::Datetime { .. }) {
            value = value.cast(DataType::Date);
        }
        let mut fails = lit(false);
        if let Some(min) = &self.min {
            fails = fails.or(value.clone().lt(bound_literal(min, ctx.as_of)?));
        }
        if let Some(max) = &self.max {
            fails = fails.or(value.clone().gt(bound_literal(max, ctx.as_of)?));
        }
        Ok(when(value.is_not_null())
            .then(fails)
            .otherwise(lit(NULL).cast(DataType::Boolean)))
    }
}

impl CheckKind for Range {
    fn columns(&self) -> Vec<String> {
        vec![self.column.clone()]
    }

    fn evaluate(&self, ctx: &PlanContext, _applies: &Expr) -> Result<Evaluation, RuleError> {
        self.plan(ctx).map(Evaluation::from)
    }
}

fn bound_literal(bound: &Bound, as_of: NaiveDate) -> Result<Expr, RuleError> {
    Ok(match bound {
        Bound::Number(n) => lit(*n),
        Bound::Date(d) => lit(*d),
        Bound::AsOf { years, days } => lit(shift(as_of, *years, *days).ok_or_else(|| {
            RuleError::Plan(format!(
                "date bound out of range: as-of {as_of} shifted by {years}y {days}d"
            ))
        })?),
    })
}

/// `as_of` moved by whole years (29 Feb → 28 Feb) and then days.
pub fn shift(as_of: NaiveDate, years: i32, days: i64) -> Option<NaiveDate> {
    let months = Months::new(years.unsigned_abs() * 12);
    let moved = if years >= 0 {
        as_of.checked_add_months(months)
    } else {
        as_of.checked_sub_months(months)
    }?;
    moved.checked_add_signed(TimeDelta::try_days(days)?)
}

fn parse_bound(value: &toml::Value, ty: &ColumnType) -> Result<Bound, String> {
    match (value, ty.is_numeric()) {
        (toml::Value::Integer(i), true) => Ok(Bound::Number(*i as f64)),
        (toml::Value::Float(f), true) => Ok(Bound::Number(*f)),
        (toml::Value::String(s), false) => parse_date_bound(s),
        (toml::Value::Datetime(d), false) => parse_date_bound(&d.to_string()),
        (other, true) => Err(format!(
            "bound {other} must be a number for a numeric column"
        )),
        (other, false) => Err(format!(
            "bound {other} must be a date such as \"2000-01-01\", \"today\" or \"today-18y\""
        )),
    }
}

/// `YYYY-MM-DD`, `today`, `today-18y`, `today+30d`.
pub fn parse_date_bound(s: &str) -> Result<Bound, String> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(Bound::Date(d));
    }
    let bad = || {
        format!(
            "invalid date bound '{s}': use YYYY-MM-DD, \"today\", or \"today-18y\" / \"today+30d\""
        )
    };
    let rest = s.strip_prefix("today").ok_or_else(bad)?;
    if rest.is_empty() {
        return Ok(Bound::AsOf { years: 0, days: 0 });
    }
    let (sign, amount) = match rest.as_bytes()[0] {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return Err(bad()),
    };
    let (digits, unit) = amount.split_at(amount.len().saturating_sub(1));
    let n: i64 = digits.parse().map_err(|_| bad())?;
    match unit {
        "d" => Ok(Bound::AsOf {
            years: 0,
            days: sign * n,
        }),
        "y" => Ok(Bound::AsOf {
            years: i32::try_from(sign * n).map_err(|_| bad())?,
            days: 0,
        }),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::*;

    #[test]
    fn date_bounds_are_inclusive_and_relative_to_as_of() {
        // as-of in the test harness is 2026-06-30.
        let out = outcomes(
            "d = { type = \"date\", format = \"%d/%m/%Y\" }",
            "check = \"range\"\ncolumn = \"d\"\nmin = \"1900-01-01\"\nmax = \"today\"",
            &[(
                "d",
                &[
                    "01/01/1900",
                    "31/12/1899",
                    "30/06/2026",
                    "01/07/2026",
                    "31/02/2020",
                    "",
                ],
            )],
        );
        assert_eq!(
            out,
            vec![Some(false), Some(true), Some(false), Some(true), None, None]
        );
    }

    #[test]
    fn numeric_bounds() {
        let out = outcomes(
            "n = \"decimal\"",
            "check = \"range\"\ncolumn = \"n\"\nmin = 0.5\nmax = 10",
            &[("n", &["0.5", "0.4", "10", "10.01", "abc"])],
        );
        assert_eq!(
            out,
            vec![Some(false), Some(true), Some(false), Some(true), None]
        );
    }

    #[test]
    fn relative_year_bound() {
        let out = outcomes(
            "d = \"date\"",
            "check = \"range\"\ncolumn = \"d\"\nmax = \"today-18y\"",
            &[("d", &["2008-06-30", "2008-07-01"])],
        );
        assert_eq!(out, vec![Some(false), Some(true)]);
    }

    #[test]
    fn bound_syntax() {
        assert_eq!(
            parse_date_bound("today-18y"),
            Ok(Bound::AsOf {
                years: -18,
                days: 0
            })
        );
        assert_eq!(
            parse_date_bound("today+30d"),
            Ok(Bound::AsOf { years: 0, days: 30 })
        );
        assert!(parse_date_bound("yesterday").is_err());
        assert!(parse_date_bound("today-x").is_err());
        assert_eq!(
            shift(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(), -1, 0),
            NaiveDate::from_ymd_opt(2023, 2, 28)
        );
    }

    #[test]
    fn string_columns_are_refused() {
        let err = parse_error(
            "s = \"string\"",
            "check = \"range\"\ncolumn = \"s\"\nmin = 1",
        );
        assert!(err.contains("declare its type"), "{err}");
    }
}
