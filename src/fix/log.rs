//! What `ddss fix` writes besides the corrected copies: the change log
//! (every cell changed, for sign-off), the cells left for people to review,
//! and the split of a corrected export into valid and quarantined rows.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use crate::atomic::write_atomic;
use crate::error::UsageError;
use crate::pack::{RulePack, Severity};
use crate::report::violations::DatasetViolations;
use crate::results::DatasetResult;

/// One cell changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Physical line of the record in the original (and the corrected) file.
    pub line: u64,
    pub key: String,
    pub column: String,
    pub before: String,
    pub after: String,
    /// The rule the cell failed.
    pub rule: String,
    /// The fix applied.
    pub fix: &'static str,
}

/// One failing cell left as it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub line: u64,
    pub key: String,
    pub column: String,
    pub value: String,
    pub rule: String,
    /// The candidates, when there were several or the one failed a rule.
    pub candidates: Vec<String>,
    pub reason: String,
}

const CHANGES_HEADER: [&str; 7] = ["line", "key", "column", "before", "after", "rule", "fix"];
const REVIEW_HEADER: [&str; 7] = [
    "line",
    "key",
    "column",
    "value",
    "rule",
    "candidates",
    "reason",
];

fn write_csv(
    path: &Path,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<(), UsageError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| UsageError::Output {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    write_atomic(path, |out| {
        out.write_all(b"\xEF\xBB\xBF")?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(header)?;
        for row in rows {
            w.write_record(&row)?;
        }
        w.flush()?;
        Ok(())
    })
}

/// `changes/<dataset>.csv`, in line order.
pub fn write_changes(path: &Path, changes: &[Change]) -> Result<(), UsageError> {
    let mut sorted: Vec<&Change> = changes.iter().collect();
    sorted.sort_by(|a, b| (a.line, &a.column).cmp(&(b.line, &b.column)));
    write_csv(
        path,
        &CHANGES_HEADER,
        sorted.into_iter().map(|c| {
            vec![
                c.line.to_string(),
                c.key.clone(),
                c.column.clone(),
                c.before.clone(),
                c.after.clone(),
                c.rule.clone(),
                c.fix.to_string(),
            ]
        }),
    )
}

/// `review/<dataset>.csv`, in line order; candidates separated by ` | `.
pub fn write_reviews(path: &Path, reviews: &[Review]) -> Result<(), UsageError> {
    let mut sorted: Vec<&Review> = reviews.iter().collect();
    sorted.sort_by(|a, b| (a.line, &a.column).cmp(&(b.line, &b.column)));
    write_csv(
        path,
        &REVIEW_HEADER,
        sorted.into_iter().map(|r| {
            vec![
                r.line.to_string(),
                r.key.clone(),
                r.column.clone(),
                r.value.clone(),
                r.rule.clone(),
                r.candidates.join(" | "),
                r.reason.clone(),
            ]
        }),
    )
}

/// Divides the corrected export at `corrected` into `valid/<file>` (rows
/// failing no `error` rule) and `quarantine/<file>` (the others, with the
/// rules and messages in `ddss_quy_tac` and `ddss_ly_do`), using the
/// validation of that very file (`d`, its violations in `out_dir`).
/// Returns (valid rows, quarantined rows).
pub fn split(
    corrected: &Path,
    d: &DatasetResult,
    pack: &RulePack,
    out_dir: &Path,
    file_name: &str,
    delimiter: u8,
) -> Result<(u64, u64), UsageError> {
    let mut reasons: HashMap<u64, (Vec<String>, Vec<String>)> = HashMap::new();
    if let Some(file) = &d.violations_file {
        DatasetViolations::Written {
            pack,
            csv: out_dir.join(file),
        }
        .try_for_each(false, |v| {
            if let Some(line) = v.line.filter(|_| v.rule.severity == Severity::Error) {
                let entry = reasons.entry(line).or_default();
                if !entry.0.contains(&v.rule.id) {
                    entry.0.push(v.rule.id.clone());
                    entry.1.push(v.message.to_string());
                }
            }
            Ok::<(), std::io::Error>(())
        })
        .map_err(|source| UsageError::Output {
            path: out_dir.join(file),
            source,
        })?;
    }
    let io = |source| UsageError::Output {
        path: corrected.to_path_buf(),
        source,
    };
    let mut records = super::RawRecords::open(corrected, delimiter).map_err(io)?;
    let (mut valid, mut quarantined) = (0u64, 0u64);
    let valid_path = out_dir.join("valid").join(file_name);
    let quarantine_path = out_dir.join("quarantine").join(file_name);
    for dir in [valid_path.parent(), quarantine_path.parent()]
        .into_iter()
        .flatten()
    {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut valid_file = crate::atomic::AtomicFile::create(&valid_path)?;
    let mut quarantine_file = crate::atomic::AtomicFile::create(&quarantine_path)?;
    {
        valid_file.writer().write_all(b"\xEF\xBB\xBF").map_err(io)?;
        quarantine_file
            .writer()
            .write_all(b"\xEF\xBB\xBF")
            .map_err(io)?;
        let mut v = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(valid_file.writer());
        let mut q = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(quarantine_file.writer());
        let csv_err = |e: csv::Error| io(std::io::Error::other(e));
        let mut header = true;
        while let Some(record) = records.next_record().map_err(io)? {
            if record.blank {
                continue;
            }
            let mut cells = super::fields(&record.bytes, delimiter, encoding_rs::UTF_8);
            if header {
                v.write_record(&cells).map_err(csv_err)?;
                cells.extend(["ddss_quy_tac".to_string(), "ddss_ly_do".to_string()]);
                q.write_record(&cells).map_err(csv_err)?;
                header = false;
                continue;
            }
            match reasons.get(&record.line) {
                None => {
                    v.write_record(&cells).map_err(csv_err)?;
                    valid += 1;
                }
                Some((rules, messages)) => {
                    cells.push(rules.join(","));
                    cells.push(messages.join("; "));
                    q.write_record(&cells).map_err(csv_err)?;
                    quarantined += 1;
                }
            }
        }
        v.flush().map_err(io)?;
        q.flush().map_err(io)?;
    }
    valid_file.commit()?;
    quarantine_file.commit()?;
    Ok((valid, quarantined))
}
