//! `violations/<dataset>.csv`: one row per failing (row, rule), UTF-8 with a
//! BOM so Excel opens Vietnamese text correctly, values neutralised against
//! formula injection.

use std::borrow::Cow;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::cell::neutralise_formula;
use crate::atomic::{AtomicFile, temp_file_beside, write_atomic};
use crate::engine::{DatasetLevel, RowSink, RowSinks, Violation, Violations};
use crate::error::UsageError;
use crate::pack::RulePack;

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
    let [_, text @ ..] = fields(v);
    write_fields(w, &line, text.each_ref().map(|c| c.as_ref()))
}

/// The text columns of a violation (all but `line`), in [`HEADER`] order,
/// as they are — not yet neutralised for a spreadsheet.
pub fn fields<'v>(v: &'v Violation) -> [&'v str; 11] {
    [
        "",
        &v.key,
        &v.rule.id,
        v.rule.check.code(),
        v.rule.dimension.key(),
        match v.rule.severity {
            crate::pack::Severity::Warn => "warn",
            crate::pack::Severity::Error => "error",
        },
        &v.column,
        &v.value,
        &v.message,
        v.detail.as_deref().unwrap_or(""),
        v.suggestion.as_deref().unwrap_or(""),
    ]
}

/// Writes one record: `line`, then the ten text columns of [`fields`],
/// the values that come from the data neutralised against formulas.
fn write_fields<W: Write>(w: &mut csv::Writer<W>, line: &str, text: [&str; 10]) -> csv::Result<()> {
    let [
        key,
        rule,
        code,
        dimension,
        severity,
        column,
        value,
        message,
        detail,
        suggestion,
    ] = text;
    w.write_record([
        line,
        &neutralise_formula(key),
        rule,
        code,
        dimension,
        severity,
        column,
        &neutralise_formula(value),
        &neutralise_formula(message),
        &neutralise_formula(detail),
        &neutralise_formula(suggestion),
    ])
}

/// Writes `violations/<dataset>.csv` from failing rows a distributed runner
/// collected: `rows` holds the [`HEADER`] columns (`line` an integer, the
/// rest text), in any order; they are written by line, after the
/// dataset-level findings, exactly as the CLI writes the file. Returns the
/// number of violations written.
pub fn write_collected(
    path: &Path,
    dataset_level: DatasetLevel<'_>,
    rows: &polars::prelude::DataFrame,
) -> Result<u64, UsageError> {
    use polars::prelude::*;
    let fail = |e: PolarsError| UsageError::Batch(format!("violations table: {e}"));
    let sorted = rows
        .sort(
            ["line"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .map_err(fail)?;
    let line = sorted
        .column("line")
        .and_then(|c| c.cast(&DataType::UInt64))
        .map_err(fail)?;
    let line = line.u64().map_err(fail)?.clone();
    let mut text: Vec<StringChunked> = Vec::with_capacity(10);
    for name in &HEADER[1..] {
        let column = sorted.column(name).map_err(fail)?;
        text.push(column.str().map_err(fail)?.rechunk().into_owned());
    }
    write_atomic(path, |out| {
        out.write_all(b"\xEF\xBB\xBF")?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(HEADER)?;
        let mut count = dataset_level(&mut |v| write_record(&mut w, &v))?;
        for (row, n) in line.iter().enumerate() {
            let number = n.map(|n| n.to_string()).unwrap_or_default();
            let cells: [&str; 10] = std::array::from_fn(|c| text[c].get(row).unwrap_or(""));
            write_fields(&mut w, &number, cells)?;
            count += 1;
        }
        w.flush()?;
        Ok(count)
    })
}

/// The violations files of a run, `<out>/violations/<dataset>.csv`: the
/// engine's [`RowSinks`] for the CLI. With `mask`, personal data is masked
/// in the files too.
#[derive(Debug, Clone)]
pub struct CsvSinks {
    pub out_dir: PathBuf,
    pub mask: bool,
}

impl CsvSinks {
    /// The folder the files go in, created if missing.
    pub fn create(out_dir: &Path, mask: bool) -> Result<CsvSinks, UsageError> {
        let folder = out_dir.join("violations");
        std::fs::create_dir_all(&folder).map_err(|source| UsageError::Output {
            path: folder,
            source,
        })?;
        Ok(CsvSinks {
            out_dir: out_dir.to_path_buf(),
            mask,
        })
    }

    fn relative(name: &str) -> String {
        format!("violations/{name}.csv")
    }
}

impl RowSinks for CsvSinks {
    fn open(&self, name: &str, _pack: &RulePack) -> Result<Box<dyn RowSink>, UsageError> {
        let path = self.out_dir.join(Self::relative(name));
        Ok(Box::new(PiecewiseCsv::create(&path, self.mask)?))
    }

    fn location(&self, name: &str) -> Option<String> {
        Some(Self::relative(name))
    }
}

/// The violations file of one dataset, written batch by batch (a whole
/// file is one batch, a streamed file one batch a piece). Each batch's
/// failing rows go to a temp file as it is checked; [`RowSink::finish`]
/// writes the final file atomically: the header, the dataset-level findings
/// (decided only once every row is counted), then the rows — the same file
/// [`write_csv`] writes from violations held in memory.
pub struct PiecewiseCsv {
    path: PathBuf,
    rows: csv::Writer<BufWriter<NamedTempFile>>,
    count: u64,
    mask: bool,
}

impl PiecewiseCsv {
    pub fn create(path: &Path, mask: bool) -> Result<PiecewiseCsv, UsageError> {
        let fail = |source: std::io::Error| UsageError::Output {
            path: path.to_path_buf(),
            source,
        };
        let tmp = temp_file_beside(path, ".ddss-rows-").map_err(fail)?;
        Ok(PiecewiseCsv {
            path: path.to_path_buf(),
            rows: csv::Writer::from_writer(BufWriter::with_capacity(1 << 16, tmp)),
            count: 0,
            mask,
        })
    }
}

impl RowSink for PiecewiseCsv {
    /// Appends the failing rows of one batch.
    fn append(&mut self, violations: &Violations) -> Result<(), UsageError> {
        let rows = &mut self.rows;
        self.count += violations
            .try_for_each_row(self.mask, |v| write_record(rows, &v))
            .map_err(|e| UsageError::Output {
                path: self.path.clone(),
                source: e.into(),
            })?;
        Ok(())
    }

    /// Writes the file; `dataset_level` writes the dataset-level findings
    /// through the function it is given and returns how many. Returns the
    /// number of violations in the file.
    fn finish(self: Box<Self>, dataset_level: DatasetLevel<'_>) -> Result<u64, UsageError> {
        let this = *self;
        let fail = |e: csv::Error| UsageError::Output {
            path: this.path.clone(),
            source: e.into(),
        };
        let rows = this
            .rows
            .into_inner()
            .map_err(|e| fail(csv::Error::from(e.into_error())))?;
        let mut rows = rows.into_inner().map_err(|e| fail(e.into_error().into()))?;
        let mut file = AtomicFile::create(&this.path)?;
        let out = file.writer();
        let mut count = this.count;
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
/// (a table validated by a library caller), or the violations file already
/// written (every dataset of a run, whose rows are gone by then).
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
