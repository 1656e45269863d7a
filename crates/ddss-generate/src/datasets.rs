//! The four linked datasets and the defects injected into each. Every
//! defect names the rule ids (of the bundled packs under `rules/`) it must
//! trip; a defect is only applied where it trips exactly those.

use chrono::{Datelike, NaiveDate, TimeDelta};
use rand::Rng;

use super::defects::{VN, bad_commune_on, commune_on, commune_valid_on, garble_name};
use super::{Gen, Person, Registers, Row, Sheet, years_after, ymd};

const DAN_CU: &[&str] = &[
    "so_dinh_danh",
    "ho_ten",
    "ngay_sinh",
    "gioi_tinh",
    "ma_xa",
    "trang_thai",
    "ngay_mat",
    "ngay_cap_nhat",
];
const KHAI_SINH: &[&str] = &[
    "so_dang_ky",
    "so_dinh_danh",
    "ho_ten",
    "ngay_sinh",
    "gioi_tinh",
    "ma_dan_toc",
    "ma_xa",
    "ngay_dang_ky",
    "so_dinh_danh_me",
    "ho_ten_me",
    "ngay_cap_nhat",
];
const KHAI_TU: &[&str] = &[
    "so_dang_ky",
    "so_dinh_danh",
    "ho_ten",
    "ngay_mat",
    "ngay_dang_ky",
    "ma_xa",
];
const BTXH: &[&str] = &[
    "so_dinh_danh",
    "ho_ten",
    "ngay_sinh",
    "ma_xa",
    "loai_doi_tuong",
    "muc_tro_cap",
    "ngay_huong",
    "hinh_thuc_chi",
    "so_tai_khoan",
    "trang_thai",
    "ngay_cap_nhat",
    "diem",
];

pub(super) const ISO: &str = "%Y-%m-%d";

/// Whether `id` encodes this birth year and sex (digit 4 = gender/century,
/// digits 5–6 = year), computed here independently of the checks.
pub(super) fn id_agrees(id: &str, birth: NaiveDate, male: bool) -> bool {
    let b = id.as_bytes();
    let year = birth.year();
    let digit = (year - 1900).div_euclid(100) * 2 + i32::from(!male);
    id.len() == 12
        && i32::from(b[3]) - i32::from(b'0') == digit
        && id[4..6] == format!("{:02}", year % 100)
}

fn gender(male: bool) -> String {
    if male { "Nam".into() } else { "Nữ".into() }
}

pub(crate) fn build(g: &mut Gen, people: usize) -> Vec<Sheet> {
    let mut persons = register_people(g, people);
    let births = birth_plan(g, &mut persons);
    for p in persons.iter_mut().filter(|p| p.death.is_some()) {
        p.referenced = true; // in death registrations
    }
    let beneficiaries = welfare_plan(g, &mut persons);
    let couples = super::ket_hon::plan(g, &mut persons);
    let holders = super::thua_dat::plan(g, &mut persons);

    let mut dan_cu = dan_cu(g, &persons);
    let khai_sinh = khai_sinh(g, &persons, &births);
    let khai_tu = khai_tu(g, &persons);
    tag_unregistered_deaths(&mut dan_cu, &khai_tu);
    let death_ids: std::collections::HashSet<&str> =
        khai_tu.rows.iter().map(|r| r.cells[1].as_str()).collect();
    let registered_deaths: Vec<usize> = persons
        .iter()
        .enumerate()
        .filter(|(_, p)| p.death.is_some() && death_ids.contains(p.id.as_str()))
        .map(|(i, _)| i)
        .collect();
    let intact: std::collections::HashSet<&str> = dan_cu
        .rows
        .iter()
        .enumerate()
        .filter(|(i, r)| r.clean() && r.cells[0] == persons[*i].id)
        .map(|(_, r)| r.cells[0].as_str())
        .collect();
    let mut btxh = btxh(g, &persons, &beneficiaries, &registered_deaths, &intact);
    tag_register_mismatches(&dan_cu, &mut btxh);
    let ket_hon = super::ket_hon::sheet(g, &persons, &couples);
    let thua_dat = super::thua_dat::sheet(g, &persons, &holders, &registered_deaths);
    // Last, so the RNG stream of the datasets before it is unchanged:
    // applicants are living adults whose register ID is intact.
    let applicants = super::ho_so_tthc::plan(g, &persons, &intact);
    let ho_so = super::ho_so_tthc::sheet(g, &persons, &applicants);
    // The sectors linked by ID only (their reference rules' truth is read
    // from the registers' final rows), after the others for the same reason.
    let registers = Registers {
        dan_cu: present_ids(&dan_cu, 0),
        khai_sinh: present_ids(&khai_sinh, 1),
        khai_tu: present_ids(&khai_tu, 1),
    };
    let workers = super::lao_dong::plan(g, &persons, &registers);
    let lao_dong = super::lao_dong::sheet(g, &persons, &workers, &registers, &registered_deaths);
    let tre_em = super::tre_em::sheet(g, &persons, &births, &registers);
    let (nguoi_nop_thue, nguoi_phu_thuoc) =
        super::thue::sheets(g, &persons, &registers, &registered_deaths);
    vec![
        dan_cu,
        khai_sinh,
        khai_tu,
        btxh,
        ket_hon,
        thua_dat,
        ho_so,
        lao_dong,
        tre_em,
        nguoi_nop_thue,
        nguoi_phu_thuoc,
    ]
}

/// The values present in one column of a sheet.
fn present_ids(sheet: &Sheet, column: usize) -> std::collections::HashSet<String> {
    sheet
        .rows
        .iter()
        .map(|r| r.cells[column].trim())
        .filter(|c| !super::is_missing(c))
        .map(str::to_string)
        .collect()
}

/// DC-015 ground truth: rows of the register marked deceased whose ID (when
/// present) has no death registration — the death never registered, or
/// registered under a damaged ID.
fn tag_unregistered_deaths(register: &mut Sheet, deaths: &Sheet) {
    let registered: std::collections::HashSet<&str> =
        deaths.rows.iter().map(|r| r.cells[1].as_str()).collect();
    let (id, status) = (register.col("so_dinh_danh"), register.col("trang_thai"));
    for row in &mut register.rows {
        let value = row.cells[id].trim();
        if row.cells[status] == "da_mat" && !super::is_missing(value) && !registered.contains(value)
        {
            row.tag("DC-015");
        }
    }
}

/// BT-015 ground truth, worked out independently of the check: for a
/// beneficiary with an ID, the ID is not in the register, or its name (after NFC, case and
/// spacing) or birth date differs from the register's first row with that ID.
fn tag_register_mismatches(register: &Sheet, btxh: &mut Sheet) {
    use std::collections::HashMap;
    use unicode_normalization::UnicodeNormalization;
    let norm = |s: &str| {
        s.nfc()
            .collect::<String>()
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let missing = super::is_missing;
    let mut first: HashMap<&str, &Row> = HashMap::new();
    for row in &register.rows {
        first.entry(row.cells[0].as_str()).or_insert(row);
    }
    for row in &mut btxh.rows {
        if missing(&row.cells[0]) {
            continue; // no ID: the check does not apply
        }
        let mismatch = match first.get(row.cells[0].as_str()) {
            None => true,
            Some(reg) => {
                let names_differ =
                    !missing(&reg.cells[1]) && norm(&reg.cells[1]) != norm(&row.cells[1]);
                let reg_birth = NaiveDate::parse_from_str(&reg.cells[2], ISO).ok();
                let birth = NaiveDate::parse_from_str(&row.cells[2], VN).ok();
                let births_differ = matches!((reg_birth, birth), (Some(a), Some(b)) if a != b);
                names_differ || births_differ
            }
        };
        if mismatch {
            row.tag("BT-015");
        }
    }
}

fn register_people(g: &mut Gen, n: usize) -> Vec<Person> {
    let latest_birth = g.as_of - TimeDelta::days(1);
    (0..n)
        .map(|_| {
            let birth = g.date_between(ymd(1930, 1, 1), latest_birth);
            let male = g.chance(0.5);
            let adult_since = birth + TimeDelta::days(20 * 365);
            let death = (adult_since < g.as_of - TimeDelta::days(15) && g.chance(0.06))
                .then(|| g.date_between(adult_since, g.as_of - TimeDelta::days(15)));
            Person {
                id: g.new_id(birth, male),
                name: g.name(male),
                birth,
                male,
                commune: g.pick_listed(|l| &l.communes),
                death,
                referenced: false,
            }
        })
        .collect()
}

/// (child, mother) pairs: everyone born since 2005 has a birth registration.
fn birth_plan(g: &mut Gen, persons: &mut [Person]) -> Vec<(usize, usize)> {
    let women: Vec<usize> = (0..persons.len()).filter(|i| !persons[*i].male).collect();
    let mut plan = Vec::new();
    if women.is_empty() {
        return plan;
    }
    for child in 0..persons.len() {
        if persons[child].birth < ymd(2005, 1, 1) {
            continue;
        }
        let b = persons[child].birth;
        let fitting: Vec<usize> = women
            .iter()
            .copied()
            .filter(|m| {
                *m != child
                    && persons[*m].birth <= b - TimeDelta::days(18 * 365)
                    && persons[*m].birth >= b - TimeDelta::days(45 * 365)
            })
            .take(64)
            .collect();
        let mother = if fitting.is_empty() {
            *g.pick(&women)
        } else {
            *g.pick(&fitting)
        };
        if mother == child {
            continue;
        }
        persons[mother].referenced = true;
        plan.push((child, mother));
    }
    plan
}

/// Beneficiaries: 80% of living people aged 80+ and 4% of those aged 60–79
/// (elderly allowance, NĐ 20/2021/NĐ-CP Điều 5.5; the social pension from 75,
/// Luật Bảo hiểm xã hội 2024 Điều 21), 2% of other living adults (disability).
fn welfare_plan(g: &mut Gen, persons: &mut [Person]) -> Vec<(usize, &'static str)> {
    let eighty = ddss::checks::range::shift(g.as_of, -80, 0).expect("date");
    let sixty = ddss::checks::range::shift(g.as_of, -60, 0).expect("date");
    let adult = ddss::checks::range::shift(g.as_of, -18, 0).expect("date");
    let mut plan = Vec::new();
    for (i, p) in persons.iter_mut().enumerate() {
        if p.death.is_some() {
            continue;
        }
        if (p.birth <= eighty && g.chance(0.8)) || (p.birth <= sixty && g.chance(0.04)) {
            plan.push((i, "nguoi_cao_tuoi"));
            p.referenced = true;
        } else if p.birth <= adult && g.chance(0.02) {
            plan.push((i, "nguoi_khuyet_tat"));
            p.referenced = true;
        }
    }
    plan
}

fn dan_cu(g: &mut Gen, persons: &[Person]) -> Sheet {
    let mut sheet = Sheet {
        name: "dan_cu",
        file: "dan_cu.csv",
        delimiter: b',',
        columns: DAN_CU,
        rows: vec![],
    };
    for p in persons {
        let cells = vec![
            p.id.clone(),
            p.name.clone(),
            p.birth.format(ISO).to_string(),
            gender(p.male),
            p.commune.clone(),
            if p.death.is_some() {
                "da_mat".into()
            } else {
                "song".into()
            },
            p.death
                .map(|d| d.format(ISO).to_string())
                .unwrap_or_default(),
            g.recent().format(ISO).to_string(),
        ];
        sheet.rows.push(Row {
            cells,
            fails: vec![],
            repairs: vec![],
        });
    }
    let [id, name, birth, sex, commune, status, death, updated] = [
        "so_dinh_danh",
        "ho_ten",
        "ngay_sinh",
        "gioi_tinh",
        "ma_xa",
        "trang_thai",
        "ngay_mat",
        "ngay_cap_nhat",
    ]
    .map(|c| sheet.col(c));
    // Clean rows before the current one, kept as the loop goes (a scan per
    // row would make the generator quadratic).
    let mut clean_before: Vec<usize> = Vec::new();
    for (i, p) in persons.iter().enumerate() {
        if i > 0 && sheet.rows[i - 1].clean() {
            clean_before.push(i - 1);
        }
        if !g.chance(g.rate) {
            continue;
        }
        let mut kinds = vec![4, 5, 8, 12, 14];
        if !p.referenced {
            kinds.extend([2, 3, 13]);
        }
        if p.death.is_none() {
            kinds.extend([6, 7, 9]);
            if !p.referenced {
                kinds.push(1);
            }
        } else {
            kinds.extend([10, 11]);
        }
        let row = &mut sheet.rows[i];
        match *g.pick(&kinds) {
            2 => {
                // 11 digits: the leading zero lost when the column was
                // opened as a number.
                let short = row.cells[id][1..].to_string();
                if g.claim_id(&short) {
                    row.damage_repairably(id, short);
                    row.tag("DC-002");
                }
            }
            3 => {
                let pick = g.rng.random_range(0..clean_before.len().max(1));
                if let Some(&j) = clean_before.get(pick) {
                    clean_before.remove(pick);
                    let copied = sheet.rows[j].cells[id].clone();
                    if !id_agrees(&copied, p.birth, p.male) {
                        sheet.rows[i].tag("DC-002");
                    }
                    sheet.rows[i].cells[id] = copied;
                    sheet.rows[i].tag("DC-003");
                    sheet.rows[j].tag("DC-003");
                }
            }
            4 => {
                row.cells[name] = if g.chance(0.5) {
                    String::new()
                } else {
                    "NULL".into()
                };
                row.tag("DC-004");
            }
            5 => {
                // Values no reader could take for a sex, so only DC-005 fires.
                row.cells[sex] = g.pick(&["Khác", "1", "0", "?"]).to_string();
                row.tag("DC-005");
            }
            6 => {
                row.cells[birth] = format!("{}-02-30", p.birth.year());
                row.tag("DC-006");
            }
            7 => {
                let future = g.as_of + TimeDelta::days(g.rng.random_range(1..300));
                row.cells[birth] = future.format(ISO).to_string();
                row.tag("DC-007");
                if !id_agrees(&p.id, future, p.male) {
                    row.tag("DC-002");
                }
            }
            14 => {
                let garbled = garble_name(g, &p.name);
                row.damage_repairably(name, garbled);
                row.tag("DC-014");
            }
            13 => {
                // A prefix outside the published list (e.g. registered abroad).
                let prefix = *g.pick(&["099", "101", "250"]);
                let moved = format!("{prefix}{}", &row.cells[id][3..]);
                if g.claim_id(&moved) {
                    row.cells[id] = moved;
                    row.tag("DC-013");
                }
            }
            8 => {
                row.cells[commune] = bad_commune_on(g, g.as_of);
                row.tag("DC-008");
            }
            10 => {
                row.cells[death] = String::new();
                row.tag("DC-010");
            }
            1 => {
                // The ID never entered: nobody else looks this person up.
                row.cells[id] = String::new();
                row.tag("DC-001");
            }
            9 => {
                row.cells[status] = g.pick(&["Sống", "con song", "1"]).to_string();
                row.tag("DC-009");
            }
            11 => {
                let before = p.birth - TimeDelta::days(g.rng.random_range(1..=3650));
                row.cells[death] = before.format(ISO).to_string();
                row.tag("DC-011");
            }
            _ => {
                row.cells[updated] = g.stale().format(ISO).to_string();
                row.tag("DC-012");
            }
        }
    }
    sheet
}

fn khai_sinh(g: &mut Gen, persons: &[Person], plan: &[(usize, usize)]) -> Sheet {
    let mut sheet = Sheet {
        name: "khai_sinh",
        file: "khai_sinh.csv",
        delimiter: b';',
        columns: KHAI_SINH,
        rows: vec![],
    };
    for (child, mother) in plan {
        let (c, m) = (&persons[*child], &persons[*mother]);
        let latest = (c.birth + TimeDelta::days(59)).min(g.as_of);
        let registered = g.date_between(c.birth, latest);
        let ethnic = if g.chance(0.85) {
            "01".to_string()
        } else {
            g.pick_listed(|l| &l.ethnic_codes)
        };
        let commune = commune_on(g, &c.commune, registered);
        g.birth_serial += 1;
        let cells = vec![
            format!("KS-{}-{:06}", registered.year(), g.birth_serial),
            c.id.clone(),
            c.name.clone(),
            c.birth.format(VN).to_string(),
            gender(c.male),
            ethnic,
            commune,
            registered.format(VN).to_string(),
            m.id.clone(),
            m.name.clone(),
            g.recent().format(VN).to_string(),
        ];
        sheet.rows.push(Row {
            cells,
            fails: vec![],
            repairs: vec![],
        });
    }
    let col = |c: &str| KHAI_SINH.iter().position(|x| *x == c).expect("column");
    let (key, id, birth, sex, ethnic, commune, registered, mother, updated) = (
        col("so_dang_ky"),
        col("so_dinh_danh"),
        col("ngay_sinh"),
        col("gioi_tinh"),
        col("ma_dan_toc"),
        col("ma_xa"),
        col("ngay_dang_ky"),
        col("so_dinh_danh_me"),
        col("ngay_cap_nhat"),
    );
    for i in 0..sheet.rows.len() {
        if !g.chance(g.rate) {
            continue;
        }
        let b = persons[plan[i].0].birth;
        let mut kinds = vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15];
        if b + TimeDelta::days(61) <= g.as_of {
            kinds.push(12);
        }
        match *g.pick(&kinds) {
            2 => {
                let sources: Vec<usize> = (0..i).filter(|j| sheet.rows[*j].clean()).collect();
                if let Some(&j) = sources.get(g.rng.random_range(0..sources.len().max(1))) {
                    sheet.rows[i].cells[key] = sheet.rows[j].cells[key].clone();
                    sheet.rows[i].tag("KS-002");
                    sheet.rows[j].tag("KS-002");
                }
            }
            3 => {
                sheet.rows[i].cells[id] = "-".into();
                sheet.rows[i].tag("KS-003");
            }
            1 => {
                sheet.rows[i].cells[key] = String::new();
                sheet.rows[i].tag("KS-001");
            }
            4 => {
                // The other sex: the ID's gender digit no longer agrees.
                let other = if sheet.rows[i].cells[sex] == "Nam" {
                    "Nữ"
                } else {
                    "Nam"
                };
                sheet.rows[i].cells[sex] = other.into();
                sheet.rows[i].tag("KS-004");
            }
            5 => {
                sheet.rows[i].cells[col("ho_ten")] = "NULL".into();
                sheet.rows[i].tag("KS-005");
            }
            7 => {
                // Born before 1900: the ID's year and century digits cannot
                // agree, and the registration is years late.
                let day = if b.month() == 2 {
                    b.day().min(28)
                } else {
                    b.day()
                };
                sheet.rows[i].cells[birth] = format!("{day:02}/{:02}/1899", b.month());
                sheet.rows[i].tag("KS-007");
                sheet.rows[i].tag("KS-004");
                sheet.rows[i].tag("KS-012");
            }
            6 => {
                sheet.rows[i].cells[birth] = format!("30/02/{}", b.year());
                sheet.rows[i].tag("KS-006");
            }
            8 => {
                sheet.rows[i].cells[sex] = g.pick(&["Khác", "0", "?"]).to_string();
                sheet.rows[i].tag("KS-008");
            }
            9 => {
                sheet.rows[i].cells[ethnic] = g.pick(&["1", "99", "00", "Kinh"]).to_string();
                sheet.rows[i].tag("KS-009");
            }
            10 => {
                let on = NaiveDate::parse_from_str(&sheet.rows[i].cells[registered], VN)
                    .unwrap_or(g.as_of);
                sheet.rows[i].cells[commune] = bad_commune_on(g, on);
                sheet.rows[i].tag("KS-010");
            }
            11 => {
                let before = b - TimeDelta::days(g.rng.random_range(1..=30));
                sheet.rows[i].cells[registered] = before.format(VN).to_string();
                sheet.rows[i].tag("KS-011");
            }
            12 => {
                let late = g.date_between(
                    b + TimeDelta::days(61),
                    (b + TimeDelta::days(400)).min(g.as_of),
                );
                sheet.rows[i].cells[registered] = late.format(VN).to_string();
                sheet.rows[i].tag("KS-012");
            }
            13 => {
                sheet.rows[i].cells[mother] = g.unknown_id();
                sheet.rows[i].tag("KS-013");
            }
            15 => {
                let garbled = garble_name(g, &persons[plan[i].0].name);
                sheet.rows[i].damage_repairably(col("ho_ten"), garbled);
                sheet.rows[i].tag("KS-015");
            }
            _ => {
                sheet.rows[i].cells[updated] = g.stale().format(VN).to_string();
                sheet.rows[i].tag("KS-014");
            }
        }
    }
    // A defect that moved the registration date across 1 July 2025 leaves a
    // code of the other list: wrong on the new date, so KS-010 fails too.
    for row in &mut sheet.rows {
        if let Ok(on) = NaiveDate::parse_from_str(&row.cells[registered], VN)
            && !commune_valid_on(g, &row.cells[commune], on)
        {
            row.tag("KS-010");
        }
    }
    sheet
}

fn khai_tu(g: &mut Gen, persons: &[Person]) -> Sheet {
    let mut sheet = Sheet {
        name: "khai_tu",
        file: "khai_tu.csv",
        delimiter: b',',
        columns: KHAI_TU,
        rows: vec![],
    };
    for p in persons {
        let Some(death) = p.death else { continue };
        if g.chance(g.rate / 2.0) {
            continue; // the death was never registered (DC-015 in the register)
        }
        g.death_serial += 1;
        let registered = g.date_between(death, (death + TimeDelta::days(14)).min(g.as_of));
        let commune = commune_on(g, &p.commune, registered);
        let cells = vec![
            format!("KT-{}-{:06}", registered.year(), g.death_serial),
            p.id.clone(),
            p.name.clone(),
            death.format(ISO).to_string(),
            registered.format(ISO).to_string(),
            commune,
        ];
        sheet.rows.push(Row {
            cells,
            fails: vec![],
            repairs: vec![],
        });
    }
    let (key, id, death, registered, commune) = (0, 1, 3, 4, 5);
    let mut extra = Vec::new();
    for i in 0..sheet.rows.len() {
        if !g.chance(g.rate) {
            continue;
        }
        let d =
            NaiveDate::parse_from_str(&sheet.rows[i].cells[death], ISO).expect("generated date");
        let row = &mut sheet.rows[i];
        match g.rng.random_range(0..7) {
            6 => {
                // A second registration of the same death with no ID entered.
                let mut copy = row.clone();
                copy.fails.clear();
                g.death_serial += 1;
                copy.cells[key] = format!("KT-{}-{:06}", d.year(), g.death_serial);
                copy.cells[id] = String::new();
                copy.tag("KT-001");
                extra.push(copy);
            }
            0 => {
                // An old 9-digit CMND number.
                let cut = row.cells[id][..9].to_string();
                if g.claim_id(&cut) {
                    row.cells[id] = cut;
                    row.tag("KT-002");
                    row.tag("KT-006");
                }
            }
            1 => {
                row.tag("KT-003");
                let mut copy = row.clone();
                g.death_serial += 1;
                copy.cells[key] = format!("KT-{}-{:06}", d.year(), g.death_serial);
                extra.push(copy);
            }
            2 => {
                row.cells[death] = format!("{}-13-01", d.year());
                row.tag("KT-004");
            }
            3 => {
                row.cells[registered] = (d - TimeDelta::days(g.rng.random_range(1..=20)))
                    .format(ISO)
                    .to_string();
                row.tag("KT-005");
            }
            4 if d + TimeDelta::days(16) <= g.as_of => {
                let late = g.date_between(
                    d + TimeDelta::days(16),
                    (d + TimeDelta::days(200)).min(g.as_of),
                );
                row.cells[registered] = late.format(ISO).to_string();
                row.tag("KT-008");
            }
            _ => {
                let on = NaiveDate::parse_from_str(&row.cells[registered], ISO).unwrap_or(g.as_of);
                row.cells[commune] = bad_commune_on(g, on);
                row.tag("KT-007");
            }
        }
    }
    sheet.rows.extend(extra);
    // A registration date moved across 1 July 2025 (KT-005, KT-008) leaves a
    // code of the other list: wrong on the new date, so KT-007 fails too.
    for row in &mut sheet.rows {
        if let Ok(on) = NaiveDate::parse_from_str(&row.cells[registered], ISO)
            && !commune_valid_on(g, &row.cells[commune], on)
        {
            row.tag("KT-007");
        }
    }
    sheet
}

/// The monthly social-assistance standard in force on `date`: 500,000 đ
/// from 01/7/2024 (Nghị định 76/2024/NĐ-CP), 360,000 đ before (Nghị định
/// 20/2021/NĐ-CP Điều 4).
fn standard_on(date: NaiveDate) -> u64 {
    if date >= ymd(2024, 7, 1) {
        500_000
    } else {
        360_000
    }
}

/// An elderly beneficiary's group (the point of NĐ 20/2021/NĐ-CP Điều 5
/// khoản 5) and the day the allowance started.
#[derive(Clone, Copy)]
struct Elderly {
    point: &'static str,
    start: NaiveDate,
}

impl Elderly {
    /// A group the person qualifies for and a start date on which they
    /// did: (c) 80+ without a pension — from 01/7/2025 the social pension
    /// from 75 (Luật Bảo hiểm xã hội 2024 Điều 21); (b) 75–80 in a poor or
    /// near-poor household of an ethnic-minority mountain commune; (a) a
    /// poor elderly person (60+) with no one to support them.
    fn choose(g: &mut Gen, p: &Person) -> Elderly {
        let (from, to) = (ymd(2021, 7, 1), g.as_of - TimeDelta::days(30));
        let reform = super::defects::reform_day();
        let eightieth = years_after(p.birth, 80);
        let c_from = if eightieth < reform {
            eightieth
        } else {
            years_after(p.birth, 75).max(reform).min(eightieth)
        };
        let b = (years_after(p.birth, 75), years_after(p.birth, 80));
        let roll = g.rng.random_range(0..10);
        let (point, lo, hi) = if roll < 7 && c_from.max(from) <= to {
            ("c", c_from.max(from), to)
        } else if roll < 9 && b.0.max(from) <= b.1.min(to) {
            ("b", b.0.max(from), b.1.min(to))
        } else {
            ("a", years_after(p.birth, 60).max(from), to)
        };
        Elderly {
            point,
            start: g.date_between(lo, hi.max(lo)),
        }
    }

    /// NĐ 20/2021/NĐ-CP Điều 6 khoản 1 điểm e: (a) 1.5 from 60 to under 80,
    /// 2.0 from 80; (b) and (c) 1.0.
    fn coefficient(self, p: &Person, on: NaiveDate) -> f64 {
        match self.point {
            "a" if super::age_at(p.birth, on) >= 80 => 2.0,
            "a" => 1.5,
            _ => 1.0,
        }
    }
}

fn btxh(
    g: &mut Gen,
    persons: &[Person],
    plan: &[(usize, &'static str)],
    registered_deaths: &[usize],
    intact_ids: &std::collections::HashSet<&str>,
) -> Sheet {
    let mut sheet = Sheet {
        name: "doi_tuong_btxh",
        file: "doi_tuong_btxh.csv",
        delimiter: b',',
        columns: BTXH,
        rows: vec![],
    };
    let row_for = |g: &mut Gen, p: &Person, category: &str, elderly: Option<Elderly>| -> Row {
        let updated = g.recent();
        let (start, point, coefficient) = match (category, elderly) {
            ("nguoi_cao_tuoi", Some(e)) => (e.start, e.point, e.coefficient(p, updated)),
            ("nguoi_cao_tuoi", None) => {
                let e = Elderly::choose(g, p);
                (e.start, e.point, e.coefficient(p, updated))
            }
            // Disability, severe (NĐ 20/2021/NĐ-CP Điều 6 khoản 1 điểm đ: 2.0).
            _ => (
                g.date_between(ymd(2021, 7, 1), g.as_of - TimeDelta::days(30)),
                "",
                2.0,
            ),
        };
        let amount = (standard_on(updated) as f64 * coefficient).round() as u64;
        let bank = g.chance(0.7);
        Row {
            cells: vec![
                p.id.clone(),
                p.name.clone(),
                p.birth.format(VN).to_string(),
                p.commune.clone(),
                category.to_string(),
                amount.to_string(),
                start.format(VN).to_string(),
                if bank {
                    "tai_khoan".into()
                } else {
                    "tien_mat".into()
                },
                if bank {
                    format!("{:012}", g.rng.random_range(0..1_000_000_000_000u64))
                } else {
                    String::new()
                },
                "dang_huong".into(),
                updated.format(VN).to_string(),
                point.to_string(),
            ],
            fails: vec![],
            repairs: vec![],
        }
    };
    for (i, category) in plan {
        let row = row_for(g, &persons[*i], category, None);
        sheet.rows.push(row);
    }
    let mut paid_dead: Vec<usize> = Vec::new();
    let mut extra = Vec::new();
    let planned: std::collections::HashSet<usize> = plan.iter().map(|(j, _)| *j).collect();
    // Living people not yet in the list whose register ID is intact, aged
    // 18–74 at the as-of date: too young for every elderly group but (a).
    let too_young: Vec<usize> = {
        let (adult, seventy_five) = (
            ddss::checks::range::shift(g.as_of, -18, 0).expect("date"),
            ddss::checks::range::shift(g.as_of, -75, 0).expect("date"),
        );
        (0..persons.len())
            .filter(|i| {
                let p = &persons[*i];
                p.death.is_none()
                    && p.birth <= adult
                    && p.birth > seventy_five
                    && intact_ids.contains(p.id.as_str())
                    && !planned.contains(i)
            })
            .collect()
    };
    for i in 0..sheet.rows.len() {
        if !g.chance(g.rate) {
            continue;
        }
        let row = &mut sheet.rows[i];
        match g.rng.random_range(0..20) {
            17 => {
                // The ID never entered: the rules that read it do not apply.
                row.cells[0] = String::new();
                row.tag("BT-001");
            }
            18 if row.cells[0].len() == 12 => {
                // The leading zero lost when the column was opened as a
                // number: malformed, and nobody's ID in the register.
                let short = row.cells[0][1..].to_string();
                if g.claim_id(&short) {
                    row.damage_repairably(0, short);
                    row.tag("BT-002");
                    row.tag("BT-004");
                }
            }
            19 if row.cells[4] != "nguoi_cao_tuoi" => {
                row.cells[4] = g
                    .pick(&["khuyet_tat", "NKT", "Người khuyết tật"])
                    .to_string();
                row.tag("BT-009");
            }
            11 => {
                let garbled = garble_name(g, &row.cells[1].clone());
                row.damage_repairably(1, garbled);
                row.tag("BT-014");
            }
            10 => {
                // Still identified by a 9-digit CMND, which expired on 31/12/2024.
                row.cells[0] = g.old_cmnd();
                row.tag("BT-004");
                row.tag("BT-013");
            }
            0 => {
                // Well formed and consistent with the row's birth date, but nobody's.
                let birth = NaiveDate::parse_from_str(&row.cells[2], VN).expect("generated date");
                let male = g.chance(0.5);
                row.cells[0] = g.new_id(birth, male);
                row.tag("BT-004");
            }
            1 => {
                let fresh: Vec<usize> = registered_deaths
                    .iter()
                    .copied()
                    .filter(|d| !paid_dead.contains(d))
                    .collect();
                if let Some(&dead) = fresh.get(g.rng.random_range(0..fresh.len().max(1))) {
                    paid_dead.push(dead);
                    let mut r = row_for(g, &persons[dead], "nguoi_khuyet_tat", None);
                    r.tag("BT-005");
                    *row = r;
                }
            }
            2 => {
                row.tag("BT-003");
                extra.push(row.clone());
            }
            3 => {
                row.cells[7] = g.pick(&["chuyen khoan", "TM", "bưu điện"]).to_string();
                row.tag("BT-006");
            }
            4 => {
                row.cells[7] = "tai_khoan".into();
                row.cells[8] = String::new();
                row.tag("BT-007");
            }
            5 => {
                // Paid below the standard in force on the record's update date.
                let updated =
                    NaiveDate::parse_from_str(&row.cells[10], VN).expect("generated date");
                let below = if updated >= ymd(2024, 7, 1) {
                    ["360000", "270000", "0"]
                } else {
                    ["300000", "270000", "0"]
                };
                row.cells[5] = g.pick(&below).to_string();
                row.tag(if updated >= ymd(2024, 7, 1) {
                    "BT-008"
                } else {
                    "BT-016"
                });
            }
            6 | 12 | 13 if !too_young.is_empty() => {
                // An elderly group whose age floor the person had not reached
                // when the allowance started: (c) before 01/7/2025 needs 80
                // (BT-010), (c) from then on 75 (BT-017), (b) 75 (BT-018), (a)
                // 60 (BT-019).
                let young = too_young[g.rng.random_range(0..too_young.len())];
                let p = &persons[young];
                if sheet.rows.iter().any(|r| r.cells[0] == p.id)
                    || extra.iter().any(|r: &Row| r.cells[0] == p.id)
                {
                    continue;
                }
                let (from, to) = (ymd(2021, 7, 1), g.as_of - TimeDelta::days(30));
                let reform = super::defects::reform_day();
                let choice = match g.rng.random_range(0..4) {
                    0 if from < reform => Some(('c', from, (reform - TimeDelta::days(1)).min(to))),
                    1 if to >= reform => Some(('c', reform.max(from), to)),
                    2 => Some(('b', from, to)),
                    _ => {
                        // (a) needs 60: only someone still under 60 at the start.
                        let sixtieth = years_after(p.birth, 60);
                        (sixtieth > from)
                            .then(|| ('a', from, (sixtieth - TimeDelta::days(1)).min(to)))
                    }
                };
                let Some((point, lo, hi)) = choice.filter(|(_, lo, hi)| lo <= hi) else {
                    continue;
                };
                let start = g.date_between(lo, hi);
                let rule = match point {
                    'c' if start < reform => "BT-010",
                    'c' => "BT-017",
                    'b' => "BT-018",
                    _ => "BT-019",
                };
                let elderly = Elderly {
                    point: match point {
                        'a' => "a",
                        'b' => "b",
                        _ => "c",
                    },
                    start,
                };
                let mut r = row_for(g, p, "nguoi_cao_tuoi", Some(elderly));
                r.tag(rule);
                sheet.rows[i] = r;
            }
            14 => {
                // The standard before 01/7/2024 (NĐ 20/2021/NĐ-CP Điều 4:
                // 360,000 đ) on a record last updated before then, paid
                // below it; the record is stale too.
                let before = ymd(2024, 6, 30).min(g.as_of - TimeDelta::days(400));
                let updated = g.date_between(before - TimeDelta::days(600), before);
                row.cells[10] = updated.format(VN).to_string();
                row.cells[5] = g.pick(&["300000", "270000", "0"]).to_string();
                row.tag("BT-016");
                row.tag("BT-011");
            }
            7 => {
                row.cells[10] = g.stale().format(VN).to_string();
                row.tag("BT-011");
            }
            15 if row.cells[4] == "nguoi_cao_tuoi" => {
                row.cells[11] = String::new();
                row.tag("BT-020");
            }
            16 if row.cells[4] == "nguoi_cao_tuoi" => {
                row.cells[11] = g.pick(&["e", "5c", "C"]).to_string();
                row.tag("BT-021");
            }
            _ => {
                row.cells[3] = bad_commune_on(g, g.as_of);
                row.tag("BT-012");
            }
        }
    }
    sheet.rows.extend(extra);
    sheet
}
