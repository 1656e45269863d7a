//! `unique` rules over a file checked piece by piece (streaming mode): a
//! row's verdict depends on every other row of the file, so the keys that
//! may be duplicated are found before the pieces are checked.
//!
//! 1. A first pass hashes every compared key (64 bits, 8 bytes per row);
//!    sorted, the hashes seen twice or more are the *candidates*.
//! 2. While the pieces are checked, a row whose hash is a candidate fails,
//!    and the exact key of each candidate row is compared with the first
//!    key seen under its hash.
//! 3. If two different keys ever share a hash (a collision: about one run in
//!    300 at 10 M distinct keys), the verdicts of step 2 are not trusted: a
//!    second pass counts the exact keys of the candidate rows, and the pieces
//!    are checked again with exact duplicates. So the result is always that
//!    of the in-memory `len().over(keys)` window, and a run without collision
//!    reads the file twice, not three times.

use std::hash::BuildHasher;

use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;

use super::query::{base_query, typing_exprs};
use crate::contract::{LookupSets, PlanContext};
use crate::error::{ReadError, RuleError};
use crate::input::{ChunkedReader, RecordText, Table, cell_value, parts_for, scan_records};
use crate::pack::RulePack;

/// The `unique` rules of a pack and, once both passes have run, their
/// duplicated keys.
pub struct DuplicateKeys {
    rules: Vec<UniqueKeys>,
    /// Verdicts come from exact keys (after a collision), not from hashes.
    exact: bool,
    /// Bits of the hash kept: 64, fewer only in tests, to force collisions.
    hash_bits: u32,
}

struct UniqueKeys {
    /// The rule's position in the pack.
    index: usize,
    columns: Vec<String>,
    when: Option<String>,
    hashes: Vec<u64>,
    candidates: HashSet<u64>,
    /// The first exact key seen under each candidate hash.
    first_keys: HashMap<u64, Box<[u8]>>,
    collided: bool,
    counts: HashMap<Box<[u8]>, u32>,
    duplicates: HashSet<Box<[u8]>>,
    error: Option<RuleError>,
}

/// Hashes keys the same way in every pass and every run.
const HASHER: foldhash::fast::FixedState = foldhash::fast::FixedState::with_seed(0x6464_7373);

// Millions of look-ups per pass: a fast hasher, not SipHash (the keys are
// the file's own values, and the result does not depend on the hasher).
type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Up to this many hashes (a 128 MiB scratch copy), they are radix-sorted.
const RADIX_SORT_MAX_HASHES: usize = 16 << 20;

impl DuplicateKeys {
    pub fn of(pack: &RulePack) -> DuplicateKeys {
        let rules = pack
            .rules
            .iter()
            .enumerate()
            .filter_map(|(index, rule)| {
                let key = rule.check.whole_dataset_key()?;
                Some(UniqueKeys {
                    index,
                    columns: key.columns,
                    when: rule.when.clone(),
                    hashes: Vec::new(),
                    candidates: HashSet::default(),
                    first_keys: HashMap::default(),
                    collided: false,
                    counts: HashMap::default(),
                    duplicates: HashSet::default(),
                    error: None,
                })
            })
            .collect();
        DuplicateKeys {
            rules,
            exact: false,
            hash_bits: 64,
        }
    }

    /// Keeps only `bits` bits of each hash (tests: collisions on purpose).
    pub fn with_hash_bits(mut self, bits: u32) -> DuplicateKeys {
        self.hash_bits = bits.clamp(1, 64);
        self
    }

    fn hash_mask(&self) -> u64 {
        u64::MAX >> (64 - self.hash_bits)
    }

    /// Whether two different keys shared a hash while the pieces were
    /// checked: their verdicts must then be redone with [`Self::verify`].
    pub fn collided(&self) -> bool {
        !self.exact && self.rules.iter().any(|r| r.collided)
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

    /// The first pass: the candidate hashes of every rule. `progress` gets
    /// the bytes read.
    pub fn hash_pass(
        &mut self,
        open: &dyn Fn() -> Result<ChunkedReader, ReadError>,
        keys: &KeyContext,
        progress: &dyn Fn(u64),
    ) -> Result<(), ReadError> {
        let hash_mask = self.hash_mask();
        let mut reader = open()?;
        if self.rules.iter().any(|r| r.when.is_some()) {
            // A `when` condition needs typed columns: go through pieces.
            reader.keep_only(&self.columns(reader.header()));
            while let Some(piece) = reader.next_chunk()? {
                self.rules.par_iter_mut().for_each(|rule| {
                    rule.hash_piece(&piece, keys, hash_mask);
                });
                progress(reader.read_bytes());
            }
        } else {
            self.hash_records(&mut reader, hash_mask, progress)?;
        }
        let _sorting = crate::timings::phase("stream: key hashes sorted");
        // One rule after another: sorting is bound by memory bandwidth
        // (sorting two rules side by side took as long, 0.27 s at 10 M rows).
        self.rules.iter_mut().for_each(UniqueKeys::find_candidates);
        Ok(())
    }

    /// The first pass straight from the records, without building columns:
    /// for rules without `when`, whose keys are plain cells.
    fn hash_records(
        &mut self,
        reader: &mut ChunkedReader,
        hash_mask: u64,
        progress: &dyn Fn(u64),
    ) -> Result<(), ReadError> {
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
        let mut t_scan = crate::timings::Total::default();
        let mut t_read = crate::timings::Total::default();
        // Cells after the last key are not read.
        let fields_read = positions
            .iter()
            .flatten()
            .flatten()
            .max()
            .map_or(1, |i| i + 1);
        loop {
            let scanned = t_read.time(|| {
                reader.next_records(|body, _| {
                    Ok(t_scan.time(|| {
                        scan_records(
                            body,
                            delimiter,
                            parts_for(body),
                            fields_read,
                            || (Vec::new(), vec![Vec::<u64>::new(); positions.len()]),
                            |(buf, hashes), record| {
                                let text = RecordText::new(record);
                                for (hashes, at) in hashes.iter_mut().zip(&positions) {
                                    if let Some(at) = at
                                        && let Some(hash) = encode_cells(&text, at, &missing, buf)
                                    {
                                        hashes.push(hash & hash_mask);
                                    }
                                }
                            },
                        )
                    }))
                })
            })?;
            let Some(parts) = scanned else { break };
            for (_, part) in parts {
                for (rule, hashes) in self.rules.iter_mut().zip(part) {
                    rule.hashes.extend(hashes);
                }
            }
            progress(reader.read_bytes());
        }
        t_scan.report("stream: key hashes, scan");
        t_read.report("stream: key hashes, read + scan");
        Ok(())
    }

    /// The second pass, after a collision: the exact duplicated keys, so
    /// that verdicts from now on compare keys, not hashes.
    pub fn verify(
        &mut self,
        open: &dyn Fn() -> Result<ChunkedReader, ReadError>,
        keys: &KeyContext,
        progress: &dyn Fn(u64),
    ) -> Result<(), ReadError> {
        let hash_mask = self.hash_mask();
        let mut reader = open()?;
        reader.keep_only(&self.columns(reader.header()));
        while let Some(piece) = reader.next_chunk()? {
            self.rules.par_iter_mut().for_each(|rule| {
                rule.count_candidates(&piece, keys, hash_mask);
            });
            progress(reader.read_bytes());
        }
        for rule in &mut self.rules {
            rule.duplicates = std::mem::take(&mut rule.counts)
                .into_iter()
                .filter(|(_, n)| *n > 1)
                .map(|(k, _)| k)
                .collect();
            rule.first_keys = HashMap::default();
        }
        self.exact = true;
        Ok(())
    }

    /// Each `unique` rule's mask over `piece` (true = the row's key is
    /// duplicated in the file; null = not compared), or the rule's error.
    /// Until [`Self::verify`] has run, a candidate hash is the verdict and
    /// the exact keys are watched for a collision.
    pub fn masks(
        &mut self,
        piece: &Table,
        keys: &KeyContext,
    ) -> (Vec<(usize, BooleanChunked)>, RuleErrors) {
        let hash_mask = self.hash_mask();
        let exact = self.exact;
        let results: Vec<Result<BooleanChunked, RuleError>> = self
            .rules
            .par_iter_mut()
            .map(|rule| {
                if let Some(e) = &rule.error {
                    return Err(e.clone());
                }
                let mut buf = Vec::new();
                let mut mask: Vec<Option<bool>> = Vec::with_capacity(piece.frame.height());
                let UniqueKeys {
                    columns,
                    when,
                    candidates,
                    duplicates,
                    first_keys,
                    collided,
                    ..
                } = rule;
                let mut verdict = |parts: &[&str]| -> bool {
                    let hash = encode(parts, &mut buf) & hash_mask;
                    if !candidates.contains(&hash) {
                        return false;
                    }
                    if exact {
                        return duplicates.contains(&buf[..]);
                    }
                    match first_keys.get(&hash) {
                        Some(first) => *collided |= first[..] != buf[..],
                        None => {
                            first_keys.insert(hash, buf.as_slice().into());
                        }
                    }
                    true
                };
                for_each_key(columns, when.as_deref(), piece, keys, |key| {
                    mask.push(key.map(&mut verdict))
                })?;
                Ok(mask.into_iter().collect())
            })
            .collect();
        let mut masks = Vec::new();
        let mut errors = Vec::new();
        for (rule, result) in self.rules.iter().zip(results) {
            match result {
                Ok(mask) => masks.push((rule.index, mask)),
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
    /// Sorts the hashes of the first pass; those seen twice or more are the
    /// candidates.
    fn find_candidates(&mut self) {
        let mut hashes = std::mem::take(&mut self.hashes);
        // A radix sort is 3× faster (the comparison sort was 4–5 % of a
        // run) but needs a scratch copy of the hashes, 8 bytes a row: a
        // 50 M-row run went from 0.86 to 1.2 GiB with it. Large files keep
        // the in-place sort.
        if hashes.len() <= RADIX_SORT_MAX_HASHES {
            radsort::sort(&mut hashes);
        } else {
            hashes.par_sort_unstable();
        }
        self.candidates = hashes
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
    }

    fn hash_piece(&mut self, piece: &Table, keys: &KeyContext, hash_mask: u64) {
        let mut buf = Vec::new();
        let mut hashes = std::mem::take(&mut self.hashes);
        let done = self.for_each_key_of(piece, keys, |key| {
            if let Some(parts) = key {
                hashes.push(encode(parts, &mut buf) & hash_mask);
            }
        });
        self.hashes = hashes;
        if let Err(e) = done {
            self.error = Some(e);
        }
    }

    fn count_candidates(&mut self, piece: &Table, keys: &KeyContext, hash_mask: u64) {
        if self.candidates.is_empty() || self.error.is_some() {
            return;
        }
        let mut buf = Vec::new();
        let mut counts = std::mem::take(&mut self.counts);
        let _ = self.for_each_key_of(piece, keys, |key| {
            if let Some(parts) = key {
                let hash = encode(parts, &mut buf) & hash_mask;
                if self.candidates.contains(&hash) {
                    *counts.entry(buf.as_slice().into()).or_default() += 1;
                }
            }
        });
        self.counts = counts;
    }

    fn for_each_key_of(
        &self,
        piece: &Table,
        ctx: &KeyContext,
        f: impl FnMut(Option<&[&str]>),
    ) -> Result<(), RuleError> {
        for_each_key(&self.columns, self.when.as_deref(), piece, ctx, f)
    }
}

/// Calls `f` with the compared key of every row of `piece`, in order:
/// `None` when a key value is missing or the `when` condition does not hold.
fn for_each_key(
    columns: &[String],
    when: Option<&str>,
    piece: &Table,
    ctx: &KeyContext,
    mut f: impl FnMut(Option<&[&str]>),
) -> Result<(), RuleError> {
    let frame = &piece.frame;
    let mut texts = Vec::with_capacity(columns.len());
    for c in columns {
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
    let applies = match when {
        None => None,
        Some(sql) => {
            let plan = PlanContext {
                columns: &ctx.pack.columns,
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

/// [`encode`] for the cells at positions `at` of a record, read as the
/// table reads them; `None` when one is missing.
fn encode_cells(
    record: &RecordText,
    at: &[usize],
    missing: &[&str],
    buf: &mut Vec<u8>,
) -> Option<u64> {
    buf.clear();
    for &i in at {
        let value = cell_value(record.field(i)?, missing)?;
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

/// Each row's compared key for the `unique` rule at `rule_index` of the
/// pack, encoded as the hash passes encode it (each part length-prefixed);
/// null where the row is not compared (a key value missing, or the rule's
/// `when` false). Rows with equal keys are duplicates: what a distributed
/// runner groups by to find them.
pub fn key_column(
    rule_index: usize,
    piece: &Table,
    ctx: &KeyContext,
) -> Result<BinaryChunked, RuleError> {
    let rule = &ctx.pack.rules[rule_index];
    let Some(key) = rule.check.whole_dataset_key() else {
        return Err(RuleError::Plan(format!(
            "rule '{}' does not compare rows with each other",
            rule.id
        )));
    };
    let mut buf = Vec::new();
    let mut keys: Vec<Option<Vec<u8>>> = Vec::with_capacity(piece.frame.height());
    for_each_key(&key.columns, rule.when.as_deref(), piece, ctx, |parts| {
        keys.push(parts.map(|parts| {
            encode(parts, &mut buf);
            buf.clone()
        }))
    })?;
    Ok(keys.into_iter().collect())
}
