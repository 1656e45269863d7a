//! `invalid_text` (PH002) — every byte of the record is valid in the file's
//! encoding (UTF-8 unless the pack or a byte-order mark says otherwise).
//!
//! Why: a value with invalid bytes was written in another encoding (a
//! Windows-1258 or TCVN3 export read as UTF-8) or damaged; its text cannot be
//! compared, so the row is not clean (sạch). The bytes are read as U+FFFD so
//! the other checks still run; the fix is `dataset.encoding` in the pack or
//! saving the file again as UTF-8.
//!
//! ```toml
//! [[rules]]
//! id = "PH002"
//! check = "invalid_text"
//! dimension = "sach"
//! message = "Lỗi mã hoá ký tự"
//! ```

use crate::model::{Dimension, RowDefect, Severity};
use crate::structure::{ImplicitRule, structural_kind};

structural_kind!(InvalidText, RowDefect::InvalidText);

pub const RULE: ImplicitRule = ImplicitRule {
    defect: RowDefect::InvalidText,
    dimension: Dimension::Sach,
    severity: Severity::Warn,
    message: "Dòng có byte không hợp lệ trong bảng mã của tệp (lỗi mã hoá ký tự)",
    message_en: "The row has bytes that are not valid in the file's encoding",
};

#[cfg(test)]
mod tests {
    use crate::checks::testing::raw_outcomes;

    #[test]
    fn marks_only_the_defective_rows() {
        let out = raw_outcomes("invalid_text", b"a,b\nok,1\nbad\xff,2\n");
        assert_eq!(out, vec![Some(false), Some(true)]);
    }
}
