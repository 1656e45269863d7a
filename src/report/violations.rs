//! `violations/<dataset>.csv`: one row per failing (row, rule), UTF-8 with a
//! BOM so Excel opens Vietnamese text correctly, values neutralised against
//! formula injection.

use std::io::Write;
use std::path::Path;

use crate::engine::Violations;
use crate::error::UsageError;

use super::atomic::write_atomic;
use super::cell::neutralise_formula;

pub const HEADER: [&str; 11] = [
    "line",
    "key",
    "rule",
    "code",
    "dimension",
    "severity",
    "column",
    "value",
    "message",
    "detail",
    "suggestion",
];

/// Writes the file and returns the number of violations in it.
pub fn write_csv(path: &Path, violations: &Violations, mask: bool) -> Result<u64, UsageError> {
    write_atomic(path, |out| {
        out.write_all(b"\xEF\xBB\xBF")?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(HEADER)?;
        let count = violations.try_for_each(mask, |v| {
            let line = v.line.map(|l| l.to_string()).unwrap_or_default();
            w.write_record([
                line.as_str(),
                &neutralise_formula(&v.key),
                &v.rule.id,
                v.rule.check.code(),
                v.rule.dimension.key(),
                match v.rule.severity {
                    crate::pack::Severity::Warn => "warn",
                    crate::pack::Severity::Error => "error",
                },
                &v.column,
                &neutralise_formula(&v.value),
                &neutralise_formula(&v.message),
                &neutralise_formula(v.detail.as_deref().unwrap_or("")),
                &neutralise_formula(v.suggestion.as_deref().unwrap_or("")),
            ])
        })?;
        w.flush()?;
        Ok(count)
    })
}
