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

use chrono::NaiveDate;
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
        }
        Ok(check)
    }

    fn plan(&self, ctx: &PlanContext) -> Result<RowCheck, RuleError> {
        let spec = self.clone();
        Ok(row_udf(
            vec![ctx.raw(&self.column)?],
            1,
            Arc::new(move |row| {
                inspect(
                    row[0].and_then(Cell::as_str).unwrap_or(""),
                    &spec.formats,
                    spec.partial_before,
                )
            }),
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

static DMY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$").expect("regex"));
static YMD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$").expect("regex"));
static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d{4})$").expect("regex"));
static MONTH_YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,2})[/.\-](\d{4})$").expect("regex"));

pub fn inspect(value: &str, formats: &[String], partial_before: Option<i32>) -> Option<Finding> {
    let v = value.trim();
    if formats
        .iter()
        .any(|f| NaiveDate::parse_from_str(v, f).is_ok())
    {
        return None;
    }
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
        Some(date) => Some(Finding::suggest(
            format!("sai định dạng: trường này dùng {}", human(&formats[0])),
            date.format(&formats[0]).to_string(),
        )),
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

    fn check(v: &str) -> Option<Finding> {
        inspect(v, &["%d/%m/%Y".to_string()], Some(1975))
    }

    #[test]
    fn accepted_formats_pass() {
        assert_eq!(check("05/03/2020"), None);
        assert_eq!(
            check("5/3/2020"),
            None,
            "chrono's %d and %m accept one digit"
        );
        assert_eq!(inspect("2020-03-05", &["%Y-%m-%d".into()], None), None);
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
            inspect("1950", &["%d/%m/%Y".into()], None)
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
}
