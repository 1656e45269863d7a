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
        ColumnType::Date { format } => {
            within_years(trimmed.str().to_date(options(format)), DataType::Date)
        }
        ColumnType::Datetime { format } => within_years(
            trimmed.str().to_datetime(
                Some(TimeUnit::Microseconds),
                None,
                options(format),
                lit("raise"),
            ),
            DataType::Datetime(TimeUnit::Microseconds, None),
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

/// Years a parsed date may have. `%Y` takes any number of digits, so
/// `-262143-01-01` parses — and date arithmetic in a rule (`d - INTERVAL '1
/// year'`) would then overflow inside polars. No record holds such a date:
/// outside these years a value counts as not parsing (the `parses` check
/// reports it).
pub const YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

fn within_years(parsed: Expr, dtype: DataType) -> Expr {
    let first = chrono::NaiveDate::from_ymd_opt(*YEARS.start(), 1, 1).expect("date");
    let last = chrono::NaiveDate::from_ymd_opt(*YEARS.end(), 12, 31).expect("date");
    let (low, high) = match dtype {
        DataType::Date => (lit(first), lit(last)),
        _ => (
            lit(first.and_hms_opt(0, 0, 0).expect("time")).cast(dtype.clone()),
            lit(last.and_hms_opt(23, 59, 59).expect("time")).cast(dtype.clone()),
        ),
    };
    when(parsed.clone().gt_eq(low).and(parsed.clone().lt_eq(high)))
        .then(parsed)
        .otherwise(lit(NULL).cast(dtype))
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
