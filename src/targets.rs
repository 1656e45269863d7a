//! Score targets a steering committee sets (`--targets FILE`), on top of the
//! `[targets]` of each pack. The file is TOML:
//!
//! ```toml
//! [default]            # every dataset
//! overall = 0.95
//!
//! [datasets.khai_sinh] # one dataset (the pack's dataset name)
//! dung = 0.98
//!
//! [indicators]         # indicator targets, by indicator id
//! CT-HS-01 = 0.10      # late dossiers: at most 10 % (its direction is the pack's)
//! ```
//!
//! Precedence, most specific last: the file's `[default]`, the pack's
//! `[targets]`, the file's `[datasets.<name>]`. The committee's file has the
//! last word on a dataset it names; a pack's own targets beat a blanket
//! default. An indicator's target in the file replaces the pack's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::UsageError;
use crate::model::TARGET_NAMES;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Targets {
    pub default: BTreeMap<String, f64>,
    pub datasets: BTreeMap<String, BTreeMap<String, f64>>,
    /// Indicator id → target share.
    pub indicators: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTargets {
    #[serde(default)]
    default: BTreeMap<String, toml::Spanned<f64>>,
    #[serde(default)]
    datasets: BTreeMap<String, BTreeMap<String, toml::Spanned<f64>>>,
    #[serde(default)]
    indicators: BTreeMap<String, toml::Spanned<f64>>,
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
                    "{}; expected [default], [datasets.<name>] tables of score = share and an \
                     [indicators] table of indicator id = share",
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
        let mut indicators = BTreeMap::new();
        for (id, value) in raw.indicators {
            let at = value.span().start;
            let value = value.into_inner();
            if !(0.0..=1.0).contains(&value) {
                return Err(fail(
                    at,
                    format!("{id} = {value} must be a share between 0 and 1 (e.g. 0.8)"),
                ));
            }
            indicators.insert(id, value);
        }
        Ok(Targets {
            indicators,
            default: check(raw.default)?,
            datasets: raw
                .datasets
                .into_iter()
                .map(|(name, table)| Ok((name, check(table)?)))
                .collect::<Result<_, UsageError>>()?,
        })
    }

    /// Applies the file's indicator targets to a dataset's indicators.
    pub fn apply_to_indicators(&self, indicators: &mut [crate::indicators::IndicatorResult]) {
        for i in indicators {
            if let Some(target) = self.indicators.get(&i.id) {
                i.target = Some(*target);
                i.met = i.value.map(|v| i.direction.meets(v, *target));
            }
        }
    }

    /// Indicator ids the file names that no pack declares: almost always a
    /// typo, which would otherwise silently set no target.
    pub fn unknown_indicators<'a>(&'a self, declared: &[&str]) -> Vec<&'a str> {
        self.indicators
            .keys()
            .map(String::as_str)
            .filter(|id| !declared.contains(id))
            .collect()
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
    fn indicator_targets_replace_the_packs_and_judge_by_direction() {
        use crate::indicators::{Direction, IndicatorResult};
        let t = Targets::parse("[indicators]\nCT-HS-01 = 0.25\n", Path::new("t.toml")).unwrap();
        let late = |value: f64| IndicatorResult {
            id: "CT-HS-01".into(),
            name: "late".into(),
            name_en: None,
            numerator: 0,
            denominator: 10,
            value: Some(value),
            direction: Direction::Lower,
            target: Some(0.05),
            met: Some(false),
            source: String::new(),
            error: None,
        };
        let mut indicators = vec![late(0.2), late(0.3)];
        t.apply_to_indicators(&mut indicators);
        assert_eq!(indicators[0].target, Some(0.25));
        assert_eq!(indicators[0].met, Some(true));
        assert_eq!(indicators[1].met, Some(false));
        assert_eq!(t.unknown_indicators(&["CT-HS-02"]), vec!["CT-HS-01"]);
        let e = Targets::parse("[indicators]\nCT-HS-01 = 5\n", Path::new("t.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("t.toml:2:") && e.contains("between 0 and 1"),
            "{e}"
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
