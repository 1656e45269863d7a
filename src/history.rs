//! Run history for nightly jobs: every run's results are kept under
//! `<out>/history/`, one JSON file per run, each written atomically
//! (temporary file + rename).
//!
//! Why one file per run rather than one appended file or an embedded
//! database: a run killed mid-write leaves either a complete file or none —
//! never a torn last line or a journal to recover — the store needs no
//! server, no lock and no migration, and an officer can read or delete a run
//! with ordinary tools. Names sort by time, so listing is ordering.
//!
//! A record is the run's results without the per-unit detail (units, the
//! units before a fix): what `trend` and the scorecard's sparklines read —
//! dataset scores, rules, provinces, unit counts — a few kilobytes a run
//! however many communes the data has.

use std::path::{Path, PathBuf};

use crate::atomic::write_atomic;
use crate::error::UsageError;
use crate::results::RunResults;

pub fn dir(out_dir: &Path) -> PathBuf {
    out_dir.join("history")
}

/// Stores `results` as the newest run, without its per-unit detail.
pub fn record(out_dir: &Path, results: &RunResults) -> Result<PathBuf, UsageError> {
    let mut kept = results.clone();
    for d in &mut kept.datasets {
        if d.unit_count.is_none() && !d.units.is_empty() {
            d.unit_count = Some(d.units.len() as u64);
        }
        d.units.clear();
        d.units_file = None;
        if let Some(fix) = &mut d.fix {
            fix.units_before.clear();
        }
    }
    let results = &kept;
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
    load_recent(out_dir, usize::MAX)
}

/// The newest `n` stored runs, oldest first: a nightly job's scorecard
/// reads a few files, not a year of them.
pub fn load_recent(out_dir: &Path, n: usize) -> (Vec<RunResults>, Vec<String>) {
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
    let files = files.split_off(files.len().saturating_sub(n));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn run(as_of: &str) -> RunResults {
        serde_json::from_value(serde_json::json!({
            "schema_version": 1, "tool": {"name": "ddss", "version": "0"}, "as_of": as_of,
            "generated_at": "2026-06-30T00:00:00Z", "rule_packs": {"hash": "sha256:ab", "files": []},
            "status": "pass", "exit_code": 0, "datasets": [], "unmatched_inputs": []
        }))
        .unwrap()
    }

    #[test]
    fn recent_runs_are_the_newest_oldest_first() {
        let out = tempfile::tempdir().unwrap();
        for day in ["2026-06-28", "2026-06-29", "2026-06-30"] {
            record(out.path(), &run(day)).unwrap();
        }
        std::fs::write(dir(out.path()).join("0-broken.json"), "{").unwrap();
        let (recent, skipped) = load_recent(out.path(), 2);
        let days: Vec<&str> = recent.iter().map(|r| r.as_of.as_str()).collect();
        assert_eq!(days, ["2026-06-29", "2026-06-30"]);
        assert!(
            skipped.is_empty(),
            "the broken file is older than the two read"
        );
        let (all, skipped) = load(out.path());
        assert_eq!(all.len(), 3);
        assert_eq!(skipped.len(), 1);
    }
}
