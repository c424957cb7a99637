//! The fuzz input as text in the demo session's fields (title,
//! description, a threat's title, notes and statement, a mitigation's
//! text and owner, names), then the Markdown report: no ESC, no C1
//! control, no bidi override or isolate may come through.
#![no_main]

use std::path::Path;
use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use stridekit::core::catalog::Catalogs;
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
    if let Some(f) = session.flows.first_mut() {
        f.label = text.to_string();
    }
    session
}

fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let session = spliced(&text);
    let jira = JiraSettings::default();
    let ctx = ExportContext {
        session: &session,
        catalogs: &CATALOGS,
        jira_defaults: &jira,
        source_name: Some(stridekit::DEMO_FILE_NAME),
    };
    let mut out = Vec::new();
    if let Err(e) = export::export(&ctx, Format::Markdown, &mut out) {
        panic!("Markdown export failed: {e}");
    }
    assert!(!out.contains(&0x1b), "ESC byte in the Markdown report");
    let Ok(md) = std::str::from_utf8(&out) else {
        panic!("Markdown report is not UTF-8");
    };
    if let Some(c) = md
        .chars()
        .find(|&c| ('\u{80}'..='\u{9f}').contains(&c) || is_bidi_control(c))
    {
        panic!("U+{:04X} in the Markdown report", c as u32);
    }
});
