//! `scorecard.html`: the one page a steering committee reads. Self-contained
//! (inline CSS and SVG, no script, no font or network fetch), Vietnamese by
//! default, prints on A4. Every value that comes from data or packs is
//! HTML-escaped; IDs and names only ever arrive here masked (the examples in
//! [`crate::results::Example`]).

mod fixed;
mod funnel;
mod indicators;
mod light;
mod locale;
mod svg;

use std::fmt::Write;
use std::io::Write as _;
use std::path::Path;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as esc};

use self::light::{Light, heat_color, target_for};
use self::locale::Locale;
use super::Lang;
use crate::atomic::write_atomic;
use crate::error::UsageError;
use crate::pack::Dimension;
use crate::ranking;
use crate::results::{DatasetResult, DatasetStatus, RuleStatus, RunResults, RunStatus, UnitResult};

const STYLE: &str = include_str!("style.css");
/// Provinces and communes listed per dataset in the league table (worst
/// first); the full lists are in results.json.
const UNITS_SHOWN: usize = 10;
/// Rules listed in "top failing rules".
const RULES_SHOWN: usize = 10;
/// Runs drawn in a sparkline.
pub const TREND_RUNS: usize = 20;

/// Writes `scorecard.html` atomically.
pub fn write(
    path: &Path,
    results: &RunResults,
    history: &[RunResults],
    lang: Lang,
) -> Result<(), UsageError> {
    let html = render(results, history, lang);
    write_atomic(path, |w| w.write_all(html.as_bytes()))
}

/// The page. `history` is the recorded runs, oldest first; its last entry
/// may or may not already be `results`.
pub fn render(results: &RunResults, history: &[RunResults], lang: Lang) -> String {
    let t = Locale { lang };
    let mut runs: Vec<&RunResults> = history.iter().collect();
    if !runs.last().is_some_and(|last| same_run(last, results)) {
        runs.push(results);
    }
    let mut page = String::with_capacity(64 * 1024);
    let _ = write!(
        page,
        r#"<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ddss {version}">
<meta name="ddss-run-id" content="{run_id}">
<title>{title} — {as_of}</title>
<style>{STYLE}</style>
</head>
<body>
"#,
        lang = t.html_lang(),
        version = esc(&results.tool.version),
        run_id = esc(&results.run_id),
        title = t.title(),
        as_of = t.date(&results.as_of),
    );
    header(&mut page, results, &t);
    overview(&mut page, results, &runs, &t);
    fixed::section(&mut page, results, &t);
    heat_map(&mut page, results, &t);
    indicators::section(&mut page, results, &t);
    league(&mut page, results, &t);
    top_rules(&mut page, results, &t);
    problems(&mut page, results, &t);
    let _ = write!(
        page,
        "<footer><p>{}</p><p>ddss {} · {} {}</p></footer>\n</body>\n</html>\n",
        t.masking_note(),
        esc(&results.tool.version),
        t.rule_packs(),
        esc(short_hash(&results.rule_packs.hash)),
    );
    page
}

fn same_run(a: &RunResults, b: &RunResults) -> bool {
    a.generated_at == b.generated_at
        && a.rule_packs.hash == b.rule_packs.hash
        && a.datasets.len() == b.datasets.len()
        && a.datasets
            .iter()
            .zip(&b.datasets)
            .all(|(x, y)| x.name == y.name && x.scores == y.scores)
}

fn short_hash(hash: &str) -> &str {
    hash.get(..19).unwrap_or(hash)
}

fn header(page: &mut String, results: &RunResults, t: &Locale) {
    let (class, verdict) = match results.status {
        RunStatus::Pass => ("green", t.status_pass()),
        RunStatus::Fail => ("red", t.status_fail()),
        RunStatus::Error => ("amber", t.status_error()),
    };
    let _ = write!(
        page,
        r#"<header>
<h1>{title}</h1>
<p class="subtitle">{subtitle}</p>
<dl class="meta">
<div><dt>{as_of_l}</dt><dd>{as_of}</dd></div>
<div><dt>{gen_l}</dt><dd>{generated}</dd></div>
<div><dt>{run_l}</dt><dd><span class="verdict {class}">{verdict}</span></dd></div>
</dl>
<p class="legend">{legend}</p>
</header>
"#,
        title = t.title(),
        subtitle = t.subtitle(),
        as_of_l = t.as_of(),
        as_of = t.date(&results.as_of),
        gen_l = t.generated(),
        generated = t.instant(&results.generated_at),
        run_l = t.run_result(),
        legend = t.legend(),
    );
}

/// A score with its traffic light; the light's word is in the text too, so
/// the status survives black-and-white printing.
fn lit_score(t: &Locale, actual: Option<f64>, target: Option<f64>, big: bool) -> String {
    let light = Light::of(actual, target);
    let word = match light {
        Light::Green => t.met(),
        Light::Amber => t.near(),
        Light::Red => t.missed(),
        Light::None => t.no_target(),
    };
    let tip = match target {
        Some(target) => format!("{} {} · {word}", t.target(), t.percent(Some(target))),
        None => word.to_string(),
    };
    format!(
        r#"<span class="score{big}" title="{tip}"><span class="light {class}" aria-label="{word}"></span>{value}</span>"#,
        big = if big { " big" } else { "" },
        tip = attr(&tip),
        class = light.class(),
        value = t.percent(actual),
    )
}

fn overview(page: &mut String, results: &RunResults, runs: &[&RunResults], t: &Locale) {
    let _ = writeln!(
        page,
        r#"<section id="overview"><h2>{}</h2><div class="cards">"#,
        t.overview()
    );
    for d in &results.datasets {
        let series: Vec<(&RunResults, Option<f64>)> = runs
            .iter()
            .filter_map(|r| {
                r.datasets
                    .iter()
                    .find(|x| x.name == d.name)
                    .map(|x| (*r, x.scores.overall))
            })
            .collect();
        let series = &series[series.len().saturating_sub(TREND_RUNS)..];
        let values: Vec<Option<f64>> = series.iter().map(|(_, v)| *v).collect();
        let change = match series {
            [.., (prev_run, Some(prev)), (cur_run, Some(cur))] => {
                let mut text = t.points(cur - prev);
                if prev_run.rule_packs.hash != cur_run.rule_packs.hash {
                    let _ = write!(text, " ({})", t.rules_changed());
                }
                let class = match cur - prev {
                    d if d.abs() < 0.0005 => "flat",
                    d if d > 0.0 => "up",
                    _ => "down",
                };
                format!(r#"<span class="{class}">{}</span>"#, esc(&text))
            }
            _ => t.first_run().to_string(),
        };
        let status = match d.status {
            DatasetStatus::Pass => ("green", t.status_pass()),
            DatasetStatus::Fail => ("red", t.status_fail()),
            DatasetStatus::Error => ("amber", t.status_error()),
        };
        let _ = write!(
            page,
            r#"<article class="card">
<h3>{title}</h3>
<p class="dataset-name">{name} · {rows} {rows_l} · <span class="verdict {sc}">{sv}</span></p>
<p class="dataset-source">{input_l}: {kind} · <code>{shown}</code></p>
<div class="headline"><span class="label">{overall_l}</span>{overall}</div>
<table class="dims"><tr>"#,
            title = esc(d.title.as_deref().unwrap_or(&d.name)),
            name = esc(&d.name),
            rows = t.integer(d.rows),
            rows_l = t.rows().to_lowercase(),
            sc = status.0,
            sv = status.1,
            input_l = t.input_from(),
            kind = source_kind_label(&d.source_kind),
            shown = esc(&shown_source(d)),
            overall_l = t.overall(),
            overall = lit_score(t, d.scores.overall, target_for(d, "overall"), true),
        );
        for dim in Dimension::ALL {
            let _ = write!(page, "<th>{}</th>", t.dimension(dim));
        }
        page.push_str("</tr><tr>");
        for dim in Dimension::ALL {
            let _ = write!(
                page,
                "<td>{}</td>",
                lit_score(t, d.scores.dimension(dim), target_for(d, dim.key()), false)
            );
        }
        let _ = write!(
            page,
            r#"</tr></table>
<p class="trend"><span class="label">{trend_l}</span>{spark} <span class="label">{change_l}</span> {change}</p>
<p class="small">{record_l}: {record}</p>
</article>
"#,
            trend_l = t.trend(),
            spark = svg::sparkline(&values, t.trend()),
            change_l = t.change(),
            record_l = t.record_pass(),
            record = t.percent(d.scores.record_pass_rate),
        );
    }
    page.push_str("</div></section>\n");
}

fn heat_map(page: &mut String, results: &RunResults, t: &Locale) {
    let _ = write!(
        page,
        r#"<section id="heat-map"><h2>{}</h2><table class="heat"><thead><tr><th>{}</th>"#,
        t.heat_map(),
        t.dataset()
    );
    for dim in Dimension::ALL {
        let _ = write!(page, "<th>{}</th>", t.dimension(dim));
    }
    let _ = write!(page, "<th>{}</th></tr></thead><tbody>", t.overall());
    for d in &results.datasets {
        let _ = write!(page, r#"<tr><th scope="row">{}</th>"#, esc(&d.name));
        let cells = Dimension::ALL
            .iter()
            .map(|dim| d.scores.dimension(*dim))
            .chain(std::iter::once(d.scores.overall));
        for score in cells {
            let _ = write!(
                page,
                r#"<td style="background:{}">{}</td>"#,
                heat_color(score),
                t.percent(score)
            );
        }
        page.push_str("</tr>");
    }
    page.push_str("</tbody></table></section>\n");
}

fn unit_rows(page: &mut String, units: &[(&UnitResult, String)], t: &Locale, with_province: bool) {
    for (rank, (u, marker)) in units.iter().enumerate() {
        let _ = write!(
            page,
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td>",
            rank + 1,
            esc(&u.code),
            esc(u.name.as_deref().unwrap_or("—"))
        );
        if with_province {
            let _ = write!(
                page,
                "<td>{}</td>",
                esc(u.province.as_deref().unwrap_or("—"))
            );
        }
        let _ = write!(page, "<td class=\"num\">{}</td>", t.integer(u.rows));
        for dim in Dimension::ALL {
            let _ = write!(
                page,
                "<td class=\"num\">{}</td>",
                t.percent(u.scores.dimension(dim))
            );
        }
        let _ = writeln!(
            page,
            "<td class=\"num\">{} {}</td><td>{marker}</td></tr>",
            t.percent(u.scores.overall),
            svg::bar(u.scores.overall, &heat_color(u.scores.overall))
        );
    }
}

fn unit_table_head(page: &mut String, t: &Locale, with_province: bool) {
    let _ = write!(
        page,
        "<table class=\"league\"><thead><tr><th>{}</th><th>{}</th><th>{}</th>",
        t.rank(),
        t.code(),
        t.unit()
    );
    if with_province {
        let _ = write!(page, "<th>{}</th>", t.province());
    }
    let _ = write!(page, "<th>{}</th>", t.rows());
    for dim in Dimension::ALL {
        let _ = write!(page, "<th>{}</th>", t.dimension(dim));
    }
    let _ = write!(
        page,
        "<th>{}</th><th>{}</th></tr></thead><tbody>",
        t.overall(),
        t.funnel_column()
    );
}

fn more_units(page: &mut String, t: &Locale, total: usize) {
    if total > UNITS_SHOWN {
        let _ = writeln!(
            page,
            "<p class=\"small\">{}</p>",
            t.more_units(total - UNITS_SHOWN)
        );
    }
}

/// One level's league table (provinces or communes): the units large enough
/// to rank, worst first by their confidence bound, each marked against the
/// funnel's limits; a note on the units left out.
fn fair_table(
    page: &mut String,
    units: &[UnitResult],
    positions: &[ranking::Position],
    min_rows: u64,
    t: &Locale,
    with_province: bool,
) {
    let entries: Vec<ranking::Entry> = units
        .iter()
        .map(|u| ranking::Entry {
            rate: u.scores.overall,
            n: u.rows,
        })
        .collect();
    let (order, note) = funnel::ranked(&entries, true, ranking::LeagueRule { min_rows }, t);
    if let Some(note) = note {
        let _ = writeln!(page, "<p class=\"small\">{note}</p>");
    }
    if order.is_empty() {
        return;
    }
    unit_table_head(page, t, with_province);
    let shown: Vec<(&UnitResult, String)> = order
        .iter()
        .take(UNITS_SHOWN)
        .map(|i| (&units[*i], funnel::marker(positions[*i], true, t)))
        .collect();
    unit_rows(page, &shown, t, with_province);
    page.push_str("</tbody></table>\n");
    more_units(page, t, order.len());
}

fn league(page: &mut String, results: &RunResults, t: &Locale) {
    let _ = writeln!(page, r#"<section id="league"><h2>{}</h2>"#, t.league());
    for d in &results.datasets {
        let _ = writeln!(
            page,
            "<h3>{}</h3>",
            esc(d.title.as_deref().unwrap_or(&d.name))
        );
        if d.units.is_empty() {
            let _ = writeln!(page, "<p class=\"small\">{}</p>", t.no_units());
            continue;
        }
        let overall = d.scores.overall.unwrap_or(0.0);
        if !d.provinces.is_empty() {
            let _ = writeln!(page, "<h4>{}</h4>", t.provinces());
            let mut f = ranking::Funnel::new(overall);
            let positions: Vec<ranking::Position> = d
                .provinces
                .iter()
                .map(|u| f.position(u.scores.overall.unwrap_or(0.0), u.rows))
                .collect();
            fair_table(page, &d.provinces, &positions, d.league_min_rows, t, false);
        }
        let _ = writeln!(page, "<h4>{}</h4>", t.communes());
        let measured: Vec<&UnitResult> = d
            .units
            .iter()
            .filter(|u| u.scores.overall.is_some())
            .collect();
        let points: Vec<funnel::Point> = measured
            .iter()
            .map(|u| funnel::Point {
                code: &u.code,
                name: u.name.as_deref(),
                rate: u.scores.overall.unwrap_or(0.0),
                n: u.rows,
            })
            .collect();
        let mut positions = vec![ranking::Position::Within; d.units.len()];
        if !points.is_empty() {
            let plotted =
                funnel::section(page, &points, overall, true, t.overall(), t, UNITS_SHOWN);
            let mut k = 0;
            for (i, u) in d.units.iter().enumerate() {
                if u.scores.overall.is_some() {
                    positions[i] = plotted[k];
                    k += 1;
                }
            }
        }
        fair_table(page, &d.units, &positions, d.league_min_rows, t, true);
    }
    page.push_str("</section>\n");
}

fn top_rules(page: &mut String, results: &RunResults, t: &Locale) {
    let mut failing: Vec<(&DatasetResult, &crate::results::RuleResult)> = results
        .datasets
        .iter()
        .flat_map(|d| d.rules.iter().map(move |r| (d, r)))
        .filter(|(_, r)| r.failed > 0 && r.status != RuleStatus::Skipped)
        .collect();
    failing.sort_by(|a, b| {
        b.1.failed
            .cmp(&a.1.failed)
            .then_with(|| a.1.id.cmp(&b.1.id))
    });
    let _ = writeln!(
        page,
        r#"<section id="top-rules"><h2>{}</h2>"#,
        t.top_rules()
    );
    if failing.is_empty() {
        let _ = writeln!(page, "<p>{}</p></section>", t.no_failures());
        return;
    }
    let _ = write!(
        page,
        "<table class=\"rules\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t.dataset(),
        t.rule(),
        t.dimension_header(),
        t.message(),
        t.failures(),
        t.share(),
        t.examples()
    );
    for (d, r) in failing.into_iter().take(RULES_SHOWN) {
        let message = match (t.lang, &r.message_en) {
            (Lang::En, Some(en)) => en,
            _ => &r.message,
        };
        let examples: Vec<String> = r
            .examples
            .iter()
            .map(|e| {
                let mut s = match e.line {
                    Some(l) => format!("{} {}: ", t.line(), l),
                    None => String::new(),
                };
                if !e.key.is_empty() {
                    let _ = write!(s, "{} ", esc(&e.key));
                }
                let _ = write!(s, "<code>{}</code>", esc(&e.value));
                s
            })
            .collect();
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"examples\">{}</td></tr>",
            esc(&d.name),
            esc(&r.id),
            t.dimension(r.dimension),
            esc(message),
            t.integer(r.failed),
            t.percent(r.pass_rate.map(|p| 1.0 - p)),
            examples.join("<br>")
        );
    }
    page.push_str("</tbody></table></section>\n");
}

/// How an input kind is named on the card.
fn source_kind_label(kind: &str) -> &str {
    match kind {
        "csv" => "CSV",
        "excel" => "Excel",
        "parquet" => "Parquet",
        "postgres" => "PostgreSQL",
        "frame" => "DataFrame",
        "spark" => "Spark",
        other => other,
    }
}

/// The input as a card shows it: a file by its name (the folder is in
/// results.json), a database by its address (which never holds a password).
fn shown_source(d: &crate::results::DatasetResult) -> String {
    if d.source_kind == "postgres" {
        return d.source.clone();
    }
    d.source.rsplit('/').next().unwrap_or(&d.source).to_string()
}

fn problems(page: &mut String, results: &RunResults, t: &Locale) {
    let lines: Vec<String> = results
        .datasets
        .iter()
        .flat_map(|d| {
            d.errors
                .iter()
                .filter(|e| e.kind != crate::results::ErrorKind::Rule)
                .take(5)
                .map(move |e| {
                    let at = e.line.map(|l| format!(":{l}")).unwrap_or_default();
                    format!(
                        "<li><code>{}{at}</code> {}</li>",
                        esc(&d.source),
                        esc(&e.message)
                    )
                })
        })
        .chain(
            results
                .unmatched_inputs
                .iter()
                .map(|u| format!("<li>{}</li>", esc(&u.problem))),
        )
        .collect();
    if !lines.is_empty() {
        let _ = writeln!(
            page,
            "<section id=\"problems\"><h2>{}</h2><ul>{}</ul></section>",
            t.problems(),
            lines.join("\n")
        );
    }
}
