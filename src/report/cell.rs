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

#[cfg(test)]
mod tests {
    use super::*;

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
