//! `reference` (DQ011) — the value exists (or must not exist) in a column of
//! another dataset of the same run.
//!
//! Why: Project 06 links every sector to the National Population Database by
//! the personal ID. A beneficiary whose ID is not in the population register
//! cannot be verified (`mode = "exists"`); a beneficiary who appears among
//! the death registrations is still being paid after death
//! (`mode = "absent"`, a sống violation). The other dataset's distinct
//! values are computed once and matched with a hash-based `is_in` inside
//! the same lazy query, never row by row. If the other dataset is not part
//! of the run the rule reports an error instead of guessing.
//!
//! ```toml
//! [[rules]]
//! id = "BTXH-030"
//! check = "reference"
//! column = "so_dinh_danh"
//! dataset = "khai_tu"
//! dataset_column = "so_dinh_danh"
//! mode = "absent"
//! dimension = "song"
//! message = "Đối tượng đã có đăng ký khai tử nhưng vẫn đang hưởng trợ cấp"
//! ```

use polars::prelude::*;
use serde::Deserialize;

use crate::contract::{
    CheckKind, Evaluation, LookupKey, ParseContext, PlanContext, params, when_present,
};
use crate::error::RuleError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Exists,
    Absent,
}

#[derive(Debug, Clone)]
pub struct Reference {
    pub column: String,
    pub dataset: String,
    pub dataset_column: String,
    pub mode: Mode,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    column: String,
    dataset: String,
    #[serde(default)]
    dataset_column: Option<String>,
    #[serde(default)]
    mode: Option<Mode>,
}

impl Reference {
    pub fn parse(table: toml::Table, ctx: &ParseContext) -> Result<Self, String> {
        let p: Params = params(table)?;
        ctx.known_column(&p.column)?;
        Ok(Reference {
            dataset_column: p.dataset_column.unwrap_or_else(|| p.column.clone()),
            column: p.column,
            dataset: p.dataset,
            mode: p.mode.unwrap_or(Mode::Exists),
        })
    }

    pub fn lookup_key(&self) -> LookupKey {
        LookupKey {
            dataset: self.dataset.clone(),
            column: self.dataset_column.clone(),
        }
    }

    fn plan(&self, ctx: &PlanContext) -> Result<Expr, RuleError> {
        let value = ctx.raw(&self.column)?;
        let values = match ctx.lookups.values.get(&self.lookup_key()) {
            Some(Ok(series)) => series.clone(),
            Some(Err(e)) => return Err(e.clone()),
            None => {
                return Err(RuleError::DatasetNotInRun {
                    dataset: self.dataset.clone(),
                });
            }
        };
        let found = value.clone().is_in(lit(values).implode(false), false);
        Ok(when_present(
            value,
            if self.mode == Mode::Exists {
                found.not()
            } else {
                found
            },
        ))
    }
}

impl CheckKind for Reference {
    fn columns(&self) -> Vec<String> {
        vec![self.column.clone()]
    }

    fn evaluate(&self, ctx: &PlanContext, _applies: &Expr) -> Result<Evaluation, RuleError> {
        self.plan(ctx).map(Evaluation::from)
    }

    fn lookup(&self) -> Option<LookupKey> {
        Some(self.lookup_key())
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::*;

    #[test]
    fn exists_and_absent_modes() {
        let register = &["001", "002"];
        let exists = outcomes_with_lookup(
            "id = \"string\"",
            "check = \"reference\"\ncolumn = \"id\"\ndataset = \"dan_cu\"",
            &[("id", &["001", "003", ""])],
            ("dan_cu", "id", register),
        );
        assert_eq!(exists, vec![Some(false), Some(true), None]);
        let absent = outcomes_with_lookup(
            "id = \"string\"",
            "check = \"reference\"\ncolumn = \"id\"\ndataset = \"dan_cu\"\nmode = \"absent\"",
            &[("id", &["001", "003"])],
            ("dan_cu", "id", register),
        );
        assert_eq!(absent, vec![Some(true), Some(false)]);
    }
}
