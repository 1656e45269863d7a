//! The human-readable summary printed after a run: one line per dataset
//! with its four dimension scores, then the rules below threshold, then
//! problems. Vietnamese, with Vietnamese number formats (`94,9%`, `1.234`).

use std::fmt::Write;

use crate::pack::Dimension;
use crate::results::{DatasetStatus, ErrorKind, RuleStatus, RunResults, RunStatus};

/// `Some(0.949)` → `94,9%`; `None` → `—`.
pub fn percent_vi(value: Option<f64>) -> String {
    match value {
        None => "—".into(),
        Some(v) => format!("{:.1}%", v * 100.0).replace('.', ","),
    }
}

/// `1234567` → `1.234.567`.
pub fn integer_vi(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

fn pad(s: &str, width: usize, right: bool) -> String {
    let n = s.chars().count();
    let fill = " ".repeat(width.saturating_sub(n));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// Rules below threshold listed per dataset before the list is cut short.
const RULES_SHOWN: usize = 10;
/// Lowest-scoring communes listed per dataset.
const UNITS_SHOWN: usize = 3;

/// `khai_tu CS-01 Tỷ lệ … 12,5% (25/200) · mục tiêu ≤ 5,0% · CHƯA ĐẠT`.
fn indicator_line(dataset: &str, i: &crate::indicators::IndicatorResult) -> String {
    if let Some(e) = &i.error {
        return format!("{dataset} {} {}: không tính được — {e}", i.id, i.name);
    }
    let mut line = format!(
        "{dataset} {} {}: {} ({}/{})",
        i.id,
        i.name,
        percent_vi(i.value),
        integer_vi(i.numerator),
        integer_vi(i.denominator)
    );
    if let Some(target) = i.target {
        let sign = match i.direction {
            crate::indicators::Direction::Higher => "≥",
            crate::indicators::Direction::Lower => "≤",
        };
        let verdict = match i.met {
            Some(true) => "ĐẠT",
            Some(false) => "CHƯA ĐẠT",
            None => "chưa có số liệu",
        };
        let _ = write!(
            line,
            " · mục tiêu {sign} {} · {verdict}",
            percent_vi(Some(target))
        );
    }
    line
}

pub fn render(results: &RunResults, out_dir: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "ddss {} · ngày đối chiếu {} · bộ quy tắc {}\n",
        results.tool.version,
        results.as_of,
        results
            .rule_packs
            .hash
            .get(..19)
            .unwrap_or(&results.rule_packs.hash)
    );
    let name_width = results
        .datasets
        .iter()
        .map(|d| d.name.chars().count())
        .max()
        .unwrap_or(8)
        .max(12);
    let mut header = format!(
        "{} {}",
        pad("Bộ dữ liệu", name_width, false),
        pad("Số dòng", 10, true)
    );
    for d in Dimension::ALL {
        header.push_str(&pad(d.label_vi(), 8, true));
    }
    header.push_str(&format!(
        "{}{}  Kết quả",
        pad("Tổng hợp", 10, true),
        pad("Bản ghi đạt", 13, true)
    ));
    let _ = writeln!(s, "{header}");
    for d in &results.datasets {
        let mut line = format!(
            "{} {}",
            pad(&d.name, name_width, false),
            pad(&integer_vi(d.rows), 10, true)
        );
        for dim in Dimension::ALL {
            line.push_str(&pad(&percent_vi(d.scores.dimension(dim)), 8, true));
        }
        let status = match d.status {
            DatasetStatus::Pass => "ĐẠT",
            DatasetStatus::Fail => "CHƯA ĐẠT",
            DatasetStatus::Error => "LỖI ĐỌC TỆP",
        };
        line.push_str(&format!(
            "{}{}  {status}",
            pad(&percent_vi(d.scores.overall), 10, true),
            pad(&percent_vi(d.scores.record_pass_rate), 13, true)
        ));
        let _ = writeln!(s, "{line}");
    }

    let mut indicators = String::new();
    for d in &results.datasets {
        for i in &d.indicators {
            let _ = writeln!(indicators, "  {}", indicator_line(&d.name, i));
        }
    }
    if !indicators.is_empty() {
        let _ = write!(s, "\nChỉ tiêu:\n{indicators}");
    }

    let mut behind = String::new();
    for d in &results.datasets {
        let worst: Vec<String> = d
            .units
            .iter()
            .filter(|u| u.scores.overall.is_some_and(|o| o < 1.0))
            .take(UNITS_SHOWN)
            .map(|u| {
                format!(
                    "{} {} ({} dòng)",
                    u.name.as_deref().unwrap_or(&u.code),
                    percent_vi(u.scores.overall),
                    integer_vi(u.rows)
                )
            })
            .collect();
        if !worst.is_empty() {
            let _ = writeln!(behind, "  {}: {}", d.name, worst.join(" · "));
        }
    }
    if !behind.is_empty() {
        let _ = write!(s, "\nĐơn vị cấp xã có điểm tổng hợp thấp nhất:\n{behind}");
    }

    let mut failing = String::new();
    for d in &results.datasets {
        let below: Vec<_> = d
            .rules
            .iter()
            .filter(|r| !matches!(r.status, RuleStatus::Pass))
            .collect();
        for r in below.iter().take(RULES_SHOWN) {
            let tag = match r.status {
                RuleStatus::Fail => "lỗi",
                RuleStatus::Warn => "cảnh báo",
                RuleStatus::Error => "không kiểm tra được",
                RuleStatus::Skipped => "bỏ qua",
                RuleStatus::Pass => "",
            };
            let _ = write!(
                failing,
                "  {} {} [{}, {tag}] ",
                d.name,
                r.id,
                r.dimension.label_vi().to_lowercase()
            );
            match &r.error {
                Some(e) => {
                    let _ = writeln!(failing, "{e}");
                }
                None => {
                    let _ = writeln!(
                        failing,
                        "{}/{} ({}) — {}",
                        integer_vi(r.failed),
                        integer_vi(r.evaluated),
                        percent_vi(r.pass_rate.map(|p| 1.0 - p)),
                        r.message
                    );
                }
            }
        }
        if below.len() > RULES_SHOWN {
            let _ = writeln!(
                failing,
                "  {} … và {} quy tắc khác (xem results.json)",
                d.name,
                below.len() - RULES_SHOWN
            );
        }
    }
    if !failing.is_empty() {
        let _ = write!(
            s,
            "\nQuy tắc chưa đạt (số dòng lỗi / số dòng kiểm tra):\n{failing}"
        );
    }

    let mut problems = String::new();
    for d in &results.datasets {
        for e in d
            .errors
            .iter()
            .filter(|e| e.kind != ErrorKind::Rule)
            .take(5)
        {
            let at = e.line.map(|l| format!(":{l}")).unwrap_or_default();
            let _ = writeln!(problems, "  {}{at}: {}", d.source, e.message);
        }
        let more = d
            .errors
            .iter()
            .filter(|e| e.kind != ErrorKind::Rule)
            .count()
            .saturating_sub(5);
        if more > 0 {
            let _ = writeln!(
                problems,
                "  {}: … và {more} lỗi cấu trúc khác (xem results.json)",
                d.source
            );
        }
    }
    for u in &results.unmatched_inputs {
        let _ = writeln!(problems, "  {}", u.problem);
    }
    if !problems.is_empty() {
        let _ = write!(s, "\nLỗi đọc tệp và tệp không được kiểm tra:\n{problems}");
    }

    // Problems of the pack against this file that belong to no single rule
    // (e.g. the unit column is absent, so no per-unit scores).
    let setup: Vec<String> = results
        .datasets
        .iter()
        .flat_map(|d| {
            d.errors
                .iter()
                .filter(|e| e.kind == ErrorKind::Rule && e.rule.is_none())
                .map(move |e| format!("  {}: {}", d.name, e.message))
        })
        .collect();
    if !setup.is_empty() {
        let _ = write!(s, "\nCảnh báo cấu hình bộ quy tắc:\n{}\n", setup.join("\n"));
    }

    let verdict = match results.status {
        RunStatus::Pass => "ĐẠT — mọi ngưỡng đều đạt",
        RunStatus::Fail => "CHƯA ĐẠT — có quy tắc dưới ngưỡng",
        RunStatus::Error => "LỖI — có tệp không đọc được đầy đủ",
    };
    let _ = writeln!(
        s,
        "\nKết quả chung: {verdict} (mã thoát {}).\nBáo cáo: {out_dir}/scorecard.html, {out_dir}/violations.xlsx, {out_dir}/results.json, {out_dir}/violations/",
        results.exit_code
    );
    s
}

/// The `ddss fix` block after the summary: per dataset, cells changed, cells
/// left for review, the overall score before → after, and where the files are.
pub fn fix_summary(results: &RunResults) -> String {
    let fixed: Vec<_> = results.fixed_datasets().collect();
    if fixed.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nLàm sạch (ddss fix):\n");
    for (d, f) in fixed {
        let line = match &f.not_fixed {
            Some(why) => format!("  {}: không sửa — {why}\n", d.name),
            None => format!(
                "  {}: sửa {} ô, {} ô cần xem lại; điểm tổng hợp {} → {}{}\n",
                d.name,
                integer_vi(f.changes),
                integer_vi(f.needs_review),
                percent_vi(f.scores_before.overall),
                percent_vi(d.scores.overall),
                match (f.valid_rows, f.quarantined_rows) {
                    (Some(v), Some(q)) => format!(
                        "; {} dòng hợp lệ, {} dòng cách ly",
                        integer_vi(v),
                        integer_vi(q)
                    ),
                    _ => String::new(),
                }
            ),
        };
        out.push_str(&line);
    }
    out.push_str(
        "Bản đã sửa: corrected/; nhật ký thay đổi: changes/; ô cần xem lại: review/ (bản gốc không bị ghi đè).\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_number_formats() {
        assert_eq!(percent_vi(Some(0.949)), "94,9%");
        assert_eq!(percent_vi(Some(1.0)), "100,0%");
        assert_eq!(percent_vi(None), "—");
        assert_eq!(integer_vi(0), "0");
        assert_eq!(integer_vi(999), "999");
        assert_eq!(integer_vi(1000), "1.000");
        assert_eq!(integer_vi(1234567), "1.234.567");
    }
}
