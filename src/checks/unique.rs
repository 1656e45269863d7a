//! `unique` (DQ002) — no two rows share the same value (or combination of
//! values) in the given columns.
//!
//! Why: the sạch (clean) dimension forbids duplicate records — the same
//! person registered twice, the same parcel listed twice. Every row of a
//! duplicated group fails, not just the second one, because an officer must
//! look at all of them to decide which to keep. Rows with a missing key
//! value are not evaluated (`required` reports those), and with `when` only
//! rows where it holds are compared with each other.
//!
//! ```toml
//! [[rules]]
//! id = "TD-010"
//! check = "unique"
//! columns = ["ma_xa", "so_to", "so_thua"]
//! dimension = "sach"
//! message = "Thửa đất bị trùng (cùng xã, số tờ, số thửa)"
//! ```

use polars::prelude::*;
use serde::Deserialize;

use crate::contract::{CheckKind, Evaluation, ParseContext, PlanContext, WholeDatasetKey, params};
use crate::error::RuleError;

#[derive(Debug, Clone)]
pub struct Unique {
    pub columns: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    #[serde(default)]
    column: Option<String>,
    #[serde(default)]
    columns: Vec<String>,
}

impl Unique {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let p: Params = params(table)?;
        let columns = match (p.column, p.columns.is_empty()) {
            (Some(c), true) => vec![c],
            (None, false) => p.columns,
            _ => return Err("give either 'column' or a non-empty 'columns' list".into()),
        };
        for c in &columns {
            ctx.known_column(c)?;
        }
        Ok(Unique { columns })
    }

    /// `applies` is the rule's `when` condition (true when absent): only rows
    /// where it holds are compared, so the condition is part of the window.
    fn plan(&self, ctx: &PlanContext, applies: &Expr) -> Result<Expr, RuleError> {
        let keys = self
            .columns
            .iter()
            .map(|c| ctx.raw(c))
            .collect::<Result<Vec<_>, _>>()?;
        let present = keys
            .iter()
            .fold(applies.clone(), |acc, k| acc.and(k.clone().is_not_null()));
        let mut partition = keys;
        partition.push(present.clone());
        let group_size = len()
            .over(partition)
            .map_err(|e| RuleError::Plan(e.to_string()))?;
        Ok(when(present)
            .then(group_size.gt(lit(1)))
            .otherwise(lit(NULL).cast(DataType::Boolean)))
    }
}

impl CheckKind for Unique {
    fn columns(&self) -> Vec<String> {
        self.columns.clone()
    }

    fn evaluate(&self, ctx: &PlanContext, applies: &Expr) -> Result<Evaluation, RuleError> {
        self.plan(ctx, applies).map(Evaluation::from)
    }

    fn whole_dataset_key(&self) -> Option<WholeDatasetKey> {
        Some(WholeDatasetKey {
            columns: self.columns.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::*;

    #[test]
    fn every_row_of_a_duplicated_group_fails_and_missing_is_skipped() {
        let out = outcomes(
            "a = \"string\"",
            "check = \"unique\"\ncolumn = \"a\"",
            &[("a", &["1", "2", "1", "", "", "3"])],
        );
        assert_eq!(
            out,
            vec![Some(true), Some(false), Some(true), None, None, Some(false)]
        );
    }

    #[test]
    fn composite_keys_compare_all_columns() {
        let out = outcomes(
            "a = \"string\"\nb = \"string\"",
            "check = \"unique\"\ncolumns = [\"a\", \"b\"]",
            &[("a", &["1", "1", "1"]), ("b", &["x", "y", "x"])],
        );
        assert_eq!(out, vec![Some(true), Some(false), Some(true)]);
    }

    #[test]
    fn when_excludes_rows_from_the_comparison() {
        let out = outcomes(
            "a = \"string\"\ns = \"string\"",
            "check = \"unique\"\ncolumn = \"a\"\nwhen = \"s = 'active'\"",
            &[
                ("a", &["1", "1", "1", "2"]),
                ("s", &["active", "closed", "active", "closed"]),
            ],
        );
        assert_eq!(out, vec![Some(true), None, Some(true), None]);
    }

    #[test]
    fn needs_column_or_columns() {
        assert!(parse_error("a = \"string\"", "check = \"unique\"").contains("either 'column'"));
    }
}
