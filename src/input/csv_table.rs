//! CSV → all-text polars table, with the physical line of every row.
//!
//! ddss parses CSV itself (`records`: lines for quote-free text, the `csv`
//! crate otherwise) rather than with polars' reader because
//! data officers need exact physical line numbers (quoted fields may span
//! lines), a per-line report of ragged rows and invalid bytes instead of one
//! error for the whole file, and legacy encodings. The table is built once;
//! the lazy query then runs over it in memory.

use std::borrow::Cow;
use std::path::Path;

use std::sync::atomic::{AtomicU64, Ordering};

use polars::prelude::*;
use rayon::prelude::*;

use super::quoting::scan_record;
use super::records::{
    Record, RecordText, Span, for_each_record, for_each_record_prefix, split_points,
};
use super::sniff_delimiter;
use crate::error::ReadError;
use crate::model::{ROW_DEFECTS_COLUMN, RowDefect};

/// Structural problems kept in full; beyond this only the count grows, so a
/// file that is wrong on every line cannot exhaust memory.
pub const MAX_PROBLEMS_KEPT: usize = 1000;

#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub delimiter: Option<u8>,
    /// WHATWG label; `None` = UTF-8 unless the file starts with a BOM.
    pub encoding: Option<String>,
    /// Cell values meaning "missing" besides empty/whitespace-only cells
    /// (compared trimmed and ASCII-case-insensitively).
    pub missing_values: Vec<String>,
}

/// A structural problem at one physical line.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    pub line: u64,
    pub message: String,
    pub kind: ProblemKind,
}

/// What a structural problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ProblemKind {
    /// A defect of one row, marked on the row and scored by its structural rule.
    Row(RowDefect),
    /// The header line: blank or repeated names, renamed.
    Header,
    /// Worth telling, but nothing was lost: a line of only spaces, a file
    /// with no data rows.
    Notice,
}

impl Problem {
    /// Whether the file was read only in part because of it.
    pub fn is_partial_read(&self) -> bool {
        match self.kind {
            ProblemKind::Row(defect) => defect.loses_data(),
            ProblemKind::Header => true,
            ProblemKind::Notice => false,
        }
    }

    /// The row defect it is, if it marks a row.
    pub fn defect(&self) -> Option<RowDefect> {
        match self.kind {
            ProblemKind::Row(defect) => Some(defect),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    /// Text columns named by the header; null = missing cell.
    pub frame: DataFrame,
    pub header: Vec<String>,
    /// Physical line (1-based) where each data row starts.
    pub lines: Vec<u64>,
    pub problems: Vec<Problem>,
    /// All structural problems, including those not kept.
    pub problem_count: u64,
    pub delimiter: u8,
    pub encoding: String,
    pub bytes: u64,
}

/// Reads `path`; `progress` is called with the number of bytes parsed.
pub fn read_table(
    path: &Path,
    options: &ReadOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Table, ReadError> {
    read_table_in_parts(path, options, progress, None)
}

/// [`read_table`], cutting the rows into `parts` chunks (default: one per
/// thread for files of 4 MiB or more).
fn read_table_in_parts(
    path: &Path,
    options: &ReadOptions,
    progress: &(dyn Fn(u64) + Sync),
    parts: Option<usize>,
) -> Result<Table, ReadError> {
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let file_len = bytes.len() as u64;
    let (text, encoding) = decode(path, &bytes, options.encoding.as_deref())?;
    if text.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ReadError::Empty {
            path: path.to_path_buf(),
        });
    }
    let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(&text));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(&text[..]);

    let mut problems = Problems::default();
    let mut record = csv::ByteRecord::new();
    let csv_error = |e: csv::Error| ReadError::Csv {
        path: path.to_path_buf(),
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    };
    if !reader.read_byte_record(&mut record).map_err(csv_error)? {
        return Err(ReadError::Empty {
            path: path.to_path_buf(),
        });
    }
    let header = header_names(&record, &mut problems);
    let missing: Vec<&str> = options.missing_values.iter().map(|m| m.trim()).collect();

    // The rows after the header, cut into record-aligned chunks parsed in
    // parallel; each chunk knows the physical line it starts on.
    let body_start = reader.position().byte() as usize;
    let first_line = reader.position().line();
    let body = &text[body_start.min(text.len())..];
    let parts = parts.unwrap_or(if body.len() >= PARALLEL_MIN_BYTES {
        rayon::current_num_threads()
    } else {
        1
    });
    let parsed = AtomicU64::new(body_start as u64);
    let shared = ChunkContext {
        path,
        delimiter,
        header: &header,
        missing: &missing,
        keep: None,
        progress: &|delta| progress(parsed.fetch_add(delta, Ordering::Relaxed) + delta),
    };
    let mut rows = parse_records(body, first_line, &shared, parts)?;
    progress(text.len() as u64);
    let frame = rows.frame(path, &header)?;
    problems.absorb(std::mem::take(&mut rows.problems));
    let lines = rows.lines;
    Ok(Table {
        frame,
        header,
        lines,
        problem_count: problems.count,
        problems: problems.kept,
        delimiter,
        encoding,
        bytes: file_len,
    })
}

/// Parses `body` — whole records whose first line is physical line
/// `first_line` — cut into about `parts` record-aligned pieces parsed on the
/// thread pool, and joins the pieces in file order.
pub(super) fn parse_records(
    body: &[u8],
    first_line: u64,
    ctx: &ChunkContext,
    parts: usize,
) -> Result<Chunk, ReadError> {
    let bounds = split_points(body, ctx.delimiter, parts);
    // Newlines before each piece's start; the last piece's own are not
    // needed, so a body read in one piece is not scanned for them at all.
    let newlines: Vec<u64> = bounds[..bounds.len() - 1]
        .par_windows(2)
        .map(|w| memchr::memchr_iter(b'\n', &body[w[0]..w[1]]).count() as u64)
        .collect();
    let pieces: Vec<Chunk> = bounds
        .par_windows(2)
        .enumerate()
        .map(|(i, w)| {
            let line = first_line + newlines[..i].iter().sum::<u64>();
            parse_chunk(&body[w[0]..w[1]], line, ctx)
        })
        .collect::<Result<_, _>>()?;
    let mut all = Chunk {
        columns: Vec::new(),
        lines: Vec::with_capacity(pieces.iter().map(|c| c.lines.len()).sum()),
        row_defects: Vec::new(),
        problems: Problems::default(),
    };
    for piece in pieces {
        all.lines.extend(piece.lines);
        all.row_defects.extend(piece.row_defects);
        all.problems.absorb(piece.problems);
        if all.columns.is_empty() {
            all.columns = piece.columns;
            continue;
        }
        for (acc, column) in all.columns.iter_mut().zip(piece.columns) {
            acc.append_owned(column).map_err(|e| ReadError::Frame {
                path: ctx.path.to_path_buf(),
                message: e.to_string(),
            })?;
        }
    }
    Ok(all)
}

/// Visits every record of `body` (whole records) without building columns:
/// `body` is cut into about `parts` record-aligned pieces, each visited on the
/// thread pool with its own state from `init`; the states come back in file
/// order. The records are those [`parse_records`] reads, in the same order;
/// of each, at least the first `fields` fields are given (all, when there
/// are fewer).
pub fn scan_records<T: Send>(
    body: &[u8],
    delimiter: u8,
    parts: usize,
    fields: usize,
    init: impl Fn() -> T + Sync,
    visit: impl Fn(&mut T, &Record) + Sync,
) -> Vec<T> {
    let bounds = split_points(body, delimiter, parts);
    bounds
        .par_windows(2)
        .map(|w| {
            let mut state = init();
            // Reading bytes from a slice with flexible records cannot fail.
            let _ = for_each_record_prefix(&body[w[0]..w[1]], delimiter, fields, |_, record| {
                visit(&mut state, record)
            });
            state
        })
        .collect()
}

/// A cell as the table holds it: `None` when blank or a missing-value token
/// (see [`append_cell`]); invalid UTF-8 replaced.
pub fn cell_value<'f>(field: Result<&'f str, &'f [u8]>, missing: &[&str]) -> Option<Cow<'f, str>> {
    let value = match field {
        Ok(s) => Cow::Borrowed(s),
        Err(bytes) => Cow::Owned(String::from_utf8_lossy(bytes).into_owned()),
    };
    (!is_missing(&value, missing)).then_some(value)
}

/// Below this, one thread parses the whole file (splitting costs more).
pub(super) const PARALLEL_MIN_BYTES: usize = 4 << 20;

pub(super) struct ChunkContext<'a> {
    pub path: &'a Path,
    pub delimiter: u8,
    pub header: &'a [String],
    pub missing: &'a [&'a str],
    /// Columns to keep (by position); the others are read as all-missing.
    /// `None` keeps every column.
    pub keep: Option<&'a [bool]>,
    /// Called with the bytes parsed since the last call.
    pub progress: &'a (dyn Fn(u64) + Sync),
}

#[derive(Default)]
pub(super) struct Chunk {
    columns: Vec<StringChunked>,
    pub lines: Vec<u64>,
    /// Each row's [`RowDefect`] bits.
    pub row_defects: Vec<u8>,
    pub problems: Problems,
}

impl Chunk {
    /// The columns as a frame named by `header` (empty columns when the
    /// body held no record), with the rows' defects in
    /// [`ROW_DEFECTS_COLUMN`].
    pub fn frame(&mut self, path: &Path, header: &[String]) -> Result<DataFrame, ReadError> {
        let mut columns: Vec<Column> = header
            .iter()
            .enumerate()
            .map(|(i, name)| {
                self.columns
                    .get_mut(i)
                    .map(std::mem::take)
                    .unwrap_or_else(|| {
                        StringChunked::full_null(name.as_str().into(), self.lines.len())
                    })
                    .into_column()
            })
            .collect();
        columns.push(defects_column(std::mem::take(&mut self.row_defects)));
        DataFrame::new(self.lines.len(), columns).map_err(|e| ReadError::Frame {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }
}

/// Parses whole records of `data`, whose first line is physical line
/// `first_line` of the file.
fn parse_chunk(data: &[u8], first_line: u64, ctx: &ChunkContext) -> Result<Chunk, ReadError> {
    let width = ctx.header.len();
    let mut problems = Problems::default();
    let csv_error = |e: csv::Error| ReadError::Csv {
        path: ctx.path.to_path_buf(),
        line: e.position().map_or(1, |p| p.line()) + first_line - 1,
        message: e.to_string(),
    };
    let estimated_rows = (data.len() / (16 * width.max(1))).max(16);
    let mut builders: Vec<StringChunkedBuilder> = ctx
        .header
        .iter()
        .map(|h| StringChunkedBuilder::new(h.as_str().into(), estimated_rows))
        .collect();
    let mut lines = Vec::with_capacity(estimated_rows);
    let mut row_defects: Vec<u8> = Vec::with_capacity(estimated_rows);
    // One scan of the piece: most pieces have no NUL byte to look for.
    let has_nul = memchr::memchr(0, data).is_some();
    let mut reported = 0;
    // Lines are counted here from byte offsets, not taken from the reader:
    // it numbers records after a CR LF (Windows exports) one line short.
    let mut cursor = 0usize;
    let mut cursor_line = first_line;
    for_each_record(data, ctx.delimiter, |span, record| {
        let Span { first, end } = span;
        // Between the last counted byte and this record lie only the previous
        // record's terminator and blank lines: a few bytes.
        cursor_line += data[cursor..first].iter().filter(|b| **b == b'\n').count() as u64;
        let line = cursor_line;
        let content = &data[first..end];
        // One scan for both: without a quote, a newline cannot be inside.
        let inner_lines = match memchr::memchr2(b'\n', b'"', content) {
            None => 0,
            Some(_) => memchr::memchr_iter(b'\n', content).count() as u64,
        };
        cursor = end;
        cursor_line = line + inner_lines;
        let last_line = line + inner_lines;
        if width > 1 && is_blank_record(content) {
            problems.push(
                line,
                ProblemKind::Notice,
                "the line holds only spaces or tabs; it is not read as a record (delete it)"
                    .to_string(),
            );
            return;
        }
        let mut defects = 0u8;
        let mut flag = |defect: RowDefect, message: String| {
            defects |= defect.bit();
            problems.push(line, ProblemKind::Row(defect), message);
        };
        let column = |i: usize| {
            ctx.header
                .get(i)
                .map_or_else(|| format!("field {}", i + 1), |name| format!("column '{name}'"))
        };
        if has_quote(content) {
            let quoting = scan_record(content, ctx.delimiter);
            if quoting.unclosed {
                let lines = if last_line > line {
                    format!("lines {line}–{last_line} were read as one value")
                } else {
                    "the rest of the line was read as one value".to_string()
                };
                flag(
                    RowDefect::UnclosedQuote,
                    format!(
                        "a double quote opened on this line is never closed: the file ends inside it and {lines}; close the quote, or double it (\"\") if it belongs to the text"
                    ),
                );
            }
            if let Some(i) = quoting.text_after_close_in {
                flag(
                    RowDefect::StrayQuote,
                    format!(
                        "{}: text after the closing double quote (\"abc\"def is read as abcdef); quote the whole value or remove the quotes",
                        column(i)
                    ),
                );
            } else if let Some(i) = quoting.stray_in {
                flag(
                    RowDefect::StrayQuote,
                    format!(
                        "{}: a double quote inside a value that does not start with one (ab\"c); quote the whole value and double the quote inside: \"ab\"\"c\"",
                        column(i)
                    ),
                );
            }
        }
        if record.len() != width {
            let mut message = format!("{} fields, but the header has {width}", record.len());
            if inner_lines > 0 {
                message.push_str(&format!(
                    "; the record runs to line {last_line}: look for an unbalanced double quote"
                ));
            } else if record.len() > width {
                message.push_str(
                    "; the extra fields are ignored (an unquoted delimiter inside a value?)",
                );
            } else {
                message.push_str("; the missing fields count as empty");
            }
            flag(RowDefect::Ragged, message);
        }
        if has_nul {
            if let Some(i) = (0..record.len()).find(|&i| record.get(i).is_some_and(|f| f.contains(&0))) {
                flag(
                    RowDefect::Nul,
                    format!(
                        "{} holds a NUL byte (\\0), which no text value has; the file may be UTF-16 (set dataset.encoding) or damaged",
                        column(i)
                    ),
                );
            }
        }
        let text = RecordText::new(record);
        let mut invalid: Option<usize> = None;
        for (i, builder) in builders.iter_mut().enumerate() {
            if ctx.keep.is_some_and(|keep| !keep[i]) {
                continue;
            }
            match text.field(i) {
                None => builder.append_null(),
                Some(field) => match field {
                    Ok(s) => append_cell(builder, s, ctx.missing),
                    Err(field) => {
                        invalid.get_or_insert(i);
                        append_cell(builder, &String::from_utf8_lossy(field), ctx.missing);
                    }
                },
            }
        }
        if let Some(i) = invalid {
            flag(
                RowDefect::InvalidText,
                format!(
                    "{} is not valid UTF-8; if the file is in another encoding set dataset.encoding (e.g. \"windows-1258\")",
                    column(i)
                ),
            );
        }
        row_defects.push(defects);
        lines.push(line);
        if lines.len() % 65_536 == 0 {
            (ctx.progress)((end - reported) as u64);
            reported = end;
        }
    })
    .map_err(csv_error)?;
    let rows = lines.len();
    Ok(Chunk {
        columns: builders
            .into_iter()
            .enumerate()
            .map(|(i, b)| match ctx.keep {
                Some(keep) if !keep[i] => {
                    StringChunked::full_null(ctx.header[i].as_str().into(), rows)
                }
                _ => b.finish(),
            })
            .collect(),
        lines,
        row_defects,
        problems,
    })
}

/// The hidden column of each row's [`RowDefect`] bits.
pub fn defects_column(defects: Vec<u8>) -> Column {
    // 32-bit: the polars build has no 8-bit integers (one feature less).
    UInt32Chunked::from_iter_values(
        ROW_DEFECTS_COLUMN.into(),
        defects.into_iter().map(u32::from),
    )
    .into_column()
}

fn has_quote(content: &[u8]) -> bool {
    memchr::memchr(b'"', content).is_some()
}

/// A line of nothing but spaces and tabs: no record, though the `csv` crate
/// reads it as one with a single field.
fn is_blank_record(content: &[u8]) -> bool {
    content.iter().all(|b| matches!(b, b' ' | b'\t'))
}

fn append_cell(builder: &mut StringChunkedBuilder, value: &str, missing: &[&str]) {
    if is_missing(value, missing) {
        builder.append_null();
    } else {
        builder.append_value(value);
    }
}

/// Blank, whitespace-only, or one of the pack's missing-value tokens
/// (trimmed, ASCII-case-insensitive).
pub(crate) fn is_missing(value: &str, missing: &[&str]) -> bool {
    let bytes = value.as_bytes();
    // Most cells start and end with a visible ASCII byte: nothing to trim.
    let trimmed = match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => value,
        _ => value.trim(),
    };
    trimmed.is_empty() || missing.iter().any(|m| m.eq_ignore_ascii_case(trimmed))
}

#[derive(Default)]
pub(super) struct Problems {
    pub kept: Vec<Problem>,
    pub count: u64,
}

impl Problems {
    /// Adds `other`'s problems after these, keeping at most
    /// [`MAX_PROBLEMS_KEPT`] in full.
    pub fn absorb(&mut self, other: Problems) {
        let unkept = other.count - other.kept.len() as u64;
        for p in other.kept {
            self.add(p);
        }
        self.count += unkept;
    }

    pub fn push(&mut self, line: u64, kind: ProblemKind, message: String) {
        self.add(Problem {
            line,
            message,
            kind,
        });
    }

    fn add(&mut self, problem: Problem) {
        self.count += 1;
        if self.kept.len() < MAX_PROBLEMS_KEPT {
            self.kept.push(problem);
        }
    }
}

/// Header names, trimmed; blank or repeated names get a positional name and
/// a problem, since polars needs unique column names.
pub(super) fn header_names(record: &csv::ByteRecord, problems: &mut Problems) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(record.len());
    // A set, not a search of `names`: a header of 100,000 columns is read in
    // linear time.
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (i, raw) in record.iter().enumerate() {
        let name = String::from_utf8_lossy(raw)
            .trim()
            .trim_start_matches('\u{feff}')
            .to_string();
        let unique = if name.is_empty() {
            problems.push(
                1,
                ProblemKind::Header,
                format!("column {} has no name in the header", i + 1),
            );
            format!("column_{}", i + 1)
        } else if seen.contains(&name) {
            problems.push(
                1,
                ProblemKind::Header,
                format!("column name '{name}' appears twice in the header"),
            );
            format!("{name}_{}", i + 1)
        } else if name.starts_with(RESERVED_PREFIX) {
            problems.push(
                1,
                ProblemKind::Header,
                format!("column name '{name}' starts with {RESERVED_PREFIX}, which ddss keeps for itself; it is read as 'x{name}'"),
            );
            format!("x{name}")
        } else {
            name
        };
        seen.insert(unique.clone());
        names.push(unique);
    }
    names
}

/// Names ddss gives its own hidden columns start with this.
const RESERVED_PREFIX: &str = "__ddss_";

/// A file with no byte-order mark and no declared encoding is read as UTF-8;
/// one that is plainly UTF-16 is refused with what to set instead of
/// hundreds of "not valid UTF-8" problems.
pub(super) fn check_not_utf16(path: &Path, head: &[u8]) -> Result<(), ReadError> {
    match super::sniff::utf16_without_bom(head) {
        None => Ok(()),
        Some(encoding) => Err(ReadError::Utf16WithoutBom {
            path: path.to_path_buf(),
            encoding: encoding.name().to_string(),
            label: encoding.name().to_lowercase(),
        }),
    }
}

/// The file as UTF-8 bytes. A BOM wins; then the pack's encoding; then
/// UTF-8 (invalid bytes are reported per line, not here).
pub(super) fn decode<'a>(
    path: &Path,
    bytes: &'a [u8],
    label: Option<&str>,
) -> Result<(Cow<'a, [u8]>, String), ReadError> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        if encoding == encoding_rs::UTF_8 {
            return Ok((Cow::Borrowed(&bytes[bom_len..]), "utf-8".into()));
        }
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return Ok((
            Cow::Owned(text.into_owned().into_bytes()),
            encoding.name().to_lowercase(),
        ));
    }
    let encoding = match label {
        None => {
            check_not_utf16(path, bytes)?;
            encoding_rs::UTF_8
        }
        Some(l) => encoding_rs::Encoding::for_label(l.as_bytes()).ok_or_else(|| {
            ReadError::UnknownEncoding {
                path: path.to_path_buf(),
                label: l.to_string(),
            }
        })?,
    };
    if encoding == encoding_rs::UTF_8 {
        return Ok((Cow::Borrowed(bytes), "utf-8".into()));
    }
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    Ok((
        Cow::Owned(text.into_owned().into_bytes()),
        encoding.name().to_lowercase(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(content: &[u8], options: ReadOptions) -> Table {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, content).unwrap();
        read_table(&path, &options, &|_| {}).unwrap()
    }

    fn cells(t: &Table, column: &str) -> Vec<Option<String>> {
        t.frame
            .column(column)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    }

    #[test]
    fn physical_lines_follow_multiline_quoted_fields() {
        let t = read(b"a,b\n1,\"x\ny\"\n2,z\n", ReadOptions::default());
        assert_eq!(t.lines, vec![2, 4]);
        assert_eq!(cells(&t, "b"), vec![Some("x\ny".into()), Some("z".into())]);
        assert!(t.problems.is_empty());
    }

    #[test]
    fn ragged_rows_are_reported_and_padded() {
        let t = read(b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n", ReadOptions::default());
        assert_eq!(t.frame.height(), 3);
        assert_eq!(
            t.problems.iter().map(|p| p.line).collect::<Vec<_>>(),
            vec![3, 4]
        );
        assert_eq!(
            cells(&t, "c"),
            vec![Some("3".into()), None, Some("8".into())]
        );
    }

    #[test]
    fn unbalanced_quote_is_pointed_at() {
        let t = read(b"a,b\n1,\"oops\n2,x\n3,y\n", ReadOptions::default());
        assert_eq!(t.problems.len(), 1, "{:?}", t.problems);
        assert_eq!(t.problems[0].line, 2);
        assert!(
            t.problems[0].message.contains("never closed"),
            "{}",
            t.problems[0].message
        );
    }

    #[test]
    fn invalid_utf8_is_reported_with_line_and_replaced() {
        let t = read(b"a\nok\nbad\xff\n", ReadOptions::default());
        assert_eq!(t.problems.len(), 1);
        assert_eq!(t.problems[0].line, 3);
        assert_eq!(cells(&t, "a")[1].as_deref(), Some("bad\u{fffd}"));
    }

    #[test]
    fn missing_tokens_bom_and_semicolons() {
        let t = read(
            "\u{feff}ma;tên\n01; NULL \n02;  \n03;Nguyễn\n".as_bytes(),
            ReadOptions {
                missing_values: vec!["null".into()],
                ..Default::default()
            },
        );
        assert_eq!(t.delimiter, b';');
        assert_eq!(t.header, vec!["ma".to_string(), "tên".to_string()]);
        assert_eq!(cells(&t, "tên"), vec![None, None, Some("Nguyễn".into())]);
    }

    #[test]
    fn declared_legacy_encoding_is_decoded() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1258.encode("ten\nVăn Đông\n");
        let t = read(
            &bytes,
            ReadOptions {
                encoding: Some("windows-1258".into()),
                ..Default::default()
            },
        );
        assert_eq!(cells(&t, "ten"), vec![Some("Văn Đông".into())]);
        assert_eq!(t.encoding, "windows-1258");
    }

    #[test]
    fn duplicate_and_blank_header_names_are_renamed() {
        let t = read(b"a,a,\n1,2,3\n", ReadOptions::default());
        assert_eq!(
            t.header,
            vec!["a".to_string(), "a_2".to_string(), "column_3".to_string()]
        );
        assert_eq!(t.problem_count, 2);
    }

    proptest::proptest! {
        /// Whatever the cells (quotes, delimiters, line breaks, Vietnamese
        /// text), a well-formed CSV reads back cell for cell, with each row's
        /// physical line where the writer put it.
        #[test]
        fn well_formed_csv_reads_back_exactly(
            rows in proptest::collection::vec(proptest::collection::vec("[a-zA-Zà-ỹ0-9 ,;\"\n]{0,8}", 3), 1..20)
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("p.csv");
            let mut w = csv::Writer::from_path(&path).unwrap();
            w.write_record(["a", "b", "c"]).unwrap();
            let mut expected_lines = Vec::new();
            let mut line = 2u64;
            for r in &rows {
                w.write_record(r).unwrap();
                expected_lines.push(line);
                line += 1 + r.iter().map(|c| c.matches('\n').count() as u64).sum::<u64>();
            }
            w.flush().unwrap();
            drop(w);
            let t = read_table(&path, &ReadOptions { delimiter: Some(b','), ..Default::default() }, &|_| {}).unwrap();
            proptest::prop_assert_eq!(t.problem_count, 0);
            // Three columns: even an all-empty row is written as ",,", not as a blank line.
            let kept: Vec<usize> = (0..rows.len()).collect();
            proptest::prop_assert_eq!(t.frame.height(), kept.len());
            for (out, i) in kept.iter().enumerate() {
                proptest::prop_assert_eq!(t.lines[out], expected_lines[*i]);
                for (j, name) in ["a", "b", "c"].iter().enumerate() {
                    let cell = &rows[*i][j];
                    let expected = if cell.trim().is_empty() { None } else { Some(cell.clone()) };
                    proptest::prop_assert_eq!(cells(&t, name)[out].clone(), expected);
                }
            }
        }
    }

    proptest::proptest! {
        /// Any bytes at all — stray and escaped quotes, CR, LF, ragged rows,
        /// invalid UTF-8 — read the same whether the rows are parsed in one
        /// piece or cut into chunks parsed in parallel: same cells, same
        /// lines, same problems.
        #[test]
        fn chunked_parse_equals_serial_parse(
            body in proptest::collection::vec(proptest::sample::select(
                b"ab ,\"\"\n\n\r\xff".to_vec()), 0..400),
            parts in 2usize..7,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("c.csv");
            let mut content = b"a,b,c\n".to_vec();
            content.extend(&body);
            content.extend(b"\nz,z,z\n");
            std::fs::write(&path, &content).unwrap();
            let options = ReadOptions { delimiter: Some(b','), ..Default::default() };
            let serial = read_table_in_parts(&path, &options, &|_| {}, Some(1));
            let chunked = read_table_in_parts(&path, &options, &|_| {}, Some(parts));
            match (serial, chunked) {
                (Ok(a), Ok(b)) => {
                    proptest::prop_assert!(a.frame.equals_missing(&b.frame), "{:?}\n{:?}", a.frame, b.frame);
                    proptest::prop_assert_eq!(a.lines, b.lines);
                    proptest::prop_assert_eq!(a.problems, b.problems);
                    proptest::prop_assert_eq!(a.problem_count, b.problem_count);
                }
                (a, b) => proptest::prop_assert_eq!(a.err().map(|e| e.to_string()), b.err().map(|e| e.to_string())),
            }
        }
    }

    #[test]
    fn windows_line_endings_keep_physical_lines() {
        let t = read(
            b"a,b\r\n1,2\r\n\r\n3,\"x\r\ny\"\r\n4,5\r\n",
            ReadOptions::default(),
        );
        assert_eq!(t.lines, vec![2, 4, 6]);
        assert_eq!(
            cells(&t, "a"),
            vec![Some("1".into()), Some("3".into()), Some("4".into())]
        );
        assert_eq!(t.problem_count, 0);
    }

    #[test]
    fn split_points_cut_only_between_records() {
        let body = b"x,\"a\nb\"\ny,\"c\"\"\nd\"\nz,e\"f\n\"g\nh\",i\n";
        for parts in 1..8 {
            let points = split_points(body, b',', parts);
            for p in &points[1..points.len() - 1] {
                // Record starts: "y,", "z,", "\"g" — never inside a quoted value.
                assert!(
                    [
                        body.iter().position(|b| *b == b'y').unwrap(),
                        body.iter().position(|b| *b == b'z').unwrap()
                    ]
                    .contains(p)
                        || body[*p..].starts_with(b"\"g"),
                    "cut at {p} with {parts} parts"
                );
            }
        }
    }

    #[test]
    fn empty_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.csv");
        std::fs::write(&path, b"\n  \n").unwrap();
        assert!(matches!(
            read_table(&path, &ReadOptions::default(), &|_| {}),
            Err(ReadError::Empty { .. })
        ));
    }
}
