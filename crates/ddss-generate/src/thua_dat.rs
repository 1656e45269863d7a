//! Land parcels (`thua_dat.csv`, pack `rules/dat_dai/thua_dat.toml`), as
//! Vietnamese-locale Excel writes them (`;`, decimal comma): parcels held by
//! living adults of the register, and the defects that pack checks.

use std::collections::HashSet;

use chrono::TimeDelta;
use rand::Rng;

use super::defects::{VN, bad_commune, garble_name};
use super::{Gen, Person, Row, Sheet, ymd};

const COLUMNS: &[&str] = &[
    "ma_xa",
    "so_to_ban_do",
    "so_thua",
    "dien_tich",
    "ma_loai_dat",
    "so_gcn",
    "ngay_cap_gcn",
    "so_dinh_danh_chu",
    "ho_ten_chu",
    "ngay_cap_nhat",
];

/// Common land-use symbols of Thông tư 25/2014/TT-BTNMT (all in
/// `rules/reference/land_use_codes.csv`): rural and urban residential land,
/// rice, perennial and annual crops, aquaculture, production forest.
const LAND_USE: &[&str] = &["ONT", "ODT", "LUC", "CLN", "BHK", "NTS", "RSX"];

/// Serial prefixes of certificates (two letters, Thông tư 23/2014/TT-BTNMT Điều 3).
const SERIES: &[&str] = &[
    "AA", "BA", "BB", "BC", "BD", "BE", "BG", "BH", "CA", "CB", "CC", "CD", "CS", "CT", "DA",
];

/// `1234.5` → `1.234,5`.
fn decimal_comma(tenths: u64) -> String {
    let whole = ddss::report::summary::integer_vi(tenths / 10);
    format!("{whole},{}", tenths % 10)
}

/// Holders: 12% of living adults, each with one or two parcels.
pub(super) fn plan(g: &mut Gen, persons: &mut [Person]) -> Vec<usize> {
    let adult = ddss::checks::range::shift(g.as_of, -18, 0).expect("date");
    let mut holders = Vec::new();
    for (i, p) in persons.iter_mut().enumerate() {
        if p.death.is_none() && p.birth <= adult && g.chance(0.12) {
            p.referenced = true;
            holders.push(i);
            if g.chance(0.3) {
                holders.push(i);
            }
        }
    }
    holders
}

pub(super) fn sheet(
    g: &mut Gen,
    persons: &[Person],
    holders: &[usize],
    registered_deaths: &[usize],
) -> Sheet {
    let mut sheet = Sheet {
        name: "thua_dat",
        file: "thua_dat.csv",
        delimiter: b';',
        columns: COLUMNS,
        rows: vec![],
    };
    let row_for = |g: &mut Gen, p: &Person| -> Row {
        let sheet_no = g.rng.random_range(1..=80);
        let step = g.rng.random_range(1..=3);
        let last = g
            .parcel_numbers
            .entry((p.commune.parse().unwrap_or(u32::MAX), sheet_no))
            .or_default();
        *last += step;
        let parcel_no = *last;
        let issued = g.date_between(ymd(2000, 1, 1), g.as_of - TimeDelta::days(1));
        Row {
            cells: vec![
                p.commune.clone(),
                sheet_no.to_string(),
                parcel_no.to_string(),
                decimal_comma(g.rng.random_range(300..=50_000)),
                g.pick(LAND_USE).to_string(),
                format!("{}{:06}", g.pick(SERIES), g.rng.random_range(0..1_000_000)),
                issued.format(VN).to_string(),
                p.id.clone(),
                p.name.clone(),
                g.recent().format(VN).to_string(),
            ],
            fails: vec![],
            repairs: vec![],
        }
    };
    for &h in holders {
        let row = row_for(g, &persons[h]);
        sheet.rows.push(row);
    }
    let [
        _commune,
        _,
        _,
        area,
        land_use,
        serial,
        issued,
        id,
        name,
        updated,
    ] = std::array::from_fn(|i| i);
    let mut used_dead: HashSet<usize> = HashSet::new();
    let mut extra = Vec::new();
    for i in 0..sheet.rows.len() {
        if !g.chance(g.rate) {
            continue;
        }
        let row = &mut sheet.rows[i];
        match g.rng.random_range(0..14) {
            0 => extra.push(row.clone()), // listed twice; TD-001 is tagged below
            1 => {
                row.cells[id] = String::new();
                row.tag("TD-002");
            }
            2 => {
                // An old 9-digit CMND number.
                let cut = row.cells[id][..9].to_string();
                if g.claim_id(&cut) {
                    row.cells[id] = cut;
                    row.tag("TD-003");
                    row.tag("TD-010");
                }
            }
            3 => {
                row.cells[area] = g.pick(&["0", "-12,5", "0,0"]).to_string();
                row.tag("TD-005");
            }
            4 => {
                row.cells[area] = g.pick(&["12,5 m2", "khoảng 300", "1,2,3"]).to_string();
                row.tag("TD-004");
            }
            5 => {
                row.cells[land_use] = g.pick(&["XYZ", "ONT1", "DAT O"]).to_string();
                row.tag("TD-006");
            }
            6 => {
                row.cells[serial] = String::new();
                row.tag("TD-007");
            }
            7 => {
                row.cells[serial] = format!("CS-{:05}", g.rng.random_range(0..100_000));
                row.tag("TD-008");
            }
            8 => {
                let future = g.as_of + TimeDelta::days(g.rng.random_range(1..200));
                row.cells[issued] = future.format(VN).to_string();
                row.tag("TD-009");
            }
            9 => {
                row.cells[id] = g.unknown_id();
                row.tag("TD-010");
            }
            10 => {
                // Still held by someone whose death is registered.
                let fresh: Vec<usize> = registered_deaths
                    .iter()
                    .copied()
                    .filter(|d| !used_dead.contains(d))
                    .collect();
                if let Some(&dead) = fresh.get(g.rng.random_range(0..fresh.len().max(1))) {
                    used_dead.insert(dead);
                    row.cells[id] = persons[dead].id.clone();
                    row.cells[name] = persons[dead].name.clone();
                    row.tag("TD-011");
                }
            }
            11 => {
                // The parcel key keeps its map sheet and number under the
                // wrong commune code; claimed so two such keys never meet.
                let commune = bad_commune(g);
                if g.claim_parcel(&commune, &row.cells[1], &row.cells[2]) {
                    row.cells[0] = commune;
                    row.tag("TD-012");
                }
            }
            12 => {
                let garbled = garble_name(g, &row.cells[name].clone());
                row.damage_repairably(name, garbled);
                row.tag("TD-013");
            }
            _ => {
                row.cells[updated] = g.stale().format(VN).to_string();
                row.tag("TD-014");
            }
        }
    }
    sheet.rows.extend(extra);
    sheet.tag_duplicates(&[0, 1, 2], "TD-001");
    sheet
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_use_the_vietnamese_decimal_comma() {
        assert_eq!(decimal_comma(12345), "1.234,5");
        assert_eq!(decimal_comma(300), "30,0");
    }
}
