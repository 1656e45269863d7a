//! Reading sector exports. Every cell is read as text into an in-memory
//! polars table — of the whole file, or of one piece at a time for large
//! files (`chunked`); structural problems (ragged rows, invalid UTF-8, broken
//! quoting) are reported with their physical line and never abort the read.

mod chunked;
mod csv_table;
mod frame;
mod parquet;
mod postgres;
pub(crate) mod quoting;
mod records;
mod sniff;
mod workbook;

pub use chunked::{ChunkedReader, parts_for};
pub use csv_table::{
    MAX_PROBLEMS_KEPT, Problem, ProblemKind, ReadOptions, Table, cell_value, defects_column,
    read_table, scan_records,
};
pub use frame::table_from_frame;
pub use parquet::{PARQUET_EXTENSIONS, is_parquet, read_parquet};
pub use postgres::{POSTGRES_SCHEMES, PostgresSource, Relation, is_postgres_url};

/// Whether `path` is read whole by a reader of its own (a workbook or a
/// Parquet file) rather than as CSV.
pub fn is_read_whole(path: &std::path::Path) -> bool {
    is_workbook(path) || is_parquet(path)
}
pub use records::{Record, RecordText};
pub use sniff::sniff_delimiter;
pub use workbook::{WORKBOOK_EXTENSIONS, WorkbookOptions, is_workbook, read_workbook};
