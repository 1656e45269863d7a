//! The `ddss-generate` binary: deterministic output, recorded in the
//! manifest, and bad arguments refused.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn generator() -> Command {
    Command::cargo_bin("ddss-generate").unwrap()
}

#[test]
fn generate_in_blocks_is_deterministic_and_recorded() {
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/reference");
    let run = |out: &Path, block: &str| {
        generator()
            .args(["--seed", "11", "--people", "2500", "--block-people", block])
            .arg("--reference")
            .arg(&reference)
            .arg("--out")
            .arg(out)
            .assert()
            .success()
            .stdout(predicate::str::contains("dan_cu.csv: 2500 rows"));
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run(a.path(), "1000");
    run(b.path(), "1000");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(a.path().join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["block_people"], 1000);
    for file in [
        "dan_cu.csv",
        "khai_sinh.csv",
        "thua_dat.csv",
        "manifest.json",
    ] {
        assert_eq!(
            std::fs::read(a.path().join(file)).unwrap(),
            std::fs::read(b.path().join(file)).unwrap(),
            "{file}"
        );
    }
    generator()
        .args(["--people", "10", "--block-people", "5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("block-people"));
}
