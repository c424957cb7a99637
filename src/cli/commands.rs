//! What each command does. Errors bubble up as `anyhow` errors and become
//! exit code 1; located problems are printed one per line first.

use std::fmt::Write as _;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};

use super::{Cli, Command, EXIT_INVALID, FormatArg, ImportFormat, SuggestFormat};
use crate::core::catalog::{Catalogs, Kind};
use crate::core::config::{self, Config};
use crate::core::diag::Diagnostic;
use crate::core::discovery;
use crate::core::export::{self, ExportContext, Format};
use crate::core::files::{self, LoadError};
use crate::core::index::SessionIndex;
use crate::core::interop;
use crate::core::model::{Session, Template, VotingMode};
use crate::core::scoring::{budget, rank};
use crate::core::store::{self, Loaded, OpenSession};
use crate::core::stride::{Category, ElementType};
use crate::core::suggest;
use crate::core::text::{self, one_line, plural};
use crate::core::theme::{DEFAULT_THEME, Themes, no_color_requested};
use crate::core::time::Timestamp;
use crate::core::validate::{scope_gaps, suggestion};
use crate::tui::{self, Launch};
use crate::{DEMO_FILE_NAME, DEMO_SESSION};

pub fn run(cli: Cli) -> Result<ExitCode> {
    if let Some(theme) = &cli.theme {
        check_theme(theme)?;
    }
    // The workshop screens need a terminal; piped or redirected, the same
    // commands print a summary, which scripts and tests can read.
    let interactive = io::stdout().is_terminal() && io::stdin().is_terminal();
    let tui = |launch: Launch| workshop(launch, cli.theme.clone(), cli.no_bell, None);
    let Some(command) = cli.command else {
        if interactive {
            return tui(Launch::Home);
        }
        print_home()?;
        return Ok(ExitCode::SUCCESS);
    };
    match command {
        Command::New {
            title,
            template,
            output,
        } => {
            let path = new_session(&title, template.into(), output)?;
            if interactive {
                return tui(Launch::Open(path));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Open { file, share } if interactive => {
            workshop(Launch::Open(file), cli.theme.clone(), cli.no_bell, share)
        }
        Command::Open { share: Some(_), .. } => {
            bail!("--share needs the workshop screens, so a terminal")
        }
        Command::Open { file, .. } => open(&file),
        Command::Demo if interactive => tui(Launch::Demo),
        Command::Demo => demo(),
        Command::Join { url, code, name } => {
            if !interactive {
                bail!("join needs a terminal");
            }
            let code = code
                .or_else(|| crate::share::client::parse_url(&url).1)
                .ok_or_else(|| anyhow::anyhow!("give the join code with --code"))?;
            let themes = load_themes()?;
            let config = Config::load().map_err(report)?;
            let theme_name = cli
                .theme
                .clone()
                .or(config.tui.theme.clone())
                .unwrap_or_else(|| DEFAULT_THEME.to_string());
            tui::join::run(
                &url,
                &code,
                &name,
                themes.get(&theme_name),
                no_color_requested(),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            file,
            format,
            output,
        } => {
            let format = match format {
                FormatArg::JiraCsv => Format::JiraCsv,
                FormatArg::Csv => Format::Csv,
                FormatArg::Markdown => Format::Markdown,
                FormatArg::Json => Format::Json,
                FormatArg::ThreatComposer => Format::Interop(interop::Format::ThreatComposer),
                FormatArg::ThreatDragon => Format::Interop(interop::Format::ThreatDragon),
                FormatArg::Otm => Format::Interop(interop::Format::Otm),
            };
            export_session(&file, format, output.as_deref())
        }
        Command::Import {
            file,
            as_catalog: true,
            mitigations,
            output,
            ..
        } => import_pack(&file, mitigations.as_deref(), output),
        Command::Import {
            file, from, output, ..
        } => import(
            &file,
            from.map(|f| match f {
                ImportFormat::ThreatComposer => interop::Format::ThreatComposer,
                ImportFormat::ThreatDragon => interop::Format::ThreatDragon,
                ImportFormat::Otm => interop::Format::Otm,
                ImportFormat::Tmt => interop::Format::Tmt,
            }),
            output,
        ),
        Command::Report { file, output } => {
            export_session(&file, Format::Markdown, output.as_deref())
        }
        Command::Validate { files } => validate(&files),
        Command::Suggest {
            file,
            format,
            output,
        } => suggest_threats(&file, format, output.as_deref()),
        Command::Catalogs { kind } => catalogs(kind.as_deref()),
        Command::Themes => themes(),
    }
}

/// A path as it may reach the terminal: a file name can hold escape
/// sequences or invisible characters like any text from a file.
use crate::core::text::shown_path as shown;

/// Writes `text` to standard output. A closed pipe (`| head`) becomes an
/// error that `main` reports as success, where `print!` would panic.
fn say(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Prints located problems to stderr, neutralising any control characters
/// that came from the file.
fn print_diagnostics(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        eprintln!("{}", one_line(&d.to_string()));
    }
}

/// Prints the problems of a failed load and turns it into an error.
fn report(error: LoadError) -> anyhow::Error {
    match error {
        LoadError::Invalid(diagnostics) => {
            print_diagnostics(&diagnostics);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            anyhow::anyhow!("{} found", plural(errors, "error", "errors"))
        }
        other => other.into(),
    }
}

fn load_catalogs() -> Result<Catalogs> {
    Catalogs::load(&config::search_dirs("catalogs")).map_err(report)
}

fn load_themes() -> Result<Themes> {
    Themes::load(&config::search_dirs("themes")).map_err(report)
}

fn check_theme(name: &str) -> Result<()> {
    let themes = load_themes()?;
    if themes.get(name).is_none() {
        let names: Vec<&str> = themes.all().iter().map(|t| t.name.as_str()).collect();
        let hint = suggestion(name, names.iter().copied())
            .map(|s| format!(" Did you mean `{s}`?"))
            .unwrap_or_default();
        bail!(
            "no theme named `{}` (available: {}).{hint}",
            one_line(name),
            names.join(", ")
        );
    }
    Ok(())
}

/// Reads a session file, or standard input for `-`.
fn read_input(path: &Path) -> Result<(PathBuf, String), LoadError> {
    if path == Path::new("-") {
        let shown = PathBuf::from("<stdin>");
        let mut bytes = Vec::new();
        io::stdin()
            .take(files::MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| LoadError::io(&shown, e))?;
        let text = files::text_from_bytes(&shown, bytes)?;
        Ok((shown, text))
    } else {
        let text = files::read_text(path)?;
        Ok((path.to_path_buf(), text))
    }
}

fn load_session(path: &Path, catalogs: &Catalogs) -> Result<(PathBuf, Loaded)> {
    let (shown, text) = read_input(path).map_err(report)?;
    let loaded = store::load_text(&shown, &text, catalogs).map_err(report)?;
    print_diagnostics(&loaded.warnings);
    Ok((shown, loaded))
}

/// Runs `write` into the file `output` (see [`files::write_output`]) or
/// standard output (no `-o`, or `-o -`). `input` is the file being read,
/// which is never written over, nor its backup.
fn emit(
    output: Option<&Path>,
    input: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match output.filter(|p| p.as_os_str() != "-") {
        Some(path) => {
            let mut buffer = Vec::new();
            write(&mut buffer)?;
            files::write_output(path, &buffer, &[input])?;
        }
        None => {
            let stdout = io::stdout();
            let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
            write(&mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}

fn print_home() -> Result<()> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "stridekit {}: STRIDE threat-modeling workshops in the terminal\n",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        out,
        "  stridekit demo                     the HR payslip demo session"
    );
    let _ = writeln!(
        out,
        "  stridekit new \"Feature title\"      start a session in ./sessions"
    );
    let _ = writeln!(
        out,
        "  stridekit report FILE              the Markdown threat model"
    );
    let _ = writeln!(
        out,
        "  stridekit export FILE --format F    jira-csv, csv, markdown or json"
    );
    let _ = writeln!(out, "  stridekit --help                   every command\n");
    // The same sessions, from the same places, as the home screen lists.
    let catalogs = load_catalogs()?;
    let sessions = discovery::scan(&discovery::session_dirs(), &catalogs);
    if !sessions.is_empty() {
        let _ = writeln!(out, "Sessions, newest first:");
        for entry in sessions {
            let broken = if entry.is_broken() {
                format!(
                    "  (broken: {})",
                    plural(entry.error_count(), "error", "errors")
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {:<40} {}{broken}",
                shown(&entry.path),
                one_line(&entry.title)
            );
        }
    }
    say(&out)
}

/// Runs the workshop screens.
fn workshop(
    launch: Launch,
    theme: Option<String>,
    no_bell: bool,
    share: Option<String>,
) -> Result<ExitCode> {
    let catalogs = load_catalogs()?;
    let themes = load_themes()?;
    let config = Config::load().map_err(report)?;
    let theme = theme.or(config.tui.theme.clone());
    if let Some(name) = &theme
        && themes.get(name).is_none()
    {
        bail!(
            "config.toml names the theme `{}`, which does not exist",
            one_line(name)
        );
    }
    let options = tui::Options {
        theme,
        no_color: no_color_requested(),
        bell: !no_bell && config.tui.bell.unwrap_or(true),
        jira: config.jira.clone(),
        share,
    };
    let app = tui::prepare(catalogs, themes, &launch, &options)?;
    tui::run(app)?;
    Ok(ExitCode::SUCCESS)
}

fn new_session(title: &str, template: Template, output: Option<PathBuf>) -> Result<PathBuf> {
    if title.trim().is_empty() {
        bail!("the title is empty; say what the session models, e.g. \"Payslip download\"");
    }
    // Refuses rather than renames when the file exists: `new` twice with
    // one title is more likely a mistake than a wish for two sessions.
    let path =
        output.unwrap_or_else(|| PathBuf::from("sessions").join(store::session_file_name(title)));
    let session = Session::new(title, template, Timestamp::now());
    store::create(&path, &session)?;
    let minutes: u32 = template.timeboxes().iter().sum();
    say(&format!(
        "Created {} ({} template, {minutes} minutes).\n",
        shown(&path),
        template.key()
    ))?;
    Ok(path)
}

fn open(path: &Path) -> Result<ExitCode> {
    let catalogs = load_catalogs()?;
    let opened = OpenSession::open(path, &catalogs).map_err(|e| match e {
        store::OpenError::Load(load) => report(load),
        other => other.into(),
    })?;
    print_diagnostics(&opened.warnings);
    if let store::Access::ReadOnly(why) = &opened.access {
        say(&format!("{}.\n", why.notice(&shown(path))))?;
    }
    say(&summary(&opened.session))?;
    Ok(ExitCode::SUCCESS)
}

fn demo() -> Result<ExitCode> {
    let catalogs = load_catalogs()?;
    let path = PathBuf::from(format!("<built-in>/sessions/{DEMO_FILE_NAME}"));
    let loaded = store::load_text(&path, DEMO_SESSION, &catalogs).map_err(report)?;
    say(&summary(&loaded.session))?;
    Ok(ExitCode::SUCCESS)
}

/// A short text overview of a session.
fn summary(s: &Session) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  ({} template, phase {})",
        one_line(&s.title),
        s.template.key(),
        s.phase.key()
    );
    if let Some(first) = s.description.lines().find(|l| !l.trim().is_empty()) {
        let _ = writeln!(out, "  {}", one_line(first.trim()));
    }
    let _ = writeln!(
        out,
        "Scope: {}, {}, {}, {}, {}, {}",
        plural(s.assets.len(), "asset", "assets"),
        plural(s.actors.len(), "actor", "actors"),
        plural(s.entry_points.len(), "entry point", "entry points"),
        plural(s.boundaries.len(), "boundary", "boundaries"),
        plural(s.components.len(), "component", "components"),
        plural(s.flows.len(), "flow", "flows")
    );
    for gap in scope_gaps(s) {
        let _ = writeln!(out, "  scope warning: {gap}");
    }
    let index = SessionIndex::new(s);
    let mitigated = s
        .threats
        .iter()
        .filter(|t| !index.mitigations_of(t.id).is_empty())
        .count();
    let threats = s.threats.len();
    let people = plural(s.participants.len(), "participant", "participants");
    // A rating session is prioritised by likelihood x impact alone: no
    // ballots or dots to report.
    let rating = s.voting.mode == VotingMode::Rating;
    if rating {
        let rated = s.threats.iter().filter(|t| t.risk().is_some()).count();
        let _ = writeln!(
            out,
            "Threats: {threats} ({mitigated} with mitigations, {rated} rated for likelihood x impact); {people}",
        );
    } else {
        let _ = writeln!(
            out,
            "Threats: {threats} ({mitigated} with mitigations); {people}, {}, {} per person",
            plural(s.voting.ballots.len(), "ballot", "ballots"),
            plural(budget(s), "dot", "dots")
        );
    }
    let ranking = rank(s);
    if !ranking.is_empty() {
        let _ = writeln!(out, "Top threats:");
        for r in ranking.iter().take(5) {
            let Some(t) = index.threat(r.threat) else {
                continue;
            };
            let score = match (rating, t.likelihood, t.impact, r.band) {
                (true, Some(l), Some(i), Some(band)) => {
                    format!("{l} x {i} = {}, {}", l * i, band.key())
                }
                (true, ..) => "not rated".to_string(),
                (false, _, _, band) => {
                    let risk = band.map(|b| format!(", {}", b.key())).unwrap_or_default();
                    format!("{}{risk}", plural(r.dots, "dot", "dots"))
                }
            };
            let _ = writeln!(
                out,
                "  {:>3}{} {:<4} {}  ({score})",
                r.rank,
                if r.tied { "=" } else { " " },
                t.id.to_string(),
                one_line(&t.title),
            );
        }
    }
    out
}

fn import(file: &Path, from: Option<interop::Format>, output: Option<PathBuf>) -> Result<ExitCode> {
    let catalogs = load_catalogs()?;
    let (source, text) = read_input(file).map_err(report)?;
    let name = source
        .file_stem()
        .map(|s| {
            let stem = s.to_string_lossy();
            stem.trim_end_matches(".tc")
                .trim_end_matches(".td")
                .trim_end_matches(".otm")
                .to_string()
        })
        .unwrap_or_else(|| "Imported".to_string());
    let imported = interop::import(&text, from, &name, Timestamp::now()).map_err(|e| match e {
        // `FILE:LINE:COLUMN: message`, as the compilers write it.
        interop::ImportError::Syntax { .. } => anyhow::anyhow!("{}:{e}", shown(&source)),
        _ => anyhow::anyhow!("{}: {e}", shown(&source)),
    })?;
    // What the importer built must be a session like any other: checked as
    // if it were read from the file it becomes.
    let toml = store::to_toml(&imported.session)?;
    let path = output.unwrap_or_else(|| {
        PathBuf::from("sessions").join(store::session_file_name(&imported.session.title))
    });
    if let Err(e) = store::load_text(&path, &toml, &catalogs) {
        bail!(
            "the import of {} made an invalid session (a bug; please report it): {}",
            shown(&source),
            report(e)
        );
    }
    store::create(&path, &imported.session)?;
    let mut out = format!(
        "Imported {} ({}) into {}: {}.\n",
        shown(&source),
        imported.format.name(),
        shown(&path),
        imported.summary()
    );
    if imported.unmapped.is_empty() {
        out.push_str("Everything in the file was mapped.\n");
    } else {
        let _ = writeln!(
            out,
            "Not mapped ({}):",
            plural(imported.unmapped.len(), "item", "items")
        );
        for u in &imported.unmapped {
            let _ = writeln!(out, "  {}", one_line(&u.to_string()));
        }
    }
    let _ = writeln!(out, "Open it with: stridekit open {}", shown(&path));
    say(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// A Threat Composer threat pack (and its mitigation pack) as a catalog
/// file, checked to load as `Catalogs::load` would load it.
fn import_pack(
    file: &Path,
    mitigations: Option<&Path>,
    output: Option<PathBuf>,
) -> Result<ExitCode> {
    let (source, text) = read_input(file).map_err(report)?;
    let extra = match mitigations {
        Some(m) => Some(read_input(m).map_err(report)?),
        None => None,
    };
    let name = source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let made =
        interop::threat_pack::to_catalog(&text, extra.as_ref().map(|(_, t)| t.as_str()), &name)
            .map_err(|e| {
                let from = match (&extra, &e) {
                    (Some((m, _)), interop::ImportError::Syntax { .. })
                        if interop::json(&text).is_ok() =>
                    {
                        m.clone()
                    }
                    _ => source.clone(),
                };
                match e {
                    interop::ImportError::Syntax { .. } => anyhow::anyhow!("{}:{e}", shown(&from)),
                    _ => anyhow::anyhow!("{}: {e}", shown(&from)),
                }
            })?;
    let path =
        output.unwrap_or_else(|| PathBuf::from("catalogs").join(format!("{}.toml", made.id)));
    // The file must load as a user catalog over the built-ins.
    let mut check = Catalogs::builtin().map_err(report)?;
    if let Err(e) = check.add_text(&path, &made.text, false) {
        bail!(
            "the import of {} made a catalog that does not load (a bug; please report it): {}",
            shown(&source),
            report(e)
        );
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", shown(dir)))?;
    }
    if path.exists() || path.symlink_metadata().is_ok() {
        bail!(
            "{} already exists; stridekit never writes over it (give another name with -o)",
            shown(&path)
        );
    }
    files::write_atomic(&path, made.text.as_bytes(), false)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", shown(&path)))?;
    let mut out = format!(
        "Imported {} (Threat Composer threat pack) into {}: {}.\n",
        shown(&source),
        shown(&path),
        made.summary()
    );
    if made.unmapped.is_empty() {
        out.push_str("Everything in the pack was mapped.\n");
    } else {
        let _ = writeln!(
            out,
            "Not mapped ({}):",
            plural(made.unmapped.len(), "item", "items")
        );
        for u in &made.unmapped {
            let _ = writeln!(out, "  {}", one_line(&u.to_string()));
        }
    }
    if !check.warnings.is_empty() {
        let _ = writeln!(
            out,
            "It loads with {} (a pack has no prompts; add some): stridekit catalogs {}",
            plural(check.warnings.len(), "warning", "warnings"),
            made.id
        );
    } else {
        let _ = writeln!(out, "List it with: stridekit catalogs {}", made.id);
    }
    say(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn export_session(file: &Path, format: Format, output: Option<&Path>) -> Result<ExitCode> {
    if let Format::Interop(to) = format {
        let catalogs = load_catalogs()?;
        let (_, loaded) = load_session(file, &catalogs)?;
        let exported = interop::export(&loaded.session, to);
        emit(output, file, |out| out.write_all(exported.text.as_bytes()))?;
        for note in &exported.notes {
            eprintln!("stridekit: {}", one_line(note));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let catalogs = load_catalogs()?;
    let config = Config::load().map_err(report)?;
    let (shown, loaded) = load_session(file, &catalogs)?;
    let source_name = shown.file_name().map(|n| n.to_string_lossy().into_owned());
    let ctx = ExportContext {
        session: &loaded.session,
        catalogs: &catalogs,
        jira_defaults: &config.jira,
        source_name: source_name.as_deref(),
    };
    emit(output, file, |out| export::export(&ctx, format, out))?;
    Ok(ExitCode::SUCCESS)
}

fn validate(paths: &[PathBuf]) -> Result<ExitCode> {
    let catalogs = match Catalogs::load(&config::search_dirs("catalogs")) {
        Ok(c) => c,
        Err(e) => {
            // Without catalogs no session can be checked; say so per file.
            let _ = report(e);
            eprintln!("stridekit: fix the catalogs above first");
            return Ok(ExitCode::from(EXIT_INVALID));
        }
    };
    let mut failed = 0;
    for path in paths {
        let outcome =
            read_input(path).and_then(|(shown, text)| store::load_text(&shown, &text, &catalogs));
        match outcome {
            Ok(loaded) => {
                print_diagnostics(&loaded.warnings);
                say(&format!("{}: ok\n", shown(path)))?;
            }
            Err(e) => {
                failed += 1;
                // An I/O error names the file already; located problems are
                // listed first, then counted after the file's name.
                let message = match e {
                    LoadError::Io { .. } => e.to_string(),
                    e => format!("{}: {}", shown(path), report(e)),
                };
                eprintln!("{}", one_line(&message));
            }
        }
    }
    if failed > 0 {
        eprintln!(
            "{failed} of {} invalid",
            plural(paths.len(), "file", "files")
        );
        Ok(ExitCode::from(EXIT_INVALID))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

fn suggest_threats(file: &Path, format: SuggestFormat, output: Option<&Path>) -> Result<ExitCode> {
    let catalogs = load_catalogs()?;
    let (_, loaded) = load_session(file, &catalogs)?;
    let suggestions = suggest::suggestions(&loaded.session, &catalogs);
    emit(output, file, |out| match format {
        SuggestFormat::Json => suggest::write_json(out, &suggestions),
        SuggestFormat::Csv => suggest::write_csv(out, &suggestions),
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `STRIDE`, `·TRID·`: the acronym with `·` for each category not asked.
fn letters(categories: &[Category]) -> String {
    Category::ALL
        .iter()
        .map(|c| {
            if categories.contains(c) {
                c.letter()
            } else {
                '·'
            }
        })
        .collect()
}

/// How a kind's categories compare with its element's STRIDE-per-element
/// default: `+` wider, `-` narrower, `±` some of each, blank the same.
fn widening(kind: &Kind) -> &'static str {
    let default = kind.element.default_categories();
    let adds = kind.categories.iter().any(|c| !default.contains(c));
    let drops = default.iter().any(|c| !kind.categories.contains(c));
    match (adds, drops) {
        (false, false) => "",
        (true, false) => "+",
        (false, true) => "-",
        (true, true) => "±",
    }
}

/// Short element names for the kind list, which must fit 80 columns.
fn element_label(element: ElementType) -> &'static str {
    match element {
        ElementType::ExternalEntity => "entity",
        ElementType::Process => "process",
        ElementType::DataStore => "store",
        ElementType::DataFlow => "flow",
        ElementType::TrustBoundary => "boundary",
    }
}

/// The kind list is laid out for an 80 column terminal.
const LIST_COLUMNS: usize = 80;

/// What the STRIDE column means, with each element's default, wrapped to
/// the list's width.
fn categories_legend() -> String {
    let defaults: Vec<String> = [
        ElementType::ExternalEntity,
        ElementType::Process,
        ElementType::DataStore,
        ElementType::DataFlow,
        ElementType::TrustBoundary,
    ]
    .iter()
    .map(|e| format!("{} {}", element_label(*e), letters(e.default_categories())))
    .collect();
    let text = format!(
        "STRIDE: the categories a kind's elements are walked through (· not asked). \
         A kind may widen (+) or narrow (-) its element's default: {}.",
        defaults.join(", ")
    );
    let mut out = text::wrap(&text, LIST_COLUMNS).join("\n");
    out.push('\n');
    out
}

fn catalogs(query: Option<&str>) -> Result<ExitCode> {
    let catalogs = load_catalogs()?;
    print_diagnostics(&catalogs.warnings);
    let mut out = String::new();
    match query {
        None => {
            for info in &catalogs.catalogs {
                list_catalog(&catalogs, &info.id, &mut out);
            }
            out.push_str(&categories_legend());
            let _ = writeln!(
                out,
                "Show a kind's prompts and threats: stridekit catalogs KIND"
            );
        }
        Some(q) if catalogs.catalogs.iter().any(|c| c.id == q) => {
            list_catalog(&catalogs, q, &mut out);
            out.push_str(&categories_legend());
        }
        Some(q) => {
            let Some(kind) = catalogs.kind(q) else {
                let hint = suggestion(q, catalogs.kind_ids())
                    .map(|s| format!(" Did you mean `{s}`?"))
                    .unwrap_or_default();
                bail!("no kind or catalog named `{}`.{hint}", one_line(q));
            };
            let _ = writeln!(out, "{} ({})", one_line(&kind.name), kind.id);
            let _ = write!(out, "  element: {}", kind.element.key());
            if let Some(r) = kind.responsibility {
                let _ = write!(out, "; shared responsibility: {}", r.key());
            }
            let _ = writeln!(out, "; from {}", shown(&kind.source));
            let default = letters(kind.element.default_categories());
            let compared = match widening(kind) {
                "" => "as",
                "+" => "wider than",
                "-" => "narrower than",
                _ => "instead of",
            };
            let _ = writeln!(
                out,
                "  STRIDE: {}, {compared} the {} default {default}",
                letters(&kind.categories),
                kind.element.key()
            );
            if !kind.widened.is_empty() {
                let _ = writeln!(out, "  why: {}", one_line(&kind.widened));
            }
            if !kind.summary.is_empty() {
                let _ = writeln!(out, "  {}", one_line(&kind.summary));
            }
            for &category in &kind.categories {
                let _ = writeln!(out, "\n{} ({})", category.name(), category.property());
                for p in kind.prompts_for(category) {
                    let persona = if kind.is_business(category, p) {
                        "[business] "
                    } else {
                        ""
                    };
                    let _ = writeln!(out, "  ? {persona}{}", one_line(p));
                }
                for t in kind.threats_for(category) {
                    let _ = writeln!(out, "  - {}  [{}]", one_line(&t.title), kind.threat_ref(t));
                    for m in &t.mitigations {
                        let _ = writeln!(
                            out,
                            "      + {}: {}",
                            one_line(&m.control),
                            one_line(&m.text)
                        );
                    }
                }
            }
        }
    }
    say(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn list_catalog(catalogs: &Catalogs, id: &str, out: &mut String) {
    let Some(info) = catalogs.catalogs.iter().find(|c| c.id == id) else {
        return;
    };
    let sources: Vec<String> = info.sources.iter().map(|p| shown(p)).collect();
    let _ = writeln!(
        out,
        "{} — {} ({})",
        info.id,
        one_line(&info.name),
        sources.join(", ")
    );
    let kinds: Vec<&Kind> = catalogs
        .kinds()
        .iter()
        .filter(|k| k.catalog == id)
        .collect();
    // Ids are ASCII slugs, so their column pads by `format!`; names come
    // last and are cut to what is left of the line.
    let id_width = kinds.iter().map(|k| k.id.len()).max().unwrap_or(0).max(4);
    let fixed = 2 + id_width + 2 + 8 + 2 + 7 + 2 + 7 + 2;
    let name_width = LIST_COLUMNS.saturating_sub(fixed).max(16);
    let _ = writeln!(
        out,
        "  {:<id_width$}  {:<8}  {:<7}  {:>7}  name",
        "kind", "element", "STRIDE", "threats"
    );
    for kind in kinds {
        let categories = format!("{}{}", letters(&kind.categories), widening(kind));
        let name = one_line(&kind.name);
        let _ = writeln!(
            out,
            "  {:<id_width$}  {:<8}  {categories:<7}  {:>7}  {}",
            kind.id,
            element_label(kind.element),
            // What the walk offers: its own threats and borrowed ones.
            kind.threats.len() + kind.borrowed.len(),
            text::fit(&name, name_width)
        );
    }
    out.push('\n');
}

fn themes() -> Result<ExitCode> {
    let themes = load_themes()?;
    let mut out = String::new();
    for t in themes.all() {
        let default = if t.name == DEFAULT_THEME {
            " (default)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{:<16} {}{default}  [{}]",
            one_line(&t.name),
            one_line(&t.description),
            shown(&t.source)
        );
    }
    if no_color_requested() {
        let _ = writeln!(
            out,
            "\nNO_COLOR is set: screens use no colour whatever the theme."
        );
    }
    say(&out)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_make_file_names() {
        let name = store::session_file_name;
        assert_eq!(name("Payslip download (v2)!"), "payslip-download-v2.toml");
        assert_eq!(name("../../etc/passwd"), "etc-passwd.toml");
        assert_eq!(name("???"), "session.toml");
        assert_eq!(name("日本 API"), "日本-api.toml");
    }
}
