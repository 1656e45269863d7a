//! Run history for nightly jobs: every run's results are kept under
//! `<out>/history/`, one JSON file per run, each written atomically
//! (temporary file + rename).
//!
//! Why one file per run rather than one appended file or an embedded
//! database: a run killed mid-write leaves either a complete file or none —
//! never a torn last line or a journal to recover — the store needs no
//! server, no lock and no migration, and an officer can read or delete a run
//! with ordinary tools. Names sort by time, so listing is ordering.

use std::path::{Path, PathBuf};

use crate::error::UsageError;
use crate::report::atomic::write_atomic;
use crate::results::RunResults;

pub fn dir(out_dir: &Path) -> PathBuf {
    out_dir.join("history")
}

/// Stores `results` as the newest run.
pub fn record(out_dir: &Path, results: &RunResults) -> Result<PathBuf, UsageError> {
    // Nanoseconds, so runs within one second (tests, retries) keep their order.
    let stamp = chrono::Utc::now()
        .format("%Y%m%dT%H%M%S%.9fZ")
        .to_string()
        .replace('.', "");
    let hash: String = results
        .rule_packs
        .hash
        .trim_start_matches("sha256:")
        .chars()
        .take(12)
        .collect();
    let mut path = dir(out_dir).join(format!("{stamp}-{hash}.json"));
    let mut n = 1;
    while path.exists() {
        n += 1;
        path = dir(out_dir).join(format!("{stamp}-{hash}-{n:03}.json"));
    }
    write_atomic(&path, |w| {
        serde_json::to_writer(&mut *w, results).map_err(std::io::Error::other)
    })?;
    Ok(path)
}

/// All stored runs, oldest first. Files that do not parse (written by a
/// future schema, or edited by hand) are skipped and reported.
pub fn load(out_dir: &Path) -> (Vec<RunResults>, Vec<String>) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir(out_dir))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut runs = Vec::new();
    let mut skipped = Vec::new();
    for f in files {
        match std::fs::read_to_string(&f)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(run) => runs.push(run),
            Err(e) => skipped.push(format!("{}: {e}", f.display())),
        }
    }
    (runs, skipped)
}
