//! Taxpayers (`nguoi_nop_thue.csv`, pack `rules/thue/nguoi_nop_thue.toml`)
//! — enterprises with valid tax codes, their dependent units, and living
//! adults of the register keyed by their personal ID — and the dependants
//! those individuals claim for the family deduction (`nguoi_phu_thuoc.csv`,
//! pack `rules/thue/nguoi_phu_thuoc.toml`), with the defects both packs check.

use std::collections::HashSet;

use chrono::{NaiveDate, TimeDelta};
use rand::Rng;

use super::defects::{VN, bad_commune, shortened_id};
use super::{Gen, Person, Registers, Row, Sheet, age_at, is_missing, ymd};

const TAXPAYERS: &[&str] = &[
    "mst",
    "loai",
    "ten",
    "so_dinh_danh",
    "ma_xa",
    "ngay_dang_ky",
    "trang_thai",
    "ngay_cap_nhat",
];

const DEPENDANTS: &[&str] = &[
    "mst_nguoi_nop",
    "so_dinh_danh",
    "ho_ten",
    "ngay_sinh",
    "quan_he",
    "ly_do",
    "tu_ngay",
    "den_ngay",
    "ma_xa",
];

/// The day individuals' tax code became their personal ID (Thông tư
/// 86/2024/TT-BTC).
fn personal_id_day() -> NaiveDate {
    ymd(2025, 7, 1)
}

/// N10 of a tax code, written from the published weights apart from the
/// `tax_code` check; `None` when the remainder is 0 (never issued).
fn tax_check_digit(first_nine: &str) -> Option<char> {
    let weights = [31, 29, 23, 19, 17, 13, 7, 5, 3];
    let sum: u32 = first_nine
        .chars()
        .zip(weights)
        .map(|(c, w)| c.to_digit(10).expect("digit") * w)
        .sum();
    match sum % 11 {
        0 => None,
        r => char::from_digit(10 - r, 10),
    }
}

/// A valid enterprise tax code never issued before in this run.
fn enterprise_code(g: &mut Gen) -> String {
    loop {
        g.tax_serial += 1;
        // 7919 is prime and coprime with 10⁷: distinct serials, spread out.
        let sequence = (g.tax_serial * 7919 + 104_729) % 10_000_000;
        let province = g.rng.random_range(1..=99);
        let nine = format!("{province:02}{sequence:07}");
        if sequence == 0 {
            continue;
        }
        if let Some(check) = tax_check_digit(&nine) {
            return format!("{nine}{check}");
        }
    }
}

fn taxpayer_row(
    g: &mut Gen,
    mst: String,
    kind: &str,
    name: String,
    id: &str,
    commune: String,
) -> Row {
    let registered = g.date_between(ymd(2005, 1, 1), g.as_of - TimeDelta::days(1));
    Row {
        cells: vec![
            mst,
            kind.into(),
            name,
            id.into(),
            commune,
            registered.format(VN).to_string(),
            if g.chance(0.92) {
                "hoat_dong"
            } else {
                "ngung_hoat_dong"
            }
            .into(),
            g.recent().format(VN).to_string(),
        ],
        fails: vec![],
        repairs: vec![],
    }
}

fn person_row(g: &mut Gen, p: &Person) -> Row {
    taxpayer_row(
        g,
        p.id.clone(),
        "ca_nhan",
        p.name.clone(),
        &p.id,
        p.commune.clone(),
    )
}

/// Both sheets: taxpayers, then the dependants clean individual taxpayers claim.
pub(super) fn sheets(
    g: &mut Gen,
    persons: &[Person],
    registers: &Registers,
    registered_deaths: &[usize],
) -> (Sheet, Sheet) {
    let taxpayers = taxpayers(g, persons, registers, registered_deaths);
    let dependants = dependants(g, persons, registers, registered_deaths, &taxpayers);
    (taxpayers.sheet, dependants)
}

struct Taxpayers {
    sheet: Sheet,
    /// Person behind each row of `sheet` (individuals).
    person: Vec<Option<usize>>,
}

fn taxpayers(
    g: &mut Gen,
    persons: &[Person],
    registers: &Registers,
    registered_deaths: &[usize],
) -> Taxpayers {
    let mut sheet = Sheet {
        name: "nguoi_nop_thue",
        file: "nguoi_nop_thue.csv",
        delimiter: b',',
        columns: TAXPAYERS,
        rows: vec![],
    };
    let mut person = Vec::new();
    let as_of = g.as_of;
    for (i, p) in persons.iter().enumerate() {
        if g.chance(0.02) {
            let code = enterprise_code(g);
            let commune = g.pick_listed(|l| &l.communes);
            let male = g.chance(0.5);
            let name = format!("Công ty TNHH {}", g.name(male));
            let row = taxpayer_row(g, code.clone(), "doanh_nghiep", name.clone(), "", commune);
            sheet.rows.push(row);
            person.push(None);
            for unit in 1..=g.rng.random_range(0..=2u32) {
                let commune = g.pick_listed(|l| &l.communes);
                let row = taxpayer_row(
                    g,
                    format!("{code}-{unit:03}"),
                    "don_vi_phu_thuoc",
                    format!("Chi nhánh {unit} - {name}"),
                    "",
                    commune,
                );
                sheet.rows.push(row);
                person.push(None);
            }
        }
        if p.death.is_none()
            && age_at(p.birth, as_of) >= 18
            && registers.dan_cu.contains(&p.id)
            && g.chance(0.15)
        {
            let row = person_row(g, p);
            sheet.rows.push(row);
            person.push(Some(i));
        }
    }
    let [mst, kind, _, id, commune, _, status, updated] = std::array::from_fn(|i| i);
    let mut dead: Vec<usize> = registered_deaths.to_vec();
    let mut extra = Vec::new();
    for row in sheet.rows.iter_mut() {
        if !g.chance(g.rate) {
            continue;
        }
        let individual = row.cells[kind] == "ca_nhan";
        match g.rng.random_range(0..12) {
            0 if row.cells[kind] == "doanh_nghiep" => {
                row.cells[mst] = String::new();
                row.tag("TT-001");
            }
            1 if row.cells[kind] == "doanh_nghiep" => {
                let mut code = row.cells[mst].clone();
                let last = code.pop().expect("ten digits");
                let other = char::from_digit(
                    (last.to_digit(10).expect("digit") + g.rng.random_range(1..10)) % 10,
                    10,
                )
                .expect("digit");
                code.push(other);
                if g.claim_id(&code) {
                    row.cells[mst] = code;
                    row.tag("TT-002");
                }
            }
            2 if row.cells[kind] == "don_vi_phu_thuoc" => {
                let code = row.cells[mst].replace('-', "");
                let code = if g.chance(0.5) {
                    code
                } else {
                    format!("{}000", &code[..10])
                };
                if g.claim_id(&code) {
                    if code.ends_with("000") {
                        row.cells[mst] = format!("{}-000", &code[..10]);
                    } else {
                        // Written without its dash: the dash is certain.
                        row.damage_repairably(mst, code);
                    }
                    row.tag("TT-003");
                }
            }
            3 => extra.push(row.clone()), // TT-004, tagged below
            4 => {
                row.cells[kind] = g.pick(&["Doanh nghiệp", "DN", "1", "Cá nhân"]).to_string();
                row.tag("TT-005");
            }
            5 if individual => {
                row.cells[id] = String::new();
                row.tag("TT-006");
            }
            6 if individual => {
                if let Some(short) = shortened_id(g, &row.cells[id].clone()) {
                    row.damage_repairably(id, short);
                    row.tag("TT-007"); // TT-008, TT-009 follow below
                }
            }
            7 if individual => row.cells[mst] = enterprise_code(g), // TT-009, below
            8 if individual => {
                // A dead person's tax code still active (TT-010, below).
                if let Some(k) = (!dead.is_empty()).then(|| g.rng.random_range(0..dead.len())) {
                    let mut r = person_row(g, &persons[dead.swap_remove(k)]);
                    r.cells[status] = "hoat_dong".into();
                    extra.push(r);
                }
            }
            9 => {
                row.cells[status] = g.pick(&["Đang hoạt động", "active", "1"]).to_string();
                row.tag("TT-011");
            }
            10 => {
                row.cells[commune] = bad_commune(g);
                row.tag("TT-012");
            }
            11 => {
                row.cells[updated] = g.stale().format(VN).to_string();
                row.tag("TT-013");
            }
            _ => {}
        }
    }
    person.extend(std::iter::repeat_n(None, extra.len()));
    sheet.rows.extend(extra);
    sheet.tag_duplicates(&[mst], "TT-004");
    sheet.tag_lookup(id, &registers.dan_cu, false, |_| true, "TT-008");
    sheet.tag_lookup(
        id,
        &registers.khai_tu,
        true,
        |r| r.cells[6] == "hoat_dong",
        "TT-010",
    );
    if as_of >= personal_id_day() {
        for row in sheet.rows.iter_mut() {
            let (code, pid) = (&row.cells[mst], &row.cells[id]);
            if row.cells[kind] == "ca_nhan" && !is_missing(code) && !is_missing(pid) && code != pid
            {
                row.tag("TT-009");
            }
        }
    }
    Taxpayers { sheet, person }
}

fn relation(age: i32) -> (&'static str, &'static str) {
    match age {
        ..18 => ("con", ""),
        18..=22 => ("con", "dang_hoc"),
        60.. => ("cha_me", ""),
        _ => ("vo_chong", ""),
    }
}

fn dependant_row(g: &mut Gen, taxpayer: &Row, p: &Person) -> Row {
    let (relation, reason) = relation(age_at(p.birth, g.as_of));
    let from = g.date_between(ymd(2015, 1, 1), g.as_of - TimeDelta::days(1));
    let to = g.chance(0.15).then(|| g.date_between(from, g.as_of));
    Row {
        cells: vec![
            taxpayer.cells[0].clone(),
            p.id.clone(),
            p.name.clone(),
            p.birth.format(VN).to_string(),
            relation.into(),
            reason.into(),
            from.format(VN).to_string(),
            to.map(|d| d.format(VN).to_string()).unwrap_or_default(),
            taxpayer.cells[4].clone(),
        ],
        fails: vec![],
        repairs: vec![],
    }
}

fn dependants(
    g: &mut Gen,
    persons: &[Person],
    registers: &Registers,
    registered_deaths: &[usize],
    taxpayers: &Taxpayers,
) -> Sheet {
    let mut sheet = Sheet {
        name: "nguoi_phu_thuoc",
        file: "nguoi_phu_thuoc.csv",
        delimiter: b',',
        columns: DEPENDANTS,
        rows: vec![],
    };
    let claimants: Vec<(usize, usize)> = taxpayers
        .sheet
        .rows
        .iter()
        .zip(&taxpayers.person)
        .enumerate()
        .filter_map(|(r, (row, p))| p.filter(|_| row.clean()).map(|p| (r, p)))
        .collect();
    let taxpayer_people: HashSet<usize> = taxpayers.person.iter().flatten().copied().collect();
    // Living people of the register who pay no tax themselves, in random order.
    let mut pool: Vec<usize> = (0..persons.len())
        .filter(|i| {
            persons[*i].death.is_none()
                && !taxpayer_people.contains(i)
                && registers.dan_cu.contains(&persons[*i].id)
        })
        .collect();
    let mut take = |g: &mut Gen, fits: &dyn Fn(&Person) -> bool| -> Option<usize> {
        for _ in 0..64 {
            if pool.is_empty() {
                return None;
            }
            let k = g.rng.random_range(0..pool.len());
            if fits(&persons[pool[k]]) {
                return Some(pool.swap_remove(k));
            }
        }
        None
    };
    let as_of = g.as_of;
    let mut owner = Vec::new();
    for &(r, _) in &claimants {
        let n = match g.rng.random_range(0..100) {
            0..45 => 0,
            45..85 => 1,
            _ => 2,
        };
        for _ in 0..n {
            if let Some(d) = take(g, &|_| true) {
                let row = dependant_row(g, &taxpayers.sheet.rows[r], &persons[d]);
                sheet.rows.push(row);
                owner.push(r);
            }
        }
    }
    let [
        taxpayer,
        id,
        name,
        birth,
        relation_col,
        reason,
        from,
        to,
        commune,
    ] = std::array::from_fn(|i| i);
    let mut dead: Vec<usize> = registered_deaths.to_vec();
    let mut extra = Vec::new();
    for (i, row) in sheet.rows.iter_mut().enumerate() {
        if !g.chance(g.rate) {
            continue;
        }
        match g.rng.random_range(0..11) {
            0 => {
                row.cells[id] = String::new();
                row.tag("PT-001");
            }
            1 => {
                if let Some(short) = shortened_id(g, &row.cells[id].clone()) {
                    row.damage_repairably(id, short);
                    row.tag("PT-002"); // PT-004 below
                }
            }
            2 if claimants.len() > 1 => {
                // Claimed by a second taxpayer too (PT-003, below).
                let (other, _) = *g.pick(&claimants);
                if other != owner[i] {
                    let mut twin = row.clone();
                    twin.cells[taxpayer] = taxpayers.sheet.rows[other].cells[0].clone();
                    twin.cells[commune] = taxpayers.sheet.rows[other].cells[4].clone();
                    extra.push(twin);
                }
            }
            3 => {
                // Still deducted for a dependant whose death is registered (PT-005, below).
                if let Some(k) = (!dead.is_empty()).then(|| g.rng.random_range(0..dead.len())) {
                    let p = &persons[dead.swap_remove(k)];
                    let mut r = dependant_row(g, &taxpayers.sheet.rows[owner[i]], p);
                    r.cells[relation_col] = if age_at(p.birth, as_of) >= 60 {
                        "cha_me"
                    } else {
                        "vo_chong"
                    }
                    .into();
                    r.cells[reason] = String::new();
                    r.cells[to] = String::new();
                    extra.push(r);
                }
            }
            4 => {
                let adult = |p: &Person| (18..=30).contains(&age_at(p.birth, as_of));
                if let Some(d) = take(g, &adult) {
                    let mut r = dependant_row(g, &taxpayers.sheet.rows[owner[i]], &persons[d]);
                    r.cells[relation_col] = "con".into();
                    r.cells[reason] = String::new();
                    r.cells[to] = String::new();
                    r.tag("PT-006");
                    extra.push(r);
                }
            }
            5 => {
                row.cells[relation_col] = g.pick(&["Con", "con trai", "1"]).to_string();
                row.tag("PT-007");
            }
            6 => {
                row.cells[reason] = g.pick(&["hoc", "x", "Khuyết tật"]).to_string();
                row.tag("PT-008");
            }
            7 => {
                let start =
                    NaiveDate::parse_from_str(&row.cells[from], VN).expect("generated date");
                let before = start - TimeDelta::days(g.rng.random_range(1..=400));
                row.cells[to] = before.format(VN).to_string();
                row.tag("PT-009");
            }
            8 => row.cells[taxpayer] = g.unknown_id(), // PT-010, below
            9 => {
                let owner_person = taxpayers.person[owner[i]].expect("an individual");
                let p = &persons[owner_person];
                row.cells[id] = p.id.clone();
                row.cells[name] = p.name.clone();
                row.cells[birth] = p.birth.format(VN).to_string();
                row.cells[relation_col] = "khac".into();
                row.cells[reason] = String::new();
                row.tag("PT-011");
            }
            _ => {
                row.cells[commune] = bad_commune(g);
                row.tag("PT-012");
            }
        }
    }
    sheet.rows.extend(extra);
    let codes: HashSet<String> = taxpayers
        .sheet
        .rows
        .iter()
        .map(|r| r.cells[0].trim().to_string())
        .filter(|c| !is_missing(c))
        .collect();
    sheet.tag_duplicates(&[id], "PT-003");
    sheet.tag_lookup(id, &registers.dan_cu, false, |_| true, "PT-004");
    sheet.tag_lookup(
        id,
        &registers.khai_tu,
        true,
        |r| is_missing(&r.cells[7]),
        "PT-005",
    );
    sheet.tag_lookup(taxpayer, &codes, false, |_| true, "PT-010");
    sheet
}

/// CT-TT-01 for one final taxpayer row: individuals, those keyed by their ID.
pub(crate) fn indicator_flags(row: &Row) -> Vec<(&'static str, Option<bool>)> {
    let keyed =
        !is_missing(&row.cells[0]) && !is_missing(&row.cells[3]) && row.cells[0] == row.cells[3];
    vec![("CT-TT-01", (row.cells[1] == "ca_nhan").then_some(keyed))]
}
