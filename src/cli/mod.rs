//! The command line. Exit codes: 0 success, 1 invalid input (a bad file, an
//! unknown kind, a failed validation), 2 usage errors (from clap).

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::core::model::Template;

#[derive(Debug, Parser)]
#[command(
    name = "stridekit",
    version,
    about = "Run STRIDE threat-modeling workshops from the terminal",
    long_about = "Run STRIDE threat-modeling workshops from the terminal.\n\n\
        Sessions are TOML files (keep them in git next to the code). Catalogs and \
        themes are built in; add your own in ./catalogs and ./themes or in the \
        config directory."
)]
pub struct Cli {
    /// Colour theme (dark, light, high-contrast, colorblind, or one of yours).
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,

    /// Do not ring the terminal bell when a phase's time is up.
    #[arg(long, global = true)]
    pub no_bell: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a session (in ./sessions unless -o says otherwise) and open it.
    New {
        /// What the session models, e.g. "Payslip download".
        title: String,
        /// workshop: 60 min with dot voting; quick: 20 min solo with ratings.
        #[arg(long, value_enum, default_value_t = TemplateArg::Workshop)]
        template: TemplateArg,
        /// Where to write the session file.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Open a session in the workshop screens (a summary when not on a terminal).
    Open {
        file: PathBuf,
        /// Share it with participants' devices at once, on ADDR:PORT
        /// (default 127.0.0.1:8787; see "Sharing" in the README before
        /// using another address).
        #[arg(long, value_name = "ADDR:PORT", num_args = 0..=1,
              default_missing_value = crate::share::DEFAULT_ADDR)]
        share: Option<String>,
    },
    /// Open the built-in demo session (the HR payslip system).
    Demo,
    /// Join a session someone shares (S in their stridekit), from this
    /// terminal: add threats where they are, place your own dots.
    Join {
        /// The address they show, e.g. http://127.0.0.1:8787/.
        url: String,
        /// The join code they show (not needed when the address has it).
        #[arg(long)]
        code: Option<String>,
        /// Your name, as the session should know you.
        #[arg(long = "as", value_name = "NAME")]
        name: String,
    },
    /// Export a session: jira-csv, csv, markdown, json, threat-composer,
    /// threat-dragon or otm.
    Export {
        /// The session file, or - for standard input.
        file: PathBuf,
        #[arg(short, long, value_enum)]
        format: FormatArg,
        /// Write here instead of standard output.
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
    },
    /// Read another tool's threat model into a new session file (then
    /// `stridekit open` it): Threat Composer .tc.json, a Threat Dragon
    /// model, Open Threat Model in JSON or YAML, or a Threat Modeling Tool
    /// .tm7. With --as-catalog, a Threat Composer threat pack becomes a
    /// catalog file instead.
    Import {
        /// The file to read, or - for standard input.
        file: PathBuf,
        /// Its format; detected from the content when absent.
        #[arg(long, value_enum, conflicts_with = "as_catalog")]
        from: Option<ImportFormat>,
        /// The file is a Threat Composer threat pack: write it as a catalog
        /// file (default: catalogs/PACK-ID.toml), for Brainstorm's prompts.
        #[arg(long)]
        as_catalog: bool,
        /// With --as-catalog: a Threat Composer mitigation pack whose
        /// mitigations fill in the ones the threat pack links to.
        #[arg(long, value_name = "MITIGATION_PACK", requires = "as_catalog")]
        mitigations: Option<PathBuf>,
        /// The file to write (default: sessions/TITLE.toml, or
        /// catalogs/PACK-ID.toml with --as-catalog); never written over.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Write the Markdown threat-model report of a session.
    Report {
        /// The session file, or - for standard input.
        file: PathBuf,
        /// Write here instead of standard output.
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
    },
    /// Check session files; lists every problem, exits 1 if any is an error.
    Validate {
        /// Session files (- for standard input).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Every catalog threat for every element of the scope, at once.
    Suggest {
        /// The session file, or - for standard input.
        file: PathBuf,
        #[arg(short, long, value_enum, default_value_t = SuggestFormat::Json)]
        format: SuggestFormat,
        /// Write here instead of standard output.
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
    },
    /// List catalogs and kinds, or show one kind's prompts and threats.
    Catalogs {
        /// A kind (aws.lambda) or a catalog (aws).
        kind: Option<String>,
    },
    /// List colour themes.
    Themes,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TemplateArg {
    Workshop,
    Quick,
}

impl From<TemplateArg> for Template {
    fn from(t: TemplateArg) -> Template {
        match t {
            TemplateArg::Workshop => Template::Workshop,
            TemplateArg::Quick => Template::Quick,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    JiraCsv,
    Csv,
    Markdown,
    Json,
    /// AWS Threat Composer's .tc.json (schema 1).
    ThreatComposer,
    /// An OWASP Threat Dragon model (version 2.3).
    ThreatDragon,
    /// Open Threat Model (OTM 0.2.0), JSON.
    Otm,
}

/// The formats `import` reads.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportFormat {
    /// AWS Threat Composer's .tc.json (schema 1).
    ThreatComposer,
    /// An OWASP Threat Dragon model (version 1, or 2.0 to 2.3).
    ThreatDragon,
    /// Open Threat Model (OTM 0.1 or 0.2), JSON or YAML.
    Otm,
    /// A Microsoft Threat Modeling Tool model (.tm7).
    Tmt,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SuggestFormat {
    Json,
    Csv,
}

/// Exit code for invalid input.
pub const EXIT_INVALID: u8 = 1;

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Prints help/version (exit 0) or the usage error (exit 2).
        Err(e) => e.exit(),
    };
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                // `stridekit export ... | head` closed the pipe: not an error.
                return ExitCode::SUCCESS;
            }
            let message = format!("{e:#}");
            eprintln!("stridekit: {}", crate::core::text::multi_line(&message));
            ExitCode::from(EXIT_INVALID)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
