//! The scorecard's "before and after cleaning" section, in a `ddss fix`
//! run: per dataset the cells changed and left for review and each score
//! before → after; then the units whose overall score moved most.

use std::fmt::Write;

use html_escape::encode_text as esc;

use super::UNITS_SHOWN;
use super::locale::Locale;
use crate::pack::Dimension;
use crate::results::RunResults;

fn moved(t: &Locale, before: Option<f64>, after: Option<f64>) -> String {
    match (before, after) {
        (Some(b), Some(a)) if (a - b).abs() >= 0.0005 => format!(
            "{} → <b>{}</b> <span class=\"{}\">{}</span>",
            t.percent(Some(b)),
            t.percent(Some(a)),
            if a > b { "up" } else { "down" },
            t.points(a - b)
        ),
        _ => t.percent(after),
    }
}

pub fn section(page: &mut String, results: &RunResults, t: &Locale) {
    let fixed: Vec<_> = results.fixed_datasets().collect();
    if fixed.is_empty() {
        return;
    }
    let _ = writeln!(page, r#"<section id="fix"><h2>{}</h2>"#, t.fix_title());
    let _ = write!(
        page,
        "<table class=\"rules\"><thead><tr><th>{}</th><th>{}</th><th>{}</th>",
        t.dataset(),
        t.cells_changed(),
        t.cells_review()
    );
    for dim in Dimension::ALL {
        let _ = write!(page, "<th>{}</th>", t.dimension(dim));
    }
    let _ = write!(page, "<th>{}</th></tr></thead><tbody>", t.overall());
    for (d, f) in &fixed {
        let _ = write!(page, "<tr><td>{}</td>", esc(&d.name));
        match &f.not_fixed {
            Some(why) => {
                let _ = write!(
                    page,
                    "<td colspan=\"7\" class=\"small\">{} — {}</td></tr>",
                    t.not_fixed(),
                    esc(why)
                );
                continue;
            }
            None => {
                let _ = write!(
                    page,
                    "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                    t.integer(f.changes),
                    t.integer(f.needs_review)
                );
            }
        }
        for dim in Dimension::ALL {
            let _ = write!(
                page,
                "<td class=\"num\">{}</td>",
                moved(t, f.scores_before.dimension(dim), d.scores.dimension(dim))
            );
        }
        let _ = writeln!(
            page,
            "<td class=\"num\">{}</td></tr>",
            moved(t, f.scores_before.overall, d.scores.overall)
        );
    }
    page.push_str("</tbody></table>\n");

    // Units whose overall score moved most, over all datasets.
    let mut units: Vec<(&str, &crate::results::UnitResult, f64, f64)> = Vec::new();
    for (d, f) in &fixed {
        for u in &d.units {
            if let (Some(Some(before)), Some(after)) =
                (f.units_before.get(&u.code), u.scores.overall)
            {
                if after - before >= 0.0005 {
                    units.push((&d.name, u, *before, after));
                }
            }
        }
    }
    if units.is_empty() {
        page.push_str("</section>\n");
        return;
    }
    units.sort_by(|a, b| {
        (b.3 - b.2)
            .total_cmp(&(a.3 - a.2))
            .then(a.1.code.cmp(&b.1.code))
    });
    let _ = write!(
        page,
        "<h3>{}</h3><table class=\"league\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t.units_improved(),
        t.dataset(),
        t.code(),
        t.unit(),
        t.rows(),
        t.overall()
    );
    for (name, u, before, after) in units.iter().take(UNITS_SHOWN) {
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(name),
            esc(&u.code),
            esc(u.name.as_deref().unwrap_or("—")),
            t.integer(u.rows),
            moved(t, Some(*before), Some(*after))
        );
    }
    page.push_str("</tbody></table>\n");
    super::more_units(page, t, units.len());
    page.push_str("</section>\n");
}
