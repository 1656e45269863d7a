//! A table already in memory — a polars, pandas or pyarrow frame handed over
//! from Python — as the engine's all-text [`Table`].
//!
//! The engine checks text: each declared type is parsed from it, so a value
//! that does not parse is a finding rather than an error. A typed column is
//! therefore written back as the text a CSV export would hold: dates and
//! datetimes in the pack's declared format (so `%d/%m/%Y` columns stay
//! `%d/%m/%Y`), numbers and booleans as polars prints them. Missing cells are
//! those of a CSV read: null, blank, or one of the pack's missing-value
//! tokens. Rows have no physical line; each carries its 1-based ordinal.

use indexmap::IndexMap;
use polars::prelude::*;

use super::csv_table::{Table, is_missing};
use crate::error::ReadError;
use crate::model::ColumnType;

/// `frame` as a table for a pack declaring `columns` and `missing` values;
/// `source` names it in messages (e.g. `<frame khai_sinh>`).
pub fn table_from_frame(
    frame: &DataFrame,
    columns: &IndexMap<String, ColumnType>,
    missing: &[String],
    source: &str,
) -> Result<Table, ReadError> {
    let missing: Vec<&str> = missing.iter().map(|m| m.trim()).collect();
    let error = |column: &str, message: String| ReadError::Frame {
        path: source.into(),
        message: format!("column '{column}': {message}"),
    };
    let mut text_columns = Vec::with_capacity(frame.width());
    for column in frame.columns() {
        let name = column.name().as_str();
        if name.starts_with("__ddss_") {
            return Err(error(
                name,
                "names starting with __ddss_ are ddss's own; rename the column".into(),
            ));
        }
        let text = as_text(column, &ColumnType::declared(columns, name)).map_err(|e| {
            error(
                name,
                format!("cannot be read as text ({e}); convert it to text, a number or a date"),
            )
        })?;
        let cells: StringChunked = text
            .iter()
            .map(|v| v.filter(|v| !is_missing(v, &missing)))
            .collect();
        text_columns.push(cells.with_name(name.into()).into_column());
    }
    let rows = frame.height();
    let frame = DataFrame::new(rows, text_columns).map_err(|e| ReadError::Frame {
        path: source.into(),
        message: e.to_string(),
    })?;
    Ok(Table {
        header: frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect(),
        frame,
        lines: (1..=rows as u64).collect(),
        problems: vec![],
        problem_count: 0,
        delimiter: b',',
        encoding: "arrow".into(),
        bytes: 0,
    })
}

/// The column as text: temporal columns in the declared format.
fn as_text(column: &Column, declared: &ColumnType) -> PolarsResult<StringChunked> {
    let series = column.as_materialized_series();
    let format = match declared {
        ColumnType::Date { format } | ColumnType::Datetime { format } => Some(format.as_str()),
        _ => None,
    };
    let text = match (series.dtype(), format) {
        (DataType::String, _) => series.clone(),
        (DataType::Date, Some(format)) => series.date()?.to_string(format)?.into_series(),
        (DataType::Datetime(_, _), Some(format)) => {
            series.datetime()?.to_string(format)?.into_series()
        }
        _ => series.cast(&DataType::String)?,
    };
    Ok(text.str()?.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_columns_become_the_text_a_csv_export_holds() {
        let born = DateChunked::from_naive_date(
            "born".into(),
            [chrono::NaiveDate::from_ymd_opt(2001, 3, 15).unwrap()],
        );
        let frame = DataFrame::new(
            1,
            vec![
                Column::new("id".into(), ["001"]),
                Column::new("n".into(), [42i64]),
                born.into_series().into_column(),
                Column::new("note".into(), [" NULL "]),
            ],
        )
        .unwrap();
        let mut columns = IndexMap::new();
        columns.insert(
            "born".to_string(),
            ColumnType::Date {
                format: "%d/%m/%Y".into(),
            },
        );
        let table = table_from_frame(&frame, &columns, &["null".into()], "<frame t>").unwrap();
        let cell = |c: &str| {
            table
                .frame
                .column(c)
                .unwrap()
                .str()
                .unwrap()
                .get(0)
                .map(str::to_string)
        };
        assert_eq!(cell("id").as_deref(), Some("001"));
        assert_eq!(cell("n").as_deref(), Some("42"));
        assert_eq!(cell("born").as_deref(), Some("15/03/2001"));
        assert_eq!(cell("note"), None, "a missing-value token is missing");
        assert_eq!(table.lines, vec![1]);
    }
}
