//! `stray_quote` (PH004) — double quotes are used as CSV quoting allows.
//!
//! Why: RFC 4180 allows a quote only around a whole value, with quotes inside
//! doubled. CSV readers accept the rest silently and differently: `"abc"def`
//! is read as `abcdef`, `ab"c` keeps its quote, `"q" ` gains a space. What
//! another system reads from the row is then not what the officer typed, so
//! the row is not clean (sạch). The fix: quote the whole value and double the
//! quotes inside (`"ab""c"`).
//!
//! ```toml
//! [[rules]]
//! id = "PH004"
//! check = "stray_quote"
//! dimension = "sach"
//! message = "Dấu ngoặc kép sai quy cách"
//! ```

use crate::model::{Dimension, RowDefect, Severity};
use crate::structure::{ImplicitRule, structural_kind};

structural_kind!(StrayQuote, RowDefect::StrayQuote);

pub const RULE: ImplicitRule = ImplicitRule {
    defect: RowDefect::StrayQuote,
    dimension: Dimension::Sach,
    severity: Severity::Warn,
    message: "Dấu ngoặc kép đặt sai chỗ: giá trị có thể bị đọc sai",
    message_en: "A misplaced double quote: the value may be read wrongly",
};

#[cfg(test)]
mod tests {
    use crate::checks::testing::raw_outcomes;

    #[test]
    fn marks_only_the_defective_rows() {
        let out = raw_outcomes(
            "stray_quote",
            b"a,b\n\"ok\",1\nab\"c,2\n\"abc\"def,3\n\"q\" ,4\n\"say \"\"hi\"\"\",5\n",
        );
        assert_eq!(
            out,
            vec![Some(false), Some(true), Some(true), Some(true), Some(false)]
        );
    }
}
