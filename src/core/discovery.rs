//! STUB, replaced by the core-fixes branch's module on merge.

use std::path::PathBuf;

use super::catalog::Catalogs;
use super::diag::Diagnostic;
use super::model::Phase;
use super::time::Timestamp;

#[derive(Debug, Clone, PartialEq)]
pub struct SessionEntry {
    pub path: PathBuf,
    pub title: String,
    pub updated: Option<Timestamp>,
    pub phase: Phase,
    pub threats: usize,
    pub problems: Vec<Diagnostic>,
}

impl SessionEntry {
    pub fn is_broken(&self) -> bool {
        self.problems.iter().any(Diagnostic::is_error)
    }
}

pub fn session_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("sessions")];
    if let Some(data) = super::config::data_dir() {
        dirs.push(data.join("sessions"));
        dirs.push(data.join("demo"));
    }
    dirs
}

pub fn scan(dirs: &[PathBuf], catalogs: &Catalogs) -> Vec<SessionEntry> {
    let paths = super::catalog::toml_files_in(dirs).unwrap_or_default();
    let mut out: Vec<SessionEntry> = paths
        .into_iter()
        .map(|path| match super::store::load(&path, catalogs) {
            Ok(l) => SessionEntry {
                title: l.session.title.clone(),
                updated: Some(l.session.updated),
                phase: l.session.phase,
                threats: l.session.threats.len(),
                problems: Vec::new(),
                path,
            },
            Err(e) => SessionEntry {
                title: path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                updated: None,
                phase: Phase::Setup,
                threats: 0,
                problems: e.diagnostics().to_vec(),
                path,
            },
        })
        .collect();
    out.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.path.cmp(&b.path)));
    out
}
