//! The seam a distributed runner builds on (the Spark runner, a Python loop
//! over Arrow record batches): a dataset planned once, its batches evaluated
//! anywhere — each gives per-row rule flags, its failing rows and a
//! [`DatasetTally`] — the tallies merged in any order, and the merged tally
//! concluded into the results and reports the CLI writes ([`conclude`]).
//!
//! Two things need more than one batch, and the runner supplies them:
//! - `unique` rules compare rows across the whole dataset. The runner asks
//!   [`DatasetPlan::unique_keys`] for each row's compared key (the same
//!   encoding the streaming passes hash), finds the keys seen more than once
//!   (Spark: a group-by) and hands each row's verdict back in
//!   [`BatchInput::duplicated`]. A batch without them is either declared the
//!   whole dataset ([`BatchInput::whole_dataset`]) or the rule is an error
//!   naming it — never a verdict over one batch passed off as the dataset's.
//! - Look-ups in other datasets (`reference`, `register_match`) read the
//!   tables given to [`DatasetPlan::with_lookups`]: the whole other dataset,
//!   or — what a join gives — the rows of it whose keys occur in the batch.
//!
//! Every count is a sum over rows and examples and problems are kept by row
//! number, so any split of the rows merges to the tally of all of them.

mod conclude;
mod csv_pieces;

pub use conclude::{Concluding, conclude};
pub use csv_pieces::{CsvPieces, PIECE_BYTES};

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::contract::LookupSets;
use crate::engine::{
    BatchSummary, BatchTimers, EXAMPLES_PER_RULE, KeyContext, LookupKeyOf, build_for_key,
    build_lookups, key_column,
    query::{RuleOutcome, check_table},
};
use crate::error::{ReadError, RuleError, UsageError};
use crate::input::{Table, table_from_frame};
use crate::pack::{PackSet, RulePack, Severity};

/// The row-number column a runner's rows carry (`CsvPieces` gives each
/// row's physical line in it).
pub const ROW_COLUMN: &str = "__ddss_row";

/// Columns of a batch's violations table, as in `violations/<dataset>.csv`.
pub const VIOLATION_COLUMNS: [&str; 11] = crate::report::violations::HEADER;

/// One dataset of a pack set, ready to evaluate batches of its rows.
pub struct DatasetPlan {
    packs: Arc<PackSet>,
    pack: Arc<RulePack>,
    as_of: NaiveDate,
    lookups: LookupSets,
    /// Why the structural (`PH…`) rules cannot be decided on these batches
    /// (rows not read by ddss's reader): each is then an error naming it.
    structure_unchecked: Option<String>,
}

/// What a runner must know before sending batches: the columns the rules
/// read, the `unique` rules whose duplicated keys it must find, and the
/// other datasets the rules look up.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlanInfo {
    pub dataset: String,
    /// Declared columns, in the pack's order.
    pub columns: Vec<String>,
    /// The record key (what identifies a row in the violations).
    pub key: Vec<String>,
    pub unit_column: Option<String>,
    pub unique: Vec<UniqueNeed>,
    pub lookups: Vec<LookupNeed>,
    pub rules: Vec<RuleInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UniqueNeed {
    pub rule: String,
    /// The compared columns (the key is their text, as read).
    pub columns: Vec<String>,
    /// The rule applies only where this SQL condition holds.
    pub when: Option<String>,
}

/// One rule's look-up in another dataset. Both kinds match this dataset's
/// `column`, as read, exactly (string equality) with the other's key: a
/// runner can bring the matching rows with an equi-join.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LookupNeed {
    pub rule: String,
    /// The column of this dataset whose value is looked up.
    pub column: String,
    pub dataset: String,
    /// The other dataset's columns the rule reads: the looked-up column
    /// (`reference`), or the join key then the compared columns.
    pub columns: Vec<String>,
    /// For a join (`register_match`): the other dataset's key, whose first
    /// row in that dataset's order is the one compared. `None` for a set of
    /// values (`reference`).
    pub join_key: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RuleInfo {
    pub id: String,
    pub check: String,
    pub code: String,
    pub severity: Severity,
    pub implicit: bool,
}

/// One batch of rows to evaluate.
pub struct BatchInput<'a> {
    pub frame: &'a DataFrame,
    /// Each row's number in the dataset (1-based; a file's physical line,
    /// or a documented ordinal): what the violations and examples carry.
    pub rows: RowNumbers,
    /// Per `unique` rule id, each row's verdict (true = the key occurs more
    /// than once in the dataset; null = not compared).
    pub duplicated: Vec<(String, BooleanChunked)>,
    /// The batch is the whole dataset: `unique` rules without verdicts
    /// compare its rows with each other.
    pub whole_dataset: bool,
    /// Personal data masked in the violations table.
    pub mask: bool,
    /// Each row's structural defect bits, as ddss's CSV reader found them
    /// ([`CsvPieces`]); `None`: rows not read from a CSV have none.
    pub defects: Option<Vec<u8>>,
}

/// How the rows of a batch are numbered.
pub enum RowNumbers {
    /// `first`, `first + 1`, … in batch order.
    From(u64),
    /// One number per row.
    Given(Vec<u64>),
}

/// What one batch gives.
pub struct Evaluated {
    /// One boolean column per row-level rule, named by the rule id (true =
    /// the row fails, null = the rule does not apply), in batch row order.
    pub flags: DataFrame,
    /// The failing (row, rule) pairs, columns [`VIOLATION_COLUMNS`].
    pub violations: DataFrame,
    pub tally: DatasetTally,
}

/// A mergeable, serialisable summary of some of a dataset's rows.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DatasetTally {
    /// Format of this serialisation; a tally of another version is refused.
    pub version: u32,
    pub dataset: String,
    /// `sha256:` of the packs that evaluated it: tallies of different
    /// packs cannot be merged.
    pub rules_hash: String,
    /// The batch's columns (for the dataset-level `columns` rule).
    pub header: Vec<String>,
    pub summary: BatchSummary,
}

const TALLY_VERSION: u32 = 1;

impl DatasetTally {
    /// Adds `other` (another batch of the same dataset, in any order).
    pub fn merge(&mut self, other: DatasetTally) -> Result<(), UsageError> {
        if other.dataset != self.dataset || other.rules_hash != self.rules_hash {
            return Err(UsageError::Batch(format!(
                "cannot merge a tally of dataset '{}' ({}) into one of '{}' ({}): tallies merge \
                 only within one dataset evaluated by the same rule packs",
                other.dataset, other.rules_hash, self.dataset, self.rules_hash
            )));
        }
        if self.summary.batches == 0 {
            self.header = other.header.clone();
        } else if other.summary.batches > 0 && !same_columns(&self.header, &other.header) {
            return Err(UsageError::Batch(format!(
                "batches of dataset '{}' have different columns ({} / {}): every batch must \
                 carry the dataset's columns",
                self.dataset,
                self.header.join(","),
                other.header.join(",")
            )));
        }
        self.summary.merge(other.summary, EXAMPLES_PER_RULE);
        Ok(())
    }

    /// Adds problems the reader found outside any batch (the header line).
    pub fn add_problems(&mut self, kept: &[crate::input::Problem], count: u64) {
        self.summary.add_problems(kept, count);
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a tally always serialises")
    }

    pub fn from_json(text: &str) -> Result<DatasetTally, UsageError> {
        let tally: DatasetTally = serde_json::from_str(text)
            .map_err(|e| UsageError::Batch(format!("not a ddss tally: {e}")))?;
        if tally.version != TALLY_VERSION {
            return Err(UsageError::Batch(format!(
                "a tally of format {} cannot be read by this ddss (format {TALLY_VERSION}); \
                 evaluate the batches with the same ddss version",
                tally.version
            )));
        }
        Ok(tally)
    }
}

fn same_columns(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}

impl DatasetPlan {
    /// Plans `dataset` of `packs` for records of date `as_of`.
    pub fn new(
        packs: Arc<PackSet>,
        dataset: &str,
        as_of: NaiveDate,
    ) -> Result<DatasetPlan, UsageError> {
        crate::job::check_as_of(as_of)?;
        let pack = packs.dataset(dataset)?.clone();
        Ok(DatasetPlan {
            packs,
            pack,
            as_of,
            lookups: LookupSets::default(),
            structure_unchecked: None,
        })
    }

    /// The batches' rows were not read by ddss's CSV reader, so their
    /// physical defects are unknown: every structural rule is an error
    /// saying `reason`, never a pass.
    pub fn with_structure_unchecked(mut self, reason: String) -> Self {
        self.structure_unchecked = Some(reason);
        self
    }

    pub fn pack(&self) -> &RulePack {
        &self.pack
    }

    pub fn info(&self) -> PlanInfo {
        let pack = &self.pack;
        let unique = pack
            .rules
            .iter()
            .filter_map(|r| {
                let key = r.check.whole_dataset_key()?;
                Some(UniqueNeed {
                    rule: r.id.clone(),
                    columns: key.columns,
                    when: r.when.clone(),
                })
            })
            .collect();
        let lookups = pack
            .rules
            .iter()
            .filter_map(|rule| {
                // Both look-up kinds list the looked-up column first.
                let column = rule.check.columns().into_iter().next()?;
                let (dataset, columns, join_key) =
                    match (rule.check.lookup(), rule.check.join_key()) {
                        (Some(key), _) => (key.dataset, vec![key.column], None),
                        (_, Some(key)) => (
                            key.dataset,
                            std::iter::once(key.key.clone())
                                .chain(key.columns)
                                .collect(),
                            Some(key.key),
                        ),
                        _ => return None,
                    };
                Some(LookupNeed {
                    rule: rule.id.clone(),
                    column,
                    dataset,
                    columns,
                    join_key,
                })
            })
            .collect();
        PlanInfo {
            dataset: pack.dataset.name.clone(),
            columns: pack.columns.keys().cloned().collect(),
            key: pack.dataset.key.clone(),
            unit_column: pack.dataset.unit_column.clone(),
            unique,
            lookups,
            rules: pack
                .rules
                .iter()
                .map(|r| RuleInfo {
                    id: r.id.clone(),
                    check: r.check.kind().to_string(),
                    code: r.check.code().to_string(),
                    severity: r.severity,
                    implicit: r.is_implicit(),
                })
                .collect(),
        }
    }

    /// The other datasets' rows the look-ups read: `(dataset, frame)` with
    /// at least the columns [`PlanInfo::lookups`] names. A dataset no table
    /// is given for leaves its rules skipped, as in a CLI run without it.
    pub fn with_lookups(mut self, tables: Vec<(String, DataFrame)>) -> Result<Self, UsageError> {
        let mut readable: Vec<(Arc<RulePack>, Table)> = Vec::with_capacity(tables.len());
        for (dataset, frame) in tables {
            let pack = self.other_pack(&dataset)?.clone();
            let table = table_from_frame(
                &frame,
                &pack.columns,
                &pack.dataset.missing_values,
                &format!("<lookup {dataset}>"),
            )
            .map_err(|e| UsageError::Batch(e.to_string()))?;
            readable.push((pack.clone(), table));
        }
        let pack_refs: Vec<&RulePack> = self.packs.packs.iter().map(|p| p.as_ref()).collect();
        let refs: Vec<(&RulePack, &Table)> =
            readable.iter().map(|(p, t)| (p.as_ref(), t)).collect();
        self.lookups = build_lookups(&pack_refs, &refs);
        Ok(self)
    }

    /// Look-ups given per rule: for each rule id, the other dataset's rows
    /// that rule reads (its [`LookupNeed::columns`]) — what an equi-join of
    /// the batch's `column` with the other dataset gives, a join's rows
    /// already the first per key. Rules of the same key share their rows.
    /// Rules not given stay skipped.
    pub fn with_rule_lookups(
        mut self,
        tables: Vec<(String, DataFrame)>,
    ) -> Result<Self, UsageError> {
        let mut by_key: BTreeMap<LookupKeyOf, (Arc<RulePack>, Vec<Table>)> = BTreeMap::new();
        for (rule_id, frame) in tables {
            let Some(rule) = self.pack.rules.iter().find(|r| r.id == rule_id) else {
                return Err(UsageError::Batch(format!(
                    "look-up rows for rule '{rule_id}', which dataset '{}' does not have",
                    self.pack.dataset.name
                )));
            };
            let key = match (rule.check.lookup(), rule.check.join_key()) {
                (Some(k), _) => LookupKeyOf::Values(k),
                (_, Some(k)) => LookupKeyOf::Join(k),
                _ => {
                    return Err(UsageError::Batch(format!(
                        "rule '{rule_id}' looks nothing up in another dataset"
                    )));
                }
            };
            let dataset = match &key {
                LookupKeyOf::Values(k) => &k.dataset,
                LookupKeyOf::Join(k) => &k.dataset,
            };
            let other = self.other_pack(dataset)?;
            let table = table_from_frame(
                &frame,
                &other.columns,
                &other.dataset.missing_values,
                &format!("<lookup {dataset} for rule {rule_id}>"),
            )
            .map_err(|e| UsageError::Batch(e.to_string()))?;
            by_key
                .entry(key)
                .or_insert_with(|| (other.clone(), Vec::new()))
                .1
                .push(table);
        }
        let mut sets = LookupSets::default();
        for (key, (pack, tables)) in &by_key {
            let sources: Vec<(&RulePack, &Table)> =
                tables.iter().map(|t| (pack.as_ref(), t)).collect();
            build_for_key(key, &sources, &mut sets);
        }
        self.lookups = sets;
        Ok(self)
    }

    fn other_pack(&self, dataset: &str) -> Result<&Arc<RulePack>, UsageError> {
        self.packs.dataset(dataset)
    }

    /// `frame` as the engine's table for this dataset, rows numbered.
    pub fn table(&self, frame: &DataFrame, rows: RowNumbers) -> Result<Table, ReadError> {
        let source = format!("<batch {}>", self.pack.dataset.name);
        let mut table = table_from_frame(
            frame,
            &self.pack.columns,
            &self.pack.dataset.missing_values,
            &source,
        )?;
        match rows {
            RowNumbers::From(first) => {
                table.lines = (first..first + table.lines.len() as u64).collect();
            }
            RowNumbers::Given(lines) => {
                if lines.len() != table.lines.len() {
                    return Err(ReadError::Frame {
                        path: source.into(),
                        message: format!(
                            "{} row numbers for {} rows: give one number per row",
                            lines.len(),
                            table.lines.len()
                        ),
                    });
                }
                table.lines = lines;
            }
        }
        Ok(table)
    }

    /// Per `unique` rule (by id), each row's compared key — equal keys are
    /// duplicates — or why the rule cannot be evaluated.
    pub fn unique_keys(&self, table: &Table) -> Vec<(String, Result<BinaryChunked, RuleError>)> {
        let ctx = KeyContext {
            pack: &self.pack,
            as_of: self.as_of,
            lookups: &self.lookups,
        };
        self.pack
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.check.whole_dataset_key().is_some())
            .map(|(i, r)| (r.id.clone(), key_column(i, table, &ctx)))
            .collect()
    }

    /// Evaluates one batch.
    pub fn evaluate(&self, input: BatchInput) -> Result<Evaluated, UsageError> {
        let pack = self.pack.as_ref();
        let mut table = self
            .table(input.frame, input.rows)
            .map_err(|e| UsageError::Batch(e.to_string()))?;
        let rows = table.frame.height();
        if let Some(defects) = input.defects {
            if defects.len() != rows {
                return Err(UsageError::Batch(format!(
                    "{} row defects for a batch of {rows} rows: give one per row",
                    defects.len()
                )));
            }
            table
                .frame
                .with_column(crate::input::defects_column(defects))
                .map_err(|e| UsageError::Batch(e.to_string()))?;
        }
        let mut given: Vec<(usize, BooleanChunked)> = Vec::new();
        let mut refused: Vec<(usize, RuleError)> = Vec::new();
        for (id, verdicts) in input.duplicated {
            let Some(i) = pack.rules.iter().position(|r| r.id == id) else {
                return Err(UsageError::Batch(format!(
                    "duplicated verdicts for rule '{id}', which dataset '{}' does not have",
                    pack.dataset.name
                )));
            };
            if pack.rules[i].check.whole_dataset_key().is_none() {
                return Err(UsageError::Batch(format!(
                    "rule '{id}' does not compare rows with each other: it takes no duplicated verdicts"
                )));
            }
            if verdicts.len() != rows {
                return Err(UsageError::Batch(format!(
                    "{} duplicated verdicts for rule '{id}' on a batch of {rows} rows: give one per row",
                    verdicts.len()
                )));
            }
            given.push((i, verdicts));
        }
        if !input.whole_dataset {
            for (i, rule) in pack.rules.iter().enumerate() {
                if rule.check.whole_dataset_key().is_some() && !given.iter().any(|(g, _)| *g == i) {
                    refused.push((
                        i,
                        RuleError::Plan(format!(
                            "rule '{}' compares rows across the whole dataset: one batch cannot \
                             decide it; pass each row's duplicated verdict (from the keys of \
                             unique_keys), or mark the batch as the whole dataset",
                            rule.id
                        )),
                    ));
                    given.push((i, BooleanChunked::full_null("refused".into(), rows)));
                }
            }
        }
        let mut checked = check_table(
            pack,
            &table.frame,
            &table.header,
            self.as_of,
            &self.lookups,
            given,
        );
        for (i, e) in refused {
            checked.outcomes[i] = RuleOutcome::Error(e);
        }
        if let Some(reason) = &self.structure_unchecked {
            for (i, rule) in pack.rules.iter().enumerate() {
                if crate::model::is_structural_code(rule.check.code()) {
                    checked.outcomes[i] =
                        RuleOutcome::Error(RuleError::Plan(format!("{}: {reason}", rule.id)));
                }
            }
        }
        let flags = flags_frame(pack, &checked, rows);
        let mut summary = BatchSummary::new(pack);
        let violations = summary.add(
            pack,
            &table,
            checked,
            EXAMPLES_PER_RULE,
            &mut BatchTimers::default(),
        );
        let violations = violations_frame(&violations, input.mask)
            .map_err(|e| UsageError::Batch(e.to_string()))?;
        summary.row_violations = violations.height() as u64;
        Ok(Evaluated {
            flags,
            violations,
            tally: DatasetTally {
                version: TALLY_VERSION,
                dataset: pack.dataset.name.clone(),
                rules_hash: self.packs.hash.clone(),
                header: table.header.clone(),
                summary,
            },
        })
    }

    /// A tally of no rows, to merge batches' tallies into.
    pub fn empty_tally(&self) -> DatasetTally {
        DatasetTally {
            version: TALLY_VERSION,
            dataset: self.pack.dataset.name.clone(),
            rules_hash: self.packs.hash.clone(),
            header: vec![],
            summary: BatchSummary::new(&self.pack),
        }
    }
}

/// The rules' boolean columns, named by rule id.
fn flags_frame(pack: &RulePack, checked: &crate::engine::query::Checked, rows: usize) -> DataFrame {
    let mut columns = Vec::new();
    for (i, rule) in pack.rules.iter().enumerate() {
        if !matches!(checked.outcomes[i], RuleOutcome::Rows) {
            continue;
        }
        if let Ok(column) = checked
            .frame
            .column(&crate::engine::query::rule_column(i))
            .and_then(|c| c.bool().cloned())
        {
            columns.push(column.with_name(rule.id.as_str().into()).into_column());
        }
    }
    DataFrame::new(rows, columns).unwrap_or_else(|_| DataFrame::empty_with_height(rows))
}

/// The failing (row, rule) pairs of a batch as a table.
fn violations_frame(violations: &crate::engine::Violations, mask: bool) -> PolarsResult<DataFrame> {
    let mut line: Vec<Option<u64>> = Vec::new();
    let mut text: Vec<Vec<String>> = vec![Vec::new(); VIOLATION_COLUMNS.len()];
    let _ = violations.try_for_each_row(mask, |v| {
        line.push(v.line);
        let fields = crate::report::violations::fields(&v);
        for (column, value) in text.iter_mut().zip(fields).skip(1) {
            column.push(value.to_string());
        }
        Ok::<(), std::convert::Infallible>(())
    });
    let rows = line.len();
    let mut columns = vec![
        UInt64Chunked::from_iter_options(VIOLATION_COLUMNS[0].into(), line.into_iter())
            .into_column(),
    ];
    for (name, values) in VIOLATION_COLUMNS.iter().zip(text).skip(1) {
        columns.push(
            StringChunked::from_iter_values((*name).into(), values.iter().map(String::as_str))
                .into_column(),
        );
    }
    DataFrame::new(rows, columns)
}
