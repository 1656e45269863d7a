//! Turning text columns into typed ones. Parsing is never strict: a value
//! that does not parse becomes null, and the `parses` check reports it.

use polars::prelude::*;

use crate::model::ColumnType;

const TRUE_WORDS: [&str; 6] = ["true", "1", "yes", "có", "co", "x"];
const FALSE_WORDS: [&str; 5] = ["false", "0", "no", "không", "khong"];

/// `raw` parsed as `ty` (null where missing or unparsable).
pub fn typed_expr(raw: Expr, ty: &ColumnType) -> Expr {
    let trimmed = raw.str().strip_chars(lit(NULL));
    match ty {
        ColumnType::String => trimmed,
        ColumnType::Integer => trimmed.cast(DataType::Int64),
        ColumnType::Decimal {
            decimal_comma: false,
        } => trimmed.cast(DataType::Float64),
        ColumnType::Decimal {
            decimal_comma: true,
        } => trimmed
            .str()
            .replace_all(lit("."), lit(""), true)
            .str()
            .replace(lit(","), lit("."), true)
            .cast(DataType::Float64),
        ColumnType::Date { format } => trimmed.str().to_date(options(format)),
        ColumnType::Datetime { format } => trimmed.str().to_datetime(
            Some(TimeUnit::Microseconds),
            None,
            options(format),
            lit("raise"),
        ),
        ColumnType::Boolean => {
            let lower = trimmed.str().to_lowercase();
            when(
                lower
                    .clone()
                    .is_in(lit(words(&TRUE_WORDS)).implode(false), false),
            )
            .then(lit(true))
            .when(lower.is_in(lit(words(&FALSE_WORDS)).implode(false), false))
            .then(lit(false))
            .otherwise(lit(NULL).cast(DataType::Boolean))
        }
    }
}

fn options(format: &str) -> StrptimeOptions {
    StrptimeOptions {
        format: Some(format.into()),
        strict: false,
        exact: true,
        // Record dates are high-cardinality (a birth date per citizen): the
        // parse cache misses more than it hits and cost ~4% of a run (perf).
        cache: false,
    }
}

fn words(list: &[&str]) -> Series {
    Series::new("words".into(), list)
}
