//! `record_too_long` (PH006) — no record is longer than one record may be
//! under `--memory-limit`.
//!
//! Why: a record of hundreds of megabytes is not data but damage — almost
//! always a quote opened and never closed in a huge file, or a file that is
//! not CSV. Reading it would break the memory bound, so a streamed file's
//! reader skips it in bounded memory and keeps a row of missing cells in its
//! place, at its line: the record is lost, so the dataset is not complete
//! (đủ). One record may take a sixteenth of the memory limit (16 MiB under
//! `--memory-limit 256MiB`; see `docs/guarantees.md`).
//!
//! ```toml
//! [[rules]]
//! id = "PH006"
//! check = "record_too_long"
//! dimension = "du"
//! message = "Bản ghi quá dài"
//! ```

use crate::model::{Dimension, RowDefect, Severity};
use crate::structure::{ImplicitRule, structural_kind};

structural_kind!(RecordTooLong, RowDefect::TooLong);

pub const RULE: ImplicitRule = ImplicitRule {
    defect: RowDefect::TooLong,
    dimension: Dimension::Du,
    severity: Severity::Error,
    message: "Bản ghi dài quá giới hạn bộ nhớ cho một bản ghi nên bị bỏ qua",
    message_en: "The record is longer than the memory budget allows one record; it was skipped",
};

#[cfg(test)]
mod tests {
    use crate::checks::testing::raw_outcomes;

    #[test]
    fn marks_only_the_defective_rows() {
        // Read whole, no record is too long: the mark comes from the
        // streamed reader (see input::chunked tests).
        let out = raw_outcomes("record_too_long", b"a,b\n1,x\n");
        assert_eq!(out, vec![Some(false)]);
    }
}
