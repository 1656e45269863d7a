//! A birth-registration export of any size, streamed row by row in constant
//! memory — the input of the whole-process benchmark (`benches/run.sh`),
//! from 1 000 to 100 000 000 rows.
//!
//! Unlike [`super::generate`], it keeps no ground-truth lines: the benchmark
//! checks ddss's counts against an independent DuckDB query instead. Every
//! check of the benchmark pack (`benches/packs/khai_sinh_12.toml`) gets
//! failures: missing and duplicate keys and IDs, malformed IDs, bad sexes,
//! impossible or out-of-range birth dates, registration before birth,
//! unknown ethnic and commune codes, stale updates.

use std::path::Path;

use chrono::{NaiveDate, TimeDelta};
use rand::Rng;

use super::{Gen, Lists, read_column, ymd};
use ddss::atomic::write_atomic;

pub const COLUMNS: [&str; 9] = [
    "so_dang_ky",
    "so_dinh_danh",
    "ho_ten",
    "gioi_tinh",
    "ngay_sinh",
    "ngay_dang_ky",
    "ma_dan_toc",
    "ma_xa",
    "ngay_cap_nhat",
];

pub struct BirthsOptions {
    pub rows: u64,
    pub seed: u64,
    pub as_of: NaiveDate,
    pub defect_rate: f64,
    pub reference_dir: std::path::PathBuf,
}

/// A 12-digit ID unique per row index (up to 10⁶ × the birthplace codes):
/// birthplace code + gender/century digit + year + 6 scrambled digits.
fn unique_id(places: &[String], row: u64, birth: NaiveDate, male: bool) -> String {
    use chrono::Datelike;
    let place = &places[(row / 1_000_000) as usize % places.len()];
    // 7919 is prime and coprime with 10⁶: a bijection on the last 6 digits.
    let serial = (row % 1_000_000) * 7919 % 1_000_000;
    let century = (birth.year() / 100 - 19).clamp(0, 4) * 2 + i32::from(!male);
    format!("{place}{century}{:02}{serial:06}", birth.year() % 100)
}

/// Writes `rows` data rows to `path` (atomically) and returns the count.
pub fn write_births(path: &Path, options: &BirthsOptions) -> std::io::Result<u64> {
    let dir = &options.reference_dir;
    let communes = read_column(dir, "communes_2024.csv", "code", None)?;
    let birthplaces = read_column(dir, "cccd_birthplace_codes.csv", "code", None)?;
    let ethnic_codes = read_column(
        dir,
        "ethnic_groups.csv",
        "code",
        Some(("in_official_list", "yes")),
    )?;
    let lists = Lists {
        communes,
        abolished_communes: vec![],
        communes_before_reform: Default::default(),
        communes_after_reform: Default::default(),
        birthplaces,
        ethnic_codes,
        procedures: vec![],
        holidays: Default::default(),
    };
    let mut g = Gen::new(options.seed, options.as_of, options.defect_rate, lists);
    let iso = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    write_atomic(path, |out| {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(COLUMNS)?;
        let mut previous: Option<Vec<String>> = None;
        for row in 0..options.rows {
            let birth = g.date_between(ymd(1940, 1, 1), g.as_of - TimeDelta::days(1));
            let male = g.chance(0.5);
            let registered = g.date_between(birth, (birth + TimeDelta::days(60)).min(g.as_of));
            let mut cells = vec![
                format!("KS-{row:010}"),
                unique_id(&g.lists.birthplaces, row, birth, male),
                g.name(male),
                if male { "Nam".into() } else { "Nữ".into() },
                iso(birth),
                iso(registered),
                g.pick_listed(|l| &l.ethnic_codes),
                g.pick_listed(|l| &l.communes),
                iso(g.recent()),
            ];
            if g.chance(g.rate) {
                damage(&mut g, &mut cells, previous.as_deref(), birth);
            }
            w.write_record(&cells)?;
            previous = Some(cells);
        }
        w.flush()?;
        Ok(options.rows)
    })
    .map_err(std::io::Error::other)
}

fn damage(g: &mut Gen, cells: &mut [String], previous: Option<&[String]>, birth: NaiveDate) {
    let iso = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    match g.rng.random_range(0..14) {
        0 => cells[0] = String::new(),
        1 => {
            if let Some(p) = previous {
                cells[0] = p[0].clone();
            }
        }
        2 => cells[1] = String::new(),
        3 => {
            cells[1].pop();
        }
        4 => cells[1].replace_range(..1, "O"),
        5 => {
            if let Some(p) = previous {
                cells[1] = p[1].clone();
            }
        }
        6 => cells[2] = String::new(),
        7 => cells[3] = g.pick(&["Nu", "nam", "X"]).to_string(),
        8 => {
            cells[4] = g
                .pick(&["1890-05-01", "2099-01-01", "2020-02-30"])
                .to_string()
        }
        9 => cells[5] = iso(birth - TimeDelta::days(g.rng.random_range(1..400))),
        10 => cells[6] = g.pick(&["00", "55", "7"]).to_string(),
        11 => cells[7] = "99999".into(),
        _ => cells[8] = iso(g.stale()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_across_a_million_rows_and_well_formed() {
        let places: Vec<String> = ["001", "079"].iter().map(|s| s.to_string()).collect();
        let birth = ymd(1990, 5, 1);
        let mut seen = std::collections::HashSet::new();
        for row in (0..1_000_000).step_by(7).chain(1_000_000..1_000_100) {
            let id = unique_id(&places, row, birth, row % 2 == 0);
            assert_eq!(id.len(), 12);
            assert!(id.bytes().all(|b| b.is_ascii_digit()));
            assert!(seen.insert(id[..3].to_string() + &id[6..]), "{id}");
        }
    }

    #[test]
    fn same_seed_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/reference");
        let options = BirthsOptions {
            rows: 500,
            seed: 9,
            as_of: ymd(2026, 6, 30),
            defect_rate: 0.2,
            reference_dir: reference,
        };
        let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
        assert_eq!(write_births(&a, &options).unwrap(), 500);
        write_births(&b, &options).unwrap();
        let text = std::fs::read_to_string(&a).unwrap();
        assert_eq!(text, std::fs::read_to_string(&b).unwrap());
        assert_eq!(text.lines().count(), 501);
    }
}
