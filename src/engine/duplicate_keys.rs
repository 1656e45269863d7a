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
use crate::input::{ChunkedReader, Table};
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
    pub fn find(
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
