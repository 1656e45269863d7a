//! The structural check kinds (`PH…` codes): defects of a file's physical
//! form — ragged rows, bytes not valid in the encoding, NUL bytes, broken
//! quoting, over-long records. The reader finds them (it alone sees the raw
//! bytes) and marks each row in a hidden column
//! ([`ROW_DEFECTS_COLUMN`](crate::model::ROW_DEFECTS_COLUMN)); these kinds
//! turn the marks into rules, so a defect is scored, broken down per unit and
//! listed with the failing rows like any other finding.
//!
//! Every pack gets one rule of each kind without declaring it (rule id = the
//! code, e.g. `PH001`, with the dimension, severity and message below). A
//! pack that declares a rule of a structural kind replaces the implicit one,
//! e.g. to lower its severity. How they weigh in the scores is in
//! `docs/scoring.md`: a dimension's score is multiplied by the pass rates of
//! its structural rules, so they can only lower it.

pub mod excel_cell;
pub mod invalid_text;
pub mod nul_byte;
pub mod ragged_row;
pub mod record_too_long;
pub mod stray_quote;
pub mod unclosed_quote;

use polars::prelude::*;

use crate::contract::Evaluation;
use crate::model::{Dimension, ROW_DEFECTS_COLUMN, RowDefect, Severity};

/// The rule every pack gets for a structural kind unless it declares one.
pub struct ImplicitRule {
    pub defect: RowDefect,
    pub dimension: Dimension,
    pub severity: Severity,
    pub message: &'static str,
    pub message_en: &'static str,
}

/// The implicit rules, in code order (`PH001`…).
pub const IMPLICIT_RULES: [&ImplicitRule; 7] = [
    &ragged_row::RULE,
    &invalid_text::RULE,
    &nul_byte::RULE,
    &stray_quote::RULE,
    &unclosed_quote::RULE,
    &record_too_long::RULE,
    &excel_cell::RULE,
];

/// Fails the rows marked with `defect`. Every row is evaluated: a
/// structural rule's pass rate is over all the rows read.
pub fn marked(defect: RowDefect) -> Evaluation {
    let bit = u32::from(defect.bit());
    let bits = col(ROW_DEFECTS_COLUMN).cast(DataType::UInt32);
    Evaluation::from((bits % lit(2 * bit)).gt_eq(lit(bit)))
}

/// A structural kind: no parameters, fails the rows marked with its defect.
macro_rules! structural_kind {
    ($kind:ident, $defect:expr) => {
        #[derive(Debug, Clone, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $kind {}

        impl $kind {
            pub fn parse(
                table: toml::Table,
                _ctx: &crate::contract::ParseContext,
            ) -> Result<Self, String> {
                crate::contract::params(table)
            }
        }

        impl crate::contract::CheckKind for $kind {
            fn columns(&self) -> Vec<String> {
                Vec::new()
            }

            fn evaluate(
                &self,
                _ctx: &crate::contract::PlanContext,
                _applies: &polars::prelude::Expr,
            ) -> Result<crate::contract::Evaluation, crate::error::RuleError> {
                Ok(crate::structure::marked($defect))
            }
        }
    };
}
pub(crate) use structural_kind;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implicit_rules_are_one_per_defect_in_bit_order() {
        let defects: Vec<RowDefect> = IMPLICIT_RULES.iter().map(|r| r.defect).collect();
        assert_eq!(defects, RowDefect::ALL);
    }
}
