//! Parquet files (`.parquet`, `.pq`) read as the engine's all-text
//! [`Table`]: polars reads them, and typed columns become the text a CSV
//! export of them would hold ([`table_from_frame`]: dates in the pack's
//! declared format), so the same rules and scores apply. A row's "line" is
//! its 1-based row number in the file.

use std::path::Path;

use polars::prelude::*;

use super::csv_table::Table;
use super::frame::table_from_frame;
use crate::error::ReadError;
use crate::model::ColumnType;

/// Extensions read as Parquet.
pub const PARQUET_EXTENSIONS: [&str; 2] = ["parquet", "pq"];

/// Whether `path` is read as Parquet (by its extension).
pub fn is_parquet(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| PARQUET_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads the whole file.
pub fn read_parquet(
    path: &Path,
    columns: &indexmap::IndexMap<String, ColumnType>,
    missing: &[String],
) -> Result<Table, ReadError> {
    let file = std::fs::File::open(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let bytes = file.metadata().map_or(0, |m| m.len());
    let frame = ParquetReader::new(file)
        .finish()
        .map_err(|e| ReadError::Parquet {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    let mut table = table_from_frame(&frame, columns, missing, &path.display().to_string())?;
    table.encoding = "parquet".into();
    table.bytes = bytes;
    Ok(table)
}
