//! Merged tallies into a run's results — and, with an output folder, into
//! the reports the CLI writes: violations files, workbook, scorecard,
//! history and results.json.

use std::path::PathBuf;

use polars::prelude::*;

use super::DatasetTally;
use crate::contract::LookupSets;
use crate::engine::{
    Concluded, PlannedDataset, ReadFacts, RunOutput, dataset_result, for_each_dataset_level,
    run_results,
};
use crate::error::UsageError;
use crate::job::RunOptions;
use crate::pack::PackSet;
use crate::results::{RunResults, UnmatchedInput};

/// One dataset to conclude.
pub struct Concluding {
    /// The dataset's name in the reports (its pack's dataset name, or the
    /// CLI's `name-stem` form when one pack validates several inputs).
    pub name: String,
    /// What was read, shown as the dataset's `source` (a path, a table name).
    pub source: String,
    /// Bytes read, where known.
    pub bytes: u64,
    /// The merged tally of all the dataset's batches.
    pub tally: DatasetTally,
    /// Every failing row the batches gave (their violations tables, in any
    /// order). `None`: the runner wrote them elsewhere; only counted.
    pub violations: Option<DataFrame>,
    /// What the rows' numbers are when not the input's physical lines
    /// (`"ordinal"`), for results.json's `row_numbers`.
    pub row_numbers: Option<String>,
}

/// Concludes `datasets` into one run. With `write`, the reports go to
/// `options.out_dir` exactly as the CLI writes them (results.json last);
/// without, nothing is written.
pub fn conclude(
    packs: &PackSet,
    datasets: Vec<Concluding>,
    unmatched: Vec<UnmatchedInput>,
    options: &RunOptions,
    write: bool,
) -> Result<RunResults, UsageError> {
    crate::job::check_as_of(options.as_of)?;
    let out_dir = options.out_dir.clone();
    if write {
        for dir in [
            out_dir.clone(),
            out_dir.join("violations"),
            crate::history::dir(&out_dir),
        ] {
            crate::atomic::remove_stale_temp_files(&dir);
        }
        let folder = out_dir.join("violations");
        std::fs::create_dir_all(&folder).map_err(|source| UsageError::Output {
            path: folder,
            source,
        })?;
    }
    let execute = options.execute_options();
    let mut results = Vec::with_capacity(datasets.len());
    let mut used = Vec::with_capacity(datasets.len());
    for dataset in datasets {
        let tally = dataset.tally;
        let pack = packs.dataset(&tally.dataset)?;
        if tally.rules_hash != packs.hash {
            return Err(UsageError::Batch(format!(
                "the tally of '{}' was made by other rule packs ({}) than these ({}): conclude \
                 with the packs that evaluated the batches",
                tally.dataset, tally.rules_hash, packs.hash
            )));
        }
        let row_violations = tally.summary.row_violations;
        let Concluded {
            mut checked,
            outcomes,
        } = tally.summary.conclude(
            pack,
            &tally.header,
            options.as_of,
            &LookupSets::default(),
            Ok(0),
        );
        let relative = format!("violations/{}.csv", dataset.name);
        let location = match (&dataset.violations, write) {
            (Some(rows), true) => {
                checked.violations = crate::report::violations::write_collected(
                    &out_dir.join(&relative),
                    &mut |w| for_each_dataset_level(pack, &outcomes, w),
                    rows,
                );
                Some(relative)
            }
            _ => {
                let dataset_level =
                    for_each_dataset_level(pack, &outcomes, |_| Ok::<(), ()>(())).unwrap_or(0);
                let rows = match &dataset.violations {
                    Some(rows) => rows.height() as u64,
                    None => row_violations,
                };
                checked.violations = Ok(rows + dataset_level);
                None
            }
        };
        let planned = PlannedDataset {
            name: dataset.name.clone(),
            path: PathBuf::from(&dataset.source),
            pack: pack.clone(),
            bytes: dataset.bytes,
            streamed: false,
            piece_bytes: 0,
            looked_up: vec![],
            in_memory: None,
            lookups_from: None,
            lookups_only: false,
            postgres: None,
            read_failure: None,
        };
        let read = ReadFacts {
            bytes: dataset.bytes,
            encoding: "arrow".into(),
            delimiter: b',',
            streamed: false,
        };
        let mut result = dataset_result(&planned, &execute, location, checked, read);
        result.row_numbers = dataset.row_numbers;
        result.source_kind = "spark".into();
        results.push(result);
        used.push(pack.clone());
    }
    let results = run_results(&execute, &packs.hash, &packs.files, results, unmatched);
    let mut run = RunOutput {
        results,
        packs: used,
    };
    if write {
        crate::job::write_reports(&mut run, &out_dir, options.mask, options.lang)?;
    }
    Ok(run.results)
}
