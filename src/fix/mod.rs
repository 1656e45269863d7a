//! `ddss fix`: repairs what can be repaired with certainty, under the same
//! rules that judged the data, and records every change.
//!
//! A rule may declare a fix (`fix = "suggested"`, `"restore_leading_zero"`,
//! … — [`FixSpec`]). For each dataset:
//!
//! 1. the exports are validated as `ddss validate` would (the "before");
//! 2. for every failing cell of a rule with a fix, the fix proposes a
//!    candidate; a cell with several candidates (from one fix or from rules
//!    that disagree) is left alone and listed for review;
//! 3. the candidates are written into a copy and the copies validated again
//!    with the untouched datasets beside them (look-ups see the corrected
//!    register); a candidate is kept only when its row then passes **every**
//!    rule that reads the column — a restored ID must also agree with the
//!    sex, birth year and birthplace and not collide with another row's —
//!    otherwise it is undone and listed for review with the rules it fails;
//! 4. when a candidate was undone, the corrected copies are written again
//!    with the kept changes only and validated once more; the last
//!    validation is the "after", reported beside the "before";
//! 5. with `split`, each corrected export is divided into the rows failing
//!    no `error` rule (`valid/`) and the others (`quarantine/`, with the
//!    failed rules and messages in two extra columns).
//!
//! Originals are never written to; every output is written atomically. A
//! dataset whose file has structural defects (the `PH…` rules: ragged rows,
//! broken quotes…) is not rewritten: its line numbers cannot be trusted to
//! address cells, and the officer repairs the structure first. See
//! docs/fix.md.

mod log;
mod rewrite;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

pub use crate::pack::fix::{Candidate, FixSpec};
pub use log::{Change, Review};
pub use rewrite::{
    Context, Probe, RawRecord, RawRecords, Rewritten, encoding_for, fields, rewrite,
    rewrite_with_probe,
};

use crate::engine::{RunOutput, RunPlan, execute, plan_run};
use crate::error::UsageError;
use crate::job::RunOptions;
use crate::pack::{PackSet, RulePack};
use crate::report::violations::{CsvSinks, DatasetViolations};
use crate::results::{DatasetResult, FixSummary};

/// `ddss fix` options: those of `validate`, and the split.
pub struct FixOptions {
    pub run: RunOptions,
    pub split: bool,
}

/// A cell a fix proposes to change.
struct Proposal {
    column: String,
    rule: String,
    spec: FixSpec,
    key: String,
    suggestion: Option<String>,
}

/// Validates `inputs` (as `validate` would) into `out`, returning the run and
/// the file each dataset was read from, by dataset name.
fn validate_into(
    packs: &PackSet,
    inputs: &[PathBuf],
    out: &Path,
    options: &RunOptions,
) -> Result<(RunOutput, RunPlan), UsageError> {
    let plan = plan_run(packs, inputs, options.memory_limit)?;
    let run = execute_plan(&plan, out, options)?;
    Ok((run, plan))
}

/// Executes `plan` without progress bars, its violations into `out`.
fn execute_plan(plan: &RunPlan, out: &Path, options: &RunOptions) -> Result<RunOutput, UsageError> {
    let sinks = CsvSinks::create(out, false)?;
    let mut execute_options = options.execute_options();
    execute_options.progress = false;
    Ok(execute(plan, &execute_options, &sinks))
}

/// Calls `f` for each violation of one dataset of a run written into `out`
/// (none when the dataset has no violations file).
fn for_each_violation(
    d: &DatasetResult,
    pack: &RulePack,
    out: &Path,
    mut f: impl FnMut(crate::engine::Violation<'_>),
) -> Result<(), UsageError> {
    let Some(file) = &d.violations_file else {
        return Ok(());
    };
    let csv = out.join(file);
    DatasetViolations::Written {
        pack,
        csv: csv.clone(),
    }
    .try_for_each(false, |v| {
        f(v);
        Ok::<(), std::io::Error>(())
    })
    .map(|_| ())
    .map_err(|source| UsageError::Output { path: csv, source })
}

/// Whether the file's structure can be trusted to address cells by line.
fn structural_defects(d: &DatasetResult) -> Option<String> {
    let broken: Vec<&str> = d
        .rules
        .iter()
        .filter(|r| r.code.starts_with("PH") && r.failed > 0)
        .map(|r| r.id.as_str())
        .collect();
    if !d.errors.is_empty() && d.rows == 0 {
        return Some("không đọc được tệp".into());
    }
    (!broken.is_empty()).then(|| {
        format!(
            "tệp có lỗi cấu trúc ({}): sửa cấu trúc tệp trước, rồi chạy lại ddss fix",
            broken.join(", ")
        )
    })
}

/// The rules of `pack` that read `column`.
fn rules_reading<'a>(pack: &'a RulePack, column: &str) -> HashSet<&'a str> {
    pack.rules
        .iter()
        .filter(|r| r.check.columns().iter().any(|c| c == column))
        .map(|r| r.id.as_str())
        .collect()
}

struct Planned<'a> {
    pack: &'a RulePack,
    source: PathBuf,
    file_name: String,
    proposals: HashMap<u64, Vec<Proposal>>,
    /// Every value a candidate may take in a column whose rules compare
    /// rows with each other: the rows already holding one are checked with
    /// the edited rows.
    context: Context,
    delimiter: u8,
    encoding: &'static encoding_rs::Encoding,
}

/// Runs the fix; returns the after-run (to be reported) with each dataset's
/// [`FixSummary`] filled in.
pub fn fix(
    packs: &PackSet,
    inputs: &[PathBuf],
    options: &FixOptions,
) -> Result<RunOutput, UsageError> {
    let out_dir = &options.run.out_dir;
    let as_of = options.run.as_of;
    crate::job::check_as_of(as_of)?;
    if let Some(url) = inputs.iter().find(|i| crate::input::is_postgres_url(i)) {
        let shown = crate::input::PostgresSource::parse(&url.to_string_lossy())?.display;
        return Err(UsageError::Fix(format!(
            "{shown}: fix writes corrected copies of files and never writes to a database; \
             validate the table, or export it to CSV and fix the export"
        )));
    }
    let work = tempfile::Builder::new()
        .prefix(".ddss-fix-")
        .tempdir_in(ensure_dir(out_dir)?)
        .map_err(|source| UsageError::Output {
            path: out_dir.clone(),
            source,
        })?;
    let before_dir = work.path().join("before");
    let (before, plan) = {
        let _t = crate::timings::phase("fix: validation before");
        validate_into(packs, inputs, &before_dir, &options.run)?
    };
    let paths: HashMap<&str, &Path> = plan
        .datasets
        .iter()
        .map(|d| (d.name.as_str(), d.path.as_path()))
        .collect();
    let source_of = |d: &DatasetResult| {
        paths
            .get(d.name.as_str())
            .map(|p| p.to_path_buf())
            .unwrap_or_else(|| PathBuf::from(&d.source))
    };

    // 2. Proposals, per dataset with fixes and a sound structure.
    let mut planned: Vec<Option<Planned>> = Vec::new();
    let mut not_fixed: HashMap<String, String> = HashMap::new();
    let mut names_seen: HashMap<String, PathBuf> = HashMap::new();
    for (d, pack) in before.results.datasets.iter().zip(&before.packs) {
        let has_fixes = pack.rules.iter().any(|r| r.fix.is_some());
        let source = source_of(d);
        let file_name = source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| format!("{}.csv", d.name));
        if let Some(other) = names_seen.insert(file_name.clone(), source.clone()) {
            return Err(UsageError::Fix(format!(
                "two inputs are named {file_name} ({} and {}): their corrected copies would overwrite each \
                 other; fix them in separate runs",
                other.display(),
                source.display()
            )));
        }
        if !has_fixes {
            not_fixed.insert(
                d.name.clone(),
                "không quy tắc nào của bộ quy tắc khai báo cách sửa (fix)".into(),
            );
            planned.push(None);
            continue;
        }
        if crate::input::is_read_whole(&source) {
            not_fixed.insert(
                d.name.clone(),
                "ddss fix ghi lại tệp CSV: xuất dữ liệu ra \"CSV UTF-8\" rồi chạy lại ddss fix"
                    .into(),
            );
            planned.push(None);
            continue;
        }
        if let Some(why) = structural_defects(d) {
            not_fixed.insert(d.name.clone(), why);
            planned.push(None);
            continue;
        }
        let encoding = match encoding_for(d.encoding.as_deref().unwrap_or("UTF-8")) {
            Ok(e) => e,
            Err(why) => {
                not_fixed.insert(d.name.clone(), why);
                planned.push(None);
                continue;
            }
        };
        let mut proposals: HashMap<u64, Vec<Proposal>> = HashMap::new();
        let mut context = Context::default();
        for_each_violation(d, pack, &before_dir, |v| {
            if let (Some(line), Some(spec)) = (v.line, v.rule.fix.clone()) {
                let column = v
                    .rule
                    .check
                    .columns()
                    .first()
                    .cloned()
                    .unwrap_or(v.column.clone());
                if compared_across_rows(pack, &column) && v.column == column {
                    let candidate = spec.candidate(&v.value, v.suggestion.as_deref(), as_of);
                    context
                        .values
                        .extend(candidate.values().filter(|v| !v.is_empty()));
                    if !context.columns.contains(&column) {
                        context.columns.push(column.clone());
                    }
                }
                proposals.entry(line).or_default().push(Proposal {
                    column,
                    rule: v.rule.id.clone(),
                    spec,
                    key: v.key.clone(),
                    suggestion: v.suggestion.map(|s| s.into_owned()),
                });
            }
        })?;
        planned.push(Some(Planned {
            pack,
            source,
            file_name,
            proposals,
            context,
            delimiter: d
                .delimiter
                .as_deref()
                .and_then(|s| s.bytes().next())
                .unwrap_or(b','),
            encoding,
        }));
    }

    // 3. The candidates, and per dataset a probe: the rows they edit and the
    //    rows they could repeat, read in one pass.
    let corrected_dir = out_dir.join("corrected");
    let probe_dir = work.path().join("probe");
    ensure_dir(&corrected_dir)?;
    ensure_dir(&probe_dir)?;
    let mut changes: Vec<Vec<Change>> = Vec::new();
    let mut reviews: Vec<Vec<Review>> = Vec::new();
    let mut probes: Vec<Option<ProbeFile>> = Vec::new();
    let mut after_inputs = Vec::new();
    for (i, p) in planned.iter().enumerate() {
        let d = &before.results.datasets[i];
        let Some(p) = p else {
            after_inputs.push(source_of(d));
            changes.push(vec![]);
            reviews.push(vec![]);
            probes.push(None);
            continue;
        };
        let target = corrected_dir.join(&p.file_name);
        if same_file(&target, &p.source) {
            return Err(UsageError::Fix(format!(
                "the corrected copy of {} would overwrite the original: choose another --out",
                p.source.display()
            )));
        }
        let probe = probe_dir.join(&p.file_name);
        let _t = crate::timings::phase("fix: candidates and probe");
        let proposed = write_probe(p, &probe, as_of)?;
        let edited = !proposed.changes.is_empty();
        probes.push(edited.then_some(proposed.probe));
        changes.push(proposed.changes);
        reviews.push(proposed.reviews);
        after_inputs.push(target);
    }

    // 4. A candidate stays only if its row then passes every rule reading its
    //    column. The probes are validated with the other datasets' look-ups
    //    (as the exports are: a candidate never leans on another candidate);
    //    the kept changes are written as the corrected copies and validated
    //    — the "after" — and checked there again: a rule the probe cannot
    //    judge (rows compared in another way) may still undo a change, and
    //    the copies are then written and validated once more.
    if probes.iter().any(Option::is_some) {
        let _t = crate::timings::phase("fix: probes checked");
        let probe_out = work.path().join("probe-out");
        let probe_run = run_probes(&plan, &probes, &probe_out, &options.run)?;
        for (i, p) in planned.iter().enumerate() {
            let (Some(p), Some(probe)) = (p, &probes[i]) else {
                continue;
            };
            let name = &before.results.datasets[i].name;
            let Some((d, pack)) = find(&probe_run, name) else {
                continue;
            };
            if d.rows == 0 && !d.errors.is_empty() {
                continue; // the after-run's check still applies
            }
            let original_line = probe.line_map(p.delimiter)?;
            let failing = failing_lines(d, pack, &probe_out, |l| original_line.get(&l).copied())?;
            keep_passing(p.pack, &mut changes[i], &mut reviews[i], &failing);
        }
    }
    for (i, p) in planned.iter().enumerate() {
        if let Some(p) = p {
            let _t = crate::timings::phase("fix: corrected copy written");
            write_changes(p, &corrected_dir.join(&p.file_name), &changes[i])?;
        }
    }
    let mut after = {
        let _t = crate::timings::phase("fix: validation after");
        crate::job::execute_into(packs, &after_inputs, &options.run)?
    };
    let mut undone = vec![false; planned.len()];
    for (i, p) in planned.iter().enumerate() {
        let Some(p) = p else { continue };
        if changes[i].is_empty() {
            continue;
        }
        let Some((d, pack)) = find(&after, &before.results.datasets[i].name) else {
            continue;
        };
        let failing = failing_lines(d, pack, out_dir, Some)?;
        undone[i] = keep_passing(p.pack, &mut changes[i], &mut reviews[i], &failing);
    }
    if undone.iter().any(|u| *u) {
        for (i, p) in planned.iter().enumerate() {
            if let (Some(p), true) = (p, undone[i]) {
                write_changes(p, &corrected_dir.join(&p.file_name), &changes[i])?;
            }
        }
        after = crate::job::execute_into(packs, &after_inputs, &options.run)?;
    }

    // 5. Logs, split, and the before/after in the results.
    let _t = crate::timings::phase("fix: logs, split, reports");
    for (i, p) in planned.iter().enumerate() {
        let name = before.results.datasets[i].name.clone();
        let Some(at) = after.results.datasets.iter().position(|d| d.name == name) else {
            continue;
        };
        let before_d = &before.results.datasets[i];
        let mut summary = FixSummary {
            original: before_d.source.clone(),
            corrected: None,
            changes: 0,
            needs_review: 0,
            changes_file: None,
            review_file: None,
            scores_before: before_d.scores.clone(),
            units_before: before_d
                .units
                .iter()
                .map(|u| (u.code.clone(), u.scores.overall))
                .collect(),
            not_fixed: not_fixed.get(&name).cloned(),
            valid_file: None,
            quarantine_file: None,
            valid_rows: None,
            quarantined_rows: None,
        };
        if let Some(p) = p {
            summary.corrected = Some(format!("corrected/{}", p.file_name));
            summary.changes = changes[i].len() as u64;
            summary.needs_review = reviews[i].len() as u64;
            let changes_file = format!("changes/{name}.csv");
            log::write_changes(&out_dir.join(&changes_file), &changes[i])?;
            summary.changes_file = Some(changes_file);
            let review_file = format!("review/{name}.csv");
            log::write_reviews(&out_dir.join(&review_file), &reviews[i])?;
            summary.review_file = Some(review_file);
            if options.split {
                let d = &after.results.datasets[at];
                let pack = &after.packs[at];
                let (valid, quarantined) = log::split(
                    &out_dir.join(p.file_name_in("corrected")),
                    d,
                    pack,
                    out_dir,
                    &p.file_name,
                    p.delimiter,
                )?;
                summary.valid_file = Some(format!("valid/{}", p.file_name));
                summary.quarantine_file = Some(format!("quarantine/{}", p.file_name));
                summary.valid_rows = Some(valid);
                summary.quarantined_rows = Some(quarantined);
            }
        }
        after.results.datasets[at].fix = Some(summary);
    }
    // Inputs no pack claims were left out of the later runs: still reported.
    after.results.unmatched_inputs = before.results.unmatched_inputs.clone();
    crate::job::write_reports(&mut after, out_dir, options.run.mask, options.run.lang)?;
    Ok(after)
}

/// The probe written beside a corrected copy, and the original line of each
/// of its records after the header.
struct ProbeFile {
    path: PathBuf,
    lines: Vec<u64>,
}

impl ProbeFile {
    /// Probe line → original line, the probe's lines counted as ddss's
    /// reader counts them.
    fn line_map(&self, delimiter: u8) -> Result<HashMap<u64, u64>, UsageError> {
        let read_error = |source| UsageError::Output {
            path: self.path.clone(),
            source,
        };
        let mut records = RawRecords::open(&self.path, delimiter).map_err(read_error)?;
        let mut probe_lines = Vec::with_capacity(self.lines.len());
        let mut header = true;
        while let Some(record) = records.next_record().map_err(read_error)? {
            if record.blank {
                continue;
            }
            if !std::mem::take(&mut header) {
                probe_lines.push(record.line);
            }
        }
        Ok(probe_lines
            .into_iter()
            .zip(self.lines.iter().copied())
            .collect())
    }
}

/// Validates the probes: each dataset with edits is checked on its probe,
/// its look-ups read from its whole export; the other datasets are only read
/// for what is looked up in them.
fn run_probes(
    plan: &RunPlan,
    probes: &[Option<ProbeFile>],
    out: &Path,
    options: &RunOptions,
) -> Result<RunOutput, UsageError> {
    let mut probe_plan = plan.clone();
    for (d, probe) in probe_plan.datasets.iter_mut().zip(probes) {
        match probe {
            Some(probe) => {
                d.lookups_from = Some(std::mem::replace(&mut d.path, probe.path.clone()));
                d.bytes = std::fs::metadata(&probe.path).map_or(0, |m| m.len());
                d.streamed = false;
            }
            None => d.lookups_only = true,
        }
    }
    execute_plan(&probe_plan, out, options)
}

/// A dataset's result and pack in a run, by name.
fn find<'r>(run: &'r RunOutput, name: &str) -> Option<(&'r DatasetResult, &'r RulePack)> {
    run.results
        .datasets
        .iter()
        .zip(&run.packs)
        .find(|(d, _)| d.name == name)
        .map(|(d, p)| (d, p.as_ref()))
}

/// The rules failing on each line of a run's dataset, lines mapped by
/// `line_of` (lines it maps to nothing are left out).
fn failing_lines(
    d: &DatasetResult,
    pack: &RulePack,
    out: &Path,
    line_of: impl Fn(u64) -> Option<u64>,
) -> Result<HashMap<u64, Vec<String>>, UsageError> {
    let mut failing: HashMap<u64, Vec<String>> = HashMap::new();
    for_each_violation(d, pack, out, |v| {
        if let Some(line) = v.line.and_then(&line_of) {
            failing.entry(line).or_default().push(v.rule.id.clone());
        }
    })?;
    Ok(failing)
}

/// Keeps the changes whose row passes every rule reading the changed
/// column; the others are undone and listed for review. True when any was
/// undone.
fn keep_passing(
    pack: &RulePack,
    changes: &mut Vec<Change>,
    reviews: &mut Vec<Review>,
    failing: &HashMap<u64, Vec<String>>,
) -> bool {
    let mut undone = false;
    let mut kept = Vec::with_capacity(changes.len());
    for change in std::mem::take(changes) {
        let reading = rules_reading(pack, &change.column);
        let fails: Vec<String> = failing
            .get(&change.line)
            .into_iter()
            .flatten()
            .filter(|r| reading.contains(r.as_str()))
            .cloned()
            .collect();
        if fails.is_empty() {
            kept.push(change);
        } else {
            undone = true;
            reviews.push(Review {
                line: change.line,
                key: change.key.clone(),
                column: change.column.clone(),
                value: change.before.clone(),
                rule: change.rule.clone(),
                candidates: vec![change.after.clone()],
                reason: format!("the corrected value fails {}", fails.join(", ")),
            });
        }
    }
    *changes = kept;
    undone
}

/// Whether a rule reading `column` compares rows with each other
/// (uniqueness): the probe then needs the rows a candidate could repeat.
fn compared_across_rows(pack: &RulePack, column: &str) -> bool {
    pack.rules.iter().any(|r| {
        r.check
            .whole_dataset_key()
            .is_some_and(|k| k.columns.iter().any(|c| c == column))
    })
}

impl Planned<'_> {
    fn file_name_in(&self, folder: &str) -> PathBuf {
        Path::new(folder).join(&self.file_name)
    }
}

fn ensure_dir(dir: &Path) -> Result<&Path, UsageError> {
    std::fs::create_dir_all(dir).map_err(|source| UsageError::Output {
        path: dir.to_path_buf(),
        source,
    })?;
    Ok(dir)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The candidates of one dataset and the probe that checks them.
struct Proposed {
    changes: Vec<Change>,
    reviews: Vec<Review>,
    probe: ProbeFile,
}

/// Writes the probe: every proposal with one candidate applied, and the rows
/// a candidate could repeat; returns those changes, the cells left for
/// review and the original line of each probe record.
fn write_probe(p: &Planned, probe_target: &Path, as_of: NaiveDate) -> Result<Proposed, UsageError> {
    let mut changes = Vec::new();
    let mut reviews = Vec::new();
    let wanted: HashSet<u64> = p.proposals.keys().copied().collect();
    let mut edit = |header: &[String], line: u64, cells: &mut Vec<String>| -> bool {
        let Some(proposals) = p.proposals.get(&line) else {
            return false;
        };
        // Per column: the candidates of every rule with a fix that failed it.
        let mut by_column: BTreeMap<&str, Vec<(&Proposal, Candidate)>> = BTreeMap::new();
        for proposal in proposals {
            let Some(at) = header.iter().position(|h| h == &proposal.column) else {
                continue;
            };
            let value = cells.get(at).cloned().unwrap_or_default();
            let candidate = proposal
                .spec
                .candidate(&value, proposal.suggestion.as_deref(), as_of);
            by_column
                .entry(proposal.column.as_str())
                .or_default()
                .push((proposal, candidate));
        }
        let mut edited = false;
        for (column, candidates) in by_column {
            let at = header
                .iter()
                .position(|h| h == column)
                .expect("found above");
            let before = cells[at].clone();
            let mut values: Vec<String> = Vec::new();
            for (_, c) in &candidates {
                match c {
                    Candidate::One(v) => values.push(v.clone()),
                    Candidate::Several(vs) => values.extend(vs.iter().cloned()),
                    Candidate::None => {}
                }
            }
            values.sort();
            values.dedup();
            let (first, _) = &candidates[0];
            let several = candidates
                .iter()
                .any(|(_, c)| matches!(c, Candidate::Several(_)));
            match values.as_slice() {
                // No fix applies to this value: the violations list it.
                [] => {}
                [one] if !several => {
                    let rule = candidates
                        .iter()
                        .find(|(_, c)| matches!(c, Candidate::One(v) if v == one))
                        .map(|(p, _)| p)
                        .expect("a proposal gave it");
                    changes.push(Change {
                        line,
                        key: rule.key.clone(),
                        column: column.to_string(),
                        before: before.clone(),
                        after: one.clone(),
                        rule: rule.rule.clone(),
                        fix: rule.spec.name(),
                    });
                    cells[at] = one.clone();
                    edited = true;
                }
                several => reviews.push(Review {
                    line,
                    key: first.key.clone(),
                    column: column.to_string(),
                    value: before,
                    rule: candidates
                        .iter()
                        .map(|(p, _)| p.rule.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                    candidates: several.to_vec(),
                    reason: "more than one possible value".into(),
                }),
            }
        }
        edited
    };
    let mut lines = Vec::new();
    write_atomically(probe_target, |probe_out| {
        let mut probe = Probe {
            out: probe_out,
            context: &p.context,
            lines: Vec::new(),
        };
        rewrite_with_probe(
            &p.source,
            None,
            p.delimiter,
            p.encoding,
            &wanted,
            &mut edit,
            Some(&mut probe),
        )?;
        lines = probe.lines;
        Ok(())
    })?;
    Ok(Proposed {
        changes,
        reviews,
        probe: ProbeFile {
            path: probe_target.to_path_buf(),
            lines,
        },
    })
}

/// Writes the corrected copy with exactly `changes`.
fn write_changes(p: &Planned, target: &Path, changes: &[Change]) -> Result<(), UsageError> {
    let mut by_line: HashMap<u64, Vec<&Change>> = HashMap::new();
    for c in changes {
        by_line.entry(c.line).or_default().push(c);
    }
    let wanted: HashSet<u64> = by_line.keys().copied().collect();
    let edit = |header: &[String], line: u64, cells: &mut Vec<String>| -> bool {
        let mut edited = false;
        for c in by_line.get(&line).into_iter().flatten() {
            if let Some(at) = header.iter().position(|h| h == &c.column) {
                cells[at] = c.after.clone();
                edited = true;
            }
        }
        edited
    };
    write_atomically(target, |w| {
        rewrite(&p.source, w, p.delimiter, p.encoding, &wanted, edit).map(|_| ())
    })
}

fn write_atomically(
    target: &Path,
    f: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), UsageError> {
    if let Some(dir) = target.parent() {
        ensure_dir(dir)?;
    }
    crate::atomic::write_atomic(target, |w| f(w))
}
