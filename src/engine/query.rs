//! The single lazy query that evaluates all of a dataset's row-level rules.
//!
//! One `select` holds one boolean expression per rule, over the typed
//! columns; polars evaluates them in one pass over the in-memory table,
//! sharing common sub-expressions and running independent ones in parallel.
//! Dataset-level rules (`columns`, `row_count`) need no scan.

use chrono::NaiveDate;
use polars::prelude::*;

use crate::contract::{DatasetOutcome, Evaluation, JoinPlan, LookupSets, PlanContext, raw_name};
use crate::error::RuleError;
use crate::model::ROW_DEFECTS_COLUMN;
use crate::pack::{Rule, RulePack};

use super::typing::typed_expr;

/// What happened to one rule of the pack (same order as `pack.rules`).
#[derive(Debug, Clone)]
pub enum RuleOutcome {
    /// Boolean column `rule_column(i)` of [`Checked::frame`]: true = fails,
    /// null = not applicable.
    Rows,
    Dataset(DatasetOutcome),
    Error(RuleError),
}

pub struct Checked {
    /// One boolean column per row-level rule, one row per data row.
    pub frame: DataFrame,
    pub outcomes: Vec<RuleOutcome>,
    /// Per rule, the detail and suggestion expressions of checks that can
    /// explain a failure; evaluated later over the failing rows only.
    pub explain: Vec<Option<Explain>>,
    /// Other datasets' columns joined into the query (register matches).
    pub joins: Vec<JoinPlan>,
    /// Per indicator of the pack: planned (its column
    /// [`indicator_column`](crate::indicators::indicator_column) is in
    /// `frame`), or why not.
    pub indicators: Vec<Result<(), RuleError>>,
}

/// What a column of the query is for.
#[derive(Clone, Copy)]
enum Target {
    Rule(usize),
    Indicator(usize),
}

impl Target {
    fn column(self) -> String {
        match self {
            Target::Rule(i) => rule_column(i),
            Target::Indicator(k) => crate::indicators::indicator_column(k),
        }
    }
}

#[derive(Clone)]
pub struct Explain {
    pub detail: Option<Expr>,
    pub suggestion: Option<Expr>,
}

/// The table with typed columns and the joined columns of other datasets,
/// row order preserved: what every rule expression reads.
pub fn base_query(table: &DataFrame, typing: Vec<Expr>, joins: &[JoinPlan]) -> LazyFrame {
    let mut lf = table.clone().lazy().with_columns(typing);
    if table.column(ROW_DEFECTS_COLUMN).is_err() {
        // A table not read from a file (a frame from Python, a test): no
        // row has a physical defect.
        lf = lf.with_column(lit(0u32).alias(ROW_DEFECTS_COLUMN));
    }
    for join in joins {
        let args = JoinArgs {
            maintain_order: MaintainOrderJoin::Left,
            coalesce: JoinCoalesce::KeepColumns,
            ..JoinArgs::new(JoinType::Left)
        };
        lf = lf.join(
            join.right.clone().lazy(),
            [join.left_on.clone()],
            [col(join.right_key.as_str())],
            args,
        );
    }
    lf
}

pub fn rule_column(index: usize) -> String {
    format!("__rule_{index}")
}

/// Evaluates every rule of `pack` over `table` (all-text columns, null =
/// missing). A rule whose plan fails is reported as that rule's error; the
/// other rules are still evaluated. `given` holds rule masks computed
/// elsewhere (a streamed file's `unique` rules, which need the whole file):
/// those rules are not planned and their masks join the result as they are.
pub fn check_table(
    pack: &RulePack,
    table: &DataFrame,
    header: &[String],
    as_of: NaiveDate,
    lookups: &LookupSets,
    given: Vec<(usize, BooleanChunked)>,
) -> Checked {
    let ctx = PlanContext {
        columns: &pack.columns,
        header,
        rows: table.height() as u64,
        as_of,
        lookups,
    };
    let mut outcomes = Vec::with_capacity(pack.rules.len());
    let mut explain = vec![None; pack.rules.len()];
    let mut joins: Vec<JoinPlan> = Vec::new();
    let mut row_exprs: Vec<(Target, Expr)> = Vec::new();
    for (i, rule) in pack.rules.iter().enumerate() {
        if given.iter().any(|(g, _)| *g == i) {
            outcomes.push(RuleOutcome::Rows);
            continue;
        }
        match plan_rule(&ctx, rule) {
            Ok(Evaluation::Row(check)) => {
                if let Some(join) = check.join
                    && !joins.iter().any(|j| j.prefix == join.prefix)
                {
                    joins.push(join);
                }
                row_exprs.push((Target::Rule(i), check.fails));
                if check.detail.is_some() || check.suggestion.is_some() {
                    explain[i] = Some(Explain {
                        detail: check.detail,
                        suggestion: check.suggestion,
                    });
                }
                outcomes.push(RuleOutcome::Rows);
            }
            Ok(Evaluation::Dataset(outcome)) => outcomes.push(RuleOutcome::Dataset(outcome)),
            Err(e) => outcomes.push(RuleOutcome::Error(e)),
        }
        debug_assert_eq!(outcomes.len(), i + 1, "rule {}", rule.id);
    }
    let mut indicators = Vec::with_capacity(pack.indicators.len());
    for (k, indicator) in pack.indicators.iter().enumerate() {
        match indicator.plan(&ctx) {
            Ok(expr) => {
                row_exprs.push((Target::Indicator(k), expr));
                indicators.push(Ok(()));
            }
            Err(e) => indicators.push(Err(e)),
        }
    }

    let typing = typing_exprs(pack, header);
    let run = |exprs: &[(Target, Expr)]| -> PolarsResult<DataFrame> {
        let select: Vec<Expr> = exprs
            .iter()
            .map(|(t, e)| e.clone().alias(t.column()))
            .collect();
        base_query(table, typing.clone(), &joins)
            .select(select)
            .collect()
    };
    let frame = if row_exprs.is_empty() {
        DataFrame::empty()
    } else {
        match run(&row_exprs) {
            Ok(frame) => frame,
            Err(_) => {
                // Find the rule(s) polars rejects, so one bad expression costs
                // one rule, not the dataset.
                let mut good = Vec::new();
                let mut refuse = |target: Target, e: &PolarsError| {
                    let e = RuleError::Plan(first_line(&e.to_string()));
                    match target {
                        Target::Rule(i) => outcomes[i] = RuleOutcome::Error(e),
                        Target::Indicator(k) => indicators[k] = Err(e),
                    }
                };
                for (target, expr) in row_exprs {
                    match run(&[(target, expr.clone())]) {
                        Ok(_) => good.push((target, expr)),
                        Err(e) => refuse(target, &e),
                    }
                }
                if good.is_empty() {
                    Ok(DataFrame::empty())
                } else {
                    run(&good)
                }
                .unwrap_or_else(|e| {
                    for (target, _) in &good {
                        refuse(*target, &e);
                    }
                    DataFrame::empty()
                })
            }
        }
    };
    let mut frame = frame;
    for (i, mask) in given {
        let column = mask.with_name(rule_column(i).into()).into_column();
        let added = if frame.width() == 0 {
            DataFrame::new(column.len(), vec![column]).map(|f| frame = f)
        } else {
            frame.with_column(column).map(|_| ())
        };
        if let Err(e) = added {
            outcomes[i] = RuleOutcome::Error(RuleError::Plan(first_line(&e.to_string())));
        }
    }
    frame.rechunk_mut();
    Checked {
        frame,
        outcomes,
        explain,
        joins,
        indicators,
    }
}

/// The verdicts of the dataset-level rules (`columns`, `row_count`) for a
/// file of `rows` rows; `None` for row-level rules. A streamed file is
/// checked piece by piece, so these are decided once its rows are counted.
pub fn dataset_outcomes(
    pack: &RulePack,
    header: &[String],
    rows: u64,
    as_of: NaiveDate,
    lookups: &LookupSets,
) -> Vec<Option<RuleOutcome>> {
    let ctx = PlanContext {
        columns: &pack.columns,
        header,
        rows,
        as_of,
        lookups,
    };
    (0..pack.rules.len())
        .map(|i| match plan_rule(&ctx, &pack.rules[i]) {
            Ok(Evaluation::Dataset(outcome)) => Some(RuleOutcome::Dataset(outcome)),
            _ => None,
        })
        .collect()
}

fn plan_rule(ctx: &PlanContext, rule: &Rule) -> Result<Evaluation, RuleError> {
    let applies = match &rule.when {
        Some(sql) => crate::checks::expr::plan_sql_condition(sql, ctx)?.fill_null(lit(false)),
        None => lit(true),
    };
    Ok(match rule.check.evaluate(ctx, &applies)? {
        Evaluation::Row(mut check) if rule.when.is_some() => {
            check.fails = when(applies)
                .then(check.fails)
                .otherwise(lit(NULL).cast(DataType::Boolean));
            Evaluation::Row(check)
        }
        other => other,
    })
}

/// Typed columns replace their text under the same name (so SQL sees dates
/// as dates); the text stays available under [`raw_name`].
pub fn typing_exprs(pack: &RulePack, header: &[String]) -> Vec<Expr> {
    let mut exprs = Vec::new();
    for (name, ty) in &pack.columns {
        if ty.is_string() || !header.contains(name) {
            continue;
        }
        exprs.push(col(name.as_str()).alias(raw_name(name)));
        exprs.push(typed_expr(col(name.as_str()), ty).alias(name.as_str()));
    }
    exprs
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}
