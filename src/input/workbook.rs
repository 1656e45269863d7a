//! Excel and OpenDocument workbooks (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`,
//! `.ods`) read as the engine's all-text [`Table`], with calamine.
//!
//! Every cell becomes the text the officer sees where that is well-defined —
//! a whole number without `.0`, a date cell in the column's declared date
//! format (ISO otherwise), `TRUE`/`FALSE` — and the cell's type is kept long
//! enough to report what Excel did to it ([`RowDefect::ExcelCell`], PH007,
//! with the cell's address): a text column holding numbers (a personal ID
//! or a code that lost its leading zero) or dates, a date column mixing
//! date cells and text, a formula whose cached value is an error, a merged
//! cell. Each row's line is its row number in the sheet, so a finding points
//! at `Sheet!A7`. Hidden sheets are reported, never silently read or
//! skipped. A workbook is read whole: Excel holds at most 1,048,576 rows.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use calamine::{Data, Reader, SheetVisible};
use polars::prelude::*;

use super::csv_table::{Problem, ProblemKind, Table, defects_column, is_missing};
use crate::error::ReadError;
use crate::model::{ColumnType, RowDefect};

/// What a pack says about reading its workbooks.
pub struct WorkbookOptions<'a> {
    /// The sheet to read (default: the first).
    pub sheet: Option<&'a str>,
    /// The 1-based row holding the column names.
    pub header_row: u32,
    /// The declared column types (date cells are written in their format).
    pub columns: &'a indexmap::IndexMap<String, ColumnType>,
    pub missing_values: &'a [String],
    /// The pack's file, named in messages about its settings.
    pub pack_file: &'a Path,
}

/// Extensions read as workbooks.
pub const WORKBOOK_EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// Findings kept with their message; the rest are counted.
const PROBLEMS_KEPT: usize = super::csv_table::MAX_PROBLEMS_KEPT;

/// Whether `path` is read as a workbook (by its extension).
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| WORKBOOK_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads the sheet the pack names (`[dataset] sheet`, else the first one)
/// with its header on `[dataset] header_row` (1-based, default 1).
pub fn read_workbook(path: &Path, options: &WorkbookOptions) -> Result<Table, ReadError> {
    let fail = |message: String| ReadError::Workbook {
        path: path.to_path_buf(),
        message,
    };
    let bytes = std::fs::metadata(path)
        .map_err(|source| ReadError::Io {
            path: path.to_path_buf(),
            source,
        })?
        .len();
    let mut workbook = calamine::open_workbook_auto(path).map_err(|e| {
        fail(format!(
            "{e}. Is it a workbook (not renamed, not password-protected, not truncated)? Open it in Excel, \
             save it again as .xlsx, or export the sheet as \"CSV UTF-8\""
        ))
    })?;
    let sheets = workbook.sheets_metadata().to_vec();
    let sheet = match options.sheet {
        Some(name) => sheets.iter().find(|s| s.name == name).ok_or_else(|| {
            let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
            fail(format!(
                "no sheet named '{name}' (sheets: {}); set [dataset] sheet in {} to one of them",
                names.join(", "),
                options.pack_file.display()
            ))
        })?,
        None => sheets
            .first()
            .ok_or_else(|| fail("the workbook has no sheets".into()))?,
    }
    .clone();
    let mut problems = Vec::new();
    for other in &sheets {
        if other.visible != SheetVisible::Visible {
            let what = if other.name == sheet.name {
                "is hidden; it was read because it is the sheet the pack names (or the first one)"
            } else {
                "is hidden and was not read; unhide it and check whether it holds rows of this export"
            };
            problems.push(Problem {
                line: 0,
                message: format!("sheet '{}' {what}", other.name),
                kind: ProblemKind::Notice,
            });
        }
    }
    let range = workbook
        .worksheet_range(&sheet.name)
        .map_err(|e| fail(format!("sheet '{}': {e}", sheet.name)))?;
    let merged = match &mut workbook {
        calamine::Sheets::Xlsx(x) => x
            .worksheet_merge_cells(&sheet.name)
            .and_then(Result::ok)
            .unwrap_or_default(),
        calamine::Sheets::Xls(x) => x.worksheet_merge_cells(&sheet.name).unwrap_or_default(),
        _ => vec![],
    };
    let mut table =
        sheet_table(&sheet.name, &range, &merged, options, &mut problems).map_err(fail)?;
    table.bytes = bytes;
    table.encoding = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("xlsx")
        .to_ascii_lowercase();
    Ok(table)
}

/// One sheet's cells as a table.
fn sheet_table(
    sheet: &str,
    range: &calamine::Range<Data>,
    merged: &[calamine::Dimensions],
    options: &WorkbookOptions,
    problems: &mut Vec<Problem>,
) -> Result<Table, String> {
    let header_row = options.header_row.max(1);
    let (top, left) = range.start().unwrap_or((0, 0));
    let (height, width) = range.get_size();
    // Absolute (0-based) row index of the header.
    let header_at = header_row - 1;
    if header_at < top || header_at >= top + height as u32 {
        return Err(format!(
            "sheet '{sheet}': row {header_row} (the header row) is empty; set [dataset] header_row in {} to the \
             row holding the column names",
            options.pack_file.display()
        ));
    }
    let cell = |row: u32, col: usize| range.get(((row - top) as usize, col));
    let mut header = Vec::with_capacity(width);
    for col in 0..width {
        let name = cell(header_at, col)
            .map(|c| c.to_string().trim().to_string())
            .unwrap_or_default();
        let name = if name.is_empty() {
            let generated = format!("cot_{}", column_letter(left + col as u32));
            problems.push(Problem {
                line: u64::from(header_row),
                message: format!(
                    "{sheet}!{}{header_row}: the column has no name; it was named {generated}",
                    column_letter(left + col as u32)
                ),
                kind: ProblemKind::Header,
            });
            generated
        } else {
            name
        };
        header.push(name);
    }
    let types: Vec<ColumnType> = header
        .iter()
        .map(|h| ColumnType::declared(options.columns, h))
        .collect();
    let missing: Vec<&str> = options.missing_values.iter().map(|m| m.trim()).collect();
    // A date column holding both date cells and text: the fewer kind is the
    // damage (text among dates, or dates Excel converted among text).
    let mixed_dates: Vec<Option<DateKind>> = (0..width)
        .map(|col| {
            if !matches!(
                types[col],
                ColumnType::Date { .. } | ColumnType::Datetime { .. }
            ) {
                return None;
            }
            let (mut dates, mut texts) = (0u64, 0u64);
            for r in header_at + 1..top + height as u32 {
                match cell(r, col) {
                    Some(Data::DateTime(_) | Data::DateTimeIso(_)) => dates += 1,
                    Some(Data::String(s)) if !s.trim().is_empty() => texts += 1,
                    _ => {}
                }
            }
            match (dates, texts) {
                (0, _) | (_, 0) => None,
                (d, t) if d < t => Some(DateKind::DateCell),
                _ => Some(DateKind::Text),
            }
        })
        .collect();

    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::new(); width];
    let mut lines = Vec::new();
    let mut defects = Vec::new();
    let mut problem_count = 0u64;
    let mut note = |problems: &mut Vec<Problem>, line: u64, message: String| {
        problem_count += 1;
        if problems.len() < PROBLEMS_KEPT {
            problems.push(Problem {
                line,
                message,
                kind: ProblemKind::Row(RowDefect::ExcelCell),
            });
        }
    };
    // The rows merged ranges cover, and each range's message on its first row.
    let mut merged_rows: HashSet<u32> = HashSet::new();
    let mut merged_notes: HashMap<u32, Vec<String>> = HashMap::new();
    for region in merged.iter().filter(|r| r.start != r.end) {
        merged_rows.extend(region.start.0..=region.end.0);
        let from = format!("{}{}", column_letter(region.start.1), region.start.0 + 1);
        let to = format!("{}{}", column_letter(region.end.1), region.end.0 + 1);
        merged_notes.entry(region.start.0).or_default().push(format!(
            "{sheet}!{from}:{to} is a merged cell: only its first cell holds the value, the others read as \
             empty; unmerge it and fill every cell"
        ));
    }
    for row in header_at + 1..top + height as u32 {
        let excel_row = u64::from(row) + 1;
        let cells: Vec<&Data> = (0..width)
            .map(|c| cell(row, c).unwrap_or(&Data::Empty))
            .collect();
        if cells.iter().all(|c| matches!(c, Data::Empty)) {
            continue; // a blank row is not a record
        }
        let mut marked = false;
        for (col, data) in cells.iter().enumerate() {
            let address = format!("{sheet}!{}{excel_row}", column_letter(left + col as u32));
            let (text, damage) = cell_text(data, &types[col], mixed_dates[col]);
            if let Some(damage) = damage {
                marked = true;
                note(problems, excel_row, format!("{address}: {damage}"));
            }
            columns[col].push(text.filter(|t| !is_missing(t, &missing)));
        }
        if merged_rows.contains(&row) {
            marked = true;
        }
        for message in merged_notes.get(&row).into_iter().flatten() {
            note(problems, excel_row, message.clone());
        }
        lines.push(excel_row);
        defects.push(if marked {
            RowDefect::ExcelCell.bit()
        } else {
            0
        });
    }
    let rows = lines.len();
    let mut frame_columns: Vec<Column> = header
        .iter()
        .zip(columns)
        .map(|(name, values)| {
            StringChunked::from_iter_options(name.as_str().into(), values.into_iter()).into_column()
        })
        .collect();
    frame_columns.push(defects_column(defects));
    let frame = DataFrame::new(rows, frame_columns).map_err(|e| e.to_string())?;
    let problem_count = problem_count
        + problems
            .iter()
            .filter(|p| !matches!(p.kind, ProblemKind::Row(_)))
            .count() as u64;
    Ok(Table {
        frame,
        header,
        lines,
        problems: std::mem::take(problems),
        problem_count,
        delimiter: b',',
        encoding: String::new(),
        bytes: 0,
    })
}

/// Which kind of cell is the odd one out in a date column holding both.
#[derive(Debug, Clone, Copy, PartialEq)]
enum DateKind {
    /// Date cells among text dates.
    DateCell,
    /// Text among date cells.
    Text,
}

/// A cell's text, and what Excel did to it when it is damage.
fn cell_text(
    data: &Data,
    declared: &ColumnType,
    odd_dates: Option<DateKind>,
) -> (Option<String>, Option<String>) {
    let is_text = matches!(declared, ColumnType::String);
    match data {
        Data::Empty => (None, None),
        Data::String(s) => {
            let damage = (odd_dates == Some(DateKind::Text) && !s.trim().is_empty()).then(|| {
                format!(
                    "'{s}' is text in a column of date cells: the column holds two kinds of dates; enter it as \
                     a date like the others"
                )
            });
            (Some(s.clone()), damage)
        }
        Data::Int(i) => {
            let text = i.to_string();
            let damage = is_text.then(|| stored_as_number(&text));
            (Some(text), damage)
        }
        Data::Float(f) => {
            let text = number_text(*f);
            let damage = is_text.then(|| stored_as_number(&text));
            (Some(text), damage)
        }
        Data::Bool(b) => (Some(if *b { "TRUE" } else { "FALSE" }.into()), None),
        Data::DateTime(dt) => {
            let Some(value) = dt.as_datetime() else {
                return (None, Some(format!("a date cell out of range ({dt})")));
            };
            let text = match declared {
                ColumnType::Date { format } | ColumnType::Datetime { format } => {
                    value.format(format).to_string()
                }
                _ if value.time() == chrono::NaiveTime::MIN => value.date().to_string(),
                _ => value.format("%Y-%m-%d %H:%M:%S").to_string(),
            };
            let damage = if is_text {
                Some(format!(
                    "Excel turned this value into a date ({text}); format the column as Text and type the value \
                     again"
                ))
            } else {
                (odd_dates == Some(DateKind::DateCell)).then(|| {
                    format!(
                        "a date cell ({text}) in a column of dates typed as text: the column holds two kinds of \
                         dates; type them all the same way"
                    )
                })
            };
            (Some(text), damage)
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => (Some(s.clone()), None),
        Data::Error(e) => (
            None,
            Some(format!(
                "the formula's value is the error {e}: read as missing; correct the formula or replace it by its value"
            )),
        ),
    }
}

fn stored_as_number(text: &str) -> String {
    format!(
        "stored as a number ({text}): an ID or code loses its leading zero and long ones are rounded; format the \
         column as Text and type the value again"
    )
}

/// A number as Excel shows it in General format, without the exponent: a
/// whole number without `.0`.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

/// `A`, `B`, … `Z`, `AA`, … for a 0-based column index.
pub fn column_letter(mut col: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_excel() {
        let letters: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702]
            .into_iter()
            .map(column_letter)
            .collect();
        assert_eq!(
            letters,
            ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]
        );
    }

    #[test]
    fn a_number_in_a_text_column_is_damage_and_shown_whole() {
        let (text, damage) = cell_text(&Data::Float(12345678901.0), &ColumnType::String, None);
        assert_eq!(text.as_deref(), Some("12345678901"));
        assert!(damage.unwrap().contains("leading zero"));
        let (text, damage) = cell_text(&Data::Float(2.5), &ColumnType::Integer, None);
        assert_eq!((text.as_deref(), damage), (Some("2.5"), None));
        let (text, damage) = cell_text(&Data::Int(7), &ColumnType::Integer, None);
        assert_eq!((text.as_deref(), damage), (Some("7"), None));
    }

    #[test]
    fn an_error_value_is_missing_and_reported() {
        let (text, damage) = cell_text(
            &Data::Error(calamine::CellErrorType::NA),
            &ColumnType::String,
            None,
        );
        assert_eq!(text, None);
        assert!(damage.unwrap().contains("#N/A"));
    }

    #[test]
    fn the_odd_kind_of_date_is_damage_and_date_cells_take_the_declared_format() {
        let date = ColumnType::Date {
            format: "%d/%m/%Y".into(),
        };
        let text = Data::String("05/06/2020".into());
        assert!(cell_text(&text, &date, Some(DateKind::Text)).1.is_some());
        assert!(
            cell_text(&text, &date, Some(DateKind::DateCell))
                .1
                .is_none()
        );
        assert!(cell_text(&text, &date, None).1.is_none());
        // 43987 = 2020-06-05 in Excel's 1900 date system.
        let serial = Data::DateTime(calamine::ExcelDateTime::new(
            43987.0,
            calamine::ExcelDateTimeType::DateTime,
            false,
        ));
        let (shown, damage) = cell_text(&serial, &date, Some(DateKind::DateCell));
        assert_eq!(shown.as_deref(), Some("05/06/2020"));
        assert!(damage.is_some());
        assert!(cell_text(&serial, &date, Some(DateKind::Text)).1.is_none());
    }
}
