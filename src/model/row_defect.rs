//! Defects of a record's physical form, found while the file is read: the
//! reader marks each row with the defects it saw, in a hidden column of the
//! table, and the structural check kinds (`src/structure/`) turn the marks
//! into rule results that are scored, broken down per unit and listed with
//! the failing rows like any other rule.

/// The hidden column holding each row's defects, one bit per [`RowDefect`].
/// No header name can clash with it: the reader renames header names that
/// start with `__ddss_`.
pub const ROW_DEFECTS_COLUMN: &str = "__ddss_row_defects";

/// Prefix of every structural kind's code: `PH001`, `PH002`, …
pub const STRUCTURAL_CODE_PREFIX: &str = "PH";

/// Whether a rule's `code` is one of a structural kind.
pub fn is_structural_code(code: &str) -> bool {
    code.starts_with(STRUCTURAL_CODE_PREFIX)
}

/// One kind of physical defect of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[repr(u8)]
pub enum RowDefect {
    /// More or fewer fields than the header.
    Ragged = 1,
    /// Bytes that are not valid in the file's encoding.
    InvalidText = 2,
    /// A NUL byte in a field.
    Nul = 4,
    /// A double quote inside an unquoted value, or text after a closing quote.
    StrayQuote = 8,
    /// A double quote opened and never closed: the file ends inside it.
    UnclosedQuote = 16,
    /// A record longer than the memory budget lets one record be: skipped,
    /// its cells read as missing.
    TooLong = 32,
    /// A workbook cell Excel damaged: a code or ID stored as a number, a
    /// text turned into a date, a date typed as text among date cells, a
    /// formula whose value is an error, a merged cell.
    ExcelCell = 64,
}

impl RowDefect {
    pub const ALL: [RowDefect; 7] = [
        RowDefect::Ragged,
        RowDefect::InvalidText,
        RowDefect::Nul,
        RowDefect::StrayQuote,
        RowDefect::UnclosedQuote,
        RowDefect::TooLong,
        RowDefect::ExcelCell,
    ];

    /// The code of its structural check kind (`crate::registry`).
    pub fn code(self) -> &'static str {
        match self {
            RowDefect::Ragged => "PH001",
            RowDefect::InvalidText => "PH002",
            RowDefect::Nul => "PH003",
            RowDefect::StrayQuote => "PH004",
            RowDefect::UnclosedQuote => "PH005",
            RowDefect::TooLong => "PH006",
            RowDefect::ExcelCell => "PH007",
        }
    }

    /// The name of its structural check kind in rule packs.
    pub fn kind_name(self) -> &'static str {
        match self {
            RowDefect::Ragged => "ragged_row",
            RowDefect::InvalidText => "invalid_text",
            RowDefect::Nul => "nul_byte",
            RowDefect::StrayQuote => "stray_quote",
            RowDefect::UnclosedQuote => "unclosed_quote",
            RowDefect::TooLong => "record_too_long",
            RowDefect::ExcelCell => "excel_cell",
        }
    }

    /// Whether a row with this defect was read only in part (values
    /// dropped, replaced or swallowed): the dataset then counts as read in
    /// part (exit code 3), besides the rule's finding.
    pub fn loses_data(self) -> bool {
        match self {
            RowDefect::Ragged
            | RowDefect::InvalidText
            | RowDefect::UnclosedQuote
            | RowDefect::TooLong => true,
            RowDefect::Nul | RowDefect::StrayQuote | RowDefect::ExcelCell => false,
        }
    }

    /// The defect whose structural kind has this code.
    pub fn from_code(code: &str) -> Option<RowDefect> {
        RowDefect::ALL.into_iter().find(|d| d.code() == code)
    }

    pub fn bit(self) -> u8 {
        self as u8
    }

    /// Whether `defects` (a row's bits) holds this defect.
    pub fn is_in(self, defects: u8) -> bool {
        defects & self.bit() != 0
    }
}
