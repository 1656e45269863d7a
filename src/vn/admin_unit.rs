//! `admin_unit` (VN007) — an administrative-unit code exists in the official
//! list in force on the record's date, agrees with the record's province,
//! and (optionally) with the unit's name.
//!
//! Sources: the GSO/NSO lists of administrative units (Quyết định
//! 124/2004/QĐ-TTg numbering) before the reform, and the list in force from
//! 1 July 2025 after the merger of provinces (63 → 34) and communes (10,035 →
//! 3,321) under Nghị quyết 202/2025/QH15 and the Standing Committee's
//! resolutions, with the official old → new conversion table (Quyết định
//! 19/2025/QĐ-TTg). Files and caveats: rules/reference/SOURCES.md.
//!
//! The list in force is chosen by `date_column` (e.g. the registration date)
//! — before 2025-07-01 the pre-reform list, from then on the new one — or, by
//! default, by the run's as-of date. An abolished code used after the reform
//! names its successor(s); when there is exactly one, it is the suggestion.
//!
//! ```toml
//! [[rules]]
//! id = "KS-010"
//! check = "admin_unit"
//! column = "ma_xa"
//! date_column = "ngay_dang_ky"
//! dimension = "dung"
//! message = "Mã xã không đúng danh mục đơn vị hành chính tại thời điểm đăng ký"
//! ```

use std::sync::Arc;

use chrono::NaiveDate;
use polars::prelude::{Expr, lit};
use serde::Deserialize;

use super::fold::fold;
use super::reference::{REFERENCE, Unit};
use super::{Finding, row_udf};
use crate::contract::{CheckKind, Evaluation, ParseContext, PlanContext, RowCheck, params};
use crate::error::RuleError;

/// The day the merged units took effect (Nghị quyết 202/2025/QH15).
pub const REFORM_DATE: (i32, u32, u32) = (2025, 7, 1);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Commune,
    Province,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminUnit {
    pub column: String,
    #[serde(default = "commune")]
    pub level: Level,
    #[serde(default)]
    pub date_column: Option<String>,
    /// Province code column to check a commune against.
    #[serde(default)]
    pub province_column: Option<String>,
    /// Unit name column to check against the official name.
    #[serde(default)]
    pub name_column: Option<String>,
}

fn commune() -> Level {
    Level::Commune
}

impl AdminUnit {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let check: Self = params(table)?;
        ctx.known_column(&check.column)?;
        if let Some(d) = &check.date_column {
            ctx.known_column(d)?;
            if !ctx.column_type(d).is_temporal() {
                return Err(format!("date_column '{d}' must be declared as a date"));
            }
        }
        for c in check.province_column.iter().chain(check.name_column.iter()) {
            ctx.known_column(c)?;
        }
        if check.level == Level::Province && check.province_column.is_some() {
            return Err("province_column applies to level = \"commune\" only".into());
        }
        Ok(check)
    }

    fn plan(&self, ctx: &PlanContext) -> Result<RowCheck, RuleError> {
        let date = match &self.date_column {
            Some(d) => ctx.typed(d)?,
            None => lit(ctx.as_of),
        };
        let mut inputs = vec![ctx.raw(&self.column)?, date];
        let province_at = self
            .province_column
            .as_ref()
            .map(|c| {
                ctx.raw(c).map(|e| {
                    inputs.push(e);
                    inputs.len() - 1
                })
            })
            .transpose()?;
        let name_at = self
            .name_column
            .as_ref()
            .map(|c| {
                ctx.raw(c).map(|e| {
                    inputs.push(e);
                    inputs.len() - 1
                })
            })
            .transpose()?;
        let level = self.level;
        Ok(row_udf(
            inputs,
            2,
            Arc::new(move |row| {
                let date = row[1]?.date()?;
                inspect(
                    row[0]?.as_str()?,
                    level,
                    date,
                    province_at.and_then(|i| row[i]?.as_str()),
                    name_at.and_then(|i| row[i]?.as_str()),
                )
            }),
        ))
    }
}

impl CheckKind for AdminUnit {
    fn columns(&self) -> Vec<String> {
        std::iter::once(self.column.clone())
            .chain(self.province_column.clone())
            .chain(self.name_column.clone())
            .chain(self.date_column.clone())
            .collect()
    }

    fn evaluate(&self, ctx: &PlanContext, _applies: &Expr) -> Result<Evaluation, RuleError> {
        self.plan(ctx).map(Evaluation::from)
    }
}

fn reform_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(REFORM_DATE.0, REFORM_DATE.1, REFORM_DATE.2).expect("date")
}

fn names_match(given: &str, official: &str) -> bool {
    let short = [
        "xã ",
        "phường ",
        "thị trấn ",
        "đặc khu ",
        "tỉnh ",
        "thành phố ",
    ]
    .iter()
    .find_map(|p| {
        fold(official)
            .strip_prefix(&fold(p))
            .map(|s| s.trim().to_string())
    });
    let g = fold(given);
    g == fold(official) || short.is_some_and(|s| g == s)
}

pub fn inspect(
    code: &str,
    level: Level,
    date: NaiveDate,
    province: Option<&str>,
    name: Option<&str>,
) -> Option<Finding> {
    let r = &*REFERENCE;
    let code = code.trim();
    let new_list = date >= reform_date();
    let on = date.format("%d/%m/%Y");
    let (label, in_old, in_new) = match level {
        Level::Commune => (
            "xã",
            r.communes_2024.contains_key(code),
            r.communes_2025.contains_key(code),
        ),
        Level::Province => (
            "tỉnh",
            r.provinces_2024.contains_key(code),
            r.provinces_2025.contains_key(code),
        ),
    };
    if !in_old && !in_new {
        return Some(Finding::new(format!(
            "mã {label} '{code}' không có trong danh mục đơn vị hành chính (trước và sau 01/7/2025)"
        )));
    }
    if new_list && !in_new {
        let successors: Vec<(String, String)> = match level {
            Level::Commune => r.commune_successors.get(code).cloned().unwrap_or_default(),
            Level::Province => r
                .province_successors
                .get(code)
                .map(|c| vec![(c.clone(), r.provinces_2025[c].clone())])
                .unwrap_or_default(),
        };
        let list = successors
            .iter()
            .map(|(c, n)| format!("{c} ({n})"))
            .collect::<Vec<_>>()
            .join(", ");
        let detail = format!(
            "mã {label} cũ '{code}' đã hết hiệu lực từ 01/7/2025 (ngày {on}); nay thuộc: {list}"
        );
        return Some(match successors.as_slice() {
            [(only, _)] => Finding::suggest(detail, only.clone()),
            _ => Finding::new(detail),
        });
    }
    if !new_list && !in_old {
        return Some(Finding::new(format!(
            "mã {label} '{code}' chỉ có từ 01/7/2025, chưa có hiệu lực vào ngày {on}"
        )));
    }
    let (unit_name, unit_province): (&str, Option<&str>) = match (level, new_list) {
        (Level::Commune, true) => unit_parts(&r.communes_2025[code]),
        (Level::Commune, false) => unit_parts(&r.communes_2024[code]),
        (Level::Province, true) => (r.provinces_2025[code].as_str(), None),
        (Level::Province, false) => (r.provinces_2024[code].as_str(), None),
    };
    if let (Some(given), Some(actual)) = (province.map(str::trim), unit_province)
        && given != actual
    {
        let provinces = if new_list {
            &r.provinces_2025
        } else {
            &r.provinces_2024
        };
        return Some(Finding::suggest(
            format!(
                "{unit_name} ({code}) thuộc {} ({actual}), không phải mã tỉnh '{given}'",
                provinces.get(actual).map_or("?", String::as_str)
            ),
            actual,
        ));
    }
    if let Some(given) = name
        && !names_match(given, unit_name)
    {
        return Some(Finding::new(format!(
            "tên '{given}' không khớp tên chính thức của mã {code}: {unit_name}"
        )));
    }
    None
}

fn unit_parts(unit: &Unit) -> (&str, Option<&str>) {
    (unit.name.as_str(), Some(unit.province.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn codes_are_checked_against_the_list_in_force() {
        // 00001 Phúc Xá existed before the reform and merged into 00097 Hồng Hà.
        assert_eq!(
            inspect("00001", Level::Commune, d("2025-06-30"), Some("01"), None),
            None
        );
        let f = inspect("00001", Level::Commune, d("2025-07-01"), None, None).unwrap();
        assert!(
            f.detail.contains("hết hiệu lực") && f.detail.contains("00097"),
            "{}",
            f.detail
        );
        assert_eq!(f.suggestion.as_deref(), Some("00097"));
        assert!(
            inspect("99999", Level::Commune, d("2026-01-01"), None, None)
                .unwrap()
                .detail
                .contains("không có trong danh mục")
        );
    }

    #[test]
    fn every_reformed_commune_in_a_sample_names_its_successors() {
        let r = &*REFERENCE;
        let mut abolished: Vec<&String> = r
            .communes_2024
            .keys()
            .filter(|c| !r.communes_2025.contains_key(*c))
            .collect();
        abolished.sort();
        assert!(abolished.len() > 6000, "{}", abolished.len());
        for code in abolished.iter().step_by(97) {
            let f = inspect(code, Level::Commune, d("2026-01-01"), None, None).unwrap();
            for (new, _) in &r.commune_successors[*code] {
                assert!(f.detail.contains(new.as_str()), "{code}: {}", f.detail);
            }
            assert_eq!(
                inspect(code, Level::Commune, d("2024-01-01"), None, None),
                None,
                "{code} valid before"
            );
        }
    }

    #[test]
    fn new_codes_are_not_valid_before_the_reform() {
        let r = &*REFERENCE;
        let new_only = r
            .communes_2025
            .keys()
            .find(|c| !r.communes_2024.contains_key(*c))
            .unwrap();
        assert!(
            inspect(new_only, Level::Commune, d("2025-06-30"), None, None)
                .unwrap()
                .detail
                .contains("chưa có hiệu lực")
        );
        assert_eq!(
            inspect(new_only, Level::Commune, d("2025-07-01"), None, None),
            None
        );
    }

    #[test]
    fn province_and_name_consistency() {
        let f = inspect("00097", Level::Commune, d("2026-01-01"), Some("79"), None).unwrap();
        assert!(f.detail.contains("không phải mã tỉnh '79'"), "{}", f.detail);
        assert_eq!(f.suggestion.as_deref(), Some("01"));
        assert_eq!(
            inspect(
                "00097",
                Level::Commune,
                d("2026-01-01"),
                Some("01"),
                Some("Phường Hồng Hà")
            ),
            None
        );
        assert_eq!(
            inspect(
                "00097",
                Level::Commune,
                d("2026-01-01"),
                Some("01"),
                Some("hồng hà")
            ),
            None
        );
        assert!(
            inspect(
                "00097",
                Level::Commune,
                d("2026-01-01"),
                None,
                Some("Ba Đình")
            )
            .is_some()
        );
    }

    #[test]
    fn provinces_merged_in_2025() {
        assert_eq!(
            inspect("02", Level::Province, d("2025-01-01"), None, None),
            None
        );
        let f = inspect("02", Level::Province, d("2025-08-01"), None, None).unwrap();
        assert_eq!(
            f.suggestion.as_deref(),
            Some("08"),
            "Hà Giang merged into Tuyên Quang"
        );
    }
}
