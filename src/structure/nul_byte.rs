//! `nul_byte` (PH003) — no field holds a NUL byte.
//!
//! Why: no text value has a NUL (`\0`) byte; one means a UTF-16 file read
//! without its encoding, a binary column, or a damaged export. Left alone it
//! passes into values, where it breaks comparisons, databases and Excel. The
//! row is not clean (sạch).
//!
//! ```toml
//! [[rules]]
//! id = "PH003"
//! check = "nul_byte"
//! dimension = "sach"
//! message = "Có byte NUL trong dữ liệu"
//! ```

use crate::model::{Dimension, RowDefect, Severity};
use crate::structure::{ImplicitRule, structural_kind};

structural_kind!(NulByte, RowDefect::Nul);

pub const RULE: ImplicitRule = ImplicitRule {
    defect: RowDefect::Nul,
    dimension: Dimension::Sach,
    severity: Severity::Warn,
    message: "Dòng chứa byte NUL (\\0): tệp có thể là UTF-16 hoặc bị hỏng",
    message_en: "The row holds a NUL byte (\\0): the file may be UTF-16 or damaged",
};

#[cfg(test)]
mod tests {
    use crate::checks::testing::raw_outcomes;

    #[test]
    fn marks_only_the_defective_rows() {
        let out = raw_outcomes("nul_byte", b"a,b\nx,1\ny\0,2\n");
        assert_eq!(out, vec![Some(false), Some(true)]);
    }
}
