//! A CSV export read by ddss's own reader for a distributed runner: the
//! runner hands over the file's bytes (Spark: `binaryFile`) and gets pieces
//! of rows exactly as `ddss validate` reads them — the same cells, physical
//! line numbers, each row's structural defects (the `PH…` rules) and the
//! reader's problems. Spark's own CSV reader parses ragged rows, stray
//! quotes and invalid bytes its own way; this one is the CLI's.

use std::io::Read;
use std::path::Path;

use crate::error::ReadError;
use crate::input::{ChunkedReader, Problem, Table};

use super::DatasetPlan;

/// Text of about this many bytes per piece.
pub const PIECE_BYTES: usize = 16 << 20;

/// The pieces of one CSV export.
pub struct CsvPieces {
    reader: ChunkedReader,
    started: bool,
}

impl DatasetPlan {
    /// Reads the CSV export `source` (named `name` in messages) with the
    /// pack's delimiter, encoding and missing values, as the CLI does.
    pub fn read_csv(
        &self,
        name: &str,
        source: Box<dyn Read + Send>,
        bytes: u64,
        piece_bytes: usize,
    ) -> Result<CsvPieces, ReadError> {
        let options = crate::engine::read_options(&self.pack);
        let reader = ChunkedReader::from_reader(
            Path::new(name),
            source,
            bytes,
            &options,
            piece_bytes.max(1),
            None,
        )?;
        Ok(CsvPieces {
            reader,
            started: false,
        })
    }
}

impl CsvPieces {
    pub fn header(&self) -> &[String] {
        self.reader.header()
    }

    pub fn encoding(&self) -> &str {
        self.reader.encoding()
    }

    pub fn delimiter(&self) -> u8 {
        self.reader.delimiter()
    }

    /// The problems of the header line (kept, and how many in all).
    pub fn header_problems(&self) -> (&[Problem], u64) {
        self.reader.header_problems()
    }

    /// The next piece: its frame holds the header's text columns and the
    /// rows' defect bits ([`crate::model::ROW_DEFECTS_COLUMN`]), `lines`
    /// each row's physical line. A file of no data rows gives one empty
    /// piece, so its columns are known.
    pub fn next_piece(&mut self) -> Result<Option<Table>, ReadError> {
        let first = !self.started;
        self.started = true;
        match self.reader.next_chunk()? {
            Some(table) => Ok(Some(table)),
            None if first => self.reader.empty_table().map(Some),
            None => Ok(None),
        }
    }
}
