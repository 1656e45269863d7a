//! PostgreSQL inputs (issue 21), against a real server: the one
//! `scripts/postgres.sh start` runs (scripts/test.sh starts it and sets
//! `DDSS_TEST_POSTGRES`, `DDSS_TEST_POSTGRES_PASSWORD`). The generated
//! exports are loaded into tables — clean date columns as `date`, the rest
//! as `text` — and validated through `postgres://` addresses; the results
//! equal the CSV run's. The password never appears in any output, a query
//! cannot write, and a table that is not there stops nothing else. Runs the
//! real binary.

mod common;

use std::io::Read;
use std::path::Path;

use common::{
    as_dates, dataset, failed_by_rule, generate_exports, read_columns, root, validate, validate_env,
};
use serde_json::Value;

struct Server {
    url: String,
    password: String,
}

/// The test server, or `None` outside CI when none was started (the test
/// then says so and passes; in CI a missing server fails it).
fn server() -> Option<Server> {
    match (
        std::env::var("DDSS_TEST_POSTGRES"),
        std::env::var("DDSS_TEST_POSTGRES_PASSWORD"),
    ) {
        (Ok(url), Ok(password)) => Some(Server { url, password }),
        _ if std::env::var_os("CI").is_some() => {
            panic!("no test PostgreSQL server: run the tests with bash scripts/test.sh")
        }
        _ => {
            eprintln!("skipped: no PostgreSQL server (eval \"$(bash scripts/postgres.sh start)\")");
            None
        }
    }
}

fn connect(server: &Server) -> postgres::Client {
    let mut config: postgres::Config = server.url.parse().unwrap();
    config.password(&server.password);
    config.connect(postgres::NoTls).unwrap()
}

/// A fresh schema of its own for each test (tests run in parallel).
fn schema(client: &mut postgres::Client, name: &str) -> String {
    let schema = format!("t_{name}_{}", std::process::id());
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .unwrap();
    schema
}

/// Loads `csv` as `schema.<stem>`: a column whose every value is a date in
/// ISO or `dd/mm/yyyy` form as `date`, the others as `text`; empty cells
/// NULL. Returns how many columns are dates: ISO ones, `dd/mm/yyyy` ones.
fn load(client: &mut postgres::Client, schema: &str, csv: &Path) -> (usize, usize) {
    let table = csv.file_stem().unwrap().to_string_lossy().into_owned();
    let (header, cells) = read_columns(csv);
    let mut dates = (0, 0);
    let mut definitions = Vec::new();
    let mut columns: Vec<Vec<Option<String>>> = Vec::new();
    for (name, values) in header.iter().zip(cells) {
        let iso = as_dates(&values, "%Y-%m-%d");
        let dmy = iso
            .is_none()
            .then(|| as_dates(&values, "%d/%m/%Y"))
            .flatten();
        dates.0 += usize::from(iso.is_some());
        dates.1 += usize::from(dmy.is_some());
        match iso.or(dmy) {
            Some(days) => {
                definitions.push(format!("\"{name}\" date"));
                columns.push(
                    days.iter()
                        .map(|d| d.map(|d| d.format("%Y-%m-%d").to_string()))
                        .collect(),
                );
            }
            None => {
                definitions.push(format!("\"{name}\" text"));
                columns.push(values);
            }
        }
    }
    client
        .batch_execute(&format!(
            "CREATE TABLE {schema}.{table} ({})",
            definitions.join(", ")
        ))
        .unwrap();
    let mut data = Vec::new();
    {
        let mut writer = csv::Writer::from_writer(&mut data);
        let rows = columns.first().map_or(0, Vec::len);
        for r in 0..rows {
            // NULL is an unquoted empty field; an empty text a quoted one.
            let record: Vec<String> = columns
                .iter()
                .map(|c| c[r].clone().unwrap_or_default())
                .collect();
            writer.write_record(&record).unwrap();
        }
        writer.flush().unwrap();
    }
    let mut copy = client
        .copy_in(&format!(
            "COPY {schema}.{table} FROM STDIN WITH (FORMAT csv)"
        ))
        .unwrap();
    std::io::Write::write_all(&mut copy, &data).unwrap();
    copy.finish().unwrap();
    dates
}

fn address(server: &Server, relation: &str) -> String {
    format!("{}?{relation}", server.url)
}

#[test]
fn the_exports_loaded_into_postgresql_give_the_csv_run_s_counts_and_scores() {
    let Some(server) = server() else { return };
    let csv_dir = tempfile::tempdir().unwrap();
    let files = generate_exports(43, csv_dir.path());
    let mut client = connect(&server);
    let schema = schema(&mut client, "equal");
    let mut dates = (0, 0);
    let mut addresses = Vec::new();
    for file in &files {
        let (iso, dmy) = load(&mut client, &schema, file);
        dates = (dates.0 + iso, dates.1 + dmy);
        let table = file.file_stem().unwrap().to_string_lossy().into_owned();
        addresses.push(address(&server, &format!("table={schema}.{table}")));
    }
    assert!(
        files.len() >= 10 && dates.0 >= 2 && dates.1 >= 1,
        "{files:?}: {dates:?} date columns (ISO, dd/mm/yyyy)"
    );

    let (out_csv, out_pg) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (csv_code, from_csv) = validate(csv_dir.path(), out_csv.path());
    let run = validate_env(
        &addresses,
        out_pg.path(),
        &[("PGPASSWORD", &server.password)],
    );
    assert_eq!(run.code, csv_code, "{}", run.stderr);
    for (file, shown) in files.iter().zip(&addresses) {
        let name = file.file_stem().unwrap().to_string_lossy();
        let (c, p) = (dataset(&from_csv, &name), dataset(&run.results, &name));
        assert_eq!(p["errors"], c["errors"], "{name}");
        assert_eq!(p["rows"], c["rows"], "{name}");
        assert!(p["rows"].as_u64().unwrap() > 0, "{name}");
        assert_eq!(failed_by_rule(p), failed_by_rule(c), "{name}");
        assert_eq!(p["violation_count"], c["violation_count"], "{name}");
        assert_eq!(p["scores"], c["scores"], "{name}");
        assert_eq!(p["units"], c["units"], "{name}");
        assert_eq!(p["source_kind"], "postgres", "{name}");
        assert_eq!(p["source"].as_str(), Some(shown.as_str()), "{name}");
        assert_eq!(c["source_kind"], "csv", "{name}");
    }
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
}

/// Every text the runs left: stdout, stderr and every file of the output
/// folder (workbooks unzipped).
fn everything_written(run: &common::Run, out: &Path) -> String {
    let mut all = format!("{}\n{}\n", run.stdout, run.stderr);
    for entry in walkdir::WalkDir::new(out).into_iter().flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        if bytes.starts_with(b"PK") {
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            for i in 0..archive.len() {
                let mut part = String::new();
                let _ = archive.by_index(i).unwrap().read_to_string(&mut part);
                all.push_str(&part);
            }
        } else {
            all.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    all
}

#[test]
fn a_password_never_appears_in_any_output() {
    let Some(server) = server() else { return };
    let mut client = connect(&server);
    let schema = schema(&mut client, "secret");
    load(&mut client, &schema, &root().join("fixtures/khai_tu.csv"));
    let khai_tu = address(&server, &format!("table={schema}.khai_tu"));
    let khai_sinh = root().join("fixtures/khai_sinh.csv");
    let khai_sinh = khai_sinh.to_string_lossy().into_owned();

    // The right password (from the environment), then a wrong one, then a
    // password file: neither reaches any output.
    let right = tempfile::tempdir().unwrap();
    let run = validate_env(
        &[khai_tu.clone(), khai_sinh.clone()],
        right.path(),
        &[("PGPASSWORD", &server.password)],
    );
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    assert!(dataset(&run.results, "khai_tu")["rows"].as_u64().unwrap() > 0);
    let written = everything_written(&run, right.path());
    assert!(written.contains(&khai_tu), "the source is shown");
    assert!(!written.contains(&server.password));

    let wrong_password = "Wr0ng-and-secret-7b1c";
    let wrong = tempfile::tempdir().unwrap();
    let run = validate_env(
        &[khai_tu.clone(), khai_sinh.clone()],
        wrong.path(),
        &[("PGPASSWORD", wrong_password)],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    let message = dataset(&run.results, "khai_tu")["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("password") && message.contains("~/.pgpass"),
        "{message}"
    );
    assert!(dataset(&run.results, "khai_sinh")["rows"].as_u64().unwrap() > 0);
    assert!(!everything_written(&run, wrong.path()).contains(wrong_password));

    let pgpass_dir = tempfile::tempdir().unwrap();
    let pgpass = pgpass_dir.path().join("pgpass");
    std::fs::write(
        &pgpass,
        format!("127.0.0.1:*:*:ddss_test:{}\n", server.password),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let from_file = tempfile::tempdir().unwrap();
    let run = validate_env(
        std::slice::from_ref(&khai_tu),
        from_file.path(),
        &[("PGPASSFILE", pgpass.to_str().unwrap())],
    );
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    assert!(!everything_written(&run, from_file.path()).contains(&server.password));

    // Written into the address, it is refused (exit 2) and not repeated.
    let in_address = server
        .url
        .replace("ddss_test@", &format!("ddss_test:{}@", server.password));
    let refused = tempfile::tempdir().unwrap();
    let run = validate_env(
        &[format!("{in_address}?table={schema}.khai_tu")],
        refused.path(),
        &[],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("PGPASSWORD"), "{}", run.stderr);
    assert!(!everything_written(&run, refused.path()).contains(&server.password));
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
}

#[test]
fn a_query_cannot_write_and_a_missing_table_stops_nothing_else() {
    let Some(server) = server() else { return };
    let mut client = connect(&server);
    let schema = schema(&mut client, "readonly");
    load(&mut client, &schema, &root().join("fixtures/khai_tu.csv"));
    let before: i64 = client
        .query_one(&format!("SELECT count(*) FROM {schema}.khai_tu"), &[])
        .unwrap()
        .get(0);
    let writing = format!("query=DELETE+FROM+{schema}.khai_tu+RETURNING+*&name=khai_tu");
    let out = tempfile::tempdir().unwrap();
    let run = validate_env(
        &[
            address(&server, &writing),
            address(&server, &format!("table={schema}.dan_cu")),
            root()
                .join("fixtures/khai_sinh.csv")
                .to_string_lossy()
                .into_owned(),
        ],
        out.path(),
        &[("PGPASSWORD", &server.password)],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    let after: i64 = client
        .query_one(&format!("SELECT count(*) FROM {schema}.khai_tu"), &[])
        .unwrap()
        .get(0);
    assert_eq!(after, before, "the query deleted rows");
    let error = |name: &str| -> String {
        let d: &Value = dataset(&run.results, name);
        assert_eq!(d["status"], "error", "{name}");
        d["errors"][0]["message"].as_str().unwrap().to_string()
    };
    assert!(
        error("khai_tu").contains("read-only transaction"),
        "{}",
        error("khai_tu")
    );
    let missing = error("dan_cu");
    assert!(
        missing.contains("does not exist") && missing.contains(&format!("{schema}.dan_cu")),
        "{missing}"
    );
    assert!(dataset(&run.results, "khai_sinh")["rows"].as_u64().unwrap() > 0);
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
}
