//! The session loader on arbitrary bytes, as `stridekit open` reads a
//! file: the UTF-8 check, the TOML parse, validation. A session that
//! loads is then written in every export format: Markdown must carry no
//! ESC or C1 control, CSV no cell a spreadsheet runs, JSON must parse.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use stridekit::core::catalog::Catalogs;
use stridekit::core::export::cell::is_dangerous;
use stridekit::core::export::{self, ExportContext, Format};
use stridekit::core::files;
use stridekit::core::model::JiraSettings;
use stridekit::core::store;

static CATALOGS: LazyLock<Catalogs> =
    LazyLock::new(|| Catalogs::builtin().expect("the built-in catalogs load"));

fuzz_target!(|data: &[u8]| {
    let path = Path::new("f.toml");
    let Ok(text) = files::text_from_bytes(path, data.to_vec()) else {
        return;
    };
    let Ok(loaded) = store::load_text(path, &text, &CATALOGS) else {
        return;
    };
    let jira = JiraSettings::default();
    let ctx = ExportContext {
        session: &loaded.session,
        catalogs: &CATALOGS,
        jira_defaults: &jira,
        source_name: Some("f.toml"),
    };
    for format in Format::ALL {
        let mut out = Vec::new();
        if let Err(e) = export::export(&ctx, format, &mut out) {
            panic!(
                "{} export of a session that loaded failed: {e}",
                format.key()
            );
        }
        match format {
            Format::Markdown => check_markdown(&out),
            Format::Csv | Format::JiraCsv => check_csv(format, &out),
            Format::Json | Format::Interop(_) => {
                if let Err(e) = serde_json::from_slice::<serde_json::Value>(&out) {
                    panic!("{} export is not JSON: {e}", format.key());
                }
            }
        }
    }
});

fn check_markdown(out: &[u8]) {
    assert!(!out.contains(&0x1b), "ESC byte in the Markdown report");
    let Ok(md) = std::str::from_utf8(out) else {
        panic!("Markdown report is not UTF-8");
    };
    if let Some(c) = md.chars().find(|c| ('\u{80}'..='\u{9f}').contains(c)) {
        panic!("C1 control U+{:04X} in the Markdown report", c as u32);
    }
}

fn check_csv(format: Format, out: &[u8]) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(out);
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
