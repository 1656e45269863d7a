//! Report writers. Every file is written to a temporary name in the target
//! folder and renamed into place, so an interrupted run never leaves a
//! half-written report where a nightly job would read it.

pub mod atomic;
pub mod cell;
pub mod json;
pub mod markdown;
pub mod mask;
pub mod scorecard;
pub mod summary;
pub mod trend;
pub mod violations;
pub mod xlsx;

/// Language of the reports meant for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    /// Tiếng Việt.
    #[default]
    Vi,
    /// English.
    En,
}
