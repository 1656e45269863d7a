//! `results.json`: the machine-readable results of a run
//! (schema: `docs/results-schema.md`).

use std::path::Path;

use crate::error::UsageError;
use crate::results::RunResults;

use crate::atomic::write_atomic;

pub fn write_results(out_dir: &Path, results: &RunResults) -> Result<(), UsageError> {
    write_atomic(&out_dir.join("results.json"), |w| {
        serde_json::to_writer_pretty(&mut *w, results.as_written().as_ref())
            .map_err(std::io::Error::other)?;
        std::io::Write::write_all(w, b"\n")
    })
}

/// What results.json holds, as text (`--format json`).
pub fn to_string(results: &RunResults) -> String {
    serde_json::to_string_pretty(results.as_written().as_ref()).expect("results serialise")
}
