//! Funnel plots and fair league tables: each unit's rate against its volume
//! (rows, or an indicator's denominator) on a log axis, with the 95 % and
//! 99.8 % control limits around the overall rate (`crate::ranking`), units
//! outside them marked and named; then the league table of the units large
//! enough to rank, ordered by their confidence bound (docs/scoring.md).
//! Inline SVG, no script: the page opens offline and prints as vectors.

use std::fmt::Write;

use html_escape::encode_text as esc;

use super::locale::Locale;
use crate::ranking::{Entry, Funnel, LeagueRule, Position, league};

/// One unit on the plot.
pub struct Point<'a> {
    pub code: &'a str,
    pub name: Option<&'a str>,
    pub rate: f64,
    pub n: u64,
}

/// At most this many dots for the units within the limits (units sharing a
/// pixel share a dot; every unit outside the limits is always drawn): a
/// page of 10,000 dots helps no one and weighs megabytes.
const DRAWN_WITHIN: usize = 1_500;
const W: f64 = 560.0;
const H: f64 = 300.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 40.0;

/// What the plot found: each point's position, by index.
pub struct Plotted {
    pub svg: String,
    pub positions: Vec<Position>,
}

/// Whether a position is on the bad side of the limits, and how far.
pub fn worse(position: Position, higher_is_better: bool) -> Option<bool> {
    let (alarm, warning) = if higher_is_better {
        (Position::Below998, Position::Below95)
    } else {
        (Position::Above998, Position::Above95)
    };
    if position == alarm {
        Some(true)
    } else if position == warning {
        Some(false)
    } else {
        None
    }
}

fn colour(position: Position, higher_is_better: bool) -> &'static str {
    match (worse(position, higher_is_better), position) {
        (Some(true), _) => "#c62828",
        (Some(false), _) => "#e0a100",
        (None, Position::Within) => "#7d8a97",
        (None, _) => "#2e8b57",
    }
}

/// The plot of `points` around `overall`; `label` names the rate (y axis).
pub fn plot(
    points: &[Point],
    overall: f64,
    higher_is_better: bool,
    label: &str,
    t: &Locale,
) -> Plotted {
    let mut funnel = Funnel::new(overall);
    let positions: Vec<Position> = points
        .iter()
        .map(|p| funnel.position(p.rate, p.n))
        .collect();
    let max_n = points.iter().map(|p| p.n).max().unwrap_or(1).max(10);
    let decades = (max_n as f64).log10().ceil().max(1.0);
    let x = |n: f64| LEFT + (W - LEFT - RIGHT) * n.max(1.0).log10() / decades;
    let y = |r: f64| TOP + (H - TOP - BOTTOM) * (1.0 - r.clamp(0.0, 1.0));
    let mut svg = format!(
        r#"<svg class="funnel" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img" aria-label="{title}"><title>{title}</title>"#,
        title = html_escape::encode_double_quoted_attribute(&format!("{} — {label}", t.funnel()))
    );
    // Axes and grid: every 20 % and every power of ten.
    for k in 0..=5 {
        let r = k as f64 / 5.0;
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" y1="{yy:.1}" x2="{x2}" y2="{yy:.1}" stroke="#e3e8ee"/><text x="{tx}" y="{ty:.1}" font-size="10" text-anchor="end" fill="#5b6b7c">{pct}</text>"##,
            yy = y(r),
            x2 = W - RIGHT,
            tx = LEFT - 4.0,
            ty = y(r) + 3.0,
            pct = t.percent(Some(r)),
        );
    }
    for d in 0..=decades as u32 {
        let n = 10f64.powi(d as i32);
        let _ = write!(
            svg,
            r##"<line x1="{xx:.1}" y1="{TOP}" x2="{xx:.1}" y2="{y2}" stroke="#e3e8ee"/><text x="{xx:.1}" y="{ty}" font-size="10" text-anchor="middle" fill="#5b6b7c">{label}</text>"##,
            xx = x(n),
            y2 = H - BOTTOM,
            ty = H - BOTTOM + 14.0,
            label = t.integer(n as u64),
        );
    }
    let _ = write!(
        svg,
        r##"<text x="{cx}" y="{by}" font-size="11" text-anchor="middle" fill="#1d2733">{xl}</text><text x="12" y="{cy}" font-size="11" text-anchor="middle" fill="#1d2733" transform="rotate(-90 12 {cy})">{yl}</text>"##,
        cx = (LEFT + W - RIGHT) / 2.0,
        by = H - 6.0,
        cy = (TOP + H - BOTTOM) / 2.0,
        xl = esc(t.funnel_volume()),
        yl = esc(label),
    );
    // Limits sampled along the axis, the overall rate across it.
    let samples: Vec<f64> = (0..=80)
        .map(|i| 10f64.powf(decades * i as f64 / 80.0))
        .collect();
    let curve = |funnel: &mut Funnel, pick: &dyn Fn(&crate::ranking::Limits) -> f64| -> String {
        let xy: Vec<(f64, f64)> = samples
            .iter()
            .map(|n| {
                let l = funnel.limits(n.round().max(1.0) as u64);
                (x(*n), y(pick(&l)))
            })
            .collect();
        // Of a run of points at one height only its ends shape the line.
        xy.iter()
            .enumerate()
            .filter(|(i, (_, h))| {
                let same = |j: Option<usize>| {
                    j.and_then(|j| xy.get(j))
                        .is_some_and(|p| (p.1 - h).abs() < 0.05)
                };
                !(same(i.checked_sub(1)) && same(Some(i + 1)))
            })
            .map(|(_, (px, py))| format!("{px:.1},{py:.1}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    for (pick, dash) in [
        (
            &(|l: &crate::ranking::Limits| l.lower95) as &dyn Fn(&_) -> f64,
            "4 3",
        ),
        (&|l: &crate::ranking::Limits| l.upper95, "4 3"),
        (&|l: &crate::ranking::Limits| l.lower998, ""),
        (&|l: &crate::ranking::Limits| l.upper998, ""),
    ] {
        let _ = write!(
            svg,
            r##"<polyline points="{}" fill="none" stroke="#37536d" stroke-width="1" stroke-dasharray="{dash}"/>"##,
            curve(&mut funnel, pick)
        );
    }
    let _ = write!(
        svg,
        r##"<line x1="{LEFT}" y1="{yy:.1}" x2="{x2}" y2="{yy:.1}" stroke="#1d2733" stroke-width="1.2"/>"##,
        yy = y(overall),
        x2 = W - RIGHT,
    );
    // Units within the limits first, one dot per pixel they share (thinned
    // evenly past a cap), then every unit outside them on top, each named.
    let mut shared: std::collections::BTreeMap<(i64, i64), (usize, usize)> = Default::default();
    for i in (0..points.len()).filter(|i| positions[*i] == Position::Within) {
        let p = &points[i];
        let at = (x(p.n as f64).round() as i64, y(p.rate).round() as i64);
        shared.entry(at).or_insert((i, 0)).1 += 1;
    }
    let step = shared.len().div_ceil(DRAWN_WITHIN).max(1);
    for (&(cx, cy), &(first, count)) in shared.iter().step_by(step) {
        let title = if count == 1 {
            let p = &points[first];
            format!("{} {}", esc(p.code), esc(p.name.unwrap_or("")))
        } else {
            t.units_here(count)
        };
        let _ = write!(
            svg,
            r##"<circle cx="{cx}" cy="{cy}" r="2.6" fill="#7d8a97" fill-opacity="0.7"><title>{title}</title></circle>"##
        );
    }
    for i in (0..points.len()).filter(|i| positions[*i] != Position::Within) {
        let p = &points[i];
        let _ = write!(
            svg,
            r#"<circle cx="{:.1}" cy="{:.1}" r="2.8" fill="{}"><title>{} {} — {} · {}</title></circle>"#,
            x(p.n as f64),
            y(p.rate),
            colour(positions[i], higher_is_better),
            esc(p.code),
            esc(p.name.unwrap_or("")),
            t.percent(Some(p.rate)),
            t.integer(p.n),
        );
    }
    svg.push_str("</svg>");
    Plotted { svg, positions }
}

/// The plot, its legend, and the units outside the 99.8 % limits on the
/// bad side, named (worst first, at most `shown`).
pub fn section(
    page: &mut String,
    points: &[Point],
    overall: f64,
    higher_is_better: bool,
    label: &str,
    t: &Locale,
    shown: usize,
) -> Vec<Position> {
    let plotted = plot(points, overall, higher_is_better, label, t);
    let _ = write!(
        page,
        "<figure class=\"funnel\">{}<figcaption class=\"small\">{}</figcaption></figure>",
        plotted.svg,
        t.funnel_legend(t.percent(Some(overall)).as_str()),
    );
    let mut alarms: Vec<usize> = (0..points.len())
        .filter(|i| worse(plotted.positions[*i], higher_is_better) == Some(true))
        .collect();
    alarms.sort_by(|a, b| {
        let (x, y) = (points[*a].rate, points[*b].rate);
        let order = if higher_is_better {
            x.total_cmp(&y)
        } else {
            y.total_cmp(&x)
        };
        order.then(a.cmp(b))
    });
    let names: Vec<String> = alarms
        .iter()
        .take(shown)
        .map(|i| {
            let p = &points[*i];
            format!(
                "{} {} ({}, {})",
                esc(p.code),
                esc(p.name.unwrap_or("")),
                t.percent(Some(p.rate)),
                t.integer(p.n)
            )
        })
        .collect();
    let _ = writeln!(
        page,
        "<p class=\"outside\">{}: {}{}</p>",
        t.outside_alarm(),
        if names.is_empty() {
            t.none_outside().to_string()
        } else {
            names.join("; ")
        },
        if alarms.len() > shown {
            format!(" … (+{})", alarms.len() - shown)
        } else {
            String::new()
        },
    );
    plotted.positions
}

/// League order of `entries` and the sentence on the units left out.
pub fn ranked(
    entries: &[Entry],
    higher_is_better: bool,
    rule: LeagueRule,
    t: &Locale,
) -> (Vec<usize>, Option<String>) {
    let (ranked, unranked) = league(entries, higher_is_better, rule);
    let note = (!unranked.is_empty()).then(|| t.not_ranked(unranked.len(), rule.min_rows));
    (ranked, note)
}

/// The marker of a unit's position in a league table's last column.
pub fn marker(position: Position, higher_is_better: bool, t: &Locale) -> String {
    match worse(position, higher_is_better) {
        Some(true) => format!(r#"<span class="flag alarm">▼ {}</span>"#, t.beyond_998()),
        Some(false) => format!(r#"<span class="flag warn">▽ {}</span>"#, t.beyond_95()),
        None if position != Position::Within => {
            format!(
                r#"<span class="flag good">▲ {}</span>"#,
                t.better_than_limits()
            )
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Lang;

    #[test]
    fn units_outside_the_limits_are_marked_and_named() {
        let t = Locale { lang: Lang::Vi };
        let points = [
            Point {
                code: "00001",
                name: Some("Xã Một"),
                rate: 0.0,
                n: 1,
            },
            Point {
                code: "00002",
                name: Some("Xã Hai"),
                rate: 0.5,
                n: 400,
            },
            Point {
                code: "00003",
                name: Some("Xã Ba"),
                rate: 0.9,
                n: 400,
            },
        ];
        let mut page = String::new();
        let positions = section(&mut page, &points, 0.9, true, "Điểm tổng hợp", &t, 10);
        assert_eq!(
            positions,
            vec![Position::Within, Position::Below998, Position::Within]
        );
        assert!(page.contains("<svg class=\"funnel\""), "{page}");
        assert_eq!(page.matches("<circle").count(), 3);
        assert!(page.contains("fill=\"#c62828\""), "the alarm is red");
        let outside = page.split("class=\"outside\"").nth(1).unwrap();
        assert!(
            outside.contains("00002 Xã Hai") && !outside.contains("00001"),
            "{outside}"
        );
        // A lower-is-better rate: the high one is the alarm.
        let mut page = String::new();
        let late = [Point {
            code: "1",
            name: None,
            rate: 0.6,
            n: 300,
        }];
        let positions = section(&mut page, &late, 0.2, false, "trễ hạn", &t, 10);
        assert_eq!(positions, vec![Position::Above998]);
        assert!(marker(positions[0], false, &t).contains("▼"));
    }

    #[test]
    fn many_units_within_the_limits_are_thinned_outside_ones_never() {
        let t = Locale { lang: Lang::En };
        // 5,000 units near the overall rate at many distinct positions.
        let mut points: Vec<Point> = (0..5_000)
            .map(|k| Point {
                code: "w",
                name: None,
                rate: 0.894 + (k % 13) as f64 / 1000.0,
                n: 50 + k as u64,
            })
            .collect();
        points.push(Point {
            code: "x",
            name: None,
            rate: 0.1,
            n: 100,
        });
        let plotted = plot(&points, 0.9, true, "score", &t);
        let outside = plotted
            .positions
            .iter()
            .filter(|p| **p != Position::Within)
            .count();
        let circles = plotted.svg.matches("<circle").count();
        assert!(
            circles <= DRAWN_WITHIN + outside,
            "{circles} dots, {outside} outside"
        );
        assert!(
            circles < points.len() / 2,
            "{circles} dots for {} units",
            points.len()
        );
        assert!(plotted.svg.contains("<title>x "), "the outlier is drawn");
        // Units on the same pixel share one dot.
        let same: Vec<Point> = (0..300)
            .map(|_| Point {
                code: "s",
                name: None,
                rate: 1.0,
                n: 1,
            })
            .collect();
        let plotted = plot(&same, 0.9, true, "score", &t);
        assert_eq!(plotted.svg.matches("<circle").count(), 1);
        assert!(plotted.svg.contains("300"), "the dot says how many units");
    }
}
