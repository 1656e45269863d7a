//! Inline SVG for the scorecard: sparklines of a score over runs and bars.
//! Drawn by hand in a few lines each — no chart library, no script, so the
//! file opens offline and prints as vectors.

use std::fmt::Write;

/// Sparkline of `values` (oldest first; `None` = not measured that run).
/// The vertical scale spans the series' own range (at least 2 points) so
/// small moves stay visible; the last point is marked.
pub fn sparkline(values: &[Option<f64>], label: &str) -> String {
    const W: f64 = 120.0;
    const H: f64 = 28.0;
    const PAD: f64 = 3.0;
    let points: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    let mut svg = format!(
        r#"<svg class="spark" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img" aria-label="{label}"><title>{label}</title>"#,
        label = html_escape::encode_double_quoted_attribute(label)
    );
    if points.is_empty() {
        svg.push_str("</svg>");
        return svg;
    }
    let lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if hi - lo < 0.02 {
        let mid = (hi + lo) / 2.0;
        (mid - 0.01, mid + 0.01)
    } else {
        (lo, hi)
    };
    let n = values.len().max(2) - 1;
    let xy = |(i, v): (usize, f64)| {
        let x = PAD + (W - 2.0 * PAD) * i as f64 / n as f64;
        let y = PAD + (H - 2.0 * PAD) * (1.0 - (v - lo) / (hi - lo));
        (x, y)
    };
    if points.len() > 1 {
        let coords: Vec<String> = points
            .iter()
            .map(|p| {
                let (x, y) = xy(*p);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = write!(
            svg,
            r##"<polyline points="{}" fill="none" stroke="#37536d" stroke-width="1.5"/>"##,
            coords.join(" ")
        );
    }
    let (x, y) = xy(*points.last().expect("not empty"));
    let _ = write!(
        svg,
        r##"<circle cx="{x:.1}" cy="{y:.1}" r="2.5" fill="#37536d"/></svg>"##
    );
    svg
}

/// Horizontal bar for a share in 0..=1, coloured by `color`.
pub fn bar(share: Option<f64>, color: &str) -> String {
    let w = share.unwrap_or(0.0).clamp(0.0, 1.0) * 100.0;
    format!(
        r##"<svg class="bar" width="100" height="10" viewBox="0 0 100 10" aria-hidden="true"><rect width="100" height="10" fill="#eceff3"/><rect width="{w:.1}" height="10" fill="{color}"/></svg>"##
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_draws_one_point_per_measured_run() {
        let svg = sparkline(&[Some(0.9), None, Some(0.95), Some(0.97)], "xu hướng");
        let points = svg
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(points.split(' ').count(), 3, "{svg}");
        assert!(svg.contains("<circle"), "{svg}");
        // Highest value at the top edge, lowest at the bottom.
        assert!(points.ends_with(",3.0"), "{points}");
        assert!(points.starts_with("3.0,25.0"), "{points}");
    }

    #[test]
    fn sparkline_of_one_run_is_a_dot_and_labels_are_escaped() {
        let svg = sparkline(&[Some(0.9)], "a\"<b");
        assert!(
            !svg.contains("polyline") && svg.contains("<circle"),
            "{svg}"
        );
        assert!(svg.contains("a&quot;&lt;b"), "{svg}");
        assert_eq!(sparkline(&[None], "x").matches("<circle").count(), 0);
    }

    #[test]
    fn bars_are_clamped() {
        assert!(bar(Some(1.7), "red").contains(r#"width="100.0""#));
        assert!(bar(None, "red").contains(r#"width="0.0""#));
    }
}
