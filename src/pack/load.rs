//! Reading rule pack files (TOML) into validated [`RulePack`]s. All problems
//! are reported with the pack file and line, and with the closest valid name
//! where a name is misspelt.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::{ColumnType, DatasetSpec, Dimension, Pii, Rule, RulePack, Severity};
use crate::contract::{ParseContext, ReferenceTables};
use crate::error::{PackError, closest};
use crate::registry::Check;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    dataset: Spanned<RawDataset>,
    #[serde(default)]
    scoring: Option<RawScoring>,
    #[serde(default)]
    columns: IndexMap<String, Spanned<RawColumn>>,
    #[serde(default)]
    rules: Vec<Spanned<toml::Table>>,
    #[serde(default)]
    targets: BTreeMap<String, f64>,
    #[serde(default)]
    indicators: Vec<Spanned<toml::Table>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDataset {
    name: String,
    sector: String,
    #[serde(default)]
    title: Option<String>,
    files: Vec<String>,
    #[serde(default)]
    delimiter: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    key: Vec<String>,
    #[serde(default)]
    unit_column: Option<String>,
    #[serde(default)]
    missing_values: Vec<String>,
    #[serde(default)]
    sheet: Option<String>,
    #[serde(default)]
    header_row: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScoring {
    #[serde(default)]
    weights: BTreeMap<String, f64>,
    #[serde(default)]
    league_min_rows: Option<u64>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawColumn {
    Name(String),
    Full {
        #[serde(rename = "type")]
        ty: String,
        #[serde(default)]
        format: Option<String>,
        #[serde(default)]
        decimal_comma: bool,
        /// Personal data: "id" or "name"; masked in scorecards and with --mask.
        #[serde(default)]
        pii: Option<Pii>,
    },
}

/// Keys every rule has; everything else in a rule table belongs to its check.
const COMMON_KEYS: [&str; 10] = [
    "id",
    "fix",
    "check",
    "dimension",
    "severity",
    "message",
    "message_en",
    "weight",
    "when",
    "threshold",
];

/// All packs of a run, with the hash that identifies this exact set of rules.
#[derive(Debug, Clone)]
pub struct PackSet {
    pub packs: Vec<Arc<RulePack>>,
    /// `sha256:` of every pack file's path and bytes (sorted), and of the
    /// reference files they use: changes whenever the rules change.
    pub hash: String,
    pub files: Vec<PathBuf>,
}

impl PackSet {
    /// The pack validating dataset `name`, or an error listing the packs'
    /// datasets.
    pub fn dataset(&self, name: &str) -> Result<&Arc<RulePack>, crate::error::UsageError> {
        self.packs
            .iter()
            .find(|p| p.dataset.name == name)
            .ok_or_else(|| crate::error::UsageError::UnknownDataset {
                dataset: name.to_string(),
                known: self
                    .packs
                    .iter()
                    .map(|p| p.dataset.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// Longest dataset name: with `-<file stem>` and `.csv` added it must stay
/// a valid file name (255 bytes on common file systems).
const MAX_DATASET_NAME: usize = 100;

/// A pack file's text; invalid UTF-8 is named with its line.
fn read_pack_text(file: &Path) -> Result<String, PackError> {
    let bytes = std::fs::read(file).map_err(|source| PackError::Io {
        path: file.to_path_buf(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let good = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..good].iter().filter(|b| **b == b'\n').count() + 1;
        let column = good
            - bytes[..good]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |p| p + 1)
            + 1;
        PackError::Invalid {
            path: file.to_path_buf(),
            line,
            message: format!(
                "byte {column} of this line is not UTF-8; save the pack as UTF-8 (not Windows-1258 \
                 or a legacy Vietnamese encoding)"
            ),
        }
    })
}

/// Loads every `*.toml` under `root` (recursively; the `reference/` folder
/// holds data, not packs). `root` may also be a single pack file.
pub fn load_packs(root: &Path) -> Result<PackSet, PackError> {
    let files = pack_files(root)?;
    if files.is_empty() {
        return Err(PackError::NoPacks {
            path: root.to_path_buf(),
        });
    }
    let rules_root = if root.is_dir() {
        root
    } else {
        root.parent().unwrap_or(Path::new("."))
    };
    let references = ReferenceTables::default();
    let mut hasher = Sha256::new();
    let mut packs: Vec<Arc<RulePack>> = Vec::new();
    for file in &files {
        let text = read_pack_text(file)?;
        hasher.update(
            file.strip_prefix(rules_root)
                .unwrap_or(file)
                .to_string_lossy()
                .as_bytes(),
        );
        hasher.update([0]);
        hasher.update(text.as_bytes());
        let pack = parse_pack(file, &text, rules_root, &references)?;
        if let Some(other) = packs.iter().find(|p| p.dataset.name == pack.dataset.name) {
            return Err(PackError::DuplicateDataset {
                name: pack.dataset.name,
                first: other.path.clone(),
                second: file.clone(),
            });
        }
        packs.push(Arc::new(pack));
    }
    // Names relative to the rules folder, so `rules`, `./rules` and an
    // absolute path give the same hash for the same rules.
    for (path, digest) in references.digests() {
        hasher.update(
            path.strip_prefix(rules_root)
                .unwrap_or(&path)
                .to_string_lossy()
                .as_bytes(),
        );
        hasher.update(digest);
    }
    Ok(PackSet {
        packs,
        hash: format!("sha256:{:x}", hasher.finalize()),
        files,
    })
}

/// Loads one pack file on its own (tests, `check-rules` on a single file).
pub fn load_pack(path: &Path) -> Result<RulePack, PackError> {
    let text = read_pack_text(path)?;
    // On its own a pack may cite reference files anywhere above it.
    let root = path.ancestors().last().unwrap_or(Path::new("."));
    parse_pack(path, &text, root, &ReferenceTables::default())
}

fn pack_files(root: &Path) -> Result<Vec<PathBuf>, PackError> {
    if root.is_file() {
        return Ok(vec![root.to_path_buf()]);
    }
    if !root.is_dir() {
        return Err(PackError::Io {
            path: root.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such folder"),
        });
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.map_err(|e| PackError::Io {
            path: e.path().unwrap_or(root).to_path_buf(),
            source: e.into(),
        })?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "toml") && entry.file_type().is_file() {
            files.push(path.to_path_buf());
        }
    }
    Ok(files)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

pub fn parse_pack(
    path: &Path,
    text: &str,
    rules_root: &Path,
    references: &ReferenceTables,
) -> Result<RulePack, PackError> {
    let raw: RawPack = toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map(|s| {
                let line = line_of(text, s.start);
                let line_start = text[..s.start].rfind('\n').map_or(0, |i| i + 1);
                (line, text[line_start..s.start].chars().count() + 1)
            })
            .unwrap_or((1, 1));
        PackError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })?;
    let invalid = |line: usize, message: String| PackError::Invalid {
        path: path.to_path_buf(),
        line,
        message,
    };

    let dataset_line = line_of(text, raw.dataset.span().start);
    let ds = raw.dataset.into_inner();
    if ds.name.trim().is_empty()
        || !ds
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(invalid(
            dataset_line,
            format!(
                "dataset name '{}' must be non-empty ASCII letters, digits, '_' or '-' (it names output files)",
                ds.name
            ),
        ));
    }
    if ds.name.len() > MAX_DATASET_NAME {
        return Err(invalid(
            dataset_line,
            format!(
                "dataset name is {} characters long; give at most {MAX_DATASET_NAME} (it names output \
                 files, and file systems refuse long names)",
                ds.name.len()
            ),
        ));
    }
    if ds.files.is_empty() {
        return Err(invalid(dataset_line, "dataset.files is empty: give at least one file-name pattern such as \"khai_sinh*.csv\"".into()));
    }
    for pattern in &ds.files {
        globset::Glob::new(pattern).map_err(|e| {
            invalid(
                dataset_line,
                format!("invalid file pattern '{pattern}': {e}"),
            )
        })?;
    }
    if ds.header_row == Some(0) {
        return Err(invalid(
            dataset_line,
            "header_row counts from 1 (the first row of the sheet): use header_row = 1 or more"
                .into(),
        ));
    }
    let delimiter = match ds.delimiter.as_deref() {
        None => None,
        Some("\\t") | Some("\t") | Some("tab") => Some(b'\t'),
        Some(d) if d.len() == 1 && d.is_ascii() => Some(d.as_bytes()[0]),
        Some(d) => {
            return Err(invalid(
                dataset_line,
                format!(
                    "delimiter '{d}' must be one ASCII character such as \",\" or \";\" (or \"tab\")"
                ),
            ));
        }
    };
    if let Some(label) = &ds.encoding
        && encoding_rs::Encoding::for_label(label.as_bytes()).is_none()
    {
        return Err(invalid(
            dataset_line,
            format!(
                "unknown encoding '{label}': use a WHATWG label such as utf-8, windows-1258 or utf-16le"
            ),
        ));
    }

    let mut columns = IndexMap::new();
    let mut pii = BTreeMap::new();
    for (name, spanned) in raw.columns {
        let line = line_of(text, spanned.span().start);
        let ty = match spanned.into_inner() {
            RawColumn::Name(n) => ColumnType::from_parts(&n, None, false),
            RawColumn::Full {
                ty,
                format,
                decimal_comma,
                pii: kind,
            } => {
                if let Some(kind) = kind {
                    pii.insert(name.clone(), kind);
                }
                ColumnType::from_parts(&ty, format.as_deref(), decimal_comma)
            }
        }
        .map_err(|m| invalid(line, format!("column '{name}': {m}")))?;
        columns.insert(name, ty);
    }
    let known_column = |c: &str, what: &str| -> Result<(), PackError> {
        if columns.is_empty() || columns.contains_key(c) {
            return Ok(());
        }
        let hint = closest(c, columns.keys().map(String::as_str))
            .map(|s| format!("; did you mean '{s}'?"))
            .unwrap_or_default();
        Err(invalid(
            dataset_line,
            format!("{what} '{c}' is not a declared column{hint}"),
        ))
    };
    for k in &ds.key {
        known_column(k, "key column")?;
    }
    if let Some(u) = &ds.unit_column {
        known_column(u, "unit_column")?;
    }

    let mut dimension_weights = [1.0; 4];
    let mut league = crate::ranking::LeagueRule::default();
    if let Some(scoring) = raw.scoring {
        if let Some(min_rows) = scoring.league_min_rows {
            league.min_rows = min_rows;
        }
        for (k, w) in scoring.weights {
            let dim = Dimension::parse(&k).ok_or_else(|| {
                invalid(
                    1,
                    format!(
                        "scoring.weights: unknown dimension '{k}' (valid: dung, du, sach, song)"
                    ),
                )
            })?;
            if !(w.is_finite() && w >= 0.0) {
                return Err(invalid(
                    1,
                    format!("scoring.weights.{k} must be a number ≥ 0"),
                ));
            }
            dimension_weights[dim as usize] = w;
        }
    }

    let mut targets = Vec::new();
    for (name, value) in raw.targets {
        if !crate::model::TARGET_NAMES.contains(&name.as_str()) {
            return Err(invalid(
                1,
                format!(
                    "[targets]: unknown score '{name}' (valid: {})",
                    crate::model::TARGET_NAMES.join(", ")
                ),
            ));
        }
        if !(0.0..=1.0).contains(&value) {
            return Err(invalid(
                1,
                format!("[targets]: {name} = {value} must be a share between 0 and 1 (e.g. 0.95)"),
            ));
        }
        targets.push((name, value));
    }

    let base_dir = path.parent().unwrap_or(Path::new("."));
    let parse_ctx = ParseContext {
        pack_dir: base_dir,
        rules_root,
        columns: &columns,
        references,
    };
    let mut rules: Vec<Rule> = Vec::with_capacity(raw.rules.len());
    for spanned in raw.rules {
        let line = line_of(text, spanned.span().start);
        let rule = parse_rule(spanned.into_inner(), &parse_ctx).map_err(|m| invalid(line, m))?;
        if rules.iter().any(|r| r.id == rule.id) {
            return Err(invalid(
                line,
                format!(
                    "rule id '{}' is used twice in this pack; ids must be unique",
                    rule.id
                ),
            ));
        }
        rules.push(Rule { line, ..rule });
    }
    add_structural_rules(&mut rules, &parse_ctx).map_err(|m| invalid(1, m))?;

    let mut indicators: Vec<crate::indicators::Indicator> = Vec::new();
    for spanned in raw.indicators {
        let line = line_of(text, spanned.span().start);
        let indicator = crate::indicators::parse_indicator(spanned.into_inner(), &columns)
            .map_err(|m| invalid(line, m))?;
        if indicators.iter().any(|i| i.id == indicator.id)
            || rules.iter().any(|r| r.id == indicator.id)
        {
            return Err(invalid(
                line,
                format!(
                    "indicator id '{}' is already used in this pack; ids of rules and indicators \
                     must be unique",
                    indicator.id
                ),
            ));
        }
        indicators.push(crate::indicators::Indicator { line, ..indicator });
    }

    Ok(RulePack {
        path: path.to_path_buf(),
        dataset: DatasetSpec {
            name: ds.name,
            sector: ds.sector,
            title: ds.title,
            files: ds.files,
            delimiter,
            encoding: ds.encoding,
            key: ds.key,
            unit_column: ds.unit_column,
            missing_values: ds.missing_values,
            sheet: ds.sheet,
            header_row: ds.header_row.unwrap_or(1),
        },
        columns,
        rules,
        indicators,
        dimension_weights,
        league,
        targets,
        pii,
    })
}

/// The structural rules (`PH…`, see `crate::structure`) every pack has
/// without declaring them; a declared rule of the same kind replaces one.
fn add_structural_rules(rules: &mut Vec<Rule>, ctx: &ParseContext) -> Result<(), String> {
    for implicit in crate::structure::IMPLICIT_RULES {
        let kind = implicit.defect.kind_name();
        if rules.iter().any(|r| r.check.kind() == kind) {
            continue;
        }
        let id = implicit.defect.code();
        if rules.iter().any(|r| r.id == id) {
            return Err(format!(
                "rule id '{id}' is the id of the structural rule '{kind}' every pack has; give your rule another id, or declare it with check = \"{kind}\" to replace the structural one"
            ));
        }
        rules.push(Rule {
            id: id.to_string(),
            check: Check::parse(kind, toml::Table::new(), ctx)?,
            dimension: implicit.dimension,
            severity: implicit.severity,
            message: implicit.message.to_string(),
            message_en: Some(implicit.message_en.to_string()),
            weight: 1.0,
            when: None,
            threshold: 1.0,
            fix: None,
            line: 0,
        });
    }
    Ok(())
}

fn take_string(table: &mut toml::Table, key: &str, rule: &str) -> Result<Option<String>, String> {
    match table.remove(key) {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!(
            "rule '{rule}': '{key}' must be a string, not {}",
            other.type_str()
        )),
    }
}

fn take_number(table: &mut toml::Table, key: &str, rule: &str) -> Result<Option<f64>, String> {
    match table.remove(key) {
        None => Ok(None),
        Some(toml::Value::Float(f)) => Ok(Some(f)),
        Some(toml::Value::Integer(i)) => Ok(Some(i as f64)),
        Some(other) => Err(format!(
            "rule '{rule}': '{key}' must be a number, not {}",
            other.type_str()
        )),
    }
}

fn parse_rule(mut table: toml::Table, ctx: &ParseContext) -> Result<Rule, String> {
    let id = take_string(&mut table, "id", "?")?
        .ok_or("a rule has no 'id': give every rule a stable id such as \"KS-001\"")?;
    if id.trim().is_empty() || id.contains(',') {
        return Err(format!(
            "rule id '{id}' must be non-empty and contain no comma"
        ));
    }
    let kind = take_string(&mut table, "check", &id)?.ok_or_else(|| {
        format!(
            "rule '{id}' has no 'check': give one of {}",
            crate::registry::kind_names().join(", ")
        )
    })?;
    let dimension = take_string(&mut table, "dimension", &id)?
        .ok_or_else(|| format!("rule '{id}' has no 'dimension' (dung, du, sach or song)"))?;
    let dimension = Dimension::parse(&dimension).ok_or_else(|| {
        let hint = closest(&dimension, ["dung", "du", "sach", "song"])
            .map(|s| format!("; did you mean '{s}'?"))
            .unwrap_or_default();
        format!("rule '{id}': unknown dimension '{dimension}' (valid: dung, du, sach, song){hint}")
    })?;
    let severity = match take_string(&mut table, "severity", &id)?.as_deref() {
        None | Some("error") => Severity::Error,
        Some("warn") | Some("warning") => Severity::Warn,
        Some(other) => {
            return Err(format!(
                "rule '{id}': unknown severity '{other}' (valid: warn, error)"
            ));
        }
    };
    let message = take_string(&mut table, "message", &id)?.ok_or_else(|| {
        format!("rule '{id}' has no 'message': say in Vietnamese what is wrong with a failing row")
    })?;
    let message_en = take_string(&mut table, "message_en", &id)?;
    let weight = take_number(&mut table, "weight", &id)?.unwrap_or(1.0);
    if !(weight.is_finite() && weight >= 0.0) {
        return Err(format!("rule '{id}': weight must be a number ≥ 0"));
    }
    let threshold = take_number(&mut table, "threshold", &id)?.unwrap_or(1.0);
    if !(0.0..=1.0).contains(&threshold) {
        return Err(format!(
            "rule '{id}': threshold {threshold} must be a pass rate between 0 and 1"
        ));
    }
    let fix = table
        .remove("fix")
        .map(|v| super::fix::FixSpec::parse(&v).map_err(|m| format!("rule '{id}': {m}")))
        .transpose()?;
    let when = take_string(&mut table, "when", &id)?;
    if let Some(sql) = &when {
        let _ = crate::checks::expr::parse_sql_condition(sql, ctx.columns)
            .map_err(|m| format!("rule '{id}': when: {m}"))?;
    }
    debug_assert!(COMMON_KEYS.iter().all(|k| !table.contains_key(*k)));
    let check = Check::parse(&kind, table, ctx)
        .map_err(|m| format!("rule '{id}' (check '{kind}'): {m}"))?;
    if check.is_dataset_level() && when.is_some() {
        return Err(format!(
            "rule '{id}': 'when' does not apply to the dataset-level check '{kind}'"
        ));
    }
    if fix.is_some() && (check.is_dataset_level() || check.columns().is_empty()) {
        return Err(format!(
            "rule '{id}': 'fix' needs a rule on a column; the check '{kind}' judges the whole file"
        ));
    }
    Ok(Rule {
        id,
        check,
        dimension,
        severity,
        message,
        message_en,
        weight,
        when,
        threshold,
        fix,
        line: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<RulePack, PackError> {
        parse_pack(
            Path::new("test.toml"),
            text,
            Path::new("."),
            &ReferenceTables::default(),
        )
    }

    const HEAD: &str = r#"
[dataset]
name = "ks"
sector = "ho_tich"
files = ["ks*.csv"]
key = ["id"]

[columns]
id = "string"
born = { type = "date", format = "%d/%m/%Y" }
"#;

    #[test]
    fn parses_a_complete_pack() {
        let pack = parse(&format!(
            "{HEAD}\n[[rules]]\nid = \"R1\"\ncheck = \"required\"\ncolumn = \"id\"\ndimension = \"du\"\nmessage = \"Thiếu\"\n"
        ))
        .unwrap();
        // The declared rule, then the seven structural rules every pack has.
        assert_eq!(pack.rules.len(), 8);
        assert!(pack.rules[1..].iter().all(|r| r.id.starts_with("PH")));
        assert_eq!(pack.rules[0].line, 12);
        assert_eq!(pack.rules[0].severity, Severity::Error);
        assert_eq!(
            pack.column_type("born"),
            ColumnType::Date {
                format: "%d/%m/%Y".into()
            }
        );
    }

    #[test]
    fn unknown_check_kind_names_line_and_closest_kind() {
        let err = parse(&format!(
            "{HEAD}\n[[rules]]\nid = \"R1\"\ncheck = \"requird\"\ncolumn = \"id\"\ndimension = \"du\"\nmessage = \"x\"\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("test.toml:12:"), "{err}");
        assert!(err.contains("did you mean 'required'"), "{err}");
    }

    #[test]
    fn unknown_parameter_is_rejected() {
        let err = parse(&format!(
            "{HEAD}\n[[rules]]\nid = \"R1\"\ncheck = \"required\"\ncolumn = \"id\"\ncolum = \"x\"\ndimension = \"du\"\nmessage = \"x\"\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(err.contains("colum"), "{err}");
    }

    #[test]
    fn toml_syntax_error_has_line_and_column() {
        let err = parse("[dataset\nname = 1").unwrap_err();
        assert!(matches!(err, PackError::Syntax { line: 1, .. }), "{err}");
    }

    #[test]
    fn undeclared_key_column_is_rejected() {
        let err = parse(&HEAD.replace("key = [\"id\"]", "key = [\"idd\"]"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("did you mean 'id'"), "{err}");
    }
}
