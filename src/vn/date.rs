//! `vn_date` (VN004) — a date as Vietnamese records write it: one of the
//! pack's formats (`dd/mm/yyyy`, `d/m/yyyy`, `yyyy-mm-dd` …), a day that
//! exists, and partial dates recognised for what they are.
//!
//! Why: old civil-status books (sổ hộ tịch) often record only a year or a
//! month — `00/00/1950`, `00/05/1980`, `1950` — which Luật Hộ tịch 2014
//! and Nghị định 123/2015/NĐ-CP accept when the exact date is unknown. Such a
//! value is "partial", not garbage: with `partial_before = 1975` it passes
//! for years before 1975 and is reported as partial from then on. Every
//! other problem has its own reason: a day that does not exist (31/02/2020,
//! a đúng problem), a real date written in another format than the pack's
//! (a sạch problem; the suggestion rewrites it in the pack's first format),
//! and text that is no date at all.
//!
//! Two things look like dates and are not safe to read as one. A year of two
//! digits (`1/1/00`) is ambiguous — 1900 or 2000 — so it is reported; a pack
//! that knows its data may set `two_digit_year_pivot = N` (years below N are
//! 20xx, the others 19xx), and the rewrite is then suggested. Digits other
//! than ASCII `0–9` (full-width `０１/０１/２０００`, copied from some
//! Asian-locale tools) are a sạch problem; the suggestion writes them in ASCII.
//! Formats hold date fields only (`%d %e %m %b %B %Y %y %j …`): a time or a
//! time zone in `formats` is a pack error, since a date has neither.
//!
//! ```toml
//! [[rules]]
//! id = "KS-016"
//! check = "vn_date"
//! column = "ngay_sinh"
//! formats = ["%d/%m/%Y"]
//! partial_before = 1975
//! dimension = "dung"
//! message = "Ngày sinh không hợp lệ"
//! ```

use std::sync::{Arc, LazyLock};

use chrono::{Datelike, NaiveDate};
use polars::prelude::Expr;
use regex::Regex;
use serde::Deserialize;

use super::{Cell, Finding, row_udf};
use crate::contract::{CheckKind, Evaluation, ParseContext, PlanContext, RowCheck, params};
use crate::error::RuleError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VnDate {
    pub column: String,
    #[serde(default = "default_formats")]
    pub formats: Vec<String>,
    /// Partial dates (year only, or month and year) pass for years before this.
    #[serde(default)]
    pub partial_before: Option<i32>,
    /// Two-digit years below this are 20xx, the others 19xx; without it a
    /// two-digit year is reported with no suggestion.
    #[serde(default)]
    pub two_digit_year_pivot: Option<u32>,
}

fn default_formats() -> Vec<String> {
    vec!["%d/%m/%Y".into()]
}

impl VnDate {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let check: Self = params(table)?;
        ctx.known_column(&check.column)?;
        if check.formats.is_empty() {
            return Err("'formats' is empty: give at least one, e.g. \"%d/%m/%Y\"".into());
        }
        for f in &check.formats {
            crate::model::ColumnType::from_parts("date", Some(f), false)?;
            date_fields_only(f)?;
        }
        if check.two_digit_year_pivot.is_some_and(|p| p > 100) {
            return Err("'two_digit_year_pivot' is a two-digit year, 0 to 100 (e.g. 30)".into());
        }
        Ok(check)
    }

    fn plan(&self, ctx: &PlanContext) -> Result<RowCheck, RuleError> {
        let spec = self.clone();
        Ok(row_udf(
            vec![ctx.raw(&self.column)?],
            1,
            Arc::new(move |row| inspect(row[0].and_then(Cell::as_str).unwrap_or(""), &spec)),
        ))
    }
}

impl CheckKind for VnDate {
    fn columns(&self) -> Vec<String> {
        vec![self.column.clone()]
    }

    fn evaluate(&self, ctx: &PlanContext, _applies: &Expr) -> Result<Evaluation, RuleError> {
        self.plan(ctx).map(Evaluation::from)
    }
}

// ASCII digits only: `\d` would also take full-width and other scripts'
// digits, which then fail to parse.
static DMY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})$").expect("regex")
});
static DMY_SHORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{2})$").expect("regex")
});
static YMD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([0-9]{4})[/.\-]([0-9]{1,2})[/.\-]([0-9]{1,2})$").expect("regex")
});
static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^([0-9]{4})$").expect("regex"));
static MONTH_YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([0-9]{1,2})[/.\-]([0-9]{4})$").expect("regex"));

/// Rejects a format with anything but date fields: formatting a date with
/// a time or zone field fails, and a date column holds neither.
fn date_fields_only(format: &str) -> Result<(), String> {
    use chrono::format::{Fixed, Item, Numeric, StrftimeItems};
    for item in StrftimeItems::new(format) {
        let ok = match &item {
            Item::Literal(_) | Item::OwnedLiteral(_) | Item::Space(_) | Item::OwnedSpace(_) => true,
            Item::Numeric(n, _) => !matches!(
                n,
                Numeric::Hour
                    | Numeric::Hour12
                    | Numeric::Minute
                    | Numeric::Second
                    | Numeric::Nanosecond
                    | Numeric::Timestamp
            ),
            Item::Fixed(f) => matches!(
                f,
                Fixed::ShortMonthName
                    | Fixed::LongMonthName
                    | Fixed::ShortWeekdayName
                    | Fixed::LongWeekdayName
            ),
            _ => false,
        };
        if !ok {
            return Err(format!(
                "format '{format}' has a time, time-zone or unknown field; vn_date formats hold \
                 date fields only (%d %e %m %b %B %Y %y %j …)"
            ));
        }
    }
    Ok(())
}

/// `date` written in `format`; `None` if the format cannot write it (never
/// a panic: formats are checked when the pack is read, this is a second guard).
fn written(date: NaiveDate, format: &str) -> Option<String> {
    use std::fmt::Write;
    let mut out = String::new();
    write!(out, "{}", date.format(format)).ok()?;
    Some(out)
}

/// Whether a format writes the year in full (`%Y`), so that a parsed year
/// below 1000 came from a short year in the text.
fn full_year(format: &str) -> bool {
    format.contains("%Y")
}

pub fn inspect(value: &str, spec: &VnDate) -> Option<Finding> {
    let formats = &spec.formats;
    let v = value.trim();
    if v.chars().any(|c| c.is_numeric() && !c.is_ascii_digit()) {
        return Some(non_ascii_digits(v, spec));
    }
    let parsed = formats
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(v, f).ok().map(|d| (d, f)));
    match parsed {
        Some((date, f)) if full_year(f) && date.year() < 1000 => {
            return Some(short_year(v, spec));
        }
        Some(_) => return None,
        None => {}
    }
    if DMY_SHORT.is_match(v) {
        return Some(short_year(v, spec));
    }
    let partial_before = spec.partial_before;
    let (day, month, year) = if let Some(c) = DMY.captures(v) {
        (
            c[1].parse::<u32>().ok()?,
            c[2].parse::<u32>().ok()?,
            c[3].parse::<i32>().ok()?,
        )
    } else if let Some(c) = YMD.captures(v) {
        (
            c[3].parse::<u32>().ok()?,
            c[2].parse::<u32>().ok()?,
            c[1].parse::<i32>().ok()?,
        )
    } else if let Some(c) = MONTH_YEAR.captures(v) {
        (0, c[1].parse::<u32>().ok()?, c[2].parse::<i32>().ok()?)
    } else if let Some(c) = YEAR.captures(v) {
        (0, 0, c[1].parse::<i32>().ok()?)
    } else {
        return Some(Finding::new(format!(
            "'{v}' không phải ngày tháng theo định dạng {}",
            human(&formats[0])
        )));
    };
    if day == 0 && month <= 12 {
        if partial_before.is_some_and(|limit| year < limit) {
            return None;
        }
        let known = if month == 0 {
            format!("chỉ có năm {year}")
        } else {
            format!("chỉ có tháng {month}/{year}")
        };
        return Some(Finding::new(format!("ngày tháng không đầy đủ ({known})")));
    }
    match NaiveDate::from_ymd_opt(year, month, day) {
        None => Some(Finding::new(format!(
            "ngày {day:02}/{month:02}/{year} không có thật"
        ))),
        Some(date) => {
            let detail = format!("sai định dạng: trường này dùng {}", human(&formats[0]));
            Some(match written(date, &formats[0]) {
                Some(text) => Finding::suggest(detail, text),
                None => Finding::new(detail),
            })
        }
    }
}

/// A date whose year has two digits: ambiguous without the pack's pivot.
fn short_year(v: &str, spec: &VnDate) -> Finding {
    let detail = format!(
        "năm viết tắt 2 chữ số ('{v}'): không rõ thế kỷ, ghi đủ 4 chữ số ({})",
        human(&spec.formats[0])
    );
    let Some(pivot) = spec.two_digit_year_pivot else {
        return Finding::new(detail);
    };
    let fields: Vec<&str> = v.split(['/', '.', '-']).collect();
    let date = match fields.as_slice() {
        [d, m, y] if y.len() <= 2 => (|| {
            let yy: i32 = y.parse().ok()?;
            let century = if (yy as u32) < pivot { 2000 } else { 1900 };
            NaiveDate::from_ymd_opt(century + yy, m.parse().ok()?, d.parse().ok()?)
        })(),
        _ => None,
    };
    match date.and_then(|d| written(d, &spec.formats[0])) {
        Some(text) => Finding::suggest(
            format!("{detail}; theo mốc {pivot} của bộ quy tắc là {text}"),
            text,
        ),
        None => Finding::new(detail),
    }
}

/// Digits other than ASCII (full-width `０１`, other scripts): rewritten in
/// ASCII by NFKC, then checked as any date.
fn non_ascii_digits(v: &str, spec: &VnDate) -> Finding {
    use unicode_normalization::UnicodeNormalization;
    let ascii: String = v.nfkc().collect();
    let detail = format!("chữ số không phải ASCII trong '{v}'");
    if ascii.chars().any(|c| c.is_numeric() && !c.is_ascii_digit()) {
        return Finding::new(detail);
    }
    match inspect(&ascii, spec) {
        None => Finding::suggest(detail, ascii),
        Some(f) => match f.suggestion {
            Some(s) => Finding::suggest(format!("{detail}; {}", f.detail), s),
            None => Finding::new(format!("{detail}; {}", f.detail)),
        },
    }
}

fn human(format: &str) -> String {
    format
        .replace("%d", "dd")
        .replace("%m", "mm")
        .replace("%Y", "yyyy")
        .replace("%e", "d")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(formats: &[&str], partial_before: Option<i32>, pivot: Option<u32>) -> VnDate {
        VnDate {
            column: "d".into(),
            formats: formats.iter().map(|f| f.to_string()).collect(),
            partial_before,
            two_digit_year_pivot: pivot,
        }
    }

    fn check(v: &str) -> Option<Finding> {
        inspect(v, &spec(&["%d/%m/%Y"], Some(1975), None))
    }

    #[test]
    fn accepted_formats_pass() {
        assert_eq!(check("05/03/2020"), None);
        assert_eq!(
            check("5/3/2020"),
            None,
            "chrono's %d and %m accept one digit"
        );
        assert_eq!(
            inspect("2020-03-05", &spec(&["%Y-%m-%d"], None, None)),
            None
        );
        assert_eq!(check("29/02/2024"), None);
    }

    #[test]
    fn impossible_dates_are_named() {
        assert!(
            check("31/02/2020")
                .unwrap()
                .detail
                .contains("không có thật")
        );
        assert!(
            check("29/02/2023")
                .unwrap()
                .detail
                .contains("không có thật")
        );
        assert!(
            check("2020-13-01")
                .unwrap()
                .detail
                .contains("không có thật")
        );
    }

    #[test]
    fn partial_dates_are_recognised() {
        assert_eq!(check("00/00/1950"), None);
        assert_eq!(check("00/05/1960"), None);
        assert_eq!(check("1950"), None);
        assert_eq!(check("05/1960"), None);
        assert!(
            check("00/00/1980")
                .unwrap()
                .detail
                .contains("chỉ có năm 1980")
        );
        assert!(
            check("00/05/1980")
                .unwrap()
                .detail
                .contains("chỉ có tháng 5/1980")
        );
        assert!(
            inspect("1950", &spec(&["%d/%m/%Y"], None, None))
                .unwrap()
                .detail
                .contains("không đầy đủ")
        );
    }

    #[test]
    fn other_formats_get_a_certain_rewrite() {
        let f = check("2020-03-05").unwrap();
        assert!(f.detail.contains("dd/mm/yyyy"));
        assert_eq!(f.suggestion.as_deref(), Some("05/03/2020"));
        assert_eq!(
            check("05.03.2020").unwrap().suggestion.as_deref(),
            Some("05/03/2020")
        );
    }

    #[test]
    fn garbage_is_not_a_date() {
        assert!(
            check("ngày 5 tháng 3")
                .unwrap()
                .detail
                .contains("không phải ngày tháng")
        );
        assert!(check("").unwrap().detail.contains("không phải"));
    }

    #[test]
    fn two_digit_years_are_ambiguous_unless_the_pack_gives_a_pivot() {
        for v in ["1/1/00", "01/01/00", "31/12/99", "5/3/20"] {
            let f = check(v).unwrap_or_else(|| panic!("{v} passed"));
            assert!(f.detail.contains("2 chữ số"), "{v}: {}", f.detail);
            assert_eq!(f.suggestion, None, "{v}");
        }
        let with_pivot = spec(&["%d/%m/%Y"], None, Some(30));
        let s = |v: &str| inspect(v, &with_pivot).and_then(|f| f.suggestion);
        assert_eq!(s("1/1/00").as_deref(), Some("01/01/2000"));
        assert_eq!(s("5/3/29").as_deref(), Some("05/03/2029"));
        assert_eq!(s("5/3/30").as_deref(), Some("05/03/1930"));
        assert_eq!(s("31/2/99"), None, "no such day: nothing to suggest");
        // A pack that declares a two-digit format accepts it as declared.
        assert_eq!(inspect("05/03/20", &spec(&["%d/%m/%y"], None, None)), None);
        // Years of four digits below 1000 are short years too.
        assert!(check("1/1/0999").is_some());
    }

    #[test]
    fn non_ascii_digits_are_a_finding_with_the_ascii_rewrite() {
        let f = check("０１/０１/２０００").expect("full-width digits pass");
        assert!(f.detail.contains("ASCII"), "{}", f.detail);
        assert_eq!(f.suggestion.as_deref(), Some("01/01/2000"));
        // Full-width and another format: both fixed.
        let f = check("２０２０-０３-０５").unwrap();
        assert_eq!(f.suggestion.as_deref(), Some("05/03/2020"));
        // Arabic-Indic digits have no certain rewrite here.
        let f = check("\u{661}/\u{661}/\u{662}\u{660}\u{660}\u{660}").unwrap();
        assert!(f.detail.contains("ASCII"));
    }

    #[test]
    fn formats_with_time_fields_are_a_pack_error() {
        for f in [
            "%d/%m/%Y %H:%M",
            "%Y-%m-%d %z",
            "%Y-%m-%dT%Z",
            "%s",
            "%d/%m/%Y %.f",
        ] {
            assert!(date_fields_only(f).is_err(), "{f}");
        }
        for f in [
            "%d/%m/%Y", "%e/%m/%Y", "%Y-%m-%d", "%d %b %Y", "%d/%m/%y", "%Y%m%d",
        ] {
            assert_eq!(date_fields_only(f), Ok(()), "{f}");
        }
        let err = crate::checks::testing::parse_error(
            "d = \"string\"",
            "check = \"vn_date\"\ncolumn = \"d\"\nformats = [\"%d/%m/%Y %H:%M\"]",
        );
        assert!(err.contains("date fields only"), "{err}");
    }
}
