//! What datasets take from each other: the distinct values of a column
//! (`reference` checks) and typed, key-deduplicated columns to join
//! (`register_match`). Computed once per run, however many rules use them.

use std::collections::{BTreeSet, HashSet};

use polars::prelude::*;

use super::query::typing_exprs;
use crate::contract::{JoinKey, LookupKey, LookupSets};
use crate::error::RuleError;
use crate::input::Table;
use crate::pack::RulePack;

/// `readable` holds every dataset that was read, with its pack.
pub fn build(packs: &[&RulePack], readable: &[(&RulePack, &Table)]) -> LookupSets {
    let mut sets = LookupSets::default();
    let rules = || packs.iter().flat_map(|p| p.rules.iter());
    let value_keys: BTreeSet<LookupKey> = rules().filter_map(|r| r.check.lookup()).collect();
    for key in value_keys {
        let sources: Vec<&Table> = readable
            .iter()
            .filter(|(p, _)| p.dataset.name == key.dataset)
            .map(|(_, t)| *t)
            .collect();
        if !sources.is_empty() {
            let values = distinct_values(&key, &sources);
            sets.values.insert(key, values);
        }
    }
    let join_keys: BTreeSet<JoinKey> = rules().filter_map(|r| r.check.join_key()).collect();
    for key in join_keys {
        let sources: Vec<(&RulePack, &Table)> = readable
            .iter()
            .filter(|(p, _)| p.dataset.name == key.dataset)
            .copied()
            .collect();
        if !sources.is_empty() {
            let frame = join_frame(&key, &sources);
            sets.frames.insert(key, frame);
        }
    }
    sets
}

/// The columns of `dataset` that the rules of `packs` look up.
pub fn needed_columns(packs: &[&RulePack], dataset: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for rule in packs.iter().flat_map(|p| p.rules.iter()) {
        let wanted: Vec<String> = match (rule.check.lookup(), rule.check.join_key()) {
            (Some(key), _) if key.dataset == dataset => vec![key.column],
            (_, Some(key)) if key.dataset == dataset => {
                std::iter::once(key.key).chain(key.columns).collect()
            }
            _ => continue,
        };
        for c in wanted {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

/// The look-up of one key from the rows given (a runner's join result):
/// the same sets and frames [`build`] makes from whole datasets.
pub fn build_for_key(key: &LookupKeyOf, sources: &[(&RulePack, &Table)], sets: &mut LookupSets) {
    match key {
        LookupKeyOf::Values(k) => {
            let tables: Vec<&Table> = sources.iter().map(|(_, t)| *t).collect();
            sets.values.insert(k.clone(), distinct_values(k, &tables));
        }
        LookupKeyOf::Join(k) => {
            sets.frames.insert(k.clone(), join_frame(k, sources));
        }
    }
}

/// A rule's look-up key, of either kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LookupKeyOf {
    Values(LookupKey),
    Join(JoinKey),
}

fn distinct_values(key: &LookupKey, sources: &[&Table]) -> Result<Series, RuleError> {
    let mut parts = Vec::with_capacity(sources.len());
    for table in sources {
        let column =
            table
                .frame
                .column(&key.column)
                .map_err(|_| RuleError::MissingReferenceColumn {
                    dataset: key.dataset.clone(),
                    column: key.column.clone(),
                })?;
        parts.push(column.as_materialized_series().drop_nulls());
    }
    let mut all = parts.remove(0);
    for p in parts {
        all.append(&p).map_err(|e| RuleError::Plan(e.to_string()))?;
    }
    all.unique().map_err(|e| RuleError::Plan(e.to_string()))
}

/// The other dataset's key and columns, typed per its own pack, one row per
/// key (the first), columns renamed with the join's prefix so they cannot
/// clash with this dataset's.
fn join_frame(key: &JoinKey, sources: &[(&RulePack, &Table)]) -> Result<DataFrame, RuleError> {
    let prefix = key.prefix();
    let mut frames = Vec::with_capacity(sources.len());
    for (pack, table) in sources {
        for c in std::iter::once(&key.key).chain(&key.columns) {
            if !table.header.contains(c) {
                return Err(RuleError::MissingReferenceColumn {
                    dataset: key.dataset.clone(),
                    column: c.clone(),
                });
            }
        }
        let select: Vec<Expr> =
            std::iter::once(col(key.key.as_str()).alias(format!("{prefix}{}", key.key)))
                .chain(
                    key.columns
                        .iter()
                        .map(|c| col(c.as_str()).alias(format!("{prefix}{c}"))),
                )
                .collect();
        let frame = table
            .frame
            .clone()
            .lazy()
            .with_columns(typing_exprs(pack, &table.header))
            .select(select)
            .collect()
            .map_err(|e| RuleError::Plan(e.to_string()))?;
        frames.push(frame);
    }
    let mut all = frames.remove(0);
    for f in frames {
        all.vstack_mut(&f)
            .map_err(|e| RuleError::Plan(e.to_string()))?;
    }
    // One row per key, the first in file order: a duplicated ID in the
    // register is that dataset's own `unique` violation, not a reason to
    // multiply this dataset's rows.
    let keys = all
        .column(&format!("{prefix}{}", key.key))
        .map_err(|e| RuleError::Plan(e.to_string()))?;
    let keys = keys.str().map_err(|e| RuleError::Plan(e.to_string()))?;
    let mut seen = HashSet::new();
    let first: BooleanChunked = keys
        .iter()
        .map(|k| Some(k.is_some_and(|k| seen.insert(k.to_string()))))
        .collect();
    all.filter(&first)
        .map_err(|e| RuleError::Plan(e.to_string()))
}
