//! Defects injected into more than one dataset, and the date format the
//! Vietnamese exports write: shared by the dataset builders (datasets.rs,
//! ket_hon.rs, thua_dat.rs), which do not import each other's helpers.

use rand::Rng;

use super::Gen;

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
