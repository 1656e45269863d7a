//! Words and number/date formats of the scorecard, Vietnamese and English.
//! Vietnamese writes `94,9%`, `1.234` and `22/11/2026` (decimal comma,
//! dot for thousands, day first).

use crate::pack::Dimension;
use crate::report::Lang;
use crate::report::summary::{integer_vi, percent_vi};

pub struct Locale {
    pub lang: Lang,
}

/// One phrase in both languages.
macro_rules! phrases {
    ($($name:ident => $vi:expr, $en:expr;)*) => {
        impl Locale {
            $(pub fn $name(&self) -> &'static str {
                match self.lang {
                    Lang::Vi => $vi,
                    Lang::En => $en,
                }
            })*
        }
    };
}

phrases! {
    html_lang => "vi", "en";
    indicators => "Chỉ tiêu", "Indicators";
    indicator => "Chỉ tiêu", "Indicator";
    value => "Giá trị", "Value";
    counted => "Số đếm", "Count";
    source => "Căn cứ", "Source";
    input_from => "Nguồn dữ liệu", "Input";
    higher_better => "càng cao càng tốt", "higher is better";
    lower_better => "càng thấp càng tốt", "lower is better";
    indicator_league => "Xếp hạng đơn vị theo chỉ tiêu (kém nhất trước)",
        "Units by indicator (worst first)";
    not_computed => "không tính được", "not computed";
    funnel => "Biểu đồ phễu", "Funnel plot";
    fix_title => "Trước và sau khi làm sạch (ddss fix)", "Before and after cleaning (ddss fix)";
    cells_changed => "Ô đã sửa", "Cells changed";
    cells_review => "Ô cần xem lại", "Cells to review";
    not_fixed => "không sửa", "not fixed";
    units_improved => "Đơn vị được cải thiện nhiều nhất", "Units improved most";
    funnel_volume => "Số dòng của đơn vị (thang log)", "Unit volume (rows, log scale)";
    outside_alarm => "Ngoài giới hạn 99,8% về phía kém", "Beyond the 99.8% limit on the bad side";
    none_outside => "không có đơn vị nào", "none";
    beyond_998 => "ngoài 99,8%", "beyond 99.8%";
    beyond_95 => "ngoài 95%", "beyond 95%";
    better_than_limits => "tốt hơn giới hạn", "better than the limits";
    funnel_column => "So với giới hạn", "Against the limits";
    title => "Bảng điểm chất lượng dữ liệu", "Data quality scorecard";
    subtitle => "Đề án 06 — tiêu chí đúng – đủ – sạch – sống",
        "Project 06 — correct, complete, clean, live";
    as_of => "Ngày đối chiếu", "As of";
    generated => "Lập lúc", "Generated";
    rule_packs => "Bộ quy tắc", "Rule packs";
    run_result => "Kết quả chung", "Overall result";
    overview => "Tổng quan theo bộ dữ liệu", "Datasets at a glance";
    heat_map => "Bản đồ nhiệt: tiêu chí × bộ dữ liệu", "Heat map: dimension × dataset";
    league => "Xếp hạng đơn vị (thấp nhất trước)", "Unit league table (worst first)";
    provinces => "Cấp tỉnh", "Provinces";
    communes => "Cấp xã (thấp nhất)", "Communes (lowest)";
    top_rules => "Quy tắc lỗi nhiều nhất", "Top failing rules";
    problems => "Tệp không đọc được đầy đủ", "Files not fully read";
    dataset => "Bộ dữ liệu", "Dataset";
    rows => "Số dòng", "Rows";
    overall => "Tổng hợp", "Overall";
    record_pass => "Bản ghi đạt", "Records passing";
    trend => "Xu hướng", "Trend";
    change => "So với lần trước", "Since last run";
    first_run => "lần chạy đầu", "first run";
    rules_changed => "bộ quy tắc đã đổi", "rule packs changed";
    rank => "Hạng", "Rank";
    unit => "Đơn vị", "Unit";
    code => "Mã", "Code";
    province => "Tỉnh", "Province";
    rule => "Quy tắc", "Rule";
    dimension_header => "Tiêu chí", "Dimension";
    message => "Nội dung", "Message";
    failures => "Số lỗi", "Failures";
    share => "Tỷ lệ lỗi", "Failure share";
    examples => "Ví dụ (đã che thông tin cá nhân)", "Examples (personal data masked)";
    line => "dòng", "line";
    target => "Mục tiêu", "Target";
    no_target => "chưa đặt mục tiêu", "no target set";
    met => "Đạt", "Met";
    near => "Gần đạt", "Near";
    missed => "Chưa đạt", "Missed";
    legend => "Đèn: xanh — đạt mục tiêu; vàng — thấp hơn mục tiêu dưới 5 điểm; đỏ — thấp hơn từ 5 điểm. Tiêu chí không có mục tiêu riêng dùng mục tiêu tổng hợp.",
        "Lights: green — target met; amber — less than 5 points below; red — 5 points or more below. A dimension without its own target uses the overall target.";
    no_units => "Không có cột đơn vị hành chính trong bộ quy tắc.", "The rule pack names no administrative-unit column.";
    no_failures => "Không có quy tắc nào có lỗi.", "No rule has failures.";
    status_pass => "ĐẠT", "PASS";
    status_fail => "CHƯA ĐẠT", "FAIL";
    status_error => "LỖI ĐỌC TỆP", "READ ERROR";
    masking_note => "Số định danh và họ tên được che theo Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân. Danh sách lỗi đầy đủ: violations.xlsx.",
        "IDs and names are masked (Decree 13/2023/NĐ-CP on personal data protection). Full list of failures: violations.xlsx.";
}

impl Locale {
    pub fn percent(&self, value: Option<f64>) -> String {
        match self.lang {
            Lang::Vi => percent_vi(value),
            Lang::En => value.map_or("—".into(), |v| format!("{:.1}%", v * 100.0)),
        }
    }

    pub fn integer(&self, value: u64) -> String {
        match self.lang {
            Lang::Vi => integer_vi(value),
            Lang::En => integer_vi(value).replace('.', ","),
        }
    }

    /// Change in percentage points: `+1,2 điểm` / `+1.2 pts`.
    pub fn points(&self, change: f64) -> String {
        let n = format!("{:.1}", change.abs() * 100.0);
        let sign = match change {
            _ if n == "0.0" => "±",
            c if c > 0.0 => "+",
            _ => "−",
        };
        match self.lang {
            Lang::Vi => format!("{sign}{} điểm", n.replace('.', ",")),
            Lang::En => format!("{sign}{n} pts"),
        }
    }

    /// `2026-11-22` → `22/11/2026` (Vietnamese) or unchanged (English).
    pub fn date(&self, iso: &str) -> String {
        match (
            self.lang,
            chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d"),
        ) {
            (Lang::Vi, Ok(d)) => d.format("%d/%m/%Y").to_string(),
            _ => iso.to_string(),
        }
    }

    /// RFC 3339 instant → `22/11/2026 21:05 UTC`.
    pub fn instant(&self, rfc3339: &str) -> String {
        match chrono::DateTime::parse_from_rfc3339(rfc3339) {
            Ok(t) => match self.lang {
                Lang::Vi => t.format("%d/%m/%Y %H:%M UTC").to_string(),
                Lang::En => t.format("%Y-%m-%d %H:%M UTC").to_string(),
            },
            Err(_) => rfc3339.to_string(),
        }
    }

    pub fn more_units(&self, n: usize) -> String {
        match self.lang {
            Lang::Vi => format!(
                "… và {} đơn vị khác (danh sách đầy đủ trong results.json).",
                self.integer(n as u64)
            ),
            Lang::En => format!(
                "… and {} more (full list in results.json).",
                self.integer(n as u64)
            ),
        }
    }

    /// The funnel plot's caption.
    pub fn funnel_legend(&self, overall: &str) -> String {
        match self.lang {
            Lang::Vi => format!(
                "Mỗi chấm là một đơn vị: tỷ lệ theo số dòng. Đường ngang: mức chung {overall}; nét đứt: giới hạn \
                 kiểm soát 95%; nét liền: 99,8%. Chấm đỏ: kém hơn mức chung ngoài giới hạn 99,8% (khó do ngẫu \
                 nhiên); vàng: ngoài 95%; xanh: tốt hơn giới hạn. Cách tính: docs/scoring.md."
            ),
            Lang::En => format!(
                "Each dot is a unit: its rate against its volume. Horizontal line: the overall {overall}; dashed: \
                 95% control limits; solid: 99.8%. Red: worse than the overall beyond the 99.8% limit (unlikely by \
                 chance); amber: beyond 95%; green: better than the limits. Method: docs/scoring.md."
            ),
        }
    }

    /// A funnel dot shared by several units.
    pub fn units_here(&self, units: usize) -> String {
        match self.lang {
            Lang::Vi => format!("{} đơn vị", self.integer(units as u64)),
            Lang::En => format!("{} units", self.integer(units as u64)),
        }
    }

    /// The league table's note on units too small to rank.
    pub fn not_ranked(&self, units: usize, min_rows: u64) -> String {
        match self.lang {
            Lang::Vi => format!(
                "{} đơn vị có dưới {} dòng không được xếp hạng (xem biểu đồ phễu và results.json); các đơn vị \
                 còn lại xếp theo cận trên tin cậy 95% của tỷ lệ (docs/scoring.md).",
                self.integer(units as u64),
                self.integer(min_rows)
            ),
            Lang::En => format!(
                "{} units with fewer than {} rows are not ranked (see the funnel plot and results.json); the \
                 others are ranked by the optimistic 95% bound of their rate (docs/scoring.md).",
                self.integer(units as u64),
                self.integer(min_rows)
            ),
        }
    }

    pub fn dimension(&self, d: Dimension) -> &'static str {
        match self.lang {
            Lang::Vi => d.label_vi(),
            Lang::En => d.label_en(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_language() {
        let vi = Locale { lang: Lang::Vi };
        let en = Locale { lang: Lang::En };
        assert_eq!(vi.percent(Some(0.949)), "94,9%");
        assert_eq!(en.percent(Some(0.949)), "94.9%");
        assert_eq!(vi.integer(1234567), "1.234.567");
        assert_eq!(en.integer(1234567), "1,234,567");
        assert_eq!(vi.date("2026-11-22"), "22/11/2026");
        assert_eq!(en.date("2026-11-22"), "2026-11-22");
        assert_eq!(vi.points(0.012), "+1,2 điểm");
        assert_eq!(en.points(-0.012), "−1.2 pts");
        assert_eq!(vi.points(-0.0001), "±0,0 điểm");
        assert_eq!(vi.instant("2026-11-22T21:05:09Z"), "22/11/2026 21:05 UTC");
    }
}
