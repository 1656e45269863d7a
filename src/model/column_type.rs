//! Declared column types. Every cell is read as text; the type says how to
//! parse it, and a value that does not parse is a violation, never a crash.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ColumnType {
    String,
    Integer,
    /// Decimal number; `decimal_comma` accepts the Vietnamese "1.234,5" form.
    Decimal {
        decimal_comma: bool,
    },
    /// Calendar date with a chrono/strftime format such as `%d/%m/%Y`.
    Date {
        format: String,
    },
    Datetime {
        format: String,
    },
    /// true/false, 1/0, yes/no, có/không (case-insensitive).
    Boolean,
}

pub const TYPE_NAMES: [&str; 6] = [
    "string", "integer", "decimal", "date", "datetime", "boolean",
];

impl ColumnType {
    /// The type `column` is declared with in `columns`; text when it is not
    /// declared (a pack may list no columns at all).
    pub fn declared(columns: &indexmap::IndexMap<String, ColumnType>, column: &str) -> ColumnType {
        columns.get(column).cloned().unwrap_or(ColumnType::String)
    }

    pub fn name(&self) -> &'static str {
        match self {
            ColumnType::String => "string",
            ColumnType::Integer => "integer",
            ColumnType::Decimal { .. } => "decimal",
            ColumnType::Date { .. } => "date",
            ColumnType::Datetime { .. } => "datetime",
            ColumnType::Boolean => "boolean",
        }
    }

    pub fn is_string(&self) -> bool {
        matches!(self, ColumnType::String)
    }

    pub fn is_temporal(&self) -> bool {
        matches!(self, ColumnType::Date { .. } | ColumnType::Datetime { .. })
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, ColumnType::Integer | ColumnType::Decimal { .. })
    }

    /// Builds a type from its name and optional format; `Err` says what is wrong.
    pub fn from_parts(
        name: &str,
        format: Option<&str>,
        decimal_comma: bool,
    ) -> Result<ColumnType, String> {
        let needs_format = |default: &str| format.unwrap_or(default).to_string();
        let ty = match name {
            "string" | "text" => ColumnType::String,
            "integer" | "int" => ColumnType::Integer,
            "decimal" | "float" | "number" => ColumnType::Decimal { decimal_comma },
            "date" => ColumnType::Date {
                format: needs_format("%Y-%m-%d"),
            },
            "datetime" => ColumnType::Datetime {
                format: needs_format("%Y-%m-%d %H:%M:%S"),
            },
            "boolean" | "bool" => ColumnType::Boolean,
            other => {
                let hint = crate::error::closest(other, TYPE_NAMES)
                    .map(|s| format!("; did you mean '{s}'?"))
                    .unwrap_or_default();
                return Err(format!(
                    "unknown column type '{other}' (valid: {}){hint}",
                    TYPE_NAMES.join(", ")
                ));
            }
        };
        if let (Some(f), ColumnType::Date { .. } | ColumnType::Datetime { .. }) = (format, &ty) {
            validate_strftime(f)?;
        } else if format.is_some() {
            return Err(format!(
                "'format' applies only to date and datetime columns, not {name}"
            ));
        }
        Ok(ty)
    }
}

/// Rejects format strings chrono cannot use, at pack-load time rather than
/// mid-run.
fn validate_strftime(format: &str) -> Result<(), String> {
    use chrono::format::{Item, StrftimeItems};
    if StrftimeItems::new(format).any(|item| matches!(item, Item::Error)) {
        return Err(format!(
            "invalid date format '{format}': use strftime codes such as %d/%m/%Y or %Y-%m-%d"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_formats() {
        assert_eq!(
            ColumnType::from_parts("date", Some("%d/%m/%Y"), false),
            Ok(ColumnType::Date {
                format: "%d/%m/%Y".into()
            })
        );
        assert_eq!(
            ColumnType::from_parts("int", None, false),
            Ok(ColumnType::Integer)
        );
    }

    #[test]
    fn rejects_bad_types_and_formats() {
        let err = ColumnType::from_parts("dat", None, false).unwrap_err();
        assert!(err.contains("did you mean 'date'"), "{err}");
        assert!(ColumnType::from_parts("date", Some("%Q"), false).is_err());
        assert!(ColumnType::from_parts("integer", Some("%d"), false).is_err());
    }
}
