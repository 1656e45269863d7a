//! The fixes a rule may declare (`fix = …` in a rule pack) and the
//! candidate value each proposes for a failing cell.
//!
//! A fix only *proposes*: `ddss fix` (`crate::fix`) keeps a candidate only when it
//! is the one candidate and the corrected row then passes every rule that
//! touches the column. Each kind below says what makes its candidate unique.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeDelta};
use unicode_normalization::UnicodeNormalization;

/// One declared fix.
#[derive(Debug, Clone, PartialEq)]
pub enum FixSpec {
    /// The check's own correction, where it reports one (`ddss checks
    /// --explain CODE` says when): the `cccd` check's lost leading zero,
    /// `vn_text`'s repaired text, `admin_unit`'s one successor of an
    /// abolished commune code, `tax_code`'s missing dash. A check offers a
    /// correction only when it is certain.
    Suggested,
    /// `"0"` + the value, for a value of digits only: a spreadsheet that read
    /// an ID as a number dropped its leading zero (every CCCD starts with 0,
    /// province codes 001–096).
    RestoreLeadingZero,
    /// The value in Unicode NFC (composed): same text, one encoding.
    Nfc,
    /// Text in a legacy Vietnamese encoding (TCVN3, VNI) or UTF-8 decoded
    /// twice, decoded back — only when exactly one decoding yields
    /// Vietnamese text (`vn_text`'s tables).
    LegacyEncoding,
    /// Leading, trailing and repeated spaces (and no-break spaces) removed.
    TrimSpaces,
    /// The value is a date in another common form — `d/m/yyyy`, `d-m-yyyy`,
    /// `d.m.yyyy`, `yyyy-mm-dd`, `d/m/yy`, or an Excel serial number —
    /// rewritten in `format`. A two-digit year is read in the century that
    /// does not put the date after the as-of date; when both readings are
    /// plausible, there is no fix.
    DateFormat(String),
    /// Exact replacements (`{ map = { "nam" = "Nam", "M" = "Nam" } }`).
    Map(BTreeMap<String, String>),
}

/// What a fix proposes for one cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Candidate {
    /// Nothing to propose (the fix does not apply to this value).
    None,
    One(String),
    /// Several equally possible values: never applied, listed for review.
    Several(Vec<String>),
}

impl Candidate {
    /// The values proposed (none, one or several).
    pub fn values(self) -> impl Iterator<Item = String> {
        match self {
            Candidate::None => vec![],
            Candidate::One(v) => vec![v],
            Candidate::Several(vs) => vs,
        }
        .into_iter()
    }
}

impl FixSpec {
    /// Parses the `fix` key of a rule.
    pub fn parse(value: &toml::Value) -> Result<FixSpec, String> {
        const NAMES: &str = "\"suggested\", \"restore_leading_zero\", \"nfc\", \"legacy_encoding\", \"trim_spaces\", \
             { date_format = \"%d/%m/%Y\" } or { map = { \"from\" = \"to\" } }";
        match value {
            toml::Value::String(name) => match name.as_str() {
                "suggested" => Ok(FixSpec::Suggested),
                "restore_leading_zero" => Ok(FixSpec::RestoreLeadingZero),
                "nfc" => Ok(FixSpec::Nfc),
                "legacy_encoding" => Ok(FixSpec::LegacyEncoding),
                "trim_spaces" => Ok(FixSpec::TrimSpaces),
                other => Err(format!("unknown fix '{other}' (valid: {NAMES})")),
            },
            toml::Value::Table(table) if table.len() == 1 => {
                let (key, inner) = table.iter().next().expect("one entry");
                match (key.as_str(), inner) {
                    ("date_format", toml::Value::String(f)) => {
                        use chrono::format::{Item, StrftimeItems};
                        if StrftimeItems::new(f).any(|i| matches!(i, Item::Error)) {
                            return Err(format!(
                                "fix date_format '{f}' is not a date format (use e.g. \"%d/%m/%Y\")"
                            ));
                        }
                        let probe = NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
                        let shown = probe.format(f).to_string();
                        if NaiveDate::parse_from_str(&shown, f) != Ok(probe) {
                            return Err(format!(
                                "fix date_format '{f}' cannot write and read back a date (use e.g. \"%d/%m/%Y\")"
                            ));
                        }
                        Ok(FixSpec::DateFormat(f.clone()))
                    }
                    ("map", toml::Value::Table(pairs)) => pairs
                        .iter()
                        .map(|(from, to)| match to {
                            toml::Value::String(to) => Ok((from.clone(), to.clone())),
                            _ => Err(format!("fix map: '{from}' must map to a string")),
                        })
                        .collect::<Result<_, _>>()
                        .map(FixSpec::Map),
                    _ => Err(format!("unknown fix {{ {key} = … }} (valid: {NAMES})")),
                }
            }
            _ => Err(format!("fix must be one of {NAMES}")),
        }
    }

    /// Its name in change logs.
    pub fn name(&self) -> &'static str {
        match self {
            FixSpec::Suggested => "suggested",
            FixSpec::RestoreLeadingZero => "restore_leading_zero",
            FixSpec::Nfc => "nfc",
            FixSpec::LegacyEncoding => "legacy_encoding",
            FixSpec::TrimSpaces => "trim_spaces",
            FixSpec::DateFormat(_) => "date_format",
            FixSpec::Map(_) => "map",
        }
    }

    /// The candidate for `value`, a cell that failed the rule; `suggestion`
    /// is the check's own correction for it, if any.
    pub fn candidate(&self, value: &str, suggestion: Option<&str>, as_of: NaiveDate) -> Candidate {
        let changed = |v: String| {
            if v != value && !v.is_empty() {
                Candidate::One(v)
            } else {
                Candidate::None
            }
        };
        match self {
            FixSpec::Suggested => suggestion.map_or(Candidate::None, |s| changed(s.to_string())),
            FixSpec::RestoreLeadingZero => {
                if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
                    changed(format!("0{value}"))
                } else {
                    Candidate::None
                }
            }
            FixSpec::Nfc => changed(value.nfc().collect()),
            FixSpec::LegacyEncoding => crate::vn::text::repair_mojibake(value)
                .map_or(Candidate::None, |(_, repaired)| changed(repaired)),
            FixSpec::TrimSpaces => changed(
                value
                    .replace('\u{00A0}', " ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            FixSpec::DateFormat(format) => {
                let mut dates = date_readings(value.trim(), as_of);
                dates.sort_unstable();
                dates.dedup();
                match dates.as_slice() {
                    [] => Candidate::None,
                    [one] => changed(one.format(format).to_string()),
                    several => Candidate::Several(
                        several
                            .iter()
                            .map(|d| d.format(format).to_string())
                            .collect(),
                    ),
                }
            }
            FixSpec::Map(pairs) => pairs
                .get(value)
                .or_else(|| pairs.get(value.trim()))
                .map_or(Candidate::None, |to| changed(to.clone())),
        }
    }
}

/// Day-first readings of `text` as a date no later than `as_of`.
fn date_readings(text: &str, as_of: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    for format in ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(text, format) {
            // A four-digit year written as such: "5/3/26" must not parse as
            // year 26 here.
            if d.format("%Y").to_string().len() == 4 && text.contains(&d.format("%Y").to_string()) {
                out.push(d);
            }
        }
    }
    // d/m/yy: the century that does not put the date in the future; both
    // readings kept when both are in the past (a birth in 1926 or 2026?).
    let parts: Vec<&str> = text.split(['/', '-', '.']).collect();
    if let [d, m, y] = parts.as_slice() {
        if y.len() == 2
            && [d, m, y]
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            let (d, m, y): (u32, u32, i32) = (
                d.parse().unwrap_or(0),
                m.parse().unwrap_or(0),
                y.parse().unwrap_or(0),
            );
            for century in [1900, 2000] {
                if let Some(date) = NaiveDate::from_ymd_opt(century + y, m, d) {
                    if date <= as_of {
                        out.push(date);
                    }
                }
            }
        }
    }
    // An Excel serial number (the 1900 date system, days since 1899-12-30),
    // in the range of dates records hold: 1900-03-01 (61) to the as-of date.
    if !text.is_empty() && text.len() <= 6 && text.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = text.parse::<i64>() {
            let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).expect("date");
            if let Some(date) = epoch.checked_add_signed(TimeDelta::days(n)) {
                if n >= 61 && date <= as_of {
                    out.push(date);
                }
            }
        }
    }
    out.retain(|d| *d <= as_of);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
    }

    fn fix(text: &str) -> FixSpec {
        let value: toml::Value =
            toml::from_str::<toml::Table>(&format!("fix = {text}")).unwrap()["fix"].clone();
        FixSpec::parse(&value).unwrap()
    }

    #[test]
    fn each_kind_proposes_its_one_candidate() {
        let one = |s: &str| Candidate::One(s.to_string());
        assert_eq!(
            fix("\"restore_leading_zero\"").candidate("79203012345", None, as_of()),
            one("079203012345")
        );
        assert_eq!(
            fix("\"restore_leading_zero\"").candidate("A7920", None, as_of()),
            Candidate::None
        );
        assert_eq!(
            fix("\"nfc\"").candidate("Nguye\u{302}\u{303}n", None, as_of()),
            one("Nguyễn")
        );
        assert_eq!(
            fix("\"trim_spaces\"").candidate(" Lê  Văn\u{a0}An ", None, as_of()),
            one("Lê Văn An")
        );
        assert_eq!(
            fix("\"legacy_encoding\"").candidate("LÃª Kim Lan", None, as_of()),
            one("Lê Kim Lan")
        );
        assert_eq!(
            fix("\"suggested\"").candidate("x", Some("y"), as_of()),
            one("y")
        );
        assert_eq!(
            fix("\"suggested\"").candidate("x", None, as_of()),
            Candidate::None
        );
        let map = fix("{ map = { \"nam\" = \"Nam\", \"M\" = \"Nam\" } }");
        assert_eq!(map.candidate("M", None, as_of()), one("Nam"));
        assert_eq!(map.candidate("Nam", None, as_of()), Candidate::None);
        assert_eq!(map.candidate("F", None, as_of()), Candidate::None);
    }

    #[test]
    fn dates_are_rewritten_only_when_one_reading_is_possible() {
        let f = fix("{ date_format = \"%d/%m/%Y\" }");
        let one = |s: &str| Candidate::One(s.to_string());
        assert_eq!(f.candidate("2024-03-05", None, as_of()), one("05/03/2024"));
        assert_eq!(f.candidate("5/3/2024", None, as_of()), one("05/03/2024"));
        assert_eq!(f.candidate("05.03.2024", None, as_of()), one("05/03/2024"));
        // Excel serial 45356 = 2024-03-05.
        assert_eq!(f.candidate("45356", None, as_of()), one("05/03/2024"));
        // 5/3/99 can only be 1999; 5/3/24 could be 1924 or 2024.
        assert_eq!(f.candidate("5/3/99", None, as_of()), one("05/03/1999"));
        assert_eq!(
            f.candidate("5/3/24", None, as_of()),
            Candidate::Several(vec!["05/03/1924".into(), "05/03/2024".into()])
        );
        assert_eq!(f.candidate("31/02/2024", None, as_of()), Candidate::None);
        assert_eq!(
            f.candidate("05/03/2024", None, as_of()),
            Candidate::None,
            "already right"
        );
    }

    #[test]
    fn bad_specs_say_what_is_valid() {
        let e = FixSpec::parse(&toml::Value::String("nfkc".into())).unwrap_err();
        assert!(e.contains("nfkc") && e.contains("trim_spaces"), "{e}");
        let bad: toml::Value =
            toml::from_str::<toml::Table>("fix = { date_format = \"%Q\" }").unwrap()["fix"].clone();
        assert!(FixSpec::parse(&bad).is_err());
    }

    proptest! {
        /// Applying a fix to its own output proposes nothing more: fixing
        /// twice equals fixing once.
        #[test]
        fn a_fixed_value_needs_no_second_fix(s in "[ a-zA-Z0-9/\\-\\.\u{a0}\u{300}-\u{303}ăâêôơưđ]{0,20}") {
            for spec in [FixSpec::Nfc, FixSpec::TrimSpaces, FixSpec::DateFormat("%d/%m/%Y".into())] {
                if let Candidate::One(fixed) = spec.candidate(&s, None, as_of()) {
                    prop_assert_eq!(spec.candidate(&fixed, None, as_of()), Candidate::None, "{:?}", spec);
                }
            }
        }
    }
}
