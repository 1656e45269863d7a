//! The validation engine. A run is planned ([`plan_run`]: which file each
//! pack validates, read whole or piece by piece), then executed
//! ([`execute`]): files read in parallel, look-ups between datasets built,
//! every dataset checked as batches of rows — a whole file is one batch, a
//! large file one batch a piece — in one lazy polars query per batch
//! (`query`), the batches' tallies merged and concluded (`batches`). The
//! engine returns the results; failing rows leave through a [`RowSink`]
//! the caller gives. It writes no report itself.

mod batches;
mod dataset;
mod duplicate_keys;
mod execute;
mod lookups;
mod progress;
pub mod query;
mod run_plan;
mod sink;
mod stream;
pub mod typing;
mod units;

pub use batches::{BatchSummary, BatchTimers, Concluded, DatasetBatches, DatasetChecked};
pub use dataset::{
    Tally, Validated, Violation, Violations, for_each_dataset_level, validate_table,
};
pub use duplicate_keys::{KeyContext, key_column};
pub use execute::{
    EXAMPLES_PER_RULE, ExecuteOptions, ReadFacts, RunOutput, dataset_result, execute, read_options,
    run_results,
};
pub use lookups::{LookupKeyOf, build as build_lookups, build_for_key};
pub use run_plan::{
    MEMORY_PER_FILE_BYTE, PlannedDataset, RunPlan, choose_streamed, chunk_bytes, piece_bytes,
    plan_run, plan_tables, record_bytes,
};
pub use sink::{CountOnly, DatasetLevel, RowSink, RowSinks};
pub use stream::{StreamOptions, Streamed, validate_streamed};
