//! Other tools' threat-model files, read into a session and written from
//! one: AWS Threat Composer (`.tc.json`), OWASP Threat Dragon (v1 and v2
//! models) and Open Threat Model (OTM, JSON or YAML), and more to come (Microsoft's Threat
//! Modeling Tool).
//!
//! Real files are messy, so an import never fails on a value it does not
//! know: it takes what maps, keeps what a round trip needs (foreign ids,
//! tags, properties) and lists everything else as [`Unmapped`], so nothing
//! is dropped without a word. Only a file that is not valid JSON or YAML
//! (or not the format at all) is an error, with its line and column.

pub mod ids;
pub mod otm;
pub mod threat_composer;
pub mod threat_dragon;
pub mod threat_pack;

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use super::ids::{Id, IdKind};
use super::model::{Asset, Classification, Session, Template};
use super::time::Timestamp;

/// The formats `import` reads and `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    ThreatComposer,
    ThreatDragon,
    Otm,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::ThreatComposer, Format::ThreatDragon, Format::Otm];

    /// The name on the command line and the key in `[foreign_ids]`.
    pub fn key(self) -> &'static str {
        match self {
            Format::ThreatComposer => "threat-composer",
            Format::ThreatDragon => "threat-dragon",
            Format::Otm => "otm",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::ThreatComposer => "Threat Composer",
            Format::ThreatDragon => "Threat Dragon",
            Format::Otm => "Open Threat Model",
        }
    }

    pub fn parse(text: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.key() == text)
    }

    /// The usual file extension, for default output names.
    pub fn extension(self) -> &'static str {
        match self {
            Format::ThreatComposer => "tc.json",
            Format::ThreatDragon => "td.json",
            Format::Otm => "otm.json",
        }
    }
}

/// Something in the file that has no place in a session, or a value that
/// was read as something else: said, never dropped silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    /// Where in the file: `threats[3].status`.
    pub at: String,
    pub what: String,
}

impl fmt::Display for Unmapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.is_empty() {
            f.write_str(&self.what)
        } else {
            write!(f, "{}: {}", self.at, self.what)
        }
    }
}

/// An imported file as a session, with what was made of it.
#[derive(Debug)]
pub struct Imported {
    pub format: Format,
    pub session: Session,
    pub unmapped: Vec<Unmapped>,
}

impl Imported {
    /// "8 threats, 5 mitigations, ...": what the session now holds.
    pub fn summary(&self) -> String {
        let s = &self.session;
        let links: usize = s.mitigations.iter().map(|m| m.threats.len()).sum::<usize>()
            + s.assumptions
                .iter()
                .map(|a| a.threats.len() + a.mitigations.len())
                .sum::<usize>();
        let counts = [
            (s.actors.len(), "actor", "actors"),
            (s.components.len(), "component", "components"),
            (s.boundaries.len(), "trust boundary", "trust boundaries"),
            (s.flows.len(), "data flow", "data flows"),
            (s.assets.len(), "asset", "assets"),
            (s.assumptions.len(), "assumption", "assumptions"),
            (s.threats.len(), "threat", "threats"),
            (s.mitigations.len(), "mitigation", "mitigations"),
            (links, "link", "links"),
        ];
        let parts: Vec<String> = counts
            .iter()
            .filter(|(n, _, _)| *n > 0)
            .map(|(n, one, many)| super::text::plural(*n, one, many))
            .collect();
        if parts.is_empty() {
            "nothing".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// Why a file cannot be imported at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Not valid JSON (or YAML, or XML): where and why.
    #[error("{line}:{column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// Valid syntax, but not this format (or no format recognised).
    #[error("{0}")]
    NotTheFormat(String),
}

/// The format of `text`, from its shape: JSON first, then YAML (only
/// an Open Threat Model file is YAML).
pub fn detect(text: &str) -> Option<Format> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => detect_value(&value),
        Err(_) => yaml(text).ok().filter(otm::looks_like).map(|_| Format::Otm),
    }
}

fn detect_value(value: &serde_json::Value) -> Option<Format> {
    if threat_composer::looks_like(value) {
        return Some(Format::ThreatComposer);
    }
    if threat_dragon::looks_like(value) {
        return Some(Format::ThreatDragon);
    }
    if otm::looks_like(value) {
        return Some(Format::Otm);
    }
    None
}

/// Whether `text` starts like JSON (an object or a list), so a syntax
/// error is better told as JSON's than as YAML's.
fn looks_like_json(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with(['{', '['])
}

/// Reads `text` as `format` (detected when `None`). `name` is the file's
/// name, for a title when the file has none.
pub fn import(
    text: &str,
    format: Option<Format>,
    name: &str,
    now: Timestamp,
) -> Result<Imported, ImportError> {
    let format = match format {
        Some(f) => f,
        None => {
            let not_known = || {
                ImportError::NotTheFormat(
                    "not a file stridekit can import (a Threat Composer .tc.json, a \
                     Threat Dragon model, or an Open Threat Model file in JSON or YAML); \
                     say which with --from"
                        .to_string(),
                )
            };
            // A syntax error says more than "not recognised": JSON's for
            // a file that starts like JSON, YAML's for any other.
            match json(text) {
                Ok(value) if threat_pack::pack_type(&value).is_some() => {
                    return Err(ImportError::NotTheFormat(
                        "a Threat Composer threat or mitigation pack: import a threat pack \
                         as a catalog with --as-catalog (and its mitigation pack with \
                         --mitigations)"
                            .to_string(),
                    ));
                }
                Ok(value) => detect_value(&value).ok_or_else(not_known)?,
                Err(json_error) => match yaml(text) {
                    Ok(value) if otm::looks_like(&value) => {
                        return otm::import_value(&value, name, now);
                    }
                    Ok(_) if looks_like_json(text) => return Err(json_error),
                    Ok(_) => return Err(not_known()),
                    Err(_) if looks_like_json(text) => return Err(json_error),
                    Err(yaml_error) => return Err(yaml_error),
                },
            }
        }
    };
    match format {
        Format::ThreatComposer => threat_composer::import(text, name, now),
        Format::ThreatDragon => threat_dragon::import(text, name, now),
        Format::Otm => otm::import(text, name, now),
    }
}

/// A file written for another tool, with what it could not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub text: String,
    /// What the format could not take as it was (a text cut to its limit).
    pub notes: Vec<String>,
}

pub fn export(session: &Session, format: Format) -> Exported {
    match format {
        Format::ThreatComposer => threat_composer::export(session),
        Format::ThreatDragon => threat_dragon::export(session),
        Format::Otm => otm::export(session),
    }
}

/// Parses JSON, with the line and column of a syntax error.
pub fn json(text: &str) -> Result<serde_json::Value, ImportError> {
    serde_json::from_str(text).map_err(|e| ImportError::Syntax {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// Most events YAML may replay through aliases (or record for anchors),
/// all together, and most times one anchor may be replayed: a real
/// threat model uses a few aliases, a "billion laughs" file needs
/// millions of replays.
const YAML_MAX_REPLAYED_EVENTS: usize = 100_000;
const YAML_MAX_RECORDED_EVENTS: usize = 10_000;
const YAML_MAX_EXPANSIONS_PER_ANCHOR: usize = 1_000;
/// Deepest nesting of YAML lists and maps: OTM needs about eight levels.
const YAML_MAX_DEPTH: usize = 64;

/// Parses YAML (one document) into a JSON value, with the line and column
/// of a syntax error. Budgets refuse YAML bombs before they expand: at
/// most [`YAML_MAX_REPLAYED_EVENTS`] events replayed through aliases,
/// [`YAML_MAX_DEPTH`] levels of nesting, and serde-saphyr's own limits on
/// events, nodes and scalar bytes. Booleans are YAML 1.2's (`true`,
/// `false`): a component named `no` stays a name.
pub fn yaml(text: &str) -> Result<serde_json::Value, ImportError> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = YAML_MAX_DEPTH;
    // Events copied to record what an anchor holds (aliases inside it
    // included): a bomb's anchors hold millions.
    budget.max_recorded_anchor_events = YAML_MAX_RECORDED_EVENTS;
    budget.max_recorded_anchor_bytes = 16 * 1024 * 1024;
    let mut aliases = serde_saphyr::options::AliasLimits::default();
    aliases.max_total_replayed_events = YAML_MAX_REPLAYED_EVENTS;
    aliases.max_alias_expansions_per_anchor = YAML_MAX_EXPANSIONS_PER_ANCHOR;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.alias_limits = aliases;
    options.strict_booleans = true;
    options.with_snippet = false;
    serde_saphyr::from_str_with_options::<serde_json::Value>(text, options).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| {
            (
                usize::try_from(l.line()).unwrap_or(usize::MAX).max(1),
                usize::try_from(l.column()).unwrap_or(usize::MAX).max(1),
            )
        });
        ImportError::Syntax {
            line,
            column,
            message: e.without_snippet().to_string(),
        }
    })
}

/// Builds the session an importer fills: ids issued in order (a foreign
/// number kept when it is free), foreign ids recorded, assets made once per
/// name, and the list of what did not map.
pub struct Builder {
    pub session: Session,
    pub unmapped: Vec<Unmapped>,
    format: Format,
    assets_by_name: HashMap<String, Id>,
}

impl Builder {
    pub fn new(format: Format, title: &str, now: Timestamp) -> Builder {
        let mut session = Session::new(title, Template::Workshop, now);
        // An imported model is past scoping: it opens on its threats.
        session.phase = super::model::Phase::Brainstorm;
        Builder {
            session,
            unmapped: Vec::new(),
            format,
            assets_by_name: HashMap::new(),
        }
    }

    /// Says that `what` at `at` has no place here (or was read as
    /// something else).
    pub fn unmapped(&mut self, at: impl Into<String>, what: impl Into<String>) {
        self.unmapped.push(Unmapped {
            at: at.into(),
            what: what.into(),
        });
    }

    /// A new id of `kind`: number `wanted` if it is free (a stridekit
    /// export read back keeps its ids), the next free one otherwise.
    pub fn id(&mut self, kind: IdKind, wanted: Option<u64>) -> Option<Id> {
        if let Some(n) = wanted
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0)
        {
            let id = Id::new(kind, n);
            if !self.session.all_ids().any(|i| i == id) {
                let last = self
                    .session
                    .last_ids
                    .entry(kind.prefix().to_string())
                    .or_insert(0);
                *last = (*last).max(n);
                return Some(id);
            }
        }
        self.session.next_id(kind)
    }

    /// Records that the file called `id` `foreign`.
    pub fn foreign(&mut self, id: Id, foreign: &str) {
        if foreign.is_empty() {
            return;
        }
        self.session
            .foreign_ids
            .entry(self.format.key().to_string())
            .or_default()
            .insert(id, foreign.to_string());
    }

    /// The asset named `name`, made on first use.
    pub fn asset(&mut self, name: &str) -> Option<Id> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        let key = name.to_lowercase();
        if let Some(id) = self.assets_by_name.get(&key) {
            return Some(*id);
        }
        let id = self.session.next_id(IdKind::Asset)?;
        self.session.assets.push(Asset {
            id,
            name: name.to_string(),
            // Unknown: the team's own judgement comes in Scope.
            classification: Classification::Confidential,
            description: String::new(),
        });
        self.assets_by_name.insert(key, id);
        Some(id)
    }

    pub fn finish(self, format: Format) -> Imported {
        Imported {
            format,
            session: self.session,
            unmapped: self.unmapped,
        }
    }
}

/// The ids of `session` another tool knows for `format`, by our id.
pub fn foreign_ids(session: &Session, format: Format) -> BTreeMap<Id, String> {
    session
        .foreign_ids
        .get(format.key())
        .cloned()
        .unwrap_or_default()
}

/// `text` cut to `max` characters, noting it in `notes` when cut.
pub fn at_most(text: &str, max: usize, what: &str, notes: &mut Vec<String>) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    notes.push(format!(
        "{what}: cut to {max} characters, the format's limit"
    ));
    text.chars().take(max).collect()
}
