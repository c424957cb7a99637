//! OWASP Threat Dragon models: version 1 (`diagramJson.cells`, JointJS)
//! and version 2 (2.0 to 2.3 and later, `cells`, X6). Every diagram's
//! actors, processes, stores, flows and trust boundaries become scope
//! elements, and the threats on them threats (with their mitigation text
//! as a mitigation). The export writes one version 2 STRIDE diagram laid
//! out anew. The mapping both ways is in the README ("Other tools'
//! files").

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value, json};

use super::ids::uuid_for;
use super::{Builder, Exported, Format, ImportError, Imported, PendingThreat, foreign_ids};
use crate::core::ids::{Id, IdKind};
use crate::core::model::{
    Actor, Boundary, Component, Flow, Participant, Persona, Priority, Session, Threat, ThreatStatus,
};
use crate::core::stride::Category;
use crate::core::time::Timestamp;

/// The kinds components are imported as.
pub const PROCESS_KIND: &str = "generic.process";
pub const STORE_KIND: &str = "generic.data-store";

/// The version the export writes.
const VERSION: &str = "2.3.0";

/// Threat Dragon's own texts in a new threat: not a description or a
/// mitigation anyone wrote.
const DESCRIPTION_PLACEHOLDER: &str = "Provide a description for this threat";
const MITIGATION_PLACEHOLDER: &str =
    "Provide remediation for this threat or a reason if status is N/A";

/// Coordinates beyond this are not a drawing: the element is not placed.
const MAX_COORDINATE: f64 = 1e9;

/// Whether `value` looks like a Threat Dragon model: version 2 has a
/// `version` and diagrams with `cells`, version 1 a `summary` and diagrams
/// with `diagramJson`.
pub fn looks_like(value: &Value) -> bool {
    let Some(top) = value.as_object() else {
        return false;
    };
    let Some(diagrams) = top
        .get("detail")
        .and_then(|d| d.get("diagrams"))
        .and_then(Value::as_array)
    else {
        return false;
    };
    let has = |key: &str| diagrams.iter().any(|d| d.get(key).is_some());
    if top.get("version").is_some_and(Value::is_string) {
        return diagrams.is_empty() || has("cells") || has("diagramJson");
    }
    top.get("summary").is_some_and(Value::is_object)
        && (diagrams.is_empty() || has("diagramJson") || has("cells"))
}

// ---------------------------------------------------------------- import

/// What a cell is, from its shape (version 2) or type (version 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Actor,
    Process,
    Store,
    Flow,
    /// A trust boundary box: what lies inside it is in the boundary.
    Box,
    /// A trust boundary curve or line: no inside.
    Curve,
    Text,
}

impl Shape {
    fn noun(self) -> &'static str {
        match self {
            Shape::Actor => "actor",
            Shape::Process => "process",
            Shape::Store => "store",
            Shape::Flow => "data flow",
            Shape::Box | Shape::Curve => "trust boundary",
            Shape::Text => "text",
        }
    }

    fn from_shape(shape: &str) -> Option<Shape> {
        Some(match shape {
            "actor" => Shape::Actor,
            "process" => Shape::Process,
            "store" => Shape::Store,
            "flow" => Shape::Flow,
            "trust-boundary-box" => Shape::Box,
            "trust-boundary-curve" | "trust-boundary" => Shape::Curve,
            "td-text-block" => Shape::Text,
            _ => return None,
        })
    }

    fn from_type(kind: &str) -> Option<Shape> {
        Some(match kind {
            "tm.Actor" => Shape::Actor,
            "tm.Process" => Shape::Process,
            "tm.Store" => Shape::Store,
            "tm.Flow" => Shape::Flow,
            "tm.BoundaryBox" => Shape::Box,
            "tm.Boundary" => Shape::Curve,
            "tm.Text" => Shape::Text,
            _ => return None,
        })
    }
}

/// A string field as it is; a number or boolean as its JSON text.
fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// The string at `path` inside `v`, if it is one and not blank.
fn text_at<'v>(v: Option<&'v Value>, path: &[&str]) -> Option<&'v str> {
    let mut v = v?;
    for key in path {
        v = v.get(*key)?;
    }
    v.as_str().filter(|s| !s.trim().is_empty())
}

/// The name of a cell: `data.name` (version 2) or `name` (version 1), else
/// the text drawn on it.
fn cell_name(cell: &Map<String, Value>, data: &Map<String, Value>) -> String {
    if let Some(name) = data
        .get("name")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
    {
        return name.to_string();
    }
    let attrs = cell.get("attrs");
    let label = cell
        .get("labels")
        .and_then(Value::as_array)
        .and_then(|l| l.first());
    let found = text_at(attrs, &["text", "text"])
        .or_else(|| text_at(attrs, &["label", "text"]))
        .or_else(|| text_at(attrs, &["headerText", "text"]))
        .or_else(|| {
            label
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
        })
        .or_else(|| text_at(label, &["attrs", "labelText", "text"]))
        .or_else(|| text_at(label, &["attrs", "text", "text"]))
        .or_else(|| text_at(label, &["attrs", "label", "text"]));
    found.unwrap_or("").to_string()
}

/// A drawn rectangle, when its numbers make one.
#[derive(Debug, Clone, Copy)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    fn of(cell: &Map<String, Value>) -> Option<Rect> {
        let num = |outer: &str, inner: &str| {
            cell.get(outer)
                .and_then(|o| o.get(inner))
                .and_then(Value::as_f64)
                .filter(|v| v.is_finite() && v.abs() <= MAX_COORDINATE)
        };
        let r = Rect {
            x: num("position", "x")?,
            y: num("position", "y")?,
            w: num("size", "width")?,
            h: num("size", "height")?,
        };
        (r.w >= 0.0 && r.h >= 0.0).then_some(r)
    }

    fn centre(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    fn holds_point(&self, (x, y): (f64, f64)) -> bool {
        x >= self.x && x <= self.x + self.w && y >= self.y && y <= self.y + self.h
    }

    fn holds(&self, other: &Rect) -> bool {
        other.x >= self.x
            && other.y >= self.y
            && other.x + other.w <= self.x + self.w
            && other.y + other.h <= self.y + self.h
    }

    fn area(&self) -> f64 {
        self.w * self.h
    }
}

/// Data keys every element has, read into their own fields (or worked
/// out again on export: `hasOpenThreats`, `isTrustBoundary`).
const ELEMENT_KEYS: [&str; 8] = [
    "type",
    "name",
    "description",
    "outOfScope",
    "reasonOutOfScope",
    "threats",
    "hasOpenThreats",
    "isTrustBoundary",
];

/// Version 1 keys of a cell that are its drawing, not its data.
const V1_DRAWING_KEYS: [&str; 15] = [
    "size", "position", "angle", "id", "z", "attrs", "smooth", "source", "target", "vertices",
    "labels", "ports", "markup", "parent", "embeds",
];

/// Lists Threat Dragon works out from the drawing each time.
const DERIVED_LISTS: [&str; 4] = [
    "crossingFlows",
    "containedElements",
    "trustBoundaryIds",
    "threatFrequency",
];

fn empty_map() -> &'static Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

/// One cell, read.
struct Cell<'v> {
    at: String,
    diagram: usize,
    obj: &'v Map<String, Value>,
    /// `data` in version 2, the cell itself in version 1.
    data: &'v Map<String, Value>,
    v1: bool,
    shape: Option<Shape>,
    id: String,
}

/// An element made from a cell.
#[derive(Clone, Copy)]
struct Made {
    id: Id,
    shape: Shape,
}

struct Reader<'v> {
    b: Builder,
    cells: Vec<Cell<'v>>,
    /// Per diagram: cell id to what was made of it.
    made: Vec<HashMap<String, Made>>,
    /// What each cell became, by its index in `cells`.
    made_of: HashMap<usize, Made>,
    unnamed: HashMap<&'static str, usize>,
}

impl<'v> Reader<'v> {
    /// `name`, or "Unnamed process 2" (said) when it is blank.
    fn name(&mut self, name: String, noun: &'static str, at: &str) -> String {
        if !name.trim().is_empty() {
            return name;
        }
        let n = self.unnamed.entry(noun).or_insert(0);
        *n = n.saturating_add(1);
        let named = format!("Unnamed {noun} {n}");
        self.b.unmapped(at, format!("no name; named \"{named}\""));
        named
    }

    /// The out-of-scope mark and the attributes of an element, as the
    /// session keeps them.
    fn scope_and_properties(
        &mut self,
        cell: usize,
        extra_known: &[&str],
    ) -> (Option<String>, BTreeMap<String, String>) {
        let c = &self.cells[cell];
        let at = c.at.clone();
        let data_at = if c.v1 {
            at.clone()
        } else {
            format!("{at}.data")
        };
        let data = c.data;
        let v1 = c.v1;
        let reason = text(data.get("reasonOutOfScope"));
        let out_of_scope = match data.get("outOfScope") {
            None | Some(Value::Null) | Some(Value::Bool(false)) => None,
            Some(Value::Bool(true)) => Some(reason.clone()),
            Some(other) => {
                self.b.unmapped(
                    format!("{data_at}.outOfScope"),
                    format!("`{other}` is not true or false; read as in scope"),
                );
                None
            }
        };
        let mut properties = BTreeMap::new();
        if out_of_scope.is_none() && !reason.trim().is_empty() {
            properties.insert("reasonOutOfScope".to_string(), reason);
        }
        for (key, value) in data {
            let key_s = key.as_str();
            if ELEMENT_KEYS.contains(&key_s)
                || extra_known.contains(&key_s)
                || (v1 && V1_DRAWING_KEYS.contains(&key_s))
            {
                continue;
            }
            if DERIVED_LISTS.contains(&key_s) {
                let empty = match value {
                    Value::Array(a) => a.is_empty(),
                    Value::Object(o) => o.is_empty(),
                    Value::Null => true,
                    _ => false,
                };
                if !empty {
                    self.b.unmapped(
                        format!("{data_at}.{key}"),
                        "worked out by Threat Dragon from the drawing; not kept",
                    );
                }
                continue;
            }
            match value {
                Value::Null => self
                    .b
                    .unmapped(format!("{data_at}.{key}"), "null; not kept"),
                Value::String(s) => {
                    properties.insert(key.clone(), s.clone());
                }
                Value::Bool(_) | Value::Number(_) => {
                    properties.insert(key.clone(), value.to_string());
                }
                Value::Array(_) | Value::Object(_) => {
                    self.b.unmapped(
                        format!("{data_at}.{key}"),
                        "not a plain value; kept as JSON text in the properties",
                    );
                    properties.insert(key.clone(), value.to_string());
                }
            }
        }
        (out_of_scope, properties)
    }
}

/// Whether two strings name the same thing, ignoring case, spaces and
/// punctuation: "Information disclosure", "informationDisclosure".
fn squash(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A STRIDE category named as Threat Dragon (or stridekit) names it.
fn stride(kind: &str) -> Option<Category> {
    let k = squash(kind);
    Category::ALL
        .into_iter()
        .find(|c| squash(c.name()) == k || squash(c.key()) == k)
}

/// The STRIDE category nearest to another method's threat type (CIA,
/// LINDDUN, DIE, PLOT4ai, the EoP card games): the property it harms.
fn nearest_category(kind: &str) -> Option<Category> {
    use Category::*;
    Some(match squash(kind).as_str() {
        // CIA
        "confidentiality" => InformationDisclosure,
        "integrity" => Tampering,
        "availability" => DenialOfService,
        // LINDDUN: privacy threats are disclosures; non-repudiation is
        // the other side of repudiation.
        "linkability"
        | "identifiability"
        | "detectability"
        | "disclosureofinformation"
        | "unawareness"
        | "noncompliance" => InformationDisclosure,
        "nonrepudiation" => Repudiation,
        // DIE
        "distributed" => DenialOfService,
        "immutable" | "ephemeral" => Tampering,
        // PLOT4ai
        "identifiabilitylinkability" | "ethicshumanrights" => InformationDisclosure,
        "accessibility" | "safety" => DenialOfService,
        "techniqueprocesses" | "security" => Tampering,
        // Cornucopia and Elevation of Privilege suits
        "authentication" | "sessionmanagement" => Spoofing,
        "authorization" | "authorisation" => ElevationOfPrivilege,
        "cryptography" => InformationDisclosure,
        "datavalidationencoding" | "datavalidationandencoding" => Tampering,
        _ => return None,
    })
}

/// Threat Dragon's statuses: 2.x `Open`, `Mitigated`, `NotApplicable`
/// (the schema's `NA`), and since 2.6 `Accepted`, `Transferred`,
/// `Avoided`, `Eliminated`.
fn status(key: &str) -> Option<(ThreatStatus, bool)> {
    Some(match squash(key).as_str() {
        "open" => (ThreatStatus::Open, true),
        "mitigated" => (ThreatStatus::Mitigated, true),
        "na" | "notapplicable" => (ThreatStatus::NotApplicable, true),
        "accepted" => (ThreatStatus::Accepted, true),
        "transferred" => (ThreatStatus::Transferred, true),
        "avoided" | "eliminated" => (ThreatStatus::Mitigated, false),
        _ => return None,
    })
}

/// Severity `High`, `Medium`, `Low` (and `Critical`, read as high).
fn severity(key: &str) -> Option<(Priority, bool)> {
    Some(match squash(key).as_str() {
        "high" => (Priority::High, true),
        "medium" => (Priority::Medium, true),
        "low" => (Priority::Low, true),
        "critical" => (Priority::High, false),
        _ => return None,
    })
}

/// The number of a threat, when it is a whole positive number.
fn number(v: Option<&Value>) -> Option<u64> {
    let v = v?;
    v.as_u64()
        .or_else(|| {
            v.as_f64()
                .filter(|f| f.fract() == 0.0 && *f > 0.0 && *f < 4e9)
                .map(|f| f as u64)
        })
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        .filter(|n| *n > 0)
}

/// Threat keys read into their own fields (`new` is the editor's flag
/// for a threat not saved yet).
const THREAT_KEYS: [&str; 12] = [
    "id",
    "threatId",
    "title",
    "type",
    "modelType",
    "status",
    "severity",
    "score",
    "description",
    "mitigation",
    "number",
    "new",
];

pub fn import(text_in: &str, name: &str, now: Timestamp) -> Result<Imported, ImportError> {
    let value = super::json(text_in)?;
    let Some(top) = value.as_object() else {
        return Err(ImportError::NotTheFormat(
            "a Threat Dragon model is a JSON object".to_string(),
        ));
    };
    if !top.contains_key("detail") && !top.contains_key("summary") {
        return Err(ImportError::NotTheFormat(
            "not a Threat Dragon model: no `summary` or `detail`".to_string(),
        ));
    }
    let summary = top.get("summary").and_then(Value::as_object);
    let title = match summary.map(|s| text(s.get("title"))) {
        Some(t) if !t.trim().is_empty() => t,
        _ => name.to_string(),
    };
    let title = if title.trim().is_empty() {
        "Imported Threat Dragon model".to_string()
    } else {
        title
    };
    let mut b = Builder::new(Format::ThreatDragon, &title, now);
    // To the letter: it is exported back as it is.
    b.session.title = title;
    match top.get("version") {
        None => {}
        Some(Value::String(v)) if v.starts_with('1') || v.starts_with('2') => {}
        Some(v) => b.unmapped(
            "version",
            format!("version {v} is not one stridekit knows (1 or 2.x); read as version 2"),
        ),
    }
    for key in top.keys() {
        match key.as_str() {
            "version" | "summary" | "detail" => {}
            "release_version" | "released_at" => {
                b.unmapped(key.as_str(), "release information is not kept")
            }
            _ => b.unmapped(key.as_str(), "not a Threat Dragon section stridekit knows"),
        }
    }
    if top.get("summary").is_some() && summary.is_none() {
        b.unmapped("summary", "not an object; ignored");
    }
    let detail = top.get("detail").and_then(Value::as_object);
    if top.get("detail").is_some() && detail.is_none() {
        b.unmapped("detail", "not an object; ignored");
    }
    read_people(&mut b, summary, detail);
    if let Some(s) = summary {
        b.session.description = text(s.get("description"));
        for (key, v) in s {
            match key.as_str() {
                "title" | "description" | "owner" => {}
                "id" if matches!(v, Value::Null) || v == &json!(0) || v == &json!("") => {}
                "id" => b.unmapped("summary.id", format!("the model's id {v} is not kept")),
                _ => b.unmapped(
                    format!("summary.{key}"),
                    "not a Threat Dragon field stridekit keeps",
                ),
            }
        }
    }
    let mut cells = Vec::new();
    let mut diagram_count = 0;
    if let Some(detail) = detail {
        for key in detail.keys() {
            if ![
                "contributors",
                "diagrams",
                "diagramTop",
                "reviewer",
                "threatTop",
            ]
            .contains(&key.as_str())
            {
                b.unmapped(
                    format!("detail.{key}"),
                    "not a Threat Dragon field stridekit keeps",
                );
            }
        }
        match detail.get("diagrams") {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                diagram_count = list.len();
                let mut architecture = Vec::new();
                for (d, diagram) in list.iter().enumerate() {
                    read_diagram(&mut b, d, diagram, &mut cells, &mut architecture);
                }
                b.session.architecture = architecture.join("\n");
            }
            Some(_) => b.unmapped("detail.diagrams", "not a list; no diagram read"),
        }
    }
    if diagram_count > 1 {
        b.unmapped(
            "detail.diagrams",
            format!(
                "{diagram_count} diagrams are merged into one scope; their titles are in the architecture notes"
            ),
        );
    }
    let mut r = Reader {
        b,
        made: vec![HashMap::new(); diagram_count],
        made_of: HashMap::new(),
        cells,
        unnamed: HashMap::new(),
    };
    read_elements(&mut r);
    read_flows(&mut r);
    place_in_boundaries(&mut r);
    read_threats(&mut r, now);
    // In the file's order, cell by cell (`cells[10]` after `cells[9]`).
    r.b.unmapped.sort_by_cached_key(|u| natural(&u.at));
    Ok(r.b.finish(Format::ThreatDragon))
}

/// `text` split into runs of digits (compared as numbers) and the rest.
fn natural(text: &str) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = Vec::new();
    let mut word = String::new();
    let mut digits: Option<u64> = None;
    for ch in text.chars() {
        match (ch.to_digit(10), digits) {
            (Some(d), Some(n)) => digits = Some(n.saturating_mul(10).saturating_add(u64::from(d))),
            (Some(d), None) => digits = Some(u64::from(d)),
            (None, Some(n)) => {
                out.push((std::mem::take(&mut word), n));
                digits = None;
                word.push(ch);
            }
            (None, None) => word.push(ch),
        }
    }
    out.push((word, digits.unwrap_or(0)));
    out
}

/// Owner, reviewer and contributors become participants: the owner
/// facilitates, the reviewer has the AppSec persona.
fn read_people(
    b: &mut Builder,
    summary: Option<&Map<String, Value>>,
    detail: Option<&Map<String, Value>>,
) {
    fn person(b: &mut Builder, name: &str, persona: Option<Persona>) -> Option<Id> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        if let Some(p) = b
            .session
            .participants
            .iter_mut()
            .find(|p| p.name.eq_ignore_ascii_case(name))
        {
            if p.persona.is_none() {
                p.persona = persona;
            }
            return Some(p.id);
        }
        let id = b.session.next_id(IdKind::Participant)?;
        b.session.participants.push(Participant {
            id,
            name: name.to_string(),
            persona,
        });
        Some(id)
    }
    let owner = text(summary.and_then(|s| s.get("owner")));
    b.session.facilitator = person(b, &owner, None);
    let reviewer = text(detail.and_then(|d| d.get("reviewer")));
    if !reviewer.trim().is_empty() && reviewer.trim().eq_ignore_ascii_case(owner.trim()) {
        b.unmapped(
            "detail.reviewer",
            "the reviewer is the owner: one participant, the facilitator, with the AppSec persona",
        );
    }
    person(b, &reviewer, Some(Persona::Appsec));
    match detail.and_then(|d| d.get("contributors")) {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for (i, c) in list.iter().enumerate() {
                let name = match c {
                    Value::String(s) => s.clone(),
                    other => text(other.get("name")),
                };
                let known = b
                    .session
                    .participants
                    .iter()
                    .any(|p| p.name.eq_ignore_ascii_case(name.trim()));
                if name.trim().is_empty() {
                    b.unmapped(format!("detail.contributors[{i}]"), "no name; skipped");
                } else if known {
                    b.unmapped(
                        format!("detail.contributors[{i}]"),
                        format!("{} is already a participant", name.trim()),
                    );
                } else {
                    person(b, &name, None);
                }
            }
        }
        Some(_) => b.unmapped("detail.contributors", "not a list; ignored"),
    }
}

/// The cells of diagram `d`, in either version's layout.
fn read_diagram<'v>(
    b: &mut Builder,
    d: usize,
    diagram: &'v Value,
    cells: &mut Vec<Cell<'v>>,
    architecture: &mut Vec<String>,
) {
    let at = format!("detail.diagrams[{d}]");
    let Some(diagram) = diagram.as_object() else {
        b.unmapped(at, "not an object; skipped");
        return;
    };
    let title = text(diagram.get("title"));
    let kind = text(diagram.get("diagramType"));
    let description = text(diagram.get("description"));
    if !(title.trim().is_empty() && description.trim().is_empty()) {
        let mut line = format!("Threat Dragon diagram \"{}\"", title.trim());
        if !kind.trim().is_empty() {
            line.push_str(&format!(" ({} diagram)", kind.trim()));
        }
        if !description.trim().is_empty() {
            line.push_str(": ");
            line.push_str(description.trim());
        }
        architecture.push(line);
    }
    for key in diagram.keys() {
        if ![
            "id",
            "title",
            "description",
            "diagramType",
            "placeholder",
            "thumbnail",
            "version",
            "cells",
            "diagramJson",
            "size",
        ]
        .contains(&key.as_str())
        {
            b.unmapped(
                format!("{at}.{key}"),
                "not a Threat Dragon field stridekit keeps",
            );
        }
    }
    let (list, cells_at) = match (diagram.get("cells"), diagram.get("diagramJson")) {
        (Some(c), _) => (c, format!("{at}.cells")),
        (None, Some(j)) => match j.get("cells") {
            Some(c) => (c, format!("{at}.diagramJson.cells")),
            None => return,
        },
        (None, None) => return,
    };
    let Some(list) = list.as_array() else {
        if !list.is_null() {
            b.unmapped(cells_at, "not a list; no cell read");
        }
        return;
    };
    for (i, cell) in list.iter().enumerate() {
        let at = format!("{cells_at}[{i}]");
        let Some(obj) = cell.as_object() else {
            b.unmapped(at, "not an object; skipped");
            continue;
        };
        let data_value = obj.get("data");
        let v1 = data_value.is_none() && obj.get("shape").is_none();
        let data = match data_value {
            Some(Value::Object(d)) => d,
            Some(_) => {
                b.unmapped(format!("{at}.data"), "not an object; the cell is skipped");
                continue;
            }
            None if v1 => obj,
            // A version 2 cell without data: nothing but its drawing.
            None => empty_map(),
        };
        let shape_name = obj.get("shape").and_then(Value::as_str);
        let type_name = data.get("type").and_then(Value::as_str);
        let by_shape = shape_name.and_then(Shape::from_shape);
        let by_type = type_name.and_then(Shape::from_type);
        let shape = match (by_shape, by_type) {
            (Some(s), t) => {
                if let Some(t) = t
                    && t != s
                    && !(t == Shape::Curve && s == Shape::Box)
                {
                    b.unmapped(
                        format!("{at}.data.type"),
                        format!(
                            "type `{}` does not match shape `{}`; read as a {} by its shape",
                            type_name.unwrap_or(""),
                            shape_name.unwrap_or(""),
                            s.noun()
                        ),
                    );
                }
                Some(s)
            }
            (None, Some(t)) => {
                if let Some(shape) = shape_name {
                    b.unmapped(
                        format!("{at}.shape"),
                        format!(
                            "unknown shape `{shape}` (misspelt?); read as a {} by its type `{}`",
                            t.noun(),
                            type_name.unwrap_or("")
                        ),
                    );
                }
                Some(t)
            }
            (None, None) => None,
        };
        cells.push(Cell {
            at,
            diagram: d,
            obj,
            data,
            v1,
            shape,
            id: text(obj.get("id")),
        });
    }
    if !list.is_empty() {
        b.unmapped(
            cells_at,
            "positions, sizes and styles are not kept: an export lays the diagram out anew",
        );
    }
}

/// Actors, processes, stores and boundaries (flows need their ends first).
fn read_elements(r: &mut Reader<'_>) {
    for i in 0..r.cells.len() {
        let c = &r.cells[i];
        let at = c.at.clone();
        let (shape, diagram, cell_id, obj, data) =
            (c.shape, c.diagram, c.id.clone(), c.obj, c.data);
        let made = match shape {
            None => {
                let shown = |v: &Value| match v.as_str() {
                    Some(t) => format!("`{t}`"),
                    None => v.to_string(),
                };
                let what = match (obj.get("shape"), data.get("type")) {
                    (Some(s), _) => format!("unknown shape {}; skipped", shown(s)),
                    (None, Some(t)) => format!("unknown type {}; skipped", shown(t)),
                    (None, None) => "a cell with no shape or type; skipped".to_string(),
                };
                r.b.unmapped(at, what);
                continue;
            }
            Some(Shape::Flow) => continue,
            Some(Shape::Text) => {
                let words = cell_name(obj, data);
                r.b.unmapped(
                    at,
                    format!(
                        "a text block (`{}`) is not imported",
                        crate::core::text::one_line(words.trim())
                    ),
                );
                continue;
            }
            Some(shape @ Shape::Actor) => {
                let Some(id) = r.b.id(IdKind::Actor, None) else {
                    r.b.unmapped(at, "no id left to give it; skipped");
                    continue;
                };
                let name = r.name(cell_name(obj, data), shape.noun(), &at);
                let (out_of_scope, properties) = r.scope_and_properties(i, &[]);
                r.b.session.actors.push(Actor {
                    id,
                    name,
                    description: text(data.get("description")),
                    out_of_scope,
                    properties,
                });
                Made { id, shape }
            }
            Some(shape @ (Shape::Process | Shape::Store)) => {
                let Some(id) = r.b.id(IdKind::Component, None) else {
                    r.b.unmapped(at, "no id left to give it; skipped");
                    continue;
                };
                let name = r.name(cell_name(obj, data), shape.noun(), &at);
                let (out_of_scope, properties) = r.scope_and_properties(i, &[]);
                let kind = if shape == Shape::Process {
                    PROCESS_KIND
                } else {
                    STORE_KIND
                };
                r.b.session.components.push(Component {
                    id,
                    name,
                    kind: kind.to_string(),
                    boundary: None,
                    description: text(data.get("description")),
                    out_of_scope,
                    properties,
                });
                Made { id, shape }
            }
            Some(shape @ (Shape::Box | Shape::Curve)) => {
                let Some(id) = r.b.id(IdKind::Boundary, None) else {
                    r.b.unmapped(at, "no id left to give it; skipped");
                    continue;
                };
                let name = r.name(cell_name(obj, data), shape.noun(), &at);
                let (out_of_scope, mut properties) = r.scope_and_properties(i, &[]);
                if let Some(reason) = out_of_scope {
                    // A boundary has no out-of-scope mark of its own.
                    properties.insert("outOfScope".to_string(), "true".to_string());
                    if !reason.is_empty() {
                        properties.insert("reasonOutOfScope".to_string(), reason);
                    }
                }
                r.b.session.boundaries.push(Boundary {
                    id,
                    name,
                    parent: None,
                    description: text(data.get("description")),
                    properties,
                });
                Made { id, shape }
            }
        };
        record(r, i, diagram, &cell_id, made);
    }
}

/// Remembers what cell `i` became, by its id in its diagram.
fn record(r: &mut Reader<'_>, i: usize, diagram: usize, cell_id: &str, made: Made) {
    r.made_of.insert(i, made);
    let at = r.cells[i].at.clone();
    if cell_id.is_empty() {
        r.b.unmapped(
            format!("{at}.id"),
            "no id: flows cannot reach it, and an export gives it a new one",
        );
        return;
    }
    if let Some(map) = r.made.get_mut(diagram) {
        if map.contains_key(cell_id) {
            r.b.unmapped(
                format!("{at}.id"),
                format!("id {cell_id} is used twice in the diagram; flows go to the first"),
            );
        } else {
            map.insert(cell_id.to_string(), made);
        }
    }
    r.b.foreign(made.id, cell_id);
}

/// The cell id at a flow's end: `cell` in version 2, `id` in version 1.
fn end_id(end: Option<&Value>) -> Option<String> {
    let end = end?;
    ["cell", "id"]
        .iter()
        .find_map(|k| end.get(*k))
        .map(|v| text(Some(v)))
        .filter(|s| !s.is_empty())
}

fn read_flows(r: &mut Reader<'_>) {
    for i in 0..r.cells.len() {
        let c = &r.cells[i];
        if c.shape != Some(Shape::Flow) {
            continue;
        }
        let (at, diagram, cell_id, obj, data) =
            (c.at.clone(), c.diagram, c.id.clone(), c.obj, c.data);
        let mut ends = Vec::new();
        let mut why = None;
        for key in ["source", "target"] {
            let made = match end_id(obj.get(key)) {
                None => {
                    why.get_or_insert(format!("its {key} is not attached to an element"));
                    None
                }
                Some(id) => match r.made.get(diagram).and_then(|m| m.get(&id)) {
                    Some(m) if matches!(m.shape, Shape::Actor | Shape::Process | Shape::Store) => {
                        Some(m.id)
                    }
                    Some(m) => {
                        why.get_or_insert(format!(
                            "its {key} is a {}, not an actor, process or store",
                            m.shape.noun()
                        ));
                        None
                    }
                    None => {
                        why.get_or_insert(format!(
                            "its {key} `{id}` is not an actor, process or store of the diagram"
                        ));
                        None
                    }
                },
            };
            ends.push(made);
        }
        let (Some(Some(from)), Some(Some(to))) = (ends.first().copied(), ends.get(1).copied())
        else {
            let why = why.unwrap_or_default();
            r.b.unmapped(at, format!("a data flow that is not imported: {why}"));
            continue;
        };
        if from == to {
            r.b.unmapped(
                at,
                "a data flow that is not imported: it goes from an element to itself",
            );
            continue;
        }
        let Some(id) = r.b.id(IdKind::Flow, None) else {
            r.b.unmapped(at, "no id left to give it; skipped");
            continue;
        };
        let label = r.name(cell_name(obj, data), "data flow", &at);
        let (out_of_scope, properties) = r.scope_and_properties(i, &["protocol"]);
        r.b.session.flows.push(Flow {
            id,
            from,
            to,
            label,
            protocol: text(data.get("protocol")),
            assets: Vec::new(),
            description: text(data.get("description")),
            out_of_scope,
            properties,
        });
        record(
            r,
            i,
            diagram,
            &cell_id,
            Made {
                id,
                shape: Shape::Flow,
            },
        );
    }
}

/// Components inside a boundary box are in that boundary (the innermost
/// box wins); a box inside another has it as parent.
fn place_in_boundaries(r: &mut Reader<'_>) {
    let mut boxes: Vec<(usize, Id, Rect)> = Vec::new();
    let mut curves: Vec<(usize, String)> = Vec::new();
    for (i, c) in r.cells.iter().enumerate() {
        match r.made_of.get(&i) {
            Some(m) if m.shape == Shape::Box => match Rect::of(c.obj) {
                Some(rect) => boxes.push((c.diagram, m.id, rect)),
                None => r.b.unmapped(
                    c.at.clone(),
                    "a trust boundary box without a usable position and size: nothing is placed in it",
                ),
            },
            Some(m) if m.shape == Shape::Curve => curves.push((c.diagram, c.at.clone())),
            _ => {}
        }
    }
    // A curve says nothing of which side an element is on: say so where
    // there are elements it could have held.
    for (diagram, at) in curves {
        let elements = r.cells.iter().enumerate().any(|(i, c)| {
            c.diagram == diagram
                && r.made_of
                    .get(&i)
                    .is_some_and(|m| matches!(m.shape, Shape::Process | Shape::Store))
        });
        if elements {
            r.b.unmapped(
                at,
                "a trust boundary line: which side each element is on is not worked out, so no component is placed in it",
            );
        }
    }
    if boxes.is_empty() {
        return;
    }
    let innermost = |diagram: usize, test: &dyn Fn(&Rect) -> bool, not: Option<Id>| {
        boxes
            .iter()
            .filter(|(d, id, rect)| *d == diagram && Some(*id) != not && test(rect))
            .min_by(|a, b| a.2.area().total_cmp(&b.2.area()))
            .map(|(_, id, rect)| (*id, *rect))
    };
    let mut parents = Vec::new();
    for (diagram, id, rect) in &boxes {
        let area = rect.area();
        if let Some((parent, _)) = innermost(
            *diagram,
            &|outer: &Rect| outer.area() > area && outer.holds(rect),
            Some(*id),
        ) {
            parents.push((*id, parent));
        }
    }
    for (id, parent) in parents {
        if let Some(b) = r.b.session.boundaries.iter_mut().find(|b| b.id == id) {
            b.parent = Some(parent);
        }
    }
    let mut placed = Vec::new();
    for (i, c) in r.cells.iter().enumerate() {
        let Some(m) = r.made_of.get(&i) else {
            continue;
        };
        if !matches!(m.shape, Shape::Actor | Shape::Process | Shape::Store) {
            continue;
        }
        let Some(rect) = Rect::of(c.obj) else {
            if m.shape != Shape::Actor {
                r.b.unmapped(
                    c.at.clone(),
                    "no usable position and size: not placed in a trust boundary",
                );
            }
            continue;
        };
        let centre = rect.centre();
        if let Some((boundary, _)) = innermost(c.diagram, &|b: &Rect| b.holds_point(centre), None) {
            placed.push((i, m.id, m.shape, boundary));
        }
    }
    for (i, id, shape, boundary) in placed {
        if shape == Shape::Actor {
            let name = r.b.session.name(boundary).unwrap_or("").to_string();
            let at = r.cells[i].at.clone();
            r.b.unmapped(
                at,
                format!(
                    "the actor is drawn inside the trust boundary \"{}\"; an actor has no boundary in stridekit",
                    crate::core::text::one_line(&name)
                ),
            );
        } else if let Some(c) = r.b.session.components.iter_mut().find(|c| c.id == id) {
            c.boundary = Some(boundary);
        }
    }
}

fn read_threats(r: &mut Reader<'_>, now: Timestamp) {
    let mut read = Vec::new();
    for i in 0..r.cells.len() {
        let c = &r.cells[i];
        let (at, data, v1) = (c.at.clone(), c.data, c.v1);
        let list_at = if v1 {
            format!("{at}.threats")
        } else {
            format!("{at}.data.threats")
        };
        let list = match data.get("threats") {
            None | Some(Value::Null) => continue,
            Some(Value::Array(list)) => list,
            Some(_) => {
                r.b.unmapped(list_at, "not a list; no threat read");
                continue;
            }
        };
        let made = r.made_of.get(&i).copied();
        let target = made
            .filter(|m| !matches!(m.shape, Shape::Box | Shape::Curve))
            .map(|m| m.id);
        if !list.is_empty() && target.is_none() {
            let why = match made {
                Some(_) => "a trust boundary cannot be a threat's target",
                None => "the cell is not imported",
            };
            r.b.unmapped(
                list_at.clone(),
                format!("{why}: its threats are imported without a target"),
            );
        }
        for (j, t) in list.iter().enumerate() {
            let at = format!("{list_at}[{j}]");
            let Some(t) = t.as_object() else {
                r.b.unmapped(at, "not an object; skipped");
                continue;
            };
            let order = read.len();
            read.push(read_threat(r, &at, t, target, order, now));
        }
    }
    r.b.add_threats(read, "number");
}

fn read_threat(
    r: &mut Reader<'_>,
    at: &str,
    t: &Map<String, Value>,
    target: Option<Id>,
    order: usize,
    now: Timestamp,
) -> PendingThreat {
    let mut properties = BTreeMap::new();
    let title = r.name(text(t.get("title")), "threat", at);

    let kind = text(t.get("type"));
    let model = text(t.get("modelType"));
    let method = if model.trim().is_empty() {
        "Threat Dragon".to_string()
    } else {
        model.trim().to_string()
    };
    let category = match stride(&kind) {
        Some(c) => c,
        None => {
            let (c, how) = match nearest_category(&kind) {
                Some(c) => (c, "has no STRIDE category; read as the nearest,"),
                None if kind.trim().is_empty() => (Category::Tampering, "is missing; read as"),
                None => (Category::Tampering, "is not one stridekit knows; read as"),
            };
            let shown = if kind.trim().is_empty() {
                "the threat type".to_string()
            } else {
                format!("{method} threat type `{}`", kind.trim())
            };
            r.b.unmapped(format!("{at}.type"), format!("{shown} {how} {}", c.name()));
            if !kind.is_empty() {
                properties.insert("type".to_string(), kind.clone());
            }
            c
        }
    };
    if !model.trim().is_empty() && !model.trim().eq_ignore_ascii_case("STRIDE") {
        properties.insert("modelType".to_string(), model.clone());
    }

    let status_text = text(t.get("status"));
    let status = match status(&status_text) {
        Some((s, true)) => s,
        Some((s, false)) => {
            r.b.unmapped(
                format!("{at}.status"),
                format!(
                    "status `{}` is read as {} (kept in the properties)",
                    status_text.trim(),
                    s.key()
                ),
            );
            properties.insert("status".to_string(), status_text.clone());
            s
        }
        None => {
            let what = if status_text.trim().is_empty() {
                "no status; read as open".to_string()
            } else {
                properties.insert("status".to_string(), status_text.clone());
                format!("unknown status `{}`; read as open", status_text.trim())
            };
            r.b.unmapped(format!("{at}.status"), what);
            ThreatStatus::Open
        }
    };

    let severity_text = text(t.get("severity"));
    let priority = match severity(&severity_text) {
        Some((p, true)) => Some(p),
        Some((p, false)) => {
            r.b.unmapped(
                format!("{at}.severity"),
                format!(
                    "severity `{}` is read as {} (kept in the properties)",
                    severity_text.trim(),
                    p.key()
                ),
            );
            properties.insert("severity".to_string(), severity_text.clone());
            Some(p)
        }
        None => {
            let what = if severity_text.trim().is_empty() {
                "no severity; priority left unset".to_string()
            } else {
                properties.insert("severity".to_string(), severity_text.clone());
                format!(
                    "unknown severity `{}`; priority left unset",
                    severity_text.trim()
                )
            };
            r.b.unmapped(format!("{at}.severity"), what);
            None
        }
    };

    let score = text(t.get("score"));
    if !score.trim().is_empty() {
        properties.insert("score".to_string(), score);
    }
    let mut notes = text(t.get("description"));
    if notes.trim() == DESCRIPTION_PLACEHOLDER {
        r.b.unmapped(
            format!("{at}.description"),
            "Threat Dragon's placeholder text, not a description; not kept",
        );
        notes = String::new();
    }
    let mitigation = text(t.get("mitigation"));
    let mitigation = if mitigation.trim() == MITIGATION_PLACEHOLDER {
        r.b.unmapped(
            format!("{at}.mitigation"),
            "Threat Dragon's placeholder text, not a mitigation; not kept",
        );
        None
    } else if mitigation.trim().is_empty() {
        None
    } else {
        Some(mitigation)
    };
    let foreign = match (t.get("id"), t.get("threatId")) {
        (Some(v), _) if !text(Some(v)).is_empty() => text(Some(v)),
        (_, Some(v)) => text(Some(v)),
        _ => String::new(),
    };
    let wanted = number(t.get("number"));
    if t.get("number").is_some_and(|n| !n.is_null()) && wanted.is_none() {
        r.b.unmapped(
            format!("{at}.number"),
            format!(
                "number {} is not a whole positive number; the next free id is used",
                t.get("number").map(Value::to_string).unwrap_or_default()
            ),
        );
    }
    for (key, value) in t {
        if THREAT_KEYS.contains(&key.as_str()) {
            continue;
        }
        match value {
            Value::Null => r.b.unmapped(format!("{at}.{key}"), "null; not kept"),
            Value::String(s) => {
                properties.insert(key.clone(), s.clone());
            }
            other => {
                properties.insert(key.clone(), other.to_string());
            }
        }
    }
    PendingThreat {
        order,
        threat: Threat {
            // Given once every threat asking for a number has one.
            id: Id::new(IdKind::Threat, 1),
            title,
            category,
            target,
            author: None,
            status,
            status_reason: String::new(),
            likelihood: None,
            impact: None,
            catalog: None,
            notes,
            created: now,
            statement: Default::default(),
            also: Vec::new(),
            priority,
            tags: Vec::new(),
            properties,
        },
        mitigation,
        wanted,
        foreign,
        at: at.to_string(),
    }
}

// ---------------------------------------------------------------- export

/// Data-store kinds of the built-in catalogs, besides `generic.data-store`.
const STORE_KINDS: [&str; 12] = [
    "aws.s3",
    "aws.s3-uploads",
    "aws.ecr",
    "aws.elasticache",
    "aws.opensearch",
    "aws.efs",
    "aws.dynamodb",
    "aws.rds",
    "aws.sqs",
    "aws.kinesis",
    "aws.secrets",
    "aws.cloudtrail",
];

/// How a component is drawn: a store for a data-store kind (the generic
/// one, the built-in AWS stores, and any kind whose name says store,
/// database, bucket, table, queue or cache), an actor for an external
/// entity, a process otherwise.
pub fn drawn_as_store(kind: &str) -> bool {
    let last = kind.rsplit('.').next().unwrap_or(kind).to_lowercase();
    kind == STORE_KIND
        || STORE_KINDS.contains(&kind)
        || ["store", "database", "bucket", "table", "queue", "cache"]
            .iter()
            .any(|w| last.contains(w))
}

fn drawn_as_actor(kind: &str) -> bool {
    kind.rsplit('.').next() == Some("external-entity")
}

const SLOT_W: i64 = 200;
const SLOT_H: i64 = 140;
const PAD: i64 = 30;
const HEADER: i64 = 40;
const GAP: i64 = 40;
const MAX_COLS: usize = 4;
const BOXES_PER_ROW: usize = 3;
/// Boundaries nested deeper are drawn at the top level.
const MAX_DEPTH: usize = 24;

fn node_size(shape: Shape) -> (i64, i64) {
    match shape {
        Shape::Process => (100, 100),
        _ => (160, 80),
    }
}

/// Where everything goes.
#[derive(Default)]
struct Layout {
    nodes: HashMap<Id, (i64, i64)>,
    boxes: HashMap<Id, (i64, i64, i64, i64)>,
    depth: HashMap<Id, usize>,
}

struct Tree {
    /// Components per boundary (`None`: at the top level), in order.
    components: HashMap<Option<Id>, Vec<(Id, Shape)>>,
    children: HashMap<Option<Id>, Vec<Id>>,
    sizes: HashMap<Id, (i64, i64)>,
}

/// Each boundary's parent as drawn: none for an unknown parent, a cycle,
/// or nesting deeper than [`MAX_DEPTH`].
fn drawn_parents(session: &Session) -> HashMap<Id, (Option<Id>, usize)> {
    let known: HashSet<Id> = session.boundaries.iter().map(|b| b.id).collect();
    let parent_of: HashMap<Id, Option<Id>> = session
        .boundaries
        .iter()
        .map(|b| (b.id, b.parent.filter(|p| known.contains(p) && *p != b.id)))
        .collect();
    let mut drawn: HashMap<Id, (Option<Id>, usize)> = HashMap::new();
    for b in &session.boundaries {
        let mut chain = vec![b.id];
        let mut on_chain: HashSet<Id> = HashSet::from([b.id]);
        let mut cur = b.id;
        loop {
            if drawn.contains_key(&cur) {
                break;
            }
            match parent_of.get(&cur).copied().flatten() {
                Some(p) if !on_chain.contains(&p) => {
                    chain.push(p);
                    on_chain.insert(p);
                    cur = p;
                }
                _ => {
                    // A root, or the end of a cycle: drawn at the top.
                    drawn.insert(cur, (None, 0));
                    break;
                }
            }
        }
        for id in chain.iter().rev() {
            if drawn.contains_key(id) {
                continue;
            }
            let parent = parent_of.get(id).copied().flatten();
            let entry = match parent.and_then(|p| drawn.get(&p).map(|(_, d)| (p, *d))) {
                Some((p, d)) if d < MAX_DEPTH => (Some(p), d + 1),
                _ => (None, 0),
            };
            drawn.insert(*id, entry);
        }
    }
    drawn
}

/// Width and height of a grid of `n` components and rows of boxes.
fn content_size(n: usize, boxes: &[(i64, i64)]) -> (i64, i64) {
    let (grid_w, grid_h) = grid_size(n);
    let mut w = grid_w;
    let mut h = grid_h;
    for (k, row) in boxes.chunks(BOXES_PER_ROW).enumerate() {
        let row_w: i64 = row.iter().map(|s| s.0).sum::<i64>() + GAP * (row.len() as i64 - 1);
        let row_h = row.iter().map(|s| s.1).max().unwrap_or(0);
        w = w.max(row_w);
        if h > 0 || k > 0 {
            h += GAP;
        }
        h += row_h;
    }
    (w, h)
}

fn grid_size(n: usize) -> (i64, i64) {
    if n == 0 {
        return (0, 0);
    }
    let cols = grid_cols(n);
    let rows = n.div_ceil(cols);
    (cols as i64 * SLOT_W, rows as i64 * SLOT_H)
}

fn grid_cols(n: usize) -> usize {
    let mut cols = 1;
    while cols < MAX_COLS && cols * cols < n {
        cols += 1;
    }
    cols
}

impl Tree {
    fn measure(&mut self, b: Id) -> (i64, i64) {
        if let Some(s) = self.sizes.get(&b) {
            return *s;
        }
        let children = self.children.get(&Some(b)).cloned().unwrap_or_default();
        let sizes: Vec<(i64, i64)> = children.iter().map(|c| self.measure(*c)).collect();
        let n = self.components.get(&Some(b)).map_or(0, Vec::len);
        let (w, h) = content_size(n, &sizes);
        let size = (
            (w + 2 * PAD).max(SLOT_W + 2 * PAD),
            (h + HEADER + PAD).max(SLOT_H),
        );
        self.sizes.insert(b, size);
        size
    }

    /// Places the content of `b` (or the top level) with its top-left
    /// corner at `x`, `y`.
    fn place(&mut self, b: Option<Id>, x: i64, y: i64, depth: usize, out: &mut Layout) {
        let comps = self.components.get(&b).cloned().unwrap_or_default();
        let cols = grid_cols(comps.len().max(1));
        for (i, (id, shape)) in comps.iter().enumerate() {
            let (w, h) = node_size(*shape);
            let col = (i % cols) as i64;
            let row = (i / cols) as i64;
            out.nodes.insert(
                *id,
                (
                    x + col * SLOT_W + (SLOT_W - w) / 2,
                    y + row * SLOT_H + (SLOT_H - h) / 2,
                ),
            );
        }
        let (_, grid_h) = grid_size(comps.len());
        let mut row_y = y + grid_h + if grid_h > 0 { GAP } else { 0 };
        let children = self.children.get(&b).cloned().unwrap_or_default();
        for row in children.chunks(BOXES_PER_ROW) {
            let mut row_x = x;
            let mut row_h = 0;
            for child in row {
                let (w, h) = self.measure(*child);
                out.boxes.insert(*child, (row_x, row_y, w, h));
                out.depth.insert(*child, depth);
                self.place(Some(*child), row_x + PAD, row_y + HEADER, depth + 1, out);
                row_x += w + GAP;
                row_h = row_h.max(h);
            }
            row_y += row_h + GAP;
        }
    }
}

fn layout(session: &Session, shapes: &HashMap<Id, Shape>) -> (Layout, i64) {
    let parents = drawn_parents(session);
    let known: HashSet<Id> = session.boundaries.iter().map(|b| b.id).collect();
    let mut tree = Tree {
        components: HashMap::new(),
        children: HashMap::new(),
        sizes: HashMap::new(),
    };
    for c in &session.components {
        let Some(shape) = shapes.get(&c.id) else {
            continue;
        };
        if *shape == Shape::Actor {
            continue;
        }
        let at = c.boundary.filter(|b| known.contains(b));
        tree.components.entry(at).or_default().push((c.id, *shape));
    }
    for b in &session.boundaries {
        let parent = parents.get(&b.id).and_then(|(p, _)| *p);
        tree.children.entry(parent).or_default().push(b.id);
    }
    let mut out = Layout::default();
    let mut actors: Vec<Id> = session.actors.iter().map(|a| a.id).collect();
    actors.extend(
        session
            .components
            .iter()
            .filter(|c| shapes.get(&c.id) == Some(&Shape::Actor))
            .map(|c| c.id),
    );
    for (i, id) in actors.iter().enumerate() {
        let (w, h) = node_size(Shape::Actor);
        out.nodes.insert(
            *id,
            (
                40 + (SLOT_W - w) / 2,
                40 + i as i64 * SLOT_H + (SLOT_H - h) / 2,
            ),
        );
    }
    let x0 = if actors.is_empty() {
        40
    } else {
        40 + SLOT_W + 2 * GAP
    };
    tree.place(None, x0, 40, 0, &mut out);
    let roots = tree.children.get(&None).cloned().unwrap_or_default();
    let sizes: Vec<(i64, i64)> = roots.iter().map(|r| tree.measure(*r)).collect();
    let n = tree.components.get(&None).map_or(0, Vec::len);
    let (_, h) = content_size(n, &sizes);
    let bottom = (40 + h).max(40 + actors.len() as i64 * SLOT_H) + GAP;
    (out, bottom)
}

/// Ids for the export's cells and threats: the one Threat Dragon gave
/// (when it is one and not used twice), else a stable UUID of ours.
struct Ids {
    known: BTreeMap<Id, String>,
    scope: String,
    used: HashSet<String>,
}

impl Ids {
    fn of(&mut self, id: Id) -> String {
        if let Some(f) = self.known.get(&id)
            && f.chars().count() >= 2
            && !self.used.contains(f)
        {
            self.used.insert(f.clone());
            return f.clone();
        }
        self.fresh(&id.to_string())
    }

    fn fresh(&mut self, name: &str) -> String {
        let mut candidate = uuid_for(&self.scope, name);
        let mut n = 1u32;
        while self.used.contains(&candidate) {
            n = n.saturating_add(1);
            candidate = uuid_for(&self.scope, &format!("{name}/{n}"));
        }
        self.used.insert(candidate.clone());
        candidate
    }
}

fn td_status(t: &Threat) -> String {
    if let Some(kept) = t.properties.get("status") {
        let still = match status(kept) {
            Some((s, _)) => s == t.status,
            None => t.status == ThreatStatus::Open,
        };
        if still {
            return kept.clone();
        }
    }
    match t.status {
        ThreatStatus::Open | ThreatStatus::Mitigating => "Open",
        ThreatStatus::Mitigated => "Mitigated",
        ThreatStatus::Accepted => "Accepted",
        ThreatStatus::Transferred => "Transferred",
        ThreatStatus::NotApplicable => "NotApplicable",
    }
    .to_string()
}

fn td_severity(t: &Threat) -> String {
    if let Some(kept) = t.properties.get("severity") {
        let still = severity(kept).map(|(p, _)| p) == t.priority;
        if still {
            return kept.clone();
        }
    }
    match t.priority {
        Some(Priority::High) => "High",
        Some(Priority::Medium) => "Medium",
        Some(Priority::Low) => "Low",
        // Threat Dragon's own "to be decided".
        None => "TBD",
    }
    .to_string()
}

/// The threat's type and method: the ones read from Threat Dragon while
/// they still mean our category, else the STRIDE name.
fn td_type(t: &Threat) -> (String, String) {
    let model = t
        .properties
        .get("modelType")
        .cloned()
        .unwrap_or_else(|| "STRIDE".to_string());
    if let Some(kept) = t.properties.get("type") {
        let means = stride(kept)
            .or_else(|| nearest_category(kept))
            .unwrap_or(Category::Tampering);
        if means == t.category {
            return (kept.clone(), model);
        }
        return (t.category.name().to_string(), "STRIDE".to_string());
    }
    (t.category.name().to_string(), model)
}

fn td_threat(session: &Session, t: &Threat, ids: &mut Ids) -> Value {
    let (kind, model) = td_type(t);
    let mitigation = session
        .mitigations_of(t.id)
        .map(|m| m.text.as_str())
        .filter(|m| !m.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    let mut threat = json!({
        "id": ids.of(t.id),
        "title": t.title,
        "status": td_status(t),
        "severity": td_severity(t),
        "type": kind,
        "description": t.notes,
        "mitigation": mitigation,
        "modelType": model,
        "new": false,
        "number": t.id.number,
        "score": t.properties.get("score").cloned().unwrap_or_default(),
    });
    if let Some(obj) = threat.as_object_mut() {
        for (k, v) in &t.properties {
            // Kept properties, but never over what is written above.
            if !THREAT_KEYS.contains(&k.as_str()) {
                obj.insert(k.clone(), json!(v));
            }
        }
    }
    threat
}

/// Keys the schema types as booleans.
const BOOLEAN_KEYS: [&str; 14] = [
    "handlesCardPayment",
    "handlesGoodsOrServices",
    "isALog",
    "isBidirectional",
    "isEncrypted",
    "isPublicNetwork",
    "isSigned",
    "isTrustBoundary",
    "isWebApplication",
    "outOfScope",
    "providesAuthentication",
    "storesCredentials",
    "storesInventory",
    "hasOpenThreats",
];

/// An element's `data`: its type, name, description, scope, kept
/// properties (as booleans where Threat Dragon has them so) and threats.
#[allow(clippy::too_many_arguments)]
fn td_data(
    shape: Shape,
    name: &str,
    description: &str,
    out_of_scope: Option<&String>,
    properties: &BTreeMap<String, String>,
    threats: Vec<Value>,
    what: &str,
    notes: &mut Vec<String>,
) -> Map<String, Value> {
    let kind = match shape {
        Shape::Actor => "tm.Actor",
        Shape::Process => "tm.Process",
        Shape::Store => "tm.Store",
        Shape::Flow => "tm.Flow",
        Shape::Box => "tm.BoundaryBox",
        Shape::Curve => "tm.Boundary",
        Shape::Text => "tm.Text",
    };
    let open = threats
        .iter()
        .any(|t| t.get("status").and_then(Value::as_str) == Some("Open"));
    let boundary = matches!(shape, Shape::Box | Shape::Curve);
    let mut data = Map::new();
    data.insert("type".into(), json!(kind));
    data.insert("name".into(), json!(name));
    data.insert("description".into(), json!(description));
    if !boundary {
        data.insert("outOfScope".into(), json!(out_of_scope.is_some()));
        data.insert(
            "reasonOutOfScope".into(),
            json!(
                out_of_scope
                    .cloned()
                    .or_else(|| properties.get("reasonOutOfScope").cloned())
                    .unwrap_or_default()
            ),
        );
    }
    data.insert("isTrustBoundary".into(), json!(boundary));
    data.insert("hasOpenThreats".into(), json!(open));
    // Only the attributes the element has: Threat Dragon reads a missing
    // one as false or empty, and a round trip adds nothing.
    for (k, v) in properties {
        // A boundary keeps its out-of-scope mark in its properties.
        let scope_key = k == "outOfScope" || k == "reasonOutOfScope";
        if (ELEMENT_KEYS.contains(&k.as_str()) && !(boundary && scope_key))
            || (k == "protocol" && shape == Shape::Flow)
        {
            continue;
        }
        let value = match v.as_str() {
            "true" => json!(true),
            "false" => json!(false),
            _ if BOOLEAN_KEYS.contains(&k.as_str()) => {
                notes.push(format!(
                    "{what}: `{k} = {v}` is not true or false, which Threat Dragon needs; left out"
                ));
                continue;
            }
            _ => json!(v),
        };
        data.insert(k.clone(), value);
    }
    // Every element has its list; a boundary only when it has threats.
    if !boundary || !threats.is_empty() {
        data.insert("threats".into(), Value::Array(threats));
    }
    data
}

/// The stroke of an element: red with open threats, dashed out of scope,
/// as Threat Dragon draws them.
fn stroke(open: bool, out: bool) -> Value {
    json!({
        "stroke": if open { "red" } else { "#333333" },
        "strokeWidth": if open { 2.5 } else { 1.5 },
        "strokeDasharray": if out { "4 3" } else { "none" },
    })
}

pub fn export(session: &Session) -> Exported {
    let mut notes = Vec::new();
    let mut ids = Ids {
        known: foreign_ids(session, Format::ThreatDragon),
        scope: session.created.to_string(),
        used: HashSet::new(),
    };
    let mut shapes: HashMap<Id, Shape> = HashMap::new();
    for a in &session.actors {
        shapes.insert(a.id, Shape::Actor);
    }
    let mut generic_kinds = 0;
    for c in &session.components {
        let shape = if drawn_as_actor(&c.kind) {
            Shape::Actor
        } else if drawn_as_store(&c.kind) {
            Shape::Store
        } else {
            Shape::Process
        };
        if c.kind != PROCESS_KIND && c.kind != STORE_KIND {
            generic_kinds += 1;
        }
        shapes.insert(c.id, shape);
    }
    let (layout, bottom) = layout(session, &shapes);

    // Threats on their targets; the rest on a text block.
    let exported_flows: HashSet<Id> = session
        .flows
        .iter()
        .filter(|f| shapes.contains_key(&f.from) && shapes.contains_key(&f.to) && f.from != f.to)
        .map(|f| f.id)
        .collect();
    let mut on: HashMap<Id, Vec<Value>> = HashMap::new();
    let mut loose = Vec::new();
    let mut loose_titles = Vec::new();
    let mut max_number = 0u32;
    for t in &session.threats {
        max_number = max_number.max(t.id.number);
        let value = td_threat(session, t, &mut ids);
        match t.target {
            Some(target) if shapes.contains_key(&target) || exported_flows.contains(&target) => {
                on.entry(target).or_default().push(value);
            }
            _ => {
                loose.push(value);
                loose_titles.push(format!(
                    "{} {}",
                    t.id,
                    crate::core::text::one_line(&t.title)
                ));
            }
        }
    }

    let mut cells = Vec::new();
    let mut cell_ids: HashMap<Id, String> = HashMap::new();
    // Boxes first, outermost first: drawn behind what they hold.
    let mut boundaries: Vec<&Boundary> = session.boundaries.iter().collect();
    boundaries.sort_by_key(|b| layout.depth.get(&b.id).copied().unwrap_or(0));
    for b in boundaries {
        let Some(&(x, y, w, h)) = layout.boxes.get(&b.id) else {
            continue;
        };
        let id = ids.of(b.id);
        cell_ids.insert(b.id, id.clone());
        let depth = layout.depth.get(&b.id).copied().unwrap_or(0) as i64;
        let data = td_data(
            Shape::Box,
            &b.name,
            &b.description,
            None,
            &b.properties,
            Vec::new(),
            &format!("boundary {}", b.id),
            &mut notes,
        );
        cells.push(json!({
            "position": {"x": x, "y": y},
            "size": {"width": w, "height": h},
            "attrs": {"label": {"text": b.name}, "headerText": {"text": b.name}},
            "visible": true,
            "shape": "trust-boundary-box",
            "zIndex": -100 + depth,
            "id": id,
            "data": data,
        }));
    }
    let mut z = 0i64;
    let nodes = session
        .actors
        .iter()
        .map(|a| {
            (
                a.id,
                &a.name,
                &a.description,
                a.out_of_scope.as_ref(),
                &a.properties,
            )
        })
        .chain(session.components.iter().map(|c| {
            (
                c.id,
                &c.name,
                &c.description,
                c.out_of_scope.as_ref(),
                &c.properties,
            )
        }));
    for (eid, name, description, out_of_scope, properties) in nodes {
        let (Some(&shape), Some(&(x, y))) = (shapes.get(&eid), layout.nodes.get(&eid)) else {
            continue;
        };
        let id = ids.of(eid);
        cell_ids.insert(eid, id.clone());
        let threats = on.remove(&eid).unwrap_or_default();
        let data = td_data(
            shape,
            name,
            description,
            out_of_scope,
            properties,
            threats,
            &eid.to_string(),
            &mut notes,
        );
        let open = data.get("hasOpenThreats") == Some(&json!(true));
        let out = out_of_scope.is_some();
        let (w, h) = node_size(shape);
        let attrs = match shape {
            Shape::Store => json!({
                "text": {"text": name},
                "topLine": stroke(open, out),
                "bottomLine": stroke(open, out),
            }),
            _ => json!({"text": {"text": name}, "body": stroke(open, out)}),
        };
        z += 1;
        let shape_name = match shape {
            Shape::Actor => "actor",
            Shape::Store => "store",
            _ => "process",
        };
        cells.push(json!({
            "position": {"x": x, "y": y},
            "size": {"width": w, "height": h},
            "attrs": attrs,
            "visible": true,
            "shape": shape_name,
            "zIndex": z,
            "id": id,
            "data": data,
        }));
    }
    let mut skipped_flows = 0;
    for f in &session.flows {
        let (Some(from), Some(to)) = (cell_ids.get(&f.from), cell_ids.get(&f.to)) else {
            skipped_flows += 1;
            continue;
        };
        if !exported_flows.contains(&f.id) {
            skipped_flows += 1;
            continue;
        }
        let (from, to) = (from.clone(), to.clone());
        let id = ids.of(f.id);
        let threats = on.remove(&f.id).unwrap_or_default();
        let mut data = td_data(
            Shape::Flow,
            &f.label,
            &f.description,
            f.out_of_scope.as_ref(),
            &f.properties,
            threats,
            &f.id.to_string(),
            &mut notes,
        );
        data.insert("protocol".into(), json!(f.protocol));
        let open = data.get("hasOpenThreats") == Some(&json!(true));
        let both_ways = data.get("isBidirectional") == Some(&json!(true));
        let mut line = json!({
            "stroke": if open { "red" } else { "#333333" },
            "strokeWidth": if open { 2.5 } else { 1.5 },
            "targetMarker": {"name": "block"},
            "sourceMarker": {"name": if both_ways { "block" } else { "" }},
        });
        if f.out_of_scope.is_some()
            && let Some(l) = line.as_object_mut()
        {
            l.insert("strokeDasharray".into(), json!("4 3"));
        }
        cells.push(json!({
            "shape": "flow",
            "attrs": {"line": line},
            "width": 200,
            "height": 100,
            "zIndex": 10,
            "labels": [{
                "markup": [
                    {"tagName": "ellipse", "selector": "labelBody"},
                    {"tagName": "text", "selector": "labelText"}
                ],
                "attrs": {
                    "labelText": {"text": f.label, "textAnchor": "middle", "textVerticalAnchor": "middle"},
                    "labelBody": {"ref": "labelText", "refRx": "50%", "refRy": "60%", "fill": "#fff", "strokeWidth": 0}
                },
                "position": 0.5
            }],
            "connector": "smooth",
            "data": data,
            "id": id,
            "source": {"cell": from},
            "target": {"cell": to},
            "vertices": [],
        }));
    }
    if skipped_flows > 0 {
        notes.push(format!(
            "{} whose ends are not both actors or components left out",
            crate::core::text::plural(skipped_flows, "data flow", "data flows")
        ));
    }
    if !loose.is_empty() {
        let open = loose
            .iter()
            .any(|t| t.get("status").and_then(Value::as_str) == Some("Open"));
        let mut words = String::from("Threats not on any element:");
        for t in &loose_titles {
            words.push('\n');
            words.push_str(t);
        }
        let count = loose.len();
        cells.push(json!({
            "position": {"x": 40, "y": bottom},
            "size": {"width": 400, "height": (40 + 20 * count as i64).min(400)},
            "attrs": {"text": {"text": words}},
            "visible": true,
            "shape": "td-text-block",
            "zIndex": z + 1,
            "id": ids.fresh("loose-threats"),
            "data": {"type": "tm.Text", "name": words, "hasOpenThreats": open, "threats": loose},
        }));
        notes.push(format!(
            "{} without a target kept on a text block (Threat Dragon keeps threats on diagram elements)",
            crate::core::text::plural(count, "threat", "threats")
        ));
    }

    lost(session, generic_kinds, &mut notes);
    let facilitator = session.facilitator;
    let owner = facilitator
        .and_then(|f| session.participant(f))
        .map(|p| p.name.clone())
        .unwrap_or_default();
    // The AppSec participant reviews; the facilitator only when nobody
    // else has that persona.
    let appsec = |p: &&Participant| p.persona == Some(Persona::Appsec);
    let reviewer = session
        .participants
        .iter()
        .filter(appsec)
        .find(|p| Some(p.id) != facilitator)
        .or_else(|| session.participants.iter().find(appsec));
    let contributors: Vec<Value> = session
        .participants
        .iter()
        .filter(|p| Some(p.id) != facilitator && Some(p.id) != reviewer.map(|r| r.id))
        .map(|p| json!({"name": p.name}))
        .collect();
    let doc = json!({
        "version": VERSION,
        "summary": {
            "title": session.title,
            "owner": owner,
            "description": session.description,
            "id": 0,
        },
        "detail": {
            "contributors": contributors,
            "diagrams": [{
                "id": 0,
                "title": session.title,
                "diagramType": "STRIDE",
                "placeholder": "New STRIDE diagram description",
                "thumbnail": "./public/content/images/thumbnail.stride.jpg",
                "version": VERSION,
                "description": "",
                "cells": cells,
            }],
            "diagramTop": 1,
            "reviewer": reviewer.map(|r| r.name.clone()).unwrap_or_default(),
            "threatTop": max_number,
        },
    });
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    Exported { text, notes }
}

/// What a Threat Dragon model has no place for, counted.
fn lost(session: &Session, kinds: usize, notes: &mut Vec<String>) {
    use crate::core::text::plural;
    let threats = &session.threats;
    let count = |f: &dyn Fn(&Threat) -> bool| threats.iter().filter(|t| f(t)).count();
    let mut lost = Vec::new();
    let mut add = |n: usize, one: &str, many: &str| {
        if n > 0 {
            lost.push(plural(n, one, many));
        }
    };
    add(
        count(&|t| !t.statement.is_empty()),
        "threat's grammar statement",
        "threats' grammar statements",
    );
    add(
        count(&|t| t.likelihood.is_some() || t.impact.is_some()),
        "threat's likelihood and impact",
        "threats' likelihood and impact",
    );
    add(
        count(&|t| !t.also.is_empty()),
        "threat's extra STRIDE categories",
        "threats' extra STRIDE categories",
    );
    add(
        count(&|t| !t.tags.is_empty()),
        "threat's tags",
        "threats' tags",
    );
    add(
        count(&|t| !t.status_reason.is_empty()),
        "threat's status reason",
        "threats' status reasons",
    );
    add(
        count(&|t| t.status == ThreatStatus::Mitigating),
        "mitigating threat (written as Open)",
        "mitigating threats (written as Open)",
    );
    add(
        session.mitigations.len(),
        "mitigation's status, owner and notes (its text is in the threat's mitigation)",
        "mitigations' statuses, owners and notes (their texts are in the threats' mitigation)",
    );
    add(
        kinds,
        "component kind (drawn as a process, store or actor)",
        "component kinds (drawn as processes, stores or actors)",
    );
    add(session.assets.len(), "asset", "assets");
    add(session.entry_points.len(), "entry point", "entry points");
    add(session.assumptions.len(), "assumption", "assumptions");
    add(
        session
            .coverage
            .len()
            .saturating_add(session.dismissed.len()),
        "STRIDE walk mark",
        "STRIDE walk marks",
    );
    if !lost.is_empty() {
        notes.push(format!(
            "Threat Dragon has no place for: {}",
            lost.join(", ")
        ));
    }
    if !session.voting.ballots.is_empty() || !session.voting.tally.is_empty() {
        notes.push("Threat Dragon has no place for the votes".to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::catalog::Catalogs;
    use crate::core::stride::ElementType;

    /// An export draws each built-in data-store kind as a store, and no
    /// process kind as one (Firehose, Route 53 and SES are processes).
    #[test]
    fn builtin_stores_are_drawn_as_stores() {
        let catalogs = Catalogs::builtin().unwrap();
        for kind in catalogs.component_kinds() {
            let store = kind.element == ElementType::DataStore;
            assert_eq!(drawn_as_store(&kind.id), store, "{}", kind.id);
        }
    }
}
