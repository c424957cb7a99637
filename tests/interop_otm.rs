//! Open Threat Model import and export (issue 10): the small fixtures
//! written for these tests always run; the real files in
//! `../shared/samples/otm` run where that folder exists (a user's clone
//! has none: the tests say so and pass). Expected counts are worked out
//! from the parsed file here, not by the importer.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use serde_json::{Value, json};
use stridekit::core::catalog::Catalogs;
use stridekit::core::ids::Id;
use stridekit::core::interop::{self, Format, ImportError, otm};
use stridekit::core::model::{Classification, MitigationStatus, Session, ThreatStatus};
use stridekit::core::store;
use stridekit::core::stride::Category;
use stridekit::core::time::Timestamp;

const FIXTURE: &str = include_str!("fixtures/interop/small.otm.json");
const FIXTURE_YAML: &str = include_str!("fixtures/interop/small.otm.yaml");
const FIXTURE_0_1: &str = include_str!("fixtures/interop/small-0.1.otm.yaml");

static CATALOGS: LazyLock<Catalogs> = LazyLock::new(|| Catalogs::builtin().unwrap());

fn now() -> Timestamp {
    Timestamp::from_unix(1_800_000_000)
}

fn import(text: &str) -> interop::Imported {
    interop::import(text, None, "fallback title", now()).expect("imports")
}

/// The session as a file and back: what the importer built is valid.
fn valid(session: &Session) -> Session {
    let text = store::to_toml(session).unwrap();
    store::load_text(Path::new("imported.toml"), &text, &CATALOGS)
        .unwrap_or_else(|e| panic!("invalid session: {e:?}\n{text}"))
        .session
}

fn samples() -> Option<PathBuf> {
    common::samples("otm")
}

/// The sample models (the schema is not one).
fn sample_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name.ends_with(".json") || name.ends_with(".yaml")) && !name.contains("schema")
        })
        .collect();
    files.sort();
    files
}

/// A file parsed as the test reads it: JSON, or YAML by serde-saphyr
/// straight (not through the importer).
fn parsed(path: &Path, text: &str) -> Value {
    if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
        serde_saphyr::from_str(text).unwrap()
    } else {
        serde_json::from_str(text).unwrap()
    }
}

fn list<'v>(doc: &'v Value, key: &str) -> Vec<&'v Value> {
    doc[key]
        .as_array()
        .map(|a| a.iter().filter(|x| x.is_object()).collect())
        .unwrap_or_default()
}

fn reported(imported: &interop::Imported) -> BTreeSet<String> {
    imported.unmapped.iter().map(|u| u.at.clone()).collect()
}

#[test]
fn the_fixture_maps_every_field_and_reports_the_rest() {
    let imported = import(FIXTURE);
    assert_eq!(imported.format, Format::Otm);
    let s = valid(&imported.session);
    assert_eq!(s.title, "Payments portal");
    assert_eq!(s.description, "Customers pay invoices online.");

    // Assets: the classification from confidentiality, the OTM risk kept
    // in the description.
    let classes: Vec<Classification> = s.assets.iter().map(|a| a.classification).collect();
    assert_eq!(
        classes,
        [
            Classification::Restricted,
            Classification::Internal,
            Classification::Public,
            Classification::Restricted
        ]
    );
    assert_eq!(
        s.assets[0].description,
        "Primary account numbers.\n\nOTM risk: confidentiality 100, integrity 80, availability 40. PCI scope."
    );
    assert_eq!(
        s.assets[1].description,
        "OTM risk: confidentiality 30, integrity 100, availability 60.5."
    );

    // Trust zones nest; "Lab" has no risk.
    let zones: Vec<(&str, Option<String>)> = s
        .boundaries
        .iter()
        .map(|b| (b.name.as_str(), b.parent.map(|p| p.to_string())))
        .collect();
    assert_eq!(
        zones,
        [
            ("Internet", None),
            ("DMZ", Some("B1".to_string())),
            ("Private", Some("B2".to_string())),
            ("Lab", None)
        ]
    );
    assert_eq!(s.boundaries[0].properties["otm.trustRating"], "10");
    let dmz = &s.boundaries[1];
    // 50 is what an export writes for none: nothing to keep.
    assert!(!dmz.properties.contains_key("otm.trustRating"));
    assert_eq!(dmz.properties["otm.type"], "dmz");
    assert_eq!(dmz.properties["vlan"], "20");
    assert_eq!(dmz.description, "Public-facing services.");

    // The customer is an actor; the rest are components of a kind.
    assert_eq!(s.actors.len(), 1);
    let customer = &s.actors[0];
    assert_eq!(customer.name, "Customer");
    assert_eq!(customer.properties["otm.type"], "generic-user");
    assert_eq!(customer.properties["otm.trustZone"], "B1");
    let kinds: Vec<(&str, &str, Option<String>)> = s
        .components
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.kind.as_str(),
                c.boundary.map(|b| b.to_string()),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("Browser", "generic.client", Some("B1".into())),
            ("Payment API", "aws.api-gateway", Some("B2".into())),
            ("Ledger", "generic.data-store", Some("B3".into())),
            // Inside the API: in the API's zone, the parent kept.
            ("Worker", "generic.process", Some("B2".into())),
            ("Ghost", "generic.process", None),
        ]
    );
    let api = &s.components[1];
    assert_eq!(api.properties["otm.type"], "aws-api-gateway");
    assert_eq!(api.properties["team"], "Payments");
    assert_eq!(api.properties["port"], "443");
    assert_eq!(s.components[0].properties["otm.tags"], r#"["spa"]"#);
    assert_eq!(
        s.components[3].properties["otm.parent.component"],
        api.id.to_string()
    );
    let ledger = &s.components[2];
    assert_eq!(ledger.properties["otm.assets.processed"], r#"["A1","A2"]"#);
    assert_eq!(ledger.properties["otm.assets.stored"], r#"["A2"]"#);

    // Two flows; the loop and the flow into a zone are skipped.
    assert_eq!(s.flows.len(), 2);
    let pay = &s.flows[0];
    assert_eq!((pay.from, pay.to), (customer.id, api.id));
    assert_eq!(pay.protocol, "HTTPS");
    assert_eq!(pay.description, "Card details sent to the API.");
    assert_eq!(pay.properties["otm.bidirectional"], "true");
    assert_eq!(pay.properties["otm.tags"], r#"["pci"]"#);
    assert_eq!(pay.assets, [s.assets[0].id]);
    assert_eq!((s.flows[1].from, s.flows[1].to), (api.id, ledger.id));

    // One threat per instance, and one for the threat on no element.
    let threats: Vec<(&str, Option<Id>, ThreatStatus)> = s
        .threats
        .iter()
        .map(|t| (t.title.as_str(), t.target, t.status))
        .collect();
    assert_eq!(
        threats,
        [
            (
                "SQL injection in the payment form",
                Some(api.id),
                ThreatStatus::Open
            ),
            ("Request flood", Some(api.id), ThreatStatus::Open),
            (
                "SQL injection in the payment form",
                Some(pay.id),
                ThreatStatus::Mitigated
            ),
            ("Insider reads the ledger", None, ThreatStatus::Open),
        ]
    );
    let sqli = &s.threats[0];
    assert_eq!(sqli.category, Category::Tampering);
    assert_eq!(sqli.also, [Category::InformationDisclosure]);
    assert_eq!((sqli.likelihood, sqli.impact), (Some(3), Some(5)));
    assert_eq!(sqli.notes, "Unsanitised input reaches the ledger.");
    assert_eq!(sqli.tags, ["owasp-a03"]);
    // 50 is kept (an export of 3 would write 60); 100 is what 5 writes.
    assert_eq!(sqli.properties["otm.likelihood"], "50");
    assert!(!sqli.properties.contains_key("otm.impact"));
    assert_eq!(sqli.properties["otm.impactComment"], "Card data leaks.");
    assert_eq!(sqli.properties["otm.cwes"], r#"["CWE-89"]"#);
    assert_eq!(sqli.properties["source"], "pentest");
    assert_eq!(s.foreign_ids["otm"][&sqli.id], "sqli");
    assert_eq!(s.foreign_ids["otm"][&s.threats[2].id], "sqli");
    let flood = &s.threats[1];
    assert_eq!(flood.category, otm::DEFAULT_CATEGORY);
    assert_eq!((flood.likelihood, flood.impact), (None, Some(1)));
    assert_eq!(flood.properties["otm.state"], "TBA");
    let insider = &s.threats[3];
    assert_eq!(insider.category, Category::InformationDisclosure);
    assert_eq!(insider.also, [Category::ElevationOfPrivilege]);
    assert_eq!((insider.likelihood, insider.impact), (Some(1), Some(5)));

    // Mitigations: linked to every instance that lists them; "implemented"
    // here and "required" there is planned, each state kept.
    let prepared = &s.mitigations[0];
    assert_eq!(prepared.text, "Prepared statements");
    assert_eq!(prepared.notes, "Never build SQL from input.");
    assert_eq!(prepared.threats, [sqli.id, s.threats[2].id]);
    assert_eq!(prepared.status, MitigationStatus::Planned);
    assert_eq!(prepared.properties["otm.riskReduction"], "80");
    assert_eq!(
        prepared.properties[&format!("otm.state.{}", sqli.id)],
        "implemented"
    );
    let waf = &s.mitigations[1];
    assert_eq!(
        (waf.status, waf.threats.clone()),
        (MitigationStatus::Proposed, vec![s.threats[2].id])
    );
    assert!(waf.properties.is_empty(), "{:?}", waf.properties);
    let review = &s.mitigations[2];
    assert!(review.threats.is_empty(), "an unlinked one loads");
    assert_eq!(review.properties["standard"], "ISO 27001");

    let expected: BTreeSet<String> = [
        "project.id",
        "project.owner",
        "project.ownerContact",
        "project.tags",
        "project.attributes.cmdbId",
        "representations",
        "assets[0].attributes.retention",
        "assets[2].risk",
        "assets[3].risk.confidentiality",
        "trustZones[3].risk",
        "components[2].representations",
        "components[2].threats[1].state",
        "components[2].threats[2].threat",
        "components[3].assets.stored",
        "components[4].parent",
        "components[5].parent",
        "components[5].color",
        "dataflows[1].target",
        "dataflows[2].destination",
        "dataflows[3].destination",
        "threats[1].categories",
        "mitigations[0]",
        "mitigations[1].riskReduction",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(reported(&imported), expected, "{:#?}", imported.unmapped);
    for odd in [
        "`TBA`",
        "`Availability`",
        "`not-defined`",
        "`nowhere`",
        "150",
    ] {
        assert!(
            imported.unmapped.iter().any(|u| u.what.contains(odd)),
            "{odd} is named: {:#?}",
            imported.unmapped
        );
    }
}

#[test]
fn the_yaml_fixture_is_the_json_fixture() {
    let from_json: Value = serde_json::from_str(FIXTURE).unwrap();
    let from_yaml: Value = serde_saphyr::from_str(FIXTURE_YAML).unwrap();
    assert_eq!(from_json, from_yaml, "the fixtures say the same");
    let a = import(FIXTURE);
    let b = import(FIXTURE_YAML);
    assert_eq!(b.format, Format::Otm);
    assert_eq!(valid(&a.session), valid(&b.session));
    assert_eq!(a.unmapped, b.unmapped);
    assert_eq!(interop::detect(FIXTURE_YAML), Some(Format::Otm));
    assert_eq!(interop::detect(FIXTURE), Some(Format::Otm));
}

#[test]
fn otm_0_1_imports() {
    let imported = import(FIXTURE_0_1);
    let s = valid(&imported.session);
    assert_eq!(s.title, "Manual threat model");
    assert_eq!(s.boundaries.len(), 2);
    assert!(
        s.boundaries
            .iter()
            .all(|b| !b.properties.contains_key("otm.type"))
    );
    assert_eq!(s.actors.len(), 1, "generic-client-user is a user");
    assert_eq!(s.components[0].kind, "generic.process");
    assert_eq!(s.threats[0].status, ThreatStatus::Mitigating);
    assert_eq!(
        (s.threats[0].likelihood, s.threats[0].impact),
        (Some(4), Some(3))
    );
    assert!(imported.unmapped.is_empty(), "{:#?}", imported.unmapped);
}

/// What the file holds, counted from the document itself.
struct Counts {
    zones: usize,
    components: usize,
    flows: usize,
    assets: usize,
    threats: usize,
    mitigations: usize,
}

fn counts(doc: &Value) -> Counts {
    let ids = |key: &str| -> BTreeSet<String> {
        list(doc, key)
            .iter()
            .filter_map(|x| x["id"].as_str().map(String::from))
            .collect()
    };
    let components = ids("components");
    let defined = ids("threats");
    let flows: Vec<&Value> = list(doc, "dataflows")
        .into_iter()
        .filter(|f| {
            // `target` for `destination`, as the OTM README's example has it.
            let d = match f.get("destination") {
                Some(d) => d.as_str(),
                None => f["target"].as_str(),
            };
            let s = f["source"].as_str();
            s.is_some_and(|s| components.contains(s))
                && d.is_some_and(|d| components.contains(d))
                && s != d
        })
        .collect();
    let mut instantiated = BTreeSet::new();
    let mut instances = 0;
    for holder in list(doc, "components")
        .into_iter()
        .chain(flows.iter().copied())
    {
        for inst in holder["threats"].as_array().into_iter().flatten() {
            if let Some(t) = inst["threat"].as_str().filter(|t| defined.contains(*t)) {
                instances += 1;
                instantiated.insert(t.to_string());
            }
        }
    }
    Counts {
        zones: list(doc, "trustZones").len(),
        components: list(doc, "components").len(),
        flows: flows.len(),
        assets: list(doc, "assets").len(),
        threats: instances + defined.difference(&instantiated).count(),
        mitigations: list(doc, "mitigations").len(),
    }
}

fn check_counts(doc: &Value, s: &Session, name: &str) {
    let c = counts(doc);
    assert_eq!(s.boundaries.len(), c.zones, "{name}: trust zones");
    assert_eq!(
        s.components.len() + s.actors.len(),
        c.components,
        "{name}: components"
    );
    assert_eq!(s.flows.len(), c.flows, "{name}: data flows");
    assert_eq!(s.assets.len(), c.assets, "{name}: assets");
    assert_eq!(s.threats.len(), c.threats, "{name}: threat instances");
    assert_eq!(s.mitigations.len(), c.mitigations, "{name}: mitigations");
}

#[test]
fn imports_of_the_fixtures_match_their_counts() {
    for (name, text) in [
        ("small.otm.json", FIXTURE),
        ("small.otm.yaml", FIXTURE_YAML),
        ("small-0.1.otm.yaml", FIXTURE_0_1),
    ] {
        let doc = parsed(Path::new(name), text);
        check_counts(&doc, &valid(&import(text).session), name);
    }
}

#[test]
fn imports_of_the_samples_match_their_counts() {
    let Some(dir) = samples() else {
        return;
    };
    let files = sample_files(&dir);
    assert!(files.len() >= 3, "{files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let doc = parsed(&path, &text);
        let imported = import(&text);
        assert_eq!(imported.format, Format::Otm);
        let s = valid(&imported.session);
        let name = path.display().to_string();
        check_counts(&doc, &s, &name);
        // Every mitigation an instance lists is linked to its threat.
        let links: usize = s.mitigations.iter().map(|m| m.threats.len()).sum();
        let listed: usize = list(&doc, "components")
            .into_iter()
            .chain(list(&doc, "dataflows"))
            .flat_map(|x| x["threats"].as_array().cloned().unwrap_or_default())
            .map(|i| i["mitigations"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(links, listed, "{name}: links");
        // The diagrams are the only things not kept, and they are said.
        assert!(reported(&imported).contains("representations"), "{name}");
    }
}

#[test]
fn example_json_and_example_yaml_import_to_the_same_session() {
    let Some(dir) = samples() else {
        return;
    };
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let (json_text, yaml_text) = (read("EXAMPLE.json"), read("EXAMPLE.yaml"));
    let a = import(&json_text);
    let b = import(&yaml_text);
    assert_eq!(valid(&a.session), valid(&b.session));
    assert_eq!(a.unmapped, b.unmapped);
    // Without --from, and with it.
    let c = interop::import(&yaml_text, Some(Format::Otm), "x", now()).unwrap();
    assert_eq!(c.session, b.session);
}

// ------------------------------------------------------------ round trips

/// Absent, null and empty are the same to OTM.
fn field(item: &Value, key: &str) -> Value {
    match item.get(key) {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(s)) if s.is_empty() => Value::Null,
        Some(Value::Array(a)) if a.is_empty() => Value::Null,
        Some(Value::Object(o)) if o.is_empty() => Value::Null,
        Some(Value::Array(a)) => Value::Array(a.iter().filter(|x| !x.is_null()).cloned().collect()),
        Some(v) => v.clone(),
    }
}

/// Attributes without stridekit's own.
fn attributes(item: &Value) -> Value {
    match item.get("attributes") {
        Some(Value::Object(o)) => {
            let kept: serde_json::Map<String, Value> = o
                .iter()
                .filter(|(k, _)| !k.starts_with("stridekit:"))
                .map(|(k, v)| {
                    (
                        k.clone(),
                        json!(v.as_str().map_or(v.to_string(), String::from)),
                    )
                })
                .collect();
            if kept.is_empty() {
                Value::Null
            } else {
                Value::Object(kept)
            }
        }
        _ => Value::Null,
    }
}

fn instances(item: &Value) -> Value {
    let list: Vec<Value> = item["threats"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            let mut ms: Vec<Value> = i["mitigations"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|m| json!([m["mitigation"], m["state"]]))
                .collect();
            ms.sort_by_key(|m| m.to_string());
            json!({"threat": i["threat"], "state": i["state"], "mitigations": ms})
        })
        .collect();
    if list.is_empty() {
        Value::Null
    } else {
        json!(list)
    }
}

/// What an OTM document says that stridekit keeps, by section and id.
fn model_of(doc: &Value) -> BTreeMap<String, BTreeMap<String, Value>> {
    let section = |key: &str, f: &dyn Fn(&Value) -> Value| -> BTreeMap<String, Value> {
        list(doc, key)
            .into_iter()
            .filter(|x| x["id"] != otm::OUTSIDE_ZONE)
            .map(|x| (x["id"].as_str().unwrap_or("").to_string(), f(x)))
            .collect()
    };
    let parent = |x: &Value| match field(x, "parent") {
        Value::Object(p)
            if p.get("trustZone").and_then(Value::as_str) == Some(otm::OUTSIDE_ZONE) =>
        {
            Value::Null
        }
        other => other,
    };
    let mut out = BTreeMap::new();
    // The type an export gives a zone that has none.
    let zone_type = |z: &Value| match field(z, "type") {
        Value::String(t) if t == otm::ZONE_TYPE => Value::Null,
        other => other,
    };
    out.insert(
        "trustZones".to_string(),
        section("trustZones", &|z| {
            json!([
                field(z, "name"),
                zone_type(z),
                field(z, "description"),
                z["risk"]["trustRating"],
                parent(z),
                attributes(z)
            ])
        }),
    );
    out.insert(
        "components".to_string(),
        section("components", &|c| {
            json!([
                field(c, "name"),
                field(c, "type"),
                field(c, "description"),
                parent(c),
                field(c, "tags"),
                field(c, "assets"),
                attributes(c),
                instances(c)
            ])
        }),
    );
    out.insert(
        "dataflows".to_string(),
        section("dataflows", &|f| {
            json!([
                field(f, "name"),
                field(f, "description"),
                field(f, "bidirectional"),
                field(f, "source"),
                field(f, "destination"),
                field(f, "assets"),
                field(f, "tags"),
                attributes(f),
                instances(f)
            ])
        }),
    );
    out.insert(
        "assets".to_string(),
        section("assets", &|a| {
            let r = &a["risk"];
            json!([
                field(a, "name"),
                field(a, "description"),
                r["confidentiality"],
                r["integrity"],
                r["availability"],
                field(r, "comment")
            ])
        }),
    );
    out.insert(
        "threats".to_string(),
        section("threats", &|t| {
            let r = &t["risk"];
            json!([
                field(t, "name"),
                field(t, "description"),
                field(t, "categories"),
                field(t, "cwes"),
                field(r, "likelihood"),
                field(r, "impact"),
                field(r, "likelihoodComment"),
                field(r, "impactComment"),
                field(t, "tags"),
                attributes(t)
            ])
        }),
    );
    out.insert(
        "mitigations".to_string(),
        section("mitigations", &|m| {
            json!([
                field(m, "name"),
                field(m, "description"),
                field(m, "riskReduction"),
                attributes(m)
            ])
        }),
    );
    out
}

/// OTM -> stridekit -> OTM -> stridekit -> OTM: the first export is
/// the model as stridekit holds it (values the file lacked given their
/// defaults), and from there nothing changes. Returns the first session
/// and the first export.
fn round_trip(text: &str, what: &str) -> (Session, Value) {
    let first = valid(&import(text).session);
    let exported = interop::export(&first, Format::Otm);
    let second = valid(&import(&exported.text).session);
    let again = interop::export(&second, Format::Otm);
    assert_eq!(exported.text, again.text, "{what}: the same export");
    let third = valid(&import(&again.text).session);
    assert_eq!(second, third, "{what}: a second trip changes nothing");
    (first, serde_json::from_str(&exported.text).unwrap())
}

#[test]
fn a_round_trip_through_stridekit_keeps_the_fixtures() {
    for (what, text) in [
        ("small.otm.json", FIXTURE),
        ("small.otm.yaml", FIXTURE_YAML),
        ("small-0.1.otm.yaml", FIXTURE_0_1),
    ] {
        round_trip(text, what);
    }
    // Everything the fixture maps comes back, item by item: all but what
    // the import reported (a missing risk, a parent not in the file, a
    // threat not defined, an odd key).
    let (_, back) = round_trip(FIXTURE, "small.otm.json");
    let original: Value = serde_json::from_str(FIXTURE).unwrap();
    let (a, b) = (model_of(&original), model_of(&back));
    let same = |key: &str, ids: &[&str]| {
        for id in ids {
            assert_eq!(a[key].get(*id), b[key].get(*id), "{key} {id}");
        }
    };
    same("trustZones", &["internet", "dmz", "private"]);
    same("components", &["customer", "browser", "worker"]);
    same("dataflows", &["pay"]);
    same("assets", &["cards", "invoices", "audit"]);
    same("threats", &["sqli", "flood", "insider"]);
    same("mitigations", &["prepared", "review"]);
    let (_, back) = round_trip(FIXTURE_0_1, "small-0.1.otm.yaml");
    let original = parsed(Path::new("x.yaml"), FIXTURE_0_1);
    assert_eq!(model_of(&back), model_of(&original));
}

#[test]
fn a_round_trip_through_stridekit_keeps_the_samples() {
    let Some(dir) = samples() else {
        return;
    };
    for path in sample_files(&dir) {
        let what = path.display().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let (first, back) = round_trip(&text, &what);
        // Nothing in the samples is skipped: every item comes back, and
        // the session read back is the first one.
        let original = parsed(&path, &text);
        assert_eq!(model_of(&back), model_of(&original), "{what}");
        let second = valid(&import(&back.to_string()).session);
        assert_eq!(first, second, "{what}");
    }
}

fn demo() -> Session {
    store::load_text(Path::new("demo.toml"), stridekit::DEMO_SESSION, &CATALOGS)
        .unwrap()
        .session
}

/// stridekit -> OTM -> stridekit keeps what OTM holds.
fn keeps_what_otm_holds(s: &Session, what: &str) {
    let exported = interop::export(s, Format::Otm);
    assert_eq!(exported, interop::export(s, Format::Otm), "{what}: stable");
    let back = valid(&import(&exported.text).session);
    assert_eq!(
        (&back.title, &back.description),
        (&s.title, &s.description),
        "{what}"
    );
    assert_eq!(
        (&back.architecture, &back.dataflow),
        (&s.architecture, &s.dataflow),
        "{what}"
    );
    let boundaries = |s: &Session| -> Vec<Value> {
        s.boundaries
            .iter()
            .map(|b| {
                json!([
                    b.id.to_string(),
                    b.name,
                    b.parent.map(|p| p.to_string()),
                    b.description
                ])
            })
            .collect()
    };
    assert_eq!(boundaries(&back), boundaries(s), "{what}: boundaries");
    let components = |s: &Session| -> Vec<Value> {
        s.components
            .iter()
            .map(|c| {
                json!([
                    c.id.to_string(),
                    c.name,
                    c.kind,
                    c.boundary.map(|b| b.to_string()),
                    c.description,
                    c.out_of_scope
                ])
            })
            .collect()
    };
    assert_eq!(components(&back), components(s), "{what}: components");
    let actors = |s: &Session| -> Vec<Value> {
        s.actors
            .iter()
            .map(|a| json!([a.id.to_string(), a.name, a.description, a.out_of_scope]))
            .collect()
    };
    assert_eq!(actors(&back), actors(s), "{what}: actors");
    let flows = |s: &Session| -> Vec<Value> {
        s.flows
            .iter()
            .map(|f| {
                json!([
                    f.id.to_string(),
                    f.from.to_string(),
                    f.to.to_string(),
                    f.label,
                    f.protocol,
                    f.assets.iter().map(Id::to_string).collect::<Vec<_>>(),
                    f.description,
                    f.out_of_scope
                ])
            })
            .collect()
    };
    assert_eq!(flows(&back), flows(s), "{what}: flows");
    let assets = |s: &Session| -> Vec<Value> {
        s.assets
            .iter()
            .map(|a| json!([a.id.to_string(), a.name, a.classification.key()]))
            .collect()
    };
    assert_eq!(assets(&back), assets(s), "{what}: assets");
    for (a, b) in s.assets.iter().zip(&back.assets) {
        assert!(
            b.description.starts_with(&a.description),
            "{what}: {}",
            a.id
        );
    }
    let threats = |s: &Session| -> Vec<Value> {
        s.threats
            .iter()
            .map(|t| {
                json!([
                    t.id.to_string(),
                    t.title,
                    t.category.key(),
                    t.also.iter().map(|c| c.key()).collect::<Vec<_>>(),
                    t.target.map(|x| x.to_string()),
                    t.status.key(),
                    t.likelihood,
                    t.impact,
                    t.catalog,
                    t.notes,
                    t.priority.map(|p| p.key()),
                    t.tags
                ])
            })
            .collect()
    };
    assert_eq!(threats(&back), threats(s), "{what}: threats");
    let mitigations = |s: &Session| -> Vec<Value> {
        s.mitigations
            .iter()
            .map(|m| {
                let mut linked: Vec<String> = m.threats.iter().map(Id::to_string).collect();
                linked.sort();
                json!([
                    m.id.to_string(),
                    m.text,
                    linked,
                    m.status.key(),
                    m.owner,
                    m.catalog,
                    m.notes,
                    m.tags
                ])
            })
            .collect()
    };
    assert_eq!(mitigations(&back), mitigations(s), "{what}: mitigations");
}

#[test]
fn an_export_read_back_keeps_the_demo_and_generated_sessions() {
    let demo = demo();
    keeps_what_otm_holds(&demo, "the demo");
    let exported = interop::export(&demo, Format::Otm);
    // The demo's threats are on one element each: one definition each.
    let doc: Value = serde_json::from_str(&exported.text).unwrap();
    assert_eq!(list(&doc, "threats").len(), demo.threats.len());
    assert!(
        exported.notes.iter().any(|n| n.contains("3 entry points")),
        "{:?}",
        exported.notes
    );
    for seed in 0..3 {
        let generated = stridekit::core::synth::session(12, 60, seed, &CATALOGS);
        keeps_what_otm_holds(&generated, &format!("generated session {seed}"));
    }
}

#[test]
fn one_threat_on_several_elements_is_one_definition() {
    let mut s = demo();
    // T5's twin on the download flow: same catalog threat, same text.
    let mut twin = (*s.threats[4]).clone();
    twin.id = Id::new(stridekit::core::ids::IdKind::Threat, 13);
    twin.target = s
        .flows
        .iter()
        .find(|f| f.label.contains("Download"))
        .map(|f| f.id);
    twin.status = ThreatStatus::Mitigating;
    s.threats.push(std::sync::Arc::new(twin));
    s.last_ids.insert("T".to_string(), 13);
    let exported = interop::export(&s, Format::Otm);
    let doc: Value = serde_json::from_str(&exported.text).unwrap();
    assert_eq!(list(&doc, "threats").len(), s.threats.len() - 1);
    let t5 = list(&doc, "threats")
        .into_iter()
        .find(|t| t["id"] == "T5")
        .unwrap()
        .clone();
    assert_eq!(t5["attributes"]["stridekit:ids"], r#"["T5","T13"]"#);
    keeps_what_otm_holds(&s, "a threat on two elements");
}

// ------------------------------------------------------------ the schema

fn validator(dir: &Path) -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("otm_schema.json")).unwrap())
            .unwrap();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn assert_schema_valid(validator: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .take(10)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
}

fn assert_export_valid(validator: &jsonschema::Validator, s: &Session, what: &str) {
    let doc: Value = serde_json::from_str(&interop::export(s, Format::Otm).text).unwrap();
    assert_schema_valid(validator, &doc, what);
}

#[test]
fn exports_are_valid_against_the_otm_schema() {
    let Some(dir) = samples() else {
        return;
    };
    let validator = validator(&dir);
    assert_export_valid(&validator, &demo(), "the demo");
    for seed in 0..3 {
        let generated = stridekit::core::synth::session(12, 60, seed, &CATALOGS);
        assert_export_valid(&validator, &generated, &format!("generated session {seed}"));
    }
    for path in sample_files(&dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        assert_schema_valid(&validator, &parsed(&path, &text), "the sample itself");
        let s = valid(&import(&text).session);
        assert_export_valid(&validator, &s, &path.display().to_string());
    }
    for (what, text) in [
        ("small.otm.json", FIXTURE),
        ("small-0.1.otm.yaml", FIXTURE_0_1),
    ] {
        assert_export_valid(&validator, &valid(&import(text).session), what);
    }
    // A session with nothing in it is a valid model too.
    let empty = Session::new("Empty", Default::default(), now());
    assert_export_valid(&validator, &empty, "an empty session");
}

// ------------------------------------------------------------ bad files

#[test]
fn broken_json_and_yaml_are_errors_with_line_and_column() {
    let broken = "{\n  \"otmVersion\": \"0.2.0\",\n  \"project\": {\"name\": \"x\" \"id\": 1}\n}";
    match interop::import(broken, None, "x", now()) {
        Err(ImportError::Syntax { line, column, .. }) => assert_eq!((line, column), (3, 27)),
        other => panic!("{other:?}"),
    }
    match interop::import(broken, Some(Format::Otm), "x", now()) {
        Err(ImportError::Syntax { line, .. }) => assert_eq!(line, 3),
        other => panic!("{other:?}"),
    }
    let broken = "otmVersion: 0.2.0\nproject:\n  name: x\n  id: [unclosed\ncomponents: []\n";
    for format in [None, Some(Format::Otm)] {
        match interop::import(broken, format, "x", now()) {
            Err(ImportError::Syntax {
                line,
                column,
                message,
            }) => {
                assert!((4..=5).contains(&line), "{line}:{column}: {message}");
                assert!(column >= 1, "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
    let tabs = "otmVersion: 0.2.0\nproject:\n\tname: x\n";
    match interop::import(tabs, None, "x", now()) {
        Err(ImportError::Syntax { line, .. }) => assert_eq!(line, 3),
        other => panic!("{other:?}"),
    }
    match interop::import("just: yaml\n", None, "x", now()) {
        Err(ImportError::NotTheFormat(why)) => assert!(why.contains("--from"), "{why}"),
        other => panic!("{other:?}"),
    }
    match interop::import("- a\n- b\n", Some(Format::Otm), "x", now()) {
        Err(ImportError::NotTheFormat(why)) => assert!(why.contains("object"), "{why}"),
        other => panic!("{other:?}"),
    }
    // Wrong shapes everywhere: warnings, no panic, a valid session.
    let odd = r#"{"otmVersion": 2, "project": "p", "trustZones": {"a": 1},
        "components": [1, {"id": 5, "name": ["x"], "type": {"t": 1}, "parent": 3,
        "threats": "many", "assets": [], "tags": "one", "attributes": ["x", {"k": [1]}]}],
        "dataflows": [{"source": 5, "destination": "5"}, null],
        "threats": [{"id": "t", "risk": {"likelihood": "high", "impact": -4}, "categories": "S"}],
        "mitigations": [{"id": "m", "riskReduction": "lots"}, {"id": "m"}]}"#;
    let imported = interop::import(odd, None, "odd", now()).unwrap();
    let s = valid(&imported.session);
    assert_eq!(s.title, "odd");
    assert!(imported.unmapped.len() >= 12, "{:#?}", imported.unmapped);
}

#[test]
fn a_yaml_alias_bomb_is_refused_quickly() {
    // "Billion laughs": nine levels of nine aliases, 9^9 strings expanded.
    let mut bomb =
        String::from("otmVersion: 0.2.0\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..=9 {
        let prev = format!("*a{}", level - 1);
        let items = [prev.as_str(); 9].join(", ");
        bomb.push_str(&format!("a{level}: &a{level} [{items}]\n"));
    }
    bomb.push_str("project: {name: bomb, id: bomb}\n");
    let started = Instant::now();
    let result = interop::import(&bomb, None, "bomb", now());
    eprintln!(
        "the bomb was refused in {:?}: {result:?}",
        started.elapsed()
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    match result {
        Err(ImportError::Syntax { message, .. }) => {
            assert!(
                message.to_lowercase().contains("alias") || message.contains("budget"),
                "{message}"
            )
        }
        other => panic!("{:?}", other.map(|i| i.summary())),
    }
    assert_eq!(interop::detect(&bomb), None);
    // One anchor of a thousand items, aliased a thousand times: each alias
    // cheap to record, a million events to replay.
    let items = ["x"; 1000].join(", ");
    let aliases = ["*big"; 1000].join(", ");
    let flat = format!("otmVersion: 0.2.0\nbig: &big [{items}]\nmany: [{aliases}]\n");
    let started = Instant::now();
    let result = interop::import(&flat, None, "flat", now());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        matches!(result, Err(ImportError::Syntax { .. })),
        "{:?}",
        result.map(|i| i.summary())
    );
    // Nesting deeper than any threat model: refused, not a stack overflow.
    let deep = format!(
        "otmVersion: 0.2.0\nproject: {}x{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    assert!(matches!(
        interop::import(&deep, None, "deep", now()),
        Err(ImportError::Syntax { .. })
    ));
    let deep = format!(
        "otmVersion: 0.2.0\nproject:\n{}",
        (1..200)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect::<String>()
    );
    assert!(matches!(
        interop::import(&deep, None, "deep", now()),
        Err(ImportError::Syntax { .. })
    ));
    // A few aliases, as people write them, are fine.
    let fine = "otmVersion: 0.2.0\nproject: {name: p, id: p}\ntrustZones:\n  - &z {id: z, name: Z, risk: {trustRating: 1}}\ncomponents:\n  - {id: c, name: C, type: web, parent: {trustZone: z}}\n";
    assert_eq!(import(fine).session.boundaries.len(), 1);
}

// ------------------------------------------------------------ the command

#[test]
fn the_command_line_imports_yaml_without_from_and_exports_otm() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(dir.path().join("small.otm.yaml"), FIXTURE_YAML).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_stridekit"))
            .args(args)
            .current_dir(dir.path())
            .env("STRIDEKIT_CONFIG_DIR", dir.path().join("config"))
            .env("STRIDEKIT_DATA_DIR", dir.path().join("data"))
            .output()
            .unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        (text(&out.stdout), text(&out.stderr))
    };
    let (said, _) = run(&["import", "small.otm.yaml", "-o", "s.toml"]);
    assert!(said.contains("(Open Threat Model)"), "{said}");
    assert!(
        said.contains("components[2].threats[1].state: unknown state `TBA`"),
        "{said}"
    );
    let (_, notes) = run(&["export", "s.toml", "--format", "otm", "-o", "out.otm.json"]);
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.otm.json")).unwrap())
            .unwrap();
    assert_eq!(doc["otmVersion"], otm::VERSION);
    assert_eq!(doc["project"]["name"], "Payments portal");
    // Only the session's own warnings: nothing the export could not hold.
    assert!(!notes.contains("no place"), "{notes}");
    let (said, _) = run(&["import", "out.otm.json", "--from", "otm", "-o", "back.toml"]);
    assert!(
        said.contains("Imported out.otm.json (Open Threat Model)"),
        "{said}"
    );
}

// ------------------------------------------------------------ no panics

/// Keys and texts an OTM file uses, so arbitrary values reach the
/// importer's paths rather than being refused at the top.
const KEYS: [&str; 32] = [
    "otmVersion",
    "project",
    "name",
    "id",
    "description",
    "trustZones",
    "components",
    "dataflows",
    "assets",
    "threats",
    "mitigations",
    "risk",
    "trustRating",
    "parent",
    "trustZone",
    "component",
    "type",
    "source",
    "destination",
    "target",
    "threat",
    "state",
    "mitigation",
    "categories",
    "likelihood",
    "impact",
    "riskReduction",
    "attributes",
    "tags",
    "processed",
    "stored",
    "confidentiality",
];
const TEXTS: [&str; 12] = [
    "",
    "a",
    "b",
    "C1",
    "T1",
    "M1",
    "B1",
    "user",
    "exposed",
    "Spoofing",
    "stridekit-outside",
    "0.2.0",
];

fn arbitrary_json() -> impl proptest::strategy::Strategy<Value = Value> {
    common::arbitrary_json(&KEYS, &TEXTS)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_json_never_panics(mut doc in arbitrary_json(), version in any::<bool>()) {
        if version && let Value::Object(o) = &mut doc {
            o.insert("otmVersion".to_string(), json!("0.2.0"));
        }
        let text = doc.to_string();
        for format in [None, Some(Format::Otm)] {
            if let Ok(imported) = interop::import(&text, format, "arbitrary", now()) {
                // What the importer built is a valid session, and exports.
                let s = valid(&imported.session);
                let exported = interop::export(&s, Format::Otm);
                prop_assert!(serde_json::from_str::<Value>(&exported.text).is_ok());
            }
        }
        let _ = interop::detect(&text);
    }
}
