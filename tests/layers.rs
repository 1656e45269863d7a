//! The library's top-level modules form layers: no import cycle among them
//! in non-test code, and the engine never reaches the reports. Read from the
//! source: every `crate::<module>` path (also inside `use crate::{…}`) of
//! every file, test modules and test-only files left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `#[cfg(test)] mod name;` declarations: files compiled for tests only.
fn test_only_modules(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut after_cfg_test = false;
    for line in text.lines() {
        let line = line.trim();
        if line == "#[cfg(test)]" {
            after_cfg_test = true;
            continue;
        }
        if after_cfg_test
            && let Some(rest) = line
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub ")
                .strip_prefix("mod ")
            && let Some(name) = rest.strip_suffix(';')
        {
            out.push(name.to_string());
        }
        after_cfg_test = false;
    }
    out
}

/// The text without comments and without `#[cfg(test)]` items (a test
/// module runs to the end of its braces).
fn non_test_code(text: &str) -> String {
    let mut code = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        code.push_str(line.split(" // ").next().unwrap_or(line));
        code.push('\n');
    }
    let mut out = String::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        // Skip to the item's end: its `;`, or its matching closing brace.
        let semi = after.find(';');
        let brace = after.find('{');
        match (brace, semi) {
            (Some(b), Some(s)) if b < s => {
                let mut depth = 0usize;
                let mut end = after.len();
                for (i, c) in after[b..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = b + i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                rest = &after[end..];
            }
            (_, Some(s)) => rest = &after[s + 1..],
            _ => rest = "",
        }
    }
    out.push_str(rest);
    out
}

/// Top-level modules each `crate::` path names.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in code.match_indices("crate::") {
        let after = &code[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // `use crate::{a::X, b, c::{…}}`: the first segment of each item.
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if c.is_whitespace() => {}
                    _ if item_start => {
                        let name = ident(&group[i..]);
                        if !name.is_empty() {
                            out.insert(name);
                        }
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(after);
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut test_only: BTreeSet<PathBuf> = BTreeSet::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let dir = if f
            .file_name()
            .is_some_and(|n| n == "mod.rs" || n == "lib.rs")
        {
            f.parent().unwrap().to_path_buf()
        } else {
            f.with_extension("")
        };
        for m in test_only_modules(&text) {
            test_only.insert(dir.join(format!("{m}.rs")));
            test_only.insert(dir.join(m).join("mod.rs"));
        }
    }
    let mut graph = Graph::new();
    for f in &files {
        let relative = f.strip_prefix(&src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if test_only.contains(f) || top == "lib" || top == "main" {
            continue;
        }
        let code = non_test_code(&std::fs::read_to_string(f).unwrap());
        let entry = graph.entry(top.clone()).or_default();
        for target in crate_paths(&code) {
            if target != top {
                entry
                    .entry(target)
                    .or_default()
                    .insert(relative.to_string_lossy().into_owned());
            }
        }
    }
    graph
}

/// A cycle through `start`, if any, as the list of modules.
fn cycle_from(graph: &Graph, start: &str) -> Option<Vec<String>> {
    fn visit(
        graph: &Graph,
        node: &str,
        start: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(node).into_iter().flat_map(|e| e.keys()) {
            if next == start {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if visit(graph, next, start, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    let mut seen = BTreeSet::new();
    visit(graph, start, start, &mut path, &mut seen).then_some(path)
}

#[test]
fn top_level_modules_have_no_import_cycle() {
    let graph = graph();
    assert!(
        graph.len() >= 10,
        "the source walk found too few modules: {:?}",
        graph.keys()
    );
    for module in graph.keys() {
        if let Some(cycle) = cycle_from(&graph, module) {
            let steps: Vec<String> = cycle
                .windows(2)
                .map(|w| format!("{} → {} ({:?})", w[0], w[1], graph[&w[0]][&w[1]]))
                .collect();
            panic!("import cycle: {}", steps.join("; "));
        }
    }
}

#[test]
fn the_engine_never_imports_reports_or_the_cli() {
    let graph = graph();
    let engine = &graph["engine"];
    for upper in ["report", "cli", "job", "history"] {
        assert!(
            !engine.contains_key(upper),
            "engine imports {upper}: {:?}",
            engine.get(upper)
        );
    }
}

#[test]
fn check_kinds_see_only_the_contract_and_the_shared_words() {
    let graph = graph();
    for kinds in ["checks", "vn", "structure"] {
        let allowed = ["contract", "error", "model", "checks", "vn", "structure"];
        for target in graph[kinds].keys() {
            assert!(
                allowed.contains(&target.as_str()),
                "{kinds} imports {target}: {:?}",
                graph[kinds][target]
            );
        }
    }
}

#[test]
fn the_reader_finds_paths_and_groups() {
    let code = "use crate::{a::X, b, c::{d, e}};\nfn f() { crate::g::h(); }\n";
    let found: Vec<String> = crate_paths(code).into_iter().collect();
    assert_eq!(found, ["a", "b", "c", "g"]);
    let text = "use crate::x;\n#[cfg(test)]\nmod tests {\n use crate::y;\n { }\n}\nfn z() { crate::w::v() }\n";
    let code = non_test_code(text);
    let found: Vec<String> = crate_paths(&code).into_iter().collect();
    assert_eq!(found, ["w", "x"]);
    // A cycle is found when there is one.
    let mut g = Graph::new();
    g.entry("a".into())
        .or_default()
        .entry("b".into())
        .or_default();
    g.entry("b".into())
        .or_default()
        .entry("a".into())
        .or_default();
    assert_eq!(cycle_from(&g, "a").unwrap(), ["a", "b", "a"]);
}
