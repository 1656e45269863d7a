//! Everything after "a batch of rows was checked", for a file read whole
//! (one batch) and a file checked piece by piece (one batch a piece) alike:
//! counts merged, rule outcomes merged, failures explained, examples kept,
//! failing rows handed to the sink; then the dataset concluded once.
//!
//! This is also the seam a distributed runner uses: check batches anywhere,
//! merge their [`Tally`]s, conclude.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::dataset::{
    Tally, Violations, conclude, explain_failures, for_each_dataset_level, rule_masks,
};
use super::query::{Checked, RuleOutcome, dataset_outcomes};
use super::sink::RowSink;
use crate::contract::LookupSets;
use crate::error::UsageError;
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
    pub rows: u64,
    pub problems: Vec<Problem>,
    pub problem_count: u64,
    /// Violations handed to the sink, or why the sink failed.
    pub violations: Result<u64, UsageError>,
}

/// One dataset's batches, accumulated.
pub struct DatasetBatches<'p> {
    pack: &'p RulePack,
    examples_per_rule: usize,
    tally: Tally,
    outcomes: Option<Vec<RuleOutcome>>,
    row_level: Vec<bool>,
    examples: HashMap<String, Vec<Example>>,
    problems: Vec<Problem>,
    problem_count: u64,
    sink: Result<Box<dyn RowSink>, UsageError>,
    t_tally: Total,
    t_explain: Total,
    t_write: Total,
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
            tally: Tally::default(),
            outcomes: None,
            row_level: vec![true; pack.rules.len()],
            examples: HashMap::new(),
            problems: Vec::new(),
            problem_count: 0,
            sink,
            t_tally: Total::default(),
            t_explain: Total::default(),
            t_write: Total::default(),
        }
    }

    /// Structural problems found outside any batch (the header line).
    pub fn add_problems(&mut self, kept: &[Problem], count: u64) {
        for p in kept {
            if self.problems.len() < MAX_PROBLEMS_KEPT {
                self.problems.push(p.clone());
            }
        }
        self.problem_count += count;
    }

    /// One checked batch: `table` is the batch, `checked` its rule query.
    pub fn add(&mut self, table: &Table, checked: Checked) {
        let pack = self.pack;
        let masks = rule_masks(pack, &checked);
        for (i, mask) in masks.iter().enumerate() {
            self.row_level[i] &= mask.is_some();
        }
        let tally = self.t_tally.time(|| Tally::of(pack, table, &masks));
        self.tally.merge(tally);
        match &mut self.outcomes {
            None => self.outcomes = Some(checked.outcomes.clone()),
            Some(all) => {
                for (acc, now) in all.iter_mut().zip(&checked.outcomes) {
                    if matches!(now, RuleOutcome::Error(_)) && !matches!(acc, RuleOutcome::Error(_))
                    {
                        *acc = now.clone();
                    }
                }
            }
        }
        self.add_problems(&table.problems, table.problem_count);

        let explanations = self
            .t_explain
            .time(|| explain_failures(pack, table, &checked, &masks));
        let violations = Violations {
            pack,
            table,
            checked,
            masks,
            explanations,
        };
        let per_rule = self.examples_per_rule;
        let (examples, sink) = (&mut self.examples, &mut self.sink);
        self.t_write.time(|| {
            for (rule, list) in violations.examples(per_rule) {
                let acc = examples.entry(rule).or_default();
                let room = per_rule.saturating_sub(acc.len());
                acc.extend(list.into_iter().take(room));
            }
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
        self.t_tally.report("batches: counts and units");
        self.t_explain.report("batches: details of failures");
        self.t_write.report("batches: examples and violations");
        let mut outcomes = self.outcomes.unwrap_or_default();
        if outcomes.is_empty() {
            // No batch at all: nothing was planned (the caller checks a
            // header-only file as an empty batch, so this is a caller bug).
            outcomes = vec![RuleOutcome::Rows; pack.rules.len()];
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
        let mut concluded = conclude(pack, &outcomes, &self.row_level, self.tally);
        drop(concluding);
        let mut examples = self.examples;
        for rule in &mut concluded.rules {
            rule.examples = examples.remove(&rule.id).unwrap_or_default();
        }
        let violations = self
            .sink
            .and_then(|s| s.finish(&mut |write| for_each_dataset_level(pack, &outcomes, write)));
        DatasetChecked {
            rules: concluded.rules,
            scores: concluded.scores,
            errors: concluded.errors,
            units: concluded.units,
            provinces: concluded.provinces,
            rows,
            problems,
            problem_count,
            violations,
        }
    }
}
