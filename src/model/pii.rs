//! Personal data: the kinds a column may hold, and how they are masked for
//! readers who do not need them (Nghị định 13/2023/NĐ-CP on personal data
//! protection): steering committees, or another office receiving an export
//! with `--mask`.

use serde::{Deserialize, Serialize};

/// Kinds of personal data a column may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pii {
    /// A personal identification / ID-card number: `001******456`.
    Id,
    /// A person's full name: `Nguyễn V. A.`.
    Name,
}

/// `001085123456` → `001******456`; short values are fully hidden.
pub fn mask_id(value: &str) -> String {
    let chars: Vec<char> = value.trim().chars().collect();
    if chars.len() <= 6 {
        return "*".repeat(chars.len());
    }
    let hidden = "*".repeat(chars.len() - 6);
    format!(
        "{}{hidden}{}",
        chars[..3].iter().collect::<String>(),
        chars[chars.len() - 3..].iter().collect::<String>()
    )
}

/// `Nguyễn Văn An` → `Nguyễn V. A.`: the family name stays, the rest become
/// initials. A name of one word (`An`) becomes its initial (`A.`): kept
/// whole it would be the person's full name.
pub fn mask_name(value: &str) -> String {
    let mut words = value.split_whitespace();
    let Some(family) = words.next() else {
        return String::new();
    };
    if value.split_whitespace().count() == 1 {
        return format!(
            "{}.",
            family.chars().next().map(String::from).unwrap_or_default()
        );
    }
    std::iter::once(family.to_string())
        .chain(words.map(|w| {
            format!(
                "{}.",
                w.chars().next().map(|c| c.to_string()).unwrap_or_default()
            )
        }))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `1990-05-01` → `1990-**-**`, `01/05/1990` → `**/**/1990`: the year
/// stays, the day and month go. Text that is no date is hidden.
pub fn mask_date(value: &str) -> String {
    let v = value.trim();
    let year = v
        .split(|c: char| !c.is_ascii_digit())
        .find(|p| p.len() == 4)
        .map(str::to_string);
    match year {
        Some(y) => v
            .split_inclusive(|c: char| !c.is_ascii_digit())
            .map(|part| {
                let digits: String = part.chars().filter(char::is_ascii_digit).collect();
                let rest: String = part.chars().filter(|c| !c.is_ascii_digit()).collect();
                if digits == y {
                    format!("{digits}{rest}")
                } else {
                    format!("{}{rest}", "*".repeat(digits.len()))
                }
            })
            .collect(),
        None => "*".repeat(v.chars().count()),
    }
}

/// Personal values a check quotes in a detail are marked, so each output
/// shows them or their masked form: `marked(Quoted::Name, "Nguyễn Văn An")`
/// in a detail reads "Nguyễn Văn An" unmasked and "Nguyễn V. A." masked.
/// Marks are private-use characters no export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quoted {
    Id,
    Name,
    Date,
}

const OPEN: char = '\u{F8F0}';
const SEP: char = '\u{F8F1}';
const CLOSE: char = '\u{F8F2}';

pub fn marked(kind: Quoted, value: &str) -> String {
    let tag = match kind {
        Quoted::Id => 'i',
        Quoted::Name => 'n',
        Quoted::Date => 'd',
    };
    // A value that holds a mark itself is quoted without marks, hidden.
    if value.contains([OPEN, SEP, CLOSE]) {
        return "*".repeat(value.chars().count());
    }
    format!("{OPEN}{tag}{SEP}{value}{CLOSE}")
}

/// A detail with its marked values shown (`mask = false`) or masked.
pub fn render(detail: &str, mask: bool) -> std::borrow::Cow<'_, str> {
    if !detail.contains(OPEN) {
        return std::borrow::Cow::Borrowed(detail);
    }
    let mut out = String::with_capacity(detail.len());
    let mut rest = detail;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len_utf8()..];
        let Some(end) = after.find(CLOSE) else {
            rest = "";
            break;
        };
        let inner = &after[..end];
        let (tag, value) = inner.split_once(SEP).unwrap_or(("", inner));
        out.push_str(&match (mask, tag) {
            (false, _) => value.to_string(),
            (true, "i") => mask_id(value),
            (true, "n") => mask_name(value),
            (true, "d") => mask_date(value),
            (true, _) => "*".repeat(value.chars().count()),
        });
        rest = &after[end + CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

pub fn mask(kind: Pii, value: &str) -> String {
    match kind {
        Pii::Id => mask_id(value),
        Pii::Name => mask_name(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_are_masked() {
        assert_eq!(mask_id("001085123456"), "001******456");
        assert_eq!(mask_id("012345678"), "012***678");
        assert_eq!(mask_id("12345"), "*****");
        assert_eq!(mask_name("Nguyễn Văn An"), "Nguyễn V. A.");
        assert_eq!(mask_name("  Lê   Thị  Ánh "), "Lê T. Á.");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_name("An"), "A.");
        assert_eq!(mask_name(" Ánh "), "Á.");
        assert_eq!(mask_date("1990-05-01"), "1990-**-**");
        assert_eq!(mask_date("01/05/1990"), "**/**/1990");
        assert_eq!(mask_date("hôm qua"), "*******");
    }

    #[test]
    fn marked_values_are_shown_or_masked_in_details() {
        let detail = format!(
            "họ tên khác: '{}' ≠ '{}'; ngày sinh '{}'",
            marked(Quoted::Name, "Trần Thị Kim"),
            marked(Quoted::Name, "Nguyễn Văn Bình"),
            marked(Quoted::Date, "1990-05-01")
        );
        assert_eq!(
            render(&detail, false),
            "họ tên khác: 'Trần Thị Kim' ≠ 'Nguyễn Văn Bình'; ngày sinh '1990-05-01'"
        );
        assert_eq!(
            render(&detail, true),
            "họ tên khác: 'Trần T. K.' ≠ 'Nguyễn V. B.'; ngày sinh '1990-**-**'"
        );
        assert_eq!(render("plain", true), "plain");
        assert_eq!(
            render(&marked(Quoted::Id, "001085123456"), true),
            "001******456"
        );
    }
}
