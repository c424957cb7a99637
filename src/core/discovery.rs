//! Finding session files on disk: the home screen and the command line
//! list the same sessions from the same places.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::catalog::{Catalogs, toml_files_in};
use super::config;
use super::diag::{Diagnostic, Severity};
use super::files::LoadError;
use super::model::Phase;
use super::store;
use super::time::Timestamp;

/// Where sessions live: `./sessions`, then the user's data directory (its
/// `sessions` and the copy of the demo).
pub fn session_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("sessions")];
    if let Some(data) = config::data_dir() {
        dirs.push(data.join("sessions"));
        dirs.push(data.join("demo"));
    }
    dirs
}

/// A session file found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionEntry {
    pub path: PathBuf,
    pub title: String,
    /// `None` when the file did not load.
    pub updated: Option<Timestamp>,
    pub phase: Phase,
    pub threats: usize,
    /// Every diagnostic from loading the file: warnings for one that loaded,
    /// the errors (and any warnings) for one that did not.
    pub problems: Vec<Diagnostic>,
}

impl SessionEntry {
    /// Whether the file cannot be opened as it is.
    pub fn is_broken(&self) -> bool {
        self.problems.iter().any(Diagnostic::is_error)
    }

    /// How many of the problems are errors.
    pub fn error_count(&self) -> usize {
        self.problems.iter().filter(|d| d.is_error()).count()
    }
}

/// Every `*.toml` in `dirs`, loaded and validated against `catalogs`,
/// newest `updated` first, then by path. Files that are not valid sessions
/// are listed with their problems, not hidden. A missing or unreadable
/// directory is skipped; a file reached twice (a directory listed twice, a
/// symbolic link) is listed once, under the first path found. Never writes.
pub fn scan(dirs: &[PathBuf], catalogs: &Catalogs) -> Vec<SessionEntry> {
    let mut seen = HashSet::new();
    let mut entries: Vec<SessionEntry> = dirs
        .iter()
        // One directory at a time, so one that cannot be read does not hide
        // the sessions in the others.
        .flat_map(|dir| toml_files_in(std::slice::from_ref(dir)).unwrap_or_default())
        .filter(|path| seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())))
        .map(|path| entry(path, catalogs))
        .collect();
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.path.cmp(&b.path)));
    entries
}

fn entry(path: PathBuf, catalogs: &Catalogs) -> SessionEntry {
    match store::load(&path, catalogs) {
        Ok(loaded) => SessionEntry {
            title: loaded.session.title,
            updated: Some(loaded.session.updated),
            phase: loaded.session.phase,
            threats: loaded.session.threats.len(),
            problems: loaded.warnings,
            path,
        },
        Err(error) => {
            let problems = match error {
                LoadError::Invalid(diagnostics) => diagnostics,
                // Unreadable: no line to point at, so the whole file.
                LoadError::Io { error, .. } => vec![Diagnostic {
                    severity: Severity::Error,
                    file: path.clone(),
                    line: 1,
                    column: 1,
                    field: String::new(),
                    message: format!("cannot read the file: {error}"),
                }],
            };
            SessionEntry {
                title: headline_title(&path).unwrap_or_else(|| file_stem(&path)),
                updated: None,
                phase: Phase::default(),
                threats: 0,
                problems,
                path,
            }
        }
    }
}

/// The `title` of a file that is TOML but not a valid session, so a
/// session broken by, say, an unknown kind is still listed by its name.
fn headline_title(path: &Path) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Headline {
        title: String,
    }
    let text = super::files::read_text(path).ok()?;
    let headline: Headline = toml::from_str(&text).ok()?;
    Some(headline.title).filter(|t| !t.trim().is_empty())
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn catalogs() -> Catalogs {
        Catalogs::builtin().unwrap()
    }

    #[test]
    fn scan_lists_sessions_newest_first_and_flags_broken_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("demo.toml"), crate::DEMO_SESSION).unwrap();
        fs::write(
            dir.path().join("new.toml"),
            "schema = 1\ntitle = \"Newer\"\nupdated = \"2027-01-01T00:00:00Z\"\ncreated = \"2027-01-01T00:00:00Z\"\n",
        )
        .unwrap();
        fs::write(dir.path().join("broken.toml"), "title = ").unwrap();
        let entries = scan(&[dir.path().to_path_buf()], &catalogs());
        let titles: Vec<&str> = entries.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(titles, ["Newer", "LeeJames HR payslips", "broken"]);
        assert_eq!(entries[1].threats, 12);
        assert_eq!(entries[1].phase, Phase::Review);
        assert!(!entries[1].is_broken());
        assert!(entries[2].is_broken());
        assert_eq!(entries[2].error_count(), 1);
        assert_eq!(entries[2].problems[0].file, dir.path().join("broken.toml"));
    }

    #[test]
    fn invalid_sessions_keep_their_title_and_every_diagnostic() {
        let dir = tempfile::tempdir().unwrap();
        let text = crate::DEMO_SESSION
            .replace("kind = \"aws.lambda\"", "kind = \"aws.lamda\"")
            .replace("facilitator = \"P1\"", "facilitator = \"P9\"");
        assert_ne!(text, crate::DEMO_SESSION);
        let path = dir.path().join("typo.toml");
        fs::write(&path, &text).unwrap();
        let before = fs::read(&path).unwrap();
        let entries = scan(&[dir.path().to_path_buf()], &catalogs());
        assert_eq!(entries.len(), 1);
        let e = &entries[0];
        assert_eq!(e.title, "LeeJames HR payslips");
        assert!(e.is_broken());
        let messages: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("did you mean `aws.lambda`?")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("participant P9 does not exist")),
            "{messages:?}"
        );
        assert!(e.error_count() >= 2, "{messages:?}");
        assert_eq!(fs::read(&path).unwrap(), before, "scan never writes");
    }

    #[test]
    fn a_file_reached_twice_is_listed_once_and_missing_dirs_are_fine() {
        let dir = tempfile::tempdir().unwrap();
        let sessions = dir.path().join("sessions");
        fs::create_dir(&sessions).unwrap();
        fs::write(sessions.join("a.toml"), crate::DEMO_SESSION).unwrap();
        let mut dirs = vec![
            dir.path().join("missing"),
            sessions.clone(),
            sessions.join("."),
        ];
        #[cfg(unix)]
        {
            let linked = dir.path().join("linked");
            fs::create_dir(&linked).unwrap();
            std::os::unix::fs::symlink(sessions.join("a.toml"), linked.join("b.toml")).unwrap();
            std::os::unix::fs::symlink(&sessions, dir.path().join("alias")).unwrap();
            dirs.push(linked);
            dirs.push(dir.path().join("alias"));
        }
        let entries = scan(&dirs, &catalogs());
        let paths: Vec<&Path> = entries.iter().map(|e| e.path.as_path()).collect();
        assert_eq!(paths, [sessions.join("a.toml")]);
        assert!(scan(&[dir.path().join("missing")], &catalogs()).is_empty());
        assert!(scan(&[], &catalogs()).is_empty());
    }

    #[test]
    fn non_sessions_are_listed_by_file_name() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("binary.toml"), b"title = \"\xff\"").unwrap();
        fs::write(dir.path().join("other.toml"), "name = \"not a session\"\n").unwrap();
        fs::write(dir.path().join("notes.txt"), "not toml").unwrap();
        let entries = scan(&[dir.path().to_path_buf()], &catalogs());
        let titles: Vec<&str> = entries.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(titles, ["binary", "other"]);
        assert!(entries.iter().all(SessionEntry::is_broken));
    }

    #[test]
    fn session_dirs_start_with_the_working_directory() {
        assert_eq!(session_dirs()[0], PathBuf::from("sessions"));
    }
}
