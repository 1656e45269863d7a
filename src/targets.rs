//! Score targets a steering committee sets (`--targets FILE`), on top of the
//! `[targets]` of each pack. The file is TOML:
//!
//! ```toml
//! [default]            # every dataset
//! overall = 0.95
//!
//! [datasets.khai_sinh] # one dataset (the pack's dataset name)
//! dung = 0.98
//! ```
//!
//! Precedence, most specific last: the file's `[default]`, the pack's
//! `[targets]`, the file's `[datasets.<name>]`. The committee's file has the
//! last word on a dataset it names; a pack's own targets beat a blanket
//! default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::UsageError;
use crate::model::TARGET_NAMES;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Targets {
    pub default: BTreeMap<String, f64>,
    pub datasets: BTreeMap<String, BTreeMap<String, f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTargets {
    #[serde(default)]
    default: BTreeMap<String, toml::Spanned<f64>>,
    #[serde(default)]
    datasets: BTreeMap<String, BTreeMap<String, toml::Spanned<f64>>>,
}

impl Targets {
    pub fn load(path: &Path) -> Result<Targets, UsageError> {
        let text = std::fs::read_to_string(path).map_err(|e| UsageError::Targets {
            path: path.to_path_buf(),
            line: 0,
            message: format!("cannot read it: {e}"),
        })?;
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Targets, UsageError> {
        let fail = |offset: usize, message: String| UsageError::Targets {
            path: PathBuf::from(path),
            line: text[..offset.min(text.len())].matches('\n').count() + 1,
            message,
        };
        let raw: RawTargets = toml::from_str(text).map_err(|e| {
            fail(
                e.span().map_or(0, |s| s.start),
                format!(
                    "{}; expected [default] and [datasets.<name>] tables of score = share",
                    e.message()
                ),
            )
        })?;
        let check = |table: BTreeMap<String, toml::Spanned<f64>>| {
            table
                .into_iter()
                .map(|(name, value)| {
                    let at = value.span().start;
                    let value = value.into_inner();
                    if !TARGET_NAMES.contains(&name.as_str()) {
                        return Err(fail(
                            at,
                            format!(
                                "unknown score '{name}' (valid: {})",
                                TARGET_NAMES.join(", ")
                            ),
                        ));
                    }
                    if !(0.0..=1.0).contains(&value) {
                        return Err(fail(
                            at,
                            format!("{name} = {value} must be a share between 0 and 1 (e.g. 0.95)"),
                        ));
                    }
                    Ok((name, value))
                })
                .collect::<Result<BTreeMap<_, _>, _>>()
        };
        Ok(Targets {
            default: check(raw.default)?,
            datasets: raw
                .datasets
                .into_iter()
                .map(|(name, table)| Ok((name, check(table)?)))
                .collect::<Result<_, UsageError>>()?,
        })
    }

    /// The targets of one dataset, in a stable order, after precedence.
    pub fn for_dataset(&self, dataset: &str, pack: &[(String, f64)]) -> Vec<(String, f64)> {
        let mut merged = self.default.clone();
        merged.extend(pack.iter().cloned());
        if let Some(own) = self.datasets.get(dataset) {
            merged.extend(own.iter().map(|(k, v)| (k.clone(), *v)));
        }
        TARGET_NAMES
            .iter()
            .filter_map(|n| merged.get(*n).map(|v| (n.to_string(), *v)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_is_default_then_pack_then_named_dataset() {
        let t = Targets::parse(
            "[default]\noverall = 0.9\ndung = 0.9\n[datasets.khai_sinh]\ndung = 0.99\n",
            Path::new("t.toml"),
        )
        .unwrap();
        let pack = vec![("overall".to_string(), 0.95), ("du".to_string(), 0.97)];
        assert_eq!(
            t.for_dataset("khai_sinh", &pack),
            vec![
                ("overall".to_string(), 0.95),
                ("dung".to_string(), 0.99),
                ("du".to_string(), 0.97)
            ]
        );
        assert_eq!(
            t.for_dataset("khai_tu", &[]),
            vec![("overall".to_string(), 0.9), ("dung".to_string(), 0.9)]
        );
    }

    #[test]
    fn errors_name_the_line_and_what_is_valid() {
        let e = Targets::parse(
            "[default]\noverall = 0.9\nsong = 1.5\n",
            Path::new("t.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("t.toml:3:"), "{e}");
        assert!(e.contains("between 0 and 1"), "{e}");
        let e = Targets::parse("[default]\ndang = 0.9\n", Path::new("t.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown score 'dang'") && e.contains("overall"),
            "{e}"
        );
        let e = Targets::parse("[defaults]\n", Path::new("t.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.toml:1:"), "{e}");
    }
}
