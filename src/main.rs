fn main() {
    std::process::exit(ddss::cli::main());
}
