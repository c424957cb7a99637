//! Open Threat Model (OTM 0.1.0 and 0.2.0), in JSON or YAML: trust zones,
//! components, data flows, assets, threats defined once and instantiated
//! on components and data flows, and mitigations. The mapping both ways
//! is in the README ("Other tools' files").
//!
//! OTM fields a session has no field for are kept in the element's
//! `properties` under `otm.` keys (`otm.type`, `otm.trustRating`, ...),
//! and OTM `attributes` are kept as they are, so an export gives them
//! back. What a session holds and OTM has no field for goes into
//! `attributes` under `stridekit:` keys, read back by the import.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use serde_json::{Map, Number, Value, json};

use super::{Builder, Exported, Format, ImportError, Imported, foreign_ids};
use crate::core::ids::{Id, IdKind};
use crate::core::model::{
    Actor, Asset, Boundary, Classification, Component, Flow, Mitigation, MitigationStatus,
    Priority, Session, Threat, ThreatStatus,
};
use crate::core::stride::Category;
use crate::core::time::Timestamp;

/// The version an export writes.
pub const VERSION: &str = "0.2.0";
/// The versions an import knows (they differ only in a trust zone's
/// `type`, new in 0.2.0).
const VERSIONS: [&str; 2] = ["0.1.0", "0.2.0"];

const TOP_KEYS: [&str; 9] = [
    "otmVersion",
    "project",
    "representations",
    "assets",
    "components",
    "dataflows",
    "trustZones",
    "threats",
    "mitigations",
];

/// The trust zone an export puts actors and components without a trust
/// boundary in (OTM needs a parent for every component). An import reads
/// it back as "no boundary".
pub const OUTSIDE_ZONE: &str = "stridekit-outside";

/// The type an export gives an actor, and a trust zone with none kept.
pub const ACTOR_TYPE: &str = "external-entity";
pub const ZONE_TYPE: &str = "trust-boundary";

/// Prefix of the `properties` keys that hold OTM fields.
const OTM: &str = "otm.";
/// Prefix of the `attributes` keys that hold stridekit fields.
const OURS: &str = "stridekit:";

/// Risk reduction of a mitigation that has none kept: the middle of
/// OTM's 0 to 100 scale.
pub const DEFAULT_RISK_REDUCTION: u64 = 50;
/// Trust rating of a trust boundary that has none kept.
pub const DEFAULT_TRUST_RATING: u64 = 50;
/// Impact written for a threat that is not rated (OTM needs a number).
pub const DEFAULT_IMPACT: u64 = 50;
/// Integrity and availability of an asset that has none kept.
pub const DEFAULT_ASSET_RISK: u64 = 50;

/// How an asset's OTM risk is kept in its description: a last paragraph
/// `OTM risk: confidentiality 100, integrity 100, availability 50.`,
/// then the risk comment.
const RISK_PARAGRAPH: &str = "OTM risk: confidentiality ";

/// Whether `value` looks like an OTM document.
pub fn looks_like(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|top| top.contains_key("otmVersion"))
}

/// JSON for a file that starts like JSON, YAML otherwise (and for
/// JSON-looking text that only YAML's flow style reads).
pub fn parse(text: &str) -> Result<Value, ImportError> {
    if super::looks_like_json(text) {
        match super::json(text) {
            Ok(value) => Ok(value),
            Err(json_error) => super::yaml(text).map_err(|_| json_error),
        }
    } else {
        super::yaml(text)
    }
}

pub fn import(text: &str, name: &str, now: Timestamp) -> Result<Imported, ImportError> {
    import_value(&parse(text)?, name, now)
}

// ---------------------------------------------------------------- values

/// A value as it reads in a message: a string as it is, others as JSON.
fn shown(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(60).collect();
        format!("{cut}…")
    } else {
        text
    }
}

fn absent(v: Option<&Value>) -> bool {
    matches!(v, None | Some(Value::Null))
}

/// A text field: a string as it is, a number or boolean as its text
/// (YAML writes `name: 2024` unquoted), anything else reported.
fn text(b: &mut Builder, at: &str, v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(v @ (Value::Number(_) | Value::Bool(_))) => v.to_string(),
        Some(other) => {
            b.unmapped(at, format!("not a text: `{}`; ignored", shown(other)));
            String::new()
        }
    }
}

/// A list of texts; null items are skipped (the schema allows them).
fn texts(b: &mut Builder, at: &str, v: Option<&Value>) -> Vec<String> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter(|(_, x)| !x.is_null())
            .map(|(i, x)| text(b, &format!("{at}[{i}]"), Some(x)))
            .filter(|s| !s.trim().is_empty())
            .collect(),
        Some(Value::String(s)) => {
            b.unmapped(at, "one text, not a list; read as a list of one");
            vec![s.clone()]
        }
        Some(other) => {
            b.unmapped(at, format!("not a list: `{}`; ignored", shown(other)));
            Vec::new()
        }
    }
}

/// A finite number, or `None` (reported unless absent).
fn number(b: &mut Builder, at: &str, v: Option<&Value>) -> Option<Number> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_f64().is_some_and(f64::is_finite) => Some(n.clone()),
        Some(Value::String(s)) => match s.trim().parse::<f64>() {
            Ok(f) if f.is_finite() => {
                b.unmapped(
                    at,
                    format!("the number `{s}` is written as a text; read as a number"),
                );
                Number::from_f64(f)
            }
            _ => {
                b.unmapped(at, format!("not a number: `{s}`; ignored"));
                None
            }
        },
        Some(other) => {
            b.unmapped(at, format!("not a number: `{}`; ignored", shown(other)));
            None
        }
    }
}

/// A number on OTM's 0 to 100 scale, reported when outside it.
fn percent(b: &mut Builder, at: &str, v: Option<&Value>) -> Option<Number> {
    let n = number(b, at, v)?;
    let f = n.as_f64().unwrap_or(0.0);
    if !(0.0..=100.0).contains(&f) {
        b.unmapped(
            at,
            format!("{n} is outside 0 to 100; read as {}", f.clamp(0.0, 100.0)),
        );
    }
    Some(n)
}

/// Whether `n` is the whole number `x`.
fn is(n: &Number, x: u64) -> bool {
    n.as_u64() == Some(x) || n.as_f64() == Some(x as f64)
}

fn as_percent(n: &Number) -> f64 {
    n.as_f64().unwrap_or(0.0).clamp(0.0, 100.0)
}

/// OTM's 0 to 100 to our 1 to 5: 0-20 is 1, 21-40 is 2, 41-60 is 3,
/// 61-80 is 4, 81-100 is 5 (a fifth of the scale each, rounded up, and
/// 0 is still 1: our scale has no zero).
pub fn rating(percent: f64) -> u8 {
    match percent {
        p if p <= 20.0 => 1,
        p if p <= 40.0 => 2,
        p if p <= 60.0 => 3,
        p if p <= 80.0 => 4,
        _ => 5,
    }
}

/// Our 1 to 5 back on OTM's scale: the top of its fifth (1 is 20, 5 is 100).
fn percent_of(rating: u8) -> u64 {
    u64::from(rating.clamp(1, 5)) * 20
}

/// An asset's classification from its OTM confidentiality: below 25
/// public, below 50 internal, below 75 confidential, else restricted.
pub fn classification(confidentiality: f64) -> Classification {
    match confidentiality {
        c if c < 25.0 => Classification::Public,
        c if c < 50.0 => Classification::Internal,
        c if c < 75.0 => Classification::Confidential,
        _ => Classification::Restricted,
    }
}

/// The confidentiality an export writes for a classification: a value
/// inside its band (0, 33, 66, 100).
fn confidentiality_of(c: Classification) -> u64 {
    match c {
        Classification::Public => 0,
        Classification::Internal => 33,
        Classification::Confidential => 66,
        Classification::Restricted => 100,
    }
}

/// A list of texts as a property value: a JSON list.
fn list_property(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_default()
}

fn list_from_property(value: Option<&String>) -> Vec<String> {
    value
        .and_then(|v| serde_json::from_str::<Vec<String>>(v).ok())
        .unwrap_or_default()
}

/// The number of an id of ours (`C3` for a component), so a stridekit
/// export read back keeps its ids.
fn our_number(otm_id: &str, kind: IdKind) -> Option<u64> {
    otm_id
        .trim()
        .parse::<Id>()
        .ok()
        .filter(|id| id.kind == kind)
        .map(|id| u64::from(id.number))
}

/// Letters and digits only, lower case: `Web-Client` and `web_client`
/// are the same type.
fn squashed(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// `exposed`, `Exposed`, `partly_mitigated`, `Partly mitigated`: one key.
fn state_key(state: &str) -> String {
    state.trim().to_lowercase().replace(['_', ' '], "-")
}

// ---------------------------------------------------------------- tables

/// Words in a component's OTM `type` that make it an actor (an external
/// entity in the walk): a person, or a system outside ours.
const ACTOR_WORDS: [&str; 14] = [
    "user",
    "users",
    "actor",
    "person",
    "people",
    "human",
    "customer",
    "employee",
    "admin",
    "administrator",
    "operator",
    "partner",
    "external",
    "thirdparty",
];

/// Whether a component of OTM type `otm_type` is an actor: a word of its
/// type (split at anything but letters and digits) is one of
/// [`ACTOR_WORDS`], or it is `third-party...`; never a built-in kind
/// (`generic.external-entity` is a component of that kind). Clients
/// (`web-client`) are components: stridekit has a client kind.
pub fn is_actor(otm_type: &str) -> bool {
    if KINDS.contains(&otm_type.trim()) {
        // A stridekit export's component, of that kind.
        return false;
    }
    let words = tokens(otm_type);
    words.iter().any(|w| ACTOR_WORDS.contains(&w.as_str()))
        || squashed(otm_type).starts_with("thirdparty")
}

/// The built-in catalog kinds a component can have: an OTM type that is
/// one of them (a stridekit export's) is kept as it is.
pub const KINDS: [&str; 38] = [
    "aws.api-gateway",
    "aws.lambda",
    "aws.s3",
    "aws.dynamodb",
    "aws.cognito",
    "aws.sqs",
    "aws.sns",
    "aws.eventbridge",
    "aws.kinesis",
    "aws.step-functions",
    "aws.eks",
    "aws.ec2",
    "aws.rds",
    "aws.athena",
    "aws.kms",
    "aws.secrets",
    "aws.cloudfront",
    "aws.waf",
    "aws.cloudtrail",
    "aws.iam",
    "aws.ecs",
    "aws.ecr",
    "aws.elb",
    "aws.vpc",
    "aws.s3-uploads",
    "aws.bedrock",
    "aws.appsync",
    "aws.elasticache",
    "aws.opensearch",
    "aws.route53",
    "aws.firehose",
    "aws.ses",
    "aws.efs",
    "generic.external-entity",
    "generic.client",
    "generic.process",
    "generic.data-store",
    // Not a component kind: read as a process.
    "generic.data-flow",
];

/// Names in OTM types (IriusRisk's `aws-lambda-function`, `s3`,
/// `CD-V2-API-GATEWAY`) and the kind each means, first match wins: a
/// needle with a dash must be a whole word of the type; one without, a
/// part of the type with its punctuation taken out.
const TYPE_KINDS: [(&[&str], &str); 35] = [
    (&["apigateway", "apigw"], "aws.api-gateway"),
    (&["lambda"], "aws.lambda"),
    (&["-s3", "s3bucket"], "aws.s3"),
    (&["dynamodb"], "aws.dynamodb"),
    (&["cognito"], "aws.cognito"),
    (&["-sqs"], "aws.sqs"),
    (&["-sns"], "aws.sns"),
    (&["eventbridge"], "aws.eventbridge"),
    (&["firehose"], "aws.firehose"),
    (&["kinesis"], "aws.kinesis"),
    (&["stepfunction"], "aws.step-functions"),
    (&["-eks"], "aws.eks"),
    (&["-ec2"], "aws.ec2"),
    (&["-rds", "aurora"], "aws.rds"),
    (&["athena"], "aws.athena"),
    (&["-kms"], "aws.kms"),
    (
        &["secretsmanager", "parameterstore", "appconfig", "-ssm"],
        "aws.secrets",
    ),
    (&["cloudfront"], "aws.cloudfront"),
    (&["-waf", "-shield"], "aws.waf"),
    (&["cloudtrail", "cloudwatch"], "aws.cloudtrail"),
    (&["-iam"], "aws.iam"),
    (&["-ecs", "fargate"], "aws.ecs"),
    (&["-ecr"], "aws.ecr"),
    (&["-alb", "-elb", "-nlb", "loadbalancer"], "aws.elb"),
    (&["-vpc", "securitygroup"], "aws.vpc"),
    (&["bedrock"], "aws.bedrock"),
    (&["appsync"], "aws.appsync"),
    (&["elasticache"], "aws.elasticache"),
    (&["opensearch"], "aws.opensearch"),
    (&["route53"], "aws.route53"),
    (&["-ses"], "aws.ses"),
    (&["-efs", "elasticfilesystem"], "aws.efs"),
    (
        &[
            "-client",
            "-browser",
            "-mobile",
            "-android",
            "-ios",
            "-desktop",
            "-smartphone",
        ],
        "generic.client",
    ),
    (
        &[
            "database",
            "datastore",
            "-db",
            "-store",
            "storage",
            "-bucket",
            "-cache",
            "redis",
            "postgres",
            "mysql",
            "mariadb",
            "mongo",
            "-sql",
            "nosql",
            "sqlserver",
            "oracle",
            "-table",
            "-file",
            "filesystem",
            "-disk",
            "elasticsearch",
            "-queue",
            "-vault",
        ],
        "generic.data-store",
    ),
    (&["-process", "-service", "-server"], "generic.process"),
];

/// The stridekit kind of an OTM component type: a built-in kind as it
/// is, else the first of [`TYPE_KINDS`] it names, else `generic.process`.
pub fn kind_for(otm_type: &str) -> &'static str {
    let t = otm_type.trim();
    if let Some(kind) = KINDS.iter().find(|k| **k == t) {
        return match *kind {
            "generic.data-flow" => "generic.process",
            k => k,
        };
    }
    let words = tokens(t);
    let all = squashed(t);
    for (needles, kind) in TYPE_KINDS {
        let hit = needles.iter().any(|n| match n.strip_prefix('-') {
            Some(word) => words.iter().any(|w| w == word),
            None => all.contains(n),
        });
        if hit {
            return kind;
        }
    }
    "generic.process"
}

/// A threat instance's OTM `state` as our status. IriusRisk writes
/// `expose`, `mitigate`, `partly-mitigate`, `accept`, `not-applicable`;
/// the OTM examples `exposed` and `mitigated`.
pub fn threat_status(state: &str) -> Option<ThreatStatus> {
    Some(match state_key(state).as_str() {
        "exposed" | "expose" | "open" | "new" | "identified" | "unmitigated" | "not-mitigated" => {
            ThreatStatus::Open
        }
        "partly-mitigated"
        | "partly-mitigate"
        | "partially-mitigated"
        | "mitigating"
        | "in-progress" => ThreatStatus::Mitigating,
        "mitigated" | "mitigate" | "resolved" | "fixed" | "closed" => ThreatStatus::Mitigated,
        "accepted" | "accept" => ThreatStatus::Accepted,
        "transferred" | "transfer" => ThreatStatus::Transferred,
        "not-applicable" | "na" | "n/a" | "notapplicable" => ThreatStatus::NotApplicable,
        _ => return None,
    })
}

/// The state an export writes for our status.
pub fn otm_threat_state(status: ThreatStatus) -> &'static str {
    match status {
        ThreatStatus::Open => "exposed",
        ThreatStatus::Mitigating => "partly-mitigated",
        ThreatStatus::Mitigated => "mitigated",
        ThreatStatus::Accepted => "accepted",
        ThreatStatus::Transferred => "transferred",
        ThreatStatus::NotApplicable => "not-applicable",
    }
}

/// A mitigation instance's OTM `state` as our status (IriusRisk's
/// countermeasure states: recommended, required, implemented, rejected,
/// not-applicable).
pub fn mitigation_status(state: &str) -> Option<MitigationStatus> {
    Some(match state_key(state).as_str() {
        "recommended" | "proposed" | "suggested" | "identified" | "new" | "open" => {
            MitigationStatus::Proposed
        }
        "required" | "planned" | "todo" | "to-do" => MitigationStatus::Planned,
        "in-progress" | "implementing" | "ongoing" | "started" => MitigationStatus::InProgress,
        "implemented" | "done" | "complete" | "completed" | "mitigated" => MitigationStatus::Done,
        "rejected" | "not-applicable" | "na" | "n/a" | "wont-fix" | "will-not-implement" => {
            MitigationStatus::Rejected
        }
        _ => return None,
    })
}

pub fn otm_mitigation_state(status: MitigationStatus) -> &'static str {
    match status {
        MitigationStatus::Proposed => "recommended",
        MitigationStatus::Planned => "required",
        MitigationStatus::InProgress => "in-progress",
        MitigationStatus::Done => "implemented",
        MitigationStatus::Rejected => "rejected",
    }
}

/// One status for a mitigation whose instances say several: the least
/// advanced (proposed, planned, in progress, done), rejected only where
/// every instance is.
fn least_advanced(
    statuses: impl IntoIterator<Item = MitigationStatus>,
) -> Option<MitigationStatus> {
    let rank = |s: &MitigationStatus| match s {
        MitigationStatus::Proposed => 0,
        MitigationStatus::Planned => 1,
        MitigationStatus::InProgress => 2,
        MitigationStatus::Done => 3,
        MitigationStatus::Rejected => 4,
    };
    statuses.into_iter().min_by_key(rank)
}

/// A category name as OTM files write them: `Spoofing`,
/// `Information Disclosure`, `INFORMATION_DISCLOSURE`, `Denial-of-Service`.
pub fn category(name: &str) -> Option<Category> {
    let key = squashed(name);
    Category::ALL
        .into_iter()
        .find(|c| squashed(c.key()) == key)
        .or_else(|| Category::parse(name))
}

fn category_name(c: Category) -> &'static str {
    match c {
        Category::Spoofing => "Spoofing",
        Category::Tampering => "Tampering",
        Category::Repudiation => "Repudiation",
        Category::InformationDisclosure => "Information Disclosure",
        Category::DenialOfService => "Denial of Service",
        Category::ElevationOfPrivilege => "Elevation of Privilege",
    }
}

/// A threat with no STRIDE category in the file: tampering, the most
/// general (said at import).
pub const DEFAULT_CATEGORY: Category = Category::Tampering;

// ---------------------------------------------------------------- import

/// A threat as defined under `threats`, made into one of ours per instance.
struct Definition {
    otm_id: String,
    title: String,
    notes: String,
    category: Category,
    also: Vec<Category>,
    likelihood: Option<u8>,
    impact: Option<u8>,
    catalog: Option<String>,
    priority: Option<Priority>,
    tags: Vec<String>,
    properties: BTreeMap<String, String>,
    /// Our ids for its instances, in file order (`stridekit:ids`).
    ids: VecDeque<u64>,
    /// For a threat on no element: its status and its mitigations' ids.
    status: Option<ThreatStatus>,
    mitigations: Vec<String>,
    instances: usize,
}

/// Where a component (or trust zone) sits, as the file says.
enum Parent {
    Zone(String),
    Component(String),
    Nothing,
}

struct Importer {
    b: Builder,
    now: Timestamp,
    assets: HashMap<String, Id>,
    zones: HashMap<String, Id>,
    /// Components and actors, by OTM id.
    elements: HashMap<String, Id>,
    /// Positions in `session.mitigations`, by OTM id.
    mitigations: HashMap<String, usize>,
    definitions: Vec<Definition>,
    by_threat_id: HashMap<String, usize>,
    /// Per mitigation (position): the threat instances that list it, with
    /// the state each gives it and where.
    states: HashMap<usize, Vec<(Id, String, String)>>,
}

/// Keys of `item` that are not in `known`, reported.
fn report_extra(b: &mut Builder, at: &str, item: &Map<String, Value>, known: &[&str]) {
    for key in item.keys() {
        if !known.contains(&key.as_str()) {
            b.unmapped(
                format!("{at}.{key}"),
                "not an Open Threat Model field stridekit knows; not kept",
            );
        }
    }
}

/// The objects of list `key` in `parent` (reported when not a list, or
/// for each item that is not an object).
fn objects<'v>(
    b: &mut Builder,
    at: &str,
    parent: &'v Map<String, Value>,
    key: &str,
) -> Vec<(String, &'v Map<String, Value>)> {
    let here = if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    };
    match parent.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let at = format!("{here}[{i}]");
                match v {
                    Value::Object(o) => Some((at, o)),
                    Value::Null => None,
                    other => {
                        b.unmapped(at, format!("not an object: `{}`; skipped", shown(other)));
                        None
                    }
                }
            })
            .collect(),
        Some(other) => {
            b.unmapped(here, format!("not a list: `{}`; skipped", shown(other)));
            Vec::new()
        }
    }
}

/// The `attributes` map as text pairs. A list of one-key maps (as in the
/// OTM README's example) is read as one map; a value that is not a text
/// is kept as its JSON; keys in our `otm.` namespace are refused.
fn attributes(b: &mut Builder, at: &str, item: &Map<String, Value>) -> Vec<(String, String)> {
    let here = format!("{at}.attributes");
    let mut maps: Vec<(String, &Map<String, Value>)> = Vec::new();
    match item.get("attributes") {
        None | Some(Value::Null) => {}
        Some(Value::Object(o)) => maps.push((here.clone(), o)),
        Some(Value::Array(list)) => {
            b.unmapped(&here, "a list, not a map; its entries read as one map");
            for (i, v) in list.iter().enumerate() {
                match v {
                    Value::Object(o) => maps.push((format!("{here}[{i}]"), o)),
                    Value::Null => {}
                    other => b.unmapped(
                        format!("{here}[{i}]"),
                        format!("not a map: `{}`; not kept", shown(other)),
                    ),
                }
            }
        }
        Some(other) => b.unmapped(&here, format!("not a map: `{}`; not kept", shown(other))),
    }
    let mut out = Vec::new();
    for (where_, map) in maps {
        for (k, v) in map {
            let at = format!("{where_}.{k}");
            if k.starts_with(OTM) {
                b.unmapped(
                    at,
                    "an attribute named like stridekit's own `otm.` keys; not kept",
                );
                continue;
            }
            let value = match v {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                Value::Number(_) | Value::Bool(_) => v.to_string(),
                other => {
                    b.unmapped(&at, "not a text; kept as its JSON");
                    other.to_string()
                }
            };
            out.push((k.clone(), value));
        }
    }
    out
}

/// Element representations (diagram shapes, code locations): stridekit
/// draws no diagram.
fn representations(b: &mut Builder, at: &str, item: &Map<String, Value>) {
    match item.get("representations") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) if list.is_empty() => {}
        Some(_) => b.unmapped(
            format!("{at}.representations"),
            "diagram and code representations are not kept",
        ),
    }
}

fn parent_of(b: &mut Builder, at: &str, item: &Map<String, Value>) -> Parent {
    let here = format!("{at}.parent");
    match item.get("parent") {
        None | Some(Value::Null) => Parent::Nothing,
        Some(Value::String(s)) => {
            b.unmapped(
                &here,
                format!("a bare text, not an object; read as trust zone `{s}`"),
            );
            Parent::Zone(s.clone())
        }
        Some(Value::Object(p)) => {
            let zone = p.get("trustZone").filter(|v| !v.is_null());
            let component = p.get("component").filter(|v| !v.is_null());
            report_extra(b, &here, p, &["trustZone", "component"]);
            match (zone, component) {
                (Some(z), c) => {
                    if c.is_some() {
                        b.unmapped(
                            &here,
                            "both a trust zone and a component (one parent only); the trust zone is taken",
                        );
                    }
                    Parent::Zone(text(b, &format!("{here}.trustZone"), Some(z)))
                }
                (None, Some(c)) => {
                    Parent::Component(text(b, &format!("{here}.component"), Some(c)))
                }
                (None, None) => {
                    b.unmapped(&here, "names neither a trust zone nor a component");
                    Parent::Nothing
                }
            }
        }
        Some(other) => {
            b.unmapped(here, format!("not an object: `{}`; ignored", shown(other)));
            Parent::Nothing
        }
    }
}

/// Records `otm_id` for `id`: the foreign id, and the lookup (the first
/// of two items with one id keeps it).
fn remember(b: &mut Builder, map: &mut HashMap<String, Id>, at: &str, otm_id: &str, id: Id) {
    if otm_id.trim().is_empty() {
        b.unmapped(format!("{at}.id"), "no id: nothing can refer to it");
        return;
    }
    b.foreign(id, otm_id);
    if map.contains_key(otm_id) {
        b.unmapped(
            format!("{at}.id"),
            format!("id `{otm_id}` is used twice; references go to the first"),
        );
    } else {
        map.insert(otm_id.to_string(), id);
    }
}

/// The name of an item, or `fallback` (said) when it has none.
fn name_of(
    b: &mut Builder,
    at: &str,
    item: &Map<String, Value>,
    fallback: impl FnOnce() -> String,
) -> String {
    let name = text(b, &format!("{at}.name"), item.get("name"));
    if name.trim().is_empty() {
        let fallback = fallback();
        b.unmapped(format!("{at}.name"), format!("no name; named `{fallback}`"));
        fallback
    } else {
        name
    }
}

/// `attributes` into `properties`, less the `stridekit:` ones, returned.
fn split_attributes(
    pairs: Vec<(String, String)>,
    properties: &mut BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut ours = BTreeMap::new();
    for (k, v) in pairs {
        match k.strip_prefix(OURS) {
            Some(key) => {
                ours.insert(key.to_string(), v);
            }
            None => {
                properties.insert(k, v);
            }
        }
    }
    ours
}

/// `stridekit:` attributes an item did not use, said.
fn report_ours(b: &mut Builder, at: &str, ours: &BTreeMap<String, String>) {
    for key in ours.keys() {
        b.unmapped(
            format!("{at}.attributes.{OURS}{key}"),
            "not a stridekit attribute of this item; not kept",
        );
    }
}

pub fn import_value(value: &Value, name: &str, now: Timestamp) -> Result<Imported, ImportError> {
    let Some(top) = value.as_object() else {
        return Err(ImportError::NotTheFormat(
            "an Open Threat Model file is an object (a JSON object or a YAML map)".to_string(),
        ));
    };
    if !top.contains_key("otmVersion") {
        return Err(ImportError::NotTheFormat(
            "not an Open Threat Model file: no `otmVersion` key".to_string(),
        ));
    }
    let project = top.get("project").and_then(Value::as_object);
    let mut scratch = Builder::new(Format::Otm, "x", now);
    let title = project
        .map(|p| text(&mut scratch, "project.name", p.get("name")))
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| name.to_string());
    let title = if title.trim().is_empty() {
        "Imported threat model".to_string()
    } else {
        title
    };
    let mut im = Importer {
        b: Builder::new(Format::Otm, &title, now),
        now,
        assets: HashMap::new(),
        zones: HashMap::new(),
        elements: HashMap::new(),
        mitigations: HashMap::new(),
        definitions: Vec::new(),
        by_threat_id: HashMap::new(),
        states: HashMap::new(),
    };
    // To the letter: it is exported back as it is.
    im.b.session.title = title;
    im.b.unmapped.append(&mut scratch.unmapped);
    im.version(top);
    im.project(top);
    for key in top.keys() {
        if !TOP_KEYS.contains(&key.as_str()) {
            im.b.unmapped(
                key.as_str(),
                "not an Open Threat Model section stridekit knows",
            );
        }
    }
    if !absent(top.get("representations")) {
        im.b.unmapped(
            "representations",
            "diagrams and code repositories are not kept (stridekit draws no diagram)",
        );
    }
    im.assets(top);
    im.mitigations(top);
    im.definitions(top);
    let zone_parents = im.zones(top);
    let (instances, parents) = im.components(top);
    im.place(zone_parents, parents);
    let flow_instances = im.flows(top);
    for (target, at, list) in instances.into_iter().chain(flow_instances) {
        im.instances(target, &at, list);
    }
    im.unplaced_threats();
    im.mitigation_statuses();
    let mut b = im.b;
    b.session.threats.sort_by_key(|t| t.id);
    for m in &mut b.session.mitigations {
        m.threats.sort();
        m.threats.dedup();
    }
    Ok(b.finish(Format::Otm))
}

/// A threat instance list on an element: (our element, where, the list).
type Instances<'v> = (Id, String, &'v Value);

impl Importer {
    fn version(&mut self, top: &Map<String, Value>) {
        let b = &mut self.b;
        match top.get("otmVersion") {
            Some(Value::String(v)) if VERSIONS.contains(&v.trim()) => {}
            Some(v) => b.unmapped(
                "otmVersion",
                format!(
                    "version `{}` is not one stridekit knows (0.1.0, 0.2.0); read as {VERSION}",
                    shown(v)
                ),
            ),
            None => {}
        }
    }

    fn project(&mut self, top: &Map<String, Value>) {
        let b = &mut self.b;
        let project = match top.get("project") {
            Some(Value::Object(p)) => p,
            None | Some(Value::Null) => {
                b.unmapped(
                    "project",
                    "no project (the schema asks for one); titled from the file name",
                );
                return;
            }
            Some(other) => {
                b.unmapped(
                    "project",
                    format!("not an object: `{}`; ignored", shown(other)),
                );
                return;
            }
        };
        b.session.description = text(b, "project.description", project.get("description"));
        let id = text(b, "project.id", project.get("id"));
        if !id.is_empty() && id != slug(&b.session.title) {
            b.unmapped(
                "project.id",
                format!(
                    "`{id}` is not kept (a session has no id); an export names the project `{}`",
                    slug(&b.session.title)
                ),
            );
        }
        for key in ["owner", "ownerContact"] {
            let value = text(b, &format!("project.{key}"), project.get(key));
            if !value.is_empty() {
                b.unmapped(format!("project.{key}"), format!("`{value}` is not kept"));
            }
        }
        let tags = texts(b, "project.tags", project.get("tags"));
        if !tags.is_empty() {
            b.unmapped(
                "project.tags",
                format!("the project's tags ({}) are not kept", tags.join(", ")),
            );
        }
        let mut kept = BTreeMap::new();
        let pairs = attributes(b, "project", project);
        let mut ours = split_attributes(pairs, &mut kept);
        for (k, v) in kept {
            b.unmapped(
                format!("project.attributes.{k}"),
                format!(
                    "`{}` is not kept (a session has no project attributes)",
                    shown(&Value::String(v))
                ),
            );
        }
        if let Some(a) = ours.remove("architecture") {
            b.session.architecture = a;
        }
        if let Some(d) = ours.remove("dataflow") {
            b.session.dataflow = d;
        }
        report_ours(b, "project", &ours);
        report_extra(
            b,
            "project",
            project,
            &[
                "name",
                "id",
                "description",
                "owner",
                "ownerContact",
                "tags",
                "attributes",
            ],
        );
    }

    fn assets(&mut self, top: &Map<String, Value>) {
        for (at, a) in objects(&mut self.b, "", top, "assets") {
            let b = &mut self.b;
            let otm_id = text(b, &format!("{at}.id"), a.get("id"));
            let Some(id) = b.id(IdKind::Asset, our_number(&otm_id, IdKind::Asset)) else {
                b.unmapped(at, "no id left to give it; skipped");
                continue;
            };
            let name = name_of(b, &at, a, || format!("Asset {id}"));
            let mut description = text(b, &format!("{at}.description"), a.get("description"));
            let mut class = Classification::Confidential;
            match a.get("risk") {
                Some(Value::Object(risk)) => {
                    let here = format!("{at}.risk");
                    let c = percent(
                        b,
                        &format!("{here}.confidentiality"),
                        risk.get("confidentiality"),
                    );
                    let i = percent(b, &format!("{here}.integrity"), risk.get("integrity"));
                    let av = percent(b, &format!("{here}.availability"), risk.get("availability"));
                    let comment = text(b, &format!("{here}.comment"), risk.get("comment"));
                    report_extra(
                        b,
                        &here,
                        risk,
                        &["confidentiality", "integrity", "availability", "comment"],
                    );
                    match (&c, &i, &av) {
                        (Some(c), Some(i), Some(av)) => {
                            class = classification(as_percent(c));
                            // What an export writes for the class needs no keeping.
                            let defaults = is(c, confidentiality_of(class))
                                && is(i, DEFAULT_ASSET_RISK)
                                && is(av, DEFAULT_ASSET_RISK)
                                && comment.is_empty();
                            if !defaults {
                                if !description.is_empty() {
                                    description.push_str("\n\n");
                                }
                                description.push_str(&format!(
                                    "{RISK_PARAGRAPH}{c}, integrity {i}, availability {av}."
                                ));
                                if !comment.is_empty() {
                                    description.push(' ');
                                    description.push_str(&comment);
                                }
                            }
                        }
                        _ => {
                            if let Some(c) = &c {
                                class = classification(as_percent(c));
                            }
                            b.unmapped(
                                &here,
                                format!(
                                    "not all of confidentiality, integrity and availability; classified {} and the rest not kept",
                                    class.key()
                                ),
                            );
                        }
                    }
                }
                None | Some(Value::Null) => b.unmapped(
                    format!("{at}.risk"),
                    "no risk (the schema asks for one); classified confidential",
                ),
                Some(other) => b.unmapped(
                    format!("{at}.risk"),
                    format!("not an object: `{}`; classified confidential", shown(other)),
                ),
            }
            for (k, _) in attributes(b, &at, a) {
                b.unmapped(
                    format!("{at}.attributes.{k}"),
                    "an asset has no attributes in a session; not kept",
                );
            }
            report_extra(
                b,
                &at,
                a,
                &["id", "name", "description", "risk", "attributes"],
            );
            b.session.assets.push(Asset {
                id,
                name,
                classification: class,
                description,
            });
            remember(b, &mut self.assets, &at, &otm_id, id);
        }
    }

    fn mitigations(&mut self, top: &Map<String, Value>) {
        for (at, m) in objects(&mut self.b, "", top, "mitigations") {
            let b = &mut self.b;
            let otm_id = text(b, &format!("{at}.id"), m.get("id"));
            let Some(id) = b.id(IdKind::Mitigation, our_number(&otm_id, IdKind::Mitigation)) else {
                b.unmapped(at, "no id left to give it; skipped");
                continue;
            };
            let text_ = name_of(b, &at, m, || format!("Mitigation {id}"));
            let notes = text(b, &format!("{at}.description"), m.get("description"));
            let mut properties = BTreeMap::new();
            match percent(b, &format!("{at}.riskReduction"), m.get("riskReduction")) {
                Some(n) if is(&n, DEFAULT_RISK_REDUCTION) => {}
                Some(n) => {
                    properties.insert(format!("{OTM}riskReduction"), n.to_string());
                }
                None if absent(m.get("riskReduction")) => b.unmapped(
                    format!("{at}.riskReduction"),
                    format!(
                        "none (the schema asks for one); an export writes {DEFAULT_RISK_REDUCTION}"
                    ),
                ),
                None => {}
            }
            let pairs = attributes(b, &at, m);
            let mut ours = split_attributes(pairs, &mut properties);
            let owner = ours.remove("owner").unwrap_or_default();
            let catalog = ours.remove("catalog").filter(|c| !c.is_empty());
            let tags = list_from_property(ours.remove("tags").as_ref());
            let mut status = MitigationStatus::Proposed;
            if let Some(s) = ours.remove("status") {
                match MitigationStatus::ALL.into_iter().find(|x| x.key() == s) {
                    Some(x) => status = x,
                    None => b.unmapped(
                        format!("{at}.attributes.{OURS}status"),
                        format!("unknown status `{s}`; read as proposed"),
                    ),
                }
            }
            report_ours(b, &at, &ours);
            report_extra(
                b,
                &at,
                m,
                &["id", "name", "description", "riskReduction", "attributes"],
            );
            let position = b.session.mitigations.len();
            b.session.mitigations.push(Mitigation {
                id,
                threats: Vec::new(),
                text: text_,
                catalog,
                owner,
                status,
                notes,
                tags,
                properties,
            });
            if otm_id.trim().is_empty() {
                b.unmapped(format!("{at}.id"), "no id: no threat can list it");
            } else {
                b.foreign(id, &otm_id);
                match self.mitigations.entry(otm_id) {
                    std::collections::hash_map::Entry::Occupied(e) => b.unmapped(
                        format!("{at}.id"),
                        format!("id `{}` is used twice; references go to the first", e.key()),
                    ),
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(position);
                    }
                }
            }
        }
    }

    fn definitions(&mut self, top: &Map<String, Value>) {
        for (at, t) in objects(&mut self.b, "", top, "threats") {
            let b = &mut self.b;
            let otm_id = text(b, &format!("{at}.id"), t.get("id"));
            let title = name_of(b, &at, t, || {
                if otm_id.trim().is_empty() {
                    "Unnamed threat".to_string()
                } else {
                    format!("Threat {otm_id}")
                }
            });
            let notes = text(b, &format!("{at}.description"), t.get("description"));
            let mut properties = BTreeMap::new();

            let names = texts(b, &format!("{at}.categories"), t.get("categories"));
            let mut categories: Vec<Category> = Vec::new();
            let mut other = Vec::new();
            for n in &names {
                match category(n) {
                    Some(c) if !categories.contains(&c) => categories.push(c),
                    Some(_) => {}
                    None => other.push(n.clone()),
                }
            }
            if !other.is_empty() {
                b.unmapped(
                    format!("{at}.categories"),
                    format!(
                        "not STRIDE categories: `{}`; kept in properties for an export",
                        other.join("`, `")
                    ),
                );
            }
            if categories.is_empty() {
                b.unmapped(
                    format!("{at}.categories"),
                    format!("no STRIDE category; set to {}", DEFAULT_CATEGORY.name()),
                );
                categories.push(DEFAULT_CATEGORY);
            }
            let ours_written: Vec<String> = categories
                .iter()
                .map(|c| category_name(*c).to_string())
                .collect();
            if !names.is_empty() && names != ours_written {
                properties.insert(format!("{OTM}categories"), list_property(&names));
            }
            let cwes = texts(b, &format!("{at}.cwes"), t.get("cwes"));
            if !cwes.is_empty() {
                properties.insert(format!("{OTM}cwes"), list_property(&cwes));
            }
            let tags = texts(b, &format!("{at}.tags"), t.get("tags"));

            let pairs = attributes(b, &at, t);
            let mut ours = split_attributes(pairs, &mut properties);
            let unrated_impact = ours.remove("unrated-impact").is_some_and(|v| v == "true");
            let (likelihood, impact) = risk(b, &at, t, unrated_impact, &mut properties);
            let catalog = ours.remove("catalog").filter(|c| !c.is_empty());
            let priority = ours.remove("priority").and_then(|p| {
                let found = [Priority::Low, Priority::Medium, Priority::High]
                    .into_iter()
                    .find(|x| x.key() == p);
                if found.is_none() {
                    b.unmapped(
                        format!("{at}.attributes.{OURS}priority"),
                        format!("unknown priority `{p}`; left unset"),
                    );
                }
                found
            });
            let ids = list_from_property(ours.remove("ids").as_ref())
                .iter()
                .filter_map(|i| our_number(i, IdKind::Threat))
                .collect();
            let status = ours.remove("status").and_then(|s| {
                let found = ThreatStatus::ALL.into_iter().find(|x| x.key() == s);
                if found.is_none() {
                    b.unmapped(
                        format!("{at}.attributes.{OURS}status"),
                        format!("unknown status `{s}`; read as open"),
                    );
                }
                found
            });
            let mitigations = list_from_property(ours.remove("mitigations").as_ref());
            report_ours(b, &at, &ours);
            report_extra(
                b,
                &at,
                t,
                &[
                    "id",
                    "name",
                    "description",
                    "categories",
                    "cwes",
                    "risk",
                    "tags",
                    "attributes",
                ],
            );
            let position = self.definitions.len();
            if otm_id.trim().is_empty() {
                b.unmapped(format!("{at}.id"), "no id: no element can list it");
            } else if self.by_threat_id.contains_key(&otm_id) {
                b.unmapped(
                    format!("{at}.id"),
                    format!("id `{otm_id}` is used twice; instances go to the first"),
                );
            } else {
                self.by_threat_id.insert(otm_id.clone(), position);
            }
            self.definitions.push(Definition {
                otm_id,
                title,
                notes,
                category: categories[0],
                also: categories[1..].to_vec(),
                likelihood,
                impact,
                catalog,
                priority,
                tags,
                properties,
                ids,
                status,
                mitigations,
                instances: 0,
            });
        }
    }

    /// Trust zones as boundaries; their parents are set once every
    /// component is read (a zone can sit in a component).
    fn zones(&mut self, top: &Map<String, Value>) -> Vec<(Id, String, Parent)> {
        let mut parents = Vec::new();
        for (at, z) in objects(&mut self.b, "", top, "trustZones") {
            let b = &mut self.b;
            let otm_id = text(b, &format!("{at}.id"), z.get("id"));
            if otm_id == OUTSIDE_ZONE {
                // Ours: "outside every boundary". Its members get none.
                continue;
            }
            let Some(id) = b.id(IdKind::Boundary, our_number(&otm_id, IdKind::Boundary)) else {
                b.unmapped(at, "no id left to give it; skipped");
                continue;
            };
            let name = name_of(b, &at, z, || format!("Trust zone {id}"));
            let description = text(b, &format!("{at}.description"), z.get("description"));
            let mut properties = BTreeMap::new();
            let kind = text(b, &format!("{at}.type"), z.get("type"));
            if !kind.is_empty() && kind != ZONE_TYPE {
                properties.insert(format!("{OTM}type"), kind);
            }
            match z.get("risk") {
                Some(Value::Object(risk)) => {
                    let here = format!("{at}.risk");
                    match percent(b, &format!("{here}.trustRating"), risk.get("trustRating")) {
                        Some(n) if is(&n, DEFAULT_TRUST_RATING) => {}
                        Some(n) => {
                            properties.insert(format!("{OTM}trustRating"), n.to_string());
                        }
                        None if absent(risk.get("trustRating")) => {
                            b.unmapped(
                                &here,
                                format!("no trust rating (the schema asks for one); an export writes {DEFAULT_TRUST_RATING}"),
                            );
                        }
                        None => {}
                    }
                    report_extra(b, &here, risk, &["trustRating"]);
                }
                None | Some(Value::Null) => b.unmapped(
                    format!("{at}.risk"),
                    "no risk (the schema asks for a trust rating); an export writes 50",
                ),
                Some(other) => b.unmapped(
                    format!("{at}.risk"),
                    format!("not an object: `{}`; ignored", shown(other)),
                ),
            }
            let parent = parent_of(b, &at, z);
            representations(b, &at, z);
            let pairs = attributes(b, &at, z);
            let ours = split_attributes(pairs, &mut properties);
            report_ours(b, &at, &ours);
            report_extra(
                b,
                &at,
                z,
                &[
                    "id",
                    "name",
                    "type",
                    "description",
                    "risk",
                    "parent",
                    "representations",
                    "attributes",
                ],
            );
            b.session.boundaries.push(Boundary {
                id,
                name,
                parent: None,
                description,
                properties,
            });
            remember(b, &mut self.zones, &at, &otm_id, id);
            parents.push((id, at, parent));
        }
        parents
    }

    fn components<'v>(
        &mut self,
        top: &'v Map<String, Value>,
    ) -> (Vec<Instances<'v>>, Vec<(Id, String, Parent)>) {
        let mut instances = Vec::new();
        let mut parents = Vec::new();
        for (at, c) in objects(&mut self.b, "", top, "components") {
            let b = &mut self.b;
            let otm_id = text(b, &format!("{at}.id"), c.get("id"));
            let otm_type = text(b, &format!("{at}.type"), c.get("type"));
            if otm_type.trim().is_empty() {
                b.unmapped(
                    format!("{at}.type"),
                    "no type (the schema asks for one); read as a process",
                );
            }
            let actor = is_actor(&otm_type);
            let kind = if actor {
                IdKind::Actor
            } else {
                IdKind::Component
            };
            let Some(id) = b.id(kind, our_number(&otm_id, kind)) else {
                b.unmapped(at, "no id left to give it; skipped");
                continue;
            };
            let name = name_of(b, &at, c, || format!("Component {id}"));
            let description = text(b, &format!("{at}.description"), c.get("description"));
            let mut properties = BTreeMap::new();
            // The type as it was, unless it is what an export writes.
            let exported_type = if actor {
                ACTOR_TYPE
            } else {
                kind_for(&otm_type)
            };
            if !otm_type.trim().is_empty() && otm_type != exported_type {
                properties.insert(format!("{OTM}type"), otm_type.clone());
            }
            let tags = texts(b, &format!("{at}.tags"), c.get("tags"));
            if !tags.is_empty() {
                properties.insert(format!("{OTM}tags"), list_property(&tags));
            }
            match c.get("assets") {
                None | Some(Value::Null) => {}
                Some(Value::Object(a)) => {
                    let here = format!("{at}.assets");
                    for key in ["processed", "stored"] {
                        let ids: Vec<String> = texts(b, &format!("{here}.{key}"), a.get(key))
                            .iter()
                            .filter_map(|x| match self.assets.get(x) {
                                Some(id) => Some(id.to_string()),
                                None => {
                                    b.unmapped(
                                        format!("{here}.{key}"),
                                        format!("asset `{x}` is not in the file; skipped"),
                                    );
                                    None
                                }
                            })
                            .collect();
                        if !ids.is_empty() {
                            properties.insert(format!("{OTM}assets.{key}"), list_property(&ids));
                        }
                    }
                    report_extra(b, &here, a, &["processed", "stored"]);
                }
                Some(other) => b.unmapped(
                    format!("{at}.assets"),
                    format!("not an object: `{}`; ignored", shown(other)),
                ),
            }
            let parent = parent_of(b, &at, c);
            representations(b, &at, c);
            let pairs = attributes(b, &at, c);
            let mut ours = split_attributes(pairs, &mut properties);
            let out_of_scope = ours.remove("out-of-scope");
            report_ours(b, &at, &ours);
            report_extra(
                b,
                &at,
                c,
                &[
                    "id",
                    "name",
                    "type",
                    "description",
                    "parent",
                    "representations",
                    "assets",
                    "threats",
                    "tags",
                    "attributes",
                ],
            );
            if actor {
                b.session.actors.push(Actor {
                    id,
                    name,
                    description,
                    out_of_scope,
                    properties,
                });
            } else {
                b.session.components.push(Component {
                    id,
                    name,
                    kind: kind_for(&otm_type).to_string(),
                    boundary: None,
                    description,
                    out_of_scope,
                    properties,
                });
            }
            remember(b, &mut self.elements, &at, &otm_id, id);
            if let Some(list) = c.get("threats").filter(|v| !v.is_null()) {
                instances.push((id, format!("{at}.threats"), list));
            }
            parents.push((id, at, parent));
        }
        (instances, parents)
    }

    /// Sets every boundary's parent and every component's boundary, now
    /// that zones and components are known. An actor's zone is kept in
    /// its properties (`otm.trustZone`, our boundary id); a component
    /// inside a component sits in its parent's zone, the parent kept as
    /// `otm.parent.component`.
    fn place(
        &mut self,
        zone_parents: Vec<(Id, String, Parent)>,
        parents: Vec<(Id, String, Parent)>,
    ) {
        let b = &mut self.b;
        for (id, at, parent) in zone_parents {
            let here = format!("{at}.parent");
            let Some(i) = b.session.boundaries.iter().position(|x| x.id == id) else {
                continue;
            };
            match parent {
                Parent::Nothing => {}
                Parent::Zone(z) if z == OUTSIDE_ZONE => {}
                Parent::Zone(z) => match self.zones.get(&z) {
                    Some(p) if *p == id => {
                        b.unmapped(here, "the trust zone is its own parent; ignored")
                    }
                    Some(p) => b.session.boundaries[i].parent = Some(*p),
                    None => b.unmapped(
                        here,
                        format!("trust zone `{z}` is not in the file; ignored"),
                    ),
                },
                Parent::Component(c) => match self.elements.get(&c) {
                    Some(p) => {
                        b.session.boundaries[i]
                            .properties
                            .insert(format!("{OTM}parent.component"), p.to_string());
                        b.unmapped(
                            here,
                            format!(
                                "inside component `{c}`: a trust boundary sits in boundaries only; kept in properties"
                            ),
                        );
                    }
                    None => {
                        b.unmapped(here, format!("component `{c}` is not in the file; ignored"))
                    }
                },
            }
        }
        // Nesting that loops back is cut where it closes.
        let count = b.session.boundaries.len();
        for i in 0..count {
            let start = b.session.boundaries[i].id;
            let mut seen = HashSet::from([start]);
            let mut at = b.session.boundaries[i].parent;
            while let Some(p) = at {
                if !seen.insert(p) {
                    b.session.boundaries[i].parent = None;
                    b.unmapped(
                        format!("trustZones[{i}].parent"),
                        format!(
                            "trust zones nest in a loop through {start}; this parent is dropped"
                        ),
                    );
                    break;
                }
                at = b.session.boundary(p).and_then(|x| x.parent);
            }
        }

        let mut zone_of: HashMap<Id, Id> = HashMap::new();
        let mut inside: HashMap<Id, Id> = HashMap::new();
        for (id, at, parent) in parents {
            let here = format!("{at}.parent");
            match parent {
                Parent::Nothing => b.unmapped(
                    here,
                    "no parent (the schema asks for one); outside every trust boundary",
                ),
                Parent::Zone(z) if z == OUTSIDE_ZONE => {}
                Parent::Zone(z) => match self.zones.get(&z) {
                    Some(zone) => {
                        zone_of.insert(id, *zone);
                    }
                    None => b.unmapped(
                        here,
                        format!(
                            "trust zone `{z}` is not in the file; outside every trust boundary"
                        ),
                    ),
                },
                Parent::Component(c) => match self.elements.get(&c) {
                    Some(p) if *p == id => b.unmapped(
                        here,
                        "the component is its own parent; outside every trust boundary",
                    ),
                    Some(p) => {
                        inside.insert(id, *p);
                        b.unmapped(
                            here,
                            format!(
                                "inside component `{c}`: components do not nest in a session; placed in its trust zone, the parent kept in properties"
                            ),
                        );
                    }
                    None => b.unmapped(
                        here,
                        format!("component `{c}` is not in the file; outside every trust boundary"),
                    ),
                },
            }
        }
        // The zone of an element: its own, else its parent's, and so on.
        let effective = |id: Id| -> Option<Id> {
            let mut seen = HashSet::new();
            let mut at = id;
            loop {
                if let Some(z) = zone_of.get(&at) {
                    return Some(*z);
                }
                match inside.get(&at) {
                    Some(p) if seen.insert(*p) => at = *p,
                    _ => return None,
                }
            }
        };
        for c in &mut b.session.components {
            c.boundary = effective(c.id);
            if let Some(p) = inside.get(&c.id) {
                c.properties
                    .insert(format!("{OTM}parent.component"), p.to_string());
            }
        }
        for a in &mut b.session.actors {
            if let Some(z) = effective(a.id) {
                a.properties
                    .insert(format!("{OTM}trustZone"), z.to_string());
            }
            if let Some(p) = inside.get(&a.id) {
                a.properties
                    .insert(format!("{OTM}parent.component"), p.to_string());
            }
        }
    }

    fn flows<'v>(&mut self, top: &'v Map<String, Value>) -> Vec<Instances<'v>> {
        let mut instances = Vec::new();
        let mut seen_ids: HashMap<String, Id> = HashMap::new();
        for (at, f) in objects(&mut self.b, "", top, "dataflows") {
            let b = &mut self.b;
            let otm_id = text(b, &format!("{at}.id"), f.get("id"));
            let source = text(b, &format!("{at}.source"), f.get("source"));
            let destination_key = if f.contains_key("destination") || !f.contains_key("target") {
                "destination"
            } else {
                b.unmapped(
                    format!("{at}.target"),
                    "`target` is not an OTM field; read as `destination`",
                );
                "target"
            };
            let destination = text(
                b,
                &format!("{at}.{destination_key}"),
                f.get(destination_key),
            );
            let end = |b: &mut Builder, key: &str, otm: &str| -> Option<Id> {
                match self.elements.get(otm) {
                    Some(id) => Some(*id),
                    None => {
                        let what = if otm.is_empty() {
                            "none".to_string()
                        } else if self.zones.contains_key(otm) {
                            format!("`{otm}` is a trust zone, not a component")
                        } else {
                            format!("`{otm}` is not a component in the file")
                        };
                        b.unmapped(
                            format!("{at}.{key}"),
                            format!("{what}; the data flow is skipped"),
                        );
                        None
                    }
                }
            };
            let (Some(from), Some(to)) = (
                end(b, "source", &source),
                end(b, destination_key, &destination),
            ) else {
                continue;
            };
            if from == to {
                b.unmapped(
                    format!("{at}.{destination_key}"),
                    format!("`{destination}` is also the source: a flow to itself is skipped"),
                );
                continue;
            }
            let Some(id) = b.id(IdKind::Flow, our_number(&otm_id, IdKind::Flow)) else {
                b.unmapped(at, "no id left to give it; skipped");
                continue;
            };
            let fallback = format!(
                "{} to {}",
                b.session.name(from).unwrap_or("?"),
                b.session.name(to).unwrap_or("?")
            );
            let label = name_of(b, &at, f, || fallback);
            let description = text(b, &format!("{at}.description"), f.get("description"));
            let mut properties = BTreeMap::new();
            match f.get("bidirectional") {
                None | Some(Value::Null) => {}
                Some(Value::Bool(x)) => {
                    properties.insert(format!("{OTM}bidirectional"), x.to_string());
                }
                Some(other) => b.unmapped(
                    format!("{at}.bidirectional"),
                    format!("not true or false: `{}`; ignored", shown(other)),
                ),
            }
            let tags = texts(b, &format!("{at}.tags"), f.get("tags"));
            if !tags.is_empty() {
                properties.insert(format!("{OTM}tags"), list_property(&tags));
            }
            let mut assets = Vec::new();
            for x in texts(b, &format!("{at}.assets"), f.get("assets")) {
                match self.assets.get(&x) {
                    Some(a) if !assets.contains(a) => assets.push(*a),
                    Some(_) => {}
                    None => b.unmapped(
                        format!("{at}.assets"),
                        format!("asset `{x}` is not in the file; skipped"),
                    ),
                }
            }
            representations(b, &at, f);
            let pairs = attributes(b, &at, f);
            let protocol = pairs
                .iter()
                .find(|(k, _)| k == "protocol")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let pairs = pairs.into_iter().filter(|(k, _)| k != "protocol").collect();
            let mut ours = split_attributes(pairs, &mut properties);
            let out_of_scope = ours.remove("out-of-scope");
            report_ours(b, &at, &ours);
            report_extra(
                b,
                &at,
                f,
                &[
                    "id",
                    "name",
                    "description",
                    "bidirectional",
                    "source",
                    "destination",
                    "target",
                    "assets",
                    "threats",
                    "tags",
                    "representations",
                    "attributes",
                ],
            );
            b.session.flows.push(Flow {
                id,
                from,
                to,
                label,
                protocol,
                assets,
                description,
                out_of_scope,
                properties,
            });
            remember(b, &mut seen_ids, &at, &otm_id, id);
            if let Some(list) = f.get("threats").filter(|v| !v.is_null()) {
                instances.push((id, format!("{at}.threats"), list));
            }
        }
        instances
    }

    /// The threat instances listed on `target`: one threat each.
    fn instances(&mut self, target: Id, at: &str, list: &Value) {
        let Value::Array(list) = list else {
            self.b
                .unmapped(at, format!("not a list: `{}`; skipped", shown(list)));
            return;
        };
        for (j, item) in list.iter().enumerate() {
            let here = format!("{at}[{j}]");
            let Value::Object(inst) = item else {
                if !item.is_null() {
                    self.b
                        .unmapped(here, format!("not an object: `{}`; skipped", shown(item)));
                }
                continue;
            };
            let b = &mut self.b;
            let threat_id = text(b, &format!("{here}.threat"), inst.get("threat"));
            let Some(&d) = self.by_threat_id.get(&threat_id) else {
                b.unmapped(
                    format!("{here}.threat"),
                    format!("threat `{threat_id}` is not defined under `threats`; skipped"),
                );
                continue;
            };
            let state = text(b, &format!("{here}.state"), inst.get("state"));
            let status = if state.trim().is_empty() {
                b.unmapped(
                    format!("{here}.state"),
                    "no state (the schema asks for one); read as open",
                );
                ThreatStatus::Open
            } else {
                threat_status(&state).unwrap_or_else(|| {
                    b.unmapped(
                        format!("{here}.state"),
                        format!("unknown state `{state}`; read as open"),
                    );
                    ThreatStatus::Open
                })
            };
            report_extra(b, &here, inst, &["threat", "state", "mitigations"]);
            let def = &mut self.definitions[d];
            def.instances = def.instances.saturating_add(1);
            let wanted = def.ids.pop_front().or_else(|| {
                (def.instances == 1)
                    .then(|| our_number(&def.otm_id, IdKind::Threat))
                    .flatten()
            });
            let Some(id) = b.id(IdKind::Threat, wanted) else {
                b.unmapped(here, "no id left to give it; skipped");
                continue;
            };
            let mut properties = def.properties.clone();
            if !state.is_empty() && state != otm_threat_state(status) {
                properties.insert(format!("{OTM}state"), state.clone());
            }
            b.foreign(id, &def.otm_id);
            b.session.threats.push(Arc::new(Threat {
                id,
                title: def.title.clone(),
                category: def.category,
                target: Some(target),
                author: None,
                status,
                status_reason: String::new(),
                likelihood: def.likelihood,
                impact: def.impact,
                catalog: def.catalog.clone(),
                notes: def.notes.clone(),
                created: self.now,
                statement: Default::default(),
                also: def.also.clone(),
                priority: def.priority,
                tags: def.tags.clone(),
                properties,
            }));
            let mitigations = match inst.get("mitigations") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(l)) => l.iter().enumerate().collect(),
                Some(other) => {
                    b.unmapped(
                        format!("{here}.mitigations"),
                        format!("not a list: `{}`; ignored", shown(other)),
                    );
                    Vec::new()
                }
            };
            for (k, m) in mitigations {
                let mat = format!("{here}.mitigations[{k}]");
                let Value::Object(m) = m else {
                    if !m.is_null() {
                        b.unmapped(mat, format!("not an object: `{}`; skipped", shown(m)));
                    }
                    continue;
                };
                let mid = text(b, &format!("{mat}.mitigation"), m.get("mitigation"));
                let Some(&position) = self.mitigations.get(&mid) else {
                    b.unmapped(
                        format!("{mat}.mitigation"),
                        format!("mitigation `{mid}` is not defined under `mitigations`; skipped"),
                    );
                    continue;
                };
                let mstate = text(b, &format!("{mat}.state"), m.get("state"));
                report_extra(b, &mat, m, &["mitigation", "state"]);
                if let Some(x) = b.session.mitigations.get_mut(position) {
                    x.threats.push(id);
                }
                self.states
                    .entry(position)
                    .or_default()
                    .push((id, format!("{mat}.state"), mstate));
            }
        }
    }

    /// Threats defined but on no element: one threat each, with no target.
    fn unplaced_threats(&mut self) {
        for d in 0..self.definitions.len() {
            let def = &self.definitions[d];
            let b = &mut self.b;
            if def.instances > 0 {
                if def.status.is_some() || !def.mitigations.is_empty() {
                    b.unmapped(
                        format!("threats[{d}].attributes"),
                        "stridekit's status and mitigations of a threat on no element are ignored: it has instances",
                    );
                }
                continue;
            }
            let wanted = def
                .ids
                .front()
                .copied()
                .or_else(|| our_number(&def.otm_id, IdKind::Threat));
            let Some(id) = b.id(IdKind::Threat, wanted) else {
                b.unmapped(format!("threats[{d}]"), "no id left to give it; skipped");
                continue;
            };
            b.foreign(id, &def.otm_id);
            b.session.threats.push(Arc::new(Threat {
                id,
                title: def.title.clone(),
                category: def.category,
                target: None,
                author: None,
                status: def.status.unwrap_or_default(),
                status_reason: String::new(),
                likelihood: def.likelihood,
                impact: def.impact,
                catalog: def.catalog.clone(),
                notes: def.notes.clone(),
                created: self.now,
                statement: Default::default(),
                also: def.also.clone(),
                priority: def.priority,
                tags: def.tags.clone(),
                properties: def.properties.clone(),
            }));
            for mid in &def.mitigations {
                match self.mitigations.get(mid) {
                    Some(&p) => {
                        if let Some(m) = b.session.mitigations.get_mut(p) {
                            m.threats.push(id);
                        }
                    }
                    None => b.unmapped(
                        format!("threats[{d}].attributes.{OURS}mitigations"),
                        format!("mitigation `{mid}` is not in the file; skipped"),
                    ),
                }
            }
        }
    }

    /// A mitigation's status from the states its instances give it: one
    /// state is the status; several give the least advanced, each kept
    /// as `otm.state.T<n>` for an export.
    fn mitigation_statuses(&mut self) {
        let b = &mut self.b;
        let mut positions: Vec<usize> = self.states.keys().copied().collect();
        positions.sort_unstable();
        for p in positions {
            let Some(states) = self.states.get(&p) else {
                continue;
            };
            let mut statuses = Vec::new();
            for (_, at, state) in states {
                let s = if state.trim().is_empty() {
                    b.unmapped(at, "no state (the schema asks for one); read as proposed");
                    MitigationStatus::Proposed
                } else {
                    mitigation_status(state).unwrap_or_else(|| {
                        b.unmapped(at, format!("unknown state `{state}`; read as proposed"));
                        MitigationStatus::Proposed
                    })
                };
                statuses.push(s);
            }
            let Some(status) = least_advanced(statuses.iter().copied()) else {
                continue;
            };
            let canonical = otm_mitigation_state(status);
            let all_canonical = states.iter().all(|(_, _, s)| s == canonical);
            let Some(m) = b.session.mitigations.get_mut(p) else {
                continue;
            };
            m.status = status;
            if !all_canonical {
                for (t, _, state) in states {
                    m.properties
                        .insert(format!("{OTM}state.{t}"), state.clone());
                }
            }
            if statuses.iter().any(|s| *s != status) {
                let each: Vec<String> = states
                    .iter()
                    .map(|(t, _, s)| format!("{s} on {t}"))
                    .collect();
                let id = m.id;
                b.unmapped(
                    format!("mitigations[{p}]"),
                    format!(
                        "{id} has a state per threat ({}); its status is {}, the least advanced, and each state is kept for an export",
                        each.join(", "),
                        status.key()
                    ),
                );
            }
        }
    }
}

/// A threat's `risk`: likelihood and impact on our 1 to 5 (see
/// [`rating`]), the OTM numbers and comments kept in `properties`.
fn risk(
    b: &mut Builder,
    at: &str,
    t: &Map<String, Value>,
    unrated_impact: bool,
    properties: &mut BTreeMap<String, String>,
) -> (Option<u8>, Option<u8>) {
    let here = format!("{at}.risk");
    let risk = match t.get("risk") {
        Some(Value::Object(r)) => r,
        None | Some(Value::Null) => {
            b.unmapped(here, "no risk (the schema asks for one); not rated");
            return (None, None);
        }
        Some(other) => {
            b.unmapped(
                here,
                format!("not an object: `{}`; not rated", shown(other)),
            );
            return (None, None);
        }
    };
    let mut read = |key: &str, skip: bool| -> Option<u8> {
        let n = percent(b, &format!("{here}.{key}"), risk.get(key))?;
        if skip {
            return None;
        }
        let r = rating(as_percent(&n));
        // What an export writes for the rating needs no keeping.
        if !is(&n, percent_of(r)) {
            properties.insert(format!("{OTM}{key}"), n.to_string());
        }
        Some(r)
    };
    let likelihood = read("likelihood", false);
    let impact = read("impact", unrated_impact);
    if impact.is_none() && !unrated_impact && absent(risk.get("impact")) {
        b.unmapped(
            format!("{here}.impact"),
            "no impact (the schema asks for one); not rated",
        );
    }
    for key in ["likelihoodComment", "impactComment"] {
        let comment = text(b, &format!("{here}.{key}"), risk.get(key));
        if !comment.is_empty() {
            properties.insert(format!("{OTM}{key}"), comment);
        }
    }
    report_extra(
        b,
        &here,
        risk,
        &["likelihood", "impact", "likelihoodComment", "impactComment"],
    );
    (likelihood, impact)
}

// ---------------------------------------------------------------- export

/// A project id from a title: lower case letters and digits, dashes
/// between words (`LeeJames HR payslips` is `leejames-hr-payslips`).
pub fn slug(title: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        "stridekit".to_string()
    } else {
        words.join("-")
    }
}

/// OTM ids in one section of the file, each used once: the kept foreign
/// id, else ours, else ours with a number.
#[derive(Default)]
struct Names {
    used: HashSet<String>,
    of: HashMap<Id, String>,
}

impl Names {
    fn claim(&mut self, id: Id, kept: Option<&String>) -> String {
        let ours = id.to_string();
        let candidates = kept
            .into_iter()
            .map(String::as_str)
            .filter(|k| !k.trim().is_empty())
            .chain(std::iter::once(ours.as_str()));
        for c in candidates {
            if self.used.insert(c.to_string()) {
                self.of.insert(id, c.to_string());
                return c.to_string();
            }
        }
        let mut n: u32 = 2;
        loop {
            let candidate = format!("{ours}-{n}");
            if self.used.insert(candidate.clone()) {
                self.of.insert(id, candidate.clone());
                return candidate;
            }
            n = n.saturating_add(1);
        }
    }

    fn get(&self, id: Id) -> Option<&String> {
        self.of.get(&id)
    }
}

/// `properties` that are not OTM fields, as `attributes`.
fn attributes_of(properties: &BTreeMap<String, String>) -> Map<String, Value> {
    properties
        .iter()
        .filter(|(k, _)| !k.starts_with(OTM))
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect()
}

/// A kept OTM number, as a number.
fn kept_number(properties: &BTreeMap<String, String>, key: &str) -> Option<Number> {
    properties
        .get(&format!("{OTM}{key}"))
        .and_then(|v| serde_json::from_str::<Number>(v).ok())
}

/// An asset description without its risk paragraph, and that paragraph's
/// confidentiality, integrity, availability and comment.
fn split_risk(description: &str) -> (String, Option<(Number, Number, Number, String)>) {
    let mut starts: Vec<usize> = description
        .match_indices(&format!("\n\n{RISK_PARAGRAPH}"))
        .map(|(i, _)| i)
        .collect();
    if description.starts_with(RISK_PARAGRAPH) {
        starts.insert(0, 0);
    }
    let number = |x: &str| serde_json::from_str::<Number>(x).ok();
    for start in starts {
        let body_at = if start == 0 { 0 } else { start + 2 };
        let Some(rest) = description
            .get(body_at..)
            .and_then(|r| r.strip_prefix(RISK_PARAGRAPH))
        else {
            continue;
        };
        let Some((c, rest)) = rest.split_once(", integrity ") else {
            continue;
        };
        let Some((i, rest)) = rest.split_once(", availability ") else {
            continue;
        };
        // The number ends at the first dot followed by a space or the
        // end (60.5 holds a dot of its own).
        let found = rest.match_indices('.').find_map(|(d, _)| {
            let after = rest.get(d + 1..)?;
            if !(after.is_empty() || after.starts_with(' ')) {
                return None;
            }
            let a = number(rest.get(..d)?)?;
            Some((
                number(c)?,
                number(i)?,
                a,
                after.trim_start_matches(' ').to_string(),
            ))
        });
        if let Some(risk) = found {
            let before = description.get(..start).unwrap_or("").to_string();
            return (before, Some(risk));
        }
    }
    (description.to_string(), None)
}

/// What a session holds and OTM cannot: said once per kind.
fn lost_notes(session: &Session, notes: &mut Vec<String>) {
    let counted = [
        (session.entry_points.len(), "entry points"),
        (session.assumptions.len(), "assumptions"),
        (session.participants.len(), "participants"),
        (session.coverage.len(), "coverage marks"),
        (session.dismissed.len(), "dismissed catalog threats"),
        (
            session
                .threats
                .iter()
                .filter(|t| !t.status_reason.is_empty())
                .count(),
            "threat status reasons",
        ),
        (
            session
                .threats
                .iter()
                .filter(|t| !t.statement.is_empty())
                .count(),
            "threat grammar statements",
        ),
        (
            session
                .threats
                .iter()
                .filter(|t| t.author.is_some())
                .count(),
            "threat authors",
        ),
    ];
    let lost: Vec<String> = counted
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    if !lost.is_empty() {
        notes.push(format!(
            "Open Threat Model has no place for {}: not exported",
            lost.join(", ")
        ));
    }
    let votes = session
        .voting
        .ballots
        .values()
        .map(BTreeMap::len)
        .sum::<usize>()
        + session.voting.tally.len();
    if votes > 0 {
        notes.push("Open Threat Model has no votes: the dots are not exported".to_string());
    }
}

pub fn export(session: &Session) -> Exported {
    let mut notes = Vec::new();
    let known = foreign_ids(session, Format::Otm);
    let kept = |id: Id| known.get(&id);

    let mut zones = Names::default();
    zones.used.insert(OUTSIDE_ZONE.to_string());
    for b in &session.boundaries {
        zones.claim(b.id, kept(b.id));
    }
    let mut elements = Names::default();
    for c in &session.components {
        elements.claim(c.id, kept(c.id));
    }
    for a in &session.actors {
        elements.claim(a.id, kept(a.id));
    }
    let mut flows = Names::default();
    for f in &session.flows {
        flows.claim(f.id, kept(f.id));
    }
    let mut assets = Names::default();
    for a in &session.assets {
        assets.claim(a.id, kept(a.id));
    }
    let mut mitigations = Names::default();
    for m in &session.mitigations {
        mitigations.claim(m.id, kept(m.id));
    }

    // Threat definitions: threats that agree on everything a definition
    // holds (and on the OTM id they came with) share one.
    let mut definitions: Vec<(Value, Option<String>, Vec<Id>)> = Vec::new();
    let mut definition_of: HashMap<Id, usize> = HashMap::new();
    for t in session.threats.iter() {
        let def = definition(t);
        let fid = kept(t.id).cloned();
        let placed = t.target.is_some_and(|x| session.element(x).is_some());
        let found = placed
            .then(|| {
                definitions.iter().position(|(d, f, members)| {
                    *d == def
                        && *f == fid
                        && members
                            .first()
                            .and_then(|m| session.threat(*m))
                            .is_some_and(|m| m.target.is_some())
                })
            })
            .flatten();
        let at = match found {
            Some(i) => i,
            None => {
                definitions.push((def, fid, Vec::new()));
                definitions.len() - 1
            }
        };
        if let Some(d) = definitions.get_mut(at) {
            d.2.push(t.id);
        }
        definition_of.insert(t.id, at);
    }
    let mut threat_names = Names::default();
    let mut definition_ids = Vec::new();
    for (_, fid, members) in &definitions {
        let first = members
            .first()
            .copied()
            .unwrap_or(Id::new(IdKind::Threat, 1));
        definition_ids.push(threat_names.claim(first, fid.as_ref()));
    }

    // Instances, element by element, in the order an import reads them.
    let mut order: Vec<Vec<Id>> = vec![Vec::new(); definitions.len()];
    let instances = |target: Id, order: &mut Vec<Vec<Id>>| -> Value {
        let list: Vec<Value> = session
            .threats
            .iter()
            .filter(|t| t.target == Some(target))
            .filter_map(|t| {
                let d = *definition_of.get(&t.id)?;
                order.get_mut(d)?.push(t.id);
                let state = t
                    .properties
                    .get(&format!("{OTM}state"))
                    // An unknown state was read as open: kept while it is.
                    .filter(|s| threat_status(s).unwrap_or(ThreatStatus::Open) == t.status)
                    .map_or(otm_threat_state(t.status), String::as_str);
                let ms: Vec<Value> = session
                    .mitigations_of(t.id)
                    .filter_map(|m| {
                        Some(json!({
                            "mitigation": mitigations.get(m.id)?,
                            "state": mitigation_state(m, t.id),
                        }))
                    })
                    .collect();
                let mut inst = json!({
                    "threat": definition_ids.get(d)?,
                    "state": state,
                });
                if !ms.is_empty() {
                    inst["mitigations"] = json!(ms);
                }
                Some(inst)
            })
            .collect();
        json!(list)
    };

    let mut outside = false;
    let mut components = Vec::new();
    for c in &session.components {
        let otm_type = c
            .properties
            .get(&format!("{OTM}type"))
            .filter(|t| kind_for(t) == c.kind && !is_actor(t))
            .cloned()
            .unwrap_or_else(|| c.kind.clone());
        let parent = element_parent(session, c.id, &c.properties, c.boundary, &zones, &elements);
        outside |= parent.get("trustZone").and_then(Value::as_str) == Some(OUTSIDE_ZONE);
        let mut item = json!({
            "id": elements.get(c.id),
            "name": c.name,
            "type": otm_type,
            "parent": parent,
        });
        common(
            &mut item,
            &c.description,
            &c.properties,
            c.out_of_scope.as_ref(),
        );
        let mut used = Map::new();
        for key in ["processed", "stored"] {
            let ids: Vec<&String> =
                list_from_property(c.properties.get(&format!("{OTM}assets.{key}")))
                    .iter()
                    .filter_map(|a| a.parse::<Id>().ok())
                    .filter_map(|a| assets.get(a))
                    .collect();
            if !ids.is_empty() {
                used.insert(key.to_string(), json!(ids));
            }
        }
        if !used.is_empty() {
            item["assets"] = Value::Object(used);
        }
        let list = instances(c.id, &mut order);
        if list.as_array().is_some_and(|l| !l.is_empty()) {
            item["threats"] = list;
        }
        components.push(item);
    }
    for a in &session.actors {
        let otm_type = a
            .properties
            .get(&format!("{OTM}type"))
            .filter(|t| is_actor(t))
            .cloned()
            .unwrap_or_else(|| ACTOR_TYPE.to_string());
        let zone = a
            .properties
            .get(&format!("{OTM}trustZone"))
            .and_then(|z| z.parse::<Id>().ok())
            .filter(|z| session.boundary(*z).is_some());
        let parent = element_parent(session, a.id, &a.properties, zone, &zones, &elements);
        outside |= parent.get("trustZone").and_then(Value::as_str) == Some(OUTSIDE_ZONE);
        let mut item = json!({
            "id": elements.get(a.id),
            "name": a.name,
            "type": otm_type,
            "parent": parent,
        });
        common(
            &mut item,
            &a.description,
            &a.properties,
            a.out_of_scope.as_ref(),
        );
        let list = instances(a.id, &mut order);
        if list.as_array().is_some_and(|l| !l.is_empty()) {
            item["threats"] = list;
        }
        components.push(item);
    }

    let mut dataflows = Vec::new();
    for f in &session.flows {
        let (Some(source), Some(destination)) = (elements.get(f.from), elements.get(f.to)) else {
            notes.push(format!(
                "data flow {}: an end is not in the session; not exported",
                f.id
            ));
            continue;
        };
        let mut item = json!({
            "id": flows.get(f.id),
            "name": f.label,
            "source": source,
            "destination": destination,
        });
        let mut properties = f.properties.clone();
        if !f.protocol.is_empty() {
            properties.insert("protocol".to_string(), f.protocol.clone());
        }
        common(
            &mut item,
            &f.description,
            &properties,
            f.out_of_scope.as_ref(),
        );
        if let Some(x) = f.properties.get(&format!("{OTM}bidirectional")) {
            item["bidirectional"] = json!(x == "true");
        }
        let carried: Vec<&String> = f.assets.iter().filter_map(|a| assets.get(*a)).collect();
        if !carried.is_empty() {
            item["assets"] = json!(carried);
        }
        let list = instances(f.id, &mut order);
        if list.as_array().is_some_and(|l| !l.is_empty()) {
            item["threats"] = list;
        }
        dataflows.push(item);
    }

    let mut trust_zones = Vec::new();
    for b in &session.boundaries {
        let rating = kept_number(&b.properties, "trustRating")
            .map_or(json!(DEFAULT_TRUST_RATING), Value::Number);
        let mut item = json!({
            "id": zones.get(b.id),
            "name": b.name,
            "type": b.properties.get(&format!("{OTM}type")).cloned().unwrap_or_else(|| ZONE_TYPE.to_string()),
            "risk": {"trustRating": rating},
        });
        let in_component = b
            .properties
            .get(&format!("{OTM}parent.component"))
            .and_then(|p| p.parse::<Id>().ok())
            .and_then(|p| elements.get(p));
        if let Some(p) = b.parent.and_then(|p| zones.get(p)) {
            item["parent"] = json!({"trustZone": p});
        } else if let Some(c) = in_component {
            item["parent"] = json!({"component": c});
        }
        common(&mut item, &b.description, &b.properties, None);
        trust_zones.push(item);
    }
    if outside {
        trust_zones.push(json!({
            "id": OUTSIDE_ZONE,
            "name": "Outside every trust boundary",
            "type": "stridekit-outside",
            "description": "Where stridekit puts actors and components that sit in no trust boundary.",
            "risk": {"trustRating": 0},
        }));
    }

    let mut otm_assets = Vec::new();
    for a in &session.assets {
        let (description, risk) = split_risk(&a.description);
        let (c, i, av, comment) = match risk {
            Some((c, i, av, comment)) if classification(as_percent(&c)) == a.classification => {
                (json!(c), json!(i), json!(av), comment)
            }
            Some((_, i, av, comment)) => (
                json!(confidentiality_of(a.classification)),
                json!(i),
                json!(av),
                comment,
            ),
            None => (
                json!(confidentiality_of(a.classification)),
                json!(DEFAULT_ASSET_RISK),
                json!(DEFAULT_ASSET_RISK),
                String::new(),
            ),
        };
        let mut risk = json!({"confidentiality": c, "integrity": i, "availability": av});
        if !comment.is_empty() {
            risk["comment"] = json!(comment);
        }
        let mut item = json!({"id": assets.get(a.id), "name": a.name, "risk": risk});
        if !description.is_empty() {
            item["description"] = json!(description);
        }
        otm_assets.push(item);
    }

    let mut threats = Vec::new();
    for (d, (def, _, members)) in definitions.iter().enumerate() {
        let mut item = def.clone();
        item["id"] = json!(definition_ids.get(d));
        let ordered = order.get(d).cloned().unwrap_or_default();
        let first = members.first().copied();
        let attributes = item
            .as_object_mut()
            .and_then(|o| o.get_mut("attributes"))
            .and_then(Value::as_object_mut)
            .map(std::mem::take)
            .unwrap_or_default();
        let mut attributes = attributes;
        if ordered.is_empty() {
            // On no element: its status and mitigations go in attributes.
            if let Some(t) = first.and_then(|f| session.threat(f)) {
                if t.status != ThreatStatus::Open {
                    attributes.insert(format!("{OURS}status"), json!(t.status.key()));
                }
                let ms: Vec<String> = session
                    .mitigations_of(t.id)
                    .filter_map(|m| mitigations.get(m.id).cloned())
                    .collect();
                if !ms.is_empty() {
                    attributes.insert(format!("{OURS}mitigations"), json!(list_property(&ms)));
                }
                if t.target.is_some() {
                    notes.push(format!(
                        "threat {}: its element is not in the session; exported on none",
                        t.id
                    ));
                }
            }
        } else {
            let ids: Vec<String> = ordered.iter().map(Id::to_string).collect();
            let recovered =
                ordered.len() == 1 && definition_ids.get(d).is_some_and(|x| *x == ids[0]);
            if !recovered {
                attributes.insert(format!("{OURS}ids"), json!(list_property(&ids)));
            }
        }
        if !attributes.is_empty() {
            item["attributes"] = Value::Object(attributes);
        } else if let Some(o) = item.as_object_mut() {
            o.remove("attributes");
        }
        threats.push(item);
    }

    let mut otm_mitigations = Vec::new();
    for m in &session.mitigations {
        let reduction = kept_number(&m.properties, "riskReduction")
            .map_or(json!(DEFAULT_RISK_REDUCTION), Value::Number);
        let mut attributes = attributes_of(&m.properties);
        if !m.owner.is_empty() {
            attributes.insert(format!("{OURS}owner"), json!(m.owner));
        }
        if let Some(c) = &m.catalog {
            attributes.insert(format!("{OURS}catalog"), json!(c));
        }
        if !m.tags.is_empty() {
            attributes.insert(format!("{OURS}tags"), json!(list_property(&m.tags)));
        }
        let on_an_element = m
            .threats
            .iter()
            .filter_map(|t| session.threat(*t))
            .any(|t| t.target.is_some_and(|x| session.element(x).is_some()));
        if !on_an_element && m.status != MitigationStatus::Proposed {
            attributes.insert(format!("{OURS}status"), json!(m.status.key()));
        }
        let mut item = json!({
            "id": mitigations.get(m.id),
            "name": m.text,
            "riskReduction": reduction,
        });
        if !m.notes.is_empty() {
            item["description"] = json!(m.notes);
        }
        if !attributes.is_empty() {
            item["attributes"] = Value::Object(attributes);
        }
        otm_mitigations.push(item);
    }

    let mut project = json!({"name": session.title, "id": slug(&session.title)});
    if !session.description.is_empty() {
        project["description"] = json!(session.description);
    }
    let mut project_attributes = Map::new();
    if !session.architecture.is_empty() {
        project_attributes.insert(format!("{OURS}architecture"), json!(session.architecture));
    }
    if !session.dataflow.is_empty() {
        project_attributes.insert(format!("{OURS}dataflow"), json!(session.dataflow));
    }
    if !project_attributes.is_empty() {
        project["attributes"] = Value::Object(project_attributes);
    }
    lost_notes(session, &mut notes);
    let doc = json!({
        "otmVersion": VERSION,
        "project": project,
        "assets": otm_assets,
        "trustZones": trust_zones,
        "components": components,
        "dataflows": dataflows,
        "threats": threats,
        "mitigations": otm_mitigations,
    });
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    Exported { text, notes }
}

/// Description, tags, attributes and our out-of-scope mark of an element.
fn common(
    item: &mut Value,
    description: &str,
    properties: &BTreeMap<String, String>,
    out_of_scope: Option<&String>,
) {
    if !description.is_empty() {
        item["description"] = json!(description);
    }
    let tags = list_from_property(properties.get(&format!("{OTM}tags")));
    if !tags.is_empty() {
        item["tags"] = json!(tags);
    }
    let mut attributes = attributes_of(properties);
    if let Some(reason) = out_of_scope {
        attributes.insert(format!("{OURS}out-of-scope"), json!(reason));
    }
    if !attributes.is_empty() {
        item["attributes"] = Value::Object(attributes);
    }
}

/// An element's OTM parent: the component it was read inside (when that
/// is still there and not inside it in turn), else its trust zone, else
/// the zone outside every boundary.
fn element_parent(
    session: &Session,
    id: Id,
    properties: &BTreeMap<String, String>,
    zone: Option<Id>,
    zones: &Names,
    elements: &Names,
) -> Value {
    let parent_of = |x: Id| -> Option<Id> {
        let props = match session.element(x)? {
            crate::core::model::ElementRef::Component(c) => &c.properties,
            crate::core::model::ElementRef::Actor(a) => &a.properties,
            crate::core::model::ElementRef::Flow(_) => return None,
        };
        props
            .get(&format!("{OTM}parent.component"))
            .and_then(|p| p.parse::<Id>().ok())
            .filter(|p| session.element(*p).is_some() && p.kind != IdKind::Flow)
    };
    let direct = properties
        .get(&format!("{OTM}parent.component"))
        .and_then(|p| p.parse::<Id>().ok())
        .filter(|p| session.element(*p).is_some() && p.kind != IdKind::Flow);
    if let Some(p) = direct {
        // No loop back to this element.
        let mut seen = HashSet::from([id]);
        let mut at = Some(p);
        let mut looped = false;
        while let Some(x) = at {
            if !seen.insert(x) {
                looped = true;
                break;
            }
            at = parent_of(x);
        }
        if !looped && let Some(name) = elements.get(p) {
            return json!({"component": name});
        }
    }
    match zone.and_then(|z| zones.get(z)) {
        Some(z) => json!({"trustZone": z}),
        None => json!({"trustZone": OUTSIDE_ZONE}),
    }
}

/// A threat's OTM definition, without its id.
fn definition(t: &Threat) -> Value {
    let p = &t.properties;
    let ours: Vec<Category> = std::iter::once(t.category)
        .chain(t.also.iter().copied())
        .collect();
    let kept_categories = list_from_property(p.get(&format!("{OTM}categories")));
    let kept_stride: Vec<Category> =
        kept_categories
            .iter()
            .filter_map(|c| category(c))
            .fold(Vec::new(), |mut acc, c| {
                if !acc.contains(&c) {
                    acc.push(c);
                }
                acc
            });
    let categories: Vec<String> = if !kept_categories.is_empty()
        && (kept_stride == ours || (kept_stride.is_empty() && ours == [DEFAULT_CATEGORY]))
    {
        kept_categories
    } else {
        ours.iter().map(|c| category_name(*c).to_string()).collect()
    };
    let level = |key: &str, ours: Option<u8>| -> Value {
        match (kept_number(p, key), ours) {
            (Some(n), Some(r)) if rating(as_percent(&n)) == r => Value::Number(n),
            (_, Some(r)) => json!(percent_of(r)),
            (_, None) => Value::Null,
        }
    };
    let mut risk = json!({
        "likelihood": level("likelihood", t.likelihood),
        "impact": level("impact", t.impact),
    });
    let mut attributes = attributes_of(p);
    if t.impact.is_none() {
        risk["impact"] = json!(DEFAULT_IMPACT);
        attributes.insert(format!("{OURS}unrated-impact"), json!("true"));
    }
    for key in ["likelihoodComment", "impactComment"] {
        if let Some(c) = p.get(&format!("{OTM}{key}")) {
            risk[key] = json!(c);
        }
    }
    if let Some(c) = &t.catalog {
        attributes.insert(format!("{OURS}catalog"), json!(c));
    }
    if let Some(pr) = t.priority {
        attributes.insert(format!("{OURS}priority"), json!(pr.key()));
    }
    let mut item = json!({
        "name": t.title,
        "categories": categories,
        "risk": risk,
    });
    if !t.notes.is_empty() {
        item["description"] = json!(t.notes);
    }
    let cwes = list_from_property(p.get(&format!("{OTM}cwes")));
    if !cwes.is_empty() {
        item["cwes"] = json!(cwes);
    }
    if !t.tags.is_empty() {
        item["tags"] = json!(t.tags);
    }
    if !attributes.is_empty() {
        item["attributes"] = Value::Object(attributes);
    }
    item
}

/// The state a mitigation instance on threat `t` is written with: the one
/// kept from the file while the mitigation's status is what those states
/// gave, else the state of its status.
fn mitigation_state(m: &Mitigation, t: Id) -> String {
    let prefix = format!("{OTM}state.");
    let kept: Vec<&String> = m
        .properties
        .iter()
        .filter(|(k, _)| k.starts_with(&prefix))
        .map(|(_, v)| v)
        .collect();
    let still = !kept.is_empty()
        && least_advanced(
            kept.iter()
                .map(|s| mitigation_status(s).unwrap_or(MitigationStatus::Proposed)),
        ) == Some(m.status);
    match m.properties.get(&format!("{prefix}{t}")) {
        Some(s) if still => s.clone(),
        _ => otm_mitigation_state(m.status).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::catalog::Catalogs;

    #[test]
    fn every_kind_the_tables_name_is_a_builtin_component_kind() {
        let catalogs = Catalogs::builtin().unwrap();
        for kind in KINDS
            .iter()
            .copied()
            .chain(TYPE_KINDS.iter().map(|(_, k)| *k))
        {
            assert!(catalogs.kind(kind).is_some(), "{kind}");
            assert!(
                catalogs.kind(kind_for(kind)).unwrap().is_component_kind(),
                "{kind}"
            );
        }
    }

    /// A stridekit export's component types are its kinds: every built-in
    /// component kind must read back as itself.
    #[test]
    fn every_builtin_component_kind_is_known() {
        let catalogs = crate::core::catalog::Catalogs::builtin().unwrap();
        for kind in catalogs.component_kinds() {
            assert!(
                KINDS.contains(&kind.id.as_str()),
                "{} is not in KINDS",
                kind.id
            );
        }
        for (t, kind) in [
            ("aws-ecs-service", "aws.ecs"),
            ("aws-ecr", "aws.ecr"),
            ("aws-alb", "aws.elb"),
            ("aws-bedrock", "aws.bedrock"),
            ("aws-appsync", "aws.appsync"),
            ("aws-elasticache-redis", "aws.elasticache"),
            ("aws-opensearch-domain", "aws.opensearch"),
            ("aws-route-53", "aws.route53"),
            ("aws-kinesis-data-firehose", "aws.firehose"),
            ("aws-kinesis-stream", "aws.kinesis"),
            ("aws-ses", "aws.ses"),
            ("aws-efs", "aws.efs"),
            ("redis", "generic.data-store"),
        ] {
            assert_eq!(kind_for(t), kind, "{t}");
        }
    }

    #[test]
    fn types_map_to_kinds_and_actors() {
        for (t, kind) in [
            ("web-client", "generic.client"),
            ("web-service", "generic.process"),
            ("database", "generic.data-store"),
            ("code-class", "generic.process"),
            ("aws-lambda-function", "aws.lambda"),
            ("CD-V2-API-GATEWAY", "aws.api-gateway"),
            ("s3", "aws.s3"),
            ("aws.s3", "aws.s3"),
            ("postgresql-db", "generic.data-store"),
            ("", "generic.process"),
            ("generic.data-flow", "generic.process"),
            ("generic.external-entity", "generic.external-entity"),
        ] {
            assert_eq!(kind_for(t), kind, "{t}");
        }
        for t in [
            "user",
            "external-entity",
            "Generic_User",
            "third-party-service",
        ] {
            assert!(is_actor(t), "{t}");
        }
        for t in [
            "web-client",
            "username-service-x",
            "generic.external-entity",
        ] {
            assert!(!is_actor(t), "{t}");
        }
    }

    #[test]
    fn ratings_round_both_ways() {
        let cases = [
            (0.0, 1),
            (20.0, 1),
            (20.5, 2),
            (50.0, 3),
            (80.0, 4),
            (81.0, 5),
            (100.0, 5),
        ];
        for (p, r) in cases {
            assert_eq!(rating(p), r, "{p}");
        }
        for r in 1..=5 {
            assert_eq!(rating(percent_of(r) as f64), r);
        }
        for c in Classification::ALL {
            assert_eq!(classification(confidentiality_of(c) as f64), c);
        }
    }

    #[test]
    fn the_risk_paragraph_comes_back_out_of_a_description() {
        let (d, r) = split_risk(
            "Card numbers.\n\nOTM risk: confidentiality 100, integrity 0.5, availability 2.5. Why. And more.",
        );
        assert_eq!(d, "Card numbers.");
        let (c, i, a, comment) = r.unwrap();
        assert_eq!(
            (c.to_string(), i.to_string(), a.to_string()),
            ("100".into(), "0.5".into(), "2.5".into())
        );
        assert_eq!(comment, "Why. And more.");
        let (d, r) = split_risk("OTM risk: confidentiality 1, integrity 2, availability 3.");
        assert_eq!((d.as_str(), r.map(|x| x.3)), ("", Some(String::new())));
        assert_eq!(split_risk("No risk here.").0, "No risk here.");
    }
}
