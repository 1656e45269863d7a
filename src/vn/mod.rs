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
pub mod reference;
pub mod register_match;
mod syllable;
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

/// Inspects one row's values (the first is the checked value, never null
/// when called); `None` = passes.
pub type Inspector = Arc<dyn Fn(&[Option<&str>]) -> Option<Finding> + Send + Sync>;

#[derive(Clone, Copy)]
enum Output {
    Fails,
    Detail,
    Suggestion,
}

/// The three expressions of a row-level Vietnamese check: fails (boolean),
/// detail and suggestion (text). The first `required` inputs must all be
/// present for the row to be evaluated; otherwise the row is not applicable
/// (null), so only `required` rules count missing values.
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

pub fn row_udf(
    inputs: Vec<Expr>,
    required: usize,
    inspector: Inspector,
) -> crate::checks::RowCheck {
    crate::checks::RowCheck {
        fails: udf(&inputs, required, inspector.clone(), Output::Fails),
        detail: Some(udf(&inputs, required, inspector.clone(), Output::Detail)),
        suggestion: Some(udf(&inputs, required, inspector, Output::Suggestion)),
        join: None,
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
            let texts: Vec<StringChunked> = columns
                .iter()
                .map(|c| {
                    c.cast(&DataType::String)
                        .and_then(|c| Ok(c.str()?.rechunk().into_owned()))
                })
                .collect::<PolarsResult<_>>()?;
            let name = columns[0].name().clone();
            let len = texts[0].len();
            let mut row: Vec<Option<&str>> = Vec::with_capacity(texts.len());
            let mut finding_at = |i: usize| -> Option<Option<Finding>> {
                row.clear();
                row.extend(
                    texts
                        .iter()
                        .map(|t| if t.len() == 1 { t.get(0) } else { t.get(i) }),
                );
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
