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
mod ket_hon;
mod names;
mod thua_dat;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate, TimeDelta};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::report::atomic::write_atomic;

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
}

/// Ground truth: for every dataset and rule, the lines that must fail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub seed: u64,
    pub people: usize,
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
}

impl Row {
    pub fn clean(&self) -> bool {
        self.fails.is_empty()
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

    pub fn col(&self, name: &str) -> usize {
        self.columns
            .iter()
            .position(|c| *c == name)
            .unwrap_or_else(|| panic!("{} has no column {name}", self.name))
    }
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

/// Lists from the reference folder that clean values are drawn from.
pub(crate) struct Lists {
    pub communes: Vec<String>,
    /// Pre-reform commune codes abolished on 1 July 2025.
    pub abolished_communes: Vec<String>,
    pub birthplaces: Vec<String>,
    pub ethnic_codes: Vec<String>,
}

pub(crate) struct Gen {
    pub rng: ChaCha8Rng,
    pub as_of: NaiveDate,
    pub rate: f64,
    pub lists: Lists,
    pub issued_ids: HashSet<String>,
}

impl Gen {
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
        loop {
            let place = self.pick_listed(|l| &l.birthplaces);
            let century = (birth.year() / 100 - 19).clamp(0, 4) * 2 + i32::from(!male);
            let id = format!(
                "{place}{century}{:02}{:06}",
                birth.year() % 100,
                self.rng.random_range(0..1_000_000)
            );
            if self.issued_ids.insert(id.clone()) {
                return id;
            }
        }
    }

    /// An ID of the right shape that belongs to nobody in the register.
    pub fn unknown_id(&mut self) -> String {
        let birth = self.date_between(ymd(1940, 1, 1), ymd(2000, 12, 31));
        let male = self.chance(0.5);
        self.new_id(birth, male)
    }
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

/// Generates every dataset and the manifest into `options.out_dir`.
pub fn generate(options: &GenerateOptions) -> std::io::Result<Manifest> {
    let dir = &options.reference_dir;
    let communes = read_column(dir, "communes_2025.csv", "code", None)?;
    let current: HashSet<&String> = communes.iter().collect();
    let abolished_communes: Vec<String> = read_column(dir, "communes_2024.csv", "code", None)?
        .into_iter()
        .filter(|c| !current.contains(c))
        .collect();
    let lists = Lists {
        abolished_communes,
        communes: communes.clone(),
        birthplaces: read_column(dir, "cccd_birthplace_codes.csv", "code", None)?,
        ethnic_codes: read_column(
            dir,
            "ethnic_groups.csv",
            "code",
            Some(("in_official_list", "yes")),
        )?,
    };
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(options.seed),
        as_of: options.as_of,
        rate: options.defect_rate,
        lists,
        issued_ids: HashSet::new(),
    };
    let sheets = datasets::build(&mut g, options.people);
    std::fs::create_dir_all(&options.out_dir)?;
    let mut manifest = Manifest {
        seed: options.seed,
        people: options.people,
        defect_rate: options.defect_rate,
        as_of: options.as_of.format("%Y-%m-%d").to_string(),
        datasets: BTreeMap::new(),
    };
    for sheet in &sheets {
        write_sheet(&options.out_dir.join(sheet.file), sheet)?;
        let mut rules: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for (i, row) in sheet.rows.iter().enumerate() {
            for rule in &row.fails {
                rules
                    .entry(rule.to_string())
                    .or_default()
                    .push(i as u64 + 2);
            }
        }
        manifest.datasets.insert(
            sheet.name.to_string(),
            DatasetTruth {
                file: sheet.file.to_string(),
                rows: sheet.rows.len() as u64,
                rules,
            },
        );
    }
    let json = serde_json::to_string_pretty(&manifest).map_err(std::io::Error::other)?;
    write_atomic(&options.out_dir.join("manifest.json"), |w| {
        std::io::Write::write_all(w, json.as_bytes())?;
        std::io::Write::write_all(w, b"\n")
    })
    .map_err(std::io::Error::other)?;
    Ok(manifest)
}

fn write_sheet(path: &Path, sheet: &Sheet) -> std::io::Result<()> {
    write_atomic(path, |out| {
        let mut w = csv::WriterBuilder::new()
            .delimiter(sheet.delimiter)
            .from_writer(out);
        w.write_record(sheet.columns)?;
        for row in &sheet.rows {
            w.write_record(&row.cells)?;
        }
        w.flush()
    })
    .map_err(std::io::Error::other)
}
