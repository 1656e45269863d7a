//! `cmnd_outdated` (VN002) — a legacy 9-digit identity-card number (CMND)
//! is still used as the person's identifier.
//!
//! Source: Luật Căn cước 2023 Điều 46 — every CMND expired on 31/12/2024;
//! records must carry the 12-digit personal identification number. This is a
//! sống (live) problem: the record was right once and is now out of date.
//! Pair it with `cccd` and `accept_cmnd = true` so a CMND is flagged here
//! as outdated rather than there as malformed. Before 01/01/2025 (by the
//! run's as-of date) a CMND is still in force and passes.
//!
//! ```toml
//! [[rules]]
//! id = "BT-013"
//! check = "cmnd_outdated"
//! column = "so_dinh_danh"
//! dimension = "song"
//! message = "Hồ sơ còn dùng số CMND đã hết hiệu lực"
//! ```

use std::sync::Arc;

use chrono::NaiveDate;
use polars::prelude::Expr;
use serde::Deserialize;

use super::{Cell, Finding, row_udf};
use crate::contract::{CheckKind, Evaluation, ParseContext, PlanContext, RowCheck, params};
use crate::error::RuleError;

/// Last day a CMND was valid (Luật Căn cước 2023 Điều 46).
pub const CMND_LAST_VALID: (i32, u32, u32) = (2024, 12, 31);

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CmndOutdated {
    pub column: String,
}

impl CmndOutdated {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let check: Self = params(table)?;
        ctx.known_column(&check.column)?;
        Ok(check)
    }

    fn plan(&self, ctx: &PlanContext) -> Result<RowCheck, RuleError> {
        let as_of = ctx.as_of;
        Ok(row_udf(
            vec![ctx.raw(&self.column)?],
            1,
            Arc::new(move |row| inspect(row[0].and_then(Cell::as_str).unwrap_or(""), as_of)),
        ))
    }
}

impl CheckKind for CmndOutdated {
    fn columns(&self) -> Vec<String> {
        vec![self.column.clone()]
    }

    fn evaluate(&self, ctx: &PlanContext, _applies: &Expr) -> Result<Evaluation, RuleError> {
        self.plan(ctx).map(Evaluation::from)
    }
}

pub fn inspect(value: &str, as_of: NaiveDate) -> Option<Finding> {
    let v = value.trim();
    let last = NaiveDate::from_ymd_opt(CMND_LAST_VALID.0, CMND_LAST_VALID.1, CMND_LAST_VALID.2)
        .expect("date");
    (v.len() == 9 && v.bytes().all(|b| b.is_ascii_digit()) && as_of > last).then(|| {
        Finding::new("số CMND 9 chữ số đã hết hiệu lực từ 01/01/2025 (Luật Căn cước 2023, Điều 46); cần thay bằng số định danh cá nhân 12 số")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmnd_is_outdated_from_2025() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(inspect("012345678", d("2025-01-01")).is_some());
        assert!(inspect("012345678", d("2024-12-31")).is_none());
        assert!(inspect("001085123456", d("2026-01-01")).is_none());
        assert!(inspect("01234567", d("2026-01-01")).is_none());
    }
}
