//! Reading one `[[indicators]]` table of a pack.

use indexmap::IndexMap;

use super::{Direction, INDICATOR_KEYS, Indicator};
use crate::error::closest;
use crate::model::ColumnType;

/// Parses one `[[indicators]]` table; `columns` are the pack's declared
/// columns, which the SQL conditions may read. Errors say what to write.
pub fn parse_indicator(
    mut table: toml::Table,
    columns: &IndexMap<String, ColumnType>,
) -> Result<Indicator, String> {
    for key in table.keys() {
        if !INDICATOR_KEYS.contains(&key.as_str()) {
            let hint = closest(key, INDICATOR_KEYS)
                .map(|s| format!("; did you mean '{s}'?"))
                .unwrap_or_default();
            return Err(format!(
                "[[indicators]]: unknown key '{key}' (valid: {}){hint}",
                INDICATOR_KEYS.join(", ")
            ));
        }
    }
    let mut text = |key: &str| -> Result<Option<String>, String> {
        match table.remove(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(Some(s)),
            Some(_) => Err(format!(
                "[[indicators]]: '{key}' must be a non-empty string"
            )),
        }
    };
    let id = text("id")?.ok_or("[[indicators]]: every indicator needs an 'id'")?;
    let need = |value: Option<String>, key: &str, what: &str| {
        value.ok_or_else(|| format!("indicator '{id}' has no '{key}': {what}"))
    };
    let name = need(text("name")?, "name", "give its name in Vietnamese")?;
    let name_en = text("name_en")?;
    let numerator = need(
        text("numerator")?,
        "numerator",
        "give the SQL condition of the rows it counts",
    )?;
    let denominator = text("denominator")?;
    let source = need(
        text("source")?,
        "source",
        "cite the legal or policy source of the indicator and its target",
    )?;
    let direction = match text("direction")?.as_deref() {
        Some("higher") => Direction::Higher,
        Some("lower") => Direction::Lower,
        Some(other) => {
            return Err(format!(
                "indicator '{id}': unknown direction '{other}' (valid: higher, lower)"
            ));
        }
        None => {
            return Err(format!(
                "indicator '{id}' has no 'direction': say whether higher or lower is better"
            ));
        }
    };
    let target = match table.remove("target") {
        None => None,
        Some(value) => {
            let t = value
                .as_float()
                .or_else(|| value.as_integer().map(|i| i as f64))
                .filter(|t| (0.0..=1.0).contains(t))
                .ok_or_else(|| {
                    format!("indicator '{id}': target must be a share between 0 and 1 (e.g. 0.8)")
                })?;
            Some(t)
        }
    };
    for (key, sql) in [
        ("numerator", Some(&numerator)),
        ("denominator", denominator.as_ref()),
    ] {
        if let Some(sql) = sql {
            let _ = crate::checks::expr::parse_sql_condition(sql, columns)
                .map_err(|m| format!("indicator '{id}': {key}: {m}"))?;
        }
    }
    Ok(Indicator {
        id,
        name,
        name_en,
        numerator,
        denominator,
        direction,
        target,
        source,
        line: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> IndexMap<String, ColumnType> {
        let mut c = IndexMap::new();
        c.insert("hinh_thuc_chi".to_string(), ColumnType::String);
        c
    }

    fn parse(text: &str) -> Result<Indicator, String> {
        parse_indicator(text.parse::<toml::Table>().unwrap(), &columns())
    }

    #[test]
    fn a_full_indicator_parses() {
        let i = parse(
            r#"
id = "X1"
name = "Tỷ lệ chi trả không dùng tiền mặt"
numerator = "hinh_thuc_chi = 'tai_khoan'"
direction = "higher"
target = 0.8
source = "QĐ 06/QĐ-TTg"
"#,
        )
        .unwrap();
        assert_eq!(i.direction, Direction::Higher);
        assert_eq!(i.target, Some(0.8));
        assert!(i.denominator.is_none());
    }

    #[test]
    fn mistakes_are_named() {
        let base = r#"id = "X1"
name = "n"
numerator = "hinh_thuc_chi = 'a'"
source = "s"
"#;
        let err = parse(&format!("{base}direction = \"up\"")).unwrap_err();
        assert!(err.contains("unknown direction 'up'"), "{err}");
        let err = parse(base).unwrap_err();
        assert!(err.contains("no 'direction'"), "{err}");
        let err = parse(&format!("{base}direction = \"lower\"\ntarget = 5")).unwrap_err();
        assert!(err.contains("share between 0 and 1"), "{err}");
        let err = parse(&format!("{base}direction = \"lower\"\ntarjet = 0.5")).unwrap_err();
        assert!(err.contains("did you mean 'target'"), "{err}");
        let err = parse(
            r#"id = "X1"
name = "n"
numerator = "hinh_thuc = 'a'"
direction = "lower"
source = "s""#,
        )
        .unwrap_err();
        assert!(err.contains("did you mean 'hinh_thuc_chi'"), "{err}");
        let err = parse("id = \"X1\"\nname = \"n\"\ndirection = \"lower\"").unwrap_err();
        assert!(err.contains("no 'numerator'"), "{err}");
    }
}
