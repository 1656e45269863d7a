//! `deadline` (VN006) — an act was done within N days of an event.
//!
//! Why: the sống (live) dimension of civil status is timeliness of
//! registration: a birth within 60 days (Luật Hộ tịch 2014, Điều 15 khoản 1),
//! a death within 15 days (Điều 33 khoản 1). The check counts calendar days
//! from `from_column` to `to_column`. A negative gap (registered before the
//! event) is a đúng problem, not lateness: give it its own `expr` rule
//! (`to >= from`); this check does not count it.
//!
//! ```toml
//! [[rules]]
//! id = "KT-008"
//! check = "deadline"
//! from_column = "ngay_mat"
//! to_column = "ngay_dang_ky"
//! max_days = 15
//! dimension = "song"
//! message = "Đăng ký khai tử quá hạn 15 ngày (Luật Hộ tịch 2014, Điều 33.1)"
//! ```
//!
//! Administrative procedures count their time limits in **working days**
//! (Nghị định 61/2018/NĐ-CP; a limit of N days means the result is due by
//! the N-th working day after the complete dossier was received, 0 = the
//! same day), and each procedure has its own limit. `working_days = true`
//! counts the days after `from` up to `to` that are neither a Saturday, a
//! Sunday nor a date of the `holidays` reference; `limits` takes each row's
//! limit from a reference list keyed by one of its columns (a row whose code
//! is not in the list passes: an `in_set` rule reports unknown codes).
//!
//! ```toml
//! [[rules]]
//! id = "HS-010"
//! check = "deadline"
//! from_column = "ngay_tiep_nhan"
//! to_column = "ngay_hen_tra"
//! working_days = true
//! holidays = { reference = "reference/public_holidays.csv", column = "ngay" }
//! limits = { column = "ma_thu_tuc", reference = "reference/tthc_time_limits.csv", key = "ma_thu_tuc", days = "so_ngay_lam_viec" }
//! dimension = "dung"
//! message = "Ngày hẹn trả vượt thời hạn giải quyết theo quy định của thủ tục"
//! ```

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Weekday};
use polars::prelude::Expr;
use serde::Deserialize;

use super::{Finding, row_udf};
use crate::contract::{CheckKind, Evaluation, ParseContext, PlanContext, RowCheck, params};
use crate::error::RuleError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    from_column: String,
    to_column: String,
    #[serde(default)]
    max_days: Option<i64>,
    #[serde(default)]
    working_days: bool,
    #[serde(default)]
    holidays: Option<HolidaysParams>,
    #[serde(default)]
    limits: Option<LimitsParams>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidaysParams {
    reference: String,
    column: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsParams {
    /// The row's column holding the code the limit is looked up by.
    column: String,
    reference: String,
    /// The reference's code column and its days column.
    key: String,
    days: String,
}

#[derive(Debug, Clone)]
pub struct Deadline {
    pub from_column: String,
    pub to_column: String,
    /// The same limit for every row (`max_days`), or one per code.
    pub limit: Limit,
    pub working_days: bool,
    /// Non-working dates besides weekends (with `working_days`).
    pub holidays: Arc<HashSet<NaiveDate>>,
}

#[derive(Debug, Clone)]
pub enum Limit {
    Fixed(i64),
    ByCode {
        column: String,
        days: Arc<HashMap<String, i64>>,
    },
}

impl Deadline {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let p: Params = params(table)?;
        for c in [&p.from_column, &p.to_column] {
            ctx.known_column(c)?;
            if !ctx.column_type(c).is_temporal() {
                return Err(format!("column '{c}' must be declared as a date"));
            }
        }
        let limit = match (p.max_days, p.limits) {
            (Some(max), None) if max >= 0 => Limit::Fixed(max),
            (Some(_), None) => return Err("max_days must be ≥ 0".into()),
            (None, Some(l)) => {
                ctx.known_column(&l.column)?;
                let keys = ctx.reference_values(&l.reference, &l.key)?;
                let days = ctx.reference_values(&l.reference, &l.days)?;
                let mut by_code = HashMap::with_capacity(keys.len());
                for (line, (key, day)) in keys.iter().zip(days.iter()).enumerate() {
                    let n: i64 = day.trim().parse().ok().filter(|n| *n >= 0).ok_or_else(|| {
                        format!(
                            "{}: row {} ('{key}'): {} = '{day}' must be a whole number of days ≥ 0",
                            l.reference,
                            line + 2,
                            l.days
                        )
                    })?;
                    by_code.insert(key.trim().to_string(), n);
                }
                Limit::ByCode {
                    column: l.column,
                    days: Arc::new(by_code),
                }
            }
            (Some(_), Some(_)) => {
                return Err(
                    "give either max_days (one limit) or limits (per code), not both".into(),
                );
            }
            (None, None) => {
                return Err(
                    "give max_days (days allowed) or limits (a reference list of days per code)"
                        .into(),
                );
            }
        };
        let holidays = match (&p.holidays, p.working_days) {
            (Some(_), false) => {
                return Err("holidays count only with working_days = true".into());
            }
            (Some(h), true) => {
                let mut dates = HashSet::new();
                for (line, text) in ctx
                    .reference_values(&h.reference, &h.column)?
                    .iter()
                    .enumerate()
                {
                    let date =
                        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                            format!(
                                "{}: row {}: {} = '{text}' must be a date written YYYY-MM-DD",
                                h.reference,
                                line + 2,
                                h.column
                            )
                        })?;
                    dates.insert(date);
                }
                dates
            }
            (None, _) => HashSet::new(),
        };
        Ok(Deadline {
            from_column: p.from_column,
            to_column: p.to_column,
            limit,
            working_days: p.working_days,
            holidays: Arc::new(holidays),
        })
    }

    fn plan(&self, ctx: &PlanContext) -> Result<RowCheck, RuleError> {
        let mut inputs = vec![ctx.typed(&self.from_column)?, ctx.typed(&self.to_column)?];
        if let Limit::ByCode { column, .. } = &self.limit {
            inputs.push(ctx.raw(column)?);
        }
        let required = inputs.len();
        let limit = self.limit.clone();
        let calendar = self.working_days.then(|| self.holidays.clone());
        Ok(row_udf(
            inputs,
            required,
            Arc::new(move |row| {
                let from = row[0]?.date()?;
                let to = row[1]?.date()?;
                let max = match &limit {
                    Limit::Fixed(max) => *max,
                    Limit::ByCode { days, .. } => *days.get(row[2]?.text().trim())?,
                };
                match &calendar {
                    None => inspect(from, to, max),
                    Some(holidays) => inspect_working(from, to, max, holidays),
                }
            }),
        ))
    }
}

/// Working days after `from` up to and including `to`: neither a weekend
/// nor a holiday. Zero when `to` is not after `from`.
pub fn working_days_between(from: NaiveDate, to: NaiveDate, holidays: &HashSet<NaiveDate>) -> i64 {
    if to <= from {
        return 0;
    }
    // Weekdays in (from, to]: whole weeks, then the days left one by one.
    let span = (to - from).num_days();
    let mut n = span / 7 * 5;
    let mut day = from + chrono::TimeDelta::days(span / 7 * 7);
    while day < to {
        day = day.succ_opt().unwrap_or(to);
        if !is_weekend(day) {
            n += 1;
        }
    }
    let off = holidays
        .iter()
        .filter(|h| **h > from && **h <= to && !is_weekend(**h))
        .count() as i64;
    n - off
}

fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

pub fn inspect_working(
    from: NaiveDate,
    to: NaiveDate,
    max_days: i64,
    holidays: &HashSet<NaiveDate>,
) -> Option<Finding> {
    let days = working_days_between(from, to, holidays);
    (days > max_days).then(|| {
        Finding::new(format!(
            "sau {days} ngày làm việc, quá thời hạn {max_days} ngày làm việc ({} ngày)",
            days - max_days
        ))
    })
}

impl CheckKind for Deadline {
    fn columns(&self) -> Vec<String> {
        let mut columns = vec![self.from_column.clone(), self.to_column.clone()];
        if let Limit::ByCode { column, .. } = &self.limit {
            columns.push(column.clone());
        }
        columns
    }

    fn evaluate(&self, ctx: &PlanContext, _applies: &Expr) -> Result<Evaluation, RuleError> {
        self.plan(ctx).map(Evaluation::from)
    }
}

pub fn inspect(from: NaiveDate, to: NaiveDate, max_days: i64) -> Option<Finding> {
    let days = (to - from).num_days();
    if days > max_days {
        Some(Finding::new(format!(
            "sau {days} ngày, quá hạn {max_days} ngày ({} ngày)",
            days - max_days
        )))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn boundaries_of_the_legal_deadlines() {
        assert_eq!(
            inspect(d("2026-01-01"), d("2026-03-02"), 60),
            None,
            "day 60 is on time"
        );
        assert!(
            inspect(d("2026-01-01"), d("2026-03-03"), 60)
                .unwrap()
                .detail
                .contains("sau 61 ngày")
        );
        assert_eq!(inspect(d("2026-05-01"), d("2026-05-16"), 15), None);
        assert!(inspect(d("2026-05-01"), d("2026-05-17"), 15).is_some());
        assert_eq!(
            inspect(d("2026-05-02"), d("2026-05-01"), 15),
            None,
            "before the event is another rule's job"
        );
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let none = HashSet::new();
        // Friday 2026-06-05 → Monday 06-08: one working day.
        assert_eq!(
            working_days_between(d("2026-06-05"), d("2026-06-08"), &none),
            1
        );
        assert_eq!(
            working_days_between(d("2026-06-05"), d("2026-06-05"), &none),
            0
        );
        assert_eq!(
            working_days_between(d("2026-06-08"), d("2026-06-05"), &none),
            0
        );
        // Two full weeks: ten working days.
        assert_eq!(
            working_days_between(d("2026-06-01"), d("2026-06-15"), &none),
            10
        );
        let holidays: HashSet<NaiveDate> = [d("2026-09-02")].into();
        // Tue 09-01 → Thu 09-03: Wednesday 2/9 is a holiday.
        assert_eq!(
            working_days_between(d("2026-09-01"), d("2026-09-03"), &holidays),
            1
        );
        assert!(inspect_working(d("2026-06-05"), d("2026-06-08"), 0, &none).is_some());
        assert!(inspect_working(d("2026-06-05"), d("2026-06-08"), 1, &none).is_none());
        // "The same day": a limit of 0 holds only on the day itself or over a weekend.
        assert!(inspect_working(d("2026-06-06"), d("2026-06-07"), 0, &none).is_none());
    }

    proptest::proptest! {
        /// The arithmetic count equals walking the calendar day by day.
        #[test]
        fn working_days_equal_a_day_by_day_walk(start in 0i64..20_000, span in 0i64..400, hol in proptest::collection::vec(0i64..420, 0..6)) {
            let from = d("1990-01-01") + chrono::TimeDelta::days(start);
            let to = from + chrono::TimeDelta::days(span);
            let holidays: HashSet<NaiveDate> = hol.iter().map(|h| from + chrono::TimeDelta::days(*h)).collect();
            let mut walked = 0;
            let mut day = from;
            while day < to {
                day = day.succ_opt().unwrap();
                if !is_weekend(day) && !holidays.contains(&day) {
                    walked += 1;
                }
            }
            proptest::prop_assert_eq!(working_days_between(from, to, &holidays), walked);
        }
    }
}
