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
/// initials.
pub fn mask_name(value: &str) -> String {
    let mut words = value.split_whitespace();
    let Some(family) = words.next() else {
        return String::new();
    };
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
    }
}
