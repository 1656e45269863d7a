//! Folding Vietnamese text for comparison: two spellings of the same name
//! compare equal when they differ only in Unicode normalisation, case,
//! spacing, or tone-mark placement ("Hoà" = "Hòa", "Thuỷ" = "Thủy" — both
//! styles occur in official lists, see rules/reference/SOURCES.md).

use unicode_normalization::UnicodeNormalization;

const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// Lowercase NFC words separated by single spaces, each with its tone mark
/// (if any) moved to the end of the word: the tone belongs to the syllable,
/// not to a particular vowel.
pub fn fold(text: &str) -> String {
    text.split_whitespace()
        .map(|word| {
            let decomposed: String = word.to_lowercase().nfd().collect();
            let tone = decomposed.chars().find(|c| TONES.contains(c));
            let mut base: String = decomposed
                .chars()
                .filter(|c| !TONES.contains(c))
                .collect::<String>()
                .nfc()
                .collect();
            base.extend(tone);
            base
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_name_fold_together() {
        assert_eq!(fold("Hoà Bình"), fold("hòa  bình"));
        assert_eq!(fold("Thuỷ"), fold("Thủy"));
        assert_eq!(fold("Nguyễn"), fold(&"Nguyễn".nfd().collect::<String>()));
        assert_eq!(fold("Khoẻ"), fold("khỏe"));
        assert_ne!(fold("Hoà"), fold("Hoá"));
        assert_ne!(fold("Lan"), fold("Lân"));
    }
}
