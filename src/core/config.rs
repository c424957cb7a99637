//! Where user files live, and the optional user config file.
//!
//! The config directory (`~/.config/stridekit` on Linux, or
//! `$STRIDEKIT_CONFIG_DIR`) may hold `config.toml`, `catalogs/*.toml` and
//! `themes/*.toml`. Files in `./catalogs` and `./themes` of the working
//! directory come after it and win.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::diag::{FieldPath, SourceText};
use super::export::jira::check_settings;
use super::files::{self, LoadError};
use super::model::JiraSettings;

/// The user's config directory, if one can be determined.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("STRIDEKIT_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "stridekit").map(|d| d.config_dir().to_path_buf())
}

/// The user's data directory (sessions not kept in a repository).
pub fn data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("STRIDEKIT_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "stridekit").map(|d| d.data_dir().to_path_buf())
}

/// Directories searched for `sub` (`catalogs` or `themes`), lowest priority first.
pub fn search_dirs(sub: &str) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(config) = config_dir() {
        dirs.push(config.join(sub));
    }
    dirs.push(PathBuf::from(sub));
    dirs
}

/// `config.toml`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Jira export defaults; a session's own `[jira]` table wins field by field.
    #[serde(default)]
    pub jira: JiraSettings,
    #[serde(default)]
    pub tui: TuiSettings,
}

/// `[tui]` in `config.toml`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TuiSettings {
    /// Ring the terminal bell when a phase's time is up (default true).
    pub bell: Option<bool>,
    /// The theme to start with when neither `--theme` nor the session names one.
    pub theme: Option<String>,
}

impl Config {
    /// Reads `config.toml` from the config directory; a missing file is an
    /// empty config, a broken one an error naming the line and field.
    pub fn load() -> Result<Config, LoadError> {
        match config_dir() {
            Some(dir) => Config::load_from(&dir.join("config.toml")),
            None => Ok(Config::default()),
        }
    }

    pub fn load_from(path: &Path) -> Result<Config, LoadError> {
        // Only a regular file (or a link to one) is a config: opening a
        // FIFO of that name would wait forever for a writer.
        if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            return Ok(Config::default());
        }
        let text = files::read_text(path)?;
        let config: Config = files::parse_toml(path, &text)?;
        let issues = check_settings(&config.jira, &FieldPath::from("jira"));
        let diagnostics = SourceText { path, text: &text }.place(&issues);
        if diagnostics.iter().any(|d| d.is_error()) {
            return Err(LoadError::Invalid(diagnostics));
        }
        Ok(config)
    }
}
