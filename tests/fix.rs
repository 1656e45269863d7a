//! `ddss fix` (the real binary) on generated data whose damaged cells and
//! clean values the generator recorded: every defect a bundled fix repairs
//! with certainty comes back exactly as it was, every other cell stays as
//! it was, fixing twice changes nothing more, and a clean file is not
//! touched.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chrono::NaiveDate;
use ddss_generate::{GenerateOptions, Manifest, generate};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generate_into(dir: &Path, seed: u64, people: usize, block_people: usize, rate: f64) -> Manifest {
    generate(&GenerateOptions {
        seed,
        people,
        block_people,
        defect_rate: rate,
        as_of: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        reference_dir: root().join("rules/reference"),
        out_dir: dir.to_path_buf(),
    })
    .unwrap()
}

/// Runs `ddss fix` on `data` into `out`; returns results.json.
fn fix(data: &Path, out: &Path, extra: &[&str]) -> Value {
    let assert = Command::cargo_bin("ddss")
        .unwrap()
        .current_dir(root())
        .args(["fix", "--as-of", "2026-06-30", "--no-progress", "--out"])
        .arg(out)
        .args(extra)
        .arg(data)
        .assert();
    let code = assert.get_output().status.code();
    assert!(
        matches!(code, Some(0) | Some(1) | Some(3)),
        "exit {code:?}: {}",
        String::from_utf8_lossy(&assert.get_output().stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap()
}

/// (line, cells) of every record, the header first.
fn records(path: &Path) -> Vec<(u64, Vec<String>)> {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let delimiter = if body.split(|b| *b == b'\n').next().unwrap().contains(&b';') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body);
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r.position().unwrap().line(),
                r.iter().map(str::to_string).collect(),
            )
        })
        .collect()
}

fn dataset<'a>(results: &'a Value, name: &str) -> &'a Value {
    results["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing"))
}

fn assert_repairs_exactly(seed: u64, people: usize, block: usize) {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let manifest = generate_into(data.path(), seed, people, block, 0.05);
    let results = fix(data.path(), out.path(), &[]);
    let mut repaired = 0;
    for (name, truth) in &manifest.datasets {
        let d = dataset(&results, name);
        let summary = &d["fix"];
        if summary["corrected"].is_null() {
            assert!(
                truth.repairs.is_empty(),
                "{name}: repairs recorded but not fixed: {summary}"
            );
            continue;
        }
        assert!(
            summary["not_fixed"].is_null(),
            "{name}: {}",
            summary["not_fixed"]
        );
        let original = records(&data.path().join(&truth.file));
        let corrected = records(&out.path().join(summary["corrected"].as_str().unwrap()));
        assert_eq!(
            original.len(),
            corrected.len(),
            "seed {seed}, {name}: records"
        );
        let header = &original[0].1;
        let expected: HashMap<(u64, usize), &str> = truth
            .repairs
            .iter()
            .map(|r| {
                let column = header.iter().position(|h| h == &r.column).unwrap();
                ((r.line, column), r.clean.as_str())
            })
            .collect();
        for ((line, before), (fixed_line, after)) in original.iter().zip(&corrected) {
            assert_eq!(line, fixed_line, "seed {seed}, {name}: lines moved");
            assert_eq!(
                before.len(),
                after.len(),
                "seed {seed}, {name} line {line}: fields"
            );
            for (column, (b, a)) in before.iter().zip(after).enumerate() {
                let want = expected.get(&(*line, column)).copied().unwrap_or(b);
                assert_eq!(
                    a, want,
                    "seed {seed}, {name} line {line} column {}: was {b:?}",
                    header[column]
                );
            }
        }
        assert_eq!(
            summary["changes"].as_u64().unwrap(),
            truth.repairs.len() as u64,
            "seed {seed}, {name}: the change log lists every repair and nothing else"
        );
        repaired += truth.repairs.len();
        let before = summary["scores_before"]["overall"].as_f64().unwrap();
        let after = d["scores"]["overall"].as_f64().unwrap();
        assert!(after >= before, "{name}: {before} → {after}");
        // The change log has a row per change, with the rule and the fix.
        let log = records(&out.path().join(summary["changes_file"].as_str().unwrap()));
        assert_eq!(
            log.len() - 1,
            truth.repairs.len(),
            "{name}: change log rows"
        );
        assert!(
            log.iter().skip(1).all(|(_, r)| r[6] == "suggested"),
            "{name}"
        );
    }
    assert!(
        repaired > 20,
        "too few repairs ({repaired}) to prove anything"
    );

    // Fixing the corrected data again changes nothing.
    let again = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(data.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let name = path.file_name().unwrap();
            let corrected = out.path().join("corrected").join(name);
            let source = if corrected.exists() {
                corrected
            } else {
                path.clone()
            };
            std::fs::copy(source, again.path().join(name)).unwrap();
        }
    }
    let out2 = tempfile::tempdir().unwrap();
    let results = fix(again.path(), out2.path(), &[]);
    for d in results["datasets"].as_array().unwrap() {
        if let Some(f) = d.get("fix").filter(|f| !f.is_null()) {
            assert_eq!(f["changes"], 0, "{}: a second fix changed cells", d["name"]);
        }
    }
}

#[test]
fn fix_restores_exactly_the_certain_defects_seed_1() {
    assert_repairs_exactly(1, 2_000, 700);
}

#[test]
fn fix_restores_exactly_the_certain_defects_seed_2_in_blocks() {
    assert_repairs_exactly(2, 6_000, 1_000);
}

#[test]
fn clean_data_is_left_as_it_is_and_split_keeps_every_row() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let manifest = generate_into(data.path(), 9, 1_500, 1_500, 0.0);
    let results = fix(data.path(), out.path(), &["--split"]);
    for (name, truth) in &manifest.datasets {
        let d = dataset(&results, name);
        let summary = &d["fix"];
        if summary["corrected"].is_null() {
            continue;
        }
        assert_eq!(summary["changes"], 0, "{name}");
        let original = records(&data.path().join(&truth.file));
        let corrected = records(&out.path().join(summary["corrected"].as_str().unwrap()));
        assert_eq!(original, corrected, "{name}: a clean file changed");
        let valid = records(&out.path().join(summary["valid_file"].as_str().unwrap()));
        let quarantined = records(
            &out.path()
                .join(summary["quarantine_file"].as_str().unwrap()),
        );
        assert_eq!(
            valid.len() - 1 + quarantined.len() - 1,
            original.len() - 1,
            "{name}: split lost or added rows"
        );
        assert_eq!(
            summary["valid_rows"].as_u64().unwrap() as usize,
            valid.len() - 1
        );
    }
}

#[test]
fn split_quarantines_exactly_the_rows_failing_an_error_rule_with_reasons() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    generate_into(data.path(), 4, 2_000, 2_000, 0.05);
    let results = fix(data.path(), out.path(), &["--split"]);
    let d = dataset(&results, "lao_dong");
    let summary = &d["fix"];
    let quarantined = records(
        &out.path()
            .join(summary["quarantine_file"].as_str().unwrap()),
    );
    let header = &quarantined[0].1;
    assert_eq!(&header[header.len() - 2..], ["ddss_quy_tac", "ddss_ly_do"]);
    // The after-run's violations: lines failing an error rule.
    let violations = records(&out.path().join(d["violations_file"].as_str().unwrap()));
    let mut failing: std::collections::BTreeSet<String> = Default::default();
    for (_, v) in violations.iter().skip(1) {
        if v[5] == "error" && !v[0].is_empty() {
            failing.insert(v[1].clone());
        }
    }
    let key_at = header.iter().position(|h| h == "so_dinh_danh").unwrap();
    let quarantined_keys: std::collections::BTreeSet<String> = quarantined
        .iter()
        .skip(1)
        .map(|(_, r)| r[key_at].clone())
        .collect();
    assert!(!quarantined_keys.is_empty());
    for (_, r) in quarantined.iter().skip(1) {
        assert!(
            !r[r.len() - 2].is_empty(),
            "a quarantined row without its rules"
        );
    }
    assert!(
        failing
            .iter()
            .all(|k| k.is_empty() || quarantined_keys.contains(k)),
        "a row failing an error rule went to valid/"
    );
}

#[test]
fn a_structurally_damaged_file_is_not_rewritten_and_the_others_are() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    generate_into(data.path(), 5, 1_500, 1_500, 0.05);
    // A ragged row at the end of the register.
    let path = data.path().join("dan_cu.csv");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("001234567890,Lê Văn An\n");
    std::fs::write(&path, text).unwrap();
    let before = std::fs::read(&path).unwrap();
    let results = fix(data.path(), out.path(), &[]);
    let dan_cu = &dataset(&results, "dan_cu")["fix"];
    assert!(
        dan_cu["not_fixed"].as_str().unwrap().contains("PH001"),
        "{dan_cu}"
    );
    assert!(dan_cu["corrected"].is_null());
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the original was written to"
    );
    let lao_dong = &dataset(&results, "lao_dong")["fix"];
    assert!(lao_dong["not_fixed"].is_null());
    assert!(
        out.path()
            .join(lao_dong["corrected"].as_str().unwrap())
            .exists()
    );
}

#[test]
fn an_excel_export_with_crlf_line_ends_is_fixed_line_for_line() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let manifest = generate_into(data.path(), 6, 3_000, 3_000, 0.08);
    let truth = &manifest.datasets["lao_dong"];
    assert!(!truth.repairs.is_empty(), "seed 6 has lao_dong repairs");
    let path = data.path().join(&truth.file);
    let crlf = std::fs::read_to_string(&path)
        .unwrap()
        .replace('\n', "\r\n");
    std::fs::write(&path, &crlf).unwrap();
    let results = fix(data.path(), out.path(), &[]);
    let summary = &dataset(&results, "lao_dong")["fix"];
    assert_eq!(
        summary["changes"].as_u64().unwrap(),
        truth.repairs.len() as u64
    );
    let corrected =
        std::fs::read_to_string(out.path().join(summary["corrected"].as_str().unwrap())).unwrap();
    let corrected = corrected.trim_start_matches('\u{feff}');
    assert_eq!(
        corrected.matches("\r\n").count(),
        crlf.matches("\r\n").count(),
        "line ends kept"
    );
    let lines: Vec<&str> = corrected.split("\r\n").collect();
    for r in &truth.repairs {
        let line = lines[r.line as usize - 1];
        assert!(
            line.contains(&r.clean),
            "line {}: {line:?} lacks {:?}",
            r.line,
            r.clean
        );
    }
}

#[test]
fn a_restored_id_that_would_repeat_another_row_is_left_for_review() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let pack = data.path().join("ids.toml");
    std::fs::write(
        &pack,
        r#"
[dataset]
name = "ids"
sector = "thu_nghiem"
files = ["ids*.csv"]
key = ["ma"]

[columns]
ma = "string"
so_dinh_danh = "string"
ghi_chu = "string"

[[rules]]
id = "ID1"
check = "pattern"
fix = "restore_leading_zero"
column = "so_dinh_danh"
regex = '^\d{12}$'
dimension = "dung"
message = "Số định danh phải có 12 chữ số"

[[rules]]
id = "ID2"
check = "unique"
column = "so_dinh_danh"
dimension = "sach"
message = "Trùng số định danh"
"#,
    )
    .unwrap();
    let csv = data.path().join("ids.csv");
    // Lines 2 and 3 lose their zero onto an ID another row holds (line 6
    // quoted, with a delimiter inside a cell); line 5's restored ID is new.
    std::fs::write(
        &csv,
        "ma,so_dinh_danh,ghi_chu\n\
         A,00114870037,x\n\
         B,00223344556,y\n\
         C,000114870037,z\n\
         D,00999888777,w\n\
         \"E\",\"000223344556\",\"p, q\"\n",
    )
    .unwrap();
    let rules = pack.to_str().unwrap().to_string();
    let results = fix(&csv, out.path(), &["--rules", &rules]);
    let summary = &dataset(&results, "ids")["fix"];
    assert_eq!(summary["changes"].as_u64(), Some(1), "{summary}");
    assert_eq!(summary["needs_review"].as_u64(), Some(2), "{summary}");
    let review = std::fs::read_to_string(out.path().join("review/ids.csv")).unwrap();
    for line in ["2,", "3,"] {
        assert!(
            review
                .lines()
                .any(|l| l.trim_start_matches('\u{feff}').starts_with(line) && l.contains("ID2")),
            "{review}"
        );
    }
    let corrected = std::fs::read_to_string(out.path().join("corrected/ids.csv")).unwrap();
    assert!(corrected.contains("D,000999888777,w\n"), "{corrected}");
    assert!(corrected.contains("A,00114870037,x\n"), "{corrected}");
}
