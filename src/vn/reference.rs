//! Official reference lists compiled into the binary from
//! `rules/reference/` (sources and caveats: `rules/reference/SOURCES.md`),
//! so the Vietnamese checks work with no file at run time.

use std::collections::HashMap;
use std::sync::LazyLock;

/// A code with its name and parent province code.
#[derive(Debug, Clone)]
pub struct Unit {
    pub name: String,
    pub province: String,
}

pub struct Reference {
    /// CCCD birthplace codes (Thông tư 07/2016/TT-BCA Phụ lục I) → province name.
    pub birthplaces: HashMap<String, String>,
    /// Provinces before 1 July 2025 (63) and from then on (34): code → name.
    pub provinces_2024: HashMap<String, String>,
    pub provinces_2025: HashMap<String, String>,
    /// Communes before 1 July 2025 (10,035) and from then on (3,321).
    pub communes_2024: HashMap<String, Unit>,
    pub communes_2025: HashMap<String, Unit>,
    /// Old commune code → the new commune(s) it became (QĐ 19/2025/QĐ-TTg conversion table).
    pub commune_successors: HashMap<String, Vec<(String, String)>>,
    /// Old province code → the province it belongs to from 1 July 2025.
    pub province_successors: HashMap<String, String>,
}

fn rows(text: &'static str) -> impl Iterator<Item = HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("embedded CSV header")
        .iter()
        .map(str::to_string)
        .collect();
    reader.into_records().map(move |r| {
        let r = r.expect("embedded CSV row");
        header
            .iter()
            .cloned()
            .zip(r.iter().map(str::to_string))
            .collect()
    })
}

fn units(text: &'static str) -> HashMap<String, Unit> {
    rows(text)
        .map(|r| {
            (
                r["code"].clone(),
                Unit {
                    name: r["name"].clone(),
                    province: r["province_code"].clone(),
                },
            )
        })
        .collect()
}

fn names(text: &'static str, name: &str) -> HashMap<String, String> {
    rows(text)
        .map(|r| (r["code"].clone(), r[name].clone()))
        .collect()
}

pub static REFERENCE: LazyLock<Reference> = LazyLock::new(|| {
    let mut commune_successors: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for r in rows(include_str!(
        "../../rules/reference/communes_2024_to_2025.csv"
    )) {
        if r["old_code"].is_empty() {
            continue;
        }
        let list = commune_successors.entry(r["old_code"].clone()).or_default();
        let new = (r["new_code"].clone(), r["new_name"].clone());
        if !list.contains(&new) {
            list.push(new);
        }
    }
    Reference {
        birthplaces: names(
            include_str!("../../rules/reference/cccd_birthplace_codes.csv"),
            "name_tt07_2016",
        ),
        provinces_2024: names(
            include_str!("../../rules/reference/provinces_2024.csv"),
            "name",
        ),
        provinces_2025: names(
            include_str!("../../rules/reference/provinces_2025.csv"),
            "name",
        ),
        communes_2024: units(include_str!("../../rules/reference/communes_2024.csv")),
        communes_2025: units(include_str!("../../rules/reference/communes_2025.csv")),
        commune_successors,
        province_successors: names(
            include_str!("../../rules/reference/provinces_2024.csv"),
            "province_code_2025",
        ),
    }
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_counts() {
        let r = &*REFERENCE;
        assert_eq!(r.birthplaces.len(), 63);
        assert_eq!(r.provinces_2024.len(), 63);
        assert_eq!(r.provinces_2025.len(), 34);
        assert_eq!(r.communes_2024.len(), 10_035);
        assert_eq!(r.communes_2025.len(), 3_321);
        assert!(
            r.communes_2024
                .keys()
                .all(|c| r.commune_successors.contains_key(c)),
            "every old commune has a successor"
        );
    }
}
