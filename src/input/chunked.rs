//! Reading an export piece by piece, for files larger than the memory
//! budget (`ddss validate --memory-limit`).
//!
//! The file is read in blocks, decoded to UTF-8 as it goes (a legacy
//! encoding through `encoding_rs`' streaming decoder), and cut after the last
//! whole record of each block; the rest is carried into the next piece. Each
//! piece is parsed exactly as [`read_table`](super::read_table) parses a whole
//! file — same cells, same physical lines, same structural problems — so the
//! pieces of a file, put together, are the table read in one go.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::csv_table::check_not_utf16;
use super::csv_table::{
    Chunk, ChunkContext, PARALLEL_MIN_BYTES, Problems, header_names, parse_records,
};
use super::quoting::RecordEndFinder;
use super::records::{RecordEnds, last_record_end};
use super::{Problem, ProblemKind, ReadOptions, Table, sniff_delimiter};
use crate::error::ReadError;
use crate::model::RowDefect;

/// Threads to parse `body` on: one below the size where splitting pays.
pub fn parts_for(body: &[u8]) -> usize {
    if body.len() >= PARALLEL_MIN_BYTES {
        rayon::current_num_threads()
    } else {
        1
    }
}

/// Bytes read before the encoding is decided: enough to tell UTF-16 saved
/// without a byte-order mark.
const HEAD_BYTES: usize = 4096;

/// Bytes read from the file at a time, at most.
const BLOCK: usize = 4 << 20;

pub struct ChunkedReader {
    path: PathBuf,
    /// The export's bytes: a file, or bytes handed over by a runner that
    /// read them itself (Spark's `binaryFile`).
    file: Box<dyn Read + Send>,
    /// `None` when the file is UTF-8 already.
    decoder: Option<encoding_rs::Decoder>,
    raw: Vec<u8>,
    /// Decoded text not parsed yet; always starts at a record boundary.
    pending: Vec<u8>,
    eof: bool,
    /// Physical line of `pending[0]`.
    line: u64,
    header: Vec<String>,
    header_problems: Vec<Problem>,
    header_problem_count: u64,
    delimiter: u8,
    encoding: String,
    missing: Vec<String>,
    keep: Option<Vec<bool>>,
    chunk_bytes: usize,
    /// The longest a record may be; a longer one is skipped (`None`: no
    /// bound, the record is read whatever its length).
    record_limit: Option<usize>,
    /// A record just skipped for its length, reported with the next piece.
    skipped: Option<SkippedRecord>,
    read_bytes: u64,
    file_bytes: u64,
}

/// A record longer than the record limit: where it was.
struct SkippedRecord {
    line: u64,
    last_line: u64,
    /// The file ended inside a quoted value opened in it.
    unclosed: bool,
}

impl ChunkedReader {
    /// Opens `path` and reads its header; pieces are about `chunk_bytes` of
    /// text each. Records of any length are read.
    pub fn open(
        path: &Path,
        options: &ReadOptions,
        chunk_bytes: usize,
    ) -> Result<ChunkedReader, ReadError> {
        Self::open_bounded(path, options, chunk_bytes, None)
    }

    /// [`Self::open`], with records bounded to `record_limit` bytes of text:
    /// a longer record is skipped in bounded memory and comes out as a row
    /// of missing cells marked [`RowDefect::TooLong`] at its line; a longer
    /// header is an error.
    pub fn open_bounded(
        path: &Path,
        options: &ReadOptions,
        chunk_bytes: usize,
        record_limit: Option<usize>,
    ) -> Result<ChunkedReader, ReadError> {
        let io = |source| ReadError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let file_bytes = file.metadata().map_err(io)?.len();
        Self::from_reader(
            path,
            Box::new(file),
            file_bytes,
            options,
            chunk_bytes,
            record_limit,
        )
    }

    /// [`Self::open_bounded`] on bytes from `source` instead of a file;
    /// `path` names them in messages and problems.
    pub fn from_reader(
        path: &Path,
        source: Box<dyn Read + Send>,
        file_bytes: u64,
        options: &ReadOptions,
        chunk_bytes: usize,
        record_limit: Option<usize>,
    ) -> Result<ChunkedReader, ReadError> {
        let mut reader = ChunkedReader {
            path: path.to_path_buf(),
            file: source,
            decoder: None,
            raw: vec![0; chunk_bytes.clamp(1, BLOCK)],
            pending: Vec::new(),
            eof: false,
            line: 1,
            header: Vec::new(),
            header_problems: Vec::new(),
            header_problem_count: 0,
            delimiter: b',',
            encoding: String::new(),
            missing: options
                .missing_values
                .iter()
                .map(|m| m.trim().to_string())
                .collect(),
            keep: None,
            chunk_bytes: chunk_bytes.max(1),
            record_limit,
            skipped: None,
            read_bytes: 0,
            file_bytes,
        };
        reader.start(options)?;
        Ok(reader)
    }

    pub fn header(&self) -> &[String] {
        &self.header
    }

    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    pub fn encoding(&self) -> &str {
        &self.encoding
    }

    pub fn file_bytes(&self) -> u64 {
        self.file_bytes
    }

    /// Bytes of the file read so far.
    pub fn read_bytes(&self) -> u64 {
        self.read_bytes
    }

    /// Problems of the header line (blank or repeated names): (kept, count).
    pub fn header_problems(&self) -> (&[Problem], u64) {
        (&self.header_problems, self.header_problem_count)
    }

    /// Reads only the named columns from now on; the others come out as
    /// all-missing columns of the right length (cheap: no text is kept).
    pub fn keep_only(&mut self, columns: &[String]) {
        self.keep = Some(self.header.iter().map(|h| columns.contains(h)).collect());
    }

    /// Detects the encoding (BOM, then the pack's label, then UTF-8), the
    /// delimiter and the header, as `read_table` does for a whole file.
    fn start(&mut self, options: &ReadOptions) -> Result<(), ReadError> {
        // Enough bytes to see a byte-order mark, or to tell UTF-16 without one.
        let mut head = Vec::new();
        while !self.eof && head.len() < HEAD_BYTES {
            let n = self.read_raw()?;
            head.extend_from_slice(&self.raw[..n]);
        }
        let (encoding, skip) = match encoding_rs::Encoding::for_bom(&head) {
            Some((encoding, bom)) => (encoding, bom),
            None => match options.encoding.as_deref() {
                None => {
                    check_not_utf16(&self.path, &head)?;
                    (encoding_rs::UTF_8, 0)
                }
                Some(label) => (
                    encoding_rs::Encoding::for_label(label.as_bytes()).ok_or_else(|| {
                        ReadError::UnknownEncoding {
                            path: self.path.clone(),
                            label: label.to_string(),
                        }
                    })?,
                    0,
                ),
            },
        };
        self.encoding = if encoding == encoding_rs::UTF_8 {
            "utf-8".into()
        } else {
            self.decoder = Some(encoding.new_decoder_without_bom_handling());
            encoding.name().to_lowercase()
        };
        self.push_text(&head[skip..])?;

        // The header record must be whole before it is parsed; the file is
        // empty if it holds nothing but whitespace.
        loop {
            let any_text = self.pending.iter().any(|b| !b.is_ascii_whitespace());
            let first = self.pending.iter().position(|b| *b != b'\r' && *b != b'\n');
            let whole_header = first.is_some_and(|p| {
                RecordEnds::new(&self.pending, options.delimiter.unwrap_or(b',')).any(|c| c > p)
            });
            if self.eof || (any_text && whole_header) {
                break;
            }
            if let Some(limit) = self.record_limit
                && self.pending.len() > limit
            {
                return Err(ReadError::HeaderTooLong {
                    path: self.path.clone(),
                    limit: limit as u64,
                });
            }
            // Doubling keeps the search for the header's end linear in its
            // length, however long it is.
            let len = self.pending.len();
            self.fill((2 * len).max(len + self.raw.len()))?;
        }
        if self.pending.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(ReadError::Empty {
                path: self.path.clone(),
            });
        }
        self.delimiter = options
            .delimiter
            .unwrap_or_else(|| sniff_delimiter(&self.pending));
        let mut csv = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(&self.pending[..]);
        let mut record = csv::ByteRecord::new();
        let found = csv
            .read_byte_record(&mut record)
            .map_err(|e| ReadError::Csv {
                path: self.path.clone(),
                line: e.position().map_or(0, |p| p.line()),
                message: e.to_string(),
            })?;
        if !found {
            return Err(ReadError::Empty {
                path: self.path.clone(),
            });
        }
        let mut problems = Problems::default();
        self.header = header_names(&record, &mut problems);
        self.header_problems = problems.kept;
        self.header_problem_count = problems.count;
        let body_start = (csv.position().byte() as usize).min(self.pending.len());
        self.line = csv.position().line();
        self.pending.drain(..body_start);
        Ok(())
    }

    /// The next piece of whole records, or `None` at the end of the file.
    /// Rows keep their physical line numbers in the file. A record skipped
    /// for its length is a piece of its own: one row of missing cells.
    pub fn next_chunk(&mut self) -> Result<Option<Table>, ReadError> {
        let path = self.path.clone();
        let header = self.header.clone();
        let missing = self.missing.clone();
        let keep = self.keep.clone();
        let (delimiter, encoding, file_bytes) =
            (self.delimiter, self.encoding.clone(), self.file_bytes);
        let piece = self.next_records(|body, first_line| {
            let missing: Vec<&str> = missing.iter().map(String::as_str).collect();
            let ctx = ChunkContext {
                path: &path,
                delimiter,
                header: &header,
                missing: &missing,
                keep: keep.as_deref(),
                progress: &|_| {},
            };
            let mut rows = parse_records(body, first_line, &ctx, parts_for(body))?;
            let frame = rows.frame(&path, &header)?;
            Ok(Table {
                frame,
                header: header.clone(),
                lines: std::mem::take(&mut rows.lines),
                problem_count: rows.problems.count,
                problems: std::mem::take(&mut rows.problems.kept),
                delimiter,
                encoding: encoding.clone(),
                bytes: file_bytes,
            })
        })?;
        match self.skipped.take() {
            Some(skipped) => self.skipped_table(skipped).map(Some),
            None => Ok(piece),
        }
    }

    /// The next piece as the text of whole records, handed to `f` with the
    /// physical line it starts on; `None` at the end of the file. A record
    /// longer than the record limit is skipped: `f` gets no text for it.
    pub fn next_records<R>(
        &mut self,
        f: impl FnOnce(&[u8], u64) -> Result<R, ReadError>,
    ) -> Result<Option<R>, ReadError> {
        let mut want = self.chunk_bytes;
        let cut = loop {
            self.fill(want)?;
            if self.eof {
                break self.pending.len();
            }
            // A cut needs the byte after the newline (a blank line after it
            // moves the cut), so the very end of what was read is not one.
            let len = self.pending.len();
            if let Some(end) = last_record_end(&self.pending, self.delimiter) {
                break end;
            }
            // A record longer than a piece: read on, doubling, so that the
            // searches for its end add up to a few times its length.
            match self.record_limit {
                Some(limit) if len > limit => {
                    let line = self.line;
                    self.skip_record()?;
                    return f(&[], line).map(Some);
                }
                // At most one byte past the limit: enough to tell it is broken.
                Some(limit) => want = (2 * len).max(len + self.raw.len()).min(limit + 1),
                None => want = (2 * len).max(len + self.raw.len()),
            }
        };
        if cut == 0 {
            return Ok(None);
        }
        let body = &self.pending[..cut];
        let out = f(body, self.line)?;
        self.line += memchr::memchr_iter(b'\n', body).count() as u64;
        self.pending.drain(..cut);
        Ok(Some(out))
    }

    /// Drops the record at the start of the pending text, reading on to its
    /// end one block at a time without keeping it, and remembers it.
    fn skip_record(&mut self) -> Result<(), ReadError> {
        let line = self.line;
        let mut finder = RecordEndFinder::new(self.delimiter);
        let mut newlines = 0u64;
        let ended_by_newline = loop {
            if let Some(end) = finder.feed(&self.pending) {
                newlines += memchr::memchr_iter(b'\n', &self.pending[..end]).count() as u64;
                self.pending.drain(..end);
                break true;
            }
            newlines += memchr::memchr_iter(b'\n', &self.pending).count() as u64;
            self.pending.clear();
            if self.eof {
                break false;
            }
            self.fill(self.raw.len())?;
        };
        self.line += newlines;
        self.skipped = Some(SkippedRecord {
            line,
            last_line: line + newlines - u64::from(ended_by_newline && newlines > 0),
            unclosed: finder.in_quotes(),
        });
        Ok(())
    }

    /// The piece standing for a skipped record: one row of missing cells at
    /// its line, marked too long.
    fn skipped_table(&self, skipped: SkippedRecord) -> Result<Table, ReadError> {
        let limit = bytesize::ByteSize(self.record_limit.unwrap_or(0) as u64)
            .display()
            .iec();
        let SkippedRecord {
            line,
            last_line,
            unclosed,
        } = skipped;
        let lines = if last_line > line {
            format!("lines {line}–{last_line}")
        } else {
            format!("line {line}")
        };
        let mut message = format!(
            "the record on {lines} is longer than {limit}, the most one record may take under --memory-limit (a sixteenth of it), so it was skipped and its cells count as missing"
        );
        message.push_str(if unclosed {
            "; a double quote opened in it is never closed, so it runs to the end of the file: close the quote"
        } else {
            "; it is usually an unbalanced double quote or a file that is not CSV — raise --memory-limit to read it"
        });
        let mut rows = Chunk::default();
        rows.lines.push(line);
        rows.row_defects.push(RowDefect::TooLong.bit());
        let frame = rows.frame(&self.path, &self.header)?;
        Ok(Table {
            frame,
            header: self.header.clone(),
            lines: rows.lines,
            problems: vec![Problem {
                line,
                message,
                kind: ProblemKind::Row(RowDefect::TooLong),
            }],
            problem_count: 1,
            delimiter: self.delimiter,
            encoding: self.encoding.clone(),
            bytes: self.file_bytes,
        })
    }

    /// A piece of no rows, with every column: how a header-only file is
    /// checked (its rules planned and reported).
    pub fn empty_table(&self) -> Result<Table, ReadError> {
        let frame = Chunk::default().frame(&self.path, &self.header)?;
        Ok(Table {
            frame,
            header: self.header.clone(),
            lines: vec![],
            problems: vec![],
            problem_count: 0,
            delimiter: self.delimiter,
            encoding: self.encoding.clone(),
            bytes: self.file_bytes,
        })
    }

    /// The values that mean "missing" besides blank cells.
    pub fn missing_values(&self) -> &[String] {
        &self.missing
    }

    /// Reads and decodes until `want` bytes of text are pending or the file
    /// ends.
    fn fill(&mut self, want: usize) -> Result<(), ReadError> {
        while !self.eof && self.pending.len() < want {
            if self.decoder.is_none() {
                self.read_text()?;
                continue;
            }
            let n = self.read_raw()?;
            let raw = std::mem::take(&mut self.raw);
            let result = self.push_text(&raw[..n]);
            self.raw = raw;
            result?;
        }
        Ok(())
    }

    /// One block of UTF-8 text read straight onto the end of the pending
    /// text, not copied there through `self.raw` (a copy of the whole file
    /// per pass); sets `eof` at the end.
    fn read_text(&mut self) -> Result<(), ReadError> {
        let block = self.raw.len() as u64;
        let n = (&mut self.file)
            .take(block)
            .read_to_end(&mut self.pending)
            .map_err(|source| ReadError::Io {
                path: self.path.clone(),
                source,
            })?;
        self.read_bytes += n as u64;
        if n == 0 {
            self.eof = true;
        }
        Ok(())
    }

    /// One block of raw bytes into `self.raw`; sets `eof` at the end.
    fn read_raw(&mut self) -> Result<usize, ReadError> {
        let n = loop {
            match self.file.read(&mut self.raw) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    return Err(ReadError::Io {
                        path: self.path.clone(),
                        source,
                    });
                }
            }
        };
        self.read_bytes += n as u64;
        if n == 0 {
            self.eof = true;
        }
        Ok(n)
    }

    /// Appends `raw` to the pending text, decoding it if needed (the
    /// decoder keeps a character split across two blocks).
    fn push_text(&mut self, raw: &[u8]) -> Result<(), ReadError> {
        let last = self.eof;
        let Some(decoder) = self.decoder.as_mut() else {
            self.pending.extend_from_slice(raw);
            return Ok(());
        };
        let mut input = raw;
        loop {
            let room = decoder
                .max_utf8_buffer_length(input.len())
                .unwrap_or(input.len() * 3 + 16);
            let start = self.pending.len();
            self.pending.resize(start + room, 0);
            let (result, read, written, _) =
                decoder.decode_to_utf8(input, &mut self.pending[start..], last);
            self.pending.truncate(start + written);
            input = &input[read..];
            if result == encoding_rs::CoderResult::InputEmpty {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::read_table;
    use polars::prelude::*;

    /// Reads `content` piece by piece and puts the pieces back together.
    fn read_in_pieces(
        path: &Path,
        options: &ReadOptions,
        chunk_bytes: usize,
    ) -> Result<Table, ReadError> {
        let mut reader = ChunkedReader::open(path, options, chunk_bytes)?;
        let (kept, count) = reader.header_problems();
        let mut problems = Problems {
            kept: kept.to_vec(),
            count,
        };
        let mut frame: Option<DataFrame> = None;
        let mut lines = Vec::new();
        while let Some(piece) = reader.next_chunk()? {
            lines.extend(&piece.lines);
            problems.absorb(Problems {
                kept: piece.problems,
                count: piece.problem_count,
            });
            match frame.as_mut() {
                None => frame = Some(piece.frame),
                Some(f) => {
                    f.vstack_mut(&piece.frame).unwrap();
                }
            }
        }
        Ok(Table {
            frame: frame.unwrap_or_default(),
            header: reader.header().to_vec(),
            lines,
            problems: problems.kept,
            problem_count: problems.count,
            delimiter: reader.delimiter(),
            encoding: reader.encoding().to_string(),
            bytes: reader.file_bytes(),
        })
    }

    fn same(whole: &Table, pieces: &Table) -> Result<(), String> {
        let frames_equal = whole.frame.height() == pieces.frame.height()
            && (whole.frame.height() == 0 || whole.frame.equals_missing(&pieces.frame));
        if !frames_equal {
            return Err(format!("{:?}\n{:?}", whole.frame, pieces.frame));
        }
        if (
            &whole.lines,
            &whole.problems,
            whole.problem_count,
            &whole.header,
            whole.delimiter,
            &whole.encoding,
        ) != (
            &pieces.lines,
            &pieces.problems,
            pieces.problem_count,
            &pieces.header,
            pieces.delimiter,
            &pieces.encoding,
        ) {
            return Err(format!(
                "lines {:?} vs {:?}\nproblems {:?} vs {:?}",
                whole.lines, pieces.lines, whole.problems, pieces.problems
            ));
        }
        Ok(())
    }

    proptest::proptest! {
        /// Any bytes — stray and escaped quotes, CR, LF, blank lines, ragged
        /// rows, invalid UTF-8 — read piece by piece, with pieces and read
        /// blocks as small as one byte, give the table read in one go.
        #[test]
        fn pieces_equal_the_whole_file(
            body in proptest::collection::vec(proptest::sample::select(
                b"ab ,\"\"\n\n\r\xff".to_vec()), 0..300),
            chunk_bytes in 1usize..64,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("c.csv");
            let mut content = b"a,b,c\n".to_vec();
            content.extend(&body);
            content.extend(b"\nz,z,z\n");
            std::fs::write(&path, &content).unwrap();
            let options = ReadOptions { delimiter: Some(b','), ..Default::default() };
            let whole = read_table(&path, &options, &|_| {});
            let pieces = read_in_pieces(&path, &options, chunk_bytes);
            match (whole, pieces) {
                (Ok(a), Ok(b)) => {
                    if let Err(diff) = same(&a, &b) {
                        proptest::prop_assert!(false, "{}", diff);
                    }
                }
                (a, b) => proptest::prop_assert_eq!(a.err().map(|e| e.to_string()), b.err().map(|e| e.to_string())),
            }
        }
    }

    #[test]
    fn legacy_encoding_split_across_blocks_decodes_whole() {
        // "Nguyễn" in UTF-16LE with a BOM: two-byte units cut by 3-byte blocks.
        let text = "ho_ten,ma\nNguyễn Văn An,1\nTrần Thị Bình,2\n";
        let mut content = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            content.extend(unit.to_le_bytes());
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u16.csv");
        std::fs::write(&path, &content).unwrap();
        for chunk_bytes in [1, 3, 5, 64] {
            let whole = read_table(&path, &ReadOptions::default(), &|_| {}).unwrap();
            let pieces = read_in_pieces(&path, &ReadOptions::default(), chunk_bytes).unwrap();
            assert_eq!(pieces.encoding, "utf-16le");
            same(&whole, &pieces).unwrap();
            let names: Vec<_> = pieces
                .frame
                .column("ho_ten")
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .map(|v| v.unwrap_or("").to_string())
                .collect();
            assert_eq!(names, ["Nguyễn Văn An", "Trần Thị Bình"]);
        }
    }

    #[test]
    fn windows_1258_pack_encoding_and_bom_free_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.csv");
        let (bytes, _, _) = encoding_rs::WINDOWS_1258.encode("a;b\r\nĐà Nẵng;1\r\n\r\nHuế;2\r\n");
        std::fs::write(&path, &bytes).unwrap();
        let options = ReadOptions {
            encoding: Some("windows-1258".into()),
            ..Default::default()
        };
        for chunk_bytes in [1, 2, 7, 1000] {
            let whole = read_table(&path, &options, &|_| {}).unwrap();
            let pieces = read_in_pieces(&path, &options, chunk_bytes).unwrap();
            same(&whole, &pieces).unwrap();
            assert_eq!(pieces.lines, vec![2, 4]);
            assert_eq!(pieces.delimiter, b';');
        }
    }

    #[test]
    fn kept_columns_only_other_columns_read_as_missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.csv");
        std::fs::write(&path, "a,b\n1,x\n2,y\n").unwrap();
        let mut reader = ChunkedReader::open(&path, &ReadOptions::default(), 1 << 20).unwrap();
        reader.keep_only(&["b".to_string()]);
        let piece = reader.next_chunk().unwrap().unwrap();
        assert_eq!(piece.frame.column("a").unwrap().null_count(), 2);
        assert_eq!(
            piece.frame.column("b").unwrap().str().unwrap().get(1),
            Some("y")
        );
        assert!(reader.next_chunk().unwrap().is_none());
    }

    #[test]
    fn empty_and_header_only_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.csv");
        std::fs::write(&path, "\n \n").unwrap();
        assert!(matches!(
            ChunkedReader::open(&path, &ReadOptions::default(), 16),
            Err(ReadError::Empty { .. })
        ));
        std::fs::write(&path, "a,b\n").unwrap();
        let mut reader = ChunkedReader::open(&path, &ReadOptions::default(), 16).unwrap();
        assert_eq!(reader.header(), ["a", "b"]);
        let rows: usize = std::iter::from_fn(|| reader.next_chunk().unwrap())
            .map(|t| t.frame.height())
            .sum();
        assert_eq!(rows, 0);
    }
}
