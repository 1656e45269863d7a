//! Streams a CSV export to a new UTF-8 file (with a byte-order mark, as
//! Excel wants it), replacing cells of chosen records and copying every
//! other byte as it is — only transcoded when the export is not UTF-8 — so
//! lines, quoting and every untouched cell stay exactly as they were.

use std::collections::HashSet;
use std::io::{BufReader, Write};
use std::path::Path;

use encoding_rs::Encoding;

/// Records rewritten and cells changed.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Rewritten {
    pub records: u64,
    pub edited_records: u64,
}

/// The encoding ddss reported for a file (results' `encoding`), if it can
/// be rewritten: UTF-8 or a single-byte code page.
pub fn encoding_for(label: &str) -> Result<&'static Encoding, String> {
    let encoding = Encoding::for_label(label.as_bytes())
        .ok_or_else(|| format!("unknown encoding '{label}'"))?;
    if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        return Err(format!(
            "tệp mã hoá {label}: lưu lại dạng UTF-8 (Excel: \"CSV UTF-8\") rồi chạy lại ddss fix"
        ));
    }
    Ok(encoding)
}

/// The records of a CSV file as they lie in it: each with the physical
/// line it starts on and its bytes, terminator included — the records and
/// line numbers ddss's reader sees (a record ends at the first newline
/// outside quotes; blank lines are not records but count as lines).
pub struct RawRecords {
    reader: BufReader<std::fs::File>,
    delimiter: u8,
    line: u64,
}

/// One record, or the blank lines between records.
pub struct RawRecord {
    pub line: u64,
    pub bytes: Vec<u8>,
    pub blank: bool,
}

impl RawRecords {
    pub fn open(path: &Path, delimiter: u8) -> std::io::Result<RawRecords> {
        let mut reader = BufReader::with_capacity(1 << 20, std::fs::File::open(path)?);
        skip_utf8_bom(&mut reader)?;
        Ok(RawRecords {
            reader,
            delimiter,
            line: 1,
        })
    }

    pub fn next_record(&mut self) -> std::io::Result<Option<RawRecord>> {
        let mut bytes = Vec::new();
        Ok(self
            .next_into(&mut bytes)?
            .map(|(line, blank)| RawRecord { line, bytes, blank }))
    }

    /// The next record into `bytes` (cleared first): its line and whether it
    /// is blank lines only. Reuses the caller's buffer.
    pub fn next_into(&mut self, bytes: &mut Vec<u8>) -> std::io::Result<Option<(u64, bool)>> {
        use std::io::BufRead;
        bytes.clear();
        let mut finder: Option<crate::input::quoting::RecordEndFinder> = None;
        let mut lines = 0;
        loop {
            let start = bytes.len();
            let n = self.reader.read_until(b'\n', bytes)?;
            if n == 0 {
                break;
            }
            if bytes.ends_with(b"\n") {
                lines += 1;
            }
            let line = &bytes[start..];
            // Most records are one line without quotes: it ends at its newline.
            if finder.is_none() && memchr::memchr(b'"', line).is_none() {
                break;
            }
            let finder = finder
                .get_or_insert_with(|| crate::input::quoting::RecordEndFinder::new(self.delimiter));
            if finder.feed(line).is_some() {
                break;
            }
        }
        if bytes.is_empty() {
            return Ok(None);
        }
        let line = self.line;
        self.line += lines;
        let blank = bytes.iter().all(|b| matches!(b, b'\r' | b'\n'));
        Ok(Some((line, blank)))
    }
}

/// Splits records into decoded fields with one parser built once (building
/// one per record costs more than the splitting).
pub struct FieldSplitter {
    parser: csv_core::Reader,
    encoding: &'static Encoding,
    output: Vec<u8>,
    ends: Vec<usize>,
}

impl FieldSplitter {
    pub fn new(delimiter: u8, encoding: &'static Encoding) -> FieldSplitter {
        FieldSplitter {
            parser: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            encoding,
            output: vec![0; 1024],
            ends: vec![0; 64],
        }
    }

    /// The fields of one record's bytes, decoded (none for an empty record).
    pub fn split(&mut self, bytes: &[u8]) -> Vec<String> {
        use csv_core::ReadRecordResult;
        self.parser.reset();
        let (mut input, mut out_at, mut ends_at) = (bytes, 0, 0);
        loop {
            let (result, read, written, ended) = self.parser.read_record(
                input,
                &mut self.output[out_at..],
                &mut self.ends[ends_at..],
            );
            input = &input[read..];
            out_at += written;
            ends_at += ended;
            match result {
                // Called again with the input used up, the parser takes it
                // as the end of the file and closes the record.
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    let len = self.output.len();
                    self.output.resize(len * 2, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let len = self.ends.len();
                    self.ends.resize(len * 2, 0);
                }
                ReadRecordResult::Record | ReadRecordResult::End => break,
            }
        }
        let mut start = 0;
        self.ends[..ends_at]
            .iter()
            .map(|&end| {
                let field = &self.output[start..end];
                start = end;
                self.encoding
                    .decode_without_bom_handling(field)
                    .0
                    .into_owned()
            })
            .collect()
    }
}

/// The fields of one record's bytes, decoded.
pub fn fields(bytes: &[u8], delimiter: u8, encoding: &'static Encoding) -> Vec<String> {
    FieldSplitter::new(delimiter, encoding).split(bytes)
}

/// Rewrites `source` into `out`. `edit(header, line, cells)` is called with
/// the decoded cells of every record starting on a line in `wanted`; when it
/// returns true the record is written with its new cells, otherwise copied
/// as it was. Returns how many records there were (the header included).
pub fn rewrite(
    source: &Path,
    out: &mut dyn Write,
    delimiter: u8,
    encoding: &'static Encoding,
    wanted: &HashSet<u64>,
    edit: impl FnMut(&[String], u64, &mut Vec<String>) -> bool,
) -> std::io::Result<Rewritten> {
    rewrite_with_probe(source, Some(out), delimiter, encoding, wanted, edit, None)
}

/// A small file `rewrite` writes beside the copy: the header, every edited
/// record, and every other record holding one of the `context` values —
/// enough rows to check the edits with the pack's rules, uniqueness
/// included, without validating the whole copy.
pub struct Probe<'a> {
    pub out: &'a mut dyn Write,
    pub context: &'a Context,
    /// The original line of each record written after the header, in order.
    pub lines: Vec<u64>,
}

/// The rows a probe takes beside the edited ones: those holding one of
/// `values` in one of `columns` (the values an edit may bring into a column
/// whose rules compare rows).
#[derive(Debug, Default)]
pub struct Context {
    pub columns: Vec<String>,
    pub values: HashSet<String>,
}

impl Context {
    /// Whether the UTF-8 `record` holds a value in a column at `at`.
    fn holds(
        &self,
        record: &[u8],
        at: &[usize],
        delimiter: u8,
        splitter: &mut FieldSplitter,
    ) -> bool {
        if at.is_empty() || self.values.is_empty() {
            return false;
        }
        if memchr::memchr(b'"', record).is_some() {
            let cells = splitter.split(record);
            return at
                .iter()
                .any(|&i| cells.get(i).is_some_and(|c| self.values.contains(c)));
        }
        let body = record.strip_suffix(b"\n").unwrap_or(record);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        body.split(|b| *b == delimiter)
            .enumerate()
            .any(|(i, field)| {
                at.contains(&i) && std::str::from_utf8(field).is_ok_and(|f| self.values.contains(f))
            })
    }
}

impl Probe<'_> {
    /// Writes one record, always ending it with a newline so that a last
    /// record without one does not run into the next.
    fn write(&mut self, line: u64, bytes: &[u8]) -> std::io::Result<()> {
        self.out.write_all(bytes)?;
        if !bytes.ends_with(b"\n") {
            self.out.write_all(b"\n")?;
        }
        if line > 0 {
            self.lines.push(line);
        }
        Ok(())
    }
}

/// [`rewrite`] into `out` when given, and into `probe` when given: `ddss
/// fix` first writes the probe alone, then the copy with the edits the probe
/// kept.
pub fn rewrite_with_probe(
    source: &Path,
    mut out: Option<&mut dyn Write>,
    delimiter: u8,
    encoding: &'static Encoding,
    wanted: &HashSet<u64>,
    mut edit: impl FnMut(&[String], u64, &mut Vec<String>) -> bool,
    mut probe: Option<&mut Probe>,
) -> std::io::Result<Rewritten> {
    let mut records = RawRecords::open(source, delimiter)?;
    let mut splitter = FieldSplitter::new(delimiter, encoding);
    let mut utf8_splitter = FieldSplitter::new(delimiter, encoding_rs::UTF_8);
    let mut context_at: Vec<usize> = Vec::new();
    // UTF-8 is copied as it is; another code page is decoded record by record.
    let mut decoder =
        (encoding != encoding_rs::UTF_8).then(|| encoding.new_decoder_without_bom_handling());
    if let Some(out) = out.as_deref_mut() {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    if let Some(p) = probe.as_deref_mut() {
        p.out.write_all(b"\xEF\xBB\xBF")?;
    }
    let mut stats = Rewritten::default();
    let mut header: Option<Vec<String>> = None;
    let mut bytes = Vec::new();
    let mut text = String::new();
    let mut edited = Vec::new();
    while let Some((line, blank)) = records.next_into(&mut bytes)? {
        let mut is_header = false;
        if !blank {
            stats.records += 1;
            match &header {
                None => {
                    let names = splitter.split(&bytes);
                    if let Some(p) = probe.as_deref() {
                        context_at = (0..names.len())
                            .filter(|&i| p.context.columns.contains(&names[i]))
                            .collect();
                    }
                    header = Some(names);
                    is_header = true;
                }
                Some(header) if wanted.contains(&line) => {
                    let mut cells = splitter.split(&bytes);
                    if edit(header, line, &mut cells) {
                        stats.edited_records += 1;
                        edited.clear();
                        write_record(&mut edited, &cells, delimiter, &bytes)?;
                        if let Some(out) = out.as_deref_mut() {
                            out.write_all(&edited)?;
                        }
                        if let Some(p) = probe.as_deref_mut() {
                            p.write(line, &edited)?;
                        }
                        continue;
                    }
                }
                Some(_) => {}
            }
        }
        let utf8: &[u8] = match decoder.as_mut() {
            None => &bytes,
            Some(decoder) => {
                text.clear();
                decode_into(decoder, &bytes, &mut text);
                text.as_bytes()
            }
        };
        if let Some(out) = out.as_deref_mut() {
            out.write_all(utf8)?;
        }
        if let Some(p) = probe.as_deref_mut() {
            if is_header {
                p.write(0, utf8)?;
            } else if !blank
                && p.context
                    .holds(utf8, &context_at, delimiter, &mut utf8_splitter)
            {
                p.write(line, utf8)?;
            }
        }
    }
    if let Some(decoder) = decoder.as_mut() {
        text.clear();
        let _ = decoder.decode_to_string(&[], &mut text, true);
        if let Some(out) = out {
            out.write_all(text.as_bytes())?;
        }
    }
    Ok(stats)
}

fn skip_utf8_bom(r: &mut BufReader<std::fs::File>) -> std::io::Result<()> {
    use std::io::BufRead;
    if r.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        r.consume(3);
    }
    Ok(())
}

fn decode_into(decoder: &mut encoding_rs::Decoder, bytes: &[u8], text: &mut String) {
    text.reserve(
        decoder
            .max_utf8_buffer_length(bytes.len())
            .unwrap_or(bytes.len() * 3),
    );
    let _ = decoder.decode_to_string(bytes, text, false);
}

/// One record in CSV, ending as the original `raw` record ended (CRLF, LF
/// or nothing at the end of the file), so line numbers do not move.
fn write_record(
    out: &mut dyn Write,
    cells: &[String],
    delimiter: u8,
    raw: &[u8],
) -> std::io::Result<()> {
    let terminator = if raw.ends_with(b"\r\n") {
        &b"\r\n"[..]
    } else if raw.ends_with(b"\n") || raw.ends_with(b"\r") {
        &raw[raw.len() - 1..]
    } else {
        &b""[..]
    };
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(cells).map_err(std::io::Error::other)?;
    let mut bytes = w
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    bytes.pop(); // the writer's '\n'
    out.write_all(&bytes)?;
    out.write_all(terminator)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        input: &[u8],
        encoding: &'static Encoding,
        wanted: &[u64],
        mut f: impl FnMut(u64, &mut Vec<String>) -> bool,
    ) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.csv");
        std::fs::write(&path, input).unwrap();
        let mut out = Vec::new();
        rewrite(
            &path,
            &mut out,
            b',',
            encoding,
            &wanted.iter().copied().collect(),
            |_, line, cells| f(line, cells),
        )
        .unwrap();
        out
    }

    #[test]
    fn only_edited_records_change_and_lines_stay_put() {
        let input = b"id,name\r\n1,\"An\"\r\n\r\n2,\"multi\nline\"\r\n3,Binh\r\n4,last";
        let out = run(input, encoding_rs::UTF_8, &[2, 4, 6], |line, cells| {
            if line == 4 {
                cells[0] = "02".into();
                true
            } else {
                false
            }
        });
        assert_eq!(
            out,
            b"\xEF\xBB\xBFid,name\r\n1,\"An\"\r\n\r\n02,\"multi\nline\"\r\n3,Binh\r\n4,last"
                .to_vec()
        );
        // The last record without a newline keeps having none.
        let out = run(b"a\n1", encoding_rs::UTF_8, &[2], |_, cells| {
            cells[0] = "x,y".into();
            true
        });
        assert_eq!(out, b"\xEF\xBB\xBFa\n\"x,y\"".to_vec());
    }

    #[test]
    fn a_legacy_code_page_is_transcoded_and_a_bom_is_not_doubled() {
        // "Hà" in windows-1258 is 48 E0.
        let out = run(b"ten\nH\xE0\n", encoding_rs::WINDOWS_1258, &[], |_, _| {
            false
        });
        assert_eq!(String::from_utf8(out).unwrap(), "\u{feff}ten\nHà\n");
        let out = run(b"\xEF\xBB\xBFten\nx\n", encoding_rs::UTF_8, &[2], |_, c| {
            c[0] = "y".into();
            true
        });
        assert_eq!(out, b"\xEF\xBB\xBFten\ny\n".to_vec());
    }

    proptest::proptest! {
        /// The splitter built once gives the fields the csv crate gives for
        /// any record: quoted, with delimiters, quotes and newlines inside,
        /// with or without its line end, or empty.
        #[test]
        fn the_reused_splitter_agrees_with_the_csv_crate(
            records in proptest::collection::vec("[a-zđ;,\"\r\n ]{0,40}", 1..6),
        ) {
            let mut splitter = FieldSplitter::new(b';', encoding_rs::UTF_8);
            for record in &records {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .delimiter(b';')
                    .from_reader(record.as_bytes());
                let mut expected = csv::StringRecord::new();
                let expected: Vec<String> = match reader.read_record(&mut expected) {
                    Ok(true) => expected.iter().map(str::to_string).collect(),
                    _ => vec![],
                };
                proptest::prop_assert_eq!(splitter.split(record.as_bytes()), expected, "{:?}", record);
            }
        }

        /// Without edits a UTF-8 file comes out as it went in, after a BOM,
        /// whatever its quoting, blank lines and line ends.
        #[test]
        fn without_edits_the_bytes_are_kept(
            rows in proptest::collection::vec(
                proptest::collection::vec("[a-zA-Zàễ0-9 \"\n,]{0,6}", 1..4), 1..8),
            crlf: bool,
            wanted in proptest::collection::btree_set(1u64..12, 0..5),
        ) {
            let mut text = String::new();
            for row in &rows {
                let cells: Vec<String> = row.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect();
                text.push_str(&cells.join(","));
                text.push_str(if crlf { "\r\n" } else { "\n" });
            }
            let wanted: Vec<u64> = wanted.into_iter().collect();
            let out = run(text.as_bytes(), encoding_rs::UTF_8, &wanted, |_, _| false);
            proptest::prop_assert_eq!(&out[3..], text.as_bytes());
        }
    }

    #[test]
    fn utf16_is_refused_with_what_to_do() {
        assert!(encoding_for("UTF-16LE").unwrap_err().contains("UTF-8"));
        assert!(encoding_for("windows-1258").is_ok());
    }
}
