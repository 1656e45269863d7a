//! The words of the official names: every word of every province,
//! district, commune and ethnic-group name in `rules/reference/` (before and
//! after the 2025 reform). They are Vietnamese as the State writes it, so
//! none of them is ever evidence of damage — among them loanwords and
//! minority-language names that are no Vietnamese syllable ("Zuôich",
//! "Laêê", "EaBar"). Compiled in; lowercase NFC.

use std::collections::HashSet;
use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;

use super::reference::REFERENCE;

static WORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let mut names: Vec<&str> = Vec::new();
    let r = &*REFERENCE;
    names.extend(r.provinces_2024.values().map(String::as_str));
    names.extend(r.provinces_2025.values().map(String::as_str));
    names.extend(r.communes_2024.values().map(|u| u.name.as_str()));
    names.extend(r.communes_2025.values().map(|u| u.name.as_str()));
    let mut words = HashSet::new();
    let mut add = |name: &str| {
        for w in name.split(|c: char| !c.is_alphabetic()) {
            if !w.is_empty() && !w.is_ascii() {
                words.insert(normal(w));
            }
        }
    };
    for name in names {
        add(name);
    }
    for (text, column) in [
        (
            include_str!("../../rules/reference/districts_2024.csv"),
            "name",
        ),
        (
            include_str!("../../rules/reference/ethnic_groups.csv"),
            "name",
        ),
        (
            include_str!("../../rules/reference/ethnic_groups.csv"),
            "name_gso_2008",
        ),
    ] {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let at = reader
            .headers()
            .ok()
            .and_then(|h| h.iter().position(|c| c == column));
        for record in reader.records().flatten() {
            if let Some(name) = at.and_then(|i| record.get(i)) {
                add(name);
            }
        }
    }
    words
});

fn normal(word: &str) -> String {
    word.nfc().collect::<String>().to_lowercase()
}

/// Whether `word` (letters only, any case or normalisation) is a word of an
/// official name. ASCII words are never damage and are not kept.
pub fn is_known(word: &str) -> bool {
    !word.is_ascii() && WORDS.contains(&normal(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_words_are_known_and_others_not() {
        for w in ["Zuôich", "Laêê", "Boòng", "ĐẮK", "Hà", "Nội"] {
            assert!(is_known(w), "{w}");
        }
        for w in ["Quúnh", "Cèc", "NguyÔn", "EaBar"] {
            assert!(!is_known(w), "{w}");
        }
        assert!(WORDS.len() > 1_000, "{} words", WORDS.len());
    }
}
