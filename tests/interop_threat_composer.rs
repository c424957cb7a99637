//! Threat Composer import and export (issue 10): the small fixture written
//! for these tests always runs; the real files in `../shared/samples/`
//! run where that folder exists (a user's clone has none: the tests say
//! so and pass). Expected counts are worked out from the JSON here, not by
//! the importer.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use stridekit::core::catalog::Catalogs;
use stridekit::core::interop::{self, Format, ImportError};
use stridekit::core::model::{MitigationStatus, Priority, Session, ThreatStatus};
use stridekit::core::store;
use stridekit::core::stride::Category;
use stridekit::core::time::Timestamp;

const FIXTURE: &str = include_str!("fixtures/interop/small.tc.json");

fn now() -> Timestamp {
    Timestamp::from_unix(1_800_000_000)
}

fn import(text: &str) -> interop::Imported {
    interop::import(text, None, "fallback title", now()).expect("imports")
}

/// The session as a file and back: what the importer built is valid.
fn valid(session: &Session) -> Session {
    let catalogs = Catalogs::builtin().unwrap();
    let text = store::to_toml(session).unwrap();
    store::load_text(Path::new("imported.toml"), &text, &catalogs)
        .unwrap_or_else(|e| panic!("invalid session: {e:?}\n{text}"))
        .session
}

fn samples() -> Option<PathBuf> {
    common::samples("threat-composer")
}

fn sample_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".tc.json"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_fixture_maps_every_field_and_reports_the_rest() {
    let imported = import(FIXTURE);
    assert_eq!(imported.format, Format::ThreatComposer);
    let s = valid(&imported.session);
    assert_eq!(s.title, "Payslip portal");
    assert_eq!(s.description, "Employees download payslips.");
    assert_eq!(s.architecture, "A single-page app in front of an API.");
    assert_eq!(s.dataflow, "Browser to API to bucket.");

    // numericId 7 is kept; the second 7 gets the next free number.
    let ids: Vec<String> = s.threats.iter().map(|t| t.id.to_string()).collect();
    assert_eq!(ids, ["T7", "T8"]);
    let t7 = &s.threats[0];
    assert_eq!(t7.category, Category::InformationDisclosure);
    assert_eq!(t7.also, [Category::Spoofing]);
    assert_eq!(t7.priority, Some(Priority::High));
    assert_eq!(t7.status, ThreatStatus::Open);
    assert_eq!(t7.notes, "Seen in the last pen test");
    assert_eq!(t7.tags, ["Access"]);
    assert_eq!(t7.statement.source, "internal actor");
    assert_eq!(t7.statement.action, "download that employee's payslip");
    assert_eq!(t7.statement.goals, ["confidentiality"]);
    assert_eq!(t7.properties["custom:ticket"], r#"["SEC-1","SEC-2"]"#);
    assert!(t7.title.starts_with("An internal actor who can guess"));
    // "payslips" and "Payslips" are one asset.
    assert_eq!(s.assets.len(), 1);
    assert_eq!(s.threats[1].statement.assets, t7.statement.assets);
    // No STRIDE: the goal it harms decides, and that is said.
    assert_eq!(s.threats[1].category, Category::DenialOfService);
    assert_eq!(
        s.threats[1].title,
        "An external threat actor can flood the API, resulting in reduced availability of Payslips"
    );

    let m4 = &s.mitigations[0];
    assert_eq!(m4.id.to_string(), "M4");
    assert_eq!(m4.status, MitigationStatus::InProgress);
    assert_eq!(m4.threats, [t7.id]);
    assert_eq!(m4.notes, "In the next sprint");
    assert_eq!(m4.properties["custom:team"], "Payroll");
    assert!(s.mitigations[1].threats.is_empty(), "an unlinked one loads");
    let a = &s.assumptions[0];
    assert_eq!(a.id.to_string(), "AS2");
    assert_eq!(
        (a.threats.clone(), a.mitigations.clone()),
        (vec![t7.id], vec![m4.id])
    );
    assert_eq!(
        s.foreign_ids["threat-composer"][&t7.id],
        "0c1e9a66-0000-4000-8000-000000000021"
    );

    let reported: BTreeSet<String> = imported.unmapped.iter().map(|u| u.at.clone()).collect();
    let expected: BTreeSet<String> = [
        "architecture.image",
        "brainstorm",
        "threats[1].metadata[0]",
        "threats[1].metadata",
        "threats[1].status",
        "threats[1].severity",
        "mitigations[1].status",
        "mitigationLinks[1]",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(reported, expected, "{:#?}", imported.unmapped);
    assert!(
        imported
            .unmapped
            .iter()
            .any(|u| u.what.contains("`highest`")),
        "the odd value is named"
    );
}

#[test]
fn broken_json_is_an_error_with_line_and_column() {
    let broken = "{\n  \"schema\": 1,\n  \"threats\": [,]\n}";
    match interop::import(broken, None, "x", now()) {
        Err(ImportError::Syntax { line, column, .. }) => assert_eq!((line, column), (3, 15)),
        other => panic!("{other:?}"),
    }
    match interop::import("{\"hello\": 1}", None, "x", now()) {
        Err(ImportError::NotTheFormat(why)) => assert!(why.contains("--from"), "{why}"),
        other => panic!("{other:?}"),
    }
    // Wrong shapes everywhere: warnings, no panic.
    let odd = r#"{"schema": "one", "threats": [1, {"numericId": -3, "metadata": "x", "tags": 5,
        "status": null}], "mitigations": {"a": 1}, "assumptionLinks": [{"type": 3}]}"#;
    let imported = interop::import(odd, Some(Format::ThreatComposer), "odd", now()).unwrap();
    valid(&imported.session);
    assert!(imported.unmapped.len() >= 4, "{:#?}", imported.unmapped);
}

/// Empty and absent are the same to Threat Composer.
fn field_of(item: &Value, key: &str) -> Value {
    match item.get(key) {
        None => Value::Null,
        Some(Value::String(s)) if s.is_empty() => Value::Null,
        Some(Value::Array(a)) if a.is_empty() => Value::Null,
        Some(v) => v.clone(),
    }
}

/// What a Threat Composer threat says, by its uuid: the grammar fields,
/// STRIDE letters, priority, status and tags.
fn threats_of(doc: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for t in doc["threats"].as_array().into_iter().flatten() {
        let meta = |key: &str| {
            t["metadata"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|m| m["key"] == key)
                .map(|m| m["value"].clone())
                .unwrap_or(Value::Null)
        };
        let field = |k: &str| field_of(t, k);
        out.insert(
            t["id"].as_str().unwrap().to_string(),
            serde_json::json!({
                "source": field("threatSource"), "prerequisites": field("prerequisites"),
                "action": field("threatAction"), "impact": field("threatImpact"),
                "goals": field("impactedGoal"), "assets": field("impactedAssets"),
                "stride": meta("STRIDE"), "priority": meta("Priority"),
                "comments": meta("Comments"), "status": field("status"),
                "tags": field("tags"),
                "statement": field("statement"),
            }),
        );
    }
    out
}

fn items_of(doc: &Value, key: &str, fields: &[&str]) -> BTreeMap<String, Vec<Value>> {
    doc[key]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            (
                x["id"].as_str().unwrap().to_string(),
                fields.iter().map(|f| field_of(x, f)).collect(),
            )
        })
        .collect()
}

/// Links whose both ends are in the file, as (from, to) pairs.
fn links_of(doc: &Value) -> BTreeSet<(String, String)> {
    let ids: BTreeSet<&str> = ["threats", "mitigations", "assumptions"]
        .iter()
        .flat_map(|k| doc[*k].as_array().into_iter().flatten())
        .filter_map(|x| x["id"].as_str())
        .collect();
    let mut out = BTreeSet::new();
    for (key, from) in [
        ("mitigationLinks", "mitigationId"),
        ("assumptionLinks", "assumptionId"),
    ] {
        for l in doc[key].as_array().into_iter().flatten() {
            let (a, b) = (l[from].as_str().unwrap(), l["linkedId"].as_str().unwrap());
            if ids.contains(a) && ids.contains(b) {
                out.insert((a.to_string(), b.to_string()));
            }
        }
    }
    out
}

fn round_trip_keeps_everything(original: &Value, text: &str) {
    let imported = import(text);
    let session = valid(&imported.session);
    let exported = interop::export(&session, Format::ThreatComposer);
    let back: Value = serde_json::from_str(&exported.text).unwrap();
    assert_eq!(threats_of(&back), threats_of(original));
    let m_fields = ["numericId", "content", "status", "tags", "metadata"];
    assert_eq!(
        items_of(&back, "mitigations", &m_fields),
        items_of(original, "mitigations", &m_fields)
    );
    let a_fields = ["numericId", "content", "tags", "metadata"];
    assert_eq!(
        items_of(&back, "assumptions", &a_fields),
        items_of(original, "assumptions", &a_fields)
    );
    assert_eq!(links_of(&back), links_of(original));
    assert_eq!(back["applicationInfo"], original["applicationInfo"]);
}

#[test]
fn a_round_trip_through_stridekit_keeps_the_samples() {
    let Some(dir) = samples() else {
        return;
    };
    for path in sample_files(&dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        let original: Value = serde_json::from_str(&text).unwrap();
        round_trip_keeps_everything(&original, &text);
    }
}

#[test]
fn imports_of_the_samples_match_their_counts() {
    let Some(dir) = samples() else {
        return;
    };
    for path in sample_files(&dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let count = |k: &str| doc[k].as_array().map_or(0, Vec::len);
        let imported = import(&text);
        let s = valid(&imported.session);
        let name = path.display();
        assert_eq!(s.threats.len(), count("threats"), "{name}");
        assert_eq!(s.mitigations.len(), count("mitigations"), "{name}");
        assert_eq!(s.assumptions.len(), count("assumptions"), "{name}");
        let links: usize = s.mitigations.iter().map(|m| m.threats.len()).sum::<usize>()
            + s.assumptions
                .iter()
                .map(|a| a.threats.len() + a.mitigations.len())
                .sum::<usize>();
        assert_eq!(links, links_of(&doc).len(), "{name}");
        // Every link left out is reported.
        let skipped = imported
            .unmapped
            .iter()
            .filter(|u| u.at.contains("Links["))
            .count();
        assert_eq!(
            skipped,
            count("mitigationLinks") + count("assumptionLinks") - links,
            "{name}"
        );
        let distinct_assets: BTreeSet<String> = doc["threats"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|t| t["impactedAssets"].as_array().cloned().unwrap_or_default())
            .filter_map(|a| a.as_str().map(|s| s.trim().to_lowercase()))
            .filter(|a| !a.is_empty())
            .collect();
        assert_eq!(s.assets.len(), distinct_assets.len(), "{name}");
    }
}

fn validator(dir: &Path) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("threat-composer-v1.schema.json")).unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn assert_schema_valid(validator: &jsonschema::Validator, text: &str, what: &str) {
    let doc: Value = serde_json::from_str(text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .take(10)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
}

#[test]
fn exports_are_valid_against_threat_composers_schema() {
    let Some(dir) = samples() else {
        return;
    };
    let validator = validator(&dir);
    let catalogs = Catalogs::builtin().unwrap();
    let demo = store::load_text(Path::new("demo.toml"), stridekit::DEMO_SESSION, &catalogs)
        .unwrap()
        .session;
    assert_schema_valid(
        &validator,
        &interop::export(&demo, Format::ThreatComposer).text,
        "the demo",
    );
    for seed in 0..3 {
        let generated = stridekit::core::synth::session(12, 60, seed, &catalogs);
        assert_schema_valid(
            &validator,
            &interop::export(&generated, Format::ThreatComposer).text,
            &format!("generated session {seed}"),
        );
    }
    for path in sample_files(&dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        assert_schema_valid(&validator, &text, "the sample itself");
        let s = valid(&import(&text).session);
        assert_schema_valid(
            &validator,
            &interop::export(&s, Format::ThreatComposer).text,
            &path.display().to_string(),
        );
    }
}

#[test]
fn an_export_read_back_keeps_our_ids_and_texts() {
    let catalogs = Catalogs::builtin().unwrap();
    let demo = store::load_text(Path::new("demo.toml"), stridekit::DEMO_SESSION, &catalogs)
        .unwrap()
        .session;
    let first = interop::export(&demo, Format::ThreatComposer);
    assert_eq!(
        first,
        interop::export(&demo, Format::ThreatComposer),
        "stable"
    );
    let back = valid(&import(&first.text).session);
    let ids = |s: &Session| {
        (
            s.threats.iter().map(|t| t.id).collect::<Vec<_>>(),
            s.mitigations.iter().map(|m| m.id).collect::<Vec<_>>(),
            s.assumptions.iter().map(|a| a.id).collect::<Vec<_>>(),
        )
    };
    assert_eq!(ids(&back), ids(&demo));
    for (a, b) in demo.threats.iter().zip(&back.threats) {
        assert_eq!(
            (a.category, a.status, &a.status_reason),
            (b.category, b.status, &b.status_reason)
        );
        assert_eq!(a.statement.source, b.statement.source);
    }
    for (a, b) in demo.mitigations.iter().zip(&back.mitigations) {
        assert_eq!(
            (&a.text, a.status, &a.threats, &a.owner),
            (&b.text, b.status, &b.threats, &b.owner)
        );
    }
    // The export knows it has no place for the diagram elements.
    assert!(first.notes.iter().any(|n| n.contains("components")));
}

// ------------------------------------------------------------ proptest

/// Keys and strings a Threat Composer file (and a threat pack) has, so
/// arbitrary JSON reaches the importer's corners.
const WORDS: &[&str] = &[
    "schema",
    "applicationInfo",
    "architecture",
    "dataflow",
    "assumptions",
    "mitigations",
    "assumptionLinks",
    "mitigationLinks",
    "threats",
    "brainstorm",
    "name",
    "description",
    "image",
    "id",
    "numericId",
    "displayOrder",
    "metadata",
    "key",
    "value",
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
    "content",
    "mitigationId",
    "assumptionId",
    "linkedId",
    "type",
    "Comments",
    "STRIDE",
    "Priority",
    "custom:stridekit-status",
    "threatIdentified",
    "threatResolved",
    "mitigationResolved",
    "threat-pack",
    "High",
    "S",
    "E",
    "x",
    "1",
    "",
];

fn arbitrary_json() -> impl proptest::strategy::Strategy<Value = Value> {
    common::arbitrary_json(WORDS, WORDS)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_json_never_panics(threats in proptest::collection::vec(arbitrary_json(), 0..6),
                                   mitigations in proptest::collection::vec(arbitrary_json(), 0..4),
                                   links in proptest::collection::vec(arbitrary_json(), 0..4),
                                   top in arbitrary_json()) {
        let doc = serde_json::json!({
            "schema": 1,
            "applicationInfo": top,
            "threats": threats,
            "mitigations": mitigations,
            "mitigationLinks": links,
        });
        let pack = serde_json::json!({
            "schema": 1, "type": "threat-pack", "id": "p",
            "threats": doc["threats"], "mitigations": doc["mitigations"],
            "mitigationLinks": doc["mitigationLinks"],
        });
        for text in [doc.to_string(), top.to_string()] {
            for format in [None, Some(Format::ThreatComposer)] {
                if let Ok(imported) = interop::import(&text, format, "prop", now()) {
                    let s = valid(&imported.session);
                    let exported = interop::export(&s, Format::ThreatComposer);
                    valid(&import(&exported.text).session);
                }
            }
        }
        // The same items as a threat pack: a catalog that loads, or an error.
        for text in [pack.to_string(), top.to_string()] {
            if let Ok(made) = interop::threat_pack::to_catalog(&text, None, "prop") {
                let mut catalogs = Catalogs::builtin().unwrap();
                if let Err(e) = catalogs.add_text(Path::new("p.toml"), &made.text, false) {
                    panic!("a pack made a catalog that does not load: {e:?}\n{}", made.text);
                }
            }
        }
    }
}
