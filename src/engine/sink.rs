//! Where failing rows go as batches are checked. The engine hands each
//! checked batch to a [`RowSink`] and never knows whether it becomes a CSV
//! file, a table in memory or nothing at all: the report layer (or a Python
//! or Spark caller) decides, as ripgrep's searcher hands matches to a sink.
//!
//! A file checked piece by piece cannot keep its failing rows, so they must
//! leave the engine as they are found; a sink is how.

use super::dataset::{Violation, Violations};
use crate::error::UsageError;
use crate::pack::RulePack;

/// The dataset-level findings of a dataset, written through the function
/// given; returns how many there were.
pub type DatasetLevel<'a> =
    &'a mut dyn FnMut(&mut dyn FnMut(Violation<'_>) -> csv::Result<()>) -> csv::Result<u64>;

/// The failing rows of one dataset.
pub trait RowSink: Send {
    /// The failing rows of one checked batch (a whole file, or a piece).
    fn append(&mut self, batch: &Violations) -> Result<(), UsageError>;

    /// Ends the dataset: `dataset_level` gives the findings decided once
    /// every row was counted (they come first in the output). Returns the
    /// number of violations, rows and dataset-level findings together.
    fn finish(self: Box<Self>, dataset_level: DatasetLevel<'_>) -> Result<u64, UsageError>;
}

/// Opens a [`RowSink`] per dataset of a run.
pub trait RowSinks: Sync {
    /// The sink of dataset `name` (its file name in the reports).
    fn open(&self, name: &str, pack: &RulePack) -> Result<Box<dyn RowSink>, UsageError>;

    /// Where dataset `name`'s violations can be read afterwards, relative to
    /// the output folder (`violations/<name>.csv`), if anywhere.
    fn location(&self, name: &str) -> Option<String>;
}

/// Counts the failing rows and keeps none: a run that writes no files.
#[derive(Debug, Default, Clone, Copy)]
pub struct CountOnly;

struct Counter(u64);

impl RowSink for Counter {
    fn append(&mut self, batch: &Violations) -> Result<(), UsageError> {
        self.0 += batch
            .try_for_each_row(false, |_| Ok::<(), std::convert::Infallible>(()))
            .unwrap_or_else(|never| match never {});
        Ok(())
    }

    fn finish(self: Box<Self>, dataset_level: DatasetLevel<'_>) -> Result<u64, UsageError> {
        let found = dataset_level(&mut |_| Ok(())).unwrap_or(0);
        Ok(self.0 + found)
    }
}

impl RowSinks for CountOnly {
    fn open(&self, _name: &str, _pack: &RulePack) -> Result<Box<dyn RowSink>, UsageError> {
        Ok(Box::new(Counter(0)))
    }

    fn location(&self, _name: &str) -> Option<String> {
        None
    }
}
