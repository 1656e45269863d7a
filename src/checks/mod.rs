//! Check kinds. Each kind lives in its own file with a doc comment saying
//! what it checks and why, its parameters, and its tests — as in ruff, every
//! kind also has a stable code (`DQ…`) that never changes meaning.
//!
//! A row-level check compiles to one boolean polars expression per rule:
//! `true` = the row fails, `false` = it passes, `null` = the rule does not
//! apply to the row (its `when` is false, or the value is missing and the
//! check is not `required`). All of a dataset's rules are evaluated together
//! in one lazy query; see `engine::plan`.

pub mod columns;
mod context;
pub mod expr;
pub mod fresh;
pub mod in_set;
pub mod parses;
pub mod pattern;
pub mod range;
pub mod reference;
pub mod required;
pub mod row_count;
pub mod unique;

use polars::prelude::Expr;
use serde::de::DeserializeOwned;

pub use context::{
    JoinKey, LookupKey, LookupSets, ParseContext, PlanContext, ReferenceTables, raw_name,
};

use crate::error::{RuleError, closest};
use crate::vn;

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

/// Result of a dataset-level check, counted like rows: `evaluated` items
/// looked at, `failed` of them wrong, with one human-readable line each.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetOutcome {
    pub evaluated: u64,
    pub failed: u64,
    pub details: Vec<String>,
}

/// Name and stable code of every check kind, in code order.
pub const KINDS: [(&str, &str); 19] = [
    ("required", required::CODE),
    ("unique", unique::CODE),
    ("pattern", pattern::CODE),
    ("in_set", in_set::CODE),
    ("range", range::CODE),
    ("parses", parses::CODE),
    ("expr", expr::CODE),
    ("fresh", fresh::CODE),
    ("row_count", row_count::CODE),
    ("columns", columns::CODE),
    ("reference", reference::CODE),
    ("cccd", crate::vn::cccd::CODE),
    ("cmnd_outdated", crate::vn::cmnd::CODE),
    ("vn_text", crate::vn::text::CODE),
    ("vn_date", crate::vn::date::CODE),
    ("age", crate::vn::age::CODE),
    ("deadline", crate::vn::deadline::CODE),
    ("admin_unit", crate::vn::admin_unit::CODE),
    ("register_match", crate::vn::register_match::CODE),
];

/// Names of all check kinds, for messages.
pub fn kind_names() -> Vec<&'static str> {
    KINDS.iter().map(|(name, _)| *name).collect()
}

/// A configured check: the kind plus its parameters.
#[derive(Debug, Clone)]
pub enum Check {
    Required(required::Required),
    Unique(unique::Unique),
    Pattern(pattern::Pattern),
    InSet(in_set::InSet),
    Range(range::Range),
    Parses(parses::Parses),
    Expr(expr::SqlExpr),
    Fresh(fresh::Fresh),
    RowCount(row_count::RowCount),
    Columns(columns::Columns),
    Reference(reference::Reference),
    Cccd(vn::cccd::Cccd),
    CmndOutdated(vn::cmnd::CmndOutdated),
    VnText(vn::text::VnText),
    VnDate(vn::date::VnDate),
    Age(vn::age::Age),
    Deadline(vn::deadline::Deadline),
    AdminUnit(vn::admin_unit::AdminUnit),
    RegisterMatch(vn::register_match::RegisterMatch),
}

/// Deserialises a check's own parameters, rejecting unknown keys so a typo
/// never silently disables part of a rule.
pub(crate) fn params<T: DeserializeOwned>(table: toml::Table) -> Result<T, String> {
    toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| e.message().trim().to_string())
}

impl Check {
    pub fn parse(kind: &str, table: toml::Table, ctx: &ParseContext) -> Result<Check, String> {
        Ok(match kind {
            "required" => Check::Required(required::Required::parse(table, ctx)?),
            "unique" => Check::Unique(unique::Unique::parse(table, ctx)?),
            "pattern" => Check::Pattern(pattern::Pattern::parse(table, ctx)?),
            "in_set" => Check::InSet(in_set::InSet::parse(table, ctx)?),
            "range" => Check::Range(range::Range::parse(table, ctx)?),
            "parses" => Check::Parses(parses::Parses::parse(table, ctx)?),
            "expr" => Check::Expr(expr::SqlExpr::parse(table, ctx)?),
            "fresh" => Check::Fresh(fresh::Fresh::parse(table, ctx)?),
            "row_count" => Check::RowCount(row_count::RowCount::parse(table, ctx)?),
            "columns" => Check::Columns(columns::Columns::parse(table, ctx)?),
            "reference" => Check::Reference(reference::Reference::parse(table, ctx)?),
            "cccd" => Check::Cccd(vn::cccd::Cccd::parse(table, ctx)?),
            "cmnd_outdated" => Check::CmndOutdated(vn::cmnd::CmndOutdated::parse(table, ctx)?),
            "vn_text" => Check::VnText(vn::text::VnText::parse(table, ctx)?),
            "vn_date" => Check::VnDate(vn::date::VnDate::parse(table, ctx)?),
            "age" => Check::Age(vn::age::Age::parse(table, ctx)?),
            "deadline" => Check::Deadline(vn::deadline::Deadline::parse(table, ctx)?),
            "admin_unit" => Check::AdminUnit(vn::admin_unit::AdminUnit::parse(table, ctx)?),
            "register_match" => {
                Check::RegisterMatch(vn::register_match::RegisterMatch::parse(table, ctx)?)
            }
            other => {
                let names = kind_names();
                let hint = closest(other, names.iter().copied())
                    .map(|s| format!("; did you mean '{s}'?"))
                    .unwrap_or_default();
                return Err(format!(
                    "unknown check kind '{other}' (valid: {}){hint}",
                    names.join(", ")
                ));
            }
        })
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Check::Required(_) => "required",
            Check::Unique(_) => "unique",
            Check::Pattern(_) => "pattern",
            Check::InSet(_) => "in_set",
            Check::Range(_) => "range",
            Check::Parses(_) => "parses",
            Check::Expr(_) => "expr",
            Check::Fresh(_) => "fresh",
            Check::RowCount(_) => "row_count",
            Check::Columns(_) => "columns",
            Check::Reference(_) => "reference",
            Check::Cccd(_) => "cccd",
            Check::CmndOutdated(_) => "cmnd_outdated",
            Check::VnText(_) => "vn_text",
            Check::VnDate(_) => "vn_date",
            Check::Age(_) => "age",
            Check::Deadline(_) => "deadline",
            Check::AdminUnit(_) => "admin_unit",
            Check::RegisterMatch(_) => "register_match",
        }
    }

    pub fn code(&self) -> &'static str {
        let kind = self.kind();
        KINDS
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, code)| *code)
            .expect("every kind has a code")
    }

    /// The columns a violation of this rule is about (reported with it).
    pub fn columns(&self) -> Vec<String> {
        match self {
            Check::Required(c) => vec![c.column.clone()],
            Check::Unique(c) => c.columns.clone(),
            Check::Pattern(c) => vec![c.column.clone()],
            Check::InSet(c) => vec![c.column.clone()],
            Check::Range(c) => vec![c.column.clone()],
            Check::Parses(c) => vec![c.column.clone()],
            Check::Expr(c) => c.columns.clone(),
            Check::Fresh(c) => vec![c.column.clone()],
            Check::RowCount(_) => vec![],
            Check::Columns(_) => vec![],
            Check::Reference(c) => vec![c.column.clone()],
            Check::Cccd(c) => c.columns(),
            Check::CmndOutdated(c) => vec![c.column.clone()],
            Check::VnText(c) => vec![c.column.clone()],
            Check::VnDate(c) => vec![c.column.clone()],
            Check::Age(c) => c.columns(),
            Check::Deadline(c) => c.columns(),
            Check::AdminUnit(c) => c.columns(),
            Check::RegisterMatch(c) => c.columns(),
        }
    }

    pub fn is_dataset_level(&self) -> bool {
        matches!(self, Check::RowCount(_) | Check::Columns(_))
    }

    /// Columns of another dataset this check joins, if any.
    pub fn join_key(&self) -> Option<JoinKey> {
        match self {
            Check::RegisterMatch(r) => Some(r.join_key()),
            _ => None,
        }
    }

    /// The other dataset (and its column) this check reads, if any.
    pub fn lookup(&self) -> Option<LookupKey> {
        match self {
            Check::Reference(r) => Some(r.lookup_key()),
            _ => None,
        }
    }

    /// Plans the check. `applies` is the rule's `when` condition (true when
    /// absent); the engine applies it to the result, and checks that compare
    /// rows with each other (`unique`) also use it to choose whom to compare.
    pub fn evaluate(&self, ctx: &PlanContext, applies: &Expr) -> Result<Evaluation, RuleError> {
        let row = |e: Expr| Evaluation::Row(Box::new(e.into()));
        match self {
            Check::Required(c) => c.evaluate(ctx).map(row),
            Check::Unique(c) => c.evaluate(ctx, applies).map(row),
            Check::Pattern(c) => c.evaluate(ctx).map(row),
            Check::InSet(c) => c.evaluate(ctx).map(row),
            Check::Range(c) => c.evaluate(ctx).map(row),
            Check::Parses(c) => c.evaluate(ctx).map(row),
            Check::Expr(c) => c.evaluate(ctx).map(row),
            Check::Fresh(c) => c.evaluate(ctx).map(row),
            Check::RowCount(c) => Ok(Evaluation::Dataset(c.evaluate(ctx))),
            Check::Columns(c) => Ok(Evaluation::Dataset(c.evaluate(ctx))),
            Check::Reference(c) => c.evaluate(ctx).map(row),
            Check::Cccd(c) => c.evaluate(ctx).map(|r| Evaluation::Row(Box::new(r))),
            Check::CmndOutdated(c) => c.evaluate(ctx).map(|r| Evaluation::Row(Box::new(r))),
            Check::VnText(c) => c.evaluate(ctx).map(|r| Evaluation::Row(Box::new(r))),
            Check::VnDate(c) => c.evaluate(ctx).map(|r| Evaluation::Row(Box::new(r))),
            Check::Age(c) => c.evaluate(ctx).map(|r| Evaluation::Row(Box::new(r))),
            Check::Deadline(c) => c.evaluate(ctx).map(|r| Evaluation::Row(Box::new(r))),
            Check::AdminUnit(c) => c.evaluate(ctx).map(|r| Evaluation::Row(Box::new(r))),
            Check::RegisterMatch(c) => c.evaluate(ctx).map(|r| Evaluation::Row(Box::new(r))),
        }
    }
}

/// `fails` where `value` is present; null (not applicable) where it is
/// missing. Value checks use this so that only `required` counts gaps.
pub(crate) fn when_present(value: Expr, fails: Expr) -> Expr {
    use polars::prelude::*;
    when(value.is_not_null())
        .then(fails)
        .otherwise(lit(NULL).cast(DataType::Boolean))
}

#[cfg(test)]
pub(crate) mod testing;
