//! AWS Threat Composer's threat packs and mitigation packs (the
//! `threatPack-*` and `mitigationPack-*` JSON files), written as a
//! stridekit catalog file: `stridekit import PACK --as-catalog`.
//!
//! A threat pack becomes one catalog holding one kind (a process, the
//! pack's tags as keywords); each pack threat becomes a candidate threat
//! (its statement the title, its first STRIDE letter the category, the
//! grammar fields the statement hints) with the pack's mitigation
//! candidates linked to it as its mitigations. A mitigation pack has no
//! threats for its mitigations to belong to, so it comes with a threat
//! pack (`--mitigations`): it supplies the bodies of linked mitigations
//! the threat pack lacks. What has no place in a catalog (priorities,
//! statuses, the other STRIDE letters of a threat) is listed as
//! [`Unmapped`], as a session import lists it. The mapping table is in
//! the README ("Other tools' files").

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use serde_json::{Map, Value};

use super::threat_composer::{category_from_goals, meta_text, numeric_id, stride, strings, text};
use super::{ImportError, Unmapped};
use crate::core::catalog::{CandidateMitigation, CandidateThreat};
use crate::core::stride::{Category, ElementType};

/// The `type` of a threat pack and of a mitigation pack.
pub const THREAT_PACK: &str = "threat-pack";
pub const MITIGATION_PACK: &str = "mitigation-pack";

/// Longest id made from a text (threat and mitigation ids).
const MAX_ID: usize = 48;

/// Keys of a pack the importer reads; anything else is reported.
const PACK_KEYS: [&str; 9] = [
    "schema",
    "namespace",
    "type",
    "id",
    "name",
    "description",
    "threats",
    "mitigationLinks",
    "mitigations",
];

const THREAT_KEYS: [&str; 14] = [
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
    "status",
    "customTemplate",
];

const MITIGATION_KEYS: [&str; 7] = [
    "id",
    "numericId",
    "displayOrder",
    "metadata",
    "content",
    "status",
    "tags",
];

/// The kind of pack `value` is, by its `type`: [`THREAT_PACK`] or
/// [`MITIGATION_PACK`].
pub fn pack_type(value: &Value) -> Option<&'static str> {
    let top = value.as_object()?;
    match top.get("type").and_then(Value::as_str)?.trim() {
        THREAT_PACK => Some(THREAT_PACK),
        MITIGATION_PACK => Some(MITIGATION_PACK),
        _ => None,
    }
}

/// A pack made into a catalog file.
#[derive(Debug)]
pub struct PackCatalog {
    /// The catalog's id (a slug of the pack's id), also its kind's id.
    pub id: String,
    /// The catalog file's text, TOML.
    pub text: String,
    pub threats: usize,
    /// Mitigations, counted once however many threats they hang on.
    pub mitigations: usize,
    /// Threat-to-mitigation links kept.
    pub links: usize,
    pub unmapped: Vec<Unmapped>,
}

impl PackCatalog {
    /// "1 kind, 37 candidate threats, 84 mitigations (122 links)".
    pub fn summary(&self) -> String {
        use crate::core::text::plural;
        format!(
            "1 kind `{}.{}`, {}, {} ({})",
            self.id,
            self.id,
            plural(self.threats, "candidate threat", "candidate threats"),
            plural(self.mitigations, "mitigation", "mitigations"),
            plural(self.links, "link", "links"),
        )
    }
}

#[derive(Serialize)]
struct CatalogOut {
    schema: u32,
    id: String,
    name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    kinds: Vec<KindOut>,
}

#[derive(Serialize)]
struct KindOut {
    id: String,
    name: String,
    element: ElementType,
    #[serde(skip_serializing_if = "String::is_empty")]
    summary: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    keywords: Vec<String>,
    threats: Vec<CandidateThreat>,
}

/// A catalog id: lowercase ASCII letters, digits and single dashes, at
/// most `max` characters (cut at a dash where one is near), or `None`
/// when `text` has none of them.
pub fn id_slug(text: &str, max: usize) -> Option<String> {
    let mut slug = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() > max {
            break;
        }
    }
    if slug.len() > max {
        slug.truncate(max);
        if let Some(dash) = slug.rfind('-').filter(|d| *d > max / 2) {
            slug.truncate(dash);
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    (!slug.is_empty()).then_some(slug)
}

/// `base`, or `base-2`, `base-3`... : the first not in `taken`.
fn unique(base: String, taken: &mut HashSet<String>) -> String {
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(id.clone());
    id
}

/// Counts of one loss across many items, told once: "threats[*].status:
/// ... (37 threats)".
#[derive(Default)]
struct Losses {
    unmapped: Vec<Unmapped>,
    tallies: BTreeMap<(String, String), usize>,
}

impl Losses {
    fn one(&mut self, at: impl Into<String>, what: impl Into<String>) {
        self.unmapped.push(Unmapped {
            at: at.into(),
            what: what.into(),
        });
    }

    fn tally(&mut self, at: &str, what: &str) {
        *self
            .tallies
            .entry((at.to_string(), what.to_string()))
            .or_insert(0) += 1;
    }

    fn finish(mut self) -> Vec<Unmapped> {
        for ((at, what), n) in self.tallies {
            self.unmapped.push(Unmapped {
                at,
                what: format!("{what} ({n} of them)"),
            });
        }
        self.unmapped
    }
}

fn items<'v>(
    losses: &mut Losses,
    prefix: &str,
    top: &'v Map<String, Value>,
    key: &str,
) -> Vec<(usize, &'v Map<String, Value>)> {
    match top.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let item = v.as_object();
                if item.is_none() {
                    losses.one(format!("{prefix}{key}[{i}]"), "not an object; skipped");
                }
                item.map(|item| (i, item))
            })
            .collect(),
        Some(_) => {
            losses.one(format!("{prefix}{key}"), "not a list; skipped");
            Vec::new()
        }
    }
}

/// What a pack item's metadata holds that a catalog keeps.
#[derive(Default)]
struct Meta {
    comments: String,
    stride: Vec<Category>,
}

fn metadata(losses: &mut Losses, at: &str, what: &str, item: &Map<String, Value>) -> Meta {
    let mut meta = Meta::default();
    let Some(list) = item.get("metadata") else {
        return meta;
    };
    let Some(list) = list.as_array() else {
        losses.one(format!("{at}.metadata"), "not a list; ignored");
        return meta;
    };
    for (i, entry) in list.iter().enumerate() {
        let here = format!("{at}.metadata[{i}]");
        let key = text(entry.get("key")).trim().to_string();
        let Some(value) = entry.get("value") else {
            losses.one(here, "an entry without a value");
            continue;
        };
        match key.as_str() {
            "Comments" => meta.comments = meta_text(value),
            "STRIDE" => {
                let letters: Vec<String> = match value.as_str() {
                    Some(one) => vec![one.to_string()],
                    None => strings(Some(value)),
                };
                for letter in letters {
                    match stride(&letter) {
                        Some(c) if !meta.stride.contains(&c) => meta.stride.push(c),
                        Some(_) => {}
                        None => losses.one(&here, format!("unknown STRIDE letter `{letter}`")),
                    }
                }
            }
            "Priority" => losses.tally(
                &format!("{what}[*].metadata.Priority"),
                "a catalog threat has no priority; not kept",
            ),
            "" => losses.one(here, "an entry without a key"),
            other => losses.tally(
                &format!("{what}[*].metadata.{other}"),
                "not a field a catalog keeps",
            ),
        }
    }
    meta
}

fn report_extra(losses: &mut Losses, what: &str, item: &Map<String, Value>, known: &[&str]) {
    for key in item.keys() {
        if !known.contains(&key.as_str()) {
            losses.tally(
                &format!("{what}[*].{key}"),
                "not a Threat Composer field a catalog keeps",
            );
        }
    }
}

/// A pack mitigation, as a catalog holds it.
struct Body {
    control: String,
    text: String,
}

/// The mitigations of `top` (a threat pack's or a mitigation pack's),
/// by their id, added to `bodies` where not there yet.
fn read_mitigations(
    losses: &mut Losses,
    prefix: &str,
    top: &Map<String, Value>,
    bodies: &mut HashMap<String, Body>,
    order: &mut Vec<(String, String)>,
) {
    let what = format!("{prefix}mitigations");
    for (i, m) in items(losses, prefix, top, "mitigations") {
        let at = format!("{what}[{i}]");
        report_extra(losses, &what, m, &MITIGATION_KEYS);
        let meta = metadata(losses, &at, &what, m);
        if !meta.stride.is_empty() {
            losses.one(
                format!("{at}.metadata"),
                "STRIDE on a mitigation: a catalog mitigation has none; not kept",
            );
        }
        if m.contains_key("status") {
            losses.tally(
                &format!("{what}[*].status"),
                "a catalog mitigation has no status; not kept",
            );
        }
        if !strings(m.get("tags")).is_empty() {
            losses.tally(
                &format!("{what}[*].tags"),
                "a catalog mitigation has no tags; not kept",
            );
        }
        let uuid = text(m.get("id")).trim().to_string();
        if uuid.is_empty() {
            losses.one(
                format!("{at}.id"),
                "no id: no threat can link to it; skipped",
            );
            continue;
        }
        let content = text(m.get("content")).trim().to_string();
        let comments = meta.comments.trim().to_string();
        let (control, body) = match (content.is_empty(), comments.is_empty()) {
            (true, true) => {
                losses.one(&at, "no content and no comments; skipped");
                continue;
            }
            (false, true) => (content.clone(), content),
            (false, false) => (content, comments),
            (true, false) => (first_words(&comments), comments),
        };
        if bodies.contains_key(&uuid) {
            // A mitigation pack repeating the threat pack's own says
            // nothing; the same id twice in one pack is told.
            if order.iter().any(|(p, u)| p == prefix && *u == uuid) {
                losses.one(
                    format!("{at}.id"),
                    format!("id {uuid} is used twice; the first is kept"),
                );
            }
            continue;
        }
        order.push((prefix.to_string(), uuid.clone()));
        bodies.insert(
            uuid,
            Body {
                control,
                text: body,
            },
        );
    }
}

/// A control's name from a long text: its first words, about 60 characters.
fn first_words(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() <= 60 {
        return line.to_string();
    }
    let cut: String = line.chars().take(60).collect();
    match cut.rfind(' ') {
        Some(space) if space > 20 => format!("{}…", &cut[..space]),
        _ => format!("{cut}…"),
    }
}

/// Reads `threat_pack` (and `mitigation_pack`, whose mitigations fill in
/// linked ones the threat pack lacks) into a catalog file's text. `name`
/// is the file's name, for an id when the pack has none.
pub fn to_catalog(
    threat_pack: &str,
    mitigation_pack: Option<&str>,
    name: &str,
) -> Result<PackCatalog, ImportError> {
    let value = super::json(threat_pack)?;
    match pack_type(&value) {
        Some(THREAT_PACK) => {}
        Some(_) => {
            return Err(ImportError::NotTheFormat(
                "a mitigation pack has no threats for its mitigations to belong to: import \
                 the threat pack with --as-catalog and give this one with --mitigations"
                    .to_string(),
            ));
        }
        None => {
            return Err(ImportError::NotTheFormat(
                "not a Threat Composer threat pack (a JSON object with \"type\": \
                 \"threat-pack\")"
                    .to_string(),
            ));
        }
    }
    let Some(top) = value.as_object() else {
        unreachable!("pack_type is only Some for an object");
    };
    let extra = match mitigation_pack {
        None => None,
        Some(text) => {
            let v = super::json(text)?;
            if pack_type(&v) != Some(MITIGATION_PACK) {
                return Err(ImportError::NotTheFormat(
                    "--mitigations: not a Threat Composer mitigation pack (a JSON object \
                     with \"type\": \"mitigation-pack\")"
                        .to_string(),
                ));
            }
            Some(v)
        }
    };
    let mut losses = Losses::default();
    check_top(&mut losses, "", top);

    let pack_id = text(top.get("id"));
    let pack_name = text(top.get("name")).trim().to_string();
    let id = id_slug(&pack_id, MAX_ID)
        .or_else(|| id_slug(&pack_name, MAX_ID))
        .or_else(|| id_slug(name, MAX_ID))
        .unwrap_or_else(|| "threat-pack".to_string());
    if id_slug(&pack_id, MAX_ID).as_deref() != Some(pack_id.as_str()) {
        losses.one(
            "id",
            if pack_id.trim().is_empty() {
                format!("no pack id; the catalog is called `{id}`")
            } else {
                format!("`{pack_id}` is not a catalog id; the catalog is called `{id}`")
            },
        );
    }
    let title = if pack_name.is_empty() {
        pack_id.trim().to_string()
    } else {
        pack_name
    };
    let title = if title.is_empty() { id.clone() } else { title };

    // Mitigation bodies by id: the threat pack's, then the mitigation pack's.
    let mut bodies: HashMap<String, Body> = HashMap::new();
    let mut order: Vec<(String, String)> = Vec::new();
    read_mitigations(&mut losses, "", top, &mut bodies, &mut order);
    if let Some(extra) = extra.as_ref().and_then(Value::as_object) {
        check_top(&mut losses, "--mitigations: ", extra);
        if extra.contains_key("threats") || extra.contains_key("mitigationLinks") {
            losses.one(
                "--mitigations",
                "a mitigation pack's threats and links are not read; the threat pack's links are",
            );
        }
        read_mitigations(
            &mut losses,
            "--mitigations: ",
            extra,
            &mut bodies,
            &mut order,
        );
    }

    // Links: threat id -> mitigation ids, in the file's order.
    let mut links: HashMap<String, Vec<String>> = HashMap::new();
    for (i, link) in items(&mut losses, "", top, "mitigationLinks") {
        let at = format!("mitigationLinks[{i}]");
        let mitigation = text(link.get("mitigationId")).trim().to_string();
        let linked = text(link.get("linkedId")).trim().to_string();
        if mitigation.is_empty() || linked.is_empty() {
            losses.one(at, "a link without mitigationId or linkedId; skipped");
            continue;
        }
        if !bodies.contains_key(&mitigation) {
            losses.one(
                at,
                format!("mitigation {mitigation} is in neither pack; link skipped"),
            );
            continue;
        }
        let list = links.entry(linked).or_default();
        if !list.contains(&mitigation) {
            list.push(mitigation);
        }
    }

    let mut keywords: Vec<String> = Vec::new();
    let mut threats: Vec<CandidateThreat> = Vec::new();
    let mut threat_ids = HashSet::new();
    let mut used: HashSet<String> = HashSet::new();
    let mut seen_uuids: HashSet<String> = HashSet::new();
    let mut link_count = 0;
    for (i, t) in items(&mut losses, "", top, "threats") {
        let at = format!("threats[{i}]");
        report_extra(&mut losses, "threats", t, &THREAT_KEYS);
        let meta = metadata(&mut losses, &at, "threats", t);
        for tag in strings(t.get("tags")) {
            let tag = tag.trim().to_string();
            if !keywords
                .iter()
                .any(|k| k.to_lowercase() == tag.to_lowercase())
            {
                keywords.push(tag);
            }
        }
        if t.contains_key("status") {
            losses.tally(
                "threats[*].status",
                "a catalog threat has no status; not kept",
            );
        }
        let goals = strings(t.get("impactedGoal"));
        let assets = strings(t.get("impactedAssets"));
        let source = text(t.get("threatSource")).trim().to_string();
        let prerequisites = text(t.get("prerequisites")).trim().to_string();
        let action = text(t.get("threatAction")).trim().to_string();
        let impact = text(t.get("threatImpact")).trim().to_string();
        let mut title = text(t.get("statement")).trim().to_string();
        if title.is_empty() && !(source.is_empty() && action.is_empty() && impact.is_empty()) {
            title = statement(&source, &prerequisites, &action, &impact, &goals, &assets);
        }
        if title.is_empty() {
            losses.one(&at, "no statement and no grammar fields; skipped");
            continue;
        }
        let category = match meta.stride.first() {
            Some(c) => *c,
            None => {
                let guess = category_from_goals(&goals);
                losses.one(
                    format!("{at}.metadata"),
                    format!("no STRIDE category; filed under {}", guess.name()),
                );
                guess
            }
        };
        for other in meta.stride.iter().skip(1) {
            losses.one(
                format!("{at}.metadata.STRIDE"),
                format!(
                    "also {}: a catalog threat has one category; filed under {}",
                    other.name(),
                    category.name()
                ),
            );
        }
        let base = id_slug(&action, MAX_ID)
            .or_else(|| id_slug(&title, MAX_ID))
            .or_else(|| numeric_id(t).map(|n| format!("threat-{n}")))
            .unwrap_or_else(|| "threat".to_string());
        let threat_id = unique(base, &mut threat_ids);
        let mut description = meta.comments.trim().to_string();
        if !assets.is_empty() {
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            description.push_str("Impacted assets: ");
            description.push_str(&assets.join("; "));
            description.push('.');
        }
        let uuid = text(t.get("id")).trim().to_string();
        let mut mitigations = Vec::new();
        if !uuid.is_empty() && seen_uuids.insert(uuid.clone()) {
            let mut ids = HashSet::new();
            for m in links.get(&uuid).map(Vec::as_slice).unwrap_or_default() {
                let body = &bodies[m];
                let base = id_slug(&body.control, MAX_ID).unwrap_or_else(|| "mitigation".into());
                mitigations.push(CandidateMitigation {
                    id: unique(base, &mut ids),
                    control: body.control.clone(),
                    text: body.text.clone(),
                    reference: String::new(),
                });
                used.insert(m.clone());
                link_count += 1;
            }
        } else if !uuid.is_empty() {
            losses.one(
                format!("{at}.id"),
                format!("id {uuid} is used twice; its links go to the first"),
            );
        }
        threats.push(CandidateThreat {
            id: threat_id,
            category,
            title,
            description,
            source,
            prerequisites,
            action,
            impact,
            goals,
            references: Vec::new(),
            mitigations,
            reference: String::new(),
        });
    }
    for threat in links.keys().filter(|t| !seen_uuids.contains(*t)) {
        losses.one(
            "mitigationLinks",
            format!("links to {threat}, which is not a threat of the pack; skipped"),
        );
    }
    for (prefix, uuid) in &order {
        if !used.contains(uuid) {
            losses.one(
                format!("{prefix}mitigations"),
                format!(
                    "`{}` is linked to no threat of the pack; a catalog mitigation \
                     belongs to a threat; not kept",
                    bodies[uuid].control
                ),
            );
        }
    }
    let mut unmapped = losses.finish();
    // The links' loop above walks a map: its messages in a stable order.
    unmapped.sort_by(|a, b| a.at.cmp(&b.at).then(a.what.cmp(&b.what)));

    let description = text(top.get("description")).trim().to_string();
    let catalog = CatalogOut {
        schema: 1,
        id: id.clone(),
        name: title.clone(),
        description: description.clone(),
        kinds: vec![KindOut {
            id: id.clone(),
            name: title,
            element: ElementType::Process,
            summary: description,
            keywords,
            threats,
        }],
    };
    let mitigations = used.len();
    let threat_count = catalog.kinds[0].threats.len();
    let body = toml::to_string(&catalog)
        .map_err(|e| ImportError::NotTheFormat(format!("cannot write the catalog as TOML: {e}")))?;
    let text = format!(
        "# A stridekit catalog made by `stridekit import --as-catalog` from the\n\
         # Threat Composer threat pack `{id}`. Edit it like any catalog: add\n\
         # prompts, split the kind, move threats to the kinds they fit.\n\n{body}"
    );
    Ok(PackCatalog {
        id,
        text,
        threats: threat_count,
        mitigations,
        links: link_count,
        unmapped,
    })
}

fn check_top(losses: &mut Losses, prefix: &str, top: &Map<String, Value>) {
    match top.get("schema").and_then(Value::as_f64) {
        Some(1.0) => {}
        _ => losses.one(
            format!("{prefix}schema"),
            format!(
                "schema {} is not the version 1 stridekit knows; read as version 1",
                top.get("schema").map(Value::to_string).unwrap_or_default()
            ),
        ),
    }
    for key in top.keys() {
        if !PACK_KEYS.contains(&key.as_str()) {
            losses.one(
                format!("{prefix}{key}"),
                "not a Threat Composer pack field stridekit knows",
            );
        }
    }
}

/// Threat Composer's statement from its grammar fields, for a pack threat
/// without one.
fn statement(
    source: &str,
    prerequisites: &str,
    action: &str,
    impact: &str,
    goals: &[String],
    assets: &[String],
) -> String {
    let source = if source.is_empty() {
        "threat source"
    } else {
        source
    };
    let article = if source.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
        "An"
    } else {
        "A"
    };
    let mut out = format!("{article} {source}");
    for (before, part) in [
        (" ", prerequisites),
        (" can ", action),
        (", which leads to ", impact),
    ] {
        if !part.is_empty() {
            out.push_str(before);
            out.push_str(part);
        }
    }
    if !goals.is_empty() || !assets.is_empty() {
        out.push_str(", resulting in reduced ");
        out.push_str(&if goals.is_empty() {
            "security".to_string()
        } else {
            goals.join(" and ")
        });
        if !assets.is_empty() {
            out.push_str(" of ");
            out.push_str(&assets.join(" and "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_catalog_ids() {
        assert_eq!(id_slug("GenAIChatBot", 48).as_deref(), Some("genaichatbot"));
        assert_eq!(id_slug("  Über -- Pack! ", 48).as_deref(), Some("ber-pack"));
        assert_eq!(id_slug("中文", 48), None);
        let long = id_slug(
            "inject malicious code during model merging or conversion",
            48,
        )
        .unwrap();
        assert!(long.len() <= 48 && !long.ends_with('-'), "{long}");
        assert_eq!(long, "inject-malicious-code-during-model-merging-or");
    }
}
