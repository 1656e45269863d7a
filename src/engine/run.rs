//! A whole run: inputs → datasets → results and report files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;

use super::dataset::validate_table;
use super::stream::{StreamOptions, validate_streamed};
use super::{lookups, progress::Progress};
use crate::error::{ReadError, UsageError};
use crate::input::{ChunkedReader, Problem, ReadOptions, Table, read_table};
use crate::pack::{InputMatch, MatchIssue, PackSet, match_inputs};
use crate::report;
use crate::report::violations::DatasetViolations;
use crate::results::*;

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub as_of: NaiveDate,
    pub out_dir: PathBuf,
    pub progress: bool,
    /// `--fail-under`: every dataset's overall score must reach this.
    pub fail_under: Option<f64>,
    /// `--mask`: personal data masked in the violations exports too.
    pub mask: bool,
    /// `--targets`: the committee's score targets on top of the packs'.
    pub targets: crate::targets::Targets,
    /// Language of the scorecard.
    pub lang: report::Lang,
    /// `--memory-limit`: bounds the pieces files are checked in and which
    /// files may be read whole.
    pub memory_limit: u64,
}

/// Memory a dataset read whole takes per byte of file: its text, typed
/// copies and rule columns (measured peak RSS: 4.0 × the file at 10 M rows,
/// 5.1 × at 1 M; benches/RESULTS.md).
pub const MEMORY_PER_FILE_BYTE: u64 = 5;

/// Which files are checked piece by piece: every file larger than one
/// piece — measured as fast as a whole read, or faster, at a fraction of
/// the memory (benches/RESULTS.md) — and any file whose whole read would not
/// fit, with the others, in three quarters of `limit` (the rest is left to
/// the pieces and the reports). Small files are read whole, smallest first.
pub fn choose_streamed(sizes: &[u64], limit: u64) -> Vec<bool> {
    let piece = chunk_bytes(limit) as u64;
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by_key(|&i| sizes[i]);
    let budget = limit / 4 * 3;
    let mut used: u64 = 0;
    let mut streamed = vec![true; sizes.len()];
    for i in order {
        let need = sizes[i].saturating_mul(MEMORY_PER_FILE_BYTE);
        if sizes[i] <= piece && used.saturating_add(need) <= budget {
            used += need;
            streamed[i] = false;
        }
    }
    streamed
}

/// Text per piece of a streamed file: a thirty-second of the budget (a
/// piece takes about five times its text while checked), 16 KiB to 64 MiB
/// (smaller pieces cost time: 10 M rows in 16 MiB pieces 7.4 s, in 64 MiB
/// pieces 6.6 s).
pub fn chunk_bytes(limit: u64) -> usize {
    (limit / 32).clamp(16 << 10, 64 << 20) as usize
}

/// Text per piece of one streamed file: [`chunk_bytes`], but no more than
/// an eighth of the file while that is above 16 MiB. Memory follows the piece
/// (about five times its text), and files of a few pieces gain nothing from
/// large ones: 1 M rows (91 MB) in 16 MiB pieces ran 0.75–0.79 s at 190 MiB
/// peak RSS, in 64 MiB pieces 0.80–0.82 s at 371 MiB (benches/RESULTS.md).
pub fn piece_bytes(limit: u64, file_bytes: u64) -> usize {
    let eighth = (file_bytes / 8).max(16 << 20);
    chunk_bytes(limit).min(usize::try_from(eighth).unwrap_or(usize::MAX))
}

fn read_options(pack: &crate::pack::RulePack) -> ReadOptions {
    let d = &pack.dataset;
    ReadOptions {
        delimiter: d.delimiter,
        encoding: d.encoding.clone(),
        missing_values: d.missing_values.clone(),
    }
}

/// Validates `inputs` against `packs`, writes the violations files and
/// `results.json` under `options.out_dir`, and returns the results.
pub fn run(
    packs: &PackSet,
    inputs: &[PathBuf],
    options: &RunOptions,
) -> Result<RunResults, UsageError> {
    let (matches, issues) = match_inputs(inputs, &packs.packs)?;
    let out = &options.out_dir;
    std::fs::create_dir_all(out.join("violations")).map_err(|source| UsageError::Output {
        path: out.join("violations"),
        source,
    })?;

    let names = dataset_names(&matches);
    let progress = Progress::new(options.progress);
    let bars: Vec<_> = matches
        .iter()
        .zip(&names)
        .map(|(m, name)| progress.bar(name, std::fs::metadata(&m.path).map_or(0, |md| md.len())))
        .collect();

    let started = std::time::Instant::now();
    let sizes: Vec<u64> = matches
        .iter()
        .map(|m| std::fs::metadata(&m.path).map_or(0, |md| md.len()))
        .collect();
    let streamed = choose_streamed(&sizes, options.memory_limit);
    let tables: Vec<Option<Result<Table, ReadError>>> = matches
        .par_iter()
        .zip(&bars)
        .zip(&streamed)
        .map(|((m, bar), streamed)| {
            if *streamed {
                bar.set_message("đọc từng phần");
                return None;
            }
            let table = read_table(&m.path, &read_options(&m.pack), &|bytes| {
                bar.set_position(bytes)
            });
            bar.set_message("đang kiểm tra");
            Some(table)
        })
        .collect();

    let pack_refs: Vec<_> = matches.iter().map(|m| m.pack.as_ref()).collect();
    // What other datasets look up in a streamed one: only those columns.
    let projected: Vec<Option<Table>> = matches
        .iter()
        .zip(&streamed)
        .zip(&sizes)
        .map(|((m, streamed), size)| {
            let columns = lookups::needed_columns(&pack_refs, &m.pack.dataset.name);
            if !*streamed || columns.is_empty() {
                return None;
            }
            read_projected(
                &m.path,
                &read_options(&m.pack),
                &columns,
                piece_bytes(options.memory_limit, *size),
            )
            .ok()
        })
        .collect();
    let readable: Vec<(&crate::pack::RulePack, &Table)> = matches
        .iter()
        .zip(tables.iter().zip(&projected))
        .filter_map(|(m, (t, p))| {
            let table = match (t, p) {
                (Some(Ok(t)), _) => t,
                (None, Some(p)) => p,
                _ => return None,
            };
            Some((m.pack.as_ref(), table))
        })
        .collect();
    let lookups = lookups::build(&pack_refs, &readable);
    crate::timings::report("run: read whole files and look-ups", started.elapsed());

    let in_memory: Vec<(DatasetResult, Option<DatasetViolations>)> = matches
        .par_iter()
        .zip(tables.par_iter())
        .zip(names.par_iter())
        .zip(bars.par_iter())
        .map(|(((m, table), name), bar)| {
            let (result, violations) = match table {
                None => return (identity(m, name), None),
                Some(Ok(table)) => {
                    let (result, violations) = evaluate(m, table, name, options, &lookups);
                    (result, Some(DatasetViolations::InMemory(violations)))
                }
                Some(Err(e)) => (unreadable(m, name, e), None),
            };
            finish_bar(bar, &result);
            (result, violations)
        })
        .collect();
    // Streamed datasets one after the other: each uses every core already.
    let mut datasets = Vec::with_capacity(matches.len());
    let mut violations = Vec::with_capacity(matches.len());
    for (((((m, name), bar), (result, in_memory)), table), size) in matches
        .iter()
        .zip(&names)
        .zip(&bars)
        .zip(in_memory)
        .zip(&tables)
        .zip(&sizes)
    {
        // Read whole (or unreadable): already evaluated above.
        if table.is_some() {
            datasets.push(result);
            violations.push(in_memory);
            continue;
        }
        let relative = format!("violations/{name}.csv");
        let progress = |done: u64, total: u64| {
            bar.set_length(total);
            bar.set_position(done);
        };
        let stream = StreamOptions {
            as_of: options.as_of,
            mask: options.mask,
            chunk_bytes: piece_bytes(options.memory_limit, *size),
            hash_bits: 64,
            examples_per_rule: EXAMPLES_PER_RULE,
            violations: &options.out_dir.join(&relative),
            progress: &progress,
        };
        let result =
            match validate_streamed(&m.pack, &m.path, &read_options(&m.pack), &lookups, &stream) {
                Ok(s) => {
                    let written = s.violations.is_ok();
                    let result = dataset_result(
                        m,
                        name,
                        options,
                        Checked {
                            rules: s.rules,
                            scores: s.scores,
                            errors: s.errors,
                            units: s.units,
                            provinces: s.provinces,
                            problems: s.problems,
                            problem_count: s.problem_count,
                            rows: s.rows,
                            bytes: s.bytes,
                            encoding: s.encoding,
                            delimiter: s.delimiter,
                            violations: s.violations,
                            streamed: true,
                        },
                    );
                    violations.push(written.then(|| DatasetViolations::Written {
                        pack: &m.pack,
                        csv: options.out_dir.join(&relative),
                    }));
                    result
                }
                Err(e) => {
                    violations.push(None);
                    unreadable(m, name, &e)
                }
            };
        finish_bar(bar, &result);
        datasets.push(result);
    }

    let mut results = RunResults {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "ddss".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        as_of: options.as_of.format("%Y-%m-%d").to_string(),
        generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        rule_packs: RulePacksInfo {
            hash: packs.hash.clone(),
            files: packs.files.iter().map(|p| display(p)).collect(),
        },
        status: RunStatus::Pass,
        exit_code: 0,
        datasets,
        unmatched_inputs: issues
            .iter()
            .map(|i| UnmatchedInput {
                path: match i {
                    MatchIssue::NoPack { path } | MatchIssue::SeveralPacks { path, .. } => {
                        display(path)
                    }
                },
                problem: i.to_string(),
            })
            .collect(),
    };
    (results.status, results.exit_code) = crate::exit::run_status(&results);
    let reports = crate::timings::phase("run: results, history, workbook, scorecard");
    report::json::write_results(out, &results)?;
    crate::history::record(out, &results)?;

    let with_failures: Vec<_> = results
        .datasets
        .iter()
        .zip(violations.iter().map(Option::as_ref))
        .collect();
    debug_assert_eq!(with_failures.len(), matches.len());
    report::xlsx::write_xlsx(
        &out.join("violations.xlsx"),
        &with_failures,
        &report::xlsx::XlsxOptions {
            mask: options.mask,
            lang: options.lang,
            ..Default::default()
        },
    )?;
    let (history, _) = crate::history::load_recent(out, report::scorecard::TREND_RUNS);
    report::scorecard::write(
        &out.join("scorecard.html"),
        &results,
        &history,
        options.lang,
    )?;
    drop(reports);
    Ok(results)
}

/// Masked example records kept per rule in `results.json`.
const EXAMPLES_PER_RULE: usize = 3;

fn finish_bar(bar: &indicatif::ProgressBar, result: &DatasetResult) {
    bar.finish_with_message(match result.status {
        DatasetStatus::Pass => "đạt",
        DatasetStatus::Fail => "chưa đạt",
        DatasetStatus::Error => "lỗi",
    });
}

/// The columns of a streamed dataset that other datasets look up, read
/// piece by piece into a table of those columns only.
fn read_projected(
    path: &Path,
    read: &ReadOptions,
    columns: &[String],
    chunk_bytes: usize,
) -> Result<Table, ReadError> {
    let mut reader = ChunkedReader::open(path, read, chunk_bytes)?;
    let present: Vec<String> = columns
        .iter()
        .filter(|c| reader.header().contains(c))
        .cloned()
        .collect();
    reader.keep_only(&present);
    let mut frame: Option<polars::prelude::DataFrame> = None;
    let mut lines = Vec::new();
    let frame_error = |e: polars::prelude::PolarsError| ReadError::Frame {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    while let Some(piece) = reader.next_chunk()? {
        let part = piece
            .frame
            .select(present.iter().map(String::as_str))
            .map_err(frame_error)?;
        lines.extend(piece.lines);
        match frame.as_mut() {
            None => frame = Some(part),
            Some(all) => {
                all.vstack_mut_owned(part).map_err(frame_error)?;
            }
        }
    }
    Ok(Table {
        frame: frame.unwrap_or_default(),
        header: present,
        lines,
        problems: vec![],
        problem_count: 0,
        delimiter: reader.delimiter(),
        encoding: reader.encoding().to_string(),
        bytes: reader.file_bytes(),
    })
}

/// Everything checking a dataset produced, read whole or streamed.
struct Checked {
    rules: Vec<RuleResult>,
    scores: Scores,
    errors: Vec<DatasetError>,
    units: Vec<UnitResult>,
    provinces: Vec<UnitResult>,
    problems: Vec<Problem>,
    problem_count: u64,
    rows: u64,
    bytes: u64,
    encoding: String,
    delimiter: u8,
    violations: Result<u64, UsageError>,
    streamed: bool,
}

fn evaluate<'a>(
    m: &'a InputMatch,
    table: &'a Table,
    name: &str,
    options: &RunOptions,
    lookups: &crate::checks::LookupSets,
) -> (DatasetResult, super::Violations<'a>) {
    let pack = &m.pack;
    let mut validated = validate_table(pack, table, options.as_of, lookups);
    let mut examples = validated.violations.examples(EXAMPLES_PER_RULE);
    for rule in &mut validated.rules {
        rule.examples = examples.remove(&rule.id).unwrap_or_default();
    }
    let relative = format!("violations/{name}.csv");
    let written = report::violations::write_csv(
        &options.out_dir.join(&relative),
        &validated.violations,
        options.mask,
    );
    let result = dataset_result(
        m,
        name,
        options,
        Checked {
            rules: validated.rules,
            scores: validated.scores,
            errors: validated.errors,
            units: validated.units,
            provinces: validated.provinces,
            problems: table.problems.clone(),
            problem_count: table.problem_count,
            rows: table.frame.height() as u64,
            bytes: table.bytes,
            encoding: table.encoding.clone(),
            delimiter: table.delimiter,
            violations: written,
            streamed: false,
        },
    );
    (result, validated.violations)
}

fn dataset_result(
    m: &InputMatch,
    name: &str,
    options: &RunOptions,
    checked: Checked,
) -> DatasetResult {
    let pack = &m.pack;
    let mut errors: Vec<DatasetError> = checked
        .problems
        .iter()
        .map(|p| DatasetError {
            kind: ErrorKind::Structure,
            line: Some(p.line),
            rule: None,
            message: p.message.clone(),
        })
        .collect();
    if checked.problem_count > checked.problems.len() as u64 {
        errors.push(DatasetError {
            kind: ErrorKind::Structure,
            line: None,
            rule: None,
            message: format!(
                "{} more structural problems not listed; fix the ones above and run again",
                checked.problem_count - checked.problems.len() as u64
            ),
        });
    }
    errors.extend(checked.errors);
    let relative = format!("violations/{name}.csv");
    let (violation_count, write_error) = match checked.violations {
        Ok(n) => (n, None),
        Err(e) => (0, Some(e)),
    };
    if let Some(e) = &write_error {
        errors.push(DatasetError {
            kind: ErrorKind::Read,
            line: None,
            rule: None,
            message: e.to_string(),
        });
    }
    let targets: Vec<TargetResult> = options
        .targets
        .for_dataset(&pack.dataset.name, &pack.targets)
        .into_iter()
        .chain(options.fail_under.map(|f| ("overall".to_string(), f)))
        .map(|(score, target)| {
            let actual = checked.scores.by_name(&score);
            // A score that was not measured (no rules in it) cannot breach.
            let met = actual.is_none_or(|a| a + 1e-12 >= target);
            TargetResult {
                score,
                target,
                actual,
                met,
            }
        })
        .collect();
    let status = if checked.problem_count > 0 || write_error.is_some() {
        DatasetStatus::Error
    } else if targets.iter().any(|t| !t.met)
        || checked
            .rules
            .iter()
            .any(|r| matches!(r.status, RuleStatus::Fail | RuleStatus::Error))
    {
        DatasetStatus::Fail
    } else {
        DatasetStatus::Pass
    };
    DatasetResult {
        rows: checked.rows,
        bytes: checked.bytes,
        encoding: Some(checked.encoding),
        delimiter: Some(char::from(checked.delimiter).to_string()),
        status,
        scores: checked.scores,
        rules: checked.rules,
        errors,
        violation_count,
        violations_file: write_error.is_none().then_some(relative),
        targets,
        units: checked.units,
        provinces: checked.provinces,
        streamed: checked.streamed,
        ..identity(m, name)
    }
}

fn unreadable(m: &InputMatch, name: &str, error: &ReadError) -> DatasetResult {
    let line = match error {
        ReadError::Csv { line, .. } => Some(*line),
        _ => None,
    };
    DatasetResult {
        bytes: std::fs::metadata(&m.path).map_or(0, |md| md.len()),
        errors: vec![DatasetError {
            kind: ErrorKind::Read,
            line,
            rule: None,
            message: error.to_string(),
        }],
        ..identity(m, name)
    }
}

/// A dataset's result with only what names it filled in: nothing read yet.
fn identity(m: &InputMatch, name: &str) -> DatasetResult {
    let pack = &m.pack;
    DatasetResult {
        name: name.to_string(),
        pack_dataset: pack.dataset.name.clone(),
        sector: pack.dataset.sector.clone(),
        title: pack.dataset.title.clone(),
        pack: display(&pack.path),
        source: display(&m.path),
        rows: 0,
        bytes: 0,
        encoding: None,
        delimiter: None,
        status: DatasetStatus::Error,
        scores: Scores::default(),
        rules: vec![],
        errors: vec![],
        violation_count: 0,
        violations_file: None,
        targets: vec![],
        units: vec![],
        provinces: vec![],
        streamed: false,
    }
}

/// The pack's dataset name, or `name-stem` when one pack matches several
/// files (e.g. one export per year), so every dataset has its own report.
fn dataset_names(matches: &[InputMatch]) -> Vec<String> {
    let mut per_pack: HashMap<&str, usize> = HashMap::new();
    for m in matches {
        *per_pack.entry(m.pack.dataset.name.as_str()).or_default() += 1;
    }
    matches
        .iter()
        .map(|m| {
            let name = &m.pack.dataset.name;
            if per_pack[name.as_str()] > 1 {
                let stem = m
                    .path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let safe: String = stem
                    .chars()
                    .map(|c| {
                        if c.is_alphanumeric() || c == '_' || c == '-' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                format!("{name}-{safe}")
            } else {
                name.clone()
            }
        })
        .collect()
}

fn display(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_files_and_files_beyond_the_budget_are_streamed() {
        let gib = 1u64 << 30;
        // 64 MiB pieces: a 100 MB file is streamed, small ones are read whole.
        assert_eq!(
            choose_streamed(&[100_000_000, 1_000_000, 5_000], 8 * gib),
            [true, false, false]
        );
        // 1 MiB budget: 32 KiB pieces, so the 100 KB file is streamed.
        assert_eq!(
            choose_streamed(&[20_000, 30_000, 100_000, 30_000], 1 << 20),
            [false, false, true, false]
        );
        // Eight files of 30 KB need 150 KB each read whole: five fit in
        // three quarters of 1 MiB, the other three are streamed.
        let streamed = choose_streamed(&[30_000; 8], 1 << 20);
        assert_eq!(streamed.iter().filter(|s| **s).count(), 3);
        assert_eq!(chunk_bytes(1 << 20), 32 << 10);
        assert_eq!(chunk_bytes(64 * gib), 64 << 20);
        assert_eq!(chunk_bytes(1), 16 << 10);
    }

    #[test]
    fn pieces_are_an_eighth_of_the_file_between_16_and_64_mib() {
        let (gib, mib) = (1u64 << 30, 1usize << 20);
        assert_eq!(piece_bytes(16 * gib, 91_000_000), 16 * mib);
        assert_eq!(piece_bytes(16 * gib, 256 << 20), 32 * mib);
        assert_eq!(piece_bytes(16 * gib, 909_000_000), 64 * mib);
        // A small budget keeps its own smaller pieces.
        assert_eq!(piece_bytes(1 << 20, 909_000_000), 32 << 10);
    }
}
