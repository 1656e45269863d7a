//! `in_set` (DQ004) — the value is one of an allowed list of codes.
//!
//! Why: coded fields (gender, ethnic group, land-use purpose, beneficiary
//! category, administrative unit) are only meaningful when the code exists
//! in the official list. The list is inline (`values`) for short domains, or
//! one column of a reference CSV shipped under `rules/reference/` for long
//! official lists, so the list has one source and cites it.
//! Comparison is exact on the text: codes keep their leading zeros.
//!
//! ```toml
//! [[rules]]
//! id = "DC-005"
//! check = "in_set"
//! column = "gioi_tinh"
//! values = ["Nam", "Nữ"]
//! dimension = "dung"
//! message = "Giới tính phải là Nam hoặc Nữ"
//!
//! [[rules]]
//! id = "DC-006"
//! check = "in_set"
//! column = "ma_xa"
//! reference = "reference/communes_2025.csv"
//! reference_column = "code"
//! dimension = "dung"
//! message = "Mã xã không có trong danh mục đơn vị hành chính"
//! ```

use std::sync::Arc;

use polars::prelude::*;
use serde::Deserialize;

use crate::contract::{CheckKind, Evaluation, ParseContext, PlanContext, params, when_present};
use crate::error::RuleError;

#[derive(Debug, Clone)]
pub struct InSet {
    pub column: String,
    pub values: Arc<Vec<String>>,
    pub ignore_case: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    column: String,
    #[serde(default)]
    values: Option<Vec<String>>,
    #[serde(default)]
    reference: Option<String>,
    #[serde(default)]
    reference_column: Option<String>,
    #[serde(default)]
    ignore_case: bool,
}

impl InSet {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let p: Params = params(table)?;
        ctx.known_column(&p.column)?;
        let values =
            match (p.values, p.reference) {
                (Some(v), None) if !v.is_empty() => Arc::new(v),
                (None, Some(file)) => {
                    let column = p.reference_column.ok_or(
                        "'reference' needs 'reference_column' (the column holding the codes)",
                    )?;
                    ctx.reference_values(&file, &column)?
                }
                _ => return Err(
                    "give either a non-empty 'values' list or 'reference' with 'reference_column'"
                        .into(),
                ),
            };
        let values = if p.ignore_case {
            Arc::new(values.iter().map(|v| v.to_lowercase()).collect())
        } else {
            values
        };
        Ok(InSet {
            column: p.column,
            values,
            ignore_case: p.ignore_case,
        })
    }

    fn plan(&self, ctx: &PlanContext) -> Result<Expr, RuleError> {
        let value = ctx.raw(&self.column)?;
        let allowed = Series::new("allowed".into(), self.values.as_slice());
        let probe = if self.ignore_case {
            value.clone().str().to_lowercase()
        } else {
            value.clone()
        };
        Ok(when_present(
            value,
            probe.is_in(lit(allowed).implode(false), false).not(),
        ))
    }
}

impl CheckKind for InSet {
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
    fn inline_values_exact_and_missing_skipped() {
        let out = outcomes(
            "g = \"string\"",
            "check = \"in_set\"\ncolumn = \"g\"\nvalues = [\"Nam\", \"Nữ\"]",
            &[("g", &["Nam", "Nữ", "nam", "Khác", ""])],
        );
        assert_eq!(
            out,
            vec![Some(false), Some(false), Some(true), Some(true), None]
        );
    }

    #[test]
    fn ignore_case_folds_both_sides() {
        let out = outcomes(
            "g = \"string\"",
            "check = \"in_set\"\ncolumn = \"g\"\nvalues = [\"Nam\"]\nignore_case = true",
            &[("g", &["NAM", "nam", "Nữ"])],
        );
        assert_eq!(out, vec![Some(false), Some(false), Some(true)]);
    }

    #[test]
    fn reference_file_column_is_loaded() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("codes.csv"), "code,name\n01,Kinh\n02,Tày\n").unwrap();
        let out = outcomes_in(
            dir.path(),
            "e = \"string\"",
            "check = \"in_set\"\ncolumn = \"e\"\nreference = \"codes.csv\"\nreference_column = \"code\"",
            &[("e", &["01", "1", "02", "55"])],
        );
        assert_eq!(out, vec![Some(false), Some(true), Some(false), Some(true)]);
    }

    #[test]
    fn unknown_reference_column_suggests() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("codes.csv"), "code,name\n01,Kinh\n").unwrap();
        let err = parse_error_in(
            dir.path(),
            "e = \"string\"",
            "check = \"in_set\"\ncolumn = \"e\"\nreference = \"codes.csv\"\nreference_column = \"cod\"",
        );
        assert!(err.contains("did you mean 'code'"), "{err}");
    }
}
