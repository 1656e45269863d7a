//! The children's database (`tre_em.csv`, pack `rules/tre_em/tre_em.toml`):
//! every living child under 16 of the register, with the mother of their
//! birth registration, a father, the orphan status the death register
//! gives, the health-insurance card of the under-6s, and the defects that
//! pack checks.

use std::collections::HashMap;

use chrono::NaiveDate;
use rand::Rng;

use super::defects::{VN, bad_commune, garble_name, shortened_id};
use super::{Gen, Person, Registers, Row, Sheet, age_at, is_missing, years_after};

const COLUMNS: &[&str] = &[
    "so_dinh_danh",
    "ho_ten",
    "ngay_sinh",
    "gioi_tinh",
    "ma_xa",
    "hoan_canh",
    "ma_the_bhyt",
    "so_dinh_danh_cha",
    "so_dinh_danh_me",
    "mo_coi",
    "ngay_cap_nhat",
];

/// Groups of Luật Trẻ em 2016 Điều 10 khoản 1 other than (a), orphans of
/// both parents (`rules/reference/tre_em_hoan_canh_dac_biet.csv`).
const GROUPS: &[&str] = &[
    "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o",
];

/// Under 6 on the as-of date: the state pays the health insurance.
fn under_six(birth: NaiveDate, as_of: NaiveDate) -> bool {
    years_after(birth, 6) > as_of
}

struct Family<'a> {
    persons: &'a [Person],
    mothers: HashMap<usize, usize>,
    men: Vec<usize>,
    registers: &'a Registers,
}

impl Family<'_> {
    /// A man of the block at least 18 years older than the child.
    fn father(&self, g: &mut Gen, child: &Person) -> Option<String> {
        let old_enough = years_after(child.birth, -18);
        for _ in 0..32 {
            let m = &self.persons[*g.pick(&self.men)];
            if m.birth <= old_enough {
                return Some(m.id.clone());
            }
        }
        None
    }

    fn orphan_status(&self, father: &str, mother: &str) -> &'static str {
        let dead = |id: &str| !is_missing(id) && self.registers.khai_tu.contains(id);
        match (dead(father), dead(mother)) {
            (false, false) => "khong",
            (true, false) => "mo_coi_cha",
            (false, true) => "mo_coi_me",
            (true, true) => "mo_coi_ca_hai",
        }
    }

    fn row(&self, g: &mut Gen, child: usize) -> Row {
        let p = &self.persons[child];
        let father = if self.men.is_empty() {
            String::new()
        } else {
            self.father(g, p).unwrap_or_default()
        };
        let mother = self
            .mothers
            .get(&child)
            .map(|m| self.persons[*m].id.clone())
            .unwrap_or_default();
        let orphan = self.orphan_status(&father, &mother);
        let group = if orphan == "mo_coi_ca_hai" {
            "a".to_string()
        } else if g.chance(0.03) {
            g.pick(GROUPS).to_string()
        } else {
            String::new()
        };
        let card = if under_six(p.birth, g.as_of) {
            let n = g.insurance_number(&p.id);
            format!("TE1{}{n}", &n[..2])
        } else if g.chance(0.5) {
            let n = g.insurance_number(&p.id);
            format!("HS4{}{n}", &n[..2])
        } else {
            String::new()
        };
        Row {
            cells: vec![
                p.id.clone(),
                p.name.clone(),
                p.birth.format(VN).to_string(),
                if p.male { "Nam" } else { "Nữ" }.into(),
                p.commune.clone(),
                group,
                card,
                father,
                mother,
                orphan.into(),
                g.recent().format(VN).to_string(),
            ],
            fails: vec![],
            repairs: vec![],
        }
    }
}

pub(super) fn sheet(
    g: &mut Gen,
    persons: &[Person],
    births: &[(usize, usize)],
    registers: &Registers,
) -> Sheet {
    let mut sheet = Sheet {
        name: "tre_em",
        file: "tre_em.csv",
        delimiter: b',',
        columns: COLUMNS,
        rows: vec![],
    };
    let family = Family {
        persons,
        mothers: births.iter().copied().collect(),
        men: (0..persons.len()).filter(|i| persons[*i].male).collect(),
        registers,
    };
    let as_of = g.as_of;
    let children: Vec<usize> = (0..persons.len())
        .filter(|i| persons[*i].death.is_none() && age_at(persons[*i].birth, as_of) < 16)
        .collect();
    for &c in &children {
        let row = family.row(g, c);
        sheet.rows.push(row);
    }
    let [
        id,
        name,
        birth,
        _,
        commune,
        group,
        card,
        _,
        _,
        orphan,
        updated,
    ] = std::array::from_fn(|i| i);
    // Grown out of the database: 16 or 17 and not listed.
    let mut grown = super::living_unlisted(persons, 16..18, as_of, &children);
    let mut extra = Vec::new();
    for i in 0..sheet.rows.len() {
        if !g.chance(g.rate) {
            continue;
        }
        let row = &mut sheet.rows[i];
        let born = NaiveDate::parse_from_str(&row.cells[birth], VN).expect("generated date");
        match g.rng.random_range(0..12) {
            0 => {
                row.cells[id] = String::new();
                row.tag("TE-001");
            }
            1 => {
                if let Some(short) = shortened_id(g, &row.cells[id].clone()) {
                    // Certain only where the restored ID is in the register
                    // and the births (TE-004, TE-006 read it too).
                    let id_now = row.cells[id].clone();
                    if registers.dan_cu.contains(&id_now) && registers.khai_sinh.contains(&id_now) {
                        row.damage_repairably(id, short);
                    } else {
                        row.cells[id] = short;
                    }
                    row.tag("TE-002");
                }
            }
            2 => extra.push(row.clone()), // TE-003, tagged below
            3 => {
                // Grown out of the database and still listed.
                if let Some(k) = (!grown.is_empty()).then(|| g.rng.random_range(0..grown.len())) {
                    let mut r = family.row(g, grown.swap_remove(k));
                    r.tag("TE-005");
                    extra.push(r);
                }
            }
            4 => {
                row.cells[group] = g.pick(&["x", "mồ côi", "15", "q"]).to_string();
                row.tag("TE-007");
            }
            5 if under_six(born, as_of) => {
                row.cells[card] = String::new();
                row.tag("TE-008");
            }
            6 if under_six(born, as_of) => {
                let n = row.cells[card][5..].to_string();
                row.cells[card] = format!("HS4{}{n}", &n[..2]);
                row.tag("TE-009");
            }
            7 => {
                row.cells[orphan] = g.pick(&["Có", "1", "mồ côi"]).to_string();
                row.tag("TE-010");
            }
            8 => {
                // A status the death register contradicts (TE-011–TE-014, tagged below).
                let now = row.cells[orphan].clone();
                let other = loop {
                    let s = *g.pick(&["khong", "mo_coi_cha", "mo_coi_me", "mo_coi_ca_hai"]);
                    if s != now {
                        break s;
                    }
                };
                row.cells[orphan] = other.into();
            }
            9 => {
                row.cells[commune] = bad_commune(g);
                row.tag("TE-015");
            }
            10 => {
                let garbled = garble_name(g, &row.cells[name].clone());
                row.damage_repairably(name, garbled);
                row.tag("TE-016");
            }
            _ => {
                row.cells[updated] = g.stale().format(VN).to_string();
                row.tag("TE-017");
            }
        }
    }
    sheet.rows.extend(extra);
    tag_truth(&mut sheet, registers);
    sheet
}

/// The rules whose truth follows from the final rows and the registers.
fn tag_truth(sheet: &mut Sheet, registers: &Registers) {
    let is =
        |statuses: &'static [&'static str]| move |r: &Row| statuses.contains(&r.cells[9].as_str());
    sheet.tag_duplicates(&[0], "TE-003");
    sheet.tag_lookup(0, &registers.dan_cu, false, |_| true, "TE-004");
    sheet.tag_lookup(0, &registers.khai_sinh, false, |_| true, "TE-006");
    let deaths = &registers.khai_tu;
    sheet.tag_lookup(
        7,
        deaths,
        false,
        is(&["mo_coi_cha", "mo_coi_ca_hai"]),
        "TE-011",
    );
    sheet.tag_lookup(
        8,
        deaths,
        false,
        is(&["mo_coi_me", "mo_coi_ca_hai"]),
        "TE-012",
    );
    sheet.tag_lookup(7, deaths, true, is(&["khong", "mo_coi_me"]), "TE-013");
    sheet.tag_lookup(8, deaths, true, is(&["khong", "mo_coi_cha"]), "TE-014");
}

/// CT-TE-01 for one final row: children under 6, those with a card.
pub(crate) fn indicator_flags(row: &Row, as_of: NaiveDate) -> Vec<(&'static str, Option<bool>)> {
    let young = NaiveDate::parse_from_str(&row.cells[2], VN).is_ok_and(|b| under_six(b, as_of));
    vec![("CT-TE-01", young.then_some(!is_missing(&row.cells[6])))]
}
