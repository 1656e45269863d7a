//! Streaming mode: a file larger than the memory budget is checked piece by
//! piece, in bounded memory, with the same results as a whole read.
//!
//! Every count ddss reports is a sum over rows, so the pieces' tallies add
//! up exactly ([`Tally::merge`]); failing rows are written as each piece is
//! checked. Two things need the whole file and are decided around the pieces:
//! `unique` rules (their duplicated keys are found first, see
//! [`super::duplicate_keys`]) and dataset-level rules (`row_count`, decided
//! once the rows are counted).

use std::path::Path;

use chrono::NaiveDate;

use super::batches::{DatasetBatches, DatasetChecked};
use super::duplicate_keys::{DuplicateKeys, KeyContext};
use super::query::{RuleOutcome, check_table};
use super::sink::RowSink;
use crate::contract::LookupSets;
use crate::error::{ReadError, UsageError};
use crate::input::{ChunkedReader, ReadOptions};
use crate::pack::RulePack;
use crate::timings::Total;

pub struct StreamOptions<'a> {
    pub as_of: NaiveDate,
    /// Text per piece, in bytes.
    pub chunk_bytes: usize,
    /// The longest a record may be, in bytes; a longer one is skipped
    /// (`None`: no bound).
    pub record_bytes: Option<usize>,
    /// Bits of the key hashes of `unique` rules: 64; fewer only in tests,
    /// to force collisions.
    pub hash_bits: u32,
    pub examples_per_rule: usize,
    /// Opens where the failing rows go (once per pass over the pieces).
    pub sink: &'a (dyn Fn() -> Result<Box<dyn RowSink>, UsageError> + Sync),
    /// Called with (bytes done, bytes to do) over all passes.
    pub progress: &'a (dyn Fn(u64, u64) + Sync),
}

/// A streamed dataset's results: what checking a table read whole gives,
/// with what the reader saw of the file.
pub struct Streamed {
    pub checked: DatasetChecked,
    pub encoding: String,
    pub delimiter: u8,
    pub bytes: u64,
}

pub fn validate_streamed(
    pack: &RulePack,
    path: &Path,
    read: &ReadOptions,
    lookups: &LookupSets,
    options: &StreamOptions,
) -> Result<Streamed, ReadError> {
    let open =
        || ChunkedReader::open_bounded(path, read, options.chunk_bytes, options.record_bytes);
    let file_bytes = std::fs::metadata(path).map_or(0, |m| m.len()).max(1);
    let keys = KeyContext {
        pack,
        as_of: options.as_of,
        lookups,
    };
    let mut duplicates = DuplicateKeys::of(pack).with_hash_bits(options.hash_bits);
    let total = |passes: u32| file_bytes * u64::from(passes);
    let mut passes = 1;
    if !duplicates.is_empty() {
        let _phase = crate::timings::phase("stream: duplicate-key hashes");
        duplicates.hash_pass(&open, &keys, &|bytes| {
            (options.progress)(bytes, total(2));
        })?;
        passes = 2;
    }
    loop {
        let streamed = check_pieces(
            pack,
            lookups,
            options,
            &open,
            &mut duplicates,
            &keys,
            (total(passes - 1), total(passes)),
        )?;
        if !duplicates.collided() {
            return Ok(streamed);
        }
        // Two different keys shared a hash: count the exact keys, check again.
        let done = total(passes);
        passes += 2;
        duplicates.verify(&open, &keys, &|bytes| {
            (options.progress)(done + bytes, total(passes));
        })?;
    }
}

/// Checks the pieces of the file once; `progress_span` = (bytes done
/// before, bytes of all passes) for the progress bar.
fn check_pieces(
    pack: &RulePack,
    lookups: &LookupSets,
    options: &StreamOptions,
    open: &dyn Fn() -> Result<ChunkedReader, ReadError>,
    duplicates: &mut DuplicateKeys,
    keys: &KeyContext,
    (done_before, all_passes): (u64, u64),
) -> Result<Streamed, ReadError> {
    let mut t_wait = Total::default();
    let mut t_unique = Total::default();
    let mut t_check = Total::default();
    let mut reader = open()?;
    let header = reader.header().to_vec();
    let mut batches = DatasetBatches::new(pack, (options.sink)(), options.examples_per_rule);
    let (kept, count) = reader.header_problems();
    batches.add_problems(kept, count);

    // Three stages on their own threads, one piece each: the next piece is
    // read (file, decoding, splitting) while this one is checked (the rule
    // query, itself parallel) and the one before is tallied (counts, units,
    // examples, failing rows written). They overlap instead of taking turns,
    // so both cores stay busy; memory holds three pieces at most.
    let batches_here = &mut batches;
    let (reader, checked_any) = std::thread::scope(|scope| -> Result<_, ReadError> {
        let (pieces, received) = std::sync::mpsc::sync_channel(0);
        let (to_tally, for_tally) =
            std::sync::mpsc::sync_channel::<(crate::input::Table, super::query::Checked)>(0);
        let tallying = scope.spawn(move || {
            for (table, checked) in for_tally {
                batches_here.add(&table, checked);
            }
        });
        let reading = scope.spawn(move || {
            loop {
                let piece = reader
                    .next_chunk()
                    .map(|p| p.map(|t| (t, reader.read_bytes())));
                let stop = !matches!(piece, Ok(Some(_)));
                if let Some(piece) = piece.transpose()
                    && pieces.send(piece).is_err()
                {
                    break;
                }
                if stop {
                    break;
                }
            }
            reader
        });
        let mut checked_any = false;
        let mut failure = None;
        while let Some(next) = t_wait.time(|| received.recv().ok()) {
            let (table, read_bytes) = match next {
                Ok(piece) => piece,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            };
            checked_any = true;
            let checked = check_piece(
                pack,
                lookups,
                options,
                duplicates,
                keys,
                &table,
                (&mut t_unique, &mut t_check),
            );
            if to_tally.send((table, checked)).is_err() {
                break;
            }
            (options.progress)(done_before + read_bytes, all_passes);
        }
        drop(received);
        drop(to_tally);
        tallying.join().map_err(|_| ReadError::Frame {
            path: std::path::PathBuf::new(),
            message: "internal error: the tallying thread stopped".into(),
        })?;
        let reader = reading.join().map_err(|_| ReadError::Frame {
            path: std::path::PathBuf::new(),
            message: "internal error: the reading thread stopped".into(),
        })?;
        match failure {
            Some(e) => Err(e),
            None => Ok((reader, checked_any)),
        }
    })?;
    if !checked_any {
        // A header-only file still gets its rules planned (and reported).
        let table = reader.empty_table()?;
        let checked = check_piece(
            pack,
            lookups,
            options,
            duplicates,
            keys,
            &table,
            (&mut t_unique, &mut t_check),
        );
        batches.add(&table, checked);
    }
    t_wait.report("stream: waiting for pieces (read in parallel)");
    t_unique.report("stream: unique masks");
    t_check.report("stream: rule query");
    Ok(Streamed {
        checked: batches.finish(&header, options.as_of, lookups),
        encoding: reader.encoding().to_string(),
        delimiter: reader.delimiter(),
        bytes: reader.file_bytes(),
    })
}

/// Checks one piece: its rules' verdicts, `unique` ones from the file's
/// duplicated keys.
fn check_piece(
    pack: &RulePack,
    lookups: &LookupSets,
    options: &StreamOptions,
    duplicates: &mut DuplicateKeys,
    keys: &KeyContext,
    table: &crate::input::Table,
    (t_unique, t_check): (&mut Total, &mut Total),
) -> super::query::Checked {
    let (given, unique_errors) = t_unique.time(|| duplicates.masks(table, keys));
    let mut checked = t_check.time(|| {
        check_table(
            pack,
            &table.frame,
            &table.header,
            options.as_of,
            lookups,
            given,
        )
    });
    for (i, e) in unique_errors {
        checked.outcomes[i] = RuleOutcome::Error(e);
    }
    checked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::ReferenceTables;
    use crate::engine::validate_table;
    use crate::input::read_table;

    const PACK: &str = r#"
[dataset]
name = "t"
sector = "test"
files = ["t.csv"]
key = ["a"]
unit_column = "u"
missing_values = ["NULL"]

[columns]
a = "string"
b = "string"
u = "string"

[[rules]]
id = "R1"
check = "required"
column = "a"
dimension = "du"
message = "a missing"

[[rules]]
id = "R2"
check = "unique"
column = "a"
dimension = "sach"
message = "a repeated"

[[rules]]
id = "R3"
check = "unique"
columns = ["a", "b"]
dimension = "sach"
message = "a+b repeated"

[[rules]]
id = "R4"
check = "unique"
column = "a"
when = "b = 'x'"
dimension = "sach"
severity = "warn"
message = "a repeated among x"

[[rules]]
id = "R5"
check = "in_set"
column = "b"
values = ["x", "y"]
dimension = "dung"
message = "b not x/y"

[[rules]]
id = "R6"
check = "row_count"
min = 3
dimension = "du"
message = "too few rows"
"#;

    /// The pack; without its `when` rule, duplicates are found straight
    /// from the records instead of through typed pieces.
    fn pack(dir: &Path, with_when: bool) -> RulePack {
        let text = if with_when {
            PACK.to_string()
        } else {
            let start = PACK.find("[[rules]]\nid = \"R4\"").unwrap();
            let end = PACK.find("[[rules]]\nid = \"R5\"").unwrap();
            format!("{}{}", &PACK[..start], &PACK[end..])
        };
        crate::pack::parse_pack(&dir.join("t.toml"), &text, dir, &ReferenceTables::default())
            .unwrap()
    }

    /// Whole read vs piece by piece: same rule results (counts, examples),
    /// scores, unit scores and byte-identical violations files.
    fn compare(
        rows: &[(String, String, String)],
        chunk_bytes: usize,
        with_when: bool,
        hash_bits: u32,
    ) -> Result<(), String> {
        let dir = tempfile::tempdir().unwrap();
        let pack = pack(dir.path(), with_when);
        let path = dir.path().join("t.csv");
        let mut w = csv::Writer::from_path(&path).unwrap();
        w.write_record(["a", "b", "u"]).unwrap();
        for (a, b, u) in rows {
            w.write_record([a, b, u]).unwrap();
        }
        w.flush().unwrap();
        let read = ReadOptions {
            missing_values: pack.dataset.missing_values.clone(),
            ..Default::default()
        };
        let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let lookups = LookupSets::default();

        let table = read_table(&path, &read, &|_| {}).unwrap();
        let mut whole = validate_table(&pack, &table, as_of, &lookups);
        let mut examples = whole.violations.examples(3);
        for rule in &mut whole.rules {
            rule.examples = examples.remove(&rule.id).unwrap_or_default();
        }
        let whole_csv = dir.path().join("whole.csv");
        let whole_count =
            crate::report::violations::write_csv(&whole_csv, &whole.violations, false).unwrap();

        let piece_csv = dir.path().join("pieces.csv");
        let sink = || {
            crate::report::violations::PiecewiseCsv::create(&piece_csv, false)
                .map(|s| Box::new(s) as Box<dyn RowSink>)
        };
        let streamed = validate_streamed(
            &pack,
            &path,
            &read,
            &lookups,
            &StreamOptions {
                as_of,
                chunk_bytes,
                record_bytes: None,
                hash_bits,
                examples_per_rule: 3,
                sink: &sink,
                progress: &|_, _| {},
            },
        )
        .unwrap()
        .checked;
        let json = |v: &dyn erased::Json| v.json();
        if json(&whole.rules) != json(&streamed.rules) {
            return Err(format!(
                "rules\n{}\n{}",
                json(&whole.rules),
                json(&streamed.rules)
            ));
        }
        if json(&whole.scores) != json(&streamed.scores)
            || json(&whole.units) != json(&streamed.units)
            || json(&whole.provinces) != json(&streamed.provinces)
        {
            return Err("scores or unit scores differ".into());
        }
        if streamed.violations.as_ref().ok() != Some(&whole_count) {
            return Err(format!(
                "count {whole_count} vs {:?}",
                streamed.violations.as_ref().ok()
            ));
        }
        if std::fs::read(&whole_csv).unwrap() != std::fs::read(&piece_csv).unwrap() {
            return Err("violations files differ".into());
        }
        Ok(())
    }

    mod erased {
        pub trait Json {
            fn json(&self) -> String;
        }
        impl<T: serde::Serialize> Json for T {
            fn json(&self) -> String {
                serde_json::to_string(self).unwrap()
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
        /// Keys drawn from a handful of values (so they repeat, across
        /// pieces too), missing cells, `when` conditions, multi-column keys,
        /// pieces from a few bytes up.
        #[test]
        fn pieces_give_the_results_of_a_whole_read(
            rows in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["", "NULL", "k1", "k2", "k3", "k4", "k5", "k6"]),
                    proptest::sample::select(vec!["", "x", "y", "z"]),
                    proptest::sample::select(vec!["", "00004", "00007", "26734"]),
                ),
                0..60,
            ),
            chunk_bytes in 1usize..200,
            with_when in proptest::bool::ANY,
            hash_bits in proptest::sample::select(vec![1u32, 3, 64]),
        ) {
            let rows: Vec<(String, String, String)> = rows
                .into_iter()
                .map(|(a, b, u)| (a.to_string(), b.to_string(), u.to_string()))
                .collect();
            if let Err(diff) = compare(&rows, chunk_bytes, with_when, hash_bits) {
                proptest::prop_assert!(false, "{}", diff);
            }
        }
    }

    #[test]
    fn duplicates_in_different_pieces_are_found() {
        let rows: Vec<(String, String, String)> = (0..200)
            .map(|i| {
                (
                    format!("k{}", i % 150),
                    "x".to_string(),
                    "00004".to_string(),
                )
            })
            .collect();
        // 50 keys appear twice, 100 rows apart: always in different pieces.
        for (with_when, hash_bits) in [(true, 64), (false, 64), (false, 2), (true, 2)] {
            compare(&rows, 64, with_when, hash_bits).unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut text = String::from("a,b,u\n");
        for (a, b, u) in &rows {
            text.push_str(&format!("{a},{b},{u}\n"));
        }
        std::fs::write(&path, text).unwrap();
        let pack = pack(dir.path(), false);
        let sink = || crate::engine::RowSinks::open(&crate::engine::CountOnly, "t", &pack);
        let streamed = validate_streamed(
            &pack,
            &path,
            &ReadOptions::default(),
            &LookupSets::default(),
            &StreamOptions {
                as_of: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
                chunk_bytes: 64,
                record_bytes: None,
                hash_bits: 64,
                examples_per_rule: 3,
                sink: &sink,
                progress: &|_, _| {},
            },
        )
        .unwrap();
        let r2 = streamed
            .checked
            .rules
            .iter()
            .find(|r| r.id == "R2")
            .unwrap();
        assert_eq!((r2.evaluated, r2.failed), (200, 100));
    }
}
