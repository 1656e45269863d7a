//! Score formulas (documented with examples in `docs/scoring.md`).
//!
//! - rule pass rate = (evaluated − failed) / evaluated;
//! - dimension score = weight-averaged pass rate of its rules; rules with
//!   nothing evaluated or status `skipped` are left out, rules with status
//!   `error` count as 0; a dimension with no counted rule is `null`;
//! - structural rules (`PH…`: ragged rows, broken quoting, …) are not in that
//!   mean: the mean is multiplied by each of their pass rates, so a defect of
//!   the file's form lowers its dimension in proportion to the rows it hits
//!   and a clean file's scores are those of its content rules;
//! - overall = weight-averaged non-null dimension scores;
//! - record pass rate = rows failing no `error`-severity rule / rows.

use crate::model::{Dimension, is_structural_code};
use crate::results::{RuleResult, RuleStatus, Scores};

pub fn pass_rate(evaluated: u64, failed: u64) -> Option<f64> {
    (evaluated > 0).then(|| (evaluated - failed.min(evaluated)) as f64 / evaluated as f64)
}

/// The pass rate a rule contributes to its dimension, if it counts.
fn contribution(rule: &RuleResult) -> Option<f64> {
    match rule.status {
        RuleStatus::Error => Some(0.0),
        RuleStatus::Skipped => None,
        _ => rule.pass_rate,
    }
}

pub fn dimension_score(rules: &[RuleResult], dimension: Dimension) -> Option<f64> {
    let of_dimension = || rules.iter().filter(|r| r.dimension == dimension);
    let content = weighted_mean(
        of_dimension()
            .filter(|r| !is_structural_code(&r.code))
            .filter_map(|r| contribution(r).map(|p| (p, r.weight))),
    );
    let form: f64 = of_dimension()
        .filter(|r| is_structural_code(&r.code))
        .filter_map(contribution)
        .product();
    content.map(|c| c * form)
}

/// Mean of `(value, weight)` pairs; `None` when the total weight is 0.
pub fn weighted_mean(items: impl Iterator<Item = (f64, f64)>) -> Option<f64> {
    let (sum, total) = items.fold((0.0, 0.0), |(s, t), (v, w)| (s + v * w, t + w));
    (total > 0.0).then(|| (sum / total).clamp(0.0, 1.0))
}

pub fn scores(
    rules: &[RuleResult],
    dimension_weights: [f64; 4],
    rows: u64,
    rows_failing_errors: u64,
) -> Scores {
    let dims = Dimension::ALL.map(|d| dimension_score(rules, d));
    let overall = weighted_mean(
        dims.iter()
            .zip(dimension_weights)
            .filter_map(|(s, w)| s.map(|s| (s, w))),
    );
    Scores {
        dung: dims[0],
        du: dims[1],
        sach: dims[2],
        song: dims[3],
        overall,
        completeness: dims[1],
        consistency: dims[2],
        record_pass_rate: pass_rate(rows, rows_failing_errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;
    use proptest::prelude::*;

    fn rule(
        dimension: Dimension,
        evaluated: u64,
        failed: u64,
        weight: f64,
        status: RuleStatus,
    ) -> RuleResult {
        RuleResult {
            id: "r".into(),
            check: "required".into(),
            code: "DQ001".into(),
            dimension,
            severity: Severity::Error,
            columns: vec![],
            message: String::new(),
            message_en: None,
            weight,
            threshold: 1.0,
            evaluated,
            failed,
            pass_rate: pass_rate(evaluated, failed),
            status,
            error: None,
            details: vec![],
            examples: vec![],
        }
    }

    #[test]
    fn structural_rules_scale_their_dimension_and_never_raise_it() {
        let content = rule(Dimension::Dung, 100, 10, 1.0, RuleStatus::Fail); // 0.9
        let mut ragged = rule(Dimension::Dung, 100, 5, 1.0, RuleStatus::Fail); // 0.95
        ragged.code = "PH001".into();
        let mut clean_quotes = rule(Dimension::Dung, 100, 0, 1.0, RuleStatus::Pass);
        clean_quotes.code = "PH004".into();
        let alone = scores(std::slice::from_ref(&content), [1.0; 4], 100, 10);
        let with_form = scores(&[content, ragged.clone(), clean_quotes], [1.0; 4], 100, 10);
        assert_eq!(alone.dung, Some(0.9));
        assert!((with_form.dung.unwrap() - 0.9 * 0.95).abs() < 1e-12);
        // A dimension with no content rule stays unscored.
        let only_form = scores(&[ragged], [1.0; 4], 100, 5);
        assert_eq!(only_form.dung, None);
    }

    #[test]
    fn worked_example_from_the_docs() {
        let rules = vec![
            rule(Dimension::Du, 100, 10, 1.0, RuleStatus::Fail), // 0.9
            rule(Dimension::Du, 100, 0, 3.0, RuleStatus::Pass),  // 1.0, weight 3
            rule(Dimension::Dung, 50, 25, 1.0, RuleStatus::Fail), // 0.5
            rule(Dimension::Dung, 0, 0, 1.0, RuleStatus::Pass),  // nothing evaluated: left out
            rule(Dimension::Song, 0, 0, 1.0, RuleStatus::Error), // error: counts as 0
            rule(Dimension::Sach, 0, 0, 1.0, RuleStatus::Skipped),
        ];
        let s = scores(&rules, [1.0; 4], 100, 20);
        assert_eq!(s.du, Some(0.975));
        assert_eq!(s.dung, Some(0.5));
        assert_eq!(s.song, Some(0.0));
        assert_eq!(s.sach, None);
        assert_eq!(s.completeness, s.du);
        assert_eq!(s.consistency, None);
        assert!((s.overall.unwrap() - (0.975 + 0.5 + 0.0) / 3.0).abs() < 1e-12);
        assert_eq!(s.record_pass_rate, Some(0.8));
    }

    #[test]
    fn empty_dataset_has_no_scores() {
        let s = scores(&[], [1.0; 4], 0, 0);
        assert_eq!(s, Scores::default());
    }

    #[test]
    fn dimension_weights_apply_to_overall() {
        let rules = vec![
            rule(Dimension::Dung, 10, 0, 1.0, RuleStatus::Pass),
            rule(Dimension::Du, 10, 10, 1.0, RuleStatus::Fail),
        ];
        let s = scores(&rules, [3.0, 1.0, 1.0, 1.0], 10, 10);
        assert_eq!(s.overall, Some(0.75));
    }

    proptest! {
        #[test]
        fn pass_rate_is_a_share(evaluated in 0u64..1_000_000, failed in 0u64..1_000_000) {
            let failed = failed.min(evaluated);
            match pass_rate(evaluated, failed) {
                None => prop_assert_eq!(evaluated, 0),
                Some(p) => {
                    prop_assert!((0.0..=1.0).contains(&p));
                    prop_assert_eq!(p == 1.0, failed == 0);
                    prop_assert_eq!(p == 0.0, failed == evaluated);
                }
            }
        }

        #[test]
        fn dimension_score_lies_between_its_rules(
            rates in proptest::collection::vec((0u64..1000, 1u64..1000, 0.0f64..5.0), 1..20)
        ) {
            let rules: Vec<_> = rates
                .iter()
                .map(|(f, e, w)| rule(Dimension::Dung, *e, (*f).min(*e), *w, RuleStatus::Pass))
                .collect();
            let passes: Vec<f64> = rules.iter().map(|r| r.pass_rate.unwrap()).collect();
            let lo = passes.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = passes.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            match dimension_score(&rules, Dimension::Dung) {
                None => prop_assert!(rules.iter().all(|r| r.weight == 0.0)),
                Some(s) => prop_assert!(s >= lo - 1e-9 && s <= hi + 1e-9),
            }
        }

        #[test]
        fn failing_more_never_raises_the_score(evaluated in 1u64..1000, failed in 0u64..1000, extra in 1u64..100) {
            let failed = failed.min(evaluated);
            let worse = (failed + extra).min(evaluated);
            let a = scores(&[rule(Dimension::Sach, evaluated, failed, 1.0, RuleStatus::Pass)], [1.0; 4], evaluated, failed);
            let b = scores(&[rule(Dimension::Sach, evaluated, worse, 1.0, RuleStatus::Pass)], [1.0; 4], evaluated, worse);
            prop_assert!(b.overall.unwrap() <= a.overall.unwrap());
            prop_assert!(b.record_pass_rate.unwrap() <= a.record_pass_rate.unwrap());
        }
    }
}
