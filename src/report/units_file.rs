//! Per-unit scores in a file of their own: `<out>/units/<dataset>.jsonl.gz`,
//! one unit per line (the `UnitResult` object of docs/results-schema.md),
//! gzip-compressed, worst first as in the scorecard.
//!
//! Why not inline in results.json: with 10,000 communes a dataset's units
//! made results.json 5–6 MB and every history record as large — a nightly job
//! kept over a gigabyte a year per dataset, and every scorecard re-read it
//! for the trend. results.json now names the file (`units_file`) and counts
//! the units (`unit_count`); history keeps what `trend` reads (dataset
//! scores, provinces, rules) and no units. JSON Lines + gzip because every
//! consumer reads it without a dependency (`pandas.read_json(path,
//! lines=True)`, `polars.read_ndjson`, `zcat | jq`, Spark's `json` source),
//! and a unit at a time.

use std::io::{BufRead, Write};
use std::path::Path;

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use crate::atomic::write_atomic;
use crate::error::UsageError;
use crate::results::UnitResult;

/// The folder of the unit files, in the output folder.
pub const DIR: &str = "units";

/// Where a dataset's units go, relative to the output folder.
pub fn relative_path(dataset: &str) -> String {
    format!("{DIR}/{dataset}.jsonl.gz")
}

/// Writes `units` to `<out_dir>/<relative>` atomically.
pub fn write(out_dir: &Path, relative: &str, units: &[UnitResult]) -> Result<(), UsageError> {
    write_atomic(&out_dir.join(relative), |w| {
        // Fast compression: the file is written every run and read rarely;
        // level 1 already takes the repeated keys out.
        let mut gz = GzEncoder::new(&mut *w, Compression::fast());
        for unit in units {
            serde_json::to_writer(&mut gz, unit).map_err(std::io::Error::other)?;
            gz.write_all(b"\n")?;
        }
        gz.finish()?;
        Ok(())
    })
}

/// Reads a unit file back (the scorecard of a finished run, tests, tools).
pub fn read(path: &Path) -> Result<Vec<UnitResult>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let reader = std::io::BufReader::new(GzDecoder::new(file));
    reader
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let line = line.map_err(|e| format!("{}: {e}", path.display()))?;
            serde_json::from_str(&line).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// Reads every dataset's units back from its `units_file` into `units`:
/// a results.json of `out_dir` made whole again, e.g. to render its
/// scorecard once more.
pub fn inline(results: &mut crate::results::RunResults, out_dir: &Path) -> Result<(), String> {
    for d in &mut results.datasets {
        if let Some(relative) = &d.units_file {
            d.units = read(&out_dir.join(relative))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Scores;

    #[test]
    fn units_written_are_read_back_in_order() {
        let out = tempfile::tempdir().unwrap();
        let units: Vec<UnitResult> = (0..3)
            .map(|i| UnitResult {
                code: format!("0000{i}"),
                name: (i > 0).then(|| format!("Xã Số {i}")),
                province: Some("01".into()),
                rows: 10 + i,
                scores: Scores {
                    overall: Some(0.5 + i as f64 / 10.0),
                    ..Scores::default()
                },
                indicators: vec![],
            })
            .collect();
        let relative = relative_path("khai_sinh");
        write(out.path(), &relative, &units).unwrap();
        let back = read(&out.path().join(&relative)).unwrap();
        assert_eq!(
            serde_json::to_value(&back).unwrap(),
            serde_json::to_value(&units).unwrap()
        );
        let raw = std::fs::read(out.path().join(&relative)).unwrap();
        assert_eq!(&raw[..2], &[0x1f, 0x8b], "gzip");
        std::fs::write(out.path().join("bad.jsonl.gz"), b"not gzip").unwrap();
        assert!(read(&out.path().join("bad.jsonl.gz")).is_err());
    }
}
