//! The one table of check kinds. Each kind is named here once, with its
//! stable code, its name in rule packs and the type that implements it;
//! parsing, dispatch, `ddss checks`, `ddss checks --explain CODE` and the
//! docs test are all derived from this table (as ruff's `codes.rs` maps
//! codes to rules).
//!
//! Adding a kind: write `src/checks/<kind>.rs` (generic) or
//! `src/vn/<kind>.rs` (Vietnamese) with a module doc comment, a type with
//! `fn parse(toml::Table, &ParseContext) -> Result<Self, String>` and an
//! `impl CheckKind`, declare the module, and add one line below. The docs
//! test (`tests/docs.rs`) then asks for its section in `docs/rules.md`.
//!
//! Codes never change meaning: `DQ…` generic, `VN…` Vietnamese, `PH…`
//! structural (the physical form of the file, `src/structure/`).

use std::fmt;
use std::sync::Arc;

use polars::prelude::Expr;

use crate::contract::{
    CheckKind, Evaluation, JoinKey, LookupKey, ParseContext, PlanContext, WholeDatasetKey,
};
use crate::error::{RuleError, closest};

/// Builds a kind from its rule's own keys.
type ParseKind = fn(toml::Table, &ParseContext) -> Result<Arc<dyn CheckKind>, String>;

/// One row of the table.
pub struct KindInfo {
    /// Stable code, e.g. `DQ003`.
    pub code: &'static str,
    /// Name in rule packs (`check = "pattern"`).
    pub name: &'static str,
    /// Builds the kind from the rule's own keys.
    parse: ParseKind,
    /// The kind's source file, for its module doc comment.
    source: &'static str,
}

impl KindInfo {
    /// The kind's module doc comment: what it checks, why, and an example —
    /// what `ddss checks --explain CODE` prints.
    pub fn doc(&self) -> String {
        let mut doc = String::new();
        for line in self.source.lines() {
            let Some(text) = line.strip_prefix("//!") else {
                break;
            };
            doc.push_str(text.strip_prefix(' ').unwrap_or(text));
            doc.push('\n');
        }
        doc
    }

    /// The first sentence of the doc: its summary line.
    pub fn summary(&self) -> String {
        let doc = self.doc();
        let first: String = doc
            .split("\n\n")
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        // "`pattern` (DQ003) — the value matches …" → "the value matches …"
        first
            .split_once(" — ")
            .map_or(first.clone(), |(_, rest)| rest.to_string())
    }
}

impl fmt::Debug for KindInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}

/// `"CODE" name => folder::module::Type,` — one line per kind.
macro_rules! check_kinds {
    ($($code:literal $name:literal => $folder:ident :: $module:ident :: $kind:ident,)*) => {
        /// Every check kind, in code order.
        pub static KINDS: &[KindInfo] = &[$(
            KindInfo {
                code: $code,
                name: $name,
                parse: |table, ctx| {
                    let kind = crate::$folder::$module::$kind::parse(table, ctx)?;
                    Ok(Arc::new(kind) as Arc<dyn CheckKind>)
                },
                source: include_str!(concat!(stringify!($folder), "/", stringify!($module), ".rs")),
            },
        )*];
    };
}

check_kinds! {
    "DQ001" "required" => checks::required::Required,
    "DQ002" "unique" => checks::unique::Unique,
    "DQ003" "pattern" => checks::pattern::Pattern,
    "DQ004" "in_set" => checks::in_set::InSet,
    "DQ005" "range" => checks::range::Range,
    "DQ006" "parses" => checks::parses::Parses,
    "DQ007" "expr" => checks::expr::SqlExpr,
    "DQ008" "fresh" => checks::fresh::Fresh,
    "DQ009" "row_count" => checks::row_count::RowCount,
    "DQ010" "columns" => checks::columns::Columns,
    "DQ011" "reference" => checks::reference::Reference,
    "VN001" "cccd" => vn::cccd::Cccd,
    "VN002" "cmnd_outdated" => vn::cmnd::CmndOutdated,
    "VN003" "vn_text" => vn::text::VnText,
    "VN004" "vn_date" => vn::date::VnDate,
    "VN005" "age" => vn::age::Age,
    "VN006" "deadline" => vn::deadline::Deadline,
    "VN007" "admin_unit" => vn::admin_unit::AdminUnit,
    "VN008" "register_match" => vn::register_match::RegisterMatch,
    "VN009" "retirement_age" => vn::retirement_age::RetirementAge,
    "VN010" "tax_code" => vn::tax_code::TaxCode,
    "PH001" "ragged_row" => structure::ragged_row::RaggedRow,
    "PH002" "invalid_text" => structure::invalid_text::InvalidText,
    "PH003" "nul_byte" => structure::nul_byte::NulByte,
    "PH004" "stray_quote" => structure::stray_quote::StrayQuote,
    "PH005" "unclosed_quote" => structure::unclosed_quote::UnclosedQuote,
    "PH006" "record_too_long" => structure::record_too_long::RecordTooLong,
    "PH007" "excel_cell" => structure::excel_cell::ExcelCell,
}

/// Names of all check kinds, for messages.
pub fn kind_names() -> Vec<&'static str> {
    KINDS.iter().map(|k| k.name).collect()
}

/// The kind with this code (`DQ003`) or name (`pattern`), case-insensitive.
pub fn find(code_or_name: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| {
        k.code.eq_ignore_ascii_case(code_or_name) || k.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// A configured check: its kind and its parameters. Cheap to clone.
#[derive(Clone)]
pub struct Check {
    info: &'static KindInfo,
    kind: Arc<dyn CheckKind>,
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({:?})", self.info.name, self.kind)
    }
}

impl Check {
    /// Parses the rule's own keys as check kind `name`.
    pub fn parse(name: &str, table: toml::Table, ctx: &ParseContext) -> Result<Check, String> {
        let Some(info) = KINDS.iter().find(|k| k.name == name) else {
            let names = kind_names();
            let hint = closest(name, names.iter().copied())
                .map(|s| format!("; did you mean '{s}'?"))
                .unwrap_or_default();
            return Err(format!(
                "unknown check kind '{name}' (valid: {}){hint}",
                names.join(", ")
            ));
        };
        Ok(Check {
            info,
            kind: (info.parse)(table, ctx)?,
        })
    }

    pub fn kind(&self) -> &'static str {
        self.info.name
    }

    pub fn code(&self) -> &'static str {
        self.info.code
    }

    /// The columns a violation of this rule is about (reported with it).
    pub fn columns(&self) -> Vec<String> {
        self.kind.columns()
    }

    pub fn is_dataset_level(&self) -> bool {
        self.kind.is_dataset_level()
    }

    /// Columns of another dataset this check joins, if any.
    pub fn join_key(&self) -> Option<JoinKey> {
        self.kind.join_key()
    }

    /// The other dataset (and its column) this check reads, if any.
    pub fn lookup(&self) -> Option<LookupKey> {
        self.kind.lookup()
    }

    /// The key whose repeats this check finds over the whole dataset, if it
    /// compares rows with each other (`unique`): a file checked piece by
    /// piece hashes it first.
    pub fn whole_dataset_key(&self) -> Option<WholeDatasetKey> {
        self.kind.whole_dataset_key()
    }

    /// Plans the check. `applies` is the rule's `when` condition (true when
    /// absent); the engine applies it to the result, and checks that compare
    /// rows with each other (`unique`) also use it to choose whom to compare.
    pub fn evaluate(&self, ctx: &PlanContext, applies: &Expr) -> Result<Evaluation, RuleError> {
        self.kind.evaluate(ctx, applies)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes: Vec<_> = KINDS.iter().map(|k| k.code).collect();
        let mut names = kind_names();
        codes.sort_unstable();
        codes.dedup();
        names.sort_unstable();
        names.dedup();
        assert_eq!(codes.len(), KINDS.len(), "a code is used twice");
        assert_eq!(names.len(), KINDS.len(), "a name is used twice");
        for k in KINDS {
            assert!(
                ["DQ", "VN", "PH"].iter().any(|p| k.code.starts_with(p))
                    && k.code.len() == 5
                    && k.code[2..].bytes().all(|b| b.is_ascii_digit()),
                "{k:?}"
            );
        }
    }

    #[test]
    fn structural_kinds_are_the_row_defects_codes() {
        for defect in crate::model::RowDefect::ALL {
            let info = find(defect.code()).expect("a kind for every row defect");
            assert_eq!(info.name, defect.kind_name());
        }
    }

    #[test]
    fn every_kind_documents_itself_under_its_name_and_code() {
        for k in KINDS {
            let doc = k.doc();
            let title = doc.lines().next().unwrap_or("");
            assert!(
                title.starts_with(&format!("`{}` ({})", k.name, k.code)),
                "{k:?}: the module doc must start with \"`{}` ({}) — …\", found {title:?}",
                k.name,
                k.code
            );
            assert!(
                doc.contains("```toml"),
                "{k:?}: the doc must show a rule using the kind"
            );
            assert!(!k.summary().is_empty());
        }
    }

    #[test]
    fn find_takes_codes_and_names() {
        assert_eq!(find("dq003").map(|k| k.name), Some("pattern"));
        assert_eq!(find("vn_text").map(|k| k.code), Some("VN003"));
        assert!(find("DQ999").is_none());
    }

    #[test]
    fn unknown_kind_names_the_closest() {
        let refs = crate::contract::ReferenceTables::default();
        let columns = indexmap::IndexMap::new();
        let ctx = ParseContext {
            pack_dir: std::path::Path::new("."),
            rules_root: std::path::Path::new("."),
            columns: &columns,
            references: &refs,
        };
        let err = Check::parse("requird", toml::Table::new(), &ctx).unwrap_err();
        assert!(err.contains("did you mean 'required'"), "{err}");
    }
}
