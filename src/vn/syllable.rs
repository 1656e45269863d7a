//! Vietnamese syllable structure, to tell repaired text from garbage:
//! onset + vowel nucleus + coda, at most one tone mark. Used to choose
//! between legacy-encoding decodings, never to flag clean text on its own
//! (loan words and minority-language names are not Vietnamese syllables).

use std::cell::RefCell;
use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

const ONSETS: [&str; 27] = [
    "ngh", "ng", "gh", "gi", "ch", "kh", "nh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
];
const CODAS: [&str; 8] = ["ng", "nh", "ch", "c", "m", "n", "p", "t"];
/// Vowel nuclei that may take a final consonant, toneless, in NFC.
const NUCLEI_CLOSED: [&str; 23] = [
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "iê", "yê", "oa", "oă", "oe", "uâ",
    "uê", "uô", "ươ", "uy", "uyê",
];
/// Nuclei ending in a glide: no final consonant after them.
const NUCLEI_OPEN: [&str; 29] = [
    "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ua", "ui", "uơ",
    "ưa", "ưi", "ưu", "iêu", "yêu", "oai", "oay", "oeo", "uây", "uôi", "ươi", "ươu", "uya",
];
const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// Whether `word` (letters only) is a well-formed Vietnamese syllable.
pub fn is_syllable(word: &str) -> bool {
    let decomposed: String = word.to_lowercase().nfd().collect();
    let tones = decomposed.chars().filter(|c| TONES.contains(c)).count();
    if tones > 1 {
        return false;
    }
    let toneless: String = decomposed
        .chars()
        .filter(|c| !TONES.contains(c))
        .collect::<String>()
        .nfc()
        .collect();
    let after_onset: Vec<&str> = std::iter::once(toneless.as_str())
        .chain(ONSETS.iter().filter_map(|o| toneless.strip_prefix(o)))
        .collect();
    after_onset.iter().any(|rest| {
        NUCLEI_OPEN.contains(rest)
            || NUCLEI_CLOSED.contains(rest)
            || CODAS
                .iter()
                .filter_map(|c| rest.strip_suffix(c))
                .any(|n| NUCLEI_CLOSED.contains(&n))
    })
}

/// [`is_syllable`], remembered per thread: a column of names or addresses
/// has a few thousand distinct words (Vietnamese has about 7,000 syllables)
/// over millions of rows, and the structural test allocates.
pub fn is_syllable_remembered(word: &str) -> bool {
    /// Enough for every syllable in both cases; cleared when a column of
    /// words that are not syllables would grow it beyond that.
    const CAPACITY: usize = 1 << 16;
    thread_local! {
        static SEEN: RefCell<HashMap<Box<str>, bool, foldhash::fast::RandomState>> =
            RefCell::new(HashMap::default());
    }
    SEEN.with_borrow_mut(|seen| {
        if let Some(known) = seen.get(word) {
            return *known;
        }
        if seen.len() >= CAPACITY {
            seen.clear();
        }
        let verdict = is_syllable(word);
        seen.insert(word.into(), verdict);
        verdict
    })
}

/// Number of words of `text` that are Vietnamese syllables.
pub fn syllable_count(text: &str) -> usize {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty() && is_syllable(w))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_syllables_pass_and_garbage_fails() {
        for w in [
            "Nguyễn",
            "Văn",
            "An",
            "khuyến",
            "nghiêng",
            "giữa",
            "quốc",
            "Hoà",
            "hòa",
            "thuở",
            "người",
            "đường",
            "oanh",
        ] {
            assert!(is_syllable(w), "{w}");
        }
        for w in ["Nguyeón", "Vaòn", "aâ", "thAịN", "xyz", "ééé"] {
            assert!(!is_syllable(w), "{w}");
        }
        for w in ["Nguyễn", "Vaòn", "Nguyễn", "Vaòn"] {
            assert_eq!(is_syllable_remembered(w), is_syllable(w), "{w}");
        }
    }
}
