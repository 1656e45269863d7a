//! Fuzz-style suite on stable Rust: property tests that throw arbitrary
//! bytes and mutated rule packs at the real code paths.
//!
//! - Arbitrary bytes (every byte value: quotes, CR, LF, NUL, delimiters,
//!   invalid UTF-8) after a header, validated read whole and piece by piece
//!   (pieces from one byte up) under a pack of many check kinds: never a
//!   panic, and the same rule counts, scores, unit scores and violations file.
//! - The bundled rule packs mutated line by line (lines deleted, doubled,
//!   swapped; numbers and strings replaced by hostile values): loading never
//!   panics, and a pack that loads validates the fixtures without a panic.
//!
//! CI runs a few dozen cases of each (about a minute). The longer run is its
//! own command, documented in docs/guarantees.md:
//!
//! ```sh
//! DDSS_FUZZ_CASES=2000 cargo test --release --test fuzz
//! ```

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use ddss::contract::{LookupSets, ReferenceTables};
use ddss::engine::{RowSink, StreamOptions, validate_streamed, validate_table};
use ddss::input::{ReadOptions, read_table};
use ddss::pack::{PackSet, RulePack, load_packs, parse_pack};
use ddss::report::violations::{PiecewiseCsv, write_csv};
use proptest::prelude::*;

fn cases(default: u32) -> u32 {
    std::env::var("DDSS_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const PACK: &str = r#"
[dataset]
name = "t"
sector = "test"
files = ["t.csv"]
key = ["a"]
unit_column = "u"
missing_values = ["NULL"]

[columns]
a = { type = "string", pii = "id" }
b = { type = "string", pii = "name" }
d = { type = "date", format = "%Y-%m-%d" }
u = "string"

[[rules]]
id = "R1"
check = "required"
column = "a"
dimension = "du"
message = "a missing"

[[rules]]
id = "R2"
check = "unique"
column = "a"
dimension = "sach"
message = "a repeated"

[[rules]]
id = "R3"
check = "pattern"
column = "a"
regex = '\d{12}'
dimension = "dung"
message = "not 12 digits"

[[rules]]
id = "R4"
check = "vn_text"
column = "b"
name = true
dimension = "sach"
message = "name not clean"

[[rules]]
id = "R5"
check = "vn_date"
column = "u"
formats = ["%d/%m/%Y"]
dimension = "dung"
message = "not a date"

[[rules]]
id = "R6"
check = "expr"
expr = "d - INTERVAL '1 year' < d"
when = "d >= DATE '2020-01-01'"
dimension = "dung"
message = "date arithmetic"

[[rules]]
id = "R7"
check = "cccd"
column = "a"
parts = ["format"]
dimension = "dung"
message = "bad id"

[[rules]]
id = "R8"
check = "parses"
column = "d"
dimension = "dung"
message = "no date"

[[rules]]
id = "R9"
check = "row_count"
min = 2
dimension = "du"
message = "too few rows"
"#;

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap()
}

/// Whole read vs piece by piece on `content`: Err(difference) if they
/// disagree. Neither may panic.
fn whole_equals_pieces(content: &[u8], chunk_bytes: usize) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let pack = parse_pack(
        &dir.path().join("t.toml"),
        PACK,
        dir.path(),
        &ReferenceTables::default(),
    )
    .unwrap();
    let path = dir.path().join("t.csv");
    std::fs::write(&path, content).unwrap();
    let read = ReadOptions {
        delimiter: Some(b','),
        missing_values: pack.dataset.missing_values.clone(),
        ..Default::default()
    };
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let lookups = LookupSets::default();
    let whole_table = match read_table(&path, &read, &|_| {}) {
        Ok(t) => t,
        // A file that cannot be read at all must fail the same way in pieces.
        Err(e) => {
            let pieces = validate_streamed(
                &pack,
                &path,
                &read,
                &lookups,
                &options(as_of, chunk_bytes, &|| sink(&dir.path().join("p.csv"))),
            );
            return match pieces {
                Err(p) if p.to_string() == e.to_string() => Ok(()),
                Err(p) => Err(format!("errors differ: {e} vs {p}")),
                Ok(_) => Err(format!("whole read failed ({e}), pieces did not")),
            };
        }
    };
    let whole = validate_table(&pack, &whole_table, as_of, &lookups);
    let whole_csv = dir.path().join("whole.csv");
    write_csv(&whole_csv, &whole.violations, false).map_err(|e| e.to_string())?;
    let piece_csv = dir.path().join("pieces.csv");
    let streamed = validate_streamed(
        &pack,
        &path,
        &read,
        &lookups,
        &options(as_of, chunk_bytes, &|| sink(&piece_csv)),
    )
    .map_err(|e| format!("pieces failed, whole did not: {e}"))?
    .checked;
    let counts = |rules: &[ddss::results::RuleResult]| -> Vec<(String, u64, u64)> {
        rules
            .iter()
            .map(|r| (r.id.clone(), r.evaluated, r.failed))
            .collect()
    };
    if counts(&whole.rules) != counts(&streamed.rules) {
        return Err(format!(
            "rule counts\n{:?}\n{:?}",
            counts(&whole.rules),
            counts(&streamed.rules)
        ));
    }
    if json(&whole.scores) != json(&streamed.scores) || json(&whole.units) != json(&streamed.units)
    {
        return Err("scores or unit scores differ".into());
    }
    if std::fs::read(&whole_csv).unwrap() != std::fs::read(&piece_csv).unwrap() {
        return Err("violations files differ".into());
    }
    Ok(())
}

fn sink(path: &Path) -> Result<Box<dyn RowSink>, ddss::error::UsageError> {
    PiecewiseCsv::create(path, false).map(|s| Box::new(s) as Box<dyn RowSink>)
}

fn options<'a>(
    as_of: NaiveDate,
    chunk_bytes: usize,
    sink: &'a (dyn Fn() -> Result<Box<dyn RowSink>, ddss::error::UsageError> + Sync),
) -> StreamOptions<'a> {
    StreamOptions {
        as_of,
        chunk_bytes,
        record_bytes: None,
        hash_bits: 64,
        examples_per_rule: 3,
        sink,
        progress: &|_, _| {},
    }
}

/// Bytes weighted towards what breaks CSV readers, any byte possible.
fn hostile_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        4 => proptest::sample::select(b"a1,\"\n\r ".to_vec()),
        1 => proptest::sample::select(vec![0u8, 0xff, 0xc3, 0xa1, 0xad, b'-', b'/', b'\t']),
        1 => any::<u8>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(48)))]

    #[test]
    fn arbitrary_bytes_validate_the_same_whole_and_in_pieces(
        body in proptest::collection::vec(hostile_byte(), 0..600),
        rows in proptest::collection::vec(
            (
                proptest::sample::select(vec!["001085123456", "00108512345", "NULL", "", "1.23E+11"]),
                proptest::sample::select(vec!["Nguyễn Văn An", "NguyÔn", "an", "Quúnh", ""]),
                proptest::sample::select(vec!["2021-02-03", "-262143-01-01", "2020-02-30", ""]),
                proptest::sample::select(vec!["01/01/2000", "1/1/00", "０１/０１/２０００", "x"]),
            ),
            0..12,
        ),
        chunk_bytes in 1usize..96,
    ) {
        let mut content = b"a,b,d,u\n".to_vec();
        for (a, b, d, u) in &rows {
            content.extend(format!("{a},{b},{d},{u}\n").as_bytes());
        }
        content.extend(&body);
        if let Err(diff) = whole_equals_pieces(&content, chunk_bytes) {
            prop_assert!(false, "{}", diff);
        }
    }
}

/// One edit of a pack's text.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DoubleLine(usize),
    SwapLines(usize, usize),
    ReplaceNumber(usize, &'static str),
    ReplaceString(usize, &'static str),
}

const HOSTILE_NUMBERS: [&str; 7] = [
    "0",
    "-1",
    "99999999999999999999",
    "1e308",
    "nan",
    "-0.5",
    "3.5",
];
const HOSTILE_STRINGS: [&str; 10] = [
    "",
    "%H:%M",
    "{as_of}",
    "d + INTERVAL '999 years' > d",
    "'; DROP TABLE x; --",
    "ngay_sinh",
    "../../../etc/passwd",
    "(((((",
    "\\\\d{1,99999}",
    "Nguyễn",
];

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for m in mutations {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        match m {
            Mutation::DeleteLine(i) => {
                lines.remove(i % n);
            }
            Mutation::DoubleLine(i) => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Mutation::SwapLines(i, j) => lines.swap(i % n, j % n),
            Mutation::ReplaceNumber(i, v) => {
                let l = &mut lines[i % n];
                if let Some((key, value)) = l.split_once(" = ")
                    && value.trim().parse::<f64>().is_ok()
                {
                    *l = format!("{key} = {v}");
                }
            }
            Mutation::ReplaceString(i, v) => {
                let l = &mut lines[i % n];
                if let Some((key, value)) = l.split_once(" = ")
                    && value.starts_with('"')
                {
                    *l = format!("{key} = \"{}\"", v.replace('"', "\\\""));
                }
            }
        }
    }
    lines.join("\n")
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DoubleLine),
        (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Mutation::SwapLines(i, j)),
        (
            any::<usize>(),
            proptest::sample::select(HOSTILE_NUMBERS.to_vec())
        )
            .prop_map(|(i, v)| Mutation::ReplaceNumber(i, v)),
        (
            any::<usize>(),
            proptest::sample::select(HOSTILE_STRINGS.to_vec())
        )
            .prop_map(|(i, v)| Mutation::ReplaceString(i, v)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(24)))]

    #[test]
    fn mutated_packs_load_or_fail_cleanly_and_validate_without_panic(
        pack_index in 0usize..6,
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let rules = root().join("rules");
        let set = load_packs(&rules).unwrap();
        let i = pack_index % set.packs.len();
        let original = &set.packs[i];
        let text = std::fs::read_to_string(&original.path).unwrap();
        let mutated = mutate(&text, &mutations);
        let parsed: Result<RulePack, _> =
            parse_pack(&original.path, &mutated, &rules, &ReferenceTables::default());
        let Ok(pack) = parsed else {
            // Rejected: the error names the file and a line.
            let message = parsed.err().unwrap().to_string();
            prop_assert!(message.contains(".toml"), "{}", message);
            return Ok(());
        };
        let mut packs = set.packs.clone();
        packs[i] = std::sync::Arc::new(pack);
        let set = PackSet { packs, hash: set.hash.clone(), files: set.files.clone() };
        let out = tempfile::tempdir().unwrap();
        let options = ddss::job::RunOptions {
            as_of: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
            out_dir: out.path().to_path_buf(),
            progress: false,
            fail_under: None,
            mask: false,
            targets: Default::default(),
            lang: Default::default(),
            memory_limit: 8 << 30,
        };
        let run = ddss::job::run(&set, &[root().join("fixtures")], &options);
        if let Ok(results) = run {
            prop_assert!((0..=3).contains(&results.exit_code), "exit {}", results.exit_code);
            prop_assert!(out.path().join("results.json").is_file());
        }
    }
}
