//! A compact Markdown summary of a run, for a CI log or a chat message.

use std::fmt::Write;

use super::summary::{integer_vi, percent_vi};
use crate::pack::Dimension;
use crate::results::{DatasetStatus, RuleStatus, RunResults};

pub fn render(results: &RunResults) -> String {
    let mut s = String::new();
    let verdict = match results.exit_code {
        0 => "✅ ĐẠT",
        1 => "❌ CHƯA ĐẠT",
        _ => "⚠️ LỖI ĐỌC TỆP",
    };
    let _ = writeln!(
        s,
        "**ddss** · ngày đối chiếu {} · {verdict}\n",
        results.as_of
    );
    let _ = writeln!(
        s,
        "| Bộ dữ liệu | Số dòng | Đúng | Đủ | Sạch | Sống | Tổng hợp | Kết quả |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---|");
    for d in &results.datasets {
        let dims: Vec<String> = Dimension::ALL
            .iter()
            .map(|dim| percent_vi(d.scores.dimension(*dim)))
            .collect();
        let status = match d.status {
            DatasetStatus::Pass => "đạt",
            DatasetStatus::Fail => "chưa đạt",
            DatasetStatus::Error => "lỗi đọc tệp",
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {status} |",
            d.name,
            integer_vi(d.rows),
            dims.join(" | "),
            percent_vi(d.scores.overall)
        );
    }
    let failing: Vec<String> = results
        .datasets
        .iter()
        .flat_map(|d| {
            d.rules
                .iter()
                .filter(|r| matches!(r.status, RuleStatus::Fail | RuleStatus::Error))
                .map(move |r| {
                    format!(
                        "- `{}` {}: {} — {} dòng",
                        d.name,
                        r.id,
                        r.message,
                        integer_vi(r.failed)
                    )
                })
        })
        .take(10)
        .collect();
    if !failing.is_empty() {
        let _ = writeln!(s, "\n{}", failing.join("\n"));
    }
    for d in &results.datasets {
        for t in d.targets.iter().filter(|t| !t.met) {
            let _ = writeln!(
                s,
                "- `{}` mục tiêu {} {} chưa đạt: {}",
                d.name,
                t.score,
                percent_vi(Some(t.target)),
                percent_vi(t.actual)
            );
        }
    }
    s
}
