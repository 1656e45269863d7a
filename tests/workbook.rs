//! Workbook inputs (issue 21): the generated exports saved as `.xlsx` give
//! the CSV run's counts and scores; Excel's typical damage is found cell by
//! cell and counted exactly; a corrupt workbook is a clear error that stops
//! nothing else. Runs the real binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chrono::NaiveDate;
use ddss_generate::{GenerateOptions, generate};
use rust_xlsxwriter::{ExcelDateTime, Formula, Workbook};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generate_into(dir: &Path, seed: u64) {
    generate(&GenerateOptions {
        seed,
        people: 1_200,
        block_people: 1_200,
        defect_rate: 0.06,
        as_of: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        reference_dir: root().join("rules/reference"),
        out_dir: dir.to_path_buf(),
    })
    .unwrap();
}

/// `ddss validate` on `inputs` with `extra` options; returns (exit code,
/// results.json).
fn validate_with(inputs: &Path, out: &Path, extra: &[&str]) -> (i32, Value) {
    let assert = Command::cargo_bin("ddss")
        .unwrap()
        .current_dir(root())
        .args([
            "validate",
            "--as-of",
            "2026-06-30",
            "--no-progress",
            "--format",
            "json",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .arg(inputs)
        .assert();
    let code = assert.get_output().status.code().unwrap();
    let results = serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap())
        .unwrap_or_else(|e| {
            panic!(
                "exit {code}: {e}: {}",
                String::from_utf8_lossy(&assert.get_output().stderr)
            )
        });
    (code, results)
}

fn validate(inputs: &Path, out: &Path) -> (i32, Value) {
    validate_with(inputs, out, &[])
}

/// How a test writes one cell of the workbook.
enum Cell {
    Number(f64),
    Date(NaiveDate),
    ErrorFormula,
}

/// Writes `csv` as a one-sheet workbook: every cell as text, except those
/// `damage(row, column, value)` writes otherwise (row 1 = the header);
/// `merge` merges cells (first row, first col, last row, last col; 0-based).
fn csv_to_xlsx(
    csv: &Path,
    xlsx: &Path,
    damage: &dyn Fn(u32, &str, &str) -> Option<Cell>,
    merge: Option<(u32, u16, u32, u16)>,
) {
    let text = std::fs::read_to_string(csv).unwrap();
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Data").unwrap();
    let mut header: Vec<String> = Vec::new();
    for (r, record) in reader.records().enumerate() {
        let record = record.unwrap();
        if r == 0 {
            header = record.iter().map(str::to_string).collect();
        }
        for (c, value) in record.iter().enumerate() {
            let (row, col) = (r as u32, c as u16);
            let cell = if r == 0 {
                None
            } else {
                damage(row + 1, &header[c], value)
            };
            match cell {
                None if value.is_empty() => {}
                None => {
                    sheet.write_string(row, col, value).unwrap();
                }
                Some(Cell::Number(n)) => {
                    sheet.write_number(row, col, n).unwrap();
                }
                Some(Cell::Date(d)) => {
                    let date = ExcelDateTime::from_ymd(
                        d.format("%Y").to_string().parse().unwrap(),
                        d.format("%m").to_string().parse().unwrap(),
                        d.format("%d").to_string().parse().unwrap(),
                    )
                    .unwrap();
                    let format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
                    sheet
                        .write_datetime_with_format(row, col, &date, &format)
                        .unwrap();
                }
                Some(Cell::ErrorFormula) => {
                    sheet
                        .write_formula(row, col, Formula::new("=NA()").set_result("#N/A"))
                        .unwrap();
                }
            }
        }
    }
    if let Some((r1, c1, r2, c2)) = merge {
        sheet
            .merge_range(r1, c1, r2, c2, "gộp", &rust_xlsxwriter::Format::new())
            .unwrap();
    }
    workbook.save(xlsx).unwrap();
}

fn dataset<'a>(results: &'a Value, name: &str) -> &'a Value {
    results["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no dataset {name}"))
}

/// rule id → failed count, structural rules left out.
fn failed_by_rule(d: &Value) -> BTreeMap<String, u64> {
    d["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["id"].as_str().unwrap().starts_with("PH"))
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["failed"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn the_exports_saved_as_workbooks_give_the_csv_run_s_counts_and_scores() {
    let csv_dir = tempfile::tempdir().unwrap();
    let xlsx_dir = tempfile::tempdir().unwrap();
    generate_into(csv_dir.path(), 21);
    let mut names = Vec::new();
    for entry in std::fs::read_dir(csv_dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let xlsx = xlsx_dir
                .path()
                .join(path.file_name().unwrap())
                .with_extension("xlsx");
            csv_to_xlsx(&path, &xlsx, &|_, _, _| None, None);
            names.push(path.file_stem().unwrap().to_string_lossy().into_owned());
        }
    }
    assert!(names.len() >= 10, "{names:?}");
    let (out_csv, out_xlsx) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (_, from_csv) = validate(csv_dir.path(), out_csv.path());
    let (_, from_xlsx) = validate(xlsx_dir.path(), out_xlsx.path());
    for name in &names {
        let (c, x) = (dataset(&from_csv, name), dataset(&from_xlsx, name));
        let structural =
            c["rules"].as_array().unwrap().iter().any(|r| {
                r["id"].as_str().unwrap().starts_with("PH") && r["failed"].as_u64() > Some(0)
            });
        assert!(
            !structural,
            "{name}: the generated CSV has structural defects"
        );
        assert_eq!(x["rows"], c["rows"], "{name}");
        assert_eq!(failed_by_rule(x), failed_by_rule(c), "{name}");
        assert_eq!(x["scores"], c["scores"], "{name}");
        assert!(x["source"].as_str().unwrap().ends_with(".xlsx"), "{name}");
        assert_eq!(x["encoding"], "xlsx", "{name}");
    }
}

#[test]
fn excel_damage_is_found_cell_by_cell_and_counted_exactly() {
    let csv_dir = tempfile::tempdir().unwrap();
    generate_into(csv_dir.path(), 22);
    let xlsx_dir = tempfile::tempdir().unwrap();
    let xlsx = xlsx_dir.path().join("dan_cu.xlsx");
    // Rows (Excel numbering, header = 1) and what Excel did to them:
    // IDs typed as numbers on 3, 5 and 9; two birth dates typed as date
    // cells among text dates on 4 and 5 (row 5 twice: one damaged row);
    // a formula error on 12; a merge over rows 20–21 of the name column.
    let damage = |row: u32, column: &str, value: &str| match (row, column) {
        (3 | 5 | 9, "so_dinh_danh") => Some(Cell::Number(value.parse().unwrap())),
        (4 | 5, "ngay_sinh") => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .ok()
            .map(Cell::Date),
        (12, "gioi_tinh") => Some(Cell::ErrorFormula),
        _ => None,
    };
    csv_to_xlsx(
        &csv_dir.path().join("dan_cu.csv"),
        &xlsx,
        &damage,
        Some((19, 1, 20, 1)),
    );
    let out = tempfile::tempdir().unwrap();
    let (_, results) = validate(&xlsx, out.path());
    let d = dataset(&results, "dan_cu");
    let ph007 = d["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "PH007")
        .unwrap_or_else(|| panic!("no PH007 in {d}"));
    // Rows 3, 4, 5, 9, 12, 20, 21.
    assert_eq!(ph007["failed"].as_u64(), Some(7), "{ph007}");
    let errors: Vec<&str> = d["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    for address in [
        "Data!A3",
        "Data!A5",
        "Data!A9",
        "Data!C4",
        "Data!C5",
        "Data!D12",
        "Data!B20:B21",
    ] {
        assert!(
            errors.iter().any(|m| m.contains(address)),
            "{address} not named in {errors:#?}"
        );
    }
    // A lost leading zero is also what the ID rules see: the number as shown.
    let violations = std::fs::read_to_string(out.path().join("violations/dan_cu.csv")).unwrap();
    assert!(
        violations.lines().any(|l| l.starts_with("3,")),
        "row 3 has no violation: {violations}"
    );
}

#[test]
fn corrupt_workbooks_are_clear_errors_and_the_other_exports_are_still_validated() {
    let csv_dir = tempfile::tempdir().unwrap();
    generate_into(csv_dir.path(), 23);
    let inputs = tempfile::tempdir().unwrap();
    std::fs::copy(
        csv_dir.path().join("khai_sinh.csv"),
        inputs.path().join("khai_sinh.csv"),
    )
    .unwrap();
    // Garbage, a CSV renamed .xlsx, and a real workbook cut in half.
    std::fs::write(
        inputs.path().join("dan_cu_rac.xlsx"),
        b"\x00\x01garbage not a zip",
    )
    .unwrap();
    std::fs::copy(
        csv_dir.path().join("dan_cu.csv"),
        inputs.path().join("dan_cu_doi_ten.xlsx"),
    )
    .unwrap();
    let whole = csv_dir.path().join("whole.xlsx");
    csv_to_xlsx(
        &csv_dir.path().join("khai_tu.csv"),
        &whole,
        &|_, _, _| None,
        None,
    );
    let bytes = std::fs::read(&whole).unwrap();
    std::fs::write(
        inputs.path().join("khai_tu.xlsx"),
        &bytes[..bytes.len() / 2],
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, results) = validate(inputs.path(), out.path());
    assert_eq!(code, 3, "{results}");
    let datasets = results["datasets"].as_array().unwrap();
    let unreadable: Vec<&Value> = datasets.iter().filter(|d| d["rows"] == 0).collect();
    assert_eq!(unreadable.len(), 3, "{datasets:#?}");
    for d in unreadable {
        let message = d["errors"][0]["message"].as_str().unwrap();
        let source = Path::new(d["source"].as_str().unwrap());
        assert!(
            message.contains(source.file_name().unwrap().to_str().unwrap())
                && message.contains("cannot read the workbook")
                && message.contains("CSV UTF-8"),
            "{message}"
        );
    }
    let births = dataset(&results, "khai_sinh");
    assert!(births["rows"].as_u64().unwrap() > 0, "{births}");
}

#[test]
fn the_named_sheet_and_header_row_are_read_and_hidden_sheets_reported() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("ds.toml");
    std::fs::write(
        &pack,
        r#"
[dataset]
name = "ds"
sector = "thu_nghiem"
files = ["ds*.csv"]
sheet = "Danh sách"
header_row = 3

[columns]
ma = "string"
so = "integer"

[[rules]]
id = "R1"
check = "range"
column = "so"
min = 0
max = 10
dimension = "dung"
message = "Số ngoài khoảng"
"#,
    )
    .unwrap();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Danh sách").unwrap();
    sheet.write_string(0, 0, "BÁO CÁO DANH SÁCH").unwrap();
    sheet.write_string(2, 0, "ma").unwrap();
    sheet.write_string(2, 1, "so").unwrap();
    for (row, (ma, so)) in [("A", 1.0), ("B", 42.0), ("C", 3.0)]
        .into_iter()
        .enumerate()
    {
        sheet.write_string(3 + row as u32, 0, ma).unwrap();
        sheet.write_number(3 + row as u32, 1, so).unwrap();
    }
    // The active (first) sheet cannot be hidden: the hidden one comes second.
    let hidden = workbook.add_worksheet();
    hidden.set_name("Ẩn").unwrap();
    hidden.write_string(0, 0, "ma").unwrap();
    hidden.set_hidden(true);
    workbook.save(dir.path().join("ds.xlsx")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let rules = pack.to_str().unwrap().to_string();
    let (code, results) = validate_with(
        &dir.path().join("ds.xlsx"),
        out.path(),
        &["--rules", &rules],
    );
    assert_eq!(code, 1);
    let d = dataset(&results, "ds");
    assert_eq!(d["rows"].as_u64(), Some(3), "{d}");
    let r1 = d["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "R1")
        .unwrap();
    assert_eq!(r1["failed"].as_u64(), Some(1), "{r1}");
    // 42 is on the sheet's row 5.
    let violations = std::fs::read_to_string(out.path().join("violations/ds.csv")).unwrap();
    assert!(
        violations.lines().any(|l| l.starts_with("5,")),
        "{violations}"
    );
    assert!(
        d["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["message"].as_str().unwrap().contains("'Ẩn' is hidden")),
        "{d}"
    );
}
