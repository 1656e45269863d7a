//! `cccd` (VN001) — the personal identification number (số định danh cá
//! nhân, printed on the CCCD card) is well-formed and agrees with the
//! person's record.
//!
//! Sources: Nghị định 137/2015/NĐ-CP Điều 13 (structure); Thông tư
//! 07/2016/TT-BCA Điều 7 and Phụ lục I (birthplace and gender/century
//! codes; replaced by Thông tư 59/2021/TT-BCA with the same structure);
//! Luật Căn cước 2023 Điều 12 (the 12-digit number is kept).
//!
//! Structure: 3-digit birthplace code + 1 gender/century digit (0/1 =
//! male/female born 1900–1999, 2/3 = 2000–2099, 4/5 = 2100–2199, …) + last 2
//! digits of the birth year + 6 random digits. Parts (`parts`, default all):
//! - `format` — 12 ASCII digits; reported separately: a number Excel turned
//!   into a float (`1.23E+11`, `1,23457E+11`), 11 digits (a lost leading
//!   zero; the suggestion restores it), other lengths, non-digits. With
//!   `accept_cmnd = true` a 9-digit legacy CMND number passes this part.
//! - `birthplace` — the prefix is in the official list. Citizens registered
//!   abroad get codes that are not published, so packs usually give this part
//!   its own rule with `severity = "warn"` ("needs review").
//! - `gender_century` — digit 4 agrees with `gender_column` ("Nam"/"Nữ") and
//!   the century of `birth_date_column`.
//! - `birth_year` — digits 5–6 equal the birth year's last two digits.
//!
//! A part whose inputs are missing is not evaluated; a badly formed number is
//! reported by `format` only.
//!
//! ```toml
//! [[rules]]
//! id = "DC-002"
//! check = "cccd"
//! column = "so_dinh_danh"
//! gender_column = "gioi_tinh"
//! birth_date_column = "ngay_sinh"
//! parts = ["format", "gender_century", "birth_year"]
//! dimension = "dung"
//! message = "Số định danh cá nhân không hợp lệ"
//! ```

use std::sync::Arc;

use chrono::Datelike;
use polars::prelude::Expr;
use serde::Deserialize;

use super::reference::REFERENCE;
use super::{Cell, Finding, row_udf};
use crate::contract::{CheckKind, Evaluation, ParseContext, PlanContext, RowCheck, params};
use crate::error::RuleError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Format,
    Birthplace,
    GenderCentury,
    BirthYear,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cccd {
    pub column: String,
    #[serde(default)]
    pub gender_column: Option<String>,
    /// The gender every row of the dataset has ("Nam" or "Nữ"), where the
    /// dataset says it by its nature rather than in a column: the husband's
    /// and the wife's IDs on a marriage record.
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub birth_date_column: Option<String>,
    #[serde(default = "all_parts")]
    pub parts: Vec<Part>,
    #[serde(default)]
    pub accept_cmnd: bool,
}

fn all_parts() -> Vec<Part> {
    vec![
        Part::Format,
        Part::Birthplace,
        Part::GenderCentury,
        Part::BirthYear,
    ]
}

impl Cccd {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let check: Self = params(table)?;
        ctx.known_column(&check.column)?;
        if let Some(g) = &check.gender_column {
            ctx.known_column(g)?;
        }
        if let Some(g) = &check.gender {
            if check.gender_column.is_some() {
                return Err("give either 'gender' (one for every row) or 'gender_column'".into());
            }
            if record_is_female(g.trim()).is_none() {
                return Err(format!("gender '{g}' is neither \"Nam\" nor \"Nữ\""));
            }
        }
        if let Some(b) = &check.birth_date_column {
            ctx.known_column(b)?;
            if !ctx.column_type(b).is_temporal() {
                return Err(format!(
                    "birth_date_column '{b}' must be declared as a date"
                ));
            }
        }
        if check.parts.is_empty() {
            return Err(
                "'parts' is empty: give some of format, birthplace, gender_century, birth_year"
                    .into(),
            );
        }
        if check.parts.contains(&Part::GenderCentury)
            && check.gender_column.is_none()
            && check.gender.is_none()
            && check.birth_date_column.is_none()
        {
            return Err(
                "part gender_century needs gender_column (or gender) and/or birth_date_column"
                    .into(),
            );
        }
        if check.parts.contains(&Part::BirthYear) && check.birth_date_column.is_none() {
            return Err("part birth_year needs birth_date_column".into());
        }
        Ok(check)
    }

    fn plan(&self, ctx: &PlanContext) -> Result<RowCheck, RuleError> {
        let mut inputs = vec![ctx.raw(&self.column)?];
        let gender_at = self
            .gender_column
            .as_ref()
            .map(|g| {
                ctx.raw(g).map(|e| {
                    inputs.push(e);
                    inputs.len() - 1
                })
            })
            .transpose()?;
        let birth_at = self
            .birth_date_column
            .as_ref()
            .map(|b| {
                ctx.typed(b).map(|e| {
                    inputs.push(e);
                    inputs.len() - 1
                })
            })
            .transpose()?;
        let spec = self.clone();
        Ok(row_udf(
            inputs,
            1,
            Arc::new(move |row: &[Option<Cell>]| {
                let gender = gender_at
                    .and_then(|i| row[i]?.as_str())
                    .or(spec.gender.as_deref());
                let birth_year = birth_at.and_then(|i| Some(row[i]?.date()?.year()));
                inspect(
                    row[0].and_then(Cell::as_str).unwrap_or(""),
                    gender,
                    birth_year,
                    &spec.parts,
                    spec.accept_cmnd,
                )
            }),
        ))
    }
}

impl CheckKind for Cccd {
    fn columns(&self) -> Vec<String> {
        std::iter::once(self.column.clone())
            .chain(self.gender_column.clone())
            .chain(self.birth_date_column.clone())
            .collect()
    }

    fn evaluate(&self, ctx: &PlanContext, _applies: &Expr) -> Result<Evaluation, RuleError> {
        self.plan(ctx).map(Evaluation::from)
    }
}

/// Checks one ID. `gender` is the record's text ("Nam"/"Nữ"), `birth_year`
/// its year of birth.
pub fn inspect(
    value: &str,
    gender: Option<&str>,
    birth_year: Option<i32>,
    parts: &[Part],
    accept_cmnd: bool,
) -> Option<Finding> {
    let id = value.trim();
    if let Some(f) = format_finding(id, accept_cmnd) {
        return parts.contains(&Part::Format).then_some(f);
    }
    if id.len() != 12 {
        return None; // an accepted CMND: nothing more to check
    }
    if parts.contains(&Part::Birthplace) && !REFERENCE.birthplaces.contains_key(&id[..3]) {
        return Some(Finding::new(format!(
            "mã nơi đăng ký khai sinh '{}' (3 số đầu) không có trong danh mục Thông tư 07/2016/TT-BCA; cần rà soát (có thể là công dân đăng ký khai sinh ở nước ngoài)",
            &id[..3]
        )));
    }
    let digit = i32::from(id.as_bytes()[3] - b'0');
    let century_start = 1900 + (digit / 2) * 100;
    let female = digit % 2 == 1;
    if parts.contains(&Part::GenderCentury) {
        if let Some(g) = gender.map(str::trim) {
            let record_female = record_is_female(g);
            if let Some(rf) = record_female.filter(|rf| *rf != female) {
                return Some(Finding::new(format!(
                    "chữ số thứ 4 là {digit} ({}) nhưng giới tính trong hồ sơ là {g}; {} sinh {}–{} phải có chữ số {}",
                    if female { "nữ" } else { "nam" },
                    if rf { "nữ" } else { "nam" },
                    century_start,
                    century_start + 99,
                    (digit / 2) * 2 + i32::from(rf)
                )));
            }
        }
        if let Some(year) = birth_year {
            let expected = ((year - 1900).div_euclid(100)) * 2 + i32::from(female);
            if !(century_start..century_start + 100).contains(&year) {
                return Some(Finding::new(format!(
                    "chữ số thứ 4 là {digit} (sinh {century_start}–{}) nhưng năm sinh trong hồ sơ là {year}; phải là {expected}",
                    century_start + 99
                )));
            }
        }
    }
    if parts.contains(&Part::BirthYear)
        && let Some(year) = birth_year
    {
        let yy = &id[4..6];
        if yy != format!("{:02}", year.rem_euclid(100)) {
            return Some(Finding::new(format!(
                "chữ số 5–6 là {yy} nhưng năm sinh trong hồ sơ là {year}; phải là {:02}",
                year.rem_euclid(100)
            )));
        }
    }
    None
}

/// The record's gender as written ("Nữ", "nam", "F"…), case-insensitive
/// and in any Unicode normalisation (a decomposed "Nữ" is still "Nữ");
/// `None` when it is neither.
pub(crate) fn record_is_female(gender: &str) -> Option<bool> {
    use unicode_normalization::UnicodeNormalization;
    // Called once a row: the forms nearly every export writes, and ASCII in
    // any case, are decided without allocating.
    match gender {
        "Nam" => return Some(false),
        "Nữ" => return Some(true),
        _ => {}
    }
    if gender.is_ascii() {
        let is = |words: &[&str]| words.iter().any(|w| gender.eq_ignore_ascii_case(w));
        return if is(&["nam", "m", "male"]) {
            Some(false)
        } else if is(&["nu", "f", "female"]) {
            Some(true)
        } else {
            None
        };
    }
    let lower = gender.nfc().collect::<String>().to_lowercase();
    match lower.as_str() {
        "nam" | "m" | "male" => Some(false),
        "nữ" | "nu" | "f" | "female" => Some(true),
        _ => None,
    }
}

fn format_finding(id: &str, accept_cmnd: bool) -> Option<Finding> {
    if id.contains(['e', 'E'])
        && id
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, 'e' | 'E' | '+' | '-' | '.' | ','))
    {
        return Some(Finding::new(format!(
            "'{id}' là số bị Excel chuyển sang dạng số mũ: các chữ số đã mất, cần lấy lại từ nguồn (định dạng cột là Text trước khi nhập)"
        )));
    }
    if let Some(bad) = id.chars().find(|c| !c.is_ascii_digit()) {
        let digits: String = id.chars().filter(char::is_ascii_digit).collect();
        let detail = format!("chứa ký tự không phải chữ số ('{bad}')");
        return Some(
            if digits.len() == 12 && id.chars().all(|c| c.is_ascii_digit() || " .-".contains(c)) {
                Finding::suggest(detail, digits)
            } else {
                Finding::new(detail)
            },
        );
    }
    match id.len() {
        12 => None,
        9 if accept_cmnd => None,
        9 => Some(Finding::new(
            "9 chữ số: đây là số CMND cũ, không phải số định danh cá nhân 12 số",
        )),
        11 => Some(Finding::suggest(
            "11 chữ số: có thể đã mất số 0 ở đầu (Excel lưu số định danh dạng số)",
            format!("0{id}"),
        )),
        n => Some(Finding::new(format!(
            "{n} chữ số; số định danh cá nhân phải có đúng 12 chữ số"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ALL: [Part; 4] = [
        Part::Format,
        Part::Birthplace,
        Part::GenderCentury,
        Part::BirthYear,
    ];

    fn check(id: &str, gender: Option<&str>, year: Option<i32>) -> Option<String> {
        inspect(id, gender, year, &ALL, false).map(|f| f.detail)
    }

    #[test]
    fn every_province_prefix_is_accepted() {
        for code in REFERENCE.birthplaces.keys() {
            assert_eq!(
                check(&format!("{code}085123456"), Some("Nam"), Some(1985)),
                None,
                "{code}"
            );
        }
        assert_eq!(REFERENCE.birthplaces.len(), 63);
    }

    #[test]
    fn unknown_prefix_needs_review() {
        let d = check("099085123456", None, None).unwrap();
        assert!(d.contains("cần rà soát"), "{d}");
        // Not checked when the rule does not ask for it.
        assert_eq!(
            inspect("099085123456", None, None, &[Part::Format], false),
            None
        );
    }

    #[test]
    fn genders_read_as_lower_casing_them_would() {
        for g in [
            "Nữ", "nữ", "NỮ", "nỮ", "NAM", "Nam", "m", "M", "F", "Female", "FEMALE", "Nu", "NU",
            "x", "Nư", "nam ", "", "Nữa",
        ] {
            let lowered = match g.to_lowercase().as_str() {
                "nữ" | "nu" | "f" | "female" => Some(true),
                "nam" | "m" | "male" => Some(false),
                _ => None,
            };
            assert_eq!(record_is_female(g), lowered, "{g:?}");
        }
    }

    #[test]
    fn decomposed_and_odd_case_genders_are_read() {
        use unicode_normalization::UnicodeNormalization;
        let nfd: String = "Nữ".nfd().collect();
        assert_ne!(nfd, "Nữ");
        assert_eq!(record_is_female(&nfd), Some(true));
        assert_eq!(
            record_is_female(&"NỮ".nfd().collect::<String>()),
            Some(true)
        );
        // The gender/century digit is now checked for such a record: a male
        // digit (0, born 1900s) on a decomposed "Nữ" fails.
        let finding = check("001085123456", Some(&nfd), Some(1985));
        assert!(finding.is_some(), "NFD 'Nữ' with a male digit passed");
        assert_eq!(check("001185123456", Some(&nfd), Some(1985)), None);
    }

    #[test]
    fn a_fixed_gender_checks_every_row() {
        use crate::checks::testing::*;
        let columns = "id = \"string\"\nsinh = { type = \"date\", format = \"%Y-%m-%d\" }";
        let rule = "check = \"cccd\"\ncolumn = \"id\"\nbirth_date_column = \"sinh\"\ngender = \"Nam\"\nparts = [\"format\", \"gender_century\", \"birth_year\"]";
        // A husband's ID with a female digit fails; a male one passes.
        let fails = outcomes(
            columns,
            rule,
            &[
                ("id", &["001085123456", "001185123456"]),
                ("sinh", &["1985-01-01", "1985-01-01"]),
            ],
        );
        assert_eq!(fails, [Some(false), Some(true)]);
        for bad in [
            "check = \"cccd\"\ncolumn = \"id\"\ngender = \"X\"",
            "check = \"cccd\"\ncolumn = \"id\"\ngender = \"Nam\"\ngender_column = \"id\"",
        ] {
            let err = parse_error(columns, bad);
            assert!(err.contains("gender"), "{err}");
        }
    }

    #[test]
    fn every_gender_century_digit() {
        for (digit, female, year) in [
            (0, false, 1950),
            (1, true, 1950),
            (2, false, 2005),
            (3, true, 2005),
            (4, false, 2101),
            (5, true, 2101),
        ] {
            let id = format!("001{digit}{:02}123456", year % 100);
            let gender = if female { "Nữ" } else { "Nam" };
            assert_eq!(check(&id, Some(gender), Some(year)), None, "{id}");
            let wrong = if female { "Nam" } else { "Nữ" };
            assert!(
                check(&id, Some(wrong), Some(year))
                    .unwrap()
                    .contains("giới tính"),
                "{id}"
            );
        }
    }

    #[test]
    fn boundary_years_1999_and_2000() {
        assert_eq!(check("001099123456", Some("Nam"), Some(1999)), None);
        assert_eq!(check("001200123456", Some("Nam"), Some(2000)), None);
        let d = check("001000123456", Some("Nam"), Some(2000)).unwrap();
        assert!(d.contains("phải là 2"), "{d}");
        let d = check("001299123456", Some("Nam"), Some(1999)).unwrap();
        assert!(d.contains("phải là 0"), "{d}");
    }

    #[test]
    fn birth_year_digits() {
        let d = check("001085123456", Some("Nam"), Some(1986)).unwrap();
        assert!(
            d.contains("chữ số 5–6 là 85") && d.contains("phải là 86"),
            "{d}"
        );
    }

    #[test]
    fn excel_damage_is_named_and_fixed_where_certain() {
        assert!(check("1.23457E+11", None, None).unwrap().contains("số mũ"));
        assert!(check("1,23457E+11", None, None).unwrap().contains("số mũ"));
        let lost = inspect("01085123456", None, None, &ALL, false).unwrap();
        assert!(lost.detail.contains("mất số 0"));
        assert_eq!(lost.suggestion.as_deref(), Some("001085123456"));
        let spaced = inspect("001 085 123 456", None, None, &ALL, false).unwrap();
        assert_eq!(spaced.suggestion.as_deref(), Some("001085123456"));
        assert!(check("00108512345X", None, None).unwrap().contains("'X'"));
        assert!(
            check("0010851234", None, None)
                .unwrap()
                .contains("10 chữ số")
        );
    }

    #[test]
    fn cmnd_is_rejected_or_accepted() {
        assert!(check("012345678", None, None).unwrap().contains("CMND"));
        assert_eq!(
            inspect("012345678", Some("Nam"), Some(1980), &ALL, true),
            None
        );
    }

    proptest! {
        #[test]
        fn a_valid_generated_id_always_passes(
            place in proptest::sample::select(REFERENCE.birthplaces.keys().cloned().collect::<Vec<_>>()),
            year in 1900i32..2200,
            female in any::<bool>(),
            serial in 0u32..1_000_000,
        ) {
            let digit = (year - 1900) / 100 * 2 + i32::from(female);
            let id = format!("{place}{digit}{:02}{serial:06}", year % 100);
            let gender = if female { "Nữ" } else { "Nam" };
            prop_assert_eq!(check(&id, Some(gender), Some(year)), None);
        }
    }
}
