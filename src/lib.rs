//! ddss — data-quality validation of Vietnamese sector data against the
//! Project 06 standard "đúng – đủ – sạch – sống".
//!
//! The library is layered; a module uses only modules below it (a test,
//! `tests/layers.rs`, reads every `crate::` path and fails on a cycle):
//!
//! 1. Shared words and tools: [`model`] (dimensions, severities, column
//!    types, personal data), [`error`], [`timings`], [`atomic`] (files
//!    written by temp file + rename).
//! 2. [`input`] reads CSV exports; [`contract`] is what a check kind sees and
//!    returns.
//! 3. The check kinds: [`checks`] (generic, `DQ…`) and [`vn`] (Vietnamese,
//!    `VN…`, with the Vietnamese text, ID and code-list knowledge they share).
//! 4. [`registry`]: the one table of check kinds and their codes.
//! 5. [`pack`] reads rule packs; [`results`] is the results model, [`score`]
//!    its formulas, [`targets`] the score targets, [`exit`] the exit codes,
//!    [`history`] the store of past runs.
//! 6. [`engine`] plans a run, checks batches of rows (a whole file or its
//!    pieces) in one polars query per batch, merges their tallies and
//!    returns the results; failing rows leave through a sink it is given.
//! 7. [`report`] turns results into files and terminal output; [`job`] is a
//!    whole `validate` run (engine + reports); [`cli`] is the command line.

pub mod atomic;
pub mod checks;
pub mod cli;
pub mod contract;
pub mod distributed;
pub mod engine;
pub mod error;
pub mod exit;
pub mod fix;
pub mod history;
pub mod indicators;
pub mod input;
pub mod job;
pub mod model;
pub mod pack;
pub mod ranking;
pub mod registry;
pub mod report;
pub mod results;
pub mod score;
pub mod structure;
pub mod targets;
pub mod timings;
pub mod vn;
