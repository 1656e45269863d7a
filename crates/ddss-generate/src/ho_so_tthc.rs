//! Administrative-procedure dossiers (`ho_so_tthc.csv`, pack
//! `rules/tthc/ho_so_tthc.toml`): dossiers filed by living adults of the
//! register at their commune's one-stop office, each with the appointment
//! date its procedure's statutory limit gives (working days, public holidays
//! skipped, from `reference/tthc_time_limits.csv` and
//! `reference/public_holidays.csv`), returned on time, late, or still open;
//! and the defects that pack checks.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use rand::Rng;

use super::defects::VN;
use super::{Gen, Person, Row, Sheet};

pub(crate) const COLUMNS: &[&str] = &[
    "ma_ho_so",
    "ma_thu_tuc",
    "so_dinh_danh",
    "ma_xa",
    "kenh",
    "ngay_tiep_nhan",
    "ngay_hen_tra",
    "ngay_tra",
    "trang_thai",
    "so_hoa",
];

/// Days back from the as-of date that dossiers are received over.
const WINDOW_DAYS: i64 = 180;

fn is_working(day: NaiveDate, holidays: &HashSet<NaiveDate>) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&day)
}

/// The `n`-th working day after `from` (`from` itself for 0): the
/// appointment date a limit of `n` working days gives.
pub(crate) fn add_working_days(
    from: NaiveDate,
    n: i64,
    holidays: &HashSet<NaiveDate>,
) -> NaiveDate {
    let mut day = from;
    let mut left = n;
    while left > 0 {
        day += TimeDelta::days(1);
        if is_working(day, holidays) {
            left -= 1;
        }
    }
    day
}

/// Applicants: a fifth of the living adults whose register ID is intact
/// (`intact`), one dossier each.
pub(super) fn plan(g: &mut Gen, persons: &[Person], intact: &HashSet<&str>) -> Vec<usize> {
    let adult = ddss::checks::range::shift(g.as_of, -18, 0).expect("date");
    let mut applicants = Vec::new();
    for (i, p) in persons.iter().enumerate() {
        if p.death.is_none() && p.birth <= adult && intact.contains(p.id.as_str()) && g.chance(0.2)
        {
            applicants.push(i);
        }
    }
    applicants
}

/// A dossier code: the receiving agency (derived from the commune), the
/// receiving date and a sequence number unique per agency and day.
fn dossier_code(g: &mut Gen, commune: &str, received: NaiveDate) -> String {
    let digits: String = format!("{commune:0>5}").chars().take(5).collect();
    let agency = format!("000.00.{}.H{}", &digits[3..5], &digits[0..2]);
    let n = g
        .dossier_numbers
        .entry((agency.clone(), received))
        .or_insert(0);
    *n += 1;
    format!("{agency}-{}-{:04}", received.format("%y%m%d"), *n)
}

/// A working day within the window before the as-of date.
fn received_on(g: &mut Gen) -> NaiveDate {
    let holidays = g.lists.holidays.clone();
    loop {
        let day = g.as_of - TimeDelta::days(g.rng.random_range(0..=WINDOW_DAYS));
        if is_working(day, &holidays) {
            return day;
        }
    }
}

pub(super) fn sheet(g: &mut Gen, persons: &[Person], applicants: &[usize]) -> Sheet {
    let mut sheet = Sheet {
        name: "ho_so_tthc",
        file: "ho_so_tthc.csv",
        delimiter: b',',
        columns: COLUMNS,
        rows: vec![],
    };
    let holidays = g.lists.holidays.clone();
    let procedures = g.lists.procedures.clone();
    let as_of = g.as_of;
    for &i in applicants {
        let p = &persons[i];
        let received = received_on(g);
        let (code, days) = g.pick(&procedures).clone();
        let due = add_working_days(received, days, &holidays);
        let mut returned = None;
        if due < as_of && g.chance(0.85) {
            let on = if g.chance(0.08) {
                let late = g.rng.random_range(1..=5);
                add_working_days(due, late, &holidays)
            } else {
                g.date_between(received, due)
            };
            returned = (on <= as_of).then_some(on);
        }
        let channel = match g.rng.random_range(0..100) {
            0..45 => "truc_tuyen",
            45..95 => "truc_tiep",
            _ => "buu_chinh",
        };
        let digitised = returned.is_some() && g.chance(0.8);
        sheet.rows.push(Row {
            cells: vec![
                dossier_code(g, &p.commune, received),
                code,
                p.id.clone(),
                p.commune.clone(),
                channel.into(),
                received.format(VN).to_string(),
                due.format(VN).to_string(),
                returned
                    .map(|d| d.format(VN).to_string())
                    .unwrap_or_default(),
                if returned.is_some() {
                    "da_tra"
                } else {
                    "dang_xu_ly"
                }
                .into(),
                if digitised { "co" } else { "khong" }.into(),
            ],
            fails: vec![],
            repairs: vec![],
        });
    }
    inject(g, &mut sheet, &procedures, &holidays);
    sheet
}

fn date(cell: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(cell, VN).ok()
}

/// One defect in about `g.rate` of the rows, each tagged with the rule it
/// must trip (and only that rule).
fn inject(
    g: &mut Gen,
    sheet: &mut Sheet,
    procedures: &[(String, i64)],
    holidays: &HashSet<NaiveDate>,
) {
    let as_of = g.as_of;
    let mut extra = Vec::new();
    for row in sheet.rows.iter_mut() {
        if !g.chance(g.rate) {
            continue;
        }
        let received = date(&row.cells[5]).expect("generated date");
        let returned = date(&row.cells[7]);
        let days = procedures
            .iter()
            .find(|(c, _)| *c == row.cells[1])
            .map_or(0, |(_, d)| *d);
        match g.rng.random_range(0..15) {
            0 => {
                row.cells[0] = String::new();
                row.tag("HS-001");
            }
            1 => {
                row.cells[0] = row.cells[0].replacen('-', "/", 1);
                row.tag("HS-002");
            }
            2 => extra.push(row.clone()),
            3 => {
                row.cells[1] = g.pick(&["9.999999", "khai sinh", "1001193"]).to_string();
                row.tag("HS-004");
            }
            4 => {
                row.cells[4] = g.pick(&["online", "Trực tuyến", "TT"]).to_string();
                row.tag("HS-005");
            }
            5 => {
                row.cells[8] = g.pick(&["Đã trả", "xong", "1"]).to_string();
                row.tag("HS-006");
            }
            6 => {
                let before = received - TimeDelta::days(g.rng.random_range(1..=10));
                row.cells[6] = before.format(VN).to_string();
                row.tag("HS-007");
            }
            7 if returned.is_some() => {
                row.cells[7] = String::new();
                row.tag("HS-008");
            }
            8 if returned.is_some() => {
                let before = received - TimeDelta::days(g.rng.random_range(1..=30));
                row.cells[7] = before.format(VN).to_string();
                row.tag("HS-009");
            }
            9 => {
                let over = days + g.rng.random_range(1..=10);
                let due = add_working_days(received, over, holidays);
                row.cells[6] = due.format(VN).to_string();
                row.tag("HS-010");
            }
            10 if returned.is_none() && received < as_of => {
                let on = g.date_between(received, as_of);
                row.cells[7] = on.format(VN).to_string();
                row.tag("HS-011");
            }
            11 => {
                row.cells[2] = g.unknown_id();
                row.tag("HS-012");
            }
            12 => {
                let short = row.cells[2][1..].to_string();
                if g.claim_id(&short) {
                    row.damage_repairably(2, short);
                    row.tag("HS-012");
                    row.tag("HS-013");
                }
            }
            13 => {
                row.cells[9] = g.pick(&["x", "Có", "1"]).to_string();
                row.tag("HS-014");
            }
            14 => {
                // Received after the as-of date: still open, appointment set.
                let ahead = as_of + TimeDelta::days(g.rng.random_range(1..=30));
                let due = add_working_days(ahead, days, holidays);
                row.cells[5] = ahead.format(VN).to_string();
                row.cells[6] = due.format(VN).to_string();
                row.cells[7] = String::new();
                row.cells[8] = "dang_xu_ly".into();
                row.cells[9] = "khong".into();
                row.tag("HS-015");
            }
            _ => {}
        }
    }
    sheet.rows.extend(extra);
    sheet.tag_duplicates(&[0], "HS-003");
}

/// The pack's indicators counted from a final row, independently of ddss's
/// SQL: `(indicator, Some(in the numerator))` for each indicator whose
/// denominator holds the row.
pub(crate) fn indicator_flags(row: &Row, as_of: NaiveDate) -> Vec<(&'static str, Option<bool>)> {
    let due = date(&row.cells[6]);
    let returned = date(&row.cells[7]);
    let late_due = returned.is_some() || due.is_some_and(|d| d < as_of);
    let late = match (returned, due) {
        (Some(r), Some(d)) => r > d,
        (None, Some(d)) => d < as_of,
        _ => false,
    };
    vec![
        ("CT-HS-01", late_due.then_some(late)),
        (
            "CT-HS-02",
            (row.cells[8] == "da_tra").then_some(row.cells[9] == "co"),
        ),
        ("CT-HS-03", Some(row.cells[4] == "truc_tuyen")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn appointment_dates_count_working_days() {
        let none = HashSet::new();
        assert_eq!(add_working_days(d("2026-06-05"), 0, &none), d("2026-06-05"));
        assert_eq!(add_working_days(d("2026-06-05"), 1, &none), d("2026-06-08"));
        assert_eq!(add_working_days(d("2026-06-01"), 7, &none), d("2026-06-10"));
        let holidays: HashSet<NaiveDate> = [d("2026-09-02")].into();
        assert_eq!(
            add_working_days(d("2026-09-01"), 1, &holidays),
            d("2026-09-03")
        );
    }
}
