//! The scorecard's indicators section: each dataset's indicators with their
//! value, count, target, traffic light and source, then a league table per
//! indicator over the communes (worst first in the indicator's direction).

use std::fmt::Write;

use html_escape::encode_text as esc;

use super::light::Light;
use super::locale::Locale;
use super::{UNITS_SHOWN, more_units};
use crate::indicators::{Direction, IndicatorResult};
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
        for (k, i) in d.indicators.iter().enumerate() {
            let mut units: Vec<(&crate::results::UnitResult, Option<f64>)> = d
                .units
                .iter()
                .filter_map(|u| {
                    let mine = u.indicators.iter().find(|x| x.id == i.id)?;
                    (mine.denominator > 0).then_some((u, mine.value))
                })
                .collect();
            if units.is_empty() {
                continue;
            }
            // Worst first in the indicator's direction; ties by code.
            units.sort_by(|a, b| {
                let (x, y) = (a.1.unwrap_or(0.0), b.1.unwrap_or(0.0));
                let order = match i.direction {
                    Direction::Higher => x.total_cmp(&y),
                    Direction::Lower => y.total_cmp(&x),
                };
                order.then_with(|| a.0.code.cmp(&b.0.code))
            });
            if k == 0 {
                let _ = writeln!(page, "<h3>{} — {}</h3>", t.indicator_league(), esc(&d.name));
            }
            let _ = write!(
                page,
                "<h4>{} <span class=\"small\">{}</span></h4><table class=\"league\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
                esc(&i.name),
                esc(&i.id),
                t.rank(),
                t.code(),
                t.unit(),
                t.province(),
                t.counted(),
                t.value(),
            );
            for (rank, (u, value)) in units.iter().take(UNITS_SHOWN).enumerate() {
                let mine = u.indicators.iter().find(|x| x.id == i.id);
                let (n, den) = mine.map_or((0, 0), |m| (m.numerator, m.denominator));
                let _ = writeln!(
                    page,
                    "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}/{}</td><td class=\"num\">{}</td></tr>",
                    rank + 1,
                    esc(&u.code),
                    esc(u.name.as_deref().unwrap_or("—")),
                    esc(u.province.as_deref().unwrap_or("—")),
                    t.integer(n),
                    t.integer(den),
                    lit(t, i, *value),
                );
            }
            page.push_str("</tbody></table>\n");
            more_units(page, t, units.len());
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
