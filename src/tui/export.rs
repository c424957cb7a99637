//! Export from the TUI (`E` on every phase screen): a format picker, a
//! form with the file name (proposed beside the session) and, for Jira,
//! the importer options, saved in the session; a question before
//! overwriting a file; the file written atomically by the event loop,
//! which says where it went.

use std::path::{Path, PathBuf};

use super::app::App;
use super::context::{Effect, Purpose, Say};
use super::form::{Choice, Field, Form};
use super::overlays::confirm::Confirm;
use super::overlays::form::FormOverlay;
use super::overlays::picker::PickerOverlay;
use super::overlays::{Overlay, Owner, Reply};
use super::picker::{PickItem, Picker};
use crate::core::export::Format;
use crate::core::export::jira::JiraMapping;
use crate::core::model::{JiraSettings, PriorityBy, Session};
use crate::core::scoring;
use crate::core::text::{one_line, plural};

/// A step of the export, as the overlays' purpose.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Format,
    Options(Format),
    Overwrite(Export),
}

/// An export ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub format: Format,
    pub path: PathBuf,
    /// The user said yes to replacing the file.
    pub overwrite: bool,
    /// The session's Jira settings for this export (what the form set,
    /// even when a read-only session could not keep them).
    pub jira: JiraSettings,
}

fn format_label(format: Format) -> &'static str {
    match format {
        Format::JiraCsv => "Jira CSV: one issue per threat, for Jira's CSV importer",
        Format::Csv => "CSV: the ranked threats, for a spreadsheet",
        Format::Markdown => "Markdown: the whole threat model as a report",
        Format::Json => "JSON: everything, for scripts",
        Format::Interop(crate::core::interop::Format::ThreatComposer) => {
            "Threat Composer: threats and mitigations, for AWS's tool"
        }
        Format::Interop(crate::core::interop::Format::ThreatDragon) => {
            "Threat Dragon: the diagram and threats, for OWASP's tool"
        }
        Format::Interop(crate::core::interop::Format::Otm) => {
            "Open Threat Model: elements, threats and mitigations"
        }
        // Import only: not in `Format::ALL`, so never offered.
        Format::Interop(crate::core::interop::Format::Tmt) => "Threat Modeling Tool (import only)",
    }
}

pub fn format_name(format: Format) -> &'static str {
    match format {
        Format::JiraCsv => "Jira CSV",
        Format::Csv => "CSV",
        Format::Markdown => "Markdown",
        Format::Json => "JSON",
        Format::Interop(f) => f.name(),
    }
}

/// The file name proposed for `format`, beside the session file:
/// `NAME-backlog.jira.csv`, `NAME-backlog.csv`, `NAME-threat-model.md`,
/// `NAME.json`.
pub fn proposed_name(session_path: &Path, format: Format) -> String {
    let stem = session_path.file_stem().map_or_else(
        || "session".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    match format {
        Format::JiraCsv | Format::Csv => format!("{stem}-backlog.{}", format.extension()),
        Format::Markdown => format!("{stem}-threat-model.md"),
        Format::Json => format!("{stem}.json"),
        Format::Interop(f) => format!("{stem}.{}", f.extension()),
    }
}

/// Where a typed file name goes: beside the session unless it is a path
/// of its own.
pub fn resolve(session_path: &Path, typed: &str) -> PathBuf {
    let typed = Path::new(typed.trim());
    if typed.is_absolute() {
        return typed.to_path_buf();
    }
    if let Some(rest) = typed.to_str().and_then(|t| t.strip_prefix("~/"))
        && let Some(home) = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf())
    {
        return home.join(rest);
    }
    match session_path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(typed),
        _ => typed.to_path_buf(),
    }
}

/// `E`: the format picker.
pub fn start(app: &mut App) {
    let items = Format::ALL
        .into_iter()
        .map(|f| PickItem::new(f.key(), format_label(f), f.extension()))
        .collect();
    let picker = Picker::single("Export the session as", items, None, false);
    app.overlays.push(Overlay::Picker(PickerOverlay {
        picker,
        reply: Reply::Owner(Owner::Export, Purpose::new(Step::Format)),
    }));
}

fn mapping(session: &Session, defaults: &JiraSettings) -> JiraMapping {
    let any_votes =
        session.voting.ballots.values().any(|b| !b.is_empty()) || !session.voting.tally.is_empty();
    JiraMapping::resolve(&session.jira, defaults, session.voting.mode, any_votes)
}

/// The form for `format`.
fn options_form(app: &App, format: Format) -> Option<Form> {
    let state = app.session()?;
    let session = state.session();
    let name = proposed_name(&state.path, format);
    let mut fields = vec![
        Field::line(
            "file",
            "File (beside the session, or a path of your own)",
            &name,
        )
        .required(),
    ];
    if format == Format::JiraCsv {
        let m = mapping(session, &app.jira_defaults);
        let ranking = scoring::rank(session);
        let top = scoring::backlog(session, &ranking);
        // With a cut line drawn, the backlog is what most teams import;
        // a choice already saved in the session or the config wins.
        let only = session
            .jira
            .only_backlog
            .or(app.jira_defaults.only_backlog)
            .unwrap_or(session.cut_line.is_some());
        fields.extend([
            Field::line("issue_type", "Jira issue type", &m.issue_type).required(),
            Field::line(
                "labels",
                "Labels on every issue (spaces or commas between)",
                &m.labels.join(" "),
            ),
            Field::cycle(
                "priority_by",
                "Priority",
                vec![
                    Choice::new(
                        "rank",
                        "by rank: the top 3 High, to 10 Medium, the rest Low",
                    ),
                    Choice::new("risk", "by risk: likelihood x impact band"),
                ],
                match m.priority_by {
                    PriorityBy::Rank => "rank",
                    PriorityBy::Risk => "risk",
                },
            ),
            Field::cycle(
                "only_backlog",
                "Threats",
                vec![
                    Choice::new(
                        "backlog",
                        format!("the backlog: the top {top} above the cut line"),
                    ),
                    Choice::new("all", format!("all {}", ranking.len())),
                ],
                if only { "backlog" } else { "all" },
            ),
        ]);
    }
    Some(
        Form::new(format!("Export as {}", format_name(format)), fields)
            .enter_saves()
            .verb("export"),
    )
}

/// The labels typed: split on spaces and commas.
fn labels(text: &str) -> Vec<String> {
    text.split([' ', ',', ';'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

pub fn picked(app: &mut App, purpose: &Purpose, keys: Vec<String>) {
    if purpose.get::<Step>() != Some(&Step::Format) {
        return;
    }
    let Some(format) = keys.first().and_then(|k| Format::parse(k)) else {
        return;
    };
    if let Some(form) = options_form(app, format) {
        app.overlays.push(Overlay::Form(FormOverlay {
            form,
            owner: Owner::Export,
            purpose: Purpose::new(Step::Options(format)),
        }));
    }
}

/// The form saved: Jira options into the session, then the export asked
/// of the event loop.
pub fn submit(app: &mut App, purpose: &Purpose, form: &Form) -> Result<(), String> {
    let Some(Step::Options(format)) = purpose.get::<Step>().cloned() else {
        return Ok(());
    };
    let defaults = app.jira_defaults.clone();
    let Some(state) = app.session_mut() else {
        return Ok(());
    };
    let typed = form.text("file");
    if typed.trim().is_empty() {
        return Err("name the file to write".to_string());
    }
    let path = resolve(&state.path, &typed);
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    {
        return Err("that is a session file name: exports are never .toml".to_string());
    }
    if same_file(&path, &state.path) {
        return Err("that is this session's own file".to_string());
    }
    let mut jira = state.session().jira.clone();
    if format == Format::JiraCsv {
        let before = mapping(state.session(), &defaults);
        let issue_type = form.text("issue_type");
        let labels = labels(&form.text("labels"));
        let priority_by = match form.key("priority_by").as_deref() {
            Some("risk") => PriorityBy::Risk,
            _ => PriorityBy::Rank,
        };
        let only_backlog = form.key("only_backlog").as_deref() == Some("backlog");
        // Only what differs from what the session would get anyway is
        // written, so the file stays free of restated defaults.
        if issue_type != before.issue_type || jira.issue_type.is_some() {
            jira.issue_type = Some(issue_type);
        }
        if labels != before.labels || jira.labels.is_some() {
            jira.labels = Some(labels);
        }
        if priority_by != before.priority_by || jira.priority_by.is_some() {
            jira.priority_by = Some(priority_by);
        }
        if only_backlog != before.only_backlog || jira.only_backlog.is_some() {
            jira.only_backlog = Some(only_backlog);
        }
        if jira != state.session().jira {
            let settings = jira.clone();
            if let Err(refusal) = state
                .doc
                .edit("Jira export settings", |s| s.jira = settings)
            {
                // The export still uses them; the file cannot keep them.
                app.warn(format!("{refusal}; the Jira options are used but not kept"));
            }
        }
    }
    app.effects.push(Effect::Export(Export {
        format,
        path,
        overwrite: false,
        jira,
    }));
    Ok(())
}

/// Whether `a` and `b` name one file (either may not exist yet).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The event loop found the file there: ask before replacing it.
pub fn ask_overwrite(app: &mut App, export: Export) {
    let name = one_line(&export.path.display().to_string()).into_owned();
    app.overlays.push(Overlay::Confirm(Confirm {
        question: format!("{name} exists. Replace it?"),
        reply: Reply::Owner(Owner::Export, Purpose::new(Step::Overwrite(export))),
    }));
}

pub fn confirmed(app: &mut App, purpose: &Purpose) {
    if let Some(Step::Overwrite(export)) = purpose.get::<Step>().cloned() {
        app.effects.push(Effect::Export(Export {
            overwrite: true,
            ..export
        }));
    }
}

/// What the status line says once the file is written.
pub fn written_message(session: &Session, export: &Export, defaults: &JiraSettings) -> String {
    let path = one_line(&export.path.display().to_string()).into_owned();
    let what = match export.format {
        Format::JiraCsv => {
            let mut s = session.clone();
            s.jira = export.jira.clone();
            let m = mapping(&s, defaults);
            let ranking = scoring::rank(&s);
            let rows = if m.only_backlog {
                scoring::backlog(&s, &ranking)
            } else {
                ranking.len()
            };
            plural(rows, "issue", "issues")
        }
        Format::Csv => plural(session.threats.len(), "threat", "threats"),
        Format::Markdown => "the threat model".to_string(),
        Format::Json | Format::Interop(_) => "the session".to_string(),
    };
    // The file's name first: a narrow status line cuts the end.
    let name = export.path.file_name().map_or_else(
        || path.clone(),
        |n| one_line(&n.to_string_lossy()).into_owned(),
    );
    let dir = export
        .path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(
            || ".".to_string(),
            |d| one_line(&d.display().to_string()).into_owned(),
        );
    format!(
        "Exported {what} to {name} in {dir} ({})",
        format_name(export.format)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_proposed_beside_the_session() {
        let session = Path::new("/work/sessions/payslips.toml");
        assert_eq!(
            proposed_name(session, Format::JiraCsv),
            "payslips-backlog.jira.csv"
        );
        assert_eq!(proposed_name(session, Format::Csv), "payslips-backlog.csv");
        assert_eq!(
            proposed_name(session, Format::Markdown),
            "payslips-threat-model.md"
        );
        assert_eq!(proposed_name(session, Format::Json), "payslips.json");
        assert_eq!(
            resolve(session, "payslips-backlog.csv"),
            PathBuf::from("/work/sessions/payslips-backlog.csv")
        );
        assert_eq!(resolve(session, "/tmp/x.csv"), PathBuf::from("/tmp/x.csv"));
        assert_eq!(
            resolve(Path::new("payslips.toml"), "x.csv"),
            PathBuf::from("x.csv")
        );
    }

    #[test]
    fn labels_split_on_spaces_and_commas() {
        assert_eq!(
            labels(" threat-model, security  payslips,"),
            vec!["threat-model", "security", "payslips"]
        );
    }
}
