//! Defects injected into more than one dataset, and the date format the
//! Vietnamese exports write: shared by the dataset builders (datasets.rs,
//! ket_hon.rs, thua_dat.rs), which do not import each other's helpers.

use chrono::NaiveDate;
use rand::Rng;

use super::{Gen, ymd};

/// Dates as Vietnamese records write them.
pub(crate) const VN: &str = "%d/%m/%Y";

/// A name damaged the way exports damage names, each certain to be caught
/// by `vn_text`: decomposed Unicode, UTF-8 decoded twice, doubled or
/// trailing spaces, all lowercase.
pub(crate) fn garble_name(g: &mut Gen, name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let ascii = name.is_ascii();
    match g.rng.random_range(0..5) {
        0 if !ascii => name.nfd().collect(),
        1 if !ascii => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(name.as_bytes())
            .0
            .into_owned(),
        2 => name.replacen(' ', "  ", 1),
        3 => format!("{name} "),
        _ => name.to_lowercase(),
    }
}

/// The day the 2025 commune list took effect (Nghị quyết 202/2025/QH15;
/// the arrangement resolutions of the Standing Committee, in force 1 July 2025).
pub(crate) fn reform_day() -> NaiveDate {
    ymd(2025, 7, 1)
}

/// The commune code a record registered on `date` carries: the person's
/// (2025-list) commune from the reform on, before it a code of the list then
/// in force — one abolished by the reform, so the two lists really differ.
pub(crate) fn commune_on(g: &mut Gen, current: &str, date: NaiveDate) -> String {
    if date < reform_day() && !g.lists.abolished_communes.is_empty() {
        g.pick_listed(|l| &l.abolished_communes)
    } else {
        current.to_string()
    }
}

/// Whether `code` is in the commune list in force on `date`.
pub(crate) fn commune_valid_on(g: &Gen, code: &str, date: NaiveDate) -> bool {
    if date < reform_day() {
        g.lists.communes_before_reform.contains(code)
    } else {
        g.lists.communes_after_reform.contains(code)
    }
}

/// A commune code that is wrong on `date`: before the reform, one in
/// neither list or only in the 2025 list (used before it existed); from the
/// reform on, see [`bad_commune`].
pub(crate) fn bad_commune_on(g: &mut Gen, date: NaiveDate) -> String {
    if date >= reform_day() {
        return bad_commune(g);
    }
    loop {
        let code = if g.chance(0.5) && !g.lists.communes.is_empty() {
            g.pick_listed(|l| &l.communes)
        } else {
            format!("{:05}", g.rng.random_range(0..100_000))
        };
        if !g.lists.communes_before_reform.contains(&code) {
            return code;
        }
    }
}

/// A commune code that is not in the 2025 list: half the time a real
/// pre-reform code abolished on 1 July 2025 (the commonest real case).
pub(crate) fn bad_commune(g: &mut Gen) -> String {
    if g.chance(0.5) {
        return g.pick_listed(|l| &l.abolished_communes);
    }
    loop {
        let code = format!("{:05}", g.rng.random_range(0..100_000));
        if !g.lists.communes.contains(&code) {
            return code;
        }
    }
}

/// The ID with its first digit lost (11 digits, as a spreadsheet that read
/// it as a number leaves it), claimed so no other defect makes the same
/// value; `None` when it was already made.
pub(crate) fn shortened_id(g: &mut Gen, id: &str) -> Option<String> {
    let short = id.get(1..)?.to_string();
    g.claim_id(&short).then_some(short)
}
