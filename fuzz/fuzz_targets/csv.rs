//! The fuzz input as text in the demo session's fields, then the
//! spreadsheet and Jira CSV exports: every cell must parse, and none may
//! be one a spreadsheet reads as a formula (`cell::is_dangerous`).
#![no_main]

use std::path::Path;
use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use stridekit::core::catalog::Catalogs;
use stridekit::core::diag::{FieldPath, Severity};
use stridekit::core::export::cell::is_dangerous;
use stridekit::core::export::jira::check_settings;
use stridekit::core::export::{self, ExportContext, Format};
use stridekit::core::model::{JiraSettings, Session};
use stridekit::core::store;

static CATALOGS: LazyLock<Catalogs> =
    LazyLock::new(|| Catalogs::builtin().expect("the built-in catalogs load"));
static DEMO: LazyLock<Session> = LazyLock::new(|| {
    store::load_text(
        Path::new(stridekit::DEMO_FILE_NAME),
        stridekit::DEMO_SESSION,
        &CATALOGS,
    )
    .expect("the demo session loads")
    .session
});

fn spliced(text: &str) -> Session {
    let mut session = DEMO.clone();
    session.title = text.to_string();
    session.description = text.to_string();
    if let Some(threat) = session.threats.first_mut() {
        let threat = Arc::make_mut(threat);
        threat.title = text.to_string();
        threat.notes = text.to_string();
        threat.status_reason = text.to_string();
        threat.statement.source = text.to_string();
        threat.statement.action = text.to_string();
        threat.statement.impact = text.to_string();
    }
    if let Some(m) = session.mitigations.first_mut() {
        m.text = text.to_string();
        m.owner = text.to_string();
    }
    if let Some(c) = session.components.first_mut() {
        c.name = text.to_string();
    }
    if let Some(p) = session.participants.first_mut() {
        p.name = text.to_string();
    }
    session
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let session = spliced(&text);
    // The Jira settings take the text too (issue type, label, priority are
    // cells), when a config file could hold them: `check_settings` passes.
    let hostile = JiraSettings {
        issue_type: Some(text.to_string()),
        labels: Some(vec![text.to_string()]),
        rank_default: Some(text.to_string()),
        ..JiraSettings::default()
    };
    let checked = check_settings(&hostile, &FieldPath::from("jira"));
    let mut settings = vec![JiraSettings::default()];
    if !checked.iter().any(|i| i.severity == Severity::Error) {
        settings.push(hostile);
    }
    for jira in &settings {
        let ctx = ExportContext {
            session: &session,
            catalogs: &CATALOGS,
            jira_defaults: jira,
            source_name: Some(stridekit::DEMO_FILE_NAME),
        };
        for format in [Format::Csv, Format::JiraCsv] {
            let mut out = Vec::new();
            if let Err(e) = export::export(&ctx, format, &mut out) {
                panic!("{} export failed: {e}", format.key());
            }
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(out.as_slice());
            for record in reader.records() {
                let record = match record {
                    Ok(r) => r,
                    Err(e) => panic!("{} export does not parse as CSV: {e}", format.key()),
                };
                for cell in &record {
                    assert!(
                        !is_dangerous(cell),
                        "{} export has a formula cell: {cell:?}",
                        format.key()
                    );
                }
            }
        }
    }
});
