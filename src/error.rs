//! Error types of the library. Every message names the file (and line, where
//! there is one) and says what to do, because the reader is a data officer at
//! a terminal, not a Rust programmer.

use std::path::PathBuf;

use thiserror::Error;

/// A rule pack that cannot be used. Always fatal for the run (exit code 2):
/// validating with half a rule pack would publish misleading scores.
#[derive(Debug, Error)]
pub enum PackError {
    #[error("{path}: cannot read the rule pack: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: invalid TOML: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{path}: no rule packs (*.toml) found; pass --rules with the folder that holds them")]
    NoPacks { path: PathBuf },
    #[error("{first} and {second} both define dataset '{name}'; dataset names must be unique")]
    DuplicateDataset {
        name: String,
        first: PathBuf,
        second: PathBuf,
    },
}

/// A dataset file that cannot be read at all. The run carries on with the
/// other datasets and exits with code 3.
#[derive(Debug, Error)]
pub enum ReadError {
    #[error("{path}: cannot read the file: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: the file is empty; expected a header line with the column names")]
    Empty { path: PathBuf },
    #[error(
        "{path}: unknown encoding '{label}' in the rule pack; use a WHATWG label such as utf-8, windows-1258 or utf-16le"
    )]
    UnknownEncoding { path: PathBuf, label: String },
    #[error(
        "{path}:1: the file looks like {encoding} without a byte-order mark (every other byte is 0); set encoding = \"{label}\" in the pack's [dataset] section, or save the file again as UTF-8"
    )]
    Utf16WithoutBom {
        path: PathBuf,
        encoding: String,
        label: String,
    },
    #[error(
        "{path}:1: the header line is longer than {limit} bytes, the most one record may take under --memory-limit (a sixteenth of it); is this a CSV file? Raise --memory-limit to read it"
    )]
    HeaderTooLong { path: PathBuf, limit: u64 },
    #[error("{path}:{line}: cannot parse CSV: {message}")]
    Csv {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{path}: cannot build the in-memory table: {message}")]
    Frame { path: PathBuf, message: String },
    #[error("{path}: cannot read the workbook: {message}")]
    Workbook { path: PathBuf, message: String },
    #[error(
        "{path}: cannot read the Parquet file: {message}. Is it Parquet (not renamed, not truncated)? Write it again, or export it as CSV UTF-8"
    )]
    Parquet { path: PathBuf, message: String },
    #[error("{address}: cannot read from PostgreSQL: {message}")]
    Postgres { address: String, message: String },
}

/// Why one rule could not be evaluated. Affects that rule only: the rest of
/// the dataset is still validated.
#[derive(Debug, Clone, Error, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum RuleError {
    #[error("column '{column}' is not in the file{}", suggestion_suffix(.suggestion))]
    MissingColumn {
        column: String,
        suggestion: Option<String>,
    },
    #[error(
        "dataset '{dataset}' is not part of this run; add its export to the inputs to evaluate this rule"
    )]
    DatasetNotInRun { dataset: String },
    #[error("column '{column}' is not in dataset '{dataset}'")]
    MissingReferenceColumn { dataset: String, column: String },
    #[error("{0}")]
    Plan(String),
}

fn suggestion_suffix(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean '{s}'?)"),
        None => String::new(),
    }
}

/// Misuse of the command line or of the output folder: exit code 2.
#[derive(Debug, Error)]
pub enum UsageError {
    #[error("{path}: input not found; pass CSV files or folders that exist")]
    InputNotFound { path: PathBuf },
    #[error("{path}: cannot write the report: {source}")]
    Output {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no rule pack validates a dataset named '{dataset}' (the packs' datasets: {known})")]
    UnknownDataset { dataset: String, known: String },
    #[error("invalid --as-of '{value}': expected a date as YYYY-MM-DD")]
    AsOf { value: String },
    /// A batch, tally or look-up a distributed runner handed over that
    /// cannot be used as given.
    #[error("{0}")]
    Batch(String),
    /// `ddss fix` cannot proceed as asked (what to do is in the message).
    #[error("{0}")]
    Fix(String),
    /// A `postgres://` input that cannot be used as written (never holding
    /// its password: the address is shown without it).
    #[error("{0}")]
    Input(String),
    #[error("{path}:{line}: invalid targets file: {message}")]
    Targets {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// Closest candidate by edit distance, for "did you mean" hints.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(wanted, c), c))
        .filter(|(d, c)| *d <= (c.len().max(wanted.len()) / 2).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos_and_rejects_strangers() {
        let kinds = ["required", "unique", "pattern", "in_set"];
        assert_eq!(closest("requird", kinds).as_deref(), Some("required"));
        assert_eq!(closest("inset", kinds).as_deref(), Some("in_set"));
        assert_eq!(closest("zzzzzzzzzz", kinds), None);
    }
}
