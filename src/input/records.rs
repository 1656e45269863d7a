//! The records of CSV text and their fields, found without copying them.
//!
//! Nearly every sector export quotes nothing. For text with no `"` byte and
//! no `\r` outside a `\r\n`, a record is a non-blank line and a field the
//! bytes between two delimiters: one SIMD scan for delimiters and newlines
//! finds them all. Other text goes through the `csv` crate's state machine,
//! which reads a byte at a time (13 % of a 10 M-row run when it read
//! everything). Both give the same records (a property test below).

use std::ops::Range;

/// One record: its bytes and the range of each field in them.
pub struct Record<'r> {
    bytes: &'r [u8],
    fields: &'r [Range<usize>],
}

impl<'r> Record<'r> {
    pub fn new(bytes: &'r [u8], fields: &'r [Range<usize>]) -> Record<'r> {
        Record { bytes, fields }
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Field `i`'s bytes; `None` beyond the last field.
    pub fn get(&self, i: usize) -> Option<&'r [u8]> {
        self.range(i).map(|r| &self.bytes[r])
    }

    /// Where field `i` lies in [`Self::as_slice`].
    pub fn range(&self, i: usize) -> Option<Range<usize>> {
        self.fields.get(i).cloned()
    }

    /// The bytes the fields are ranges of.
    pub fn as_slice(&self) -> &'r [u8] {
        self.bytes
    }
}

/// The fields of a record as text. The record is checked for UTF-8 once,
/// with SIMD, not field by field: per-field checks were 5–6 % of a run.
pub struct RecordText<'r> {
    record: &'r Record<'r>,
    whole: Option<&'r str>,
}

impl<'r> RecordText<'r> {
    pub fn new(record: &'r Record<'r>) -> RecordText<'r> {
        // Up to the end of the last field given: a prefix record (the key
        // pass) is not checked beyond its last key.
        let end = record
            .len()
            .checked_sub(1)
            .and_then(|last| record.range(last))
            .map_or(0, |r| r.end);
        RecordText {
            record,
            whole: simdutf8::basic::from_utf8(&record.as_slice()[..end]).ok(),
        }
    }

    /// Field `i`: its text, or its bytes when they are not valid UTF-8;
    /// `None` beyond the record's last field.
    pub fn field(&self, i: usize) -> Option<Result<&'r str, &'r [u8]>> {
        let range = self.record.range(i)?;
        // A field of a valid record is valid unless a character straddles
        // two fields, which `get` refuses (not on a character boundary).
        if let Some(text) = self.whole.and_then(|w| w.get(range.clone())) {
            return Some(Ok(text));
        }
        let bytes = &self.record.as_slice()[range];
        Some(std::str::from_utf8(bytes).map_err(|_| bytes))
    }
}

/// Where a record lies in the text: from its first byte (`first`) to the
/// end of its content, before the line terminator (`end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub first: usize,
    pub end: usize,
}

/// Calls `visit` with every record of `data` (whole records, as the `csv`
/// crate reads them with flexible widths: blank lines skipped; `\r`, `\n`
/// and `\r\n` end a record), in order.
pub fn for_each_record(
    data: &[u8],
    delimiter: u8,
    visit: impl FnMut(Span, &Record),
) -> Result<(), csv::Error> {
    if is_plain(data, delimiter) {
        plain_records(data, delimiter, visit);
        Ok(())
    } else {
        csv_records(data, delimiter, visit)
    }
}

/// [`for_each_record`] when only the first `fields` fields of each record
/// are read (the key cells of the duplicate-key pass): in text without
/// quotes, the rest of each line is skipped in one search for its end. A
/// record may still hold more fields than asked for.
pub fn for_each_record_prefix(
    data: &[u8],
    delimiter: u8,
    fields: usize,
    visit: impl FnMut(Span, &Record),
) -> Result<(), csv::Error> {
    if is_plain(data, delimiter) {
        plain_prefixes(data, delimiter, fields.max(1), visit);
        Ok(())
    } else {
        csv_records(data, delimiter, visit)
    }
}

fn plain_prefixes(data: &[u8], delimiter: u8, wanted: usize, mut visit: impl FnMut(Span, &Record)) {
    let mut fields: Vec<Range<usize>> = Vec::with_capacity(wanted);
    let mut line_start = 0;
    while line_start < data.len() {
        let newline = memchr::memchr(b'\n', &data[line_start..]).map(|k| line_start + k);
        let at = newline.unwrap_or(data.len());
        let end = content_end(data, line_start, at);
        if end > line_start {
            let line = &data[line_start..end];
            let mut field_start = 0;
            while fields.len() + 1 < wanted {
                let Some(k) = memchr::memchr(delimiter, &line[field_start..]) else {
                    break;
                };
                fields.push(field_start..field_start + k);
                field_start += k + 1;
            }
            let field_end = memchr::memchr(delimiter, &line[field_start..])
                .map_or(line.len(), |k| field_start + k);
            fields.push(field_start..field_end);
            let span = Span {
                first: line_start,
                end,
            };
            visit(span, &Record::new(line, &fields));
            fields.clear();
        }
        line_start = at + 1;
    }
}

/// Where the content of the line `line_start..at` ends: before its `\r`
/// when it ends a `\r\n` (the only place plain text has one).
fn content_end(data: &[u8], line_start: usize, at: usize) -> usize {
    match data[line_start..at].last() {
        Some(b'\r') => at - 1,
        _ => at,
    }
}

/// No quote anywhere, and every carriage return ends a `\r\n`: the text
/// where lines are records.
fn is_plain(data: &[u8], delimiter: u8) -> bool {
    !matches!(delimiter, b'"' | b'\r' | b'\n')
        && memchr::memchr(b'"', data).is_none()
        && memchr::memchr_iter(b'\r', data).all(|i| data.get(i + 1) == Some(&b'\n'))
}

fn plain_records(data: &[u8], delimiter: u8, mut visit: impl FnMut(Span, &Record)) {
    // Field ranges are relative to the record's first byte.
    let mut fields: Vec<Range<usize>> = Vec::new();
    let mut line_start = 0;
    let mut field_start = 0;
    let mut hits = memchr::memchr2_iter(delimiter, b'\n', data);
    loop {
        let hit = hits.next();
        let at = hit.unwrap_or(data.len());
        if hit.is_some() && data[at] == delimiter {
            fields.push(field_start - line_start..at - line_start);
            field_start = at + 1;
            continue;
        }
        let end = content_end(data, line_start, at);
        if end > line_start {
            fields.push(field_start - line_start..end.max(field_start) - line_start);
            let span = Span {
                first: line_start,
                end,
            };
            visit(span, &Record::new(&data[line_start..end], &fields));
        }
        fields.clear();
        if hit.is_none() {
            return;
        }
        line_start = at + 1;
        field_start = at + 1;
    }
}

fn csv_records(
    data: &[u8],
    delimiter: u8,
    mut visit: impl FnMut(Span, &Record),
) -> Result<(), csv::Error> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut record = csv::ByteRecord::new();
    let mut fields: Vec<Range<usize>> = Vec::new();
    while reader.read_byte_record(&mut record)? {
        let start = record
            .position()
            .map_or(0, |p| p.byte() as usize)
            .min(data.len());
        // The record's first byte: past what is left of the previous
        // terminator and any blank lines.
        let first = data[start..]
            .iter()
            .position(|b| *b != b'\r' && *b != b'\n')
            .map_or(data.len(), |k| start + k);
        let end = (reader.position().byte() as usize).clamp(first, data.len());
        let content = &data[first..end];
        let content = content
            .strip_suffix(b"\r\n")
            .or_else(|| content.strip_suffix(b"\n"))
            .or_else(|| content.strip_suffix(b"\r"))
            .unwrap_or(content);
        fields.clear();
        fields.extend((0..record.len()).filter_map(|i| record.range(i)));
        visit(
            Span {
                first,
                end: first + content.len(),
            },
            &Record::new(record.as_slice(), &fields),
        );
    }
    Ok(())
}

/// Offsets that cut `body` into about `parts` pieces, each made of whole
/// records (see [`RecordEnds`]).
pub(super) fn split_points(body: &[u8], delimiter: u8, parts: usize) -> Vec<usize> {
    let mut points = vec![0];
    let plain = memchr::memchr(b'"', body).is_none();
    let mut ends = RecordEnds::new(body, delimiter);
    for k in 1..parts {
        let target = body.len() * k / parts;
        let end = if plain {
            plain_ends(body, target).next()
        } else {
            ends.find(|&end| end > target)
        };
        match end {
            Some(c) if c < body.len() => points.push(c),
            _ => break,
        }
    }
    points.push(body.len());
    points.dedup();
    points
}

/// The offsets just after the newlines of `body` that end a record, found by
/// following the CSV quoting rules of the `csv` crate (a quote opens a quoted
/// field only at the start of a field; `""` inside one is a quote) from the
/// start of `body`, which must itself start a record. Only offsets between two
/// non-blank lines are given: the csv reader skips blank lines, and numbers
/// the record after them differently at the start of its input than in the
/// middle. Only quote and newline bytes are visited.
pub(super) struct RecordEnds<'a> {
    body: &'a [u8],
    delimiter: u8,
    quoted: bool,
    skip_next_quote: bool,
    hits: memchr::Memchr2<'a>,
}

impl<'a> RecordEnds<'a> {
    pub fn new(body: &'a [u8], delimiter: u8) -> Self {
        RecordEnds {
            body,
            delimiter,
            quoted: false,
            skip_next_quote: false,
            hits: memchr::memchr2_iter(b'"', b'\n', body),
        }
    }

    fn field_start(&self, i: usize) -> bool {
        i == 0 || matches!(self.body[i - 1], b'\n' | b'\r') || self.body[i - 1] == self.delimiter
    }
}

impl Iterator for RecordEnds<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let body = self.body;
        while let Some(i) = self.hits.next() {
            if body[i] == b'\n' {
                if !self.quoted && between_records(body, i) {
                    return Some(i + 1);
                }
                continue;
            }
            if self.skip_next_quote {
                self.skip_next_quote = false;
                continue;
            }
            if self.quoted {
                if body.get(i + 1) == Some(&b'"') {
                    self.skip_next_quote = true; // an escaped quote
                } else {
                    self.quoted = false;
                }
            } else if self.field_start(i) {
                self.quoted = true;
            }
        }
        None
    }
}

/// Whether the newline at `i`, outside quotes, lies between two non-blank
/// lines (see [`RecordEnds`]).
fn between_records(body: &[u8], i: usize) -> bool {
    let before = body[..i].strip_suffix(b"\r").unwrap_or(&body[..i]);
    let blank_before = !matches!(before.last(), Some(b) if *b != b'\n' && *b != b'\r');
    let blank_after = matches!(body.get(i + 1), Some(b'\r' | b'\n'));
    !blank_before && !blank_after
}

/// [`RecordEnds`] after `from` in a body without quotes: there, every
/// newline is outside quotes, so the search starts at `from` instead of
/// following the quoting from the start.
fn plain_ends(body: &[u8], from: usize) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'\n', &body[from..])
        .map(move |k| from + k)
        .filter(|&i| between_records(body, i))
        .map(|i| i + 1)
}

/// The last record end of `body` before its final byte (a cut needs the
/// byte after it to be read: a blank line there moves the cut).
pub(super) fn last_record_end(body: &[u8], delimiter: u8) -> Option<usize> {
    let len = body.len();
    if memchr::memchr(b'"', body).is_none() {
        // Backwards from the end: the last newline is usually the one.
        return memchr::memrchr_iter(b'\n', &body[..len.saturating_sub(1)])
            .find(|&i| between_records(body, i))
            .map(|i| i + 1);
    }
    RecordEnds::new(body, delimiter)
        .filter(|&end| end < len)
        .last()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type Seen = Vec<(Span, Vec<Vec<u8>>)>;

    fn collect(
        data: &[u8],
        read: impl Fn(&[u8], &mut dyn FnMut(Span, &Record)) -> Result<(), csv::Error>,
    ) -> Seen {
        let mut seen = Vec::new();
        read(data, &mut |span, record| {
            let fields = (0..record.len())
                .map(|i| record.get(i).unwrap().to_vec())
                .collect();
            seen.push((span, fields));
        })
        .unwrap();
        seen
    }

    fn fast(data: &[u8]) -> Seen {
        collect(data, |d, v| for_each_record(d, b',', v))
    }

    fn by_csv_crate(data: &[u8]) -> Seen {
        collect(data, |d, v| csv_records(d, b',', v))
    }

    /// A record valid as a whole can still hold fields that are not: a
    /// two-byte character cut by the delimiter ("\xC3,\xA9" is "é" once the
    /// comma is gone). Each field is then checked alone, as before.
    #[test]
    fn a_character_split_by_a_delimiter_is_invalid_in_both_fields() {
        let mut bytes = vec![0xC3, 0xA9];
        bytes.extend_from_slice("Hoà".as_bytes());
        let fields = [0..1, 1..2, 2..bytes.len()];
        let record = Record::new(&bytes, &fields);
        let text = RecordText::new(&record);
        assert_eq!(text.field(0), Some(Err(&b"\xC3"[..])));
        assert_eq!(text.field(1), Some(Err(&b"\xA9"[..])));
        assert_eq!(text.field(2), Some(Ok("Hoà")));
        assert_eq!(text.field(3), None);
    }

    /// A prefix record is checked only as far as its fields go: invalid
    /// bytes after them do not make its fields fall back to one-by-one checks.
    #[test]
    fn a_prefix_record_is_checked_up_to_its_last_field() {
        let line = b"k1,\xC3\xA9t,\xFF\xFE";
        let mut seen = Vec::new();
        for_each_record_prefix(line, b',', 2, |_, record| {
            let text = RecordText::new(record);
            assert!(text.whole.is_some());
            let first = text
                .field(0)
                .map(|f| f.map(str::to_string).map_err(<[u8]>::to_vec));
            seen.push((
                first,
                text.field(1).map(|f| f.is_ok()),
                text.field(2).is_none(),
            ));
        })
        .unwrap();
        assert_eq!(seen, vec![(Some(Ok("k1".to_string())), Some(true), true)]);
    }

    #[test]
    fn lines_are_records_when_nothing_is_quoted() {
        let data = b"a,b,\r\n\r\n,x\nlast";
        assert!(is_plain(data, b','));
        let seen = fast(data);
        let fields: Vec<Vec<&[u8]>> = seen
            .iter()
            .map(|(_, f)| f.iter().map(Vec::as_slice).collect())
            .collect();
        assert_eq!(
            fields,
            vec![
                vec![&b"a"[..], b"b", b""],
                vec![&b""[..], b"x"],
                vec![&b"last"[..]]
            ]
        );
        let spans: Vec<Span> = seen.iter().map(|(s, _)| *s).collect();
        assert_eq!(
            spans,
            vec![
                Span { first: 0, end: 4 },
                Span { first: 8, end: 10 },
                Span { first: 11, end: 15 }
            ]
        );
        assert_eq!(seen, by_csv_crate(data));
    }

    #[test]
    fn quotes_and_lone_carriage_returns_go_to_the_csv_crate() {
        assert!(!is_plain(b"a,\"b\nc\"\n", b','));
        assert!(!is_plain(b"a\rb\n", b','));
        assert!(is_plain(b"a\r\nb\r\n", b','));
        assert!(is_plain(b"", b','));
        // A quoted newline: one record of two fields, not two lines.
        assert_eq!(fast(b"a,\"b\nc\"\nd\n").len(), 2);
        // A lone carriage return ends a record.
        assert_eq!(fast(b"a\rb\n").len(), 2);
    }

    proptest! {
        #[test]
        fn the_line_scan_reads_what_the_csv_crate_reads(
            bytes in proptest::collection::vec(
                prop_oneof![
                    Just(b'a'), Just(b' '), Just(b','), Just(b'\n'), Just(b'\r'),
                    Just(b'"'), Just(0xC3u8), Just(0xA9u8),
                ],
                0..60,
            ),
        ) {
            prop_assert_eq!(fast(&bytes), by_csv_crate(&bytes));
        }

        #[test]
        fn quote_free_cuts_are_those_of_the_quote_scan(
            body in proptest::collection::vec(
                prop_oneof![4 => Just(b'a'), 2 => Just(b','), 3 => Just(b'\n'), 1 => Just(b'\r')],
                0..80,
            ),
            at in 0usize..80,
        ) {
            let target = at.min(body.len());
            prop_assert_eq!(
                plain_ends(&body, target).next(),
                RecordEnds::new(&body, b',').find(|&end| end > target)
            );
            let len = body.len();
            prop_assert_eq!(
                last_record_end(&body, b','),
                RecordEnds::new(&body, b',').filter(|&end| end < len).last()
            );
        }

        #[test]
        fn prefixes_are_the_first_fields_of_the_records(
            bytes in proptest::collection::vec(
                prop_oneof![
                    4 => Just(b'a'), 3 => Just(b','), 2 => Just(b'\n'), 1 => Just(b'\r'),
                    1 => Just(b'"'),
                ],
                0..80,
            ),
            wanted in 1usize..5,
        ) {
            let prefixes = collect(&bytes, |d, v| for_each_record_prefix(d, b',', wanted, v));
            let whole = fast(&bytes);
            prop_assert_eq!(prefixes.len(), whole.len());
            for ((span, prefix), (whole_span, fields)) in prefixes.iter().zip(&whole) {
                prop_assert_eq!(span, whole_span);
                prop_assert!(prefix.len() >= wanted.min(fields.len()));
                let n = wanted.min(fields.len());
                prop_assert_eq!(&prefix[..n], &fields[..n]);
            }
        }

        #[test]
        fn quote_free_text_takes_the_line_scan_and_agrees(
            bytes in proptest::collection::vec(
                prop_oneof![
                    4 => Just(b'a'), 1 => Just(b' '), 2 => Just(b','), 2 => Just(b'\n'),
                    1 => Just(b'\r'), 1 => Just(0xE1u8),
                ],
                0..80,
            ),
        ) {
            // Keep only carriage returns that end a line, so that the line
            // scan is the one tested.
            let mut plain = Vec::new();
            for (i, b) in bytes.iter().enumerate() {
                if *b != b'\r' || bytes.get(i + 1) == Some(&b'\n') {
                    plain.push(*b);
                }
            }
            prop_assert!(is_plain(&plain, b','));
            prop_assert_eq!(fast(&plain), by_csv_crate(&plain));
        }
    }
}
