//! Vietnamese syllable structure: onset + vowel nucleus + coda, one tone.
//!
//! Two uses, two strengths:
//! - [`is_syllable`] — the word is a well-formed Vietnamese syllable: a
//!   known onset, a nucleus that takes (or refuses) the coda, the tone on a
//!   vowel that can carry it, and on a stop coda (-c, -ch, -p, -t) only the
//!   sắc or nặng tone. Used to choose between legacy-encoding decodings
//!   (the right one yields the most syllables) and as the fast path's test.
//! - [`violation`] — the word *cannot* be Vietnamese: two tone marks; a
//!   huyền, hỏi or ngã tone on a stop coda ("Cèc", "Dòch"); -ch/-nh after a
//!   vowel other than a, ê, i/y ("Quúnh", "Vónh"); -ng/-c after i/y/ê
//!   ("Hýng"); a tone on a vowel sequence that is no nucleus ("Phuò").
//!   Used to flag damage no decoding explains. A word whose shape cannot be
//!   judged (an onset or coda Vietnamese has not, as in many minority-language
//!   names: "Mlô", "Êban", "Ktla") is never a violation.
//!
//! The inventory (onsets, nuclei, codas and which codas a nucleus takes) is
//! that of the standard descriptions of Vietnamese phonology (Đoàn Thiện
//! Thuật, *Ngữ âm tiếng Việt*, 1977: 22 onsets written with 27 spellings,
//! the nuclei with their glides, 8 codas; the sắc/nặng-only rule for stop
//! codas). It is checked against data: every word of every official name in
//! `rules/reference/` — 17,000 province, district, commune and ethnic-group
//! names — is either a syllable here or listed in [`super::lexicon`] as an
//! allowed exception (loanwords and minority-language names such as
//! "Zuôich", "Laêê"), by the test `tests/official_names.rs`. The rhyme
//! "-oong"/"-ooc" ("Boòng", "xoong", "moóc"), once missing, came from there.

use std::cell::RefCell;
use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

const ONSETS: [&str; 27] = [
    "ngh", "ng", "gh", "gi", "ch", "kh", "nh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
];
const CODAS: [&str; 8] = ["ng", "nh", "ch", "c", "m", "n", "p", "t"];
/// Vowel nuclei that may take a final consonant, toneless, in NFC.
const NUCLEI_CLOSED: [&str; 24] = [
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "iê", "yê", "oa", "oă", "oe", "uâ",
    "uê", "uô", "ươ", "uy", "uyê", "oo",
];
/// Nuclei ending in a glide: no final consonant after them.
const NUCLEI_OPEN: [&str; 30] = [
    "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ua", "ui", "uơ",
    "ưa", "ưi", "ưu", "iêu", "yêu", "oai", "oay", "oeo", "uây", "uôi", "ươi", "ươu", "uya", "uyu",
];
/// Nuclei before -ch and -nh (anh, ênh, inh, oanh, uênh, uynh).
const BEFORE_PALATAL: [&str; 7] = ["a", "ê", "i", "y", "oa", "uê", "uy"];
/// Nuclei never before -ng and -c (but iê, yê are: tiếng, việc).
const NOT_BEFORE_VELAR: [&str; 5] = ["ê", "i", "y", "uy", "uê"];
/// Nuclei that take only -ng and -c ("boong", "moóc").
const VELAR_ONLY: [&str; 1] = ["oo"];
const STOPS: [&str; 4] = ["c", "ch", "p", "t"];

const GRAVE: char = '\u{300}';
const ACUTE: char = '\u{301}';
const TILDE: char = '\u{303}';
const HOOK: char = '\u{309}';
const DOT: char = '\u{323}';
const TONES: [char; 5] = [GRAVE, ACUTE, TILDE, HOOK, DOT];

/// A word split into its toneless letters (NFC, lowercase) and its tone: the
/// mark and the index (in chars of the toneless word) of the letter it sits on.
struct Toned {
    letters: Vec<char>,
    tone: Option<(char, usize)>,
    tone_count: usize,
}

fn split_tone(word: &str) -> Toned {
    let mut letters = Vec::new();
    let mut tone = None;
    let mut tone_count = 0;
    let composed: String = word.nfc().collect::<String>().to_lowercase();
    for c in composed.chars() {
        let decomposed: String = c.to_string().nfd().collect();
        let marks: Vec<char> = decomposed.chars().filter(|m| TONES.contains(m)).collect();
        let base: String = decomposed
            .chars()
            .filter(|m| !TONES.contains(m))
            .collect::<String>()
            .nfc()
            .collect();
        for m in marks {
            tone_count += 1;
            // A mark on its own (decomposed text) belongs to the letter before.
            let at = if base.is_empty() {
                letters.len().saturating_sub(1)
            } else {
                letters.len() + base.chars().count() - 1
            };
            tone = Some((m, at));
        }
        letters.extend(base.chars());
    }
    Toned {
        letters,
        tone,
        tone_count,
    }
}

fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'a' | 'ă' | 'â' | 'e' | 'ê' | 'i' | 'o' | 'ô' | 'ơ' | 'u' | 'ư' | 'y'
    )
}

fn nucleus_takes(nucleus: &str, coda: &str) -> bool {
    if coda.is_empty() {
        return NUCLEI_OPEN.contains(&nucleus)
            || (NUCLEI_CLOSED.contains(&nucleus) && !VELAR_ONLY.contains(&nucleus));
    }
    if !NUCLEI_CLOSED.contains(&nucleus) {
        return false;
    }
    match coda {
        "ch" | "nh" => BEFORE_PALATAL.contains(&nucleus),
        "ng" | "c" => !NOT_BEFORE_VELAR.contains(&nucleus),
        _ => !VELAR_ONLY.contains(&nucleus),
    }
}

/// Whether the tone may sit on letter `at` (index into the nucleus) of
/// `nucleus` followed by `coda`: the vowel with a diacritic (â ê ô ơ ă ư; ơ
/// of ươ) carries it; otherwise the last vowel before a coda, the first of
/// an open pair and the middle of an open triple — with oa, oe, uy open also
/// on their second vowel (the old and new styles: hoà / hòa, thuý / thúy).
fn tone_fits(nucleus: &[char], coda: &str, at: usize) -> bool {
    let marked: Vec<usize> = nucleus
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c, 'ă' | 'â' | 'ê' | 'ô' | 'ơ' | 'ư'))
        .map(|(i, _)| i)
        .collect();
    if let Some(&last) = marked.last() {
        return at == last;
    }
    let n = nucleus.len();
    if !coda.is_empty() || n == 1 {
        return at == n - 1;
    }
    let text: String = nucleus.iter().collect();
    match n {
        2 if matches!(text.as_str(), "oa" | "oe" | "uy") => true,
        2 => at == 0,
        _ => at == 1,
    }
}

/// Whether `word` (letters only) is a well-formed Vietnamese syllable.
pub fn is_syllable(word: &str) -> bool {
    let t = split_tone(word);
    if t.tone_count > 1 || t.letters.is_empty() {
        return false;
    }
    let text: String = t.letters.iter().collect();
    let onsets = std::iter::once("").chain(ONSETS.iter().copied());
    for onset in onsets {
        let Some(rest) = text.strip_prefix(onset) else {
            continue;
        };
        let onset_len = onset.chars().count();
        for coda in std::iter::once("").chain(CODAS.iter().copied()) {
            let Some(nucleus) = rest.strip_suffix(coda) else {
                continue;
            };
            if nucleus.is_empty() || !nucleus_takes(nucleus, coda) {
                continue;
            }
            if !STOPS.contains(&coda) || matches!(t.tone, None | Some((ACUTE | DOT, _))) {
                let chars: Vec<char> = nucleus.chars().collect();
                let fits = match t.tone {
                    None => true,
                    Some((_, at)) => {
                        at >= onset_len
                            && at < onset_len + chars.len()
                            && tone_fits(&chars, coda, at - onset_len)
                    }
                };
                if fits {
                    return true;
                }
            }
        }
    }
    false
}

/// Why `word` cannot be a Vietnamese syllable, if a hard rule says so; see
/// the module doc. `None` for syllables and for shapes that cannot be judged.
pub fn violation(word: &str) -> Option<&'static str> {
    let t = split_tone(word);
    if t.tone_count > 1 {
        return Some("hai dấu thanh trong một âm tiết");
    }
    let (tone, _) = t.tone?;
    let letters = &t.letters;
    let first_vowel = letters.iter().position(|c| is_vowel(*c))?;
    let mut end = first_vowel;
    while end < letters.len() && is_vowel(letters[end]) {
        end += 1;
    }
    let onset: String = letters[..first_vowel].iter().collect();
    let mut cluster: String = letters[first_vowel..end].iter().collect();
    let coda: String = letters[end..].iter().collect();
    if !coda.is_empty() && !CODAS.contains(&coda.as_str()) {
        return None; // a coda Vietnamese has not: cannot judge
    }
    // The glide of "qu" and the i of "gi" belong to the onset.
    if (onset.ends_with('q') && cluster.starts_with('u'))
        || (onset.ends_with('g') && cluster.starts_with('i') && cluster.chars().count() > 1)
    {
        cluster = cluster.chars().skip(1).collect();
    }
    if STOPS.contains(&coda.as_str()) && !matches!(tone, ACUTE | DOT) {
        return Some("vần tắc (-c, -ch, -p, -t) chỉ mang dấu sắc hoặc nặng");
    }
    let known =
        NUCLEI_OPEN.contains(&cluster.as_str()) || NUCLEI_CLOSED.contains(&cluster.as_str());
    if !known {
        return Some("dấu thanh đặt trên tổ hợp nguyên âm không có trong tiếng Việt");
    }
    match coda.as_str() {
        "ch" | "nh" if !BEFORE_PALATAL.contains(&cluster.as_str()) => {
            Some("-ch, -nh chỉ đứng sau a, ê, i, y")
        }
        "ng" | "c" if NOT_BEFORE_VELAR.contains(&cluster.as_str()) => {
            Some("-ng, -c không đứng sau i, y, ê")
        }
        _ => None,
    }
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

/// Number of words of `text` that are Vietnamese syllables or words of the
/// official names.
pub fn syllable_count(text: &str) -> usize {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty() && (is_syllable(w) || super::lexicon::is_known(w)))
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
            "Boòng",
            "xoong",
            "moóc",
            "khuỷu",
            "quỳnh",
            "Thúy",
            "Thuý",
            "gì",
            "giếng",
            "thích",
            "học",
            "Bạch",
            "ếch",
            "kềnh",
            "Huệ",
            "Tuyết",
            "Ơt",
        ] {
            assert!(is_syllable(w), "{w}");
        }
        for w in [
            "Nguyeón", "Vaòn", "aâ", "thAịN", "xyz", "ééé", "Quúnh", "Cèc", "Dòch", "Vónh", "Phuò",
            "Hýng", "Xaị", "boo",
        ] {
            assert!(!is_syllable(w), "{w}");
        }
        for w in ["Nguyễn", "Vaòn", "Nguyễn", "Vaòn"] {
            assert_eq!(is_syllable_remembered(w), is_syllable(w), "{w}");
        }
    }

    #[test]
    fn impossible_words_name_their_rule_and_unjudgeable_ones_pass() {
        for w in ["Quúnh", "Cèc", "Dòch", "Vónh", "Phuò", "Hýng", "Nguyễến"] {
            assert!(violation(w).is_some(), "{w}");
        }
        // Syllables, toneless words, minority-language shapes.
        for w in [
            "Nguyễn", "Niê", "Mlô", "Êban", "Ksor", "Ơt", "Zuôich", "Hlưn", "Ktla", "Boòng",
        ] {
            assert_eq!(violation(w), None, "{w}");
        }
    }

    #[test]
    fn decomposed_input_reads_the_same() {
        for w in ["Nguyễn", "Cèc", "Thúy", "Phuò"] {
            let nfd: String = w.nfd().collect();
            assert_eq!(is_syllable(&nfd), is_syllable(w), "{w}");
            assert_eq!(violation(&nfd), violation(w), "{w}");
        }
    }
}
