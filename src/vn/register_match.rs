//! `register_match` (VN008) — the person exists in the population register
//! of the same run, and the record's name, birth date and sex agree with it.
//!
//! Why: Project 06 (Quyết định 06/QĐ-TTg, 2022) makes the National
//! Population Database the reference every sector dataset is cleaned
//! against ("đúng": agreement with the population register). Names compare
//! after Vietnamese folding — NFC, case, spacing and tone-mark placement
//! ("Hoà" = "Hòa") — because those differences are spelling, not identity.
//! The register's columns are joined to the dataset by ID inside the same
//! lazy query (a hash join, one row per ID), never looked up row by row.
//! A failure says which fields disagree and gives both values.
//!
//! ```toml
//! [[rules]]
//! id = "BT-015"
//! check = "register_match"
//! column = "so_dinh_danh"
//! dataset = "dan_cu"
//! name_column = "ho_ten"
//! birth_date_column = "ngay_sinh"
//! dimension = "dung"
//! message = "Thông tin đối tượng không khớp Cơ sở dữ liệu quốc gia về dân cư"
//! ```

use std::borrow::Cow;
use std::sync::Arc;

use polars::prelude::*;
use serde::Deserialize;

use super::fold::fold;
use super::{Cell, Finding, row_udf};
use crate::contract::{
    CheckKind, Evaluation, JoinKey, JoinPlan, ParseContext, PlanContext, RowCheck, params,
};
use crate::error::RuleError;
use crate::model::pii::{Quoted, marked};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterMatch {
    pub column: String,
    pub dataset: String,
    #[serde(default)]
    pub dataset_column: Option<String>,
    #[serde(default)]
    pub name_column: Option<String>,
    #[serde(default)]
    pub register_name_column: Option<String>,
    #[serde(default)]
    pub birth_date_column: Option<String>,
    #[serde(default)]
    pub register_birth_date_column: Option<String>,
    #[serde(default)]
    pub gender_column: Option<String>,
    #[serde(default)]
    pub register_gender_column: Option<String>,
}

/// (field label, this dataset's column, the register's column)
type Pair = (&'static str, String, String);

impl RegisterMatch {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let check: Self = params(table)?;
        ctx.known_column(&check.column)?;
        for c in [
            &check.name_column,
            &check.birth_date_column,
            &check.gender_column,
        ]
        .into_iter()
        .flatten()
        {
            ctx.known_column(c)?;
        }
        if let Some(b) = &check.birth_date_column
            && !ctx.column_type(b).is_temporal()
        {
            return Err(format!(
                "birth_date_column '{b}' must be declared as a date"
            ));
        }
        Ok(check)
    }

    fn pairs(&self) -> Vec<Pair> {
        let pair = |label, mine: &Option<String>, theirs: &Option<String>| {
            mine.as_ref().map(|m| {
                (
                    label,
                    m.clone(),
                    theirs.clone().unwrap_or_else(|| m.clone()),
                )
            })
        };
        [
            pair("họ tên", &self.name_column, &self.register_name_column),
            pair(
                "ngày sinh",
                &self.birth_date_column,
                &self.register_birth_date_column,
            ),
            pair(
                "giới tính",
                &self.gender_column,
                &self.register_gender_column,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    pub fn key(&self) -> JoinKey {
        JoinKey {
            dataset: self.dataset.clone(),
            key: self
                .dataset_column
                .clone()
                .unwrap_or_else(|| self.column.clone()),
            columns: self
                .pairs()
                .into_iter()
                .map(|(_, _, theirs)| theirs)
                .collect(),
        }
    }

    fn plan(&self, ctx: &PlanContext) -> Result<RowCheck, RuleError> {
        let key = self.key();
        let right = match ctx.lookups.frames.get(&key) {
            Some(Ok(frame)) => frame.clone(),
            Some(Err(e)) => return Err(e.clone()),
            None => {
                return Err(RuleError::DatasetNotInRun {
                    dataset: self.dataset.clone(),
                });
            }
        };
        let prefix = key.prefix();
        let right_key = format!("{prefix}{}", key.key);
        let id = ctx.raw(&self.column)?;
        let mut inputs = vec![id.clone(), col(right_key.as_str())];
        let mut labels = Vec::new();
        for (label, mine, theirs) in self.pairs() {
            let value = if label == "ngày sinh" {
                ctx.typed(&mine)?
            } else {
                ctx.raw(&mine)?
            };
            inputs.push(value);
            inputs.push(col(format!("{prefix}{theirs}").as_str()));
            labels.push(label);
        }
        let dataset = self.dataset.clone();
        let mut check = row_udf(
            inputs,
            1,
            Arc::new(move |row| {
                if row[1].is_none() {
                    return Some(Finding::new(format!(
                        "không tìm thấy số định danh trong dữ liệu {dataset}"
                    )));
                }
                // Dates compare as ISO text, whichever side is typed.
                let values: Vec<[Option<Cow<str>>; 2]> = (0..labels.len())
                    .map(|i| {
                        [
                            row[2 + 2 * i].map(Cell::text),
                            row[3 + 2 * i].map(Cell::text),
                        ]
                    })
                    .collect();
                let fields: Vec<(&str, Option<&str>, Option<&str>)> = labels
                    .iter()
                    .zip(&values)
                    .map(|(l, [mine, theirs])| (*l, mine.as_deref(), theirs.as_deref()))
                    .collect();
                inspect(&fields)
            }),
        );
        check.join = Some(JoinPlan {
            prefix,
            left_on: id,
            right_key,
            right,
        });
        Ok(check)
    }
}

impl CheckKind for RegisterMatch {
    fn columns(&self) -> Vec<String> {
        std::iter::once(self.column.clone())
            .chain(self.pairs().into_iter().map(|(_, mine, _)| mine))
            .collect()
    }

    fn evaluate(&self, ctx: &PlanContext, _applies: &Expr) -> Result<Evaluation, RuleError> {
        self.plan(ctx).map(Evaluation::from)
    }

    fn join_key(&self) -> Option<JoinKey> {
        Some(self.key())
    }
}

/// Compares (label, record value, register value) triples; values missing
/// on either side are not compared.
pub fn inspect(fields: &[(&str, Option<&str>, Option<&str>)]) -> Option<Finding> {
    let differences: Vec<String> = fields
        .iter()
        .filter_map(|(label, mine, theirs)| {
            let (mine, theirs) = ((*mine)?, (*theirs)?);
            let quoted = |v: &str| match *label {
                "họ tên" => marked(Quoted::Name, v),
                "ngày sinh" => marked(Quoted::Date, v),
                _ => v.to_string(),
            };
            (fold(mine) != fold(theirs)).then(|| {
                format!(
                    "{label} khác: '{}' (hồ sơ) ≠ '{}' (CSDL dân cư)",
                    quoted(mine),
                    quoted(theirs)
                )
            })
        })
        .collect();
    (!differences.is_empty()).then(|| Finding::new(differences.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelling_variants_agree_and_real_differences_are_named() {
        assert_eq!(
            inspect(&[("họ tên", Some("Hoàng Thị Thuỷ"), Some("hoàng  thị thủy"))]),
            None
        );
        let f = inspect(&[
            ("họ tên", Some("Lê Văn An"), Some("Lê Văn Ân")),
            ("ngày sinh", Some("1990-01-02"), Some("1990-02-01")),
        ])
        .unwrap();
        // The values are marked as personal data: shown as they are, or
        // masked, by each output.
        let shown = crate::model::pii::render(&f.detail, false);
        assert!(
            shown.contains("họ tên khác: 'Lê Văn An' (hồ sơ) ≠ 'Lê Văn Ân'"),
            "{shown}"
        );
        let masked = crate::model::pii::render(&f.detail, true);
        assert!(
            masked.contains("'Lê V. A.' (hồ sơ) ≠ 'Lê V. Â.'") && masked.contains("'1990-**-**'"),
            "{masked}"
        );
        assert!(f.detail.contains("ngày sinh khác"), "{}", f.detail);
        assert_eq!(
            inspect(&[("giới tính", None, Some("Nam"))]),
            None,
            "missing values are not compared"
        );
    }
}
