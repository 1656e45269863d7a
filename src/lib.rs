//! ddss — data-quality validation of Vietnamese sector data against the
//! Project 06 standard "đúng – đủ – sạch – sống".
//!
//! Layout: [`pack`] reads rule packs; [`checks`] holds one module per check
//! kind; [`input`] reads CSV exports; [`engine`] evaluates a dataset's rules
//! in one polars query and runs datasets in parallel; [`score`] holds the
//! formulas; [`report`] writes results.json, violations and the summary;
//! [`cli`] is the command line.

pub mod checks;
pub mod cli;
pub mod engine;
pub mod error;
pub mod exit;
pub mod generate;
pub mod history;
pub mod input;
pub mod pack;
pub mod report;
pub mod results;
pub mod score;
pub mod targets;
pub mod timings;
pub mod vn;
