//! What nightly jobs rely on: history of runs, `ddss trend` with deltas and
//! the data/rules split, `--fail-under` and pack targets, Markdown output.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

fn validate(rules: &Path, out: &Path, input: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("ddss")
        .unwrap()
        .args(["validate", "--as-of", "2026-06-30", "--rules"])
        .arg(rules)
        .arg("--out")
        .arg(out)
        .args(extra)
        .arg(input)
        .assert()
}

fn trend_json(out: &Path) -> Value {
    let output = Command::cargo_bin("ddss")
        .unwrap()
        .args(["trend", "--format", "json", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn two_runs_give_a_trend_with_the_change() {
    let out = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nguoi_xa_a.csv");
    std::fs::copy(data("exports/nguoi_xa_a.csv"), &file).unwrap();
    validate(&data("rules"), out.path(), &file, &[]).code(1);
    // The officer fixes the two missing names.
    let fixed = std::fs::read_to_string(&file)
        .unwrap()
        .replace("2,,Nữ", "2,Trần Thị Cúc,Nữ")
        .replace("4,NULL,", "4,Phạm Văn Dũng,");
    std::fs::write(&file, fixed).unwrap();
    validate(&data("rules"), out.path(), &file, &[]).code(1);

    let trends = trend_json(out.path());
    let t = &trends[0];
    assert_eq!(t["dataset"], "nguoi");
    assert_eq!(t["series"].as_array().unwrap().len(), 2);
    // du goes from 0.8 to 1.0: overall rises by 0.2 / 4 = 0.05.
    assert!((t["change"].as_f64().unwrap() - 0.05).abs() < 1e-9, "{t}");
    assert_eq!(t["rules_changed"], false);
    assert!(
        (t["due_to_data"].as_f64().unwrap() - 0.05).abs() < 1e-9,
        "{t}"
    );

    Command::cargo_bin("ddss")
        .unwrap()
        .args(["trend", "--out"])
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("+5,0 điểm"));
}

#[test]
fn changed_rules_split_the_change() {
    let out = tempfile::tempdir().unwrap();
    let input = data("exports/nguoi_xa_a.csv");
    validate(&data("rules"), out.path(), &input, &[]).code(1);
    // Same data, a pack without the failing freshness rule N-007.
    let rules = tempfile::tempdir().unwrap();
    let pack = std::fs::read_to_string(data("rules/nguoi.toml")).unwrap();
    let cut = pack.find("[[rules]]\nid = \"N-007\"").unwrap();
    std::fs::write(rules.path().join("nguoi.toml"), &pack[..cut]).unwrap();
    validate(rules.path(), out.path(), &input, &[]).code(1);

    let t = &trend_json(out.path())[0];
    assert_eq!(t["rules_changed"], true);
    assert!(
        t["due_to_data"].as_f64().unwrap().abs() < 1e-9,
        "same data: no change due to data ({t})"
    );
    let change = t["change"].as_f64().unwrap();
    assert!(
        change > 0.0,
        "dropping a failing rule raises the score ({t})"
    );
    assert!(
        (t["due_to_rules"].as_f64().unwrap() - change).abs() < 1e-9,
        "{t}"
    );
}

#[test]
fn fail_under_and_pack_targets_set_the_exit_code() {
    let out = tempfile::tempdir().unwrap();
    let passing = data("exports/nguoi_xa_b.csv");
    validate(
        &data("rules"),
        out.path(),
        &passing,
        &["--fail-under", "0.99"],
    )
    .code(0);
    // nguoi_xa_a has errors anyway; on passing data only the target decides.
    let rules = tempfile::tempdir().unwrap();
    let pack = std::fs::read_to_string(data("rules/nguoi.toml")).unwrap();
    std::fs::write(
        rules.path().join("nguoi.toml"),
        format!("{pack}\n[targets]\nsong = 1.0\n"),
    )
    .unwrap();
    validate(rules.path(), out.path(), &passing, &[]).code(0);
    let stale = tempfile::tempdir().unwrap();
    let file = stale.path().join("nguoi_cu.csv");
    std::fs::write(&file, "ma,ho_ten,gioi_tinh,ngay_sinh,ngay_dang_ky,ma_xa,so_tien\n1,An,Nam,01/01/2000,01/01/2020,00004,1\n").unwrap();
    // Only a warn rule fails (stale registration): exit 0 without a target, 1 with one.
    validate(&data("rules"), out.path(), &file, &[]).code(0);
    validate(rules.path(), out.path(), &file, &[]).code(1);
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("results.json")).unwrap())
            .unwrap();
    let target = &results["datasets"][0]["targets"][0];
    assert_eq!(target["score"], "song");
    assert_eq!(target["met"], false);
    validate(&data("rules"), out.path(), &file, &["--fail-under", "0.9"]).code(1);
    validate(&data("rules"), out.path(), &file, &["--fail-under", "1.5"]).code(2);
}

#[test]
fn markdown_summary_for_chat() {
    let out = tempfile::tempdir().unwrap();
    validate(
        &data("rules"),
        out.path(),
        &data("exports/nguoi_xa_a.csv"),
        &["--format", "markdown"],
    )
    .code(1)
    .stdout(predicate::str::contains(
        "| Bộ dữ liệu | Số dòng | Đúng | Đủ | Sạch | Sống | Tổng hợp | Kết quả |",
    ))
    .stdout(predicate::str::contains(
        "| nguoi | 5 | 77,5% | 80,0% | 60,0% | 20,0% | 59,4% | chưa đạt |",
    ))
    .stdout(predicate::str::contains("❌ CHƯA ĐẠT"));
}

#[test]
fn every_run_is_kept_whole_in_the_history() {
    let out = tempfile::tempdir().unwrap();
    for _ in 0..3 {
        validate(
            &data("rules"),
            out.path(),
            &data("exports/nguoi_xa_b.csv"),
            &[],
        )
        .code(0);
    }
    let files: Vec<_> = std::fs::read_dir(out.path().join("history"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(files.len(), 3);
    for f in files {
        let run: Value = serde_json::from_str(&std::fs::read_to_string(f.path()).unwrap()).unwrap();
        assert_eq!(run["schema_version"], 2);
        // What trend reads, not the per-unit detail (results.json's units_file).
        let d = &run["datasets"][0];
        assert_eq!(d["units"].as_array().map(Vec::len), Some(0), "{d}");
        assert!(d["unit_count"].as_u64().unwrap() > 0, "{d}");
        assert!(d.get("units_file").is_none(), "{d}");
        assert!(d["scores"]["overall"].is_number(), "{d}");
    }
}
