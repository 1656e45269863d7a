//! Deterministic synthetic exports with ground truth.
//!
//! One seeded generator writes a linked set of sector exports — the same
//! synthetic people appear in the population register, birth and death
//! registrations and the social-welfare list — and injects defects at a
//! chosen rate. Every injected defect is recorded in `manifest.json` with
//! the rules it must trip and the physical lines, so tests can demand that
//! validation finds exactly the ground truth. Clean rows are clean by
//! construction: identifiers are unique, dates are consistent and within
//! their legal deadlines, codes come from the official lists.
//!
//! The stream is ChaCha8 seeded with `--seed`, so the same seed, size and
//! reference lists give byte-identical files on every machine.

pub mod births_stream;
mod datasets;
mod defects;
mod ho_so_tthc;
mod ket_hon;
mod lao_dong;
pub(crate) mod names;
mod thua_dat;
mod thue;
mod tre_em;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate, TimeDelta};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use ddss::atomic::{AtomicFile, write_atomic};

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub seed: u64,
    /// Rows of the population register; the other datasets follow from it.
    pub people: usize,
    /// Probability that a row receives one defect (0 = all clean).
    pub defect_rate: f64,
    /// The date the data is "as of": no clean date is later, and clean
    /// update dates are within 300 days before it.
    pub as_of: NaiveDate,
    /// Folder with communes_2025.csv, cccd_birthplace_codes.csv, ethnic_groups.csv.
    pub reference_dir: PathBuf,
    pub out_dir: PathBuf,
    /// People generated, written and dropped at a time: the memory bound.
    /// Part of the output's identity: same seed, size and block, same files.
    pub block_people: usize,
}

/// Default of [`GenerateOptions::block_people`]: about 25 MB of rows in
/// memory at a time.
pub const DEFAULT_BLOCK_PEOPLE: usize = 20_000;

/// Ground truth: for every dataset and rule, the lines that must fail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub seed: u64,
    pub people: usize,
    pub block_people: usize,
    pub defect_rate: f64,
    pub as_of: String,
    pub datasets: BTreeMap<String, DatasetTruth>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetTruth {
    pub file: String,
    pub rows: u64,
    /// Rule id → physical lines (sorted) that fail it. Rules absent here
    /// must not fail on any line.
    pub rules: BTreeMap<String, Vec<u64>>,
    /// The pack's indicators as the generator counts them from the rows it
    /// wrote (independently of ddss's SQL).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub indicators: BTreeMap<String, IndicatorTruth>,
    /// Damaged cells that a fix declared in the bundled packs repairs with
    /// certainty, with their clean values, in line order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repairs: Vec<RepairTruth>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepairTruth {
    pub line: u64,
    pub column: String,
    pub clean: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IndicatorTruth {
    pub numerator: u64,
    pub denominator: u64,
}

/// A generated table before it is written: header, rows, and per row the
/// rules it must fail.
pub(crate) struct Sheet {
    pub name: &'static str,
    pub file: &'static str,
    pub delimiter: u8,
    pub columns: &'static [&'static str],
    pub rows: Vec<Row>,
}

#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub cells: Vec<String>,
    pub fails: Vec<&'static str>,
    /// Damaged cells a declared fix repairs with certainty: (column, the
    /// clean value). `ddss fix` must restore exactly these and touch no
    /// other cell.
    pub repairs: Vec<(usize, String)>,
}

impl Row {
    pub fn clean(&self) -> bool {
        self.fails.is_empty()
    }
    /// Damages `column` to `damaged`, recording the clean value as one a
    /// declared fix restores with certainty.
    pub fn damage_repairably(&mut self, column: usize, damaged: String) {
        let clean = std::mem::replace(&mut self.cells[column], damaged);
        self.repairs.push((column, clean));
    }

    pub fn tag(&mut self, rule: &'static str) {
        if !self.fails.contains(&rule) {
            self.fails.push(rule);
        }
    }
}

/// Missing as every bundled pack reads it: blank, or the token `NULL`.
pub(crate) fn is_missing(cell: &str) -> bool {
    let cell = cell.trim();
    cell.is_empty() || cell.eq_ignore_ascii_case("NULL")
}

impl Sheet {
    /// Ground truth of a `unique` rule from the final rows: tags `rule` on
    /// every row whose `columns`, all present, occur in more than one row.
    pub fn tag_duplicates(&mut self, columns: &[usize], rule: &'static str) {
        let keys: Vec<Option<Vec<String>>> = self
            .rows
            .iter()
            .map(|r| {
                columns
                    .iter()
                    .map(|c| Some(r.cells[*c].clone()).filter(|v| !is_missing(v)))
                    .collect()
            })
            .collect();
        let mut counts: std::collections::HashMap<&[String], usize> = Default::default();
        for key in keys.iter().flatten() {
            *counts.entry(key.as_slice()).or_default() += 1;
        }
        for (row, key) in self.rows.iter_mut().zip(&keys) {
            if key.as_ref().is_some_and(|k| counts[k.as_slice()] > 1) {
                row.tag(rule);
            }
        }
    }

    /// Ground truth of a `reference` rule from the final rows: tags `rule`
    /// on every row where `applies` holds and the cell in `column`, when
    /// present, is in `found` (`mode_absent`) or is not (`!mode_absent`).
    pub fn tag_lookup(
        &mut self,
        column: usize,
        found: &HashSet<String>,
        mode_absent: bool,
        applies: impl Fn(&Row) -> bool,
        rule: &'static str,
    ) {
        for row in self.rows.iter_mut() {
            let cell = &row.cells[column];
            if !is_missing(cell) && applies(row) && found.contains(cell.trim()) == mode_absent {
                row.tag(rule);
            }
        }
    }

    pub fn col(&self, name: &str) -> usize {
        self.columns
            .iter()
            .position(|c| *c == name)
            .unwrap_or_else(|| panic!("{} has no column {name}", self.name))
    }
}

/// `years` after `date`, Feb 29 moving to Mar 1 as the law counts birthdays.
pub(crate) fn years_after(date: NaiveDate, years: i32) -> NaiveDate {
    date.with_year(date.year() + years)
        .unwrap_or_else(|| ymd(date.year() + years, 3, 1))
}

/// Age in full years at `at`, computed independently of the `age` check.
pub(crate) fn age_at(birth: NaiveDate, at: NaiveDate) -> i32 {
    let mut age = at.year() - birth.year();
    if years_after(birth, age) > at {
        age -= 1;
    }
    age
}

/// People of the block alive and aged within `ages` (full years) on
/// `as_of` who are not in `listed`: those a defect may add to a list.
pub(crate) fn living_unlisted(
    persons: &[Person],
    ages: std::ops::Range<i32>,
    as_of: NaiveDate,
    listed: &[usize],
) -> Vec<usize> {
    let listed: HashSet<usize> = listed.iter().copied().collect();
    (0..persons.len())
        .filter(|i| {
            let p = &persons[*i];
            p.death.is_none() && ages.contains(&age_at(p.birth, as_of)) && !listed.contains(i)
        })
        .collect()
}

/// A synthetic citizen of the register.
#[derive(Clone, Debug)]
pub(crate) struct Person {
    pub id: String,
    pub name: String,
    pub birth: NaiveDate,
    pub male: bool,
    pub commune: String,
    pub death: Option<NaiveDate>,
    /// Appears by ID in another dataset's `reference` rule, so its register
    /// ID must stay intact.
    pub referenced: bool,
}

/// The IDs the register datasets of a block hold (present cells), for the
/// ground truth of `reference` rules in the datasets built after them.
pub(crate) struct Registers {
    pub dan_cu: HashSet<String>,
    pub khai_sinh: HashSet<String>,
    pub khai_tu: HashSet<String>,
}

/// Lists from the reference folder that clean values are drawn from.
pub(crate) struct Lists {
    pub communes: Vec<String>,
    /// Pre-reform commune codes abolished on 1 July 2025.
    pub abolished_communes: Vec<String>,
    /// Every code of the list in force before 1 July 2025, and of the list
    /// from then on: which codes are valid on a record's date.
    pub communes_before_reform: HashSet<String>,
    pub communes_after_reform: HashSet<String>,
    pub birthplaces: Vec<String>,
    pub ethnic_codes: Vec<String>,
    /// Procedure codes with their time limit in working days.
    pub procedures: Vec<(String, i64)>,
    /// Public holidays on weekdays (appointment dates skip them).
    pub holidays: HashSet<NaiveDate>,
}

pub(crate) struct Gen {
    pub rng: ChaCha8Rng,
    pub as_of: NaiveDate,
    pub rate: f64,
    pub lists: Lists,
    /// Per ID prefix (birthplace, gender/century digit, year): a random
    /// offset and how many serials were issued, so IDs are unique over the
    /// whole run without remembering them.
    id_serials: HashMap<u32, (u64, u64)>,
    /// Values that defects make out of IDs (shortened, cut to 9 digits,
    /// re-prefixed, old CMND numbers) and keys they make out of parcels,
    /// over every dataset: each occurs once in the run, so no injected value
    /// meets another by chance in a unique check or a register look-up.
    /// Grows with the defects, like the manifest, not with the rows. Kept as
    /// numbers, not strings: millions of small long-lived strings among the
    /// blocks' short-lived ones fragment the heap and made generation
    /// slower with every block (measured: 4 M people 32.7 s, 1 M 6.0 s).
    claimed: HashSet<u64>,
    /// Old 9-digit CMND numbers issued so far.
    cmnd_count: u64,
    /// Registration numbers issued so far: births, deaths, marriages.
    pub birth_serial: u64,
    pub death_serial: u64,
    pub marriage_serial: u64,
    /// Last parcel number per (commune, map sheet): parcels are numbered
    /// upwards on each sheet, as cadastral maps number them.
    pub parcel_numbers: HashMap<(u32, u32), u32>,
    /// Last dossier number per (receiving agency, day).
    pub dossier_numbers: HashMap<(String, NaiveDate), u32>,
    /// Social-insurance numbers issued so far (labour, children's cards).
    pub insurance_serial: u64,
    /// Enterprise tax-code sequences issued so far.
    pub tax_serial: u64,
}

impl Gen {
    pub fn new(seed: u64, as_of: NaiveDate, rate: f64, lists: Lists) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            as_of,
            rate,
            lists,
            id_serials: HashMap::new(),
            claimed: HashSet::new(),
            cmnd_count: 0,
            birth_serial: 0,
            death_serial: 0,
            marriage_serial: 0,
            parcel_numbers: HashMap::new(),
            dossier_numbers: HashMap::new(),
            insurance_serial: 0,
            tax_serial: 0,
        }
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.random_range(0..items.len())]
    }

    /// One value of a reference list, drawn like [`Gen::pick`] (same random
    /// stream) without copying the list.
    pub fn pick_listed(&mut self, list: impl Fn(&Lists) -> &Vec<String>) -> String {
        let i = self.rng.random_range(0..list(&self.lists).len());
        list(&self.lists)[i].clone()
    }

    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.rng.random_bool(p.min(1.0))
    }

    pub fn date_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days().max(0);
        from + TimeDelta::days(self.rng.random_range(0..=span))
    }

    /// A fresh update date: 0–300 days before the as-of date.
    pub fn recent(&mut self) -> NaiveDate {
        self.as_of - TimeDelta::days(self.rng.random_range(0..=300))
    }

    /// A stale update date: 400–1500 days before the as-of date.
    pub fn stale(&mut self) -> NaiveDate {
        self.as_of - TimeDelta::days(self.rng.random_range(400..=1500))
    }

    pub fn name(&mut self, male: bool) -> String {
        let family = *self.pick(&names::FAMILY);
        let (middle, given) = if male {
            (
                *self.pick(&names::MIDDLE_MALE),
                *self.pick(&names::GIVEN_MALE),
            )
        } else {
            (
                *self.pick(&names::MIDDLE_FEMALE),
                *self.pick(&names::GIVEN_FEMALE),
            )
        };
        format!("{family} {middle} {given}")
    }

    /// A well-formed personal ID never issued before in this run: birthplace
    /// code + gender/century digit + year + 6 digits (Nghị định 137/2015/NĐ-CP
    /// Điều 13; Thông tư 07/2016/TT-BCA Điều 7).
    pub fn new_id(&mut self, birth: NaiveDate, male: bool) -> String {
        let century = (birth.year() / 100 - 19).clamp(0, 4) * 2 + i32::from(!male);
        loop {
            let place = self.pick_listed(|l| &l.birthplaces);
            let prefix = format!("{place}{century}{:02}", birth.year() % 100);
            let fresh_offset = self.rng.random_range(0..1_000_000);
            let bucket = prefix.parse::<u32>().unwrap_or(u32::MAX);
            let (offset, issued) = self.id_serials.entry(bucket).or_insert((fresh_offset, 0));
            if *issued < 1_000_000 {
                // 7919 is prime and coprime with 10⁶: distinct counts give
                // distinct serials.
                let serial = (*issued * 7919 + *offset) % 1_000_000;
                *issued += 1;
                return format!("{place}{century}{:02}{serial:06}", birth.year() % 100);
            }
        }
    }

    /// Claims an ID-like value (digits only) for a defect; false if a
    /// defect already made it.
    pub fn claim_id(&mut self, digits: &str) -> bool {
        // Length and value together: "012" and "12" are different IDs.
        match digits_value(digits) {
            Some(v) if digits.len() <= 15 => self.claimed.insert(((digits.len() as u64) << 59) | v),
            _ => false,
        }
    }

    /// Claims a parcel key (commune, map sheet, parcel number) a defect made.
    pub fn claim_parcel(&mut self, commune: &str, sheet: &str, parcel: &str) -> bool {
        match (
            digits_value(commune),
            digits_value(sheet),
            digits_value(parcel),
        ) {
            (Some(c), Some(s), Some(p)) if c < 100_000 && s < 1_000 && p < 100_000_000 => {
                // Tag bit 63: never equal to an ID claim (bits 59–62 hold a length ≤ 15).
                self.claimed
                    .insert((1 << 63) | (c * 100_000_000_000 + s * 100_000_000 + p))
            }
            _ => false,
        }
    }

    /// A 9-digit CMND number no defect has used yet.
    pub fn old_cmnd(&mut self) -> String {
        loop {
            // 387 420 489 = 3¹⁸ is coprime with 10⁹: a bijection on 9 digits.
            let value = (self.cmnd_count * 387_420_489 + 123_456_789) % 1_000_000_000;
            self.cmnd_count += 1;
            let cmnd = format!("{value:09}");
            if self.claim_id(&cmnd) {
                return cmnd;
            }
        }
    }

    /// A 10-digit social-insurance number never issued before in this run:
    /// the province digits of the person's ID and a serial.
    pub fn insurance_number(&mut self, id: &str) -> String {
        self.insurance_serial += 1;
        let province = id.get(1..3).unwrap_or("01");
        format!("{province}{:08}", self.insurance_serial)
    }

    /// An ID of the right shape that belongs to nobody in the register.
    pub fn unknown_id(&mut self) -> String {
        let birth = self.date_between(ymd(1940, 1, 1), ymd(2000, 12, 31));
        let male = self.chance(0.5);
        self.new_id(birth, male)
    }
}

/// The number a string of ASCII digits spells; `None` for anything else.
fn digits_value(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

pub(crate) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid literal date")
}

fn read_column(
    dir: &Path,
    file: &str,
    column: &str,
    filter: Option<(&str, &str)>,
) -> std::io::Result<Vec<String>> {
    let path = dir.join(file);
    let mut reader = csv::Reader::from_path(&path).map_err(std::io::Error::other)?;
    let header = reader.headers().map_err(std::io::Error::other)?.clone();
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| std::io::Error::other(format!("{}: no column '{name}'", path.display())))
    };
    let i = find(column)?;
    let f = filter.map(|(c, v)| find(c).map(|j| (j, v))).transpose()?;
    let mut values = Vec::new();
    for record in reader.records() {
        let record = record.map_err(std::io::Error::other)?;
        if f.is_none_or(|(j, v)| record.get(j) == Some(v)) {
            values.push(record[i].to_string());
        }
    }
    Ok(values)
}

/// The lists clean values are drawn from, read from the reference folder.
fn load_lists(dir: &Path) -> std::io::Result<Lists> {
    let communes = read_column(dir, "communes_2025.csv", "code", None)?;
    let current: HashSet<&String> = communes.iter().collect();
    let abolished_communes: Vec<String> = read_column(dir, "communes_2024.csv", "code", None)?
        .into_iter()
        .filter(|c| !current.contains(c))
        .collect();
    Ok(Lists {
        communes_before_reform: read_column(dir, "communes_2024.csv", "code", None)?
            .into_iter()
            .collect(),
        communes_after_reform: communes.iter().cloned().collect(),
        abolished_communes,
        communes,
        birthplaces: read_column(dir, "cccd_birthplace_codes.csv", "code", None)?,
        ethnic_codes: read_column(
            dir,
            "ethnic_groups.csv",
            "code",
            Some(("in_official_list", "yes")),
        )?,
        procedures: {
            let codes = read_column(dir, "tthc_time_limits.csv", "ma_thu_tuc", None)?;
            let days = read_column(dir, "tthc_time_limits.csv", "so_ngay_lam_viec", None)?;
            codes
                .into_iter()
                .zip(days)
                .map(|(c, d)| {
                    d.parse().map(|d| (c, d)).map_err(|_| {
                        std::io::Error::other(format!(
                            "tthc_time_limits.csv: '{d}' is not a number of days"
                        ))
                    })
                })
                .collect::<std::io::Result<_>>()?
        },
        holidays: read_column(dir, "public_holidays.csv", "ngay", None)?
            .iter()
            .map(|d| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                    std::io::Error::other(format!("public_holidays.csv: '{d}' is not a date"))
                })
            })
            .collect::<std::io::Result<_>>()?,
    })
}

/// Generates every dataset and the manifest into `options.out_dir`.
///
/// People are generated in blocks of `options.block_people`; each block's
/// rows of every dataset are appended to the six files and dropped, so
/// memory follows the block size, not `options.people` — only the ground
/// truth (the manifest's failing lines) grows with the run. Links between
/// datasets (mothers, spouses, holders, the deceased) stay within a block;
/// identifiers and registration numbers are unique over the whole run.
pub fn generate(options: &GenerateOptions) -> std::io::Result<Manifest> {
    let lists = load_lists(&options.reference_dir)?;
    let mut g = Gen::new(options.seed, options.as_of, options.defect_rate, lists);
    std::fs::create_dir_all(&options.out_dir)?;
    let mut manifest = Manifest {
        seed: options.seed,
        people: options.people,
        block_people: options.block_people,
        defect_rate: options.defect_rate,
        as_of: options.as_of.format("%Y-%m-%d").to_string(),
        datasets: BTreeMap::new(),
    };
    let block = options.block_people.max(1);
    let blocks = options.people.div_ceil(block).max(1);
    let mut files: Vec<SheetFile> = Vec::new();
    for b in 0..blocks {
        let people = block.min(options.people - b * block);
        let sheets = datasets::build(&mut g, people);
        if files.is_empty() {
            files = sheets
                .iter()
                .map(|sheet| SheetFile::create(&options.out_dir, sheet, options.as_of))
                .collect::<std::io::Result<_>>()?;
        }
        for (file, sheet) in files.iter_mut().zip(&sheets) {
            file.append(sheet)?;
        }
    }
    for file in files {
        let (name, truth) = file.commit()?;
        manifest.datasets.insert(name.to_string(), truth);
    }
    let json = serde_json::to_string_pretty(&manifest).map_err(std::io::Error::other)?;
    write_atomic(&options.out_dir.join("manifest.json"), |w| {
        std::io::Write::write_all(w, json.as_bytes())?;
        std::io::Write::write_all(w, b"\n")
    })
    .map_err(std::io::Error::other)?;
    Ok(manifest)
}

/// Each indicator of the dataset's pack for one final row: `Some(in the
/// numerator)` where the row is in the denominator.
fn indicator_flags(
    dataset: &str,
    row: &Row,
    as_of: NaiveDate,
) -> Vec<(&'static str, Option<bool>)> {
    match dataset {
        "ho_so_tthc" => ho_so_tthc::indicator_flags(row, as_of),
        "tre_em" => tre_em::indicator_flags(row, as_of),
        "nguoi_nop_thue" => thue::indicator_flags(row),
        // tinh_trang, so_bhxh (lao_dong.rs).
        "lao_dong" => vec![(
            "CT-LD-01",
            (row.cells[6] == "dang_lam_viec").then_some(!is_missing(&row.cells[5])),
        )],
        // trang_thai, hinh_thuc_chi (datasets::BTXH).
        "doi_tuong_btxh" => vec![(
            "CT-BT-01",
            (row.cells[9] == "dang_huong").then_some(row.cells[7] == "tai_khoan"),
        )],
        _ => vec![],
    }
}

/// One export being written block by block, with its ground truth.
struct SheetFile {
    name: &'static str,
    columns: &'static [&'static str],
    delimiter: u8,
    as_of: NaiveDate,
    file: AtomicFile,
    truth: DatasetTruth,
}

impl SheetFile {
    fn create(dir: &Path, sheet: &Sheet, as_of: NaiveDate) -> std::io::Result<Self> {
        let mut file = AtomicFile::create(&dir.join(sheet.file)).map_err(std::io::Error::other)?;
        let mut w = csv::WriterBuilder::new()
            .delimiter(sheet.delimiter)
            .from_writer(file.writer());
        w.write_record(sheet.columns)?;
        w.flush()?;
        drop(w);
        Ok(Self {
            name: sheet.name,
            columns: sheet.columns,
            delimiter: sheet.delimiter,
            as_of,
            file,
            truth: DatasetTruth {
                file: sheet.file.to_string(),
                rows: 0,
                rules: BTreeMap::new(),
                indicators: BTreeMap::new(),
                repairs: Vec::new(),
            },
        })
    }

    /// Writes the block's rows after the ones already written and records
    /// their failing lines (line 1 is the header; no cell holds a newline).
    fn append(&mut self, sheet: &Sheet) -> std::io::Result<()> {
        let mut w = csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .from_writer(self.file.writer());
        for (i, row) in sheet.rows.iter().enumerate() {
            w.write_record(&row.cells)?;
            let line = self.truth.rows + i as u64 + 2;
            for rule in &row.fails {
                self.truth
                    .rules
                    .entry(rule.to_string())
                    .or_default()
                    .push(line);
            }
            for (column, clean) in &row.repairs {
                self.truth.repairs.push(RepairTruth {
                    line,
                    column: self.columns[*column].to_string(),
                    clean: clean.clone(),
                });
            }
            for (id, counted) in indicator_flags(sheet.name, row, self.as_of) {
                let truth = self.truth.indicators.entry(id.to_string()).or_default();
                if let Some(numerator) = counted {
                    truth.denominator += 1;
                    truth.numerator += u64::from(numerator);
                }
            }
        }
        w.flush()?;
        self.truth.rows += sheet.rows.len() as u64;
        Ok(())
    }

    fn commit(self) -> std::io::Result<(&'static str, DatasetTruth)> {
        self.file.commit().map_err(std::io::Error::other)?;
        Ok((self.name, self.truth))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gen_for_test() -> Gen {
        let lists = Lists {
            communes: vec!["00004".into()],
            abolished_communes: vec![],
            communes_before_reform: HashSet::new(),
            communes_after_reform: ["00004".to_string()].into_iter().collect(),
            birthplaces: vec!["001".into(), "079".into()],
            ethnic_codes: vec!["01".into()],
            procedures: vec![("1.001193".into(), 0)],
            holidays: HashSet::new(),
        };
        Gen::new(1, ymd(2026, 6, 30), 0.05, lists)
    }

    #[test]
    fn a_claimed_value_cannot_be_claimed_twice_and_lengths_differ() {
        let mut g = gen_for_test();
        assert!(g.claim_id("012345678"));
        assert!(!g.claim_id("012345678"));
        assert!(
            g.claim_id("12345678"),
            "a lost leading zero is another value"
        );
        assert!(g.claim_parcel("12345", "6", "78"));
        assert!(!g.claim_parcel("12345", "6", "78"));
        assert!(g.claim_parcel("12345", "67", "8"));
        assert!(!g.claim_id("12a"), "not digits: never claimed");
    }

    #[test]
    fn ids_stay_unique_in_a_crowded_prefix() {
        let mut g = gen_for_test();
        let birth = ymd(1990, 5, 1);
        let mut seen = HashSet::new();
        for _ in 0..200_000 {
            let id = g.new_id(birth, true);
            assert_eq!(id.len(), 12);
            assert!(seen.insert(id));
        }
    }

    #[test]
    fn old_cmnd_numbers_are_nine_digits_and_never_repeat() {
        let mut g = gen_for_test();
        assert!(g.claim_id("123456789"));
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            let cmnd = g.old_cmnd();
            assert_eq!(cmnd.len(), 9);
            assert_ne!(cmnd, "123456789");
            assert!(seen.insert(cmnd));
        }
    }
}
