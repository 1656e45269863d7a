//! Exit codes — the contract with nightly jobs (documented in the README):
//!
//! | code | meaning |
//! |---|---|
//! | 0 | every dataset read and every threshold met |
//! | 1 | a threshold was breached (a rule of severity `error` below its threshold, or a rule that could not be evaluated) |
//! | 2 | bad usage or invalid rule pack (nothing validated), or a report could not be written (`report_errors` in results.json) |
//! | 3 | a dataset could not be read, or only in part; the others were still validated |
//!
//! When several apply the highest wins, except that 2 stops the run first.

use crate::results::{DatasetStatus, RunResults, RunStatus};

pub const OK: i32 = 0;
pub const THRESHOLD_BREACHED: i32 = 1;
pub const USAGE: i32 = 2;
pub const UNREADABLE: i32 = 3;

pub fn run_status(results: &RunResults) -> (RunStatus, i32) {
    if results
        .datasets
        .iter()
        .any(|d| d.status == DatasetStatus::Error)
    {
        (RunStatus::Error, UNREADABLE)
    } else if results
        .datasets
        .iter()
        .any(|d| d.status == DatasetStatus::Fail)
    {
        (RunStatus::Fail, THRESHOLD_BREACHED)
    } else {
        (RunStatus::Pass, OK)
    }
}
