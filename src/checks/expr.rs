//! `expr` (DQ007) — an SQL boolean over the row's columns holds.
//!
//! Why: cross-field logic is where data is most often wrong and no code list
//! helps — a birth registered before the birth, a death before the birth, a
//! bank transfer without an account. The expression is parsed by polars'
//! own SQL parser and evaluated with the columns' declared types, so dates
//! compare as dates. A row fails when the expression is false; when it is
//! null (an operand missing or unparsable) the row is not evaluated.
//! `{as_of}` stands for the run's as-of date, as an SQL date.
//!
//! ```toml
//! [[rules]]
//! id = "KS-008"
//! check = "expr"
//! expr = "ngay_dang_ky >= ngay_sinh"
//! dimension = "dung"
//! message = "Ngày đăng ký trước ngày sinh"
//! ```

use chrono::NaiveDate;
use indexmap::IndexMap;
use polars::prelude::*;
use serde::Deserialize;

use crate::contract::{CheckKind, Evaluation, ParseContext, PlanContext, params};
use crate::error::{RuleError, closest};
use crate::model::ColumnType;

#[derive(Debug, Clone)]
pub struct SqlExpr {
    pub sql: String,
    /// Columns the expression reads.
    pub columns: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    expr: String,
}

impl SqlExpr {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let p: Params = params(table)?;
        let (_, columns) = parse_sql_condition(&p.expr, ctx.columns)?;
        Ok(SqlExpr {
            sql: p.expr,
            columns,
        })
    }

    fn plan(&self, ctx: &PlanContext) -> Result<Expr, RuleError> {
        Ok(plan_sql_condition(&self.sql, ctx)?.not())
    }
}

impl CheckKind for SqlExpr {
    fn columns(&self) -> Vec<String> {
        self.columns.clone()
    }

    fn evaluate(&self, ctx: &PlanContext, _applies: &Expr) -> Result<Evaluation, RuleError> {
        self.plan(ctx).map(Evaluation::from)
    }
}

/// The SQL with `{as_of}` and every `DATE 'YYYY-MM-DD'` literal written as
/// polars' `DATE('YYYY-MM-DD')` function: a typed string or a cast would be
/// a string-to-date cast, which polars deprecates with a warning on stderr
/// for every rule that uses one.
fn with_as_of(sql: &str, as_of: NaiveDate) -> String {
    static DATE_LITERAL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)\bDATE\s*'([0-9]{4}-[0-9]{2}-[0-9]{2})'").expect("regex")
    });
    let sql = sql.replace("{as_of}", &format!("DATE('{}')", as_of.format("%Y-%m-%d")));
    DATE_LITERAL.replace_all(&sql, "DATE('$1')").into_owned()
}

/// Longest interval a rule may add to or subtract from a date. Rules
/// speak of legal ages and deadlines; an interval of thousands of years can
/// only overflow the date arithmetic.
const MAX_INTERVAL_YEARS: f64 = 1000.0;

/// Rejects `INTERVAL '…'` literals longer than [`MAX_INTERVAL_YEARS`].
fn check_intervals(sql: &str) -> Result<(), String> {
    static INTERVAL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)\bINTERVAL\s*'\s*[+-]?([0-9]+(?:\.[0-9]+)?)\s*([a-z]+)")
            .expect("regex")
    });
    for c in INTERVAL.captures_iter(sql) {
        let n: f64 = c[1].parse().unwrap_or(f64::INFINITY);
        let unit = c[2].to_ascii_lowercase();
        let per_year = match unit.trim_end_matches('s') {
            "year" | "y" => 1.0,
            "month" | "mon" | "mo" => 12.0,
            "week" | "w" => 52.0,
            "day" | "d" => 365.0,
            "hour" | "h" => 8_760.0,
            "minute" | "min" | "m" => 525_600.0,
            _ => 31_536_000.0,
        };
        if n / per_year > MAX_INTERVAL_YEARS {
            return Err(format!(
                "INTERVAL '{} {}' in '{sql}' is longer than {MAX_INTERVAL_YEARS} years; \
                 rules compare dates of records, give a shorter interval",
                &c[1], &c[2]
            ));
        }
    }
    Ok(())
}

/// Parses an SQL boolean and lists the columns it reads; errors name an
/// undeclared column (with the closest declared one) or the SQL problem.
pub fn parse_sql_condition(
    sql: &str,
    declared: &IndexMap<String, ColumnType>,
) -> Result<(Expr, Vec<String>), String> {
    check_intervals(sql)?;
    let placeholder = NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date");
    let expr = polars::sql::sql_expr(with_as_of(sql, placeholder)).map_err(|e| {
        format!(
            "invalid SQL expression '{sql}': {}",
            first_line(&e.to_string())
        )
    })?;
    let columns: Vec<String> = expr
        .clone()
        .meta()
        .root_names()
        .into_iter()
        .map(|n| n.to_string())
        .collect();
    if !declared.is_empty() {
        for c in &columns {
            if !declared.contains_key(c) {
                let hint = closest(c, declared.keys().map(String::as_str))
                    .map(|s| format!("; did you mean '{s}'?"))
                    .unwrap_or_default();
                return Err(format!(
                    "SQL expression '{sql}' reads '{c}', which is not declared in [columns]{hint}"
                ));
            }
        }
    }
    Ok((expr, columns))
}

/// The condition as a polars expression for this dataset (typed columns,
/// the run's as-of date); a column absent from the file is a rule error.
pub fn plan_sql_condition(sql: &str, ctx: &PlanContext) -> Result<Expr, RuleError> {
    let expr = polars::sql::sql_expr(with_as_of(sql, ctx.as_of))
        .map_err(|e| RuleError::Plan(first_line(&e.to_string())))?;
    for name in expr.clone().meta().root_names() {
        ctx.require(&name)?;
    }
    // Date columns are seen only within the years a record holds, so date
    // arithmetic cannot overflow (see `contract::YEARS`). Only here, where
    // arithmetic happens: bounding every typed date column cost 0.1 s a
    // million rows on the benchmark.
    Ok(expr.map_expr(|e| {
        let ty = match &e {
            Expr::Column(name) => ctx.column_type(name),
            _ => return e,
        };
        if ty.is_temporal() {
            crate::contract::within_years(e, &ty)
        } else {
            e
        }
    }))
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::*;

    #[test]
    fn compares_typed_dates_and_skips_nulls() {
        let out = outcomes(
            "b = { type = \"date\", format = \"%d/%m/%Y\" }\nr = { type = \"date\", format = \"%d/%m/%Y\" }",
            "check = \"expr\"\nexpr = \"r >= b\"",
            &[
                ("b", &["01/01/2020", "05/01/2020", "", "01/01/2020"]),
                (
                    "r",
                    &["02/01/2020", "04/01/2020", "01/01/2020", "01/01/2020"],
                ),
            ],
        );
        assert_eq!(out, vec![Some(false), Some(true), None, Some(false)]);
    }

    #[test]
    fn numbers_and_as_of_placeholder() {
        let out = outcomes(
            "n = \"integer\"\nd = \"date\"",
            "check = \"expr\"\nexpr = \"n > 0 AND d <= {as_of}\"",
            &[
                ("n", &["1", "0", "5"]),
                ("d", &["2026-06-30", "2026-01-01", "2026-07-01"]),
            ],
        );
        assert_eq!(out, vec![Some(false), Some(true), Some(true)]);
    }

    #[test]
    fn date_arithmetic_for_legal_deadlines() {
        // Luật Hộ tịch 2014 Điều 15.1: a birth is registered within 60 days.
        let out = outcomes(
            "b = \"date\"\nr = \"date\"",
            "check = \"expr\"\nexpr = \"r <= b + INTERVAL '60 days'\"",
            &[
                ("b", &["2026-01-01", "2026-01-01"]),
                ("r", &["2026-03-02", "2026-03-03"]),
            ],
        );
        assert_eq!(out, vec![Some(false), Some(true)]);
    }

    #[test]
    fn undeclared_column_is_a_pack_error_with_hint() {
        let err = parse_error(
            "ngay_sinh = \"date\"",
            "check = \"expr\"\nexpr = \"ngay_sinhh IS NOT NULL\"",
        );
        assert!(err.contains("did you mean 'ngay_sinh'"), "{err}");
    }

    #[test]
    fn broken_sql_is_a_pack_error() {
        let err = parse_error("a = \"integer\"", "check = \"expr\"\nexpr = \"a >>= (\"");
        assert!(err.contains("invalid SQL"), "{err}");
    }

    #[test]
    fn date_literals_become_the_date_function() {
        use super::with_as_of;
        use chrono::NaiveDate;
        let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        assert_eq!(
            with_as_of("d >= DATE '2024-07-01' AND d <= {as_of}", as_of),
            "d >= DATE('2024-07-01') AND d <= DATE('2026-06-30')"
        );
        assert_eq!(
            with_as_of("d < date'2025-07-01'", as_of),
            "d < DATE('2025-07-01')"
        );
        // A literal that only looks like one inside a string stays a string.
        assert_eq!(with_as_of("name = 'DATE'", as_of), "name = 'DATE'");
    }

    #[test]
    fn date_literals_compare_with_date_columns() {
        let rule = "check = \"expr\"\nexpr = \"d >= DATE '2024-07-01'\"";
        let got = outcomes(
            "d = { type = \"date\", format = \"%Y-%m-%d\" }",
            rule,
            &[("d", &["2024-06-30", "2024-07-01", "2025-01-01"])],
        );
        assert_eq!(got, [Some(true), Some(false), Some(false)]);
    }

    #[test]
    fn intervals_beyond_a_thousand_years_are_a_pack_error() {
        let columns = "d = { type = \"date\", format = \"%Y-%m-%d\" }";
        for expr in [
            "d + INTERVAL '300000 years' > d",
            "d - interval '20000 months' < d",
            "d + INTERVAL '9999999 days' > d",
        ] {
            let err = parse_error(columns, &format!("check = \"expr\"\nexpr = \"{expr}\""));
            assert!(err.contains("longer than 1000 years"), "{expr}: {err}");
        }
        assert_eq!(super::check_intervals("d + INTERVAL '60 days' > d"), Ok(()));
        assert_eq!(
            super::check_intervals("d + INTERVAL '100 years' > d"),
            Ok(())
        );
    }
}
