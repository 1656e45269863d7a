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

/// `ddss validate` of one file of `tests/data/hardening/malformed/files`
/// with its pack: the exit code and results.json's dataset.
fn validate_malformed(file: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let out = tempfile::tempdir().unwrap();
    let output = ddss()
        .args(["validate", "--no-progress", "--as-of", "2026-06-30"])
        .args(extra)
        .arg("--rules")
        .arg(data("malformed/rules"))
        .arg("--out")
        .arg(out.path())
        .arg(data("malformed/files").join(file))
        .output()
        .unwrap();
    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("results.json")).expect("results.json"),
    )
    .unwrap();
    let code = output.status.code().unwrap();
    assert_eq!(Some(i64::from(code)), results["exit_code"].as_i64());
    (code, results["datasets"][0].clone())
}

/// `ddss validate` of `inputs` with the malformed files' pack and `extra`
/// arguments into `out`: the exit code and results.json.
fn run_malformed_pack(
    extra: &[&str],
    inputs: &[&Path],
    out: &Path,
) -> (Option<i32>, serde_json::Value) {
    let output = ddss()
        .args(["validate", "--no-progress"])
        .args(extra)
        .arg("--rules")
        .arg(data("malformed/rules"))
        .arg("--out")
        .arg(out)
        .args(inputs)
        .output()
        .unwrap();
    let results = serde_json::from_str(
        &std::fs::read_to_string(out.join("results.json")).expect("results.json"),
    )
    .unwrap();
    (output.status.code(), results)
}

/// (failed, evaluated) of rule `id`; `None` when the results do not list it.
fn counts(dataset: &serde_json::Value, id: &str) -> Option<(u64, u64)> {
    dataset["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .map(|r| {
            (
                r["failed"].as_u64().unwrap(),
                r["evaluated"].as_u64().unwrap(),
            )
        })
}

/// The structural problems of results.json: (line, rule, message).
fn problems(dataset: &serde_json::Value) -> Vec<(u64, String, String)> {
    dataset["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "structure")
        .map(|e| {
            (
                e["line"].as_u64().unwrap_or(0),
                e["rule"].as_str().unwrap_or("").to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_nul_byte_is_a_scored_finding_at_its_line() {
    let (code, d) = validate_malformed("nul_byte.csv", &[]);
    assert_eq!(counts(&d, "PH003"), Some((1, 3)));
    let found = problems(&d);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0, found[0].1.as_str()), (3, "PH003"));
    assert!(
        found[0].2.contains("NUL") && found[0].2.contains("'ten'"),
        "{found:?}"
    );
    // Read whole, only scored: a warning, not a partial read.
    assert_eq!(code, 0, "{d}");
    assert!(d["scores"]["sach"].as_f64().unwrap() < 1.0);
}

#[test]
fn utf16_without_a_byte_order_mark_says_which_encoding_to_declare() {
    let (code, d) = validate_malformed("utf16_no_bom.csv", &[]);
    assert_eq!(code, 3);
    let message = d["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("UTF-16LE") && message.contains("encoding = \"utf-16le\""),
        "{message}"
    );
    assert!(message.contains("utf16_no_bom.csv:1:"), "{message}");
    assert_eq!(
        d["errors"].as_array().unwrap().len(),
        1,
        "one error, not one per line"
    );
}

#[test]
fn a_line_of_spaces_is_no_record() {
    let (code, d) = validate_malformed("blank_line.csv", &[]);
    assert_eq!(d["rows"], 2);
    let found = problems(&d);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 3);
    assert!(found[0].2.contains("only spaces or tabs"), "{found:?}");
    assert_eq!(code, 0, "nothing was lost: {d}");
}

#[test]
fn a_header_only_file_is_told() {
    let (_, d) = validate_malformed("header_only.csv", &[]);
    assert_eq!(d["rows"], 0);
    let found = problems(&d);
    assert!(
        found.iter().any(|p| p.2.contains("no data rows")),
        "{found:?}"
    );
}

#[test]
fn malformed_quoting_is_reported_per_line() {
    let (code, d) = validate_malformed("stray_quotes.csv", &[]);
    assert_eq!(counts(&d, "PH004"), Some((3, 4)));
    let found = problems(&d);
    let lines: Vec<u64> = found.iter().map(|p| p.0).collect();
    assert_eq!(lines, [2, 3, 4], "{found:?}");
    assert!(
        found[0].2.contains("after the closing double quote"),
        "{found:?}"
    );
    assert!(found[1].2.contains("does not start with one"), "{found:?}");
    assert!(
        found[2].2.contains("after the closing double quote"),
        "{found:?}"
    );
    assert_eq!(code, 0, "values read whole: scored, not a partial read");
}

#[test]
fn a_quote_open_to_the_end_of_the_file_is_named() {
    let (code, d) = validate_malformed("open_quote.csv", &[]);
    assert_eq!(counts(&d, "PH005"), Some((1, 2)));
    let found = problems(&d);
    let open = found
        .iter()
        .find(|p| p.1 == "PH005")
        .expect("PH005 reported");
    assert_eq!(open.0, 3);
    assert!(
        open.2.contains("never closed") && open.2.contains("lines 3–5"),
        "{open:?}"
    );
    assert_eq!(code, 3, "the rest of the file was swallowed: read in part");
}

#[test]
fn ragged_rows_lower_the_score_they_belong_to() {
    let (code, d) = validate_malformed("ragged_5pct.csv", &[]);
    assert_eq!(counts(&d, "PH001"), Some((5, 100)));
    let s = &d["scores"];
    let dung = s["dung"].as_f64().unwrap();
    assert!((dung - 0.95).abs() < 1e-9, "{s}");
    assert!(s["overall"].as_f64().unwrap() < 0.99, "{s}");
    assert_eq!(code, 3);
}

#[test]
fn a_clean_file_lists_no_structural_rule() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clean.csv");
    std::fs::write(&path, "id,ten,ghi_chu\n001,An,ok\n").unwrap();
    let out = dir.path().join("out");
    let status = ddss()
        .args(["validate", "--no-progress", "--rules"])
        .arg(data("malformed/rules"))
        .arg("--out")
        .arg(&out)
        .arg(&path)
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(0));
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let ids: Vec<&str> = results["datasets"][0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["M1", "M2", "M3"]);
    assert_eq!(results["datasets"][0]["scores"]["overall"], 1.0);
}

#[test]
fn a_record_longer_than_the_memory_limit_allows_is_skipped_not_read() {
    // 64 MiB lets one record take 4 MiB; this one is 12 MB, inside a file
    // large enough to be streamed. Once such a line took 5–6 times its
    // size in memory, whatever the limit.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.csv");
    let mut csv = String::from("id,ten,ghi_chu\n");
    for i in 0..500 {
        csv.push_str(&format!("{:03},Ten,ok\n", i % 1000));
    }
    csv.push_str("999,");
    csv.push_str(&"x".repeat(12 << 20));
    csv.push_str(",ok\n");
    for i in 0..500 {
        csv.push_str(&format!("{:03},Ten,ok\n", i % 1000));
    }
    std::fs::write(&path, csv).unwrap();
    let (code, results) = run_malformed_pack(
        &["--memory-limit", "64MiB"],
        &[&path],
        &dir.path().join("out"),
    );
    let d = &results["datasets"][0];
    assert_eq!(
        d["rows"], 1001,
        "the skipped record stays a row, at its line"
    );
    assert_eq!(counts(d, "PH006"), Some((1, 1001)));
    let found = problems(d);
    assert_eq!(
        (found[0].0, found[0].1.as_str()),
        (502, "PH006"),
        "{found:?}"
    );
    assert!(
        found[0].2.contains("on line 502 is longer than 4.0 MiB"),
        "{found:?}"
    );
    // Its cells are missing: the rows around it are all checked.
    assert_eq!(counts(d, "M1"), Some((1, 1001)));
    assert_eq!(code, Some(3));
}

#[test]
fn a_header_longer_than_the_memory_limit_allows_stops_only_its_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join("a_long_header.csv");
    let mut csv = "h".repeat(12 << 20);
    csv.push_str("\n1\n");
    std::fs::write(&long, csv).unwrap();
    let fine = dir.path().join("b_fine.csv");
    std::fs::write(&fine, "id,ten,ghi_chu\n001,An,ok\n").unwrap();
    let (code, results) = run_malformed_pack(
        &["--memory-limit", "64MiB"],
        &[&long, &fine],
        &dir.path().join("out"),
    );
    assert_eq!(code, Some(3));
    let datasets = results["datasets"].as_array().unwrap();
    assert_eq!(datasets.len(), 2);
    let messages: Vec<&str> = datasets
        .iter()
        .flat_map(|d| d["errors"].as_array().unwrap())
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("a_long_header.csv:1: the header line is longer")),
        "{messages:?}"
    );
    assert!(
        datasets
            .iter()
            .any(|d| d["rows"] == 1 && d["status"] == "pass")
    );
}

#[test]
fn a_header_of_100_000_columns_is_read() {
    // Once quadratic in the number of columns (100,000: 21 s).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.csv");
    let names: Vec<String> = std::iter::once("id".to_string())
        .chain((1..100_000).map(|i| format!("c{i}")))
        .collect();
    let mut csv = names.join(",");
    csv.push_str("\n001");
    csv.push_str(&",".repeat(99_999));
    csv.push('\n');
    std::fs::write(&path, csv).unwrap();
    let out = dir.path().join("out");
    let output = ddss()
        .args(["validate", "--no-progress", "--rules"])
        .arg(data("malformed/rules"))
        .arg("--out")
        .arg(&out)
        .arg(&path)
        .output()
        .unwrap();
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(
        results["datasets"][0]["rows"],
        1,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Whether every file results.json lists in `out` has the listed bytes, the
/// scorecard and the workbook carry its run id: whether `out` holds one
/// run's report set.
fn one_runs_set(out: &Path) -> Result<(), String> {
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let run_id = results["run_id"].as_str().unwrap();
    let outputs = results["outputs"].as_array().unwrap();
    if outputs.len() < 3 {
        return Err(format!("too few outputs listed: {outputs:?}"));
    }
    for file in outputs {
        let path = out.join(file["path"].as_str().unwrap());
        let (bytes, sha256) = ddss::atomic::file_sha256(&path).map_err(|e| e.to_string())?;
        if (Some(bytes), Some(sha256.as_str())) != (file["bytes"].as_u64(), file["sha256"].as_str())
        {
            return Err(format!("{} is not the listed file", path.display()));
        }
    }
    let scorecard = std::fs::read_to_string(out.join("scorecard.html")).unwrap();
    if !scorecard.contains(&format!(r#"<meta name="ddss-run-id" content="{run_id}">"#)) {
        return Err("the scorecard is another run's".into());
    }
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(out.join("violations.xlsx")).unwrap()).unwrap();
    let mut custom = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("docProps/custom.xml").unwrap(),
        &mut custom,
    )
    .unwrap();
    if !custom.contains(run_id) {
        return Err("the workbook is another run's".into());
    }
    Ok(())
}

#[test]
fn results_json_names_every_file_of_its_run_with_its_hash() {
    let out = tempfile::tempdir().unwrap();
    let run = |file: &str| {
        ddss()
            .args(["validate", "--no-progress", "--rules"])
            .arg(data("malformed/rules"))
            .arg("--out")
            .arg(out.path())
            .arg(data("malformed/files").join(file))
            .output()
            .unwrap()
    };
    run("stray_quotes.csv");
    one_runs_set(out.path()).unwrap();
    let first = std::fs::read(out.path().join("results.json")).unwrap();
    run("ragged_5pct.csv");
    one_runs_set(out.path()).unwrap();
    // A run killed after its reports but before its results.json leaves
    // the previous results.json beside them: the mismatch shows.
    std::fs::write(out.path().join("results.json"), first).unwrap();
    let mixed = one_runs_set(out.path());
    assert!(mixed.is_err(), "a mixed set passed for one run's");
}
