//! `ragged_row` (PH001) — the record has as many fields as the header.
//!
//! Why: a record with an extra field (an unquoted delimiter inside a value)
//! or a missing one shifts or drops values, so every check of that row reads
//! the wrong column: the row is not correct (đúng) whatever its values say.
//! Frictionless calls these `extra-cell` / `missing-cell`. Extra fields are
//! ignored and missing ones read as empty; each such row is reported with its
//! physical line.
//!
//! Every pack has this rule as `PH001` without declaring it; declare it to
//! change its severity or dimension:
//!
//! ```toml
//! [[rules]]
//! id = "PH001"
//! check = "ragged_row"
//! dimension = "dung"
//! severity = "warn"
//! message = "Dòng lệch số trường"
//! ```

use crate::model::{Dimension, RowDefect, Severity};
use crate::structure::{ImplicitRule, structural_kind};

structural_kind!(RaggedRow, RowDefect::Ragged);

pub const RULE: ImplicitRule = ImplicitRule {
    defect: RowDefect::Ragged,
    dimension: Dimension::Dung,
    severity: Severity::Error,
    message: "Dòng có số trường khác với dòng tiêu đề: giá trị bị lệch cột hoặc thiếu",
    message_en: "The row has more or fewer fields than the header: values shifted or missing",
};

#[cfg(test)]
mod tests {
    use crate::checks::testing::raw_outcomes;

    #[test]
    fn marks_only_the_defective_rows() {
        let out = raw_outcomes("ragged_row", b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n");
        assert_eq!(out, vec![Some(false), Some(true), Some(true), Some(false)]);
    }
}
