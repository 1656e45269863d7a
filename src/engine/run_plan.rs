//! Planning a run before any data is read: which file each pack validates,
//! under which dataset name, whether it is read whole or piece by piece and
//! in what pieces, and which of its columns other datasets look up.
//! `ddss validate --explain-plan` prints it.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::lookups;
use crate::error::{ReadError, UsageError};
use crate::input::{PostgresSource, Table, is_postgres_url};
use crate::pack::{InputMatch, MatchIssue, PackSet, RulePack, match_inputs, match_names};

/// Memory a dataset read whole takes per byte of file: its text, typed
/// copies and rule columns (measured peak RSS: 4.0 × the file at 10 M rows,
/// 5.1 × at 1 M; benches/RESULTS.md).
pub const MEMORY_PER_FILE_BYTE: u64 = 5;

/// A planned run.
#[derive(Debug, Clone)]
pub struct RunPlan {
    pub datasets: Vec<PlannedDataset>,
    /// Input files no pack (or more than one pack) claims: reported, never
    /// silently skipped.
    pub unmatched: Vec<MatchIssue>,
    /// The memory budget the plan was made for.
    pub memory_limit: u64,
    /// `sha256:` of the rule packs and the reference files they use.
    pub rules_hash: String,
    /// The rule-pack files, for the results.
    pub rule_files: Vec<PathBuf>,
    /// The private folder database sources are copied into
    /// ([`RunPlan::copy_sources`]); removed with the plan.
    pub spool: Option<Arc<tempfile::TempDir>>,
}

/// One dataset of a planned run: one file and the pack that validates it.
#[derive(Debug, Clone)]
pub struct PlannedDataset {
    /// The pack's dataset name, or `name-stem` when one pack matches several
    /// files, so every dataset has its own report.
    pub name: String,
    pub path: PathBuf,
    pub pack: Arc<RulePack>,
    /// File size in bytes (0 when it cannot be read; the read reports why).
    pub bytes: u64,
    /// Checked piece by piece rather than read whole.
    pub streamed: bool,
    /// Text per piece, for a streamed file.
    pub piece_bytes: usize,
    /// Columns other datasets of the run look up in this one.
    pub looked_up: Vec<String>,
    /// The table itself, when it was handed over in memory (a frame from
    /// Python) rather than read from `path`.
    pub in_memory: Option<Arc<Table>>,
    /// The file other datasets (and this one's own `reference` rules) look
    /// up, when it is not `path`: `ddss fix` checks a few corrected rows
    /// against the whole corrected register.
    pub lookups_from: Option<PathBuf>,
    /// Only a source of look-ups: read for the columns others look up,
    /// neither checked nor reported.
    pub lookups_only: bool,
    /// The PostgreSQL table or query the rows come from, copied to `path`
    /// by [`RunPlan::copy_sources`].
    pub postgres: Option<Arc<PostgresSource>>,
    /// Why the input could not be fetched before the run (a database that
    /// refused the connection): the dataset is reported unreadable.
    pub read_failure: Option<Arc<ReadError>>,
}

impl PlannedDataset {
    /// Where the rows come from, as results and messages show it: the file,
    /// or the database address (never with a password).
    pub fn source_display(&self) -> String {
        match &self.postgres {
            Some(source) => source.display.clone(),
            None => display(&self.path),
        }
    }

    /// The kind of input: `csv`, `excel`, `parquet`, `postgres` or `frame`
    /// (a table handed over in memory).
    pub fn source_kind(&self) -> &'static str {
        if self.postgres.is_some() {
            "postgres"
        } else if self.in_memory.is_some() {
            "frame"
        } else if crate::input::is_workbook(&self.path) {
            "excel"
        } else if crate::input::is_parquet(&self.path) {
            "parquet"
        } else {
            "csv"
        }
    }
}

/// Matches `inputs` to `packs` and decides how each file is read under
/// `memory_limit`.
pub fn plan_run(
    packs: &PackSet,
    inputs: &[PathBuf],
    memory_limit: u64,
) -> Result<RunPlan, UsageError> {
    let (urls, files): (Vec<PathBuf>, Vec<PathBuf>) =
        inputs.iter().cloned().partition(|p| is_postgres_url(p));
    let (mut matches, mut unmatched) = match_inputs(&files, &packs.packs)?;
    let mut origins: Vec<Option<Arc<PostgresSource>>> = vec![None; matches.len()];
    for url in &urls {
        let source = Arc::new(PostgresSource::parse(&url.to_string_lossy())?);
        let (found, issues) = match_names(vec![PathBuf::from(source.file_name())], &packs.packs);
        unmatched.extend(issues.into_iter().map(|issue| match issue {
            MatchIssue::NoPack { path } => MatchIssue::NoPack {
                path: PathBuf::from(format!("{} (as {})", source.display, path.display())),
            },
            MatchIssue::SeveralPacks { path, packs } => MatchIssue::SeveralPacks {
                path: PathBuf::from(format!("{} (as {})", source.display, path.display())),
                packs,
            },
        }));
        for mut m in found {
            // The copy is CSV in UTF-8 with commas, whatever the pack says
            // the sector's own exports use.
            let mut pack = (*m.pack).clone();
            pack.dataset.delimiter = Some(b',');
            pack.dataset.encoding = None;
            m.pack = Arc::new(pack);
            matches.push(m);
            origins.push(Some(source.clone()));
        }
    }
    let names = dataset_names(&matches);
    let sizes: Vec<u64> = matches
        .iter()
        .map(|m| std::fs::metadata(&m.path).map_or(0, |md| md.len()))
        .collect();
    let mut streamed = choose_streamed(&sizes, memory_limit);
    // Workbooks (at most 1,048,576 rows) and Parquet files are read whole.
    for (m, s) in matches.iter().zip(streamed.iter_mut()) {
        *s &= !crate::input::is_read_whole(&m.path);
    }
    let looked_up: Vec<Vec<String>> = {
        let pack_refs: Vec<&RulePack> = matches.iter().map(|m| m.pack.as_ref()).collect();
        matches
            .iter()
            .map(|m| lookups::needed_columns(&pack_refs, &m.pack.dataset.name))
            .collect()
    };
    let datasets = matches
        .into_iter()
        .zip(names)
        .zip(sizes)
        .zip(streamed)
        .zip(looked_up)
        .zip(origins)
        .map(
            |(((((m, name), bytes), streamed), looked_up), postgres)| PlannedDataset {
                streamed: streamed && postgres.is_none(),
                postgres,
                read_failure: None,
                looked_up,
                in_memory: None,
                lookups_from: None,
                lookups_only: false,
                name,
                path: m.path,
                pack: m.pack,
                bytes,
                piece_bytes: piece_bytes(memory_limit, bytes),
            },
        )
        .collect();
    Ok(RunPlan {
        datasets,
        unmatched,
        memory_limit,
        rules_hash: packs.hash.clone(),
        rule_files: packs.files.clone(),
        spool: None,
    })
}

impl RunPlan {
    /// Copies every database source into a private folder (owner-only,
    /// removed with the plan), then decides again which inputs are read
    /// piece by piece, now that their sizes are known. A source that cannot
    /// be read is marked so (`read_failure`); the others go on.
    pub fn copy_sources(&mut self) {
        if self.datasets.iter().all(|d| d.postgres.is_none()) {
            return;
        }
        let dir = match tempfile::Builder::new().prefix("ddss-postgres-").tempdir() {
            Ok(dir) => dir,
            Err(source) => {
                for d in self.datasets.iter_mut().filter(|d| d.postgres.is_some()) {
                    d.read_failure = Some(Arc::new(ReadError::Io {
                        path: std::env::temp_dir(),
                        source: std::io::Error::new(source.kind(), source.to_string()),
                    }));
                }
                return;
            }
        };
        let _phase = crate::timings::phase("run: copy database sources");
        {
            use rayon::prelude::*;
            self.datasets.par_iter_mut().for_each(|d| {
                let Some(source) = d.postgres.clone() else {
                    return;
                };
                let dest = dir.path().join(format!("{}.csv", d.name));
                match source.export_csv(&dest, &d.pack.columns) {
                    Ok(bytes) => {
                        d.path = dest;
                        d.bytes = bytes;
                    }
                    Err(e) => d.read_failure = Some(Arc::new(e)),
                }
            });
        }
        let sizes: Vec<u64> = self.datasets.iter().map(|d| d.bytes).collect();
        let streamed = choose_streamed(&sizes, self.memory_limit);
        for (d, streamed) in self.datasets.iter_mut().zip(streamed) {
            if d.in_memory.is_some() || d.lookups_only {
                continue;
            }
            d.streamed =
                streamed && d.read_failure.is_none() && !crate::input::is_read_whole(&d.path);
            d.piece_bytes = piece_bytes(self.memory_limit, d.bytes);
        }
        self.spool = Some(Arc::new(dir));
    }
}

/// Plans a run over tables already in memory, each named by the dataset of
/// `packs` that validates it.
pub fn plan_tables(
    packs: &PackSet,
    tables: Vec<(String, Table)>,
    memory_limit: u64,
) -> Result<RunPlan, UsageError> {
    let mut matched = Vec::with_capacity(tables.len());
    for (dataset, table) in tables {
        matched.push((packs.dataset(&dataset)?.clone(), table));
    }
    let pack_refs: Vec<&RulePack> = matched.iter().map(|(p, _)| p.as_ref()).collect();
    let datasets = matched
        .iter()
        .map(|(pack, table)| PlannedDataset {
            looked_up: lookups::needed_columns(&pack_refs, &pack.dataset.name),
            name: pack.dataset.name.clone(),
            path: PathBuf::from(format!("<frame {}>", pack.dataset.name)),
            pack: pack.clone(),
            bytes: 0,
            streamed: false,
            piece_bytes: piece_bytes(memory_limit, 0),
            in_memory: Some(Arc::new(table.clone())),
            lookups_from: None,
            lookups_only: false,
            postgres: None,
            read_failure: None,
        })
        .collect();
    Ok(RunPlan {
        datasets,
        unmatched: vec![],
        memory_limit,
        rules_hash: packs.hash.clone(),
        rule_files: packs.files.clone(),
        spool: None,
    })
}

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

/// The longest one record of a streamed file may be: a sixteenth of
/// `limit`, and at least two pieces and 1 MiB. A record takes about five
/// times its text while read and checked, so a longer one would break the
/// memory bound; it is skipped and reported instead (`PH006`).
pub fn record_bytes(limit: u64, piece_bytes: usize) -> usize {
    let sixteenth = usize::try_from(limit / 16).unwrap_or(usize::MAX);
    sixteenth.max(2 * piece_bytes).max(1 << 20)
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

pub(super) fn display(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

impl fmt::Display for RunPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "run plan: {} dataset(s), memory limit {}, rules {}",
            self.datasets.len(),
            bytesize::ByteSize(self.memory_limit).display().iec(),
            self.rules_hash
        )?;
        for d in &self.datasets {
            let how = if d.streamed {
                format!(
                    "piece by piece ({} pieces)",
                    bytesize::ByteSize(d.piece_bytes as u64).display().iec()
                )
            } else {
                "read whole".to_string()
            };
            writeln!(
                f,
                "  {}: {} ({}) — pack {} ({} rules) — {how}",
                d.name,
                d.source_display(),
                bytesize::ByteSize(d.bytes).display().iec(),
                display(&d.pack.path),
                d.pack.rules.len(),
            )?;
            let unique: Vec<String> = d
                .pack
                .rules
                .iter()
                .filter_map(|r| {
                    r.check
                        .whole_dataset_key()
                        .map(|k| format!("{} ({})", r.id, k.columns.join("+")))
                })
                .collect();
            if !unique.is_empty() {
                writeln!(
                    f,
                    "    compared across the whole file: {}",
                    unique.join(", ")
                )?;
            }
            let needs: Vec<String> = d
                .pack
                .rules
                .iter()
                .filter_map(|r| {
                    r.check
                        .lookup()
                        .map(|l| format!("{}.{}", l.dataset, l.column))
                        .or_else(|| {
                            r.check
                                .join_key()
                                .map(|j| format!("{}.{}", j.dataset, j.key))
                        })
                        .map(|what| format!("{} looks up {what}", r.id))
                })
                .collect();
            if !needs.is_empty() {
                writeln!(f, "    {}", needs.join(", "))?;
            }
            if !d.looked_up.is_empty() {
                writeln!(f, "    looked up by others: {}", d.looked_up.join(", "))?;
            }
        }
        for issue in &self.unmatched {
            writeln!(f, "  not validated: {issue}")?;
        }
        Ok(())
    }
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
