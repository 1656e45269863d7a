//! One dataset: rules evaluated over its table, then counted, scored and
//! turned into per-row violations.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::NaiveDate;
use polars::prelude::*;

use super::query::{Checked, RuleOutcome, base_query, check_table, rule_column, typing_exprs};
use super::units::{UnitCounts, unit_counts, unit_scores};
use crate::contract::LookupSets;
use crate::error::RuleError;
use crate::indicators::IndicatorResult;
use crate::input::Table;
use crate::pack::{Rule, RulePack, Severity};
use crate::results::{
    DatasetError, ErrorKind, Example, RuleResult, RuleStatus, Scores, UnitResult,
};
use crate::score;

/// What validating one table produced, before it is placed in the report.
pub struct Validated<'a> {
    pub rules: Vec<RuleResult>,
    pub scores: Scores,
    pub errors: Vec<DatasetError>,
    pub violations: Violations<'a>,
    /// Communes and provinces, worst first (empty without `unit_column`).
    pub units: Vec<UnitResult>,
    pub provinces: Vec<UnitResult>,
    pub indicators: Vec<IndicatorResult>,
}

pub fn validate_table<'a>(
    pack: &'a RulePack,
    table: &'a Table,
    as_of: NaiveDate,
    lookups: &LookupSets,
) -> Validated<'a> {
    let checked = check_table(pack, &table.frame, &table.header, as_of, lookups, vec![]);
    let masks = rule_masks(pack, &checked);
    let indicators = indicator_masks(&checked);
    let tally = Tally::of(pack, table, &masks, &indicators);
    let row_level: Vec<bool> = masks.iter().map(Option::is_some).collect();
    let indicator_errors = indicator_errors(&checked);
    let concluded = conclude(
        pack,
        &checked.outcomes,
        &row_level,
        &indicator_errors,
        tally,
    );
    let explanations = explain_failures(pack, table, &checked, &masks);
    Validated {
        units: concluded.units,
        provinces: concluded.provinces,
        rules: concluded.rules,
        scores: concluded.scores,
        errors: concluded.errors,
        indicators: concluded.indicators,
        violations: Violations {
            pack,
            table,
            checked,
            masks,
            explanations,
        },
    }
}

/// Each rule's boolean column (true = the row fails), for row-level rules
/// that produced one.
pub(super) fn rule_masks(pack: &RulePack, checked: &Checked) -> Vec<Option<BooleanChunked>> {
    (0..pack.rules.len())
        .map(|i| match checked.outcomes[i] {
            RuleOutcome::Rows => checked
                .frame
                .column(&rule_column(i))
                .ok()
                .and_then(|c| c.bool().ok().cloned()),
            _ => None,
        })
        .collect()
}

/// Each indicator's column (true = in the numerator, false = in the
/// denominator only, null = outside it); `None` where it was not planned.
pub(super) fn indicator_masks(checked: &Checked) -> Vec<Option<BooleanChunked>> {
    checked
        .indicators
        .iter()
        .enumerate()
        .map(|(k, planned)| {
            planned.as_ref().ok()?;
            checked
                .frame
                .column(&crate::indicators::indicator_column(k))
                .ok()
                .and_then(|c| c.bool().ok().cloned())
        })
        .collect()
}

/// Why each indicator could not be computed on this batch, if it could not.
pub(super) fn indicator_errors(checked: &Checked) -> Vec<Option<RuleError>> {
    checked.indicators.iter().map(|r| r.clone().err()).collect()
}

/// (denominator, numerator) of a mask: rows not null, rows true.
fn mask_counts(mask: &BooleanChunked) -> (u64, u64) {
    (
        (mask.len() - mask.null_count()) as u64,
        u64::from(mask.sum().unwrap_or(0)),
    )
}

/// What one table — or one piece of a streamed file — adds to its
/// dataset's counts. The tallies of a file's pieces, merged, equal the tally
/// of the whole file: every count is a sum over rows.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tally {
    pub rows: u64,
    pub rows_failing_errors: u64,
    /// Per rule: (evaluated, failed) rows; zero for dataset-level rules.
    pub rules: Vec<(u64, u64)>,
    /// Counts per commune; `Err` says why there are none. `None` without
    /// `unit_column`.
    pub units: Option<Result<UnitCounts, String>>,
    /// Per indicator: (denominator, numerator) rows.
    #[serde(default)]
    pub indicators: Vec<(u64, u64)>,
}

impl Tally {
    pub fn of(
        pack: &RulePack,
        table: &Table,
        masks: &[Option<BooleanChunked>],
        indicators: &[Option<BooleanChunked>],
    ) -> Tally {
        let counts = |masks: &[Option<BooleanChunked>]| -> Vec<(u64, u64)> {
            masks
                .iter()
                .map(|m| m.as_ref().map_or((0, 0), mask_counts))
                .collect()
        };
        let rules = counts(masks);
        let error_masks: Vec<&BooleanChunked> = pack
            .rules
            .iter()
            .zip(masks)
            .filter(|(r, _)| r.severity == Severity::Error)
            .filter_map(|(_, m)| m.as_ref())
            .collect();
        let rows = table.frame.height();
        let units = pack
            .dataset
            .unit_column
            .as_deref()
            .map(|c| match table.frame.column(c) {
                Ok(column) => column
                    .str()
                    .and_then(|text| unit_counts(pack, text, masks, indicators))
                    .map_err(|e| format!("per-unit scores: {e}")),
                Err(_) => Err(format!(
                    "unit_column '{c}' is not in the file: no per-unit scores"
                )),
            });
        Tally {
            rows: rows as u64,
            rows_failing_errors: count_rows_failing(&error_masks, rows),
            rules,
            units,
            indicators: counts(indicators),
        }
    }

    pub fn merge(&mut self, other: Tally) {
        self.rows += other.rows;
        self.rows_failing_errors += other.rows_failing_errors;
        add_pairs(&mut self.rules, &other.rules);
        add_pairs(&mut self.indicators, &other.indicators);
        self.units = match (self.units.take(), other.units) {
            (Some(Ok(mut acc)), Some(Ok(more))) => {
                acc.merge(more);
                Some(Ok(acc))
            }
            (Some(Err(e)), _) | (_, Some(Err(e))) => Some(Err(e)),
            (acc, more) => acc.or(more),
        };
    }
}

/// Adds counts pairwise, growing `acc` to `more`'s length.
pub(super) fn add_pairs(acc: &mut Vec<(u64, u64)>, more: &[(u64, u64)]) {
    if acc.len() < more.len() {
        acc.resize(more.len(), (0, 0));
    }
    for (a, m) in acc.iter_mut().zip(more) {
        a.0 += m.0;
        a.1 += m.1;
    }
}

/// A dataset's rule results, scores and unit scores, from its rules'
/// outcomes and its tally. `row_level[i]`: rule `i` has a row mask.
pub(super) struct Concluded {
    pub rules: Vec<RuleResult>,
    pub scores: Scores,
    pub errors: Vec<DatasetError>,
    pub units: Vec<UnitResult>,
    pub provinces: Vec<UnitResult>,
    pub indicators: Vec<IndicatorResult>,
}

pub(super) fn conclude(
    pack: &RulePack,
    outcomes: &[RuleOutcome],
    row_level: &[bool],
    indicator_errors: &[Option<RuleError>],
    tally: Tally,
) -> Concluded {
    let mut rules = Vec::with_capacity(pack.rules.len());
    let mut errors = Vec::new();
    for (i, rule) in pack.rules.iter().enumerate() {
        let (evaluated, failed) = tally.rules.get(i).copied().unwrap_or((0, 0));
        let (evaluated, failed, error, details) = match (&outcomes[i], row_level[i]) {
            (RuleOutcome::Rows, true) => (evaluated, failed, None, vec![]),
            (RuleOutcome::Rows, false) => (
                0,
                0,
                Some(RuleError::Plan(
                    "rule column missing from the result".into(),
                )),
                vec![],
            ),
            (RuleOutcome::Dataset(o), _) => (o.evaluated, o.failed, None, o.details.clone()),
            (RuleOutcome::Error(e), _) => (0, 0, Some(e.clone()), vec![]),
        };
        if let Some(e) = &error {
            errors.push(DatasetError {
                kind: ErrorKind::Rule,
                line: None,
                rule: Some(rule.id.clone()),
                message: e.to_string(),
            });
        }
        rules.push(rule_result(
            rule,
            evaluated,
            failed,
            error.as_ref(),
            details,
        ));
    }
    let scores = score::scores(
        &rules,
        pack.dimension_weights,
        tally.rows,
        tally.rows_failing_errors,
    );
    let indicators: Vec<IndicatorResult> = pack
        .indicators
        .iter()
        .enumerate()
        .map(|(k, indicator)| {
            let error = indicator_errors.get(k).cloned().flatten();
            if let Some(e) = &error {
                errors.push(DatasetError {
                    kind: ErrorKind::Rule,
                    line: None,
                    rule: Some(indicator.id.clone()),
                    message: e.to_string(),
                });
            }
            let counts = tally.indicators.get(k).copied().unwrap_or((0, 0));
            IndicatorResult::new(indicator, counts, error.map(|e| e.to_string()))
        })
        .collect();
    let (units, provinces) = match tally.units {
        Some(Ok(counts)) => unit_scores(pack, counts, row_level, &rules, &indicators),
        Some(Err(message)) => {
            errors.push(DatasetError {
                kind: ErrorKind::Rule,
                line: None,
                rule: None,
                message,
            });
            (vec![], vec![])
        }
        None => (vec![], vec![]),
    };
    Concluded {
        rules,
        scores,
        errors,
        units,
        provinces,
        indicators,
    }
}

fn rule_result(
    rule: &Rule,
    evaluated: u64,
    failed: u64,
    error: Option<&RuleError>,
    details: Vec<String>,
) -> RuleResult {
    let pass_rate = score::pass_rate(evaluated, failed);
    let status = match (error, pass_rate) {
        (Some(RuleError::DatasetNotInRun { .. }), _) => RuleStatus::Skipped,
        (Some(_), _) => RuleStatus::Error,
        (None, Some(p)) if p < rule.threshold => match rule.severity {
            Severity::Error => RuleStatus::Fail,
            Severity::Warn => RuleStatus::Warn,
        },
        (None, _) => RuleStatus::Pass,
    };
    RuleResult {
        id: rule.id.clone(),
        check: rule.check.kind().to_string(),
        code: rule.check.code().to_string(),
        dimension: rule.dimension,
        severity: rule.severity,
        columns: rule.check.columns(),
        message: rule.message.clone(),
        message_en: rule.message_en.clone(),
        weight: rule.weight,
        threshold: rule.threshold,
        evaluated,
        failed,
        pass_rate,
        status,
        error: error.map(ToString::to_string),
        details,
        examples: vec![],
    }
}

/// Failing row → (detail, suggestion) for one rule.
pub(super) type Explanations = HashMap<usize, (Option<String>, Option<String>)>;

/// Details and suggestions of checks that give them, computed over each
/// rule's failing rows only (a small second query, not a second scan).
pub(super) fn explain_failures(
    pack: &RulePack,
    table: &Table,
    checked: &Checked,
    masks: &[Option<BooleanChunked>],
) -> Vec<Explanations> {
    let typing = typing_exprs(pack, &table.header);
    let mut out = vec![HashMap::new(); pack.rules.len()];
    for (i, explain) in checked.explain.iter().enumerate() {
        let (Some(explain), Some(mask)) = (explain, &masks[i]) else {
            continue;
        };
        let rows: Vec<IdxSize> = mask
            .iter()
            .enumerate()
            .filter(|(_, f)| *f == Some(true))
            .map(|(r, _)| r as IdxSize)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let idx = IdxCa::from_vec("rows".into(), rows.clone());
        let Ok(subset) = table.frame.take(&idx) else {
            continue;
        };
        let none = || lit(NULL).cast(DataType::String);
        let select = [
            explain.detail.clone().unwrap_or_else(none).alias("detail"),
            explain
                .suggestion
                .clone()
                .unwrap_or_else(none)
                .alias("suggestion"),
        ];
        let Ok(frame) = base_query(&subset, typing.clone(), &checked.joins)
            .select(select)
            .collect()
        else {
            continue;
        };
        let (Ok(detail), Ok(suggestion)) = (frame.column("detail"), frame.column("suggestion"))
        else {
            continue;
        };
        let (Ok(detail), Ok(suggestion)) = (detail.str(), suggestion.str()) else {
            continue;
        };
        for (pos, row) in rows.iter().enumerate() {
            out[i].insert(
                *row as usize,
                (
                    detail.get(pos).map(str::to_string),
                    suggestion.get(pos).map(str::to_string),
                ),
            );
        }
    }
    out
}

fn count_rows_failing(masks: &[&BooleanChunked], rows: usize) -> u64 {
    let Some(any) = any_true(masks, rows) else {
        return 0;
    };
    u64::from(any.sum().unwrap_or(0))
}

/// Row-wise OR of the masks (null = false).
fn any_true(masks: &[&BooleanChunked], rows: usize) -> Option<BooleanChunked> {
    let mut iter = masks.iter();
    let first = iter.next()?.fill_null_with_values(false).ok()?;
    let any = iter.fold(first, |acc, m| match m.fill_null_with_values(false) {
        Ok(m) => &acc | &m,
        Err(_) => acc,
    });
    debug_assert_eq!(any.len(), rows);
    Some(any)
}

/// The failures of one dataset, produced row by row in file order.
pub struct Violations<'a> {
    pub(super) pack: &'a RulePack,
    pub(super) table: &'a Table,
    pub(super) checked: Checked,
    pub(super) masks: Vec<Option<BooleanChunked>>,
    /// Per rule: failing row → (detail, suggestion), for checks that explain.
    pub(super) explanations: Vec<Explanations>,
}

/// One failing (row, rule) — or (dataset, rule) for dataset-level checks.
pub struct Violation<'v> {
    /// Physical line in the source file; `None` for dataset-level findings.
    pub line: Option<u64>,
    pub key: String,
    pub rule: &'v Rule,
    pub column: String,
    pub value: Cow<'v, str>,
    pub message: Cow<'v, str>,
    /// What exactly is wrong, when the check can say more than the message.
    pub detail: Option<Cow<'v, str>>,
    /// The corrected value, where the fix is certain.
    pub suggestion: Option<Cow<'v, str>>,
}

impl Violations<'_> {
    /// The first `per_rule` failures of every rule, masked, keyed by rule
    /// id. Stops reading as soon as every failing rule has its examples.
    pub fn examples(&self, per_rule: usize) -> HashMap<String, Vec<Example>> {
        let mut wanted: usize = self
            .masks
            .iter()
            .map(|m| {
                m.as_ref()
                    .map_or(0, |m| (m.sum().unwrap_or(0) as usize).min(per_rule))
            })
            .sum();
        let mut out: HashMap<String, Vec<Example>> = HashMap::new();
        let _ = self.try_for_each(true, |v| {
            if v.line.is_none() {
                return Ok(());
            }
            let list = out.entry(v.rule.id.clone()).or_default();
            if list.len() < per_rule {
                list.push(Example {
                    line: v.line,
                    key: v.key,
                    value: v.value.into_owned(),
                    detail: v.detail.map(Cow::into_owned),
                });
                wanted -= 1;
            }
            if wanted == 0 { Err(()) } else { Ok(()) }
        });
        out
    }

    /// The first `per_rule` failures of every rule *by line*, masked, for a
    /// batch whose rows are not in line order (rows a distributed runner
    /// shuffled): every failure is read, the smallest lines kept.
    pub fn examples_by_line(&self, per_rule: usize) -> HashMap<String, Vec<Example>> {
        let mut out: HashMap<String, Vec<Example>> = HashMap::new();
        let keep = |list: &mut Vec<Example>| {
            list.sort_by_key(|e| e.line);
            list.truncate(per_rule);
        };
        let _ = self.try_for_each(true, |v| {
            if v.line.is_none() {
                return Ok::<(), std::convert::Infallible>(());
            }
            let list = out.entry(v.rule.id.clone()).or_default();
            list.push(Example {
                line: v.line,
                key: v.key,
                value: v.value.into_owned(),
                detail: v.detail.map(Cow::into_owned),
            });
            if list.len() > per_rule.max(1) * 8 {
                keep(list);
            }
            Ok(())
        });
        out.values_mut().for_each(keep);
        out
    }

    /// Calls `f` for every violation: dataset-level first, then by line and
    /// rule order. Stops at the first error `f` returns.
    pub fn try_for_each<E>(
        &self,
        mask: bool,
        mut f: impl FnMut(Violation<'_>) -> Result<(), E>,
    ) -> Result<u64, E> {
        let count = for_each_dataset_level(self.pack, &self.checked.outcomes, &mut f)?;
        Ok(count + self.try_for_each_row(mask, f)?)
    }

    /// [`Self::try_for_each`] without the dataset-level findings.
    pub fn try_for_each_row<E>(
        &self,
        mask: bool,
        mut f: impl FnMut(Violation<'_>) -> Result<(), E>,
    ) -> Result<u64, E> {
        let mut count = 0;
        let row_rules: Vec<(usize, &BooleanChunked)> = self
            .masks
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.as_ref().map(|m| (i, m)))
            .collect();
        let all: Vec<&BooleanChunked> = row_rules.iter().map(|(_, m)| *m).collect();
        let Some(any) = any_true(&all, self.table.frame.height()) else {
            return Ok(count);
        };
        let raw = |column: &str, row: usize| -> Option<&str> {
            self.table.frame.column(column).ok()?.str().ok()?.get(row)
        };
        let pii = |column: &str| {
            if mask {
                self.pack.pii.get(column).copied()
            } else {
                None
            }
        };
        let text = |column: &str, row: usize| -> Cow<'_, str> {
            let value = raw(column, row).unwrap_or("");
            match pii(column) {
                Some(kind) if !value.is_empty() => Cow::Owned(crate::model::pii::mask(kind, value)),
                _ => Cow::Borrowed(value),
            }
        };
        let pii_columns: Vec<&String> = if mask {
            self.pack.pii.keys().collect()
        } else {
            vec![]
        };
        for (row, failing) in any.iter().enumerate() {
            if failing != Some(true) {
                continue;
            }
            let key = self
                .pack
                .dataset
                .key
                .iter()
                .map(|k| text(k, row))
                .collect::<Vec<_>>()
                .join("|");
            // Personal data a detail may quote (names, IDs), and its masked form.
            let replacements: Vec<(String, String)> = pii_columns
                .iter()
                .filter_map(|c| {
                    raw(c, row)
                        .filter(|v| !v.trim().is_empty())
                        .map(|v| (v.to_string(), text(c, row).into_owned()))
                })
                .collect();
            for (i, rule_mask) in &row_rules {
                if rule_mask.get(row) != Some(true) {
                    continue;
                }
                let rule = &self.pack.rules[*i];
                let explained = self.explanations[*i].get(&row);
                let columns = rule.check.columns();
                let value = match columns.as_slice() {
                    [one] => text(one, row),
                    many => Cow::Owned(
                        many.iter()
                            .map(|c| format!("{c}={}", text(c, row)))
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                };
                let suggestion = explained.and_then(|(_, s)| s.as_deref()).map(|s| {
                    match columns.first().and_then(|c| pii(c)) {
                        Some(kind) => Cow::Owned(crate::model::pii::mask(kind, s)),
                        None => Cow::Borrowed(s),
                    }
                });
                count += 1;
                f(Violation {
                    line: Some(self.table.lines[row]),
                    key: key.clone(),
                    rule,
                    column: columns.join(","),
                    value,
                    message: Cow::Borrowed(&rule.message),
                    detail: explained.and_then(|(d, _)| d.as_deref()).map(|d| {
                        match crate::model::pii::render(d, mask) {
                            Cow::Borrowed(d) => scrub(d, &replacements),
                            Cow::Owned(d) => Cow::Owned(scrub(&d, &replacements).into_owned()),
                        }
                    }),
                    suggestion,
                })?;
            }
        }
        Ok(count)
    }
}

/// Calls `f` for the findings of the dataset-level rules (one per detail
/// line) and returns how many there were.
pub fn for_each_dataset_level<E>(
    pack: &RulePack,
    outcomes: &[RuleOutcome],
    mut f: impl FnMut(Violation<'_>) -> Result<(), E>,
) -> Result<u64, E> {
    let mut count = 0;
    for (i, rule) in pack.rules.iter().enumerate() {
        if let Some(RuleOutcome::Dataset(outcome)) = outcomes.get(i) {
            for detail in &outcome.details {
                count += 1;
                f(Violation {
                    line: None,
                    key: String::new(),
                    rule,
                    column: String::new(),
                    value: Cow::Borrowed(""),
                    message: Cow::Borrowed(&rule.message),
                    detail: Some(Cow::Borrowed(detail)),
                    suggestion: None,
                })?;
            }
        }
    }
    Ok(count)
}

/// `text` with every personal value of the row replaced by its masked form.
fn scrub<'s>(text: &'s str, replacements: &[(String, String)]) -> Cow<'s, str> {
    if replacements
        .iter()
        .any(|(raw, _)| text.contains(raw.as_str()))
    {
        Cow::Owned(
            replacements
                .iter()
                .fold(text.to_string(), |acc, (raw, masked)| {
                    acc.replace(raw.as_str(), masked)
                }),
        )
    } else {
        Cow::Borrowed(text)
    }
}
