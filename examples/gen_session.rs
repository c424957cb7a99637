//! Writes a synthetic session file to stdout, for benchmarks and for anyone
//! measuring how stridekit behaves on large models.
//!
//! ```text
//! cargo run --release --example gen_session -- COMPONENTS THREATS [--seed N] > big.toml
//! stridekit validate big.toml
//! ```
//!
//! The session comes from `stridekit::core::synth::session` with the built-in
//! catalogs. The same arguments always give the same file (the seed defaults
//! to 1), so timings and bug reports can be reproduced by others.

use std::io::Write;
use std::process::ExitCode;

use stridekit::core::catalog::Catalogs;
use stridekit::core::{store, synth};

const USAGE: &str = "usage: gen_session COMPONENTS THREATS [--seed N]";

struct Args {
    components: usize,
    threats: usize,
    seed: u64,
}

fn parse_args(args: &[String]) -> Option<Args> {
    let mut numbers = Vec::new();
    let mut seed = 1;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg == "--seed" {
            seed = rest.next()?.parse().ok()?;
        } else if let Some(value) = arg.strip_prefix("--seed=") {
            seed = value.parse().ok()?;
        } else {
            numbers.push(arg.parse::<usize>().ok()?);
        }
    }
    match numbers[..] {
        [components, threats] => Some(Args {
            components,
            threats,
            seed,
        }),
        _ => None,
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let Some(args) = parse_args(&args) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let catalogs = match Catalogs::builtin() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gen_session: built-in catalogs: {e}");
            return ExitCode::FAILURE;
        }
    };
    let session = synth::session(args.components, args.threats, args.seed, &catalogs);
    let text = match store::to_toml(&session) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("gen_session: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // A closed pipe (`| head`) is not worth a message.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("gen_session: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
