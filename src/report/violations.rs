//! `violations/<dataset>.csv`: one row per failing (row, rule), UTF-8 with a
//! BOM so Excel opens Vietnamese text correctly, values neutralised against
//! formula injection.

use std::borrow::Cow;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::engine::{Violation, Violations};
use crate::error::UsageError;
use crate::pack::RulePack;

use super::atomic::{AtomicFile, temp_file_beside, write_atomic};
use super::cell::neutralise_formula;

pub const HEADER: [&str; 11] = [
    "line",
    "key",
    "rule",
    "code",
    "dimension",
    "severity",
    "column",
    "value",
    "message",
    "detail",
    "suggestion",
];

/// Writes the file and returns the number of violations in it.
pub fn write_csv(path: &Path, violations: &Violations, mask: bool) -> Result<u64, UsageError> {
    write_atomic(path, |out| {
        out.write_all(b"\xEF\xBB\xBF")?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(HEADER)?;
        let count = violations.try_for_each(mask, |v| write_record(&mut w, &v))?;
        w.flush()?;
        Ok(count)
    })
}

fn write_record<W: Write>(w: &mut csv::Writer<W>, v: &Violation) -> csv::Result<()> {
    let line = v.line.map(|l| l.to_string()).unwrap_or_default();
    w.write_record([
        line.as_str(),
        &neutralise_formula(&v.key),
        &v.rule.id,
        v.rule.check.code(),
        v.rule.dimension.key(),
        match v.rule.severity {
            crate::pack::Severity::Warn => "warn",
            crate::pack::Severity::Error => "error",
        },
        &v.column,
        &neutralise_formula(&v.value),
        &neutralise_formula(&v.message),
        &neutralise_formula(v.detail.as_deref().unwrap_or("")),
        &neutralise_formula(v.suggestion.as_deref().unwrap_or("")),
    ])
}

/// The violations file of a dataset checked piece by piece (streaming
/// mode). Each piece's failing rows go to a temp file as the piece is
/// checked; [`PiecewiseCsv::finish`] writes the final file atomically: the
/// header, the dataset-level findings (decided only once every row is
/// counted), then the rows — the same file [`write_csv`] writes.
pub struct PiecewiseCsv {
    path: PathBuf,
    rows: csv::Writer<BufWriter<NamedTempFile>>,
    count: u64,
}

impl PiecewiseCsv {
    pub fn create(path: &Path) -> Result<PiecewiseCsv, UsageError> {
        let fail = |source: std::io::Error| UsageError::Output {
            path: path.to_path_buf(),
            source,
        };
        let tmp = temp_file_beside(path, ".ddss-rows-").map_err(fail)?;
        Ok(PiecewiseCsv {
            path: path.to_path_buf(),
            rows: csv::Writer::from_writer(BufWriter::with_capacity(1 << 16, tmp)),
            count: 0,
        })
    }

    /// Appends the failing rows of one piece.
    pub fn append(&mut self, violations: &Violations, mask: bool) -> Result<(), UsageError> {
        let rows = &mut self.rows;
        self.count += violations
            .try_for_each_row(mask, |v| write_record(rows, &v))
            .map_err(|e| UsageError::Output {
                path: self.path.clone(),
                source: e.into(),
            })?;
        Ok(())
    }

    /// Writes the file; `dataset_level` writes the dataset-level findings
    /// through the function it is given and returns how many. Returns the
    /// number of violations in the file.
    pub fn finish(
        self,
        dataset_level: impl FnOnce(&mut dyn FnMut(Violation<'_>) -> csv::Result<()>) -> csv::Result<u64>,
    ) -> Result<u64, UsageError> {
        let fail = |e: csv::Error| UsageError::Output {
            path: self.path.clone(),
            source: e.into(),
        };
        let rows = self
            .rows
            .into_inner()
            .map_err(|e| fail(csv::Error::from(e.into_error())))?;
        let mut rows = rows.into_inner().map_err(|e| fail(e.into_error().into()))?;
        let mut file = AtomicFile::create(&self.path)?;
        let out = file.writer();
        let mut count = self.count;
        let written: csv::Result<()> = (|| {
            out.write_all(b"\xEF\xBB\xBF")?;
            let mut w = csv::Writer::from_writer(&mut *out);
            w.write_record(HEADER)?;
            count += dataset_level(&mut |v| write_record(&mut w, &v))?;
            w.flush()?;
            drop(w);
            use std::io::Seek;
            rows.as_file_mut().seek(std::io::SeekFrom::Start(0))?;
            std::io::copy(rows.as_file_mut(), out)?;
            Ok(())
        })();
        written.map_err(fail)?;
        file.commit()?;
        Ok(count)
    }
}

/// Where a dataset's failures can be read again, for the workbook: in memory
/// (a dataset read whole), or the violations file already written (a
/// dataset checked piece by piece, whose rows are gone).
pub enum DatasetViolations<'a> {
    InMemory(Violations<'a>),
    Written { pack: &'a RulePack, csv: PathBuf },
}

impl DatasetViolations<'_> {
    /// Calls `f` for every violation in file order. A written file holds
    /// what `--mask` made of it, so `mask` only applies in memory.
    pub fn try_for_each<E: From<std::io::Error>>(
        &self,
        mask: bool,
        mut f: impl FnMut(Violation<'_>) -> Result<(), E>,
    ) -> Result<u64, E> {
        match self {
            DatasetViolations::InMemory(v) => v.try_for_each(mask, f),
            DatasetViolations::Written { pack, csv } => {
                let file = std::fs::File::open(csv)?;
                // The csv reader buffers itself.
                let mut reader = csv::ReaderBuilder::new()
                    .buffer_capacity(1 << 20)
                    .from_reader(file);
                let mut count = 0;
                // One record read into again and again; the text cells are
                // lent to `f`, not copied.
                let mut record = csv::StringRecord::new();
                while reader
                    .read_record(&mut record)
                    .map_err(|e| std::io::Error::other(e.to_string()))?
                {
                    let field = |i: usize| record.get(i).unwrap_or("");
                    let Some(rule) = pack.rules.iter().find(|r| r.id == field(2)) else {
                        continue;
                    };
                    let optional =
                        |i: usize| Some(field(i)).filter(|s| !s.is_empty()).map(Cow::Borrowed);
                    count += 1;
                    f(Violation {
                        line: field(0).parse().ok(),
                        key: field(1).to_string(),
                        rule,
                        column: field(6).to_string(),
                        value: Cow::Borrowed(field(7)),
                        message: Cow::Borrowed(field(8)),
                        detail: optional(9),
                        suggestion: optional(10),
                    })?;
                }
                Ok(count)
            }
        }
    }
}
