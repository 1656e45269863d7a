//! Marriage registrations (`ket_hon.csv`, pack `rules/ho_tich/ket_hon.toml`):
//! couples from the register, registered at a legal age, with the commune
//! code in force on the registration date; and the defects that pack checks.

use chrono::{Datelike, NaiveDate, TimeDelta};
use rand::Rng;

use super::defects::{VN, bad_commune_on, garble_name, reform_day};
use super::{Gen, Person, Row, Sheet, age_at, years_after, ymd};

const COLUMNS: &[&str] = &[
    "so_dang_ky",
    "so_dinh_danh_chong",
    "ho_ten_chong",
    "ngay_sinh_chong",
    "so_dinh_danh_vo",
    "ho_ten_vo",
    "ngay_sinh_vo",
    "ngay_dang_ky",
    "ma_xa",
    "ngay_cap_nhat",
];

fn year_digits_agree(id: &str, birth: NaiveDate) -> bool {
    id.len() == 12 && id[4..6] == format!("{:02}", birth.year() % 100)
}

/// (husband, wife, registration date): living people, each married once,
/// both of legal age on the day (Luật HN&GĐ 2014 Điều 8: 20 and 18).
pub(super) fn plan(g: &mut Gen, persons: &mut [Person]) -> Vec<(usize, usize, NaiveDate)> {
    let latest = g.as_of - TimeDelta::days(1);
    let eligible = |p: &Person, years: i32| {
        p.death.is_none() && years_after(p.birth, years) + TimeDelta::days(30) < latest
    };
    let men: Vec<usize> = (0..persons.len())
        .filter(|i| persons[*i].male && eligible(&persons[*i], 20))
        .collect();
    let mut women: Vec<usize> = (0..persons.len())
        .filter(|i| !persons[*i].male && eligible(&persons[*i], 18))
        .collect();
    let mut couples = Vec::new();
    for m in men {
        if women.is_empty() || !g.chance(0.12) {
            continue;
        }
        let w = women.swap_remove(g.rng.random_range(0..women.len()));
        let earliest = years_after(persons[m].birth, 20)
            .max(years_after(persons[w].birth, 18))
            .max(ymd(2016, 1, 1))
            + TimeDelta::days(1);
        let registered = g.date_between(earliest.min(latest), latest);
        persons[m].referenced = true;
        persons[w].referenced = true;
        couples.push((m, w, registered));
    }
    couples
}

pub(super) fn sheet(
    g: &mut Gen,
    persons: &[Person],
    couples: &[(usize, usize, NaiveDate)],
) -> Sheet {
    let mut sheet = Sheet {
        name: "ket_hon",
        file: "ket_hon.csv",
        delimiter: b',',
        columns: COLUMNS,
        rows: vec![],
    };
    for &(m, w, registered) in couples {
        g.marriage_serial += 1;
        let (h, v) = (&persons[m], &persons[w]);
        // Before the reform a commune code of the old list; from then on, the new list.
        let commune = if registered < reform_day() {
            g.pick_listed(|l| &l.abolished_communes)
        } else {
            h.commune.clone()
        };
        let cells = vec![
            format!("KH-{}-{:06}", registered.year(), g.marriage_serial),
            h.id.clone(),
            h.name.clone(),
            h.birth.format(VN).to_string(),
            v.id.clone(),
            v.name.clone(),
            v.birth.format(VN).to_string(),
            registered.format(VN).to_string(),
            commune,
            g.recent().format(VN).to_string(),
        ];
        sheet.rows.push(Row {
            cells,
            fails: vec![],
            repairs: vec![],
        });
    }
    let [
        key,
        h_id,
        h_name,
        h_birth,
        w_id,
        w_name,
        w_birth,
        date,
        commune,
        updated,
    ] = std::array::from_fn(|i| i);
    let mut extra = Vec::new();
    for i in 0..sheet.rows.len() {
        if !g.chance(g.rate) {
            continue;
        }
        let registered = couples[i].2;
        let post_reform = registered >= reform_day();
        let row = &mut sheet.rows[i];
        match g.rng.random_range(0..15) {
            0 => {
                row.cells[h_id] = String::new();
                row.tag("KH-001");
            }
            1 => {
                row.cells[w_id] = "NULL".into();
                row.tag("KH-002");
            }
            2 => {
                // 11 digits: the leading zero lost when the column was
                // opened as a number.
                let short = row.cells[h_id][1..].to_string();
                if g.claim_id(&short) {
                    row.damage_repairably(h_id, short);
                    row.tag("KH-003");
                    row.tag("KH-008");
                }
            }
            3 => {
                // The wife's birth year one year off: her ID no longer agrees.
                let birth = persons[couples[i].1].birth;
                let moved =
                    birth
                        .with_year(birth.year() - 1)
                        .unwrap_or(ymd(birth.year() - 1, 2, 28));
                row.cells[w_birth] = moved.format(VN).to_string();
                row.tag("KH-004");
            }
            4 => {
                let birth = years_after(registered, -19);
                row.cells[h_birth] = birth.format(VN).to_string();
                debug_assert!(age_at(birth, registered) < 20);
                row.tag("KH-005");
                if !year_digits_agree(&row.cells[h_id], birth) {
                    row.tag("KH-003");
                }
            }
            5 => {
                let birth = years_after(registered, -17);
                row.cells[w_birth] = birth.format(VN).to_string();
                debug_assert!(age_at(birth, registered) < 18);
                row.tag("KH-006");
                if !year_digits_agree(&row.cells[w_id], birth) {
                    row.tag("KH-004");
                }
            }
            6 => {
                // Registered twice: the second record gets its own number.
                let mut copy = row.clone();
                g.marriage_serial += 1;
                copy.cells[key] = format!("KH-{}-{:06}", registered.year(), g.marriage_serial);
                extra.push(copy);
            }
            7 => {
                let birth = persons[couples[i].0].birth;
                row.cells[h_id] = g.new_id(birth, true);
                row.tag("KH-008");
            }
            8 => {
                let future = g.as_of + TimeDelta::days(g.rng.random_range(1..200));
                row.cells[date] = future.format(VN).to_string();
                row.tag("KH-011");
                if !post_reform {
                    row.tag("KH-012"); // an old-list code on a post-reform date
                }
            }
            9 => {
                // No such day: the rules that read the date do not apply.
                row.cells[date] = format!("31/02/{}", registered.year());
                row.tag("KH-010");
            }
            10 => {
                row.cells[commune] = bad_commune_on(g, registered);
                row.tag("KH-012");
            }
            13 => {
                let birth = persons[couples[i].1].birth;
                row.cells[w_id] = g.new_id(birth, false);
                row.tag("KH-009");
            }
            11 => {
                let garbled = garble_name(g, &row.cells[h_name].clone());
                row.damage_repairably(h_name, garbled);
                row.tag("KH-013");
            }
            12 => {
                let garbled = garble_name(g, &row.cells[w_name].clone());
                row.damage_repairably(w_name, garbled);
                row.tag("KH-014");
            }
            _ => {
                row.cells[updated] = g.stale().format(VN).to_string();
                row.tag("KH-015");
            }
        }
    }
    sheet.rows.extend(extra);
    sheet.tag_duplicates(&[h_id, w_id], "KH-007");
    sheet
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_count_full_years_and_leap_birthdays() {
        assert_eq!(age_at(ymd(2000, 5, 10), ymd(2020, 5, 9)), 19);
        assert_eq!(age_at(ymd(2000, 5, 10), ymd(2020, 5, 10)), 20);
        assert_eq!(age_at(ymd(2004, 2, 29), ymd(2022, 2, 28)), 17);
        assert_eq!(age_at(ymd(2004, 2, 29), ymd(2022, 3, 1)), 18);
    }
}
