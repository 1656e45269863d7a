//! Workers, job seekers and unemployment-benefit recipients (`lao_dong.csv`,
//! pack `rules/lao_dong/lao_dong.toml`): a tenth of the living people aged 15
//! or more, retired once they reached the statutory age, and the defects that
//! pack checks.

use chrono::{Datelike, Months, NaiveDate, TimeDelta};
use rand::Rng;

use super::defects::{VN, bad_commune, garble_name, shortened_id};
use super::{Gen, Person, Registers, Row, Sheet, age_at};

const COLUMNS: &[&str] = &[
    "so_dinh_danh",
    "ho_ten",
    "ngay_sinh",
    "gioi_tinh",
    "ma_xa",
    "so_bhxh",
    "tinh_trang",
    "ngay_nghi_huu",
    "huong_tctn",
    "ngay_cap_nhat",
];

/// The retirement age (months) of someone reaching it in `year`, by the
/// roadmap of Nghị định 135/2020/NĐ-CP Điều 4: written out from the decree
/// here, apart from the `retirement_age` check, so each tests the other.
fn roadmap_months(year: i32, female: bool) -> u32 {
    let steps = (year - 2020).max(0) as u32;
    if female {
        (660 + 4 * steps).min(720)
    } else {
        (720 + 3 * steps).min(744)
    }
}

/// The day a person reaches the retirement age: the first month of age at
/// which the age reached is at least the age of that month's year.
pub(crate) fn retirement_day(birth: NaiveDate, female: bool) -> NaiveDate {
    let mut months = roadmap_months(2020, female);
    loop {
        let on = birth
            .checked_add_months(Months::new(months))
            .expect("date in range");
        if months >= roadmap_months(on.year(), female) {
            return on;
        }
        months += 1;
    }
}

fn gender(male: bool) -> &'static str {
    if male { "Nam" } else { "Nữ" }
}

/// The workforce: living people of 15 or more whose ID the register holds
/// (a tenth of them).
pub(super) fn plan(g: &mut Gen, persons: &[Person], registers: &Registers) -> Vec<usize> {
    let mut workers = Vec::new();
    for (i, p) in persons.iter().enumerate() {
        if p.death.is_none()
            && age_at(p.birth, g.as_of) >= 15
            && registers.dan_cu.contains(&p.id)
            && g.chance(0.1)
        {
            workers.push(i);
        }
    }
    workers
}

fn row_for(g: &mut Gen, p: &Person) -> Row {
    let retires = retirement_day(p.birth, !p.male);
    let (status, retired_on, benefit) = if retires <= g.as_of && g.chance(0.8) {
        ("nghi_huu", Some(g.date_between(retires, g.as_of)), false)
    } else if g.chance(0.8) {
        ("dang_lam_viec", None, false)
    } else {
        ("that_nghiep", None, g.chance(0.5))
    };
    let insured = status != "dang_lam_viec" || g.chance(0.6);
    Row {
        cells: vec![
            p.id.clone(),
            p.name.clone(),
            p.birth.format(VN).to_string(),
            gender(p.male).into(),
            p.commune.clone(),
            if insured {
                g.insurance_number(&p.id)
            } else {
                String::new()
            },
            status.into(),
            retired_on
                .map(|d| d.format(VN).to_string())
                .unwrap_or_default(),
            if benefit { "co" } else { "khong" }.into(),
            g.recent().format(VN).to_string(),
        ],
        fails: vec![],
        repairs: vec![],
    }
}

pub(super) fn sheet(
    g: &mut Gen,
    persons: &[Person],
    workers: &[usize],
    registers: &Registers,
    registered_deaths: &[usize],
) -> Sheet {
    let mut sheet = Sheet {
        name: "lao_dong",
        file: "lao_dong.csv",
        delimiter: b',',
        columns: COLUMNS,
        rows: vec![],
    };
    for &w in workers {
        let row = row_for(g, &persons[w]);
        sheet.rows.push(row);
    }
    let [
        id,
        name,
        _,
        _,
        commune,
        insurance,
        status,
        retired,
        benefit,
        updated,
    ] = std::array::from_fn(|i| i);
    // Living children of 10–14 not in the list: put to work below the
    // legal age.
    let mut children = super::living_unlisted(persons, 10..15, g.as_of, workers);
    let mut dead: Vec<usize> = registered_deaths.to_vec();
    let mut extra = Vec::new();
    for i in 0..sheet.rows.len() {
        if !g.chance(g.rate) {
            continue;
        }
        let row = &mut sheet.rows[i];
        let p = &persons[workers[i]];
        match g.rng.random_range(0..16) {
            0 => {
                row.cells[id] = String::new();
                row.tag("LD-001");
            }
            1 => row.cells[id] = g.unknown_id(), // LD-002 (birth year), LD-004: tagged below
            2 => extra.push(row.clone()),        // LD-003, tagged below
            3 if !row.cells[insurance].is_empty() => {
                let n = row.cells[insurance].clone();
                row.cells[insurance] = g
                    .pick(&[&n[..9], &format!("{n}0")[..], "BH12345678"])
                    .to_string();
                row.tag("LD-005");
            }
            4 if row.cells[status] == "dang_lam_viec" => {
                row.cells[status] = g.pick(&["Đang làm việc", "1", "lam_viec"]).to_string();
                row.tag("LD-006");
            }
            5 => {
                if let Some(k) =
                    (!children.is_empty()).then(|| g.rng.random_range(0..children.len()))
                {
                    let child = &persons[children.swap_remove(k)];
                    let mut r = row_for(g, child);
                    r.cells[status] = "dang_lam_viec".into();
                    r.cells[retired] = String::new();
                    r.cells[benefit] = "khong".into();
                    r.tag("LD-007");
                    extra.push(r);
                }
            }
            6 if row.cells[status] == "nghi_huu" => {
                let due = retirement_day(p.birth, !p.male);
                let early = due - TimeDelta::days(g.rng.random_range(1..=900));
                row.cells[retired] = early.format(VN).to_string();
                row.tag("LD-008");
            }
            7 if row.cells[status] == "nghi_huu" => {
                row.cells[retired] = String::new();
                row.tag("LD-009");
            }
            8 if row.cells[status] == "dang_lam_viec" && !row.cells[insurance].is_empty() => {
                row.cells[benefit] = "co".into();
                row.tag("LD-010");
            }
            9 => {
                // A benefit still paid to someone whose death is registered.
                if let Some(k) = (!dead.is_empty()).then(|| g.rng.random_range(0..dead.len())) {
                    let d = &persons[dead.swap_remove(k)];
                    let mut r = row_for(g, d);
                    r.cells[status] = "that_nghiep".into();
                    r.cells[retired] = String::new();
                    r.cells[benefit] = "co".into();
                    if r.cells[insurance].is_empty() {
                        r.cells[insurance] = g.insurance_number(&d.id);
                    }
                    extra.push(r); // LD-011, tagged below
                }
            }
            10 => {
                row.cells[benefit] = g.pick(&["Có", "x", "1"]).to_string();
                row.tag("LD-012");
            }
            11 => {
                row.cells[commune] = bad_commune(g);
                row.tag("LD-013");
            }
            12 => {
                let garbled = garble_name(g, &row.cells[name].clone());
                row.damage_repairably(name, garbled);
                row.tag("LD-014");
            }
            13 => {
                row.cells[updated] = g.stale().format(VN).to_string();
                row.tag("LD-015");
            }
            14 if row.cells[status] == "nghi_huu" || row.cells[benefit] == "co" => {
                row.cells[insurance] = String::new();
                row.tag("LD-016");
            }
            15 => {
                if let Some(short) = shortened_id(g, &row.cells[id].clone()) {
                    row.damage_repairably(id, short);
                    row.tag("LD-002");
                }
            }
            _ => {}
        }
    }
    sheet.rows.extend(extra);
    tag_truth(&mut sheet, registers);
    sheet
}

/// The rules whose truth follows from the final rows and the registers.
fn tag_truth(sheet: &mut Sheet, registers: &Registers) {
    sheet.tag_duplicates(&[0], "LD-003");
    sheet.tag_lookup(0, &registers.dan_cu, false, |_| true, "LD-004");
    sheet.tag_lookup(
        0,
        &registers.khai_tu,
        true,
        |r| r.cells[8] == "co",
        "LD-011",
    );
    // An unknown ID is drawn with a birth before 2001, a shortened one has
    // 11 digits: both disagree with the row (LD-002).
    for row in sheet.rows.iter_mut() {
        let idv = &row.cells[0];
        if !idv.is_empty() && row.fails.contains(&"LD-004") {
            let birth = NaiveDate::parse_from_str(&row.cells[2], VN).ok();
            let male = row.cells[3] == "Nam";
            if !birth.is_some_and(|b| super::datasets::id_agrees(idv, b, male)) {
                row.tag("LD-002");
            }
        }
    }
}
