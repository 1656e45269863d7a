//! `parses` (DQ006) — the text parses as the column's declared type.
//!
//! Why: exports are text, and a date typed as `31/02/2020`, `2020-13-01` or
//! `ngày 5 tháng 3`, or an amount typed as `500.000đ`, silently breaks every
//! later computation. ddss reads every cell as text and parses it per the
//! pack, so a bad value is a violation with its line number, never a crash.
//! Missing cells are not evaluated (`required` reports those).
//!
//! ```toml
//! [[rules]]
//! id = "KS-003"
//! check = "parses"
//! column = "ngay_sinh"
//! dimension = "dung"
//! message = "Ngày sinh không đúng định dạng dd/mm/yyyy hoặc không tồn tại"
//! ```

use polars::prelude::*;
use serde::Deserialize;

use crate::contract::{CheckKind, Evaluation, ParseContext, PlanContext, params, when_present};
use crate::error::RuleError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parses {
    pub column: String,
}

impl Parses {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let check: Self = params(table)?;
        ctx.known_column(&check.column)?;
        if ctx.column_type(&check.column).is_string() {
            return Err(format!(
                "column '{}' is declared string, which always parses; declare its type in [columns]",
                check.column
            ));
        }
        Ok(check)
    }

    fn plan(&self, ctx: &PlanContext) -> Result<Expr, RuleError> {
        // A date that parses but lies outside the years a record holds
        // (`-262143-01-01`: `%Y` takes any number of digits) is no date.
        let typed = ctx.typed(&self.column)?;
        let out_of_years =
            crate::contract::out_of_years(typed.clone(), &ctx.column_type(&self.column));
        Ok(when_present(
            ctx.raw(&self.column)?,
            typed.is_null().or(out_of_years.fill_null(lit(false))),
        ))
    }
}

impl CheckKind for Parses {
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
    fn impossible_dates_fail_missing_skipped() {
        let out = outcomes(
            "d = { type = \"date\", format = \"%d/%m/%Y\" }",
            "check = \"parses\"\ncolumn = \"d\"",
            &[(
                "d",
                &["29/02/2024", "29/02/2023", "2024-01-01", "", "1/2/2020"],
            )],
        );
        assert_eq!(
            out,
            vec![Some(false), Some(true), Some(true), None, Some(false)]
        );
    }

    #[test]
    fn integers_decimals_and_booleans() {
        let ints = outcomes(
            "n = \"integer\"",
            "check = \"parses\"\ncolumn = \"n\"",
            &[("n", &["12", " 7 ", "1.5", "x"])],
        );
        assert_eq!(ints, vec![Some(false), Some(false), Some(true), Some(true)]);
        let dec = outcomes(
            "n = { type = \"decimal\", decimal_comma = true }",
            "check = \"parses\"\ncolumn = \"n\"",
            &[("n", &["1.234,5", "500.000", "12,", "abc"])],
        );
        assert_eq!(dec, vec![Some(false), Some(false), Some(false), Some(true)]);
        let b = outcomes(
            "b = \"boolean\"",
            "check = \"parses\"\ncolumn = \"b\"",
            &[("b", &["Có", "false", "0", "maybe"])],
        );
        assert_eq!(b, vec![Some(false), Some(false), Some(false), Some(true)]);
    }
}
