//! Snapshot tests of the reports people and machines read: the summary
//! table and results.json (volatile fields redacted).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

fn run(out: &Path) -> String {
    let output = Command::cargo_bin("ddss")
        .unwrap()
        .args(["validate", "--as-of", "2026-06-30", "--rules"])
        .arg(data("rules"))
        .arg("--out")
        .arg(out)
        .arg(data("exports"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    String::from_utf8(output.stdout).unwrap()
}

fn stable(text: &str, out: &Path, results: &Value) -> String {
    text.replace(env!("CARGO_PKG_VERSION"), "[version]")
        .replace(
            &results["rule_packs"]["hash"].as_str().unwrap()[..19],
            "[hash]",
        )
        .replace(&out.to_string_lossy().to_string(), "[out]")
}

#[test]
fn summary_table() {
    let out = tempfile::tempdir().unwrap();
    let stdout = run(out.path());
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("results.json")).unwrap())
            .unwrap();
    insta::assert_snapshot!(stable(&stdout, out.path(), &results));
}

#[test]
fn results_json() {
    let out = tempfile::tempdir().unwrap();
    run(out.path());
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("results.json")).unwrap())
            .unwrap();
    insta::assert_json_snapshot!(results, {
        ".generated_at" => "[time]",
        ".run_id" => "[run id]",
        ".outputs[].bytes" => "[bytes]",
        ".outputs[].sha256" => "[sha256]",
        ".tool.version" => "[version]",
        ".rule_packs.hash" => "[hash]",
        ".rule_packs.files[]" => "[pack file]",
        ".datasets[].pack" => "[pack file]",
        ".datasets[].source" => "[source file]",
    });
}

/// The scorecard's HTML, with the run time and version fixed.
#[test]
fn scorecard_html() {
    let out = tempfile::tempdir().unwrap();
    run(out.path());
    let mut results: ddss::results::RunResults =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("results.json")).unwrap())
            .unwrap();
    ddss::report::units_file::inline(&mut results, out.path()).unwrap();
    results.generated_at = "2026-06-30T21:00:00Z".into();
    results.run_id = "20260630T210000Z-00000000".into();
    results.tool.version = "[version]".into();
    results.rule_packs.hash = "sha256:[hash]".into();
    for d in &mut results.datasets {
        d.source = "[source file]".into();
    }
    let html = ddss::report::scorecard::render(&results, &[], ddss::report::Lang::Vi);
    // The stylesheet has its own file; the snapshot is about the content.
    let body = &html[html.find("</style>").unwrap()..];
    insta::assert_snapshot!(body);
}
