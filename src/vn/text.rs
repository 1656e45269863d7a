//! `vn_text` (VN003) — Vietnamese text is clean: one normalisation, no
//! legacy-encoding mojibake, no invisible characters, no stray spaces, and
//! (for person names) every word in title case.
//!
//! Why: the sạch (clean) dimension. Matching a record against the National
//! Population Database by name fails when "Nguyễn" is stored decomposed, as
//! TCVN3 (`NguyÔn`), VNI (`Nguyeãn`), Windows-1258 read as Windows-1252
//! (`NguyêÞn`) or UTF-8 decoded twice (`Nguyá»…n`) — all still common in
//! exports of older provincial systems. Each problem has its own reason; the
//! suggestion is the value with every certain fix applied (invisible
//! characters removed, legacy encoding decoded, NFC, spaces trimmed and
//! collapsed, and title case for names).
//!
//! Sources: Unicode Standard Annex #15 (NFC); TCVN 5712:1993 (TCVN3) and the
//! VNI-Windows encoding, tables in `rules/reference/legacy_encodings.csv`
//! (see its SOURCES.md entry); Windows-1258 and Windows-1252 as defined by the
//! WHATWG Encoding Standard (via `encoding_rs`).
//!
//! ```toml
//! [[rules]]
//! id = "DC-014"
//! check = "vn_text"
//! column = "ho_ten"
//! name = true
//! dimension = "sach"
//! message = "Họ tên chưa chuẩn hoá (mã cũ, Unicode tổ hợp, khoảng trắng, chữ hoa)"
//! ```

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock};

use polars::prelude::Expr;
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use super::{Cell, Finding, row_udf};
use crate::contract::{CheckKind, Evaluation, ParseContext, PlanContext, RowCheck, params};
use crate::error::RuleError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VnText {
    pub column: String,
    /// A person's name: every word must be in title case.
    #[serde(default)]
    pub name: bool,
}

impl VnText {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let check: Self = params(table)?;
        ctx.known_column(&check.column)?;
        Ok(check)
    }

    fn plan(&self, ctx: &PlanContext) -> Result<RowCheck, RuleError> {
        let name = self.name;
        Ok(row_udf(
            vec![ctx.raw(&self.column)?],
            1,
            Arc::new(move |row| inspect(row[0].and_then(Cell::as_str).unwrap_or(""), name)),
        ))
    }
}

impl CheckKind for VnText {
    fn columns(&self) -> Vec<String> {
        vec![self.column.clone()]
    }

    fn evaluate(&self, ctx: &PlanContext, _applies: &Expr) -> Result<Evaluation, RuleError> {
        self.plan(ctx).map(Evaluation::from)
    }
}

struct Tables {
    letters: HashSet<char>,
    /// Mojibake sequence (1–2 chars) → letter.
    vni: HashMap<String, char>,
    tcvn3: HashMap<char, char>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let mut reader = csv::Reader::from_reader(
        include_str!("../../rules/reference/legacy_encodings.csv").as_bytes(),
    );
    let mut t = Tables {
        letters: HashSet::new(),
        vni: HashMap::new(),
        tcvn3: HashMap::new(),
    };
    for record in reader.records() {
        let r = record.expect("embedded table");
        let letter = r[0].chars().next().expect("letter");
        t.letters.insert(letter);
        t.vni.insert(r[1].to_string(), letter);
        if let Some(code) = r[2].chars().next() {
            t.tcvn3.insert(code, letter);
        }
    }
    t
});

/// The precomposed letters of Vietnamese as bits over U+0000–U+1FFF (they
/// all lie in Latin-1, Latin Extended-A/B and Latin Extended Additional):
/// one look-up per character on the hot path instead of a hash.
struct LetterBits([u64; LETTER_BITS_WORDS]);

const LETTER_BITS_WORDS: usize = 0x2000 / 64;

impl LetterBits {
    fn contains(&self, c: char) -> bool {
        let n = c as usize;
        n < LETTER_BITS_WORDS * 64 && self.0[n / 64] & (1 << (n % 64)) != 0
    }
}

static LETTER_BITS: LazyLock<LetterBits> = LazyLock::new(|| {
    let mut bits = [0u64; LETTER_BITS_WORDS];
    for &c in &TABLES.letters {
        let n = c as usize;
        assert!(n < LETTER_BITS_WORDS * 64, "letter {c} beyond U+1FFF");
        bits[n / 64] |= 1 << (n % 64);
    }
    LetterBits(bits)
});

/// Characters of the modifier position in VNI that are not letters of
/// Vietnamese; their presence (or an impossible vowel pair) marks VNI text.
fn is_vietnamese_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || LETTER_BITS.contains(c)
}

fn is_invisible(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
}

fn is_allowed_symbol(c: char) -> bool {
    c.is_ascii()
        || matches!(
            c,
            '–' | '—' | '‘' | '’' | '“' | '”' | '…' | '°' | '№' | '\u{00A0}'
        )
}

/// Looks like correct Vietnamese: only Vietnamese letters (precomposed),
/// ASCII and common symbols; no combining marks; no vowel pair that no
/// Vietnamese word has; no capital letter inside a lowercase word.
fn plausible(s: &str) -> bool {
    s.chars().all(|c| {
        is_vietnamese_letter(c) || (is_allowed_symbol(c) && !c.is_alphabetic()) || c.is_ascii()
    }) && !has_impossible_pair(s)
        && !has_inner_capital(s)
}

/// `aâ`, `eã`, `oê`… — a plain vowel followed by a marked one that can only
/// be VNI's "letter + modifier" bytes; in a word of an official name
/// ("Laêê") it is the name.
fn has_impossible_pair(s: &str) -> bool {
    s.split(|c: char| !c.is_alphabetic()).any(|w| {
        w.chars()
            .zip(w.chars().skip(1))
            .any(|(a, b)| impossible_pair(a, b))
            && !super::lexicon::is_known(w)
    })
}

fn impossible_pair(a: char, b: char) -> bool {
    let followers = match a {
        'a' | 'A' | 'e' | 'E' => "âáàåãäêéèúüëùøûõï",
        'o' | 'O' => "âåäêúüëùøûïõ",
        'u' | 'U' => "ùøûõïũụ",
        'y' | 'Y' | 'ô' | 'Ô' => "ùøûõï",
        _ => return false,
    };
    !b.is_ascii() && followers.contains(b.to_lowercase().next().unwrap_or(b))
}

/// A capital right after a lowercase letter where one of the two is not
/// ASCII (`ThÃ nh`): the mark of UTF-8 read as Windows-1252. Two ASCII
/// letters (`EaBar`, an official commune name) are no encoding damage.
fn has_inner_capital(s: &str) -> bool {
    s.chars()
        .zip(s.chars().skip(1))
        .any(|(a, b)| a.is_lowercase() && b.is_uppercase() && !(a.is_ascii() && b.is_ascii()))
}

/// Whether [`inspect`] would pass `value`, decided in one pass without
/// allocating for the common case: only printable ASCII and precomposed
/// Vietnamese letters, single spaces inside, no impossible vowel pair or
/// inner capital, every accented word a Vietnamese syllable, and (for names)
/// title case. Such text is NFC, has no invisible character, and cannot be
/// UTF-8 decoded twice (its Latin-1 letters are all lead bytes ≥ 0xC0 that
/// no continuation byte follows). `false` means "look closer", not "fails";
/// a property test holds this against the full inspection.
fn obviously_clean(value: &str, name: bool) -> bool {
    let mut prev: Option<char> = None;
    let mut word_start: Option<usize> = None;
    let mut word_ascii = true;
    let mut capital_expected = true;
    let word_ok = |word: &str, ascii: bool| ascii || super::syllable::is_syllable_remembered(word);
    for (at, c) in value.char_indices() {
        let letter = if c.is_ascii() {
            if !(' '..='~').contains(&c) {
                return false;
            }
            c.is_ascii_alphabetic()
        } else if LETTER_BITS.contains(c) {
            true
        } else {
            return false;
        };
        if c == ' ' && matches!(prev, None | Some(' ')) {
            return false;
        }
        if let Some(p) = prev
            && (impossible_pair(p, c) || (p.is_lowercase() && c.is_uppercase()))
        {
            return false;
        }
        if name {
            let cased = if capital_expected {
                !c.is_lowercase()
            } else {
                !c.is_uppercase()
            };
            if !cased {
                return false;
            }
            capital_expected = matches!(c, ' ' | '-' | '\'');
        }
        match (letter, word_start) {
            (true, None) => {
                word_start = Some(at);
                word_ascii = c.is_ascii();
            }
            (true, Some(_)) => word_ascii &= c.is_ascii(),
            (false, Some(start)) => {
                if !word_ok(&value[start..at], word_ascii) {
                    return false;
                }
                word_start = None;
            }
            (false, None) => {}
        }
        prev = Some(c);
    }
    if let Some(start) = word_start
        && !word_ok(&value[start..], word_ascii)
    {
        return false;
    }
    prev != Some(' ')
}

/// Text encoded as UTF-8, then decoded again as Windows-1252: `Nguyá»…n`.
fn decode_double_utf8(s: &str) -> Option<String> {
    if s.is_ascii() {
        return None;
    }
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(s);
    if unmappable {
        return None;
    }
    std::str::from_utf8(&bytes)
        .ok()
        .filter(|d| *d != s)
        .map(str::to_string)
}

/// Windows-1258 bytes read as Windows-1252: `NguyêÞn`.
fn decode_cp1258(s: &str) -> Option<String> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(s);
    if unmappable {
        return None;
    }
    let (text, _) = encoding_rs::WINDOWS_1258.decode_without_bom_handling(&bytes);
    let nfc: String = text.nfc().collect();
    (nfc != s).then_some(nfc)
}

fn decode_tcvn3(s: &str) -> Option<String> {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c
            } else {
                *TABLES.tcvn3.get(&c).unwrap_or(&c)
            }
        })
        .collect();
    (out != s).then_some(out)
}

fn decode_vni(s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if i + 1 < chars.len() {
            let pair: String = chars[i..i + 2].iter().collect();
            if let Some(l) = TABLES.vni.get(&pair) {
                out.push(*l);
                i += 2;
                continue;
            }
        }
        let one = chars[i].to_string();
        out.push(if chars[i].is_ascii() {
            chars[i]
        } else {
            TABLES.vni.get(&one).copied().unwrap_or(chars[i])
        });
        i += 1;
    }
    (out != s).then_some(out)
}

/// The legacy encoding `s` was garbled by, and the repaired text — only
/// when exactly one decoding yields plausible Vietnamese.
pub(crate) fn repair_mojibake(s: &str) -> Option<(&'static str, String)> {
    use super::syllable::syllable_count;
    // UTF-8 read as Windows-1252 only turns back into valid UTF-8 when it
    // really was that: try it even on text that looks fine.
    if let Some(d) = decode_double_utf8(s).filter(|d| plausible(d)) {
        return Some(("UTF-8 bị giải mã hai lần", d));
    }
    // Garbled text is either visibly wrong (letters Vietnamese has not) or
    // made of real letters in impossible words ("thaìn"): only then decode.
    // A word of an official name is never impossible ("Boòng", "Laêê").
    let impossible_word = s
        .split(|c: char| !c.is_alphabetic())
        .any(|w| !w.is_ascii() && syllable_count(w) == 0);
    if plausible(s) && !impossible_word {
        return None;
    }
    type Decoder = fn(&str) -> Option<String>;
    let candidates: [(&'static str, Decoder); 3] = [
        ("mã TCVN3 (ABC)", decode_tcvn3),
        ("mã VNI", decode_vni),
        ("mã Windows-1258", decode_cp1258),
    ];
    // Several decodings may give valid letters; the one with the most real
    // Vietnamese syllables wins if it improves on the input, and a tie
    // means we are not sure.
    // Words are split at spaces and punctuation, not at invisible
    // characters: TCVN3's "ư" is byte 0xAD, a soft hyphen to a Windows-1252
    // reader, and "L\u{AD}u" is one damaged word, not the words "L" and "u".
    let baseline = s
        .split(|c: char| !c.is_alphabetic() && !is_invisible(c))
        .filter(|w| plausible(w) && syllable_count(w) == 1)
        .count();
    let mut fits: Vec<(&'static str, String, usize)> = candidates
        .iter()
        .filter_map(|(name, f)| f(s).filter(|d| plausible(d)).map(|d| (*name, d)))
        .map(|(name, d)| {
            let score = syllable_count(&d);
            (name, d, score)
        })
        .filter(|(_, _, score)| *score > baseline)
        .collect();
    fits.sort_by_key(|(_, _, score)| std::cmp::Reverse(*score));
    match fits.as_slice() {
        [] => None,
        [(name, d, _)] => Some((name, d.clone())),
        [(name, d, best), (_, other, second), ..] if best > second || d == other => {
            Some((name, d.clone()))
        }
        _ => None,
    }
}

/// U+00AD with a letter on each side.
fn soft_hyphen_inside_word(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars
        .windows(3)
        .any(|w| w[1] == '\u{00AD}' && w[0].is_alphabetic() && w[2].is_alphabetic())
}

/// The first word that breaks a hard rule of Vietnamese syllables and is
/// no word of an official name, with the rule.
fn impossible_syllable(s: &str) -> Option<(String, &'static str)> {
    s.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_ascii())
        .find_map(|w| {
            let why = super::syllable::violation(w)?;
            (!super::lexicon::is_known(w)).then(|| (w.to_string(), why))
        })
}

/// Capital after a space, hyphen or apostrophe (ethnic-minority names such
/// as "H'Hen Niê", "Ksor H'Bla"), lowercase elsewhere.
fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = matches!(c, ' ' | '-' | '\'');
    }
    out
}

/// Checks one text value; the first problem found is the reason, and the
/// suggestion repairs all the certain ones.
pub fn inspect(value: &str, name: bool) -> Option<Finding> {
    if obviously_clean(value, name) {
        return None;
    }
    inspect_thoroughly(value, name)
}

fn inspect_thoroughly(value: &str, name: bool) -> Option<Finding> {
    let mut reasons: Vec<String> = Vec::new();
    let mut fixed = value.to_string();
    let mut certain = true;

    // Mojibake first: double-decoded UTF-8 contains C1 control characters
    // that are part of the damage, not separate problems.
    if let Some((encoding, repaired)) = repair_mojibake(&fixed) {
        reasons.push(format!("lỗi phông chữ: văn bản {encoding} hiển thị sai"));
        fixed = repaired;
    }
    if soft_hyphen_inside_word(&fixed) {
        // A soft hyphen between letters that no decoding explained: most
        // likely TCVN3's "ư" (byte 0xAD); deleting it would be a wrong fix.
        reasons.push(
            "có ký tự U+00AD giữa hai chữ cái: có thể là chữ 'ư' mã TCVN3 (ABC) hiển thị sai"
                .into(),
        );
        certain = false;
    } else if let Some(c) = fixed.chars().find(|c| is_invisible(*c)) {
        reasons.push(format!(
            "có ký tự điều khiển hoặc ký tự vô hình (U+{:04X})",
            c as u32
        ));
        fixed = fixed.chars().filter(|c| !is_invisible(*c)).collect();
    }
    let already_nfc = unicode_normalization::is_nfc_quick(fixed.chars())
        == unicode_normalization::IsNormalized::Yes;
    let nfc: String = if already_nfc {
        fixed.clone()
    } else {
        fixed.nfc().collect()
    };
    if nfc != fixed {
        reasons
            .push("chưa chuẩn hoá Unicode NFC (dấu tổ hợp rời hoặc lẫn hai kiểu chuẩn hoá)".into());
        fixed = nfc;
    }
    if let Some((word, why)) = impossible_syllable(&fixed) {
        reasons.push(format!(
            "từ '{word}' không thể là âm tiết tiếng Việt ({why}): có thể lỗi phông chữ hoặc gõ sai"
        ));
        certain = false;
    }
    if !plausible(&fixed.replace(char::is_whitespace, " ")) {
        let odd: String = fixed
            .chars()
            .filter(|c| !is_vietnamese_letter(*c) && !is_allowed_symbol(*c))
            .take(3)
            .collect();
        reasons.push(if odd.is_empty() {
            "chữ viết không hợp lệ (có thể lỗi phông chữ)".into()
        } else {
            format!("có ký tự ngoài bảng chữ tiếng Việt ('{odd}'), có thể lỗi phông chữ")
        });
        certain = false;
    }
    let spaced = fixed.replace('\u{00A0}', " ");
    let collapsed = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed != fixed {
        let what = if fixed.contains('\u{00A0}') {
            "có khoảng trắng không ngắt (NBSP)"
        } else if fixed.starts_with(char::is_whitespace) || fixed.ends_with(char::is_whitespace) {
            "thừa khoảng trắng ở đầu hoặc cuối"
        } else {
            "có khoảng trắng kép hoặc ký tự tab giữa các từ"
        };
        reasons.push(what.into());
        fixed = collapsed;
    }
    if name {
        let titled = title_case(&fixed);
        if titled != fixed {
            reasons.push("họ tên chưa viết hoa chữ cái đầu mỗi từ".into());
            fixed = titled;
        }
    }
    let detail = reasons.into_iter().next()?;
    Some(if certain && fixed != value {
        Finding::suggest(detail, fixed)
    } else {
        Finding::new(detail)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn letters() -> Vec<char> {
        let mut v: Vec<char> = TABLES.letters.iter().copied().collect();
        v.sort_unstable();
        v
    }

    fn tcvn3_of(s: &str) -> Option<String> {
        let reverse: HashMap<char, char> = TABLES.tcvn3.iter().map(|(k, v)| (*v, *k)).collect();
        s.chars()
            .map(|c| {
                if c.is_ascii() {
                    Some(c)
                } else {
                    reverse.get(&c).copied()
                }
            })
            .collect()
    }

    fn vni_of(s: &str) -> String {
        let reverse: HashMap<char, &String> = TABLES.vni.iter().map(|(k, v)| (*v, k)).collect();
        s.chars()
            .map(|c| {
                if c.is_ascii() {
                    c.to_string()
                } else {
                    reverse[&c].clone()
                }
            })
            .collect()
    }

    fn double_utf8_of(s: &str) -> String {
        encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(s.as_bytes())
            .0
            .into_owned()
    }

    /// Windows-1258 keeps quality marks precomposed (ê, ơ…) and writes tones
    /// as combining marks after them.
    fn cp1258_of(s: &str) -> Option<String> {
        let tones = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];
        let mut split = String::new();
        for c in s.chars() {
            let d: String = c.to_string().nfd().collect();
            let base: String = d
                .chars()
                .filter(|c| !tones.contains(c))
                .collect::<String>()
                .nfc()
                .collect();
            split.push_str(&base);
            split.extend(d.chars().filter(|c| tones.contains(c)));
        }
        let (bytes, _, bad) = encoding_rs::WINDOWS_1258.encode(&split);
        (!bad).then(|| {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(&bytes)
                .0
                .into_owned()
        })
    }

    #[test]
    fn the_tables_cover_every_letter_with_every_tone() {
        assert_eq!(TABLES.letters.len(), 134);
        assert_eq!(TABLES.vni.len(), 134);
        assert_eq!(TABLES.tcvn3.len(), 74);
        for base in ['a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y'] {
            for tone in ['\u{300}', '\u{301}', '\u{309}', '\u{303}', '\u{323}'] {
                for c in [base, base.to_uppercase().next().unwrap()] {
                    let letter: String = format!("{c}{tone}").nfc().collect();
                    assert!(
                        TABLES.letters.contains(&letter.chars().next().unwrap()),
                        "{letter}"
                    );
                }
            }
        }
    }

    /// Every letter, in a word, through every legacy encoding: the garbled
    /// form is repaired — unless the garbled form is itself correct-looking
    /// Vietnamese (TCVN3 writes "ó" as the byte of "ã", so "thón" becomes the
    /// real word "thãn"); such a word alone cannot be told from clean text,
    /// and must then not be "repaired" into something else either.
    #[test]
    fn every_letter_round_trips_through_each_legacy_encoding() {
        let mut repaired = 0;
        let mut undetectable = Vec::new();
        let mut ambiguous = Vec::new();
        for l in letters() {
            let word = match (l, l.is_uppercase()) {
                ('đ', _) => "đan".to_string(),
                ('Đ', _) => "ĐAN".to_string(),
                (_, true) => format!("TH{l}N"),
                (_, false) => format!("th{l}n"),
            };
            let d = double_utf8_of(&word);
            assert_eq!(
                inspect(&d, false).and_then(|f| f.suggestion),
                Some(word.clone()),
                "double UTF-8 {word} as {d}"
            );
            let mut garbled = vec![("VNI", vni_of(&word))];
            if l.is_lowercase() || "ĂÂÊÔƠƯĐ".contains(l) {
                garbled.push(("TCVN3", tcvn3_of(&word).expect("TCVN3 code")));
            }
            if let Some(c) = cp1258_of(&word) {
                garbled.push(("Windows-1258", c));
            }
            for (encoding, g) in garbled {
                if g == word {
                    continue;
                }
                let finding = inspect(&g, false);
                let suggestion = finding.as_ref().and_then(|f| f.suggestion.clone());
                if finding.is_none() {
                    // The garbled form is itself a real Vietnamese word.
                    undetectable.push(g.clone());
                } else if suggestion.is_none() {
                    // Flagged, but two encodings give equally good words: no fix offered.
                    ambiguous.push(g.clone());
                } else {
                    assert_eq!(suggestion, Some(word.clone()), "{encoding} {word} as {g}");
                    repaired += 1;
                }
            }
        }
        eprintln!(
            "repaired {repaired}, ambiguous {}, undetectable {}",
            ambiguous.len(),
            undetectable.len()
        );
        assert!(repaired > 250, "{repaired} repaired");
        assert!(ambiguous.len() < 30, "{ambiguous:?}");
        assert!(undetectable.len() < 40, "{undetectable:?}");
    }

    #[test]
    fn examples_from_real_exports() {
        let f = inspect("NguyÔn V¨n An", true).unwrap();
        assert!(f.detail.contains("TCVN3"), "{}", f.detail);
        assert_eq!(f.suggestion.as_deref(), Some("Nguyễn Văn An"));
        let f = inspect("Nguyeãn Vaên An", true).unwrap();
        assert!(f.detail.contains("VNI"), "{}", f.detail);
        assert_eq!(f.suggestion.as_deref(), Some("Nguyễn Văn An"));
        let f = inspect("Nguyá»…n VÄƒn An", true).unwrap();
        assert!(f.detail.contains("hai lần"), "{}", f.detail);
        assert_eq!(f.suggestion.as_deref(), Some("Nguyễn Văn An"));
        let garbled = cp1258_of("Nguyễn Văn An").unwrap();
        let f = inspect(&garbled, true).unwrap();
        assert!(f.detail.contains("1258"), "{garbled}: {}", f.detail);
        assert_eq!(f.suggestion.as_deref(), Some("Nguyễn Văn An"));
    }

    #[test]
    fn each_problem_has_its_own_reason() {
        let decomposed: String = "Nguyễn".nfd().collect();
        let f = inspect(&decomposed, false).unwrap();
        assert!(f.detail.contains("NFC"));
        assert_eq!(f.suggestion.as_deref(), Some("Nguyễn"));
        let f = inspect("Lê Văn\u{200B}", false).unwrap();
        assert!(f.detail.contains("U+200B"));
        assert_eq!(f.suggestion.as_deref(), Some("Lê Văn"));
        assert!(
            inspect(" Lê Văn", false)
                .unwrap()
                .detail
                .contains("đầu hoặc cuối")
        );
        let f = inspect("Lê  Văn", false).unwrap();
        assert!(f.detail.contains("kép"));
        assert_eq!(f.suggestion.as_deref(), Some("Lê Văn"));
        assert!(
            inspect("Lê\u{00A0}Văn", false)
                .unwrap()
                .detail
                .contains("NBSP")
        );
        let f = inspect("nguyễn VĂN an", true).unwrap();
        assert!(f.detail.contains("viết hoa"));
        assert_eq!(f.suggestion.as_deref(), Some("Nguyễn Văn An"));
        let f = inspect("Müller", false).unwrap();
        assert!(f.detail.contains("ngoài bảng chữ"));
        assert_eq!(f.suggestion, None, "no certain fix");
    }

    #[test]
    fn tcvn3_u_horn_is_decoded_never_deleted() {
        // TCVN3 "ư" is byte 0xAD: a soft hyphen to a Windows-1252 reader.
        let f = inspect("Tr\u{AD}êng Chinh", false).expect("damage found");
        assert_eq!(
            f.suggestion.as_deref(),
            Some("Trường Chinh"),
            "{}",
            f.detail
        );
        // A soft hyphen between letters that no decoding explains is not
        // deleted with certainty.
        let f = inspect("Ab\u{AD}cd", false).expect("found");
        assert_eq!(f.suggestion, None, "{}", f.detail);
        assert!(f.detail.contains("U+00AD"), "{}", f.detail);
        // Between words it is a stray character, removed.
        let f = inspect("An \u{AD}Bình", false).expect("found");
        assert_eq!(f.suggestion.as_deref(), Some("An Bình"));
    }

    #[test]
    fn words_that_cannot_be_vietnamese_are_flagged_without_a_fix() {
        // Each is found. These are classic legacy-encoding damage, and one
        // decoding turns each into real syllables: that is the fix.
        for (s, fixed) in [
            ("Quúnh", "Quỳnh"),
            ("Cèc", "Cốc"),
            ("Dòch", "Dịch"),
            ("Vónh", "Vĩnh"),
            ("Phuò", "Phụ"),
            ("Hýng", "Hưng"),
            ("Nguyễn Thị Quúnh", "Nguyễn Thị Quỳnh"),
        ] {
            let f = inspect(s, true).unwrap_or_else(|| panic!("{s} passed"));
            assert_eq!(f.suggestion.as_deref(), Some(fixed), "{s}: {}", f.detail);
        }
        // What no decoding explains is reported as impossible, with no fix.
        for w in ["Cèc", "Dòch", "Vónh", "Phuò", "Hýng", "Quúnh"] {
            let (word, _) = impossible_syllable(w).unwrap_or_else(|| panic!("{w}"));
            assert_eq!(word, w);
        }
        let f = inspect("Bùt Lâm", false).expect("found");
        assert!(
            f.detail.contains("không thể là âm tiết") || f.suggestion.is_some(),
            "{}",
            f.detail
        );
        if f.suggestion.is_none() {
            assert!(f.detail.contains("'Bùt'"), "{}", f.detail);
        }
        // Official names that break the rules are the exceptions.
        for s in ["Xã Ia Boòng", "Xã EaBar", "Xã Laêê", "Xã Zuôich", "Nà Ơt"] {
            assert_eq!(inspect(s, false), None, "{s}");
        }
    }

    #[test]
    fn clean_vietnamese_is_never_flagged() {
        for s in [
            "Nguyễn Văn An",
            "Hoàng Thị Thuỷ",
            "Hoà",
            "Hòa Bình",
            "Thìn",
            "Khoá",
            "Quyết",
            "Huyền",
            "Đặng Thị Ngọc Ánh",
            "Phường Hồng Hà",
            "Xã Ea H'Leo",
            "Nguyễn Thị Ngoãn",
            "Quân",
            "Tuấn",
            "Nghiêm",
            "Khuê",
            "Thuở",
            "Người",
            "Giữa",
            "Ngoạn",
            "Toàn",
            "Hoằng",
            "Xoè",
            "H'Hen Niê",
            "Ksor H'Bla",
        ] {
            assert_eq!(inspect(s, true), None, "{s}");
        }
        for s in [
            "Số 12, ngõ 34/5 – Tổ 7",
            "thôn Đông, xã Hoà Bình",
            "ngày 05/3/2024",
        ] {
            assert_eq!(inspect(s, false), None, "{s}");
        }
    }

    #[test]
    fn clean_names_and_addresses_take_the_fast_path() {
        // Every name the synthetic-data generator can make (its name parts,
        // read from its source: the validator does not depend on it).
        let source = include_str!("../../crates/ddss-generate/src/names.rs");
        let list = |name: &str| -> Vec<String> {
            let start = source
                .find(&format!("pub const {name}:"))
                .unwrap_or_else(|| panic!("{name} not in names.rs"));
            let body = &source[start..];
            let body = &body[body.find("= [").expect("array") + 3..body.find("];").expect("end")];
            let parts: Vec<String> = body
                .split('"')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect();
            assert!(!parts.is_empty(), "{name}");
            parts
        };
        let (middle_male, middle_female) = (list("MIDDLE_MALE"), list("MIDDLE_FEMALE"));
        let (given_male, given_female) = (list("GIVEN_MALE"), list("GIVEN_FEMALE"));
        for family in list("FAMILY") {
            for middle in middle_male.iter().chain(&middle_female) {
                for given in given_male.iter().chain(&given_female) {
                    let name = format!("{family} {middle} {given}");
                    assert!(obviously_clean(&name, true), "{name}");
                }
            }
        }
        for s in [
            "Xã Ea H'Leo",
            "Ksor H'Bla",
            "thôn Đông, xã Hoà Bình",
            "Số 12, ngõ 34/5",
        ] {
            assert!(
                obviously_clean(s, s.starts_with(char::is_uppercase) && !s.contains(',')),
                "{s}"
            );
        }
        for s in [
            "Nguyễn  Văn An",
            " An",
            "An ",
            "nguyễn Văn An",
            "NguyÔn",
            "Nguyá»…n",
            "Nguyeãn",
            "Nguye\u{301}n",
            "An\u{200B}",
            "Müller",
            "Bình\tAn",
        ] {
            assert!(!obviously_clean(s, true), "{s:?}");
        }
    }

    proptest! {
        // Cheap cases, and rare counterexamples ("aõ"): many of them.
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// The fast path never passes what the full inspection flags:
        /// strings over clean letters, mojibake, combining marks, invisible
        /// characters, odd spaces and case.
        #[test]
        fn the_fast_path_agrees_with_the_full_inspection(
            tokens in proptest::collection::vec(prop_oneof![
                6 => proptest::sample::select(vec![
                    "Nguyễn", "nguyễn", "Văn", "văn", "Thị", "Hoà", "hòa", "An", "an", "Ea", "H'Leo",
                    "Đông", "Ngoãn", "Người", "KHOA", "ThỊ", "Aâ", "oê", "Ea", "ngõ", "Trần", "Nguyeón", "Vaòn",
                ]),
                4 => proptest::sample::select(vec![" ", " ", "-", "'", ",", "1", "a", "A", "ễ", "Ễ", "ô", "Ô"]),
                1 => proptest::sample::select(vec![
                    "Þ", "ø", "å", "ä", "ï", "õ", "û", "»", "…", "Ã", "¡", "Â", "\u{301}", "\u{303}",
                    "\u{200B}", "\u{A0}", "\t", "ß", "Ÿ", "NguyÔn", "Nguyá»…n", "Nguyeãn", "ThÞ",
                ]),
            ], 0..8),
            name in any::<bool>(),
        ) {
            let s: String = tokens.concat();
            if obviously_clean(&s, name) {
                prop_assert_eq!(inspect_thoroughly(&s, name), None, "{:?}", s);
            }
        }
    }

    proptest! {

        #[test]
        fn nfc_names_from_the_alphabet_never_fail(words in proptest::collection::vec(
            proptest::sample::select(vec!["Nguyễn", "Trần", "Lê", "Phạm", "Văn", "Thị", "Ngọc", "Hương", "Đức", "Thuỷ", "Hoà", "Yến", "Ánh", "Quốc", "Khoa"]), 1..5)
        ) {
            let name = words.join(" ");
            prop_assert_eq!(inspect(&name, true), None);
        }

        #[test]
        fn any_nfc_string_passes_the_nfc_part(s in "\\PC{0,20}") {
            let nfc: String = s.nfc().collect();
            let reason = inspect(&nfc, false).map(|f| f.detail).unwrap_or_default();
            prop_assert!(!reason.contains("NFC"), "{:?}: {}", nfc, reason);
        }
    }
}
