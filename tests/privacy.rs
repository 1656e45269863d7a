//! Personal data never travels unmasked where a reader does not need it.
//! Unique markers are fed through every personal-data column (IDs, names,
//! a one-word name) and the checks that quote values — `required`,
//! `pattern`, `vn_text`, `cccd`, `unique`, `reference`, `register_match`
//! (which quotes the *register's* name and birth date) — and every output
//! file is searched for them: with `--mask`, none may appear anywhere;
//! without it, none in `results.json`, the history or the scorecard (always
//! masked), only in the officer's violations CSV and workbook.

use std::io::Read;
use std::path::Path;

use assert_cmd::Command;

const REGISTER_PACK: &str = r#"
[dataset]
name = "reg"
sector = "test"
files = ["reg.csv"]
key = ["id"]

[columns]
id = { type = "string", pii = "id" }
name = { type = "string", pii = "name" }
birth = { type = "date", format = "%Y-%m-%d" }

[[rules]]
id = "R-001"
check = "required"
column = "name"
dimension = "du"
message = "no name"
"#;

const PACK: &str = r#"
[dataset]
name = "t"
sector = "test"
files = ["t.csv"]
key = ["id", "name"]

[columns]
id = { type = "string", pii = "id" }
name = { type = "string", pii = "name" }
birth = { type = "date", format = "%Y-%m-%d" }

[[rules]]
id = "T-001"
check = "pattern"
column = "id"
regex = '0\d{11}'
dimension = "dung"
message = "bad id"

[[rules]]
id = "T-002"
check = "cccd"
column = "id"
birth_date_column = "birth"
parts = ["format", "birth_year"]
dimension = "dung"
message = "id does not agree"

[[rules]]
id = "T-003"
check = "vn_text"
column = "name"
name = true
dimension = "sach"
message = "name not clean"

[[rules]]
id = "T-004"
check = "unique"
column = "id"
dimension = "sach"
message = "id twice"

[[rules]]
id = "T-005"
check = "reference"
column = "id"
dataset = "reg"
dimension = "dung"
message = "not in register"

[[rules]]
id = "T-006"
check = "register_match"
column = "id"
dataset = "reg"
dataset_column = "id"
name_column = "name"
register_name_column = "name"
birth_date_column = "birth"
register_birth_date_column = "birth"
dimension = "dung"
message = "differs from register"

[[rules]]
id = "T-007"
check = "required"
column = "birth"
dimension = "du"
message = "no birth date"
"#;

/// Markers that must never leave masked: given names (masking keeps the
/// family name and initials), the middle digits of IDs, a one-word name,
/// and the day and month of the register's birth date.
const MARKERS: [&str; 6] = [
    "Markerqq", "Markerzz", "Markerww", "987654", "876543", "07-13",
];

fn write_inputs(dir: &Path) {
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("rules/reg.toml"), REGISTER_PACK).unwrap();
    std::fs::write(dir.join("rules/t.toml"), PACK).unwrap();
    std::fs::write(
        dir.join("data/reg.csv"),
        "id,name,birth\n\
         001090987654,Nguyễn Markerzz Bình,1991-07-13\n\
         001090111222,Lê Văn Tâm,1990-01-01\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("data/t.csv"),
        "id,name,birth\n\
         001090987654,Nguyễn Markerqq An,1990-05-01\n\
         001090987654,nguyễn  markerqq an,1990-05-01\n\
         01090876543,Markerww,1990-05-01\n\
         001095876543,Trần Markerqq Hoà,\n",
    )
    .unwrap();
}

fn run(dir: &Path, out: &str, mask: bool) -> std::path::PathBuf {
    let out = dir.join(out);
    let mut cmd = Command::cargo_bin("ddss").unwrap();
    cmd.args([
        "validate",
        "--no-progress",
        "--as-of",
        "2026-06-30",
        "--rules",
    ])
    .arg(dir.join("rules"))
    .arg("--out")
    .arg(&out)
    .arg(dir.join("data"));
    if mask {
        cmd.arg("--mask");
    }
    let code = cmd.assert().get_output().status.code();
    assert_eq!(code, Some(1), "the data breaks rules: exit 1");
    out
}

/// Every output file under `out`, as text (the workbook's XML parts).
fn outputs(out: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "xlsx") {
                let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
                for i in 0..zip.len() {
                    let mut part = zip.by_index(i).unwrap();
                    let mut text = String::new();
                    part.read_to_string(&mut text).unwrap();
                    files.push((
                        format!("{}!{}", path.display(), part.name().unwrap_or_default()),
                        text,
                    ));
                }
            } else {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                files.push((path.display().to_string(), text));
            }
        }
    }
    files
}

fn leaks(files: &[(String, String)]) -> Vec<String> {
    files
        .iter()
        .flat_map(|(name, text)| {
            MARKERS
                .iter()
                .filter(move |m| text.contains(**m))
                .map(move |m| format!("{m} in {name}"))
        })
        .collect()
}

#[test]
fn masked_runs_leak_no_marker_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path());
    let out = run(dir.path(), "masked", true);
    let files = outputs(&out);
    assert!(
        files.len() >= 5,
        "{:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    // The rules did fail on the marked rows: the markers had a way out.
    let csv = std::fs::read_to_string(out.join("violations/t.csv")).unwrap();
    for rule in [
        "T-001", "T-002", "T-003", "T-004", "T-005", "T-006", "T-007",
    ] {
        assert!(csv.contains(rule), "{rule} did not fail:\n{csv}");
    }
    let leaked = leaks(&files);
    assert!(leaked.is_empty(), "{leaked:?}");
}

#[test]
fn unmasked_runs_keep_personal_data_to_the_officers_files() {
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path());
    let out = run(dir.path(), "plain", false);
    let files = outputs(&out);
    let always_masked: Vec<(String, String)> = files
        .iter()
        .filter(|(name, _)| name.ends_with(".json") || name.ends_with(".html"))
        .cloned()
        .collect();
    assert!(always_masked.len() >= 3, "results.json, history, scorecard");
    let leaked = leaks(&always_masked);
    assert!(leaked.is_empty(), "{leaked:?}");
    // The officer's CSV shows the values, the register's included.
    let csv = std::fs::read_to_string(out.join("violations/t.csv")).unwrap();
    for m in ["Markerqq", "987654", "Markerzz", "07-13"] {
        assert!(csv.contains(m), "{m} missing from the unmasked CSV:\n{csv}");
    }
}
