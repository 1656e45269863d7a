//! Making data values safe to put in a spreadsheet.

use std::borrow::Cow;

/// Prefixes a `'` to values a spreadsheet would run as a formula (`=`, `+`,
/// `-`, `@`, tab, CR at the start) — CSV/formula injection, OWASP. The
/// exports carry values typed by the public, so this is not optional.
pub fn neutralise_formula(value: &str) -> Cow<'_, str> {
    match value.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

/// Characters a workbook cell holds (Excel's limit; the writer refuses more).
pub const EXCEL_CELL_CHARS: usize = 32_767;

/// A value for a workbook cell: neutralised, and cut to what a cell holds
/// with a note saying so (the violations CSV keeps it whole). One field
/// that swallowed the rest of a file behind an unbalanced quote must not
/// cost the whole workbook.
pub fn workbook_cell(value: &str) -> Cow<'_, str> {
    let safe = neutralise_formula(value);
    let chars = safe.chars().count();
    if chars <= EXCEL_CELL_CHARS {
        return safe;
    }
    let note = format!(" … [cắt bớt: {chars} ký tự, xem đủ trong tệp CSV]");
    let keep = EXCEL_CELL_CHARS - note.chars().count();
    let mut cut: String = safe.chars().take(keep).collect();
    cut.push_str(&note);
    Cow::Owned(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_to_a_cell_with_a_note() {
        let long = "x".repeat(100_000);
        let cell = workbook_cell(&long);
        assert_eq!(cell.chars().count(), EXCEL_CELL_CHARS);
        assert!(
            cell.ends_with("xem đủ trong tệp CSV]"),
            "{}",
            &cell[cell.len() - 60..]
        );
        assert!(cell.contains("100000 ký tự"));
        let vietnamese = "Nguyễn ".repeat(6_000);
        assert_eq!(workbook_cell(&vietnamese).chars().count(), EXCEL_CELL_CHARS);
        assert_eq!(workbook_cell("=1+1"), "'=1+1");
        assert_eq!(workbook_cell("An"), "An");
    }

    #[test]
    fn formula_starts_are_neutralised_others_untouched() {
        for v in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise_formula(v), format!("'{v}"));
        }
        for v in ["Nguyễn", "0123", "", "a=b"] {
            assert_eq!(neutralise_formula(v), v);
        }
    }
}
