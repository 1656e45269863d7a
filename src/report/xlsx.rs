//! `violations.xlsx`: the failures of every dataset in one workbook for the
//! officers who fix records in Excel. A summary sheet (dataset × rule with
//! counts), then one sheet per dataset with one row per failure — frozen
//! header, autofilter, column widths set. A dataset with more failures than
//! a sheet holds (Excel: 1 048 576 rows) continues on `name (2)`, `name (3)`…
//!
//! Worksheets are written in constant-memory mode (rows stream to a
//! temporary file), so a million failures do not sit in memory twice.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::Path;

use rust_xlsxwriter::{DocProperties, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::Lang;
use super::cell::workbook_cell;
use super::violations::DatasetViolations;
use crate::atomic::write_atomic;
use crate::error::UsageError;
use crate::results::{DatasetResult, RuleStatus};

/// Data rows per sheet: Excel's 1 048 576 rows less the header.
pub const EXCEL_DATA_ROWS: u32 = 1_048_575;

pub struct XlsxOptions {
    pub mask: bool,
    pub lang: Lang,
    /// Data rows per sheet before a dataset continues on the next sheet.
    pub rows_per_sheet: u32,
    /// The run's id, kept in the workbook's custom property `ddss-run-id`.
    pub run_id: String,
    /// The output folder, where a `ddss fix` run's change logs are (their
    /// rows become the "Thay đổi" sheet).
    pub out_dir: Option<std::path::PathBuf>,
}

impl Default for XlsxOptions {
    fn default() -> Self {
        XlsxOptions {
            mask: false,
            lang: Lang::Vi,
            rows_per_sheet: EXCEL_DATA_ROWS,
            run_id: String::new(),
            out_dir: None,
        }
    }
}

/// (header, width in characters) of the summary sheet.
fn summary_columns(lang: Lang) -> [(&'static str, f64); 11] {
    match lang {
        Lang::Vi => [
            ("Bộ dữ liệu", 18.0),
            ("Quy tắc", 10.0),
            ("Mã kiểm tra", 10.0),
            ("Tiêu chí", 9.0),
            ("Mức độ", 8.0),
            ("Nội dung", 60.0),
            ("Số bản ghi kiểm tra", 12.0),
            ("Số lỗi", 10.0),
            ("Tỷ lệ đạt", 10.0),
            ("Ngưỡng", 9.0),
            ("Kết quả", 10.0),
        ],
        Lang::En => [
            ("Dataset", 18.0),
            ("Rule", 10.0),
            ("Check code", 10.0),
            ("Dimension", 10.0),
            ("Severity", 8.0),
            ("Message", 60.0),
            ("Evaluated", 12.0),
            ("Failed", 10.0),
            ("Pass rate", 10.0),
            ("Threshold", 9.0),
            ("Status", 10.0),
        ],
    }
}

fn failure_columns(lang: Lang) -> [(&'static str, f64); 9] {
    match lang {
        Lang::Vi => [
            ("Dòng", 8.0),
            ("Khóa bản ghi", 16.0),
            ("Quy tắc", 10.0),
            ("Tiêu chí", 9.0),
            ("Cột", 18.0),
            ("Giá trị", 24.0),
            ("Đề xuất sửa", 24.0),
            ("Nội dung lỗi", 50.0),
            ("Chi tiết", 40.0),
        ],
        Lang::En => [
            ("Line", 8.0),
            ("Record key", 16.0),
            ("Rule", 10.0),
            ("Dimension", 10.0),
            ("Column", 18.0),
            ("Value", 24.0),
            ("Suggested fix", 24.0),
            ("Message", 50.0),
            ("Detail", 40.0),
        ],
    }
}

/// Writes the workbook atomically. `datasets` pairs each dataset's results
/// with its failures (`None` when the file could not be read).
pub fn write_xlsx(
    path: &Path,
    datasets: &[(&DatasetResult, Option<&DatasetViolations<'_>>)],
    options: &XlsxOptions,
) -> Result<(), UsageError> {
    let built = crate::timings::phase("reports: workbook built");
    let bytes = build(datasets, options).map_err(|e| UsageError::Output {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    drop(built);
    let _written = crate::timings::phase("reports: workbook written (fsync)");
    write_atomic(path, |w| w.write_all(&bytes))
}

fn build(
    datasets: &[(&DatasetResult, Option<&DatasetViolations<'_>>)],
    options: &XlsxOptions,
) -> Result<Vec<u8>, XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_background_color("#DDE5F0")
        .set_align(FormatAlign::Top)
        .set_text_wrap();
    let percent = Format::new().set_num_format("0.0%");
    let mut workbook = Workbook::new();
    // Deflate at the default level 6 was ~8% of a 1 M-row run (perf); level 1
    // writes ~2× faster for a somewhat larger file.
    workbook.set_zip_compression_level(1);
    workbook.set_properties(
        &DocProperties::new().set_custom_property("ddss-run-id", options.run_id.as_str()),
    );
    let mut names = SheetNames::default();

    let summary = workbook.add_worksheet();
    summary.set_name(names.next(match options.lang {
        Lang::Vi => "Tổng hợp",
        Lang::En => "Summary",
    }))?;
    let columns = summary_columns(options.lang);
    write_header(summary, &columns, &header)?;
    let mut row = 0;
    for (dataset, _) in datasets {
        for rule in &dataset.rules {
            row += 1;
            let message = match (options.lang, &rule.message_en) {
                (Lang::En, Some(en)) => en.as_str(),
                _ => rule.message.as_str(),
            };
            summary.write_string(row, 0, workbook_cell(&dataset.name))?;
            summary.write_string(row, 1, workbook_cell(&rule.id))?;
            summary.write_string(row, 2, workbook_cell(&rule.code))?;
            summary.write_string(row, 3, dimension_label(rule.dimension, options.lang))?;
            summary.write_string(row, 4, severity_key(rule.severity))?;
            summary.write_string(row, 5, workbook_cell(message))?;
            summary.write_number(row, 6, rule.evaluated as f64)?;
            summary.write_number(row, 7, rule.failed as f64)?;
            if let Some(rate) = rule.pass_rate {
                summary.write_number_with_format(row, 8, rate, &percent)?;
            }
            summary.write_number_with_format(row, 9, rule.threshold, &percent)?;
            summary.write_string(row, 10, status_label(rule.status, options.lang))?;
        }
    }
    summary.autofilter(0, 0, row.max(1), columns.len() as u16 - 1)?;
    changes_sheet(&mut workbook, &mut names, datasets, options, &header)?;

    let columns = failure_columns(options.lang);
    for (dataset, violations) in datasets {
        let Some(violations) = violations else {
            continue;
        };
        let mut part = 1;
        let mut sheet_index = new_failure_sheet(
            &mut workbook,
            &mut names,
            &dataset.name,
            part,
            &columns,
            &header,
        )?;
        let mut row: u32 = 0;
        violations.try_for_each(options.mask, |v| -> Result<(), XlsxError> {
            if row == options.rows_per_sheet {
                finish_sheet(
                    workbook.worksheet_from_index(sheet_index)?,
                    row,
                    columns.len(),
                )?;
                part += 1;
                sheet_index = new_failure_sheet(
                    &mut workbook,
                    &mut names,
                    &dataset.name,
                    part,
                    &columns,
                    &header,
                )?;
                row = 0;
            }
            row += 1;
            let sheet = workbook.worksheet_from_index(sheet_index)?;
            if let Some(line) = v.line {
                sheet.write_number(row, 0, line as f64)?;
            }
            sheet.write_string(row, 1, workbook_cell(&v.key))?;
            sheet.write_string(row, 2, workbook_cell(&v.rule.id))?;
            sheet.write_string(row, 3, dimension_label(v.rule.dimension, options.lang))?;
            sheet.write_string(row, 4, workbook_cell(&v.column))?;
            sheet.write_string(row, 5, workbook_cell(&v.value))?;
            sheet.write_string(row, 6, workbook_cell(v.suggestion.as_deref().unwrap_or("")))?;
            let message = match (options.lang, &v.rule.message_en) {
                (Lang::En, Some(en)) => en.as_str(),
                _ => &v.message,
            };
            sheet.write_string(row, 7, workbook_cell(message))?;
            sheet.write_string(row, 8, workbook_cell(v.detail.as_deref().unwrap_or("")))?;
            Ok(())
        })?;
        finish_sheet(
            workbook.worksheet_from_index(sheet_index)?,
            row,
            columns.len(),
        )?;
    }
    let _zip = crate::timings::phase("reports: workbook zipped");
    workbook.save_to_buffer()
}

/// In a `ddss fix` run, the change logs of every dataset on one sheet, for
/// the officials who sign the cleaned data off.
fn changes_sheet(
    workbook: &mut Workbook,
    names: &mut SheetNames,
    datasets: &[(&DatasetResult, Option<&DatasetViolations<'_>>)],
    options: &XlsxOptions,
    header: &Format,
) -> Result<(), XlsxError> {
    let Some(out_dir) = &options.out_dir else {
        return Ok(());
    };
    let logs: Vec<(&str, std::path::PathBuf)> = datasets
        .iter()
        .filter_map(|(d, _)| {
            let file = d.fix.as_ref()?.changes_file.as_ref()?;
            Some((d.name.as_str(), out_dir.join(file)))
        })
        .collect();
    if logs.is_empty() {
        return Ok(());
    }
    let columns: [(&str, f64); 8] = match options.lang {
        Lang::Vi => [
            ("Bộ dữ liệu", 18.0),
            ("Dòng", 8.0),
            ("Khóa", 16.0),
            ("Cột", 16.0),
            ("Giá trị cũ", 28.0),
            ("Giá trị mới", 28.0),
            ("Quy tắc", 10.0),
            ("Cách sửa", 14.0),
        ],
        Lang::En => [
            ("Dataset", 18.0),
            ("Line", 8.0),
            ("Key", 16.0),
            ("Column", 16.0),
            ("Before", 28.0),
            ("After", 28.0),
            ("Rule", 10.0),
            ("Fix", 14.0),
        ],
    };
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(names.next(match options.lang {
        Lang::Vi => "Thay đổi",
        Lang::En => "Changes",
    }))?;
    write_header(sheet, &columns, header)?;
    let mut row: u32 = 0;
    for (dataset, path) in logs {
        let Ok(mut reader) = csv::Reader::from_path(&path) else {
            continue;
        };
        for record in reader.records().flatten() {
            if row == options.rows_per_sheet {
                break;
            }
            row += 1;
            sheet.write_string(row, 0, workbook_cell(dataset))?;
            if let Ok(line) = record.get(0).unwrap_or("").parse::<u64>() {
                sheet.write_number(row, 1, line as f64)?;
            }
            for (i, field) in record.iter().enumerate().skip(1).take(6) {
                sheet.write_string(row, i as u16 + 1, workbook_cell(field))?;
            }
        }
    }
    finish_sheet(sheet, row, columns.len())
}

/// Adds a failures sheet with its header; returns its index.
fn new_failure_sheet(
    workbook: &mut Workbook,
    names: &mut SheetNames,
    dataset: &str,
    part: u32,
    columns: &[(&str, f64)],
    header: &Format,
) -> Result<usize, XlsxError> {
    let base = if part == 1 {
        dataset.to_string()
    } else {
        format!("{dataset} ({part})")
    };
    let name = names.next(&base);
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(name)?;
    write_header(sheet, columns, header)?;
    Ok(workbook.worksheets().len() - 1)
}

fn write_header(
    sheet: &mut Worksheet,
    columns: &[(&str, f64)],
    format: &Format,
) -> Result<(), XlsxError> {
    for (i, (title, width)) in columns.iter().enumerate() {
        sheet.set_column_width(i as u16, *width)?;
        sheet.write_string_with_format(0, i as u16, *title, format)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn finish_sheet(sheet: &mut Worksheet, last_row: u32, columns: usize) -> Result<(), XlsxError> {
    sheet.autofilter(0, 0, last_row.max(1), columns as u16 - 1)?;
    Ok(())
}

fn dimension_label(d: crate::pack::Dimension, lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => d.label_vi(),
        Lang::En => d.label_en(),
    }
}

fn severity_key(s: crate::pack::Severity) -> &'static str {
    match s {
        crate::pack::Severity::Warn => "warn",
        crate::pack::Severity::Error => "error",
    }
}

fn status_label(s: RuleStatus, lang: Lang) -> &'static str {
    match (lang, s) {
        (Lang::Vi, RuleStatus::Pass) => "Đạt",
        (Lang::Vi, RuleStatus::Fail) => "Không đạt",
        (Lang::Vi, RuleStatus::Warn) => "Cảnh báo",
        (Lang::Vi, RuleStatus::Error) => "Lỗi",
        (Lang::Vi, RuleStatus::Skipped) => "Bỏ qua",
        (Lang::En, RuleStatus::Pass) => "Pass",
        (Lang::En, RuleStatus::Fail) => "Fail",
        (Lang::En, RuleStatus::Warn) => "Warn",
        (Lang::En, RuleStatus::Error) => "Error",
        (Lang::En, RuleStatus::Skipped) => "Skipped",
    }
}

/// Excel's sheet-name rules: at most 31 characters, none of `[]:*?/\`, no
/// leading or trailing apostrophe, unique ignoring case.
#[derive(Default)]
struct SheetNames {
    used: HashSet<String>,
}

impl SheetNames {
    fn next(&mut self, wanted: &str) -> String {
        let clean: String = wanted
            .chars()
            .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
            .collect();
        let clean = clean.trim_matches('\'').to_string();
        let clean = if clean.is_empty() {
            "Sheet".to_string()
        } else {
            clean
        };
        let mut n = 1;
        loop {
            let suffix = if n == 1 {
                String::new()
            } else {
                format!("~{n}")
            };
            let room = 31 - suffix.chars().count();
            let name: String = clean.chars().take(room).collect::<String>() + &suffix;
            if self.used.insert(name.to_lowercase()) {
                return name;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_follow_excel_rules() {
        let mut names = SheetNames::default();
        assert_eq!(names.next("khai_sinh"), "khai_sinh");
        assert_eq!(names.next("KHAI_SINH"), "KHAI_SINH~2");
        assert_eq!(names.next("a/b:c?"), "a_b_c_");
        let long = "x".repeat(40);
        assert_eq!(names.next(&long).chars().count(), 31);
        assert_eq!(names.next(&long), format!("{}~2", "x".repeat(29)));
        assert_eq!(names.next("''"), "Sheet");
    }
}
