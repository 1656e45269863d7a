//! `unclosed_quote` (PH005) — every double quote that opens a value closes it.
//!
//! Why: a quote opened and never closed makes every following line part of
//! one value, to the end of the file: the records after it are lost to every
//! check, so the dataset is not complete (đủ). One unbalanced quote in a
//! 3,000-row export is enough. The row is reported at the line where the
//! quote opened, with the lines it swallowed.
//!
//! ```toml
//! [[rules]]
//! id = "PH005"
//! check = "unclosed_quote"
//! dimension = "du"
//! message = "Dấu ngoặc kép không được đóng"
//! ```

use crate::model::{Dimension, RowDefect, Severity};
use crate::structure::{ImplicitRule, structural_kind};

structural_kind!(UnclosedQuote, RowDefect::UnclosedQuote);

pub const RULE: ImplicitRule = ImplicitRule {
    defect: RowDefect::UnclosedQuote,
    dimension: Dimension::Du,
    severity: Severity::Error,
    message: "Dấu ngoặc kép mở mà không đóng: phần còn lại của tệp bị đọc thành một giá trị",
    message_en: "A double quote is never closed: the rest of the file was read as one value",
};

#[cfg(test)]
mod tests {
    use crate::checks::testing::raw_outcomes;

    #[test]
    fn marks_only_the_defective_rows() {
        let out = raw_outcomes("unclosed_quote", b"a,b\n1,x\n2,\"oops\n3,y\n4,z\n");
        assert_eq!(out, vec![Some(false), Some(true)]);
    }
}
