//! Regression tests for inputs that once crashed a run, lost reports or
//! escaped the rules folder. The broken packs live in
//! `tests/data/hardening/`; every case runs the real binary.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/hardening")
        .join(path)
}

fn ddss() -> Command {
    Command::cargo_bin("ddss").unwrap()
}

/// `check-rules` on a broken pack: exit 2, the file and line named, the
/// message containing `says`.
fn rejected(pack: &str, says: &str) {
    let out = ddss()
        .args(["check-rules"])
        .arg(data(pack))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{pack}: {stderr}");
    assert!(
        stderr.contains("p.toml:"),
        "{pack}: no file and line: {stderr}"
    );
    assert!(stderr.contains(says), "{pack}: {stderr}");
}

#[test]
fn vn_date_formats_with_time_fields_are_a_pack_error() {
    rejected("time_format", "date fields only");
}

#[test]
fn intervals_beyond_any_record_date_are_a_pack_error() {
    rejected("interval", "longer than 1000 years");
}

#[test]
fn packs_cannot_read_files_outside_their_rules_folder() {
    rejected("escape_abs", "inside the rules folder");
    rejected("escape_up", "inside the rules folder");
}

#[test]
fn a_dataset_name_too_long_for_a_file_name_is_a_pack_error() {
    rejected("long_name", "at most 100");
}

#[test]
fn a_pack_not_in_utf8_is_named_with_its_line() {
    rejected("bad_utf8", "p.toml:5:");
    rejected("bad_utf8", "not UTF-8");
}

/// A pack and one CSV in a temp folder; returns (rules, data).
fn case(pack: &str, csv: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    let exports = dir.path().join("exports");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::create_dir_all(&exports).unwrap();
    std::fs::write(rules.join("t.toml"), pack).unwrap();
    std::fs::write(exports.join("t.csv"), csv).unwrap();
    (dir, rules, exports)
}

/// `ddss validate` of `exports` against `rules` into `out`.
fn validate(rules: &Path, exports: &Path, out: &Path) -> std::process::Output {
    ddss()
        .args([
            "validate",
            "--no-progress",
            "--as-of",
            "2026-06-30",
            "--rules",
        ])
        .arg(rules)
        .arg("--out")
        .arg(out)
        .arg(exports)
        .output()
        .unwrap()
}

const DATE_PACK: &str = r#"
[dataset]
name = "t"
sector = "test"
files = ["t.csv"]

[columns]
d = { type = "date", format = "%Y-%m-%d" }
v = "string"

[[rules]]
id = "R1"
check = "expr"
expr = "d - INTERVAL '1 year' < d"
dimension = "dung"
message = "date arithmetic"

[[rules]]
id = "R2"
check = "parses"
column = "d"
dimension = "dung"
message = "not a date"

[[rules]]
id = "R3"
check = "vn_date"
column = "v"
formats = ["%d/%m/%Y"]
dimension = "sach"
message = "bad date"
"#;

#[test]
fn dates_no_record_holds_are_reported_not_a_crash() {
    // `%Y` takes any number of digits: this cell once overflowed polars'
    // date arithmetic and aborted the run with no report at all.
    let (dir, rules, exports) = case(
        DATE_PACK,
        "d,v\n-262143-01-01,2020-03-05\n2020-01-01,1/1/00\n99999-01-01,０１/０１/２０００\n",
    );
    let out = dir.path().join("out");
    let output = &validate(&rules, &exports, &out);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let rules = &results["datasets"][0]["rules"];
    let failed = |id: &str| {
        rules
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["failed"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(failed("R2"), 2, "both out-of-range dates are 'not a date'");
    assert_eq!(failed("R1"), 0);
    assert_eq!(
        failed("R3"),
        3,
        "another format, two-digit year, full-width digits"
    );
    for file in ["violations.xlsx", "scorecard.html", "violations/t.csv"] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
}

#[test]
fn an_as_of_date_no_record_holds_is_bad_usage() {
    for as_of in ["-262143-01-01", "0999-12-31", "10000-01-01"] {
        let out = ddss()
            .args(["validate", "--no-progress", &format!("--as-of={as_of}")])
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{as_of}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("as-of"), "{as_of}: {stderr}");
    }
}

#[test]
fn one_huge_field_costs_no_report() {
    // An unbalanced quote swallows the rest of the file into one field far
    // beyond a workbook cell's 32,767 characters; once this lost the
    // workbook and the scorecard of every dataset.
    let pack = r#"
[dataset]
name = "t"
sector = "test"
files = ["t.csv"]

[columns]
a = "string"

[[rules]]
id = "R1"
check = "pattern"
column = "a"
regex = 'x'
dimension = "dung"
message = "not x"
"#;
    let mut csv = String::from("a\n\"unbalanced,\n");
    for i in 0..3_000 {
        csv.push_str(&format!("row {i} with some text to fill the cell\n"));
    }
    let (dir, rules, exports) = case(pack, &csv);
    let out = dir.path().join("out");
    let output = validate(&rules, &exports, &out);
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(
        output.status.code(),
        results["exit_code"].as_i64().map(|c| c as i32),
        "the exit code and results.json agree"
    );
    assert!(results.get("report_errors").is_none(), "{results}");
    for file in ["violations.xlsx", "scorecard.html"] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
}

#[test]
fn the_rules_hash_does_not_depend_on_how_the_folder_is_spelled() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let hash = |rules: &str| {
        let out = ddss()
            .current_dir(root)
            .args(["check-rules", rules])
            .output()
            .unwrap();
        assert!(out.status.success(), "{rules}");
        let text = String::from_utf8(out.stdout).unwrap();
        text.lines()
            .last()
            .and_then(|l| l.split("sha256:").nth(1))
            .unwrap()
            .to_string()
    };
    let absolute = root.join("rules");
    let plain = hash("rules");
    assert_eq!(hash("./rules"), plain);
    assert_eq!(hash(absolute.to_str().unwrap()), plain);
}

#[test]
fn stale_temp_and_violations_files_are_cleared_and_results_json_is_the_last_word() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(out.join("violations")).unwrap();
    // What a run killed mid-write leaves, and a dataset of an earlier run.
    std::fs::write(out.join(".ddss-abc123.tmp"), "half a report").unwrap();
    std::fs::write(out.join("violations/.ddss-rows-x1.tmp"), "rows").unwrap();
    std::fs::write(out.join("violations/old_dataset.csv"), "line\n").unwrap();
    std::fs::write(out.join("keep-me.txt"), "not ours").unwrap();
    ddss()
        .current_dir(root)
        .args([
            "validate",
            "--no-progress",
            "--as-of",
            "2026-06-30",
            "--out",
        ])
        .arg(&out)
        .arg("fixtures")
        .assert()
        .code(1);
    assert!(!out.join(".ddss-abc123.tmp").exists());
    assert!(!out.join("violations/.ddss-rows-x1.tmp").exists());
    assert!(!out.join("violations/old_dataset.csv").exists());
    assert!(out.join("keep-me.txt").exists(), "only ddss's own files go");
    let modified = |f: &str| std::fs::metadata(out.join(f)).unwrap().modified().unwrap();
    for f in ["scorecard.html", "violations.xlsx", "violations/dan_cu.csv"] {
        assert!(
            modified(f) <= modified("results.json"),
            "{f} written after results.json"
        );
    }
}
