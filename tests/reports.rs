//! The reports people open: scorecard.html and violations.xlsx — escaping,
//! formula neutralisation, masking, sheet splitting — on a hostile export
//! (`tests/data/hostile`), through the real binary.

use std::io::Read;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

fn validate_hostile(out: &Path, extra: &[&str]) {
    Command::cargo_bin("ddss")
        .unwrap()
        .arg("validate")
        .arg("--rules")
        .arg(data("hostile/rules"))
        .arg("--out")
        .arg(out)
        .args(["--as-of", "2026-06-30", "--no-progress"])
        .args(extra)
        .arg(data("hostile/exports/hostile.csv"))
        .assert()
        .code(1);
}

/// The text of every XML part of the workbook whose name starts with `prefix`.
fn xlsx_parts(path: &Path, prefix: &str) -> Vec<(String, String)> {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        if name.starts_with(prefix) {
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            parts.push((name, text));
        }
    }
    parts.sort();
    parts
}

/// All the text a workbook holds, shared strings included.
fn xlsx_text(path: &Path) -> String {
    xlsx_parts(path, "xl/")
        .into_iter()
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn scorecard_escapes_every_value_from_the_data_and_packs() {
    let out = tempfile::tempdir().unwrap();
    validate_hostile(out.path(), &[]);
    let html = std::fs::read_to_string(out.path().join("scorecard.html")).unwrap();
    // No markup from the data survives as markup.
    assert!(!html.contains("<script"), "raw <script> in the scorecard");
    assert!(!html.contains("<b>"), "raw <b> in the scorecard");
    // …but it is shown, escaped: the unit code, the masked name's family
    // part, the gender value and the pack's title and message.
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "unit code"
    );
    assert!(
        html.contains("&lt;script&gt;alert(\"ten\")&lt;/script&gt; V. A."),
        "masked name"
    );
    assert!(
        html.contains("&lt;b&gt;\"Nam\" &amp; Nữ&lt;/b&gt;"),
        "gender value"
    );
    assert!(
        html.contains("Kiểm thử &lt;an toàn&gt; &amp; \"thoát ký tự\""),
        "title"
    );
    assert!(
        html.contains("Giới tính không hợp lệ &lt;Nam|Nữ&gt;"),
        "message"
    );
    // Attributes cannot be broken out of either.
    assert!(!html.contains("=\"<"), "an attribute opens with markup");
}

#[test]
fn scorecard_masks_ids_and_names() {
    let out = tempfile::tempdir().unwrap();
    validate_hostile(out.path(), &[]);
    let html = std::fs::read_to_string(out.path().join("scorecard.html")).unwrap();
    for raw in [
        "001085123456",
        "001190654321",
        "079085111222",
        "Trần Thị Bình9",
        "Văn An",
    ] {
        assert!(!html.contains(raw), "{raw} is in the scorecard unmasked");
    }
    assert!(html.contains("001******456"), "masked ID as example key");
    assert!(html.contains("Trần T. B."), "masked name as example value");
    let results = std::fs::read_to_string(out.path().join("results.json")).unwrap();
    assert!(!results.contains("001085123456") && results.contains("001******456"));
}

#[test]
fn exports_neutralise_formulas_in_csv_and_xlsx() {
    let out = tempfile::tempdir().unwrap();
    validate_hostile(out.path(), &[]);
    let csv = std::fs::read_to_string(out.path().join("violations/hostile.csv")).unwrap();
    assert!(
        csv.contains(r#"'=HYPERLINK(""http://evil.example"",""x"")"#),
        "{csv}"
    );
    assert!(csv.contains("'+SUM(A1)") && csv.contains("'@cmd"), "{csv}");
    let xlsx = xlsx_text(&out.path().join("violations.xlsx"));
    assert!(
        xlsx.contains(r#">'=HYPERLINK("http://evil.example","x")<"#),
        "xlsx formula cell not neutralised"
    );
    assert!(xlsx.contains("'+SUM(A1)") && xlsx.contains("'@cmd"));
    assert!(!xlsx.contains("<f>"), "the workbook holds a formula");
}

#[test]
fn mask_flag_masks_the_exports_too() {
    let plain = tempfile::tempdir().unwrap();
    validate_hostile(plain.path(), &[]);
    let csv = std::fs::read_to_string(plain.path().join("violations/hostile.csv")).unwrap();
    assert!(
        csv.contains("001085123456") && csv.contains("Trần Thị Bình9"),
        "{csv}"
    );

    let masked = tempfile::tempdir().unwrap();
    validate_hostile(masked.path(), &["--mask"]);
    let csv = std::fs::read_to_string(masked.path().join("violations/hostile.csv")).unwrap();
    let xlsx = xlsx_text(&masked.path().join("violations.xlsx"));
    for text in [&csv, &xlsx] {
        for raw in ["001085123456", "001190654321", "Trần Thị Bình9"] {
            assert!(!text.contains(raw), "{raw} left unmasked");
        }
        assert!(text.contains("001******456") && text.contains("Trần T. B."));
    }
}

#[test]
fn workbook_has_summary_and_dataset_sheets_with_frozen_filtered_headers() {
    let out = tempfile::tempdir().unwrap();
    validate_hostile(out.path(), &[]);
    let path = out.path().join("violations.xlsx");
    let workbook = &xlsx_parts(&path, "xl/workbook.xml")[0].1;
    assert!(workbook.contains(r#"name="Tổng hợp""#), "{workbook}");
    assert!(workbook.contains(r#"name="hostile""#), "{workbook}");
    let sheets = xlsx_parts(&path, "xl/worksheets/sheet");
    assert_eq!(sheets.len(), 2);
    for (name, xml) in &sheets {
        assert!(xml.contains(r#"ySplit="1""#), "{name}: header not frozen");
        assert!(xml.contains("<autoFilter"), "{name}: no autofilter");
        assert!(xml.contains("<cols>"), "{name}: no column widths");
    }
    // 7 failures + header on the dataset sheet; 4 rules + header on the
    // summary: the file's 3 rules, and PH004 for the unquoted value with
    // quotes inside (`<script>alert("ten")</script>` on line 2).
    let rows = |xml: &str| xml.matches("<row ").count();
    assert_eq!(rows(&sheets[0].1), 5);
    assert_eq!(rows(&sheets[1].1), 8);
}

#[test]
fn english_scorecard_and_workbook() {
    let out = tempfile::tempdir().unwrap();
    validate_hostile(out.path(), &["--lang", "en"]);
    let html = std::fs::read_to_string(out.path().join("scorecard.html")).unwrap();
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(html.contains("Data quality scorecard") && html.contains("2026-06-30"));
    let workbook = &xlsx_parts(&out.path().join("violations.xlsx"), "xl/workbook.xml")[0].1;
    assert!(workbook.contains(r#"name="Summary""#));
}

#[test]
fn a_dataset_larger_than_a_sheet_continues_on_the_next_sheet() {
    use ddss::engine::validate_table;
    use ddss::job::{RunOptions, run};
    use ddss::report::xlsx::{XlsxOptions, write_xlsx};

    let packs = ddss::pack::load_packs(&data("hostile/rules")).unwrap();
    let input = data("hostile/exports/hostile.csv");
    let out = tempfile::tempdir().unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let options = RunOptions {
        as_of,
        out_dir: out.path().to_path_buf(),
        progress: false,
        fail_under: None,
        mask: false,
        targets: Default::default(),
        lang: Default::default(),
        memory_limit: 1 << 30,
    };
    let results = run(&packs, std::slice::from_ref(&input), &options).unwrap();
    let pack = &packs.packs[0];
    let table = ddss::input::read_table(
        &input,
        &ddss::input::ReadOptions {
            delimiter: None,
            encoding: None,
            missing_values: vec![],
        },
        &|_| {},
    )
    .unwrap();
    let validated = validate_table(pack, &table, as_of, &Default::default());
    let violations = ddss::report::violations::DatasetViolations::InMemory(validated.violations);

    // 6 failures, 4 rows per sheet: `hostile` holds 4, `hostile (2)` the other 2.
    let path = out.path().join("split.xlsx");
    write_xlsx(
        &path,
        &[(&results.datasets[0], Some(&violations))],
        &XlsxOptions {
            rows_per_sheet: 4,
            ..Default::default()
        },
    )
    .unwrap();
    let workbook = &xlsx_parts(&path, "xl/workbook.xml")[0].1;
    assert!(
        workbook.contains(r#"name="hostile""#) && workbook.contains(r#"name="hostile (2)""#),
        "{workbook}"
    );
    let sheets = xlsx_parts(&path, "xl/worksheets/sheet");
    let rows: Vec<usize> = sheets
        .iter()
        .map(|(_, xml)| xml.matches("<row ").count())
        .collect();
    assert_eq!(
        rows,
        vec![5, 5, 4],
        "summary, part 1 and part 2 (each with a header)"
    );
    for (name, xml) in &sheets[1..] {
        assert!(
            xml.contains(r#"ySplit="1""#) && xml.contains("<autoFilter"),
            "{name}"
        );
    }
}
