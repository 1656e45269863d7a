//! Vietnamese domain checks: what no general data-quality tool knows.
//!
//! Each check kind has its own module, cites its legal or official source,
//! and is usable from any rule pack (codes `VN…`). The domain logic is plain
//! Rust over one row's values (`inspect` functions, unit-tested on
//! real-shaped values); [`row_udf`] runs it column-wise inside the dataset's
//! single lazy query. A finding says which part is wrong and, where the fix
//! is certain, carries the suggested value.

pub mod admin_unit;
pub mod age;
pub mod cccd;
pub mod cmnd;
pub mod date;
pub mod deadline;
pub mod fold;
pub mod lexicon;
pub mod reference;
pub mod register_match;
pub mod retirement_age;
pub mod syllable;
pub mod tax_code;
pub mod text;

use std::sync::Arc;

use polars::prelude::*;

/// Why one value fails, and the corrected value when it is certain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub detail: String,
    pub suggestion: Option<String>,
}

impl Finding {
    pub fn new(detail: impl Into<String>) -> Finding {
        Finding {
            detail: detail.into(),
            suggestion: None,
        }
    }

    pub fn suggest(detail: impl Into<String>, suggestion: impl Into<String>) -> Finding {
        Finding {
            detail: detail.into(),
            suggestion: Some(suggestion.into()),
        }
    }
}

/// One input value of a row check: text as exported (or cast to text), or
/// a typed date read straight from the date column's day numbers, so no
/// date is formatted to text and parsed back once per row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell<'a> {
    Text(&'a str),
    Date(chrono::NaiveDate),
}

impl<'a> Cell<'a> {
    /// The text of an input declared as text (`ctx.raw`); `None` for a date.
    pub fn as_str(self) -> Option<&'a str> {
        match self {
            Cell::Text(s) => Some(s),
            Cell::Date(_) => None,
        }
    }

    /// The value as text; a date as `YYYY-MM-DD`.
    pub fn text(self) -> std::borrow::Cow<'a, str> {
        match self {
            Cell::Text(s) => s.into(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string().into(),
        }
    }

    /// The value as a date: typed dates as they are, text in ISO form.
    pub fn date(self) -> Option<chrono::NaiveDate> {
        match self {
            Cell::Text(s) => iso_date(s),
            Cell::Date(d) => Some(d),
        }
    }
}

/// Inspects one row's values (the first is the checked value, never null
/// when called); `None` = passes.
pub type Inspector = Arc<dyn Fn(&[Option<Cell>]) -> Option<Finding> + Send + Sync>;

#[derive(Clone, Copy)]
enum Output {
    Fails,
    Detail,
    Suggestion,
}

/// The date at the start of a typed date or datetime cast to text
/// (`2026-06-30…`). Parsed by hand: `parse_from_str` re-reads its format
/// string on every call, and row checks call this for every row (perf).
pub fn iso_date(text: &str) -> Option<chrono::NaiveDate> {
    let b = text.as_bytes().get(..10)?;
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |digits: &[u8]| -> Option<u32> {
        digits.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    chrono::NaiveDate::from_ymd_opt(
        number(&b[..4])? as i32,
        number(&b[5..7])?,
        number(&b[8..10])?,
    )
}

/// The three expressions of a row-level Vietnamese check: fails (boolean),
/// detail and suggestion (text). The first `required` inputs must all be
/// present for the row to be evaluated; otherwise the row is not applicable
/// (null), so only `required` rules count missing values.
pub fn row_udf(
    inputs: Vec<Expr>,
    required: usize,
    inspector: Inspector,
) -> crate::contract::RowCheck {
    crate::contract::RowCheck {
        fails: udf(&inputs, required, inspector.clone(), Output::Fails),
        detail: Some(udf(&inputs, required, inspector.clone(), Output::Detail)),
        suggestion: Some(udf(&inputs, required, inspector, Output::Suggestion)),
        join: None,
    }
}

/// One input column of a row check, in one chunk: text, or a date's day
/// numbers. A column of length 1 (a literal) applies to every row.
enum InputColumn {
    Text(StringChunked),
    Date(Int32Chunked),
}

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01 (polars' day 0).
const UNIX_EPOCH_DAY_FROM_CE: i32 = 719_163;

impl InputColumn {
    fn new(column: &Column) -> PolarsResult<InputColumn> {
        Ok(match column.dtype() {
            DataType::Date | DataType::Datetime(..) => {
                let dates = column.cast(&DataType::Date)?;
                InputColumn::Date(dates.date()?.physical().rechunk().into_owned())
            }
            _ => InputColumn::Text(
                column
                    .cast(&DataType::String)?
                    .str()?
                    .rechunk()
                    .into_owned(),
            ),
        })
    }

    fn len(&self) -> usize {
        match self {
            InputColumn::Text(ca) => ca.len(),
            InputColumn::Date(ca) => ca.len(),
        }
    }

    fn cell(&self, row: usize) -> Option<Cell<'_>> {
        let row = if self.len() == 1 { 0 } else { row };
        match self {
            InputColumn::Text(ca) => ca.downcast_get(0)?.get(row).map(Cell::Text),
            InputColumn::Date(ca) => {
                let days = ca.downcast_get(0)?.get(row)?;
                chrono::NaiveDate::from_num_days_from_ce_opt(days + UNIX_EPOCH_DAY_FROM_CE)
                    .map(Cell::Date)
            }
        }
    }
}

fn udf(inputs: &[Expr], required: usize, inspector: Inspector, output: Output) -> Expr {
    let dtype = match output {
        Output::Fails => DataType::Boolean,
        _ => DataType::String,
    };
    let out_type = dtype.clone();
    let (first, rest) = inputs.split_first().expect("at least one input");
    first.clone().map_many(
        move |columns: &mut [Column]| {
            let inputs: Vec<InputColumn> = columns
                .iter()
                .map(InputColumn::new)
                .collect::<PolarsResult<_>>()?;
            let name = columns[0].name().clone();
            let len = inputs[0].len();
            let mut row: Vec<Option<Cell>> = Vec::with_capacity(inputs.len());
            let mut finding_at = |i: usize| -> Option<Option<Finding>> {
                row.clear();
                row.extend(inputs.iter().map(|c| c.cell(i)));
                if row[..required].iter().any(Option::is_none) {
                    return None;
                }
                Some(inspector(&row))
            };
            Ok(match output {
                Output::Fails => {
                    let ca: BooleanChunked = (0..len)
                        .map(|i| finding_at(i).map(|f| f.is_some()))
                        .collect();
                    ca.with_name(name).into_column()
                }
                Output::Detail => {
                    let ca: StringChunked = (0..len)
                        .map(|i| finding_at(i).flatten().map(|f| f.detail))
                        .collect();
                    ca.with_name(name).into_column()
                }
                Output::Suggestion => {
                    let ca: StringChunked = (0..len)
                        .map(|i| finding_at(i).flatten().and_then(|f| f.suggestion))
                        .collect();
                    ca.with_name(name).into_column()
                }
            })
        },
        rest,
        move |_, fields| Ok(Field::new(fields[0].name().clone(), out_type.clone())),
    )
}

#[cfg(test)]
mod iso_tests {
    use super::*;

    #[test]
    fn iso_dates_parse_by_hand_like_chrono() {
        for text in [
            "2026-06-30",
            "2024-02-29",
            "2026-06-30 12:00:00",
            "0001-01-01",
        ] {
            assert_eq!(
                iso_date(text),
                chrono::NaiveDate::parse_from_str(&text[..10], "%Y-%m-%d").ok()
            );
        }
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026/06/30",
            "26-06-30",
            "",
            "2026-0a-01",
        ] {
            assert_eq!(iso_date(bad), None, "{bad}");
        }
    }
}
