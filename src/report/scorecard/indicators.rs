//! The scorecard's indicators section: each dataset's indicators with their
//! value, count, target, traffic light and source, then a league table per
//! indicator over the communes (worst first in the indicator's direction).

use std::fmt::Write;

use html_escape::encode_text as esc;

use super::funnel;
use super::light::Light;
use super::locale::Locale;
use super::{UNITS_SHOWN, more_units};
use crate::indicators::{Direction, IndicatorResult};
use crate::ranking::{Entry, LeagueRule};
use crate::results::RunResults;

/// The light of an indicator against its target, whichever way it improves:
/// a lower-is-better share is judged as its complement.
pub fn light(value: Option<f64>, target: Option<f64>, direction: Direction) -> Light {
    match direction {
        Direction::Higher => Light::of(value, target),
        Direction::Lower => Light::of(value.map(|v| 1.0 - v), target.map(|t| 1.0 - t)),
    }
}

fn lit(t: &Locale, i: &IndicatorResult, value: Option<f64>) -> String {
    let light = light(value, i.target, i.direction);
    let word = match light {
        Light::Green => t.met(),
        Light::Amber => t.near(),
        Light::Red => t.missed(),
        Light::None => t.no_target(),
    };
    format!(
        r#"<span class="score"><span class="light {class}" aria-label="{word}"></span>{value}</span>"#,
        class = light.class(),
        value = t.percent(value),
    )
}

fn target_text(t: &Locale, i: &IndicatorResult) -> String {
    let (sign, way) = match i.direction {
        Direction::Higher => ("≥", t.higher_better()),
        Direction::Lower => ("≤", t.lower_better()),
    };
    match i.target {
        Some(target) => format!("{sign} {} ({way})", t.percent(Some(target))),
        None => format!("— ({way})"),
    }
}

pub fn section(page: &mut String, results: &RunResults, t: &Locale) {
    if results.datasets.iter().all(|d| d.indicators.is_empty()) {
        return;
    }
    let _ = writeln!(
        page,
        r#"<section id="indicators"><h2>{}</h2>"#,
        t.indicators()
    );
    let _ = write!(
        page,
        "<table class=\"rules\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t.dataset(),
        t.indicator(),
        t.value(),
        t.counted(),
        t.target(),
        t.source(),
    );
    for d in &results.datasets {
        for i in &d.indicators {
            let value = match &i.error {
                Some(e) => format!("{} — {}", t.not_computed(), esc(e)),
                None => lit(t, i, i.value),
            };
            let _ = writeln!(
                page,
                "<tr><td>{}</td><td>{} <span class=\"small\">{}</span></td><td>{value}</td><td class=\"num\">{}/{}</td><td>{}</td><td class=\"small\">{}</td></tr>",
                esc(&d.name),
                esc(&i.name),
                esc(&i.id),
                t.integer(i.numerator),
                t.integer(i.denominator),
                esc(&target_text(t, i)),
                esc(&i.source),
            );
        }
    }
    page.push_str("</tbody></table>\n");

    for d in &results.datasets {
        let mut headed = false;
        for i in &d.indicators {
            let units: Vec<(
                &crate::results::UnitResult,
                &crate::indicators::UnitIndicator,
            )> = d
                .units
                .iter()
                .filter_map(|u| {
                    let mine = u.indicators.iter().find(|x| x.id == i.id)?;
                    (mine.denominator > 0 && mine.value.is_some()).then_some((u, mine))
                })
                .collect();
            let (Some(overall), false) = (i.value, units.is_empty()) else {
                continue;
            };
            if !headed {
                let _ = writeln!(page, "<h3>{} — {}</h3>", t.indicator_league(), esc(&d.name));
                headed = true;
            }
            let _ = writeln!(
                page,
                "<h4>{} <span class=\"small\">{}</span></h4>",
                esc(&i.name),
                esc(&i.id)
            );
            let higher = i.direction == Direction::Higher;
            let points: Vec<funnel::Point> = units
                .iter()
                .map(|(u, mine)| funnel::Point {
                    code: &u.code,
                    name: u.name.as_deref(),
                    rate: mine.value.unwrap_or(0.0),
                    n: mine.denominator,
                })
                .collect();
            let positions =
                funnel::section(page, &points, overall, higher, &i.name, t, UNITS_SHOWN);
            let entries: Vec<Entry> = points
                .iter()
                .map(|p| Entry {
                    rate: Some(p.rate),
                    n: p.n,
                })
                .collect();
            let (order, note) = funnel::ranked(
                &entries,
                higher,
                LeagueRule {
                    min_rows: d.league_min_rows,
                },
                t,
            );
            if let Some(note) = note {
                let _ = writeln!(page, "<p class=\"small\">{note}</p>");
            }
            if order.is_empty() {
                continue;
            }
            let _ = write!(
                page,
                "<table class=\"league\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
                t.rank(),
                t.code(),
                t.unit(),
                t.province(),
                t.counted(),
                t.value(),
                t.funnel_column(),
            );
            for (rank, at) in order.iter().take(UNITS_SHOWN).enumerate() {
                let (u, mine) = units[*at];
                let _ = writeln!(
                    page,
                    "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}/{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                    rank + 1,
                    esc(&u.code),
                    esc(u.name.as_deref().unwrap_or("—")),
                    esc(u.province.as_deref().unwrap_or("—")),
                    t.integer(mine.numerator),
                    t.integer(mine.denominator),
                    lit(t, i, mine.value),
                    funnel::marker(positions[*at], higher, t),
                );
            }
            page.push_str("</tbody></table>\n");
            more_units(page, t, order.len());
        }
    }
    page.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lower_is_better_share_is_lit_by_its_complement() {
        assert_eq!(
            light(Some(0.04), Some(0.05), Direction::Lower),
            Light::Green
        );
        assert_eq!(
            light(Some(0.07), Some(0.05), Direction::Lower),
            Light::Amber
        );
        assert_eq!(light(Some(0.30), Some(0.05), Direction::Lower), Light::Red);
        assert_eq!(
            light(Some(0.85), Some(0.80), Direction::Higher),
            Light::Green
        );
        assert_eq!(light(Some(0.50), Some(0.80), Direction::Higher), Light::Red);
        assert_eq!(light(None, Some(0.80), Direction::Higher), Light::None);
        assert_eq!(light(Some(0.5), None, Direction::Lower), Light::None);
    }
}
