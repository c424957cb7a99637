//! AWS Threat Composer's exchange format (`.tc.json`, schema 1): threats
//! in its grammar with STRIDE and priority metadata, mitigations and
//! assumptions with the links between them, and the application's
//! descriptions. The mapping both ways is in the README ("Other tools'
//! files").

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::ids::uuid_for;
use super::{Builder, Exported, Format, ImportError, Imported, at_most, foreign_ids};
use crate::core::ids::{Id, IdKind};
use crate::core::model::{
    Assumption, Mitigation, MitigationStatus, Priority, Session, Statement, Threat, ThreatStatus,
};
use crate::core::stride::Category;
use crate::core::time::Timestamp;

/// Keys of a `.tc.json` file; anything else is reported.
const TOP_KEYS: [&str; 9] = [
    "schema",
    "applicationInfo",
    "architecture",
    "dataflow",
    "assumptions",
    "mitigations",
    "assumptionLinks",
    "mitigationLinks",
    "threats",
];

/// Our status when a Threat Composer status cannot say it exactly, kept
/// in a custom metadata entry so a round trip restores it.
const STATUS_KEY: &str = "custom:stridekit-status";

/// Whether `value` looks like a Threat Composer file.
pub fn looks_like(value: &Value) -> bool {
    let Some(top) = value.as_object() else {
        return false;
    };
    top.contains_key("schema")
        && (top.contains_key("threats")
            || top.contains_key("applicationInfo")
            || top.contains_key("mitigations"))
        && top
            .keys()
            .all(|k| TOP_KEYS.contains(&k.as_str()) || k == "brainstorm")
}

/// A string field as it is (a round trip gives it back to the letter).
pub(super) fn text(v: Option<&Value>) -> String {
    v.and_then(Value::as_str).unwrap_or("").to_string()
}

pub(super) fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn stride(letter: &str) -> Option<Category> {
    Category::ALL
        .into_iter()
        .find(|c| c.letter().to_string() == letter.trim().to_uppercase())
}

/// A category for a threat with no STRIDE metadata, from the goal it harms.
pub(super) fn category_from_goals(goals: &[String]) -> Category {
    let has = |g: &str| goals.iter().any(|x| x.to_lowercase().contains(g));
    if has("confidential") {
        Category::InformationDisclosure
    } else if has("availab") {
        Category::DenialOfService
    } else {
        Category::Tampering
    }
}

fn threat_status(key: &str) -> Option<ThreatStatus> {
    Some(match key {
        "threatIdentified" => ThreatStatus::Open,
        "threatResolved" => ThreatStatus::Mitigated,
        "threatResolvedNotUseful" => ThreatStatus::NotApplicable,
        _ => return None,
    })
}

fn mitigation_status(key: &str) -> Option<MitigationStatus> {
    Some(match key {
        "mitigationIdentified" => MitigationStatus::Proposed,
        "mitigationInProgress" => MitigationStatus::InProgress,
        "mitigationResolved" => MitigationStatus::Done,
        "mitigationResolvedWillNotAction" => MitigationStatus::Rejected,
        _ => return None,
    })
}

fn priority(key: &str) -> Option<Priority> {
    match key.trim().to_lowercase().as_str() {
        "high" => Some(Priority::High),
        "medium" => Some(Priority::Medium),
        "low" => Some(Priority::Low),
        _ => None,
    }
}

/// A metadata value as text: a string as it is, a list as JSON.
pub(super) fn meta_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What an item's metadata list holds.
#[derive(Default)]
struct Meta {
    comments: String,
    stride: Vec<Category>,
    priority: Option<Priority>,
    status: Option<String>,
    /// `custom:*` and pack references, kept as they are.
    properties: BTreeMap<String, String>,
}

fn metadata(b: &mut Builder, at: &str, item: &Map<String, Value>) -> Meta {
    let mut meta = Meta::default();
    let Some(list) = item.get("metadata") else {
        return meta;
    };
    let Some(list) = list.as_array() else {
        b.unmapped(format!("{at}.metadata"), "not a list; ignored");
        return meta;
    };
    for (i, entry) in list.iter().enumerate() {
        let here = format!("{at}.metadata[{i}]");
        let key = text(entry.get("key")).trim().to_string();
        let Some(value) = entry.get("value") else {
            b.unmapped(here, "an entry without a value");
            continue;
        };
        match key.as_str() {
            "Comments" => meta.comments = meta_text(value),
            "STRIDE" => {
                for letter in strings(Some(value)).iter().chain(
                    // One letter as a string, not a list: read it too.
                    value.as_str().map(|s| s.to_string()).iter(),
                ) {
                    match stride(letter) {
                        Some(c) if !meta.stride.contains(&c) => meta.stride.push(c),
                        Some(_) => {}
                        None => b.unmapped(&here, format!("unknown STRIDE letter `{letter}`")),
                    }
                }
            }
            "Priority" => match priority(&meta_text(value)) {
                Some(p) => meta.priority = Some(p),
                None => b.unmapped(
                    here,
                    format!("unknown priority `{}`; left unset", meta_text(value)),
                ),
            },
            STATUS_KEY => meta.status = Some(meta_text(value)),
            "" => b.unmapped(here, "an entry without a key"),
            other => {
                meta.properties.insert(other.to_string(), meta_text(value));
            }
        }
    }
    meta
}

/// The numericId of an item, when it is a whole positive number.
pub(super) fn numeric_id(item: &Map<String, Value>) -> Option<u64> {
    item.get("numericId").and_then(|v| {
        v.as_u64().or_else(|| {
            v.as_f64()
                .filter(|f| f.fract() == 0.0 && *f > 0.0)
                .map(|f| f as u64)
        })
    })
}

/// Keys of an item the importer reads; the rest is reported.
fn report_extra(b: &mut Builder, at: &str, item: &Map<String, Value>, known: &[&str]) {
    for key in item.keys() {
        if !known.contains(&key.as_str()) {
            b.unmapped(
                format!("{at}.{key}"),
                "not a Threat Composer field stridekit keeps",
            );
        }
    }
}

fn items<'v>(
    b: &mut Builder,
    top: &'v Map<String, Value>,
    key: &str,
) -> Vec<&'v Map<String, Value>> {
    match top.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let item = v.as_object();
                if item.is_none() {
                    b.unmapped(format!("{key}[{i}]"), "not an object; skipped");
                }
                item
            })
            .collect(),
        Some(_) => {
            b.unmapped(key, "not a list; skipped");
            Vec::new()
        }
    }
}

pub fn import(text_in: &str, name: &str, now: Timestamp) -> Result<Imported, ImportError> {
    let value = super::json(text_in)?;
    let Some(top) = value.as_object() else {
        return Err(ImportError::NotTheFormat(
            "a Threat Composer file is a JSON object".to_string(),
        ));
    };
    if !top.contains_key("schema") {
        return Err(ImportError::NotTheFormat(
            "not a Threat Composer file: no `schema` key".to_string(),
        ));
    }
    let info = top.get("applicationInfo").and_then(Value::as_object);
    let title = match info.map(|i| text(i.get("name"))) {
        Some(t) if !t.trim().is_empty() => t,
        _ => name.to_string(),
    };
    let mut b = Builder::new(Format::ThreatComposer, &title, now);
    // To the letter, trailing space and all: it is exported back as it is.
    b.session.title = title;
    match top.get("schema").and_then(Value::as_f64) {
        Some(1.0) => {}
        _ => b.unmapped(
            "schema",
            format!(
                "schema {} is not the version 1 stridekit knows; read as version 1",
                top.get("schema").map(Value::to_string).unwrap_or_default()
            ),
        ),
    }
    for key in top.keys() {
        if !TOP_KEYS.contains(&key.as_str()) {
            let what = if key == "brainstorm" {
                "the brainstorm board's notes are not imported"
            } else {
                "not a Threat Composer section stridekit knows"
            };
            b.unmapped(key.as_str(), what);
        }
    }
    if let Some(info) = info {
        b.session.description = text(info.get("description"));
        report_extra(&mut b, "applicationInfo", info, &["name", "description"]);
    }
    for (key, slot) in [("architecture", 0), ("dataflow", 1)] {
        let Some(part) = top.get(key).and_then(Value::as_object) else {
            continue;
        };
        let description = text(part.get("description"));
        if slot == 0 {
            b.session.architecture = description;
        } else {
            b.session.dataflow = description;
        }
        if part
            .get("image")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
        {
            b.unmapped(format!("{key}.image"), "the diagram image is not kept");
        }
        report_extra(&mut b, key, part, &["description", "image"]);
    }

    let mut by_uuid: HashMap<String, Id> = HashMap::new();
    import_threats(&mut b, top, &mut by_uuid, now);
    import_mitigations(&mut b, top, &mut by_uuid);
    import_assumptions(&mut b, top, &mut by_uuid);
    import_links(&mut b, top, &by_uuid);
    Ok(b.finish(Format::ThreatComposer))
}

fn remember(b: &mut Builder, by_uuid: &mut HashMap<String, Id>, at: &str, uuid: &str, id: Id) {
    if uuid.is_empty() {
        b.unmapped(format!("{at}.id"), "no id: links to it cannot be followed");
        return;
    }
    if by_uuid.insert(uuid.to_string(), id).is_some() {
        b.unmapped(
            format!("{at}.id"),
            format!("id {uuid} is used twice; links go to the last"),
        );
    }
    b.foreign(id, uuid);
}

fn import_threats(
    b: &mut Builder,
    top: &Map<String, Value>,
    by_uuid: &mut HashMap<String, Id>,
    now: Timestamp,
) {
    for (i, t) in items(b, top, "threats").into_iter().enumerate() {
        let at = format!("threats[{i}]");
        let Some(id) = b.id(IdKind::Threat, numeric_id(t)) else {
            b.unmapped(at, "no id left to give it; skipped");
            continue;
        };
        remember(b, by_uuid, &at, &text(t.get("id")), id);
        let meta = metadata(b, &at, t);
        let goals = strings(t.get("impactedGoal"));
        let assets = strings(t.get("impactedAssets"))
            .iter()
            .filter_map(|name| b.asset(name))
            .collect();
        let statement = Statement {
            source: text(t.get("threatSource")),
            prerequisites: text(t.get("prerequisites")),
            action: text(t.get("threatAction")),
            impact: text(t.get("threatImpact")),
            assets,
            goals,
        };
        let mut categories = meta.stride.clone();
        if categories.is_empty() {
            let guess = category_from_goals(&statement.goals);
            b.unmapped(
                format!("{at}.metadata"),
                format!("no STRIDE category; set to {}", guess.name()),
            );
            categories.push(guess);
        }
        let status_key = text(t.get("status")).trim().to_string();
        let mut status = match status_key.as_str() {
            "" => ThreatStatus::Open,
            key => threat_status(key).unwrap_or_else(|| {
                b.unmapped(
                    format!("{at}.status"),
                    format!("unknown status `{key}`; read as open"),
                );
                ThreatStatus::Open
            }),
        };
        let mut status_reason = String::new();
        if let Some(ours) = &meta.status {
            // Written by a stridekit export: the exact status and its reason.
            let (key, reason) = ours.split_once(": ").unwrap_or((ours.as_str(), ""));
            if let Some(s) = ThreatStatus::ALL.into_iter().find(|s| s.key() == key) {
                status = s;
                status_reason = reason.to_string();
            }
        }
        let mut title = text(t.get("statement"));
        if title.trim().is_empty() && !(statement.source.is_empty() && statement.action.is_empty())
        {
            title = tc_statement(&statement, &strings(t.get("impactedAssets")));
        }
        if title.trim().is_empty() {
            title = format!("Threat {id}");
            b.unmapped(&at, "no statement and no grammar fields; titled by its id");
        }
        let mut properties = meta.properties;
        for key in ["customTemplate", "displayOrder"] {
            if let Some(v) = t.get(key) {
                properties.insert(key.to_string(), meta_text(v));
            }
        }
        report_extra(
            b,
            &at,
            t,
            &[
                "id",
                "numericId",
                "displayOrder",
                "metadata",
                "tags",
                "threatSource",
                "prerequisites",
                "threatAction",
                "threatImpact",
                "impactedGoal",
                "impactedAssets",
                "statement",
                "customTemplate",
                "status",
            ],
        );
        b.session.threats.push(Arc::new(Threat {
            id,
            title,
            category: categories[0],
            target: None,
            author: None,
            status,
            status_reason,
            likelihood: None,
            impact: None,
            catalog: None,
            notes: meta.comments,
            created: now,
            statement,
            also: categories[1..].to_vec(),
            priority: meta.priority,
            tags: strings(t.get("tags")),
            properties,
        }));
    }
}

fn import_mitigations(
    b: &mut Builder,
    top: &Map<String, Value>,
    by_uuid: &mut HashMap<String, Id>,
) {
    for (i, m) in items(b, top, "mitigations").into_iter().enumerate() {
        let at = format!("mitigations[{i}]");
        let Some(id) = b.id(IdKind::Mitigation, numeric_id(m)) else {
            b.unmapped(at, "no id left to give it; skipped");
            continue;
        };
        remember(b, by_uuid, &at, &text(m.get("id")), id);
        let meta = metadata(b, &at, m);
        let status_key = text(m.get("status")).trim().to_string();
        let mut status = match status_key.as_str() {
            "" => MitigationStatus::Proposed,
            key => mitigation_status(key).unwrap_or_else(|| {
                b.unmapped(
                    format!("{at}.status"),
                    format!("unknown status `{key}`; read as proposed"),
                );
                MitigationStatus::Proposed
            }),
        };
        if let Some(s) = meta
            .status
            .as_deref()
            .and_then(|k| MitigationStatus::ALL.into_iter().find(|s| s.key() == k))
        {
            status = s;
        }
        let mut properties = meta.properties;
        let owner = properties.remove("custom:owner").unwrap_or_default();
        if let Some(v) = m.get("displayOrder") {
            properties.insert("displayOrder".to_string(), meta_text(v));
        }
        let mut content = text(m.get("content"));
        if content.trim().is_empty() {
            content = format!("Mitigation {id}");
            b.unmapped(format!("{at}.content"), "empty; named by its id");
        }
        report_extra(
            b,
            &at,
            m,
            &[
                "id",
                "numericId",
                "displayOrder",
                "metadata",
                "tags",
                "content",
                "status",
            ],
        );
        b.session.mitigations.push(Mitigation {
            id,
            threats: Vec::new(),
            text: content,
            catalog: None,
            owner,
            status,
            notes: meta.comments,
            tags: strings(m.get("tags")),
            properties,
        });
    }
}

fn import_assumptions(
    b: &mut Builder,
    top: &Map<String, Value>,
    by_uuid: &mut HashMap<String, Id>,
) {
    for (i, a) in items(b, top, "assumptions").into_iter().enumerate() {
        let at = format!("assumptions[{i}]");
        let Some(id) = b.id(IdKind::Assumption, numeric_id(a)) else {
            b.unmapped(at, "no id left to give it; skipped");
            continue;
        };
        remember(b, by_uuid, &at, &text(a.get("id")), id);
        let meta = metadata(b, &at, a);
        for key in meta.properties.keys() {
            b.unmapped(
                format!("{at}.metadata"),
                format!("`{key}` is not kept on an assumption"),
            );
        }
        let mut content = text(a.get("content"));
        if content.trim().is_empty() {
            content = format!("Assumption {id}");
            b.unmapped(format!("{at}.content"), "empty; named by its id");
        }
        report_extra(
            b,
            &at,
            a,
            &[
                "id",
                "numericId",
                "displayOrder",
                "metadata",
                "tags",
                "content",
            ],
        );
        b.session.assumptions.push(Assumption {
            id,
            text: content,
            notes: meta.comments,
            tags: strings(a.get("tags")),
            threats: Vec::new(),
            mitigations: Vec::new(),
        });
    }
}

fn import_links(b: &mut Builder, top: &Map<String, Value>, by_uuid: &HashMap<String, Id>) {
    for (i, link) in items(b, top, "mitigationLinks").into_iter().enumerate() {
        let at = format!("mitigationLinks[{i}]");
        let from = by_uuid.get(&text(link.get("mitigationId"))).copied();
        let to = by_uuid.get(&text(link.get("linkedId"))).copied();
        match (from, to) {
            (Some(m), Some(t)) if m.kind == IdKind::Mitigation && t.kind == IdKind::Threat => {
                if let Some(m) = b.session.mitigations.iter_mut().find(|x| x.id == m)
                    && !m.threats.contains(&t)
                {
                    m.threats.push(t);
                }
            }
            (Some(m), Some(a)) if m.kind == IdKind::Mitigation && a.kind == IdKind::Assumption => {
                link_assumption(b, a, m);
            }
            _ => b.unmapped(at, dangling(link, "mitigationId", by_uuid)),
        }
    }
    for (i, link) in items(b, top, "assumptionLinks").into_iter().enumerate() {
        let at = format!("assumptionLinks[{i}]");
        let from = by_uuid.get(&text(link.get("assumptionId"))).copied();
        let to = by_uuid.get(&text(link.get("linkedId"))).copied();
        match (from, to) {
            (Some(a), Some(x))
                if a.kind == IdKind::Assumption
                    && matches!(x.kind, IdKind::Threat | IdKind::Mitigation) =>
            {
                link_assumption(b, a, x);
            }
            _ => b.unmapped(at, dangling(link, "assumptionId", by_uuid)),
        }
    }
}

/// Why a link was skipped: the id it names that is not in the file.
fn dangling(link: &Map<String, Value>, from: &str, by_uuid: &HashMap<String, Id>) -> String {
    for key in [from, "linkedId"] {
        let id = text(link.get(key));
        if !by_uuid.contains_key(&id) {
            return format!("links {key} `{id}`, which is not in the file; skipped");
        }
    }
    "links a mitigation to a mitigation or an assumption to an assumption; skipped".to_string()
}

fn link_assumption(b: &mut Builder, assumption: Id, to: Id) {
    let Some(a) = b
        .session
        .assumptions
        .iter_mut()
        .find(|x| x.id == assumption)
    else {
        return;
    };
    let list = if to.kind == IdKind::Threat {
        &mut a.threats
    } else {
        &mut a.mitigations
    };
    if !list.contains(&to) {
        list.push(to);
    }
}

// ---------------------------------------------------------------- export

/// Threat Composer's statement: "A/An <source> <prerequisites> can
/// <action>, which leads to <impact>, resulting in reduced <goals> of
/// <assets>", each part only when present.
fn tc_statement(s: &Statement, assets: &[String]) -> String {
    let source = if s.source.is_empty() {
        "threat source"
    } else {
        s.source.as_str()
    };
    let article = if source.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
        "An"
    } else {
        "A"
    };
    let mut out = format!("{article} {source}");
    if !s.prerequisites.is_empty() {
        out.push(' ');
        out.push_str(&s.prerequisites);
    }
    out.push_str(" can ");
    out.push_str(if s.action.is_empty() {
        "threat action"
    } else {
        &s.action
    });
    if !s.impact.is_empty() {
        out.push_str(", which leads to ");
        out.push_str(&s.impact);
    }
    if !s.goals.is_empty() || !assets.is_empty() {
        out.push_str(", resulting in reduced ");
        out.push_str(&if s.goals.is_empty() {
            "security".to_string()
        } else {
            and_list(&s.goals)
        });
        if !assets.is_empty() {
            out.push_str(" of ");
            out.push_str(&and_list(assets));
        }
    }
    out
}

/// The display order kept from an import, else the position in our list.
fn display_order(properties: &BTreeMap<String, String>, position: usize) -> Value {
    match properties
        .get("displayOrder")
        .and_then(|v| v.parse::<u64>().ok())
    {
        Some(n) => json!(n),
        None => json!(position + 1),
    }
}

/// Leaves out empty strings and lists, as Threat Composer itself does.
fn drop_empty(item: &mut Value) {
    if let Some(obj) = item.as_object_mut() {
        obj.retain(|_, v| match v {
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            _ => true,
        });
    }
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn tc_threat_status(s: ThreatStatus) -> &'static str {
    match s {
        ThreatStatus::Open | ThreatStatus::Mitigating => "threatIdentified",
        ThreatStatus::Mitigated | ThreatStatus::Accepted | ThreatStatus::Transferred => {
            "threatResolved"
        }
        ThreatStatus::NotApplicable => "threatResolvedNotUseful",
    }
}

fn tc_mitigation_status(s: MitigationStatus) -> &'static str {
    match s {
        MitigationStatus::Proposed | MitigationStatus::Planned => "mitigationIdentified",
        MitigationStatus::InProgress => "mitigationInProgress",
        MitigationStatus::Done => "mitigationResolved",
        MitigationStatus::Rejected => "mitigationResolvedWillNotAction",
    }
}

/// Tags as the schema takes them: 1 to 30 characters each.
fn tc_tags(tags: &[String], what: &str, notes: &mut Vec<String>) -> Vec<String> {
    tags.iter()
        .filter(|t| !t.trim().is_empty())
        .map(|t| at_most(t.trim(), 30, &format!("{what} tag `{t}`"), notes))
        .collect()
}

/// Custom metadata entries from kept properties (and pack references).
fn kept_metadata(properties: &BTreeMap<String, String>, allowed: &[&str]) -> Vec<Value> {
    properties
        .iter()
        .filter(|(k, _)| k.starts_with("custom:") || allowed.contains(&k.as_str()))
        .filter(|(k, _)| k.chars().count() <= 50)
        .map(|(k, v)| {
            let value = match serde_json::from_str::<Vec<String>>(v) {
                Ok(list) if k.starts_with("custom:") && v.trim_start().starts_with('[') => {
                    json!(list)
                }
                _ => json!(v),
            };
            json!({"key": k, "value": value})
        })
        .collect()
}

pub fn export(session: &Session) -> Exported {
    let mut notes = Vec::new();
    let known = foreign_ids(session, Format::ThreatComposer);
    let scope = session.created.to_string();
    let uuid = |id: Id| {
        known
            .get(&id)
            .filter(|u| super::ids::is_uuid(u))
            .cloned()
            .unwrap_or_else(|| uuid_for(&scope, &id.to_string()))
    };
    let asset_name = |id: Id| {
        session
            .assets
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.clone())
    };

    let mut threats = Vec::new();
    for (i, t) in session.threats.iter().enumerate() {
        let what = format!("threat {}", t.id);
        let assets: Vec<String> = t
            .statement
            .assets
            .iter()
            .filter_map(|a| asset_name(*a))
            .collect();
        let mut meta = Vec::new();
        if !t.notes.is_empty() {
            meta.push(json!({"key": "Comments", "value": at_most(&t.notes, 1000, &format!("{what} notes"), &mut notes)}));
        }
        let letters: Vec<String> = std::iter::once(t.category)
            .chain(t.also.iter().copied())
            .map(|c| c.letter().to_string())
            .collect();
        meta.push(json!({"key": "STRIDE", "value": letters}));
        if let Some(p) = t.priority {
            let p = match p {
                Priority::High => "High",
                Priority::Medium => "Medium",
                Priority::Low => "Low",
            };
            meta.push(json!({"key": "Priority", "value": p}));
        }
        // What the three statuses cannot say, and our reason for it.
        let exact = matches!(
            t.status,
            ThreatStatus::Mitigating | ThreatStatus::Accepted | ThreatStatus::Transferred
        ) || !t.status_reason.is_empty();
        if exact {
            let mut status = t.status.key().to_string();
            if !t.status_reason.is_empty() {
                status.push_str(": ");
                status.push_str(&t.status_reason);
            }
            meta.push(json!({"key": STATUS_KEY, "value": status}));
        }
        if let Some(target) = t.target {
            meta.push(json!({"key": "custom:stridekit-target", "value": session.describe(target)}));
        }
        if let (Some(l), Some(im)) = (t.likelihood, t.impact) {
            meta.push(json!({"key": "custom:stridekit-risk", "value": format!("likelihood {l} x impact {im}")}));
        }
        meta.extend(kept_metadata(
            &t.properties,
            &[
                "source",
                "threatPackId",
                "threatPackThreatId",
                "threatPackMitigationCandidateId",
            ],
        ));
        let s = &t.statement;
        let grammar = !s.source.is_empty() || !s.action.is_empty();
        // A threat read from Threat Composer took its statement as title,
        // maybe worded by hand: it goes back as it came.
        let statement = if grammar && !known.contains_key(&t.id) {
            tc_statement(s, &assets)
        } else {
            t.title.clone()
        };
        let mut threat = json!({
            "id": uuid(t.id),
            "numericId": t.id.number,
            "displayOrder": display_order(&t.properties, i),
            "metadata": meta,
            "tags": tc_tags(&t.tags, &what, &mut notes),
            "threatSource": at_most(&s.source, 200, &format!("{what} source"), &mut notes),
            "prerequisites": at_most(&s.prerequisites, 200, &format!("{what} prerequisites"), &mut notes),
            "threatAction": at_most(if grammar { &s.action } else { &t.title }, 200, &format!("{what} action"), &mut notes),
            "threatImpact": at_most(&s.impact, 200, &format!("{what} impact"), &mut notes),
            "impactedGoal": s.goals.iter().map(|g| at_most(g, 200, &format!("{what} goal"), &mut notes)).collect::<Vec<_>>(),
            "impactedAssets": assets.iter().map(|a| at_most(a, 200, &format!("{what} asset"), &mut notes)).collect::<Vec<_>>(),
            "statement": statement,
            "status": tc_threat_status(t.status),
        });
        drop_empty(&mut threat);
        if let (Some(obj), Some(template)) =
            (threat.as_object_mut(), t.properties.get("customTemplate"))
        {
            obj.insert(
                "customTemplate".to_string(),
                json!(at_most(
                    template,
                    200,
                    &format!("{what} template"),
                    &mut notes
                )),
            );
        }
        threats.push(threat);
    }

    let mut mitigations = Vec::new();
    let mut mitigation_links = Vec::new();
    for (i, m) in session.mitigations.iter().enumerate() {
        let what = format!("mitigation {}", m.id);
        let mut meta = Vec::new();
        if !m.notes.is_empty() {
            meta.push(json!({"key": "Comments", "value": at_most(&m.notes, 1000, &format!("{what} notes"), &mut notes)}));
        }
        if m.status == MitigationStatus::Planned {
            meta.push(json!({"key": STATUS_KEY, "value": m.status.key()}));
        }
        if !m.owner.is_empty() {
            meta.push(json!({"key": "custom:owner", "value": m.owner}));
        }
        meta.extend(kept_metadata(
            &m.properties,
            &["source", "mitigationPackId", "mitigationPackMitigationId"],
        ));
        let mut mitigation = json!({
            "id": uuid(m.id),
            "numericId": m.id.number,
            "displayOrder": display_order(&m.properties, i),
            "metadata": meta,
            "tags": tc_tags(&m.tags, &what, &mut notes),
            "content": at_most(&m.text, 1000, &format!("{what} text"), &mut notes),
            "status": tc_mitigation_status(m.status),
        });
        drop_empty(&mut mitigation);
        mitigations.push(mitigation);
        for t in &m.threats {
            mitigation_links.push(json!({"mitigationId": uuid(m.id), "linkedId": uuid(*t)}));
        }
    }

    let mut assumptions = Vec::new();
    let mut assumption_links = Vec::new();
    for (i, a) in session.assumptions.iter().enumerate() {
        let what = format!("assumption {}", a.id);
        let mut meta = Vec::new();
        if !a.notes.is_empty() {
            meta.push(json!({"key": "Comments", "value": at_most(&a.notes, 1000, &format!("{what} notes"), &mut notes)}));
        }
        let mut assumption = json!({
            "id": uuid(a.id),
            "numericId": a.id.number,
            "displayOrder": i + 1,
            "metadata": meta,
            "tags": tc_tags(&a.tags, &what, &mut notes),
            "content": at_most(&a.text, 1000, &format!("{what} text"), &mut notes),
        });
        drop_empty(&mut assumption);
        assumptions.push(assumption);
        for t in &a.threats {
            assumption_links
                .push(json!({"type": "Threat", "assumptionId": uuid(a.id), "linkedId": uuid(*t)}));
        }
        for m in &a.mitigations {
            assumption_links.push(
                json!({"type": "Mitigation", "assumptionId": uuid(a.id), "linkedId": uuid(*m)}),
            );
        }
    }

    let architecture = if session.architecture.is_empty() {
        scope_summary(session)
    } else {
        session.architecture.clone()
    };
    let doc = json!({
        "schema": 1,
        "applicationInfo": {
            "name": at_most(&session.title, 200, "the title", &mut notes),
            "description": at_most(&session.description, 100_000, "the description", &mut notes),
        },
        "architecture": {"description": at_most(&architecture, 100_000, "the architecture", &mut notes)},
        "dataflow": {"description": at_most(&session.dataflow, 100_000, "the data-flow description", &mut notes)},
        "assumptions": assumptions,
        "mitigations": mitigations,
        "assumptionLinks": assumption_links,
        "mitigationLinks": mitigation_links,
        "threats": threats,
    });
    let lost = [
        (session.components.len(), "components"),
        (session.flows.len(), "data flows"),
        (session.boundaries.len(), "trust boundaries"),
        (session.actors.len(), "actors"),
    ];
    let lost: Vec<String> = lost
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    if !lost.is_empty() {
        notes.push(format!(
            "Threat Composer has no diagram elements: {} are described in the architecture text only",
            lost.join(", ")
        ));
    }
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    Exported { text, notes }
}

/// The scope as Markdown, for the architecture description of a session
/// that has none: Threat Composer keeps no diagram elements.
fn scope_summary(s: &Session) -> String {
    use std::fmt::Write as _;
    // Threat Composer renders this as Markdown: names are escaped.
    use crate::core::export::markdown::inline;
    let mut out = String::new();
    let list = |out: &mut String, heading: &str, lines: Vec<String>| {
        if !lines.is_empty() {
            let _ = writeln!(out, "### {heading}\n");
            for line in lines {
                let _ = writeln!(out, "- {line}");
            }
            out.push('\n');
        }
    };
    list(
        &mut out,
        "Components",
        s.components
            .iter()
            .map(|c| match c.boundary.and_then(|b| s.boundary(b)) {
                Some(b) => format!(
                    "{} ({}, in {})",
                    inline(&c.name),
                    inline(&c.kind),
                    inline(&b.name)
                ),
                None => format!("{} ({})", inline(&c.name), inline(&c.kind)),
            })
            .collect(),
    );
    list(
        &mut out,
        "Actors",
        s.actors.iter().map(|a| inline(&a.name)).collect(),
    );
    list(
        &mut out,
        "Data flows",
        s.flows
            .iter()
            .map(|f| {
                let name = |id: Id| inline(s.name(id).unwrap_or("?"));
                format!("{} → {}: {}", name(f.from), name(f.to), inline(&f.label))
            })
            .collect(),
    );
    out.trim_end().to_string()
}
