//! `required` (DQ001) — the cell has a value.
//!
//! Why: the đủ (complete) dimension of Project 06 asks that every mandatory
//! field be filled. A cell is missing when it is empty, whitespace only, or
//! one of the pack's `missing_values` (such as `NULL`, `-`, `N/A`).
//! This is the only check that counts missing cells; all value checks skip
//! them, so one gap is reported once, here.
//!
//! ```toml
//! [[rules]]
//! id = "KS-001"
//! check = "required"
//! column = "so_dinh_danh"
//! dimension = "du"
//! message = "Thiếu số định danh cá nhân"
//! ```

use polars::prelude::Expr;
use serde::Deserialize;

use crate::contract::{CheckKind, Evaluation, ParseContext, PlanContext, params};
use crate::error::RuleError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Required {
    pub column: String,
}

impl Required {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let check: Self = params(table)?;
        ctx.known_column(&check.column)?;
        Ok(check)
    }

    fn plan(&self, ctx: &PlanContext) -> Result<Expr, RuleError> {
        Ok(ctx.raw(&self.column)?.is_null())
    }
}

impl CheckKind for Required {
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
    fn missing_empty_whitespace_and_declared_tokens_fail() {
        let out = outcomes(
            "a = \"string\"",
            "check = \"required\"\ncolumn = \"a\"",
            &[("a", &["x", "", "  ", "NULL", "n/a", "0"])],
        );
        assert_eq!(
            out,
            vec![
                Some(false),
                Some(true),
                Some(true),
                Some(true),
                Some(true),
                Some(false)
            ]
        );
    }

    #[test]
    fn when_limits_the_rows_evaluated() {
        let out = outcomes(
            "a = \"string\"\nb = \"string\"",
            "check = \"required\"\ncolumn = \"a\"\nwhen = \"b = 'bank'\"",
            &[("a", &["", "", "1"]), ("b", &["bank", "cash", "bank"])],
        );
        assert_eq!(out, vec![Some(true), None, Some(false)]);
    }

    #[test]
    fn absent_column_is_a_rule_error_with_a_hint() {
        let err = rule_error(
            "so_dinh_danh = \"string\"",
            "check = \"required\"\ncolumn = \"so_dinh_danh\"",
            &[("so_dinh_danhh", &["1"])],
        );
        assert_eq!(
            err,
            crate::error::RuleError::MissingColumn {
                column: "so_dinh_danh".into(),
                suggestion: Some("so_dinh_danhh".into())
            }
        );
    }

    #[test]
    fn typed_columns_count_missing_text_not_parse_failures() {
        let out = outcomes(
            "d = { type = \"date\", format = \"%d/%m/%Y\" }",
            "check = \"required\"\ncolumn = \"d\"",
            &[("d", &["01/02/2020", "", "31/02/2020"])],
        );
        assert_eq!(out, vec![Some(false), Some(true), Some(false)]);
    }
}
