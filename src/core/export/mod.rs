//! Exports of a session: Jira CSV, spreadsheet CSV, Markdown and JSON.

pub mod cell;
pub mod jira;
pub mod json;
pub mod markdown;
pub mod spreadsheet;

use std::fmt::Write as _;
use std::io::{self, Write};

use super::catalog::Catalogs;
use super::index::SessionIndex;
use super::model::{JiraSettings, Session, Threat, VotingMode};
use super::scoring::Ranked;
use super::text::plural;

/// The formats `export --format` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    JiraCsv,
    Csv,
    Markdown,
    Json,
    /// Another tool's file (see `core::interop`).
    Interop(super::interop::Format),
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::JiraCsv,
        Format::Csv,
        Format::Markdown,
        Format::Json,
        Format::Interop(super::interop::Format::ThreatComposer),
        Format::Interop(super::interop::Format::ThreatDragon),
        Format::Interop(super::interop::Format::Otm),
    ];

    pub fn key(self) -> &'static str {
        match self {
            Format::JiraCsv => "jira-csv",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
            Format::Json => "json",
            Format::Interop(f) => f.key(),
        }
    }

    /// The usual file extension, for default output names.
    pub fn extension(self) -> &'static str {
        match self {
            Format::JiraCsv => "jira.csv",
            Format::Csv => "csv",
            Format::Markdown => "md",
            Format::Json => "json",
            Format::Interop(f) => f.extension(),
        }
    }

    pub fn parse(text: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.key() == text)
    }
}

/// Everything an export reads.
pub struct ExportContext<'a> {
    pub session: &'a Session,
    pub catalogs: &'a Catalogs,
    /// Jira settings from the user's config file; the session's own win.
    pub jira_defaults: &'a JiraSettings,
    /// The session's file name, shown in the Markdown report.
    pub source_name: Option<&'a str>,
}

pub fn export(ctx: &ExportContext<'_>, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::JiraCsv => jira::write(ctx, out),
        Format::Csv => spreadsheet::write(ctx, out),
        Format::Markdown => markdown::write(ctx, out),
        Format::Json => json::write(ctx, out),
        Format::Interop(f) => out.write_all(super::interop::export(ctx.session, f).text.as_bytes()),
    }
}

/// A threat's full description as plain text, for issue trackers: the
/// statement, target, category, votes (the rank alone in rating mode),
/// risk and mitigations. Starts with a
/// fixed word so no tracker or spreadsheet reads it as a formula.
pub fn describe_threat(
    ctx: &ExportContext<'_>,
    index: &SessionIndex<'_>,
    threat: &Threat,
    ranked: &Ranked,
    threat_count: usize,
) -> String {
    let session = ctx.session;
    let mut d = String::new();
    let _ = writeln!(
        d,
        "Threat {} from the threat model \"{}\" (stridekit).",
        threat.id, session.title
    );
    d.push('\n');
    if let Some(statement) = statement_sentence(index, threat) {
        let _ = writeln!(d, "Statement: {statement}");
    }
    if let Some(target) = threat.target {
        let _ = write!(d, "Target: {}", index.describe(target));
        if let Some(kind) = index.component(target).map(|c| c.kind.as_str()) {
            let _ = write!(d, ", {kind}");
        }
        d.push('\n');
    }
    let _ = writeln!(
        d,
        "STRIDE category: {} (violates {})",
        threat.category.name(),
        threat.category.property()
    );
    let tied = if ranked.tied { ", tied" } else { "" };
    if session.voting.mode == VotingMode::Rating {
        // Nobody voted in a rating session: the rank comes from the risk.
        let _ = writeln!(d, "Rank: {} of {threat_count}{tied}", ranked.rank);
    } else {
        let _ = writeln!(
            d,
            "Votes: {} (rank {} of {threat_count}{tied})",
            plural(ranked.dots, "dot", "dots"),
            ranked.rank,
        );
    }
    match (threat.likelihood, threat.impact, ranked.band) {
        (Some(l), Some(i), Some(band)) => {
            let _ = writeln!(
                d,
                "Risk: likelihood {l} x impact {i} = {} ({})",
                l * i,
                band.key()
            );
        }
        _ => d.push_str("Risk: not rated\n"),
    }
    match threat.status_reason.trim() {
        "" => {
            let _ = writeln!(d, "Status: {}", threat.status.key());
        }
        reason => {
            let _ = writeln!(d, "Status: {} ({reason})", threat.status.key());
        }
    }
    if let Some(author) = threat.author {
        let _ = writeln!(d, "Raised by: {}", index.describe(author));
    }
    if let Some(reference) = &threat.catalog {
        let _ = writeln!(d, "Catalog: {reference}");
    }
    if !threat.notes.trim().is_empty() {
        let _ = writeln!(d, "\nNotes:\n{}", threat.notes.trim());
    }
    let mitigations = index.mitigations_of(threat.id);
    if mitigations.is_empty() {
        d.push_str("\nMitigations: none yet\n");
    } else {
        d.push_str("\nMitigations:\n");
        for m in mitigations {
            let _ = write!(d, "* {} {} [{}", m.id, m.text.trim(), m.status.key());
            if !m.owner.is_empty() {
                let _ = write!(d, ", owner {}", m.owner);
            }
            d.push_str("]\n");
        }
    }
    d.trim_end().to_string()
}

/// The threat in Threat Composer's grammar, when a statement was written:
/// "A <source> <prerequisites> can <action>, which leads to <impact>,
/// negatively impacting <assets>."
pub fn statement_sentence(index: &SessionIndex<'_>, threat: &Threat) -> Option<String> {
    if threat.statement.is_empty() {
        return None;
    }
    Some(super::walk::sentence(
        &threat.statement,
        &threat.title,
        |a| index.name(a),
    ))
}
