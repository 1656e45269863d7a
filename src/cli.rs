//! The command line. Parses arguments, calls the library, prints, and maps
//! outcomes to the documented exit codes (see [`crate::exit`]).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use crate::error::UsageError;
use crate::exit;
use crate::job::{RunOptions, run_output};
use crate::pack::load_packs;
use crate::report::outputs::{Printed, Terminal};
use crate::report::{self, Report};

#[derive(Parser, Debug)]
#[command(
    name = "ddss",
    version,
    about = "Kiểm tra chất lượng dữ liệu chuyên ngành theo tiêu chí đúng – đủ – sạch – sống (Đề án 06)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Validate exports (CSV, Excel, Parquet, PostgreSQL tables) against rule packs and write reports.
    Validate(ValidateArgs),
    /// Repair what the packs' fixes repair with certainty: corrected copies,
    /// a change log, cells left for review, scores before and after
    /// (docs/fix.md). Originals are never written to.
    Fix(FixArgs),
    /// Check rule packs without data (for rule authors' CI).
    CheckRules {
        /// Folder of rule packs, or one pack file.
        #[arg(default_value = "rules")]
        rules: PathBuf,
    },
    /// List the check kinds with their stable codes.
    Checks {
        /// Print what one kind checks and why, with an example (a code such as DQ003, or a name).
        #[arg(long, value_name = "CODE")]
        explain: Option<String>,
    },
    /// Synthetic test data: runs `ddss-generate` (the generator is its own
    /// crate and binary; see `ddss-generate --help`).
    #[command(disable_help_flag = true)]
    Generate {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
    /// Stream a birth-registration export of any size: runs `ddss-generate births`.
    #[command(disable_help_flag = true)]
    GenerateBirths {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
    /// Score series per dataset over the recorded runs, and the change since the last run.
    Trend {
        /// The output folder of earlier `validate` runs.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(clap::Args, Debug)]
pub struct FixArgs {
    #[command(flatten)]
    pub validate: ValidateArgs,
    /// Also divide each corrected export into valid/ (no `error` rule
    /// failed) and quarantine/ (the others, with the reasons).
    #[arg(long)]
    pub split: bool,
}

#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// Exports (CSV, .xlsx/.xls/.ods, .parquet), folders of them, or
    /// PostgreSQL sources `postgres://user@host/db?table=schema.name`
    /// (password in PGPASSWORD or ~/.pgpass) (default: the bundled fixtures).
    #[arg(default_value = "fixtures")]
    pub inputs: Vec<PathBuf>,
    /// Folder of rule packs (searched recursively for *.toml).
    #[arg(long, default_value = "rules")]
    pub rules: PathBuf,
    /// Output folder for results.json and violations/.
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
    /// The date that counts as "today" for freshness and date bounds (YYYY-MM-DD; default: today).
    #[arg(long, value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// No progress bars (they are never drawn when stderr is not a terminal).
    #[arg(long)]
    pub no_progress: bool,
    /// Exit with code 1 when a dataset's overall score is below this share (e.g. 0.95).
    #[arg(long, value_parser = parse_share)]
    pub fail_under: Option<f64>,
    /// Mask personal data (columns marked `pii` in the packs) in the violations exports too,
    /// e.g. before sending them to another office.
    #[arg(long)]
    pub mask: bool,
    /// TOML file of score targets ([default] and [datasets.<name>]) for the
    /// traffic lights and the exit code; see docs/reports.md.
    #[arg(long)]
    pub targets: Option<PathBuf>,
    /// Language of the scorecard.
    #[arg(long, value_enum, default_value_t = report::Lang::Vi)]
    pub lang: report::Lang,
    /// Memory budget (e.g. 4GiB, 512MiB; default: half the machine's RAM).
    /// Files larger than 64 MiB (less under a small budget) are checked piece
    /// by piece, with the same results; see docs/architecture.md.
    #[arg(long, value_parser = parse_bytes)]
    pub memory_limit: Option<u64>,
    /// Print the run plan (which pack validates which file, read whole or
    /// piece by piece, what datasets look up in each other) and stop.
    #[arg(long)]
    pub explain_plan: bool,
}

fn parse_bytes(s: &str) -> Result<u64, String> {
    match s.trim().parse::<bytesize::ByteSize>() {
        Ok(size) if size.as_u64() > 0 => Ok(size.as_u64()),
        _ => Err(format!(
            "'{s}' is not a memory size; write e.g. 4GiB, 512MiB or 2GB"
        )),
    }
}

/// Half of the machine's RAM (8 GiB when it cannot be read): the default
/// `--memory-limit`.
pub fn default_memory_limit() -> u64 {
    let mut system = sysinfo::System::new();
    system.refresh_memory();
    match system.total_memory() {
        0 => 8 << 30,
        total => total / 2,
    }
}

fn parse_share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("'{s}' is not a share between 0 and 1 (e.g. 0.95)")),
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Summary table for people.
    Table,
    /// results.json on stdout.
    Json,
    /// Compact Markdown, for a CI log or a chat message.
    Markdown,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    use chrono::Datelike;
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| UsageError::AsOf { value: s.into() }.to_string())?;
    if !crate::contract::YEARS.contains(&date.year()) {
        return Err(format!(
            "'{s}': the as-of date must lie between the years {} and {}",
            crate::contract::YEARS.start(),
            crate::contract::YEARS.end()
        ));
    }
    Ok(date)
}

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
        }
    };
    match cli.command {
        Command::Validate(args) => validate(args),
        Command::Fix(args) => fix(args),
        Command::CheckRules { rules } => check_rules(&rules),
        Command::Generate { args } => forward_to_generator(&[], &args),
        Command::GenerateBirths { args } => forward_to_generator(&["births".into()], &args),
        Command::Trend { out, format } => trend(&out, format),
        Command::Checks { explain } => checks(explain.as_deref()),
    }
}

fn checks(explain: Option<&str>) -> i32 {
    let Some(wanted) = explain else {
        for kind in crate::registry::KINDS {
            println!("{}  {:<15} {}", kind.code, kind.name, kind.summary());
        }
        return exit::OK;
    };
    match crate::registry::find(wanted) {
        Some(kind) => {
            print!("{}", kind.doc());
            exit::OK
        }
        None => {
            let names = crate::registry::KINDS
                .iter()
                .flat_map(|k| [k.code, k.name])
                .collect::<Vec<_>>();
            let hint = crate::error::closest(wanted, names.iter().copied())
                .map(|s| format!("; did you mean '{s}'?"))
                .unwrap_or_default();
            eprintln!("ddss: no check kind '{wanted}'{hint} (`ddss checks` lists them)");
            exit::USAGE
        }
    }
}

/// The generator is its own crate (the validator does not link `rand`):
/// `ddss generate …` runs the binary named by `DDSS_GENERATE_BIN`, else the
/// `ddss-generate` built beside this one, else the one on PATH.
fn forward_to_generator(prefix: &[std::ffi::OsString], args: &[std::ffi::OsString]) -> i32 {
    let name = format!("ddss-generate{}", std::env::consts::EXE_SUFFIX);
    let beside = || {
        std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join(&name)))
            .filter(|p| p.is_file())
    };
    let program = std::env::var_os("DDSS_GENERATE_BIN")
        .map(PathBuf::from)
        .or_else(beside)
        .unwrap_or_else(|| PathBuf::from(&name));
    match std::process::Command::new(&program)
        .args(prefix)
        .args(args)
        .status()
    {
        Ok(status) => status.code().unwrap_or(exit::USAGE),
        Err(e) => {
            eprintln!(
                "ddss: cannot run {}: {e}; build the generator with `cargo build -p ddss-generate` \
                 (or `cargo install --path crates/ddss-generate`)",
                program.display()
            );
            exit::USAGE
        }
    }
}

/// The packs and run options `validate` and `fix` share; `Err` is the exit
/// code after the problem was printed (or the plan, for `--explain-plan`).
fn prepare(args: &ValidateArgs) -> Result<(crate::pack::PackSet, RunOptions), i32> {
    let packs = match load_packs(&args.rules) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("ddss: invalid rule pack: {e}");
            return Err(exit::USAGE);
        }
    };
    let targets = match args.targets.as_deref().map(crate::targets::Targets::load) {
        None => crate::targets::Targets::default(),
        Some(Ok(t)) => t,
        Some(Err(e)) => {
            eprintln!("ddss: {e}");
            return Err(exit::USAGE);
        }
    };
    let declared: Vec<&str> = packs
        .packs
        .iter()
        .flat_map(|p| p.indicators.iter().map(|i| i.id.as_str()))
        .collect();
    let unknown = targets.unknown_indicators(&declared);
    if !unknown.is_empty() {
        eprintln!(
            "ddss: {}: [indicators] names {}, which no rule pack declares (declared: {}); fix the id",
            args.targets
                .as_deref()
                .map_or(String::new(), |p| p.display().to_string()),
            unknown.join(", "),
            declared.join(", ")
        );
        return Err(exit::USAGE);
    }
    let memory_limit = args.memory_limit.unwrap_or_else(default_memory_limit);
    if args.explain_plan {
        return Err(
            match crate::engine::plan_run(&packs, &args.inputs, memory_limit) {
                Ok(plan) => {
                    print!("{plan}");
                    exit::OK
                }
                Err(e) => {
                    eprintln!("ddss: {e}");
                    exit::USAGE
                }
            },
        );
    }
    let options = RunOptions {
        targets,
        lang: args.lang,
        as_of: args
            .as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
        out_dir: args.out.clone(),
        progress: !args.no_progress,
        fail_under: args.fail_under,
        mask: args.mask,
        memory_limit,
    };
    Ok((packs, options))
}

fn validate(args: ValidateArgs) -> i32 {
    let (packs, options) = match prepare(&args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let run = match run_output(&packs, &args.inputs, &options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ddss: {e}");
            return exit::USAGE;
        }
    };
    let results = &run.results;
    if results.datasets.is_empty() {
        for u in &results.unmatched_inputs {
            eprintln!("ddss: {}", u.problem);
        }
        eprintln!("ddss: no input file matched a rule pack; nothing was validated");
        return exit::USAGE;
    }
    let terminal = Terminal {
        format: match args.format {
            Format::Table => Printed::Table,
            Format::Json => Printed::Json,
            Format::Markdown => Printed::Markdown,
        },
        out_dir: &args.out,
    };
    let _ = terminal.write(&run);
    results.exit_code
}

fn fix(args: FixArgs) -> i32 {
    let (packs, run) = match prepare(&args.validate) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let options = crate::fix::FixOptions {
        run,
        split: args.split,
    };
    let after = match crate::fix::fix(&packs, &args.validate.inputs, &options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ddss: {e}");
            return exit::USAGE;
        }
    };
    if after.results.datasets.is_empty() {
        eprintln!("ddss: no input file matched a rule pack; nothing was fixed");
        return exit::USAGE;
    }
    let terminal = Terminal {
        format: match args.validate.format {
            Format::Table => Printed::Table,
            Format::Json => Printed::Json,
            Format::Markdown => Printed::Markdown,
        },
        out_dir: &args.validate.out,
    };
    let _ = terminal.write(&after);
    if matches!(args.validate.format, Format::Table) {
        print!("{}", crate::report::summary::fix_summary(&after.results));
    }
    after.results.exit_code
}

fn trend(out: &std::path::Path, format: Format) -> i32 {
    let (runs, skipped) = crate::history::load(out);
    for s in &skipped {
        eprintln!("ddss: skipped history file {s}");
    }
    if runs.is_empty() {
        eprintln!(
            "ddss: no runs recorded under {}; run `ddss validate --out {}` first",
            crate::history::dir(out).display(),
            out.display()
        );
        return exit::USAGE;
    }
    let trends = report::trend::trends(&runs);
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&trends).expect("trends serialise")
        ),
        Format::Markdown => print!("{}", report::trend::render(&trends, true)),
        Format::Table => print!("{}", report::trend::render(&trends, false)),
    }
    exit::OK
}

fn check_rules(rules: &std::path::Path) -> i32 {
    match load_packs(rules) {
        Ok(set) => {
            for pack in &set.packs {
                println!(
                    "{}: {} ({} rules) — OK",
                    pack.path.display(),
                    pack.dataset.name,
                    pack.rules.len()
                );
            }
            println!("{} rule packs valid · {}", set.packs.len(), set.hash);
            exit::OK
        }
        Err(e) => {
            eprintln!("ddss: invalid rule pack: {e}");
            exit::USAGE
        }
    }
}
