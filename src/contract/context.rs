//! What checks see while they are parsed (the pack's declared columns and
//! reference files) and while they are planned (the file's actual header,
//! the as-of date, values of other datasets of the run).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use indexmap::IndexMap;
use polars::prelude::{Expr, Series, col};
use sha2::{Digest, Sha256};

use crate::error::{RuleError, closest};
use crate::model::ColumnType;

/// Name under which the engine keeps a typed column's original text.
pub fn raw_name(column: &str) -> String {
    format!("__raw__{column}")
}

pub struct ParseContext<'a> {
    /// Folder of the pack file.
    pub pack_dir: &'a Path,
    /// The `--rules` folder; reference files are looked up from the pack's
    /// folder up to here, so `reference/x.csv` works from any sub-folder.
    pub rules_root: &'a Path,
    pub columns: &'a IndexMap<String, ColumnType>,
    pub references: &'a ReferenceTables,
}

impl ParseContext<'_> {
    /// Errors if the pack declares columns and `column` is not one of them.
    pub fn known_column(&self, column: &str) -> Result<(), String> {
        if self.columns.is_empty() || self.columns.contains_key(column) {
            return Ok(());
        }
        let hint = closest(column, self.columns.keys().map(String::as_str))
            .map(|s| format!("; did you mean '{s}'?"))
            .unwrap_or_default();
        Err(format!(
            "column '{column}' is not declared in [columns]{hint}"
        ))
    }

    pub fn column_type(&self, column: &str) -> ColumnType {
        ColumnType::declared(self.columns, column)
    }

    /// Values of one column of a reference CSV shipped with the rules.
    pub fn reference_values(&self, file: &str, column: &str) -> Result<Arc<Vec<String>>, String> {
        let path = self.find_reference(file)?;
        self.references.column(&path, column)
    }

    fn find_reference(&self, file: &str) -> Result<PathBuf, String> {
        // Packs read only files inside their rules folder: no absolute path,
        // no way up ("..").
        let relative = Path::new(file);
        if file.is_empty()
            || !relative
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)))
        {
            return Err(format!(
                "reference file '{file}' must be a path inside the rules folder, relative to the pack \
                 (no absolute path, no '..'), e.g. \"reference/communes_2025.csv\""
            ));
        }
        let mut dir = Some(self.pack_dir);
        while let Some(d) = dir {
            let candidate = d.join(file);
            if candidate.is_file() {
                return Ok(candidate);
            }
            if d == self.rules_root {
                break;
            }
            dir = d.parent();
        }
        Err(format!(
            "reference file '{file}' not found next to the pack or in its parent folders up to {}",
            self.rules_root.display()
        ))
    }
}

/// Reference CSV files (code lists) loaded once per run and shared by all
/// packs that use them.
#[derive(Default, Debug)]
pub struct ReferenceTables {
    tables: Mutex<HashMap<PathBuf, Arc<ReferenceTable>>>,
}

#[derive(Debug)]
struct ReferenceTable {
    header: Vec<String>,
    columns: Vec<Arc<Vec<String>>>,
    digest: [u8; 32],
}

impl ReferenceTables {
    fn column(&self, path: &Path, column: &str) -> Result<Arc<Vec<String>>, String> {
        let table = {
            let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
            match tables.get(path) {
                Some(t) => t.clone(),
                None => {
                    let t = Arc::new(ReferenceTable::load(path)?);
                    tables.insert(path.to_path_buf(), t.clone());
                    t
                }
            }
        };
        match table.header.iter().position(|h| h == column) {
            Some(i) => Ok(table.columns[i].clone()),
            None => {
                let hint = closest(column, table.header.iter().map(String::as_str))
                    .map(|s| format!("; did you mean '{s}'?"))
                    .unwrap_or_default();
                Err(format!(
                    "reference file {} has no column '{column}'{hint}",
                    path.display()
                ))
            }
        }
    }

    /// (path, sha256) of every reference file used, for the rule-pack hash.
    pub fn digests(&self) -> Vec<(PathBuf, [u8; 32])> {
        let tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<_> = tables.iter().map(|(p, t)| (p.clone(), t.digest)).collect();
        out.sort();
        out
    }
}

impl ReferenceTable {
    fn load(path: &Path) -> Result<ReferenceTable, String> {
        let bytes = std::fs::read(path)
            .map_err(|e| format!("cannot read reference file {}: {e}", path.display()))?;
        let digest: [u8; 32] = Sha256::digest(&bytes).into();
        let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
            .map_err(|e| format!("reference file {} is not UTF-8: {e}", path.display()))?;
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| format!("reference file {}: {e}", path.display()))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut columns = vec![Vec::new(); header.len()];
        for record in reader.records() {
            let record = record.map_err(|e| format!("reference file {}: {e}", path.display()))?;
            for (i, value) in record.iter().enumerate().take(header.len()) {
                if !value.is_empty() {
                    columns[i].push(value.to_string());
                }
            }
        }
        Ok(ReferenceTable {
            header,
            columns: columns.into_iter().map(Arc::new).collect(),
            digest,
        })
    }
}

/// A column of another dataset of the run.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LookupKey {
    pub dataset: String,
    pub column: String,
}

/// Columns of another dataset joined to this one by a key (one row per key).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JoinKey {
    pub dataset: String,
    pub key: String,
    pub columns: Vec<String>,
}

impl JoinKey {
    /// Prefix of the joined columns' names in the query.
    pub fn prefix(&self) -> String {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.hash(&mut h);
        format!("__join{:x}__", h.finish())
    }
}

/// What other datasets of the run provide: distinct values of a column
/// (`reference`), and key-deduplicated, typed columns to join (`register_match`).
#[derive(Default)]
pub struct LookupSets {
    pub values: HashMap<LookupKey, Result<Series, RuleError>>,
    pub frames: HashMap<JoinKey, Result<polars::prelude::DataFrame, RuleError>>,
}

/// Everything a check needs to build its expression for one dataset.
pub struct PlanContext<'a> {
    /// The pack's declared columns and their types.
    pub columns: &'a IndexMap<String, ColumnType>,
    /// Columns actually present in the file, in file order.
    pub header: &'a [String],
    pub rows: u64,
    pub as_of: NaiveDate,
    pub lookups: &'a LookupSets,
}

impl PlanContext<'_> {
    pub fn require(&self, column: &str) -> Result<(), RuleError> {
        if self.header.iter().any(|h| h == column) {
            Ok(())
        } else {
            Err(RuleError::MissingColumn {
                column: column.to_string(),
                suggestion: closest(column, self.header.iter().map(String::as_str)),
            })
        }
    }

    pub fn column_type(&self, column: &str) -> ColumnType {
        ColumnType::declared(self.columns, column)
    }

    /// The column's text as read (null = missing).
    pub fn raw(&self, column: &str) -> Result<Expr, RuleError> {
        self.require(column)?;
        Ok(if self.column_type(column).is_string() {
            col(column)
        } else {
            col(raw_name(column))
        })
    }

    /// The column parsed as its declared type (null = missing or unparsable).
    pub fn typed(&self, column: &str) -> Result<Expr, RuleError> {
        self.require(column)?;
        Ok(col(column))
    }
}
