//! Every loader on arbitrary bytes and on mutated copies of the real files
//! (issue 9, "How it is checked"): loading never panics, and an error
//! names the file it is about. The inputs the fuzz targets in `fuzz/`
//! found are kept in `tests/fixtures/fuzz/` and loaded here too.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use proptest::prelude::*;
use proptest::sample::Index;

use stridekit::core::catalog::Catalogs;
use stridekit::core::config::Config;
use stridekit::core::diag::{FieldPath, Severity};
use stridekit::core::export::cell::is_dangerous;
use stridekit::core::export::jira::check_settings;
use stridekit::core::export::{self, ExportContext, Format};
use stridekit::core::files::{self, LoadError};
use stridekit::core::model::{JiraSettings, Session};
use stridekit::core::store;
use stridekit::core::theme::Themes;

static CATALOGS: LazyLock<Catalogs> = LazyLock::new(|| Catalogs::builtin().unwrap());
static THEMES: LazyLock<Themes> = LazyLock::new(|| Themes::builtin().unwrap());

/// A path no loader could have made up: an error that names it names the
/// file.
const SESSION_PATH: &str = "prop-dir/prop-session.toml";
const CATALOG_PATH: &str = "prop-dir/prop-catalog.toml";
const THEME_PATH: &str = "prop-dir/prop-theme.toml";

/// The error names `path`: in its message, and as the file of every
/// diagnostic (of which there is at least one).
fn names_the_file(error: &LoadError, path: &Path) -> Result<(), String> {
    let message = error.to_string();
    let shown = path.display().to_string();
    if !message.contains(&shown) {
        return Err(format!("error does not name {shown}: {message}"));
    }
    if let LoadError::Invalid(diagnostics) = error {
        if diagnostics.is_empty() {
            return Err("an invalid file with no diagnostic".to_string());
        }
        if let Some(d) = diagnostics.iter().find(|d| d.file != path) {
            return Err(format!("a diagnostic about {}: {d}", d.file.display()));
        }
    }
    Ok(())
}

/// Bytes to text as the loaders read a file, then `load`; the outcome
/// checked with [`names_the_file`].
fn check_loader(
    path: &Path,
    bytes: &[u8],
    load: impl FnOnce(&str) -> Result<(), LoadError>,
) -> Result<(), String> {
    let result = files::text_from_bytes(path, bytes.to_vec()).and_then(|text| load(&text));
    match result {
        Ok(()) => Ok(()),
        Err(e) => names_the_file(&e, path),
    }
}

fn load_session(bytes: &[u8]) -> Result<(), String> {
    let path = Path::new(SESSION_PATH);
    check_loader(path, bytes, |text| {
        store::load_text(path, text, &CATALOGS).map(|_| ())
    })
}

fn load_catalog(bytes: &[u8]) -> Result<(), String> {
    let path = Path::new(CATALOG_PATH);
    check_loader(path, bytes, |text| {
        CATALOGS.clone().add_text(path, text, false)
    })?;
    check_loader(path, bytes, |text| {
        Catalogs::default().add_text(path, text, false)
    })
}

fn load_theme(bytes: &[u8]) -> Result<(), String> {
    let path = Path::new(THEME_PATH);
    check_loader(path, bytes, |text| THEMES.clone().add_text(path, text))
}

/// `Config::load_from` reads a path, so the bytes go to a file first.
fn load_config(bytes: &[u8]) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("config.toml");
    let mut file = fs::File::create(&path).map_err(|e| e.to_string())?;
    file.write_all(bytes).map_err(|e| e.to_string())?;
    drop(file);
    match Config::load_from(&path) {
        Ok(_) => Ok(()),
        Err(e) => names_the_file(&e, &path),
    }
}

/// The first `[[kinds]]` of a real catalog with its header: a catalog that
/// loads and is small enough to mutate many times in a debug build.
fn first_kind_of(catalog: &str) -> String {
    let starts: Vec<usize> = catalog
        .match_indices("\n[[kinds]]")
        .map(|(i, _)| i)
        .collect();
    match starts.get(1) {
        Some(&end) => catalog[..end + 1].to_string(),
        None => catalog.to_string(),
    }
}

const CONFIG_SAMPLE: &str = r#"[jira]
issue_type = "Story"
labels = ["threat-model", "security"]
priority_by = "rank"
rank_default = "Low"

[[jira.rank_priority]]
up_to = 3
priority = "High"

[[jira.rank_priority]]
up_to = 10
priority = "Medium"

[jira.risk_priority]
critical = "Highest"
high = "High"

[tui]
bell = false
theme = "light"
"#;

static SESSION_FILES: LazyLock<Vec<Vec<u8>>> =
    LazyLock::new(|| vec![fs::read("sessions/leejames-hr.toml").unwrap()]);
static CATALOG_FILES: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    ["catalogs/generic.toml", "catalogs/aws.toml"]
        .iter()
        .map(|p| first_kind_of(&fs::read_to_string(p).unwrap()).into_bytes())
        .collect()
});
static THEME_FILES: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let mut paths: Vec<PathBuf> = fs::read_dir("themes")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths.iter().map(|p| fs::read(p).unwrap()).collect()
});
static CONFIG_FILES: LazyLock<Vec<Vec<u8>>> =
    LazyLock::new(|| vec![CONFIG_SAMPLE.as_bytes().to_vec()]);

/// One change to a file.
#[derive(Debug, Clone)]
enum Edit {
    Insert(Index, u8),
    Delete(Index),
    Replace(Index, u8),
    /// Copies up to 64 bytes from one place to another: a key, a table
    /// header or a value turns up twice or somewhere it does not belong.
    Copy(Index, Index, u8),
    /// Cuts the file short.
    Truncate(Index),
}

/// Mostly bytes that mean something to TOML, so the file stays close
/// enough to parse; sometimes any byte, which may break UTF-8.
fn toml_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        4 => proptest::sample::select(b"[]{}=\"'.,#\n\r\t \\0123456789-+:_eE".to_vec()),
        2 => any::<u8>(),
        1 => proptest::sample::select(b"abcxyzTF".to_vec()),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<Index>(), toml_byte()).prop_map(|(i, b)| Edit::Insert(i, b)),
        3 => any::<Index>().prop_map(Edit::Delete),
        3 => (any::<Index>(), toml_byte()).prop_map(|(i, b)| Edit::Replace(i, b)),
        2 => (any::<Index>(), any::<Index>(), any::<u8>()).prop_map(|(a, b, n)| Edit::Copy(a, b, n)),
        1 => any::<Index>().prop_map(Edit::Truncate),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for edit in edits {
        let len = bytes.len();
        match *edit {
            Edit::Insert(at, b) => bytes.insert(at.index(len + 1), b),
            Edit::Delete(at) if len > 0 => {
                bytes.remove(at.index(len));
            }
            Edit::Replace(at, b) if len > 0 => bytes[at.index(len)] = b,
            Edit::Copy(from, to, n) if len > 0 => {
                let start = from.index(len);
                let end = (start + usize::from(n % 64) + 1).min(len);
                let chunk = bytes[start..end].to_vec();
                let at = to.index(len + 1);
                bytes.splice(at..at, chunk);
            }
            Edit::Truncate(at) => bytes.truncate(at.index(len + 1)),
            _ => {}
        }
    }
    bytes
}

/// A real file of `files`, changed by a few edits.
fn mutated(files: &'static LazyLock<Vec<Vec<u8>>>) -> impl Strategy<Value = Vec<u8>> {
    (any::<Index>(), proptest::collection::vec(edit(), 1..6)).prop_map(move |(which, edits)| {
        let files: &Vec<Vec<u8>> = files;
        apply(files[which.index(files.len())].clone(), &edits)
    })
}

/// Arbitrary bytes, and arbitrary text made of what TOML reads.
fn arbitrary() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        proptest::collection::vec(toml_byte(), 0..512),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn session_loader_on_arbitrary_bytes(bytes in arbitrary()) {
        load_session(&bytes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn catalog_loader_on_arbitrary_bytes(bytes in arbitrary()) {
        load_catalog(&bytes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn theme_loader_on_arbitrary_bytes(bytes in arbitrary()) {
        load_theme(&bytes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn config_loader_on_arbitrary_bytes(bytes in arbitrary()) {
        load_config(&bytes).map_err(TestCaseError::fail)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn session_loader_on_mutated_sessions(bytes in mutated(&SESSION_FILES)) {
        load_session(&bytes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn catalog_loader_on_mutated_catalogs(bytes in mutated(&CATALOG_FILES)) {
        load_catalog(&bytes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn theme_loader_on_mutated_themes(bytes in mutated(&THEME_FILES)) {
        load_theme(&bytes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn config_loader_on_mutated_configs(bytes in mutated(&CONFIG_FILES)) {
        load_config(&bytes).map_err(TestCaseError::fail)?;
    }
}

/// The unmutated files load: the mutations start from something valid.
#[test]
fn the_files_mutated_load_as_they_are() {
    for bytes in SESSION_FILES.iter() {
        let text = std::str::from_utf8(bytes).unwrap();
        store::load_text(Path::new(SESSION_PATH), text, &CATALOGS).unwrap();
    }
    for bytes in CATALOG_FILES.iter() {
        let text = std::str::from_utf8(bytes).unwrap();
        Catalogs::default()
            .add_text(Path::new(CATALOG_PATH), text, false)
            .unwrap();
    }
    for bytes in THEME_FILES.iter() {
        let text = std::str::from_utf8(bytes).unwrap();
        THEMES
            .clone()
            .add_text(Path::new(THEME_PATH), text)
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    fs::write(&path, CONFIG_SAMPLE).unwrap();
    assert_ne!(Config::load_from(&path).unwrap(), Config::default());
}

/// The demo session with `text` in the fields the `markdown` and `csv`
/// fuzz targets write it to.
fn demo_spliced(text: &str) -> Session {
    let mut session = store::load_text(
        Path::new(stridekit::DEMO_FILE_NAME),
        stridekit::DEMO_SESSION,
        &CATALOGS,
    )
    .unwrap()
    .session;
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

fn render(session: &Session, jira: &JiraSettings, format: Format) -> String {
    let ctx = ExportContext {
        session,
        catalogs: &CATALOGS,
        jira_defaults: jira,
        source_name: Some(stridekit::DEMO_FILE_NAME),
    };
    let mut out = Vec::new();
    export::export(&ctx, format, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// What the `markdown` fuzz target checks.
fn check_markdown_of(text: &str) {
    let md = render(
        &demo_spliced(text),
        &JiraSettings::default(),
        Format::Markdown,
    );
    let bad = md.chars().find(|&c| {
        c == '\u{1b}'
            || ('\u{80}'..='\u{9f}').contains(&c)
            || stridekit::core::text::is_bidi_control(c)
    });
    assert_eq!(bad, None, "a control in the Markdown report");
}

/// What the `csv` fuzz target checks.
fn check_csv_of(text: &str) {
    let session = demo_spliced(text);
    let hostile = JiraSettings {
        issue_type: Some(text.to_string()),
        labels: Some(vec![text.to_string()]),
        rank_default: Some(text.to_string()),
        ..JiraSettings::default()
    };
    let mut settings = vec![JiraSettings::default()];
    if !check_settings(&hostile, &FieldPath::from("jira"))
        .iter()
        .any(|i| i.severity == Severity::Error)
    {
        settings.push(hostile);
    }
    for jira in &settings {
        for format in [Format::Csv, Format::JiraCsv] {
            let out = render(&session, jira, format);
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(out.as_bytes());
            for record in reader.records() {
                for cell in &record.unwrap() {
                    assert!(!is_dangerous(cell), "{}: {cell:?}", format.key());
                }
            }
        }
    }
}

/// Every input a fuzz target found, by the target named before the first
/// `-` of its file name, run as that target runs it.
#[test]
fn fuzz_findings_stay_fixed() {
    let dir = Path::new("tests/fixtures/fuzz");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    for path in paths {
        let bytes = fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let target = name.split(['-', '.']).next().unwrap_or_default();
        let outcome = match target {
            "session" => load_session(&bytes),
            "catalog" => load_catalog(&bytes),
            "theme" => load_theme(&bytes),
            "config" => load_config(&bytes),
            "markdown" => {
                check_markdown_of(&String::from_utf8_lossy(&bytes));
                Ok(())
            }
            "csv" => {
                check_csv_of(&String::from_utf8_lossy(&bytes));
                Ok(())
            }
            _ => panic!("{}: no fuzz target named {target:?}", path.display()),
        };
        if let Err(e) = outcome {
            panic!("{}: {e}", path.display());
        }
    }
}
