//! A PostgreSQL table or query as input:
//! `postgres://user@host:port/db?table=schema.name` (or `?query=SELECT …&name=dataset`).
//!
//! The rows are copied out once, inside a read-only transaction, with
//! `COPY (…) TO STDOUT (FORMAT csv, HEADER)` — the server's fastest way out,
//! streamed in the protocol's batches — into a CSV file in a private folder
//! (owner-only, removed when the run ends). That file is then validated like
//! any export: piece by piece under `--memory-limit` when large, with the
//! same rules, counts and scores as the same rows exported to CSV. A row's
//! "line" is its row number + 1 (the header is line 1).
//!
//! Credentials come from the environment (`PGPASSWORD`) or a password file
//! (`PGPASSFILE`, else `~/.pgpass`), as libpq reads them. A password written
//! into the address is refused: a command line is visible to every user of
//! the machine (`ps`) and lands in shell history and job logs. The address
//! shown in messages, results.json and history never carries a password.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use indexmap::IndexMap;

use crate::error::{ReadError, UsageError};
use crate::model::ColumnType;

/// URL schemes read as PostgreSQL.
pub const POSTGRES_SCHEMES: [&str; 2] = ["postgres", "postgresql"];

/// Whether a command-line input names a PostgreSQL source rather than a file.
pub fn is_postgres_url(input: &Path) -> bool {
    input.to_str().is_some_and(|s| {
        POSTGRES_SCHEMES
            .iter()
            .any(|scheme| s.starts_with(&format!("{scheme}://")))
    })
}

/// Stands for the missing host of `postgres:///db` while the address is
/// parsed (a name no DNS resolves).
const NO_HOST: &str = "no-host.invalid";

/// What is read: a whole table, or the rows of a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Relation {
    /// `schema.name` or `name`, each part as written (unquoted).
    Table(Vec<String>),
    Query(String),
}

/// A parsed `postgres://` input.
#[derive(Debug, Clone)]
pub struct PostgresSource {
    /// The address as shown to people: never a password.
    pub display: String,
    /// The dataset name it is matched to packs by (`<name>.csv` against
    /// `files = [...]`): the `name` parameter, else the table's name.
    pub name: String,
    pub relation: Relation,
    host: Host,
    port: u16,
    user: String,
    dbname: String,
    connect_timeout: Duration,
}

#[derive(Debug, Clone, PartialEq)]
enum Host {
    Tcp(String),
    /// A Unix-socket folder (`host=/run/postgresql`, or a percent-encoded
    /// path as the address's host).
    Socket(PathBuf),
}

impl PostgresSource {
    /// Parses an input address. A mistake in it is a usage error naming the
    /// address (without any password) and what to write instead.
    pub fn parse(input: &str) -> Result<PostgresSource, UsageError> {
        // libpq's `postgres:///db` and `postgres://user@/db` (the default
        // socket, or `host=`) have no host, which URL parsers refuse.
        let input_for_parser = match input.split_once("://") {
            Some((scheme, rest)) if rest.starts_with('/') => format!("{scheme}://{NO_HOST}{rest}"),
            Some((scheme, rest)) if rest.contains("@/") => {
                format!(
                    "{scheme}://{}",
                    rest.replacen("@/", &format!("@{NO_HOST}/"), 1)
                )
            }
            _ => input.to_string(),
        };
        let url = url::Url::parse(&input_for_parser).map_err(|e| {
            usage(
                &redact(input),
                &format!("{e}; write postgres://user@host:5432/database?table=schema.name"),
            )
        })?;
        let display = shown_address(&url).replace(NO_HOST, "");
        if url.password().is_some() {
            return Err(usage(
                &display,
                "the address holds a password. A command line is visible to other users and kept \
                 in shell history and job logs: remove it, and give the password in the \
                 PGPASSWORD environment variable or a ~/.pgpass file (PGPASSFILE)",
            ));
        }
        let mut table = None;
        let mut query = None;
        let mut name = None;
        let mut host_param = None;
        let mut user_param = None;
        let mut connect_timeout = Duration::from_secs(10);
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "table" => table = Some(value.into_owned()),
                "query" => query = Some(value.into_owned()),
                "name" => name = Some(value.into_owned()),
                "host" => host_param = Some(value.into_owned()),
                "user" => user_param = Some(value.into_owned()),
                "connect_timeout" => {
                    let seconds: u64 = value.parse().map_err(|_| {
                        usage(&display, "connect_timeout is a number of seconds, e.g. 10")
                    })?;
                    connect_timeout = Duration::from_secs(seconds.max(1));
                }
                "password" => {
                    return Err(usage(
                        &display,
                        "the address holds a password parameter: remove it and use PGPASSWORD or \
                         ~/.pgpass",
                    ));
                }
                "sslmode" if value == "disable" || value == "prefer" => {}
                other => {
                    return Err(usage(
                        &display,
                        &format!(
                            "unknown parameter '{other}': ddss reads table=, query=, name=, \
                             host= (a socket folder), user= and connect_timeout=; it connects without \
                             TLS (sslmode=disable/prefer), so reach a remote server through a \
                             local socket or an SSH tunnel"
                        ),
                    ));
                }
            }
        }
        let relation = match (table, query) {
            (Some(t), None) => Relation::Table(parse_table(&t).ok_or_else(|| {
                usage(
                    &display,
                    &format!("'{t}' is not a table name; write table=schema.name or table=name"),
                )
            })?),
            (None, Some(q)) if !q.trim().is_empty() => Relation::Query(q),
            (Some(_), Some(_)) => {
                return Err(usage(&display, "give table= or query=, not both"));
            }
            _ => {
                return Err(usage(
                    &display,
                    "name what to read: add ?table=schema.name, or ?query=SELECT…&name=dataset",
                ));
            }
        };
        let name = match (&relation, name) {
            (_, Some(n)) => n,
            (Relation::Table(parts), None) => parts.last().cloned().unwrap_or_default(),
            (Relation::Query(_), None) => {
                return Err(usage(
                    &display,
                    "a query needs the dataset it is validated as: add &name=khai_sinh (matched \
                     to packs as khai_sinh.csv)",
                ));
            }
        };
        if name.is_empty() || name.contains(['/', '\\']) {
            return Err(usage(
                &display,
                &format!("'{name}' cannot name a dataset; use letters, digits and _"),
            ));
        }
        let host = match host_param {
            Some(h) if h.starts_with('/') => Host::Socket(PathBuf::from(h)),
            Some(h) => Host::Tcp(h),
            None => match url.host_str().filter(|h| *h != NO_HOST) {
                Some(h) => {
                    let decoded = percent_decode(h);
                    if decoded.starts_with('/') {
                        Host::Socket(PathBuf::from(decoded))
                    } else {
                        Host::Tcp(h.trim_matches(['[', ']']).to_string())
                    }
                }
                None => Host::Socket(PathBuf::from("/var/run/postgresql")),
            },
        };
        let user = match (url.username(), user_param) {
            ("", Some(u)) => u,
            ("", None) => ["PGUSER", "USER", "LOGNAME"]
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
                .ok_or_else(|| {
                    usage(
                        &display,
                        "name the database user: postgres://user@host/database (or set PGUSER)",
                    )
                })?,
            (u, _) => percent_decode(u),
        };
        let dbname = match url.path().trim_start_matches('/') {
            "" => std::env::var("PGDATABASE").unwrap_or_else(|_| user.clone()),
            db => percent_decode(db),
        };
        Ok(PostgresSource {
            display,
            name,
            relation,
            host,
            port: url.port().unwrap_or(5432),
            user,
            dbname,
            connect_timeout,
        })
    }

    /// The file name the source is matched to packs by.
    pub fn file_name(&self) -> String {
        format!("{}.csv", self.name)
    }

    /// The rows' query, as written or `SELECT * FROM` the table.
    fn select(&self) -> String {
        match &self.relation {
            Relation::Table(parts) => format!(
                "SELECT * FROM {}",
                parts
                    .iter()
                    .map(|p| quote_identifier(p))
                    .collect::<Vec<_>>()
                    .join(".")
            ),
            Relation::Query(q) => q.trim().trim_end_matches(';').to_string(),
        }
    }

    /// The statement that copies the rows out, every column as is.
    pub fn copy_statement(&self) -> String {
        copy_of(&self.select())
    }

    /// Copies the rows into `dest` as CSV (UTF-8, comma, header). Returns the
    /// bytes written. Nothing is written to the database: the copy runs in a
    /// read-only transaction. A `date`/`timestamp` column the pack declares
    /// with a format (`columns`) is written in that format, as the sector's
    /// CSV export would hold it; other values in PostgreSQL's text form
    /// (dates ISO).
    pub fn export_csv(
        &self,
        dest: &Path,
        columns: &IndexMap<String, ColumnType>,
    ) -> Result<u64, ReadError> {
        let fail = |message: String| ReadError::Postgres {
            address: self.display.clone(),
            message,
        };
        let mut config = postgres::Config::new();
        config
            .user(&self.user)
            .dbname(&self.dbname)
            .port(self.port)
            .application_name("ddss")
            .connect_timeout(self.connect_timeout);
        let pgpass_host = match &self.host {
            Host::Tcp(h) => {
                config.host(h);
                h.clone()
            }
            Host::Socket(dir) => {
                config.host_path(dir);
                "localhost".to_string()
            }
        };
        if let Some(password) = password_for(&pgpass_host, self.port, &self.dbname, &self.user) {
            config.password(password);
        }
        let mut client = config
            .connect(postgres::NoTls)
            .map_err(|e| fail(connect_hint(&e)))?;
        let mut transaction = client
            .build_transaction()
            .read_only(true)
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .start()
            .map_err(|e| fail(describe(&e)))?;
        // Dates and times in ISO form whatever the server's defaults, so a
        // date column reads as a CSV export's `YYYY-MM-DD`.
        transaction
            .batch_execute(
                "SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'iso_8601'; \
                 SET LOCAL TimeZone = 'UTC'",
            )
            .map_err(|e| fail(describe(&e)))?;
        let select = self.select();
        let described = transaction
            .prepare(&select)
            .map_err(|e| fail(describe(&e)))?;
        let list: Vec<String> = described
            .columns()
            .iter()
            .map(|c| formatted_column(c.name(), c.type_(), columns))
            .collect();
        let statement = if list
            .iter()
            .zip(described.columns())
            .all(|(l, c)| *l == quote_identifier(c.name()))
        {
            copy_of(&select)
        } else {
            // A CTE, not a subquery, so any statement COPY takes can be
            // wrapped (and a writing one still meets the read-only refusal).
            copy_of(&format!(
                "WITH q AS ({select}) SELECT {} FROM q",
                list.join(", ")
            ))
        };
        let mut reader = transaction
            .copy_out(statement.as_str())
            .map_err(|e| fail(describe(&e)))?;
        let file = std::fs::File::create(dest).map_err(|source| ReadError::Io {
            path: dest.to_path_buf(),
            source,
        })?;
        let mut writer = std::io::BufWriter::with_capacity(1 << 20, file);
        let bytes = std::io::copy(&mut reader, &mut writer).map_err(|e| fail(e.to_string()))?;
        writer.flush().map_err(|source| ReadError::Io {
            path: dest.to_path_buf(),
            source,
        })?;
        drop(reader);
        transaction.commit().map_err(|e| fail(describe(&e)))?;
        Ok(bytes)
    }
}

fn copy_of(select: &str) -> String {
    format!("COPY ({select}) TO STDOUT WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')")
}

/// A column of the copy: a date or timestamp in the format the pack
/// declares for it, everything else as is.
fn formatted_column(
    name: &str,
    ty: &postgres::types::Type,
    columns: &IndexMap<String, ColumnType>,
) -> String {
    use postgres::types::Type;
    let quoted = quote_identifier(name);
    let format = match (ty, columns.get(name)) {
        (
            &Type::DATE | &Type::TIMESTAMP | &Type::TIMESTAMPTZ,
            Some(ColumnType::Date { format }),
        )
        | (&Type::TIMESTAMP | &Type::TIMESTAMPTZ, Some(ColumnType::Datetime { format })) => format,
        _ => return quoted,
    };
    match to_char_pattern(format) {
        Some(pattern) => format!(
            "to_char({quoted}, '{}') AS {quoted}",
            pattern.replace('\'', "''")
        ),
        None => quoted,
    }
}

/// A chrono/strftime date format as a PostgreSQL `to_char` pattern; `None`
/// for a specifier with no exact equivalent (the column is then left ISO).
fn to_char_pattern(format: &str) -> Option<String> {
    let mut pattern = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c == '%' {
            pattern.push_str(match chars.next()? {
                'Y' => "YYYY",
                'y' => "YY",
                'm' => "MM",
                'd' => "DD",
                'H' => "HH24",
                'M' => "MI",
                'S' => "SS",
                'F' => "YYYY-MM-DD",
                'T' => "HH24:MI:SS",
                '%' => "%",
                _ => return None,
            });
        } else if c.is_alphanumeric() || c == '"' {
            // Letters and digits are pattern words in to_char: quote them.
            pattern.push('"');
            pattern.push(c);
            pattern.push('"');
        } else {
            pattern.push(c);
        }
    }
    Some(pattern)
}

fn usage(display: &str, message: &str) -> UsageError {
    UsageError::Input(format!("{display}: {message}"))
}

/// `schema.name` → its parts; `"Quoted.Part".name` keeps the quoted dot.
fn parse_table(text: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                current.push('"');
            }
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    let valid = !quoted && parts.len() <= 3 && parts.iter().all(|p| !p.is_empty());
    valid.then_some(parts)
}

fn quote_identifier(part: &str) -> String {
    format!("\"{}\"", part.replace('"', "\"\""))
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// The address as shown: without a password, in the user part or as a
/// parameter.
fn shown_address(url: &url::Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_password(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "password")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        shown.set_query(None);
    } else {
        shown.query_pairs_mut().clear().extend_pairs(kept);
    }
    shown.to_string()
}

/// The address with any password replaced, for an address that did not
/// even parse.
fn redact(input: &str) -> String {
    let (address, query) = input.split_once('?').unwrap_or((input, ""));
    let address = match (address.find("://"), address.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            match address[scheme_end + 3..at].split_once(':') {
                Some((user, _)) => {
                    format!("{}{user}:***{}", &address[..scheme_end + 3], &address[at..])
                }
                None => address.to_string(),
            }
        }
        _ => address.to_string(),
    };
    let query: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("password="))
        .collect();
    if query.is_empty() {
        address
    } else {
        format!("{address}?{}", query.join("&"))
    }
}

/// The password libpq would use: `PGPASSWORD`, else the first matching line
/// of the password file (`PGPASSFILE`, else `~/.pgpass`), which — as libpq
/// does — is ignored when others may read it.
fn password_for(host: &str, port: u16, dbname: &str, user: &str) -> Option<String> {
    if let Ok(password) = std::env::var("PGPASSWORD") {
        return Some(password);
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            return None;
        }
    }
    let text = std::fs::read_to_string(&file).ok()?;
    pgpass_lookup(&text, host, &port.to_string(), dbname, user)
}

/// One `.pgpass` look-up: lines `host:port:database:user:password`, `*`
/// matching anything, `\:` and `\\` escaped, `#` lines comments.
fn pgpass_lookup(text: &str, host: &str, port: &str, dbname: &str, user: &str) -> Option<String> {
    let wanted = [host, port, dbname, user];
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#') && !line.trim().is_empty())
        .find_map(|line| {
            let fields = split_pgpass_line(line);
            if fields.len() != 5 {
                return None;
            }
            let matches = fields[..4]
                .iter()
                .zip(wanted)
                .all(|(field, want)| field == "*" || field == want);
            matches.then(|| fields[4].clone())
        })
}

fn split_pgpass_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    fields.last_mut().expect("one field").push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut().expect("one field").push(c),
        }
    }
    fields
}

/// A server or driver error in words, with the server's detail and hint.
fn describe(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => {
            let mut text = format!("{} ({})", db.message(), db.code().code());
            if let Some(detail) = db.detail() {
                text.push_str(&format!("; {detail}"));
            }
            if let Some(hint) = db.hint() {
                text.push_str(&format!("; hint: {hint}"));
            }
            text
        }
        None => error.to_string(),
    }
}

fn connect_hint(error: &postgres::Error) -> String {
    let text = describe(error);
    let lower = text.to_lowercase();
    let hint = if lower.contains("password") {
        "check the password in PGPASSWORD or ~/.pgpass (owner-only: chmod 600) for this host, \
         port, database and user"
    } else if lower.contains("refused")
        || lower.contains("timed out")
        || lower.contains("error connecting")
    {
        "is the server running and listening on this host and port?"
    } else {
        "check the address, the user's rights (CONNECT on the database, SELECT on the table)"
    };
    format!("cannot connect: {text}; {hint}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_address_gives_its_parts_and_dataset_name() {
        let s = PostgresSource::parse(
            "postgres://officer@db.local:6543/sector?table=ho_tich.khai_sinh",
        )
        .unwrap();
        assert_eq!(s.name, "khai_sinh");
        assert_eq!(s.file_name(), "khai_sinh.csv");
        assert_eq!(s.port, 6543);
        assert_eq!(s.user, "officer");
        assert_eq!(s.dbname, "sector");
        assert_eq!(s.host, Host::Tcp("db.local".into()));
        assert_eq!(
            s.copy_statement(),
            "COPY (SELECT * FROM \"ho_tich\".\"khai_sinh\") TO STDOUT WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')"
        );
    }

    #[test]
    fn a_query_needs_a_name_and_keeps_its_text() {
        let err = PostgresSource::parse("postgres://u@h/db?query=SELECT%201").unwrap_err();
        assert!(err.to_string().contains("&name="), "{err}");
        let s = PostgresSource::parse("postgresql://u@h/db?query=SELECT+*+FROM+t%3B&name=dan_cu")
            .unwrap();
        assert_eq!(s.relation, Relation::Query("SELECT * FROM t;".into()));
        assert!(
            s.copy_statement()
                .starts_with("COPY (SELECT * FROM t) TO STDOUT")
        );
    }

    #[test]
    fn a_password_in_the_address_is_refused_and_never_repeated() {
        for address in [
            "postgres://u:S3cr3t-pw@h/db?table=t",
            "postgres://u@h/db?table=t&password=S3cr3t-pw",
            "postgres://u:S3cr3t-pw@h:notaport/db?table=t",
            "postgres://u@h:notaport/db?table=t&password=S3cr3t-pw",
        ] {
            let err = PostgresSource::parse(address).unwrap_err().to_string();
            assert!(!err.contains("S3cr3t-pw"), "{err}");
            assert!(
                err.contains("PGPASSWORD") || err.contains("postgres://"),
                "{err}"
            );
        }
    }

    #[test]
    fn quoted_table_names_and_sockets() {
        assert_eq!(
            parse_table("\"Sổ \"\"A\"\".x\".b").unwrap(),
            vec!["Sổ \"A\".x".to_string(), "b".to_string()]
        );
        assert_eq!(parse_table("a..b"), None);
        assert_eq!(parse_table("\"open"), None);
        let s = PostgresSource::parse("postgres://u@%2Frun%2Fpostgresql/db?table=t").unwrap();
        assert_eq!(s.host, Host::Socket("/run/postgresql".into()));
        let s = PostgresSource::parse("postgres://u@/db?table=t&host=/tmp/pg").unwrap();
        assert_eq!(s.host, Host::Socket("/tmp/pg".into()));
        assert_eq!(s.display, "postgres://u@/db?table=t&host=%2Ftmp%2Fpg");
        let s = PostgresSource::parse("postgresql:///db?table=t&user=u").unwrap();
        assert_eq!(s.user, "u");
        assert_eq!(s.host, Host::Socket("/var/run/postgresql".into()));
        assert_eq!(s.dbname, "db");
        let err = PostgresSource::parse("postgres://u@h/db?table=t&sslmode=require").unwrap_err();
        assert!(err.to_string().contains("TLS"), "{err}");
    }

    #[test]
    fn declared_date_formats_become_to_char_patterns() {
        assert_eq!(to_char_pattern("%d/%m/%Y").as_deref(), Some("DD/MM/YYYY"));
        assert_eq!(
            to_char_pattern("%Y-%m-%dT%H:%M:%S").as_deref(),
            Some("YYYY-MM-DD\"T\"HH24:MI:SS")
        );
        assert_eq!(to_char_pattern("%b %d"), None);
        let mut columns = IndexMap::new();
        columns.insert(
            "ngay".to_string(),
            ColumnType::Date {
                format: "%d/%m/%Y".into(),
            },
        );
        assert_eq!(
            formatted_column("ngay", &postgres::types::Type::DATE, &columns),
            "to_char(\"ngay\", 'DD/MM/YYYY') AS \"ngay\""
        );
        assert_eq!(
            formatted_column("ngay", &postgres::types::Type::TEXT, &columns),
            "\"ngay\""
        );
    }

    #[test]
    fn pgpass_lines_match_as_libpq_reads_them() {
        let file = "# comment\nother:5432:*:u:wrong\nh:5432:db:u:p\\:w\\\\x\n*:*:*:*:fallback\n";
        assert_eq!(
            pgpass_lookup(file, "h", "5432", "db", "u").as_deref(),
            Some("p:w\\x")
        );
        assert_eq!(
            pgpass_lookup(file, "h", "5433", "db", "u").as_deref(),
            Some("fallback")
        );
        assert_eq!(pgpass_lookup("h:5432:db:u\n", "h", "5432", "db", "u"), None);
    }
}
