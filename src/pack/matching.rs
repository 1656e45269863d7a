//! Assigning input files to rule packs by file-name pattern. A file no pack
//! claims, or that two packs claim, is reported — never silently skipped.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobMatcher};

use super::RulePack;
use crate::error::UsageError;

/// A file and the pack that validates it.
#[derive(Debug, Clone)]
pub struct InputMatch {
    pub path: PathBuf,
    pub pack: Arc<RulePack>,
}

/// A file that could not be assigned to exactly one pack.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchIssue {
    NoPack { path: PathBuf },
    SeveralPacks { path: PathBuf, packs: Vec<String> },
}

impl std::fmt::Display for MatchIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MatchIssue::NoPack { path } => write!(
                f,
                "{}: no rule pack matches this file name; add its name to a pack's dataset.files",
                path.display()
            ),
            MatchIssue::SeveralPacks { path, packs } => write!(
                f,
                "{}: matched by several rule packs ({}); make their dataset.files patterns exclusive",
                path.display(),
                packs.join(", ")
            ),
        }
    }
}

/// Data files inside folders: CSV-like extensions, workbooks and Parquet, so a README
/// beside the exports is not mistaken for data.
const DATA_EXTENSIONS: [&str; 3] = ["csv", "tsv", "txt"];

/// Whether a file found in a folder is data.
fn is_data_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| DATA_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        || crate::input::is_read_whole(path)
}

/// The name a pack's patterns are matched against: a workbook's or a
/// Parquet file's name with `.csv` for its extension, so `files =
/// ["dan_cu*.csv"]` claims `dan_cu.xlsx` and `dan_cu.parquet` too — the same
/// export in another format.
fn matched_name(file: &Path) -> PathBuf {
    let name = PathBuf::from(file.file_name().unwrap_or(file.as_os_str()));
    if crate::input::is_read_whole(file) {
        name.with_extension("csv")
    } else {
        name
    }
}

/// Expands folders (recursively, sorted) and matches every file to a pack.
pub fn match_inputs(
    inputs: &[PathBuf],
    packs: &[Arc<RulePack>],
) -> Result<(Vec<InputMatch>, Vec<MatchIssue>), UsageError> {
    Ok(match_names(expand(inputs)?, packs))
}

/// Matches each name to a pack, without looking for it on disk: a file
/// found by [`match_inputs`], or the name a database source is known by
/// (`khai_sinh.csv` for a table `ho_tich.khai_sinh`).
pub fn match_names(
    files: Vec<PathBuf>,
    packs: &[Arc<RulePack>],
) -> (Vec<InputMatch>, Vec<MatchIssue>) {
    let matchers: Vec<(Arc<RulePack>, Vec<GlobMatcher>)> = packs
        .iter()
        .map(|p| {
            let globs = p
                .dataset
                .files
                .iter()
                .filter_map(|g| Glob::new(g).ok().map(|g| g.compile_matcher()))
                .collect();
            (p.clone(), globs)
        })
        .collect();
    let mut matched = Vec::new();
    let mut issues = Vec::new();
    for file in files {
        let name = file.file_name().map(Path::new).unwrap_or(&file);
        let as_csv = matched_name(&file);
        let owners: Vec<&Arc<RulePack>> = matchers
            .iter()
            .filter(|(_, globs)| {
                globs
                    .iter()
                    .any(|g| g.is_match(name) || g.is_match(&as_csv))
            })
            .map(|(p, _)| p)
            .collect();
        match owners.as_slice() {
            [] => issues.push(MatchIssue::NoPack { path: file }),
            [pack] => matched.push(InputMatch {
                path: file,
                pack: (*pack).clone(),
            }),
            several => issues.push(MatchIssue::SeveralPacks {
                path: file,
                packs: several.iter().map(|p| p.dataset.name.clone()).collect(),
            }),
        }
    }
    (matched, issues)
}

fn expand(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, UsageError> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_file() {
            files.push(input.clone());
        } else if input.is_dir() {
            for entry in walkdir::WalkDir::new(input)
                .sort_by_file_name()
                .into_iter()
                .flatten()
            {
                let p = entry.path();
                if entry.file_type().is_file() && is_data_file(p) {
                    files.push(p.to_path_buf());
                }
            }
        } else {
            return Err(UsageError::InputNotFound {
                path: input.clone(),
            });
        }
    }
    Ok(files)
}
