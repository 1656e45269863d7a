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
pub fn unit_counts(
    pack: &RulePack,
    unit_text: &StringChunked,
    masks: &[Option<BooleanChunked>],
    indicators: &[Option<BooleanChunked>],
) -> PolarsResult<UnitCounts> {
    let mut columns = vec![unit_text.clone().with_name("unit".into()).into_column()];
    let mut error_any: Option<BooleanChunked> = None;
    for (i, mask) in masks.iter().enumerate() {
        let Some(mask) = mask else { continue };
        columns.push(mask.clone().with_name(format!("r{i}").into()).into_column());
        if pack.rules[i].severity == Severity::Error {
            let m = mask.fill_null_with_values(false)?;
            error_any = Some(match error_any {
                None => m,
                Some(acc) => &acc | &m,
            });
        }
    }
    let height = unit_text.len();
    columns.push(
        error_any
            .unwrap_or_else(|| BooleanChunked::full("err".into(), false, height))
            .with_name("err".into())
            .into_column(),
    );
    let mut frame = DataFrame::new(height, columns)?;
    let mut aggs = vec![len().alias("rows"), col("err").sum().alias("err")];
    for (i, mask) in masks.iter().enumerate() {
        if mask.is_some() {
            aggs.push(col(format!("r{i}")).count().alias(format!("e{i}")));
            aggs.push(col(format!("r{i}")).sum().alias(format!("f{i}")));
        }
    }
    for (k, mask) in indicators.iter().enumerate() {
        if let Some(mask) = mask {
            frame.with_column(mask.clone().with_name(format!("i{k}").into()).into_column())?;
            aggs.push(col(format!("i{k}")).count().alias(format!("d{k}")));
            aggs.push(col(format!("i{k}")).sum().alias(format!("n{k}")));
        }
    }
    let grouped = frame.lazy().group_by([col("unit")]).agg(aggs).collect()?;

    // Each count column once, as numbers (not one look-up per cell).
    let numbers = |name: &str| -> PolarsResult<Vec<u64>> {
        let column = grouped.column(name)?.cast(&DataType::UInt64)?;
        Ok(column.u64()?.iter().map(|v| v.unwrap_or(0)).collect())
    };
    let rows = numbers("rows")?;
    let errors = numbers("err")?;
    let per_rule: Vec<Option<(Vec<u64>, Vec<u64>)>> = masks
        .iter()
        .enumerate()
        .map(|(i, mask)| match mask {
            Some(_) => Ok(Some((
                numbers(&format!("e{i}"))?,
                numbers(&format!("f{i}"))?,
            ))),
            None => Ok(None),
        })
        .collect::<PolarsResult<_>>()?;
    let per_indicator: Vec<Option<(Vec<u64>, Vec<u64>)>> = indicators
        .iter()
        .enumerate()
        .map(|(k, mask)| match mask {
            Some(_) => Ok(Some((
                numbers(&format!("d{k}"))?,
                numbers(&format!("n{k}"))?,
            ))),
            None => Ok(None),
        })
        .collect::<PolarsResult<_>>()?;
    let units = grouped.column("unit")?.str()?.clone();
    let mut communes: BTreeMap<String, Counts> = BTreeMap::new();
    for (row, code) in units.iter().enumerate() {
        let code = code.unwrap_or(NO_UNIT).trim();
        let counts = match communes.get_mut(code) {
            Some(counts) => counts,
            None => communes.entry(code.to_string()).or_insert_with(|| Counts {
                rules: vec![(0, 0); masks.len()],
                indicators: vec![(0, 0); indicators.len()],
                ..Default::default()
            }),
        };
        counts.rows += rows[row];
        counts.rows_failing_errors += errors[row];
        for (i, counted) in per_rule.iter().enumerate() {
            if let Some((evaluated, failed)) = counted {
                counts.rules[i].0 += evaluated[row];
                counts.rules[i].1 += failed[row];
            }
        }
        for (k, counted) in per_indicator.iter().enumerate() {
            if let Some((denominator, numerator)) = counted {
                counts.indicators[k].0 += denominator[row];
                counts.indicators[k].1 += numerator[row];
            }
        }
    }

    Ok(UnitCounts(communes))
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
