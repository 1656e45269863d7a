//! `columns` (DQ010) — the file has the expected columns, and no others.
//!
//! Why: a renamed or dropped column silently disables every rule on it, and
//! an unexpected column is often a sign the wrong template was exported.
//! `expected` defaults to the pack's declared `[columns]`. Each expected
//! column counts as one item; with `allow_extra = false` (the default) each
//! unexpected column is one more failed item.
//!
//! ```toml
//! [[rules]]
//! id = "KS-COL"
//! check = "columns"
//! dimension = "du"
//! message = "Tệp thiếu cột bắt buộc hoặc có cột lạ"
//! ```

use polars::prelude::Expr;
use serde::Deserialize;

use crate::contract::{CheckKind, DatasetOutcome, Evaluation, ParseContext, PlanContext, params};
use crate::error::RuleError;

#[derive(Debug, Clone)]
pub struct Columns {
    pub expected: Vec<String>,
    pub allow_extra: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    #[serde(default)]
    expected: Option<Vec<String>>,
    #[serde(default)]
    allow_extra: bool,
}

impl Columns {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let p: Params = params(table)?;
        let expected = p
            .expected
            .unwrap_or_else(|| ctx.columns.keys().cloned().collect());
        if expected.is_empty() {
            return Err("no expected columns: declare [columns] or give 'expected'".into());
        }
        Ok(Columns {
            expected,
            allow_extra: p.allow_extra,
        })
    }

    fn plan(&self, ctx: &PlanContext) -> DatasetOutcome {
        let mut details: Vec<String> = self
            .expected
            .iter()
            .filter(|c| !ctx.header.contains(c))
            .map(|c| format!("missing column '{c}'"))
            .collect();
        let mut evaluated = self.expected.len() as u64;
        if !self.allow_extra {
            let extra: Vec<_> = ctx
                .header
                .iter()
                .filter(|h| !self.expected.contains(h))
                .collect();
            evaluated += extra.len() as u64;
            details.extend(
                extra
                    .into_iter()
                    .map(|c| format!("unexpected column '{c}'")),
            );
        }
        DatasetOutcome {
            evaluated,
            failed: details.len() as u64,
            details,
        }
    }
}

impl CheckKind for Columns {
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
    fn reports_missing_and_unexpected_columns() {
        let out = dataset_outcome(
            "a = \"string\"\nb = \"string\"",
            "check = \"columns\"",
            &[("a", &["1"]), ("z", &["2"])],
        );
        assert_eq!((out.evaluated, out.failed), (3, 2));
        assert_eq!(
            out.details,
            vec![
                "missing column 'b'".to_string(),
                "unexpected column 'z'".to_string()
            ]
        );
    }

    #[test]
    fn allow_extra_ignores_unexpected() {
        let out = dataset_outcome(
            "a = \"string\"",
            "check = \"columns\"\nallow_extra = true",
            &[("a", &["1"]), ("z", &["2"])],
        );
        assert_eq!((out.evaluated, out.failed), (1, 0));
    }
}
