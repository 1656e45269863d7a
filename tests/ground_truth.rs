//! Validation of generated data finds exactly the injected defects: every
//! rule, every dataset, line for line (precision and recall 1.0).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use ddss::job::{RunOptions, run};
use ddss::pack::load_packs;
use ddss::results::RunResults;
use ddss_generate::{DEFAULT_BLOCK_PEOPLE, GenerateOptions, Manifest, generate};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generate_into(
    dir: &Path,
    seed: u64,
    people: usize,
    block_people: usize,
    defect_rate: f64,
) -> Manifest {
    generate(&GenerateOptions {
        seed,
        people,
        block_people,
        defect_rate,
        as_of: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        reference_dir: root().join("rules/reference"),
        out_dir: dir.to_path_buf(),
    })
    .unwrap()
}

/// Enough memory to read every generated file whole.
const PLENTY: u64 = 8 << 30;

fn validate(data: &Path, out: &Path, as_of: &str, memory_limit: u64) -> RunResults {
    let packs = load_packs(&root().join("rules")).unwrap();
    let options = RunOptions {
        as_of: NaiveDate::parse_from_str(as_of, "%Y-%m-%d").unwrap(),
        out_dir: out.to_path_buf(),
        progress: false,
        fail_under: None,
        mask: false,
        targets: Default::default(),
        lang: Default::default(),
        memory_limit,
    };
    run(&packs, &generated_files(data), &options).unwrap()
}

/// Every export the generator wrote (all `.csv` files of the folder).
fn generated_files(data: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    files
}

/// Rule id → failing lines, read back from a violations file.
fn violation_lines(path: &Path) -> BTreeMap<String, Vec<u64>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let mut lines: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for record in reader.records() {
        let record = record.unwrap();
        if let Ok(line) = record[0].parse::<u64>() {
            lines.entry(record[2].to_string()).or_default().push(line);
        }
    }
    for v in lines.values_mut() {
        v.sort_unstable();
    }
    lines
}

/// Validates generated data against the bundled packs, asserts the results
/// are exactly the ground truth, and returns the rules that had injected
/// defects.
fn assert_matches_ground_truth(
    seed: u64,
    people: usize,
    block_people: usize,
    memory_limit: u64,
) -> std::collections::BTreeSet<String> {
    let mut covered = std::collections::BTreeSet::new();
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let manifest = generate_into(data.path(), seed, people, block_people, 0.05);
    let results = validate(data.path(), out.path(), &manifest.as_of, memory_limit);
    if memory_limit < PLENTY {
        for dataset in &results.datasets {
            assert!(dataset.streamed, "{} was read whole", dataset.name);
        }
    }
    assert!(results.unmatched_inputs.is_empty());
    assert_eq!(results.datasets.len(), manifest.datasets.len());
    assert_eq!(manifest.datasets.len(), 11);
    let mut injected = 0;
    for dataset in &results.datasets {
        let truth = &manifest.datasets[&dataset.name];
        assert_eq!(dataset.rows, truth.rows, "{}: rows", dataset.name);
        assert!(
            dataset.errors.is_empty(),
            "{}: {:?}",
            dataset.name,
            dataset.errors
        );
        let found = violation_lines(&out.path().join(dataset.violations_file.as_ref().unwrap()));
        for rule in &dataset.rules {
            let expected = truth.rules.get(&rule.id).cloned().unwrap_or_default();
            injected += expected.len();
            if !expected.is_empty() {
                covered.insert(rule.id.clone());
            }
            assert_eq!(
                rule.failed,
                expected.len() as u64,
                "seed {seed}, {}/{}: failed count",
                dataset.name,
                rule.id
            );
            if rule.check != "columns" && rule.check != "row_count" {
                let got = found.get(&rule.id).cloned().unwrap_or_default();
                assert_eq!(
                    got, expected,
                    "seed {seed}, {}/{}: failing lines",
                    dataset.name, rule.id
                );
            }
        }
        for id in truth.rules.keys() {
            assert!(
                dataset.rules.iter().any(|r| &r.id == id),
                "manifest names unknown rule {id}"
            );
        }
        // Indicators: ddss's SQL counts equal the generator's own counts.
        let computed: BTreeMap<String, (u64, u64)> = dataset
            .indicators
            .iter()
            .map(|i| (i.id.clone(), (i.numerator, i.denominator)))
            .collect();
        let counted: BTreeMap<String, (u64, u64)> = truth
            .indicators
            .iter()
            .map(|(id, t)| (id.clone(), (t.numerator, t.denominator)))
            .collect();
        assert_eq!(
            computed, counted,
            "seed {seed}, {}: indicators",
            dataset.name
        );
        for i in &dataset.indicators {
            assert!(i.error.is_none(), "{}: {:?}", i.id, i.error);
        }
    }
    assert!(
        injected > 50,
        "too few defects injected ({injected}) to prove anything"
    );
    covered
}

/// Every row-level rule of every bundled pack receives injected defects in
/// a ground-truth run (two seeds of 20,000 people), so the exact-match test
/// says something about each of them. Dataset-level rules (`columns`,
/// `row_count`) judge a whole file and have their own tests; so do the
/// structural rules (`PH…`), whose defects are of the file's bytes, not of
/// generated values (`src/structure/`, `tests/hardening.rs`), and which the
/// generator's well-formed CSV must pass everywhere (checked here too).
#[test]
fn every_rule_of_every_bundled_pack_is_covered_by_ground_truth() {
    let packs = load_packs(&root().join("rules")).unwrap();
    let mut covered = assert_matches_ground_truth(3, 20_000, 5_000, PLENTY);
    covered.extend(assert_matches_ground_truth(5, 20_000, 5_000, PLENTY));
    let missing: Vec<String> = packs
        .packs
        .iter()
        .flat_map(|p| p.rules.iter())
        .filter(|r| !r.check.is_dataset_level())
        .filter(|r| !ddss::model::is_structural_code(r.check.code()))
        .map(|r| r.id.clone())
        .filter(|id| !covered.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "no injected defect for {missing:?}: teach the generator to break them"
    );
}

#[test]
fn finds_exactly_the_injected_defects_seed_1_small() {
    let _ = assert_matches_ground_truth(1, 1_500, DEFAULT_BLOCK_PEOPLE, PLENTY);
}

/// Streaming mode: every file checked in pieces of 16 KiB (duplicates,
/// register look-ups and parcels across pieces), the same truth.
#[test]
fn finds_exactly_the_injected_defects_in_streaming_mode() {
    let _ = assert_matches_ground_truth(4, 4_000, 1_000, 64 << 10);
}

/// Six blocks: identifiers, registration numbers, parcel keys and defect
/// values must stay unique across blocks for the truth to hold.
#[test]
fn finds_exactly_the_injected_defects_seed_2_larger_in_blocks() {
    let _ = assert_matches_ground_truth(2, 6_000, 1_000, PLENTY);
}

#[test]
fn clean_data_scores_one_everywhere() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let manifest = generate_into(data.path(), 7, 2_000, 700, 0.0);
    assert!(manifest.datasets.values().all(|d| d.rules.is_empty()));
    let results = validate(data.path(), out.path(), &manifest.as_of, PLENTY);
    for d in &results.datasets {
        // Clean data can still miss an indicator's target (late dossiers are
        // real events, not defects): that, and only that, fails a dataset.
        let missed = d.indicators.iter().any(|i| i.met == Some(false));
        assert_eq!(
            d.status == ddss::results::DatasetStatus::Fail,
            missed,
            "{}: {:?}",
            d.name,
            d.status
        );
        assert_eq!(d.violation_count, 0, "{}", d.name);
        for score in [d.scores.overall, d.scores.record_pass_rate] {
            assert_eq!(score, Some(1.0), "{}: {:?}", d.name, d.scores);
        }
        // A dimension the pack has no rule in (dossiers have no sống rule)
        // is not measured; every measured one is perfect.
        for score in [d.scores.dung, d.scores.du, d.scores.sach, d.scores.song] {
            assert!(score.is_none_or(|s| s == 1.0), "{}: {:?}", d.name, d.scores);
        }
        assert!(d.scores.dung.is_some() && d.scores.du.is_some() && d.scores.sach.is_some());
    }
}

#[test]
fn committed_fixtures_are_what_the_generator_produces() {
    let committed: Manifest = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/manifest.json")).unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let regenerated = generate_into(
        dir.path(),
        committed.seed,
        committed.people,
        committed.block_people,
        committed.defect_rate,
    );
    assert_eq!(regenerated, committed);
    for truth in committed.datasets.values() {
        let a = std::fs::read(root().join("fixtures").join(&truth.file)).unwrap();
        let b = std::fs::read(dir.path().join(&truth.file)).unwrap();
        assert!(
            a == b,
            "fixtures/{} differs from the generator's output; run `ddss generate`",
            truth.file
        );
    }
}

/// A third seed and size, in five blocks of 2,500. Deeper runs by hand
/// (e.g. before a release) name their own: `DDSS_GROUND_TRUTH=4:1000000:20000
/// cargo test --release --test ground_truth` (seed:people:block_people, comma-separated).
#[test]
fn finds_exactly_the_injected_defects_at_chosen_scales() {
    let spec = std::env::var("DDSS_GROUND_TRUTH").unwrap_or_else(|_| "3:12000:2500".into());
    for run in spec.split(',') {
        let parts: Vec<usize> = run.split(':').map(|p| p.trim().parse().unwrap()).collect();
        let [seed, people, block] = parts[..] else {
            panic!("expected seed:people:block_people, got {run}")
        };
        let _ = assert_matches_ground_truth(seed as u64, people, block, PLENTY);
    }
}
