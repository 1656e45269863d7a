//! Fair comparison of administrative units of very different sizes: funnel
//! plot control limits and confidence bounds for league tables.
//!
//! A commune with one row scores 0 % or 100 % by chance alone; ranked by its
//! raw score it tops or tails every league table. The accepted remedy for
//! comparing institutions (Spiegelhalter, "Funnel plots for comparing
//! institutional performance", Statistics in Medicine 24:1185–1202, 2005)
//! plots each unit's rate against its volume with control limits around the
//! overall rate: limits that a unit of that size stays within 95 % (and
//! 99.8 %) of the time if it performs like the whole. A unit outside the
//! 99.8 % limits differs by more than chance. League tables then rank only
//! units with enough rows, by the bound of their rate that chance cannot
//! explain away (the optimistic end of its Wilson interval), so a small
//! unit is ranked last only when even its best plausible rate is worst.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use statrs::distribution::{Binomial, DiscreteCDF};

/// Where a unit's rate falls against the funnel's limits at its volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// Below the lower 99.8 % limit: worse than chance explains.
    Below998,
    Below95,
    Within,
    Above95,
    /// Above the upper 99.8 % limit.
    Above998,
}

impl Position {
    pub fn outside_998(self) -> bool {
        matches!(self, Position::Below998 | Position::Above998)
    }
}

/// Control limits of a rate at one volume.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub lower998: f64,
    pub lower95: f64,
    pub upper95: f64,
    pub upper998: f64,
}

/// The two-sided coverages drawn: 95 % and 99.8 % (about 2 and 3 standard
/// deviations, the "warning" and "alarm" lines).
const WARNING: f64 = 0.95;
const ALARM: f64 = 0.998;

/// The `prob` quantile of the rate `r/n` for `r ~ Binomial(n, p)`,
/// interpolated between counts as Spiegelhalter (2005, appendix A.1.1)
/// does so the limits are smooth in `n`.
fn binomial_quantile(binomial: &Binomial, n: u64, prob: f64) -> f64 {
    // Smallest r with P(R ≤ r) ≥ prob, by bisection on the exact CDF.
    let (mut lo, mut hi) = (0u64, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if binomial.cdf(mid) >= prob {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let r = lo;
    let at = binomial.cdf(r);
    let below = if r == 0 { 0.0 } else { binomial.cdf(r - 1) };
    let alpha = if at > below {
        (at - prob) / (at - below)
    } else {
        0.0
    };
    ((r as f64 - alpha) / n as f64).clamp(0.0, 1.0)
}

/// The 95 % and 99.8 % limits around `overall` for a unit of `n` rows.
pub fn limits(overall: f64, n: u64) -> Limits {
    let p = overall.clamp(0.0, 1.0);
    let flat = Limits {
        lower998: p,
        lower95: p,
        upper95: p,
        upper998: p,
    };
    if n == 0 || p == 0.0 || p == 1.0 {
        return flat;
    }
    let Ok(binomial) = Binomial::new(p, n) else {
        return flat;
    };
    let q = |coverage: f64, upper: bool| {
        let tail = (1.0 - coverage) / 2.0;
        binomial_quantile(&binomial, n, if upper { 1.0 - tail } else { tail })
    };
    Limits {
        lower998: q(ALARM, false),
        lower95: q(WARNING, false),
        upper95: q(WARNING, true),
        upper998: q(ALARM, true),
    }
}

/// Limits computed once per volume: units share few distinct sizes.
#[derive(Debug)]
pub struct Funnel {
    pub overall: f64,
    cache: HashMap<u64, Limits>,
}

impl Funnel {
    pub fn new(overall: f64) -> Funnel {
        Funnel {
            overall,
            cache: HashMap::new(),
        }
    }

    pub fn limits(&mut self, n: u64) -> Limits {
        let overall = self.overall;
        *self.cache.entry(n).or_insert_with(|| limits(overall, n))
    }

    /// The unit's position by the exact binomial tail of its count (its rate
    /// times `n`, rounded): below the 99.8 % limit when a unit of `n` rows
    /// performing like the whole would do this badly less than 0.1 % of the
    /// time. Exact tails, not the interpolated curve, decide: at one or two
    /// rows the interpolation dips below the attainable counts.
    pub fn position(&mut self, rate: f64, n: u64) -> Position {
        let p = self.overall.clamp(0.0, 1.0);
        if n == 0 {
            return Position::Within;
        }
        let k = (rate.clamp(0.0, 1.0) * n as f64).round() as u64;
        let (at_most, at_least) = match Binomial::new(p, n) {
            Ok(b) => (b.cdf(k), if k == 0 { 1.0 } else { b.sf(k - 1) }),
            Err(_) => return Position::Within,
        };
        let tail = |coverage: f64| (1.0 - coverage) / 2.0;
        if at_most < tail(ALARM) {
            Position::Below998
        } else if at_most < tail(WARNING) {
            Position::Below95
        } else if at_least < tail(ALARM) {
            Position::Above998
        } else if at_least < tail(WARNING) {
            Position::Above95
        } else {
            Position::Within
        }
    }
}

/// Wilson score interval of a rate over `n` rows at normal quantile `z`
/// (1.96 for 95 %): `(lower, upper)`; `(0, 1)` for no rows.
pub fn wilson(rate: f64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let p = rate.clamp(0.0, 1.0);
    let n = n as f64;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The normal quantile of a 95 % two-sided interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// How league tables rank units, from the pack's `[scoring]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LeagueRule {
    /// Units with fewer rows (or, for an indicator, a smaller denominator)
    /// are shown in the funnel plot but not ranked.
    pub min_rows: u64,
}

impl Default for LeagueRule {
    fn default() -> Self {
        LeagueRule {
            min_rows: DEFAULT_MIN_ROWS,
        }
    }
}

/// Default of `[scoring] league_min_rows`.
pub const DEFAULT_MIN_ROWS: u64 = 20;

/// One unit to rank: its rate (None = not measured) and volume.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub rate: Option<f64>,
    pub n: u64,
}

/// Units in league order, worst first — `higher_is_better` says which way
/// the rate improves — with the units too small to rank after them:
/// `(ranked, unranked)` as indices into `entries`. Ranked units are
/// ordered by the optimistic end of their 95 % Wilson interval (the upper
/// bound when higher is better), then by rate, then by input order.
pub fn league(
    entries: &[Entry],
    higher_is_better: bool,
    rule: LeagueRule,
) -> (Vec<usize>, Vec<usize>) {
    let (mut ranked, unranked): (Vec<usize>, Vec<usize>) = (0..entries.len())
        .filter(|i| entries[*i].rate.is_some())
        .partition(|i| entries[*i].n >= rule.min_rows.max(1));
    let key = |i: usize| {
        let e = entries[i];
        let rate = e.rate.unwrap_or(0.0);
        let (lo, hi) = wilson(rate, e.n, Z95);
        if higher_is_better {
            (hi, rate)
        } else {
            // Worst first: the highest optimistic (lowest) bound first.
            (-lo, -rate)
        }
    };
    ranked.sort_by(|a, b| {
        let (x, y) = (key(*a), key(*b));
        x.0.total_cmp(&y.0).then(x.1.total_cmp(&y.1)).then(a.cmp(b))
    });
    (ranked, unranked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn limits_approach_the_normal_ones_for_large_units() {
        // p = 0.9, n = 10 000: 0.9 ± 1.96·0.003 and ± 3.09·0.003.
        let l = limits(0.9, 10_000);
        assert!(close(l.lower95, 0.9 - 1.96 * 0.003, 0.0005), "{l:?}");
        assert!(close(l.upper95, 0.9 + 1.96 * 0.003, 0.0005), "{l:?}");
        assert!(close(l.lower998, 0.9 - 3.09 * 0.003, 0.0005), "{l:?}");
        assert!(close(l.upper998, 0.9 + 3.09 * 0.003, 0.0005), "{l:?}");
    }

    #[test]
    fn a_single_row_cannot_leave_the_limits_of_a_typical_rate() {
        let mut f = Funnel::new(0.9);
        // One row failing: 0 %, yet a 10 % chance for any unit of one row.
        assert_eq!(f.position(0.0, 1), Position::Within);
        assert_eq!(f.position(1.0, 1), Position::Within);
        // 50 % of 400 rows is far below 90 %.
        assert_eq!(f.position(0.5, 400), Position::Below998);
        assert_eq!(f.position(0.9, 400), Position::Within);
        assert_eq!(f.position(0.99, 400), Position::Above998);
    }

    #[test]
    fn flat_limits_when_every_row_passes_or_fails() {
        let l = limits(1.0, 50);
        assert_eq!((l.lower998, l.upper998), (1.0, 1.0));
        let mut f = Funnel::new(1.0);
        assert_eq!(f.position(0.98, 50), Position::Below998);
    }

    #[test]
    fn wilson_bounds_of_known_cases() {
        let (lo, hi) = wilson(0.5, 100, Z95);
        assert!(
            close(lo, 0.4038, 0.0005) && close(hi, 0.5962, 0.0005),
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(0.0, 1, Z95);
        assert_eq!(lo, 0.0);
        assert!(close(hi, 0.7935, 0.0005), "{hi}");
    }

    #[test]
    fn small_units_are_not_ranked_and_bounds_order_the_rest() {
        let entries = [
            Entry {
                rate: Some(0.0),
                n: 1,
            }, // one failing row
            Entry {
                rate: Some(0.80),
                n: 5_000,
            }, // large and clearly low
            Entry {
                rate: Some(0.78),
                n: 25,
            }, // small: could well be 0.9
            Entry { rate: None, n: 0 },
            Entry {
                rate: Some(0.95),
                n: 300,
            },
        ];
        let (ranked, unranked) = league(&entries, true, LeagueRule { min_rows: 20 });
        assert_eq!(unranked, vec![0]);
        assert_eq!(ranked, vec![1, 2, 4]);
        // Lower is better (a late-dossier share): the large late unit first.
        let late = [
            Entry {
                rate: Some(0.30),
                n: 2_000,
            },
            Entry {
                rate: Some(0.40),
                n: 20,
            },
            Entry {
                rate: Some(0.05),
                n: 500,
            },
        ];
        let (ranked, _) = league(&late, false, LeagueRule { min_rows: 20 });
        assert_eq!(ranked, vec![0, 1, 2]);
    }

    proptest! {
        #[test]
        fn limits_are_nested_around_the_rate_and_narrow_with_volume(p in 0.01f64..0.99, n in 1u64..20_000) {
            let l = limits(p, n);
            prop_assert!(0.0 <= l.lower998 && l.lower998 <= l.lower95);
            prop_assert!(l.lower95 <= p + 1e-9 && p <= l.upper95 + 1e-9);
            prop_assert!(l.upper95 <= l.upper998 && l.upper998 <= 1.0);
            let wide = limits(p, n);
            let narrow = limits(p, n * 16);
            prop_assert!(narrow.upper998 - narrow.lower998 <= wide.upper998 - wide.lower998 + 1e-9);
        }

        #[test]
        fn wilson_contains_the_rate(p in 0.0f64..=1.0, n in 1u64..100_000) {
            let (lo, hi) = wilson(p, n, Z95);
            prop_assert!(lo <= p + 1e-12 && p <= hi + 1e-12);
        }
    }
}
