//! The contract between the engine and the check kinds: what a kind sees
//! ([`ParseContext`] while its rule is read, [`PlanContext`] while its
//! dataset is planned) and what it returns ([`Evaluation`]). This module
//! knows no kind; the kinds (`crate::checks`, `crate::vn`) implement
//! [`CheckKind`] and the one table of kinds (`crate::registry`) lists them.
//!
//! A row-level check compiles to one boolean polars expression per rule:
//! `true` = the row fails, `false` = it passes, `null` = the rule does not
//! apply to the row (its `when` is false, or the value is missing and the
//! check is not `required`). All of a dataset's rules are evaluated together
//! in one lazy query; see `engine::query`.

mod context;

use polars::prelude::Expr;
use serde::de::DeserializeOwned;

pub use context::{
    JoinKey, LookupKey, LookupSets, ParseContext, PlanContext, ReferenceTables, raw_name,
};

use crate::error::RuleError;
use crate::model::ColumnType;

/// What every check kind implements. A kind is also constructed from its
/// rule's own keys by `fn parse(toml::Table, &ParseContext) -> Result<Self,
/// String>`, which the registry calls.
///
/// The defaults describe a plain row-level check of its own dataset; a kind
/// overrides what differs.
pub trait CheckKind: std::fmt::Debug + Send + Sync + 'static {
    /// The columns a violation of this rule is about (reported with it).
    fn columns(&self) -> Vec<String>;

    /// Plans the check: expressions over the row, or a verdict on the whole
    /// dataset. `applies` is the rule's `when` condition (true when absent);
    /// the engine applies it to the result, and a check that compares rows
    /// with each other also uses it to choose whom to compare.
    fn evaluate(&self, ctx: &PlanContext, applies: &Expr) -> Result<Evaluation, RuleError>;

    /// A verdict on the dataset as a whole (its columns, its row count),
    /// decided once its rows are counted, not row by row.
    fn is_dataset_level(&self) -> bool {
        false
    }

    /// Columns of another dataset of the run joined to this one by a key.
    fn join_key(&self) -> Option<JoinKey> {
        None
    }

    /// A column of another dataset of the run whose values this check reads.
    fn lookup(&self) -> Option<LookupKey> {
        None
    }

    /// The key whose repeats the check finds across the whole dataset, when
    /// it compares rows with each other: a file checked piece by piece
    /// cannot see that in one piece, so the engine hashes the key first.
    fn whole_dataset_key(&self) -> Option<WholeDatasetKey> {
        None
    }
}

/// The columns a whole-dataset comparison is keyed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WholeDatasetKey {
    pub columns: Vec<String>,
}

/// A row-level check's expressions.
pub struct RowCheck {
    /// Boolean: true = the row fails, null = not applicable.
    pub fails: Expr,
    /// Why a failing row fails (text), when the check can say more than the
    /// rule's message; evaluated on failing rows only.
    pub detail: Option<Expr>,
    /// The corrected value, where the fix is certain.
    pub suggestion: Option<Expr>,
    /// Another dataset's columns to join before evaluating (left join on
    /// `left_on`; the right frame's columns already carry their prefix).
    pub join: Option<JoinPlan>,
}

#[derive(Clone)]
pub struct JoinPlan {
    pub prefix: String,
    pub left_on: Expr,
    pub right_key: String,
    pub right: polars::prelude::DataFrame,
}

impl From<Expr> for RowCheck {
    fn from(fails: Expr) -> RowCheck {
        RowCheck {
            fails,
            detail: None,
            suggestion: None,
            join: None,
        }
    }
}

/// What a check produces for one rule.
pub enum Evaluation {
    /// Expressions over the row.
    Row(Box<RowCheck>),
    /// A verdict on the dataset as a whole (its columns, its row count).
    Dataset(DatasetOutcome),
}

impl From<Expr> for Evaluation {
    fn from(fails: Expr) -> Evaluation {
        Evaluation::Row(Box::new(fails.into()))
    }
}

impl From<RowCheck> for Evaluation {
    fn from(check: RowCheck) -> Evaluation {
        Evaluation::Row(Box::new(check))
    }
}

impl From<DatasetOutcome> for Evaluation {
    fn from(outcome: DatasetOutcome) -> Evaluation {
        Evaluation::Dataset(outcome)
    }
}

/// Result of a dataset-level check, counted like rows: `evaluated` items
/// looked at, `failed` of them wrong, with one human-readable line each.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetOutcome {
    pub evaluated: u64,
    pub failed: u64,
    pub details: Vec<String>,
}

/// Years a date in a record may have. `%Y` takes any number of digits, so
/// `-262143-01-01` parses — and date arithmetic on it (`d - INTERVAL '1
/// year'`) overflows inside polars. SQL conditions see such a date as
/// missing ([`within_years`]) and `parses` reports it as not a date.
pub const YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

/// The first and last instants of [`YEARS`] as literals of `ty`'s type;
/// `None` for types that are not dates.
fn year_bounds(ty: &ColumnType) -> Option<(Expr, Expr)> {
    use polars::prelude::*;
    let first = chrono::NaiveDate::from_ymd_opt(*YEARS.start(), 1, 1)?;
    let last = chrono::NaiveDate::from_ymd_opt(*YEARS.end(), 12, 31)?;
    match ty {
        ColumnType::Date { .. } => Some((lit(first), lit(last))),
        ColumnType::Datetime { .. } => {
            let dtype = DataType::Datetime(TimeUnit::Microseconds, None);
            Some((
                lit(first.and_hms_opt(0, 0, 0)?).cast(dtype.clone()),
                lit(last.and_hms_opt(23, 59, 59)?).cast(dtype),
            ))
        }
        _ => None,
    }
}

/// A typed date column with dates outside [`YEARS`] made null; other
/// types unchanged.
pub fn within_years(typed: Expr, ty: &ColumnType) -> Expr {
    use polars::prelude::*;
    match year_bounds(ty) {
        Some((low, high)) => when(typed.clone().gt_eq(low).and(typed.clone().lt_eq(high)))
            .then(typed)
            .otherwise(lit(NULL).cast(typed_dtype(ty))),
        None => typed,
    }
}

/// True where a typed date lies outside [`YEARS`]; false for other types.
pub fn out_of_years(typed: Expr, ty: &ColumnType) -> Expr {
    use polars::prelude::*;
    match year_bounds(ty) {
        Some((low, high)) => typed.clone().lt(low).or(typed.gt(high)),
        None => lit(false),
    }
}

fn typed_dtype(ty: &ColumnType) -> polars::prelude::DataType {
    use polars::prelude::*;
    match ty {
        ColumnType::Datetime { .. } => DataType::Datetime(TimeUnit::Microseconds, None),
        _ => DataType::Date,
    }
}

/// Deserialises a check's own parameters, rejecting unknown keys so a typo
/// never silently disables part of a rule.
pub fn params<T: DeserializeOwned>(table: toml::Table) -> Result<T, String> {
    toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| e.message().trim().to_string())
}

/// `fails` where `value` is present; null (not applicable) where it is
/// missing. Value checks use this so that only `required` counts gaps.
pub fn when_present(value: Expr, fails: Expr) -> Expr {
    use polars::prelude::*;
    when(value.is_not_null())
        .then(fails)
        .otherwise(lit(NULL).cast(DataType::Boolean))
}
