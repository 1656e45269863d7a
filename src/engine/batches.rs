//! Everything after "a batch of rows was checked", for a file read whole
//! (one batch) and a file checked piece by piece (one batch a piece) alike:
//! counts merged, rule outcomes merged, failures explained, examples kept,
//! failing rows handed to the sink; then the dataset concluded once.
//!
//! This is also the seam a distributed runner uses: check batches anywhere,
//! merge their [`Tally`]s, conclude.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::dataset::{
    Tally, Violations, conclude, explain_failures, for_each_dataset_level, indicator_errors,
    indicator_masks, rule_masks,
};
use super::query::{Checked, RuleOutcome, dataset_outcomes};
use super::sink::RowSink;
use crate::contract::LookupSets;
use crate::error::{RuleError, UsageError};
use crate::indicators::IndicatorResult;
use crate::input::{MAX_PROBLEMS_KEPT, Problem, ProblemKind, Table};
use crate::pack::RulePack;
use crate::results::{DatasetError, Example, RuleResult, Scores, UnitResult};
use crate::timings::Total;

/// A dataset's results once all its batches are in.
pub struct DatasetChecked {
    pub rules: Vec<RuleResult>,
    pub scores: Scores,
    pub errors: Vec<DatasetError>,
    pub units: Vec<UnitResult>,
    pub provinces: Vec<UnitResult>,
    pub indicators: Vec<IndicatorResult>,
    pub rows: u64,
    pub problems: Vec<Problem>,
    pub problem_count: u64,
    /// Violations handed to the sink, or why the sink failed.
    pub violations: Result<u64, UsageError>,
}

/// What a dataset's checked batches add up to: every count, each rule's
/// error (if a batch had one), the first examples, the structural problems.
/// Summaries of any split of the rows, merged in any order, equal the
/// summary of all the rows at once: counts are sums over rows, examples and
/// problems are kept by line. Serialisable, so a distributed runner can
/// check batches on its workers and merge their summaries on the driver.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BatchSummary {
    /// Batches counted (a summary of none concludes to an empty dataset).
    pub batches: u64,
    pub tally: Tally,
    /// Per rule, the first error a batch reported for it.
    pub rule_errors: Vec<Option<RuleError>>,
    /// Per indicator, the first error a batch reported for it.
    #[serde(default)]
    pub indicator_errors: Vec<Option<RuleError>>,
    /// Per rule: every batch gave it a row mask.
    pub row_level: Vec<bool>,
    /// Per rule id, the first examples by line.
    pub examples: BTreeMap<String, Vec<Example>>,
    /// The first structural problems by line.
    pub problems: Vec<Problem>,
    /// All structural problems, including those not kept.
    pub problem_count: u64,
    /// Failing (row, rule) pairs, where the caller counts them (a runner
    /// that writes the rows itself); 0 when a [`RowSink`] counts them.
    pub row_violations: u64,
}

/// A dataset concluded from its [`BatchSummary`], before the failing rows'
/// sink is finished: the rules' final outcomes decide the dataset-level
/// findings that lead the violations file.
pub struct Concluded {
    pub checked: DatasetChecked,
    pub outcomes: Vec<RuleOutcome>,
}

impl BatchSummary {
    /// An empty summary for `pack`.
    pub fn new(pack: &RulePack) -> BatchSummary {
        BatchSummary {
            rule_errors: vec![None; pack.rules.len()],
            indicator_errors: vec![None; pack.indicators.len()],
            row_level: vec![true; pack.rules.len()],
            ..BatchSummary::default()
        }
    }

    /// Structural problems found outside any batch (the header line).
    pub fn add_problems(&mut self, kept: &[Problem], count: u64) {
        self.problems.extend(kept.iter().cloned());
        self.problems.sort_by_key(|p| p.line);
        self.problems.truncate(MAX_PROBLEMS_KEPT);
        self.problem_count += count;
    }

    /// Counts one checked batch and returns its failures, for a sink.
    pub fn add<'a>(
        &mut self,
        pack: &'a RulePack,
        table: &'a Table,
        checked: Checked,
        examples_per_rule: usize,
        timers: &mut BatchTimers,
    ) -> Violations<'a> {
        let masks = rule_masks(pack, &checked);
        let indicators = indicator_masks(&checked);
        let tally = timers
            .tally
            .time(|| Tally::of(pack, table, &masks, &indicators));
        let mut one = BatchSummary::new(pack);
        one.batches = 1;
        one.tally = tally;
        one.indicator_errors = indicator_errors(&checked);
        for (i, mask) in masks.iter().enumerate() {
            one.row_level[i] = mask.is_some();
        }
        for (i, outcome) in checked.outcomes.iter().enumerate() {
            if let RuleOutcome::Error(e) = outcome {
                one.rule_errors[i] = Some(e.clone());
            }
        }
        one.add_problems(&table.problems, table.problem_count);
        let explanations = timers
            .explain
            .time(|| explain_failures(pack, table, &checked, &masks));
        let violations = Violations {
            pack,
            table,
            checked,
            masks,
            explanations,
        };
        timers.examples.time(|| {
            let in_line_order = table.lines.windows(2).all(|w| w[0] <= w[1]);
            let examples = if in_line_order {
                violations.examples(examples_per_rule)
            } else {
                violations.examples_by_line(examples_per_rule)
            };
            for (rule, list) in examples {
                one.examples.insert(rule, list);
            }
        });
        self.merge(one, examples_per_rule);
        violations
    }

    /// Adds `other`'s rows (a batch of the same dataset, in any order).
    pub fn merge(&mut self, other: BatchSummary, examples_per_rule: usize) {
        self.batches += other.batches;
        self.tally.merge(other.tally);
        if self.rule_errors.len() < other.rule_errors.len() {
            self.rule_errors.resize(other.rule_errors.len(), None);
            self.row_level.resize(other.row_level.len(), true);
        }
        for (acc, e) in self.rule_errors.iter_mut().zip(other.rule_errors) {
            if acc.is_none() {
                *acc = e;
            }
        }
        if self.indicator_errors.len() < other.indicator_errors.len() {
            self.indicator_errors
                .resize(other.indicator_errors.len(), None);
        }
        for (acc, e) in self.indicator_errors.iter_mut().zip(other.indicator_errors) {
            if acc.is_none() {
                *acc = e;
            }
        }
        for (acc, r) in self.row_level.iter_mut().zip(other.row_level) {
            *acc &= r;
        }
        for (rule, list) in other.examples {
            let acc = self.examples.entry(rule).or_default();
            acc.extend(list);
            acc.sort_by_key(|e| e.line);
            acc.truncate(examples_per_rule);
        }
        self.add_problems(&other.problems, other.problem_count);
        self.row_violations += other.row_violations;
    }

    /// The dataset's results: dataset-level rules decided over `header` and
    /// the rows counted, scores, unit scores and examples. `violations` is
    /// what the sink reported (or the caller counted).
    pub fn conclude(
        self,
        pack: &RulePack,
        header: &[String],
        as_of: NaiveDate,
        lookups: &LookupSets,
        violations: Result<u64, UsageError>,
    ) -> Concluded {
        let mut outcomes: Vec<RuleOutcome> = (0..pack.rules.len())
            .map(|i| match self.rule_errors.get(i) {
                Some(Some(e)) => RuleOutcome::Error(e.clone()),
                _ => RuleOutcome::Rows,
            })
            .collect();
        let mut row_level = self.row_level;
        row_level.resize(pack.rules.len(), true);
        if self.batches == 0 {
            // No batch at all: every row-level rule is simply not evaluated.
            row_level.iter_mut().for_each(|r| *r = true);
        }
        for (i, decided) in dataset_outcomes(pack, header, self.tally.rows, as_of, lookups)
            .into_iter()
            .enumerate()
        {
            if let Some(outcome) = decided {
                outcomes[i] = outcome;
            }
        }
        let rows = self.tally.rows;
        let mut problems = self.problems;
        let mut problem_count = self.problem_count;
        if rows == 0 {
            problems.push(Problem {
                line: 1,
                message: "the file has a header but no data rows: no row was checked; was the export cut short?".into(),
                kind: ProblemKind::Notice,
            });
            problem_count += 1;
        }
        let concluding = crate::timings::phase("batches: scores and unit scores");
        let mut concluded = conclude(
            pack,
            &outcomes,
            &row_level,
            &self.indicator_errors,
            self.tally,
        );
        drop(concluding);
        let mut examples = self.examples;
        for rule in &mut concluded.rules {
            rule.examples = examples.remove(&rule.id).unwrap_or_default();
        }
        Concluded {
            checked: DatasetChecked {
                rules: concluded.rules,
                scores: concluded.scores,
                errors: concluded.errors,
                units: concluded.units,
                provinces: concluded.provinces,
                indicators: concluded.indicators,
                rows,
                problems,
                problem_count,
                violations,
            },
            outcomes,
        }
    }
}

/// Where the time of checking batches goes (`DDSS_TIMINGS=1`).
#[derive(Default)]
pub struct BatchTimers {
    tally: Total,
    explain: Total,
    examples: Total,
    write: Total,
}

impl BatchTimers {
    fn report(&self) {
        self.tally.report("batches: counts and units");
        self.explain.report("batches: details of failures");
        self.examples.report("batches: examples");
        self.write.report("batches: violations");
    }
}

/// One dataset's batches, accumulated, their failing rows handed to a sink.
pub struct DatasetBatches<'p> {
    pack: &'p RulePack,
    examples_per_rule: usize,
    summary: BatchSummary,
    sink: Result<Box<dyn RowSink>, UsageError>,
    timers: BatchTimers,
}

impl<'p> DatasetBatches<'p> {
    /// `sink` receives the failing rows; a sink that cannot be opened is
    /// reported in [`DatasetChecked::violations`], the rest still counted.
    pub fn new(
        pack: &'p RulePack,
        sink: Result<Box<dyn RowSink>, UsageError>,
        examples_per_rule: usize,
    ) -> Self {
        DatasetBatches {
            pack,
            examples_per_rule,
            summary: BatchSummary::new(pack),
            sink,
            timers: BatchTimers::default(),
        }
    }

    /// Structural problems found outside any batch (the header line).
    pub fn add_problems(&mut self, kept: &[Problem], count: u64) {
        self.summary.add_problems(kept, count);
    }

    /// One checked batch: `table` is the batch, `checked` its rule query.
    pub fn add(&mut self, table: &Table, checked: Checked) {
        let violations = self.summary.add(
            self.pack,
            table,
            checked,
            self.examples_per_rule,
            &mut self.timers,
        );
        let sink = &mut self.sink;
        self.timers.write.time(|| {
            if let Ok(s) = sink.as_mut()
                && let Err(e) = s.append(&violations)
            {
                *sink = Err(e);
            }
        });
    }

    /// Concludes the dataset: dataset-level rules decided over `header` and
    /// the rows counted, scores, unit scores, examples, the sink finished.
    pub fn finish(
        self,
        header: &[String],
        as_of: NaiveDate,
        lookups: &LookupSets,
    ) -> DatasetChecked {
        let pack = self.pack;
        self.timers.report();
        let Concluded {
            mut checked,
            outcomes,
        } = self.summary.conclude(pack, header, as_of, lookups, Ok(0));
        checked.violations = self
            .sink
            .and_then(|s| s.finish(&mut |write| for_each_dataset_level(pack, &outcomes, write)));
        checked
    }
}
