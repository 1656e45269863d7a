//! `ddss trend`: per dataset, the score series over stored runs and the
//! change since the previous run — split, when the rule packs changed, into
//! the part due to the data and the part due to the rules.
//!
//! The data part re-scores both runs on the rules they share (same id, check,
//! dimension and weight): what the score would have moved had the rules not
//! changed. The rules part is the rest of the change.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::summary::percent_vi;
use crate::results::{DatasetResult, RuleResult, RunResults};
use crate::score;

#[derive(Debug, Clone, Serialize)]
pub struct DatasetTrend {
    pub dataset: String,
    /// (as-of date, generated at, overall) per run, oldest first.
    pub series: Vec<(String, String, Option<f64>)>,
    pub change: Option<f64>,
    pub rules_changed: bool,
    /// Change due to the data (on the shared rules) and due to the rules.
    pub due_to_data: Option<f64>,
    pub due_to_rules: Option<f64>,
    /// The pack's indicators over the same runs (absent where a run did
    /// not have the indicator).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<IndicatorTrend>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorTrend {
    pub id: String,
    pub name: String,
    /// The value per run of the dataset's series, oldest first.
    pub series: Vec<Option<f64>>,
    /// Since the previous run that had the indicator.
    pub change: Option<f64>,
}

/// Each indicator of the latest run, over the runs of the series.
fn indicator_trends(points: &[(&RunResults, &DatasetResult)]) -> Vec<IndicatorTrend> {
    let Some((_, latest)) = points.last() else {
        return vec![];
    };
    latest
        .indicators
        .iter()
        .map(|i| {
            let series: Vec<Option<f64>> = points
                .iter()
                .map(|(_, d)| {
                    d.indicators
                        .iter()
                        .find(|x| x.id == i.id)
                        .and_then(|x| x.value)
                })
                .collect();
            let known: Vec<f64> = series.iter().flatten().copied().collect();
            let change = match known.as_slice() {
                [.., prev, cur] if series.last().is_some_and(Option::is_some) => Some(cur - prev),
                _ => None,
            };
            IndicatorTrend {
                id: i.id.clone(),
                name: i.name.clone(),
                series,
                change,
            }
        })
        .collect()
}

fn shared_rules<'a>(
    prev: &'a DatasetResult,
    cur: &'a DatasetResult,
) -> (Vec<RuleResult>, Vec<RuleResult>) {
    let same = |a: &RuleResult, b: &RuleResult| {
        a.id == b.id && a.check == b.check && a.dimension == b.dimension && a.weight == b.weight
    };
    let p: Vec<RuleResult> = prev
        .rules
        .iter()
        .filter(|r| cur.rules.iter().any(|c| same(r, c)))
        .cloned()
        .collect();
    let c: Vec<RuleResult> = cur
        .rules
        .iter()
        .filter(|r| prev.rules.iter().any(|q| same(r, q)))
        .cloned()
        .collect();
    (p, c)
}

pub fn trends(runs: &[RunResults]) -> Vec<DatasetTrend> {
    let mut by_dataset: BTreeMap<String, Vec<(&RunResults, &DatasetResult)>> = BTreeMap::new();
    for run in runs {
        for d in &run.datasets {
            by_dataset.entry(d.name.clone()).or_default().push((run, d));
        }
    }
    by_dataset
        .into_iter()
        .map(|(dataset, points)| {
            let series = points
                .iter()
                .map(|(r, d)| (r.as_of.clone(), r.generated_at.clone(), d.scores.overall))
                .collect();
            let last_two =
                (points.len() >= 2).then(|| (points[points.len() - 2], points[points.len() - 1]));
            let (mut change, mut rules_changed, mut due_to_data, mut due_to_rules) =
                (None, false, None, None);
            if let Some(((prev_run, prev), (cur_run, cur))) = last_two {
                change = cur
                    .scores
                    .overall
                    .zip(prev.scores.overall)
                    .map(|(c, p)| c - p);
                rules_changed = prev_run.rule_packs.hash != cur_run.rule_packs.hash;
                if rules_changed {
                    let (p, c) = shared_rules(prev, cur);
                    let weights = [1.0; 4];
                    let overall = |rules: &[RuleResult], d: &DatasetResult| {
                        score::scores(rules, weights, d.rows, 0).overall
                    };
                    due_to_data = overall(&c, cur).zip(overall(&p, prev)).map(|(c, p)| c - p);
                    due_to_rules = change.zip(due_to_data).map(|(t, d)| t - d);
                } else {
                    due_to_data = change;
                    due_to_rules = Some(0.0);
                }
            }
            DatasetTrend {
                dataset,
                series,
                change,
                rules_changed,
                due_to_data,
                due_to_rules,
                indicators: indicator_trends(&points),
            }
        })
        .collect()
}

/// `+1,2 điểm` style change in percentage points.
pub fn points_vi(change: Option<f64>) -> String {
    match change {
        None => "—".into(),
        Some(c) => {
            format!("{}{:.1} điểm", if c >= 0.0 { "+" } else { "" }, c * 100.0).replace('.', ",")
        }
    }
}

const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

fn sparkline(series: &[(String, String, Option<f64>)]) -> String {
    spark_values(series.iter().map(|(_, _, v)| *v))
}

fn spark_values(values: impl Iterator<Item = Option<f64>>) -> String {
    values
        .map(|v| match v {
            None => ' ',
            Some(v) => SPARKS[((v.clamp(0.0, 1.0) * 7.0).round()) as usize],
        })
        .collect()
}

pub fn render(trends: &[DatasetTrend], markdown: bool) -> String {
    let mut s = String::new();
    if markdown {
        let _ = writeln!(
            s,
            "| Bộ dữ liệu | Lần chạy | Xu hướng | Tổng hợp | Thay đổi | Do dữ liệu | Do bộ quy tắc |"
        );
        let _ = writeln!(s, "|---|---:|---|---:|---:|---:|---:|");
    }
    for t in trends {
        let last = t.series.last().and_then(|(_, _, v)| *v);
        let rules_note = if t.rules_changed {
            points_vi(t.due_to_rules)
        } else {
            "không đổi".into()
        };
        if markdown {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} |",
                t.dataset,
                t.series.len(),
                sparkline(&t.series),
                percent_vi(last),
                points_vi(t.change),
                points_vi(t.due_to_data),
                rules_note
            );
        } else {
            let _ = writeln!(
                s,
                "{:<24} {:>3} lần  {}  {:>7}  thay đổi {} (dữ liệu {}, bộ quy tắc {})",
                t.dataset,
                t.series.len(),
                sparkline(&t.series),
                percent_vi(last),
                points_vi(t.change),
                points_vi(t.due_to_data),
                rules_note
            );
        }
        for i in &t.indicators {
            let last = i.series.last().copied().flatten();
            let line = format!(
                "{} · {} {}",
                i.id,
                i.name,
                spark_values(i.series.iter().copied())
            );
            if markdown {
                let _ = writeln!(
                    s,
                    "| ↳ {line} | {} | | {} | {} | | |",
                    i.series.len(),
                    percent_vi(last),
                    points_vi(i.change)
                );
            } else {
                let _ = writeln!(
                    s,
                    "  ↳ {line}  {:>7}  thay đổi {}",
                    percent_vi(last),
                    points_vi(i.change)
                );
            }
        }
    }
    if trends.iter().any(|t| t.rules_changed) && !markdown {
        let _ = writeln!(
            s,
            "\nBộ quy tắc đã thay đổi giữa hai lần chạy gần nhất: phần \"dữ liệu\" tính lại trên các quy tắc chung của hai lần."
        );
    }
    s
}
