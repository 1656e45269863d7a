//! The validation engine: match files to packs, read them in parallel,
//! evaluate each dataset's rules in one lazy query (per file, or per piece of
//! a large file: `stream`), score, and hand the failures to the report
//! writers.

mod dataset;
mod duplicate_keys;
mod lookups;
pub mod plan;
mod progress;
mod run;
mod stream;
pub mod typing;
mod units;

pub use dataset::{Violation, Violations, validate_table};
pub use run::{RunOptions, run};
