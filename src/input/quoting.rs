//! How a record's double quotes are used, read from its raw bytes: the `csv`
//! crate accepts malformed quoting silently (`"abc"def` becomes `abcdef`,
//! `ab"c` keeps its quote, a quote left open swallows the rest of the file),
//! so the reader looks at the quotes itself to tell the officer.
//!
//! Quoting follows RFC 4180 as the `csv` crate reads it: a quote opens a
//! quoted value only as the first byte of a field, `""` inside one is a quote
//! character, and the value ends at the next lone quote.

/// What is wrong with the quoting of one record (fields counted from 0).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct QuoteFindings {
    /// First field with a quote inside a value that does not start with one.
    pub stray_in: Option<usize>,
    /// First field with text after its closing quote.
    pub text_after_close_in: Option<usize>,
    /// The record ends inside a quoted value (only the end of the data ends
    /// a record there).
    pub unclosed: bool,
}

#[cfg(test)]
impl QuoteFindings {
    pub fn any(&self) -> bool {
        self.stray_in.is_some() || self.text_after_close_in.is_some() || self.unclosed
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the first byte of a field.
    FieldStart,
    Unquoted,
    Quoted,
    /// Just after a quote inside a quoted value: a second quote makes `""`,
    /// anything else closed the value.
    QuoteInQuoted,
    /// After a closing quote, before the next delimiter.
    Closed,
}

/// The quoting of one record's content (without its line terminator).
pub fn scan_record(content: &[u8], delimiter: u8) -> QuoteFindings {
    let mut found = QuoteFindings::default();
    let mut field = 0;
    let mut state = State::FieldStart;
    for &b in content {
        state = match (state, b) {
            (State::FieldStart | State::Unquoted | State::Closed, _) if b == delimiter => {
                field += 1;
                State::FieldStart
            }
            (State::FieldStart, b'"') => State::Quoted,
            (State::Unquoted, b'"') => {
                found.stray_in.get_or_insert(field);
                State::Unquoted
            }
            (State::FieldStart | State::Unquoted, _) => State::Unquoted,
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::QuoteInQuoted, _) if b == delimiter => {
                field += 1;
                State::FieldStart
            }
            (State::QuoteInQuoted | State::Closed, _) => {
                found.text_after_close_in.get_or_insert(field);
                State::Closed
            }
        };
    }
    found.unclosed = state == State::Quoted;
    found
}

/// Finds where a record ends in text fed block by block, without keeping
/// the text: how an over-long record is skipped in bounded memory.
#[derive(Debug, Clone)]
pub struct RecordEndFinder {
    delimiter: u8,
    state: State,
}

impl RecordEndFinder {
    /// A finder at the first byte of a record.
    pub fn new(delimiter: u8) -> Self {
        RecordEndFinder {
            delimiter,
            state: State::FieldStart,
        }
    }

    /// The offset just after the first newline of `block` outside quotes
    /// (the record's end), or `None` when the record goes on past `block`.
    pub fn feed(&mut self, block: &[u8]) -> Option<usize> {
        for (i, &b) in block.iter().enumerate() {
            self.state = match (self.state, b) {
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::Quoted, _) => State::Quoted,
                (State::QuoteInQuoted, b'"') => State::Quoted,
                (_, b'\n') => return Some(i + 1),
                (_, b) if b == self.delimiter => State::FieldStart,
                (State::FieldStart, b'"') => State::Quoted,
                (State::QuoteInQuoted | State::Closed, _) => State::Closed,
                _ => State::Unquoted,
            };
        }
        None
    }

    /// Whether the text fed so far ended inside a quoted value.
    pub fn in_quotes(&self) -> bool {
        self.state == State::Quoted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scan(s: &str) -> QuoteFindings {
        scan_record(s.as_bytes(), b',')
    }

    #[test]
    fn well_formed_quoting_has_no_findings() {
        for ok in [
            "a,b,c",
            "\"a\",\"b,c\",d",
            "\"say \"\"hi\"\"\",x",
            "\"\",,\"\"",
            "\"multi\nline\",z",
        ] {
            assert!(!scan(ok).any(), "{ok}: {:?}", scan(ok));
        }
    }

    #[test]
    fn malformed_quoting_names_the_field() {
        assert_eq!(scan("x,\"abc\"def").text_after_close_in, Some(1));
        assert_eq!(scan("\"q\" ,y").text_after_close_in, Some(0));
        assert_eq!(scan("x,y,ab\"c").stray_in, Some(2));
        assert!(scan("1,\"open to the end").unclosed);
        assert!(!scan("1,\"closed\"").unclosed);
    }

    #[test]
    fn finder_skips_newlines_inside_quotes() {
        let mut f = RecordEndFinder::new(b',');
        assert_eq!(f.feed(b"a,\"x\ny"), None);
        assert!(f.in_quotes());
        assert_eq!(f.feed(b"\"\"z\"\nnext"), Some(5));
        let mut g = RecordEndFinder::new(b',');
        assert_eq!(
            g.feed(b"ab\"c\nd"),
            Some(5),
            "a quote inside a value opens nothing"
        );
    }

    proptest! {
        /// Fed in blocks of any size, the finder finds the end the csv crate
        /// reads: the first record's length in bytes, terminator included.
        #[test]
        fn finder_agrees_with_the_csv_crate(
            bytes in proptest::collection::vec(prop_oneof![
                4 => Just(b'a'), 2 => Just(b','), 2 => Just(b'"'), 1 => Just(b'\n')], 1..60),
            block in 1usize..8,
        ) {
            let mut data = bytes.clone();
            data.push(b'\n');
            if data[0] == b'\n' { data.insert(0, b'a'); }
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&data[..]);
            let mut record = csv::ByteRecord::new();
            reader.read_byte_record(&mut record).unwrap();
            let csv_end = reader.position().byte() as usize;
            let mut finder = RecordEndFinder::new(b',');
            let mut found = None;
            for (k, piece) in data.chunks(block).enumerate() {
                if let Some(end) = finder.feed(piece) {
                    found = Some(k * block + end);
                    break;
                }
            }
            // The csv crate also ends a record at the end of the data.
            prop_assert_eq!(found.unwrap_or(data.len()), csv_end);
        }
    }
}
