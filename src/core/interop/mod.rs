//! Other tools' threat-model files, read into a session and written from
//! one: AWS Threat Composer (`.tc.json`), OWASP Threat Dragon (v1 and v2
//! models) and Open Threat Model (OTM, JSON or YAML); Microsoft's Threat
//! Modeling Tool (`.tm7`, XML) is read only.
//!
//! Real files are messy, so an import never fails on a value it does not
//! know: it takes what maps, keeps what a round trip needs (foreign ids,
//! tags, properties) and lists everything else as [`Unmapped`], so nothing
//! is dropped without a word. Only a file that is not valid JSON, YAML or
//! XML (or not the format at all) is an error, with its line and column.

pub mod ids;
pub mod otm;
pub mod threat_composer;
pub mod threat_dragon;
pub mod threat_pack;
pub mod tmt;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use super::ids::{Id, IdKind};
use super::model::{
    Asset, Classification, Mitigation, MitigationStatus, Session, Template, Threat, ThreatStatus,
};
use super::time::Timestamp;

/// The formats `import` reads; `export` writes those that
/// [`Format::writes`] (not the Threat Modeling Tool's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    ThreatComposer,
    ThreatDragon,
    Otm,
    /// Microsoft Threat Modeling Tool (`.tm7`): import only.
    Tmt,
}

impl Format {
    pub const ALL: [Format; 4] = [
        Format::ThreatComposer,
        Format::ThreatDragon,
        Format::Otm,
        Format::Tmt,
    ];

    /// Whether `export` writes this format (every one but the Threat
    /// Modeling Tool's, which is read only; `core::export::Format::ALL`
    /// lists only these).
    pub fn writes(self) -> bool {
        !matches!(self, Format::Tmt)
    }

    /// The name on the command line and the key in `[foreign_ids]`.
    pub fn key(self) -> &'static str {
        match self {
            Format::ThreatComposer => "threat-composer",
            Format::ThreatDragon => "threat-dragon",
            Format::Otm => "otm",
            Format::Tmt => "tmt",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::ThreatComposer => "Threat Composer",
            Format::ThreatDragon => "Threat Dragon",
            Format::Otm => "Open Threat Model",
            Format::Tmt => "Threat Modeling Tool",
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
            Format::Tmt => "tm7",
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

/// The format of `text`, from its shape: XML (a Threat Modeling Tool
/// model) when it starts with `<`, else JSON, then YAML (only an Open
/// Threat Model file is YAML).
pub fn detect(text: &str) -> Option<Format> {
    if tmt::starts_like_xml(text) {
        return tmt::parse(text)
            .ok()
            .filter(tmt::looks_like)
            .map(|_| Format::Tmt);
    }
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
                     Threat Dragon model, an Open Threat Model file in JSON or YAML, or a \
                     Threat Modeling Tool .tm7); say which with --from"
                        .to_string(),
                )
            };
            // XML is a Threat Modeling Tool model or nothing known: its
            // own syntax error, or "not recognised".
            if tmt::starts_like_xml(text) {
                let doc = tmt::parse(text)?;
                if !tmt::looks_like(&doc) {
                    return Err(not_known());
                }
                return tmt::import_doc(&doc, name, now);
            }
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
        Format::Tmt => tmt::import(text, name, now),
    }
}

/// A file written for another tool, with what it could not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub text: String,
    /// What the format could not take as it was (a text cut to its limit).
    pub notes: Vec<String>,
}

/// `session` as a file of `format`. A format stridekit does not write
/// (see [`Format::writes`]) gives no text and a note saying so: no menu
/// or command offers one.
pub fn export(session: &Session, format: Format) -> Exported {
    match format {
        Format::ThreatComposer => threat_composer::export(session),
        Format::ThreatDragon => threat_dragon::export(session),
        Format::Otm => otm::export(session),
        Format::Tmt => Exported {
            text: String::new(),
            notes: vec![format!(
                "stridekit reads {} files but does not write them; nothing was written",
                format.name()
            )],
        },
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

    /// Adds threats read from a file in the file's order. Those whose
    /// number is free keep it (each number once); the others get the next
    /// free ids after them, so a repeated number cannot take a later
    /// threat's. A number that cannot be kept is reported at
    /// `<at>.<number_key>`. A threat's mitigation text becomes a mitigation
    /// of it: done when the threat is mitigated, else proposed.
    pub fn add_threats(&mut self, read: Vec<PendingThreat>, number_key: &str) {
        let mut taken: HashSet<u64> = HashSet::new();
        let (numbered, mut rest): (Vec<PendingThreat>, Vec<PendingThreat>) =
            read.into_iter().partition(|t| {
                t.wanted
                    .is_some_and(|n| u32::try_from(n).is_ok() && taken.insert(n))
            });
        rest.sort_by_key(|t| t.order);
        let mut done: Vec<(usize, Option<String>)> = Vec::new();
        for mut t in numbered.into_iter().chain(rest) {
            let Some(id) = self.id(IdKind::Threat, t.wanted) else {
                self.unmapped(t.at, "no id left to give it; skipped");
                continue;
            };
            if let Some(n) = t.wanted
                && u64::from(id.number) != n
            {
                self.unmapped(
                    format!("{}.{number_key}", t.at),
                    format!(
                        "{} {n} cannot be kept (taken, or too large); the threat is {id}",
                        number_key.to_lowercase()
                    ),
                );
            }
            t.threat.id = id;
            self.foreign(id, &t.foreign);
            // In the session at once, so its id counts as taken.
            self.session.threats.push(Arc::new(t.threat));
            done.push((t.order, t.mitigation));
        }
        // Back in the file's order.
        let mut done: Vec<(usize, Arc<Threat>, Option<String>)> = done
            .into_iter()
            .zip(std::mem::take(&mut self.session.threats))
            .map(|((o, m), t)| (o, t, m))
            .collect();
        done.sort_by_key(|(o, _, _)| *o);
        for (_, threat, mitigation) in done {
            let id = threat.id;
            let done_status = threat.status == ThreatStatus::Mitigated;
            self.session.threats.push(threat);
            let Some(text) = mitigation else {
                continue;
            };
            let Some(mid) = self.id(IdKind::Mitigation, None) else {
                self.unmapped(format!("{id}"), "no id left for its mitigation; not kept");
                continue;
            };
            self.session.mitigations.push(Mitigation {
                id: mid,
                threats: vec![id],
                text,
                catalog: None,
                owner: String::new(),
                status: if done_status {
                    MitigationStatus::Done
                } else {
                    MitigationStatus::Proposed
                },
                notes: String::new(),
                tags: Vec::new(),
                properties: BTreeMap::new(),
            });
        }
    }

    pub fn finish(mut self, format: Format) -> Imported {
        // Threats with nothing to walk (Threat Composer has no diagram):
        // the model opens on its plan rather than on an empty walk.
        let s = &self.session;
        if s.actors.is_empty()
            && s.components.is_empty()
            && s.flows.is_empty()
            && !s.threats.is_empty()
        {
            self.session.phase = super::model::Phase::Plan;
        }
        Imported {
            format,
            session: self.session,
            unmapped: self.unmapped,
        }
    }
}

/// A threat as read from a file, before its id is given
/// ([`Builder::add_threats`]).
pub struct PendingThreat {
    /// Its place among the file's threats.
    pub order: usize,
    pub threat: Threat,
    /// The file's mitigation text for it, if any.
    pub mitigation: Option<String>,
    /// The number the file gave it.
    pub wanted: Option<u64>,
    pub foreign: String,
    /// Where in the file, for the report.
    pub at: String,
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
