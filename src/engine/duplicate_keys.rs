//! `unique` rules over a file checked piece by piece (streaming mode): a
//! row's verdict depends on every other row of the file, so the duplicated
//! keys are found before the pieces are checked, in two passes that keep
//! 8 bytes per row:
//!
//! 1. a 64-bit hash of every compared key; sorted, the hashes seen twice or
//!    more are the *candidates* (true duplicates, plus the rare collision);
//! 2. the exact key of every row whose hash is a candidate, counted; the keys
//!    seen twice or more are the *duplicates*.
//!
//! While the pieces are checked, a row fails when its exact key is a
//! duplicate — the same rows as the in-memory `len().over(keys)` window,
//! whatever the hashes collide on. Pass 2 is skipped when pass 1 finds no
//! candidate (a clean file reads twice, not three times).

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;

use super::plan::{base_query, typing_exprs};
use crate::checks::{Check, LookupSets, PlanContext};
use crate::error::{ReadError, RuleError};
use crate::input::{ChunkedReader, Table, cell_value, parts_for, scan_records};
use crate::pack::RulePack;

/// The `unique` rules of a pack and, once both passes have run, their
/// duplicated keys.
pub struct DuplicateKeys {
    rules: Vec<UniqueKeys>,
}

struct UniqueKeys {
    /// The rule's position in the pack.
    index: usize,
    columns: Vec<String>,
    when: Option<String>,
    hashes: Vec<u64>,
    /// Pass 1's exact keys, back to back, while they fit the budget.
    key_bytes: Vec<u8>,
    /// End of each key in `key_bytes`, aligned with `hashes`.
    key_ends: Vec<u64>,
    candidates: HashSet<u64>,
    counts: HashMap<Box<[u8]>, u32>,
    duplicates: HashSet<Box<[u8]>>,
    error: Option<RuleError>,
}

/// Hashes keys the same way in every pass and every run.
const HASHER: foldhash::fast::FixedState = foldhash::fast::FixedState::with_seed(0x6464_7373);

impl DuplicateKeys {
    pub fn of(pack: &RulePack) -> DuplicateKeys {
        let rules = pack
            .rules
            .iter()
            .enumerate()
            .filter_map(|(index, rule)| match rule.check.as_ref() {
                Check::Unique(u) => Some(UniqueKeys {
                    index,
                    columns: u.columns.clone(),
                    when: rule.when.clone(),
                    hashes: Vec::new(),
                    key_bytes: Vec::new(),
                    key_ends: Vec::new(),
                    candidates: HashSet::new(),
                    counts: HashMap::new(),
                    duplicates: HashSet::new(),
                    error: None,
                }),
                _ => None,
            })
            .collect();
        DuplicateKeys { rules }
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Columns the passes read: the keys, and every column when a rule has
    /// a `when` condition (it may name any of them).
    pub fn columns(&self, header: &[String]) -> Vec<String> {
        if self.rules.iter().any(|r| r.when.is_some()) {
            return header.to_vec();
        }
        let mut out: Vec<String> = Vec::new();
        for r in &self.rules {
            for c in &r.columns {
                if !out.contains(c) {
                    out.push(c.clone());
                }
            }
        }
        out
    }

    /// Runs the passes over the file and returns how many ran (1 or 2).
    /// `progress` gets the bytes read in each pass and the pass number.
    /// While the exact keys fit in `key_budget` bytes they are kept from
    /// pass 1, and pass 2 is not needed.
    pub fn find(
        &mut self,
        open: &dyn Fn() -> Result<ChunkedReader, ReadError>,
        keys: &KeyContext,
        key_budget: u64,
        progress: &dyn Fn(u64, u32),
    ) -> Result<u32, ReadError> {
        if self.rules.iter().any(|r| r.when.is_some()) {
            self.find_through_frames(open, keys, progress)
        } else {
            self.find_from_records(open, key_budget, progress)
        }
    }

    /// Both passes straight from the records, without building columns:
    /// for rules without `when`, whose keys are plain cells.
    fn find_from_records(
        &mut self,
        open: &dyn Fn() -> Result<ChunkedReader, ReadError>,
        key_budget: u64,
        progress: &dyn Fn(u64, u32),
    ) -> Result<u32, ReadError> {
        let mut reader = open()?;
        let header = reader.header().to_vec();
        let delimiter = reader.delimiter();
        let missing: Vec<String> = reader.missing_values().to_vec();
        let missing: Vec<&str> = missing.iter().map(String::as_str).collect();
        let positions: Vec<Option<Vec<usize>>> = self
            .rules
            .iter_mut()
            .map(|rule| {
                let found: Option<Vec<usize>> = rule
                    .columns
                    .iter()
                    .map(|c| header.iter().position(|h| h == c))
                    .collect();
                if found.is_none() {
                    rule.error = Some(RuleError::MissingColumn {
                        column: rule.columns.join(", "),
                        suggestion: None,
                    });
                }
                found
            })
            .collect();

        let mut exact = true;
        loop {
            let keep_keys = exact;
            let scanned = reader.next_records(|body, _| {
                Ok(scan_records(
                    body,
                    delimiter,
                    parts_for(body),
                    || vec![PieceKeys::default(); positions.len()],
                    |state, record| {
                        let mut buf = Vec::new();
                        for (keys, at) in state.iter_mut().zip(&positions) {
                            let Some(at) = at else { continue };
                            if let Some(hash) = encode_cells(record, at, &missing, &mut buf) {
                                keys.hashes.push(hash);
                                if keep_keys {
                                    keys.bytes.extend_from_slice(&buf);
                                    keys.ends.push(keys.bytes.len() as u64);
                                }
                            }
                        }
                    },
                ))
            })?;
            let Some(parts) = scanned else { break };
            for part in parts {
                for (rule, keys) in self.rules.iter_mut().zip(part) {
                    let base = rule.key_bytes.len() as u64;
                    rule.hashes.extend(keys.hashes);
                    if exact {
                        rule.key_bytes.extend_from_slice(&keys.bytes);
                        rule.key_ends.extend(keys.ends.iter().map(|e| e + base));
                    }
                }
            }
            let held: u64 = self
                .rules
                .iter()
                .map(|r| (r.key_bytes.len() + 8 * r.key_ends.len() + 16 * r.hashes.len()) as u64)
                .sum();
            if exact && held > key_budget {
                exact = false;
                for rule in &mut self.rules {
                    rule.key_bytes = Vec::new();
                    rule.key_ends = Vec::new();
                }
            }
            progress(reader.read_bytes(), 1);
        }
        for rule in &mut self.rules {
            let mut sorted = if exact {
                rule.hashes.clone()
            } else {
                std::mem::take(&mut rule.hashes)
            };
            sorted.par_sort_unstable();
            rule.candidates = sorted
                .windows(2)
                .filter(|w| w[0] == w[1])
                .map(|w| w[0])
                .collect();
        }
        if exact {
            for rule in &mut self.rules {
                let mut counts: HashMap<&[u8], u32> = HashMap::new();
                for (k, hash) in rule.hashes.iter().enumerate() {
                    if rule.candidates.contains(hash) {
                        let start = if k == 0 {
                            0
                        } else {
                            rule.key_ends[k - 1] as usize
                        };
                        let end = rule.key_ends[k] as usize;
                        *counts.entry(&rule.key_bytes[start..end]).or_default() += 1;
                    }
                }
                let duplicates = counts
                    .into_iter()
                    .filter(|(_, n)| *n > 1)
                    .map(|(k, _)| Box::<[u8]>::from(k))
                    .collect();
                rule.duplicates = duplicates;
                rule.hashes = Vec::new();
                rule.key_bytes = Vec::new();
                rule.key_ends = Vec::new();
            }
            return Ok(1);
        }
        if self.rules.iter().all(|r| r.candidates.is_empty()) {
            return Ok(1);
        }

        let mut reader = open()?;
        loop {
            let rules = &self.rules;
            let scanned = reader.next_records(|body, _| {
                Ok(scan_records(
                    body,
                    delimiter,
                    parts_for(body),
                    || vec![HashMap::<Box<[u8]>, u32>::new(); positions.len()],
                    |state, record| {
                        let mut buf = Vec::new();
                        for ((counts, at), rule) in state.iter_mut().zip(&positions).zip(rules) {
                            let Some(at) = at else { continue };
                            if let Some(hash) = encode_cells(record, at, &missing, &mut buf)
                                && rule.candidates.contains(&hash)
                            {
                                *counts.entry(buf.as_slice().into()).or_default() += 1;
                            }
                        }
                    },
                ))
            })?;
            let Some(parts) = scanned else { break };
            for part in parts {
                for (rule, counts) in self.rules.iter_mut().zip(part) {
                    for (key, n) in counts {
                        *rule.counts.entry(key).or_default() += n;
                    }
                }
            }
            progress(reader.read_bytes(), 2);
        }
        for rule in &mut self.rules {
            rule.duplicates = std::mem::take(&mut rule.counts)
                .into_iter()
                .filter(|(_, n)| *n > 1)
                .map(|(k, _)| k)
                .collect();
        }
        Ok(2)
    }

    /// Both passes over typed pieces, for rules with a `when` condition.
    fn find_through_frames(
        &mut self,
        open: &dyn Fn() -> Result<ChunkedReader, ReadError>,
        keys: &KeyContext,
        progress: &dyn Fn(u64, u32),
    ) -> Result<u32, ReadError> {
        let mut reader = open()?;
        reader.keep_only(&self.columns(reader.header()));
        while let Some(piece) = reader.next_chunk()? {
            self.rules.par_iter_mut().for_each(|rule| {
                rule.hash_piece(&piece, keys);
            });
            progress(reader.read_bytes(), 1);
        }
        for rule in &mut self.rules {
            let mut hashes = std::mem::take(&mut rule.hashes);
            hashes.par_sort_unstable();
            rule.candidates = hashes
                .windows(2)
                .filter(|w| w[0] == w[1])
                .map(|w| w[0])
                .collect();
        }
        if self.rules.iter().all(|r| r.candidates.is_empty()) {
            return Ok(1);
        }
        let mut reader = open()?;
        reader.keep_only(&self.columns(reader.header()));
        while let Some(piece) = reader.next_chunk()? {
            self.rules.par_iter_mut().for_each(|rule| {
                rule.count_candidates(&piece, keys);
            });
            progress(reader.read_bytes(), 2);
        }
        for rule in &mut self.rules {
            rule.duplicates = std::mem::take(&mut rule.counts)
                .into_iter()
                .filter(|(_, n)| *n > 1)
                .map(|(k, _)| k)
                .collect();
            rule.candidates.shrink_to_fit();
        }
        Ok(2)
    }

    /// Each `unique` rule's mask over `piece` (true = the row's key is
    /// duplicated in the file; null = not compared), or the rule's error.
    pub fn masks(
        &self,
        piece: &Table,
        keys: &KeyContext,
    ) -> (Vec<(usize, BooleanChunked)>, RuleErrors) {
        let mut masks = Vec::new();
        let mut errors = Vec::new();
        for rule in &self.rules {
            if let Some(e) = &rule.error {
                errors.push((rule.index, e.clone()));
                continue;
            }
            let mut buf = Vec::new();
            let mut mask: Vec<Option<bool>> = Vec::with_capacity(piece.frame.height());
            let done = rule.for_each_key(piece, keys, |key| {
                mask.push(key.map(|parts| {
                    let hash = encode(parts, &mut buf);
                    rule.candidates.contains(&hash) && rule.duplicates.contains(&buf[..])
                }));
            });
            match done {
                Ok(()) => masks.push((rule.index, mask.into_iter().collect())),
                Err(e) => errors.push((rule.index, e)),
            }
        }
        (masks, errors)
    }
}

/// Rules (by position in the pack) that could not be evaluated.
pub type RuleErrors = Vec<(usize, RuleError)>;

/// What a `when` condition needs to be planned on a piece.
pub struct KeyContext<'a> {
    pub pack: &'a RulePack,
    pub as_of: NaiveDate,
    pub lookups: &'a LookupSets,
}

impl UniqueKeys {
    fn hash_piece(&mut self, piece: &Table, keys: &KeyContext) {
        let mut buf = Vec::new();
        let mut hashes = std::mem::take(&mut self.hashes);
        let done = self.for_each_key(piece, keys, |key| {
            if let Some(parts) = key {
                hashes.push(encode(parts, &mut buf));
            }
        });
        self.hashes = hashes;
        if let Err(e) = done {
            self.error = Some(e);
        }
    }

    fn count_candidates(&mut self, piece: &Table, keys: &KeyContext) {
        if self.candidates.is_empty() || self.error.is_some() {
            return;
        }
        let mut buf = Vec::new();
        let mut counts = std::mem::take(&mut self.counts);
        let _ = self.for_each_key(piece, keys, |key| {
            if let Some(parts) = key {
                let hash = encode(parts, &mut buf);
                if self.candidates.contains(&hash) {
                    *counts.entry(buf.as_slice().into()).or_default() += 1;
                }
            }
        });
        self.counts = counts;
    }

    /// Calls `f` with the compared key of every row of `piece`, in order:
    /// `None` when a key value is missing or the rule's `when` does not hold.
    fn for_each_key(
        &self,
        piece: &Table,
        ctx: &KeyContext,
        mut f: impl FnMut(Option<&[&str]>),
    ) -> Result<(), RuleError> {
        let frame = &piece.frame;
        let mut texts = Vec::with_capacity(self.columns.len());
        for c in &self.columns {
            let column = frame.column(c).map_err(|_| RuleError::MissingColumn {
                column: c.clone(),
                suggestion: None,
            })?;
            let text = column
                .str()
                .map_err(|e| RuleError::Plan(e.to_string()))?
                .rechunk()
                .into_owned();
            texts.push(text);
        }
        let applies = match &self.when {
            None => None,
            Some(sql) => {
                let plan = PlanContext {
                    pack: ctx.pack,
                    header: &piece.header,
                    rows: frame.height() as u64,
                    as_of: ctx.as_of,
                    lookups: ctx.lookups,
                };
                let condition = crate::checks::expr::plan_sql_condition(sql, &plan)?;
                let out = base_query(frame, typing_exprs(ctx.pack, &piece.header), &[])
                    .select([condition.fill_null(lit(false)).alias("applies")])
                    .collect()
                    .map_err(|e| RuleError::Plan(e.to_string()))?;
                let applies = out
                    .column("applies")
                    .and_then(|c| c.bool().cloned())
                    .map_err(|e| RuleError::Plan(e.to_string()))?
                    .rechunk()
                    .into_owned();
                Some(applies)
            }
        };
        let mut parts: Vec<&str> = Vec::with_capacity(texts.len());
        for row in 0..frame.height() {
            parts.clear();
            let mut present = applies.as_ref().is_none_or(|a| a.get(row) == Some(true));
            if present {
                for text in &texts {
                    match text.get(row) {
                        Some(value) => parts.push(value),
                        None => {
                            present = false;
                            break;
                        }
                    }
                }
            }
            f(present.then_some(&parts[..]));
        }
        Ok(())
    }
}

/// One piece's keys of one rule, from pass 1.
#[derive(Default, Clone)]
struct PieceKeys {
    hashes: Vec<u64>,
    bytes: Vec<u8>,
    ends: Vec<u64>,
}

/// [`encode`] for the cells at positions `at` of a record, read as the
/// table reads them; `None` when one is missing.
fn encode_cells(
    record: &csv::ByteRecord,
    at: &[usize],
    missing: &[&str],
    buf: &mut Vec<u8>,
) -> Option<u64> {
    buf.clear();
    for &i in at {
        let value = cell_value(record.get(i)?, missing)?;
        buf.extend_from_slice(&(value.len() as u32).to_le_bytes());
        buf.extend_from_slice(value.as_bytes());
    }
    Some(HASHER.hash_one(&buf[..]))
}

/// Writes the key into `buf` unambiguously (each part length-prefixed, so
/// ("ab", "c") and ("a", "bc") differ) and returns its hash.
fn encode(parts: &[&str], buf: &mut Vec<u8>) -> u64 {
    buf.clear();
    for p in parts {
        buf.extend_from_slice(&(p.len() as u32).to_le_bytes());
        buf.extend_from_slice(p.as_bytes());
    }
    HASHER.hash_one(&buf[..])
}
