//! Microsoft Threat Modeling Tool models (`.tm7`, import only): the XML
//! the tool saves (DataContract serialisation). Every diagram's stencils
//! become scope elements (processes and data stores components, external
//! interactors actors, boundary boxes trust boundaries that hold what is
//! drawn inside them), its connectors data flows, and the generated
//! threats threats, with their possible mitigations as a mitigation. The
//! mapping is in the README ("Other tools' files").
//!
//! The model embeds its template (`KnowledgeBase`): it names the element
//! types of a custom template, the threat types' categories and the labels
//! of threat properties keyed by GUID. It is read for that and not kept.

use std::collections::{BTreeMap, HashMap, HashSet};

use roxmltree::{Document, Node, ParsingOptions};

use super::threat_dragon::{PROCESS_KIND, STORE_KIND};
use super::{Builder, Format, ImportError, Imported, PendingThreat};
use crate::core::ids::{Id, IdKind};
use crate::core::model::{
    Actor, Assumption, Boundary, Component, Flow, Participant, Persona, Priority, Threat,
    ThreatStatus,
};
use crate::core::stride::Category;
use crate::core::text::one_line;
use crate::core::time::Timestamp;

/// The root element of a saved model.
pub const ROOT: &str = "ThreatModel";

/// Most XML nodes (elements, attributes' text, text runs) a model may
/// have: the largest sample has about 26,000; a 16 MiB file of empty
/// elements would have four million.
const MAX_NODES: u32 = 2_000_000;

/// Most bytes a model may have (the command line reads at most 16 MiB).
const MAX_BYTES: usize = 64 * 1024 * 1024;

/// Coordinates beyond this are not a drawing: the element is not placed.
const MAX_COORDINATE: f64 = 1e9;

/// Most steps from a custom element type up to its generic one.
const MAX_TYPE_DEPTH: usize = 16;

/// The GUID the tool writes for a connector end attached to nothing.
const NO_GUID: &str = "00000000-0000-0000-0000-000000000000";

/// What a stencil or line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Process,
    Actor,
    Store,
    Flow,
    /// A trust boundary box: what is drawn inside it is in the boundary.
    Box,
    /// A trust boundary line: no inside.
    Line,
    /// A free-text annotation.
    Annotation,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Process => "process",
            Kind::Actor => "external interactor",
            Kind::Store => "data store",
            Kind::Flow => "data flow",
            Kind::Box | Kind::Line => "trust boundary",
            Kind::Annotation => "annotation",
        }
    }

    /// The SDL template's generic element types.
    fn from_generic(id: &str) -> Option<Kind> {
        Some(match id {
            "GE.P" => Kind::Process,
            "GE.EI" => Kind::Actor,
            "GE.DS" => Kind::Store,
            "GE.DF" => Kind::Flow,
            "GE.TB.B" => Kind::Box,
            "GE.TB.L" => Kind::Line,
            "GE.A" => Kind::Annotation,
            _ => return None,
        })
    }

    /// The drawn shape (`i:type` of a stencil or line).
    fn from_shape(shape: &str) -> Option<Kind> {
        Some(match shape {
            "StencilEllipse" => Kind::Process,
            "StencilRectangle" => Kind::Actor,
            "StencilParallelLines" => Kind::Store,
            "Connector" => Kind::Flow,
            "BorderBoundary" => Kind::Box,
            "LineBoundary" => Kind::Line,
            "StencilAnnotation" | "Annotation" => Kind::Annotation,
            _ => return None,
        })
    }

    /// A template element type's `Representation`.
    fn from_representation(r: &str) -> Option<Kind> {
        Some(match r {
            "Ellipse" => Kind::Process,
            "Rectangle" => Kind::Actor,
            "ParallelLines" => Kind::Store,
            "Line" => Kind::Flow,
            "BorderBoundary" => Kind::Box,
            "LineBoundary" => Kind::Line,
            "Annotation" => Kind::Annotation,
            _ => return None,
        })
    }
}

/// Whether `text` starts like XML (after a byte-order mark and blanks):
/// no JSON or OTM YAML file does.
pub fn starts_like_xml(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
}

/// Parses XML with DTDs refused (no entity can expand) and at most
/// [`MAX_NODES`] nodes, with the line and column of an error.
pub fn parse(text: &str) -> Result<Document<'_>, ImportError> {
    if text.len() > MAX_BYTES {
        return Err(ImportError::Syntax {
            line: 1,
            column: 1,
            message: format!(
                "the file is larger than {} MiB; not read",
                MAX_BYTES / (1024 * 1024)
            ),
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, options).map_err(|e| {
        let pos = e.pos();
        let message = match e {
            roxmltree::Error::DtdDetected => {
                "the file has a DTD (<!DOCTYPE>), which a Threat Modeling Tool model never has; \
                 refused, so that no entity is expanded"
                    .to_string()
            }
            roxmltree::Error::NodesLimitReached => {
                format!("more than {MAX_NODES} XML nodes; not read")
            }
            other => other.to_string(),
        };
        ImportError::Syntax {
            line: usize::try_from(pos.row).unwrap_or(usize::MAX).max(1),
            column: usize::try_from(pos.col).unwrap_or(usize::MAX).max(1),
            message,
        }
    })?;
    // The text is UTF-8 already: a declaration saying otherwise is wrong
    // about it (a UTF-16 file never gets here as text).
    if let Some(encoding) = declared_encoding(text)
        && !matches!(encoding.to_ascii_lowercase().as_str(), "utf-8" | "utf8")
    {
        return Err(ImportError::NotTheFormat(format!(
            "the file declares the encoding {encoding}, which stridekit does not read; \
             save it as UTF-8"
        )));
    }
    Ok(doc)
}

/// The `encoding` of the XML declaration, if there is one.
fn declared_encoding(text: &str) -> Option<&str> {
    let rest = text.trim_start().strip_prefix("<?xml")?;
    let decl = &rest[..rest.find("?>")?];
    let at = decl.find("encoding")?;
    let after = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?;
    let after = after.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &after[1..];
    Some(&value[..value.find(quote)?])
}

/// Whether `doc` is a Threat Modeling Tool model.
pub fn looks_like(doc: &Document<'_>) -> bool {
    doc.root_element().tag_name().name() == ROOT
}

// ---------------------------------------------------------------- XML helpers

fn is_nil(n: Node<'_, '_>) -> bool {
    n.attributes()
        .any(|a| a.name() == "nil" && a.value().trim() == "true")
}

/// The `i:type` of an element, without its prefix.
fn xsi_type<'a>(n: Node<'a, '_>) -> Option<&'a str> {
    n.attributes()
        .find(|a| a.name() == "type")
        .map(|a| a.value().rsplit(':').next().unwrap_or(""))
}

fn elements<'a, 'i>(n: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    n.children().filter(Node::is_element)
}

fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    elements(n).find(|c| c.tag_name().name() == name)
}

/// The text of an element (all its text, no markup), empty when nil.
fn text_of(n: Option<Node<'_, '_>>) -> String {
    match n {
        Some(n) if !is_nil(n) => n
            .children()
            .filter(Node::is_text)
            .filter_map(|t| t.text())
            .collect(),
        _ => String::new(),
    }
}

fn child_text(n: Node<'_, '_>, name: &str) -> String {
    text_of(child(n, name))
}

/// A coordinate, when it is a finite number of a drawing's size.
fn coordinate(n: Node<'_, '_>, name: &str) -> Option<f64> {
    child_text(n, name)
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && v.abs() <= MAX_COORDINATE)
}

/// A drawn rectangle (`Left`, `Top`, `Width`, `Height`).
#[derive(Debug, Clone, Copy)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    fn of(n: Node<'_, '_>) -> Option<Rect> {
        let r = Rect {
            x: coordinate(n, "Left")?,
            y: coordinate(n, "Top")?,
            w: coordinate(n, "Width")?,
            h: coordinate(n, "Height")?,
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

// ---------------------------------------------------------------- template

/// What the embedded template says.
#[derive(Default)]
struct Kb {
    /// Element type id: (name, parent id, representation).
    elements: HashMap<String, (String, String, String)>,
    /// Threat category id: name.
    categories: HashMap<String, String>,
    /// Threat type id: category id.
    threat_types: HashMap<String, String>,
    /// Threat property key: its label.
    labels: HashMap<String, String>,
}

impl Kb {
    fn read(kb: Option<Node<'_, '_>>) -> Kb {
        let mut out = Kb::default();
        let Some(kb) = kb else {
            return out;
        };
        for section in ["GenericElements", "StandardElements"] {
            for e in child(kb, section).into_iter().flat_map(elements) {
                let id = child_text(e, "Id");
                if !id.is_empty() {
                    out.elements.entry(id).or_insert((
                        child_text(e, "Name"),
                        child_text(e, "ParentId"),
                        child_text(e, "Representation"),
                    ));
                }
            }
        }
        for c in child(kb, "ThreatCategories").into_iter().flat_map(elements) {
            let id = child_text(c, "Id");
            if !id.is_empty() {
                out.categories.entry(id).or_insert(child_text(c, "Name"));
            }
        }
        for t in child(kb, "ThreatTypes").into_iter().flat_map(elements) {
            let id = child_text(t, "Id");
            if !id.is_empty() {
                out.threat_types
                    .entry(id)
                    .or_insert(child_text(t, "Category"));
            }
        }
        let meta = child(kb, "ThreatMetaData").and_then(|m| child(m, "PropertiesMetaData"));
        for p in meta.into_iter().flat_map(elements) {
            let (name, label) = (child_text(p, "Name"), child_text(p, "Label"));
            if !name.is_empty() && !label.trim().is_empty() {
                out.labels.entry(name).or_insert(label);
            }
        }
        out
    }

    /// The kind of a generic type id: an SDL one, or a custom one through
    /// its parents to an SDL one or to its own representation.
    fn kind(&self, generic: &str) -> Option<Kind> {
        let mut id = generic;
        for _ in 0..MAX_TYPE_DEPTH {
            if let Some(k) = Kind::from_generic(id) {
                return Some(k);
            }
            let (_, parent, representation) = self.elements.get(id)?;
            if parent.is_empty() || parent == "ROOT" || parent == id {
                return Kind::from_representation(representation);
            }
            id = parent;
        }
        None
    }

    fn type_name(&self, id: &str) -> Option<&str> {
        self.elements
            .get(id)
            .map(|(name, _, _)| name.as_str())
            .filter(|n| !n.trim().is_empty())
    }
}

// ---------------------------------------------------------------- categories

/// Lower-case letters and digits only: "Elevation Of Privileges" and
/// "elevation of privilege" compare equal once a plural `s` is dropped.
fn squash(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A STRIDE category by its letter or (English) name.
fn stride(text: &str) -> Option<Category> {
    let t = text.trim();
    if t.chars().count() == 1 {
        let letter = t.chars().next()?.to_ascii_uppercase();
        return Category::ALL.into_iter().find(|c| c.letter() == letter);
    }
    let k = squash(t);
    let k = k
        .strip_suffix('s')
        .filter(|k| k.ends_with("privilege"))
        .unwrap_or(&k);
    Category::ALL
        .into_iter()
        .find(|c| squash(c.name()) == k || squash(c.key()) == k)
}

/// The STRIDE category nearest to the SDL template's `A` (Abuse: "a
/// legitimate user violates the terms of use for the system without
/// violating a system security policy"): doing more than one is allowed
/// to, Elevation of Privilege.
fn nearest_category(text: &str) -> Option<Category> {
    matches!(squash(text).as_str(), "a" | "abuse").then_some(Category::ElevationOfPrivilege)
}

/// The tool's threat states: `AutoGenerated` (shown as "Not Started") and
/// `NeedsInvestigation` are open, `NotApplicable` and `Mitigated` as said.
/// The flag says whether the mapping loses nothing.
fn state(text: &str) -> Option<(ThreatStatus, bool)> {
    Some(match squash(text).as_str() {
        "autogenerated" | "notstarted" => (ThreatStatus::Open, true),
        "needsinvestigation" => (ThreatStatus::Open, false),
        "notapplicable" => (ThreatStatus::NotApplicable, true),
        "mitigated" => (ThreatStatus::Mitigated, true),
        _ => return None,
    })
}

/// `High`, `Medium`, `Low` as they are; `highest` (a custom template's)
/// read as high.
fn priority(text: &str) -> Option<(Priority, bool)> {
    Some(match text.trim() {
        "High" => (Priority::High, true),
        "Medium" => (Priority::Medium, true),
        "Low" => (Priority::Low, true),
        t => match squash(t).as_str() {
            "high" => (Priority::High, true),
            "medium" => (Priority::Medium, true),
            "low" => (Priority::Low, true),
            "highest" | "critical" | "veryhigh" => (Priority::High, false),
            "lowest" | "verylow" => (Priority::Low, false),
            _ => return None,
        },
    })
}

// ---------------------------------------------------------------- reader

/// A stencil or line of a diagram, read.
struct Item<'a, 'i> {
    at: String,
    diagram: usize,
    node: Node<'a, 'i>,
    guid: String,
    kind: Option<Kind>,
    made: Option<Id>,
}

/// Display attributes of an element, read.
#[derive(Default)]
struct Attributes {
    name: String,
    out_of_scope: bool,
    reason: String,
    properties: BTreeMap<String, String>,
}

struct Reader<'a, 'i> {
    b: Builder,
    kb: Kb,
    items: Vec<Item<'a, 'i>>,
    /// Element GUID: (our id, kind).
    by_guid: HashMap<String, (Id, Kind)>,
    unnamed: HashMap<&'static str, usize>,
    /// Custom generic types already reported.
    custom_noted: HashSet<String>,
}

impl Reader<'_, '_> {
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
}

/// The display attributes (`Properties`) of a stencil, line or diagram.
fn attributes(b: &mut Builder, n: Node<'_, '_>, at: &str) -> Attributes {
    let mut out = Attributes::default();
    let mut named = false;
    let Some(props) = child(n, "Properties") else {
        return out;
    };
    for (j, p) in elements(props).enumerate() {
        let p_at = format!("{at}.Properties[{j}]");
        let kind = xsi_type(p).unwrap_or("");
        let display = child_text(p, "DisplayName");
        let value_node = child(p, "Value");
        let value = match kind {
            // A heading in the tool's property grid: no value.
            "HeaderDisplayAttribute" => continue,
            "ListDisplayAttribute" => {
                let options: Vec<String> = value_node
                    .into_iter()
                    .flat_map(elements)
                    .map(|o| text_of(Some(o)))
                    .collect();
                let index = child_text(p, "SelectedIndex");
                match index.trim().parse::<usize>().ok() {
                    Some(i) if i < options.len() => options[i].clone(),
                    _ if options.is_empty() => String::new(),
                    _ => {
                        b.unmapped(
                            p_at,
                            format!(
                                "`{}`: selected index `{}` is not one of its {} choices; not kept",
                                one_line(display.trim()),
                                one_line(index.trim()),
                                options.len()
                            ),
                        );
                        continue;
                    }
                }
            }
            _ => text_of(value_node),
        };
        match (kind, display.trim()) {
            ("StringDisplayAttribute", "Name") if !named => {
                out.name = value;
                named = true;
            }
            ("BooleanDisplayAttribute", "Out Of Scope") => match value.trim() {
                "true" => out.out_of_scope = true,
                "false" | "" => {}
                other => b.unmapped(
                    p_at,
                    format!(
                        "Out Of Scope `{}` is not true or false; read as in scope",
                        one_line(other)
                    ),
                ),
            },
            (_, "Reason For Out Of Scope") => out.reason = value,
            (_, "") => {
                if !value.trim().is_empty() {
                    b.unmapped(
                        p_at,
                        format!(
                            "an attribute with no display name (`{}`); not kept",
                            one_line(value.trim())
                        ),
                    );
                }
            }
            (_, key) => {
                if value.is_empty() {
                    continue;
                }
                if out.properties.contains_key(key) {
                    b.unmapped(
                        p_at,
                        format!(
                            "attribute `{}` appears twice; the first is kept",
                            one_line(key)
                        ),
                    );
                } else {
                    out.properties.insert(key.to_string(), value);
                }
            }
        }
    }
    out
}

pub fn import(text: &str, name: &str, now: Timestamp) -> Result<Imported, ImportError> {
    let doc = parse(text)?;
    import_doc(&doc, name, now)
}

/// Reads a parsed document (see [`parse`]).
pub fn import_doc(doc: &Document<'_>, name: &str, now: Timestamp) -> Result<Imported, ImportError> {
    let root = doc.root_element();
    if !looks_like(doc) {
        return Err(ImportError::NotTheFormat(format!(
            "not a Threat Modeling Tool model: the root element is <{}>, not <{ROOT}>",
            root.tag_name().name()
        )));
    }
    let meta = child(root, "MetaInformation");
    let model_name = meta
        .map(|m| child_text(m, "ThreatModelName"))
        .unwrap_or_default();
    let title = if !model_name.trim().is_empty() {
        model_name
    } else if !name.trim().is_empty() {
        name.to_string()
    } else {
        "Imported Threat Modeling Tool model".to_string()
    };
    let mut b = Builder::new(Format::Tmt, &title, now);
    b.session.title = title;
    let mut architecture = Vec::new();

    for section in elements(root) {
        let key = section.tag_name().name();
        match key {
            "DrawingSurfaceList" | "MetaInformation" | "Notes" | "ThreatInstances" => {}
            "KnowledgeBase" => {
                let manifest = child(section, "Manifest");
                let kb_name = manifest.map(|m| child_text(m, "Name")).unwrap_or_default();
                let version = manifest
                    .map(|m| child_text(m, "Version"))
                    .unwrap_or_default();
                b.unmapped(
                    "KnowledgeBase",
                    format!(
                        "the template (\"{}\" {}) is not kept: it names element types, threat categories and threat properties",
                        one_line(kb_name.trim()),
                        one_line(version.trim())
                    ),
                );
            }
            "Version" => {
                let v = text_of(Some(section));
                if !v.trim().starts_with('4') {
                    b.unmapped(
                        "Version",
                        format!(
                            "version `{}` is not one stridekit knows (4.x); read as 4",
                            one_line(v.trim())
                        ),
                    );
                }
            }
            "ThreatGenerationEnabled" => {}
            "Validations" | "Profile" => {
                let has = section
                    .descendants()
                    .any(|d| d.is_text() && d.text().is_some_and(|t| !t.trim().is_empty()));
                if has {
                    b.unmapped(key, "the tool's own settings and checks; not kept");
                }
            }
            _ => b.unmapped(key, "not a Threat Modeling Tool section stridekit knows"),
        }
    }

    if let Some(meta) = meta {
        read_meta(&mut b, meta, &mut architecture);
    }
    if let Some(notes) = child(root, "Notes") {
        for (i, note) in elements(notes).enumerate() {
            let message = child_text(note, "Message");
            if message.trim().is_empty() {
                continue;
            }
            let by = child_text(note, "AddedBy");
            let date = child_text(note, "Date");
            let mut line = format!("Note {}", i.saturating_add(1));
            let about: Vec<&str> = [by.trim(), date.trim()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            if !about.is_empty() {
                line.push_str(&format!(" ({})", about.join(", ")));
            }
            line.push_str(": ");
            line.push_str(message.trim());
            architecture.push(line);
        }
    }

    let kb = Kb::read(child(root, "KnowledgeBase"));
    let mut r = Reader {
        b,
        kb,
        items: Vec::new(),
        by_guid: HashMap::new(),
        unnamed: HashMap::new(),
        custom_noted: HashSet::new(),
    };

    let mut diagrams = 0usize;
    if let Some(list) = child(root, "DrawingSurfaceList") {
        for (d, surface) in elements(list).enumerate() {
            diagrams = d.saturating_add(1);
            read_diagram(&mut r, d, surface, &mut architecture);
        }
    }
    if diagrams > 1 {
        r.b.unmapped(
            "DrawingSurfaceList",
            format!(
                "{diagrams} diagrams are merged into one scope; their names are in the architecture notes"
            ),
        );
    }
    r.b.session.architecture = architecture.join("\n");

    read_elements(&mut r);
    read_flows(&mut r);
    place_in_boundaries(&mut r);
    if let Some(list) = child(root, "ThreatInstances") {
        read_threats(&mut r, list, now);
    }
    Ok(r.b.finish(Format::Tmt))
}

/// The model's name, description, people and free-text fields.
fn read_meta(b: &mut Builder, meta: Node<'_, '_>, architecture: &mut Vec<String>) {
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
    // The owner and reviewer first, so they lead the participants.
    let people_first = |n: &Node<'_, '_>| !matches!(n.tag_name().name(), "Owner" | "Reviewer");
    let mut fields: Vec<Node<'_, '_>> = elements(meta).collect();
    fields.sort_by_key(people_first);
    for field in fields {
        let key = field.tag_name().name();
        let value = text_of(Some(field));
        let v = value.trim();
        match key {
            "ThreatModelName" => {}
            "HighLevelSystemDescription" => b.session.description = value.clone(),
            "Owner" => b.session.facilitator = person(b, v, None),
            "Reviewer" => {
                if !v.is_empty()
                    && b.session
                        .participants
                        .iter()
                        .any(|p| p.name.eq_ignore_ascii_case(v))
                {
                    b.unmapped(
                        "MetaInformation.Reviewer",
                        "the reviewer is already a participant (the owner): given the AppSec persona",
                    );
                }
                person(b, v, Some(Persona::Appsec));
            }
            "Contributors" => {
                for name in v.split([',', ';', '\n']) {
                    let name = name.trim();
                    if name.is_empty() {
                        continue;
                    }
                    if b.session
                        .participants
                        .iter()
                        .any(|p| p.name.eq_ignore_ascii_case(name))
                    {
                        b.unmapped(
                            "MetaInformation.Contributors",
                            format!("{} is already a participant", one_line(name)),
                        );
                    } else {
                        person(b, name, None);
                    }
                }
            }
            "Assumptions" => {
                for line in v.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    if matches!(squash(line).as_str(), "none" | "na") {
                        b.unmapped(
                            "MetaInformation.Assumptions",
                            format!("`{line}`: no assumption; not kept"),
                        );
                        continue;
                    }
                    let Some(id) = b.session.next_id(IdKind::Assumption) else {
                        b.unmapped("MetaInformation.Assumptions", "no id left; not kept");
                        break;
                    };
                    b.session.assumptions.push(Assumption {
                        id,
                        text: line.to_string(),
                        notes: String::new(),
                        tags: Vec::new(),
                        threats: Vec::new(),
                        mitigations: Vec::new(),
                    });
                }
            }
            "ExternalDependencies" => {
                if !v.is_empty() && !matches!(squash(v).as_str(), "none" | "na") {
                    architecture.push(format!("External dependencies: {v}"));
                } else if !v.is_empty() {
                    b.unmapped(
                        "MetaInformation.ExternalDependencies",
                        format!("`{}`: no dependency; not kept", one_line(v)),
                    );
                }
            }
            _ => {
                if !v.is_empty() {
                    b.unmapped(
                        format!("MetaInformation.{key}"),
                        "not a Threat Modeling Tool field stridekit keeps",
                    );
                }
            }
        }
    }
}

/// The stencils and lines of diagram `d`.
fn read_diagram<'a, 'i>(
    r: &mut Reader<'a, 'i>,
    d: usize,
    surface: Node<'a, 'i>,
    architecture: &mut Vec<String>,
) {
    let at = format!("DrawingSurfaceList[{d}]");
    let attrs = attributes(&mut r.b, surface, &at);
    let header = child_text(surface, "Header");
    let shown = if attrs.name.trim().is_empty() {
        header.trim().to_string()
    } else {
        attrs.name.trim().to_string()
    };
    architecture.push(format!(
        "Threat Modeling Tool diagram \"{}\"",
        one_line(&shown)
    ));
    for (key, value) in &attrs.properties {
        r.b.unmapped(
            format!("{at}.Properties"),
            format!(
                "the diagram's attribute `{}` = `{}` is not kept",
                one_line(key),
                one_line(value)
            ),
        );
    }
    let mut drawn = false;
    for part in ["Borders", "Lines"] {
        let Some(list) = child(surface, part) else {
            continue;
        };
        for (i, entry) in elements(list).enumerate() {
            let item_at = format!("{at}.{part}[{i}]");
            let Some(node) = child(entry, "Value") else {
                r.b.unmapped(item_at, "an entry with no value; skipped");
                continue;
            };
            drawn = true;
            let guid = {
                let g = child_text(node, "Guid");
                if g.trim().is_empty() {
                    child_text(entry, "Key")
                } else {
                    g
                }
            };
            let guid = guid.trim().to_string();
            let kind = kind_of(r, node, &item_at);
            r.items.push(Item {
                at: item_at,
                diagram: d,
                node,
                guid,
                kind,
                made: None,
            });
        }
    }
    if drawn {
        r.b.unmapped(
            at,
            "positions, sizes, styles and connector ends' points are not kept",
        );
    }
}

/// What a stencil or line is: by its generic type (an SDL one, or a custom
/// template's through its parents), else by its drawn shape.
fn kind_of(r: &mut Reader<'_, '_>, node: Node<'_, '_>, at: &str) -> Option<Kind> {
    let generic = child_text(node, "GenericTypeId");
    let generic = generic.trim();
    let shape = xsi_type(node).unwrap_or("");
    let by_shape = Kind::from_shape(shape);
    if let Some(k) = Kind::from_generic(generic) {
        return Some(k);
    }
    if let Some(k) = r.kb.kind(generic) {
        if r.custom_noted.insert(generic.to_string()) {
            let name = r.kb.type_name(generic).unwrap_or("").to_string();
            r.b.unmapped(
                at,
                format!(
                    "generic type `{}` (\"{}\") is the file's own template's; read as {} {} (and so is every element of it)",
                    one_line(generic),
                    one_line(&name),
                    article(k.noun()),
                    k.noun()
                ),
            );
        }
        return Some(k);
    }
    if let Some(k) = by_shape {
        if r.custom_noted.insert(generic.to_string()) {
            r.b.unmapped(
                at,
                format!(
                    "unknown generic type `{}`; read as {} {} by its shape {shape} (and so is every element of it)",
                    one_line(generic),
                    article(k.noun()),
                    k.noun()
                ),
            );
        }
        return Some(k);
    }
    None
}

fn article(noun: &str) -> &'static str {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// The type's name and id, kept in the properties.
fn type_properties(
    r: &Reader<'_, '_>,
    node: Node<'_, '_>,
    properties: &mut BTreeMap<String, String>,
) {
    let type_id = child_text(node, "TypeId");
    let type_id = type_id.trim();
    if type_id.is_empty() {
        return;
    }
    properties.insert("tmt.type-id".to_string(), type_id.to_string());
    if let Some(name) = r.kb.type_name(type_id) {
        properties.insert("tmt.type".to_string(), name.to_string());
    }
}

/// Actors, processes, stores and boundaries (flows need their ends first).
fn read_elements(r: &mut Reader<'_, '_>) {
    for i in 0..r.items.len() {
        let (at, node, kind, guid) = {
            let it = &r.items[i];
            (it.at.clone(), it.node, it.kind, it.guid.clone())
        };
        let Some(kind) = kind else {
            let shape = xsi_type(node).unwrap_or("");
            let generic = child_text(node, "GenericTypeId");
            r.b.unmapped(
                at,
                format!(
                    "unknown element type `{}` (drawn as `{}`); skipped",
                    one_line(generic.trim()),
                    one_line(shape)
                ),
            );
            continue;
        };
        let made = match kind {
            Kind::Flow => continue,
            Kind::Annotation => {
                let attrs = attributes(&mut r.b, node, &at);
                let words = attrs
                    .properties
                    .values()
                    .chain(std::iter::once(&attrs.name))
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| one_line(s.trim()).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ");
                r.b.unmapped(
                    at,
                    format!("a free-text annotation (`{words}`) is not imported"),
                );
                continue;
            }
            Kind::Actor => {
                let Some(id) = r.b.id(IdKind::Actor, None) else {
                    r.b.unmapped(at, "no id left to give it; skipped");
                    continue;
                };
                let a = attributes(&mut r.b, node, &at);
                let name = r.name(a.name, kind.noun(), &at);
                let mut properties = a.properties;
                type_properties(r, node, &mut properties);
                let out_of_scope = out_of_scope(a.out_of_scope, a.reason, &mut properties);
                r.b.session.actors.push(Actor {
                    id,
                    name,
                    description: String::new(),
                    out_of_scope,
                    properties,
                });
                id
            }
            Kind::Process | Kind::Store => {
                let Some(id) = r.b.id(IdKind::Component, None) else {
                    r.b.unmapped(at, "no id left to give it; skipped");
                    continue;
                };
                let a = attributes(&mut r.b, node, &at);
                let name = r.name(a.name, kind.noun(), &at);
                let mut properties = a.properties;
                type_properties(r, node, &mut properties);
                let out_of_scope = out_of_scope(a.out_of_scope, a.reason, &mut properties);
                r.b.session.components.push(Component {
                    id,
                    name,
                    kind: if kind == Kind::Process {
                        PROCESS_KIND
                    } else {
                        STORE_KIND
                    }
                    .to_string(),
                    boundary: None,
                    description: String::new(),
                    out_of_scope,
                    properties,
                });
                id
            }
            Kind::Box | Kind::Line => {
                let Some(id) = r.b.id(IdKind::Boundary, None) else {
                    r.b.unmapped(at, "no id left to give it; skipped");
                    continue;
                };
                let a = attributes(&mut r.b, node, &at);
                let name = r.name(a.name, kind.noun(), &at);
                let mut properties = a.properties;
                type_properties(r, node, &mut properties);
                // A boundary has no out-of-scope mark of its own.
                if a.out_of_scope {
                    properties.insert("Out Of Scope".to_string(), "true".to_string());
                }
                if !a.reason.trim().is_empty() {
                    properties.insert("Reason For Out Of Scope".to_string(), a.reason);
                }
                r.b.session.boundaries.push(Boundary {
                    id,
                    name,
                    parent: None,
                    description: String::new(),
                    properties,
                });
                id
            }
        };
        record(r, i, made, kind, &guid);
    }
}

/// The out-of-scope mark: the reason when out of scope, else the reason
/// (if any) kept in the properties.
fn out_of_scope(
    out: bool,
    reason: String,
    properties: &mut BTreeMap<String, String>,
) -> Option<String> {
    if out {
        Some(reason)
    } else {
        if !reason.trim().is_empty() {
            properties.insert("Reason For Out Of Scope".to_string(), reason);
        }
        None
    }
}

/// Remembers what item `i` became, by its GUID.
fn record(r: &mut Reader<'_, '_>, i: usize, id: Id, kind: Kind, guid: &str) {
    r.items[i].made = Some(id);
    let at = r.items[i].at.clone();
    if guid.is_empty() {
        r.b.unmapped(
            format!("{at}.Guid"),
            "no GUID: no data flow or threat can refer to it",
        );
        return;
    }
    if r.by_guid.contains_key(guid) {
        r.b.unmapped(
            format!("{at}.Guid"),
            format!("GUID {guid} is used twice; data flows and threats go to the first"),
        );
        return;
    }
    r.by_guid.insert(guid.to_string(), (id, kind));
    r.b.foreign(id, guid);
}

fn read_flows(r: &mut Reader<'_, '_>) {
    for i in 0..r.items.len() {
        if r.items[i].kind != Some(Kind::Flow) {
            continue;
        }
        let (at, node, guid) = {
            let it = &r.items[i];
            (it.at.clone(), it.node, it.guid.clone())
        };
        let mut ends = Vec::new();
        let mut why = None;
        for key in ["SourceGuid", "TargetGuid"] {
            let end = child_text(node, key);
            let end = end.trim();
            let made = if end.is_empty() || end == NO_GUID {
                why.get_or_insert(format!("its {key} is not attached to an element"));
                None
            } else {
                match r.by_guid.get(end) {
                    Some((id, Kind::Actor | Kind::Process | Kind::Store)) => Some(*id),
                    Some((_, k)) => {
                        why.get_or_insert(format!(
                            "its {key} is a {}, not a process, external interactor or data store",
                            k.noun()
                        ));
                        None
                    }
                    None => {
                        why.get_or_insert(format!(
                            "its {key} `{}` is not an element of the model",
                            one_line(end)
                        ));
                        None
                    }
                }
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
        let a = attributes(&mut r.b, node, &at);
        let label = r.name(a.name, "data flow", &at);
        let mut properties = a.properties;
        type_properties(r, node, &mut properties);
        let out_of_scope = out_of_scope(a.out_of_scope, a.reason, &mut properties);
        r.b.session.flows.push(Flow {
            id,
            from,
            to,
            label,
            protocol: String::new(),
            assets: Vec::new(),
            description: String::new(),
            out_of_scope,
            properties,
        });
        record(r, i, id, Kind::Flow, &guid);
    }
}

/// Components inside a boundary box are in that boundary (the innermost
/// box wins); a box inside another has it as parent.
fn place_in_boundaries(r: &mut Reader<'_, '_>) {
    let mut boxes: Vec<(usize, Id, Rect)> = Vec::new();
    let mut lines: Vec<(usize, String)> = Vec::new();
    for it in &r.items {
        match (it.kind, it.made) {
            (Some(Kind::Box), Some(id)) => match Rect::of(it.node) {
                Some(rect) => boxes.push((it.diagram, id, rect)),
                None => r.b.unmapped(
                    it.at.clone(),
                    "a trust boundary box without a usable position and size: nothing is placed in it",
                ),
            },
            (Some(Kind::Line), Some(_)) => lines.push((it.diagram, it.at.clone())),
            _ => {}
        }
    }
    for (diagram, at) in lines {
        let elements = r.items.iter().any(|it| {
            it.diagram == diagram
                && it.made.is_some()
                && matches!(it.kind, Some(Kind::Process | Kind::Store))
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
            .map(|(_, id, _)| *id)
    };
    let mut parents = Vec::new();
    for (diagram, id, rect) in &boxes {
        let area = rect.area();
        if let Some(parent) = innermost(
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
    for (i, it) in r.items.iter().enumerate() {
        let (Some(kind @ (Kind::Actor | Kind::Process | Kind::Store)), Some(id)) =
            (it.kind, it.made)
        else {
            continue;
        };
        let Some(rect) = Rect::of(it.node) else {
            if kind != Kind::Actor {
                r.b.unmapped(
                    it.at.clone(),
                    "no usable position and size: not placed in a trust boundary",
                );
            }
            continue;
        };
        if let Some(boundary) =
            innermost(it.diagram, &|b: &Rect| b.holds_point(rect.centre()), None)
        {
            placed.push((i, id, kind, boundary));
        }
    }
    for (i, id, kind, boundary) in placed {
        if kind == Kind::Actor {
            let name = r.b.session.name(boundary).unwrap_or("").to_string();
            let at = r.items[i].at.clone();
            r.b.unmapped(
                at,
                format!(
                    "the external interactor is drawn inside the trust boundary \"{}\"; an actor has no boundary in stridekit",
                    one_line(&name)
                ),
            );
        } else if let Some(c) = r.b.session.components.iter_mut().find(|c| c.id == id) {
            c.boundary = Some(boundary);
        }
    }
}

// ---------------------------------------------------------------- threats

/// Threat fields that are the tool's bookkeeping, worked out again from
/// the drawing or the template.
const DERIVED_FIELDS: [&str; 9] = [
    "ChangedBy",
    "DrawingSurfaceGuid",
    "InteractionKey",
    "InteractionString",
    "ModifiedAt",
    "SourceGuid",
    "TargetGuid",
    "Upgraded",
    "Wide",
];

fn read_threats(r: &mut Reader<'_, '_>, list: Node<'_, '_>, now: Timestamp) {
    let mut read = Vec::new();
    let mut bookkeeping = false;
    for (i, entry) in elements(list).enumerate() {
        let at = format!("ThreatInstances[{i}]");
        let Some(value) = child(entry, "Value") else {
            r.b.unmapped(at, "an entry with no value; skipped");
            continue;
        };
        let order = read.len();
        read.push(read_threat(r, &at, value, order, now, &mut bookkeeping));
    }
    if bookkeeping {
        r.b.unmapped(
            "ThreatInstances",
            "who changed each threat and when, its interaction key and flags (Wide, Upgraded) are not kept",
        );
    }
    r.b.add_threats(read, "Id");
}

/// Whether a threat property is the possible mitigations, by its key or
/// its label in the template.
fn is_mitigation_key(key: &str, label: &str) -> bool {
    ["possiblemitigations", "mitigations", "mitigation"].contains(&squash(key).as_str())
        || ["possiblemitigations", "mitigations", "mitigation"].contains(&squash(label).as_str())
}

fn read_threat(
    r: &mut Reader<'_, '_>,
    at: &str,
    value: Node<'_, '_>,
    order: usize,
    now: Timestamp,
    bookkeeping: &mut bool,
) -> PendingThreat {
    // The threat's properties, by key, with their labels.
    let mut props: Vec<(String, String, String)> = Vec::new();
    for field in elements(value) {
        let key = field.tag_name().name();
        match key {
            "Properties" => {
                for (j, kv) in elements(field).enumerate() {
                    let k = child_text(kv, "Key");
                    let v = child_text(kv, "Value");
                    if k.trim().is_empty() {
                        if !v.trim().is_empty() {
                            r.b.unmapped(
                                format!("{at}.Properties[{j}]"),
                                "a property with no key; not kept",
                            );
                        }
                        continue;
                    }
                    let label = r.kb.labels.get(k.trim()).cloned().unwrap_or_default();
                    props.push((k.trim().to_string(), label, v));
                }
            }
            "FlowGuid"
            | "Id"
            | "Priority"
            | "State"
            | "StateInformation"
            | "Title"
            | "TypeId"
            | "UserThreatCategory"
            | "UserThreatDescription"
            | "UserThreatShortDescription" => {}
            k if DERIVED_FIELDS.contains(&k) => {
                let t = text_of(Some(field));
                if !t.trim().is_empty() && !t.starts_with("0001-01-01") && t.trim() != "false" {
                    *bookkeeping = true;
                }
            }
            _ => {
                if !text_of(Some(field)).trim().is_empty() {
                    r.b.unmapped(format!("{at}.{key}"), "not a threat field stridekit keeps");
                }
            }
        }
    }
    let prop = |name: &str| {
        props
            .iter()
            .find(|(k, _, _)| k == name)
            .map(|(_, _, v)| v.clone())
            .filter(|v| !v.trim().is_empty())
    };
    let field = |name: &str| Some(child_text(value, name)).filter(|v| !v.trim().is_empty());

    let mut properties = BTreeMap::new();
    let title = prop("Title").or_else(|| field("Title")).unwrap_or_default();
    let title = r.name(title, "threat", at);

    // Category: the threat's own, else its type's in the template.
    let type_id = child_text(value, "TypeId").trim().to_string();
    if !type_id.is_empty() {
        properties.insert("tmt.threat-type".to_string(), type_id.clone());
    }
    let named = prop("UserThreatCategory").or_else(|| field("UserThreatCategory"));
    let from_type = r.kb.threat_types.get(&type_id).cloned();
    let raw = named.or(from_type).unwrap_or_default();
    let raw = raw.trim().to_string();
    let resolved =
        r.kb.categories
            .get(&raw)
            .cloned()
            .unwrap_or_else(|| raw.clone());
    let category = match stride(&resolved).or_else(|| stride(&raw)) {
        Some(c) => c,
        None => {
            let (c, how) = match nearest_category(&resolved).or_else(|| nearest_category(&raw)) {
                Some(c) => (c, "has no STRIDE category; read as the nearest,"),
                None if raw.is_empty() => (Category::Tampering, "is missing; read as"),
                None => (Category::Tampering, "is not one stridekit knows; read as"),
            };
            let shown = if raw.is_empty() {
                "the category".to_string()
            } else {
                properties.insert("tmt.category".to_string(), resolved.clone());
                format!("category `{}`", one_line(&resolved))
            };
            r.b.unmapped(
                format!("{at}.UserThreatCategory"),
                format!("{shown} {how} {}", c.name()),
            );
            c
        }
    };

    let state_text = child_text(value, "State");
    let status = match state(&state_text) {
        Some((s, true)) => s,
        Some((s, false)) => {
            r.b.unmapped(
                format!("{at}.State"),
                format!(
                    "state `{}` is read as {} (kept in the properties)",
                    state_text.trim(),
                    s.key()
                ),
            );
            properties.insert("tmt.state".to_string(), state_text.trim().to_string());
            s
        }
        None => {
            let what = if state_text.trim().is_empty() {
                "no state; read as open".to_string()
            } else {
                properties.insert("tmt.state".to_string(), state_text.trim().to_string());
                format!(
                    "unknown state `{}`; read as open",
                    one_line(state_text.trim())
                )
            };
            r.b.unmapped(format!("{at}.State"), what);
            ThreatStatus::Open
        }
    };
    let status_reason = field("StateInformation")
        .or_else(|| prop("StateInformation"))
        .unwrap_or_default();

    let priority_text = field("Priority")
        .or_else(|| prop("Priority"))
        .unwrap_or_default();
    let priority = match priority(&priority_text) {
        Some((p, true)) => Some(p),
        Some((p, false)) => {
            r.b.unmapped(
                format!("{at}.Priority"),
                format!(
                    "priority `{}` is read as {} (kept in the properties)",
                    one_line(priority_text.trim()),
                    p.key()
                ),
            );
            properties.insert("tmt.priority".to_string(), priority_text.trim().to_string());
            Some(p)
        }
        None => {
            let what = if priority_text.trim().is_empty() {
                "no priority; left unset".to_string()
            } else {
                properties.insert("tmt.priority".to_string(), priority_text.trim().to_string());
                format!(
                    "unknown priority `{}`; left unset",
                    one_line(priority_text.trim())
                )
            };
            r.b.unmapped(format!("{at}.Priority"), what);
            None
        }
    };

    let notes = prop("UserThreatDescription")
        .or_else(|| field("UserThreatDescription"))
        .unwrap_or_default();
    let short = prop("UserThreatShortDescription").or_else(|| field("UserThreatShortDescription"));
    if let Some(short) = short {
        properties.insert("Short Description".to_string(), short);
    }

    let mut mitigation: Option<String> = None;
    for (key, label, v) in &props {
        match key.as_str() {
            "Title"
            | "UserThreatCategory"
            | "UserThreatDescription"
            | "UserThreatShortDescription"
            | "StateInformation"
            | "Priority"
            // The flow's name: the threat's target says it.
            | "InteractionString" => continue,
            _ => {}
        }
        if v.trim().is_empty() {
            continue;
        }
        if is_mitigation_key(key, label) && mitigation.is_none() {
            mitigation = Some(v.clone());
            continue;
        }
        let shown = if label.trim().is_empty() {
            key.clone()
        } else {
            label.trim().to_string()
        };
        match properties.entry(shown) {
            std::collections::btree_map::Entry::Occupied(e) => r.b.unmapped(
                format!("{at}.Properties"),
                format!(
                    "property `{}` appears twice; the first is kept",
                    one_line(e.key())
                ),
            ),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(v.clone());
            }
        }
    }

    // The interaction: the data flow it is about.
    let flow = child_text(value, "FlowGuid");
    let flow = flow.trim();
    let target = match r.by_guid.get(flow) {
        Some((id, Kind::Flow)) => Some(*id),
        _ if flow.is_empty() || flow == NO_GUID => {
            r.b.unmapped(
                format!("{at}.FlowGuid"),
                "no interaction: imported without a target",
            );
            None
        }
        _ => {
            r.b.unmapped(
                format!("{at}.FlowGuid"),
                format!(
                    "the interaction `{}` is not an imported data flow: imported without a target",
                    one_line(flow)
                ),
            );
            None
        }
    };

    let id_text = child_text(value, "Id");
    let wanted = id_text.trim().parse::<u64>().ok().filter(|n| *n > 0);
    if !id_text.trim().is_empty() && wanted.is_none() {
        r.b.unmapped(
            format!("{at}.Id"),
            format!(
                "id `{}` is not a whole positive number; the next free id is used",
                one_line(id_text.trim())
            ),
        );
    }
    PendingThreat {
        order,
        threat: Threat {
            id: Id::new(IdKind::Threat, 1),
            title,
            category,
            target,
            author: None,
            status,
            status_reason,
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
        foreign: id_text.trim().to_string(),
        at: at.to_string(),
    }
}
