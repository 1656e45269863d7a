//! Scores per administrative unit (commune, rolled up to province), so a
//! steering committee can see who is behind. Counted from the same boolean
//! rule columns as the dataset's scores — a group-by over them, not a second
//! read of the file — and scored with the same formulas.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::indicators::{IndicatorResult, UnitIndicator};
use crate::pack::{RulePack, Severity};
use crate::results::{RuleResult, RuleStatus, UnitResult};
use crate::score;
use crate::vn::reference::REFERENCE;

/// Shown for rows whose unit cell is empty.
pub const NO_UNIT: &str = "(trống)";

#[derive(Default, Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Counts {
    rows: u64,
    rows_failing_errors: u64,
    /// Per rule: (evaluated, failed); dataset-level rules stay 0.
    rules: Vec<(u64, u64)>,
    /// Per indicator: (denominator, numerator).
    #[serde(default)]
    indicators: Vec<(u64, u64)>,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.rows += other.rows;
        self.rows_failing_errors += other.rows_failing_errors;
        super::dataset::add_pairs(&mut self.rules, &other.rules);
        super::dataset::add_pairs(&mut self.indicators, &other.indicators);
    }
}

/// Counts per commune code (trimmed; [`NO_UNIT`] for an empty cell). Counts
/// of the pieces of a streamed file add up to the counts of the whole file.
#[derive(Default, Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct UnitCounts(BTreeMap<String, Counts>);

impl UnitCounts {
    pub fn merge(&mut self, other: UnitCounts) {
        for (code, counts) in other.0 {
            self.0.entry(code).or_default().add(&counts);
        }
    }
}

/// Counts the rows of one table (or one piece of a file) per commune.
///
/// One pass over the unit column gives each row its unit's slot; each rule
/// column is then counted into those slots (failures by the set bits of its
/// bitmap). A polars group-by per piece did the same work through
/// string-keyed groups and two aggregations per rule.
pub fn unit_counts(
    pack: &RulePack,
    unit_text: &StringChunked,
    masks: &[Option<BooleanChunked>],
    indicators: &[Option<BooleanChunked>],
) -> PolarsResult<UnitCounts> {
    let mut slots: foldhash::HashMap<&str, u32> = foldhash::HashMap::default();
    let mut codes: Vec<&str> = Vec::new();
    let slot_of_row: Vec<u32> = unit_text
        .iter()
        .map(|code| {
            let code = code.unwrap_or(NO_UNIT).trim();
            *slots.entry(code).or_insert_with(|| {
                codes.push(code);
                (codes.len() - 1) as u32
            })
        })
        .collect();
    let units = codes.len();
    let mut rows = vec![0u64; units];
    for &slot in &slot_of_row {
        rows[slot as usize] += 1;
    }
    // Flat (unit × rule) counters; verdicts read from the masks' bitmaps, the
    // failed ones by their set bits only (failures are rare).
    let pairs = |masks: &[Option<BooleanChunked>],
                 mut on_failed: Box<dyn FnMut(usize, usize) + '_>|
     -> Vec<(u64, u64)> {
        let mut counted = vec![(0u64, 0u64); units * masks.len()];
        for (i, mask) in masks.iter().enumerate() {
            let Some(mask) = mask else { continue };
            let mut offset = 0;
            for array in mask.downcast_iter() {
                let slots = &slot_of_row[offset..offset + array.len()];
                let failed = match array.validity() {
                    None => {
                        for &slot in slots {
                            counted[slot as usize * masks.len() + i].0 += 1;
                        }
                        array.values().clone()
                    }
                    Some(valid) => {
                        for row in valid.true_idx_iter() {
                            counted[slots[row] as usize * masks.len() + i].0 += 1;
                        }
                        array.values() & valid
                    }
                };
                for row in failed.true_idx_iter() {
                    counted[slots[row] as usize * masks.len() + i].1 += 1;
                    on_failed(i, offset + row);
                }
                offset += array.len();
            }
        }
        counted
    };
    // A row fails an error-severity rule: counted once however many.
    let mut fails_an_error = vec![false; slot_of_row.len()];
    let rule_pairs = pairs(
        masks,
        Box::new(|i, row| fails_an_error[row] |= pack.rules[i].severity == Severity::Error),
    );
    let indicator_pairs = pairs(indicators, Box::new(|_, _| {}));
    let mut failing_errors = vec![0u64; units];
    for (&slot, failed) in slot_of_row.iter().zip(&fails_an_error) {
        failing_errors[slot as usize] += u64::from(*failed);
    }
    let counts = (0..units).map(|unit| Counts {
        rows: rows[unit],
        rows_failing_errors: failing_errors[unit],
        rules: rule_pairs[unit * masks.len()..(unit + 1) * masks.len()].to_vec(),
        indicators: indicator_pairs[unit * indicators.len()..(unit + 1) * indicators.len()]
            .to_vec(),
    });
    Ok(UnitCounts(
        codes.into_iter().map(str::to_string).zip(counts).collect(),
    ))
}

/// Communes (worst first) and provinces (worst first) of one dataset, from
/// its unit counts; `row_level[i]` tells whether rule `i` was counted per row.
pub fn unit_scores(
    pack: &RulePack,
    counts: UnitCounts,
    row_level: &[bool],
    dataset_rules: &[RuleResult],
    dataset_indicators: &[IndicatorResult],
) -> (Vec<UnitResult>, Vec<UnitResult>) {
    let communes = counts.0;
    let mut provinces: BTreeMap<String, Counts> = BTreeMap::new();
    for (code, counts) in &communes {
        let province = province_of(code).unwrap_or_else(|| NO_UNIT.to_string());
        provinces.entry(province).or_default().add(counts);
    }
    // Scoring reads a rule's code, dimension, weight, status and pass rate:
    // each unit gets a copy of the rules without their texts (10,000
    // communes × every rule would otherwise copy every message).
    let light: Vec<RuleResult> = dataset_rules
        .iter()
        .map(|r| RuleResult {
            id: String::new(),
            check: String::new(),
            columns: vec![],
            message: String::new(),
            message_en: None,
            error: None,
            details: vec![],
            examples: vec![],
            ..r.clone()
        })
        .collect();
    let score_all = |map: BTreeMap<String, Counts>, commune_level: bool| -> Vec<UnitResult> {
        let mut out: Vec<UnitResult> = map
            .into_iter()
            .map(|(code, counts)| {
                let rules: Vec<RuleResult> = light
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let (evaluated, failed) = counts.rules.get(i).copied().unwrap_or((0, 0));
                        let row_level = row_level[i];
                        RuleResult {
                            evaluated,
                            failed,
                            pass_rate: score::pass_rate(evaluated, failed),
                            // Dataset-level rules and rules that could not run say nothing about a unit.
                            status: if row_level {
                                RuleStatus::Pass
                            } else {
                                RuleStatus::Skipped
                            },
                            ..r.clone()
                        }
                    })
                    .collect();
                let scores = score::scores(
                    &rules,
                    pack.dimension_weights,
                    counts.rows,
                    counts.rows_failing_errors,
                );
                let (name, province) = if commune_level {
                    commune_names(&code)
                } else {
                    (province_name(&code), None)
                };
                // An indicator the dataset could not compute has no unit figures.
                let indicators = dataset_indicators
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| d.error.is_none())
                    .map(|(k, d)| {
                        let (denominator, numerator) =
                            counts.indicators.get(k).copied().unwrap_or((0, 0));
                        UnitIndicator {
                            id: d.id.clone(),
                            numerator,
                            denominator,
                            value: crate::indicators::share(numerator, denominator),
                        }
                    })
                    .collect();
                UnitResult {
                    code,
                    name,
                    province,
                    rows: counts.rows,
                    scores,
                    indicators,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            let key = |u: &UnitResult| u.scores.overall.unwrap_or(f64::INFINITY);
            key(a).total_cmp(&key(b)).then_with(|| a.code.cmp(&b.code))
        });
        out
    };
    (score_all(communes, true), score_all(provinces, false))
}

/// The province of a commune code: the post-reform list first, then the
/// pre-reform one (old exports still carry old codes).
fn province_of(code: &str) -> Option<String> {
    REFERENCE
        .communes_2025
        .get(code)
        .or_else(|| REFERENCE.communes_2024.get(code))
        .map(|u| u.province.clone())
}

fn commune_names(code: &str) -> (Option<String>, Option<String>) {
    match REFERENCE
        .communes_2025
        .get(code)
        .or_else(|| REFERENCE.communes_2024.get(code))
    {
        Some(u) => (Some(u.name.clone()), Some(u.province.clone())),
        None => (None, None),
    }
}

fn province_name(code: &str) -> Option<String> {
    REFERENCE
        .provinces_2025
        .get(code)
        .or_else(|| REFERENCE.provinces_2024.get(code))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::ReferenceTables;
    use proptest::prelude::*;

    const PACK: &str = r#"
[dataset]
name = "t"
sector = "test"
files = ["t.csv"]
unit_column = "u"

[columns]
a = "string"
u = "string"

[[rules]]
id = "E1"
check = "required"
column = "a"
dimension = "du"
message = "e1"

[[rules]]
id = "W1"
check = "required"
column = "a"
dimension = "du"
severity = "warn"
message = "w1"

[[rules]]
id = "E2"
check = "required"
column = "a"
dimension = "du"
message = "e2"
"#;

    /// A column of `verdicts` in chunks of `chunk` rows, so that the
    /// counting crosses array boundaries and sees null bitmaps.
    fn chunked(verdicts: &[Option<bool>], chunk: usize) -> BooleanChunked {
        let mut parts = verdicts.chunks(chunk.max(1));
        let mut all = BooleanChunked::from_iter_options(
            "m".into(),
            parts.next().unwrap_or(&[]).iter().copied(),
        );
        for part in parts {
            all.append(&BooleanChunked::from_iter_options(
                "m".into(),
                part.iter().copied(),
            ))
            .unwrap();
        }
        all
    }

    proptest! {
        /// Per-unit counts equal a row-by-row count, whatever the nulls,
        /// the chunking and the spaces around codes.
        #[test]
        fn counts_equal_a_row_by_row_count(
            rows in proptest::collection::vec(
                (proptest::option::of(prop_oneof![Just("01"), Just(" 01"), Just("02 "), Just("03")]),
                 proptest::collection::vec(proptest::option::of(any::<bool>()), 3)),
                0..60),
            chunk in 1usize..20,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let pack = crate::pack::parse_pack(
                &dir.path().join("t.toml"), PACK, dir.path(), &ReferenceTables::default()).unwrap();
            let units = StringChunked::from_iter_options(
                "u".into(), rows.iter().map(|(u, _)| u.map(str::to_string)));
            let masks: Vec<Option<BooleanChunked>> = (0..3)
                .map(|i| {
                    let verdicts: Vec<Option<bool>> = rows.iter().map(|(_, v)| v[i]).collect();
                    Some(chunked(&verdicts, chunk))
                })
                .collect();
            let indicator: Vec<Option<bool>> = rows.iter().map(|(_, v)| v[1]).collect();
            let got = unit_counts(&pack, &units, &masks, &[None, Some(chunked(&indicator, chunk + 1))])
                .unwrap();
            let mut want: BTreeMap<String, Counts> = BTreeMap::new();
            for (unit, verdicts) in &rows {
                let counts = want.entry(unit.unwrap_or(NO_UNIT).trim().to_string()).or_insert(Counts {
                    rules: vec![(0, 0); 3],
                    indicators: vec![(0, 0); 2],
                    ..Default::default()
                });
                counts.rows += 1;
                for (i, v) in verdicts.iter().enumerate() {
                    if let Some(failed) = v {
                        counts.rules[i].0 += 1;
                        counts.rules[i].1 += u64::from(*failed);
                    }
                }
                if let Some(counted) = verdicts[1] {
                    counts.indicators[1].0 += 1;
                    counts.indicators[1].1 += u64::from(counted);
                }
                // E1 and E2 are errors, W1 a warning.
                counts.rows_failing_errors +=
                    u64::from(verdicts[0] == Some(true) || verdicts[2] == Some(true));
            }
            prop_assert_eq!(got.0, want);
        }
    }
}
