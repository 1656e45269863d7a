//! The command line. Parses arguments, calls the library, prints, and maps
//! outcomes to the documented exit codes (see [`crate::exit`]).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use crate::engine::{RunOptions, run};
use crate::error::UsageError;
use crate::exit;
use crate::pack::load_packs;
use crate::report;

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
    /// Validate CSV exports against rule packs and write reports.
    Validate(ValidateArgs),
    /// Check rule packs without data (for rule authors' CI).
    CheckRules {
        /// Folder of rule packs, or one pack file.
        #[arg(default_value = "rules")]
        rules: PathBuf,
    },
    /// List the check kinds with their stable codes.
    Checks,
    /// Write deterministic synthetic exports with a ground-truth manifest.
    Generate(GenerateArgs),
    /// Stream a birth-registration export of any size in constant memory (benchmark input).
    GenerateBirths(GenerateBirthsArgs),
    /// Score series per dataset over the recorded runs, and the change since the last run.
    Trend {
        /// The output folder of earlier `validate` runs.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// Options every synthetic-data generator takes.
#[derive(clap::Args, Debug)]
pub struct SyntheticArgs {
    /// Seed of the random stream: same seed and size, same files.
    #[arg(long, default_value_t = 20260630)]
    pub seed: u64,
    /// Probability that a row receives one injected defect.
    #[arg(long, default_value_t = 0.05)]
    pub defect_rate: f64,
    /// The as-of date the data is built for (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date, default_value = "2026-06-30")]
    pub as_of: NaiveDate,
    /// Folder of reference lists (communes, birthplace codes, ethnic groups).
    #[arg(long, default_value = "rules/reference")]
    pub reference: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct GenerateArgs {
    /// Rows of the population register (the other datasets follow from it).
    #[arg(long, default_value_t = 5000)]
    pub people: usize,
    /// People generated, written and dropped at a time. Memory follows this,
    /// not --people; links between datasets stay within a block. Part of the
    /// output's identity: same seed, --people and --block-people, same files.
    #[arg(long, default_value_t = crate::generate::DEFAULT_BLOCK_PEOPLE as u64,
          value_parser = clap::value_parser!(u64).range(100..))]
    pub block_people: u64,
    #[command(flatten)]
    pub synthetic: SyntheticArgs,
    /// Output folder.
    #[arg(long, default_value = "fixtures")]
    pub out: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct GenerateBirthsArgs {
    /// Data rows to write.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: u64,
    #[command(flatten)]
    pub synthetic: SyntheticArgs,
    /// Output CSV file.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// CSV files or folders of exports (default: the bundled fixtures).
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
}

fn parse_bytes(s: &str) -> Result<u64, String> {
    match s.trim().parse::<bytesize::ByteSize>() {
        Ok(size) if size.as_u64() > 0 => Ok(size.as_u64()),
        _ => Err(format!(
            "'{s}' is not a memory size; write e.g. 4GiB, 512MiB or 2GB"
        )),
    }
}

/// Half of the machine's RAM (8 GiB when it cannot be read).
fn default_memory_limit() -> u64 {
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
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| UsageError::AsOf { value: s.into() }.to_string())
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
        Command::CheckRules { rules } => check_rules(&rules),
        Command::Generate(args) => generate(args),
        Command::Trend { out, format } => trend(&out, format),
        Command::GenerateBirths(args) => generate_births(args),
        Command::Checks => {
            for (name, code) in crate::checks::KINDS {
                println!("{code}  {name}");
            }
            exit::OK
        }
    }
}

fn validate(args: ValidateArgs) -> i32 {
    let packs = match load_packs(&args.rules) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("ddss: invalid rule pack: {e}");
            return exit::USAGE;
        }
    };
    let targets = match args.targets.as_deref().map(crate::targets::Targets::load) {
        None => crate::targets::Targets::default(),
        Some(Ok(t)) => t,
        Some(Err(e)) => {
            eprintln!("ddss: {e}");
            return exit::USAGE;
        }
    };
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
        memory_limit: args.memory_limit.unwrap_or_else(default_memory_limit),
    };
    let results = match run(&packs, &args.inputs, &options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ddss: {e}");
            return exit::USAGE;
        }
    };
    if results.datasets.is_empty() {
        for u in &results.unmatched_inputs {
            eprintln!("ddss: {}", u.problem);
        }
        eprintln!("ddss: no input file matched a rule pack; nothing was validated");
        return exit::USAGE;
    }
    match args.format {
        Format::Table => print!(
            "{}",
            report::summary::render(&results, &args.out.to_string_lossy())
        ),
        Format::Json => println!("{}", report::json::to_string(&results)),
        Format::Markdown => print!("{}", report::markdown::render(&results)),
    }
    results.exit_code
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

fn generate(args: GenerateArgs) -> i32 {
    if let Err(code) = check_defect_rate(args.synthetic.defect_rate) {
        return code;
    }
    let options = crate::generate::GenerateOptions {
        seed: args.synthetic.seed,
        people: args.people,
        block_people: args.block_people as usize,
        defect_rate: args.synthetic.defect_rate,
        as_of: args.synthetic.as_of,
        reference_dir: args.synthetic.reference,
        out_dir: args.out.clone(),
    };
    match crate::generate::generate(&options) {
        Ok(manifest) => {
            for truth in manifest.datasets.values() {
                let failing: usize = truth.rules.values().map(Vec::len).sum();
                println!(
                    "{}/{}: {} rows, {failing} injected failures",
                    args.out.display(),
                    truth.file,
                    truth.rows
                );
            }
            exit::OK
        }
        Err(e) => {
            eprintln!("ddss: cannot generate: {e}");
            exit::USAGE
        }
    }
}

fn generate_births(args: GenerateBirthsArgs) -> i32 {
    if let Err(code) = check_defect_rate(args.synthetic.defect_rate) {
        return code;
    }
    let options = crate::generate::births_stream::BirthsOptions {
        rows: args.rows,
        seed: args.synthetic.seed,
        as_of: args.synthetic.as_of,
        defect_rate: args.synthetic.defect_rate,
        reference_dir: args.synthetic.reference,
    };
    match crate::generate::births_stream::write_births(&args.out, &options) {
        Ok(rows) => {
            println!("{}: {rows} rows", args.out.display());
            exit::OK
        }
        Err(e) => {
            eprintln!("ddss: cannot generate: {e}");
            exit::USAGE
        }
    }
}

fn check_defect_rate(rate: f64) -> Result<(), i32> {
    if (0.0..=1.0).contains(&rate) {
        Ok(())
    } else {
        eprintln!("ddss: --defect-rate must be between 0 and 1");
        Err(exit::USAGE)
    }
}
