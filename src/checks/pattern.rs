//! `pattern` (DQ003) — the value matches a regular expression in full.
//!
//! Why: many identifiers have a fixed shape (12-digit personal ID, 5-digit
//! commune code, certificate serials). The pattern is anchored at both ends
//! — `\d{12}` means exactly twelve digits, not "contains twelve digits" —
//! because a partial match is the classic way such a rule lets bad data in.
//! Syntax: the Rust `regex` crate (no look-around, linear time).
//!
//! ```toml
//! [[rules]]
//! id = "DC-002"
//! check = "pattern"
//! column = "so_dinh_danh"
//! regex = '\d{12}'
//! dimension = "dung"
//! message = "Số định danh phải gồm đúng 12 chữ số"
//! ```

use polars::prelude::*;
use serde::Deserialize;

use crate::contract::{CheckKind, Evaluation, ParseContext, PlanContext, params, when_present};
use crate::error::RuleError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    pub column: String,
    pub regex: String,
}

impl Pattern {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let check: Self = params(table)?;
        ctx.known_column(&check.column)?;
        regex::Regex::new(&check.anchored())
            .map_err(|e| format!("invalid regex '{}': {e}", check.regex))?;
        Ok(check)
    }

    fn anchored(&self) -> String {
        format!("^(?:{})$", self.regex)
    }

    fn plan(&self, ctx: &PlanContext) -> Result<Expr, RuleError> {
        let value = ctx.raw(&self.column)?;
        let matches = value.clone().str().contains(lit(self.anchored()), true);
        Ok(when_present(value, matches.not()))
    }
}

impl CheckKind for Pattern {
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
    fn full_match_only_and_missing_skipped() {
        let out = outcomes(
            "a = \"string\"",
            "check = \"pattern\"\ncolumn = \"a\"\nregex = '\\d{3}'",
            &[("a", &["123", "1234", "x123", "12", ""])],
        );
        assert_eq!(
            out,
            vec![Some(false), Some(true), Some(true), Some(true), None]
        );
    }

    #[test]
    fn alternation_is_anchored_as_a_whole() {
        let out = outcomes(
            "a = \"string\"",
            "check = \"pattern\"\ncolumn = \"a\"\nregex = 'ab|cd'",
            &[("a", &["ab", "cd", "abcd", "xab"])],
        );
        assert_eq!(out, vec![Some(false), Some(false), Some(true), Some(true)]);
    }

    #[test]
    fn invalid_regex_is_a_pack_error() {
        let err = parse_error(
            "a = \"string\"",
            "check = \"pattern\"\ncolumn = \"a\"\nregex = '(\\d'",
        );
        assert!(err.contains("invalid regex"), "{err}");
    }
}
