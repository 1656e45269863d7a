//! `retirement_age` (VN009) — a person recorded as retired had reached the
//! statutory retirement age for their sex on the retirement date.
//!
//! Source: Bộ luật Lao động 2019 Điều 169 and Nghị định 135/2020/NĐ-CP
//! Điều 4 with its Phụ lục I (in force 01/01/2021). Under normal working
//! conditions the age rises from 60 (men) and 55 (women), the ages of Bộ
//! luật Lao động 2012 Điều 187 that still apply to whoever reached them
//! before 2021: by 3 months a year for men — 60 years 3 months in 2021 up to
//! 62 in 2028 — and by 4 months a year for women — 55 years 4 months in 2021
//! up to 60 in 2035. The age that applies is the one of the year in which
//! the person reaches it: a man born in October 1961 is 60 years 3 months in
//! January 2022, when the age is already 60 years 6 months, so he reaches the
//! retirement age in April 2022 (Phụ lục I). Retiring earlier is lawful
//! only on the grounds of Điều 169 khoản 3 (reduced capacity, arduous work),
//! which the record must then say: apply the rule with `when` to records of
//! normal retirement. The sex is the record's text ("Nam"/"Nữ", any case
//! or normalisation).
//!
//! ```toml
//! [[rules]]
//! id = "LD-008"
//! check = "retirement_age"
//! birth_date_column = "ngay_sinh"
//! gender_column = "gioi_tinh"
//! at_column = "ngay_nghi_huu"
//! when = "tinh_trang = 'nghi_huu'"
//! dimension = "dung"
//! message = "Nghỉ hưu trước tuổi nghỉ hưu theo lộ trình (NĐ 135/2020/NĐ-CP)"
//! ```

use std::sync::Arc;

use chrono::{Datelike, Months, NaiveDate};
use polars::prelude::Expr;
use serde::Deserialize;

use super::{Cell, Finding, row_udf};
use crate::contract::{CheckKind, Evaluation, ParseContext, PlanContext, RowCheck, params};
use crate::error::RuleError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetirementAge {
    pub birth_date_column: String,
    pub gender_column: String,
    pub at_column: String,
}

impl RetirementAge {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let check: Self = params(table)?;
        ctx.known_column(&check.gender_column)?;
        for c in [&check.birth_date_column, &check.at_column] {
            ctx.known_column(c)?;
            if !ctx.column_type(c).is_temporal() {
                return Err(format!("column '{c}' must be declared as a date"));
            }
        }
        Ok(check)
    }

    fn plan(&self, ctx: &PlanContext) -> Result<RowCheck, RuleError> {
        Ok(row_udf(
            vec![
                ctx.typed(&self.birth_date_column)?,
                ctx.raw(&self.gender_column)?,
                ctx.typed(&self.at_column)?,
            ],
            3,
            Arc::new(move |row| {
                let birth = row[0]?.date()?;
                let female = super::cccd::record_is_female(row[1].and_then(Cell::as_str)?)?;
                let at = row[2]?.date()?;
                inspect(birth, female, at)
            }),
        ))
    }
}

impl CheckKind for RetirementAge {
    fn columns(&self) -> Vec<String> {
        vec![
            self.birth_date_column.clone(),
            self.gender_column.clone(),
            self.at_column.clone(),
        ]
    }

    fn evaluate(&self, ctx: &PlanContext, _applies: &Expr) -> Result<Evaluation, RuleError> {
        self.plan(ctx).map(Evaluation::from)
    }
}

/// First year of the roadmap (Nghị định 135/2020/NĐ-CP Điều 4).
const ROADMAP_START: i32 = 2021;

/// The retirement age, in months, for someone who reaches it in `year`.
pub fn age_in_year(year: i32, female: bool) -> u32 {
    let (base, step, cap) = if female {
        (55 * 12, 4, 60 * 12)
    } else {
        (60 * 12, 3, 62 * 12)
    };
    if year < ROADMAP_START {
        return base;
    }
    (base + step * (year - ROADMAP_START + 1) as u32).min(cap)
}

/// The statutory retirement age (months) that applies to a person, and the
/// day they reach it.
pub fn statutory(birth: NaiveDate, female: bool) -> Option<(u32, NaiveDate)> {
    let base = age_in_year(ROADMAP_START - 1, female);
    let reached = birth.checked_add_months(Months::new(base))?;
    if reached.year() < ROADMAP_START {
        return Some((base, reached));
    }
    // The first year whose age the person reaches within that year is
    // theirs; the ages stop rising at 62, so the search ends by then.
    (ROADMAP_START..=birth.year() + 63).find_map(|year| {
        let months = age_in_year(year, female);
        let on = birth.checked_add_months(Months::new(months))?;
        (on.year() <= year).then_some((months, on))
    })
}

fn years_months(months: u32) -> String {
    match months % 12 {
        0 => format!("{} tuổi", months / 12),
        m => format!("{} tuổi {m} tháng", months / 12),
    }
}

pub fn inspect(birth: NaiveDate, female: bool, at: NaiveDate) -> Option<Finding> {
    let (months, reached) = statutory(birth, female)?;
    (at < reached).then(|| {
        Finding::new(format!(
            "nghỉ hưu ngày {}, trước ngày đủ tuổi nghỉ hưu {} ({})",
            at.format("%d/%m/%Y"),
            years_months(months),
            reached.format("%d/%m/%Y")
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_roadmap_of_decree_135() {
        assert_eq!(age_in_year(2020, false), 720);
        assert_eq!(age_in_year(2021, false), 723);
        assert_eq!(age_in_year(2027, false), 741);
        assert_eq!(age_in_year(2028, false), 744);
        assert_eq!(age_in_year(2040, false), 744);
        assert_eq!(age_in_year(2021, true), 664);
        assert_eq!(age_in_year(2034, true), 716);
        assert_eq!(age_in_year(2035, true), 720);
    }

    #[test]
    fn rows_of_appendix_one() {
        // Men born 01/1961: 60 years 3 months, from 04/2021.
        assert_eq!(
            statutory(d("1961-01-15"), false),
            Some((723, d("2021-04-15")))
        );
        // Men born 10/1961: 60 years 6 months, from 04/2022.
        assert_eq!(
            statutory(d("1961-10-01"), false),
            Some((726, d("2022-04-01")))
        );
        // Women born 09/1966: 55 years 8 months, from 05/2022.
        assert_eq!(
            statutory(d("1966-09-10"), true),
            Some((668, d("2022-05-10")))
        );
        // Reached the old age before 2021: the old age.
        assert_eq!(
            statutory(d("1960-06-30"), false),
            Some((720, d("2020-06-30")))
        );
        // The end of the roadmap.
        assert_eq!(statutory(d("1980-02-01"), false).unwrap().0, 744);
        assert_eq!(statutory(d("1980-02-01"), true).unwrap().0, 720);
    }

    #[test]
    fn retiring_before_the_age_is_found() {
        let early = inspect(d("1962-03-01"), false, d("2022-03-01")).unwrap();
        assert!(early.detail.contains("60 tuổi"), "{}", early.detail);
        assert_eq!(inspect(d("1962-03-01"), false, d("2023-01-01")), None);
    }

    /// The age walked month by month: the first month in which the person's
    /// age is at least the age of that month's year.
    fn walked(birth: NaiveDate, female: bool) -> (u32, NaiveDate) {
        let mut months = age_in_year(2020, female);
        loop {
            let on = birth.checked_add_months(Months::new(months)).unwrap();
            if months >= age_in_year(on.year(), female) {
                return (months, on);
            }
            months += 1;
        }
    }

    proptest! {
        #[test]
        fn equals_a_month_by_month_walk(days in 0i64..40_000, female: bool) {
            let birth = d("1940-01-01") + chrono::TimeDelta::days(days);
            prop_assert_eq!(statutory(birth, female), Some(walked(birth, female)));
        }
    }
}
