//! `tax_code` (VN010) — an enterprise tax code (mã số thuế) is well formed:
//! 10 digits whose last is the check digit, or, for a dependent unit
//! (branch, representative office), those 10 digits, a dash and 3 digits.
//!
//! Source: the structure N1N2 (province) N3–N9 (sequence) N10 (check digit)
//! and N11–N13 (dependent unit, 001–999) of Thông tư 105/2020/TT-BTC Điều 5,
//! kept by Thông tư 86/2024/TT-BTC Điều 5 (in force 06/02/2025); the check
//! digit as the General Department of Taxation defined it (Quyết định
//! 75/1998/QĐ-TCT): N10 = 10 − (31·N1 + 29·N2 + 23·N3 + 19·N4 + 17·N5 +
//! 13·N6 + 7·N7 + 5·N8 + 3·N9) mod 11, a code whose remainder is 0 is never
//! issued. A sequence of 0000000 and a unit number 000 are never issued
//! either. Individuals are identified by their 12-digit personal ID from
//! 01/07/2025 (Thông tư 86/2024/TT-BTC): check them with `cccd`.
//!
//! `form` says which shape the column must have: `"enterprise"` (10
//! digits), `"dependent_unit"` (13, written `NNNNNNNNNN-NNN`) or `"any"`
//! (either; the default). A 13-digit code written without its dash is
//! flagged with the dashed form as the suggestion.
//!
//! ```toml
//! [[rules]]
//! id = "TT-002"
//! check = "tax_code"
//! column = "mst"
//! form = "enterprise"
//! when = "loai = 'doanh_nghiep'"
//! dimension = "dung"
//! message = "Mã số thuế doanh nghiệp sai cấu trúc hoặc sai chữ số kiểm tra"
//! ```

use std::sync::Arc;

use polars::prelude::Expr;
use serde::Deserialize;

use super::{Cell, Finding, row_udf};
use crate::contract::{CheckKind, Evaluation, ParseContext, PlanContext, RowCheck, params};
use crate::error::RuleError;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    Enterprise,
    DependentUnit,
    #[default]
    Any,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxCode {
    pub column: String,
    #[serde(default)]
    pub form: Form,
}

impl TaxCode {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let check: Self = params(table)?;
        ctx.known_column(&check.column)?;
        Ok(check)
    }

    fn plan(&self, ctx: &PlanContext) -> Result<RowCheck, RuleError> {
        let form = self.form;
        Ok(row_udf(
            vec![ctx.raw(&self.column)?],
            1,
            Arc::new(move |row| inspect(row[0].and_then(Cell::as_str)?, form)),
        ))
    }
}

impl CheckKind for TaxCode {
    fn columns(&self) -> Vec<String> {
        vec![self.column.clone()]
    }

    fn evaluate(&self, ctx: &PlanContext, _applies: &Expr) -> Result<Evaluation, RuleError> {
        self.plan(ctx).map(Evaluation::from)
    }
}

/// Weights of N1–N9 in the check digit.
const WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/// The check digit of the first nine digits; `None` when their remainder
/// is 0 (no code is issued with it).
pub fn check_digit(first_nine: &[u8; 9]) -> Option<u8> {
    let total: u32 = first_nine
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    let digit = 10 - total % 11;
    (digit < 10).then_some(digit as u8)
}

/// Why the 10 leading digits are not an issued code.
fn ten_digit_problem(code: &str) -> Option<String> {
    let digits: Vec<u8> = code.bytes().map(|b| b - b'0').collect();
    if digits[2..9].iter().all(|d| *d == 0) {
        return Some("số thứ tự N3–N9 bằng 0000000".into());
    }
    let nine: [u8; 9] = digits[..9].try_into().expect("ten digits");
    match check_digit(&nine) {
        None => Some("chín chữ số đầu không có chữ số kiểm tra hợp lệ".into()),
        Some(d) if d != digits[9] => Some(format!("chữ số kiểm tra là {}, phải là {d}", digits[9])),
        Some(_) => None,
    }
}

pub fn inspect(value: &str, form: Form) -> Option<Finding> {
    let code = value.trim();
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (head, unit) = match code.split_once('-') {
        Some((head, unit)) => (head, Some(unit)),
        None if code.len() == 13 && all_digits(code) => {
            let dashed = format!("{}-{}", &code[..10], &code[10..]);
            let suggestion = (inspect(&dashed, form).is_none()).then(|| dashed.clone());
            let detail = "mã 13 số thiếu dấu gạch ngang giữa 10 số đầu và 3 số cuối";
            return Some(match suggestion {
                Some(s) => Finding::suggest(detail, s),
                None => Finding::new(detail),
            });
        }
        None => (code, None),
    };
    if head.len() != 10 || !all_digits(head) {
        return Some(Finding::new(format!(
            "'{value}' không phải mã số thuế 10 chữ số{}",
            if unit.is_some() {
                " trước dấu gạch ngang"
            } else {
                ""
            }
        )));
    }
    match (unit, form) {
        (Some(_), Form::Enterprise) => {
            return Some(Finding::new(
                "mã đơn vị phụ thuộc (13 số) ở chỗ cần mã doanh nghiệp 10 số",
            ));
        }
        (None, Form::DependentUnit) => {
            return Some(Finding::new("thiếu 3 số của đơn vị phụ thuộc (N11–N13)"));
        }
        (Some(unit), _) if unit.len() != 3 || !all_digits(unit) || unit == "000" => {
            return Some(Finding::new(format!(
                "'{unit}' không phải số đơn vị phụ thuộc 001–999"
            )));
        }
        _ => {}
    }
    ten_digit_problem(head).map(Finding::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fails(value: &str, form: Form) -> bool {
        inspect(value, form).is_some()
    }

    #[test]
    fn published_codes_pass() {
        // Codes printed on public registration records and invoices.
        assert!(!fails("0100233488", Form::Enterprise));
        assert!(!fails("0314409058-002", Form::DependentUnit));
        assert!(!fails("0314409058-002", Form::Any));
        assert!(!fails("0100233488", Form::Any));
    }

    #[test]
    fn wrong_codes_say_why() {
        let wrong = inspect("0100233480", Form::Any).unwrap();
        assert!(wrong.detail.contains("phải là 8"), "{}", wrong.detail);
        assert!(fails("010023348", Form::Any));
        assert!(fails("01002334881", Form::Any));
        assert!(fails("01A0233488", Form::Any));
        assert!(fails("0314409058-000", Form::Any));
        assert!(fails("0314409058-02", Form::Any));
        assert!(fails("0314409058-002", Form::Enterprise));
        assert!(fails("0100233488", Form::DependentUnit));
        assert!(fails("0100000000", Form::Any));
        let undashed = inspect("0314409058002", Form::Any).unwrap();
        assert_eq!(undashed.suggestion.as_deref(), Some("0314409058-002"));
    }

    proptest! {
        /// Every nine digits with a check digit give a valid code, and
        /// changing any one digit of it makes it invalid: a weighted mod-11
        /// sum with weights prime to 11 catches every single-digit error.
        #[test]
        fn single_digit_errors_are_caught(nine in proptest::array::uniform9(0u8..10), at in 0usize..10, delta in 1u8..10) {
            prop_assume!(nine[2..].iter().any(|d| *d != 0));
            if let Some(check) = check_digit(&nine) {
                let mut digits: Vec<u8> = nine.to_vec();
                digits.push(check);
                let code: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
                prop_assert!(!fails(&code, Form::Enterprise), "{}", code);
                digits[at] = (digits[at] + delta) % 10;
                let changed: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
                prop_assert!(fails(&changed, Form::Enterprise), "{} passed", changed);
            }
        }
    }
}
