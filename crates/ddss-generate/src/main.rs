//! `ddss-generate`: synthetic linked exports with ground truth (the
//! default), or `ddss-generate births` for one large streamed export.
//! `ddss generate …` and `ddss generate-births …` run this binary.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

/// Exit codes shared with `ddss`: 0 done, 2 bad usage or nothing written.
const OK: i32 = 0;
const USAGE: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "ddss-generate",
    version,
    about = "Deterministic synthetic Vietnamese sector exports with a ground-truth manifest",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    linked: LinkedArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Stream a birth-registration export of any size in constant memory (benchmark input).
    Births(BirthsArgs),
}

/// Options every synthetic-data generator takes.
#[derive(clap::Args, Debug)]
struct SyntheticArgs {
    /// Seed of the random stream: same seed and size, same files.
    #[arg(long, default_value_t = 20260630)]
    seed: u64,
    /// Probability that a row receives one injected defect.
    #[arg(long, default_value_t = 0.05)]
    defect_rate: f64,
    /// The as-of date the data is built for (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date, default_value = "2026-06-30")]
    as_of: NaiveDate,
    /// Folder of reference lists (communes, birthplace codes, ethnic groups).
    #[arg(long, default_value = "rules/reference")]
    reference: PathBuf,
}

/// The linked datasets (register, births, deaths, marriages, land, welfare).
#[derive(clap::Args, Debug)]
struct LinkedArgs {
    /// Rows of the population register (the other datasets follow from it).
    #[arg(long, default_value_t = 5000)]
    people: usize,
    /// People generated, written and dropped at a time. Memory follows this,
    /// not --people; links between datasets stay within a block. Part of the
    /// output's identity: same seed, --people and --block-people, same files.
    #[arg(long, default_value_t = ddss_generate::DEFAULT_BLOCK_PEOPLE as u64,
          value_parser = clap::value_parser!(u64).range(100..))]
    block_people: u64,
    #[command(flatten)]
    synthetic: SyntheticArgs,
    /// Output folder.
    #[arg(long, default_value = "fixtures")]
    out: PathBuf,
}

#[derive(clap::Args, Debug)]
struct BirthsArgs {
    /// Data rows to write.
    #[arg(long, default_value_t = 1_000_000)]
    rows: u64,
    #[command(flatten)]
    synthetic: SyntheticArgs,
    /// Output CSV file.
    #[arg(long)]
    out: PathBuf,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("'{s}' is not a date; write it as YYYY-MM-DD, e.g. 2026-06-30"))
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            std::process::exit(if e.use_stderr() { USAGE } else { OK });
        }
    };
    std::process::exit(match cli.command {
        Some(Command::Births(args)) => births(args),
        None => linked(cli.linked),
    });
}

fn check_defect_rate(rate: f64) -> Result<(), i32> {
    if (0.0..=1.0).contains(&rate) {
        Ok(())
    } else {
        eprintln!("ddss-generate: --defect-rate must be between 0 and 1");
        Err(USAGE)
    }
}

fn linked(args: LinkedArgs) -> i32 {
    if let Err(code) = check_defect_rate(args.synthetic.defect_rate) {
        return code;
    }
    let options = ddss_generate::GenerateOptions {
        seed: args.synthetic.seed,
        people: args.people,
        block_people: args.block_people as usize,
        defect_rate: args.synthetic.defect_rate,
        as_of: args.synthetic.as_of,
        reference_dir: args.synthetic.reference,
        out_dir: args.out.clone(),
    };
    match ddss_generate::generate(&options) {
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
            OK
        }
        Err(e) => {
            eprintln!("ddss-generate: cannot generate: {e}");
            USAGE
        }
    }
}

fn births(args: BirthsArgs) -> i32 {
    if let Err(code) = check_defect_rate(args.synthetic.defect_rate) {
        return code;
    }
    let options = ddss_generate::births_stream::BirthsOptions {
        rows: args.rows,
        seed: args.synthetic.seed,
        as_of: args.synthetic.as_of,
        defect_rate: args.synthetic.defect_rate,
        reference_dir: args.synthetic.reference,
    };
    match ddss_generate::births_stream::write_births(&args.out, &options) {
        Ok(rows) => {
            println!("{}: {rows} rows", args.out.display());
            OK
        }
        Err(e) => {
            eprintln!("ddss-generate: cannot generate: {e}");
            USAGE
        }
    }
}
