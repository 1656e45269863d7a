//! Reading sector exports. Every cell is read as text into an in-memory
//! polars table; structural problems (ragged rows, invalid UTF-8, broken
//! quoting) are reported with their physical line and never abort the read.

mod chunked;
mod csv_table;
mod sniff;

pub use chunked::ChunkedReader;
pub use csv_table::{MAX_PROBLEMS_KEPT, Problem, ReadOptions, Table, read_table};
pub use sniff::sniff_delimiter;
