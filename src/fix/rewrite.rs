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
        use std::io::BufRead;
        let mut finder = crate::input::quoting::RecordEndFinder::new(self.delimiter);
        let mut bytes = Vec::new();
        let mut lines = 0;
        loop {
            let start = bytes.len();
            let n = self.reader.read_until(b'\n', &mut bytes)?;
            if n == 0 {
                break;
            }
            if bytes.ends_with(b"\n") {
                lines += 1;
            }
            if finder.feed(&bytes[start..]).is_some() {
                break;
            }
        }
        if bytes.is_empty() {
            return Ok(None);
        }
        let line = self.line;
        self.line += lines;
        let blank = bytes.iter().all(|b| matches!(b, b'\r' | b'\n'));
        Ok(Some(RawRecord { line, bytes, blank }))
    }
}

/// The fields of one record's bytes, decoded.
pub fn fields(bytes: &[u8], delimiter: u8, encoding: &'static Encoding) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => record
            .iter()
            .map(|f| encoding.decode_without_bom_handling(f).0.into_owned())
            .collect(),
        _ => vec![],
    }
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
    mut edit: impl FnMut(&[String], u64, &mut Vec<String>) -> bool,
) -> std::io::Result<Rewritten> {
    let mut records = RawRecords::open(source, delimiter)?;
    let mut decoder = encoding.new_decoder_without_bom_handling();
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut stats = Rewritten::default();
    let mut header: Option<Vec<String>> = None;
    let mut text = String::new();
    while let Some(record) = records.next_record()? {
        if !record.blank {
            stats.records += 1;
            match &header {
                None => header = Some(fields(&record.bytes, delimiter, encoding)),
                Some(header) if wanted.contains(&record.line) => {
                    let mut cells = fields(&record.bytes, delimiter, encoding);
                    if edit(header, record.line, &mut cells) {
                        stats.edited_records += 1;
                        write_record(out, &cells, delimiter, &record.bytes)?;
                        continue;
                    }
                }
                Some(_) => {}
            }
        }
        text.clear();
        decode_into(&mut decoder, &record.bytes, &mut text);
        out.write_all(text.as_bytes())?;
    }
    text.clear();
    let _ = decoder.decode_to_string(&[], &mut text, true);
    out.write_all(text.as_bytes())?;
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
