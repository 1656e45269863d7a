//! Hot paths on a generated population register (default 200,000 rows;
//! set DDSS_BENCH_PEOPLE to change): reading the CSV, each check kind alone,
//! the whole bundled pack, and scoring. Run with `cargo bench`.

use std::path::Path;

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ddss::contract::{LookupSets, ReferenceTables};
use ddss::engine::query::check_table;
use ddss::input::{ReadOptions, Table, read_table};
use ddss::pack::{RulePack, parse_pack};
use ddss_generate::{GenerateOptions, generate};

const COLUMNS: &str = r#"
[columns]
so_dinh_danh = "string"
ho_ten = "string"
ngay_sinh = { type = "date", format = "%Y-%m-%d" }
gioi_tinh = "string"
ma_xa = "string"
trang_thai = "string"
ngay_mat = { type = "date", format = "%Y-%m-%d" }
ngay_cap_nhat = { type = "date", format = "%Y-%m-%d" }
"#;

const KINDS: [(&str, &str); 12] = [
    ("required", "check = \"required\"\ncolumn = \"ho_ten\""),
    ("unique", "check = \"unique\"\ncolumn = \"so_dinh_danh\""),
    (
        "pattern",
        "check = \"pattern\"\ncolumn = \"so_dinh_danh\"\nregex = '\\d{12}'",
    ),
    (
        "in_set_reference",
        "check = \"in_set\"\ncolumn = \"ma_xa\"\nreference = \"reference/communes_2025.csv\"\nreference_column = \"code\"",
    ),
    (
        "range_date",
        "check = \"range\"\ncolumn = \"ngay_sinh\"\nmin = \"1900-01-01\"\nmax = \"today\"",
    ),
    ("parses_date", "check = \"parses\"\ncolumn = \"ngay_sinh\""),
    ("expr", "check = \"expr\"\nexpr = \"ngay_mat >= ngay_sinh\""),
    (
        "fresh",
        "check = \"fresh\"\ncolumn = \"ngay_cap_nhat\"\nmax_age_days = 365",
    ),
    (
        "vn_text_name",
        "check = \"vn_text\"\ncolumn = \"ho_ten\"\nname = true",
    ),
    (
        "cccd_all_parts",
        "check = \"cccd\"\ncolumn = \"so_dinh_danh\"\ngender_column = \"gioi_tinh\"\nbirth_date_column = \"ngay_sinh\"",
    ),
    (
        "age",
        "check = \"age\"\nbirth_date_column = \"ngay_sinh\"\nmax = 120",
    ),
    (
        "deadline",
        "check = \"deadline\"\nfrom_column = \"ngay_sinh\"\nto_column = \"ngay_cap_nhat\"\nmax_days = 36500",
    ),
];

fn pack(rule: &str) -> RulePack {
    let text = format!(
        "[dataset]\nname = \"b\"\nsector = \"b\"\nfiles = [\"*.csv\"]\n{COLUMNS}\n[[rules]]\nid = \"B\"\ndimension = \"dung\"\nmessage = \"m\"\n{rule}\n"
    );
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    parse_pack(
        &rules.join("bench.toml"),
        &text,
        &rules,
        &ReferenceTables::default(),
    )
    .expect("bench pack")
}

fn bench(c: &mut Criterion) {
    let people: usize = std::env::var("DDSS_BENCH_PEOPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    generate(&GenerateOptions {
        seed: 1,
        people,
        block_people: ddss_generate::DEFAULT_BLOCK_PEOPLE,
        defect_rate: 0.05,
        as_of,
        reference_dir: root.join("rules/reference"),
        out_dir: dir.path().to_path_buf(),
    })
    .unwrap();
    let file = dir.path().join("dan_cu.csv");
    let bytes = std::fs::metadata(&file).unwrap().len();
    let options = ReadOptions {
        missing_values: vec!["NULL".into()],
        ..Default::default()
    };

    let mut read = c.benchmark_group("read");
    read.sample_size(10).throughput(Throughput::Bytes(bytes));
    read.bench_function("read_table", |b| {
        b.iter(|| read_table(&file, &options, &|_| {}).unwrap())
    });
    read.finish();

    let table: Table = read_table(&file, &options, &|_| {}).unwrap();
    let lookups = LookupSets::default();
    let mut checks = c.benchmark_group("check");
    checks
        .sample_size(10)
        .throughput(Throughput::Elements(table.frame.height() as u64));
    for (name, rule) in KINDS {
        let p = pack(rule);
        checks.bench_function(name, |b| {
            b.iter(|| check_table(&p, &table.frame, &table.header, as_of, &lookups, vec![]))
        });
    }
    let full = ddss::pack::load_pack(&root.join("rules/dan_cu/dan_cu.toml")).unwrap();
    checks.bench_function("dan_cu_pack_13_rules", |b| {
        b.iter(|| check_table(&full, &table.frame, &table.header, as_of, &lookups, vec![]))
    });
    checks.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
