//! Every file in `tests/fixtures/bad/{sessions,catalogs,themes}` is broken
//! on purpose. Each starts with `# expect: LINE:COL: SEVERITY: FIELD: MESSAGE`
//! lines; loading it must produce a diagnostic containing
//! `PATH:LINE:COL: SEVERITY: FIELD: MESSAGE` for each, and must leave the
//! file byte-for-byte as it was.

use std::fs;
use std::path::{Path, PathBuf};

use stridekit::core::catalog::Catalogs;
use stridekit::core::files::{self, LoadError, MAX_FILE_BYTES};
use stridekit::core::store;
use stridekit::core::theme::Themes;

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new("tests/fixtures/bad").join(kind);
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {}", dir.display());
    paths
}

fn expectations(text: &str) -> Vec<&str> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("# expect: "))
        .collect()
}

/// Loads every fixture of `kind` with `load` and checks its messages.
fn check_all(kind: &str, load: impl Fn(&Path) -> Result<(), LoadError>) {
    let mut failures = Vec::new();
    for path in fixtures(kind) {
        let before = fs::read(&path).unwrap();
        let text = String::from_utf8(before.clone()).unwrap();
        let expected = expectations(&text);
        assert!(
            !expected.is_empty(),
            "{} has no # expect: lines",
            path.display()
        );
        let rendered: Vec<String> = match load(&path) {
            Ok(()) => vec!["(loaded without errors)".to_string()],
            Err(e) => e.diagnostics().iter().map(ToString::to_string).collect(),
        };
        for e in expected {
            let wanted = format!("{}:{e}", path.display());
            if !rendered.iter().any(|r| r.contains(&wanted)) {
                failures.push(format!(
                    "{}\n  wanted: {wanted}\n  got:    {}",
                    path.display(),
                    rendered.join("\n          ")
                ));
            }
        }
        assert_eq!(
            fs::read(&path).unwrap(),
            before,
            "{} was modified",
            path.display()
        );
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn bad_sessions_are_reported_with_file_line_column_and_field() {
    let catalogs = Catalogs::builtin().unwrap();
    check_all("sessions", |path| store::load(path, &catalogs).map(|_| ()));
}

#[test]
fn bad_catalogs_are_reported_with_file_line_column_and_field() {
    check_all("catalogs", |path| {
        let text = files::read_text(path)?;
        Catalogs::builtin()?.add_text(path, &text, false)
    });
}

#[test]
fn bad_themes_are_reported_with_file_line_column_and_field() {
    check_all("themes", |path| {
        let text = files::read_text(path)?;
        Themes::builtin()?.add_text(path, &text)
    });
}

#[test]
fn a_bad_catalog_in_a_search_directory_stops_loading_with_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["bad-ids.toml", "unknown-key.toml"] {
        fs::copy(
            Path::new("tests/fixtures/bad/catalogs").join(name),
            dir.path().join(name),
        )
        .unwrap();
    }
    let err = Catalogs::load(&[dir.path().to_path_buf()]).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("bad-ids.toml:4:6: error: id:"), "{text}");
    assert!(
        text.contains("unknown-key.toml:8:1: error: kinds[0].colour"),
        "{text}"
    );
}

#[test]
fn huge_files_are_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.toml");
    let mut text = String::from("schema = 1\ntitle = \"x\"\n");
    let padding = "# padding padding padding padding padding padding padding\n";
    while (text.len() as u64) <= MAX_FILE_BYTES {
        text.push_str(padding);
    }
    fs::write(&path, &text).unwrap();
    let catalogs = Catalogs::builtin().unwrap();
    let err = store::load(&path, &catalogs).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:1:1: error: file is larger than the 16 MiB limit",
            path.display()
        )
    );
}

#[test]
fn binary_files_are_refused_with_the_line_of_the_first_bad_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("binary.toml");
    fs::write(&path, b"schema = 1\ntitle = \"\xc3\x28\"\n").unwrap();
    let catalogs = Catalogs::builtin().unwrap();
    let err = store::load(&path, &catalogs).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}:2:10: error: file is not UTF-8 text", path.display())
    );
}

#[test]
fn missing_files_name_the_path() {
    let catalogs = Catalogs::builtin().unwrap();
    let err = store::load(Path::new("no/such/session.toml"), &catalogs).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot read no/such/session.toml: "),
        "{err}"
    );
}
