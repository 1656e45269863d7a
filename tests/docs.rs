//! The docs list every check kind, and `ddss checks --explain` prints each
//! kind's own doc comment: both derived from the one table of kinds.

use assert_cmd::Command;

#[test]
fn docs_rules_md_has_a_section_for_every_check_kind() {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md"))
        .expect("docs/rules.md");
    let missing: Vec<String> = ddss::registry::KINDS
        .iter()
        .map(|k| format!("### `{}` ({})", k.name, k.code))
        .filter(|heading| !docs.lines().any(|l| l.trim() == heading))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/rules.md lacks these sections: {missing:?}"
    );
    // And documents no kind the table does not have.
    for line in docs.lines().filter(|l| l.starts_with("### `")) {
        if let Some((name, rest)) = line["### `".len()..].split_once('`')
            && rest.trim_start().starts_with("(")
            && rest.contains(')')
            && (rest.contains("(DQ") || rest.contains("(VN"))
        {
            assert!(
                ddss::registry::KINDS.iter().any(|k| k.name == name),
                "docs/rules.md documents '{name}', which is not a check kind"
            );
        }
    }
}

#[test]
fn checks_lists_every_kind_and_explains_each_from_its_doc_comment() {
    let out = Command::cargo_bin("ddss")
        .unwrap()
        .arg("checks")
        .output()
        .unwrap();
    assert!(out.status.success());
    let listed = String::from_utf8(out.stdout).unwrap();
    for kind in ddss::registry::KINDS {
        assert!(
            listed
                .lines()
                .any(|l| l.starts_with(&format!("{}  {}", kind.code, kind.name))),
            "{} missing from `ddss checks`:\n{listed}",
            kind.code
        );
        let out = Command::cargo_bin("ddss")
            .unwrap()
            .args(["checks", "--explain", kind.code])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", kind.code);
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(text, kind.doc(), "{}", kind.code);
        assert!(
            text.starts_with(&format!("`{}` ({})", kind.name, kind.code)),
            "{text}"
        );
    }
}

#[test]
fn explaining_an_unknown_code_names_the_closest() {
    let out = Command::cargo_bin("ddss")
        .unwrap()
        .args(["checks", "--explain", "DQ03"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("did you mean"), "{err}");
}

#[test]
fn the_index_table_of_docs_rules_md_follows_the_table_of_kinds() {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md"))
        .expect("docs/rules.md");
    // Rows `| CODE | `name` | …` of the index, in order.
    let rows: Vec<(String, String)> = docs
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let code = *cells.get(1)?;
            let name = cells.get(2)?.strip_prefix('`')?.strip_suffix('`')?;
            let is_code = code.len() == 5
                && ["DQ", "VN", "PH"].iter().any(|p| code.starts_with(p))
                && code[2..].bytes().all(|b| b.is_ascii_digit());
            is_code.then(|| (code.to_string(), name.to_string()))
        })
        .collect();
    let table: Vec<(String, String)> = ddss::registry::KINDS
        .iter()
        .map(|k| (k.code.to_string(), k.name.to_string()))
        .collect();
    assert_eq!(
        rows, table,
        "docs/rules.md's index differs from src/registry.rs"
    );
}
